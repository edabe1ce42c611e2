//! The access-control engine: what a customer may see and do (the exact rules of the
//! product's access specification). Given a customer, a portal and the roles in force, it
//! yields per module the effective levels, the field permissions, and the read predicate as a
//! [`Filter`] that the store turns into SQL. Every customer-facing route asks it; nothing
//! else decides access.

use indexmap::IndexMap;
use uuid::Uuid;

use crate::metadata::{FieldType, ModuleDef, Registry};
use crate::portal::{FieldAccess, Grant, Level, Portal, PortalRole, Scope};
use crate::query::Filter;
use crate::value::{Reference, Value};

/// The signed-in customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Customer {
    pub contact: Uuid,
    pub organization: Option<Uuid>,
}

/// Fields no customer ever writes, whatever a portal says.
const NEVER_WRITABLE: &[&str] = &["assigned_to", "resolved_at", "closed_at"];

/// Contact fields that stay read-only to customers (the hard rule of contacts).
const CONTACT_PROTECTED: &[&str] = &[
    "portal_user",
    "portal_roles",
    "portals",
    "support_start_date",
    "support_end_date",
];

/// Whether `field` of `module` decides what a customer may see or who they are: on contacts,
/// the organization, the e-mail they sign in with, portal access and support dates; on every
/// other module, the contact and organization links and the link to a parent record (a project
/// task's project). Customers never write these through any route, whatever a portal or role
/// says; a new e-mail goes through the profile's confirmed change instead.
pub fn decides_access(registry: &Registry, module: &ModuleDef, field: &str) -> bool {
    if module.name == "contacts" {
        return matches!(field, "organization" | "email") || CONTACT_PROTECTED.contains(&field);
    }
    let Some(def) = module.field(field) else {
        return false;
    };
    match def.references() {
        Some("contacts" | "organizations") => true,
        Some(_) => {
            matches!(kind(registry, module), Kind::Child { field: parent, .. } if parent == field)
        }
        None => false,
    }
}

/// Whether the engine sets `field` of `module` itself when a customer creates a record (the
/// contact and organization links, the channel), so customers never write it.
pub fn set_by_engine(module: &ModuleDef, field: &str) -> bool {
    if module.name == "contacts" || module.name == "organizations" {
        return false;
    }
    match module.field(field) {
        Some(def) => match &def.field_type {
            FieldType::Reference { module: target } => {
                !def.system
                    && (target == "contacts" || target == "organizations")
                    && (field == "contact" || field == "organization")
            }
            _ => field == "channel",
        },
        None => false,
    }
}

fn reference(id: Uuid) -> Value {
    Value::Ref(Reference::to(id))
}

/// Non-system reference fields of `module` pointing at `target`.
fn reference_fields<'a>(
    module: &'a ModuleDef,
    target: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    module
        .fields
        .iter()
        .filter(move |f| !f.system && f.references() == Some(target))
        .map(|f| f.name.as_str())
}

fn has_contact_link(module: &ModuleDef) -> bool {
    module.name == "contacts"
        || reference_fields(module, "contacts").next().is_some()
        || module.can_link("contacts")
}

fn has_organization_link(module: &ModuleDef) -> bool {
    module.name == "organizations"
        || module.name == "contacts"
        || reference_fields(module, "organizations").next().is_some()
        || module.can_link("organizations")
}

/// How a module's records relate to customers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Linked to contacts and/or organizations directly.
    Owned,
    /// Readable through a parent record (project tasks through their project).
    Child { field: String, parent: String },
    /// No customer link at all (FAQs, products, services).
    Catalog,
}

pub fn kind(registry: &Registry, module: &ModuleDef) -> Kind {
    if has_contact_link(module) || has_organization_link(module) {
        return Kind::Owned;
    }
    for field in module.fields.iter().filter(|f| !f.system && f.required) {
        if let Some(target) = field.references()
            && let Some(parent) = registry.module(target)
            && (has_contact_link(parent) || has_organization_link(parent))
        {
            return Kind::Child {
                field: field.name.clone(),
                parent: target.to_owned(),
            };
        }
    }
    Kind::Catalog
}

