//! Text layout and pages: styled text measured with the embedded fonts and wrapped into lines,
//! and a [`Canvas`] that draws lines, rules and images top to bottom, starting a new page
//! whenever the next line would not fit, and finally writes the PDF.

use std::collections::BTreeSet;

use atrium_core::Error;
use printpdf::{
    Actions, BorderArray, Color, ColorArray, FontId, HighlightingMode, LinkAnnotation, Mm, Op,
    PaintMode, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rect, Rgb,
    WindingOrder, XObject, XObjectId, XObjectTransform,
};

use crate::font::{self, Face, PROGRAM_COUNT};

// ---------------------------------------------------------------------------------------------
// Page geometry (PDF points, origin bottom left), colours.

pub(crate) const PAGE_W: f32 = 595.276; // 210 mm
pub(crate) const PAGE_H: f32 = 841.89; // 297 mm
pub(crate) const MARGIN_X: f32 = 56.0;
pub(crate) const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
const HEADER_BASELINE: f32 = PAGE_H - 36.0;
const HEADER_RULE: f32 = PAGE_H - 44.0;
/// Top of the content on pages with a running header.
pub(crate) const CONTENT_TOP: f32 = PAGE_H - 62.0;
pub(crate) const CONTENT_BOTTOM: f32 = 64.0;
const FOOTER_RULE: f32 = 46.0;
const FOOTER_BASELINE: f32 = 32.0;

/// Points per millimetre.
pub(crate) const MM: f32 = 72.0 / 25.4;

pub(crate) type Rgb3 = (f32, f32, f32);
pub(crate) const INK: Rgb3 = (0.10, 0.11, 0.13);
pub(crate) const MUTED: Rgb3 = (0.42, 0.44, 0.48);
pub(crate) const ACCENT: Rgb3 = (0.12, 0.27, 0.50);
pub(crate) const LINK: Rgb3 = (0.10, 0.33, 0.68);
pub(crate) const RULE_LIGHT: Rgb3 = (0.86, 0.87, 0.89);
pub(crate) const RULE_STRONG: Rgb3 = (0.70, 0.72, 0.76);
pub(crate) const TINT: Rgb3 = (0.945, 0.949, 0.957);
pub(crate) const CODE: Rgb3 = (0.55, 0.16, 0.20);

// ---------------------------------------------------------------------------------------------
// Styles.

/// How a run of text looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Style {
    pub face: Face,
    pub size: f32,
    pub color: Rgb3,
    /// Inline code: drawn on a tinted background.
    pub code: bool,
    pub strike: bool,
    /// A link: the index of its target in the canvas' link list.
    pub link: Option<usize>,
}

pub(crate) const fn style(face: Face, size: f32, color: Rgb3) -> Style {
    Style {
        face,
        size,
        color,
        code: false,
        strike: false,
        link: None,
    }
}

impl Style {
    pub(crate) fn with_face(self, face: Face) -> Style {
        Style { face, ..self }
    }

    pub(crate) fn with_size(self, size: f32) -> Style {
        Style { size, ..self }
    }

    pub(crate) fn with_color(self, color: Rgb3) -> Style {
        Style { color, ..self }
    }
}

/// Width in points of sanitized `text` in `st`.
pub(crate) fn text_width(st: Style, text: &str) -> f32 {
    font::text_units(st.face, text) * st.size / 1000.0
}

// ---------------------------------------------------------------------------------------------
// Lines.

/// Text in one style, placed `x` points right of the start of its line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Placed {
    pub x: f32,
    pub style: Style,
    pub text: String,
}

/// Something drawn along a whole line box, behind the text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Deco {
    /// A thin vertical bar (block quotes, comment bodies).
    Bar { x: f32, color: Rgb3 },
    /// A background (code blocks).
    Fill { x: f32, width: f32, color: Rgb3 },
    /// A thin horizontal rule across the middle of the line box.
    Rule { x: f32, width: f32, color: Rgb3 },
}

/// One line of a column.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Line {
    pub items: Vec<Placed>,
    /// End of the last item.
    pub width: f32,
    /// Height of the line box; `None` takes the leading of the row it is drawn in.
    pub height: Option<f32>,
    pub decos: Vec<Deco>,
}

impl Line {
    /// An empty line of a fixed height, for space between blocks.
    pub(crate) fn spacer(height: f32) -> Line {
        Line {
            height: Some(height),
            ..Line::default()
        }
    }

