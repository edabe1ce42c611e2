//! Reading records: lists and pages, single records, reference labels and field history.

use std::collections::{HashMap, HashSet};

use atrium_core::query::{Filter, ListQuery, RELEVANCE};
use atrium_core::{Error, FieldType, ModuleDef, Record, Result, Value};
use sea_query::{Cond, Condition, Expr, ExprTrait, Order, Query, SimpleExpr};
use uuid::Uuid;

use super::*;
use crate::Store;
use crate::db::{Backend, Rendered};
use crate::shapes::{Fields, Registered, Shape, holds_text, only};
use crate::timeline::Timeline;

impl Store {
    /// A page of `module`'s records matching the query, with the total count.
    pub async fn list(&self, module: &ModuleDef, query: &ListQuery) -> Result<Page> {
        self.list_view(module, module, query).await
    }

    /// A page of `module`'s records matching the query, reading only the fields of `view` (a
    /// subset of the module's fields); text search looks only into those fields too.
    pub async fn list_view(
        &self,
        module: &ModuleDef,
        view: &ModuleDef,
        query: &ListQuery,
    ) -> Result<Page> {
        self.list_view_counted(module, view, query, true).await
    }

    /// The records of a page without counting the total (`total` is the page's length): for
    /// widgets that show the latest few.
    pub async fn first_rows(
        &self,
        module: &ModuleDef,
        view: &ModuleDef,
        query: &ListQuery,
    ) -> Result<Vec<Record>> {
        Ok(self
            .list_view_counted(module, view, query, false)
            .await?
            .items)
    }

    async fn list_view_counted(
        &self,
        module: &ModuleDef,
        view: &ModuleDef,
        query: &ListQuery,
        counted: bool,
    ) -> Result<Page> {
        let (statements, notes) = self.list_statements(module, view, query, counted, None)?;
        let mut statements = statements.into_iter();
        let mut next = || {
            statements
                .next()
                .ok_or_else(|| Error::Internal("a list without its statements".into()))
        };
        let select = next()?;
        let (rows, total) = match (counted, notes.walk) {
            (false, _) => (self.db.fetch_all_rendered(select).await?, None),
            (true, false) => {
                let count = self.count(module, &query.filter, next()?);
                let (rows, total) = tokio::try_join!(self.db.fetch_all_rendered(select), count)?;
                (rows, Some(total))
            }
            (true, true) => {
                // Whether to walk the sort's index depends on how many rows match: the count
                // comes first (kept, it is one small statement), the page after.
                let count = self.count(module, &query.filter, next()?);
                let all = self.count(module, &Filter::All, next()?);
                let (total, all) = tokio::try_join!(count, all)?;
                let need = query.offset().saturating_add(query.per_page);
                let mut rows = None;
                if walks_fewer_rows(total, all, need) {
                    let cap = walk_cap(total, all, need);
                    let (walk, _) = self.list_statements(module, view, query, true, Some(cap))?;
                    let walked = match walk.into_iter().next() {
                        Some(walk) => self.db.fetch_all_rendered(walk).await?,
                        None => return Err(Error::Internal("a walk without its page".into())),
                    };
                    // Fewer rows than the count promises: the matches lie beyond the walk's
                    // reach (they sort last), so the page is read by sorting after all.
                    let promised = Ord::min(total.saturating_sub(query.offset()), query.per_page);
                    if walked.len() as u64 >= promised {
                        rows = Some(walked);
                    }
                }
                let rows = match rows {
                    Some(rows) => rows,
                    None => self.db.fetch_all_rendered(select).await?,
                };
                (rows, Some(total))
            }
        };
        let mut items = rows
            .iter()
            .map(|row| {
                let mut record = decode_record(row, view)?;
                if notes.labels_inline {
                    read_label_columns(row, view, &mut record)?;
                }
                Ok(record)
            })
            .collect::<Result<Vec<_>>>()?;
        if !notes.labels_inline {
            self.fill_labels(view, &mut items).await?;
        }
        let total = total.unwrap_or(items.len() as u64);
        Ok(Page { items, total })
    }

    /// The statements of a list (see [`ListShape`]), kept by their shape.
    fn list_statements(
        &self,
        module: &ModuleDef,
        view: &ModuleDef,
        query: &ListQuery,
        counted: bool,
        walk: Option<u64>,
    ) -> Result<(Vec<Rendered>, ListNotes)> {
        self.shaped(|params| ListShape {
            module: Registered(module),
            view: Fields(view),
            query: ListQuery {
                filter: params.filter(&query.filter),
                sort: query.sort.clone(),
                page: query.page,
                per_page: query.per_page,
            },
            counted,
            walk,
        })
    }

    /// The total that `count` (a count of `module`'s records matching `filter`) answers, kept
    /// while the records it counts stay as they were (see `totals`).
    async fn count(&self, module: &ModuleDef, filter: &Filter, count: Rendered) -> Result<u64> {
        self.totals
            .total(&self.db, count, &module.name, filter)
            .await
    }

