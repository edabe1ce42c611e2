//! Creating, changing and deleting records.

use std::collections::HashMap;

use atrium_core::query::Filter;
use atrium_core::record::{label_of, now};
use atrium_core::rules::apply_system_rules;
use atrium_core::validate::Changes;
use atrium_core::value::Reference;
use atrium_core::{Error, FieldError, FieldType, ModuleDef, Record, Result, Value};
use sea_query::{Alias, Expr, ExprTrait, Query, SimpleExpr};
use time::OffsetDateTime;
use uuid::Uuid;

use super::*;
use crate::Store;
use crate::db::Tx;

/// A record as a change left it, with what it was before.
#[derive(Debug, Clone)]
pub struct Changed {
    pub before: Record,
    pub after: Record,
    /// The fields that really changed (sending a value a field already has changes nothing).
    pub changes: Changes,
}

impl Work<'_> {
    /// A record that is not deleted, locked for the rest of the transaction on PostgreSQL (on
    /// SQLite the transaction already holds the write lock). Reference labels are not filled.
    pub async fn get(&mut self, module: &ModuleDef, id: Uuid) -> Result<Record> {
        let mut select = select_all(module)
            .and_where(Expr::col("id").eq(id))
            .and_where(not_deleted())
            .take();
        if self.tx.backend() == crate::db::Backend::Postgres {
            select.lock(sea_query::LockType::Update);
        }
        let row = self
            .tx
            .fetch_optional(&select)
            .await?
            .ok_or(Error::NotFound)?;
        decode_record(&row, module)
    }

    /// A record as [`Work::get`] reads it, with the labels of its references.
    pub async fn get_labeled(&mut self, module: &ModuleDef, id: Uuid) -> Result<Record> {
        let mut records = vec![self.get(module, id).await?];
        if let Some((targets, select)) = labels_statement(module, &records) {
            let rows = self.tx.fetch_all(&select).await?;
            Labels::read(&targets, rows)?.apply(module, &mut records);
        }
        records.pop().ok_or(Error::NotFound)
    }

    /// Whether record `id` of `module` exists and matches `filter`, as the transaction sees it.
    pub async fn matches(&mut self, module: &ModuleDef, id: Uuid, filter: &Filter) -> Result<bool> {
        let select = self.store.id_matching(module, id, filter)?;
        Ok(self.tx.fetch_optional(&select).await?.is_some())
    }

    /// Creates a record from validated `changes`, with its number and its many-to-many
    /// `links`; returns it as stored.
    pub async fn create(
        &mut self,
        module: &ModuleDef,
        mut changes: Changes,
        actor: Actor,
        links: &[(&ModuleDef, Uuid)],
    ) -> Result<Record> {
        let at = now();
        self.default_currency(module, &mut changes).await?;
        apply_system_rules(module, None, &mut changes, at)?;
        let id = Uuid::now_v7();
        check_references(&mut self.tx, self.store, module, &mut changes).await?;
        let number = next_number(&mut self.tx, module).await?;
        insert_record(&mut self.tx, module, id, &number, &changes, actor, at).await?;
        if !links.is_empty() {
            let pairs: Vec<(&str, Uuid, &str, Uuid)> = links
                .iter()
                .map(|(other, other_id)| (module.name.as_str(), id, other.name.as_str(), *other_id))
                .collect();
            for (other, _) in links {
                self.tx.changes_records_of(&other.name);
            }
            self.tx.execute(&links_insert(&pairs, at)).await?;
        }
        if module.name == "contacts" {
            self.sync_login(id).await?;
        }
        self.get(module, id).await
    }

    /// Changes the fields in `changes`; `if_match` is the version the client last saw (a
    /// stale one is `PreconditionFailed`). Fields Atrium maintains follow (`resolved_at`, …).
    pub async fn update(
        &mut self,
        module: &ModuleDef,
        id: Uuid,
        mut changes: Changes,
        actor: Actor,
        if_match: Option<i64>,
    ) -> Result<Changed> {
        let at = now();
        let before = self.get(module, id).await?;
        if if_match.is_some_and(|v| v != before.version) {
            return Err(Error::PreconditionFailed);
        }
        apply_system_rules(module, Some(&before), &mut changes, at)?;
        check_references(&mut self.tx, self.store, module, &mut changes).await?;
        changes.retain(|(field, value)| before.get(field) != value);
        if changes.is_empty() {
            return Ok(Changed {
                after: before.clone(),
                before,
                changes,
            });
        }
        write_changes(&mut self.tx, module, &before, &changes, actor, at).await?;
        if module.name == "contacts" {
            self.sync_login(id).await?;
        }
        let after = self.get(module, id).await?;
        Ok(Changed {
            before,
            after,
            changes,
        })
    }

    /// A priced record created without a currency is in the company's.
    async fn default_currency(&mut self, module: &ModuleDef, changes: &mut Changes) -> Result<()> {
        if !module.has_field("currency") {
            return Ok(());
        }
        let given = changes.iter().any(|(f, v)| f == "currency" && !v.is_null());
        if !given {
            let currency = self.store.company().await?.currency;
            changes.retain(|(f, _)| f != "currency");
            changes.push(("currency".into(), Value::Text(currency)));
        }
        Ok(())
    }

    /// Soft-deletes a record.
    pub async fn delete(&mut self, module: &ModuleDef, id: Uuid, actor: Actor) -> Result<()> {
        let update = Query::update()
            .table(module.name.clone())
            .value("deleted_at", now())
            .value("modified_by", actor.user())
            .value("modified_by_ext", actor.contact())
            .and_where(Expr::col("id").eq(id))
            .and_where(not_deleted())
            .take();
        self.tx.changes_records_of(&module.name);
        if self.tx.execute(&update).await? == 0 {
            return Err(Error::NotFound);
        }
        if module.name == "contacts" {
            self.sync_login(id).await?;
        }
        Ok(())
    }
}