/// R belongs to contact `c`: its contact reference is `c`, or a link joins them.
fn belongs_to_contact(module: &ModuleDef, c: Uuid) -> Filter {
    if module.name == "contacts" {
        return Filter::IdIs(c);
    }
    let mut any: Vec<Filter> = reference_fields(module, "contacts")
        .map(|f| Filter::Eq(f.to_owned(), reference(c)))
        .collect();
    if module.can_link("contacts") {
        any.push(Filter::LinkedTo {
            module: "contacts".into(),
            id: c,
        });
    }
    or(any)
}

/// R belongs to organization `o`: directly, by a link, or through any contact of `o`.
fn belongs_to_organization(module: &ModuleDef, o: Uuid) -> Filter {
    match module.name.as_str() {
        "organizations" => return Filter::IdIs(o),
        "contacts" => return Filter::Eq("organization".into(), reference(o)),
        _ => {}
    }
    let contacts_of_o = || Box::new(Filter::Eq("organization".into(), reference(o)));
    let mut any: Vec<Filter> = reference_fields(module, "organizations")
        .map(|f| Filter::Eq(f.to_owned(), reference(o)))
        .collect();
    if module.can_link("organizations") {
        any.push(Filter::LinkedTo {
            module: "organizations".into(),
            id: o,
        });
    }
    for field in reference_fields(module, "contacts") {
        any.push(Filter::Refers {
            field: field.to_owned(),
            module: "contacts".into(),
            filter: contacts_of_o(),
        });
    }
    if module.can_link("contacts") {
        any.push(Filter::LinkedToAny {
            module: "contacts".into(),
            filter: contacts_of_o(),
        });
    }
    or(any)
}

fn or(mut any: Vec<Filter>) -> Filter {
    match any.len() {
        0 => Filter::Nothing,
        1 => any.pop().unwrap_or(Filter::Nothing),
        _ => Filter::Or(any),
    }
}

fn and(mut all: Vec<Filter>) -> Filter {
    all.retain(|f| *f != Filter::All);
    if all.contains(&Filter::Nothing) {
        return Filter::Nothing;
    }
    match all.len() {
        0 => Filter::All,
        1 => all.pop().unwrap_or(Filter::All),
        _ => Filter::And(all),
    }
}

/// The modules whose readable records make the documents linked to them readable.
const DOCUMENT_PARENTS: [&str; 3] = ["cases", "tickets", "projects"];

/// What one customer may do in one portal: the portal, the roles in force (the portal's and
/// the customer's), and the customer.
#[derive(Debug, Clone)]
pub struct Access<'a> {
    pub registry: &'a Registry,
    pub portal: &'a Portal,
    pub roles: Vec<&'a PortalRole>,
    pub customer: Customer,
}

/// The effective permissions and visible fields of one module.
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleAccess {
    pub grant: Grant,
    /// Visible fields in display order, each `read_only` or `read_write`.
    pub fields: IndexMap<String, FieldAccess>,
}

impl ModuleAccess {
    pub fn field(&self, name: &str) -> FieldAccess {
        self.fields
            .get(name)
            .copied()
            .unwrap_or(FieldAccess::Hidden)
    }
}

impl<'a> Access<'a> {
    /// The portal's built-in role for `module`.
    fn builtin(&self, module: &ModuleDef) -> Grant {
        let Some(entry) = self.portal.module(&module.name) else {
            return Grant::NOTHING;
        };
        let read = match (
            kind(self.registry, module),
            entry.scope.unwrap_or(self.portal.default_scope),
        ) {
            (Kind::Catalog, _) => Level::All,
            (_, Scope::Mine) => Level::Contact,
            (_, Scope::All) => Level::Account,
        };
        Grant {
            create: entry.create,
            read,
            edit: if entry.edit { read } else { Level::None },
            delete: Level::None,
            comment: if entry.comments { read } else { Level::None },
        }
    }

    /// The effective grant: the maximum of the built-in role and every role, capped at read.
    pub fn grant(&self, module: &ModuleDef) -> Grant {
        self.roles
            .iter()
            .filter_map(|r| r.permissions.get(&module.name).copied())
            .fold(self.builtin(module), Grant::max)
            .capped()
    }

