//! The exhaustive access test. For every module a customer can reach, every level, every relation
//! of a record to the customer and every action, the portal API must answer what ACCESS.md
//! demands. The expectations come from [`expected`], written from ACCESS.md alone (not from the
//! product's engine); the checks are generated from the lists below, not written out by hand.
//!
//! How the levels are driven. One portal role is given to the customer and rewritten between
//! levels (roles are re-read on every request, so the next request sees the new level). Each
//! module goes through three phases:
//!
//! - `RoleOnly`: the portal has no entry for the module (its built-in role is `none`), the role
//!   grants read, edit, delete and comment at the level. A module only a role grants shows its
//!   non-system fields `read_only`, so a PATCH the level allows is a 422 naming the field (not a
//!   200), while a record outside the read level is a 404 and one inside read but outside edit a
//!   403 (the record is refused before its fields are looked at).
//! - `ReadOnlyRole`: the portal has an entry for the module with one `read_write` field but no
//!   built-in edit, comments or delete; the role grants read at the level and nothing else. The
//!   read level is then the larger of the entry's (`contact` for scope `mine`, `all` for catalog
//!   modules) and the role's, and every visible record answers 403 to PATCH, DELETE and a new
//!   comment.
//! - `ActingRole`: the same entry, and the role grants every action at the level: a PATCH of the
//!   `read_write` field is a 200 within the level, a 403 for a record visible only through the
//!   entry's read level.
//!
//! Deletes are tried on a fresh copy of the record (same relation), so that a delete the rules
//! allow does not take the record away from the later checks. The customer themselves (in
//! contacts) and their organization (in organizations) cannot be copied: their delete is tried
//! whenever it must fail, and once, as the very last request, where it must succeed.
//!
//! Not covered: the home charts, which do not exist yet.

mod common;

use std::collections::HashSet;

use atrium_core::portal::{FieldAccess, Grant, Level, Portal, PortalModule, PortalRole, Scope};
use atrium_core::validate::{Mode, parse_input};
use atrium_store::{Actor, Upload};
use common::{Customer, TestApp, send};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

on_both_databases!(
    the_right_cases_are_shown_and_allowed_at_every_level,
    the_right_tickets_are_shown_and_allowed_at_every_level,
    the_right_documents_are_shown_and_allowed_at_every_level,
    the_right_projects_are_shown_and_allowed_at_every_level,
    the_right_project_tasks_are_shown_and_allowed_at_every_level,
    the_right_project_milestones_are_shown_and_allowed_at_every_level,
    the_right_assets_are_shown_and_allowed_at_every_level,
    the_right_contacts_are_shown_and_allowed_at_every_level,
    the_right_organizations_are_shown_and_allowed_at_every_level,
    the_right_faqs_are_shown_and_allowed_at_every_level,
    the_right_products_are_shown_and_allowed_at_every_level,
    the_right_services_are_shown_and_allowed_at_every_level,
);

async fn the_right_cases_are_shown_and_allowed_at_every_level(app: TestApp) {
    sweep(app, "cases").await;
}
async fn the_right_tickets_are_shown_and_allowed_at_every_level(app: TestApp) {
    sweep(app, "tickets").await;
}
async fn the_right_documents_are_shown_and_allowed_at_every_level(app: TestApp) {
    sweep(app, "documents").await;
}
async fn the_right_projects_are_shown_and_allowed_at_every_level(app: TestApp) {
    sweep(app, "projects").await;
}
async fn the_right_project_tasks_are_shown_and_allowed_at_every_level(app: TestApp) {
    sweep(app, "project_tasks").await;
}
async fn the_right_project_milestones_are_shown_and_allowed_at_every_level(app: TestApp) {
    sweep(app, "project_milestones").await;
}
async fn the_right_assets_are_shown_and_allowed_at_every_level(app: TestApp) {
    sweep(app, "assets").await;
}
async fn the_right_contacts_are_shown_and_allowed_at_every_level(app: TestApp) {
    sweep(app, "contacts").await;
}
async fn the_right_organizations_are_shown_and_allowed_at_every_level(app: TestApp) {
    sweep(app, "organizations").await;
}
async fn the_right_faqs_are_shown_and_allowed_at_every_level(app: TestApp) {
    sweep(app, "faqs").await;
}
async fn the_right_products_are_shown_and_allowed_at_every_level(app: TestApp) {
    sweep(app, "products").await;
}
async fn the_right_services_are_shown_and_allowed_at_every_level(app: TestApp) {
    sweep(app, "services").await;
}

