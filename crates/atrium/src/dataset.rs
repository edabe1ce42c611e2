//! Generated CRM data, shared by `atrium demo` (a small realistic set) and `atrium seed`
//! (bulk data for benchmarks). Rows go in through the store's batched inserts, a few thousand
//! per statement, so `seed --scale 10000` takes seconds.

use std::fmt;

use atrium_core::validate::Changes;
use atrium_core::value::Reference;
use atrium_core::{ModuleDef, Value};
use atrium_store::{Actor, Store};
use fake::Fake;
use fake::faker::company::en::CompanyName;
use fake::faker::name::en::{FirstName, LastName};
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// How much of each kind to make per organization.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub contacts: usize,
    pub cases: usize,
    pub tickets: usize,
    pub projects: usize,
    pub tasks_per_project: usize,
    pub milestones_per_project: usize,
    pub documents: usize,
    pub assets: usize,
}

/// The shape `seed` uses: ~3 contacts, ~10 cases, ~3 tickets, ~1 project per organization.
pub const SEED_SHAPE: Shape = Shape {
    contacts: 3,
    cases: 10,
    tickets: 3,
    projects: 1,
    tasks_per_project: 3,
    milestones_per_project: 1,
    documents: 1,
    assets: 0,
};

#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub organizations: usize,
    pub contacts: usize,
    pub cases: usize,
    pub tickets: usize,
    pub projects: usize,
    pub project_tasks: usize,
    pub project_milestones: usize,
    pub documents: usize,
    pub assets: usize,
    pub products: usize,
    pub services: usize,
    pub faqs: usize,
    pub quotes: usize,
    pub invoices: usize,
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "added {} organizations, {} contacts, {} cases, {} tickets, {} projects ({} tasks, {} milestones), {} documents, {} assets, {} products, {} services, {} FAQs, {} quotes, {} invoices",
            self.organizations,
            self.contacts,
            self.cases,
            self.tickets,
            self.projects,
            self.project_tasks,
            self.project_milestones,
            self.documents,
            self.assets,
            self.products,
            self.services,
            self.faqs,
            self.quotes,
            self.invoices
        )
    }
}

const CASE_TITLES: &[&str] = &[
    "Cannot sign in after password change",
    "Invoice shows the wrong VAT rate",
    "Export to CSV times out",
    "Printer driver fails on the new laptops",
    "Request: add a second delivery address",
    "Sync between offices stopped overnight",
    "Dashboard loads slowly in the morning",
    "Error 502 when uploading large files",
    "Licence count does not match our contract",
    "Two-factor codes arrive late",
    "Wrong time zone on scheduled reports",
    "Question about the renewal terms",
    "Email notifications go to spam",
    "Mobile app crashes when opening attachments",
    "Need an extra admin account",
    "Backup job reported a warning",
    "Search does not find archived orders",
    "Feature request: dark mode",
    "Data import skipped some rows",
    "API rate limit reached during batch job",
];

const CASE_DETAILS: &[&str] = &[
    "It started this morning and affects **everyone** in the office.",
    "Steps to reproduce:\n\n1. Open the report\n2. Pick last month\n3. Press *Export*",
    "We tried restarting as suggested in the manual, without success.",
    "Not urgent, but it would help our finance team a lot.",
    "See the attached screenshot. The message reads `timeout after 30s`.",
];

const TICKET_TITLES: &[&str] = &[
    "Replace faulty network switch",
    "Install updates on the reception PC",
    "Configure new VPN profile",
    "Projector in meeting room B flickers",
    "Set up accounts for two new hires",
    "Move file server to the new rack",
];

const PROJECT_NAMES: &[&str] = &[
    "Office migration",
    "ERP roll-out",
    "Network refresh",
    "Customer portal launch",
    "Security audit",
    "Cloud backup",
];

const TASK_NAMES: &[&str] = &[
    "Kick-off meeting",
    "Collect requirements",
    "Order hardware",
    "Configure systems",
    "Train the users",
    "Acceptance test",
];

const INDUSTRIES: &[&str] = &[
    "Banking",
    "Consulting",
    "Education",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Technology",
    "Telecommunications",
];

const CITIES: &[(&str, &str)] = &[
    ("Berlin", "Germany"),
    ("Lyon", "France"),
    ("Manchester", "United Kingdom"),
    ("Rotterdam", "Netherlands"),
    ("Porto", "Portugal"),
    ("Austin", "United States"),
    ("Toronto", "Canada"),
    ("Melbourne", "Australia"),
];

