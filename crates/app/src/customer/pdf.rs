//! A record as a clean PDF — its visible fields, non-internal comments and the updates of
//! visible fields, nothing else.

use atrium_core::value::format_datetime;
use atrium_core::{Error, FieldType, RecordId, Result, Value};
use atrium_pdf::{PdfComment, PdfField, PdfRecord, PdfUpdate, render};

use super::Customer;
use crate::App;

/// A rendered PDF and the name to save it under.
#[derive(Debug, Clone)]
pub struct PdfFile {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A value as a person reads it.
fn display(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Text(s) => s.clone(),
        Value::Ref(r) => r.label.clone().unwrap_or_default(),
        Value::List(items) => items.join(", "),
        Value::File(file) => format!("{} ({} bytes)", file.name, file.size),
        Value::Boolean(b) => if *b { "Yes" } else { "No" }.to_owned(),
        other => match other.to_plain_json() {
            serde_json::Value::String(s) => s,
            json => json.to_string(),
        },
    }
}

fn display_json(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl App {
    /// A readable record as a PDF.
    pub async fn customer_pdf(
        &self,
        customer: &Customer,
        module: &str,
        id: &str,
    ) -> Result<PdfFile> {
        let scoped = self.scoped(customer, module)?;
        let id = RecordId::parse(id)?.0;
        let record = self
            .store
            .get_view(scoped.module, &scoped.view, id, &scoped.read)
            .await?;
        let comments = self.store.comments(scoped.module, id, false).await?;
        let updates = self.store.updates(scoped.module, id).await?;
        let company = self.store.company().await?;
        let label_of = |field: &str| {
            scoped
                .view
                .field(field)
                .map(|f| f.label.clone())
                .unwrap_or_else(|| field.to_owned())
        };
        let title = match scoped
            .module
            .label_fields
            .iter()
            .all(|f| scoped.view.has_field(f))
        {
            true => {
                let label = atrium_core::record::label_of(scoped.module, |f| record.values.get(f));
                format!(
                    "{} {} — {label}",
                    scoped.module.singular_label, record.number
                )
            }
            false => format!("{} {}", scoped.module.singular_label, record.number),
        };
        let document = PdfRecord {
            company: company.name,
            title,
            fields: scoped
                .view
                .fields
                .iter()
                .map(|f| PdfField {
                    label: f.label.clone(),
                    value: display(record.get(&f.name)),
                    markdown: matches!(f.field_type, FieldType::Markdown),
                })
                .collect(),
            comments: comments
                .iter()
                .map(|c| PdfComment {
                    author: c
                        .author_user
                        .as_ref()
                        .or(c.author_contact.as_ref())
                        .and_then(|r| r.label.clone())
                        .unwrap_or_default(),
                    at: format_datetime(c.created_at),
                    body: c.body.clone(),
                })
                .collect(),
            updates: updates
                .iter()
                .filter(|u| scoped.access.fields.contains_key(&u.field))
                .map(|u| PdfUpdate {
                    at: format_datetime(u.at),
                    who: u
                        .by_user
                        .as_ref()
                        .or(u.by_contact.as_ref())
                        .and_then(|r| r.label.clone())
                        .unwrap_or_default(),
                    field: label_of(&u.field),
                    old: display_json(&u.old),
                    new: display_json(&u.new),
                })
                .collect(),
            generated_at: format_datetime(self.now()),
        };
        let bytes = tokio::task::spawn_blocking(move || render(&document))
            .await
            .map_err(Error::internal)??;
        Ok(PdfFile {
            file_name: format!("{}.pdf", record.number),
            bytes,
        })
    }
}
