//! PDF export of one record (a case, a contact, …) as a clean, paginated A4 document.
//!
//! # Why it is built this way
//!
//! The document is assembled with [`printpdf`] 0.12 built with `default-features = false`:
//! its default `html` feature pulls in a whole layout engine and fontconfig, which this needs
//! none of. Without it printpdf still offers everything used here: pages made of low-level
//! operations ([`Op`]), the 14 standard PDF fonts ([`BuiltinFont::Helvetica`] and
//! [`BuiltinFont::HelveticaBold`]), and serialization (object table, xref, stream compression,
//! and string escaping through `lopdf`). No font file is read at run time and nothing touches
//! the network: the standard fonts are referenced by name and drawn by the viewer.
//!
//! The layout is this module's own, because printpdf's text layout lives behind the features
//! we turned off: text is measured with the real advance widths of Helvetica (taken once from
//! the metric-compatible font programs printpdf ships for its builtin fonts, falling back to a
//! conservative estimate), wrapped by words to the column width (words longer than a line are
//! hard-broken), and laid out top to bottom; whenever the next line would cross the bottom
//! margin, a new page starts, so nothing ever runs off a page. Each page gets a small running
//! header (the company) and a footer ("Generated …" and "Page N of M").
//!
//! # Text from users
//!
//! The standard fonts only know the WinAnsi character set (ASCII, Latin-1 and some typographic
//! punctuation such as curly quotes, dashes, "…", "€"). All text goes through [`sanitize`]
//! first: tabs and odd spaces become spaces, control and zero-width characters are dropped,
//! decomposed accents are recomposed where WinAnsi has the letter, other Latin letters lose
//! their accent ("Łódź" → "Lódz", "ő" → "ö"), "→" in user text becomes "->", and anything else
//! the fonts cannot show (CJK, emoji, …) becomes '?'. Parentheses and backslashes stay as they
//! are; escaping them in the content stream is the serializer's job, which the tests check.
//! The arrow of "field: old → new" in the update list is drawn as a small vector shape.
//!
//! Comment bodies may be Markdown source; they are printed as their source text, line breaks
//! kept, not rendered as Markdown.

use std::sync::OnceLock;

use atrium_core::Error;
use printpdf::{
    BuiltinFont, Color, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Rect, Rgb, TextItem, WindingOrder,
};

/// What goes on the page.
#[derive(Debug, Clone, Default)]
pub struct PdfRecord {
    /// Shown small in the header of every page, e.g. "Atrium Demo Ltd".
    pub company: String,
    /// Shown large on the first page, e.g. "Case CS-00042 — Printer on fire".
    pub title: String,
    /// (label, value as display text), in order. Printed as a two-column list.
    pub fields: Vec<(String, String)>,
    pub comments: Vec<PdfComment>,
    pub updates: Vec<PdfUpdate>,
    /// RFC 3339 text, printed in the footer.
    pub generated_at: String,
}

/// One comment: "author — time", then the body (plain text or Markdown source).
#[derive(Debug, Clone, Default)]
pub struct PdfComment {
    pub author: String,
    /// RFC 3339 text (other text is printed as is).
    pub at: String,
    pub body: String,
}

/// One change of one field: time, who, "field: old → new".
#[derive(Debug, Clone, Default)]
pub struct PdfUpdate {
    /// RFC 3339 text (other text is printed as is).
    pub at: String,
    pub who: String,
    pub field: String,
    pub old: String,
    pub new: String,
}

/// Renders `record` as an A4 PDF document.
pub fn render(record: &PdfRecord) -> Result<Vec<u8>, Error> {
    let mut w = Writer::new(record);

    // Title.
    let title = sanitize_line(&record.title);
    let title = if title.trim().is_empty() {
        "Untitled".to_owned()
    } else {
        title
    };
    let lines = wrap(&[Piece::Text(TITLE, &title)], CONTENT_W);
    w.rows(&[Cell::new(0.0, lines)], TITLE_LEADING, 2, None);
    w.gap(10.0);

    if !record.fields.is_empty() {
        w.rule(RULE_STRONG, 0.8);
        for (label, value) in &record.fields {
            w.field_row(label, value);
        }
    }

    if !record.comments.is_empty() {
        w.section(&format!("Comments ({})", record.comments.len()));
        for (i, comment) in record.comments.iter().enumerate() {
            if i > 0 {
                w.gap(10.0);
            }
            w.comment(comment);
        }
    }

    if !record.updates.is_empty() {
        w.section(&format!("Updates ({})", record.updates.len()));
        for update in &record.updates {
            w.update_row(update);
        }
    }

    let pages = w.finish(&record.generated_at);

    // The metadata title is UTF-16, so it keeps any Unicode; only invisible and control
    // characters are dropped and whitespace is collapsed.
    let meta_title = record
        .title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|&c| !c.is_control() && !is_invisible(c))
        .collect::<String>();
    let mut doc = PdfDocument::new(&meta_title);
    doc.metadata.info.producer = "Atrium".to_owned();
    doc.metadata.info.creator = "Atrium".to_owned();
    if let Some(ts) = unix_time(&record.generated_at)
        && let Ok(date) = printpdf::OffsetDateTime::from_unix_timestamp(ts)
    {
        doc.metadata.info.creation_date = date;
        doc.metadata.info.modification_date = date;
        doc.metadata.info.metadata_date = date;
    }
    doc.with_pages(pages);

    let mut warnings = Vec::new();
    let bytes = doc.save(&PdfSaveOptions::default(), &mut warnings);
    if let Some(e) = warnings
        .iter()
        .find(|m| m.severity == printpdf::PdfParseErrorSeverity::Error)
    {
        return Err(Error::Internal(format!(
            "writing the PDF failed: {}",
            e.msg
        )));
    }
    if !bytes.starts_with(b"%PDF-") {
        return Err(Error::Internal(
            "writing the PDF produced no document".into(),
        ));
    }
    Ok(bytes)
}

// ---------------------------------------------------------------------------------------------
// Page geometry (PDF points, origin bottom left) and styles.