const DEPARTMENTS: &[&str] = &[
    "IT",
    "Finance",
    "Operations",
    "Sales",
    "Purchasing",
    "Management",
];
const JOB_TITLES: &[&str] = &[
    "IT Manager",
    "Accountant",
    "Office Manager",
    "Head of Sales",
    "Buyer",
    "CEO",
];

/// Picks from a list with weights.
fn weighted<'a>(rng: &mut StdRng, items: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    for (item, weight) in items {
        if pick < *weight {
            return item;
        }
        pick -= weight;
    }
    items[0].0
}

fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

fn reference(id: Uuid) -> Value {
    Value::Ref(Reference::to(id))
}

fn slug(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

/// The demo's seed: its data is the same every time, with plain e-mail addresses.
pub const DEMO_SEED: u64 = 2026;

/// A generator with its own random source; the same seed gives the same data.
pub struct Generator<'a> {
    store: &'a Store,
    rng: StdRng,
    now: OffsetDateTime,
    staff: Vec<Uuid>,
    products: Vec<Uuid>,
    /// Set for bulk data: a number that makes generated e-mails unique across runs.
    run: Option<u32>,
}

type Rows = Vec<(Uuid, Changes, OffsetDateTime)>;

/// Generated rows of several modules, parents first, and their links.
pub struct Batch {
    rows: Vec<(&'static str, Rows)>,
    links: Vec<(String, Uuid, String, Uuid)>,
}

impl Batch {
    /// Stores the batch in one transaction.
    pub async fn insert(self, store: &Store) -> anyhow::Result<()> {
        let mut parts = Vec::with_capacity(self.rows.len());
        for (name, rows) in self.rows {
            let module = store
                .registry()
                .module(name)
                .ok_or_else(|| anyhow::anyhow!("unknown module {name}"))?;
            parts.push((module, rows));
        }
        store.load(parts, self.links, Actor::System).await?;
        Ok(())
    }
}

impl<'a> Generator<'a> {
    pub async fn new(store: &'a Store, seed: u64) -> anyhow::Result<Self> {
        let staff = store
            .staff_users()
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect();
        let mut rng = StdRng::seed_from_u64(seed);
        let run = (seed != DEMO_SEED).then(|| rng.random_range(0..1_000_000));
        Ok(Self {
            store,
            rng,
            now: atrium_core::record::now(),
            staff,
            products: Vec::new(),
            run,
        })
    }

    fn module(&self, name: &str) -> anyhow::Result<&'a ModuleDef> {
        self.store
            .registry()
            .module(name)
            .ok_or_else(|| anyhow::anyhow!("unknown module {name}"))
    }

    /// A time within the last `days` days.
    fn past(&mut self, days: i64) -> OffsetDateTime {
        self.now - Duration::seconds(self.rng.random_range(0..days * 86_400))
    }

    fn staff_member(&mut self) -> Value {
        if self.staff.is_empty() {
            Value::Null
        } else {
            let i = self.rng.random_range(0..self.staff.len());
            reference(self.staff[i])
        }
    }

    /// Products for tickets and assets to point at.
    pub async fn products(&mut self, names: &[(&str, &str, i64)]) -> anyhow::Result<usize> {
        let module = self.module("products")?;
        let mut rows: Rows = Vec::new();
        for (name, part, cents) in names {
            let id = Uuid::now_v7();
            self.products.push(id);
            let at = self.past(365);
            rows.push((
                id,
                vec![
                    ("name".into(), text(*name)),
                    ("part_number".into(), text(*part)),
                    ("unit_price".into(), Value::Decimal(*cents)),
                    ("active".into(), Value::Boolean(true)),
                ],
                at,
            ));
        }
        let n = rows.len();
        self.store.insert_batch(module, rows, Actor::System).await?;
        Ok(n)
    }

    /// Services, sold by a usage unit.
    pub async fn services(&mut self, services: &[(&str, &str, i64)]) -> anyhow::Result<usize> {
        let module = self.module("services")?;
        let mut rows: Rows = Vec::new();
        for (name, unit, cents) in services {
            let at = self.past(365);
            rows.push((
                Uuid::now_v7(),
                vec![
                    ("name".into(), text(*name)),
                    ("usage_unit".into(), text(*unit)),
                    ("unit_price".into(), Value::Decimal(*cents)),
                    ("active".into(), Value::Boolean(true)),
                ],
                at,
            ));
        }
        let n = rows.len();
        self.store.insert_batch(module, rows, Actor::System).await?;
        Ok(n)
    }