    /// Sorts a list as asked; a search by relevance when its index serves the caller's view,
    /// else (and among equals) the latest change first. True when sorted by the text index's
    /// rank, which only the statement joining the index knows.
    fn order(
        &self,
        module: &ModuleDef,
        view: &ModuleDef,
        query: &ListQuery,
        select: &mut sea_query::SelectStatement,
    ) -> Result<bool> {
        if query.sort.field == RELEVANCE {
            let mut ranked = false;
            if let Some(text) = query.search_text()
                && text_index::covers(module, view)
            {
                text_index::order_by_rank(self.db.backend(), module, text, select)?;
                ranked = true;
            }
            select
                .order_by("updated_at", Order::Desc)
                .order_by("id", Order::Desc);
            return Ok(ranked);
        }
        let order = if query.sort.descending {
            Order::Desc
        } else {
            Order::Asc
        };
        select
            .order_by_expr(sort_expr(module, &query.sort.field), order.clone())
            .order_by("id", order);
        Ok(false)
    }

    /// One record of `module` matching `filter`, read through `view`.
    pub async fn get_view(
        &self,
        module: &ModuleDef,
        view: &ModuleDef,
        id: Uuid,
        filter: &Filter,
    ) -> Result<Record> {
        Ok(self
            .get_view_checked(module, view, id, filter, &Questions::default())
            .await?
            .record)
    }

    /// One record of `module` matching `filter`, read through `view` like
    /// [`Store::get_view`], together with the answers to `questions` in the same statement:
    /// what a record's page needs besides the record, without a round trip per question.
    pub async fn get_view_checked(
        &self,
        module: &ModuleDef,
        view: &ModuleDef,
        id: Uuid,
        filter: &Filter,
        questions: &Questions<'_>,
    ) -> Result<Checked> {
        let (statements, ()) = self.shaped(|params| RecordShape {
            module: Registered(module),
            view: Fields(view),
            id: params.id(id),
            filter: params.filter(filter),
            tests: questions.tests.iter().map(|f| params.filter(f)).collect(),
            lists: questions
                .lists
                .iter()
                .map(|list| ProbeShape {
                    module: Registered(list.module),
                    view: Fields(list.view),
                    filter: params.filter(list.filter),
                })
                .collect(),
            timeline: questions.timeline,
            follower: questions.follower.map(|c| params.id(c)),
        })?;
        let row = self
            .db
            .fetch_optional_rendered(only(statements)?)
            .await?
            .ok_or(Error::NotFound)?;
        let answers = |prefix: &str, count: usize| {
            (0..count)
                .map(|i| row.get::<bool>(&format!("{prefix}{i}")))
                .collect::<Result<Vec<_>>>()
        };
        let matches = answers("_check_", questions.tests.len())?;
        let any_rows = answers("_any_", questions.lists.len())?;
        let followed = match questions.follower {
            Some(_) => row.get::<bool>("_followed")?,
            None => false,
        };
        let timeline = match questions.timeline {
            true => Some(Timeline::from_column(
                row.get::<Option<String>>("_timeline")?.as_deref(),
            )?),
            false => None,
        };
        let mut record = decode_record(&row, view)?;
        read_label_columns(&row, view, &mut record)?;
        Ok(Checked {
            record,
            matches,
            any_rows,
            followed,
            timeline,
        })
    }

    /// Whether record `id` of `module` exists and matches `filter`.
    pub async fn matches(&self, module: &ModuleDef, id: Uuid, filter: &Filter) -> Result<bool> {
        let (statements, ()) = self.shaped(|params| Matching {
            module: Registered(module),
            id: params.id(id),
            filter: params.filter(filter),
        })?;
        Ok(self
            .db
            .fetch_optional_rendered(only(statements)?)
            .await?
            .is_some())
    }

    /// `SELECT id` of record `id` of `module` if it is not deleted and matches `filter`.
    pub(super) fn id_matching(
        &self,
        module: &ModuleDef,
        id: Uuid,
        filter: &Filter,
    ) -> Result<SelectStatement> {
        Ok(Query::select()
            .column("id")
            .from(module.name.clone())
            .cond_where(
                Cond::all()
                    .add(not_deleted())
                    .add(Expr::col("id").eq(id))
                    .add(self.condition(module, filter)?),
            )
            .take())
    }

    /// One record that is not deleted, without looking up reference labels.
    pub async fn get_plain(&self, module: &ModuleDef, id: Uuid) -> Result<Record> {
        let select = select_all(module)
            .and_where(Expr::col("id").eq(id))
            .and_where(not_deleted())
            .take();
        let row = self
            .db
            .fetch_optional(&select)
            .await?
            .ok_or(Error::NotFound)?;
        decode_record(&row, module)
    }

