//! Markdown (comment bodies, Markdown fields, terms) laid out as lines: paragraphs, emphasis,
//! inline code, lists with hanging indents, links with their address, headings, block quotes,
//! code blocks, tables as rows of cells, rules and hard line breaks. Raw HTML is printed as the
//! text it is, never interpreted.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::font::Face;
use crate::layout::{
    CODE, Deco, LINK, Line, MUTED, RULE_LIGHT, RULE_STRONG, Style, TINT, text_width, wrap,
};
use crate::text::sanitize_line;

/// Lays out `source` in `width` points, text in `base` (its size and colour; faces are chosen
/// by the emphasis). `link` registers a link target and returns its id for [`Style::link`].
pub(crate) fn lines(
    source: &str,
    base: Style,
    width: f32,
    link: &mut dyn FnMut(&str) -> usize,
) -> Vec<Line> {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut b = Builder {
        base,
        width,
        link,
        out: Vec::new(),
        pieces: Vec::new(),
        strong: 0,
        emphasis: 0,
        strike: 0,
        image: 0,
        links: Vec::new(),
        heading: None,
        stack: Vec::new(),
        marker: None,
        space: 0.0,
        cells: 0,
        code: None,
    };
    for event in Parser::new_ext(source, options) {
        b.event(event);
    }
    b.flush();
    if let Some(marker) = b.marker.take() {
        b.marker_only(marker);
    }
    if b.out.is_empty() {
        b.out.push(Line::default());
    }
    b.out
}

/// Text starts this far right of a list's edge (in em of the base size).
const LIST_INDENT_EM: f32 = 1.6;
/// A list marker ends this far left of the text.
const MARKER_GAP_EM: f32 = 0.45;
/// A block quote's text starts this far right of its bar.
const QUOTE_INDENT_EM: f32 = 1.1;
/// Code blocks' text is inset this far in their tinted box.
const CODE_PAD_EM: f32 = 0.6;

enum Container {
    Quote,
    /// A list, and the number of its next item if it is ordered.
    List(Option<u64>),
}

/// A link being read: its target, its registered id, where its text starts in the pieces.
struct OpenLink {
    url: String,
    id: Option<usize>,
    start: usize,
}

/// A piece of a paragraph: styled text, or a hard line break.
enum Piece {
    Text(Style, String),
    Break,
}

struct Builder<'a> {
    base: Style,
    width: f32,
    link: &'a mut dyn FnMut(&str) -> usize,
    out: Vec<Line>,
    /// The paragraph being read.
    pieces: Vec<Piece>,
    strong: u32,
    emphasis: u32,
    strike: u32,
    image: u32,
    links: Vec<OpenLink>,
    heading: Option<HeadingLevel>,
    stack: Vec<Container>,
    /// The marker of a list item whose first line is still to come.
    marker: Option<String>,
    /// Space owed before the next block.
    space: f32,
    /// Cells read so far in the current table row.
    cells: usize,
    /// The text of the code block being read.
    code: Option<String>,
}

