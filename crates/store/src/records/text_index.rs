//! Ranked full-text search over a module's text fields and its number: on SQLite an FTS5 index
//! reading the module's own table (external content, kept by triggers), on PostgreSQL a stored
//! `tsvector` column of the same words (generated from the row, so PostgreSQL keeps it) with a
//! GIN index over it. Both match every word of the query as a prefix, so typing narrows the
//! list as a person expects.
//!
//! The index serves the staff, who see every field. A customer's search stays the substring
//! match over the fields their portal shows (`filter.rs`): it must not find records by what
//! the customer cannot read, and the access rules have already narrowed it to a few rows.

use atrium_core::{ModuleDef, Result};
use sea_query::{Expr, Query, SelectStatement, SimpleExpr};
use sha2::Digest;

use crate::db::{Backend, Db};
use crate::schema::{self, quote_name, quoted};

/// The most words of a query that count; the rest are ignored.
const MAX_TERMS: usize = 12;

/// The columns the index reads: the number, then each text field.
pub(crate) fn columns(module: &ModuleDef) -> Vec<&str> {
    std::iter::once("number")
        .chain(
            module
                .fields
                .iter()
                .filter(|f| f.field_type.is_text_searchable())
                .map(|f| f.name.as_str()),
        )
        .collect()
}

/// Whether the module has an index: it has text fields.
pub(crate) fn indexed(module: &ModuleDef) -> bool {
    columns(module).len() > 1
}

/// Whether a search through `view` uses the index: only a search through the whole module
/// (staff). A customer's view leaves fields out; its rows are few and found first through the
/// access rules' indexes, so a substring match over them is both cheaper than intersecting
/// with every hit of a common word among millions and sure to look only at what the customer
/// may read.
pub(crate) fn covers(module: &ModuleDef, view: &ModuleDef) -> bool {
    indexed(module) && view.fields.len() == module.fields.len()
}

/// The words of a query, lowercased; `None` when it has none (only punctuation), so the
/// caller falls back to a substring match.
fn terms(text: &str) -> Option<Vec<String>> {
    let terms: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .take(MAX_TERMS)
        .map(str::to_lowercase)
        .collect();
    (!terms.is_empty()).then_some(terms)
}

/// The words of a query that narrow it down. A word that begins a word of the module's number
/// prefix (`cs` of `CS-00042`) is in every record's number: it matches every record, so it
/// changes nothing but the work (the index would intersect the other words' hits with all of
/// the table's rows — `CS-614491` took 0.16 s on a million cases, `614491` 3 ms). Such words
/// are left out, unless they are all the query has.
fn narrowing_terms(module: &ModuleDef, text: &str) -> Option<Vec<String>> {
    let all = terms(text)?;
    let everywhere = terms(&module.number_prefix).unwrap_or_default();
    let narrowing: Vec<String> = all
        .iter()
        .filter(|term| {
            !everywhere
                .iter()
                .any(|word| word.starts_with(term.as_str()))
        })
        .cloned()
        .collect();
    Some(if narrowing.is_empty() { all } else { narrowing })
}

