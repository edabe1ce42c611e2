//! Ranked full-text search over FAQs: SQLite FTS5 (a shadow table kept by triggers) and
//! PostgreSQL text search (`websearch_to_tsquery`, a GIN expression index). The caller's
//! filter (the access predicate) narrows the candidates in the same query.

use atrium_core::query::Filter;
use atrium_core::{ModuleDef, Result};
use sea_query::{Cond, Expr, ExprTrait, Order, Query};
use uuid::Uuid;

use crate::Store;
use crate::db::{Backend, Db};

/// One search hit.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub id: Uuid,
    pub question: String,
    pub snippet: String,
    /// Higher is better.
    pub rank: f64,
}

const PG_DOCUMENT: &str =
    "to_tsvector('english', coalesce(question, '') || ' ' || coalesce(answer, ''))";

/// The question alone, for portals that hide the answer.
const PG_QUESTION: &str = "to_tsvector('english', coalesce(question, ''))";

/// Creates the search structures for FAQs if they are missing (after the faqs table exists).
pub async fn sync(db: &Db) -> Result<()> {
    match db.backend() {
        Backend::Sqlite => {
            let existed = db
                .fetch_optional(
                    &Query::select()
                        .column("name")
                        .from("sqlite_master")
                        .and_where(Expr::col("name").eq("faqs_fts"))
                        .take(),
                )
                .await?
                .is_some();
            db.execute_ddl(
                "CREATE VIRTUAL TABLE IF NOT EXISTS faqs_fts USING fts5(id UNINDEXED, question, answer, tokenize = 'porter unicode61');
                 CREATE TRIGGER IF NOT EXISTS faqs_fts_insert AFTER INSERT ON faqs BEGIN
                     INSERT INTO faqs_fts (id, question, answer) VALUES (new.id, new.question, new.answer);
                 END;
                 CREATE TRIGGER IF NOT EXISTS faqs_fts_delete AFTER DELETE ON faqs BEGIN
                     DELETE FROM faqs_fts WHERE id = old.id;
                 END;
                 CREATE TRIGGER IF NOT EXISTS faqs_fts_update AFTER UPDATE OF question, answer ON faqs BEGIN
                     DELETE FROM faqs_fts WHERE id = old.id;
                     INSERT INTO faqs_fts (id, question, answer) VALUES (new.id, new.question, new.answer);
                 END;"
                    .to_owned(),
            )
            .await?;
            if !existed {
                db.execute_ddl("INSERT INTO faqs_fts (id, question, answer) SELECT id, question, answer FROM faqs".to_owned())
                    .await?;
            }
        }
        Backend::Postgres => {
            db.execute_ddl(format!(
                "CREATE INDEX IF NOT EXISTS faqs__search ON faqs USING GIN ({PG_DOCUMENT})"
            ))
            .await?;
        }
    }
    Ok(())
}

/// FTS5 query text: each word quoted (so user text is never syntax), any of them may match,
/// prefixes count.
fn fts5_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .take(12)
        .map(|t| format!("\"{}\"*", t.to_lowercase()))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" OR "))
}

/// Markdown marks are noise in a plain-text snippet.
fn plain(snippet: &str) -> String {
    snippet
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '#' | '`' | '|' | '>'))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Store {
    /// FAQs matching `text`, best first, among those `filter` allows. The snippet comes from
    /// the answer when `answer_visible`, else from the question.
    pub async fn search_faqs(
        &self,
        module: &ModuleDef,
        text: &str,
        filter: &Filter,
        answer_visible: bool,
        limit: u64,
    ) -> Result<Vec<SearchHit>> {
        let allowed = Query::select()
            .column("id")
            .from("faqs")
            .cond_where(
                Cond::all()
                    .add(Expr::col("deleted_at").is_null())
                    .add(self.condition(module, filter)?),
            )
            .take();
        let rows = match self.db.backend() {
            Backend::Sqlite => {
                let Some(mut query) = fts5_query(text) else {
                    return Ok(Vec::new());
                };
                // A hidden answer is not searched either: match the question column only.
                if !answer_visible {
                    query = format!("question : ({query})");
                }
                let column = if answer_visible { 2 } else { 1 };
                let select = Query::select()
                    .expr_as(Expr::col(("faqs", "id")), "id")
                    .expr_as(Expr::col(("faqs", "question")), "question")
                    .expr_as(
                        Expr::cust(format!("snippet(faqs_fts, {column}, '', '', '…', 16)")),
                        "snippet",
                    )
                    .expr_as(Expr::cust("-bm25(faqs_fts, 0.0, 3.0, 1.0)"), "score")
                    .from("faqs_fts")
                    .inner_join("faqs", Expr::col(("faqs", "id")).equals(("faqs_fts", "id")))
                    .and_where(Expr::cust_with_values("faqs_fts MATCH ?", [query]))
                    .and_where(Expr::col(("faqs", "id")).in_subquery(allowed))
                    .order_by_expr(Expr::cust("score"), Order::Desc)
                    .limit(limit)
                    .take();
                self.db.fetch_all(&select).await?
            }
            // sea-query numbers PostgreSQL placeholders inside custom expressions as $1, $2, …
            Backend::Postgres => {
                let (source, document) = if answer_visible {
                    ("coalesce(answer, '')", PG_DOCUMENT)
                } else {
                    // A hidden answer is not searched either.
                    ("coalesce(question, '')", PG_QUESTION)
                };
                let select = Query::select()
                    .column("id")
                    .column("question")
                    .expr_as(
                        Expr::cust_with_values(
                            format!("ts_headline('english', {source}, websearch_to_tsquery('english', $1), 'MaxWords=24, MinWords=8, StartSel=\"\", StopSel=\"\"')"),
                            [text],
                        ),
                        "snippet",
                    )
                    .expr_as(
                        Expr::cust_with_values(format!("ts_rank({document}, websearch_to_tsquery('english', $1))::float8"), [text]),
                        "score",
                    )
                    .from("faqs")
                    .and_where(Expr::cust_with_values(format!("{document} @@ websearch_to_tsquery('english', $1)"), [text]))
                    .and_where(Expr::col("id").in_subquery(allowed))
                    .order_by_expr(Expr::cust("score"), Order::Desc)
                    .limit(limit)
                    .take();
                self.db.fetch_all(&select).await?
            }
        };
        rows.iter()
            .map(|row| {
                Ok(SearchHit {
                    id: row.get("id")?,
                    question: row.get::<Option<String>>("question")?.unwrap_or_default(),
                    snippet: plain(&row.get::<Option<String>>("snippet")?.unwrap_or_default()),
                    rank: row.get("score")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_never_becomes_fts_syntax() {
        assert_eq!(
            fts5_query("reset password"),
            Some("\"reset\"* OR \"password\"*".into())
        );
        assert_eq!(
            fts5_query("\"); DROP TABLE faqs; --"),
            Some("\"drop\"* OR \"table\"* OR \"faqs\"*".into())
        );
        assert_eq!(fts5_query("  ** "), None);
    }
}
