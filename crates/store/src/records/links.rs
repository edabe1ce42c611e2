//! Many-to-many links (stored both ways) and the filters of related lists.

use atrium_core::query::Filter;
use atrium_core::record::now;
use atrium_core::value::Reference;
use atrium_core::{Error, ModuleDef, Result, Value};
use sea_query::{Expr, ExprTrait, OnConflict, Query};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::Store;

impl Store {
    /// Links two records many-to-many (idempotent).
    pub async fn link(&self, a: &ModuleDef, a_id: Uuid, b: &ModuleDef, b_id: Uuid) -> Result<()> {
        if !a.can_link(&b.name) {
            return Err(Error::NotFound);
        }
        self.get(a, a_id).await?;
        self.get(b, b_id).await?;
        let at = now();
        let mut tx = self.db.begin().await?;
        tx.changes_records_of(&a.name);
        tx.changes_records_of(&b.name);
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
        tx.changes_records_of(&a.name);
        tx.changes_records_of(&b.name);
        for (m1, id1, m2, id2) in [(a, a_id, b, b_id), (b, b_id, a, a_id)] {
            let delete = Query::delete()
                .from_table("record_links")
                .and_where(Expr::col("module").eq(m1.name.as_str()))
                .and_where(Expr::col("record_id").eq(id1))
                .and_where(Expr::col("other_module").eq(m2.name.as_str()))
                .and_where(Expr::col("other_id").eq(id2))
                .take();
            tx.execute(&delete).await?;
        }
        tx.commit().await
    }

    /// The modules with a related list on `module`'s records: those referring to it by a
    /// field of their own, or linked to it many-to-many (what [`Store::related_filter`] finds).
    pub fn related_modules(&self, module: &ModuleDef) -> Vec<&ModuleDef> {
        self.registry()
            .modules()
            .iter()
            .filter(|other| {
                other
                    .fields
                    .iter()
                    .any(|f| !f.system && f.references() == Some(module.name.as_str()))
                    || other.can_link(&module.name)
            })
            .collect()
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
}

/// Rows linking each pair both ways (a link already there is left as it is).
pub(super) fn links_insert(
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
