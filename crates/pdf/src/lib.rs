//! Atrium's PDF documents: one record (a case, a contact, …) with its fields, comments and
//! updates ([`render`]), and quotes and invoices ([`render_business_document`]), as clean,
//! paginated A4 pages.
//!
//! # How it is built
//!
//! The document is assembled with [`printpdf`] 0.12 built with `default-features = false`:
//! its default `html` feature pulls in a whole layout engine and fontconfig, which this needs
//! none of. What printpdf offers without it is enough: pages made of low-level operations,
//! external TrueType fonts, images given as pixels or as an already encoded stream, link
//! annotations, and serialization (object table, xref, stream compression, string escaping).
//!
//! The text is set in **Noto Sans** (regular, bold, italic, bold italic), with Noto Sans Math
//! and Noto Sans Symbols 2 for arrows, operators, shapes and check marks that Noto Sans lacks
//! (see `fonts/README.md` for where they come from and how they were subset; all are under
//! the SIL Open Font License, `fonts/OFL.txt`). The fonts are compiled into the binary: no
//! font is read from the system and nothing touches the network. Each document embeds only
//! the glyphs it uses: before saving, every font program drawn with is subset (with allsorts,
//! which printpdf already depends on) to those glyphs, so a one-page document stays small.
//!
//! The layout is this crate's own (module `layout`), because printpdf's text layout lives behind the
//! features we turned off: text is measured with the fonts' real advance widths and pair
//! kerning (the same kerning is written into the page, so what was measured is what is drawn),
//! wrapped by words to the column width (words longer than a line are broken between
//! characters), and laid out top to bottom; whenever the next line would cross the bottom
//! margin a new page starts, so nothing ever runs off a page. Every page gets a footer with
//! "Page N of M".
//!
//! # Text from users
//!
//! All text goes through [`sanitize`] first: it is composed to NFC (so a decomposed "e" +
//! accent prints as "é"), tabs, line breaks and odd spaces become single spaces, control
//! characters and invisible ones (zero-width characters, direction marks, embeddings,
//! overrides and isolates, BOM, soft hyphen, variation selectors) are dropped, and every other
//! character prints as itself if one of the fonts has it — all of Latin (with Vietnamese and
//! the rest of Latin Extended Additional), Greek, Cyrillic, punctuation, currency signs
//! (€ £ ¥ ₽ ₹ …), arrows, mathematical operators — and as "�" (U+FFFD) otherwise (CJK,
//! emoji, …). Parentheses and backslashes stay as they are; escaping them in the content stream
//! is the serializer's job, which the tests check.
//!
//! Comment bodies, fields marked as Markdown and the terms of a quote or invoice are Markdown
//! and are rendered (module `markdown`): paragraphs, bold, italics, inline code on a tinted
//! background, lists (nested, with hanging indents), links (their text, then the address in
//! parentheses, both clickable for web and e-mail addresses), headings, block quotes, code
//! blocks, tables as rows of cells, rules and hard line breaks. Raw HTML in Markdown is
//! printed as the text it is, never interpreted.
//!
//! Logos may be PNG (decoded, transparency kept) or JPEG (embedded as it is); any other
//! format, or a file that does not decode, is left out of the page without an error.

mod business;
mod font;
mod image;
mod layout;
mod markdown;
mod record;
mod stamp;
mod text;

#[cfg(test)]
mod tests;

pub use business::{
    PdfBusinessDocument, PdfColumns, PdfImage, PdfLineItem, PdfParty, render_business_document,
};
pub use record::{PdfComment, PdfField, PdfRecord, PdfRecordWords, PdfUpdate, render};
pub use text::sanitize;