    /// Effective grant and visible fields of `module`.
    pub fn module(&self, module: &ModuleDef) -> ModuleAccess {
        let grant = self.grant(module);
        let mut fields = IndexMap::new();
        if grant.read > Level::None || self.readable_as_related(module) {
            match self.portal.module(&module.name) {
                Some(entry) => {
                    for (name, access) in &entry.fields {
                        if *access != FieldAccess::Hidden && module.has_field(name) {
                            fields.insert(name.clone(), self.clamp(module, name, *access));
                        }
                    }
                }
                None => {
                    for field in module.fields.iter().filter(|f| !f.system) {
                        fields.insert(field.name.clone(), FieldAccess::ReadOnly);
                    }
                }
            }
        }
        ModuleAccess { grant, fields }
    }

    /// Downgrades fields customers may never write to read-only.
    fn clamp(&self, module: &ModuleDef, field: &str, access: FieldAccess) -> FieldAccess {
        let never = module.field(field).is_none_or(|f| f.system)
            || NEVER_WRITABLE.contains(&field)
            || set_by_engine(module, field)
            || decides_access(self.registry, module, field);
        if never {
            access.min(FieldAccess::ReadOnly)
        } else {
            access
        }
    }

    /// A child module shown as a related list of its parent in this portal.
    fn readable_as_related(&self, module: &ModuleDef) -> bool {
        match kind(self.registry, module) {
            Kind::Child { parent, .. } => self
                .portal
                .module(&parent)
                .is_some_and(|entry| entry.related.contains(&module.name)),
            _ => false,
        }
    }

