//! The property test of the portal lists: random organizations, contacts (some in no
//! organization), cases, documents and projects with random references, flags, creators and
//! many-to-many links, a random portal configuration and random roles. For the generated
//! customer, every portal list (cases, documents, projects) must equal a brute-force reading of
//! ACCESS.md over all the generated records: the oracle below, in plain Rust over the generated
//! data, written from ACCESS.md and not from the product's engine.
//!
//! Each case builds a fresh app (data through the store, not HTTP, to stay fast) inside its own
//! tokio runtime, because proptest's runner is synchronous.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use atrium_core::portal::{Grant, Level, Portal, PortalRole, Scope};
use atrium_core::validate::{Mode, parse_input};
use atrium_store::Actor;
use common::{Backend, Customer, TestApp, send};
use proptest::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

const MODULES: [&str; 3] = ["cases", "documents", "projects"];

// ---------------------------------------------------------------------------------------------
// What is generated. Indices are raw and taken modulo the number of organizations, contacts,
// cases or projects when the scenario is normalized.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct CaseSpec {
    contact: Option<usize>,
    organization: Option<usize>,
    internal: bool,
    creator: Option<usize>,
}

#[derive(Debug, Clone)]
struct DocumentSpec {
    contacts: Vec<usize>,
    organizations: Vec<usize>,
    cases: Vec<usize>,
    projects: Vec<usize>,
    inactive: bool,
    creator: Option<usize>,
}

#[derive(Debug, Clone)]
struct ProjectSpec {
    contact: Option<usize>,
    organization: Option<usize>,
    contacts: Vec<usize>,
    creator: Option<usize>,
}

/// Read levels of one role for cases, documents and projects.
type RoleSpec = [Level; 3];

/// Per module (cases, documents, projects): absent from the portal, or present with this scope
/// override (None: the portal's default scope).
type EntrySpec = Option<Option<Scope>>;

#[derive(Debug, Clone)]
struct Scenario {
    organizations: usize,
    /// Each contact's organization.
    contacts: Vec<Option<usize>>,
    customer: usize,
    cases: Vec<CaseSpec>,
    documents: Vec<DocumentSpec>,
    projects: Vec<ProjectSpec>,
    default_scope: Scope,
    entries: [EntrySpec; 3],
    /// Roles given to the customer.
    customer_roles: Vec<RoleSpec>,
    /// Roles of the portal.
    portal_roles: Vec<RoleSpec>,
}

fn level() -> impl Strategy<Value = Level> {
    prop_oneof![
        Just(Level::None),
        Just(Level::Own),
        Just(Level::Contact),
        Just(Level::Account),
        Just(Level::All),
    ]
}

fn scope() -> impl Strategy<Value = Scope> {
    prop_oneof![Just(Scope::Mine), Just(Scope::All)]
}

fn index() -> impl Strategy<Value = usize> {
    0usize..6
}

fn some_indices() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(index(), 0..3)
}

fn case_spec() -> impl Strategy<Value = CaseSpec> {
    (
        prop::option::of(index()),
        prop::option::of(index()),
        prop::bool::weighted(0.25),
        prop::option::of(index()),
    )
        .prop_map(|(contact, organization, internal, creator)| CaseSpec {
            contact,
            organization,
            internal,
            creator,
        })
}

fn document_spec() -> impl Strategy<Value = DocumentSpec> {
    (
        some_indices(),
        some_indices(),
        some_indices(),
        some_indices(),
        prop::bool::weighted(0.2),
        prop::option::of(index()),
    )
        .prop_map(
            |(contacts, organizations, cases, projects, inactive, creator)| DocumentSpec {
                contacts,
                organizations,
                cases,
                projects,
                inactive,
                creator,
            },
        )
}

fn project_spec() -> impl Strategy<Value = ProjectSpec> {
    (
        prop::option::of(index()),
        prop::option::of(index()),
        some_indices(),
        prop::option::of(index()),
    )
        .prop_map(|(contact, organization, contacts, creator)| ProjectSpec {
            contact,
            organization,
            contacts,
            creator,
        })
}

