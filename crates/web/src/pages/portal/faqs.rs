//! The FAQ: published questions by category, each opening to its answer, and a search that
//! ranks answers and highlights the words found. Only what the customer may read is listed or
//! searched (`atrium-app` applies the portal's FAQ layout).

use askama::Template;
use atrium_core::Error;
use axum::extract::{Path, State};
use axum::response::Response;

use crate::AppState;
use crate::extract::QueryPairs;
use crate::pages::display::show;
use crate::pages::render::{self, Chrome, framed};
use crate::pages::site::Visitor;

pub struct Question {
    pub href: String,
    pub question: String,
    pub answer_html: String,
}

pub struct Category {
    pub name: String,
    pub questions: Vec<Question>,
}

pub struct Found {
    pub href: String,
    /// The question and the snippet, escaped, with the words searched for in `<mark>`.
    pub question_html: String,
    /// The snippet, escaped, with the words searched for in `<mark>`.
    pub snippet_html: String,
}

#[derive(Template)]
#[template(path = "portal/faqs.html")]
pub struct FaqPage {
    pub c: Chrome,
    pub q: String,
    pub categories: Vec<Category>,
    pub found: Option<Vec<Found>>,
    pub found_text: String,
}
framed!(FaqPage);

#[derive(Template)]
#[template(path = "portal/faq.html")]
pub struct FaqArticle {
    pub c: Chrome,
    pub question: Question,
}
framed!(FaqArticle);

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// `text` escaped, with every word of `query` (3 letters or more, any case) in `<mark>`.
pub fn highlight(text: &str, query: &str) -> String {
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect();
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let lower = word.to_lowercase();
        if words.iter().any(|w| lower.starts_with(w.as_str())) {
            out.push_str(&format!("<mark>{}</mark>", escape(word)));
        } else {
            out.push_str(&escape(word));
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push_str(&escape(&c.to_string()));
        }
    }
    flush(&mut word, &mut out);
    out
}

fn question(visitor: &Visitor, view: &atrium_app::views::RecordView) -> Question {
    let site = &visitor.site;
    let record = &view.record;
    let answer_html = view
        .view
        .field("answer")
        .map(|def| {
            let shown = show(
                &site.tr,
                def,
                record.get("answer"),
                &visitor.customer.company.time_zone,
                &|_, _| None,
            );
            shown
                .html
                .unwrap_or_else(|| escape(&shown.text).replace('\n', "<br>"))
        })
        .unwrap_or_default();
    Question {
        href: site.path(&format!("/faqs/{}", record.id)),
        question: record.get("question").as_text().unwrap_or("").to_owned(),
        answer_html,
    }
}

pub async fn index(
    State(state): State<AppState>,
    visitor: Visitor,
    QueryPairs(pairs): QueryPairs,
) -> Response {
    let site = &visitor.site;
    let tr = &site.tr;
    let q = pairs
        .iter()
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let (found, found_text) = if q.is_empty() {
        (None, String::new())
    } else {
        match state.app.search_faqs(&visitor.customer, &q).await {
            Ok(hits) => {
                let text = tr.with(
                    "faqs-results",
                    &[
                        (
                            "total",
                            crate::pages::i18n::Arg::Number(hits.items.len() as i64),
                        ),
                        ("q", crate::pages::i18n::Arg::Text(q.clone())),
                    ],
                );
                let found = hits
                    .items
                    .iter()
                    .map(|hit| Found {
                        href: site.path(&format!("/faqs/{}", hit.id)),
                        question_html: highlight(&hit.question, &q),
                        snippet_html: highlight(&hit.snippet, &q),
                    })
                    .collect();
                (Some(found), text)
            }
            Err(Error::Validation(errors)) => (
                Some(Vec::new()),
                errors
                    .first()
                    .map(|e| e.message.clone())
                    .unwrap_or_default(),
            ),
            Err(error) => return site.error(error),
        }
    };
    let params = [
        ("per_page".to_owned(), "200".to_owned()),
        ("sort".to_owned(), "question".to_owned()),
    ];
    let page = match state
        .app
        .customer_list(&visitor.customer, "faqs", &params)
        .await
    {
        Ok(page) => page,
        Err(error) => return site.error(error),
    };
    let mut categories: Vec<Category> = Vec::new();
    for view in &page.items {
        let name = view
            .record
            .get("category")
            .as_text()
            .map(str::to_owned)
            .unwrap_or_else(|| tr.t("uncategorized"));
        let entry = question(&visitor, view);
        match categories.iter_mut().find(|c| c.name == name) {
            Some(category) => category.questions.push(entry),
            None => categories.push(Category {
                name,
                questions: vec![entry],
            }),
        }
    }
    categories.sort_by(|a, b| a.name.cmp(&b.name));
    let title = tr.t("faqs-title");
    let page = FaqPage {
        c: Chrome::signed_in(site, &state.app, &visitor.customer, title, "faqs"),
        q,
        categories,
        found,
        found_text,
    };
    render::page(site, &page, None)
}

/// The FAQ a path names (under whichever portal prefix).
#[derive(serde::Deserialize)]
pub struct Article {
    id: String,
}

pub async fn article(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(Article { id }): Path<Article>,
) -> Response {
    let site = &visitor.site;
    let view = match state
        .app
        .customer_read(&visitor.customer, "faqs", &id)
        .await
    {
        Ok(view) => view,
        Err(error) => return site.error(error),
    };
    let question = question(&visitor, &view);
    let page = FaqArticle {
        c: Chrome::signed_in(
            site,
            &state.app,
            &visitor.customer,
            question.question.clone(),
            "faqs",
        ),
        question,
    };
    render::page(site, &page, None)
}

#[cfg(test)]
mod tests {
    use super::highlight;

    #[test]
    fn words_are_marked_and_everything_is_escaped() {
        assert_eq!(
            highlight("Reset the <router> by pressing Reset", "reset"),
            "<mark>Reset</mark> the &lt;router&gt; by pressing <mark>Reset</mark>"
        );
        assert_eq!(highlight("a&b", "a"), "a&amp;b");
    }
}
