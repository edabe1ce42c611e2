//! Statements kept by their shape, so that a read builds its SQL once and not on every request.
//!
//! Building a statement with sea-query and rendering it costs a customer's read about as much
//! as running it: a customer's access rules are a tree of conditions copied into each of a
//! page's statements (a home runs eight or so). Yet for one portal, role set and module that
//! tree is the same for every customer but for the ids in it. A [`Shape`] names everything a
//! builder makes its statements from; [`Store::shaped`] hands the builder stand-ins instead of
//! the ids, keeps the SQL it renders and, for each value bound to it, whether it is a fixed
//! value or the n-th id, and binds the caller's own ids each time.
//!
//! Why a kept statement is the one the builder would make with the real ids:
//! - the key is the shape's type (one builder per type) and its `Debug` text, which prints
//!   every input (derived, or written to print all that the builder reads);
//! - a builder reads nothing but its shape and the store's registry and backend, which do
//!   not change for the store's life;
//! - builders never branch on an id's value, only bind it: a statement built with stand-ins
//!   differs from one built with the ids only in the values bound. Each kept statement is
//!   checked for it as it is made: every stand-in must come back as a bound value, never in
//!   the SQL's text (a builder that wrote an id into the text would be caught, and its
//!   statement built with the real ids, uncached).
//!
//! Stand-ins are ids and texts salted with a number drawn when the store opens, which no id
//! or text a caller passes will match by accident.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::sync::{Arc, RwLock};

use atrium_core::query::Filter;
use atrium_core::value::Reference;
use atrium_core::{ModuleDef, Result, Value};
use sea_query::SelectStatement;
use sea_query_sqlx::SqlxValues;
use sqlx::{AssertSqlSafe, SqlSafeStr};
use uuid::Uuid;

use crate::Store;

/// How many shapes a store keeps (each a few kilobytes of SQL). Portal reads make few: a shape
/// per portal, role set, module, statement and page asked for; lists paged, sorted or
/// filtered by staff in many ways make more. When the limit is reached the kept shapes are
/// dropped and made again as they are used.
const KEPT_SHAPES: usize = 1024;