    /// Appends text; merged into the last item when the style is the same (kerning between
    /// them included).
    pub(crate) fn push(&mut self, st: Style, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some(last) = self.items.last_mut()
            && last.style == st
        {
            let kern = match (last.text.chars().next_back(), text.chars().next()) {
                (Some(a), Some(b)) => font::kern_between(st.face, a, b) * st.size / 1000.0,
                _ => 0.0,
            };
            last.text.push_str(text);
            self.width += kern + text_width(st, text);
            return;
        }
        self.items.push(Placed {
            x: self.width,
            style: st,
            text: text.to_owned(),
        });
        self.width += text_width(st, text);
    }

    /// The line as it would be after [`Line::push`], without changing it.
    fn width_with(&self, st: Style, text: &str) -> f32 {
        let kern = match self.items.last() {
            Some(last) if last.style == st => {
                match (last.text.chars().next_back(), text.chars().next()) {
                    (Some(a), Some(b)) => font::kern_between(st.face, a, b) * st.size / 1000.0,
                    _ => 0.0,
                }
            }
            _ => 0.0,
        };
        self.width + kern + text_width(st, text)
    }

    /// The largest font size on the line.
    pub(crate) fn size(&self) -> f32 {
        self.items
            .iter()
            .map(|p| p.style.size)
            .fold(0.0_f32, f32::max)
    }

    /// Moves everything on the line `dx` points to the right.
    pub(crate) fn shift(&mut self, dx: f32) {
        for item in &mut self.items {
            item.x += dx;
        }
        for deco in &mut self.decos {
            match deco {
                Deco::Bar { x, .. } | Deco::Fill { x, .. } | Deco::Rule { x, .. } => *x += dx,
            }
        }
        self.width += dx;
    }

    /// The line as plain text, for tests.
    #[cfg(test)]
    pub(crate) fn text(&self) -> String {
        self.items.iter().map(|p| p.text.as_str()).collect()
    }
}

/// A run of text without a break opportunity, and the style of the space before it.
struct Word {
    space_before: Option<Style>,
    line: Line,
}

fn words(pieces: &[(Style, &str)]) -> Vec<Word> {
    let mut out = Vec::new();
    let mut cur = Line::default();
    let mut cur_space: Option<Style> = None;
    let mut space: Option<Style> = None;
    for &(st, text) in pieces {
        for (i, part) in text.split(' ').enumerate() {
            if i > 0 {
                // A space: the current word ends here.
                if !cur.items.is_empty() {
                    out.push(Word {
                        space_before: cur_space.take(),
                        line: std::mem::take(&mut cur),
                    });
                }
                // Runs of spaces collapse into one.
                space = space.or(Some(st));
            }
            if !part.is_empty() {
                if cur.items.is_empty() {
                    cur_space = space.take();
                }
                cur.push(st, part);
            }
        }
    }
    if !cur.items.is_empty() {
        out.push(Word {
            space_before: cur_space,
            line: cur,
        });
    }
    out
}

/// Breaks one paragraph of styled, sanitized text into lines at most `max_w` wide, between
/// words, and inside words longer than a line. Always at least one (maybe empty) line.
pub(crate) fn wrap(pieces: &[(Style, &str)], max_w: f32) -> Vec<Line> {
    const EPS: f32 = 0.01;
    let mut lines = Vec::new();
    let mut line = Line::default();
    for word in words(pieces) {
        let space = word.space_before.filter(|_| !line.items.is_empty());
        let gap = space.map_or(0.0, |st| text_width(st, " "));
        if line.width + gap + word.line.width <= max_w + EPS {
            if let Some(st) = space {
                // A real space, so that copied or extracted text reads naturally.
                line.push(st, " ");
            }
            for item in word.line.items {
                line.push(item.style, &item.text);
            }
            continue;
        }
        if !line.items.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if word.line.width <= max_w + EPS {
            for item in word.line.items {
                line.push(item.style, &item.text);
            }
            continue;
        }
        // Longer than a whole line: break it between characters.
        let mut buf = [0u8; 4];
        for item in word.line.items {
            for c in item.text.chars() {
                let c = c.encode_utf8(&mut buf);
                if !line.items.is_empty() && line.width_with(item.style, c) > max_w + EPS {
                    lines.push(std::mem::take(&mut line));
                }
                line.push(item.style, c);
            }
        }
    }
    lines.push(line);
    lines
}

