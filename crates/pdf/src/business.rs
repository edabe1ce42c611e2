//! Quotes and invoices: a letterhead (logo, seller), the buyer in the address window, the
//! document's facts, its line items as a table whose header repeats on every page, the totals,
//! and the terms.

use atrium_core::Error;

use crate::font::Face;
use crate::image;
use crate::layout::{
    CONTENT_W, Canvas, Cell, INK, Line, MARGIN_X, MM, MUTED, Meta, PAGE_H, PAGE_W, RULE_LIGHT,
    RunningHeader, Style, TINT, paragraphs, style, text_width, truncate, wrap,
};
use crate::text::sanitize_line;
use crate::{markdown, stamp};

/// A party of the document: its name, then address lines, e-mail, phone, tax number, ….
#[derive(Debug, Clone, Default)]
pub struct PdfParty {
    pub name: String,
    pub lines: Vec<String>,
}

/// An image file as uploaded: `image/png`, `image/jpeg` (others are left out of the page).
#[derive(Debug, Clone, Default)]
pub struct PdfImage {
    pub bytes: Vec<u8>,
    pub mime: String,
}

/// One line item; all values are display text, already formatted.
#[derive(Debug, Clone, Default)]
pub struct PdfLineItem {
    pub description: String,
    /// Printed small under the description; may be empty.
    pub details: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
    pub tax: String,
    pub net: String,
}

/// The line-item table's column headers, translated.
#[derive(Debug, Clone, Default)]
pub struct PdfColumns {
    pub position: String,
    pub description: String,
    pub quantity: String,
    pub unit_price: String,
    pub discount: String,
    pub tax: String,
    pub net: String,
}

/// A quote or an invoice. All text is display text, already translated and formatted.
#[derive(Debug, Clone, Default)]
pub struct PdfBusinessDocument {
    pub seller: PdfParty,
    pub logo: Option<PdfImage>,
    pub buyer: PdfParty,
    /// "Quote", "Invoice".
    pub heading: String,
    /// "QU-00012".
    pub number: String,
    pub subject: String,
    /// ("Date", "2 Dec 2026"), ("Valid until", "…"), ("Currency", "EUR"), ….
    pub facts: Vec<(String, String)>,
    pub columns: PdfColumns,
    pub lines: Vec<PdfLineItem>,
    /// Subtotal, discount, tax, total, …: the last row is the grand total.
    pub totals: Vec<(String, String)>,
    pub terms_heading: String,
    /// Markdown; no section when empty.
    pub terms: String,
    /// "Page {page} of {pages}".
    pub page_label: String,
    /// RFC 3339; printed small in the footer.
    pub generated_at: String,
}

// Letterhead.
const TOP: f32 = PAGE_H - 15.0 * MM;
const LOGO_W: f32 = 40.0 * MM;
const LOGO_H: f32 = 18.0 * MM;
const SELLER_W: f32 = 72.0 * MM;
/// Address window (DIN 5008): 45 mm from the top, 85 mm wide.
const WINDOW_TOP: f32 = PAGE_H - 45.0 * MM;
const WINDOW_W: f32 = 85.0 * MM;
const FACTS_W: f32 = 70.0 * MM;

const WORDMARK: Style = style(Face::Bold, 16.0, crate::layout::ACCENT);
const SELLER_NAME: Style = style(Face::Bold, 10.0, INK);
const SELLER_LINE: Style = style(Face::Regular, 8.5, MUTED);
const RETURN_LINE: Style = style(Face::Regular, 7.0, MUTED);
const BUYER_NAME: Style = style(Face::Bold, 10.5, INK);
const BUYER_LINE: Style = style(Face::Regular, 10.0, INK);
const FACT_LABEL: Style = style(Face::Regular, 8.5, MUTED);
const FACT_VALUE: Style = style(Face::Regular, 9.0, INK);
const HEADING: Style = style(Face::Bold, 20.0, INK);
const NUMBER: Style = style(Face::Regular, 20.0, MUTED);
const SUBJECT: Style = style(Face::Bold, 11.0, INK);

