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

/// `figure` (named) of `module`'s records matching `filter` (and `also`), grouped by the value
/// of `field` (named `bucket`).
fn grouped(
    store: &Store,
    module: &ModuleDef,
    field: &str,
    (figure, name): (Expr, &str),
    also: Option<Expr>,
    filter: &Filter,
) -> Result<SelectStatement> {
    let mut cond = Cond::all().add(Expr::col("deleted_at").is_null());
    if let Some(also) = also {
        cond = cond.add(also);
    }
    Ok(Query::select()
        .expr_as(Expr::col(field.to_owned()), "bucket")
        .expr_as(figure, name.to_owned())
        .from(module.name.clone())
        .cond_where(cond.add(store.condition(module, filter)?))
        .group_by_col(field.to_owned())
        .take())
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
        let count = (Expr::cust("COUNT(*)"), "n");
        let select = grouped(store, self.module.0, self.field, count, None, &self.filter)?;
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
        let ended = Expr::col(end.to_owned()).is_not_null();
        let select = grouped(
            store,
            self.module.0,
            self.field,
            (Expr::cust(hours), "hours"),
            Some(ended),
            &self.filter,
        )?;
        Ok((vec![select], ()))
    }

    fn keep(&self, store: &Store) -> bool {
        self.module.is_registered(store) && !holds_text(&self.filter)
    }
}