impl Builder<'_> {
    fn em(&self) -> f32 {
        self.base.size
    }

    fn owe_space(&mut self, em: f32) {
        self.space = self.space.max(em * self.em());
    }

    /// The style of text read now.
    fn style(&self) -> Style {
        let mut st = self.base;
        let mut bold = self.strong > 0;
        if let Some(level) = self.heading {
            bold = true;
            st = st.with_size(self.base.size * heading_scale(level));
        }
        st = st.with_face(Face::new(bold, self.emphasis > 0 || self.image > 0));
        if self.image > 0 {
            st = st.with_color(MUTED);
        }
        st.strike = self.strike > 0;
        if let Some(open) = self.links.last() {
            st.link = open.id;
            st = st.with_color(LINK);
        }
        st
    }

    fn push_text(&mut self, text: &str) {
        let text = sanitize_line(text);
        if !text.is_empty() {
            let st = self.style();
            self.pieces.push(Piece::Text(st, text));
        }
    }

    /// Left edge of the text in the current container, and the quote bars on the way.
    fn indent(&self) -> (f32, Vec<f32>) {
        let mut x = 0.0;
        let mut bars = Vec::new();
        for c in &self.stack {
            match c {
                Container::Quote => {
                    bars.push(x + 1.0);
                    x += QUOTE_INDENT_EM * self.em();
                }
                Container::List(_) => x += LIST_INDENT_EM * self.em(),
            }
        }
        (x, bars)
    }

    /// Adds finished lines of a block: indented, with the quote bars, after the space owed.
    fn emit(&mut self, mut lines: Vec<Line>, indent: f32, bars: &[f32]) {
        if lines.is_empty() {
            return;
        }
        if let Some(marker) = self.marker.take() {
            let st = self.base;
            let x = -MARKER_GAP_EM * self.em() - text_width(st, &marker);
            let first = &mut lines[0];
            first.items.insert(
                0,
                crate::layout::Placed {
                    x,
                    style: st,
                    text: marker,
                },
            );
        }
        if self.space > 0.0 && !self.out.is_empty() {
            let mut spacer = Line::spacer(self.space);
            spacer.decos = bars.iter().map(|&x| bar(x)).collect();
            self.out.push(spacer);
        }
        self.space = 0.0;
        for mut line in lines {
            line.shift(indent);
            for &x in bars {
                line.decos.insert(0, bar(x));
            }
            self.out.push(line);
        }
    }

    /// Lays out the paragraph read so far.
    fn flush(&mut self) {
        let pieces = std::mem::take(&mut self.pieces);
        let has_text = pieces
            .iter()
            .any(|p| matches!(p, Piece::Text(_, t) if !t.trim().is_empty()));
        if !has_text {
            return;
        }
        let (indent, bars) = self.indent();
        let width = (self.width - indent).max(self.em() * 4.0);
        let height = self
            .heading
            .map(|level| self.base.size * heading_scale(level) * 1.3);
        let mut lines = Vec::new();
        for group in pieces.split(|p| matches!(p, Piece::Break)) {
            let group: Vec<(Style, &str)> = group
                .iter()
                .filter_map(|p| match p {
                    Piece::Text(st, t) => Some((*st, t.as_str())),
                    Piece::Break => None,
                })
                .collect();
            for mut line in wrap(&group, width) {
                line.height = height;
                lines.push(line);
            }
        }
        // Lines left empty by a break at the start or end carry no meaning.
        while lines.last().is_some_and(|l| l.items.is_empty()) {
            lines.pop();
        }
        self.emit(lines, indent, &bars);
    }

    /// An empty list item: its marker alone.
    fn marker_only(&mut self, marker: String) {
        let (indent, bars) = self.indent();
        self.marker = Some(marker);
        self.emit(vec![Line::default()], indent, &bars);
    }

    fn code_block(&mut self, code: &str) {
        let (indent, bars) = self.indent();
        let pad = CODE_PAD_EM * self.em();
        let box_w = (self.width - indent).max(self.em() * 4.0);
        let st = self.base.with_size(self.base.size * 0.92).with_color(CODE);
        let fill = Deco::Fill {
            x: 0.0,
            width: box_w,
            color: TINT,
        };
        let mut lines = vec![Line::spacer(pad * 0.6)];
        let code = code.strip_suffix('\n').unwrap_or(code);
        for raw in code.split('\n') {
            // Indentation kept (as no-break spaces, which neither collapse nor break).
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            let body = raw.trim_start_matches([' ', '\t']);
            let lead: usize = raw[..raw.len() - body.len()]
                .chars()
                .map(|c| if c == '\t' { 4 } else { 1 })
                .sum();
            let text = format!("{}{}", "\u{A0}".repeat(lead.min(40)), sanitize_line(body));
            for mut line in wrap(&[(st, &text)], box_w - 2.0 * pad) {
                line.shift(pad);
                lines.push(line);
            }
        }
        lines.push(Line::spacer(pad * 0.6));
        for line in &mut lines {
            line.decos.insert(0, fill);
        }
        self.emit(lines, indent, &bars);
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => match &mut self.code {
                Some(code) => code.push_str(&text),
                None => self.push_text(&text),
            },
            Event::Code(code) => {
                let code = sanitize_line(&code);
                if !code.is_empty() {
                    let mut st = self.style().with_color(CODE);
                    st.code = true;
                    self.pieces.push(Piece::Text(st, code));
                }
            }
            Event::InlineMath(text) | Event::DisplayMath(text) => self.push_text(&text),
            // Raw HTML is shown as the text it is.
            Event::Html(html) | Event::InlineHtml(html) => {
                let mut first = true;
                for line in html.split('\n') {
                    if !first {
                        self.pieces.push(Piece::Break);
                    }
                    first = false;
                    self.push_text(line);
                }
            }
            Event::FootnoteReference(label) => self.push_text(&format!("[{label}]")),
            Event::SoftBreak => self.push_text(" "),
            Event::HardBreak => self.pieces.push(Piece::Break),
            Event::Rule => {
                self.flush();
                let (indent, bars) = self.indent();
                let mut line = Line::spacer(self.em() * 1.2);
                line.decos.push(Deco::Rule {
                    x: 0.0,
                    width: self.width - indent,
                    color: RULE_STRONG,
                });
                self.owe_space(0.3);
                self.emit(vec![line], indent, &bars);
                self.owe_space(0.3);
            }
            Event::TaskListMarker(done) => {
                self.marker = Some(if done { "\u{2611}" } else { "\u{2610}" }.to_owned());
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => self.flush(),
            Tag::Heading { level, .. } => {
                self.flush();
                self.owe_space(0.8);
                self.heading = Some(level);
            }
            Tag::BlockQuote(_) => {
                self.flush();
                self.owe_space(0.5);
                self.stack.push(Container::Quote);
            }
            // The language of a fenced block is not shown.
            Tag::CodeBlock(_) => {
                self.flush();
                self.owe_space(0.5);
                self.code = Some(String::new());
            }
            Tag::HtmlBlock => {
                self.flush();
                self.owe_space(0.5);
            }
            Tag::List(start) => {
                self.flush();
                if let Some(marker) = self.marker.take() {
                    // A list right at the start of an item: the item's marker stands alone.
                    self.marker_only(marker);
                }
                self.owe_space(if self.in_list() { 0.15 } else { 0.5 });
                self.stack.push(Container::List(start));
            }
            Tag::Item => {
                self.flush();
                if let Some(marker) = self.marker.take() {
                    self.marker_only(marker);
                }
                let depth = self
                    .stack
                    .iter()
                    .filter(|c| matches!(c, Container::List(_)))
                    .count();
                let marker = match self.stack.last_mut() {
                    Some(Container::List(Some(n))) => {
                        let marker = format!("{n}.");
                        *n = n.saturating_add(1);
                        marker
                    }
                    _ => match depth {
                        0 | 1 => "\u{2022}",
                        2 => "\u{25E6}",
                        _ => "\u{25AA}",
                    }
                    .to_owned(),
                };
                self.owe_space(0.15);
                self.marker = Some(marker);
            }
            Tag::FootnoteDefinition(label) => {
                self.flush();
                self.push_text(&format!("[{label}] "));
            }
            Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => self.flush(),
            Tag::Table(_) => {
                self.flush();
                self.owe_space(0.5);
            }
            Tag::TableHead => {
                self.strong += 1;
                self.cells = 0;
            }
            Tag::TableRow => self.cells = 0,
            Tag::TableCell => {
                if self.cells > 0 {
                    let st = self.base.with_color(RULE_STRONG).with_face(Face::Regular);
                    self.pieces.push(Piece::Text(st, " | ".to_owned()));
                }
                self.cells += 1;
            }
            Tag::Emphasis => self.emphasis += 1,
            Tag::Strong => self.strong += 1,
            Tag::Strikethrough => self.strike += 1,
            Tag::Superscript | Tag::Subscript => {}
            Tag::Link { dest_url, .. } => {
                let url = dest_url.trim().to_owned();
                let id = clickable(&url).then(|| (self.link)(&url));
                self.links.push(OpenLink {
                    url,
                    id,
                    start: self.pieces.len(),
                });
            }
            Tag::Image { .. } => self.image += 1,
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                self.flush();
                self.owe_space(0.55);
            }
            TagEnd::Heading(_) => {
                self.flush();
                self.heading = None;
                self.owe_space(0.3);
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.stack.pop();
                self.owe_space(0.55);
            }
            TagEnd::CodeBlock => {
                if let Some(code) = self.code.take() {
                    self.code_block(&code);
                }
                self.owe_space(0.55);
            }
            TagEnd::HtmlBlock => {
                self.flush();
                self.owe_space(0.55);
            }
            TagEnd::List(_) => {
                self.flush();
                self.stack.pop();
                self.owe_space(if self.in_list() { 0.15 } else { 0.55 });
            }
            TagEnd::Item => {
                self.flush();
                if let Some(marker) = self.marker.take() {
                    self.marker_only(marker);
                }
            }
            TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_) => {
                self.flush();
                self.owe_space(0.55);
            }
            TagEnd::Table => {
                self.flush();
                self.owe_space(0.55);
            }
            TagEnd::TableHead => {
                self.flush();
                self.strong = self.strong.saturating_sub(1);
                self.owe_space(0.1);
            }
            TagEnd::TableRow => {
                self.flush();
                self.owe_space(0.1);
            }
            TagEnd::TableCell => {}
            TagEnd::Emphasis => self.emphasis = self.emphasis.saturating_sub(1),
            TagEnd::Strong => self.strong = self.strong.saturating_sub(1),
            TagEnd::Strikethrough => self.strike = self.strike.saturating_sub(1),
            TagEnd::Superscript | TagEnd::Subscript => {}
            TagEnd::Link => {
                let Some(open) = self.links.pop() else {
                    return;
                };
                let text: String = self.pieces[open.start.min(self.pieces.len())..]
                    .iter()
                    .filter_map(|p| match p {
                        Piece::Text(_, t) => Some(t.as_str()),
                        Piece::Break => None,
                    })
                    .collect();
                let url = sanitize_line(&open.url);
                let same = text.trim() == url
                    || url
                        .strip_prefix("mailto:")
                        .is_some_and(|rest| rest == text.trim())
                    || text.trim().is_empty() && url.is_empty();
                if !same && !url.is_empty() {
                    let mut st = self.style().with_color(MUTED);
                    st.link = open.id;
                    st.strike = false;
                    if text.trim().is_empty() {
                        self.pieces.push(Piece::Text(st.with_color(LINK), url));
                    } else {
                        self.pieces.push(Piece::Text(st, format!(" ({url})")));
                    }
                }
            }
            TagEnd::Image => self.image = self.image.saturating_sub(1),
        }
    }

    fn in_list(&self) -> bool {
        self.stack.iter().any(|c| matches!(c, Container::List(_)))
    }
}

fn bar(x: f32) -> Deco {
    Deco::Bar {
        x,
        color: RULE_LIGHT,
    }
}

fn heading_scale(level: HeadingLevel) -> f32 {
    match level {
        HeadingLevel::H1 => 1.4,
        HeadingLevel::H2 => 1.25,
        HeadingLevel::H3 => 1.12,
        _ => 1.0,
    }
}

/// Whether a link target becomes a clickable link in the PDF: web and e-mail addresses and
/// phone numbers only (never scripts or local files).
fn clickable(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["http://", "https://", "mailto:", "tel:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}