/// FTS5 query text: each word quoted (so user text is never syntax), every one required,
/// each as a prefix.
fn fts5_query(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| format!("\"{t}\"*"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `tsquery` text: the words are alphanumeric only, so none of them is tsquery syntax.
fn tsquery(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| format!("{t}:*"))
        .collect::<Vec<_>>()
        .join(" & ")
}

fn index_name(module: &ModuleDef) -> String {
    format!("{}__text", module.name)
}

/// The PostgreSQL document: the indexed columns as one text, in the index's very expression.
fn pg_document(module: &ModuleDef) -> Result<String> {
    let parts = columns(module)
        .into_iter()
        .map(|c| Ok(format!("coalesce({}, '')", quoted(c)?)))
        .collect::<Result<Vec<_>>>()?;
    // Words are split at every non-alphanumeric character, as SQLite's tokenizer does
    // (PostgreSQL's parser would keep `anna@example.com` or `cs-00042` whole).
    Ok(format!(
        "to_tsvector('simple'::regconfig, regexp_replace({}, '[^[:alnum:]]+', ' ', 'g'))",
        parts.join(" || ' ' || ")
    ))
}

/// A short digest of what the index covers: part of its objects' names, so that a module
/// whose text fields change gets a new index (built once) and the old one is dropped.
fn signature(module: &ModuleDef) -> String {
    let digest = sha2::Sha256::digest(columns(module).join(",").as_bytes());
    crate::files::hex(&digest)[..12].to_owned()
}

/// PostgreSQL's document column: a digest of its columns and of its form in the name, so a
/// change of either makes a new column (and index) and the old ones go. A leading underscore
/// keeps it apart from fields, whose names start with a letter.
fn pg_column(module: &ModuleDef) -> String {
    let digest = sha2::Sha256::digest(format!("stored:{}", columns(module).join(",")).as_bytes());
    format!("_text_{}", &crate::files::hex(&digest)[..12])
}

/// The words FTS5 gathers in memory before it writes them out as a segment, while it
/// builds an index from a whole table: at its default (1 MiB) a million cases make hundreds
/// of segments to merge again; at 32 MiB their index builds in 5 s instead of 8.
const REBUILD_HASH_SIZE: u32 = 32 * 1024 * 1024;

/// FTS5's default, set back after a build: the writes of requests are small, and each
/// transaction writes its words out when it commits anyway.
const WRITE_HASH_SIZE: u32 = 1024 * 1024;

/// Creates or replaces the module's index when its text fields changed; otherwise does
/// nothing (a start-up on a large database costs one lookup).
pub(crate) async fn sync(db: &Db, module: &ModuleDef) -> Result<()> {
    if !indexed(module) {
        return Ok(());
    }
    let name = index_name(module);
    let current = format!("{name}_{}", signature(module));
    let table = quoted(&module.name)?;
    // This index's objects, of the current digest or an older one.
    let made = schema::objects_named(db, &module.name, &format!("{name}_")).await?;
    match db.backend() {
        Backend::Sqlite => {
            let insert_name = format!("{current}_insert");
            if made.iter().any(|o| o.name == insert_name) {
                return Ok(());
            }
            for trigger in &made {
                trigger.drop(db).await?;
            }
            let fts = quote_name(&name);
            let cols: Vec<String> = columns(module)
                .into_iter()
                .map(quoted)
                .collect::<Result<_>>()?;
            let list = cols.join(", ");
            let new_values = cols
                .iter()
                .map(|c| format!("new.{c}"))
                .collect::<Vec<_>>()
                .join(", ");
            let old_values = cols
                .iter()
                .map(|c| format!("old.{c}"))
                .collect::<Vec<_>>()
                .join(", ");
            let insert =
                format!("INSERT INTO {fts} (rowid, {list}) VALUES (new.rowid, {new_values});");
            let delete = format!(
                "INSERT INTO {fts} ({fts}, rowid, {list}) VALUES ('delete', old.rowid, {old_values});"
            );
            db.execute_ddl(format!(
                "DROP TABLE IF EXISTS {fts};
                 CREATE VIRTUAL TABLE {fts} USING fts5({list}, content={table}, tokenize = 'unicode61 remove_diacritics 2');
                 CREATE TRIGGER {insert_name} AFTER INSERT ON {table} BEGIN {insert} END;
                 CREATE TRIGGER {delete_name} AFTER DELETE ON {table} BEGIN {delete} END;
                 CREATE TRIGGER {update_name} AFTER UPDATE OF {list} ON {table} BEGIN {delete} {insert} END;
                 INSERT INTO {fts} ({fts}, rank) VALUES ('hashsize', {REBUILD_HASH_SIZE});
                 INSERT INTO {fts} ({fts}) VALUES ('rebuild');
                 INSERT INTO {fts} ({fts}, rank) VALUES ('hashsize', {WRITE_HASH_SIZE});",
                insert_name = quote_name(&insert_name),
                delete_name = quote_name(&format!("{current}_delete")),
                update_name = quote_name(&format!("{current}_update")),
            ))
            .await?;
        }
        Backend::Postgres => {
            // Ranking reads each hit's words: stored with the row they are read, not made
            // again from its text (which cost most of a common word's search).
            let column = pg_column(module);
            let current = format!("{name}_{}", &column["_text_".len()..]);
            // The index is made last, after the old objects went: alone, it says all is done.
            if made.len() == 1 && made[0].name == current {
                return Ok(());
            }
            for old in made.iter().filter(|o| o.name != current) {
                old.drop(db).await?;
            }
            let columns = schema::existing_columns(db, &module.name).await?;
            for old in columns
                .iter()
                .filter(|c| c.starts_with("_text_") && **c != column)
            {
                db.execute_ddl(format!(
                    "ALTER TABLE {table} DROP COLUMN IF EXISTS {}",
                    quote_name(old)
                ))
                .await?;
            }
            if !columns.contains(&column) {
                db.execute_ddl(format!(
                    "ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {} tsvector \
                     GENERATED ALWAYS AS ({}) STORED",
                    quote_name(&column),
                    pg_document(module)?
                ))
                .await?;
            }
            if !made.iter().any(|o| o.name == current) {
                db.execute_ddl(format!(
                    "CREATE INDEX IF NOT EXISTS {} ON {table} USING GIN ({})",
                    quote_name(&current),
                    quote_name(&column)
                ))
                .await?;
            }
        }
    }
    Ok(())
}

/// The condition "the record holds every word of `text`", or `None` when `text` has no
/// words.
pub(crate) fn condition(
    backend: Backend,
    module: &ModuleDef,
    text: &str,
) -> Result<Option<SimpleExpr>> {
    let Some(terms) = narrowing_terms(module, text) else {
        return Ok(None);
    };
    let table = quoted(&module.name)?;
    Ok(Some(match backend {
        Backend::Sqlite => {
            let fts = quote_name(&index_name(module));
            Expr::cust_with_values(
                format!("{table}.rowid IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)"),
                [fts5_query(&terms)],
            )
        }
        Backend::Postgres => Expr::cust_with_values(
            format!(
                "{table}.{} @@ to_tsquery('simple', $1)",
                quote_name(&pg_column(module))
            ),
            [tsquery(&terms)],
        ),
    }))
}

/// Orders a list by relevance to `text`, best first; nothing when `text` has no words (the
/// caller's further order then decides).
pub(crate) fn order_by_rank(
    backend: Backend,
    module: &ModuleDef,
    text: &str,
    select: &mut SelectStatement,
) -> Result<()> {
    let Some(terms) = narrowing_terms(module, text) else {
        return Ok(());
    };
    let table = quoted(&module.name)?;
    match backend {
        Backend::Sqlite => {
            // bm25 is only known inside a query of the index itself: join its hits.
            let fts = quote_name(&index_name(module));
            let hits = Query::select()
                .expr_as(Expr::cust("rowid"), "text_hit")
                .expr_as(Expr::cust("rank"), "text_rank")
                .from(index_name(module))
                .and_where(Expr::cust_with_values(
                    format!("{fts} MATCH ?"),
                    [fts5_query(&terms)],
                ))
                .take();
            // The hits drive the query: a CROSS JOIN keeps them the outer loop, where SQLite's
            // planner would otherwise walk the records and ask the index once for each.
            select
                .from_clear()
                .from_subquery(hits, "text_hits")
                .cross_join(module.name.clone())
                .and_where(Expr::cust(format!("text_hits.text_hit = {table}.rowid")));
            select.order_by_expr(Expr::cust("text_hits.text_rank"), sea_query::Order::Asc);
        }
        Backend::Postgres => {
            select.order_by_expr(
                Expr::cust_with_values(
                    format!(
                        "ts_rank({table}.{}, to_tsquery('simple', $1))",
                        quote_name(&pg_column(module))
                    ),
                    [tsquery(&terms)],
                ),
                sea_query::Order::Desc,
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_never_becomes_query_syntax() {
        let t = terms("\"); DROP TABLE cases; -- a:* & b").unwrap_or_default();
        assert_eq!(t, ["drop", "table", "cases", "a", "b"]);
        assert_eq!(
            fts5_query(&t),
            "\"drop\"* \"table\"* \"cases\"* \"a\"* \"b\"*"
        );
        assert_eq!(tsquery(&t), "drop:* & table:* & cases:* & a:* & b:*");
        assert_eq!(terms(" %_ -- "), None);
    }

    #[test]
    fn words_in_every_number_are_left_out_unless_alone() {
        let cases = atrium_core::standard::registry();
        let cases = cases.module("cases").expect("cases");
        assert_eq!(cases.number_prefix, "CS");
        assert_eq!(
            narrowing_terms(cases, "CS-614491"),
            Some(vec!["614491".to_owned()])
        );
        assert_eq!(
            narrowing_terms(cases, "c printer"),
            Some(vec!["printer".to_owned()])
        );
        assert_eq!(
            narrowing_terms(cases, "CS"),
            Some(vec!["cs".to_owned()]),
            "alone, the word stays"
        );
        assert_eq!(
            narrowing_terms(cases, "csv export"),
            Some(vec!["csv".to_owned(), "export".to_owned()]),
            "a longer word is not in every number"
        );
    }

    #[test]
    fn every_word_counts_up_to_a_limit() {
        let many = (0..20)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(terms(&many).map(|t| t.len()), Some(MAX_TERMS));
        assert_eq!(
            terms("Ünïcode Straße"),
            Some(vec!["ünïcode".to_owned(), "straße".to_owned()])
        );
    }
}
