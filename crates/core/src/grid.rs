//! Line items: a `grid` field's rows read from a request, checked column by column, and priced.
//!
//! Rows are stored as a JSON array of objects keyed by column name. A client sends the input
//! columns; computed columns (`net`, `tax`) and the record's totals are always Atrium's own,
//! recomputed from the rows and the record's currency whenever either changes.

use serde_json::{Map, Value as Json, json};

use crate::error::FieldError;
use crate::metadata::{FieldDef, FieldType, GridColumn, ModuleDef};
use crate::money::{self, LineAmounts, LineInput, Totals};
use crate::validate::{parse_hundredths, parse_value};
use crate::value::{Value, decimal_to_json};

/// The most lines one record holds.
pub const MAX_ROWS: usize = 500;

/// The computed totals a priced module keeps, in this order.
pub const TOTAL_FIELDS: [&str; 4] = ["subtotal", "discount_total", "tax_total", "total"];

fn column_field(column: &GridColumn) -> FieldDef {
    FieldDef::new(&column.name, &column.label, (*column.field_type).clone())
}

/// Reads `json` as the rows of grid `field`; each problem is a field error naming its row
/// and column (`items[2].quantity`).
pub fn parse_rows(
    field: &FieldDef,
    columns: &[GridColumn],
    json: &Json,
) -> Result<Value, Vec<FieldError>> {
    let Json::Array(rows) = json else {
        return Err(vec![FieldError::new(&field.name, "must be a list of rows")]);
    };
    if rows.len() > MAX_ROWS {
        return Err(vec![FieldError::new(
            &field.name,
            format!("must have at most {MAX_ROWS} rows"),
        )]);
    }
    let mut errors = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let at = |column: &str| format!("{}[{index}].{column}", field.name);
        let Json::Object(cells) = row else {
            errors.push(FieldError::new(
                format!("{}[{index}]", field.name),
                "must be an object",
            ));
            continue;
        };
        for key in cells.keys() {
            if !columns.iter().any(|c| &c.name == key) {
                errors.push(FieldError::new(at(key), "unknown column"));
            }
        }
        let mut parsed = Map::new();
        for column in columns {
            if column.computed {
                continue;
            }
            let def = column_field(column);
            let cell = cells
                .get(&column.name)
                .map(reference_id)
                .unwrap_or(&Json::Null);
            let value = match parse_value(&def, cell) {
                Ok(value) => value,
                Err(message) => {
                    errors.push(FieldError::new(at(&column.name), message));
                    continue;
                }
            };
            if column.required && value.is_null() {
                errors.push(FieldError::new(at(&column.name), "required"));
                continue;
            }
            if column.name == "quantity" && matches!(value, Value::Decimal(q) if q < 0) {
                errors.push(FieldError::new(at(&column.name), "must not be negative"));
                continue;
            }
            parsed.insert(column.name.clone(), value.to_json(&def));
        }
        let named = ["product", "service", "description"]
            .iter()
            .any(|c| parsed.get(*c).is_some_and(|v| !v.is_null()));
        if !named && columns.iter().any(|c| c.name == "description") {
            errors.push(FieldError::new(
                at("description"),
                "a line needs a product, a service or a description",
            ));
        }
        let both = ["product", "service"]
            .iter()
            .all(|c| parsed.get(*c).is_some_and(|v| !v.is_null()));
        if both {
            errors.push(FieldError::new(
                at("service"),
                "a line is a product or a service, not both",
            ));
        }
        out.push(Json::Object(parsed));
    }
    if errors.is_empty() {
        Ok(Value::Json(Json::Array(out)))
    } else {
        Err(errors)
    }
}

/// A reference cell may be sent as the id or as the `{"id", "label"}` object Atrium answers
/// with, so that a read row can be sent back as it is.
fn reference_id(cell: &Json) -> &Json {
    match cell {
        Json::Object(object) => object.get("id").unwrap_or(cell),
        other => other,
    }
}

