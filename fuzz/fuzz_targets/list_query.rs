//! `parse_list_params` over the standard modules: never panics, and what it accepts is a page
//! the store can turn into SQL (page and per_page in range, an offset that fits an i64, a
//! sortable sort field, equality filters only on filterable fields).
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use atrium_core::query::{
    Filter, HEADER_SORTS, MAX_PAGE, MAX_PER_PAGE, parse_list_params,
};
use atrium_core::{Error, ModuleDef, Registry};
use libfuzzer_sys::fuzz_target;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(atrium_core::standard::registry)
}

/// A parameter name: mostly the ones the parser knows, sometimes anything.
#[derive(Arbitrary, Debug)]
enum Key {
    Page,
    PerPage,
    Sort,
    Q,
    /// A field of the module (index modulo the field count).
    Field(u8),
    Raw(String),
}

/// A parameter value: mostly shaped like what the parser expects, sometimes anything.
#[derive(Arbitrary, Debug)]
enum Val {
    Raw(String),
    Unsigned(u64),
    Signed(i64),
    /// A sort: `[-]field` or `[-]number|created_at|updated_at`.
    Sort { descending: bool, field: u8 },
    /// A picklist value of some field of the module.
    Picklist { field: u8, value: u8 },
    Uuid([u8; 16]),
    Bool(bool),
    Empty,
}

#[derive(Arbitrary, Debug)]
struct Input {
    module: u8,
    pairs: Vec<(Key, Val)>,
}

fn key(module: &ModuleDef, key: Key) -> String {
    match key {
        Key::Page => "page".into(),
        Key::PerPage => "per_page".into(),
        Key::Sort => "sort".into(),
        Key::Q => "q".into(),
        Key::Field(i) => module.fields[usize::from(i) % module.fields.len()].name.clone(),
        Key::Raw(s) => s,
    }
}

fn value(module: &ModuleDef, val: Val) -> String {
    match val {
        Val::Raw(s) => s,
        Val::Unsigned(n) => n.to_string(),
        Val::Signed(n) => n.to_string(),
        Val::Sort { descending, field } => {
            let i = usize::from(field) % (module.fields.len() + HEADER_SORTS.len());
            let name = match module.fields.get(i) {
                Some(f) => f.name.as_str(),
                None => HEADER_SORTS[i - module.fields.len()],
            };
            format!("{}{name}", if descending { "-" } else { "" })
        }
        Val::Picklist { field, value } => {
            let f = &module.fields[usize::from(field) % module.fields.len()];
            if f.values.is_empty() {
                f.name.clone()
            } else {
                f.values[usize::from(value) % f.values.len()].value.clone()
            }
        }
        Val::Uuid(bytes) => format_uuid(bytes),
        Val::Bool(b) => b.to_string(),
        Val::Empty => String::new(),
    }
}

fn format_uuid(b: [u8; 16]) -> String {
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn check_filter(module: &ModuleDef, filter: &Filter) {
    match filter {
        Filter::All => {}
        Filter::Eq(name, _) => {
            let field = module
                .field(name)
                .unwrap_or_else(|| panic!("filter on unknown field {name:?}"));
            assert!(field.filterable, "filter on unfilterable field {name:?}");
        }
        Filter::Text(text) => {
            assert!(!text.is_empty() && text.trim() == text, "q not trimmed: {text:?}");
        }
        Filter::And(all) => {
            assert!(all.len() >= 2, "And of {} filters", all.len());
            for f in all {
                assert!(!matches!(f, Filter::And(_) | Filter::All), "nested {f:?}");
                check_filter(module, f);
            }
        }
        other => panic!("the parser built {other:?}"),
    }
}

fuzz_target!(|input: Input| {
    let modules = registry().modules();
    let module = &modules[usize::from(input.module) % modules.len()];
    let params: Vec<(String, String)> = input
        .pairs
        .into_iter()
        .map(|(k, v)| (key(module, k), value(module, v)))
        .collect();
    match parse_list_params(module, &params) {
        Ok(query) => {
            assert!((1..=MAX_PAGE).contains(&query.page), "page {}", query.page);
            assert!(
                (1..=MAX_PER_PAGE).contains(&query.per_page),
                "per_page {}",
                query.per_page
            );
            assert!(
                i64::try_from(query.offset()).is_ok(),
                "offset {} does not fit an i64",
                query.offset()
            );
            let sort = query.sort.field.as_str();
            assert!(
                HEADER_SORTS.contains(&sort) || module.field(sort).is_some_and(|f| f.sortable),
                "sorted by {sort:?}"
            );
            check_filter(module, &query.filter);
        }
        Err(Error::Validation(errors)) => assert!(!errors.is_empty()),
        Err(Error::BadRequest(_)) => {}
        Err(other) => panic!("unexpected error kind: {other:?}"),
    }
});
