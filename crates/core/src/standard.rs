//! The standard modules of Atrium (PRODUCT.md §2).

use serde_json::json;

use crate::metadata::{FieldDef as F, FieldType as T, GridColumn, ModuleDef, Registry};
use crate::money::CURRENCIES;

const GRAY: &str = "#868e96";
const BLUE: &str = "#1c7ed6";
const CYAN: &str = "#1098ad";
const TEAL: &str = "#0ca678";
const GREEN: &str = "#37b24d";
const YELLOW: &str = "#f59f00";
const ORANGE: &str = "#f76707";
const DEEP_ORANGE: &str = "#d9480f";
const RED: &str = "#e03131";
const GRAPE: &str = "#ae3ec9";
const VIOLET: &str = "#7048e8";
const INDIGO: &str = "#4263eb";
const PINK: &str = "#d6336c";

fn text(name: &str, label: &str) -> F {
    F::new(name, label, T::Text)
}
fn textarea(name: &str, label: &str) -> F {
    F::new(name, label, T::Textarea)
}
fn reference(name: &str, label: &str, module: &str) -> F {
    F::new(
        name,
        label,
        T::Reference {
            module: module.to_owned(),
        },
    )
}
fn picklist(name: &str, label: &str, values: &[(&str, &str)]) -> F {
    F::new(name, label, T::Picklist).values(values)
}
fn date(name: &str, label: &str) -> F {
    F::new(name, label, T::Date)
}
fn boolean(name: &str, label: &str) -> F {
    F::new(name, label, T::Boolean)
}

/// Fields every module has, appended after its own.
fn common_fields() -> Vec<F> {
    vec![
        F::new("assigned_to", "Assigned to", T::User),
        F::new("created_by", "Created by", T::User).system(),
        F::new("modified_by", "Modified by", T::User).system(),
        reference("created_by_ext", "Created by (portal)", "contacts").system(),
        reference("modified_by_ext", "Modified by (portal)", "contacts").system(),
    ]
}

fn module(
    name: &str,
    label: &str,
    singular: &str,
    prefix: &str,
    label_fields: &[&str],
    fields: Vec<F>,
    links: &[&str],
) -> ModuleDef {
    let mut fields = fields;
    fields.extend(common_fields());
    ModuleDef {
        name: name.to_owned(),
        label: label.to_owned(),
        singular_label: singular.to_owned(),
        number_prefix: prefix.to_owned(),
        label_fields: label_fields.iter().map(|s| (*s).to_owned()).collect(),
        fields,
        links: links.iter().map(|s| (*s).to_owned()).collect(),
    }
}

const ADDRESS_PARTS: [(&str, &str); 5] = [
    ("street", "Street"),
    ("city", "City"),
    ("state", "State"),
    ("code", "Postal code"),
    ("country", "Country"),
];

fn address(prefix: &str, label: &str) -> Vec<F> {
    ADDRESS_PARTS
        .iter()
        .map(|(part, part_label)| {
            text(
                &format!("{prefix}_{part}"),
                &format!("{label} {part_label}"),
            )
        })
        .collect()
}

/// A quote's or an invoice's line items: a product or a service (or only a description), the
/// quantity, unit price, discount and tax rate; Atrium computes each line's net and tax.
fn line_items() -> F {
    let column = GridColumn::new;
    F::new(
        "items",
        "Items",
        T::Grid {
            columns: vec![
                column(
                    "product",
                    "Product",
                    T::Reference {
                        module: "products".into(),
                    },
                ),
                column(
                    "service",
                    "Service",
                    T::Reference {
                        module: "services".into(),
                    },
                ),
                column("description", "Description", T::Textarea),
                column("quantity", "Quantity", T::Decimal).required(),
                column("unit_price", "Unit price", T::Currency).required(),
                column("discount_percent", "Discount %", T::Percent),
                column("tax_percent", "Tax %", T::Percent),
                column("net", "Net", T::Currency).computed(),
                column("tax", "Tax", T::Currency).computed(),
            ],
        },
    )
    .default(json!([]))
}

/// The fields every priced document has after its own: currency (the company's unless set),
/// lines, Atrium's totals, and the terms.
fn priced_fields() -> Vec<F> {
    let currencies: Vec<(&str, &str)> = CURRENCIES.iter().map(|(code, _)| (*code, GRAY)).collect();
    vec![
        picklist("currency", "Currency", &currencies),
        line_items(),
        // The total first: lists show a record's first fields.
        F::new("total", "Total", T::Currency).computed(),
        F::new("subtotal", "Subtotal", T::Currency).computed(),
        F::new("discount_total", "Discount total", T::Currency).computed(),
        F::new("tax_total", "Tax total", T::Currency).computed(),
        F::new("terms_conditions", "Terms and conditions", T::Markdown),
    ]
}