const PAGE_W: f32 = 595.276; // 210 mm
const PAGE_H: f32 = 841.89; // 297 mm
const MARGIN_X: f32 = 56.0;
const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
const HEADER_BASELINE: f32 = PAGE_H - 36.0;
const HEADER_RULE: f32 = PAGE_H - 44.0;
const CONTENT_TOP: f32 = PAGE_H - 62.0;
const CONTENT_BOTTOM: f32 = 64.0;
const FOOTER_RULE: f32 = 46.0;
const FOOTER_BASELINE: f32 = 32.0;

/// Label column of the field list.
const LABEL_W: f32 = 136.0;
const GUTTER: f32 = 12.0;
/// Columns of the update list: time, who, change.
const UPD_TIME_W: f32 = 96.0;
const UPD_WHO_W: f32 = 100.0;
/// Indent of a comment body (a thin bar sits in it).
const BODY_INDENT: f32 = 12.0;

const TITLE_LEADING: f32 = 23.0;
const BODY_LEADING: f32 = 13.5;
const SMALL_LEADING: f32 = 12.5;

type Rgb3 = (f32, f32, f32);
const INK: Rgb3 = (0.10, 0.11, 0.13);
const MUTED: Rgb3 = (0.42, 0.44, 0.48);
const ACCENT: Rgb3 = (0.12, 0.27, 0.50);
const RULE_LIGHT: Rgb3 = (0.86, 0.87, 0.89);
const RULE_STRONG: Rgb3 = (0.70, 0.72, 0.76);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Face {
    Regular,
    Bold,
}

impl Face {
    fn builtin(self) -> BuiltinFont {
        match self {
            Face::Regular => BuiltinFont::Helvetica,
            Face::Bold => BuiltinFont::HelveticaBold,
        }
    }

