//! Markdown to safe HTML: CommonMark (plus tables, strikethrough, task lists) rendered by
//! pulldown-cmark, then sanitized by ammonia, because raw HTML passes through the renderer.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use pulldown_cmark::{Options, Parser, html};

/// `markdown` as sanitized HTML. The same texts are shown again and again (a record's
/// description on each view of its page, the home's announcement, the FAQs), and rendering
/// and cleaning one costs more than the rest of showing it: texts rendered lately are kept.
pub fn to_safe_html(markdown: &str) -> String {
    if markdown.is_empty() {
        return String::new();
    }
    let rendered = || {
        RENDERED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    if let Some(html) = rendered().get(markdown) {
        return html.clone();
    }
    let html = render(markdown);
    if markdown.len() <= KEPT_TEXT_BYTES {
        let mut kept = rendered();
        if kept.len() >= KEPT_TEXTS {
            kept.clear();
        }
        kept.insert(markdown.to_owned(), html.clone());
    }
    html
}

/// Texts and their HTML, by the text itself (no hash stands in for it).
type Rendered = HashMap<String, String>;

/// At most this many texts are kept (then all are dropped and kept again as they are shown),
/// each at most this long: a few megabytes at most.
const KEPT_TEXTS: usize = 512;
const KEPT_TEXT_BYTES: usize = 4 * 1024;

static RENDERED: LazyLock<Mutex<Rendered>> = LazyLock::new(Mutex::default);

fn render(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    CLEANER.clean(&unsafe_html).to_string()
}

/// The sanitizer, built once: a builder fills a dozen sets of tags and attributes, which cost
/// more than cleaning a short text.
static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .link_rel(Some("noopener noreferrer nofollow"))
        .attribute_filter(|element, attribute, value| {
            // An image from elsewhere tells its server who read the text and when (a tracking
            // pixel): only images Atrium itself serves, by a path on this site, are kept.
            if element == "img" && attribute == "src" && !is_own_path(value) {
                return None;
            }
            Some(value.into())
        });
    builder
});

/// A path on this site (`/api/v1/…`), not a URL of another one (`//host/…`, `https://…`).
fn is_own_path(url: &str) -> bool {
    url.starts_with('/') && !url.starts_with("//") && !url.starts_with("/\\")
}

#[cfg(test)]
mod tests {
    use super::{render, to_safe_html};

    #[test]
    fn a_text_shown_again_gives_the_same_html_as_rendering_it_again() {
        let texts = [
            "**bold** and <script>alert(1)</script>",
            "",
            "- one\n- two",
            "**bold** and <script>alert(1)</script>",
        ];
        for text in texts {
            let first = to_safe_html(text);
            assert_eq!(first, render(text));
            assert_eq!(to_safe_html(text), first);
        }
        // A text longer than those kept is rendered each time, the same.
        let long = "word ".repeat(2000);
        assert_eq!(to_safe_html(&long), render(&long));
        assert_eq!(to_safe_html(&long), to_safe_html(&long));
    }

    #[test]
    fn an_ordered_list_keeps_its_first_number_and_nothing_else() {
        // Found by fuzzing: `start` is the one attribute an <ol> keeps.
        let html = to_safe_html(
            "0. zero\n1. one\n\n<ol start=\"3\" onclick=\"x()\" type=\"a\"><li>c</li></ol>",
        );
        assert!(html.contains("<ol start=\"0\">"), "{html}");
        assert!(html.contains("<ol start=\"3\">"), "{html}");
        assert!(
            !html.contains("onclick") && !html.contains("type="),
            "{html}"
        );
    }

    #[test]
    fn renders_emphasis_and_links() {
        let html = to_safe_html("**bold** and [a link](https://example.com)");
        assert!(html.contains("<strong>bold</strong>"));
        assert!(html.contains("href=\"https://example.com\""));
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""));
    }

    #[test]
    fn strips_scripts_event_handlers_and_javascript_links() {
        let html = to_safe_html(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn keeps_only_images_this_site_serves() {
        let html = to_safe_html(
            "![pixel](https://tracker.example/p.gif) ![also](//tracker.example/p.gif) ![logo](/api/v1/company/logo)",
        );
        assert!(!html.contains("tracker.example"), "{html}");
        assert!(html.contains("src=\"/api/v1/company/logo\""), "{html}");
    }
}