thread_local! {
    /// The key of the shape being looked up on this thread, written here rather than into a
    /// new string for every statement of every request.
    static KEY_TEXT: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The room [`KEY_TEXT`] keeps between lookups (a key is a few kilobytes at most).
const MAX_KEY_BUFFER: usize = 64 * 1024;

/// The inputs of one statement builder.
pub(crate) trait Shape: fmt::Debug {
    /// What the builder says about its statements besides their SQL (how to read their rows).
    type Notes: Clone + Send + Sync + 'static;

    /// The statements, made from nothing but `self` and `store`'s registry and backend.
    fn build(&self, store: &Store) -> Result<(Vec<SelectStatement>, Self::Notes)>;

    /// Whether this shape may be kept: its modules are the registry's own (whose fixed
    /// definitions its key names), and it holds no free text (a search would make a shape per
    /// text searched).
    fn keep(&self, store: &Store) -> bool;
}

pub(crate) use crate::db::Rendered;

/// The shapes a store has made.
#[derive(Debug)]
pub(crate) struct Shapes {
    salt: u64,
    kept: RwLock<HashMap<String, Arc<dyn Any + Send + Sync>>>,
}

impl Default for Shapes {
    fn default() -> Self {
        Shapes {
            salt: Uuid::new_v4().as_u64_pair().0,
            kept: RwLock::default(),
        }
    }
}

/// One kept statement: its SQL and where each of its values comes from.
#[derive(Debug)]
struct Statement {
    sql: Arc<str>,
    values: Vec<Slot>,
}

#[derive(Debug)]
enum Slot {
    Fixed(sea_query::Value),
    Param(usize),
}

/// The statements of one shape, and the builder's notes on them.
struct Kept<N> {
    statements: Vec<Statement>,
    notes: N,
}

/// The values a shape is made without: the caller's ids and texts, in the order the shape's
/// maker asked for stand-ins.
pub(crate) struct Params {
    salt: u64,
    /// Stand-ins are the values themselves: for a shape built once, uncached.
    transparent: bool,
    values: Vec<sea_query::Value>,
}

impl Params {
    fn new(salt: u64, transparent: bool) -> Self {
        Params {
            salt,
            transparent,
            values: Vec::new(),
        }
    }

    /// A stand-in for `id`.
    pub(crate) fn id(&mut self, id: Uuid) -> Uuid {
        if self.transparent {
            return id;
        }
        let stand_in = Uuid::from_u64_pair(self.salt, self.values.len() as u64);
        self.values.push(sea_query::Value::Uuid(Some(id)));
        stand_in
    }

    /// A stand-in for `text`.
    pub(crate) fn text(&mut self, text: &str) -> String {
        if self.transparent {
            return text.to_owned();
        }
        let stand_in = format!("{}{}", self.text_mark(), self.values.len());
        self.values
            .push(sea_query::Value::String(Some(text.to_owned())));
        stand_in
    }

    /// `filter` with a stand-in for every id in it.
    pub(crate) fn filter(&mut self, filter: &Filter) -> Filter {
        match filter {
            Filter::IdIs(id) => Filter::IdIs(self.id(*id)),
            Filter::Eq(field, value) => Filter::Eq(field.clone(), self.value(value)),
            Filter::Ne(field, value) => Filter::Ne(field.clone(), self.value(value)),
            Filter::Gte(field, value) => Filter::Gte(field.clone(), self.value(value)),
            Filter::Lte(field, value) => Filter::Lte(field.clone(), self.value(value)),
            Filter::LinkedTo { module, id } => Filter::LinkedTo {
                module: module.clone(),
                id: self.id(*id),
            },
            Filter::LinkedToAny { module, filter } => Filter::LinkedToAny {
                module: module.clone(),
                filter: Box::new(self.filter(filter)),
            },
            Filter::Refers {
                field,
                module,
                filter,
            } => Filter::Refers {
                field: field.clone(),
                module: module.clone(),
                filter: Box::new(self.filter(filter)),
            },
            Filter::And(all) => Filter::And(all.iter().map(|f| self.filter(f)).collect()),
            Filter::Or(any) => Filter::Or(any.iter().map(|f| self.filter(f)).collect()),
            Filter::All | Filter::Nothing | Filter::ListEmptyOrContains(..) | Filter::Text(_) => {
                filter.clone()
            }
        }
    }

    fn value(&mut self, value: &Value) -> Value {
        match value {
            Value::Ref(r) => Value::Ref(Reference {
                id: self.id(r.id),
                label: r.label.clone(),
                deleted: r.deleted,
            }),
            other => other.clone(),
        }
    }

    /// What every text stand-in begins with.
    fn text_mark(&self) -> String {
        format!("\u{1}stand-in {:016x}:", self.salt)
    }

    /// Which value a bound value stands in for, if it is a stand-in.
    fn stand_in_for(&self, value: &sea_query::Value, text_mark: &str) -> Option<usize> {
        let index = match value {
            sea_query::Value::Uuid(Some(id)) => {
                let (salt, index) = id.as_u64_pair();
                (salt == self.salt).then_some(index)?
            }
            sea_query::Value::String(Some(text)) => text.strip_prefix(text_mark)?.parse().ok()?,
            _ => return None,
        };
        usize::try_from(index)
            .ok()
            .filter(|&i| i < self.values.len())
    }

    /// The values of `statement` with the caller's own in place of their stand-ins.
    fn bind(&self, statement: &Statement) -> Result<Rendered> {
        let values = statement
            .values
            .iter()
            .map(|slot| match slot {
                Slot::Fixed(value) => Ok(value.clone()),
                // A shape's key shows each of its stand-ins, so callers of one shape have as
                // many values as it has stand-ins.
                Slot::Param(i) => self.values.get(*i).cloned().ok_or_else(|| {
                    atrium_core::Error::Internal("a shape's stand-in without its value".into())
                }),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((
            AssertSqlSafe(statement.sql.clone()).into_sql_str(),
            SqlxValues(sea_query::Values(values)),
        ))
    }
}

/// A module's table and fields as a shape prints them: a view is its module with some fields
/// left out, so its name and its fields' names and types are all that a statement takes
/// from it.
pub(crate) struct Fields<'a>(pub &'a ModuleDef);

impl fmt::Debug for Fields<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[", self.0.name)?;
        for field in &self.0.fields {
            write!(f, "{}:{:?},", field.name, field.field_type)?;
        }
        write!(f, "]")
    }
}

/// A module of the store's registry, printed by its name: the registry does not change for
/// the store's life. Shapes holding one are kept only when it is the registry's own
/// definition ([`Registered::is_registered`]).
pub(crate) struct Registered<'a>(pub &'a ModuleDef);