// ---------------------------------------------------------------------------------------------
// The oracle: ACCESS.md, in plain Rust.
// ---------------------------------------------------------------------------------------------

const LEVELS: [Level; 5] = [
    Level::None,
    Level::Own,
    Level::Contact,
    Level::Account,
    Level::All,
];

/// `none < own < contact < account < all`, spelled out here rather than taken from the
/// product's type.
fn rank(level: Level) -> u8 {
    match level {
        Level::None => 0,
        Level::Own => 1,
        Level::Contact => 2,
        Level::Account => 3,
        Level::All => 4,
    }
}

fn higher(a: Level, b: Level) -> Level {
    if rank(a) >= rank(b) { a } else { b }
}

fn lower(a: Level, b: Level) -> Level {
    if rank(a) <= rank(b) { a } else { b }
}

/// How a record relates to the customer C (org(C) is set in this test).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    /// `created_by_ext = C`, no other link.
    Own,
    /// The `contact` reference is C (contacts: the record is C itself; tasks: the parent
    /// project's contact is C).
    OwnContact,
    /// Linked many-to-many to C (documents, projects; tasks: through the parent project).
    OwnContactLinked,
    /// Belongs to another contact of org(C): the contact reference (documents: a
    /// many-to-many link; contacts: a contact of org(C)).
    Colleague,
    /// The `organization` reference is org(C) (organizations: org(C) itself).
    Organization,
    /// Linked many-to-many to org(C) (documents).
    OrganizationLinked,
    /// Belongs to a contact of another organization and to that organization.
    OtherOrganization,
    /// No link to anyone.
    Unrelated,
    /// Cases, tickets: the contact is C but `internal = true`.
    Internal,
    /// Documents: linked to C but `status = Inactive`; products, services: `active = false`.
    Inactive,
    /// FAQs: status Draft.
    Unpublished,
    /// FAQs: published to this portal only.
    ForThisPortal,
    /// FAQs: published to another portal only.
    ForOtherPortal,
    /// Documents linked only to a case whose contact is C.
    ThroughCase,
    /// Documents linked only to a ticket whose contact is C.
    ThroughTicket,
    /// Documents linked only to a project whose contact is C.
    ThroughProject,
    /// Documents linked only to an internal case whose contact is C.
    ThroughInternalCase,
    /// Documents linked only to a case of another organization.
    ThroughOtherCase,
    /// Tasks, milestones created by C under a project that has nothing to do with C.
    OwnUnderUnrelatedProject,
}

fn relations(module: &str) -> Vec<Relation> {
    use Relation::*;
    match module {
        "cases" | "tickets" => vec![
            Own,
            OwnContact,
            Colleague,
            Organization,
            OtherOrganization,
            Unrelated,
            Internal,
        ],
        "assets" => vec![
            Own,
            OwnContact,
            Colleague,
            Organization,
            OtherOrganization,
            Unrelated,
        ],
        "projects" => vec![
            Own,
            OwnContact,
            OwnContactLinked,
            Colleague,
            Organization,
            OtherOrganization,
            Unrelated,
        ],
        "project_tasks" | "project_milestones" => vec![
            Own,
            OwnContact,
            OwnContactLinked,
            Colleague,
            Organization,
            OtherOrganization,
            Unrelated,
            OwnUnderUnrelatedProject,
        ],
        "documents" => vec![
            Own,
            OwnContactLinked,
            Colleague,
            OrganizationLinked,
            OtherOrganization,
            Unrelated,
            Inactive,
            ThroughCase,
            ThroughTicket,
            ThroughProject,
            ThroughInternalCase,
            ThroughOtherCase,
        ],
        "contacts" => vec![Own, OwnContact, Colleague, OtherOrganization, Unrelated],
        "organizations" => vec![Own, Organization, OtherOrganization, Unrelated],
        "faqs" => vec![Own, Unrelated, ForThisPortal, Unpublished, ForOtherPortal],
        "products" | "services" => vec![Own, Unrelated, Inactive],
        other => panic!("no relations planned for {other}"),
    }
}

/// The lowest level at which the record qualifies by its creator and its own links (ACCESS.md
/// "Levels"): own → `own`; belongs to C → `contact`; belongs to org(C) → `account`; else `all`.
fn reach(relation: Relation) -> Level {
    use Relation::*;
    match relation {
        Own | OwnUnderUnrelatedProject => Level::Own,
        OwnContact | OwnContactLinked | Internal => Level::Contact,
        Colleague | Organization | OrganizationLinked => Level::Account,
        OtherOrganization | Unrelated | Inactive | Unpublished | ForThisPortal | ForOtherPortal
        | ThroughCase | ThroughTicket | ThroughProject | ThroughInternalCase | ThroughOtherCase => {
            Level::All
        }
    }
}