/// Multi-line plain user text: each line of the source is a paragraph; runs of blank lines
/// become one empty line, and leading and trailing blank lines are dropped.
pub(crate) fn paragraphs(text: &str, st: Style, max_w: f32) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut blank = false;
    for raw in text.split(['\n', '\u{2028}', '\u{2029}']) {
        let para = crate::text::sanitize_line(raw);
        if para.trim().is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push(Line::default());
            blank = false;
        }
        out.extend(wrap(&[(st, &para)], max_w));
    }
    if out.is_empty() {
        out.push(Line::default());
    }
    out
}

/// Sanitized `text` shortened with "…" to fit in `max_w`. Reads no further into `text` than
/// what fits (the text may be long).
pub(crate) fn truncate(text: &str, st: Style, max_w: f32) -> String {
    let budget = max_w - text_width(st, "\u{2026}");
    let mut line = Line::default();
    let mut kept = 0;
    let mut buf = [0u8; 4];
    for (i, c) in text.char_indices() {
        let s = c.encode_utf8(&mut buf);
        let width = line.width_with(st, s);
        if width > max_w {
            return format!("{}\u{2026}", text[..kept].trim_end());
        }
        if width <= budget {
            kept = i + c.len_utf8();
        }
        line.push(st, s);
    }
    text.to_owned()
}

// ---------------------------------------------------------------------------------------------
// The canvas.

/// Lines of one column of a row, drawn `x` points right of the row's left edge.
pub(crate) struct Cell {
    pub x: f32,
    pub lines: Vec<Line>,
}

impl Cell {
    pub(crate) fn new(x: f32, lines: Vec<Line>) -> Self {
        Cell { x, lines }
    }
}

/// Small text at the top of pages: `left` on every page (or only on continuation pages), and
/// `right` on continuation pages.
pub(crate) struct RunningHeader {
    pub left: String,
    pub left_on_first: bool,
    pub right: String,
}

/// The document's information dictionary.
pub(crate) struct Meta {
    pub title: String,
    /// RFC 3339; becomes the creation date.
    pub generated_at: String,
}

pub(crate) const HEADER: Style = style(Face::Regular, 8.0, MUTED);
pub(crate) const FOOTER: Style = style(Face::Regular, 7.5, MUTED);

pub(crate) struct Canvas {
    done: Vec<Vec<Op>>,
    ops: Vec<Op>,
    /// Top of the next line, in points from the bottom of the page.
    pub y: f32,
    first_top: f32,
    header: Option<RunningHeader>,
    /// Characters drawn, per font program.
    used: [BTreeSet<char>; PROGRAM_COUNT],
    links: Vec<String>,
    images: Vec<(XObjectId, XObject)>,
}

impl Canvas {
    /// A canvas whose first page's content starts at `first_top`.
    pub(crate) fn new(first_top: f32, header: Option<RunningHeader>) -> Self {
        // Each half of the header line holds what fits of its text.
        let half = CONTENT_W / 2.0 - 12.0;
        let header = header.map(|h| RunningHeader {
            left: truncate(&h.left, HEADER, half),
            right: truncate(&h.right, HEADER, half),
            ..h
        });
        let mut c = Canvas {
            done: Vec::new(),
            ops: Vec::new(),
            y: first_top,
            first_top,
            header,
            used: Default::default(),
            links: Vec::new(),
            images: Vec::new(),
        };
        c.start_page();
        c
    }

    fn top(&self) -> f32 {
        if self.done.is_empty() {
            self.first_top
        } else {
            CONTENT_TOP
        }
    }

    fn start_page(&mut self) {
        self.y = self.top();
        let first = self.done.is_empty();
        let Some(header) = self.header.take() else {
            return;
        };
        let mut drawn = false;
        if header.left_on_first || !first {
            self.text(MARGIN_X, HEADER_BASELINE, HEADER, &header.left);
            drawn = !header.left.is_empty();
        }
        if !first {
            let x = PAGE_W - MARGIN_X - text_width(HEADER, &header.right);
            self.text(x, HEADER_BASELINE, HEADER, &header.right);
            drawn |= !header.right.is_empty();
        }
        if drawn {
            self.rect(MARGIN_X, HEADER_RULE, CONTENT_W, 0.5, RULE_LIGHT);
        }
        self.header = Some(header);
    }