    /// One record that is not deleted, with reference labels.
    pub async fn get(&self, module: &ModuleDef, id: Uuid) -> Result<Record> {
        let mut records = vec![self.get_plain(module, id).await?];
        self.fill_labels(module, &mut records).await?;
        records.pop().ok_or(Error::NotFound)
    }

    /// Fills in the labels of every reference in `records`, in one statement.
    pub async fn fill_labels(&self, module: &ModuleDef, records: &mut [Record]) -> Result<()> {
        let wanted = wanted_labels(module, records);
        if wanted.is_empty() {
            return Ok(());
        }
        let (statements, ()) = self.shaped(|params| LabelsOf {
            wanted: wanted
                .iter()
                .map(|(target, ids)| (*target, ids.iter().map(|id| params.id(*id)).collect()))
                .collect(),
        })?;
        let rows = self.db.fetch_all_rendered(only(statements)?).await?;
        let targets: Vec<_> = wanted.into_iter().map(|(target, _)| target).collect();
        Labels::read(&targets, rows)?.apply(module, records);
        Ok(())
    }

    pub(crate) async fn record_labels(
        &self,
        table: &str,
        ids: &[Uuid],
    ) -> Result<HashMap<Uuid, (String, bool)>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let select = Query::select()
            .columns(["id", "label"])
            .expr_as(Expr::col("deleted_at").is_not_null(), "deleted")
            .from(table.to_owned())
            .and_where(Expr::col("id").is_in(ids.iter().copied()))
            .take();
        self.db
            .fetch_all(&select)
            .await?
            .iter()
            .map(|r| Ok((r.get("id")?, (r.get("label")?, r.get("deleted")?))))
            .collect()
    }

    /// Whether a (not deleted) record exists.
    pub async fn exists(&self, module: &ModuleDef, id: Uuid) -> Result<bool> {
        let select = Query::select()
            .column("id")
            .from(module.name.clone())
            .and_where(Expr::col("id").eq(id))
            .and_where(not_deleted())
            .take();
        Ok(self.db.fetch_optional(&select).await?.is_some())
    }
}

/// A page of a list and, when counted, the count of all its rows; on SQLite, for a list that
/// may read its page faster by walking the index of its sort, the count of the module's rows
/// too (see [`walks_fewer_rows`]). With `walk`, only the page read by walking that index, at
/// most `walk` rows of it.
#[derive(Debug)]
struct ListShape<'a> {
    module: Registered<'a>,
    view: Fields<'a>,
    query: ListQuery,
    counted: bool,
    walk: Option<u64>,
}

/// How to read a list's statements.
#[derive(Debug, Clone, Copy)]
struct ListNotes {
    /// The labels of the references come with the rows.
    labels_inline: bool,
    /// The page's statement and its count are followed by the count of the module's rows:
    /// the page may be read by walking the sort's index instead.
    walk: bool,
}

impl ListShape<'_> {
    /// The page's statement where `filter` is the condition on the rows besides being live
    /// (the rows from `offset` on), and whether the labels of the references come with the
    /// rows.
    fn page(
        &self,
        store: &Store,
        filter: Condition,
        offset: u64,
    ) -> Result<(SelectStatement, bool)> {
        let (module, view, query) = (self.module.0, self.view.0, &self.query);
        let cond = Cond::all().add(not_deleted()).add(filter);
        let mut select = select_all(view);
        select.cond_where(cond).limit(query.per_page);
        // The first page (most of them) has no `OFFSET 0`: one statement less to plan.
        if offset > 0 {
            select.offset(offset);
        }
        let ranked = store.order(module, view, query, &mut select)?;
        // The labels of the references come with the rows when the list can be sorted again
        // outside its text search: the page's ids are chosen first, sorted and cut without
        // them, then only those rows are read with their labels as subqueries (put straight
        // into one statement, SQLite would look labels up for every row it sorts).
        let labels_inline = !ranked && has_references(view);
        if labels_inline {
            let mut ids = select;
            ids.clear_selects().column("id");
            select = select_all(view);
            select.and_where(Expr::col("id").in_subquery(ids));
            label_columns(&mut select, module, view);
            store.order(module, view, query, &mut select)?;
        }
        Ok((select, labels_inline))
    }

    /// Whether the page may be read by walking an index that holds the rows in the list's
    /// order, skipping those that do not match, instead of finding every match through the
    /// index of its condition and sorting them all.
    ///
    /// PostgreSQL chooses between the two itself, from its statistics of the values. SQLite
    /// keeps none (no `ANALYZE`), and with the query planner stability guarantee (see `db`)
    /// would not look at the values anyway: it takes an equality on an indexed column for a
    /// few rows and sorts them, which for the open cases sorted by priority is a quarter of
    /// the table sorted on every request. The count decides instead (see
    /// [`walks_fewer_rows`]). Only sorts an index holds in order qualify (a picklist's order
    /// index, the creation time), for a condition on more than a few rows (no reference or id
    /// to look up) and without a text search (whose index must find the rows).
    fn may_walk(&self, store: &Store) -> bool {
        let (module, query) = (self.module.0, &self.query);
        let indexed_sort = query.sort.field == "created_at"
            || module
                .field(&query.sort.field)
                .and_then(picklist_order)
                .is_some();
        store.db.backend() == Backend::Sqlite
            && self.counted
            && indexed_sort
            && query.filter != Filter::All
            && !is_selective(module, &query.filter)
            && !holds_text(&query.filter)
    }
}