pub fn standard_modules() -> Vec<ModuleDef> {
    let mut organization_fields = vec![
        text("name", "Name").required(),
        F::new("website", "Website", T::Url),
        F::new("phone", "Phone", T::Phone),
        F::new("email", "Email", T::Email),
        picklist(
            "industry",
            "Industry",
            &[
                ("Banking", BLUE),
                ("Consulting", CYAN),
                ("Education", TEAL),
                ("Healthcare", GREEN),
                ("Manufacturing", ORANGE),
                ("Retail", PINK),
                ("Technology", INDIGO),
                ("Telecommunications", VIOLET),
                ("Other", GRAY),
            ],
        ),
    ];
    organization_fields.extend(address("billing", "Billing"));
    organization_fields.push(textarea("description", "Description"));

    let mut contact_fields = vec![
        text("first_name", "First name"),
        text("last_name", "Last name").required(),
        F::new("email", "Email", T::Email),
        F::new("secondary_email", "Secondary email", T::Email),
        F::new("phone", "Phone", T::Phone),
        F::new("mobile", "Mobile", T::Phone),
        text("title", "Title"),
        text("department", "Department"),
        reference("organization", "Organization", "organizations"),
    ];
    contact_fields.extend(address("mailing", "Mailing"));
    contact_fields.extend([
        boolean("email_opt_out", "Email opt-out").default(json!(false)),
        boolean("portal_user", "Portal user").default(json!(false)),
        date("support_start_date", "Support start date"),
        date("support_end_date", "Support end date"),
        boolean("notify_on_updates", "Notify on updates").default(json!(true)),
        // The language of the contact's portal pages and mails (empty: their browser's, else
        // the company's).
        picklist("language", "Language", &[("en", GRAY), ("de", GRAY)]),
        // Ids of portal roles given to this contact, and slugs of the portals the contact may
        // use (empty: the default portal only).
        F::new("portal_roles", "Portal roles", T::Multipicklist).default(json!([])),
        F::new("portals", "Portals", T::Multipicklist).default(json!([])),
        textarea("description", "Description"),
    ]);

    vec![
        module(
            "organizations",
            "Organizations",
            "Organization",
            "ORG",
            &["name"],
            organization_fields,
            &[],
        ),
        module(
            "contacts",
            "Contacts",
            "Contact",
            "CON",
            &["first_name", "last_name"],
            contact_fields,
            &[],
        ),
        module(
            "cases",
            "Cases",
            "Case",
            "CS",
            &["title"],
            vec![
                text("title", "Title").required(),
                F::new("description", "Description", T::Markdown),
                picklist(
                    "status",
                    "Status",
                    &[
                        ("New", BLUE),
                        ("Open", CYAN),
                        ("Waiting on Customer", YELLOW),
                        ("Waiting on Third Party", ORANGE),
                        ("Resolved", GREEN),
                        ("Closed", GRAY),
                    ],
                )
                .default(json!("New")),
                picklist(
                    "priority",
                    "Priority",
                    &[
                        ("Low", GRAY),
                        ("Medium", BLUE),
                        ("High", DEEP_ORANGE),
                        ("Urgent", RED),
                    ],
                )
                .default(json!("Medium")),
                picklist(
                    "case_type",
                    "Type",
                    &[
                        ("Question", BLUE),
                        ("Incident", RED),
                        ("Problem", ORANGE),
                        ("Feature Request", VIOLET),
                    ],
                ),
                picklist(
                    "channel",
                    "Channel",
                    &[
                        ("Portal", INDIGO),
                        ("Email", CYAN),
                        ("Phone", TEAL),
                        ("Web", GRAPE),
                    ],
                ),
                reference("contact", "Contact", "contacts"),
                reference("organization", "Organization", "organizations"),
                textarea("resolution", "Resolution"),
                F::new("resolved_at", "Resolved at", T::Datetime).system(),
                boolean("internal", "Internal").default(json!(false)),
            ],
            &[],
        ),
        module(
            "tickets",
            "Tickets",
            "Ticket",
            "TT",
            &["title"],
            vec![
                text("title", "Title").required(),
                F::new("description", "Description", T::Markdown),
                picklist(
                    "status",
                    "Status",
                    &[
                        ("Open", BLUE),
                        ("In Progress", CYAN),
                        ("Wait For Response", YELLOW),
                        ("Closed", GRAY),
                    ],
                )
                .default(json!("Open")),
                picklist(
                    "priority",
                    "Priority",
                    &[
                        ("Low", GRAY),
                        ("Normal", BLUE),
                        ("High", DEEP_ORANGE),
                        ("Urgent", RED),
                    ],
                )
                .default(json!("Normal")),
                picklist(
                    "severity",
                    "Severity",
                    &[
                        ("Minor", GRAY),
                        ("Major", ORANGE),
                        ("Feature", VIOLET),
                        ("Critical", RED),
                    ],
                ),
                picklist(
                    "category",
                    "Category",
                    &[
                        ("Big Problem", RED),
                        ("Small Problem", YELLOW),
                        ("Other", GRAY),
                    ],
                ),
                reference("product", "Product", "products"),
                reference("contact", "Contact", "contacts"),
                reference("organization", "Organization", "organizations"),
                textarea("solution", "Solution"),
                F::new("hours", "Hours", T::Decimal),
                F::new("closed_at", "Closed at", T::Datetime).system(),
                boolean("internal", "Internal").default(json!(false)),
            ],
            &[],
        ),
        module(
            "documents",
            "Documents",
            "Document",
            "DOC",
            &["title"],
            vec![
                text("title", "Title").required(),
                picklist(
                    "folder",
                    "Folder",
                    &[
                        ("Default", GRAY),
                        ("Contracts", BLUE),
                        ("Manuals", TEAL),
                        ("Invoices", ORANGE),
                        ("Other", VIOLET),
                    ],
                )
                .default(json!("Default")),
                F::new("file", "File", T::File),
                textarea("notes", "Notes"),
                picklist("status", "Status", &[("Active", GREEN), ("Inactive", GRAY)])
                    .default(json!("Active")),
            ],
            &["contacts", "organizations", "cases", "tickets", "projects"],
        ),
        module(
            "faqs",
            "FAQs",
            "FAQ",
            "FAQ",
            &["question"],
            vec![
                text("question", "Question").required(),
                F::new("answer", "Answer", T::Markdown),
                picklist(
                    "category",
                    "Category",
                    &[
                        ("General", BLUE),
                        ("Billing", ORANGE),
                        ("Technical", VIOLET),
                        ("Account", TEAL),
                    ],
                ),
                picklist(
                    "status",
                    "Status",
                    &[
                        ("Draft", GRAY),
                        ("Reviewed", YELLOW),
                        ("Published", GREEN),
                        ("Obsolete", RED),
                    ],
                )
                .default(json!("Draft")),
                reference("product", "Product", "products"),
                // Slugs of the portals the FAQ is published to; none = all. Checked against the
                // portals once they exist.
                F::new("portals", "Portals", T::Multipicklist),
            ],
            &[],
        ),
        module(
            "projects",
            "Projects",
            "Project",
            "PRJ",
            &["name"],
            vec![
                text("name", "Name").required(),
                picklist(
                    "status",
                    "Status",
                    &[
                        ("Prospecting", GRAY),
                        ("Initiated", CYAN),
                        ("In Progress", BLUE),
                        ("Waiting for Feedback", YELLOW),
                        ("On Hold", ORANGE),
                        ("Completed", GREEN),
                        ("Delivered", TEAL),
                        ("Archived", VIOLET),
                    ],
                )
                .default(json!("Initiated")),
                picklist(
                    "priority",
                    "Priority",
                    &[("Low", GRAY), ("Normal", BLUE), ("High", DEEP_ORANGE)],
                ),
                picklist(
                    "project_type",
                    "Type",
                    &[
                        ("Administrative", GRAY),
                        ("Operative", BLUE),
                        ("Other", VIOLET),
                    ],
                ),
                date("start_date", "Start date"),
                date("target_end_date", "Target end date"),
                date("actual_end_date", "Actual end date"),
                F::new("progress", "Progress", T::Percent),
                reference("organization", "Organization", "organizations"),
                reference("contact", "Contact", "contacts"),
                F::new("description", "Description", T::Markdown),
            ],
            &["contacts"],
        ),
        module(
            "project_tasks",
            "Project tasks",
            "Project task",
            "PT",
            &["name"],
            vec![
                text("name", "Name").required(),
                reference("project", "Project", "projects").required(),
                picklist(
                    "status",
                    "Status",
                    &[
                        ("Open", BLUE),
                        ("In Progress", CYAN),
                        ("Completed", GREEN),
                        ("Deferred", YELLOW),
                        ("Canceled", GRAY),
                    ],
                )
                .default(json!("Open")),
                picklist(
                    "priority",
                    "Priority",
                    &[("Low", GRAY), ("Normal", BLUE), ("High", DEEP_ORANGE)],
                ),
                F::new("progress", "Progress", T::Percent),
                date("start_date", "Start date"),
                date("end_date", "End date"),
                F::new("description", "Description", T::Markdown),
            ],
            &[],
        ),
        module(
            "project_milestones",
            "Project milestones",
            "Project milestone",
            "PM",
            &["name"],
            vec![
                text("name", "Name").required(),
                reference("project", "Project", "projects").required(),
                date("milestone_date", "Milestone date"),
                picklist(
                    "milestone_type",
                    "Type",
                    &[
                        ("Administrative", GRAY),
                        ("Operative", BLUE),
                        ("Other", VIOLET),
                    ],
                ),
                F::new("description", "Description", T::Markdown),
            ],
            &[],
        ),
        module(
            "products",
            "Products",
            "Product",
            "PRO",
            &["name"],
            vec![
                text("name", "Name").required(),
                text("part_number", "Part number"),
                F::new("unit_price", "Unit price", T::Currency),
                boolean("active", "Active").default(json!(true)),
                textarea("description", "Description"),
            ],
            &[],
        ),
        module(
            "services",
            "Services",
            "Service",
            "SER",
            &["name"],
            vec![
                text("name", "Name").required(),
                F::new("unit_price", "Unit price", T::Currency),
                text("usage_unit", "Usage unit"),
                boolean("active", "Active").default(json!(true)),
                textarea("description", "Description"),
            ],
            &[],
        ),
        module(
            "assets",
            "Assets",
            "Asset",
            "AST",
            &["name"],
            vec![
                text("name", "Name").required(),
                text("serial_number", "Serial number"),
                reference("product", "Product", "products"),
                reference("organization", "Organization", "organizations"),
                reference("contact", "Contact", "contacts"),
                picklist(
                    "status",
                    "Status",
                    &[("In Service", GREEN), ("Out of Service", GRAY)],
                )
                .default(json!("In Service")),
                date("date_sold", "Date sold"),
                date("warranty_end_date", "Warranty end date"),
            ],
            &[],
        ),
        module(
            "quotes",
            "Quotes",
            "Quote",
            "QU",
            &["subject"],
            [
                vec![
                    text("subject", "Subject").required(),
                    picklist(
                        "stage",
                        "Stage",
                        &[
                            ("Created", GRAY),
                            ("Delivered", BLUE),
                            ("Reviewed", VIOLET),
                            ("Accepted", GREEN),
                            ("Rejected", RED),
                        ],
                    )
                    .default(json!("Created")),
                    date("valid_until", "Valid until"),
                    reference("organization", "Organization", "organizations"),
                    reference("contact", "Contact", "contacts"),
                    reference("case", "Case", "cases"),
                    reference("project", "Project", "projects"),
                ],
                priced_fields(),
                vec![
                    // Who accepted or rejected the quote in the portal, and when.
                    text("signed_by", "Signed by").system(),
                    F::new("decided_at", "Decided at", T::Datetime).system(),
                ],
            ]
            .concat(),
            &[],
        ),
        module(
            "invoices",
            "Invoices",
            "Invoice",
            "INV",
            &["subject"],
            [
                vec![
                    text("subject", "Subject").required(),
                    picklist(
                        "status",
                        "Status",
                        &[
                            ("Created", GRAY),
                            ("Approved", BLUE),
                            ("Sent", YELLOW),
                            ("Paid", GREEN),
                            ("Cancelled", RED),
                        ],
                    )
                    .default(json!("Created")),
                    date("invoice_date", "Invoice date"),
                    date("due_date", "Due date"),
                    reference("organization", "Organization", "organizations"),
                    reference("contact", "Contact", "contacts"),
                    reference("case", "Case", "cases"),
                    reference("project", "Project", "projects"),
                    reference("quote", "Quote", "quotes"),
                ],
                priced_fields(),
            ]
            .concat(),
            &[],
        ),
    ]
}

/// The registry of the standard modules.
pub fn registry() -> Registry {
    // The standard definitions are fixed; a mistake in them is a bug caught by the test below.
    Registry::new(standard_modules()).unwrap_or_else(|e| panic!("standard modules: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_metadata_is_consistent() {
        let registry = Registry::new(standard_modules()).expect("valid metadata");
        let documents = registry.module("documents").expect("documents");
        assert!(documents.can_link("cases"));
        let contacts = registry.module("contacts").expect("contacts");
        assert!(contacts.can_link("documents"), "links are symmetric");
        for module in registry.modules() {
            for field in &module.fields {
                for value in &field.values {
                    let hex = value.color.strip_prefix('#').expect("color starts with #");
                    assert!(hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()));
                }
                if let Some(default) = &field.default
                    && !field.values.is_empty()
                {
                    let default = default.as_str().expect("picklist default is a string");
                    assert!(
                        field.picklist_value(default).is_some(),
                        "{}.{}",
                        module.name,
                        field.name
                    );
                }
            }
            for label_field in &module.label_fields {
                assert!(
                    module.has_field(label_field),
                    "{}.{label_field}",
                    module.name
                );
            }
        }
    }
}