/// Catalog modules have neither a contact nor an organization link.
fn is_catalog(module: &str) -> bool {
    matches!(module, "faqs" | "products" | "services")
}

fn is_project_child(module: &str) -> bool {
    matches!(module, "project_tasks" | "project_milestones")
}

/// What a portal module entry sets, as far as levels go.
#[derive(Debug, Clone, Copy)]
struct Entry {
    scope: Option<Scope>,
    edit: bool,
    comments: bool,
}

/// Effective levels of one module for the customer, plus what the record's parents need.
#[derive(Debug, Clone, Copy)]
struct Setting {
    read: Level,
    edit: Level,
    delete: Level,
    comment: Level,
    /// Read level of the parent modules: cases, tickets and projects for documents; projects
    /// for tasks and milestones.
    parents: Level,
    /// How the module shows the field the PATCH sends.
    write_field: FieldAccess,
}

/// The effective grant (ACCESS.md "Levels"): the maximum of the built-in role of the portal's
/// entry and every role, with edit, delete and comment capped at read.
fn effective(
    module: &str,
    entry: Option<Entry>,
    default_scope: Scope,
    roles: &[Grant],
) -> (Level, Level, Level, Level) {
    let (mut read, mut edit, mut delete, mut comment) =
        (Level::None, Level::None, Level::None, Level::None);
    if let Some(entry) = entry {
        read = if is_catalog(module) {
            Level::All
        } else {
            match entry.scope.unwrap_or(default_scope) {
                Scope::Mine => Level::Contact,
                Scope::All => Level::Account,
            }
        };
        edit = if entry.edit { read } else { Level::None };
        comment = if entry.comments { read } else { Level::None };
    }
    for role in roles {
        read = higher(read, role.read);
        edit = higher(edit, role.edit);
        delete = higher(delete, role.delete);
        comment = higher(comment, role.comment);
    }
    (
        read,
        lower(edit, read),
        lower(delete, read),
        lower(comment, read),
    )
}

/// Whether C may read the record (ACCESS.md levels and hard rules).
fn readable(module: &str, relation: Relation, s: &Setting) -> bool {
    use Relation::*;
    if s.read == Level::None {
        return false;
    }
    // Internal cases and tickets, inactive documents, products and services, unpublished FAQs
    // and FAQs of other portals: never, whatever the level.
    if matches!(relation, Internal | Inactive | Unpublished | ForOtherPortal) {
        return false;
    }
    if is_project_child(module) {
        // Readable exactly when the parent project is readable.
        let parent = match relation {
            OwnUnderUnrelatedProject => Level::All,
            other => reach(other),
        };
        return rank(parent) <= rank(s.parents);
    }
    if rank(reach(relation)) <= rank(s.read) {
        return true;
    }
    if module == "documents" {
        // Also readable through a case, ticket or project C may read.
        let parent = match relation {
            ThroughCase | ThroughTicket | ThroughProject => Some(Level::Contact),
            ThroughOtherCase => Some(Level::All),
            // An internal case is never readable, so nothing is readable through it.
            _ => None,
        };
        return parent.is_some_and(|needed| rank(needed) <= rank(s.parents));
    }
    false
}

/// Whether the record is within `level` for an action other than reading.
fn within(relation: Relation, level: Level) -> bool {
    level != Level::None && rank(reach(relation)) <= rank(level)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// Membership in the module's list (and so in its `total`).
    List,
    /// `q=` a word of the record's title, name or question.
    Search,
    Read,
    /// The record's comment list: the public comment, never the internal one.
    Comments,
    /// Documents: the file.
    Download,
    /// The record as PDF.
    Pdf,
    /// PATCH of one field.
    Change,
    Delete,
    /// POST of a new comment.
    Comment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Listed,
    NotListed,
    /// 200 (read, change, comments, download), 201 (comment), 204 (delete).
    Done,
    /// 422: allowed, but the field is not read_write.
    ReadOnlyField,
    Forbidden,
    NotFound,
}