/// The module's line-item grid, when its lines are priced (a view of the module may show
/// any of the totals, or none).
pub fn priced_grid(module: &ModuleDef) -> Option<&FieldDef> {
    module.fields.iter().find(|f| match &f.field_type {
        FieldType::Grid { columns } => ["quantity", "unit_price", "net", "tax"]
            .iter()
            .all(|name| columns.iter().any(|c| c.name == *name)),
        _ => false,
    })
}

fn hundredths(cell: Option<&Json>) -> i64 {
    match cell {
        Some(Json::Number(n)) => parse_hundredths(&n.to_string()).unwrap_or(0),
        _ => 0,
    }
}

/// Writes each row's `net` and `tax` for a currency with `digits` decimals and returns the
/// totals; an error when a figure is too large to keep.
pub fn price_rows(rows: &mut Json, digits: u32, field: &str) -> Result<Totals, FieldError> {
    let mut priced: Vec<LineAmounts> = Vec::new();
    if let Json::Array(rows) = rows {
        for (index, row) in rows.iter_mut().enumerate() {
            let Json::Object(cells) = row else { continue };
            let line = LineInput {
                quantity: hundredths(cells.get("quantity")),
                unit_price: hundredths(cells.get("unit_price")),
                discount_percent: hundredths(cells.get("discount_percent")),
                tax_percent: hundredths(cells.get("tax_percent")),
            };
            let amounts = money::price_line(line, digits)
                .ok_or_else(|| FieldError::new(format!("{field}[{index}]"), "amount too large"))?;
            cells.insert("net".into(), decimal_to_json(amounts.net));
            cells.insert("tax".into(), decimal_to_json(amounts.tax));
            priced.push(amounts);
        }
    }
    money::total(&priced).ok_or_else(|| FieldError::new(field, "total too large"))
}

/// The totals as the record's field values, in [`TOTAL_FIELDS`] order.
pub fn total_values(totals: &Totals) -> [(String, Value); 4] {
    [
        ("subtotal".into(), Value::Decimal(totals.subtotal)),
        (
            "discount_total".into(),
            Value::Decimal(totals.discount_total),
        ),
        ("tax_total".into(), Value::Decimal(totals.tax_total)),
        ("total".into(), Value::Decimal(totals.total)),
    ]
}

/// One priced line as a reader sees it, figures in hundredths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineSummary {
    /// The product's or service's name, else the line's description.
    pub name: String,
    /// The description under a product's or service's name (empty otherwise).
    pub details: String,
    pub quantity: i64,
    pub unit_price: i64,
    pub discount_percent: i64,
    pub tax_percent: i64,
    pub net: i64,
}

/// A priced record's lines and totals, as far as a view shows them: what pages and printed
/// documents lay out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub currency: String,
    /// The currency's decimals.
    pub digits: u32,
    pub lines: Vec<LineSummary>,
    pub subtotal: Option<i64>,
    /// Tax per rate (rate, amount), by rate, without the zero rate; empty when the view hides
    /// the tax total.
    pub taxes: Vec<(i64, i64)>,
    pub total: Option<i64>,
}

fn label_cell(cell: Option<&Json>) -> Option<&str> {
    cell.and_then(|c| c.get("label"))
        .and_then(Json::as_str)
        .filter(|s| !s.is_empty())
}

