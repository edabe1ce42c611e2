//! Records of every module: create, read, list, change, soft delete, links, related lists and
//! field history. One implementation for every module, driven by the metadata.

use std::collections::{BTreeMap, HashMap, HashSet};

use atrium_core::query::{Filter, ListQuery};
use atrium_core::record::{label_of, now};
use atrium_core::rules::apply_system_rules;
use atrium_core::validate::Changes;
use atrium_core::value::{FileInfo, Reference};
use atrium_core::{Error, FieldDef, FieldError, FieldType, ModuleDef, Record, Result, Value};
use sea_query::{
    Alias, Cond, Condition, Expr, ExprTrait, Func, LikeExpr, OnConflict, Order, Query,
    SelectStatement, SimpleExpr,
};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::Store;
use crate::db::{Row, Tx};
use crate::mail::Effects;

/// Who makes a change: a staff user, a customer (contact) through a portal, or Atrium itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Staff(Uuid),
    Contact(Uuid),
    System,
}

impl Actor {
    fn user(self) -> Option<Uuid> {
        match self {
            Actor::Staff(id) => Some(id),
            _ => None,
        }
    }
    fn contact(self) -> Option<Uuid> {
        match self {
            Actor::Contact(id) => Some(id),
            _ => None,
        }
    }
}

/// One page of a list.
#[derive(Debug)]
pub struct Page {
    pub items: Vec<Record>,
    pub total: u64,
}

/// One field change in a record's history.
#[derive(Debug, Clone)]
pub struct UpdateEntry {
    pub id: Uuid,
    pub field: String,
    pub old: serde_json::Value,
    pub new: serde_json::Value,
    pub at: OffsetDateTime,
    pub by_user: Option<Reference>,
    pub by_contact: Option<Reference>,
}

const HEADER: [&str; 6] = [
    "id",
    "number",
    "version",
    "created_at",
    "updated_at",
    "label",
];

/// The value bound for `value` in a column of `field_type` (typed even when null, because
/// PostgreSQL checks parameter types).
pub(crate) fn bind(field_type: &FieldType, value: &Value) -> sea_query::Value {
    use sea_query::Value as V;
    match (field_type, value) {
        (FieldType::Reference { .. } | FieldType::User, Value::Ref(r)) => V::Uuid(Some(r.id)),
        (FieldType::Reference { .. } | FieldType::User, _) => V::Uuid(None),
        (
            FieldType::Integer | FieldType::Decimal | FieldType::Currency | FieldType::Percent,
            Value::Integer(i) | Value::Decimal(i),
        ) => V::BigInt(Some(*i)),
        (FieldType::Integer | FieldType::Decimal | FieldType::Currency | FieldType::Percent, _) => {
            V::BigInt(None)
        }
        (FieldType::Boolean, Value::Boolean(b)) => V::Bool(Some(*b)),
        (FieldType::Boolean, _) => V::Bool(None),
        (FieldType::Date, Value::Date(d)) => V::TimeDate(Some(*d)),
        (FieldType::Date, _) => V::TimeDate(None),
        (FieldType::Datetime, Value::DateTime(t)) => V::TimeDateTimeWithTimeZone(Some(*t)),
        (FieldType::Datetime, _) => V::TimeDateTimeWithTimeZone(None),
        (_, Value::Text(s)) => V::String(Some(s.clone())),
        (_, Value::List(items)) => V::String(serde_json::to_string(items).ok()),
        (_, Value::File(file)) => V::String(serde_json::to_string(file).ok()),
        (_, Value::Json(json)) => V::String(Some(json.to_string())),
        _ => V::String(None),
    }
}

fn decode(row: &Row, field: &FieldDef) -> Result<Value> {
    let name = field.name.as_str();
    let value = match &field.field_type {
        FieldType::Reference { .. } | FieldType::User => row
            .get::<Option<Uuid>>(name)?
            .map(|id| Value::Ref(Reference::to(id))),
        FieldType::Integer => row.get::<Option<i64>>(name)?.map(Value::Integer),
        FieldType::Decimal | FieldType::Currency | FieldType::Percent => {
            row.get::<Option<i64>>(name)?.map(Value::Decimal)
        }
        FieldType::Boolean => row.get::<Option<bool>>(name)?.map(Value::Boolean),
        FieldType::Date => row.get::<Option<Date>>(name)?.map(Value::Date),
        FieldType::Datetime => row
            .get::<Option<OffsetDateTime>>(name)?
            .map(Value::DateTime),
        FieldType::Multipicklist => row
            .get::<Option<String>>(name)?
            .and_then(|s| serde_json::from_str(&s).ok())
            .map(Value::List),
        FieldType::File => row
            .get::<Option<String>>(name)?
            .and_then(|s| serde_json::from_str::<FileInfo>(&s).ok())
            .map(Value::File),
        FieldType::Grid { .. } => row
            .get::<Option<String>>(name)?
            .and_then(|s| serde_json::from_str(&s).ok())
            .map(Value::Json),
        _ => row.get::<Option<String>>(name)?.map(Value::Text),
    };
    Ok(value.unwrap_or(Value::Null))
}

