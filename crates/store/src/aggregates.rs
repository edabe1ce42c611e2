//! Aggregates for charts, computed in SQL under the caller's filter (the access predicate for
//! customers), so every figure counts only what the caller may see.

use atrium_core::query::Filter;
use atrium_core::{ModuleDef, Result};
use sea_query::{Cond, Expr, ExprTrait, Query, SelectStatement};

use crate::Store;
use crate::db::Backend;
use crate::shapes::{Registered, Shape, holds_text, only};

impl Store {
    /// Record counts of `module` matching `filter`, grouped by the text value of `field`.
    pub async fn count_by(
        &self,
        module: &ModuleDef,
        field: &str,
        filter: &Filter,
    ) -> Result<Vec<(Option<String>, i64)>> {
        let (statements, ()) = self.shaped(|params| CountBy {
            module: Registered(module),
            field,
            filter: params.filter(filter),
        })?;
        self.db
            .fetch_all_rendered(only(statements)?)
            .await?
            .iter()
            .map(|row| Ok((row.get("bucket")?, row.get("n")?)))
            .collect()
    }

    /// The average time in hours from `start` to `end` (both datetime fields) of `module`'s
    /// records matching `filter` with `end` set, grouped by the text value of `field`.
    pub async fn average_hours_by(
        &self,
        module: &ModuleDef,
        field: &str,
        start: &str,
        end: &str,
        filter: &Filter,
    ) -> Result<Vec<(Option<String>, f64)>> {
        for column in [field, start, end] {
            if !module.has_field(column) && column != "created_at" && column != "updated_at" {
                return Err(atrium_core::Error::field(column, "unknown field"));
            }
        }
        let (statements, ()) = self.shaped(|params| AverageHoursBy {
            module: Registered(module),
            field,
            start,
            end,
            filter: params.filter(filter),
        })?;
        self.db
            .fetch_all_rendered(only(statements)?)
            .await?
            .iter()
            .map(|row| {
                Ok((
                    row.get("bucket")?,
                    row.get::<Option<f64>>("hours")?.unwrap_or(0.0),
                ))
            })
            .collect()
    }
}

/// Counts by a field's value (see [`Store::count_by`]).
#[derive(Debug)]
struct CountBy<'a> {
    module: Registered<'a>,
    field: &'a str,
    filter: Filter,
}

impl Shape for CountBy<'_> {
    type Notes = ();

    fn build(&self, store: &Store) -> Result<(Vec<SelectStatement>, ())> {
        let select = Query::select()
            .expr_as(Expr::col(self.field.to_owned()), "bucket")
            .expr_as(Expr::cust("COUNT(*)"), "n")
            .from(self.module.0.name.clone())
            .cond_where(
                Cond::all()
                    .add(Expr::col("deleted_at").is_null())
                    .add(store.condition(self.module.0, &self.filter)?),
            )
            .group_by_col(self.field.to_owned())
            .take();
        Ok((vec![select], ()))
    }

    fn keep(&self, store: &Store) -> bool {
        self.module.is_registered(store) && !holds_text(&self.filter)
    }
}

/// Average hours by a field's value (see [`Store::average_hours_by`]).
#[derive(Debug)]
struct AverageHoursBy<'a> {
    module: Registered<'a>,
    field: &'a str,
    start: &'a str,
    end: &'a str,
    filter: Filter,
}

impl Shape for AverageHoursBy<'_> {
    type Notes = ();

    fn build(&self, store: &Store) -> Result<(Vec<SelectStatement>, ())> {
        let (start, end) = (self.start, self.end);
        let hours = match store.db.backend() {
            Backend::Sqlite => {
                format!("AVG((julianday(\"{end}\") - julianday(\"{start}\")) * 24.0)")
            }
            Backend::Postgres => {
                format!("(AVG(EXTRACT(EPOCH FROM (\"{end}\" - \"{start}\")) / 3600.0))::float8")
            }
        };
        let select = Query::select()
            .expr_as(Expr::col(self.field.to_owned()), "bucket")
            .expr_as(Expr::cust(hours), "hours")
            .from(self.module.0.name.clone())
            .cond_where(
                Cond::all()
                    .add(Expr::col("deleted_at").is_null())
                    .add(Expr::col(self.end.to_owned()).is_not_null())
                    .add(store.condition(self.module.0, &self.filter)?),
            )
            .group_by_col(self.field.to_owned())
            .take();
        Ok((vec![select], ()))
    }

    fn keep(&self, store: &Store) -> bool {
        self.module.is_registered(store) && !holds_text(&self.filter)
    }
}