/// What ACCESS.md demands for `action` on a record in `relation` to C, with the effective levels
/// of `level`.
fn expected(module: &str, relation: Relation, level: &Setting, action: Action) -> Outcome {
    let readable = readable(module, relation, level);
    let gate = |action_level: Level, done: Outcome| {
        if !readable {
            Outcome::NotFound
        } else if !within(relation, action_level) {
            Outcome::Forbidden
        } else {
            done
        }
    };
    match action {
        Action::List | Action::Search => {
            if readable {
                Outcome::Listed
            } else {
                Outcome::NotListed
            }
        }
        Action::Read | Action::Comments | Action::Download | Action::Pdf => {
            if readable {
                Outcome::Done
            } else {
                Outcome::NotFound
            }
        }
        Action::Change => gate(
            level.edit,
            if level.write_field == FieldAccess::ReadWrite {
                Outcome::Done
            } else {
                Outcome::ReadOnlyField
            },
        ),
        Action::Delete => gate(level.delete, Outcome::Done),
        Action::Comment => gate(level.comment, Outcome::Done),
    }
}

fn status_of(outcome: Outcome, action: Action) -> StatusCode {
    match (outcome, action) {
        (Outcome::Done, Action::Delete) => StatusCode::NO_CONTENT,
        (Outcome::Done, Action::Comment) => StatusCode::CREATED,
        (Outcome::Done, _) => StatusCode::OK,
        (Outcome::ReadOnlyField, _) => StatusCode::UNPROCESSABLE_ENTITY,
        (Outcome::Forbidden, _) => StatusCode::FORBIDDEN,
        (Outcome::NotFound, _) => StatusCode::NOT_FOUND,
        (Outcome::Listed | Outcome::NotListed, _) => StatusCode::OK,
    }
}

// ---------------------------------------------------------------------------------------------
// Phases: the portal and role that drive each level.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    RoleOnly,
    ReadOnlyRole,
    ActingRole,
}

const PHASES: [Phase; 3] = [Phase::RoleOnly, Phase::ReadOnlyRole, Phase::ActingRole];

/// The field searched for the record's word.
fn search_field(module: &str) -> &'static str {
    match module {
        "cases" | "tickets" | "documents" => "title",
        "faqs" => "question",
        "contacts" => "last_name",
        _ => "name",
    }
}

/// The field the PATCH sends (never the searched one, so the word stays).
fn write_field(module: &str) -> &'static str {
    match module {
        "documents" => "notes",
        "assets" => "serial_number",
        "contacts" => "department",
        "faqs" => "answer",
        _ => "description",
    }
}

/// The entry the `ReadOnlyRole` and `ActingRole` phases give the module: no built-in actions.
fn phase_entry(phase: Phase) -> Option<Entry> {
    (phase != Phase::RoleOnly).then_some(Entry {
        scope: None,
        edit: false,
        comments: false,
    })
}

/// The default portal without the module under test (and, for tasks and milestones, without
/// projects, whose level the role drives too), plus the phase's entry.
fn phase_portal(module: &str, phase: Phase) -> Portal {
    let mut portal = Portal::default_portal();
    portal
        .modules
        .retain(|m| m.module != module && !(is_project_child(module) && m.module == "projects"));
    if let Some(entry) = phase_entry(phase) {
        portal.modules.push(PortalModule {
            module: module.to_owned(),
            scope: entry.scope,
            create: false,
            edit: entry.edit,
            comments: entry.comments,
            related: Vec::new(),
            fields: [
                (search_field(module).to_owned(), FieldAccess::ReadOnly),
                (write_field(module).to_owned(), FieldAccess::ReadWrite),
            ]
            .into_iter()
            .collect(),
        });
    }
    portal
}

fn role_grant(phase: Phase, level: Level) -> Grant {
    let acts = if phase == Phase::ReadOnlyRole {
        Level::None
    } else {
        level
    };
    Grant {
        create: true,
        read: level,
        edit: acts,
        delete: acts,
        comment: acts,
    }
}

fn phase_role(id: Uuid, module: &str, phase: Phase, level: Level) -> PortalRole {
    let mut permissions = vec![(module.to_owned(), role_grant(phase, level))];
    if is_project_child(module) {
        permissions.push((
            "projects".to_owned(),
            Grant {
                read: level,
                ..Grant::NOTHING
            },
        ));
    }
    PortalRole {
        id: Some(id),
        name: "Sweep".into(),
        permissions: permissions.into_iter().collect(),
    }
}

fn setting(module: &str, phase: Phase, level: Level) -> Setting {
    let entry = phase_entry(phase);
    let (read, edit, delete, comment) =
        effective(module, entry, Scope::Mine, &[role_grant(phase, level)]);
    let parents = if is_project_child(module) {
        // No projects entry: the role's projects read level alone.
        level
    } else if module == "documents" {
        // Cases, tickets and projects keep the default portal's entries (scope mine).
        let default_entry = Some(Entry {
            scope: None,
            edit: true,
            comments: true,
        });
        effective("cases", default_entry, Scope::Mine, &[]).0
    } else {
        Level::None
    };
    Setting {
        read,
        edit,
        delete,
        comment,
        parents,
        write_field: if entry.is_some() {
            FieldAccess::ReadWrite
        } else {
            FieldAccess::ReadOnly
        },
    }
}