    /// The modules of the customer's menu, in order: the portal's entries the customer can
    /// read, then modules only a role grants.
    pub fn menu(&self) -> Vec<&'a ModuleDef> {
        let mut menu: Vec<&'a ModuleDef> = Vec::new();
        for entry in &self.portal.modules {
            if let Some(module) = self.registry.module(&entry.module)
                && self.grant(module).read > Level::None
            {
                menu.push(module);
            }
        }
        for role in &self.roles {
            for (name, grant) in &role.permissions {
                if grant.read > Level::None
                    && !menu.iter().any(|m| m.name == *name)
                    && let Some(module) = self.registry.module(name)
                {
                    menu.push(module);
                }
            }
        }
        menu
    }

    /// Records of `module` within `level` for an action other than reading (edit, delete,
    /// comment), hard rules included. Documents readable only through a readable case,
    /// ticket or project are not within it: that rule is about reading.
    pub fn filter(&self, module: &ModuleDef, level: Level) -> Filter {
        self.filter_at_depth(module, level, 0, false)
    }

    /// Records of `module` the customer may read.
    pub fn read_filter(&self, module: &ModuleDef) -> Filter {
        let level = self.grant(module).read;
        self.filter_at_depth(module, level, 0, true)
    }

    fn filter_at_depth(
        &self,
        module: &ModuleDef,
        level: Level,
        depth: u8,
        reading: bool,
    ) -> Filter {
        // Parents and linked records are at most two steps away; the bound only guards
        // against metadata that would loop.
        if depth > 3 {
            return Filter::Nothing;
        }
        let c = self.customer.contact;
        let scoped = match kind(self.registry, module) {
            // An action on a child record is measured like any other: `own` is what the
            // customer created, `contact` and `account` what hangs under a project that
            // belongs to them or their organization. (Reading it needs its parent readable.)
            Kind::Child { field, parent } if !reading => {
                match (level, self.registry.module(&parent)) {
                    (Level::None, _) | (_, None) => Filter::Nothing,
                    (Level::Own, _) => Filter::Eq("created_by_ext".into(), reference(c)),
                    (Level::All, _) => Filter::All,
                    (Level::Contact | Level::Account, Some(parent_def)) => or(vec![
                        Filter::Eq("created_by_ext".into(), reference(c)),
                        Filter::Refers {
                            field,
                            module: parent.clone(),
                            filter: Box::new(self.filter_at_depth(
                                parent_def,
                                level,
                                depth + 1,
                                false,
                            )),
                        },
                    ]),
                }
            }
            Kind::Child { field, parent } => {
                let visible = level > Level::None || self.readable_as_related(module);
                match self.registry.module(&parent) {
                    Some(parent_def) if visible => {
                        let parent_level = self.grant(parent_def).read;
                        Filter::Refers {
                            field,
                            module: parent,
                            filter: Box::new(self.filter_at_depth(
                                parent_def,
                                parent_level,
                                depth + 1,
                                true,
                            )),
                        }
                    }
                    _ => Filter::Nothing,
                }
            }
            Kind::Catalog | Kind::Owned => {
                let own = || Filter::Eq("created_by_ext".into(), reference(c));
                let contact = || or(vec![own(), belongs_to_contact(module, c)]);
                let mut filter = match level {
                    Level::None => Filter::Nothing,
                    Level::Own => own(),
                    Level::Contact => contact(),
                    Level::Account => match self.customer.organization {
                        Some(o) => or(vec![contact(), belongs_to_organization(module, o)]),
                        None => contact(),
                    },
                    Level::All => Filter::All,
                };
                if reading && module.name == "documents" && level > Level::None {
                    let mut any = vec![filter];
                    for parent in DOCUMENT_PARENTS {
                        if let Some(parent_def) = self.registry.module(parent)
                            && module.can_link(parent)
                        {
                            let parent_level = self.grant(parent_def).read;
                            let parent_filter =
                                self.filter_at_depth(parent_def, parent_level, depth + 1, true);
                            if parent_filter != Filter::Nothing {
                                any.push(Filter::LinkedToAny {
                                    module: parent.into(),
                                    filter: Box::new(parent_filter),
                                });
                            }
                        }
                    }
                    filter = or(any);
                }
                filter
            }
        };
        and(vec![scoped, self.hard_rule(module)])
    }

    /// The records of `module` that the customer may read among those linked to a record of
    /// `parent` they may read, when that link is itself a reason to read them (a document of
    /// a readable case, ticket or project): only what is never visible still applies. None
    /// when no such rule holds, and the full read filter is needed. Exactly what
    /// [`Access::read_filter`] says of such records, in a statement that does not look at
    /// every record the customer may read.
    pub fn read_filter_via_link(&self, module: &ModuleDef, parent: &ModuleDef) -> Option<Filter> {
        let via_parent = module.name == "documents"
            && DOCUMENT_PARENTS.contains(&parent.name.as_str())
            && module.can_link(&parent.name)
            && self.grant(module).read > Level::None
            && self.read_filter(parent) != Filter::Nothing;
        via_parent.then(|| self.hard_rule(module))
    }

    /// What is never visible in `module`, whatever the level.
    fn hard_rule(&self, module: &ModuleDef) -> Filter {
        let mut all = vec![Filter::All];
        if module.has_field("internal") && matches!(module.name.as_str(), "cases" | "tickets") {
            all.push(Filter::Ne("internal".into(), Value::Boolean(true)));
        }
        match module.name.as_str() {
            "documents" => all.push(Filter::Ne("status".into(), Value::Text("Inactive".into()))),
            "faqs" => {
                all.push(Filter::Eq("status".into(), Value::Text("Published".into())));
                all.push(Filter::ListEmptyOrContains(
                    "portals".into(),
                    self.portal.slug.clone(),
                ));
            }
            "products" | "services" => all.push(Filter::Eq("active".into(), Value::Boolean(true))),
            "quotes" => all.push(Filter::Ne("stage".into(), Value::Text("Created".into()))),
            _ => {}
        }
        and(all)
    }
}

/// `module` reduced to the fields `access` shows, in the module's order: what a customer's
/// lists, records, searches and sorts are built from, so hidden fields cannot leak.
pub fn visible_view(module: &ModuleDef, access: &ModuleAccess) -> ModuleDef {
    let mut view = module.clone();
    view.fields.retain(|f| access.fields.contains_key(&f.name));
    view
}

/// `module` reduced to the fields a customer may write.
pub fn writable_view(module: &ModuleDef, access: &ModuleAccess) -> ModuleDef {
    let mut view = module.clone();
    view.fields
        .retain(|f| access.fields.get(&f.name) == Some(&FieldAccess::ReadWrite));
    view
}