impl Registered<'_> {
    pub(crate) fn is_registered(&self, store: &Store) -> bool {
        store
            .registry()
            .module(&self.0.name)
            .is_some_and(|m| std::ptr::eq(m, self.0))
    }
}

impl fmt::Debug for Registered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.name)
    }
}

/// The statement of a shape that makes one.
pub(crate) fn only(statements: Vec<Rendered>) -> Result<Rendered> {
    let mut statements = statements.into_iter();
    match (statements.next(), statements.next()) {
        (Some(statement), None) => Ok(statement),
        _ => Err(atrium_core::Error::Internal(
            "a shape of one statement made another number".into(),
        )),
    }
}

/// Whether `filter` searches a free text anywhere in it.
pub(crate) fn holds_text(filter: &Filter) -> bool {
    match filter {
        Filter::Text(_) => true,
        Filter::LinkedToAny { filter, .. } | Filter::Refers { filter, .. } => holds_text(filter),
        Filter::And(all) | Filter::Or(all) => all.iter().any(holds_text),
        _ => false,
    }
}

impl Store {
    /// The statements of the shape `make` makes, rendered with the values it was made
    /// without. `make` asks `Params` for a stand-in for each id or text it puts in the shape.
    pub(crate) fn shaped<S: Shape>(
        &self,
        make: impl Fn(&mut Params) -> S,
    ) -> Result<(Vec<Rendered>, S::Notes)> {
        let shapes = &self.shapes;
        let mut params = Params::new(shapes.salt, false);
        let shape = make(&mut params);
        // A shape that is not kept is never found either: no key to make. The key is written
        // into this thread's buffer and owned only when a new shape is kept under it.
        let (found, key) = if shape.keep(self) {
            KEY_TEXT.with_borrow_mut(|text| {
                text.clear();
                if text.capacity() > MAX_KEY_BUFFER {
                    text.shrink_to(MAX_KEY_BUFFER);
                }
                write!(text, "{}{shape:?}", std::any::type_name::<S>()).map_err(|_| {
                    atrium_core::Error::Internal("a shape that cannot be printed".into())
                })?;
                let found = shapes
                    .kept
                    .read()
                    .map_err(|_| atrium_core::Error::Internal("statement shapes poisoned".into()))?
                    .get(text.as_str())
                    .cloned();
                let key = found.is_none().then(|| text.clone());
                Ok::<_, atrium_core::Error>((found, key))
            })?
        } else {
            (None, None)
        };
        let kept = match found.and_then(|kept| kept.downcast::<Kept<S::Notes>>().ok()) {
            Some(kept) => kept,
            None => match self.make_shape(&shape, &params)? {
                Some(kept) => {
                    let kept = Arc::new(kept);
                    if let Some(key) = key {
                        let mut all = shapes.kept.write().map_err(|_| {
                            atrium_core::Error::Internal("statement shapes poisoned".into())
                        })?;
                        if all.len() >= KEPT_SHAPES {
                            all.clear();
                        }
                        all.insert(key, kept.clone());
                    }
                    kept
                }
                None => {
                    // A builder wrote an id or text into its SQL: built with the real ones.
                    tracing::warn!(
                        shape = std::any::type_name::<S>(),
                        "a statement's text holds a value of its caller; built without keeping it"
                    );
                    let shape = make(&mut Params::new(shapes.salt, true));
                    let (statements, notes) = shape.build(self)?;
                    let backend = self.db.backend();
                    return Ok((
                        statements.iter().map(|s| backend.render(s)).collect(),
                        notes,
                    ));
                }
            },
        };
        let statements = kept
            .statements
            .iter()
            .map(|s| params.bind(s))
            .collect::<Result<_>>()?;
        Ok((statements, kept.notes.clone()))
    }

