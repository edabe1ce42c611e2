//! Markdown to safe HTML: CommonMark (plus tables, strikethrough, task lists) rendered by
//! pulldown-cmark, then sanitized by ammonia, because raw HTML passes through the renderer.

use std::sync::LazyLock;

use pulldown_cmark::{Options, Parser, html};

pub fn to_safe_html(markdown: &str) -> String {
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
    use super::to_safe_html;

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