    pub(crate) fn new_page(&mut self) {
        let ops = std::mem::take(&mut self.ops);
        self.done.push(ops);
        self.start_page();
    }

    pub(crate) fn at_page_top(&self) -> bool {
        self.y >= self.top() - 0.01
    }

    /// Points left above the bottom margin.
    pub(crate) fn room(&self) -> f32 {
        self.y - CONTENT_BOTTOM
    }

    /// The most a page holds.
    pub(crate) fn page_room() -> f32 {
        CONTENT_TOP - CONTENT_BOTTOM
    }

    /// Starts a new page unless `height` more points fit on this one.
    pub(crate) fn ensure(&mut self, height: f32) {
        if self.y - height < CONTENT_BOTTOM && !self.at_page_top() {
            self.new_page();
        }
    }

    /// Vertical space; swallowed at the top of a page.
    pub(crate) fn gap(&mut self, height: f32) {
        if !self.at_page_top() {
            self.y -= height;
        }
    }

    /// A horizontal rule across the content width at the cursor.
    pub(crate) fn rule(&mut self, color: Rgb3, thickness: f32) {
        self.ensure(thickness);
        self.rect(MARGIN_X, self.y - thickness, CONTENT_W, thickness, color);
        self.y -= thickness;
    }

    /// Registers a link target, for [`Style::link`].
    pub(crate) fn link(&mut self, url: &str) -> usize {
        self.links.push(url.to_owned());
        self.links.len() - 1
    }

    /// The height of row `i` of `cells`: the tallest of their lines, at least `leading`.
    fn row_height(cells: &[Cell], i: usize, leading: f32) -> f32 {
        cells
            .iter()
            .filter_map(|c| c.lines.get(i))
            .map(|l| l.height.unwrap_or(leading))
            .fold(0.0_f32, f32::max)
    }

    /// The height of `cells` drawn as rows.
    pub(crate) fn rows_height(cells: &[Cell], leading: f32) -> f32 {
        let n = cells.iter().map(|c| c.lines.len()).max().unwrap_or(0);
        (0..n).map(|i| Self::row_height(cells, i, leading)).sum()
    }

    /// Draws cells side by side, line by line, from the left edge `x0`, breaking the page
    /// between lines as needed. Lines without a height of their own are `leading` high. The
    /// first `keep` lines are kept together on one page.
    pub(crate) fn rows(&mut self, x0: f32, cells: &[Cell], leading: f32, keep: usize) {
        let n = cells.iter().map(|c| c.lines.len()).max().unwrap_or(0);
        let kept: f32 = (0..n.min(keep))
            .map(|i| Self::row_height(cells, i, leading))
            .sum();
        self.ensure(kept);
        for i in 0..n {
            let height = Self::row_height(cells, i, leading);
            if self.y - height < CONTENT_BOTTOM && !self.at_page_top() {
                self.new_page();
            }
            self.row(x0, cells, i, height);
            self.y -= height;
        }
    }

    /// Draws row `i` of `cells` in a box `height` high below the cursor (which stays).
    pub(crate) fn row(&mut self, x0: f32, cells: &[Cell], i: usize, height: f32) {
        // One baseline across the cells: the cap height (about 0.71 em) of the largest text
        // centred in the line box.
        let size = cells
            .iter()
            .filter_map(|c| c.lines.get(i))
            .map(Line::size)
            .fold(0.0_f32, f32::max);
        let baseline = self.y - height / 2.0 - 0.357 * size;
        for cell in cells {
            if let Some(line) = cell.lines.get(i) {
                self.line(x0 + cell.x, self.y, height, baseline, line);
            }
        }
    }

