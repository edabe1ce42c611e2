//! The line-item editor of a quote's or an invoice's form, without JavaScript: one row of
//! inputs per line plus a few blank rows (saving with more filled in adds them; a row left
//! blank is dropped). Cells are named `items.{row}.{column}`; a refused save shows each cell's
//! error beside it.

use atrium_core::grid::priced_grid;
use atrium_core::validate::parse_hundredths;
use atrium_core::{FieldError, FieldType, ModuleDef, Record, Value};
use serde_json::{Map, Value as Json, json};

use crate::AppState;
use crate::pages::form::Form;
use crate::pages::i18n::Tr;
use crate::pages::inputs::Choice;

/// Blank rows offered below the lines.
const BLANK_ROWS: usize = 3;

/// The columns a person types, in order (`net` and `tax` are Atrium's).
const COLUMNS: [&str; 7] = [
    "product",
    "service",
    "description",
    "quantity",
    "unit_price",
    "discount_percent",
    "tax_percent",
];

pub struct Cell {
    pub id: String,
    pub name: String,
    pub label: String,
    pub value: String,
    pub choices: Vec<Choice>,
    pub error: Option<String>,
}

pub struct GridRow {
    pub position: usize,
    pub cells: Vec<Cell>,
}

pub struct GridEditor {
    pub label: String,
    pub rows: Vec<GridRow>,
    /// The row count the form sends back.
    pub count: usize,
    /// An error about the lines as a whole (too many rows).
    pub error: Option<String>,
}

/// A catalog item a line may name: id, label, unit price (as typed into a form).
pub struct CatalogItem {
    pub id: String,
    pub label: String,
    pub unit_price: String,
}

/// Products and services a line may name (the most recently changed, active or not).
pub struct Catalog {
    pub products: Vec<CatalogItem>,
    pub services: Vec<CatalogItem>,
}

impl Catalog {
    pub async fn load(state: &AppState) -> Catalog {
        let params = [
            ("per_page".to_owned(), "200".to_owned()),
            ("sort".to_owned(), "name".to_owned()),
        ];
        let mut lists = Vec::new();
        for module in ["products", "services"] {
            let items = match state.app.staff_list(module, &params).await {
                Ok(page) => page
                    .items
                    .iter()
                    .map(|item| CatalogItem {
                        id: item.record.id.to_string(),
                        label: item
                            .record
                            .get("name")
                            .as_text()
                            .unwrap_or_default()
                            .to_owned(),
                        unit_price: match item.record.get("unit_price") {
                            Value::Decimal(h) => {
                                crate::pages::display::input_value(&Value::Decimal(*h))
                            }
                            _ => String::new(),
                        },
                    })
                    .collect(),
                Err(_) => Vec::new(),
            };
            lists.push(items);
        }
        let services = lists.pop().unwrap_or_default();
        let products = lists.pop().unwrap_or_default();
        Catalog { products, services }
    }

    fn price_of(&self, column: &str, id: &str) -> Option<&str> {
        let items = if column == "product" {
            &self.products
        } else {
            &self.services
        };
        items
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.unit_price.as_str())
            .filter(|p| !p.is_empty())
    }
}

fn cell_name(grid: &str, row: usize, column: &str) -> String {
    format!("{grid}.{row}.{column}")
}

/// A stored row's cell as a form holds it.
fn stored_cell(row: &Json, column: &str) -> String {
    match row.get(column) {
        Some(Json::Object(reference)) => reference
            .get("id")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_owned(),
        Some(Json::Number(n)) => parse_hundredths(&n.to_string())
            .map(|h| crate::pages::display::input_value(&Value::Decimal(h)))
            .unwrap_or_default(),
        Some(Json::String(s)) => s.clone(),
        _ => String::new(),
    }
}

/// How many rows a posted form says it has (at most a full grid and its blank rows).
fn posted_count(form: &Form, grid: &str) -> usize {
    form.text(&format!("{grid}.rows"))
        .parse()
        .unwrap_or(0)
        .min(atrium_core::grid::MAX_ROWS + BLANK_ROWS)
}