    /// `organizations` organizations with everything that hangs off them, per `shape`.
    pub async fn organizations(
        &mut self,
        organizations: usize,
        shape: Shape,
        counts: &mut Counts,
    ) -> anyhow::Result<()> {
        self.generate_organizations(organizations, shape, counts)
            .insert(self.store)
            .await?;
        self.store.sync_portal_logins().await?;
        Ok(())
    }

    /// The rows of `organizations` organizations and what hangs off them, not yet stored.
    pub fn generate_organizations(
        &mut self,
        organizations: usize,
        shape: Shape,
        counts: &mut Counts,
    ) -> Batch {
        let mut orgs: Rows = Vec::with_capacity(organizations);
        let mut contacts: Rows = Vec::new();
        let mut cases: Rows = Vec::new();
        let mut tickets: Rows = Vec::new();
        let mut projects: Rows = Vec::new();
        let mut tasks: Rows = Vec::new();
        let mut milestones: Rows = Vec::new();
        let mut documents: Rows = Vec::new();
        let mut assets: Rows = Vec::new();
        let mut links: Vec<(String, Uuid, String, Uuid)> = Vec::new();

        for _ in 0..organizations {
            let org_id = Uuid::now_v7();
            let company: String = CompanyName().fake_with_rng(&mut self.rng);
            let domain = format!("{}.example.com", slug(&company));
            let (city, country) = CITIES[self.rng.random_range(0..CITIES.len())];
            let org_at = self.past(400);
            let industry = pick(&mut self.rng, INDUSTRIES);
            let phone = format!("+1 555 {:04}", self.rng.random_range(0..10_000));
            orgs.push((
                org_id,
                vec![
                    ("name".into(), text(company.clone())),
                    ("website".into(), text(format!("https://{domain}"))),
                    ("phone".into(), text(phone)),
                    ("email".into(), text(format!("info@{domain}"))),
                    ("industry".into(), text(industry)),
                    ("billing_city".into(), text(city)),
                    ("billing_country".into(), text(country)),
                    ("assigned_to".into(), self.staff_member()),
                ],
                org_at,
            ));

            let mut org_contacts = Vec::with_capacity(shape.contacts);
            for c in 0..shape.contacts {
                let contact_id = Uuid::now_v7();
                org_contacts.push(contact_id);
                let first: String = FirstName().fake_with_rng(&mut self.rng);
                let last: String = LastName().fake_with_rng(&mut self.rng);
                let email = match self.run {
                    Some(run) => format!(
                        "{}.{}.{run}{}@{domain}",
                        slug(&first),
                        slug(&last),
                        counts.contacts + c
                    ),
                    None => format!("{}.{}@{domain}", slug(&first), slug(&last)),
                };
                let at = self.past(365);
                let department = pick(&mut self.rng, DEPARTMENTS);
                let title = pick(&mut self.rng, JOB_TITLES);
                let phone = format!("+1 555 {:04}", self.rng.random_range(0..10_000));
                contacts.push((
                    contact_id,
                    vec![
                        ("first_name".into(), text(first)),
                        ("last_name".into(), text(last)),
                        ("email".into(), text(email)),
                        ("phone".into(), text(phone)),
                        ("title".into(), text(title)),
                        ("department".into(), text(department)),
                        ("organization".into(), reference(org_id)),
                        ("mailing_city".into(), text(city)),
                        ("mailing_country".into(), text(country)),
                        ("email_opt_out".into(), Value::Boolean(false)),
                        ("portal_user".into(), Value::Boolean(false)),
                        ("notify_on_updates".into(), Value::Boolean(true)),
                    ],
                    at,
                ));
            }
            counts.contacts += shape.contacts;

            for _ in 0..shape.cases {
                let at = self.past(90);
                let status = weighted(
                    &mut self.rng,
                    &[
                        ("New", 15),
                        ("Open", 25),
                        ("Waiting on Customer", 10),
                        ("Waiting on Third Party", 5),
                        ("Resolved", 25),
                        ("Closed", 20),
                    ],
                );
                let priority = weighted(
                    &mut self.rng,
                    &[("Low", 25), ("Medium", 40), ("High", 25), ("Urgent", 10)],
                );
                let mut values: Changes = vec![
                    ("title".into(), text(pick(&mut self.rng, CASE_TITLES))),
                    (
                        "description".into(),
                        text(pick(&mut self.rng, CASE_DETAILS)),
                    ),
                    ("status".into(), text(status)),
                    ("priority".into(), text(priority)),
                    (
                        "case_type".into(),
                        text(pick(
                            &mut self.rng,
                            &["Question", "Incident", "Problem", "Feature Request"],
                        )),
                    ),
                    (
                        "channel".into(),
                        text(pick(&mut self.rng, &["Portal", "Email", "Phone", "Web"])),
                    ),
                    ("organization".into(), reference(org_id)),
                    (
                        "internal".into(),
                        Value::Boolean(self.rng.random_ratio(1, 20)),
                    ),
                    ("assigned_to".into(), self.staff_member()),
                ];
                if !org_contacts.is_empty() {
                    let contact = org_contacts[self.rng.random_range(0..org_contacts.len())];
                    values.push(("contact".into(), reference(contact)));
                }
                if matches!(status, "Resolved" | "Closed") {
                    let hours = match priority {
                        "Urgent" => self.rng.random_range(1..12),
                        "High" => self.rng.random_range(2..48),
                        "Medium" => self.rng.random_range(4..120),
                        _ => self.rng.random_range(8..240),
                    };
                    let resolved = (at + Duration::hours(hours)).min(self.now);
                    values.push(("resolved_at".into(), Value::DateTime(resolved)));
                    values.push((
                        "resolution".into(),
                        text("Fixed and confirmed with the customer."),
                    ));
                }
                cases.push((Uuid::now_v7(), values, at));
            }
            counts.cases += shape.cases;

            for _ in 0..shape.tickets {
                let at = self.past(90);
                let status = weighted(
                    &mut self.rng,
                    &[
                        ("Open", 30),
                        ("In Progress", 30),
                        ("Wait For Response", 10),
                        ("Closed", 30),
                    ],
                );
                let mut values: Changes = vec![
                    ("title".into(), text(pick(&mut self.rng, TICKET_TITLES))),
                    ("status".into(), text(status)),
                    (
                        "priority".into(),
                        text(pick(&mut self.rng, &["Low", "Normal", "High", "Urgent"])),
                    ),
                    (
                        "severity".into(),
                        text(pick(
                            &mut self.rng,
                            &["Minor", "Major", "Feature", "Critical"],
                        )),
                    ),
                    (
                        "category".into(),
                        text(pick(
                            &mut self.rng,
                            &["Big Problem", "Small Problem", "Other"],
                        )),
                    ),
                    ("organization".into(), reference(org_id)),
                    (
                        "hours".into(),
                        Value::Decimal(self.rng.random_range(0..40) * 25),
                    ),
                    ("internal".into(), Value::Boolean(false)),
                    ("assigned_to".into(), self.staff_member()),
                ];
                if !org_contacts.is_empty() {
                    let contact = org_contacts[self.rng.random_range(0..org_contacts.len())];
                    values.push(("contact".into(), reference(contact)));
                }
                if !self.products.is_empty() {
                    let product = self.products[self.rng.random_range(0..self.products.len())];
                    values.push(("product".into(), reference(product)));
                }
                if status == "Closed" {
                    let closed =
                        (at + Duration::hours(self.rng.random_range(1..100))).min(self.now);
                    values.push(("closed_at".into(), Value::DateTime(closed)));
                }
                tickets.push((Uuid::now_v7(), values, at));
            }
            counts.tickets += shape.tickets;

            for _ in 0..shape.projects {
                let project_id = Uuid::now_v7();
                let at = self.past(120);
                let start = at.date();
                let status = pick(
                    &mut self.rng,
                    &[
                        "Initiated",
                        "In Progress",
                        "In Progress",
                        "Waiting for Feedback",
                        "On Hold",
                        "Completed",
                        "Delivered",
                    ],
                );
                let progress = if matches!(status, "Completed" | "Delivered") {
                    10_000
                } else {
                    self.rng.random_range(0..95) * 100
                };
                let mut values: Changes = vec![
                    (
                        "name".into(),
                        text(format!(
                            "{} – {}",
                            pick(&mut self.rng, PROJECT_NAMES),
                            company
                        )),
                    ),
                    ("status".into(), text(status)),
                    (
                        "priority".into(),
                        text(pick(&mut self.rng, &["Low", "Normal", "High"])),
                    ),
                    ("project_type".into(), text("Operative")),
                    ("start_date".into(), Value::Date(start)),
                    (
                        "target_end_date".into(),
                        Value::Date(start + Duration::days(self.rng.random_range(30..180))),
                    ),
                    ("progress".into(), Value::Decimal(progress)),
                    ("organization".into(), reference(org_id)),
                    (
                        "description".into(),
                        text("Planned together with the customer's IT team."),
                    ),
                    ("assigned_to".into(), self.staff_member()),
                ];
                if let Some(contact) = org_contacts.first() {
                    values.push(("contact".into(), reference(*contact)));
                }
                projects.push((project_id, values, at));
                for t in 0..shape.tasks_per_project {
                    let task_status = pick(&mut self.rng, &["Open", "In Progress", "Completed"]);
                    tasks.push((
                        Uuid::now_v7(),
                        vec![
                            ("name".into(), text(TASK_NAMES[t % TASK_NAMES.len()])),
                            ("project".into(), reference(project_id)),
                            ("status".into(), text(task_status)),
                            ("priority".into(), text("Normal")),
                            (
                                "start_date".into(),
                                Value::Date(start + Duration::days(7 * t as i64)),
                            ),
                            (
                                "end_date".into(),
                                Value::Date(start + Duration::days(7 * t as i64 + 5)),
                            ),
                        ],
                        at,
                    ));
                }
                for m in 0..shape.milestones_per_project {
                    milestones.push((
                        Uuid::now_v7(),
                        vec![
                            (
                                "name".into(),
                                text(if m == 0 { "Go-live" } else { "Review" }),
                            ),
                            ("project".into(), reference(project_id)),
                            (
                                "milestone_date".into(),
                                Value::Date(start + Duration::days(30 * (m as i64 + 1))),
                            ),
                            ("milestone_type".into(), text("Operative")),
                        ],
                        at,
                    ));
                }
            }
            counts.projects += shape.projects;
            counts.project_tasks += shape.projects * shape.tasks_per_project;
            counts.project_milestones += shape.projects * shape.milestones_per_project;

            for _ in 0..shape.documents {
                let document_id = Uuid::now_v7();
                let at = self.past(180);
                documents.push((
                    document_id,
                    vec![
                        (
                            "title".into(),
                            text(format!("Service agreement – {company}")),
                        ),
                        ("folder".into(), text("Contracts")),
                        ("status".into(), text("Active")),
                        ("notes".into(), text("Signed copy.")),
                    ],
                    at,
                ));
                links.push((
                    "documents".into(),
                    document_id,
                    "organizations".into(),
                    org_id,
                ));
                if let Some(contact) = org_contacts.first() {
                    links.push(("documents".into(), document_id, "contacts".into(), *contact));
                }
            }
            counts.documents += shape.documents;

            for _ in 0..shape.assets {
                let at = self.past(700);
                let mut values: Changes = vec![
                    (
                        "name".into(),
                        text(pick(
                            &mut self.rng,
                            &["Laptop", "Firewall", "Printer", "Server", "Switch"],
                        )),
                    ),
                    (
                        "serial_number".into(),
                        text(format!("SN-{:08}", self.rng.random_range(0..100_000_000))),
                    ),
                    ("organization".into(), reference(org_id)),
                    (
                        "status".into(),
                        text(weighted(
                            &mut self.rng,
                            &[("In Service", 9), ("Out of Service", 1)],
                        )),
                    ),
                    ("date_sold".into(), Value::Date(at.date())),
                    (
                        "warranty_end_date".into(),
                        Value::Date(at.date() + Duration::days(730)),
                    ),
                ];
                if !self.products.is_empty() {
                    let product = self.products[self.rng.random_range(0..self.products.len())];
                    values.push(("product".into(), reference(product)));
                }
                assets.push((Uuid::now_v7(), values, at));
            }
            counts.assets += shape.assets;
        }
        counts.organizations += organizations;

        // Parents before children, so references always point at stored rows.
        Batch {
            rows: vec![
                ("organizations", orgs),
                ("contacts", contacts),
                ("cases", cases),
                ("tickets", tickets),
                ("projects", projects),
                ("project_tasks", tasks),
                ("project_milestones", milestones),
                ("documents", documents),
                ("assets", assets),
            ],
            links,
        }
    }