/// The lines and totals of `record` that `view` shows; None when the view has no priced grid.
pub fn summary(view: &ModuleDef, record: &crate::Record) -> Option<Summary> {
    let grid = priced_grid(view)?;
    let currency = record.get("currency").as_text().unwrap_or("EUR").to_owned();
    let digits = crate::money::minor_digits(&currency).unwrap_or(2);
    let rows: &[Json] = match record.get(&grid.name) {
        Value::Json(Json::Array(rows)) => rows,
        _ => &[],
    };
    let mut taxes: Vec<(i64, i64)> = Vec::new();
    let lines = rows
        .iter()
        .map(|row| {
            let description = row
                .get("description")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_owned();
            let item = label_cell(row.get("product")).or(label_cell(row.get("service")));
            let (name, details) = match item {
                Some(item) => (item.to_owned(), description),
                None => (description, String::new()),
            };
            let tax_percent = hundredths(row.get("tax_percent"));
            let tax = hundredths(row.get("tax"));
            match taxes.iter_mut().find(|(rate, _)| *rate == tax_percent) {
                Some((_, sum)) => *sum = sum.saturating_add(tax),
                None => taxes.push((tax_percent, tax)),
            }
            LineSummary {
                name,
                details,
                quantity: hundredths(row.get("quantity")),
                unit_price: hundredths(row.get("unit_price")),
                discount_percent: hundredths(row.get("discount_percent")),
                tax_percent,
                net: hundredths(row.get("net")),
            }
        })
        .collect();
    let shown = |field: &str| match (view.has_field(field), record.get(field)) {
        (true, Value::Decimal(value)) => Some(*value),
        _ => None,
    };
    taxes.retain(|(rate, _)| *rate != 0);
    taxes.sort_by_key(|(rate, _)| *rate);
    if shown("tax_total").is_none() {
        taxes.clear();
    }
    Some(Summary {
        currency,
        digits,
        lines,
        subtotal: shown("subtotal"),
        taxes,
        total: shown("total"),
    })
}

/// An empty grid, as a new record without lines keeps it.
pub fn no_rows() -> Value {
    Value::Json(json!([]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard;

    fn quotes() -> ModuleDef {
        standard::registry()
            .module("quotes")
            .expect("quotes")
            .clone()
    }

    fn parse(rows: Json) -> Result<Value, Vec<FieldError>> {
        let module = quotes();
        let field = priced_grid(&module).expect("priced grid").clone();
        let FieldType::Grid { columns } = &field.field_type else {
            panic!("grid");
        };
        parse_rows(&field, columns, &rows)
    }

    fn error_fields(rows: Json) -> Vec<String> {
        parse(rows)
            .expect_err("invalid")
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn bad_cells_name_their_row_and_column() {
        let fields = error_fields(json!([
            {"description": "ok", "quantity": 1, "unit_price": 10},
            {"description": "bad", "quantity": "two", "unit_price": 10},
            {"description": "bad", "quantity": -1, "unit_price": 10, "tax_percent": 120},
            {"quantity": 1, "unit_price": 1},
            {"description": "x", "unit_price": 1, "colour": "red"},
            "not a row",
        ]));
        assert_eq!(
            fields,
            [
                "items[1].quantity",
                "items[2].quantity",
                "items[2].tax_percent",
                "items[3].description",
                "items[4].colour",
                "items[4].quantity",
                "items[5]",
            ]
        );
        assert_eq!(error_fields(json!({"rows": []})), ["items"]);
    }

    #[test]
    fn computed_cells_sent_by_a_client_are_ignored() {
        let Ok(Value::Json(mut rows)) = parse(json!([
            {"description": "Gold support", "quantity": 2, "unit_price": "1200.00",
             "discount_percent": 10, "tax_percent": 19, "net": 1, "tax": 1}
        ])) else {
            panic!("valid");
        };
        assert_eq!(rows[0].get("net"), None);
        let totals = price_rows(&mut rows, 2, "items").expect("fits");
        assert_eq!(rows[0]["net"], json!(2160.0));
        assert_eq!(rows[0]["tax"], json!(410.4));
        assert_eq!(totals.total, 257_040);
    }

    #[test]
    fn a_reference_cell_may_be_the_object_atrium_answers_with() {
        let id = "0190f0a0-0000-7000-8000-000000000001";
        let Ok(Value::Json(rows)) = parse(json!([
            {"product": {"id": id, "label": "Old name"}, "quantity": 1, "unit_price": 5}
        ])) else {
            panic!("valid");
        };
        assert_eq!(rows[0]["product"]["id"], json!(id));
        assert_eq!(
            error_fields(json!([{"product": id, "service": id, "quantity": 1, "unit_price": 1}])),
            ["items[0].service"]
        );
    }
}
