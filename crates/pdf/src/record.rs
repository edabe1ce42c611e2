//! One record (a case, a contact, …): title, fields, comments and updates, paginated.

use atrium_core::Error;

use crate::font::Face;
use crate::layout::{
    ACCENT, CONTENT_TOP, CONTENT_W, Canvas, Cell, Deco, INK, Line, MARGIN_X, MUTED, Meta,
    RULE_LIGHT, RULE_STRONG, RunningHeader, Style, paragraphs, style, wrap,
};
use crate::text::sanitize_line;
use crate::{markdown, stamp};

/// What goes on the page.
#[derive(Debug, Clone, Default)]
pub struct PdfRecord {
    /// Shown small in the header of every page, e.g. "Atrium Demo Ltd".
    pub company: String,
    /// Shown large on the first page, e.g. "Case CS-00042 — Printer on fire".
    pub title: String,
    /// In order; printed as a two-column list.
    pub fields: Vec<PdfField>,
    pub comments: Vec<PdfComment>,
    pub updates: Vec<PdfUpdate>,
    /// RFC 3339 text, printed in the footer.
    pub generated_at: String,
    /// The document's own words, in the reader's language.
    pub words: PdfRecordWords,
}

/// The words a record's document prints around its content. `{count}`, `{at}`, `{page}` and
/// `{pages}` are replaced.
#[derive(Debug, Clone)]
pub struct PdfRecordWords {
    pub comments: String,
    pub updates: String,
    pub generated: String,
    pub page: String,
    /// An update's empty old or new value.
    pub empty: String,
}

impl Default for PdfRecordWords {
    fn default() -> Self {
        Self {
            comments: "Comments ({count})".into(),
            updates: "Updates ({count})".into(),
            generated: "Generated {at}".into(),
            page: "Page {page} of {pages}".into(),
            empty: "(empty)".into(),
        }
    }
}

/// One field: its label, its value as display text, and whether that text is Markdown (then
/// it is rendered, not printed as source).
#[derive(Debug, Clone, Default)]
pub struct PdfField {
    pub label: String,
    pub value: String,
    pub markdown: bool,
}

/// One comment: "author — time", then the body (Markdown, rendered).
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

/// Label column of the field list.
const LABEL_W: f32 = 136.0;
const GUTTER: f32 = 12.0;
/// Columns of the update list: time, who, change.
const UPD_TIME_W: f32 = 96.0;
const UPD_WHO_W: f32 = 100.0;
/// Indent of a comment body (a thin bar sits in it).
const BODY_INDENT: f32 = 12.0;

const TITLE_LEADING: f32 = 24.0;
const BODY_LEADING: f32 = 13.5;
const SMALL_LEADING: f32 = 12.5;

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

/// Renders `record` as an A4 PDF document.
pub fn render(record: &PdfRecord) -> Result<Vec<u8>, Error> {
    let words = &record.words;
    let header = RunningHeader {
        left: sanitize_line(&record.company),
        left_on_first: true,
        right: sanitize_line(&record.title),
    };
    let mut w = Canvas::new(CONTENT_TOP, Some(header));

    let title = sanitize_line(&record.title);
    let title = if title.trim().is_empty() {
        "Untitled".to_owned()
    } else {
        title
    };
    let lines = wrap(&[(TITLE, &title)], CONTENT_W);
    w.rows(MARGIN_X, &[Cell::new(0.0, lines)], TITLE_LEADING, 2);
    w.gap(10.0);

    if !record.fields.is_empty() {
        w.rule(RULE_STRONG, 0.8);
        for field in &record.fields {
            field_row(&mut w, field);
        }
    }

    if !record.comments.is_empty() {
        section(
            &mut w,
            &words
                .comments
                .replace("{count}", &record.comments.len().to_string()),
        );
        for (i, c) in record.comments.iter().enumerate() {
            if i > 0 {
                w.gap(10.0);
            }
            comment(&mut w, c);
        }
    }

    if !record.updates.is_empty() {
        section(
            &mut w,
            &words
                .updates
                .replace("{count}", &record.updates.len().to_string()),
        );
        for update in &record.updates {
            update_row(&mut w, update, &words.empty);
        }
    }

    let generated = if record.generated_at.trim().is_empty() {
        String::new()
    } else {
        words
            .generated
            .replace("{at}", &stamp::pretty(&record.generated_at))
    };
    let meta = Meta {
        title: record.title.clone(),
        generated_at: record.generated_at.clone(),
    };
    w.finish(&meta, |page, pages| {
        let label = words
            .page
            .replace("{page}", &page.to_string())
            .replace("{pages}", &pages.to_string());
        (generated.clone(), label)
    })
}