    fn index(self) -> usize {
        match self {
            Face::Regular => 0,
            Face::Bold => 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Style {
    face: Face,
    size: f32,
    color: Rgb3,
}

const fn style(face: Face, size: f32, color: Rgb3) -> Style {
    Style { face, size, color }
}

const HEADER: Style = style(Face::Regular, 8.5, MUTED);
const FOOTER: Style = style(Face::Regular, 8.0, MUTED);
const TITLE: Style = style(Face::Bold, 18.0, INK);
const SECTION: Style = style(Face::Bold, 12.5, ACCENT);
const LABEL: Style = style(Face::Bold, 9.0, MUTED);
const VALUE: Style = style(Face::Regular, 10.0, INK);
const VALUE_EMPTY: Style = style(Face::Regular, 10.0, MUTED);
const AUTHOR: Style = style(Face::Bold, 10.0, INK);
const META: Style = style(Face::Regular, 9.0, MUTED);
const UPD_TIME: Style = style(Face::Regular, 8.5, MUTED);
const UPD_WHO: Style = style(Face::Bold, 9.0, INK);
const UPD_FIELD: Style = style(Face::Bold, 9.5, INK);
const UPD_VALUE: Style = style(Face::Regular, 9.5, INK);
const UPD_EMPTY: Style = style(Face::Regular, 9.5, MUTED);

// ---------------------------------------------------------------------------------------------
// Page writer: a cursor moving down the page, starting a new page when the next line would
// not fit above the bottom margin.

/// Lines of one column of a row, drawn `x` points right of the left margin.
struct Cell {
    x: f32,
    lines: Vec<Line>,
}

impl Cell {
    fn new(x: f32, lines: Vec<Line>) -> Self {
        Cell { x, lines }
    }
}

struct Writer {
    done: Vec<Vec<Op>>,
    ops: Vec<Op>,
    /// Top of the next line, in points from the bottom of the page.
    y: f32,
    company: String,
    title: String,
}

impl Writer {
    fn new(record: &PdfRecord) -> Self {
        let mut w = Writer {
            done: Vec::new(),
            ops: Vec::new(),
            y: CONTENT_TOP,
            company: sanitize_line(&record.company),
            title: sanitize_line(&record.title),
        };
        w.start_page();
        w
    }

    fn start_page(&mut self) {
        self.y = CONTENT_TOP;
        let half = CONTENT_W / 2.0 - GUTTER;
        let company = truncate(&self.company, HEADER, half);
        self.text(MARGIN_X, HEADER_BASELINE, HEADER, &company);
        if !self.done.is_empty() {
            // Continuation pages repeat the title, small, on the right.
            let title = truncate(&self.title, HEADER, half);
            let x = PAGE_W - MARGIN_X - text_width(HEADER, &title);
            self.text(x, HEADER_BASELINE, HEADER, &title);
        }
        self.rect(MARGIN_X, HEADER_RULE, CONTENT_W, 0.5, RULE_LIGHT);
    }

    fn new_page(&mut self) {
        let ops = std::mem::take(&mut self.ops);
        self.done.push(ops);
        self.start_page();
    }

    fn at_page_top(&self) -> bool {
        self.y >= CONTENT_TOP - 0.01
    }

    /// Starts a new page unless `height` more points fit on this one.
    fn ensure(&mut self, height: f32) {
        if self.y - height < CONTENT_BOTTOM && !self.at_page_top() {
            self.new_page();
        }
    }

    /// Vertical space; swallowed at the top of a page.
    fn gap(&mut self, height: f32) {
        if !self.at_page_top() {
            self.y -= height;
        }
    }

    /// A horizontal rule across the content width at the cursor.
    fn rule(&mut self, color: Rgb3, thickness: f32) {
        self.ensure(thickness);
        self.rect(MARGIN_X, self.y - thickness, CONTENT_W, thickness, color);
        self.y -= thickness;
    }

    /// Section heading with a rule under it, kept together with the start of what follows.
    fn section(&mut self, heading: &str) {
        self.gap(22.0);
        self.ensure(20.0 + 6.0 + 3.0 * BODY_LEADING);
        let lines = wrap(&[Piece::Text(SECTION, heading)], CONTENT_W);
        self.rows(&[Cell::new(0.0, lines)], 18.0, 1, None);
        self.y -= 2.0;
        self.rect(MARGIN_X, self.y - 0.8, CONTENT_W, 0.8, RULE_STRONG);
        self.y -= 0.8 + 6.0;
    }

    /// Draws cells side by side, line by line, breaking the page between lines as needed.
    /// The first `keep` lines are kept together on one page. `bar` draws a thin vertical bar
    /// of that colour left of the first cell, along its lines.
    fn rows(&mut self, cells: &[Cell], leading: f32, keep: usize, bar: Option<Rgb3>) {
        let n = cells.iter().map(|c| c.lines.len()).max().unwrap_or(0);
        if n == 0 {
            return;
        }
        self.ensure(leading * n.min(keep) as f32);
        for i in 0..n {
            if self.y - leading < CONTENT_BOTTOM && !self.at_page_top() {
                self.new_page();
            }
            // One baseline across the cells, the cap height (about 0.72 em) of the largest
            // text centred in the line box.
            let size = cells
                .iter()
                .filter_map(|c| c.lines.get(i))
                .map(Line::size)
                .fold(0.0_f32, f32::max);
            let baseline = self.y - leading / 2.0 - 0.36 * size;
            for (j, cell) in cells.iter().enumerate() {
                if let Some(line) = cell.lines.get(i) {
                    if j == 0
                        && let Some(color) = bar
                    {
                        let x = MARGIN_X + cell.x - BODY_INDENT + 2.0;
                        self.rect(x, self.y - leading, 1.5, leading, color);
                    }
                    self.line(MARGIN_X + cell.x, baseline, line);
                }
            }
            self.y -= leading;
        }
    }

    fn field_row(&mut self, label: &str, value: &str) {
        let label = sanitize_line(label);
        let labels = wrap(&[Piece::Text(LABEL, &label)], LABEL_W - GUTTER);
        let value_w = CONTENT_W - LABEL_W;
        let values = if value.trim().is_empty() {
            wrap(&[Piece::Text(VALUE_EMPTY, "\u{2014}")], value_w)
        } else {
            paragraphs(value, VALUE, value_w)
        };
        let pad = 5.0;
        self.ensure(2.0 * pad + BODY_LEADING * labels.len().max(values.len()).min(3) as f32);
        self.gap(pad);
        self.rows(
            &[Cell::new(0.0, labels), Cell::new(LABEL_W, values)],
            BODY_LEADING,
            3,
            None,
        );
        self.y -= pad;
        self.rule(RULE_LIGHT, 0.5);
    }

    fn comment(&mut self, comment: &PdfComment) {
        let author = sanitize_line(&comment.author);
        let author = if author.trim().is_empty() {
            "Unknown".to_owned()
        } else {
            author
        };
        let at = format!(" \u{2014} {}", pretty_time(&comment.at));
        let head = wrap(
            &[Piece::Text(AUTHOR, &author), Piece::Text(META, &at)],
            CONTENT_W,
        );
        let body_w = CONTENT_W - BODY_INDENT;
        let body = paragraphs(&comment.body, VALUE, body_w);
        // Keep the heading with the first lines of the body.
        self.ensure(BODY_LEADING * (head.len() + body.len().min(2)) as f32 + 3.0);
        self.rows(&[Cell::new(0.0, head)], BODY_LEADING, 1, None);
        self.y -= 3.0;
        self.rows(
            &[Cell::new(BODY_INDENT, body)],
            BODY_LEADING,
            2,
            Some(RULE_LIGHT),
        );
    }

    fn update_row(&mut self, update: &PdfUpdate) {
        let at = pretty_time(&update.at);
        let who = sanitize_line(&update.who);
        let field = format!("{}:", sanitize_line(&update.field));
        let old = sanitize_line(&update.old);
        let new = sanitize_line(&update.new);
        let value = |v: &str| -> (Style, String) {
            if v.trim().is_empty() {
                (UPD_EMPTY, " (empty)".to_owned())
            } else {
                (UPD_VALUE, format!(" {v}"))
            }
        };
        let (old_style, old) = value(&old);
        let (new_style, new) = value(&new);
        let change_x = UPD_TIME_W + UPD_WHO_W;
        let change = wrap(
            &[
                Piece::Text(UPD_FIELD, &field),
                Piece::Text(old_style, &old),
                Piece::Text(UPD_VALUE, " "),
                Piece::Arrow(style(Face::Regular, UPD_VALUE.size, MUTED)),
                Piece::Text(new_style, &new),
            ],
            CONTENT_W - change_x,
        );
        let cells = [
            Cell::new(0.0, wrap(&[Piece::Text(UPD_TIME, &at)], UPD_TIME_W - 8.0)),
            Cell::new(
                UPD_TIME_W,
                wrap(&[Piece::Text(UPD_WHO, &who)], UPD_WHO_W - 8.0),
            ),
            Cell::new(change_x, change),
        ];
        let pad = 3.5;
        let n = cells.iter().map(|c| c.lines.len()).max().unwrap_or(1);
        self.ensure(2.0 * pad + SMALL_LEADING * n.min(3) as f32);
        self.gap(pad);
        self.rows(&cells, SMALL_LEADING, 3, None);
        self.y -= pad;
        self.rule(RULE_LIGHT, 0.5);
    }

    /// Draws one wrapped line at `baseline`, `x` points from the left edge of the page.
    fn line(&mut self, x: f32, baseline: f32, line: &Line) {
        for placed in &line.items {
            match &placed.frag {
                Frag::Text(st, text) => self.text(x + placed.x, baseline, *st, text),
                Frag::Arrow(st) => self.arrow(x + placed.x, baseline, *st),
            }
        }
    }

    fn text(&mut self, x: f32, baseline: f32, st: Style, text: &str) {
        if text.is_empty() {
            return;
        }
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::Builtin(st.face.builtin()),
                size: Pt(st.size),
            },
            Op::SetFillColor { col: rgb(st.color) },
            Op::SetTextCursor {
                pos: Point {
                    x: Pt(x),
                    y: Pt(baseline),
                },
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
            Op::EndTextSection,
        ]);
    }

    /// A right arrow ("→" is not in the standard fonts' character set), drawn as a shaft and
    /// a triangular head, [`ARROW_EM`] wide.
    fn arrow(&mut self, x: f32, baseline: f32, st: Style) {
        let s = st.size;
        let mid = baseline + 0.30 * s;
        let (x0, x1, head) = (x + 0.10 * s, x + 0.80 * s, 0.28 * s);
        let t = 0.07 * s;
        self.rect(x0, mid - t / 2.0, x1 - head - x0 + 0.5, t, st.color);
        let pts = [
            (x1 - head, mid + 0.17 * s),
            (x1, mid),
            (x1 - head, mid - 0.17 * s),
        ];
        let polygon = Polygon {
            rings: vec![PolygonRing {
                points: pts
                    .iter()
                    .map(|&(px, py)| LinePoint {
                        p: Point {
                            x: Pt(px),
                            y: Pt(py),
                        },
                        bezier: false,
                    })
                    .collect(),
            }],
            mode: PaintMode::Fill,
            winding_order: WindingOrder::NonZero,
        };
        self.ops.push(Op::SetFillColor { col: rgb(st.color) });
        self.ops.push(Op::DrawPolygon { polygon });
    }

    fn rect(&mut self, x: f32, y: f32, width: f32, height: f32, color: Rgb3) {
        self.ops.push(Op::SetFillColor { col: rgb(color) });
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(x),
                y: Pt(y),
                width: Pt(width),
                height: Pt(height),
                mode: Some(PaintMode::Fill),
                winding_order: Some(WindingOrder::NonZero),
            },
        });
    }

    /// Closes the last page and adds the footers, which need the page count.
    fn finish(mut self, generated_at: &str) -> Vec<PdfPage> {
        let ops = std::mem::take(&mut self.ops);
        self.done.push(ops);
        let total = self.done.len();
        let generated = if generated_at.trim().is_empty() {
            String::new()
        } else {
            format!("Generated {}", pretty_time(generated_at))
        };
        let generated = truncate(&generated, FOOTER, CONTENT_W * 0.7);
        let pages = std::mem::take(&mut self.done);
        pages
            .into_iter()
            .enumerate()
            .map(|(i, ops)| {
                self.ops = ops;
                self.rect(MARGIN_X, FOOTER_RULE, CONTENT_W, 0.5, RULE_LIGHT);
                self.text(MARGIN_X, FOOTER_BASELINE, FOOTER, &generated);
                let label = format!("Page {} of {}", i + 1, total);
                let x = PAGE_W - MARGIN_X - text_width(FOOTER, &label);
                self.text(x, FOOTER_BASELINE, FOOTER, &label);
                let ops = std::mem::take(&mut self.ops);
                PdfPage::new(Mm(210.0), Mm(297.0), ops)
            })
            .collect()
    }
}