    /// FAQs with markdown answers; `published` of them Published, the rest Draft.
    pub async fn faqs(
        &mut self,
        faqs: &[(&str, &str, &str)],
        published: usize,
    ) -> anyhow::Result<usize> {
        let module = self.module("faqs")?;
        let mut rows: Rows = Vec::new();
        for (i, (question, category, answer)) in faqs.iter().enumerate() {
            let at = self.past(200);
            rows.push((
                Uuid::now_v7(),
                vec![
                    ("question".into(), text(*question)),
                    ("answer".into(), text(*answer)),
                    ("category".into(), text(*category)),
                    (
                        "status".into(),
                        text(if i < published { "Published" } else { "Draft" }),
                    ),
                    ("portals".into(), Value::List(Vec::new())),
                ],
                at,
            ));
        }
        let n = rows.len();
        self.store.insert_batch(module, rows, Actor::System).await?;
        Ok(n)
    }
}

const SEED_PRODUCTS: &[(&str, &str, i64)] = &[
    ("Atlas Router X2", "ATL-X2", 34_900),
    ("Nimbus Backup (per TB)", "NIM-TB", 1_200),
    ("Orion Firewall 500", "ORI-500", 129_000),
    ("Vega Laptop 14", "VEG-14", 109_900),
    ("Helios UPS 1500", "HEL-1500", 45_000),
];