impl ListShape<'_> {
    /// The page read by walking the sort's index: the first rows in the list's order, at most
    /// `cap` of them, are told whether they match, and the walk stops once the page is full
    /// (SQLite runs the window as a co-routine in the index's order). When the matches all sort
    /// last, a walk that read on would read most of the index, a row from the table for each;
    /// capped, it answers fewer rows than the count promises, and the page is sorted instead.
    fn walked_page(
        &self,
        store: &Store,
        filter: Condition,
        cap: u64,
    ) -> Result<(SelectStatement, bool)> {
        let (module, view, query) = (self.module.0, self.view.0, &self.query);
        let mut window = Query::select();
        window
            .column("id")
            // `?` is where sea-query's SQLite writer puts the expression.
            .expr_as(
                Expr::cust_with_exprs("(?)", [SimpleExpr::from(filter)]),
                "hit",
            )
            .from(module.name.clone())
            .cond_where(not_deleted())
            .limit(cap);
        store.order(module, view, query, &mut window)?;
        // The window's rows come in its order (a co-routine scanned as it yields; the test
        // of walked lists holds SQLite to it), so the page's matches are counted off as they
        // come and only the page's own rows are read in full.
        let mut hits = Query::select();
        hits.column("id")
            .from_subquery(window, "walked")
            .and_where(Expr::col("hit"))
            .limit(query.per_page);
        if query.offset() > 0 {
            hits.offset(query.offset());
        }
        self.page(store, Cond::all().add(Expr::col("id").in_subquery(hits)), 0)
    }
}

impl Shape for ListShape<'_> {
    type Notes = ListNotes;

    fn build(&self, store: &Store) -> Result<(Vec<SelectStatement>, ListNotes)> {
        let (module, view, query) = (self.module.0, self.view.0, &self.query);
        let filter = store.condition_in_view(module, view, &query.filter)?;
        let count_of = |filter: Option<Condition>| {
            let mut cond = Cond::all().add(not_deleted());
            if let Some(filter) = filter {
                cond = cond.add(filter);
            }
            Query::select()
                .expr_as(Expr::cust("COUNT(*)"), "n")
                .from(module.name.clone())
                .cond_where(cond)
                .take()
        };
        // The count's condition is the page's; widgets showing the latest few count nothing.
        let count = self.counted.then(|| count_of(Some(filter.clone())));
        if let Some(cap) = self.walk {
            let (walk, labels_inline) = self.walked_page(store, filter, cap)?;
            let notes = ListNotes {
                labels_inline,
                walk: false,
            };
            return Ok((vec![walk], notes));
        }
        let walk = self.may_walk(store);
        let (page, labels_inline) = self.page(store, filter, self.query.offset())?;
        let mut statements: Vec<_> = std::iter::once(page).chain(count).collect();
        if walk {
            statements.push(count_of(None));
        }
        Ok((
            statements,
            ListNotes {
                labels_inline,
                walk,
            },
        ))
    }

    fn keep(&self, store: &Store) -> bool {
        self.module.is_registered(store) && !holds_text(&self.query.filter)
    }
}

/// Whether walking the sort's index finds a page sooner than sorting every match: a walk reads
/// about `need / total` of the module's `all` rows before it has the `need` rows up to the
/// end of the page (matches spread evenly over the order), where the sort reads all `total`
/// matches. Both read an index entry and a row for each row they look at.
fn walks_fewer_rows(total: u64, all: u64, need: u64) -> bool {
    total > 0 && u128::from(need) * u128::from(all) < u128::from(total) * u128::from(total)
}

/// How many rows a walk reads before it gives up: four times what it should need if the matches
/// are spread evenly over the order (see [`walks_fewer_rows`]), but no more than the matches
/// themselves, which the sort would read instead. A power of two, so that a list has few walk
/// statements to keep.
fn walk_cap(total: u64, all: u64, need: u64) -> u64 {
    let expected = u128::from(need) * u128::from(all) / u128::from(Ord::max(total, 1));
    let cap = Ord::max(
        Ord::min(Ord::max(expected.saturating_mul(4), 256), u128::from(total)),
        u128::from(need),
    );
    u64::try_from(cap)
        .unwrap_or(u64::MAX)
        .checked_next_power_of_two()
        .unwrap_or(u64::MAX)
}