fn decode_record(row: &Row, module: &ModuleDef) -> Result<Record> {
    let mut values = BTreeMap::new();
    for field in &module.fields {
        values.insert(field.name.clone(), decode(row, field)?);
    }
    Ok(Record {
        id: row.get("id")?,
        number: row.get("number")?,
        version: row.get("version")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        values,
    })
}

fn select_all(module: &ModuleDef) -> SelectStatement {
    let mut q = Query::select();
    q.from(module.name.clone())
        .columns(HEADER)
        .columns(module.fields.iter().map(|f| f.name.clone()));
    q
}

/// What a sort on `field` orders by: picklists by the position of their values (Low, Medium,
/// High, Urgent), everything else by the column itself.
/// The terms of nested ORs, as one list.
fn flatten_or(any: &[Filter]) -> Vec<&Filter> {
    let mut out = Vec::with_capacity(any.len());
    for f in any {
        match f {
            Filter::Or(inner) => out.extend(flatten_or(inner)),
            other => out.push(other),
        }
    }
    out
}

/// Whether `filter` alone selects few rows through an index: equality on a reference, an id,
/// or a link (what the access rules and related lists are made of).
fn is_selective(module: &ModuleDef, filter: &Filter) -> bool {
    match filter {
        Filter::IdIs(_)
        | Filter::LinkedTo { .. }
        | Filter::LinkedToAny { .. }
        | Filter::Refers { .. } => true,
        Filter::Eq(field, value) => {
            !value.is_null()
                && module.field(field).is_some_and(|f| {
                    matches!(f.field_type, FieldType::Reference { .. } | FieldType::User)
                })
        }
        Filter::And(all) => all.iter().any(|f| is_selective(module, f)),
        _ => false,
    }
}

/// `%text%` with LIKE's own wildcards escaped, so user text matches literally.
fn contains_pattern(text: &str) -> LikeExpr {
    let mut escaped = String::with_capacity(text.len() + 2);
    escaped.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    LikeExpr::new(escaped).escape('\\')
}

fn sort_expr(module: &ModuleDef, field: &str) -> SimpleExpr {
    match module.field(field) {
        Some(def) if def.field_type == FieldType::Picklist && !def.values.is_empty() => {
            let mut case = sea_query::CaseStatement::new();
            for (position, value) in def.values.iter().enumerate() {
                case = case.case(
                    Expr::col(field.to_owned()).eq(value.value.as_str()),
                    position as i64,
                );
            }
            case.finally(def.values.len() as i64).into()
        }
        _ => Expr::col(field.to_owned()),
    }
}

fn not_deleted() -> SimpleExpr {
    Expr::col("deleted_at").is_null()
}

impl Store {
    pub fn module(&self, name: &str) -> Result<&ModuleDef> {
        self.registry().module(name).ok_or(Error::NotFound)
    }

    /// The SQL condition for `filter` on `module`'s table.
    pub(crate) fn condition(&self, module: &ModuleDef, filter: &Filter) -> Result<Condition> {
        self.condition_in_view(module, module, filter)
    }