// Table.
const COL_HEAD: Style = style(Face::Bold, 8.0, MUTED);
const DESCRIPTION: Style = style(Face::Bold, 9.0, INK);
const DETAILS: Style = style(Face::Regular, 8.5, MUTED);
const CELL: Style = style(Face::Regular, 9.0, INK);
const CELL_PAD_X: f32 = 5.0;
const CELL_PAD_Y: f32 = 5.5;
const ROW_LEADING: f32 = 12.5;
const DETAILS_LEADING: f32 = 11.5;
const HEAD_LEADING: f32 = 11.0;

// Totals and terms.
const TOTALS_W: f32 = 82.0 * MM;
const TOTAL_LABEL: Style = style(Face::Regular, 9.5, MUTED);
const TOTAL_VALUE: Style = style(Face::Regular, 9.5, INK);
const GRAND_LABEL: Style = style(Face::Bold, 11.0, INK);
const GRAND_VALUE: Style = style(Face::Bold, 11.0, INK);
const TERMS_HEADING: Style = style(Face::Bold, 10.0, INK);
const TERMS: Style = style(Face::Regular, 8.5, (0.25, 0.27, 0.30));

/// Renders a quote or an invoice as an A4 PDF document.
pub fn render_business_document(doc: &PdfBusinessDocument) -> Result<Vec<u8>, Error> {
    let seller = sanitize_line(&doc.seller.name);
    let heading = sanitize_line(&doc.heading);
    let number = sanitize_line(&doc.number);
    let title = [heading.trim(), number.trim()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let header = RunningHeader {
        left: seller.clone(),
        left_on_first: false,
        right: title.clone(),
    };
    let mut w = Canvas::new(TOP, Some(header));

    let letterhead_bottom = letterhead(&mut w, doc);
    let window_top = WINDOW_TOP.min(letterhead_bottom - 8.0 * MM);
    let buyer_bottom = buyer(&mut w, doc, window_top);
    let facts_bottom = facts(&mut w, doc, window_top);
    w.y = buyer_bottom.min(facts_bottom) - 11.0 * MM;

    // Heading and number, subject.
    let mut pieces = vec![(HEADING, heading.as_str())];
    if !number.trim().is_empty() {
        if !heading.trim().is_empty() {
            pieces.push((NUMBER, " "));
        }
        pieces.push((NUMBER, number.as_str()));
    }
    if !title.is_empty() {
        let lines = wrap(&pieces, CONTENT_W);
        w.rows(MARGIN_X, &[Cell::new(0.0, lines)], 26.0, 2);
    }
    let subject = sanitize_line(&doc.subject);
    if !subject.trim().is_empty() {
        w.y -= 3.0;
        let lines = wrap(&[(SUBJECT, &subject)], CONTENT_W);
        w.rows(MARGIN_X, &[Cell::new(0.0, lines)], 15.0, 2);
    }
    w.gap(7.0 * MM);

    if !doc.lines.is_empty() {
        table(&mut w, doc);
    }
    if !doc.totals.is_empty() {
        totals(&mut w, doc);
    }
    if !doc.terms.trim().is_empty() {
        terms(&mut w, doc);
    }

    let generated = if doc.generated_at.trim().is_empty() {
        String::new()
    } else {
        stamp::pretty(&doc.generated_at)
    };
    let left = [seller.trim(), generated.trim()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("  \u{00B7}  ");
    let label = if doc.page_label.trim().is_empty() {
        "{page} / {pages}".to_owned()
    } else {
        sanitize_line(&doc.page_label)
    };
    let meta = Meta {
        title: if doc.subject.trim().is_empty() {
            title.clone()
        } else {
            format!("{title} \u{2014} {}", doc.subject.trim())
        },
        generated_at: doc.generated_at.clone(),
    };
    w.finish(&meta, |page, pages| {
        let right = label
            .replace("{page}", &page.to_string())
            .replace("{pages}", &pages.to_string());
        (left.clone(), right)
    })
}

/// Lines of `text` right-aligned in `width`.
fn right_aligned(pieces: &[(Style, &str)], width: f32) -> Vec<Line> {
    let mut lines = wrap(pieces, width);
    for line in &mut lines {
        let dx = width - line.width;
        line.shift(dx);
    }
    lines
}

/// Logo (or the seller's name as a wordmark) on the left, the seller on the right. Returns
/// the lowest point drawn.
fn letterhead(w: &mut Canvas, doc: &PdfBusinessDocument) -> f32 {
    let mut bottom = TOP;
    let seller_name = sanitize_line(&doc.seller.name);
    let picture = doc
        .logo
        .as_ref()
        .and_then(|logo| image::decode(&logo.bytes, &logo.mime));
    let wordmark = picture.is_none() && !seller_name.trim().is_empty();
    if let Some(picture) = picture {
        let (pw, ph) = (picture.width as f32, picture.height as f32);
        let scale = (LOGO_W / pw).min(LOGO_H / ph);
        let (lw, lh) = (pw * scale, ph * scale);
        w.image(
            picture.xobject,
            (picture.width, picture.height),
            (MARGIN_X, TOP - lh),
            (lw, lh),
        );
        bottom = bottom.min(TOP - lh);
    } else if wordmark {
        let lines = wrap(
            &[(WORDMARK, &seller_name)],
            CONTENT_W - SELLER_W - 10.0 * MM,
        );
        w.y = TOP + 3.0;
        w.rows(MARGIN_X, &[Cell::new(0.0, lines)], 20.0, 3);
        bottom = bottom.min(w.y);
    }

    // The seller, right-aligned: the name (unless it is the wordmark already), then the lines.
    let mut lines = Vec::new();
    if !wordmark && !seller_name.trim().is_empty() {
        for mut line in right_aligned(&[(SELLER_NAME, &seller_name)], SELLER_W) {
            line.height = Some(13.0);
            lines.push(line);
        }
    }
    for raw in &doc.seller.lines {
        let text = sanitize_line(raw);
        if text.trim().is_empty() {
            continue;
        }
        for mut line in right_aligned(&[(SELLER_LINE, &text)], SELLER_W) {
            line.height = Some(11.0);
            lines.push(line);
        }
    }
    if !lines.is_empty() {
        w.y = TOP + 2.0;
        w.rows(
            PAGE_W - MARGIN_X - SELLER_W,
            &[Cell::new(0.0, lines)],
            11.0,
            100,
        );
        bottom = bottom.min(w.y);
    }
    bottom
}

/// The return address line and the buyer, in the address window. Returns the lowest point.
fn buyer(w: &mut Canvas, doc: &PdfBusinessDocument, top: f32) -> f32 {
    let mut sender: Vec<String> = Vec::new();
    let name = sanitize_line(&doc.seller.name);
    if !name.trim().is_empty() {
        sender.push(name.trim().to_owned());
    }
    // The street and town: the seller's lines up to the first that looks like a contact.
    for raw in &doc.seller.lines {
        let line = sanitize_line(raw);
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line.contains('@') || line.contains("://") || line.starts_with('+') {
            break;
        }
        sender.push(line.to_owned());
        if sender.len() >= 3 {
            break;
        }
    }
    w.y = top;
    if !sender.is_empty() {
        let text = truncate(&sender.join(" \u{00B7} "), RETURN_LINE, WINDOW_W);
        let baseline = top - 8.0;
        w.text(MARGIN_X, baseline, RETURN_LINE, &text);
        w.rect(
            MARGIN_X,
            baseline - 3.0,
            text_width(RETURN_LINE, &text),
            0.4,
            crate::layout::RULE_STRONG,
        );
    }
    w.y = top - 5.5 * MM;
    let mut lines = Vec::new();
    let buyer_name = sanitize_line(&doc.buyer.name);
    if !buyer_name.trim().is_empty() {
        for mut line in wrap(&[(BUYER_NAME, &buyer_name)], WINDOW_W) {
            line.height = Some(14.0);
            lines.push(line);
        }
    }
    for raw in &doc.buyer.lines {
        let text = sanitize_line(raw);
        if text.trim().is_empty() {
            continue;
        }
        lines.extend(wrap(&[(BUYER_LINE, &text)], WINDOW_W));
    }
    w.rows(MARGIN_X, &[Cell::new(0.0, lines)], 13.5, 100);
    w.y
}

/// The facts (date, validity, currency, …) as a small two-column table on the right. Returns
/// the lowest point.
fn facts(w: &mut Canvas, doc: &PdfBusinessDocument, top: f32) -> f32 {
    let facts: Vec<(String, String)> = doc
        .facts
        .iter()
        .map(|(l, v)| (sanitize_line(l), sanitize_line(v)))
        .filter(|(l, v)| !l.trim().is_empty() || !v.trim().is_empty())
        .collect();
    if facts.is_empty() {
        return top;
    }
    let label_w = facts
        .iter()
        .map(|(l, _)| text_width(FACT_LABEL, l))
        .fold(0.0_f32, f32::max)
        .clamp(20.0, FACTS_W * 0.5);
    let value_w = FACTS_W - label_w - 10.0;
    let x0 = PAGE_W - MARGIN_X - FACTS_W;
    w.y = top - 2.0;
    for (label, value) in &facts {
        let cells = [
            Cell::new(0.0, wrap(&[(FACT_LABEL, label)], label_w)),
            Cell::new(
                label_w + 10.0,
                right_aligned(&[(FACT_VALUE, value)], value_w),
            ),
        ];
        w.rows(x0, &cells, 13.5, 100);
    }
    w.y
}

/// A column of the line-item table.
struct Column {
    /// Left edge, from the margin.
    x: f32,
    width: f32,
    numeric: bool,
}

/// Which of the optional columns are shown: a discount or tax column without any value in it
/// is left out.
struct Shown {
    discount: bool,
    tax: bool,
}

fn table(w: &mut Canvas, doc: &PdfBusinessDocument) {
    let shown = Shown {
        discount: doc.lines.iter().any(|l| !l.discount.trim().is_empty()),
        tax: doc.lines.iter().any(|l| !l.tax.trim().is_empty()),
    };
    let cols = &doc.columns;
    let headers: Vec<String> = [
        Some(&cols.position),
        Some(&cols.description),
        Some(&cols.quantity),
        Some(&cols.unit_price),
        shown.discount.then_some(&cols.discount),
        shown.tax.then_some(&cols.tax),
        Some(&cols.net),
    ]
    .into_iter()
    .flatten()
    .map(|h| sanitize_line(h))
    .collect();
    let rows: Vec<Vec<String>> = doc
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            [
                Some((i + 1).to_string()),
                Some(String::new()),
                Some(sanitize_line(&l.quantity)),
                Some(sanitize_line(&l.unit_price)),
                shown.discount.then(|| sanitize_line(&l.discount)),
                shown.tax.then(|| sanitize_line(&l.tax)),
                Some(sanitize_line(&l.net)),
            ]
            .into_iter()
            .flatten()
            .collect()
        })
        .collect();
    let layout = columns(&headers, &rows);
    let head_cells = header_cells(&headers, &layout);
    let head_h = Canvas::rows_height(&head_cells, HEAD_LEADING) + 2.0 * CELL_PAD_Y;

    let first_row_h = doc
        .lines
        .first()
        .map(|l| {
            let cells = row_cells(l, &rows[0], &layout);
            Canvas::rows_height(&cells, ROW_LEADING) + 2.0 * CELL_PAD_Y
        })
        .unwrap_or(0.0);
    w.ensure(head_h + first_row_h);
    draw_header(w, &head_cells, head_h);

    for (item, values) in doc.lines.iter().zip(&rows) {
        let cells = row_cells(item, values, &layout);
        let n = cells.iter().map(|c| c.lines.len()).max().unwrap_or(0);
        let height = Canvas::rows_height(&cells, ROW_LEADING) + 2.0 * CELL_PAD_Y;
        // A row moves to the next page whole, unless it is taller than a page.
        if w.room() < height && height <= Canvas::page_room() - head_h {
            w.new_page();
            draw_header(w, &head_cells, head_h);
        }
        w.y -= CELL_PAD_Y;
        for i in 0..n {
            let lh = cells
                .iter()
                .filter_map(|c| c.lines.get(i))
                .map(|l| l.height.unwrap_or(ROW_LEADING))
                .fold(0.0_f32, f32::max);
            if w.room() < lh {
                w.new_page();
                draw_header(w, &head_cells, head_h);
                w.y -= CELL_PAD_Y;
            }
            w.row(MARGIN_X, &cells, i, lh);
            w.y -= lh;
        }
        w.y -= CELL_PAD_Y;
        w.rect(MARGIN_X, w.y - 0.5, CONTENT_W, 0.5, RULE_LIGHT);
        w.y -= 0.5;
    }
}