/// Whether a record matches a filter (see [`Store::matches`]).
#[derive(Debug)]
struct Matching<'a> {
    module: Registered<'a>,
    id: Uuid,
    filter: Filter,
}

impl Shape for Matching<'_> {
    type Notes = ();

    fn build(&self, store: &Store) -> Result<(Vec<SelectStatement>, ())> {
        Ok((
            vec![store.id_matching(self.module.0, self.id, &self.filter)?],
            (),
        ))
    }

    fn keep(&self, store: &Store) -> bool {
        self.module.is_registered(store) && !holds_text(&self.filter)
    }
}

/// One record with the answers to its questions (see [`Questions`]).
#[derive(Debug)]
struct RecordShape<'a> {
    module: Registered<'a>,
    view: Fields<'a>,
    id: Uuid,
    filter: Filter,
    tests: Vec<Filter>,
    lists: Vec<ProbeShape<'a>>,
    timeline: bool,
    follower: Option<Uuid>,
}

/// A list asked about in [`Questions`], as a shape prints it.
#[derive(Debug)]
struct ProbeShape<'a> {
    module: Registered<'a>,
    view: Fields<'a>,
    filter: Filter,
}

impl Shape for RecordShape<'_> {
    type Notes = ();

    fn build(&self, store: &Store) -> Result<(Vec<SelectStatement>, ())> {
        let (module, view, id, filter) = (self.module.0, self.view.0, self.id, &self.filter);
        let cond = Cond::all()
            .add(not_deleted())
            .add(Expr::col("id").eq(id))
            .add(store.condition(module, filter)?);
        let mut select = select_all(view);
        select.cond_where(cond);
        label_columns(&mut select, module, view);
        // Each test is the statement `matches` runs, as an `EXISTS` column: the same answer.
        for (i, test) in self.tests.iter().enumerate() {
            select.expr_as(
                Expr::exists(store.id_matching(module, id, test)?),
                format!("_check_{i}"),
            );
        }
        for (i, list) in self.lists.iter().enumerate() {
            let any = Query::select()
                .expr(Expr::val(1))
                .from(list.module.0.name.clone())
                .cond_where(Cond::all().add(not_deleted()).add(store.condition_in_view(
                    list.module.0,
                    list.view.0,
                    &list.filter,
                )?))
                .take();
            select.expr_as(Expr::exists(any), format!("_any_{i}"));
        }
        if self.timeline {
            select.expr_as(
                Timeline::column(store.db.backend(), module, id),
                "_timeline",
            );
        }
        if let Some(contact) = self.follower {
            let follows = Query::select()
                .expr(Expr::val(1))
                .from("follows")
                .and_where(Expr::col("module").eq(module.name.as_str()))
                .and_where(Expr::col("record_id").eq(id))
                .and_where(Expr::col("contact_id").eq(contact))
                .take();
            select.expr_as(Expr::exists(follows), "_followed");
        }
        Ok((vec![select], ()))
    }

    fn keep(&self, store: &Store) -> bool {
        self.module.is_registered(store)
            && self.lists.iter().all(|l| l.module.is_registered(store))
            && !holds_text(&self.filter)
            && !self.tests.iter().any(holds_text)
            && !self.lists.iter().any(|l| holds_text(&l.filter))
    }
}

/// What [`Store::get_view_checked`] asks besides reading the record.
#[derive(Debug, Default)]
pub struct Questions<'a> {
    /// Whether the record also matches each of these filters (an action's level, say).
    pub tests: &'a [&'a Filter],
    /// Whether this contact follows the record.
    pub follower: Option<Uuid>,
    /// Whether each of these lists has any row at all (a related list, say, which then need
    /// not be read when it is empty — as it mostly is).
    pub lists: &'a [ListProbe<'a>],
    /// The record's public timeline (comments without internal ones, and field history).
    pub timeline: bool,
}

/// A list of another module asked about in [`Questions`]: the rows of `module` that `filter`
/// selects, a text search looking into the fields of `view`.
#[derive(Debug, Clone, Copy)]
pub struct ListProbe<'a> {
    pub module: &'a ModuleDef,
    pub view: &'a ModuleDef,
    pub filter: &'a Filter,
}

/// A record read by [`Store::get_view_checked`], with its answers.
#[derive(Debug)]
pub struct Checked {
    pub record: Record,
    /// Whether the record matches each test, in the order given.
    pub matches: Vec<bool>,
    /// Whether each list asked about has a row, in the order given.
    pub any_rows: Vec<bool>,
    /// Whether the follower asked about follows the record (false when none was asked about).
    pub followed: bool,
    /// The public timeline, when asked for.
    pub timeline: Option<Timeline>,
}