fn rgb((r, g, b): Rgb3) -> Color {
    Color::Rgb(Rgb {
        r,
        g,
        b,
        icc_profile: None,
    })
}

// ---------------------------------------------------------------------------------------------
// Line breaking.

/// Width of the drawn arrow, in em.
const ARROW_EM: f32 = 0.9;

/// Input to [`wrap`]: runs of (already sanitized) text in one style, or an arrow.
#[derive(Debug, Clone, Copy)]
enum Piece<'a> {
    Text(Style, &'a str),
    Arrow(Style),
}

#[derive(Debug, Clone, PartialEq)]
enum Frag {
    Text(Style, String),
    Arrow(Style),
}

impl Frag {
    fn style(&self) -> Style {
        match self {
            Frag::Text(st, _) | Frag::Arrow(st) => *st,
        }
    }

    fn width(&self) -> f32 {
        match self {
            Frag::Text(st, text) => text_width(*st, text),
            Frag::Arrow(st) => ARROW_EM * st.size,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Placed {
    /// Offset from the start of the line.
    x: f32,
    frag: Frag,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Line {
    items: Vec<Placed>,
    width: f32,
}

impl Line {
    fn push(&mut self, frag: Frag) {
        let w = frag.width();
        // Merge with the previous fragment when it is text in the same style.
        if let Some(Placed {
            frag: Frag::Text(st, text),
            ..
        }) = self.items.last_mut()
            && let Frag::Text(new_st, new_text) = &frag
            && st == new_st
        {
            text.push_str(new_text);
        } else {
            self.items.push(Placed {
                x: self.width,
                frag,
            });
        }
        self.width += w;
    }

    /// The largest font size on the line.
    fn size(&self) -> f32 {
        self.items
            .iter()
            .map(|p| p.frag.style().size)
            .fold(0.0_f32, f32::max)
    }

    /// The line as plain text (the arrow as "->"), for tests.
    #[cfg(test)]
    fn text(&self) -> String {
        self.items
            .iter()
            .map(|p| match &p.frag {
                Frag::Text(_, t) => t.as_str(),
                Frag::Arrow(_) => "->",
            })
            .collect()
    }
}

/// A run of fragments without a break opportunity, and the style of the space before it.
#[derive(Debug, Default)]
struct Word {
    space_before: Option<Style>,
    frags: Vec<Frag>,
    width: f32,
}

fn words(pieces: &[Piece<'_>]) -> Vec<Word> {
    let mut out = Vec::new();
    let mut cur = Word::default();
    let mut space: Option<Style> = None;
    let add = |cur: &mut Word, space: &mut Option<Style>, frag: Frag| {
        if cur.frags.is_empty() {
            cur.space_before = space.take();
        }
        cur.width += frag.width();
        cur.frags.push(frag);
    };
    for piece in pieces {
        match *piece {
            Piece::Text(st, text) => {
                for (i, part) in text.split(' ').enumerate() {
                    if i > 0 {
                        // A space: the current word ends here.
                        if !cur.frags.is_empty() {
                            out.push(std::mem::take(&mut cur));
                        }
                        // Runs of spaces collapse into one.
                        space = space.or(Some(st));
                    }
                    if !part.is_empty() {
                        add(&mut cur, &mut space, Frag::Text(st, part.to_owned()));
                    }
                }
            }
            Piece::Arrow(st) => add(&mut cur, &mut space, Frag::Arrow(st)),
        }
    }
    if !cur.frags.is_empty() {
        out.push(cur);
    }
    out
}

/// Breaks one paragraph into lines at most `max_w` wide. Always at least one (maybe empty) line.
fn wrap(pieces: &[Piece<'_>], max_w: f32) -> Vec<Line> {
    const EPS: f32 = 0.01;
    let mut lines = Vec::new();
    let mut line = Line::default();
    for word in words(pieces) {
        let space = word.space_before.filter(|_| !line.items.is_empty());
        let gap = space.map_or(0.0, |st| text_width(st, " "));
        if line.width + gap + word.width <= max_w + EPS {
            if let Some(st) = space {
                // A real space, so that copied or extracted text reads naturally.
                line.push(Frag::Text(st, " ".to_owned()));
            }
            word.frags.into_iter().for_each(|f| line.push(f));
            continue;
        }
        if !line.items.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if word.width <= max_w + EPS {
            word.frags.into_iter().for_each(|f| line.push(f));
            continue;
        }
        // Longer than a whole line: break it between characters.
        for frag in word.frags {
            let parts: Vec<Frag> = match frag {
                Frag::Text(st, text) => text
                    .chars()
                    .map(|c| Frag::Text(st, c.to_string()))
                    .collect(),
                arrow => vec![arrow],
            };
            for part in parts {
                if line.width + part.width() > max_w + EPS && !line.items.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                line.push(part);
            }
        }
    }
    lines.push(line);
    lines
}

/// Multi-line user text: each line of the source is a paragraph; runs of blank lines become
/// one empty line, and leading and trailing blank lines are dropped.
fn paragraphs(text: &str, st: Style, max_w: f32) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut blank = false;
    for raw in text.split(['\n', '\u{2028}', '\u{2029}']) {
        let para = sanitize_line(raw);
        if para.trim().is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push(Line::default());
            blank = false;
        }
        out.extend(wrap(&[Piece::Text(st, &para)], max_w));
    }
    if out.is_empty() {
        out.push(Line::default());
    }
    out
}

/// `text` shortened with "…" to fit in `max_w`.
fn truncate(text: &str, st: Style, max_w: f32) -> String {
    if text_width(st, text) <= max_w {
        return text.to_owned();
    }
    let budget = max_w - text_width(st, "\u{2026}");
    let mut out = String::new();
    let mut width = 0.0;
    for c in text.chars() {
        width += char_width(st, c);
        if width > budget {
            break;
        }
        out.push(c);
    }
    format!("{}\u{2026}", out.trim_end())
}

// ---------------------------------------------------------------------------------------------
// Font metrics.

/// Advance widths in 1/1000 em, per font face and WinAnsi byte.
struct Metrics {
    widths: [[u16; 256]; 2],
}

/// Used for any glyph whose width is unknown: as wide as the widest common Helvetica letters
/// ("M", "W" are 833 and 944), so an estimate errs towards shorter lines.
const FALLBACK_WIDTH: u16 = 667;

fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let mut widths = [[FALLBACK_WIDTH; 256]; 2];
        for face in [Face::Regular, Face::Bold] {
            let Some(font) = face.builtin().get_parsed_font() else {
                continue;
            };
            let per_em = u32::from(font.units_per_em.max(1));
            for byte in 0..=255u8 {
                let width = win_ansi_char(byte)
                    .and_then(|c| font.lookup_glyph_index(u32::from(c)))
                    .and_then(|gid| font.get_glyph_width(gid));
                if let Some(width) = width {
                    let scaled = (u32::from(width) * 1000 + per_em / 2) / per_em;
                    widths[face.index()][usize::from(byte)] =
                        u16::try_from(scaled).unwrap_or(FALLBACK_WIDTH);
                }
            }
        }
        // printpdf's font programs have no space glyphs; both faces' spaces are 278 wide.
        for table in &mut widths {
            table[0x20] = 278;
            table[0xA0] = 278;
        }
        Metrics { widths }
    })
}

/// Width in 1/1000 em of a sanitized character.
fn char_units(face: Face, c: char) -> u32 {
    let table = &metrics().widths[face.index()];
    win_ansi_byte(c).map_or(u32::from(FALLBACK_WIDTH), |b| {
        u32::from(table[usize::from(b)])
    })
}

/// Width in points of a sanitized character in `st`.
fn char_width(st: Style, c: char) -> f32 {
    char_units(st.face, c) as f32 * st.size / 1000.0
}

/// Width in points of sanitized `text` in `st`.
fn text_width(st: Style, text: &str) -> f32 {
    let units: u32 = text.chars().map(|c| char_units(st.face, c)).sum();
    units as f32 * st.size / 1000.0
}

// ---------------------------------------------------------------------------------------------
// Character set.

/// The bytes 0x80–0x9F of WinAnsiEncoding (PDF 32000-1, Annex D.2), where it differs from
/// Latin-1.
const WIN_ANSI_HIGH: [(u8, char); 27] = [
    (0x80, '\u{20AC}'),
    (0x82, '\u{201A}'),
    (0x83, '\u{0192}'),
    (0x84, '\u{201E}'),
    (0x85, '\u{2026}'),
    (0x86, '\u{2020}'),
    (0x87, '\u{2021}'),
    (0x88, '\u{02C6}'),
    (0x89, '\u{2030}'),
    (0x8A, '\u{0160}'),
    (0x8B, '\u{2039}'),
    (0x8C, '\u{0152}'),
    (0x8E, '\u{017D}'),
    (0x91, '\u{2018}'),
    (0x92, '\u{2019}'),
    (0x93, '\u{201C}'),
    (0x94, '\u{201D}'),
    (0x95, '\u{2022}'),
    (0x96, '\u{2013}'),
    (0x97, '\u{2014}'),
    (0x98, '\u{02DC}'),
    (0x99, '\u{2122}'),
    (0x9A, '\u{0161}'),
    (0x9B, '\u{203A}'),
    (0x9C, '\u{0153}'),
    (0x9E, '\u{017E}'),
    (0x9F, '\u{0178}'),
];

/// The WinAnsi byte of a printable character, if the standard fonts can show it.
fn win_ansi_byte(c: char) -> Option<u8> {
    match u32::from(c) {
        cp @ (0x20..=0x7E | 0xA0..=0xFF) => u8::try_from(cp).ok(),
        _ => WIN_ANSI_HIGH
            .iter()
            .find(|(_, ch)| *ch == c)
            .map(|(b, _)| *b),
    }
}

fn win_ansi_char(byte: u8) -> Option<char> {
    match byte {
        0x20..=0x7E | 0xA0..=0xFF => Some(char::from(byte)),
        _ => WIN_ANSI_HIGH
            .iter()
            .find(|(b, _)| *b == byte)
            .map(|(_, c)| *c),
    }
}

/// Base letters of U+0100–U+017F (Latin Extended-A), for letters WinAnsi lacks.
const LATIN_EXT_A_BASE: &str = "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkkLlLlLlLlLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

/// A Latin letter with an accent WinAnsi lacks, as the closest letter it has.
fn latin_fallback(c: char) -> Option<char> {
    Some(match c {
        '\u{0150}' => 'Ö',
        '\u{0151}' => 'ö',
        '\u{0170}' => 'Ü',
        '\u{0171}' => 'ü',
        '\u{0100}'..='\u{017F}' => {
            let i = usize::try_from(u32::from(c) - 0x100).ok()?;
            LATIN_EXT_A_BASE.chars().nth(i)?
        }
        '\u{0218}' => 'S',
        '\u{0219}' => 's',
        '\u{021A}' => 'T',
        '\u{021B}' => 't',
        _ => return None,
    })
}

/// `base` with the combining `mark`, when WinAnsi has that letter.
fn compose(base: char, mark: char) -> Option<char> {
    let (bases, composed) = match mark {
        '\u{0300}' => ("AEIOUaeiou", "ÀÈÌÒÙàèìòù"),
        '\u{0301}' => ("AEIOUYaeiouy", "ÁÉÍÓÚÝáéíóúý"),
        '\u{0302}' => ("AEIOUaeiou", "ÂÊÎÔÛâêîôû"),
        '\u{0303}' => ("ANOano", "ÃÑÕãñõ"),
        '\u{0308}' => ("AEIOUYaeiouy", "ÄËÏÖÜŸäëïöüÿ"),
        '\u{030A}' => ("Aa", "Åå"),
        '\u{030C}' => ("SsZz", "ŠšŽž"),
        '\u{0327}' => ("Cc", "Çç"),
        _ => return None,
    };
    let i = bases.chars().position(|b| b == base)?;
    composed.chars().nth(i)
}

/// Zero-width characters, direction marks and overrides, BOM, soft hyphen.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{00AD}'
    )
}