// ---------------------------------------------------------------------------------------------
// The data: the customer's world and one record per relation.
// ---------------------------------------------------------------------------------------------

struct World {
    customer: Customer,
    me: Uuid,
    org: Uuid,
    colleague: Uuid,
    other_org: Uuid,
    other_contact: Uuid,
    admin: Uuid,
    role: Uuid,
}

fn uuid(id: &str) -> Uuid {
    Uuid::parse_str(id).expect("ids are UUIDs")
}

impl World {
    async fn build(app: &TestApp) -> World {
        let org = app.organization("Acme wacmex").await;
        let other_org = app.organization("Globex wglobexx").await;
        let customer = app.customer("Emma", "Wselfx", Some(&org)).await;
        let colleague = app.contact("Carl", "Wcolleaguex", Some(&org), false).await;
        let other_contact = app
            .contact("Olga", "Wotherx", Some(&other_org), false)
            .await;
        let role = app
            .store
            .save_portal_role(
                None,
                &PortalRole {
                    id: None,
                    name: "Sweep".into(),
                    permissions: Default::default(),
                },
            )
            .await
            .expect("save the sweep role")
            .id
            .expect("a saved role has an id");
        let (status, body) = app
            .patch(
                &format!("/api/v1/records/contacts/{}", customer.id),
                json!({"portal_roles": [role.to_string()]}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "giving the customer the role: {body}"
        );
        World {
            me: uuid(&customer.id),
            customer,
            org: uuid(&org),
            colleague: uuid(&colleague),
            other_org: uuid(&other_org),
            other_contact: uuid(&other_contact),
            admin: uuid(&app.admin_id),
            role,
        }
    }
}

/// A record to create: its fields, who creates it, and its many-to-many links.
struct Plan {
    body: Value,
    actor: Actor,
    links: Vec<(&'static str, Uuid)>,
}

/// The plan of a record of a module without parents, in `relation` to C.
fn plan(world: &World, module: &str, relation: Relation, text: &str) -> Plan {
    use Relation::*;
    let mut body = json!({ search_field(module): text });
    let mut links = Vec::new();
    let actor = if relation == Own {
        Actor::Contact(world.me)
    } else {
        Actor::Staff(world.admin)
    };
    match module {
        "cases" | "tickets" | "assets" | "projects" => match relation {
            OwnContact => body["contact"] = json!(world.me),
            OwnContactLinked => links.push(("contacts", world.me)),
            Colleague => body["contact"] = json!(world.colleague),
            Organization => body["organization"] = json!(world.org),
            OtherOrganization => {
                body["contact"] = json!(world.other_contact);
                body["organization"] = json!(world.other_org);
            }
            Internal => {
                body["contact"] = json!(world.me);
                body["internal"] = json!(true);
            }
            Own | Unrelated => {}
            other => panic!("{module} has no {other:?} plan"),
        },
        "documents" => match relation {
            OwnContactLinked => links.push(("contacts", world.me)),
            Colleague => links.push(("contacts", world.colleague)),
            OrganizationLinked => links.push(("organizations", world.org)),
            OtherOrganization => {
                links.push(("contacts", world.other_contact));
                links.push(("organizations", world.other_org));
            }
            Inactive => {
                links.push(("contacts", world.me));
                body["status"] = json!("Inactive");
            }
            Own | Unrelated => {}
            other => panic!("documents have no direct {other:?} plan"),
        },
        "contacts" => {
            body["first_name"] = json!("Pat");
            match relation {
                Colleague => body["organization"] = json!(world.org),
                OtherOrganization => body["organization"] = json!(world.other_org),
                Own | Unrelated => {}
                other => panic!("contacts have no {other:?} plan"),
            }
        }
        "organizations" => match relation {
            Own | Unrelated | OtherOrganization => {}
            other => panic!("organizations have no {other:?} plan"),
        },
        "faqs" => {
            body["status"] = json!("Published");
            match relation {
                ForThisPortal => body["portals"] = json!(["default"]),
                ForOtherPortal => body["portals"] = json!(["elsewhere"]),
                Unpublished => body["status"] = json!("Draft"),
                Own | Unrelated => {}
                other => panic!("faqs have no {other:?} plan"),
            }
        }
        "products" | "services" => match relation {
            Inactive => body["active"] = json!(false),
            Own | Unrelated => {}
            other => panic!("{module} have no {other:?} plan"),
        },
        other => panic!("no plan for {other}"),
    }
    Plan { body, actor, links }
}

async fn insert(app: &TestApp, module: &str, plan: Plan) -> Uuid {
    let def = app.store.module(module).expect("a standard module");
    let changes = parse_input(def, &plan.body, Mode::Create)
        .unwrap_or_else(|e| panic!("a valid {module} body {}: {e:?}", plan.body));
    let record = app
        .store
        .create(def, changes, plan.actor)
        .await
        .unwrap_or_else(|e| panic!("creating {module} {}: {e:?}", plan.body));
    for (other, id) in plan.links {
        let other_def = app.store.module(other).expect("a standard module");
        app.store
            .link(def, record.id, other_def, id)
            .await
            .unwrap_or_else(|e| panic!("linking {module} to {other}: {e:?}"));
    }
    record.id
}

/// Creates a record of `module` in `relation` to C, with `word` in its searched field.
async fn make(app: &TestApp, world: &World, module: &str, relation: Relation, word: &str) -> Uuid {
    use Relation::*;
    let text = format!("Item {word}");
    if is_project_child(module) {
        let (project_relation, task_is_own) = match relation {
            OwnUnderUnrelatedProject => (Unrelated, true),
            other => (other, other == Own),
        };
        let project = insert(
            app,
            "projects",
            plan(world, "projects", project_relation, "Parent project"),
        )
        .await;
        let actor = if task_is_own {
            Actor::Contact(world.me)
        } else {
            Actor::Staff(world.admin)
        };
        let body = json!({"name": text, "project": project});
        return insert(
            app,
            module,
            Plan {
                body,
                actor,
                links: Vec::new(),
            },
        )
        .await;
    }
    if module == "documents" {
        let parent = match relation {
            ThroughCase => Some(("cases", OwnContact)),
            ThroughTicket => Some(("tickets", OwnContact)),
            ThroughProject => Some(("projects", OwnContact)),
            ThroughInternalCase => Some(("cases", Internal)),
            ThroughOtherCase => Some(("cases", OtherOrganization)),
            _ => None,
        };
        if let Some((parent_module, parent_relation)) = parent {
            let parent_id = insert(
                app,
                parent_module,
                plan(world, parent_module, parent_relation, "Parent record"),
            )
            .await;
            let mut document = plan(world, "documents", Unrelated, &text);
            document.links.push((parent_module, parent_id));
            return insert(app, module, document).await;
        }
    }
    insert(app, module, plan(world, module, relation, &text)).await
}

/// Records that are part of the world rather than made for the test: C, the colleague and the
/// other organization's contact; org(C) and the other organization.
fn fixture(world: &World, module: &str, relation: Relation) -> Option<(Uuid, &'static str)> {
    match (module, relation) {
        ("contacts", Relation::OwnContact) => Some((world.me, "wselfx")),
        ("contacts", Relation::Colleague) => Some((world.colleague, "wcolleaguex")),
        ("contacts", Relation::OtherOrganization) => Some((world.other_contact, "wotherx")),
        ("organizations", Relation::Organization) => Some((world.org, "wacmex")),
        ("organizations", Relation::OtherOrganization) => Some((world.other_org, "wglobexx")),
        _ => None,
    }
}

/// C and org(C) cannot be copied for a delete.
fn copyable(module: &str, relation: Relation) -> bool {
    !matches!(
        (module, relation),
        ("contacts", Relation::OwnContact) | ("organizations", Relation::Organization)
    )
}

struct Subject {
    relation: Relation,
    id: Uuid,
    word: String,
}

fn public_note(word: &str) -> String {
    format!("Public note {word}")
}

fn internal_note(word: &str) -> String {
    format!("Internal note {word}")
}

// ---------------------------------------------------------------------------------------------
// The sweep.
// ---------------------------------------------------------------------------------------------

struct Sweep<'a> {
    app: &'a TestApp,
    world: &'a World,
    module: &'static str,
    problems: Vec<String>,
    /// How many checks expected each outcome, to show the sweep is not trivially one-sided.
    tally: std::collections::BTreeMap<String, usize>,
}

fn snippet(body: &Value) -> String {
    let text = body.to_string();
    if text.len() > 160 {
        format!("{}…", &text[..text.floor_char_boundary(160)])
    } else {
        text
    }
}

impl Sweep<'_> {
    async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.app.portal(&self.world.customer, method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        send(request).await
    }

