//! Whole documents: structure, size, and (with poppler's `pdftotext`, when it is installed)
//! the text a reader gets out of them.

use printpdf::PdfDocument;

use crate::*;

const NAMES: &str = "Jürgen Ødegård, Αθήνα, Москва";

fn field(label: &str, value: &str) -> PdfField {
    PdfField {
        label: label.into(),
        value: value.into(),
        markdown: false,
    }
}

fn sample() -> PdfRecord {
    PdfRecord {
        company: "Atrium Demo Ltd".into(),
        title: "Case CS-00042 \u{2014} Printer on fire".into(),
        fields: vec![
            field("Status", "Open"),
            field("Priority", "High"),
            field("Customer", "Zoë Müller (Zürich) \\ “VIP”"),
            field("Assignee", "Łukasz Żółć"),
            field("Empty", ""),
            PdfField {
                label: "Description".into(),
                value: "The printer on the **third floor** started smoking during a 400-page \
                        print job. Facilities were called; nobody was hurt.\n\n\
                        - paper tray melted\n- fuser unit needs replacing\n\n\
                        See [the vendor's notice](https://example.com/notice)."
                    .into(),
                markdown: true,
            },
            field(
                "Reference",
                "https://example.com/tickets/very/long/path/with-no-spaces-at-all/0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz",
            ),
        ],
        comments: vec![
            PdfComment {
                author: "Zoë Müller".into(),
                at: "2025-03-04T09:05:00Z".into(),
                body: "It's on fire again (the printer, not the office).\n\nSteps:\n\n\
                       1. pulled the plug\n2. called facilities \\\\o/"
                    .into(),
            },
            PdfComment {
                author: "Olivier Dupré".into(),
                at: "2025-03-04T10:30:00+01:00".into(),
                body: "Confirmed. Vendor says 3–5 days. 日本語 and emoji 🔥 are not in the fonts."
                    .into(),
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
        words: PdfRecordWords::default(),
    }
}

fn line_item(i: usize) -> PdfLineItem {
    PdfLineItem {
        description: format!("Item {i:02} consulting"),
        details: if i.is_multiple_of(3) {
            "On site, including travel\nSecond line of details".into()
        } else {
            String::new()
        },
        quantity: format!("{}", 1 + i % 4),
        unit_price: "1,250.00".into(),
        discount: if i.is_multiple_of(5) {
            "10%".into()
        } else {
            String::new()
        },
        tax: "19%".into(),
        net: format!("{},250.00", 1 + i % 4),
    }
}

fn business(lines: usize) -> PdfBusinessDocument {
    PdfBusinessDocument {
        seller: PdfParty {
            name: "Atrium Demo GmbH".into(),
            lines: vec![
                "Hauptstraße 5".into(),
                "10115 Berlin".into(),
                "Germany".into(),
                "billing@atrium.example".into(),
                "+49 30 1234567".into(),
            ],
        },
        logo: None,
        buyer: PdfParty {
            name: NAMES.into(),
            lines: vec![
                "Odos Ermou 12".into(),
                "105 63 Athens".into(),
                "Greece".into(),
            ],
        },
        heading: "Quote".into(),
        number: "QU-00012".into(),
        subject: "Printer replacement and maintenance".into(),
        facts: vec![
            ("Date".into(), "2 Dec 2026".into()),
            ("Valid until".into(), "1 Jan 2027".into()),
            ("Currency".into(), "EUR".into()),
            ("Contact".into(), "Zoë Müller".into()),
        ],
        columns: PdfColumns {
            position: "#".into(),
            description: "Description".into(),
            quantity: "Qty".into(),
            unit_price: "Unit price".into(),
            discount: "Discount".into(),
            tax: "Tax".into(),
            net: "Net".into(),
        },
        lines: (1..=lines).map(line_item).collect(),
        totals: vec![
            ("Subtotal".into(), "75,000.00".into()),
            ("Discount".into(), "−1,250.00".into()),
            ("Tax 19%".into(), "14,012.50".into()),
            ("Total".into(), "EUR 87,762.50".into()),
        ],
        terms_heading: "Terms and conditions".into(),
        terms: "Payment within **30 days** of the invoice date.\n\n\
                - Prices exclude shipping\n- Delivery *ex works*\n\n\
                Questions? Write to <billing@atrium.example>."
            .into(),
        page_label: "Page {page} of {pages}".into(),
        generated_at: "2026-12-02T10:00:00Z".into(),
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

fn contains(bytes: &[u8], needle: &str) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Runs poppler's `pdftotext` with `args` on `bytes`; `None` (and a note) when it is not
/// installed, so the caller skips its checks.
fn pdftotext(bytes: &[u8], args: &[&str]) -> Option<String> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "atrium-pdf-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("doc.pdf");
    std::fs::write(&path, bytes).expect("write");
    let out = std::process::Command::new("pdftotext")
        .args(args)
        .arg(&path)
        .arg("-")
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    let out = match out {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("pdftotext not installed; skipping the text check");
            return None;
        }
        Err(e) => panic!("running pdftotext: {e}"),
    };
    assert!(out.status.success(), "pdftotext failed: {out:?}");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Text with every run of whitespace made one space.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------------
// Records.

#[test]
fn renders_a_complete_document() {
    let bytes = render(&sample()).expect("render");
    assert_well_formed(&bytes);
    let doc = parse(&bytes);
    assert_eq!(doc.pages.len(), 1);
    assert_eq!(count_page_objects(&bytes), 1);
    // The fonts are embedded, as subsets.
    assert!(contains(&bytes, "/FontFile2"));
    assert!(contains(&bytes, "+NotoSans-Regular"));
    assert!(contains(&bytes, "+NotoSans-Bold"));
}

#[test]
fn a_record_document_speaks_the_readers_language() {
    let mut record = sample();
    record.words = PdfRecordWords {
        comments: "Kommentare ({count})".into(),
        updates: "Änderungen ({count})".into(),
        generated: "Erstellt {at}".into(),
        page: "Seite {page} von {pages}".into(),
        empty: "(leer)".into(),
    };
    let bytes = render(&record).expect("render");
    let Some(text) = pdftotext(&bytes, &[]) else {
        return;
    };
    for word in ["Kommentare (", "Änderungen (", "Erstellt ", "Seite 1 von"] {
        assert!(text.contains(word), "{word} in {text}");
    }
    for english in ["Comments (", "Updates (", "Generated ", "Page 1 of"] {
        assert!(!text.contains(english), "{english} in {text}");
    }
}

#[test]
fn a_one_page_document_is_small() {
    let bytes = render(&sample()).expect("render");
    eprintln!("one-page record: {} bytes", bytes.len());
    assert!(bytes.len() < 100_000, "{} bytes", bytes.len());
    let bytes = render_business_document(&business(5)).expect("render");
    eprintln!("one-page quote: {} bytes", bytes.len());
    assert_eq!(count_page_objects(&bytes), 1);
    assert!(bytes.len() < 100_000, "{} bytes", bytes.len());
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

const NASTY: &str = "a (b) c) ((d \\ e\\) f\\\\ %g <h> [i] {j} / \0 \u{7} \r\n end \u{FEFF}\
                     Zoë Müller “quoted” ‘single’ — – … € 日本語 🔥 \u{202E}rtl e\u{301} \
                     <script>alert(1)</script> **b** _i_ `c` [l](javascript:alert(1))";

#[test]
fn hostile_text_does_not_break_the_structure() {
    let record = PdfRecord {
        company: NASTY.into(),
        title: NASTY.into(),
        fields: vec![
            field(NASTY, NASTY),
            PdfField {
                label: NASTY.into(),
                value: NASTY.into(),
                markdown: true,
            },
        ],
        comments: vec![PdfComment {
            author: NASTY.into(),
            at: NASTY.into(),
            body: NASTY.repeat(20),
        }],
        updates: vec![PdfUpdate {
            at: NASTY.into(),
            who: NASTY.into(),
            field: NASTY.into(),
            old: NASTY.into(),
            new: NASTY.into(),
        }],
        generated_at: NASTY.into(),
        words: PdfRecordWords {
            comments: NASTY.into(),
            updates: NASTY.into(),
            generated: NASTY.into(),
            page: NASTY.into(),
            empty: NASTY.into(),
        },
    };
    let bytes = render(&record).expect("render");
    assert_well_formed(&bytes);
    let doc = parse(&bytes);
    assert!(!doc.pages.is_empty());
    assert_eq!(count_page_objects(&bytes), doc.pages.len());
    // A script link is printed, never made clickable.
    assert!(!contains(&bytes, "/URI"));

    let mut quote = business(3);
    quote.seller.name = NASTY.into();
    quote.buyer.lines = vec![NASTY.into()];
    quote.lines[0].description = NASTY.into();
    quote.lines[0].details = NASTY.into();
    quote.terms = NASTY.into();
    quote.facts.push((NASTY.into(), NASTY.into()));
    quote.totals.insert(0, (NASTY.into(), NASTY.into()));
    let bytes = render_business_document(&quote).expect("render");
    assert_well_formed(&bytes);
    assert_eq!(count_page_objects(&bytes), parse(&bytes).pages.len());
}

#[test]
fn empty_documents_render() {
    let bytes = render(&PdfRecord::default()).expect("render");
    assert_well_formed(&bytes);
    assert_eq!(parse(&bytes).pages.len(), 1);
    let bytes = render_business_document(&PdfBusinessDocument::default()).expect("render");
    assert_well_formed(&bytes);
    assert_eq!(parse(&bytes).pages.len(), 1);
}

#[test]
fn huge_value_spans_pages() {
    let mut record = sample();
    record.fields = vec![field("Log", &"line of log output\n".repeat(400))];
    let bytes = render(&record).expect("render");
    assert!(count_page_objects(&bytes) > 1);
    record.fields[0].markdown = true;
    let bytes = render(&record).expect("render");
    assert!(count_page_objects(&bytes) > 1);
}

#[test]
fn large_input_renders_quickly() {
    // Wrapping and truncation are linear: a megabyte of text without spaces anywhere
    // must not take long.
    let blob = "x".repeat(1 << 20);
    let record = PdfRecord {
        company: blob.clone(),
        title: "Big".into(),
        fields: vec![field("Blob", &blob[..200_000])],
        ..PdfRecord::default()
    };
    let start = std::time::Instant::now();
    let bytes = render(&record).expect("render");
    assert!(count_page_objects(&bytes) > 10);
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn record_text_is_extractable() {
    let mut record = sample();
    record.fields.push(field("Contact", NAMES));
    let bytes = render(&record).expect("render");
    let Some(text) = pdftotext(&bytes, &["-layout"]) else {
        return;
    };
    for expected in [
        "Case CS-00042 \u{2014} Printer on fire",
        "Zoë Müller (Zürich) \\ “VIP”",
        "Łukasz Żółć",
        NAMES,
        "It's on fire again (the printer, not the office).",
        "called facilities \\o/",
        "3–5 days. \u{FFFD}\u{FFFD}\u{FFFD} and emoji \u{FFFD} are",
        "Page 1 of 1",
        "Atrium Demo Ltd",
        "Generated 2025-03-05 12:00 UTC",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    // The update's arrow is a character now.
    assert!(squeeze(&text).contains("Status: New → Open"), "{text}");
}

#[test]
fn markdown_is_rendered_not_printed() {
    let mut record = sample();
    record.comments = vec![PdfComment {
        author: "Agent".into(),
        at: "2025-03-04T09:05:00Z".into(),
        body: "**bold** and *it* and [site](https://example.com)\n\n\
               - first bullet\n- second bullet\n  - nested bullet\n\n\
               3. third\n4. fourth\n\n\
               # A heading\n\n> quoted text\n\nline one  \nline two\n\n\
               `inline code` and <b>raw html</b>\n\n<https://example.org/auto>"
            .into(),
    }];
    record.fields = vec![PdfField {
        label: "Notes".into(),
        value: "***both*** and `x`".into(),
        markdown: true,
    }];
    let bytes = render(&record).expect("render");
    // The link is clickable.
    assert!(contains(&bytes, "/URI"));
    assert!(contains(&bytes, "https://example.com"));
    let Some(text) = pdftotext(&bytes, &[]) else {
        return;
    };
    let text = squeeze(&text);
    for expected in [
        "bold and it and site (https://example.com)",
        "• first bullet",
        "• second bullet",
        "◦ nested bullet",
        "3. third",
        "4. fourth",
        "A heading",
        "quoted text",
        "line one line two",
        "inline code and <b>raw html</b>",
        "both and x",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    for absent in ["**", "[site]", "# A", "> quoted", "`", "***"] {
        assert!(!text.contains(absent), "{absent:?} in:\n{text}");
    }
    // An address printed as its own text is not repeated.
    assert_eq!(
        text.matches("https://example.org/auto").count(),
        1,
        "{text}"
    );
}

#[test]
fn plain_fields_stay_plain() {
    let mut record = sample();
    record.fields = vec![field("Notes", "**not bold** and [a](b)")];
    let bytes = render(&record).expect("render");
    let Some(text) = pdftotext(&bytes, &[]) else {
        return;
    };
    assert!(text.contains("**not bold** and [a](b)"), "{text}");
}

#[test]
fn controls_and_direction_overrides_are_dropped() {
    let mut record = sample();
    record.fields = vec![field(
        "Name",
        "abc\u{202E}def\u{202C}\u{2066}ghi\u{2069}\u{200B}jkl\u{7}mno\u{FEFF}",
    )];
    let bytes = render(&record).expect("render");
    let Some(text) = pdftotext(&bytes, &[]) else {
        return;
    };
    assert!(text.contains("abcdefghijklmno"), "{text}");
    for c in [
        '\u{202E}', '\u{202C}', '\u{2066}', '\u{2069}', '\u{200B}', '\u{7}', '\u{FEFF}',
    ] {
        assert!(!text.contains(c), "{c:?} left in");
    }
}

// ---------------------------------------------------------------------------------------------
// Quotes and invoices.

#[test]
fn business_document_prints_its_parts() {
    let bytes = render_business_document(&business(4)).expect("render");
    assert_well_formed(&bytes);
    assert_eq!(parse(&bytes).pages.len(), 1);
    let Some(text) = pdftotext(&bytes, &["-layout"]) else {
        return;
    };
    for expected in [
        NAMES,
        "Atrium Demo GmbH",
        "Hauptstraße 5",
        "Quote QU-00012",
        "Printer replacement and maintenance",
        "Valid until",
        "1 Jan 2027",
        "Item 03 consulting",
        "On site, including travel",
        "Subtotal",
        "EUR 87,762.50",
        "Terms and conditions",
        "Payment within 30 days of the invoice date.",
        "• Prices exclude shipping",
        "Page 1 of 1",
        "2026-12-02 10:00 UTC",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    // No discount in any line: no discount column.
    assert!(!text.contains("Discount 1"), "{text}");
}

#[test]
fn long_tables_repeat_their_header_on_every_page() {
    let doc = business(60);
    let bytes = render_business_document(&doc).expect("render");
    let pages = count_page_objects(&bytes);
    assert!(pages >= 2, "{pages} pages");
    assert_eq!(parse(&bytes).pages.len(), pages);
    let Some(all) = pdftotext(&bytes, &[]) else {
        return;
    };
    for item in &doc.lines {
        assert_eq!(
            all.matches(&item.description).count(),
            1,
            "{:?} not exactly once",
            item.description
        );
    }
    for (label, value) in &doc.totals {
        assert!(
            all.contains(label.as_str()) && all.contains(value.as_str()),
            "{label}"
        );
    }
    for page in 1..=pages {
        let n = page.to_string();
        let text = pdftotext(&bytes, &["-layout", "-f", &n, "-l", &n]).expect("pdftotext");
        assert!(
            text.contains(&format!("Page {page} of {pages}")),
            "no page label on page {page}:\n{text}"
        );
        if text.contains("consulting") {
            for header in ["Description", "Qty", "Unit price", "Discount", "Tax", "Net"] {
                assert!(
                    text.contains(header),
                    "{header:?} missing on page {page}:\n{text}"
                );
            }
        }
        if page > 1 {
            assert!(
                text.contains("Quote QU-00012"),
                "no running header on {page}"
            );
        }
    }
}

/// The right edge of every word on the pages, from `pdftotext -bbox`.
fn word_right_edges(bytes: &[u8]) -> Option<Vec<(f32, String)>> {
    let html = pdftotext(bytes, &["-bbox"])?;
    let mut out = Vec::new();
    for part in html.split("<word ").skip(1) {
        let x_max = part
            .split("xMax=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse::<f32>().ok())
            .expect("xMax");
        let word = part
            .split('>')
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap_or_default();
        out.push((x_max, word.to_owned()));
    }
    Some(out)
}

#[test]
fn long_descriptions_wrap_inside_the_page() {
    let mut doc = business(3);
    let long = "Replacement of the complete fuser assembly including rollers, thermistor, \
                pressure springs and the heating element, calibrated on site"
        .to_owned();
    doc.lines[1].description = long.clone();
    doc.lines[1].details = "Detail text that is also long enough to need more than one line \
                            in the description column of the table"
        .into();
    doc.lines[2].description =
        "Averyveryveryveryveryveryveryveryveryveryveryveryverylongword".repeat(2);
    let bytes = render_business_document(&doc).expect("render");
    let Some(words) = word_right_edges(&bytes) else {
        return;
    };
    let right = 595.276 - 56.0 + 0.5;
    for (x, word) in &words {
        assert!(*x <= right, "{word:?} ends at {x}, beyond the margin");
    }
    // Every word of the description is there, in order, on several lines.
    let text = squeeze(&pdftotext(&bytes, &[]).expect("pdftotext"));
    let squeezed_long = squeeze(&long);
    for word in squeezed_long.split(' ') {
        assert!(text.contains(word), "{word:?} lost");
    }
    let layout = pdftotext(&bytes, &["-layout"]).expect("pdftotext");
    assert!(!layout.lines().any(|l| l.contains(&long)), "not wrapped");
}

#[test]
fn record_text_stays_inside_the_page() {
    let bytes = render(&sample()).expect("render");
    let Some(words) = word_right_edges(&bytes) else {
        return;
    };
    for (x, word) in &words {
        assert!(*x <= 595.276 - 56.0 + 0.5, "{word:?} ends at {x}");
    }
}

#[test]
fn logos_are_embedded_and_bad_ones_left_out() {
    let mut doc = business(2);
    doc.logo = Some(PdfImage {
        bytes: crate::image::tests::sample_png(120, 40),
        mime: "image/png".into(),
    });
    let png = render_business_document(&doc).expect("png logo");
    assert!(contains(&png, "/Subtype /Image") || contains(&png, "/Subtype/Image"));
    assert!(contains(&png, "/SMask"));

    doc.logo = Some(PdfImage {
        bytes: crate::image::tests::SAMPLE_JPEG.to_vec(),
        mime: "image/jpeg".into(),
    });
    let jpeg = render_business_document(&doc).expect("jpeg logo");
    assert!(contains(&jpeg, "/DCTDecode"));

    for garbage in [
        b"not an image at all".to_vec(),
        b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR garbage".to_vec(),
        vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08],
        b"GIF89a\x01\x00\x01\x00".to_vec(),
    ] {
        doc.logo = Some(PdfImage {
            bytes: garbage,
            mime: "image/png".into(),
        });
        let bytes = render_business_document(&doc).expect("garbage logo is no error");
        assert_well_formed(&bytes);
        assert!(!contains(&bytes, "/Subtype /Image") && !contains(&bytes, "/Subtype/Image"));
        // Without a logo the seller's name stands in its place.
        if let Some(text) = pdftotext(&bytes, &[]) {
            assert!(text.contains("Atrium Demo GmbH"));
        }
    }

    // Both logos draw (poppler renders the pages without complaint).
    for bytes in [&png, &jpeg] {
        let dir = std::env::temp_dir().join(format!("atrium-pdf-logo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("logo.pdf");
        std::fs::write(&path, bytes).expect("write");
        let out = std::process::Command::new("pdftoppm")
            .args(["-r", "20", "-png"])
            .arg(&path)
            .arg(dir.join("page"))
            .output();
        let _ = std::fs::remove_dir_all(&dir);
        match out {
            Ok(out) => {
                assert!(out.status.success(), "{out:?}");
                assert!(
                    out.stderr.is_empty(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("pdftoppm not installed; skipping the rendering check");
            }
            Err(e) => panic!("running pdftoppm: {e}"),
        }
    }
}

/// Writes samples for a visual check: `cargo test -p atrium-pdf write_samples -- --ignored`
/// (into `$ATRIUM_PDF_SAMPLES`, default the system's temporary directory).
#[test]
#[ignore]
fn write_samples() {
    let dir = std::env::var("ATRIUM_PDF_SAMPLES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir());
    let mut record = sample();
    record.comments.insert(
        0,
        PdfComment {
            author: "Markdown".into(),
            at: "2025-03-04T08:00:00Z".into(),
            body: "# Heading one\n\nSome **bold**, *italic*, ***both***, ~~struck~~ and \
                   `inline code` in a sentence that goes on long enough to wrap onto the next \
                   line of the comment.\n\n## Heading two\n\n\
                   1. first step\n2. second step with a [link](https://example.com/a/b) in it\n   \
                   - nested bullet\n   - another nested one that is long enough to wrap onto a \
                   second line under its own text\n3. third step\n\n\
                   - [x] done task\n- [ ] open task\n\n\
                   > A quoted line from an e-mail\n> > and a quote inside the quote\n\n\
                   ```\nfn main() {\n    println!(\"hello\");\n}\n```\n\n\
                   | Part | Qty |\n|------|-----|\n| Fuser | 1 |\n| Roller | 2 |\n\n---\n\n\
                   Last line  \nafter a hard break. <b>html</b> stays text; AV Wa To kerning; \
                   → ≤ ≠ ✓ ☐ € ₽ Ελληνικά Кириллица Tiếng Việt."
                .into(),
        },
    );
    record.comments.extend((0..40).map(|i| PdfComment {
        author: format!("Agent {i}"),
        at: "2025-03-04T11:00:00Z".into(),
        body: "Follow-up: checked the device, *waiting* on the vendor. ".repeat(1 + i % 4),
    }));
    std::fs::write(dir.join("record.pdf"), render(&record).expect("render")).expect("write");
    let mut quote = business(24);
    quote.logo = Some(PdfImage {
        bytes: crate::image::tests::sample_png(300, 100),
        mime: "image/png".into(),
    });
    quote.lines[1].description = "Replacement of the complete fuser assembly including \
                                  rollers, thermistor and pressure springs"
        .into();
    std::fs::write(
        dir.join("quote.pdf"),
        render_business_document(&quote).expect("render"),
    )
    .expect("write");
    let mut invoice = business(3);
    invoice.logo = Some(PdfImage {
        bytes: crate::image::tests::SAMPLE_JPEG.to_vec(),
        mime: "image/jpeg".into(),
    });
    invoice.heading = "Invoice".into();
    invoice.number = "INV-2026-0042".into();
    std::fs::write(
        dir.join("invoice.pdf"),
        render_business_document(&invoice).expect("render"),
    )
    .expect("write");
}