fn role_spec() -> impl Strategy<Value = RoleSpec> {
    (level(), level(), level()).prop_map(|(a, b, c)| [a, b, c])
}

fn entry_spec() -> impl Strategy<Value = EntrySpec> {
    prop::option::of(prop::option::of(scope()))
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        1usize..=3,
        prop::collection::vec(prop::option::of(index()), 2..=6),
        index(),
        prop::collection::vec(case_spec(), 0..6),
        prop::collection::vec(document_spec(), 0..6),
        prop::collection::vec(project_spec(), 0..4),
        scope(),
        (entry_spec(), entry_spec(), entry_spec()),
        prop::collection::vec(role_spec(), 0..=2),
        prop::collection::vec(role_spec(), 0..=1),
    )
        .prop_map(
            |(
                organizations,
                contacts,
                customer,
                cases,
                documents,
                projects,
                default_scope,
                (e0, e1, e2),
                customer_roles,
                portal_roles,
            )| Scenario {
                organizations,
                contacts,
                customer,
                cases,
                documents,
                projects,
                default_scope,
                entries: [e0, e1, e2],
                customer_roles,
                portal_roles,
            },
        )
}

// ---------------------------------------------------------------------------------------------
// The normalized world: every index valid, links without repeats.
// ---------------------------------------------------------------------------------------------

/// Who a record is tied to: its creator, the contacts it belongs to directly (reference or
/// many-to-many link) and the organizations it belongs to directly.
#[derive(Debug, Clone, Default)]
struct Ties {
    creator: Option<usize>,
    contacts: BTreeSet<usize>,
    organizations: BTreeSet<usize>,
}

#[derive(Debug)]
struct CaseRecord {
    ties: Ties,
    internal: bool,
    contact: Option<usize>,
    organization: Option<usize>,
}

#[derive(Debug)]
struct DocumentRecord {
    /// Creator, linked contacts and linked organizations.
    ties: Ties,
    inactive: bool,
    cases: BTreeSet<usize>,
    projects: BTreeSet<usize>,
}

#[derive(Debug)]
struct ProjectRecord {
    /// Creator, contact reference and linked contacts, organization reference.
    ties: Ties,
    contact: Option<usize>,
    organization: Option<usize>,
    linked: BTreeSet<usize>,
}

#[derive(Debug)]
struct World {
    organizations: usize,
    contact_org: Vec<Option<usize>>,
    customer: usize,
    cases: Vec<CaseRecord>,
    documents: Vec<DocumentRecord>,
    projects: Vec<ProjectRecord>,
}

fn normalize(s: &Scenario) -> World {
    let orgs = s.organizations;
    let people = s.contacts.len();
    let contact_org: Vec<Option<usize>> = s.contacts.iter().map(|o| o.map(|o| o % orgs)).collect();
    let person = |i: usize| i % people;
    let cases = s
        .cases
        .iter()
        .map(|c| {
            let contact = c.contact.map(person);
            let organization = c.organization.map(|o| o % orgs);
            CaseRecord {
                ties: Ties {
                    creator: c.creator.map(person),
                    contacts: contact.into_iter().collect(),
                    organizations: organization.into_iter().collect(),
                },
                internal: c.internal,
                contact,
                organization,
            }
        })
        .collect();
    let projects = s
        .projects
        .iter()
        .map(|p| {
            let contact = p.contact.map(person);
            let organization = p.organization.map(|o| o % orgs);
            let linked: BTreeSet<usize> = p.contacts.iter().map(|&i| person(i)).collect();
            let ties = Ties {
                creator: p.creator.map(person),
                contacts: contact.into_iter().chain(linked.iter().copied()).collect(),
                organizations: organization.into_iter().collect(),
            };
            ProjectRecord {
                ties,
                contact,
                organization,
                linked,
            }
        })
        .collect();
    let case_count = s.cases.len();
    let project_count = s.projects.len();
    let documents = s
        .documents
        .iter()
        .map(|d| {
            let ties = Ties {
                creator: d.creator.map(person),
                contacts: d.contacts.iter().map(|&i| person(i)).collect(),
                organizations: d.organizations.iter().map(|&o| o % orgs).collect(),
            };
            let cases = if case_count == 0 {
                BTreeSet::new()
            } else {
                d.cases.iter().map(|&i| i % case_count).collect()
            };
            let projects = if project_count == 0 {
                BTreeSet::new()
            } else {
                d.projects.iter().map(|&i| i % project_count).collect()
            };
            DocumentRecord {
                ties,
                inactive: d.inactive,
                cases,
                projects,
            }
        })
        .collect();
    World {
        organizations: orgs,
        customer: person(s.customer),
        contact_org,
        cases,
        documents,
        projects,
    }
}