/// Whether any field of `view` is a reference (whose label a read fills in).
fn has_references(view: &ModuleDef) -> bool {
    view.fields.iter().any(|f| reference_target(f).is_some())
}

/// The target of a reference field: a module's table, or staff users (None).
fn reference_target(field: &FieldDef) -> Option<Option<&str>> {
    match &field.field_type {
        FieldType::Reference { module } => Some(Some(module.as_str())),
        FieldType::User => Some(None),
        _ => None,
    }
}

/// The label of each reference of `view` (read from `module`'s table) as two more columns of
/// `select`, `_label_<field>` and `_deleted_<field>`: subqueries by primary key, so the labels
/// come with the record. Only for statements that read the rows they return (one record, or a
/// page whose ids were chosen first): a list sorted without an index would run them for every
/// row it sorts.
pub(crate) fn label_columns(select: &mut SelectStatement, module: &ModuleDef, view: &ModuleDef) {
    const TARGET: &str = "_label_target";
    for field in &view.fields {
        let Some(target) = reference_target(field) else {
            continue;
        };
        // A staff user is never deleted: only a record's reference asks a second question.
        let (table, label, deleted) = match target {
            Some(table) => (
                table,
                Expr::col((TARGET, "label")),
                Some(Expr::col((TARGET, "deleted_at")).is_not_null()),
            ),
            None => ("staff_users", Expr::col((TARGET, "name")), None),
        };
        let lookup = |expr: SimpleExpr| {
            Query::select()
                .expr(expr)
                .from_as(table.to_owned(), TARGET)
                .and_where(
                    Expr::col((TARGET, "id")).equals((module.name.clone(), field.name.clone())),
                )
                .take()
        };
        select.expr_as(
            Expr::SubQuery(None, Box::new(lookup(label).into())),
            format!("_label_{}", field.name),
        );
        if let Some(deleted) = deleted {
            select.expr_as(
                Expr::SubQuery(None, Box::new(lookup(deleted).into())),
                format!("_deleted_{}", field.name),
            );
        }
    }
}

/// Puts the labels that [`label_columns`] read into `record`'s references.
pub(super) fn read_label_columns(row: &Row, view: &ModuleDef, record: &mut Record) -> Result<()> {
    for field in &view.fields {
        let Some(target) = reference_target(field) else {
            continue;
        };
        if let Some(Value::Ref(r)) = record.values.get_mut(&field.name)
            && let Some(label) = row.get::<Option<String>>(&format!("_label_{}", field.name))?
        {
            r.label = Some(label);
            r.deleted = match target {
                Some(_) => row
                    .get::<Option<bool>>(&format!("_deleted_{}", field.name))?
                    .unwrap_or(false),
                None => false,
            };
        }
    }
    Ok(())
}

/// The references in `records` whose labels are wanted: each target (a module's table, or
/// staff users) with the ids referenced in it, in the order of `module`'s fields.
fn wanted_labels<'m>(
    module: &'m ModuleDef,
    records: &[Record],
) -> Vec<(Option<&'m str>, Vec<Uuid>)> {
    let mut wanted: Vec<(Option<&str>, HashSet<Uuid>)> = Vec::new();
    for field in &module.fields {
        let Some(target) = reference_target(field) else {
            continue;
        };
        for record in records {
            if let Some(id) = record.get(&field.name).as_ref_id() {
                match wanted.iter_mut().find(|(t, _)| *t == target) {
                    Some((_, ids)) => {
                        ids.insert(id);
                    }
                    None => wanted.push((target, HashSet::from([id]))),
                }
            }
        }
    }
    wanted
        .into_iter()
        .map(|(target, ids)| (target, ids.into_iter().collect()))
        .collect()
}

/// One statement for the labels of `wanted`: a `UNION ALL` of one `SELECT` per referenced
/// table, each row naming its table by its index in `wanted`. `None` when nothing is wanted.
fn labels_select(wanted: &[(Option<&str>, Vec<Uuid>)]) -> Option<SelectStatement> {
    let mut selects = wanted.iter().enumerate().map(|(index, (target, ids))| {
        let mut select = Query::select();
        select.expr_as(Expr::val(index as i64), "target");
        match target {
            Some(table) => select
                .columns(["id", "label"])
                .expr_as(Expr::col("deleted_at").is_not_null(), "deleted")
                .from(table.to_string()),
            None => select
                .column("id")
                .expr_as(Expr::col("name"), "label")
                .expr_as(Expr::val(false), "deleted")
                .from("staff_users"),
        };
        select
            .and_where(Expr::col("id").is_in(ids.iter().copied()))
            .take()
    });
    let mut union = selects.next()?;
    for select in selects {
        union.union(sea_query::UnionType::All, select);
    }
    Some(union)
}

