//! Aggregates for charts, computed in SQL under the caller's filter (the access predicate for
//! customers), so every figure counts only what the caller may see.

use atrium_core::query::Filter;
use atrium_core::{ModuleDef, Result};
use sea_query::{Cond, Expr, ExprTrait, Query};

use crate::Store;
use crate::db::Backend;

impl Store {
    /// Record counts of `module` matching `filter`, grouped by the text value of `field`.
    pub async fn count_by(
        &self,
        module: &ModuleDef,
        field: &str,
        filter: &Filter,
    ) -> Result<Vec<(Option<String>, i64)>> {
        let select = Query::select()
            .expr_as(Expr::col(field.to_owned()), "bucket")
            .expr_as(Expr::cust("COUNT(*)"), "n")
            .from(module.name.clone())
            .cond_where(
                Cond::all()
                    .add(Expr::col("deleted_at").is_null())
                    .add(self.condition(module, filter)?),
            )
            .group_by_col(field.to_owned())
            .take();
        self.db
            .fetch_all(&select)
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
        let hours = match self.db.backend() {
            Backend::Sqlite => {
                format!("AVG((julianday(\"{end}\") - julianday(\"{start}\")) * 24.0)")
            }
            Backend::Postgres => {
                format!("(AVG(EXTRACT(EPOCH FROM (\"{end}\" - \"{start}\")) / 3600.0))::float8")
            }
        };
        let select = Query::select()
            .expr_as(Expr::col(field.to_owned()), "bucket")
            .expr_as(Expr::cust(hours), "hours")
            .from(module.name.clone())
            .cond_where(
                Cond::all()
                    .add(Expr::col("deleted_at").is_null())
                    .add(Expr::col(end.to_owned()).is_not_null())
                    .add(self.condition(module, filter)?),
            )
            .group_by_col(field.to_owned())
            .take();
        self.db
            .fetch_all(&select)
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
