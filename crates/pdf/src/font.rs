//! The fonts compiled into the binary (see `fonts/README.md`): Noto Sans in four faces, and
//! Noto Sans Math and Noto Sans Symbols 2 for the arrows, operators and shapes Noto Sans
//! lacks. This module knows which font draws which character, how wide text is (the fonts'
//! own advance widths plus pair kerning), how a run of text is written into a page (font
//! switches and kerning offsets), and, per document, subsets each font to the glyphs used.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, OnceLock};

use allsorts::binary::read::ReadScope;
use allsorts::font::MatchingPresentation;
use allsorts::font_data::{DynamicFontTableProvider, FontData};
use allsorts::gsub::FeatureMask;
use allsorts::subset::{CmapTarget, SubsetProfile};
use allsorts::tables::FontTableProvider;
use allsorts::tag;
use printpdf::{ParsedFont, TextItem};

/// The styled faces of the text font.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Face {
    Regular,
    Bold,
    Italic,
    BoldItalic,
}

impl Face {
    pub(crate) fn new(bold: bool, italic: bool) -> Face {
        match (bold, italic) {
            (false, false) => Face::Regular,
            (true, false) => Face::Bold,
            (false, true) => Face::Italic,
            (true, true) => Face::BoldItalic,
        }
    }

    /// The font program drawing this face.
    fn program(self) -> usize {
        match self {
            Face::Regular => 0,
            Face::Bold => 1,
            Face::Italic => 2,
            Face::BoldItalic => 3,
        }
    }
}

/// The font programs: (PostScript name, bytes). The first four are the faces of [`Face`].
const PROGRAMS: [(&str, &[u8]); 6] = [
    (
        "NotoSans-Regular",
        include_bytes!("../fonts/NotoSans-Regular.ttf"),
    ),
    (
        "NotoSans-Bold",
        include_bytes!("../fonts/NotoSans-Bold.ttf"),
    ),
    (
        "NotoSans-Italic",
        include_bytes!("../fonts/NotoSans-Italic.ttf"),
    ),
    (
        "NotoSans-BoldItalic",
        include_bytes!("../fonts/NotoSans-BoldItalic.ttf"),
    ),
    (
        "NotoSansMath-Regular",
        include_bytes!("../fonts/NotoSansMath-Regular.ttf"),
    ),
    (
        "NotoSansSymbols2-Regular",
        include_bytes!("../fonts/NotoSansSymbols2-Regular.ttf"),
    ),
];

/// How many font programs there are.
pub(crate) const PROGRAM_COUNT: usize = PROGRAMS.len();

/// The fallback programs, tried in this order when a face lacks a character.
const FALLBACKS: [usize; 2] = [4, 5];

/// One font program, parsed once.
struct Program {
    /// Character → (glyph id, advance width in 1/1000 em).
    glyphs: HashMap<char, (u16, u16)>,
    /// Pair kerning, when the font has any.
    kerning: Option<Mutex<Kerning>>,
}

/// A font's pair kerning (its GPOS `kern` feature), looked up pair by pair through allsorts'
/// shaper and remembered.
struct Kerning {
    font: allsorts::Font<DynamicFontTableProvider<'static>>,
    /// (left, right) → adjustment in 1/1000 em.
    known: HashMap<(char, char), i16>,
}

fn program(index: usize) -> &'static Program {
    static LOADED: [OnceLock<Program>; PROGRAM_COUNT] = [const { OnceLock::new() }; PROGRAM_COUNT];
    LOADED[index].get_or_init(|| load(PROGRAMS[index].1))
}

fn load(bytes: &'static [u8]) -> Program {
    let mut warnings = Vec::new();
    let Some(parsed) = ParsedFont::from_bytes(bytes, 0, &mut warnings) else {
        // The files are compiled in and tested; an unreadable one draws nothing.
        return Program {
            glyphs: HashMap::new(),
            kerning: None,
        };
    };
    let per_em = u32::from(parsed.units_per_em.max(1));
    let glyphs = parsed
        .codepoint_to_glyph
        .iter()
        .filter_map(|(&cp, &gid)| {
            let c = char::from_u32(cp)?;
            let advance = u32::from(parsed.get_glyph_width(gid).unwrap_or(0));
            let advance = u16::try_from((advance * 1000 + per_em / 2) / per_em).ok()?;
            Some((c, (gid, advance)))
        })
        .collect();
    let kerning = ReadScope::new(bytes)
        .read::<FontData<'static>>()
        .ok()
        .and_then(|data| data.table_provider(0).ok())
        .filter(|provider| provider.has_table(tag::GPOS))
        .and_then(|provider| allsorts::Font::new(provider).ok())
        .map(|font| {
            Mutex::new(Kerning {
                font,
                known: HashMap::new(),
            })
        });
    Program { glyphs, kerning }
}