/// Column positions and widths: each numeric column as wide as its widest text (within
/// bounds), the description taking the rest.
fn columns(headers: &[String], rows: &[Vec<String>]) -> Vec<Column> {
    let n = headers.len();
    let mut widths = vec![0.0_f32; n];
    for (i, width) in widths.iter_mut().enumerate() {
        if i == 1 {
            continue;
        }
        let content = rows
            .iter()
            .filter_map(|r| r.get(i))
            .map(|v| text_width(CELL, v))
            .fold(0.0_f32, f32::max);
        // A header wraps onto two lines only when it is very long.
        let head = text_width(COL_HEAD, &headers[i]);
        let (min, max) = if i == 0 { (18.0, 34.0) } else { (36.0, 96.0) };
        *width = (content.max(head) + 2.0 * CELL_PAD_X).clamp(min, max);
    }
    let fixed: f32 = widths.iter().sum();
    let min_description = CONTENT_W * 0.34;
    if CONTENT_W - fixed < min_description {
        // Narrow the number columns (not the position) in proportion.
        let numbers: f32 = widths.iter().skip(2).sum();
        let factor = ((numbers - (min_description - (CONTENT_W - fixed))) / numbers).max(0.5);
        for width in widths.iter_mut().skip(2) {
            *width *= factor;
        }
    }
    let fixed: f32 = widths
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, w)| w)
        .sum();
    widths[1] = CONTENT_W - fixed;
    let mut x = 0.0;
    widths
        .into_iter()
        .enumerate()
        .map(|(i, width)| {
            let col = Column {
                x,
                width,
                numeric: i != 1,
            };
            x += width;
            col
        })
        .collect()
}