    /// `shape`'s statements, each value that is one of `params`' stand-ins marked as such;
    /// `None` when a stand-in turns up in the SQL's text.
    fn make_shape<S: Shape>(&self, shape: &S, params: &Params) -> Result<Option<Kept<S::Notes>>> {
        let (built, notes) = shape.build(self)?;
        let backend = self.db.backend();
        let text_mark = params.text_mark();
        // The salt as a stand-in's text shows it: plain, or as an id's first three groups.
        let salt = format!("{:016x}", params.salt);
        let hyphenated = Uuid::from_u64_pair(params.salt, 0).hyphenated().to_string();
        let marks = [salt.as_str(), &hyphenated[..18]];
        let shows_stand_in = |text: &str| marks.iter().any(|mark| text.contains(mark));
        let mut statements = Vec::with_capacity(built.len());
        for statement in &built {
            let (sql, SqlxValues(sea_query::Values(values))) = backend.build(statement);
            if shows_stand_in(&sql) {
                return Ok(None);
            }
            let mut slots = Vec::with_capacity(values.len());
            for value in values {
                slots.push(match params.stand_in_for(&value, &text_mark) {
                    Some(i) => Slot::Param(i),
                    // A value made from a stand-in (an id as text, say) would be bound as it
                    // was for every later caller.
                    None if shows_stand_in(&format!("{value:?}")) => return Ok(None),
                    None => Slot::Fixed(value),
                });
            }
            statements.push(Statement {
                sql: sql.into(),
                values: slots,
            });
        }
        Ok(Some(Kept { statements, notes }))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use sea_query::{Expr, Query};

    use super::*;

    impl Shapes {
        fn count(&self) -> usize {
            self.kept.read().map(|kept| kept.len()).unwrap_or(0)
        }
    }

    /// A store on a new SQLite database in a temporary directory.
    pub(crate) async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}/atrium.db", dir.path().display());
        let files = format!("file://{}/files", dir.path().display());
        let store = Store::open(&url, &files, atrium_core::standard::registry())
            .await
            .expect("opens");
        (dir, store)
    }

    /// What a shape's statement answered: its `id` (of type `I`) and `text` columns.
    async fn answer<I, S: Shape<Notes = ()>>(
        store: &Store,
        make: impl Fn(&mut Params) -> S,
    ) -> (I, String)
    where
        I: for<'r> sqlx::Decode<'r, sqlx::Sqlite>
            + sqlx::Type<sqlx::Sqlite>
            + for<'r> sqlx::Decode<'r, sqlx::Postgres>
            + sqlx::Type<sqlx::Postgres>,
    {
        let (statements, ()) = store.shaped(make).expect("shaped");
        let row = store
            .db
            .fetch_optional_rendered(only(statements).expect("one statement"))
            .await
            .expect("runs")
            .expect("a row");
        (row.get("id").expect("id"), row.get("text").expect("text"))
    }

    /// Binds an id and a text as values, as builders do.
    #[derive(Debug)]
    struct Bound {
        id: Uuid,
        text: String,
    }

    impl Shape for Bound {
        type Notes = ();

        fn build(&self, _: &Store) -> Result<(Vec<SelectStatement>, ())> {
            let select = Query::select()
                .expr_as(Expr::val(self.id), "id")
                .expr_as(Expr::val(self.text.as_str()), "text")
                .take();
            Ok((vec![select], ()))
        }

        fn keep(&self, _: &Store) -> bool {
            true
        }
    }

    /// Writes its id into the SQL's text, as no builder may.
    #[derive(Debug)]
    struct Written {
        id: Uuid,
        text: String,
    }

    impl Shape for Written {
        type Notes = ();

        fn build(&self, _: &Store) -> Result<(Vec<SelectStatement>, ())> {
            let select = Query::select()
                .expr_as(Expr::cust(format!("'{}'", self.id)), "id")
                .expr_as(Expr::val(self.text.as_str()), "text")
                .take();
            Ok((vec![select], ()))
        }

        fn keep(&self, _: &Store) -> bool {
            true
        }
    }

    /// Binds a value made from its id (its text), which a stand-in cannot stand for.
    #[derive(Debug)]
    struct Derived {
        id: Uuid,
    }

    impl Shape for Derived {
        type Notes = ();

        fn build(&self, _: &Store) -> Result<(Vec<SelectStatement>, ())> {
            let select = Query::select()
                .expr_as(Expr::val(self.id.to_string()), "id")
                .expr_as(Expr::val("derived"), "text")
                .take();
            Ok((vec![select], ()))
        }

        fn keep(&self, _: &Store) -> bool {
            true
        }
    }

    #[tokio::test]
    async fn a_kept_statement_binds_each_callers_own_values() {
        let (_dir, store) = store().await;
        let callers = [(Uuid::new_v4(), "first"), (Uuid::new_v4(), "second")];
        for (id, text) in callers {
            let answer = answer::<Uuid, _>(&store, |params| Bound {
                id: params.id(id),
                text: params.text(text),
            })
            .await;
            assert_eq!(answer, (id, text.to_owned()));
        }
        // One shape for both callers, and the first caller's values again from it.
        assert_eq!(store.shapes.count(), 1);
        let (id, text) = callers[0];
        let again = answer::<Uuid, _>(&store, |params| Bound {
            id: params.id(id),
            text: params.text(text),
        })
        .await;
        assert_eq!(again, (id, text.to_owned()));
        assert_eq!(store.shapes.count(), 1);
    }

    #[tokio::test]
    async fn a_statement_showing_a_stand_in_is_built_with_the_callers_values_and_not_kept() {
        let (_dir, store) = store().await;
        for _ in 0..2 {
            let id = Uuid::new_v4();
            let written = answer::<String, _>(&store, |params| Written {
                id: params.id(id),
                text: params.text("kept apart"),
            })
            .await;
            assert_eq!(written, (id.to_string(), "kept apart".to_owned()));
            let derived = answer::<String, _>(&store, |params| Derived { id: params.id(id) }).await;
            assert_eq!(derived, (id.to_string(), "derived".to_owned()));
        }
        assert_eq!(store.shapes.count(), 0);
    }

    #[test]
    fn stand_ins_replace_every_id_of_a_filter_and_nothing_else() {
        let (contact, organization, record) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let filter = Filter::And(vec![
            Filter::Or(vec![
                Filter::Eq("contact".into(), Value::Ref(Reference::to(contact))),
                Filter::LinkedTo {
                    module: "organizations".into(),
                    id: organization,
                },
                Filter::Refers {
                    field: "contact".into(),
                    module: "contacts".into(),
                    filter: Box::new(Filter::Eq(
                        "organization".into(),
                        Value::Ref(Reference::to(organization)),
                    )),
                },
            ]),
            Filter::IdIs(record),
            Filter::Eq("status".into(), Value::Text("Open".into())),
        ]);
        let mut params = Params::new(7, false);
        let shaped = params.filter(&filter);
        let bound: Vec<_> = params
            .values
            .iter()
            .map(|v| match v {
                sea_query::Value::Uuid(Some(id)) => *id,
                other => panic!("not an id: {other:?}"),
            })
            .collect();
        assert_eq!(bound, [contact, organization, organization, record]);
        let text = format!("{shaped:?}");
        for id in [contact, organization, record] {
            assert!(!text.contains(&id.to_string()), "{id} left in {text}");
        }
        assert!(text.contains("\"Open\""));
        // The same shape for other ids: one key.
        let mut others = Params::new(7, false);
        let other = others.filter(&Params::new(0, true).filter(&filter));
        assert_eq!(format!("{other:?}"), text);
    }
}