impl Program {
    fn has(&self, c: char) -> bool {
        self.glyphs.contains_key(&c)
    }

    fn advance(&self, c: char) -> u16 {
        self.glyphs.get(&c).map_or(0, |&(_, advance)| advance)
    }

    /// The kerning between `a` and `b`, in 1/1000 em (negative: closer together).
    fn kern(&self, a: char, b: char) -> i16 {
        let Some(kerning) = &self.kerning else {
            return 0;
        };
        if a.is_whitespace() || b.is_whitespace() {
            return 0;
        }
        let Ok(mut kerning) = kerning.lock() else {
            return 0;
        };
        if let Some(&k) = kerning.known.get(&(a, b)) {
            return k;
        }
        let k = kerning.measure(a, b);
        // Bounded: a hostile text cannot grow the memory without end.
        if kerning.known.len() < 200_000 {
            kerning.known.insert((a, b), k);
        }
        k
    }
}

impl Kerning {
    fn measure(&mut self, a: char, b: char) -> i16 {
        let script = script_of(a).or(script_of(b)).unwrap_or(tag::LATN);
        let mut pair = [0u8; 8];
        let a_len = a.encode_utf8(&mut pair).len();
        let b_len = b.encode_utf8(&mut pair[a_len..]).len();
        let Ok(text) = std::str::from_utf8(&pair[..a_len + b_len]) else {
            return 0;
        };
        let glyphs = self
            .font
            .map_glyphs(text, script, MatchingPresentation::NotRequired);
        if glyphs.len() != 2 {
            return 0;
        }
        let infos =
            match self
                .font
                .shape(glyphs, script, None, FeatureMask::empty(), &[], None, true)
            {
                Ok(infos) | Err((_, infos)) => infos,
            };
        infos.first().map_or(0, |info| info.kerning)
    }
}

/// The OpenType script of a letter, for the kerning lookups.
fn script_of(c: char) -> Option<u32> {
    match c {
        '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => Some(tag::GREK),
        '\u{0400}'..='\u{052F}' => Some(tag::CYRL),
        c if c.is_alphabetic() => Some(tag::LATN),
        _ => None,
    }
}

/// The program that draws `c` in `face`: the face itself, else a fallback font.
fn program_for(face: Face, c: char) -> Option<usize> {
    let own = face.program();
    if program(own).has(c) {
        return Some(own);
    }
    FALLBACKS.into_iter().find(|&p| program(p).has(c))
}

/// Whether some embedded font can draw `c` (the four faces cover the same characters).
pub(crate) fn covered(c: char) -> bool {
    program_for(Face::Regular, c).is_some()
}

/// The width of `text` in `face`, in 1/1000 em: advances plus kerning. Characters no font has
/// (which sanitized text does not contain) count as wide as an "M".
pub(crate) fn text_units(face: Face, text: &str) -> f32 {
    let mut units: i64 = 0;
    let mut prev: Option<(usize, char)> = None;
    for c in text.chars() {
        let Some(p) = program_for(face, c) else {
            units += 900;
            prev = None;
            continue;
        };
        let font = program(p);
        units += i64::from(font.advance(c));
        if let Some((pp, pc)) = prev
            && pp == p
        {
            units += i64::from(font.kern(pc, c));
        }
        prev = Some((p, c));
    }
    units as f32
}

/// The kerning between the last character of one run and the first of the next, when both
/// are drawn by the same font, in 1/1000 em.
pub(crate) fn kern_between(face: Face, a: char, b: char) -> f32 {
    match (program_for(face, a), program_for(face, b)) {
        (Some(pa), Some(pb)) if pa == pb => f32::from(program(pa).kern(a, b)),
        _ => 0.0,
    }
}

/// `text` in `face` as runs to write into the page: each with the font program drawing it and
/// its text items (text, and kerning offsets between the characters that have one).
pub(crate) fn runs(face: Face, text: &str) -> Vec<(usize, Vec<TextItem>)> {
    let mut out: Vec<(usize, Vec<TextItem>)> = Vec::new();
    let mut segment = String::new();
    let mut prev: Option<(usize, char)> = None;
    for c in text.chars() {
        // Sanitized text has only drawable characters; anything else is left out here.
        let Some(p) = program_for(face, c) else {
            continue;
        };
        match prev {
            Some((pp, pc)) if pp == p => {
                let k = program(p).kern(pc, c);
                if k != 0 {
                    let items = &mut out.last_mut().expect("a run is open").1;
                    items.push(TextItem::Text(std::mem::take(&mut segment)));
                    // A positive TJ offset moves the next glyph left.
                    items.push(TextItem::Offset(-f32::from(k)));
                }
            }
            _ => {
                if let Some((_, items)) = out.last_mut()
                    && !segment.is_empty()
                {
                    items.push(TextItem::Text(std::mem::take(&mut segment)));
                }
                out.push((p, Vec::new()));
            }
        }
        segment.push(c);
        prev = Some((p, c));
    }
    if let Some((_, items)) = out.last_mut()
        && !segment.is_empty()
    {
        items.push(TextItem::Text(segment));
    }
    out
}