/// One line of user text reduced to what the standard fonts can show (see the module docs).
/// Line breaks become spaces, and runs of spaces collapse into one.
fn sanitize_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            ' '
            | '\t'
            | '\n'
            | '\r'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{2000}'..='\u{200A}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}' => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c if is_invisible(c) => {}
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2212}' => out.push('-'),
            '\u{2015}' => out.push('\u{2014}'),
            '\u{2032}' => out.push('\''),
            '\u{2033}' => out.push('"'),
            '\u{2192}' | '\u{21D2}' | '\u{2794}' | '\u{27F6}' => out.push_str("->"),
            '\u{2190}' | '\u{21D0}' | '\u{27F5}' => out.push_str("<-"),
            '\u{2264}' => out.push_str("<="),
            '\u{2265}' => out.push_str(">="),
            '\u{2260}' => out.push_str("!="),
            '\u{0300}'..='\u{036F}' => {
                // A combining accent: merge it into the letter before, or drop it.
                if let Some(prev) = out.pop() {
                    out.push(compose(prev, c).unwrap_or(prev));
                }
            }
            c if c.is_control() => {}
            c if win_ansi_byte(c).is_some() => out.push(c),
            c => out.push(latin_fallback(c).unwrap_or('?')),
        }
    }
    out
}