    /// Draws one line in the box from `top` down `height`, text on `baseline`, `x` points from
    /// the left edge of the page.
    pub(crate) fn line(&mut self, x: f32, top: f32, height: f32, baseline: f32, line: &Line) {
        for deco in &line.decos {
            match *deco {
                Deco::Bar { x: bx, color } => self.rect(x + bx, top - height, 1.5, height, color),
                Deco::Fill {
                    x: fx,
                    width,
                    color,
                } => self.rect(x + fx, top - height, width, height, color),
                Deco::Rule {
                    x: rx,
                    width,
                    color,
                } => self.rect(x + rx, top - height / 2.0 - 0.4, width, 0.8, color),
            }
        }
        // Backgrounds of inline code first, then the text over them.
        for item in &line.items {
            if item.style.code {
                let w = text_width(item.style, &item.text);
                let s = item.style.size;
                self.rect(
                    x + item.x - 0.15 * s,
                    baseline - 0.26 * s,
                    w + 0.3 * s,
                    1.08 * s,
                    TINT,
                );
            }
        }
        let mut link_box: Option<(usize, f32, f32, f32)> = None;
        for item in &line.items {
            self.text(x + item.x, baseline, item.style, &item.text);
            let w = text_width(item.style, &item.text);
            let s = item.style.size;
            if item.style.strike {
                self.rect(
                    x + item.x,
                    baseline + 0.27 * s,
                    w,
                    0.06 * s,
                    item.style.color,
                );
            }
            // Link areas, one per run of items with the same target.
            match (item.style.link, &mut link_box) {
                (Some(id), Some((open, _, end, size))) if *open == id => {
                    *end = x + item.x + w;
                    *size = size.max(s);
                }
                (link, open) => {
                    if let Some((id, start, end, size)) = open.take() {
                        self.link_area(id, start, end, baseline, size);
                    }
                    *open = link.map(|id| (id, x + item.x, x + item.x + w, s));
                }
            }
        }
        if let Some((id, start, end, size)) = link_box {
            self.link_area(id, start, end, baseline, size);
        }
    }

    fn link_area(&mut self, id: usize, start: f32, end: f32, baseline: f32, size: f32) {
        let Some(url) = self.links.get(id) else {
            return;
        };
        let link = LinkAnnotation::new(
            Rect {
                x: Pt(start),
                y: Pt(baseline - 0.3 * size),
                width: Pt(end - start),
                height: Pt(1.3 * size),
                mode: None,
                winding_order: None,
            },
            Actions::Uri(url.clone()),
            Some(BorderArray::Solid([0.0, 0.0, 0.0])),
            Some(ColorArray::Transparent),
            Some(HighlightingMode::Invert),
        );
        self.ops.push(Op::LinkAnnotation { link });
    }

    /// Draws sanitized `text` with its left end at `x`.
    pub(crate) fn text(&mut self, x: f32, baseline: f32, st: Style, text: &str) {
        if text.is_empty() {
            return;
        }
        self.ops.push(Op::StartTextSection);
        self.ops.push(Op::SetFillColor { col: rgb(st.color) });
        self.ops.push(Op::SetTextCursor {
            pos: Point {
                x: Pt(x),
                y: Pt(baseline),
            },
        });
        for (program, items) in font::runs(st.face, text) {
            for item in &items {
                if let printpdf::TextItem::Text(t) = item {
                    self.used[program].extend(t.chars());
                }
            }
            self.ops.push(Op::SetFont {
                font: PdfFontHandle::External(FontId(font::resource_name(program))),
                size: Pt(st.size),
            });
            self.ops.push(Op::ShowText { items });
        }
        self.ops.push(Op::EndTextSection);
    }

    /// Draws sanitized `text` with its right end at `right`.
    pub(crate) fn text_right(&mut self, right: f32, baseline: f32, st: Style, text: &str) {
        let x = right - text_width(st, text);
        self.text(x, baseline, st, text);
    }

