//! `atrium demo`: a fresh data directory filled with a realistic small company's CRM, staff
//! logins, and a welcome text that tells a newcomer where to start.

use std::path::PathBuf;

use atrium_core::Value;
use atrium_core::query::{Filter, ListQuery, Sort};
use atrium_store::{Actor, Role, Store, Upload};

use crate::config::Config;
use crate::dataset::{Counts, Generator, Shape};

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "demo-admin-password";
pub const AGENT_EMAIL: &str = "agent@example.com";
pub const AGENT_PASSWORD: &str = "demo-agent-password";

/// The demo's shape: 20 organizations × 15 cases = 300 cases.
const DEMO_SHAPE: Shape = Shape {
    contacts: 3,
    cases: 15,
    tickets: 4,
    projects: 1,
    tasks_per_project: 4,
    milestones_per_project: 2,
    documents: 0,
    assets: 2,
};

pub struct Logins {
    pub staff: Vec<(String, String, Role)>,
    /// (e-mail, password, organization) of the demo customers.
    pub customers: Vec<(String, String, String)>,
    pub counts: Option<Counts>,
}

/// Passwords of the two demo customers.
const CUSTOMER_PASSWORDS: [&str; 2] = ["orange-bicycle-lantern", "quiet-harbour-compass"];

/// A new directory under the system's temporary directory.
pub fn fresh_data_dir() -> anyhow::Result<PathBuf> {
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let dir = std::env::temp_dir().join(format!("atrium-demo-{stamp}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

const DEMO_PRODUCTS: &[(&str, &str, i64)] = &[
    ("Atlas Router X2", "ATL-X2", 34_900),
    ("Atlas Router X4", "ATL-X4", 59_900),
    ("Nimbus Backup (per TB)", "NIM-TB", 1_200),
    ("Orion Firewall 500", "ORI-500", 129_000),
    ("Orion Firewall 900", "ORI-900", 219_000),
    ("Vega Laptop 14", "VEG-14", 109_900),
    ("Vega Docking Station", "VEG-DS", 18_900),
    ("Helios UPS 1500", "HEL-1500", 45_000),
    ("Lyra Headset", "LYR-H1", 8_900),
    ("Polaris Switch 24", "POL-24", 38_500),
];

const DEMO_SERVICES: &[(&str, &str, i64)] = &[
    ("On-site support", "hour", 9_500),
    ("Remote support", "hour", 6_500),
    ("Managed backup", "month", 4_900),
    ("Network health check", "visit", 45_000),
    ("Security awareness training", "seat", 12_000),
];

const DEMO_FAQS: &[(&str, &str, &str)] = &[
    (
        "How do I reset my password?",
        "Account",
        "On the sign-in page choose **Forgot password** and enter your e-mail address.\n\nThe link we send works **once** and for **one hour**. If it has expired, simply ask for a new one.",
    ),
    (
        "Where can I download my invoices?",
        "Billing",
        "Open **Documents** and pick the *Invoices* folder. Every invoice is available as a PDF.\n\nMissing one? Open a case with the invoice number and we will add it.",
    ),
    (
        "How quickly do you respond?",
        "General",
        "| Priority | First response |\n|---|---|\n| Urgent | 1 hour |\n| High | 4 hours |\n| Medium | 1 business day |\n| Low | 3 business days |",
    ),
    (
        "Which browsers are supported?",
        "Technical",
        "The two latest versions of **Firefox**, **Chrome**, **Edge** and **Safari**. The portal also works without JavaScript.",
    ),
    (
        "How do I add a colleague to the portal?",
        "Account",
        "Ask your account representative (shown on the home page). They can invite any contact of your organization.",
    ),
    (
        "Can I change the e-mail address I sign in with?",
        "Account",
        "Yes: edit your profile. The change takes effect once you confirm the link we send to the **new** address.",
    ),
    (
        "What does 'Waiting on Customer' mean?",
        "General",
        "We need something from you to go on. Reply with a comment and the case goes straight back to *Open*.",
    ),
    (
        "How do I upload a document?",
        "Technical",
        "Open **Documents** → **Upload**. Files up to 25 MB are accepted; we check every file's type.",
    ),
    (
        "Do you offer annual billing?",
        "Billing",
        "Yes. Annual plans get **two months free**. Ask for a quote in a case of type *Question*.",
    ),
    (
        "How do I update my router's firmware?",
        "Technical",
        "1. Download the firmware from the *Manuals* folder.\n2. Open `http://192.168.1.1` and sign in.\n3. Choose **System → Update** and select the file.\n\nDo not switch the router off while it updates.",
    ),
    (
        "What is covered by the warranty?",
        "General",
        "Hardware defects for **two years** from the date of sale. Accidental damage is not covered.",
    ),
    (
        "How do I export my data?",
        "Technical",
        "Every record page has a **PDF** button. For bulk exports, open a case and we will prepare a CSV.",
    ),
    (
        "Draft: new pricing from January",
        "Billing",
        "*Not yet public.* Prices change on 1 January.",
    ),
    (
        "Draft: migrating to the new portal",
        "General",
        "*Internal review pending.*",
    ),
    ("Draft: SSO set-up", "Technical", "Coming soon."),
];

/// Small real files for the demo's documents: (title, folder, file name, bytes).
fn demo_files() -> Vec<(&'static str, &'static str, &'static str, Vec<u8>)> {
    vec![
        ("Standard service agreement", "Contracts", "service-agreement.md",
         b"# Service agreement\n\n1. Support hours: Monday to Friday, 8:00-18:00.\n2. Urgent cases: around the clock.\n3. Term: twelve months, renewed automatically.\n".to_vec()),
        ("Router X2 quick start", "Manuals", "router-x2-quick-start.txt",
         b"Atlas Router X2 - quick start\n\n1. Connect the WAN port to your modem.\n2. Power on and wait for the green light.\n3. Open http://192.168.1.1 and follow the wizard.\n".to_vec()),
        ("Price list 2026", "Other", "price-list-2026.csv",
         b"product,part_number,unit_price\nAtlas Router X2,ATL-X2,349.00\nOrion Firewall 500,ORI-500,1290.00\nVega Laptop 14,VEG-14,1099.00\n".to_vec()),
        ("Invoice INV-2026-0042", "Invoices", "INV-2026-0042.pdf", minimal_pdf("Invoice INV-2026-0042 - total 1,290.00")),
        ("Firewall 500 manual", "Manuals", "orion-500-manual.pdf", minimal_pdf("Orion Firewall 500 - user manual")),
        ("Onboarding checklist", "Default", "onboarding.json",
         br#"{"steps": ["Create accounts", "Install VPN", "Book training"], "owner": "IT"}"#.to_vec()),
    ]
}

/// A one-page PDF with one line of text: small, valid, and recognizably a PDF.
fn minimal_pdf(line: &str) -> Vec<u8> {
    let content = format!("BT /F1 14 Tf 72 720 Td ({line}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{object}\nendobj\n", i + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for offset in offsets {
        pdf.push_str(&format!("{offset:010} 00000 n \n"));
    }
    pdf.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf.into_bytes()
}

const STAFF_REPLIES: &[&str] = &[
    "Thanks for the details. We are looking into it and will update you today.",
    "Could you send us a screenshot of the error message?",
    "We rolled out a fix this morning. Can you confirm it works for you?",
];
const INTERNAL_NOTES: &[&str] = &[
    "Same issue as last month; check the proxy settings first.",
    "Customer is on the premium plan: keep the one-hour response time.",
];

/// Fills an empty database with the demo data; on a database that already has data it only
/// makes sure the staff logins work.
pub async fn load(store: &Store) -> anyhow::Result<Logins> {
    let staff = vec![
        (
            ADMIN_EMAIL.to_owned(),
            ADMIN_PASSWORD.to_owned(),
            Role::Admin,
            "Ada Admin",
        ),
        (
            AGENT_EMAIL.to_owned(),
            AGENT_PASSWORD.to_owned(),
            Role::Agent,
            "Alex Agent",
        ),
        (
            "support@example.com".to_owned(),
            "demo-support-password".to_owned(),
            Role::Agent,
            "Sam Support",
        ),
    ];
    for (email, password, role, name) in &staff {
        let hash = atrium_app::passwords::hash_password(password.clone()).await?;
        store.upsert_staff_user(email, name, &hash, *role).await?;
    }
    let organizations = store
        .registry()
        .module("organizations")
        .ok_or_else(|| anyhow::anyhow!("no organizations module"))?;
    let any = ListQuery {
        filter: Filter::All,
        sort: Sort {
            field: "number".into(),
            descending: false,
        },
        page: 1,
        per_page: 1,
    };
    let counts = if store.list(organizations, &any).await?.total == 0 {
        Some(generate(store).await?)
    } else {
        None
    };
    let customers = customers(store).await?;
    Ok(Logins {
        staff: staff.into_iter().map(|(e, p, r, _)| (e, p, r)).collect(),
        customers,
        counts,
    })
}

/// Portal access for the first contact of two different organizations, with support from a
/// month ago to a year ahead, and the company and portal dressed for the demo.
async fn customers(store: &Store) -> anyhow::Result<Vec<(String, String, String)>> {
    let contacts = store
        .registry()
        .module("contacts")
        .ok_or_else(|| anyhow::anyhow!("no contacts module"))?;
    let candidates = store
        .list(
            contacts,
            &ListQuery {
                filter: Filter::All,
                sort: Sort {
                    field: "number".into(),
                    descending: false,
                },
                page: 1,
                per_page: 20,
            },
        )
        .await?
        .items;
    let today = time::OffsetDateTime::now_utc().date();
    let mut chosen: Vec<(String, String, String)> = Vec::new();
    let mut organizations_used = Vec::new();
    for contact in candidates {
        let Some(organization) = contact.get("organization").as_ref_id() else {
            continue;
        };
        if organizations_used.contains(&organization) {
            continue;
        }
        let Some(email) = contact.get("email").as_text().map(str::to_owned) else {
            continue;
        };
        let password = CUSTOMER_PASSWORDS[chosen.len()];
        let changes = vec![
            ("portal_user".to_owned(), Value::Boolean(true)),
            (
                "support_start_date".to_owned(),
                Value::Date(today - time::Duration::days(30)),
            ),
            (
                "support_end_date".to_owned(),
                Value::Date(today + time::Duration::days(365)),
            ),
        ];
        store
            .update(contacts, contact.id, changes, Actor::System, None)
            .await?;
        let hash = atrium_app::passwords::hash_password(password.to_owned()).await?;
        store.set_portal_password(contact.id, &hash, None).await?;
        let org_label = match contact.get("organization") {
            Value::Ref(r) => r.label.clone().unwrap_or_default(),
            _ => String::new(),
        };
        organizations_used.push(organization);
        chosen.push((email, password.to_owned(), org_label));
        if chosen.len() == CUSTOMER_PASSWORDS.len() {
            break;
        }
    }
    let mut company = store.company().await?;
    company.name = "Northwind Support".into();
    company.address = "12 Harbour Street\n20457 Hamburg\nGermany".into();
    company.email = Some("support@example.com".into());
    company.phone = Some("+1 555 0100".into());
    store.save_company(&company).await?;
    if let Some(mut portal) = store.portal("default").await? {
        portal.home.announcement =
            "**Welcome!** Planned maintenance on Sunday 02:00-04:00 UTC.".into();
        portal.home.greeting = atrium_core::portal::Greeting::TimeBased;
        // The catalog, readable by every customer (products and services are `all`).
        for module in ["products", "services"] {
            if portal.module(module).is_none() {
                let fields = ["name", "unit_price", "description"]
                    .iter()
                    .map(|f| ((*f).to_owned(), atrium_core::portal::FieldAccess::ReadOnly))
                    .collect();
                portal.modules.push(atrium_core::portal::PortalModule {
                    module: module.into(),
                    scope: None,
                    create: false,
                    edit: false,
                    comments: false,
                    related: Vec::new(),
                    fields,
                });
            }
        }
        for (module, own) in [
            (
                "quotes",
                &["stage", "valid_until", "signed_by", "decided_at"][..],
            ),
            ("invoices", &["status", "invoice_date", "due_date"][..]),
        ] {
            if portal.module(module).is_none() {
                let fields = [
                    "subject",
                    "currency",
                    "items",
                    "subtotal",
                    "tax_total",
                    "total",
                ]
                .iter()
                .chain(own)
                .chain(&["terms_conditions"])
                .map(|f| ((*f).to_owned(), atrium_core::portal::FieldAccess::ReadOnly))
                .collect();
                portal.modules.push(atrium_core::portal::PortalModule {
                    module: module.into(),
                    scope: Some(atrium_core::portal::Scope::All),
                    create: false,
                    edit: false,
                    comments: true,
                    related: Vec::new(),
                    fields,
                });
            }
        }
        portal.default_assignee = store
            .staff_user_by_email("support@example.com")
            .await?
            .map(|u| u.id);
        store.save_portal(Some("default"), portal).await?;
    }
    Ok(chosen)
}

/// A line of a demo quote: product or service name, description, quantity, discount %, tax %.
type DemoLine = (&'static str, &'static str, &'static str, u32, u32);

/// The lines of the demo's quotes.
const QUOTE_LINES: &[&[DemoLine]] = &[
    &[
        (
            "Orion Firewall 900",
            "Rack-mounted, with 3 years of updates",
            "2",
            10,
            19,
        ),
        (
            "Network health check",
            "Before and after the rollout",
            "2",
            0,
            19,
        ),
        (
            "On-site support",
            "Installation and hand-over",
            "6.5",
            0,
            19,
        ),
        ("", "Travel expenses (flat rate)", "1", 0, 0),
    ],
    &[
        (
            "Vega Laptop 14",
            "16 GB RAM, 1 TB SSD, German keyboard",
            "12",
            5,
            19,
        ),
        ("Vega Docking Station", "", "12", 5, 19),
        (
            "Security awareness training",
            "Online course, one seat per user",
            "12",
            0,
            19,
        ),
    ],
    &[
        (
            "Managed backup",
            "Up to 2 TB, monitored daily",
            "12",
            15,
            19,
        ),
        ("Nimbus Backup (per TB)", "Additional storage", "3", 0, 19),
        ("Remote support", "Quarterly restore test", "4", 0, 19),
    ],
];

/// Quotes and invoices for the first organizations with contacts (those whose contacts the
/// demo lets sign in): a quote waiting on the customer, an accepted one invoiced and paid,
/// an overdue invoice and a draft.
async fn quotes_and_invoices(
    store: &Store,
    contacts: &[atrium_core::Record],
    actor: Actor,
) -> anyhow::Result<(usize, usize)> {
    let module = |name: &str| {
        store
            .registry()
            .module(name)
            .ok_or_else(|| anyhow::anyhow!("no {name} module"))
    };
    let (quotes, invoices) = (module("quotes")?, module("invoices")?);
    let mut catalog = std::collections::HashMap::new();
    for name in ["products", "services"] {
        let all = ListQuery {
            filter: Filter::All,
            sort: Sort {
                field: "number".into(),
                descending: false,
            },
            page: 1,
            per_page: 100,
        };
        for item in store.list(module(name)?, &all).await?.items {
            let price = item.get("unit_price").to_plain_json();
            let label = item.get("name").as_text().unwrap_or_default().to_owned();
            catalog.insert(label, (name, item.id, price));
        }
    }
    let support = store
        .staff_user_by_email("support@example.com")
        .await?
        .map(|u| u.id);
    let today = time::OffsetDateTime::now_utc().date();
    let date = |days: i64| atrium_core::value::format_date(today + time::Duration::days(days));
    let terms = "Prices in euros. **Payment** within 30 days of the invoice date.\n\n- Delivery within 2 weeks of acceptance\n- Warranty as in our [service terms](https://example.com/terms)";
    let mut organizations = Vec::new();
    for contact in contacts {
        if let Some(org) = contact.get("organization").as_ref_id()
            && !organizations.iter().any(|(o, _)| *o == org)
        {
            organizations.push((org, contact.id));
        }
    }
    let (mut quote_count, mut invoice_count) = (0, 0);
    for (index, (organization, contact)) in organizations.iter().take(3).enumerate() {
        for (round, stage) in ["Delivered", "Accepted", "Created"].iter().enumerate() {
            let lines = QUOTE_LINES[(index + round) % QUOTE_LINES.len()];
            let items: Vec<serde_json::Value> = lines
                .iter()
                .map(|(item, description, quantity, discount, tax)| {
                    let mut row = serde_json::json!({
                        "description": (!description.is_empty()).then_some(*description),
                        "quantity": quantity, "discount_percent": discount, "tax_percent": tax,
                        "unit_price": 180,
                    });
                    if let Some((kind, id, price)) = catalog.get(*item) {
                        row[if *kind == "products" {
                            "product"
                        } else {
                            "service"
                        }] = serde_json::json!(id);
                        row["unit_price"] = price.clone();
                    }
                    row
                })
                .collect();
            let subject = match round {
                0 => "Network refresh 2027",
                1 => "Laptops for the new team",
                _ => "Backup and restore service",
            };
            let body = serde_json::json!({
                "subject": subject, "stage": stage, "organization": organization,
                "contact": contact, "valid_until": date(30), "terms_conditions": terms,
                "assigned_to": support, "items": items,
            });
            let changes = atrium_core::validate::parse_input(
                quotes,
                &body,
                atrium_core::validate::Mode::Create,
            )?;
            let quote = store.create(quotes, changes, actor).await?;
            quote_count += 1;
            if *stage == "Accepted" {
                for (status, invoice_date, due) in [("Paid", -60, -30), ("Sent", -45, -15)] {
                    let mut body = body.clone();
                    if let Some(object) = body.as_object_mut() {
                        object.remove("stage");
                        object.remove("valid_until");
                    }
                    body["status"] = serde_json::json!(status);
                    body["quote"] = serde_json::json!(quote.id);
                    body["invoice_date"] = serde_json::json!(date(invoice_date));
                    body["due_date"] = serde_json::json!(date(due));
                    let changes = atrium_core::validate::parse_input(
                        invoices,
                        &body,
                        atrium_core::validate::Mode::Create,
                    )?;
                    store.create(invoices, changes, actor).await?;
                    invoice_count += 1;
                }
            }
        }
    }
    Ok((quote_count, invoice_count))
}

async fn generate(store: &Store) -> anyhow::Result<Counts> {
    let mut generator = Generator::new(store, crate::dataset::DEMO_SEED).await?;
    let mut counts = Counts {
        products: generator.products(DEMO_PRODUCTS).await?,
        ..Counts::default()
    };
    counts.services = generator.services(DEMO_SERVICES).await?;
    generator.organizations(20, DEMO_SHAPE, &mut counts).await?;
    counts.faqs = generator.faqs(DEMO_FAQS, 12).await?;

    let module = |name: &str| {
        store
            .registry()
            .module(name)
            .ok_or_else(|| anyhow::anyhow!("no {name} module"))
    };
    let (documents, cases, orgs, contacts) = (
        module("documents")?,
        module("cases")?,
        module("organizations")?,
        module("contacts")?,
    );
    let first = |n| ListQuery {
        filter: Filter::All,
        sort: Sort {
            field: "number".into(),
            descending: false,
        },
        page: 1,
        per_page: n,
    };
    let some_orgs = store.list(orgs, &first(6)).await?.items;
    let some_contacts = store.list(contacts, &first(6)).await?.items;
    let some_cases = store.list(cases, &first(40)).await?.items;
    let admin = store.staff_user_by_email(ADMIN_EMAIL).await?.map(|u| u.id);
    let actor = admin.map(Actor::Staff).unwrap_or(Actor::System);

    for (i, (title, folder, file_name, bytes)) in demo_files().into_iter().enumerate() {
        let changes = vec![
            ("title".to_owned(), Value::Text(title.to_owned())),
            ("folder".to_owned(), Value::Text(folder.to_owned())),
            ("status".to_owned(), Value::Text("Active".to_owned())),
        ];
        let document = store.create(documents, changes, actor).await?;
        let upload = Upload {
            name: file_name.to_owned(),
            mime_type: atrium_store::files::sniff_mime(&bytes),
            bytes,
        };
        store
            .set_file(documents, document.id, "file", upload, actor)
            .await?;
        if let Some(org) = some_orgs.get(i % some_orgs.len().max(1)) {
            store.link(documents, document.id, orgs, org.id).await?;
        }
        if let Some(contact) = some_contacts.get(i % some_contacts.len().max(1)) {
            store
                .link(documents, document.id, contacts, contact.id)
                .await?;
        }
        if let Some(case) = some_cases.get(i) {
            store.link(documents, document.id, cases, case.id).await?;
        }
        counts.documents += 1;
    }
    let (quotes, invoices) = quotes_and_invoices(store, &some_contacts, actor).await?;
    counts.quotes = quotes;
    counts.invoices = invoices;
    for (i, case) in some_cases.iter().enumerate() {
        store
            .add_comment(
                cases,
                case.id,
                STAFF_REPLIES[i % STAFF_REPLIES.len()],
                false,
                actor,
            )
            .await?;
        if i % 3 == 0 {
            store
                .add_comment(
                    cases,
                    case.id,
                    INTERNAL_NOTES[i % INTERNAL_NOTES.len()],
                    true,
                    actor,
                )
                .await?;
        }
    }
    Ok(counts)
}

pub fn print_welcome(config: &Config, logins: &Logins) {
    let base = config.base_url();
    println!();
    println!("Atrium demo");
    println!("  data directory: {}", config.data_dir.display());
    if let Some(counts) = &logins.counts {
        println!("  demo data:      {counts}");
    }
    println!("  customer portal: {base}/portal/  (sign in with a customer login below)");
    println!("  staff pages:    {base}/staff/  (sign in with a staff login below)");
    println!("  API:            {base}/api/v1/  (OpenAPI document: {base}/api/v1/openapi.json)");
    println!("  staff logins:");
    for (email, password, role) in &logins.staff {
        println!("    {email:<24} {password:<24} ({})", role.as_str());
    }
    println!("  customer logins (portal `default`, {base}/api/v1/portal/default/):");
    for (email, password, organization) in &logins.customers {
        println!("    {email:<48} {password:<24} ({organization})");
    }
    println!("  try:");
    println!(
        "    curl -s {base}/api/v1/staff/login -H 'content-type: application/json' -d '{{\"email\":\"{ADMIN_EMAIL}\",\"password\":\"{ADMIN_PASSWORD}\"}}'"
    );
    if let Some((email, password, _)) = logins.customers.first() {
        println!(
            "    curl -s {base}/api/v1/portal/default/login -H 'content-type: application/json' -d '{{\"email\":\"{email}\",\"password\":\"{password}\"}}'"
        );
    }
    println!();
}