/// The rows a posted form fills in, as the JSON lines the app takes (blank rows dropped). A
/// product or service chosen without a unit price takes its own.
pub fn posted_rows(form: &Form, grid: &str, catalog: &Catalog) -> Json {
    let count = posted_count(form, grid);
    let mut rows = Vec::new();
    for index in 0..count {
        let text = |column: &str| form.text(&cell_name(grid, index, column)).trim().to_owned();
        if COLUMNS.iter().all(|c| text(c).is_empty()) {
            continue;
        }
        let mut row = Map::new();
        for column in COLUMNS {
            let value = text(column);
            row.insert(
                column.to_owned(),
                if value.is_empty() {
                    Json::Null
                } else {
                    json!(value)
                },
            );
        }
        if text("unit_price").is_empty() {
            let chosen = ["product", "service"]
                .iter()
                .find_map(|c| catalog.price_of(c, &text(c)));
            if let Some(price) = chosen {
                row.insert("unit_price".into(), json!(price));
            }
        }
        rows.push(Json::Object(row));
    }
    Json::Array(rows)
}

fn choices(items: &[CatalogItem], selected: &str, none: &str) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: none.to_owned(),
        selected: selected.is_empty(),
    }];
    out.extend(items.iter().map(|item| Choice {
        selected: item.id == selected,
        value: item.id.clone(),
        label: item.label.clone(),
    }));
    if !selected.is_empty() && !out.iter().any(|c| c.selected) {
        out.push(Choice {
            value: selected.to_owned(),
            label: selected.to_owned(),
            selected: true,
        });
    }
    out
}

/// The editor of `module`'s lines, if it has priced ones: the posted rows after a refused
/// save (with their errors), else the stored ones; then blank rows.
pub fn editor(
    tr: &Tr,
    module: &ModuleDef,
    current: Option<&Record>,
    posted: Option<&Form>,
    errors: &[FieldError],
    catalog: &Catalog,
) -> Option<GridEditor> {
    let grid = priced_grid(module)?;
    let name = grid.name.as_str();
    let mut values: Vec<Vec<String>> = match (posted, current.map(|r| r.get(name))) {
        (Some(form), _) => {
            let count = posted_count(form, name);
            (0..count)
                .map(|i| {
                    COLUMNS
                        .iter()
                        .map(|c| form.text(&cell_name(name, i, c)).to_owned())
                        .collect()
                })
                .collect()
        }
        (None, Some(Value::Json(Json::Array(rows)))) => rows
            .iter()
            .map(|row| COLUMNS.iter().map(|c| stored_cell(row, c)).collect())
            .collect(),
        _ => Vec::new(),
    };
    // Blank rows are dropped before sending, as here: the k-th row left is the `items[k]` of
    // an error.
    values.retain(|row| row.iter().any(|v| !v.trim().is_empty()));
    let error_at = |row: usize, column: &str| {
        errors
            .iter()
            .find(|e| e.field == format!("{name}[{row}].{column}"))
            .map(|e| e.message.clone())
    };
    let none = tr.t("none");
    let FieldType::Grid { columns } = &grid.field_type else {
        return None;
    };
    let label_of = |column: &str| match column {
        "discount_percent" => tr.t("lines-discount"),
        "tax_percent" => tr.t("lines-tax"),
        "unit_price" => tr.t("lines-unit-price"),
        "quantity" => tr.t("lines-quantity"),
        other => {
            let fallback = columns
                .iter()
                .find(|c| c.name == other)
                .map_or(other, |c| c.label.as_str());
            tr.field_label(other, fallback)
        }
    };
    let mut rows: Vec<GridRow> = Vec::new();
    let total = values.len() + BLANK_ROWS;
    for position in 0..total {
        let filled = values.get(position);
        let cells = COLUMNS
            .iter()
            .enumerate()
            .map(|(c, column)| {
                let value = filled.map(|v| v[c].clone()).unwrap_or_default();
                let choices = match *column {
                    "product" => choices(&catalog.products, &value, &none),
                    "service" => choices(&catalog.services, &value, &none),
                    _ => Vec::new(),
                };
                Cell {
                    id: format!("{name}-{position}-{column}"),
                    name: cell_name(name, position, column),
                    label: label_of(column),
                    value,
                    choices,
                    error: filled.and_then(|_| error_at(position, column)),
                }
            })
            .collect();
        rows.push(GridRow {
            position: position + 1,
            cells,
        });
    }
    Some(GridEditor {
        label: tr.field_label(name, &grid.label),
        count: rows.len(),
        rows,
        error: errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.message.clone()),
    })
}
