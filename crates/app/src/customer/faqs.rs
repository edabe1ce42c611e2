//! Ranked full-text search over the published FAQs the customer may read.

use atrium_core::portal::FieldAccess;
use atrium_core::{Error, Result};
use serde::Serialize;
use utoipa::ToSchema;

use super::Customer;
use crate::App;

/// Longest search text, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hit {
    pub id: String,
    pub question: String,
    pub snippet: String,
    /// Higher is better.
    pub rank: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hits {
    pub items: Vec<Hit>,
}

impl App {
    /// The FAQs matching `text`, best first.
    pub async fn search_faqs(&self, customer: &Customer, text: &str) -> Result<Hits> {
        let scoped = self.scoped(customer, "faqs")?;
        if scoped.access.field("question") == FieldAccess::Hidden {
            return Err(Error::NotFound);
        }
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::field("q", "required"));
        }
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(Error::field(
                "q",
                format!("must be at most {MAX_QUERY_CHARS} characters"),
            ));
        }
        let answer_visible = scoped.access.field("answer") != FieldAccess::Hidden;
        let hits = self
            .store
            .search_faqs(scoped.module, text, &scoped.read, answer_visible, 20)
            .await?;
        Ok(Hits {
            items: hits
                .into_iter()
                .map(|h| Hit {
                    id: h.id.to_string(),
                    question: h.question,
                    snippet: h.snippet,
                    rank: h.rank,
                })
                .collect(),
        })
    }
}
