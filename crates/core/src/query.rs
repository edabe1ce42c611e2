//! What a list asks for: a filter tree, a sort and a page. Parsed here from the API's query
//! parameters, turned into SQL by the store only. Access rules will narrow lists by adding
//! to the same filter tree, so pages and totals stay right.

use uuid::Uuid;

use crate::error::{Error, FieldError, Result};
use crate::metadata::ModuleDef;
use crate::validate::parse_value;
use crate::value::Value;

pub const DEFAULT_PER_PAGE: u64 = 25;
pub const MAX_PER_PAGE: u64 = 200;

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Every record.
    All,
    /// No record.
    Nothing,
    /// The record with this id.
    IdIs(Uuid),
    /// `field = value` (`Value::Null` means IS NULL).
    Eq(String, Value),
    /// `field` is null or differs from `value`; with `Value::Null`, `field` is not null.
    Ne(String, Value),
    /// `field >= value` (nulls never match).
    Gte(String, Value),
    /// `field <= value` (nulls never match).
    Lte(String, Value),
    /// A list field (multipicklist) is empty or contains `value`.
    ListEmptyOrContains(String, String),
    /// The record is linked many-to-many to the given record.
    LinkedTo {
        module: String,
        id: Uuid,
    },
    /// The record is linked many-to-many to some record of `module` matching `filter`.
    LinkedToAny {
        module: String,
        filter: Box<Filter>,
    },
    /// The reference `field` points at a (not deleted) record of `module` matching `filter`.
    Refers {
        field: String,
        module: String,
        filter: Box<Filter>,
    },
    /// Case-insensitive substring of any text field, the label or the number.
    Text(String),
    And(Vec<Filter>),
    Or(Vec<Filter>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sort {
    /// A sortable field, or `number`, `created_at`, `updated_at`.
    pub field: String,
    pub descending: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    pub filter: Filter,
    pub sort: Sort,
    pub page: u64,
    pub per_page: u64,
}

impl ListQuery {
    /// The text of the query's search, when it has one among its conditions.
    pub fn search_text(&self) -> Option<&str> {
        match &self.filter {
            Filter::Text(text) => Some(text),
            Filter::And(all) => all.iter().find_map(|f| match f {
                Filter::Text(text) => Some(text.as_str()),
                _ => None,
            }),
            _ => None,
        }
    }

    pub fn offset(&self) -> u64 {
        self.page.saturating_sub(1).saturating_mul(self.per_page)
    }

    /// Narrows the query with one more condition.
    pub fn and(mut self, filter: Filter) -> Self {
        self.filter = match self.filter {
            Filter::All => filter,
            Filter::And(mut all) => {
                all.push(filter);
                Filter::And(all)
            }
            other => Filter::And(vec![other, filter]),
        };
        self
    }
}

/// The sort of a search (`q`) that names no other: best match first.
pub const RELEVANCE: &str = "relevance";

/// Header columns every record has, sortable like fields.
pub const HEADER_SORTS: [&str; 3] = ["number", "created_at", "updated_at"];

/// The last page a list may ask for: far beyond any real list, and small enough that its
/// offset stays a number every database takes.
pub const MAX_PAGE: u64 = 1_000_000;

/// Reads `page`, `per_page`, `sort`, `q` and equality filters from query parameters.
/// Malformed paging is a 400; an unknown or unfilterable field is a 422 naming it.
pub fn parse_list_params(module: &ModuleDef, params: &[(String, String)]) -> Result<ListQuery> {
    let mut query = ListQuery {
        filter: Filter::All,
        sort: Sort {
            field: "updated_at".into(),
            descending: true,
        },
        page: 1,
        per_page: DEFAULT_PER_PAGE,
    };
    let mut errors = Vec::new();
    let mut sorted = false;
    let mut searched = false;
    for (key, raw) in params {
        match key.as_str() {
            "page" => {
                query.page =
                    raw.parse().ok().filter(|p| *p >= 1).ok_or_else(|| {
                        Error::BadRequest("page must be a positive integer".into())
                    })?;
                if query.page > MAX_PAGE {
                    errors.push(FieldError::new(
                        "page",
                        format!("must be at most {MAX_PAGE}"),
                    ));
                }
            }
            "per_page" => {
                query.per_page = raw
                    .parse()
                    .ok()
                    .filter(|p| (1..=MAX_PER_PAGE).contains(p))
                    .ok_or_else(|| {
                        Error::BadRequest(format!("per_page must be between 1 and {MAX_PER_PAGE}"))
                    })?;
            }
            "sort" => {
                let (descending, name) = match raw.strip_prefix('-') {
                    Some(name) => (true, name),
                    None => (false, raw.as_str()),
                };
                let sortable =
                    HEADER_SORTS.contains(&name) || module.field(name).is_some_and(|f| f.sortable);
                if sortable {
                    sorted = true;
                    query.sort = Sort {
                        field: name.to_owned(),
                        descending,
                    };
                } else {
                    errors.push(FieldError::new("sort", format!("cannot sort by {name}")));
                }
            }
            "q" => {
                let text = raw.trim();
                if !text.is_empty() {
                    searched = true;
                    query = query.and(Filter::Text(text.to_owned()));
                }
            }
            name => match module.field(name) {
                Some(field) if field.filterable => {
                    let json = match field.field_type {
                        crate::FieldType::Boolean => match raw.as_str() {
                            "true" => serde_json::Value::Bool(true),
                            "false" => serde_json::Value::Bool(false),
                            _ => serde_json::Value::String(raw.clone()),
                        },
                        _ if raw.is_empty() => serde_json::Value::Null,
                        _ => serde_json::Value::String(raw.clone()),
                    };
                    match parse_value(field, &json) {
                        Ok(value) => query = query.and(Filter::Eq(name.to_owned(), value)),
                        Err(message) => errors.push(FieldError::new(name, message)),
                    }
                }
                Some(_) => errors.push(FieldError::new(name, "cannot filter on this field")),
                None => errors.push(FieldError::new(name, "unknown field")),
            },
        }
    }
    if searched && !sorted {
        query.sort = Sort {
            field: RELEVANCE.into(),
            descending: false,
        };
    }
    if errors.is_empty() {
        Ok(query)
    } else {
        Err(Error::Validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn list_params_build_a_filter_tree() {
        let registry = standard::registry();
        let cases = registry.module("cases").expect("cases");
        let query = parse_list_params(
            cases,
            &params(&[
                ("status", "Open"),
                ("q", "printer"),
                ("sort", "-priority"),
                ("per_page", "10"),
            ]),
        )
        .expect("valid");
        assert_eq!(query.per_page, 10);
        assert_eq!(
            query.sort,
            Sort {
                field: "priority".into(),
                descending: true
            }
        );
        assert_eq!(
            query.filter,
            Filter::And(vec![
                Filter::Eq("status".into(), Value::Text("Open".into())),
                Filter::Text("printer".into())
            ])
        );
    }

    #[test]
    fn bad_list_params_are_rejected() {
        let registry = standard::registry();
        let cases = registry.module("cases").expect("cases");
        assert!(matches!(
            parse_list_params(cases, &params(&[("per_page", "201")])),
            Err(Error::BadRequest(_))
        ));
        assert!(matches!(
            parse_list_params(cases, &params(&[("status", "Bogus"), ("description", "x")])),
            Err(Error::Validation(e)) if e.len() == 2
        ));
        assert!(matches!(
            parse_list_params(cases, &params(&[("sort", "description")])),
            Err(Error::Validation(_))
        ));
    }

    #[test]
    fn a_page_beyond_any_list_is_a_field_error_not_an_overflow() {
        let registry = crate::standard::registry();
        let cases = registry.module("cases").expect("cases");
        let Err(Error::Validation(errors)) =
            parse_list_params(cases, &params(&[("page", "9223372036854775807")]))
        else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].field, "page");
        let last = parse_list_params(cases, &params(&[("page", "1000000"), ("per_page", "200")]))
            .expect("the last page");
        assert_eq!(last.offset(), 999_999 * 200);
    }
}