    fn problem(&mut self, context: &str, text: String) {
        self.problems
            .push(format!("{} {context}: {text}", self.module));
    }

    /// List membership of every record and the list's `total`.
    async fn check_list(&mut self, context: &str, level: &Setting, subjects: &[Subject]) {
        let path = format!("/records/{}?per_page=200", self.module);
        let (status, body) = self.request(Method::GET, &path, None).await;
        if level.read == Level::None {
            if status != StatusCode::NOT_FOUND {
                self.problem(
                    context,
                    format!(
                        "GET {path}: expected 404 (no read level), got {status} {}",
                        snippet(&body)
                    ),
                );
            }
            return;
        }
        if status != StatusCode::OK {
            self.problem(
                context,
                format!("GET {path}: expected 200, got {status} {}", snippet(&body)),
            );
            return;
        }
        let listed: HashSet<String> = body["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| item["id"].as_str().map(str::to_owned))
            .collect();
        let mut expected_total = 0;
        for subject in subjects {
            let want = expected(self.module, subject.relation, level, Action::List);
            *self.tally.entry(format!("List {want:?}")).or_default() += 1;
            expected_total += usize::from(want == Outcome::Listed);
            let got = if listed.contains(&subject.id.to_string()) {
                Outcome::Listed
            } else {
                Outcome::NotListed
            };
            if want != got {
                self.problem(
                    context,
                    format!(
                        "{:?} record ({}): GET {path} expected {want:?}, got {got:?}",
                        subject.relation, subject.id
                    ),
                );
            }
        }
        if body["total"] != json!(expected_total) {
            self.problem(
                context,
                format!(
                    "GET {path}: expected total {expected_total}, got {} ({} items listed)",
                    body["total"],
                    listed.len()
                ),
            );
        }
    }

    async fn check_search(&mut self, context: &str, level: &Setting, subject: &Subject) {
        let path = format!("/records/{}?q={}", self.module, subject.word);
        let want = expected(self.module, subject.relation, level, Action::Search);
        *self.tally.entry(format!("Search {want:?}")).or_default() += 1;
        let (status, body) = self.request(Method::GET, &path, None).await;
        let got = if level.read == Level::None {
            if status == StatusCode::NOT_FOUND {
                return;
            }
            format!("{status} (no read level: expected 404)")
        } else if status != StatusCode::OK {
            format!("{status}")
        } else {
            let found = body["total"] == json!(1)
                && body["items"][0]["id"] == json!(subject.id.to_string());
            let nothing = body["total"] == json!(0);
            match (want, found, nothing) {
                (Outcome::Listed, true, _) | (Outcome::NotListed, _, true) => return,
                _ => format!("total {}", body["total"]),
            }
        };
        self.problem(
            context,
            format!(
                "{:?} record: GET {path} expected {want:?}, got {got} {}",
                subject.relation,
                snippet(&body)
            ),
        );
    }

    /// One request of a per-record action, compared with its expected status.
    async fn check_action(
        &mut self,
        context: &str,
        level: &Setting,
        relation: Relation,
        id: Uuid,
        word: &str,
        action: Action,
    ) {
        let module = self.module;
        let base = format!("/records/{module}/{id}");
        let (method, path, body) = match action {
            Action::Read => (Method::GET, base, None),
            Action::Comments => (Method::GET, format!("{base}/comments"), None),
            Action::Download => (Method::GET, format!("/records/documents/{id}/file"), None),
            Action::Pdf => (Method::GET, format!("{base}/pdf"), None),
            Action::Change => (
                Method::PATCH,
                base,
                Some(json!({ write_field(module): "changed by the customer" })),
            ),
            Action::Delete => (Method::DELETE, base, None),
            Action::Comment => (
                Method::POST,
                format!("{base}/comments"),
                Some(json!({"body": "A customer's reply"})),
            ),
            Action::List | Action::Search => unreachable!("list actions are checked on lists"),
        };
        let want = expected(module, relation, level, action);
        *self
            .tally
            .entry(format!("{action:?} {want:?}"))
            .or_default() += 1;
        let want_status = status_of(want, action);
        let (status, answer) = self.request(method.clone(), &path, body).await;
        if status != want_status {
            self.problem(
                context,
                format!(
                    "{relation:?} record: {method} {path} expected {want:?} ({want_status}), got {status} {}",
                    snippet(&answer)
                ),
            );
            return;
        }
        if action == Action::Comments && want == Outcome::Done {
            let bodies: Vec<&str> = answer["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["body"].as_str())
                .collect();
            if !bodies.contains(&public_note(word).as_str())
                || bodies.contains(&internal_note(word).as_str())
            {
                self.problem(
                    context,
                    format!(
                        "{relation:?} record: GET {path} must show the public comment and never the internal one, got {bodies:?}"
                    ),
                );
            }
        }
        if action == Action::Change && want == Outcome::ReadOnlyField {
            let fields = common::error_fields(&answer);
            if fields != [write_field(module)] {
                self.problem(
                    context,
                    format!("{relation:?} record: PATCH {path}: the 422 must name exactly {}, named {fields:?}", write_field(module)),
                );
            }
        }
    }
}

async fn sweep(app: TestApp, module: &'static str) {
    let world = World::build(&app).await;
    let def = app.store.module(module).expect("a standard module");
    let mut subjects = Vec::new();
    for (n, relation) in relations(module).into_iter().enumerate() {
        let (id, word) = match fixture(&world, module, relation) {
            Some((id, word)) => (id, word.to_owned()),
            None => {
                let word = format!("w{n:03}x");
                (make(&app, &world, module, relation, &word).await, word)
            }
        };
        for (note, internal) in [(public_note(&word), false), (internal_note(&word), true)] {
            app.store
                .add_comment(def, id, &note, internal, Actor::Staff(world.admin))
                .await
                .expect("comment");
        }
        if module == "documents" {
            app.store
                .set_file(
                    def,
                    id,
                    "file",
                    Upload {
                        name: "notes.txt".into(),
                        mime_type: "text/plain".into(),
                        bytes: b"the file of a document".to_vec(),
                    },
                    Actor::Staff(world.admin),
                )
                .await
                .expect("attach a file");
        }
        subjects.push(Subject { relation, id, word });
    }

    let mut sweep = Sweep {
        app: &app,
        world: &world,
        module,
        problems: Vec::new(),
        tally: Default::default(),
    };
    let mut copies = 0;
    for phase in PHASES {
        app.store
            .save_portal(Some("default"), phase_portal(module, phase))
            .await
            .expect("save the phase's portal");
        for level in LEVELS {
            app.store
                .save_portal_role(
                    Some(world.role),
                    &phase_role(world.role, module, phase, level),
                )
                .await
                .expect("save the level's role");
            let setting = setting(module, phase, level);
            let context = format!("[{phase:?}, role level {level:?}]");
            sweep.check_list(&context, &setting, &subjects).await;
            let mut actions = vec![
                Action::Read,
                Action::Comments,
                Action::Pdf,
                Action::Change,
                Action::Comment,
            ];
            // The file field is hidden by the phases' entries, which name only two fields.
            if module == "documents" && phase == Phase::RoleOnly {
                actions.push(Action::Download);
            }
            for subject in &subjects {
                sweep.check_search(&context, &setting, subject).await;
                for &action in &actions {
                    sweep
                        .check_action(
                            &context,
                            &setting,
                            subject.relation,
                            subject.id,
                            &subject.word,
                            action,
                        )
                        .await;
                }
            }
            // Deletes last: copies of the records, C and org(C) themselves only when the delete
            // must fail, or as the very last request of the sweep.
            let last = phase == Phase::ActingRole && level == Level::All;
            for subject in subjects
                .iter()
                .filter(|s| copyable(module, s.relation))
                .chain(subjects.iter().filter(|s| !copyable(module, s.relation)))
            {
                let id = if copyable(module, subject.relation) {
                    copies += 1;
                    let word = format!("c{copies:04}x");
                    make(&app, &world, module, subject.relation, &word).await
                } else {
                    let want = expected(module, subject.relation, &setting, Action::Delete);
                    if want == Outcome::Done && !last {
                        continue;
                    }
                    subject.id
                };
                sweep
                    .check_action(
                        &context,
                        &setting,
                        subject.relation,
                        id,
                        &subject.word,
                        Action::Delete,
                    )
                    .await;
                if copyable(module, subject.relation) {
                    // A copy the customer could not delete goes, so lists stay as modelled.
                    let _ = app.store.delete(def, id, Actor::System).await;
                }
            }
        }
    }
    eprintln!("{module}: checks per expected outcome: {:?}", sweep.tally);
    for outcome in ["Listed", "NotListed", "Done", "Forbidden", "NotFound"] {
        assert!(
            sweep.tally.keys().any(|k| k.ends_with(outcome)),
            "the {module} sweep never expected {outcome}: {:?}",
            sweep.tally
        );
    }
    let problems = sweep.problems;
    assert!(
        problems.is_empty(),
        "{} disagreement(s) with ACCESS.md:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