/// Text in column `col`: wrapped to its inner width, right-aligned when numeric.
fn cell_lines(pieces: &[(Style, &str)], col: &Column, height: f32) -> Vec<Line> {
    let inner = (col.width - 2.0 * CELL_PAD_X).max(4.0);
    let mut lines = if col.numeric {
        right_aligned(pieces, inner)
    } else {
        wrap(pieces, inner)
    };
    for line in &mut lines {
        line.shift(CELL_PAD_X);
        line.height = Some(height);
    }
    lines
}

fn header_cells(headers: &[String], layout: &[Column]) -> Vec<Cell> {
    headers
        .iter()
        .zip(layout)
        .map(|(h, col)| Cell::new(col.x, cell_lines(&[(COL_HEAD, h)], col, HEAD_LEADING)))
        .collect()
}

fn draw_header(w: &mut Canvas, cells: &[Cell], height: f32) {
    w.rect(MARGIN_X, w.y - height, CONTENT_W, height, TINT);
    w.y -= CELL_PAD_Y;
    let n = cells.iter().map(|c| c.lines.len()).max().unwrap_or(0);
    for i in 0..n {
        w.row(MARGIN_X, cells, i, HEAD_LEADING);
        w.y -= HEAD_LEADING;
    }
    w.y -= CELL_PAD_Y;
}

