//! The filter tree as SQL: every list, count, search and access check is compiled here.

use atrium_core::query::Filter;
use atrium_core::{Error, FieldDef, FieldType, ModuleDef, Result};
use sea_query::{
    Cond, Condition, Expr, ExprTrait, Func, LikeExpr, Query, SelectStatement, SimpleExpr,
};

use super::*;
use crate::Store;
use crate::db::Backend;

/// The terms of nested ORs, as one list.
pub(super) fn flatten_or(any: &[Filter]) -> Vec<&Filter> {
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
pub(super) fn is_selective(module: &ModuleDef, filter: &Filter) -> bool {
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

/// `column IN (ids)`, as each database plans it best.
///
/// PostgreSQL pulls such a subquery up into a join, planned again on every execution with all
/// the others of the statement (the access rules of a home's widgets made each one's planning
/// dearer than its execution); as an arm of an `OR` it uses no index at all, testing every row
/// against the subquery's rows. The subquery's ids as an array (`= ANY(ARRAY(…))`) are found
/// once, before the statement runs, and are an index condition; the arms of an `OR` then
/// combine as a bitmap of index scans.
pub(super) fn within(backend: Backend, column: SimpleExpr, ids: SelectStatement) -> SimpleExpr {
    match backend {
        Backend::Sqlite => column.in_subquery(ids),
        // Written whole: sea-query would put a right-hand `ANY(…)` in parentheses, which
        // PostgreSQL does not accept after `=`.
        Backend::Postgres => Expr::cust_with_exprs("$1 = ANY(ARRAY $2)", [column, ids.into()]),
    }
}

/// `%text%` with LIKE's own wildcards escaped, so user text matches literally.
pub(super) fn contains_pattern(text: &str) -> LikeExpr {
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

/// What a list sorts `field` by: its column, or for a picklist the position of its value
/// (Low < Medium < High < Urgent).
pub(super) fn sort_expr(module: &ModuleDef, field: &str) -> SimpleExpr {
    match module.field(field).and_then(picklist_order) {
        Some(order) => Expr::cust(order),
        None => Expr::col(field.to_owned()),
    }
}

/// The position of a picklist field's value as SQL: `CASE "f" WHEN 'a' THEN 0 … ELSE n END`.
/// The values are written into the text (from the metadata, quoted), not bound, so that the
/// statement's expression is the very expression of the index the schema keeps for it: both
/// databases then read a sorted list from that index instead of computing it for every row.
pub(crate) fn picklist_order(field: &FieldDef) -> Option<String> {
    if field.field_type != FieldType::Picklist || field.values.is_empty() {
        return None;
    }
    let column = crate::schema::quoted(&field.name).ok()?;
    let mut sql = format!("CASE {column}");
    for (position, value) in field.values.iter().enumerate() {
        let text = value.value.replace('\'', "''");
        sql.push_str(&format!(" WHEN '{text}' THEN {position}"));
    }
    sql.push_str(&format!(" ELSE {} END", field.values.len()));
    Some(sql)
}

impl Store {
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
        let backend = self.db.backend();
        Ok(match filter {
            Filter::All => Cond::all(),
            Filter::Nothing => Cond::all().add(Expr::cust("1 = 0")),
            Filter::IdIs(id) => Cond::all().add(Expr::col("id").eq(*id)),
            Filter::Ne(field, value) => {
                let def = module
                    .field(field)
                    .ok_or_else(|| Error::field(field, "unknown field"))?;
                if value.is_null() {
                    return Ok(Cond::all().add(Expr::col(field.clone()).is_not_null()));
                }
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
                    .take();
                let linked = Query::select()
                    .column("other_id")
                    .from("record_links")
                    .and_where(Expr::col("module").eq(other.as_str()))
                    .and_where(Expr::col("other_module").eq(module.name.as_str()))
                    .and_where(within(backend, Expr::col("record_id"), matching))
                    .take();
                Cond::all().add(within(backend, Expr::col("id"), linked))
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
                    .take();
                Cond::all().add(within(backend, Expr::col(field.clone()), matching))
            }
            Filter::Eq(field, value) => {
                let def = module
                    .field(field)
                    .ok_or_else(|| Error::field(field, "unknown field"))?;
                if value.is_null() {
                    Cond::all().add(Expr::col(field.clone()).is_null())
                } else if let (FieldType::Boolean, Value::Boolean(true)) = (&def.field_type, value)
                {
                    // The column itself, not `= ?`: a partial index on the rows where it is
                    // true (`contacts__portal_user__true`) matches only the very same term.
                    Cond::all().add(Expr::col(field.clone()))
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
                    .take();
                Cond::all().add(within(backend, Expr::col("id"), linked))
            }
            Filter::Text(text) => {
                if text_index::covers(module, view)
                    && let Some(words) = text_index::condition(backend, module, text)?
                {
                    return Ok(Cond::all().add(words));
                }
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
                if backend == Backend::Sqlite
                    && terms.len() > 1
                    && terms.iter().all(|f| is_selective(module, f))
                {
                    // Each term alone finds few rows through an index, but an OR across
                    // columns defeats SQLite's planner (it scans in sort order instead): a
                    // UNION of one indexed lookup per term keeps every list and count fast.
                    // PostgreSQL combines such terms itself (a bitmap of index scans), and
                    // plans the plain OR for far less than a UNION of subqueries.
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
                            .take();
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
}
