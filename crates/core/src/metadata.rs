//! Module and field metadata: the data every generic feature reads (record storage, validation,
//! the JSON API, and later portal field permissions, PDF, charts and search). A field added here
//! needs no handler code: the store adds its column at start-up and every route picks it up.

use std::collections::HashMap;

use serde::Serialize;

/// Decimal-like fields (decimal, currency, percent) are stored exactly, as integers counting
/// hundredths.
pub const DECIMAL_SCALE: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Textarea,
    Markdown,
    Email,
    Phone,
    Url,
    Integer,
    Decimal,
    Currency,
    Percent,
    Date,
    Datetime,
    Boolean,
    Picklist,
    Multipicklist,
    /// One record of another module.
    Reference {
        module: String,
    },
    /// A staff user.
    User,
    /// A stored file's descriptor (documents only); set through the upload route.
    File,
    /// Line items with the given columns (quotes, invoices); stored as a JSON array.
    Grid {
        columns: Vec<GridColumn>,
    },
}

impl FieldType {
    /// The type's name, as `type` in the metadata's JSON.
    pub fn name(&self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Textarea => "textarea",
            FieldType::Markdown => "markdown",
            FieldType::Email => "email",
            FieldType::Phone => "phone",
            FieldType::Url => "url",
            FieldType::Integer => "integer",
            FieldType::Decimal => "decimal",
            FieldType::Currency => "currency",
            FieldType::Percent => "percent",
            FieldType::Date => "date",
            FieldType::Datetime => "datetime",
            FieldType::Boolean => "boolean",
            FieldType::Picklist => "picklist",
            FieldType::Multipicklist => "multipicklist",
            FieldType::Reference { .. } => "reference",
            FieldType::User => "user",
            FieldType::File => "file",
            FieldType::Grid { .. } => "grid",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GridColumn {
    pub name: String,
    pub label: String,
    #[serde(flatten)]
    pub field_type: Box<FieldType>,
    pub required: bool,
    /// Atrium fills it in (a line's `net`, `tax`); sent by a client, it is ignored.
    pub computed: bool,
}

impl GridColumn {
    pub fn new(name: &str, label: &str, field_type: FieldType) -> Self {
        Self {
            name: name.to_owned(),
            label: label.to_owned(),
            field_type: Box::new(field_type),
            required: false,
            computed: false,
        }
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }
}

impl FieldType {
    /// Free-text types that `q` searches.
    pub fn is_text_searchable(&self) -> bool {
        matches!(
            self,
            FieldType::Text
                | FieldType::Textarea
                | FieldType::Markdown
                | FieldType::Email
                | FieldType::Phone
                | FieldType::Url
        )
    }

    /// Types a list may be sorted by.
    pub fn is_sortable(&self) -> bool {
        !matches!(
            self,
            FieldType::Textarea
                | FieldType::Markdown
                | FieldType::Multipicklist
                | FieldType::File
                | FieldType::Grid { .. }
        )
    }

    /// Types a list may be filtered on by equality (`?status=Open`).
    pub fn is_filterable(&self) -> bool {
        matches!(
            self,
            FieldType::Picklist
                | FieldType::Reference { .. }
                | FieldType::User
                | FieldType::Boolean
        )
    }

    pub fn is_decimal(&self) -> bool {
        matches!(
            self,
            FieldType::Decimal | FieldType::Currency | FieldType::Percent
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PicklistValue {
    pub value: String,
    /// `#rrggbb`, used by every chart and status badge.
    pub color: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldDef {
    pub name: String,
    pub label: String,
    #[serde(flatten)]
    pub field_type: FieldType,
    pub required: bool,
    /// Set by Atrium, never by a request (e.g. `created_by`, `resolved_at`).
    pub system: bool,
    /// A system field Atrium computes from others (a quote's `total`): sent by a client, it
    /// is ignored rather than refused, so a record read can be sent back as it is.
    pub computed: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<PicklistValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    pub sortable: bool,
    pub filterable: bool,
}

impl FieldDef {
    pub fn new(name: &str, label: &str, field_type: FieldType) -> Self {
        let sortable = field_type.is_sortable();
        let filterable = field_type.is_filterable();
        Self {
            name: name.to_owned(),
            label: label.to_owned(),
            field_type,
            required: false,
            system: false,
            computed: false,
            values: Vec::new(),
            default: None,
            sortable,
            filterable,
        }
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn system(mut self) -> Self {
        self.system = true;
        self
    }

    pub fn computed(mut self) -> Self {
        self.system = true;
        self.computed = true;
        self
    }

    pub fn default(mut self, value: serde_json::Value) -> Self {
        self.default = Some(value);
        self
    }

    pub fn values(mut self, values: &[(&str, &str)]) -> Self {
        self.values = values
            .iter()
            .map(|(value, color)| PicklistValue {
                value: (*value).to_owned(),
                color: (*color).to_owned(),
            })
            .collect();
        self
    }

    pub fn picklist_value(&self, value: &str) -> Option<&PicklistValue> {
        self.values.iter().find(|v| v.value == value)
    }

    pub fn references(&self) -> Option<&str> {
        match &self.field_type {
            FieldType::Reference { module } => Some(module),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ModuleDef {
    /// API name, snake_case plural (`cases`); also the table name.
    pub name: String,
    pub label: String,
    pub singular_label: String,
    /// Record numbers are `{prefix}-{sequence:05}`.
    pub number_prefix: String,
    /// Fields whose values, joined by a space, make the record's label.
    pub label_fields: Vec<String>,
    pub fields: Vec<FieldDef>,
    /// Modules whose records can be linked to this module's records many-to-many.
    pub links: Vec<String>,
}

impl ModuleDef {
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn has_field(&self, name: &str) -> bool {
        self.field(name).is_some()
    }

    pub fn can_link(&self, other: &str) -> bool {
        self.links.iter().any(|l| l == other)
    }

    pub fn format_number(&self, sequence: i64) -> String {
        format!("{}-{sequence:05}", self.number_prefix)
    }
}

/// All modules, in menu order.
#[derive(Debug, Clone)]
pub struct Registry {
    modules: Vec<ModuleDef>,
    index: HashMap<String, usize>,
}

impl Registry {
    /// Builds the registry, making many-to-many links symmetric and checking that every
    /// reference names a known module.
    pub fn new(mut modules: Vec<ModuleDef>) -> Result<Self, String> {
        let pairs: Vec<(String, String)> = modules
            .iter()
            .flat_map(|m| m.links.iter().map(|l| (m.name.clone(), l.clone())))
            .collect();
        let index: HashMap<String, usize> = modules
            .iter()
            .enumerate()
            .map(|(i, m)| (m.name.clone(), i))
            .collect();
        for (a, b) in pairs {
            let Some(&j) = index.get(&b) else {
                return Err(format!("module {a} links to unknown module {b}"));
            };
            if !modules[j].can_link(&a) {
                modules[j].links.push(a);
            }
        }
        for module in &modules {
            for field in &module.fields {
                if let Some(target) = field.references()
                    && !index.contains_key(target)
                {
                    return Err(format!(
                        "{}.{} references unknown module {target}",
                        module.name, field.name
                    ));
                }
            }
        }
        Ok(Self { modules, index })
    }

    pub fn module(&self, name: &str) -> Option<&ModuleDef> {
        self.index.get(name).map(|&i| &self.modules[i])
    }

    pub fn modules(&self) -> &[ModuleDef] {
        &self.modules
    }
}