/// Public for callers that want to know what a string will look like in the PDF.
pub fn sanitize(text: &str) -> String {
    text.split(['\n', '\u{2028}', '\u{2029}'])
        .map(sanitize_line)
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------------------------
// Time stamps.

fn parse_time(text: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339).ok()
}

fn unix_time(text: &str) -> Option<i64> {
    parse_time(text).map(|t| t.unix_timestamp())
}

/// "2025-03-04T09:05:00Z" → "2025-03-04 09:05 UTC"; text that is not RFC 3339 as it is.
fn pretty_time(text: &str) -> String {
    let Some(t) = parse_time(text) else {
        return sanitize_line(text);
    };
    let date = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    );
    let off = t.offset();
    if off.is_utc() {
        format!("{date} UTC")
    } else {
        let sign = if off.is_negative() { '-' } else { '+' };
        format!(
            "{date} {sign}{:02}:{:02}",
            off.whole_hours().unsigned_abs(),
            off.minutes_past_hour().unsigned_abs()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PdfRecord {
        PdfRecord {
            company: "Atrium Demo Ltd".into(),
            title: "Case CS-00042 \u{2014} Printer on fire".into(),
            fields: vec![
                ("Status".into(), "Open".into()),
                ("Priority".into(), "High".into()),
                ("Customer".into(), "Zoë Müller (Zürich) \\ “VIP”".into()),
                ("Assignee".into(), "Łukasz Żółć".into()),
                ("Empty".into(), "".into()),
                (
                    "Description".into(),
                    "The printer on the third floor started smoking during a 400-page print job. \
                     Facilities were called; nobody was hurt. The paper tray is melted and the \
                     fuser unit needs replacing. A replacement was requested from the vendor."
                        .into(),
                ),
                (
                    "Reference".into(),
                    "https://example.com/tickets/very/long/path/with-no-spaces-at-all/0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz".into(),
                ),
            ],
            comments: vec![
                PdfComment {
                    author: "Zoë Müller".into(),
                    at: "2025-03-04T09:05:00Z".into(),
                    body: "It's on fire again (the printer, not the office).\n\nSteps:\n- pulled the plug\n- called facilities \\o/".into(),
                },
                PdfComment {
                    author: "Olivier Dupré".into(),
                    at: "2025-03-04T10:30:00+01:00".into(),
                    body: "Confirmed. Vendor says 3–5 days. 日本語 and emoji 🔥 aren't supported by the fonts.".into(),
                },
            ],
            updates: vec![
                PdfUpdate {
                    at: "2025-03-04T09:06:00Z".into(),
                    who: "Zoë Müller".into(),
                    field: "Status".into(),
                    old: "New".into(),
                    new: "Open".into(),
                },
                PdfUpdate {
                    at: "2025-03-04T09:07:00Z".into(),
                    who: "System".into(),
                    field: "Priority".into(),
                    old: "".into(),
                    new: "High".into(),
                },
            ],
            generated_at: "2025-03-05T12:00:00Z".into(),
        }
    }

    fn parse(bytes: &[u8]) -> PdfDocument {
        let opts = printpdf::PdfParseOptions {
            fail_on_error: true,
        };
        let mut warnings = Vec::new();
        match PdfDocument::parse(bytes, &opts, &mut warnings) {
            Ok(doc) => doc,
            Err(e) => panic!("generated PDF does not parse: {e}"),
        }
    }

    /// `/Type /Page` objects (not `/Pages`), however the serializer spaces them.
    fn count_page_objects(bytes: &[u8]) -> usize {
        let text = String::from_utf8_lossy(bytes);
        let mut n = 0;
        for (i, _) in text.match_indices("/Type") {
            let rest = text[i + 5..].trim_start();
            if let Some(after) = rest.strip_prefix("/Page")
                && !after.starts_with('s')
            {
                n += 1;
            }
        }
        n
    }

    fn assert_well_formed(bytes: &[u8]) {
        assert!(bytes.starts_with(b"%PDF-"), "no PDF header");
        let text = String::from_utf8_lossy(bytes);
        assert!(text.trim_end().ends_with("%%EOF"), "no %%EOF trailer");
    }

    #[test]
    fn renders_a_complete_document() {
        let bytes = render(&sample()).expect("render");
        assert_well_formed(&bytes);
        let doc = parse(&bytes);
        assert_eq!(doc.pages.len(), 1);
        assert_eq!(count_page_objects(&bytes), 1);
    }

    #[test]
    fn many_comments_paginate() {
        let mut record = sample();
        record.comments = (0..200)
            .map(|i| PdfComment {
                author: format!("Author {i}"),
                at: "2025-03-04T09:05:00Z".into(),
                body: format!("Comment number {i}. ").repeat(1 + i % 7),
            })
            .collect();
        let bytes = render(&record).expect("render");
        assert_well_formed(&bytes);
        let pages = count_page_objects(&bytes);
        assert!(pages > 1, "expected several pages, got {pages}");
        assert_eq!(parse(&bytes).pages.len(), pages);
    }

    #[test]
    fn hostile_text_does_not_break_the_structure() {
        let nasty = "a (b) c) ((d \\ e\\) f\\\\ %g <h> [i] {j} / \0 \u{7} \r\n end \u{FEFF}\
                     Zoë Müller “quoted” ‘single’ — – … € 日本語 🔥 \u{202E}rtl e\u{301}";
        let record = PdfRecord {
            company: nasty.into(),
            title: nasty.into(),
            fields: vec![(nasty.into(), nasty.into())],
            comments: vec![PdfComment {
                author: nasty.into(),
                at: nasty.into(),
                body: nasty.repeat(20),
            }],
            updates: vec![PdfUpdate {
                at: nasty.into(),
                who: nasty.into(),
                field: nasty.into(),
                old: nasty.into(),
                new: nasty.into(),
            }],
            generated_at: nasty.into(),
        };
        let bytes = render(&record).expect("render");
        assert_well_formed(&bytes);
        let doc = parse(&bytes);
        assert!(!doc.pages.is_empty());
        assert_eq!(count_page_objects(&bytes), doc.pages.len());
    }

    #[test]
    fn empty_record_renders() {
        let bytes = render(&PdfRecord::default()).expect("render");
        assert_well_formed(&bytes);
        assert_eq!(parse(&bytes).pages.len(), 1);
    }

    #[test]
    fn huge_value_spans_pages() {
        let mut record = sample();
        record.fields = vec![("Log".into(), "line of log output\n".repeat(400))];
        let bytes = render(&record).expect("render");
        assert!(count_page_objects(&bytes) > 1);
    }

    #[test]
    fn sanitize_keeps_latin_and_replaces_the_rest() {
        assert_eq!(sanitize_line("Zoë Müller"), "Zoë Müller");
        assert_eq!(sanitize_line("(a) \\ b"), "(a) \\ b");
        assert_eq!(sanitize_line("“x” – y … €"), "“x” – y … €");
        assert_eq!(sanitize_line("Łódź, Dvořák, Ő"), "Lódz, Dvorák, Ö");
        assert_eq!(sanitize_line("e\u{301}te\u{301}"), "été");
        assert_eq!(sanitize_line("a\tb\u{200B}c\u{7}d"), "a bcd");
        assert_eq!(sanitize_line("a \t\r\n  b"), "a b");
        assert_eq!(sanitize_line("日本 🔥"), "?? ?");
        assert_eq!(sanitize_line("old → new"), "old -> new");
        assert_eq!(sanitize("a\nb"), "a\nb");
        for c in sanitize_line("any ☃ ∑ text ŉ ſ").chars() {
            assert!(win_ansi_byte(c).is_some(), "{c:?} left in");
        }
    }

    #[test]
    fn latin_ext_a_table_is_complete() {
        assert_eq!(LATIN_EXT_A_BASE.chars().count(), 128);
        assert_eq!(latin_fallback('Ł'), Some('L'));
        assert_eq!(latin_fallback('ž'), Some('z'));
        assert_eq!(latin_fallback('ſ'), Some('s'));
        assert_eq!(latin_fallback('ř'), Some('r'));
    }

    #[test]
    fn metrics_are_helvetica() {
        // Widths from Adobe's Helvetica / Helvetica-Bold AFM files.
        let w = |face, c: char| {
            let b = win_ansi_byte(c).expect("WinAnsi");
            metrics().widths[Face::index(face)][usize::from(b)]
        };
        assert_eq!(w(Face::Regular, ' '), 278);
        assert_eq!(w(Face::Regular, 'a'), 556);
        assert_eq!(w(Face::Regular, 'i'), 222);
        assert_eq!(w(Face::Regular, 'W'), 944);
        assert_eq!(w(Face::Regular, 'ü'), 556);
        assert_eq!(w(Face::Bold, 'i'), 278);
        assert_eq!(w(Face::Bold, 'm'), 889);
        assert_eq!(w(Face::Bold, 'W'), 944);
        // Every character the fonts can show has a measured width (no fallback guesses).
        for face in [Face::Regular, Face::Bold] {
            let font = face
                .builtin()
                .get_parsed_font()
                .expect("builtin font parses");
            let missing: String = (0..=255u8)
                .filter_map(win_ansi_char)
                .filter(|&c| !matches!(c, ' ' | '\u{A0}' | '\u{AD}'))
                .filter(|&c| font.lookup_glyph_index(u32::from(c)).is_none())
                .collect();
            assert_eq!(missing, "", "{face:?} lacks widths");
        }
    }

    #[test]
    fn wrap_respects_width_and_breaks_long_words() {
        let text = "short words then averyveryveryveryveryveryveryveryveryverylongword end";
        let lines = wrap(&[Piece::Text(VALUE, text)], 100.0);
        assert!(lines.len() > 2);
        for line in &lines {
            assert!(line.width <= 100.01, "line too wide: {}", line.width);
        }
        let joined: String = lines.iter().map(Line::text).collect::<Vec<_>>().join("");
        assert_eq!(joined.replace(' ', ""), text.replace(' ', ""));
        assert_eq!(lines[0].text(), "short words then");
    }

    #[test]
    fn wrap_keeps_styles_and_arrow() {
        let lines = wrap(
            &[
                Piece::Text(UPD_FIELD, "Status:"),
                Piece::Text(UPD_VALUE, " New "),
                Piece::Arrow(UPD_VALUE),
                Piece::Text(UPD_VALUE, " Open"),
            ],
            1000.0,
        );
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text(), "Status: New -> Open");
    }

    #[test]
    fn paragraphs_collapse_blank_lines() {
        let lines = paragraphs("\n\na\n\n\n\nb\n\n", VALUE, 400.0);
        let texts: Vec<String> = lines.iter().map(Line::text).collect();
        assert_eq!(texts, ["a", "", "b"]);
    }

    #[test]
    fn truncate_fits() {
        let long = "Atrium Demo Ltd ".repeat(50);
        let short = truncate(&long, HEADER, 100.0);
        assert!(short.ends_with('\u{2026}'));
        assert!(text_width(HEADER, &short) <= 100.0);
        assert_eq!(truncate("Atrium", HEADER, 100.0), "Atrium");
    }

    #[test]
    fn large_input_renders_quickly() {
        // Wrapping and truncation are linear: a megabyte of text without spaces anywhere
        // must not take long.
        let blob = "x".repeat(1 << 20);
        let record = PdfRecord {
            company: blob.clone(),
            title: "Big".into(),
            fields: vec![("Blob".into(), blob[..200_000].to_owned())],
            ..PdfRecord::default()
        };
        let start = std::time::Instant::now();
        let bytes = render(&record).expect("render");
        assert!(count_page_objects(&bytes) > 10);
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
    }

    #[test]
    fn pretty_times() {
        assert_eq!(pretty_time("2025-03-04T09:05:00Z"), "2025-03-04 09:05 UTC");
        assert_eq!(
            pretty_time("2025-03-04T09:05:00-05:30"),
            "2025-03-04 09:05 -05:30"
        );
        assert_eq!(pretty_time("yesterday"), "yesterday");
    }

    /// Checks the text layer with poppler's `pdftotext`, when it is installed.
    #[test]
    fn text_is_extractable_with_pdftotext() {
        let bytes = render(&sample()).expect("render");
        let dir = std::env::temp_dir().join(format!("atrium-pdf-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("record.pdf");
        std::fs::write(&path, &bytes).expect("write");
        let out = std::process::Command::new("pdftotext")
            .arg("-layout")
            .arg(&path)
            .arg("-")
            .output();
        let _ = std::fs::remove_dir_all(&dir);
        let out = match out {
            Ok(out) => out,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("pdftotext not installed; skipping the text check");
                return;
            }
            Err(e) => panic!("running pdftotext: {e}"),
        };
        assert!(out.status.success(), "pdftotext failed: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        for expected in [
            "Case CS-00042 \u{2014} Printer on fire",
            "Zoë Müller (Zürich) \\ “VIP”",
            "It's on fire again (the printer, not the office).",
            "called facilities \\o/",
            "Page 1 of 1",
            "Atrium Demo Ltd",
        ] {
            assert!(
                text.contains(expected),
                "{expected:?} missing from:\n{text}"
            );
        }
    }

    /// Writes the sample to `$ATRIUM_PDF_SAMPLE` (default /tmp/sample.pdf) for a visual check:
    /// `cargo test -p atrium-web pdf::tests::write_sample -- --ignored`.
    #[test]
    #[ignore]
    fn write_sample() {
        let path = std::env::var("ATRIUM_PDF_SAMPLE").unwrap_or_else(|_| "/tmp/sample.pdf".into());
        let mut record = sample();
        record.comments.extend((0..40).map(|i| PdfComment {
            author: format!("Agent {i}"),
            at: "2025-03-04T11:00:00Z".into(),
            body: "Follow-up: checked the device, waiting on the vendor. ".repeat(1 + i % 4),
        }));
        std::fs::write(&path, render(&record).expect("render")).expect("write sample");
    }
}