// ---------------------------------------------------------------------------------------------
// The oracle: ACCESS.md, brute force.
// ---------------------------------------------------------------------------------------------

fn rank(level: Level) -> u8 {
    match level {
        Level::None => 0,
        Level::Own => 1,
        Level::Contact => 2,
        Level::Account => 3,
        Level::All => 4,
    }
}

/// Effective read level of module `m` (0 cases, 1 documents, 2 projects): the maximum of the
/// portal entry's built-in role (`contact` for scope mine, `account` for all; none without an
/// entry), every role of the portal and every role of the customer.
fn read_level(s: &Scenario, m: usize) -> Level {
    let mut read = match s.entries[m] {
        None => Level::None,
        Some(scope) => match scope.unwrap_or(s.default_scope) {
            Scope::Mine => Level::Contact,
            Scope::All => Level::Account,
        },
    };
    for role in s.customer_roles.iter().chain(&s.portal_roles) {
        if rank(role[m]) > rank(read) {
            read = role[m];
        }
    }
    read
}

/// Whether a record with these ties qualifies at `level` for the customer.
fn qualifies(w: &World, ties: &Ties, level: Level) -> bool {
    let c = w.customer;
    let own = ties.creator == Some(c);
    // Belongs to contact C: its contact reference or a many-to-many link is C.
    let mine = ties.contacts.contains(&c);
    // Belongs to org(C): its organization reference or link is org(C), or it belongs to any
    // contact whose organization is org(C). Never when C has no organization.
    let account = w.contact_org[c].is_some_and(|o| {
        ties.organizations.contains(&o)
            || ties.contacts.iter().any(|&k| w.contact_org[k] == Some(o))
    });
    match level {
        Level::None => false,
        Level::Own => own,
        Level::Contact => own || mine,
        Level::Account => own || mine || account,
        Level::All => true,
    }
}

/// The indices of the records of each module the customer must see.
fn oracle(s: &Scenario, w: &World) -> [BTreeSet<usize>; 3] {
    let [case_read, document_read, project_read] = [0, 1, 2].map(|m| read_level(s, m));
    let cases: BTreeSet<usize> = w
        .cases
        .iter()
        .enumerate()
        .filter(|(_, case)| !case.internal && qualifies(w, &case.ties, case_read))
        .map(|(i, _)| i)
        .collect();
    let projects: BTreeSet<usize> = w
        .projects
        .iter()
        .enumerate()
        .filter(|(_, project)| qualifies(w, &project.ties, project_read))
        .map(|(i, _)| i)
        .collect();
    let documents = w
        .documents
        .iter()
        .enumerate()
        .filter(|(_, document)| {
            document_read != Level::None
                && !document.inactive
                && (qualifies(w, &document.ties, document_read)
                    || document.cases.iter().any(|c| cases.contains(c))
                    || document.projects.iter().any(|p| projects.contains(p)))
        })
        .map(|(i, _)| i)
        .collect();
    [cases, documents, projects]
}

// ---------------------------------------------------------------------------------------------
// Building the scenario in a fresh app and comparing.
// ---------------------------------------------------------------------------------------------