/// Section heading with a rule under it, kept together with the start of what follows.
fn section(w: &mut Canvas, heading: &str) {
    w.gap(22.0);
    w.ensure(20.0 + 6.0 + 3.0 * BODY_LEADING);
    let lines = wrap(&[(SECTION, heading)], CONTENT_W);
    w.rows(MARGIN_X, &[Cell::new(0.0, lines)], 18.0, 1);
    w.y -= 2.0;
    w.rect(MARGIN_X, w.y - 0.8, CONTENT_W, 0.8, RULE_STRONG);
    w.y -= 0.8 + 6.0;
}

/// A field's value: Markdown rendered, or plain text with its line breaks.
fn value_lines(w: &mut Canvas, value: &str, markdown: bool, st: Style, width: f32) -> Vec<Line> {
    if markdown {
        markdown::lines(value, st, width, &mut |url| w.link(url))
    } else {
        paragraphs(value, st, width)
    }
}

fn field_row(w: &mut Canvas, field: &PdfField) {
    let label = sanitize_line(&field.label);
    let labels = wrap(&[(LABEL, &label)], LABEL_W - GUTTER);
    let value_w = CONTENT_W - LABEL_W;
    let values = if field.value.trim().is_empty() {
        wrap(&[(VALUE_EMPTY, "\u{2014}")], value_w)
    } else {
        value_lines(w, &field.value, field.markdown, VALUE, value_w)
    };
    let pad = 5.0;
    let cells = [Cell::new(0.0, labels), Cell::new(LABEL_W, values)];
    let first = Canvas::rows_height(
        &[Cell::new(
            0.0,
            cells[1].lines.iter().take(3).cloned().collect(),
        )],
        BODY_LEADING,
    );
    w.ensure(2.0 * pad + first.max(BODY_LEADING));
    w.gap(pad);
    w.rows(MARGIN_X, &cells, BODY_LEADING, 3);
    w.y -= pad;
    w.rule(RULE_LIGHT, 0.5);
}

fn comment(w: &mut Canvas, c: &PdfComment) {
    let author = sanitize_line(&c.author);
    let author = if author.trim().is_empty() {
        "Unknown".to_owned()
    } else {
        author
    };
    let at = format!(" \u{2014} {}", stamp::pretty(&c.at));
    let head = wrap(&[(AUTHOR, &author), (META, &at)], CONTENT_W);
    let body_w = CONTENT_W - BODY_INDENT;
    let mut body = markdown::lines(&c.body, VALUE, body_w, &mut |url| w.link(url));
    for line in &mut body {
        line.decos.insert(
            0,
            Deco::Bar {
                x: -BODY_INDENT + 2.0,
                color: RULE_LIGHT,
            },
        );
    }
    // Keep the heading with the first lines of the body.
    let first = Canvas::rows_height(
        &[Cell::new(0.0, body.iter().take(2).cloned().collect())],
        BODY_LEADING,
    );
    w.ensure(BODY_LEADING * head.len() as f32 + first + 3.0);
    w.rows(MARGIN_X, &[Cell::new(0.0, head)], BODY_LEADING, 1);
    w.y -= 3.0;
    w.rows(MARGIN_X, &[Cell::new(BODY_INDENT, body)], BODY_LEADING, 2);
}

fn update_row(w: &mut Canvas, update: &PdfUpdate, empty: &str) {
    let at = stamp::pretty(&update.at);
    let who = sanitize_line(&update.who);
    let field = format!("{}:", sanitize_line(&update.field));
    let old = sanitize_line(&update.old);
    let new = sanitize_line(&update.new);
    let value = |v: &str| -> (Style, String) {
        if v.trim().is_empty() {
            (UPD_EMPTY, format!(" {}", sanitize_line(empty)))
        } else {
            (UPD_VALUE, format!(" {v}"))
        }
    };
    let (old_style, old) = value(&old);
    let (new_style, new) = value(&new);
    let change_x = UPD_TIME_W + UPD_WHO_W;
    let change = wrap(
        &[
            (UPD_FIELD, &field),
            (old_style, &old),
            (UPD_VALUE.with_color(MUTED), " \u{2192}"),
            (new_style, &new),
        ],
        CONTENT_W - change_x,
    );
    let cells = [
        Cell::new(0.0, wrap(&[(UPD_TIME, &at)], UPD_TIME_W - 8.0)),
        Cell::new(UPD_TIME_W, wrap(&[(UPD_WHO, &who)], UPD_WHO_W - 8.0)),
        Cell::new(change_x, change),
    ];
    let pad = 3.5;
    let n = cells.iter().map(|c| c.lines.len()).max().unwrap_or(1);
    w.ensure(2.0 * pad + SMALL_LEADING * n.min(3) as f32);
    w.gap(pad);
    w.rows(MARGIN_X, &cells, SMALL_LEADING, 3);
    w.y -= pad;
    w.rule(RULE_LIGHT, 0.5);
}