/// The PDF resource name of a font program.
pub(crate) fn resource_name(index: usize) -> String {
    format!("Noto{index}")
}

/// Font program `index` reduced to the glyphs of `chars`, ready to embed. The subset keeps
/// the program's character map and advances, so text written with [`runs`] maps onto it.
pub(crate) fn subset(index: usize, chars: &BTreeSet<char>) -> Option<ParsedFont> {
    let (name, bytes) = PROGRAMS.get(index)?;
    let font = program(index);
    let mut glyph_ids: Vec<u16> = chars
        .iter()
        .filter_map(|c| font.glyphs.get(c).map(|&(gid, _)| gid))
        .filter(|&gid| gid != 0)
        .collect();
    glyph_ids.sort_unstable();
    glyph_ids.dedup();
    // Glyph 0 (.notdef) must come first.
    glyph_ids.insert(0, 0);
    let data = ReadScope::new(bytes).read::<FontData<'_>>().ok()?;
    let provider = data.table_provider(0).ok()?;
    let subset = allsorts::subset::subset(
        &provider,
        &glyph_ids,
        &SubsetProfile::Minimal,
        CmapTarget::Unicode,
    )
    .ok()?;
    let mut warnings = Vec::new();
    let mut parsed = ParsedFont::from_bytes(&subset, 0, &mut warnings)?;
    parsed.font_name = Some(format!("{}+{name}", subset_tag(index, &glyph_ids)));
    Some(parsed)
}

/// The six capital letters that mark a subset font's name (ISO 32000-1, 9.6.4), derived from
/// the glyphs it holds so that equal subsets get equal names.
fn subset_tag(index: usize, glyph_ids: &[u16]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ index as u64;
    for &gid in glyph_ids {
        for byte in gid.to_le_bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    (0..6)
        .map(|i| char::from(b'A' + ((hash >> (i * 8)) % 26) as u8))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_program_loads() {
        for (i, (name, _)) in PROGRAMS.iter().enumerate() {
            assert!(program(i).glyphs.len() > 100, "{name} has no glyphs");
        }
        // The four faces cover the same characters.
        let regular: BTreeSet<char> = program(0).glyphs.keys().copied().collect();
        for (face, (name, _)) in PROGRAMS.iter().enumerate().take(4).skip(1) {
            let other: BTreeSet<char> = program(face).glyphs.keys().copied().collect();
            assert_eq!(regular, other, "{name}");
        }
    }

    #[test]
    fn widths_are_the_fonts_own() {
        // Noto Sans: space 260, "a" 561, "W" 930; bold "W" 967 (1/1000 em).
        assert_eq!(text_units(Face::Regular, " "), 260.0);
        assert_eq!(text_units(Face::Regular, "a"), 561.0);
        assert_eq!(text_units(Face::Regular, "W"), 930.0);
        assert!(text_units(Face::Bold, "W") > text_units(Face::Regular, "W"));
        // "→" comes from the math font.
        assert!(text_units(Face::Regular, "→") > 0.0);
    }

    #[test]
    fn kerning_tightens_pairs() {
        let apart = text_units(Face::Regular, "A") + text_units(Face::Regular, "V");
        let together = text_units(Face::Regular, "AV");
        assert!(together < apart, "{together} vs {apart}");
        assert_eq!(
            text_units(Face::Regular, "ab"),
            text_units(Face::Regular, "a") + text_units(Face::Regular, "b")
        );
        let runs = runs(Face::Regular, "AVa→b");
        assert_eq!(runs.len(), 3, "{runs:?}");
        assert!(matches!(runs[0].1[1], TextItem::Offset(o) if o > 0.0));
    }

    #[test]
    fn subsets_are_small_and_keep_the_characters() {
        let chars: BTreeSet<char> = "Jürgen Ødegård, Αθήνα, Москва".chars().collect();
        let font = subset(0, &chars).expect("subset");
        assert!(
            font.original_bytes.len() < 20_000,
            "{}",
            font.original_bytes.len()
        );
        for c in chars {
            assert!(
                font.lookup_glyph_index(u32::from(c)).is_some(),
                "{c:?} lost"
            );
        }
        assert!(
            font.font_name
                .as_deref()
                .is_some_and(|n| n.ends_with("+NotoSans-Regular"))
        );
    }
}