const SEED_FAQS: &[(&str, &str, &str)] = &[
    (
        "How do I reset my password?",
        "Account",
        "Use **Forgot password** on the sign-in page. The link in the e-mail works once, for one hour.",
    ),
    (
        "Where do I find my invoices?",
        "Billing",
        "Open **Documents** and choose the *Invoices* folder.",
    ),
    (
        "How fast do you answer urgent cases?",
        "General",
        "Urgent cases are picked up within **one hour**, around the clock.",
    ),
    (
        "Which browsers are supported?",
        "Technical",
        "The two latest versions of Firefox, Chrome, Edge and Safari.",
    ),
    (
        "Can I add colleagues to the portal?",
        "Account",
        "Ask your account representative; they can invite any contact of your organization.",
    ),
];

/// `seed --scale N`: N organizations' worth of data, in batches of up to 500 organizations,
/// with the module tables' indexes built once at the end.
pub async fn seed(store: &Store, scale: u64, progress: bool) -> anyhow::Result<Counts> {
    let mut generator = Generator::new(store, scale ^ 0x5eed).await?;
    let mut counts = Counts {
        products: generator.products(SEED_PRODUCTS).await?,
        ..Counts::default()
    };
    let bar = if progress {
        ProgressBar::new(scale)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {pos}/{len} organizations  {elapsed} (eta {eta}) {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // Rows first, indexes after: building each index once from the loaded rows is several
    // times faster than updating it row by row.
    store.drop_indexes().await?;
    // One task stores a batch while this one makes the next: two cores, both busy.
    let (batches, mut received) = tokio::sync::mpsc::channel::<(Batch, u64)>(1);
    let inserter = tokio::spawn({
        let store = store.clone();
        let bar = bar.clone();
        async move {
            while let Some((batch, size)) = received.recv().await {
                batch.insert(&store).await?;
                bar.inc(size);
            }
            anyhow::Ok(())
        }
    });
    let mut remaining = scale as usize;
    while remaining > 0 {
        let size = remaining.min(500);
        let batch = generator.generate_organizations(size, SEED_SHAPE, &mut counts);
        remaining -= size;
        if batches.send((batch, size as u64)).await.is_err() {
            break; // the inserter stopped: its error follows
        }
    }
    drop(batches);
    inserter.await??;
    let faq_rounds = (scale as usize / 100).max(1);
    for _ in 0..faq_rounds {
        counts.faqs += generator.faqs(SEED_FAQS, SEED_FAQS.len() - 1).await?;
    }
    bar.set_message("building indexes");
    store.rebuild_indexes().await?;
    store.sync_portal_logins().await?;
    bar.finish_and_clear();
    Ok(counts)
}