/// One statement for the labels of every reference in `records` (see [`labels_select`]),
/// with the targets its rows name by index. `None` when nothing is referenced.
pub(super) fn labels_statement<'m>(
    module: &'m ModuleDef,
    records: &[Record],
) -> Option<(Vec<Option<&'m str>>, SelectStatement)> {
    let wanted = wanted_labels(module, records);
    let select = labels_select(&wanted)?;
    Some((wanted.into_iter().map(|(t, _)| t).collect(), select))
}

/// The labels of some references (see [`labels_select`]): a shape for each number of ids
/// per target.
#[derive(Debug)]
struct LabelsOf<'m> {
    wanted: Vec<(Option<&'m str>, Vec<Uuid>)>,
}

impl Shape for LabelsOf<'_> {
    type Notes = ();

    fn build(&self, _: &Store) -> Result<(Vec<SelectStatement>, ())> {
        Ok((labels_select(&self.wanted).into_iter().collect(), ()))
    }

    fn keep(&self, _: &Store) -> bool {
        // Targets are table names from the registry's fields, not from callers.
        true
    }
}

/// Labels read by [`labels_statement`], by (target, id).
pub(super) struct Labels<'m>(HashMap<(Option<&'m str>, Uuid), (String, bool)>);

impl<'m> Labels<'m> {
    pub(super) fn read(targets: &[Option<&'m str>], rows: Vec<Row>) -> Result<Self> {
        let mut labels = HashMap::with_capacity(rows.len());
        for row in rows {
            let index = usize::try_from(row.get::<i64>("target")?)
                .map_err(|_| Error::Internal("negative label target".into()))?;
            let target = *targets
                .get(index)
                .ok_or_else(|| Error::Internal("unknown label target".into()))?;
            labels.insert(
                (target, row.get("id")?),
                (row.get("label")?, row.get("deleted")?),
            );
        }
        Ok(Labels(labels))
    }

    pub(super) fn apply(&self, module: &ModuleDef, records: &mut [Record]) {
        for field in &module.fields {
            let Some(target) = reference_target(field) else {
                continue;
            };
            for record in records.iter_mut() {
                if let Some(Value::Ref(r)) = record.values.get_mut(&field.name)
                    && let Some((label, deleted)) = self.0.get(&(target, r.id))
                {
                    r.label = Some(label.clone());
                    r.deleted = *deleted;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use atrium_core::query::Sort;
    use sqlx::{AssertSqlSafe, SqlSafeStr};
    use time::OffsetDateTime;

    use super::*;

    const PRIORITIES: [&str; 4] = ["Low", "Medium", "High", "Urgent"];

    /// 3 000 cases: the 400 oldest waiting on their customer, then two in three open, nine
    /// closed, the rest new; priorities in turn.
    async fn cases() -> (tempfile::TempDir, Store, Vec<(Uuid, String, usize, i64)>) {
        let (dir, store) = crate::shapes::tests::store().await;
        let start = OffsetDateTime::now_utc() - time::Duration::days(30);
        let mut made = Vec::new();
        let rows = (0..3000_i64)
            .map(|i| {
                let status = match i {
                    // The oldest cases wait on their customer: listed newest first, a walk
                    // finds none of them before it has read most of the index.
                    _ if i < 400 => "Waiting on Customer",
                    _ if i % 300 == 7 => "Closed",
                    _ if i % 3 == 0 => "New",
                    _ => "Open",
                };
                let priority = (i as usize * 7) % PRIORITIES.len();
                let id = Uuid::new_v4();
                made.push((id, status.to_owned(), priority, i));
                let values = vec![
                    ("title".to_owned(), Value::Text(format!("Case {i}"))),
                    ("status".to_owned(), Value::Text(status.into())),
                    (
                        "priority".to_owned(),
                        Value::Text(PRIORITIES[priority].into()),
                    ),
                ];
                (id, values, start + time::Duration::seconds(i))
            })
            .collect();
        let module = store.module("cases").expect("cases").clone();
        store
            .insert_batch(&module, rows, Actor::System)
            .await
            .expect("loads");
        (dir, store, made)
    }

    fn query(status: &str, sort: &str, descending: bool, page: u64) -> ListQuery {
        ListQuery {
            filter: Filter::Eq("status".into(), Value::Text(status.into())),
            sort: Sort {
                field: sort.into(),
                descending,
            },
            page,
            per_page: 25,
        }
    }

    #[test]
    fn a_walk_is_chosen_when_it_reads_fewer_rows_than_the_sort() {
        // Half the rows match: a page of 25 is found within about 50 rows.
        assert!(walks_fewer_rows(500_000, 1_000_000, 25));
        // Deep pages need more of the walk.
        assert!(!walks_fewer_rows(500_000, 1_000_000, 300_000));
        // Few matches: sorting them is cheaper than walking past the others.
        assert!(!walks_fewer_rows(3_000, 1_000_000, 25));
        assert!(!walks_fewer_rows(0, 1_000_000, 25));
        assert!(!walks_fewer_rows(0, 0, 25));
        assert!(!walks_fewer_rows(u64::MAX, u64::MAX, u64::MAX));
    }

    #[test]
    fn a_walk_reads_a_few_times_what_it_should_need_and_never_more_than_the_matches() {
        // A quarter of a million rows match: about 100 rows should do, 400 are allowed.
        assert_eq!(walk_cap(250_000, 1_000_000, 25), 512);
        // A twentieth: about 500 rows, 2 000 allowed.
        assert_eq!(walk_cap(50_000, 1_000_000, 25), 2048);
        // Never more than the matches a sort would read (to a power of two).
        assert_eq!(walk_cap(400, 3_000, 25), 512);
        // Always the page itself.
        assert!(walk_cap(1_000, 1_000, 900) >= 900);
        assert_eq!(walk_cap(u64::MAX, u64::MAX, u64::MAX), u64::MAX);
    }

    #[tokio::test]
    async fn a_list_sorted_by_a_picklist_walks_its_order_index_when_most_rows_match() {
        let (_dir, store, made) = cases().await;
        let module = store.module("cases").expect("cases").clone();
        let open = query("Open", "priority", true, 1);
        let (_, notes) = store
            .list_statements(&module, &module, &open, true, None)
            .expect("statements");
        assert!(notes.walk, "a picklist sort of a common status may walk");
        let (statements, _) = store
            .list_statements(&module, &module, &open, true, Some(512))
            .expect("statements");
        let (sql, values) = statements.into_iter().next().expect("the walk's page");
        let explain = AssertSqlSafe(format!("EXPLAIN QUERY PLAN {}", sql.as_str())).into_sql_str();
        let plan = store
            .db
            .fetch_all_rendered((explain, values))
            .await
            .expect("plans")
            .iter()
            .map(|row| row.get::<String>("detail"))
            .collect::<Result<Vec<_>>>()
            .expect("details");
        assert!(
            plan.iter()
                .any(|step| step.starts_with("SCAN cases USING INDEX cases__priority__order_")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|step| step.contains("cases__status__set")),
            "{plan:?}"
        );
        // The walk's page is read by the ids it found, not sorted from a scan.
        assert!(
            plan.iter()
                .any(|step| step.starts_with("SEARCH cases USING INDEX sqlite_autoindex_cases_")),
            "{plan:?}"
        );
        assert_eq!(
            plan.iter()
                .filter(|step| step.starts_with("SCAN cases"))
                .count(),
            1,
            "{plan:?}"
        );

        // Neither a reference lookup nor a text search, nor a sort no index holds, walks.
        for (field, filter) in [
            (
                "title",
                Filter::Eq("status".into(), Value::Text("Open".into())),
            ),
            ("priority", Filter::IdIs(made[0].0)),
            ("priority", Filter::All),
            ("priority", Filter::Text("case".into())),
        ] {
            let query = ListQuery {
                filter,
                sort: Sort {
                    field: field.into(),
                    descending: false,
                },
                ..open.clone()
            };
            let (_, notes) = store
                .list_statements(&module, &module, &query, true, None)
                .expect("statements");
            assert!(!notes.walk, "{query:?}");
        }
    }

    #[tokio::test]
    async fn a_walked_list_holds_the_rows_a_sorted_one_does() {
        let (_dir, store, made) = cases().await;
        let module = store.module("cases").expect("cases").clone();
        // Open (about 1 700, walked), New (about 870), Closed (9, sorted), Waiting on Customer
        // (the 400 oldest: walked by creation, newest first, until the walk gives up); by
        // priority both ways and by creation, first and later pages.
        for status in ["Open", "New", "Closed", "Waiting on Customer"] {
            for (sort, descending) in [
                ("priority", true),
                ("priority", false),
                ("created_at", true),
            ] {
                for page in [1, 2, 7] {
                    let query = query(status, sort, descending, page);
                    let listed = store.list(&module, &query).await.expect("lists");
                    let mut expected: Vec<_> =
                        made.iter().filter(|(_, s, _, _)| s == status).collect();
                    expected.sort_by_key(|(id, _, priority, created)| match sort {
                        "priority" => (*priority as i64, *id),
                        _ => (*created, *id),
                    });
                    if descending {
                        expected.reverse();
                    }
                    let expected: Vec<Uuid> = expected
                        .iter()
                        .skip(query.offset() as usize)
                        .take(25)
                        .map(|(id, ..)| *id)
                        .collect();
                    let ids: Vec<Uuid> = listed.items.iter().map(|r| r.id).collect();
                    assert_eq!(ids, expected, "{status} by {sort}, page {page}");
                    let total = made.iter().filter(|(_, s, _, _)| s == status).count();
                    assert_eq!(listed.total, total as u64);
                }
            }
        }
    }
}