async fn insert(app: &TestApp, module: &str, body: Value, creator: Option<Uuid>) -> Uuid {
    let def = app.store.module(module).expect("a standard module");
    let changes = parse_input(def, &body, Mode::Create)
        .unwrap_or_else(|e| panic!("a valid {module} body {body}: {e:?}"));
    let actor = creator.map_or(Actor::System, Actor::Contact);
    app.store
        .create(def, changes, actor)
        .await
        .unwrap_or_else(|e| panic!("creating {module} {body}: {e:?}"))
        .id
}

async fn link(app: &TestApp, a: &str, a_id: Uuid, b: &str, b_id: Uuid) {
    let store = &app.store;
    store
        .link(
            store.module(a).expect("module"),
            a_id,
            store.module(b).expect("module"),
            b_id,
        )
        .await
        .unwrap_or_else(|e| panic!("linking {a} to {b}: {e:?}"));
}

async fn save_role(app: &TestApp, name: &str, levels: &RoleSpec) -> Uuid {
    let permissions = MODULES
        .iter()
        .zip(levels)
        .map(|(module, &read)| {
            (
                (*module).to_owned(),
                Grant {
                    read,
                    ..Grant::NOTHING
                },
            )
        })
        .collect();
    app.store
        .save_portal_role(
            None,
            &PortalRole {
                id: None,
                name: name.to_owned(),
                permissions,
            },
        )
        .await
        .expect("save a role")
        .id
        .expect("a saved role has an id")
}

fn opt(id: Option<usize>, ids: &[Uuid]) -> Value {
    id.map_or(Value::Null, |i| json!(ids[i]))
}

/// Builds the scenario and returns, per module, the record ids in generation order, and the
/// signed-in customer.
async fn build(app: &TestApp, s: &Scenario, w: &World) -> ([Vec<Uuid>; 3], Customer) {
    let mut customer_roles = Vec::new();
    for (i, levels) in s.customer_roles.iter().enumerate() {
        customer_roles.push(save_role(app, &format!("Customer role {i}"), levels).await);
    }
    let mut portal_roles = Vec::new();
    for (i, levels) in s.portal_roles.iter().enumerate() {
        portal_roles.push(save_role(app, &format!("Portal role {i}"), levels).await);
    }
    let mut orgs = Vec::new();
    for i in 0..w.organizations {
        orgs.push(
            insert(
                app,
                "organizations",
                json!({"name": format!("Org {i}")}),
                None,
            )
            .await,
        );
    }
    let mut people = Vec::new();
    for (i, org) in w.contact_org.iter().enumerate() {
        let is_customer = i == w.customer;
        let roles: Vec<String> = if is_customer {
            customer_roles.iter().map(Uuid::to_string).collect()
        } else {
            Vec::new()
        };
        let body = json!({
            "last_name": format!("Person {i}"),
            "organization": opt(*org, &orgs),
            "portal_user": is_customer,
            "portal_roles": roles,
        });
        people.push(insert(app, "contacts", body, None).await);
    }
    let creator = |c: Option<usize>| c.map(|i| people[i]);
    let mut cases = Vec::new();
    for (i, case) in w.cases.iter().enumerate() {
        let body = json!({
            "title": format!("Case {i}"),
            "contact": opt(case.contact, &people),
            "organization": opt(case.organization, &orgs),
            "internal": case.internal,
        });
        cases.push(insert(app, "cases", body, creator(case.ties.creator)).await);
    }
    let mut projects = Vec::new();
    for (i, project) in w.projects.iter().enumerate() {
        let body = json!({
            "name": format!("Project {i}"),
            "contact": opt(project.contact, &people),
            "organization": opt(project.organization, &orgs),
        });
        let id = insert(app, "projects", body, creator(project.ties.creator)).await;
        for &k in &project.linked {
            link(app, "projects", id, "contacts", people[k]).await;
        }
        projects.push(id);
    }
    let mut documents = Vec::new();
    for (i, document) in w.documents.iter().enumerate() {
        let body = json!({
            "title": format!("Document {i}"),
            "status": if document.inactive { "Inactive" } else { "Active" },
        });
        let id = insert(app, "documents", body, creator(document.ties.creator)).await;
        for &k in &document.ties.contacts {
            link(app, "documents", id, "contacts", people[k]).await;
        }
        for &o in &document.ties.organizations {
            link(app, "documents", id, "organizations", orgs[o]).await;
        }
        for &c in &document.cases {
            link(app, "documents", id, "cases", cases[c]).await;
        }
        for &p in &document.projects {
            link(app, "documents", id, "projects", projects[p]).await;
        }
        documents.push(id);
    }

    let defaults = Portal::default_portal();
    let mut portal = Portal::default_portal();
    portal.default_scope = s.default_scope;
    portal.roles = portal_roles;
    portal
        .modules
        .retain(|m| !MODULES.contains(&m.module.as_str()));
    for (module, entry) in MODULES.iter().zip(&s.entries) {
        if let Some(scope) = entry {
            let mut module_entry = defaults
                .module(module)
                .expect("the default portal lists the module")
                .clone();
            module_entry.scope = *scope;
            portal.modules.push(module_entry);
        }
    }
    app.store
        .save_portal(Some("default"), portal)
        .await
        .expect("save the portal");

    let (token, digest) = atrium_app::passwords::new_token();
    let me = people[w.customer];
    app.store
        .create_customer_session(&digest, me, "default")
        .await
        .expect("a customer session");
    let customer = Customer {
        id: me.to_string(),
        email: String::new(),
        token,
    };
    ([cases, documents, projects], customer)
}