    pub(crate) fn rect(&mut self, x: f32, y: f32, width: f32, height: f32, color: Rgb3) {
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

    /// Draws an image (`pixels` wide and high as the XObject declares them) into the box with
    /// lower left corner (`x`, `y`), `width` × `height` points.
    pub(crate) fn image(
        &mut self,
        xobject: XObject,
        pixels: (usize, usize),
        (x, y): (f32, f32),
        (width, height): (f32, f32),
    ) {
        let id = XObjectId(format!("Img{}", self.images.len()));
        self.images.push((id.clone(), xobject));
        // At 72 dpi the XObject is scaled to its pixel size in points first.
        let (pw, ph) = (pixels.0.max(1) as f32, pixels.1.max(1) as f32);
        self.ops.push(Op::UseXobject {
            id,
            transform: XObjectTransform {
                translate_x: Some(Pt(x)),
                translate_y: Some(Pt(y)),
                rotate: None,
                scale_x: Some(width / pw),
                scale_y: Some(height / ph),
                dpi: Some(72.0),
                no_auto_scale: false,
            },
        });
    }

    /// Closes the last page, adds the footers (`footer(page, pages)` gives the left and right
    /// text; pages count from 1) and writes the document.
    pub(crate) fn finish(
        mut self,
        meta: &Meta,
        footer: impl Fn(usize, usize) -> (String, String),
    ) -> Result<Vec<u8>, Error> {
        let ops = std::mem::take(&mut self.ops);
        self.done.push(ops);
        let total = self.done.len();
        let pages: Vec<Vec<Op>> = std::mem::take(&mut self.done);
        let mut out = Vec::with_capacity(total);
        for (i, ops) in pages.into_iter().enumerate() {
            self.ops = ops;
            let (left, right) = footer(i + 1, total);
            self.rect(MARGIN_X, FOOTER_RULE, CONTENT_W, 0.5, RULE_LIGHT);
            let right_w = text_width(FOOTER, &right);
            let left = truncate(&left, FOOTER, CONTENT_W - right_w - 24.0);
            self.text(MARGIN_X, FOOTER_BASELINE, FOOTER, &left);
            self.text_right(PAGE_W - MARGIN_X, FOOTER_BASELINE, FOOTER, &right);
            out.push(PdfPage::new(
                Mm(210.0),
                Mm(297.0),
                std::mem::take(&mut self.ops),
            ));
        }

        let mut doc = PdfDocument::new(&crate::text::metadata_line(&meta.title));
        doc.metadata.info.producer = "Atrium".to_owned();
        doc.metadata.info.creator = "Atrium".to_owned();
        if let Some(t) = crate::stamp::parse(&meta.generated_at)
            && let Ok(date) = printpdf::OffsetDateTime::from_unix_timestamp(t.unix_timestamp())
        {
            doc.metadata.info.creation_date = date;
            doc.metadata.info.modification_date = date;
            doc.metadata.info.metadata_date = date;
        }
        for (program, chars) in self.used.iter().enumerate() {
            if chars.is_empty() {
                continue;
            }
            let parsed = font::subset(program, chars).ok_or_else(|| {
                Error::Internal(format!(
                    "embedding font {} failed",
                    font::resource_name(program)
                ))
            })?;
            doc.resources.fonts.map.insert(
                FontId(font::resource_name(program)),
                printpdf::PdfFont::new(parsed),
            );
        }
        for (id, xobject) in self.images {
            doc.resources.xobjects.map.insert(id, xobject);
        }
        doc.with_pages(out);

        let mut warnings = Vec::new();
        let options = PdfSaveOptions {
            // Images are embedded as prepared (JPEG as it is, other pixels deflated).
            image_optimization: None,
            ..PdfSaveOptions::default()
        };
        let bytes = doc.save(&options, &mut warnings);
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
}

fn rgb((r, g, b): Rgb3) -> Color {
    Color::Rgb(Rgb {
        r,
        g,
        b,
        icc_profile: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: Style = style(Face::Regular, 10.0, INK);
    const BOLD: Style = style(Face::Bold, 10.0, INK);

    #[test]
    fn wrap_respects_width_and_breaks_long_words() {
        let text = "short words then averyveryveryveryveryveryveryveryveryverylongword end";
        let lines = wrap(&[(BODY, text)], 100.0);
        assert!(lines.len() > 2);
        for line in &lines {
            assert!(line.width <= 100.01, "line too wide: {}", line.width);
            let measured: f32 = text_width(BODY, &line.text());
            assert!(
                (measured - line.width).abs() < 0.01,
                "{measured} vs {}",
                line.width
            );
        }
        let joined: String = lines.iter().map(Line::text).collect::<Vec<_>>().join("");
        assert_eq!(joined.replace(' ', ""), text.replace(' ', ""));
        assert_eq!(lines[0].text(), "short words then");
    }

    #[test]
    fn wrap_keeps_styles() {
        let lines = wrap(&[(BOLD, "Status:"), (BODY, " New → Open")], 1000.0);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].text(), "Status: New → Open");
        assert_eq!(lines[0].items.len(), 2);
        assert_eq!(lines[0].items[0].style, BOLD);
    }

    #[test]
    fn paragraphs_collapse_blank_lines() {
        let lines = paragraphs("\n\na\n\n\n\nb\n\n", BODY, 400.0);
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
}
