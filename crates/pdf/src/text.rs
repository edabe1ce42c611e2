//! User text made printable: what the embedded fonts can draw prints as itself, invisible and
//! control characters are dropped, and anything else becomes a visible replacement mark.

use unicode_normalization::UnicodeNormalization;

use crate::font;

/// Printed for a character none of the embedded fonts has (CJK, emoji, …).
pub(crate) const REPLACEMENT: char = '\u{FFFD}';

/// Zero-width characters, direction marks, embeddings, overrides and isolates, word joiners,
/// variation selectors, BOM, soft hyphen: nothing to draw, and the direction controls could
/// make a viewer show text in another order than it is stored.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// Characters printed as a plain space (and collapsed with their neighbours).
fn is_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{205F}' | '\u{3000}'
    )
}

/// One line of user text as it will be printed: composed (NFC, so "e\u{301}" is "é"), line
/// breaks and odd spaces turned into single spaces, invisible and control characters dropped,
/// and characters no embedded font has replaced by [`REPLACEMENT`].
pub(crate) fn sanitize_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfc() {
        if is_space(c) {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        } else if is_invisible(c) || c.is_control() {
            // Dropped.
        } else if font::covered(c) {
            out.push(c);
        } else {
            out.push(REPLACEMENT);
        }
    }
    out
}

/// What `text` will look like in the PDF: each line as `sanitize_line` makes it, the line
/// breaks kept.
pub fn sanitize(text: &str) -> String {
    text.split(['\n', '\u{2028}', '\u{2029}'])
        .map(|line| sanitize_line(line.strip_suffix('\r').unwrap_or(line)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A one-line string for the document's metadata (UTF-16 there, so any character is kept):
/// whitespace collapsed, invisible and control characters dropped.
pub(crate) fn metadata_line(text: &str) -> String {
    text.nfc()
        .filter(|&c| !is_invisible(c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_what_the_fonts_have_and_marks_the_rest() {
        assert_eq!(sanitize_line("Zoë Müller"), "Zoë Müller");
        assert_eq!(sanitize_line("(a) \\ b"), "(a) \\ b");
        assert_eq!(sanitize_line("“x” – y … € ₽ ₹ №"), "“x” – y … € ₽ ₹ №");
        assert_eq!(sanitize_line("Łódź, Dvořák, Ő, ș"), "Łódź, Dvořák, Ő, ș");
        assert_eq!(
            sanitize_line("Jürgen Ødegård, Αθήνα, Москва"),
            "Jürgen Ødegård, Αθήνα, Москва"
        );
        assert_eq!(
            sanitize_line("old → new, a ≤ b, ✓ done"),
            "old → new, a ≤ b, ✓ done"
        );
        assert_eq!(sanitize_line("日本 🔥"), "\u{FFFD}\u{FFFD} \u{FFFD}");
    }

    #[test]
    fn composes_accents() {
        assert_eq!(sanitize_line("e\u{301}te\u{301}"), "été");
        assert_eq!(sanitize_line("A\u{30A}ngstro\u{308}m"), "Ångström");
    }

    #[test]
    fn drops_controls_and_invisibles() {
        assert_eq!(sanitize_line("a\tb\u{200B}c\u{7}d"), "a bcd");
        assert_eq!(sanitize_line("a \t\r\n  b"), "a b");
        assert_eq!(
            sanitize_line("\u{202E}evil\u{202C} \u{2066}iso\u{2069} \u{FEFF}bom\u{200D}"),
            "evil iso bom"
        );
        assert_eq!(sanitize("a\nb\r\nc"), "a\nb\nc");
        for c in sanitize_line("any \u{1}\u{9F}\u{202D}\u{FE0F} text").chars() {
            assert!(!c.is_control() && !is_invisible(c), "{c:?} left in");
        }
    }

    #[test]
    fn metadata_keeps_any_character() {
        assert_eq!(
            metadata_line(" Case \u{202E}日本\n 🔥  x\u{0} "),
            "Case 日本 🔥 x"
        );
    }
}