async fn run(backend: Backend, s: Scenario) -> Result<(), TestCaseError> {
    let Some(app) = TestApp::spawn(backend).await else {
        return Ok(());
    };
    let w = normalize(&s);
    let (ids, customer) = build(&app, &s, &w).await;
    let expected = oracle(&s, &w);
    for (m, module) in MODULES.iter().enumerate() {
        let names: BTreeMap<String, usize> = ids[m]
            .iter()
            .enumerate()
            .map(|(i, id)| (id.to_string(), i))
            .collect();
        let path = format!("/records/{module}?per_page=200");
        let (status, body) = send(app.portal(&customer, Method::GET, &path)).await;
        if read_level(&s, m) == Level::None {
            prop_assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "GET {}: no read level for {}, so no list: {}\n{:#?}",
                path,
                module,
                body,
                w
            );
            continue;
        }
        prop_assert_eq!(status, StatusCode::OK, "GET {}: {}", path, body);
        let got: BTreeSet<usize> = body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|item| {
                let id = item["id"].as_str().unwrap_or_default();
                names.get(id).copied().unwrap_or(usize::MAX)
            })
            .collect();
        prop_assert_eq!(
            &got,
            &expected[m],
            "GET {} lists the {} of these indices (left), ACCESS.md demands the right ones; \
             customer is contact {}, read levels {:?}\n{:#?}",
            path,
            module,
            w.customer,
            [0, 1, 2].map(|m| read_level(&s, m)),
            w
        );
        prop_assert_eq!(
            body["total"].as_u64(),
            Some(expected[m].len() as u64),
            "GET {}: total",
            path
        );
    }
    Ok(())
}

fn check(backend: Backend, s: Scenario) -> Result<(), TestCaseError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime for one case");
    runtime.block_on(run(backend, s))
}

fn config() -> ProptestConfig {
    // PROPTEST_CASES asks for a deeper run.
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24);
    ProptestConfig {
        cases,
        // Each case builds an app: keep shrinking bounded, and write no regression files.
        max_shrink_iters: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_portal_list_equals_a_brute_force_reading_of_the_rules_on_sqlite(s in scenario()) {
        check(Backend::Sqlite, s)?;
    }

    #[test]
    fn every_portal_list_equals_a_brute_force_reading_of_the_rules_on_postgres(s in scenario()) {
        check(Backend::Postgres, s)?;
    }
}