fn row_cells(item: &PdfLineItem, values: &[String], layout: &[Column]) -> Vec<Cell> {
    values
        .iter()
        .zip(layout)
        .enumerate()
        .map(|(i, (value, col))| {
            if i == 1 {
                let description = sanitize_line(&item.description);
                let mut lines = cell_lines(&[(DESCRIPTION, &description)], col, ROW_LEADING);
                if !item.details.trim().is_empty() {
                    let inner = (col.width - 2.0 * CELL_PAD_X).max(4.0);
                    for mut line in paragraphs(&item.details, DETAILS, inner) {
                        line.shift(CELL_PAD_X);
                        line.height = Some(DETAILS_LEADING);
                        lines.push(line);
                    }
                }
                Cell::new(col.x, lines)
            } else {
                Cell::new(col.x, cell_lines(&[(CELL, value)], col, ROW_LEADING))
            }
        })
        .collect()
}

/// The totals, right-aligned and kept together; the last row is the grand total.
fn totals(w: &mut Canvas, doc: &PdfBusinessDocument) {
    let rows: Vec<(String, String)> = doc
        .totals
        .iter()
        .map(|(l, v)| (sanitize_line(l), sanitize_line(v)))
        .collect();
    let value_w = rows
        .iter()
        .enumerate()
        .map(|(i, (_, v))| {
            let st = if i + 1 == rows.len() {
                GRAND_VALUE
            } else {
                TOTAL_VALUE
            };
            text_width(st, v)
        })
        .fold(0.0_f32, f32::max)
        .min(TOTALS_W * 0.6);
    let label_w = TOTALS_W - value_w - 12.0;
    let x0 = PAGE_W - MARGIN_X - TOTALS_W;
    let built: Vec<(Vec<Cell>, f32, bool)> = rows
        .iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let grand = i + 1 == rows.len();
            let (ls, vs, leading) = if grand {
                (GRAND_LABEL, GRAND_VALUE, 17.0)
            } else {
                (TOTAL_LABEL, TOTAL_VALUE, 14.5)
            };
            let cells = vec![
                Cell::new(0.0, wrap(&[(ls, label)], label_w)),
                Cell::new(label_w + 12.0, right_aligned(&[(vs, value)], value_w)),
            ];
            (cells, leading, grand)
        })
        .collect();
    let height: f32 = built
        .iter()
        .map(|(cells, leading, grand)| {
            Canvas::rows_height(cells, *leading) + if *grand { 8.0 } else { 0.0 }
        })
        .sum::<f32>()
        + 8.0;
    w.gap(8.0);
    w.ensure(height);
    for (cells, leading, grand) in &built {
        if *grand {
            w.y -= 3.0;
            w.rect(x0, w.y - 0.9, TOTALS_W, 0.9, INK);
            w.y -= 5.0;
        }
        w.rows(x0, cells, *leading, 100);
    }
}

fn terms(w: &mut Canvas, doc: &PdfBusinessDocument) {
    let heading = sanitize_line(&doc.terms_heading);
    let body = markdown::lines(&doc.terms, TERMS, CONTENT_W, &mut |url| w.link(url));
    let first = Canvas::rows_height(
        &[Cell::new(0.0, body.iter().take(2).cloned().collect())],
        12.0,
    );
    w.gap(10.0 * MM);
    let head = if heading.trim().is_empty() {
        Vec::new()
    } else {
        wrap(&[(TERMS_HEADING, &heading)], CONTENT_W)
    };
    w.ensure(16.0 * head.len() as f32 + 4.0 + first);
    if !head.is_empty() {
        w.rows(MARGIN_X, &[Cell::new(0.0, head)], 16.0, 2);
        w.y -= 4.0;
    }
    w.rows(MARGIN_X, &[Cell::new(0.0, body)], 12.0, 2);
}