    /// The SQL condition for `filter` on `module`'s table, where a text search looks only into
    /// the text fields of `view` (the fields the caller may see).
    pub(crate) fn condition_in_view(
        &self,
        module: &ModuleDef,
        view: &ModuleDef,
        filter: &Filter,
    ) -> Result<Condition> {
        Ok(match filter {
            Filter::All => Cond::all(),
            Filter::Nothing => Cond::all().add(Expr::cust("1 = 0")),
            Filter::IdIs(id) => Cond::all().add(Expr::col("id").eq(*id)),
            Filter::Ne(field, value) => {
                let def = module
                    .field(field)
                    .ok_or_else(|| Error::field(field, "unknown field"))?;
                Cond::any()
                    .add(Expr::col(field.clone()).is_null())
                    .add(Expr::col(field.clone()).ne(bind(&def.field_type, value)))
            }
            Filter::Gte(field, value) | Filter::Lte(field, value) => {
                let def = module
                    .field(field)
                    .ok_or_else(|| Error::field(field, "unknown field"))?;
                let bound = bind(&def.field_type, value);
                let column = Expr::col(field.clone());
                Cond::all().add(match filter {
                    Filter::Gte(..) => column.gte(bound),
                    _ => column.lte(bound),
                })
            }
            Filter::ListEmptyOrContains(field, value) => {
                // Lists are stored as JSON arrays of strings.
                let quoted = serde_json::Value::String(value.clone()).to_string();
                Cond::any()
                    .add(Expr::col(field.clone()).is_null())
                    .add(Expr::col(field.clone()).eq("[]"))
                    .add(Expr::col(field.clone()).like(contains_pattern(&quoted)))
            }
            Filter::LinkedToAny {
                module: other,
                filter,
            } => {
                let other_def = self.module(other)?;
                let matching = Query::select()
                    .column("id")
                    .from(other.clone())
                    .cond_where(
                        Cond::all()
                            .add(not_deleted())
                            .add(self.condition(other_def, filter)?),
                    )
                    .to_owned();
                let linked = Query::select()
                    .column("other_id")
                    .from("record_links")
                    .and_where(Expr::col("module").eq(other.as_str()))
                    .and_where(Expr::col("other_module").eq(module.name.as_str()))
                    .and_where(Expr::col("record_id").in_subquery(matching))
                    .to_owned();
                Cond::all().add(Expr::col("id").in_subquery(linked))
            }
            Filter::Refers {
                field,
                module: target,
                filter,
            } => {
                let target_def = self.module(target)?;
                let matching = Query::select()
                    .column("id")
                    .from(target.clone())
                    .cond_where(
                        Cond::all()
                            .add(not_deleted())
                            .add(self.condition(target_def, filter)?),
                    )
                    .to_owned();
                Cond::all().add(Expr::col(field.clone()).in_subquery(matching))
            }
            Filter::Eq(field, value) => {
                let def = module
                    .field(field)
                    .ok_or_else(|| Error::field(field, "unknown field"))?;
                if value.is_null() {
                    Cond::all().add(Expr::col(field.clone()).is_null())
                } else {
                    Cond::all().add(Expr::col(field.clone()).eq(bind(&def.field_type, value)))
                }
            }
            Filter::LinkedTo { module: other, id } => {
                let linked = Query::select()
                    .column("other_id")
                    .from("record_links")
                    .and_where(Expr::col("module").eq(other.as_str()))
                    .and_where(Expr::col("record_id").eq(*id))
                    .and_where(Expr::col("other_module").eq(module.name.as_str()))
                    .to_owned();
                Cond::all().add(Expr::col("id").in_subquery(linked))
            }
            Filter::Text(text) => {
                let pattern = contains_pattern(&text.to_lowercase());
                let mut any =
                    Cond::any().add(Func::lower(Expr::col("number")).like(pattern.clone()));
                // The label is made of the label fields: searchable only when all of them are.
                if module.label_fields.iter().all(|f| view.has_field(f)) {
                    any = any.add(Func::lower(Expr::col("label")).like(pattern.clone()));
                }
                for field in view
                    .fields
                    .iter()
                    .filter(|f| f.field_type.is_text_searchable())
                {
                    any = any.add(Func::lower(Expr::col(field.name.clone())).like(pattern.clone()));
                }
                any
            }
            Filter::And(all) => {
                let mut cond = Cond::all();
                for f in all {
                    cond = cond.add(self.condition_in_view(module, view, f)?);
                }
                cond
            }
            Filter::Or(any) => {
                let terms = flatten_or(any);
                if terms.len() > 1 && terms.iter().all(|f| is_selective(module, f)) {
                    // Each term alone finds few rows through an index, but an OR across
                    // columns defeats SQLite's planner (it scans in sort order instead): a
                    // UNION of one indexed lookup per term keeps every list and count fast.
                    let mut union: Option<SelectStatement> = None;
                    for term in terms {
                        let select = Query::select()
                            .column("id")
                            .from(module.name.clone())
                            .cond_where(
                                Cond::all()
                                    .add(not_deleted())
                                    .add(self.condition_in_view(module, view, term)?),
                            )
                            .to_owned();
                        match union.as_mut() {
                            Some(all) => {
                                all.union(sea_query::UnionType::Distinct, select);
                            }
                            None => union = Some(select),
                        }
                    }
                    match union {
                        Some(union) => Cond::all().add(Expr::col("id").in_subquery(union)),
                        None => Cond::all().add(Expr::cust("1 = 0")),
                    }
                } else {
                    let mut cond = Cond::any();
                    for f in any {
                        cond = cond.add(self.condition_in_view(module, view, f)?);
                    }
                    cond
                }
            }
        })
    }

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
        let cond = Cond::all().add(not_deleted()).add(self.condition_in_view(
            module,
            view,
            &query.filter,
        )?);
        let order = if query.sort.descending {
            Order::Desc
        } else {
            Order::Asc
        };
        let mut select = select_all(view);
        select
            .cond_where(cond.clone())
            .order_by_expr(sort_expr(module, &query.sort.field), order.clone())
            .order_by("id", order)
            .limit(query.per_page)
            .offset(query.offset());
        let count = Query::select()
            .expr_as(Expr::cust("COUNT(*)"), "n")
            .from(module.name.clone())
            .cond_where(cond)
            .to_owned();
        let (rows, total) = if counted {
            tokio::try_join!(self.db.fetch_all(&select), self.db.fetch_optional(&count))?
        } else {
            (self.db.fetch_all(&select).await?, None)
        };
        let mut items = rows
            .iter()
            .map(|r| decode_record(r, view))
            .collect::<Result<Vec<_>>>()?;
        self.fill_labels(view, &mut items).await?;
        let total = match total {
            Some(row) => Ord::max(row.get::<i64>("n")?, 0) as u64,
            None => items.len() as u64,
        };
        Ok(Page { items, total })
    }

    /// One record of `module` matching `filter`, read through `view`.
    pub async fn get_view(
        &self,
        module: &ModuleDef,
        view: &ModuleDef,
        id: Uuid,
        filter: &Filter,
    ) -> Result<Record> {
        let cond = Cond::all()
            .add(not_deleted())
            .add(Expr::col("id").eq(id))
            .add(self.condition(module, filter)?);
        let select = select_all(view).cond_where(cond).to_owned();
        let row = self
            .db
            .fetch_optional(&select)
            .await?
            .ok_or(Error::NotFound)?;
        let mut records = vec![decode_record(&row, view)?];
        self.fill_labels(view, &mut records).await?;
        records.pop().ok_or(Error::NotFound)
    }

    /// Whether record `id` of `module` exists and matches `filter`.
    pub async fn matches(&self, module: &ModuleDef, id: Uuid, filter: &Filter) -> Result<bool> {
        let select = Query::select()
            .column("id")
            .from(module.name.clone())
            .cond_where(
                Cond::all()
                    .add(not_deleted())
                    .add(Expr::col("id").eq(id))
                    .add(self.condition(module, filter)?),
            )
            .to_owned();
        Ok(self.db.fetch_optional(&select).await?.is_some())
    }

    /// One record that is not deleted, without looking up reference labels.
    pub async fn get_plain(&self, module: &ModuleDef, id: Uuid) -> Result<Record> {
        let select = select_all(module)
            .and_where(Expr::col("id").eq(id))
            .and_where(not_deleted())
            .to_owned();
        let row = self
            .db
            .fetch_optional(&select)
            .await?
            .ok_or(Error::NotFound)?;
        decode_record(&row, module)
    }

    /// One record that is not deleted, with reference labels.
    pub async fn get(&self, module: &ModuleDef, id: Uuid) -> Result<Record> {
        let select = select_all(module)
            .and_where(Expr::col("id").eq(id))
            .and_where(not_deleted())
            .to_owned();
        let row = self
            .db
            .fetch_optional(&select)
            .await?
            .ok_or(Error::NotFound)?;
        let mut records = vec![decode_record(&row, module)?];
        self.fill_labels(module, &mut records).await?;
        records.pop().ok_or(Error::NotFound)
    }

    async fn get_in(&self, tx: &mut Tx, module: &ModuleDef, id: Uuid) -> Result<Record> {
        let mut select = select_all(module)
            .and_where(Expr::col("id").eq(id))
            .and_where(not_deleted())
            .to_owned();
        if tx.backend() == crate::db::Backend::Postgres {
            select.lock(sea_query::LockType::Update);
        }
        let row = tx.fetch_optional(&select).await?.ok_or(Error::NotFound)?;
        decode_record(&row, module)
    }

    /// Creates a record from validated `changes`.
    pub async fn create(
        &self,
        module: &ModuleDef,
        changes: Changes,
        actor: Actor,
    ) -> Result<Record> {
        self.create_with(module, changes, actor, |_| Ok(Effects::default()))
            .await
    }

    /// Creates a record and, in the same transaction, the side effects `effects` derives from
    /// the new record's id (mails, tokens, activity).
    pub async fn create_with(
        &self,
        module: &ModuleDef,
        mut changes: Changes,
        actor: Actor,
        effects: impl FnOnce(Uuid) -> Result<Effects>,
    ) -> Result<Record> {
        let at = now();
        apply_system_rules(module, None, &mut changes, at);
        let id = Uuid::now_v7();
        let effects = effects(id)?;
        let mut tx = self.db.begin().await?;
        check_references(&mut tx, self, module, &changes).await?;
        let number = next_number(&mut tx, module).await?;
        insert_record(&mut tx, module, id, &number, &changes, actor, at).await?;
        crate::mail::write_effects(&mut tx, &effects).await?;
        tx.commit().await?;
        self.get(module, id).await
    }

    /// Creates a record with its many-to-many `links`, in one transaction that is kept only if
    /// the new record then matches `visible` (else `Error::Forbidden` and nothing is written).
    pub async fn create_checked(
        &self,
        module: &ModuleDef,
        mut changes: Changes,
        actor: Actor,
        links: &[(&ModuleDef, Uuid)],
        visible: &Filter,
    ) -> Result<Uuid> {
        let at = now();
        apply_system_rules(module, None, &mut changes, at);
        let id = Uuid::now_v7();
        let mut tx = self.db.begin().await?;
        check_references(&mut tx, self, module, &changes).await?;
        let number = next_number(&mut tx, module).await?;
        insert_record(&mut tx, module, id, &number, &changes, actor, at).await?;
        if !links.is_empty() {
            let pairs: Vec<(&str, Uuid, &str, Uuid)> = links
                .iter()
                .map(|(other, other_id)| (module.name.as_str(), id, other.name.as_str(), *other_id))
                .collect();
            tx.execute(&links_insert(&pairs, at)).await?;
        }
        let check = Query::select()
            .column("id")
            .from(module.name.clone())
            .cond_where(
                Cond::all()
                    .add(Expr::col("id").eq(id))
                    .add(self.condition(module, visible)?),
            )
            .to_owned();
        if tx.fetch_optional(&check).await?.is_none() {
            // Dropping the transaction rolls it back.
            return Err(Error::Forbidden(
                "You would not be able to see this record once created.".into(),
            ));
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Changes the fields in `changes`; `if_match` is the version the client last saw.
    pub async fn update(
        &self,
        module: &ModuleDef,
        id: Uuid,
        changes: Changes,
        actor: Actor,
        if_match: Option<i64>,
    ) -> Result<Record> {
        self.update_with(module, id, changes, actor, if_match, |_, _| {
            Ok(Effects::default())
        })
        .await
    }

    /// Changes a record and, in the same transaction, writes the side effects `effects`
    /// derives from the record before the change and the fields that really change.
    pub async fn update_with(
        &self,
        module: &ModuleDef,
        id: Uuid,
        mut changes: Changes,
        actor: Actor,
        if_match: Option<i64>,
        effects: impl FnOnce(&Record, &Changes) -> Result<Effects>,
    ) -> Result<Record> {
        let at = now();
        let mut tx = self.db.begin().await?;
        let before = self.get_in(&mut tx, module, id).await?;
        if if_match.is_some_and(|v| v != before.version) {
            return Err(Error::PreconditionFailed);
        }
        apply_system_rules(module, Some(&before), &mut changes, at);
        check_references(&mut tx, self, module, &changes).await?;
        changes.retain(|(field, value)| before.get(field) != value);
        let effects = effects(&before, &changes)?;
        if !changes.is_empty() {
            write_changes(&mut tx, module, &before, &changes, actor, at).await?;
        }
        crate::mail::write_effects(&mut tx, &effects).await?;
        tx.commit().await?;
        self.get(module, id).await
    }

    /// Soft-deletes a record.
    pub async fn delete(&self, module: &ModuleDef, id: Uuid, actor: Actor) -> Result<()> {
        let update = Query::update()
            .table(module.name.clone())
            .value("deleted_at", now())
            .value("modified_by", actor.user())
            .value("modified_by_ext", actor.contact())
            .and_where(Expr::col("id").eq(id))
            .and_where(not_deleted())
            .to_owned();
        match self.db.execute(&update).await? {
            0 => Err(Error::NotFound),
            _ => Ok(()),
        }
    }

    /// Fills in the labels of every reference in `records`, one query per referenced module.
    pub async fn fill_labels(&self, module: &ModuleDef, records: &mut [Record]) -> Result<()> {
        let mut wanted: HashMap<Option<&str>, HashSet<Uuid>> = HashMap::new();
        for field in &module.fields {
            let target = match &field.field_type {
                FieldType::Reference { module } => Some(module.as_str()),
                FieldType::User => None,
                _ => continue,
            };
            for record in records.iter() {
                if let Some(id) = record.get(&field.name).as_ref_id() {
                    wanted.entry(target).or_default().insert(id);
                }
            }
        }
        let mut labels: HashMap<(Option<&str>, Uuid), (String, bool)> = HashMap::new();
        for (target, ids) in wanted {
            let ids: Vec<Uuid> = ids.into_iter().collect();
            let select = match target {
                Some(table) => Query::select()
                    .columns(["id", "label"])
                    .expr_as(Expr::col("deleted_at").is_not_null(), "deleted")
                    .from(table.to_owned())
                    .and_where(Expr::col("id").is_in(ids))
                    .to_owned(),
                None => Query::select()
                    .column("id")
                    .expr_as(Expr::col("name"), "label")
                    .expr_as(Expr::val(false), "deleted")
                    .from("staff_users")
                    .and_where(Expr::col("id").is_in(ids))
                    .to_owned(),
            };
            for row in self.db.fetch_all(&select).await? {
                labels.insert(
                    (target, row.get("id")?),
                    (row.get("label")?, row.get("deleted")?),
                );
            }
        }
        for field in &module.fields {
            let target = match &field.field_type {
                FieldType::Reference { module } => Some(module.as_str()),
                FieldType::User => None,
                _ => continue,
            };
            for record in records.iter_mut() {
                if let Some(Value::Ref(r)) = record.values.get_mut(&field.name)
                    && let Some((label, deleted)) = labels.get(&(target, r.id))
                {
                    r.label = Some(label.clone());
                    r.deleted = *deleted;
                }
            }
        }
        Ok(())
    }

    /// Links two records many-to-many (idempotent).
    pub async fn link(&self, a: &ModuleDef, a_id: Uuid, b: &ModuleDef, b_id: Uuid) -> Result<()> {
        if !a.can_link(&b.name) {
            return Err(Error::NotFound);
        }
        self.get(a, a_id).await?;
        self.get(b, b_id).await?;
        let at = now();
        let mut tx = self.db.begin().await?;
        tx.execute(&links_insert(
            &[(a.name.as_str(), a_id, b.name.as_str(), b_id)],
            at,
        ))
        .await?;
        tx.commit().await
    }

    /// Removes a many-to-many link; removing one that is not there is not an error.
    pub async fn unlink(&self, a: &ModuleDef, a_id: Uuid, b: &ModuleDef, b_id: Uuid) -> Result<()> {
        if !a.can_link(&b.name) {
            return Err(Error::NotFound);
        }
        self.get(a, a_id).await?;
        self.get(b, b_id).await?;
        let mut tx = self.db.begin().await?;
        for (m1, id1, m2, id2) in [(a, a_id, b, b_id), (b, b_id, a, a_id)] {
            let delete = Query::delete()
                .from_table("record_links")
                .and_where(Expr::col("module").eq(m1.name.as_str()))
                .and_where(Expr::col("record_id").eq(id1))
                .and_where(Expr::col("other_module").eq(m2.name.as_str()))
                .and_where(Expr::col("other_id").eq(id2))
                .to_owned();
            tx.execute(&delete).await?;
        }
        tx.commit().await
    }

    /// The filter selecting `other`'s records related to record `id` of `module`: those whose
    /// reference fields point at it, and those linked to it. None when the modules are not
    /// related at all.
    pub fn related_filter(
        &self,
        module: &ModuleDef,
        id: Uuid,
        other: &ModuleDef,
    ) -> Option<Filter> {
        let mut any: Vec<Filter> = other
            .fields
            .iter()
            .filter(|f| !f.system && f.references() == Some(module.name.as_str()))
            .map(|f| Filter::Eq(f.name.clone(), Value::Ref(Reference::to(id))))
            .collect();
        if other.can_link(&module.name) {
            any.push(Filter::LinkedTo {
                module: module.name.clone(),
                id,
            });
        }
        (!any.is_empty()).then_some(Filter::Or(any))
    }

    /// A record's field history, newest first.
    pub async fn updates(&self, module: &ModuleDef, id: Uuid) -> Result<Vec<UpdateEntry>> {
        let select = Query::select()
            .columns([
                "id",
                "field",
                "old_value",
                "new_value",
                "changed_at",
                "changed_by_user",
                "changed_by_contact",
            ])
            .from("record_updates")
            .and_where(Expr::col("module").eq(module.name.as_str()))
            .and_where(Expr::col("record_id").eq(id))
            .order_by("changed_at", Order::Desc)
            .order_by("id", Order::Desc)
            .to_owned();
        let rows = self.db.fetch_all(&select).await?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in &rows {
            let parse = |s: Option<String>| {
                s.and_then(|s| serde_json::from_str(&s).ok())
                    .unwrap_or(serde_json::Value::Null)
            };
            entries.push(UpdateEntry {
                id: row.get("id")?,
                field: row.get("field")?,
                old: parse(row.get("old_value")?),
                new: parse(row.get("new_value")?),
                at: row.get("changed_at")?,
                by_user: row
                    .get::<Option<Uuid>>("changed_by_user")?
                    .map(Reference::to),
                by_contact: row
                    .get::<Option<Uuid>>("changed_by_contact")?
                    .map(Reference::to),
            });
        }
        let users: Vec<Uuid> = entries
            .iter()
            .filter_map(|e| e.by_user.as_ref().map(|r| r.id))
            .collect();
        let contacts: Vec<Uuid> = entries
            .iter()
            .filter_map(|e| e.by_contact.as_ref().map(|r| r.id))
            .collect();
        let user_names = self.user_labels(&users).await?;
        let contact_names = self.record_labels("contacts", &contacts).await?;
        for entry in &mut entries {
            if let Some(r) = entry.by_user.as_mut() {
                r.label = user_names.get(&r.id).cloned();
            }
            if let Some(r) = entry.by_contact.as_mut()
                && let Some((label, deleted)) = contact_names.get(&r.id)
            {
                r.label = Some(label.clone());
                r.deleted = *deleted;
            }
        }
        Ok(entries)
    }

    pub(crate) async fn user_labels(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, String>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let select = Query::select()
            .columns(["id", "name"])
            .from("staff_users")
            .and_where(Expr::col("id").is_in(ids.iter().copied()))
            .to_owned();
        self.db
            .fetch_all(&select)
            .await?
            .iter()
            .map(|r| Ok((r.get("id")?, r.get("name")?)))
            .collect()
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
            .to_owned();
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
            .to_owned();
        Ok(self.db.fetch_optional(&select).await?.is_some())
    }

    /// Inserts many records in one transaction per call, with numbers allocated in one step;
    /// for bulk loading (seed, demo). Values are not validated: callers build them.
    pub async fn insert_batch(
        &self,
        module: &ModuleDef,
        rows: Vec<(Uuid, Changes, OffsetDateTime)>,
        actor: Actor,
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.begin().await?;
        let first = reserve_numbers(&mut tx, module, rows.len() as i64).await?;
        // Stay under SQLite's bound-parameter limit with a multi-row INSERT per chunk.
        let per_row = HEADER.len() + 2 + module.fields.len();
        let chunk = (30_000 / per_row).max(1);
        for (chunk_index, part) in rows.chunks(chunk).enumerate() {
            let mut insert = Query::insert();
            insert
                .into_table(module.name.clone())
                .columns(insert_columns(module));
            for (i, (id, changes, at)) in part.iter().enumerate() {
                let sequence = first + (chunk_index * chunk + i) as i64;
                let number = module.format_number(sequence);
                insert.values_panic(insert_values(module, *id, &number, changes, actor, *at));
            }
            tx.execute(&insert).await?;
        }
        tx.commit().await
    }

    /// Links many pairs at once (bulk loading).
    pub async fn link_batch(&self, pairs: Vec<(String, Uuid, String, Uuid)>) -> Result<()> {
        if pairs.is_empty() {
            return Ok(());
        }
        let at = now();
        let mut tx = self.db.begin().await?;
        for part in pairs.chunks(2_000) {
            let part: Vec<(&str, Uuid, &str, Uuid)> = part
                .iter()
                .map(|(m1, id1, m2, id2)| (m1.as_str(), *id1, m2.as_str(), *id2))
                .collect();
            tx.execute(&links_insert(&part, at)).await?;
        }
        tx.commit().await
    }
}

/// Rows linking each pair both ways (a link already there is left as it is).
fn links_insert(
    pairs: &[(&str, Uuid, &str, Uuid)],
    at: OffsetDateTime,
) -> sea_query::InsertStatement {
    let mut insert = Query::insert();
    insert.into_table("record_links").columns([
        "module",
        "record_id",
        "other_module",
        "other_id",
        "created_at",
    ]);
    for (m1, id1, m2, id2) in pairs {
        insert.values_panic([
            (*m1).into(),
            (*id1).into(),
            (*m2).into(),
            (*id2).into(),
            at.into(),
        ]);
        insert.values_panic([
            (*m2).into(),
            (*id2).into(),
            (*m1).into(),
            (*id1).into(),
            at.into(),
        ]);
    }
    insert.on_conflict(
        OnConflict::columns(["module", "record_id", "other_module", "other_id"])
            .do_nothing()
            .to_owned(),
    );
    insert
}

fn insert_columns(module: &ModuleDef) -> Vec<String> {
    let mut columns: Vec<String> = HEADER.iter().map(|s| (*s).to_owned()).collect();
    columns.extend(module.fields.iter().map(|f| f.name.clone()));
    columns
}

fn insert_values(
    module: &ModuleDef,
    id: Uuid,
    number: &str,
    changes: &Changes,
    actor: Actor,
    at: OffsetDateTime,
) -> Vec<SimpleExpr> {
    let given: HashMap<&str, &Value> = changes.iter().map(|(f, v)| (f.as_str(), v)).collect();
    let label = label_of(module, |f| given.get(f).copied());
    let mut values: Vec<SimpleExpr> = vec![
        id.into(),
        number.into(),
        1_i64.into(),
        at.into(),
        at.into(),
        label.into(),
    ];
    for field in &module.fields {
        let value = match field.name.as_str() {
            "created_by" | "modified_by" => actor.user().map(|u| Value::Ref(Reference::to(u))),
            "created_by_ext" | "modified_by_ext" => {
                actor.contact().map(|c| Value::Ref(Reference::to(c)))
            }
            name => given.get(name).map(|v| (*v).clone()),
        }
        .unwrap_or(Value::Null);
        values.push(Expr::val(bind(&field.field_type, &value)));
    }
    values
}

async fn insert_record(
    tx: &mut Tx,
    module: &ModuleDef,
    id: Uuid,
    number: &str,
    changes: &Changes,
    actor: Actor,
    at: OffsetDateTime,
) -> Result<()> {
    let insert = Query::insert()
        .into_table(module.name.clone())
        .columns(insert_columns(module))
        .values_panic(insert_values(module, id, number, changes, actor, at))
        .to_owned();
    tx.execute(&insert).await?;
    Ok(())
}

async fn write_changes(
    tx: &mut Tx,
    module: &ModuleDef,
    before: &Record,
    changes: &Changes,
    actor: Actor,
    at: OffsetDateTime,
) -> Result<()> {
    let mut after = before.values.clone();
    for (field, value) in changes {
        after.insert(field.clone(), value.clone());
    }
    let label = label_of(module, |f| after.get(f));
    let mut update = Query::update();
    update
        .table(module.name.clone())
        .value("version", Expr::col("version").add(1))
        .value("updated_at", at)
        .value("label", label)
        .value("modified_by", actor.user())
        .value("modified_by_ext", actor.contact());
    for (field, value) in changes {
        let def = module
            .field(field)
            .ok_or_else(|| Error::field(field, "unknown field"))?;
        update.value(
            Alias::new(field.as_str()),
            Expr::val(bind(&def.field_type, value)),
        );
    }
    update
        .and_where(Expr::col("id").eq(before.id))
        .and_where(Expr::col("version").eq(before.version));
    if tx.execute(&update).await? == 0 {
        return Err(Error::PreconditionFailed);
    }
    let mut history = Query::insert();
    history.into_table("record_updates").columns([
        "id",
        "module",
        "record_id",
        "field",
        "old_value",
        "new_value",
        "changed_by_user",
        "changed_by_contact",
        "changed_at",
    ]);
    for (field, value) in changes {
        history.values_panic([
            Uuid::now_v7().into(),
            module.name.clone().into(),
            before.id.into(),
            field.clone().into(),
            before.get(field).to_plain_json().to_string().into(),
            value.to_plain_json().to_string().into(),
            actor.user().into(),
            actor.contact().into(),
            at.into(),
        ]);
    }
    tx.execute(&history).await?;
    Ok(())
}

/// Every reference in `changes` must name an existing, not deleted record (or an active staff
/// user); each one that does not is a field error.
async fn check_references(
    tx: &mut Tx,
    store: &Store,
    module: &ModuleDef,
    changes: &Changes,
) -> Result<()> {
    let mut errors = Vec::new();
    for (field, value) in changes {
        let Value::Ref(reference) = value else {
            continue;
        };
        let Some(def) = module.field(field) else {
            continue;
        };
        let select = match &def.field_type {
            FieldType::Reference { module: target } => {
                store.module(target)?;
                Query::select()
                    .column("id")
                    .from(target.clone())
                    .and_where(Expr::col("id").eq(reference.id))
                    .and_where(not_deleted())
                    .to_owned()
            }
            FieldType::User => Query::select()
                .column("id")
                .from("staff_users")
                .and_where(Expr::col("id").eq(reference.id))
                .to_owned(),
            _ => continue,
        };
        if tx.fetch_optional(&select).await?.is_none() {
            errors.push(FieldError::new(field, "no such record"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(errors))
    }
}

async fn next_number(tx: &mut Tx, module: &ModuleDef) -> Result<String> {
    let first = reserve_numbers(tx, module, 1).await?;
    Ok(module.format_number(first))
}

/// Reserves `count` consecutive sequence numbers and returns the first.
async fn reserve_numbers(tx: &mut Tx, module: &ModuleDef, count: i64) -> Result<i64> {
    let update = Query::update()
        .table("record_sequences")
        .value("next_value", Expr::col("next_value").add(count))
        .and_where(Expr::col("module").eq(module.name.as_str()))
        .returning_col("next_value")
        .to_owned();
    let row = tx
        .fetch_optional(&update)
        .await?
        .ok_or_else(|| Error::Internal(format!("no sequence for {}", module.name)))?;
    let next: i64 = row.get("next_value")?;
    Ok(next - count)
}
