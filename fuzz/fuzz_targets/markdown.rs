//! `markdown::to_safe_html`: never panics, and its output keeps what the sanitizer promises.
//!
//! crates/core/src/markdown.rs renders CommonMark with pulldown-cmark and cleans the result
//! with `ammonia::Builder::default()` plus `link_rel("noopener noreferrer nofollow")` and a
//! filter that keeps an `img src` only if it is a path on this site. So the
//! output, read back the way a browser reads it (html5ever's tokenizer, the one ammonia parses
//! with), must hold:
//! - no `<script` anywhere (text is escaped, so any `<` starts a tag);
//! - no comment, doctype or processing instruction;
//! - only elements of ammonia's default allow-list, and on each only its allowed attributes
//!   (`lang`, `title`, the per-tag ones, and `rel` on `a`): so never an `on…` event handler
//!   or `style`;
//! - every URL attribute ammonia checks (`href`, `src`) relative or of one of ammonia's
//!   default schemes: never `javascript:`, `vbscript:` or `data:`, however encoded;
//! - every `a` carries `rel="noopener noreferrer nofollow"`;
//! - every `img src` is "a path on this site" (markdown.rs drops other images as tracking
//!   pixels): resolved the way a browser resolves it against a page of this site, it stays on
//!   that site (same scheme, host and port).
//!
//! ATRIUM_FUZZ_PRINT=1 prints each output.
#![no_main]

use std::cell::RefCell;

use html5ever::tokenizer::{
    BufferQueue, StartTag, Tag, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use libfuzzer_sys::fuzz_target;

const TAGS: &[&str] = &[
    "a", "abbr", "acronym", "area", "article", "aside", "b", "bdi", "bdo", "blockquote", "br",
    "caption", "center", "cite", "code", "col", "colgroup", "data", "dd", "del", "details", "dfn",
    "div", "dl", "dt", "em", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hgroup", "hr", "i", "img", "ins", "kbd", "li", "map", "mark", "nav", "ol", "p",
    "pre", "q", "rp", "rt", "rtc", "ruby", "s", "samp", "small", "span", "strike", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "time", "tr", "tt", "u", "ul",
    "var", "wbr",
];

const GENERIC_ATTRIBUTES: &[&str] = &["lang", "title"];

fn tag_attributes(tag: &str) -> &'static [&'static str] {
    match tag {
        "a" => &["href", "hreflang", "rel"],
        "bdo" => &["dir"],
        "blockquote" | "q" => &["cite"],
        "col" | "colgroup" => &["align", "char", "charoff", "span"],
        "del" | "ins" => &["cite", "datetime"],
        "hr" => &["align", "size", "width"],
        "img" => &["align", "alt", "height", "src", "width"],
        "ol" => &["start"],
        "table" => &["align", "char", "charoff", "summary"],
        "tbody" | "tfoot" | "thead" | "tr" => &["align", "char", "charoff"],
        "td" => &["align", "char", "charoff", "colspan", "headers", "rowspan"],
        "th" => &["align", "char", "charoff", "colspan", "headers", "rowspan", "scope"],
        _ => &[],
    }
}

const URL_SCHEMES: &[&str] = &[
    "bitcoin", "ftp", "ftps", "geo", "http", "https", "im", "irc", "ircs", "magnet", "mailto",
    "mms", "mx", "news", "nntp", "openpgp4fpr", "sip", "sms", "smsto", "ssh", "tel", "url",
    "webcal", "wtai", "xmpp",
];

const LINK_REL: &str = "noopener noreferrer nofollow";

/// A page of this site the HTML is shown on, to resolve relative image URLs like a browser.
const SITE_PAGE: &str = "https://atrium.example/portal/records/cases/1";

/// The URL as a browser sees it before parsing: leading/trailing C0 controls and spaces
/// stripped, tabs and newlines removed, lowercased.
fn browser_view(url: &str) -> String {
    url.trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase()
}

fn check_url(html: &str, tag: &str, attr: &str, value: &str) {
    let seen = browser_view(value);
    for bad in ["javascript:", "vbscript:", "data:"] {
        assert!(
            !seen.starts_with(bad),
            "{tag} {attr}={value:?} is a {bad} URL in {html:?}"
        );
    }
    match url::Url::parse(value) {
        Ok(url) => assert!(
            URL_SCHEMES.contains(&url.scheme()),
            "{tag} {attr}={value:?} has scheme {:?} in {html:?}",
            url.scheme()
        ),
        Err(url::ParseError::RelativeUrlWithoutBase) => {}
        Err(e) => panic!("{tag} {attr}={value:?} is no URL ({e}) in {html:?}"),
    }
    if tag == "img" {
        let page = url::Url::parse(SITE_PAGE).expect("a URL");
        let resolved = page.join(value);
        assert!(
            resolved
                .as_ref()
                .is_ok_and(|url| url.origin() == page.origin()),
            "img src={value:?} leaves the site (resolves to {resolved:?}) in {html:?}"
        );
    }
}

struct Checker {
    html: String,
    problems: RefCell<Vec<String>>,
}

impl Checker {
    fn start_tag(&self, tag: &Tag) {
        let name = &*tag.name;
        let html = &self.html;
        assert!(TAGS.contains(&name), "element <{name}> in {html:?}");
        let mut rels = 0;
        for attr in &tag.attrs {
            let attr_name = &*attr.name.local;
            let value = &*attr.value;
            assert!(
                !attr_name.starts_with("on"),
                "event handler {attr_name}= on <{name}> in {html:?}"
            );
            assert!(
                GENERIC_ATTRIBUTES.contains(&attr_name) || tag_attributes(name).contains(&attr_name),
                "attribute {attr_name}= on <{name}> in {html:?}"
            );
            if matches!(attr_name, "href" | "src") {
                check_url(html, name, attr_name, value);
            }
            if attr_name == "rel" {
                assert_eq!(value, LINK_REL, "rel on <{name}> in {html:?}");
                rels += 1;
            }
        }
        if name == "a" {
            assert_eq!(rels, 1, "<a> without its rel in {html:?}");
        }
    }
}

impl TokenSink for Checker {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) if tag.kind == StartTag => self.start_tag(&tag),
            Token::TagToken(_)
            | Token::CharacterTokens(_)
            | Token::NullCharacterToken
            | Token::EOFToken
            | Token::ParseError(_) => {}
            Token::CommentToken(c) => self.problems.borrow_mut().push(format!("comment {c:?}")),
            Token::DoctypeToken(d) => self.problems.borrow_mut().push(format!("doctype {d:?}")),
            #[allow(unreachable_patterns)]
            other => self.problems.borrow_mut().push(format!("token {other:?}")),
        }
        TokenSinkResult::Continue
    }
}

fn check_output(html: &str) {
    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "<script in {html:?}"
    );
    let checker = Checker {
        html: html.to_owned(),
        problems: RefCell::new(Vec::new()),
    };
    let tokenizer = Tokenizer::new(checker, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(html.into());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let problems = tokenizer.sink.problems.borrow();
    assert!(problems.is_empty(), "{problems:?} in {html:?}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(markdown) = std::str::from_utf8(data) else {
        return;
    };
    let html = atrium_core::markdown::to_safe_html(markdown);
    if std::env::var_os("ATRIUM_FUZZ_PRINT").is_some() {
        eprintln!("{html}");
    }
    check_output(&html);
});