impl Store {
    /// Creates a record from validated `changes` in a transaction of its own.
    pub async fn create(
        &self,
        module: &ModuleDef,
        changes: Changes,
        actor: Actor,
    ) -> Result<Record> {
        let mut work = self.work().await?;
        let record = work.create(module, changes, actor, &[]).await?;
        work.commit().await?;
        self.get(module, record.id).await
    }

    /// Changes a record in a transaction of its own; `if_match` as in [`Work::update`].
    pub async fn update(
        &self,
        module: &ModuleDef,
        id: Uuid,
        changes: Changes,
        actor: Actor,
        if_match: Option<i64>,
    ) -> Result<Record> {
        let mut work = self.work().await?;
        work.update(module, id, changes, actor, if_match).await?;
        work.commit().await?;
        self.get(module, id).await
    }

    /// Soft-deletes a record in a transaction of its own.
    pub async fn delete(&self, module: &ModuleDef, id: Uuid, actor: Actor) -> Result<()> {
        let mut work = self.work().await?;
        work.delete(module, id, actor).await?;
        work.commit().await
    }
}

pub(super) fn insert_columns(module: &ModuleDef) -> Vec<String> {
    let mut columns: Vec<String> = HEADER.iter().map(|s| (*s).to_owned()).collect();
    columns.extend(module.fields.iter().map(|f| f.name.clone()));
    columns
}

pub(super) fn insert_values(
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

pub(super) async fn insert_record(
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
        .take();
    tx.changes_records_of(&module.name);
    tx.execute(&insert).await?;
    Ok(())
}

pub(super) async fn write_changes(
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
    tx.changes_records_of(&module.name);
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
/// user); each one that does not is a field error. References inside grid rows must too, and
/// take the label their record has now: a quote keeps the product name it was made with.
pub(super) async fn check_references(
    tx: &mut Tx,
    store: &Store,
    module: &ModuleDef,
    changes: &mut Changes,
) -> Result<()> {
    let mut errors = Vec::new();
    for (field, value) in changes.iter_mut() {
        if let (Value::Json(rows), Some(def)) = (value, module.field(field))
            && let FieldType::Grid { columns } = &def.field_type
        {
            label_grid_references(tx, store, field, columns, rows, &mut errors).await?;
        }
    }
    for (field, value) in changes.iter() {
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
                    .take()
            }
            FieldType::User => Query::select()
                .column("id")
                .from("staff_users")
                .and_where(Expr::col("id").eq(reference.id))
                .take(),
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

async fn label_grid_references(
    tx: &mut Tx,
    store: &Store,
    field: &str,
    columns: &[atrium_core::metadata::GridColumn],
    rows: &mut serde_json::Value,
    errors: &mut Vec<FieldError>,
) -> Result<()> {
    let Some(rows) = rows.as_array_mut() else {
        return Ok(());
    };
    for column in columns {
        let FieldType::Reference { module: target } = column.field_type.as_ref() else {
            continue;
        };
        let target = store.module(target)?;
        let id_of = |row: &serde_json::Value| {
            row.get(&column.name)
                .and_then(|cell| cell.get("id"))
                .and_then(|id| id.as_str())
                .and_then(|id| Uuid::parse_str(id).ok())
        };
        let ids: Vec<Uuid> = rows.iter().filter_map(id_of).collect();
        if ids.is_empty() {
            continue;
        }
        let select = Query::select()
            .columns(["id", "label"])
            .from(target.name.clone())
            .and_where(Expr::col("id").is_in(ids))
            .and_where(not_deleted())
            .take();
        let mut labels = HashMap::new();
        for row in tx.fetch_all(&select).await? {
            labels.insert(row.get::<Uuid>("id")?, row.get::<String>("label")?);
        }
        for (index, row) in rows.iter_mut().enumerate() {
            let Some(id) = id_of(row) else { continue };
            match labels.get(&id) {
                Some(label) => row[&column.name]["label"] = serde_json::json!(label),
                None => errors.push(FieldError::new(
                    format!("{field}[{index}].{}", column.name),
                    "no such record",
                )),
            }
        }
    }
    Ok(())
}

pub(super) async fn next_number(tx: &mut Tx, module: &ModuleDef) -> Result<String> {
    let first = reserve_numbers(tx, module, 1).await?;
    Ok(module.format_number(first))
}

/// Reserves `count` consecutive sequence numbers and returns the first.
pub(super) async fn reserve_numbers(tx: &mut Tx, module: &ModuleDef, count: i64) -> Result<i64> {
    let update = Query::update()
        .table("record_sequences")
        .value("next_value", Expr::col("next_value").add(count))
        .and_where(Expr::col("module").eq(module.name.as_str()))
        .returning_col("next_value")
        .take();
    let row = tx
        .fetch_optional(&update)
        .await?
        .ok_or_else(|| Error::Internal(format!("no sequence for {}", module.name)))?;
    let next: i64 = row.get("next_value")?;
    Ok(next - count)
}
