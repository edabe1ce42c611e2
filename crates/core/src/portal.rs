//! Portals and portal roles as data: what staff configure, validated against the metadata.
//! The access engine (`access`) reads these; the store keeps them as JSON documents.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::FieldError;
use crate::metadata::{ModuleDef, Registry};

/// Names under a portal's prefix that cannot be slugs.
pub const RESERVED_SLUGS: &[&str] = &[
    "login",
    "records",
    "faqs",
    "profile",
    "invitation",
    "password",
    "logout",
    "static",
    "api",
    "assets",
    "email",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    None,
    Own,
    Contact,
    Account,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Records related to the signed-in contact.
    Mine,
    /// Records of the contact's whole organization.
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldAccess {
    Hidden,
    ReadOnly,
    ReadWrite,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Greeting {
    Standard,
    TimeBased,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Widget {
    OpenCasesByPriority,
    CaseResolutionTimeByPriority,
    ProjectsByStatus,
    RecentCases,
    RecentTickets,
    RecentFaqs,
    RecentDocuments,
    AccountRepresentatives,
    Shortcuts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shortcut {
    AddDocument,
    CreateTicket,
    OpenTickets,
    CreateCase,
    OpenCases,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Home {
    #[serde(default)]
    pub announcement: String,
    #[serde(default = "standard_greeting")]
    pub greeting: Greeting,
    #[serde(default = "all_widgets")]
    pub widgets: Vec<Widget>,
    #[serde(default = "all_shortcuts")]
    pub shortcuts: Vec<Shortcut>,
}

fn standard_greeting() -> Greeting {
    Greeting::Standard
}

fn all_widgets() -> Vec<Widget> {
    use Widget::*;
    vec![
        OpenCasesByPriority,
        CaseResolutionTimeByPriority,
        ProjectsByStatus,
        RecentCases,
        RecentTickets,
        RecentFaqs,
        RecentDocuments,
        AccountRepresentatives,
        Shortcuts,
    ]
}

fn all_shortcuts() -> Vec<Shortcut> {
    use Shortcut::*;
    vec![
        AddDocument,
        CreateTicket,
        OpenTickets,
        CreateCase,
        OpenCases,
    ]
}

impl Default for Home {
    fn default() -> Self {
        Self {
            announcement: String::new(),
            greeting: Greeting::Standard,
            widgets: all_widgets(),
            shortcuts: all_shortcuts(),
        }
    }
}

/// One entry of a portal's menu, and the portal's built-in role for that module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalModule {
    pub module: String,
    /// Overrides the portal's `default_scope`.
    #[serde(default)]
    pub scope: Option<Scope>,
    #[serde(default)]
    pub create: bool,
    #[serde(default)]
    pub edit: bool,
    #[serde(default)]
    pub comments: bool,
    /// Related lists shown on the record page.
    #[serde(default)]
    pub related: Vec<String>,
    /// Fields not named are hidden.
    #[serde(default)]
    pub fields: IndexMap<String, FieldAccess>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[serde(default)]
    pub contact: IndexMap<String, FieldAccess>,
    #[serde(default)]
    pub organization: IndexMap<String, FieldAccess>,
}

fn yes() -> bool {
    true
}
fn seven() -> u32 {
    7
}
fn thirty() -> u32 {
    30
}
fn invitation_template() -> String {
    "portal_invitation".into()
}
fn reset_template() -> String {
    "portal_password_reset".into()
}
fn mine() -> Scope {
    Scope::Mine
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Portal {
    pub slug: String,
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub default: bool,
    #[serde(default)]
    pub custom_host: Option<String>,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub css_url: Option<String>,
    #[serde(default)]
    pub default_assignee: Option<Uuid>,
    #[serde(default = "seven")]
    pub support_notification_days: u32,
    #[serde(default = "invitation_template")]
    pub login_template: String,
    #[serde(default = "reset_template")]
    pub forgot_password_template: String,
    #[serde(default = "mine")]
    pub default_scope: Scope,
    #[serde(default = "thirty")]
    pub session_idle_minutes: u32,
    #[serde(default)]
    pub home: Home,
    #[serde(default)]
    pub modules: Vec<PortalModule>,
    #[serde(default)]
    pub profile: Profile,
    #[serde(default)]
    pub roles: Vec<Uuid>,
}

/// Per module, what a portal role grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    #[serde(default)]
    pub create: bool,
    #[serde(default = "none")]
    pub read: Level,
    #[serde(default = "none")]
    pub edit: Level,
    #[serde(default = "none")]
    pub delete: Level,
    #[serde(default = "none")]
    pub comment: Level,
}

fn none() -> Level {
    Level::None
}

impl Grant {
    pub const NOTHING: Grant = Grant {
        create: false,
        read: Level::None,
        edit: Level::None,
        delete: Level::None,
        comment: Level::None,
    };

    /// The larger of two grants, action by action.
    pub fn max(self, other: Grant) -> Grant {
        Grant {
            create: self.create || other.create,
            read: self.read.max(other.read),
            edit: self.edit.max(other.edit),
            delete: self.delete.max(other.delete),
            comment: self.comment.max(other.comment),
        }
    }

    /// Nothing but reading can reach further than reading.
    pub fn capped(self) -> Grant {
        Grant {
            create: self.create,
            read: self.read,
            edit: self.edit.min(self.read),
            delete: self.delete.min(self.read),
            comment: self.comment.min(self.read),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalRole {
    #[serde(default)]
    pub id: Option<Uuid>,
    pub name: String,
    #[serde(default)]
    pub permissions: IndexMap<String, Grant>,
}

fn fields(pairs: &[(&str, FieldAccess)]) -> IndexMap<String, FieldAccess> {
    pairs.iter().map(|(f, a)| ((*f).to_owned(), *a)).collect()
}

impl Portal {
    /// The portal Atrium creates on first start.
    pub fn default_portal() -> Portal {
        use FieldAccess::{ReadOnly as RO, ReadWrite as RW};
        let entry =
            |module: &str, create, edit, comments, related: &[&str], f: &[(&str, FieldAccess)]| {
                PortalModule {
                    module: module.to_owned(),
                    scope: None,
                    create,
                    edit,
                    comments,
                    related: related.iter().map(|s| (*s).to_owned()).collect(),
                    fields: fields(f),
                }
            };
        Portal {
            slug: "default".into(),
            name: "Customer Portal".into(),
            active: true,
            default: true,
            custom_host: None,
            title: "Customer Portal".into(),
            css_url: None,
            default_assignee: None,
            support_notification_days: 7,
            login_template: invitation_template(),
            forgot_password_template: reset_template(),
            default_scope: Scope::Mine,
            session_idle_minutes: 30,
            home: Home::default(),
            modules: vec![
                entry(
                    "cases",
                    true,
                    true,
                    true,
                    &["documents"],
                    &[
                        ("title", RW),
                        ("description", RW),
                        ("priority", RW),
                        ("case_type", RW),
                        ("status", RO),
                        ("resolution", RO),
                        ("contact", RO),
                        ("resolved_at", RO),
                    ],
                ),
                entry(
                    "tickets",
                    true,
                    true,
                    true,
                    &["documents"],
                    &[
                        ("title", RW),
                        ("description", RW),
                        ("priority", RW),
                        ("severity", RW),
                        ("category", RW),
                        ("status", RO),
                        ("solution", RO),
                        ("contact", RO),
                    ],
                ),
                entry(
                    "documents",
                    true,
                    false,
                    false,
                    &[],
                    &[("title", RW), ("folder", RO), ("file", RW), ("notes", RW)],
                ),
                entry(
                    "faqs",
                    false,
                    false,
                    false,
                    &[],
                    &[("question", RO), ("answer", RO), ("category", RO)],
                ),
                entry(
                    "projects",
                    false,
                    false,
                    true,
                    &["project_tasks", "project_milestones", "documents"],
                    &[
                        ("name", RO),
                        ("status", RO),
                        ("progress", RO),
                        ("start_date", RO),
                        ("target_end_date", RO),
                        ("description", RO),
                    ],
                ),
            ],
            profile: Profile {
                contact: fields(&[
                    ("first_name", RO),
                    ("last_name", RO),
                    ("email", RO),
                    ("phone", RW),
                    ("mobile", RW),
                    ("title", RW),
                    ("department", RW),
                ]),
                organization: fields(&[("name", RO), ("phone", RO), ("website", RO)]),
            },
            roles: Vec::new(),
        }
    }

    pub fn module(&self, name: &str) -> Option<&PortalModule> {
        self.modules.iter().find(|m| m.module == name)
    }

    /// Fills what an empty value means (the title defaults to the name).
    pub fn normalized(mut self) -> Portal {
        if self.title.trim().is_empty() {
            self.title = self.name.clone();
        }
        self.slug = self.slug.trim().to_lowercase();
        self.custom_host = self
            .custom_host
            .map(|h| h.trim().to_lowercase())
            .filter(|h| !h.is_empty());
        self
    }

    /// Everything that can be checked without the database; each problem names its place.
    pub fn validate(&self, registry: &Registry) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if !is_slug(&self.slug) {
            errors.push(FieldError::new(
                "slug",
                "must be 1-40 lowercase letters, digits and dashes",
            ));
        } else if RESERVED_SLUGS.contains(&self.slug.as_str()) {
            errors.push(FieldError::new("slug", "is a reserved word"));
        }
        if self.name.trim().is_empty() {
            errors.push(FieldError::new("name", "required"));
        }
        if let Some(host) = &self.custom_host
            && !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == ':')
        {
            errors.push(FieldError::new(
                "custom_host",
                "must be a host name like support.example.com",
            ));
        }
        if let Some(url) = &self.css_url
            && !(url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/'))
        {
            errors.push(FieldError::new(
                "css_url",
                "must be an http(s) URL or a path",
            ));
        }
        if !(1..=24 * 60).contains(&self.session_idle_minutes) {
            errors.push(FieldError::new(
                "session_idle_minutes",
                "must be between 1 and 1440",
            ));
        }
        if self.support_notification_days > 365 {
            errors.push(FieldError::new(
                "support_notification_days",
                "must be at most 365",
            ));
        }
        let mut seen = Vec::new();
        for (i, entry) in self.modules.iter().enumerate() {
            let place = format!("modules[{i}]");
            let Some(module) = registry.module(&entry.module) else {
                errors.push(FieldError::new(
                    format!("{place}.module"),
                    format!("unknown module {}", entry.module),
                ));
                continue;
            };
            if seen.contains(&entry.module) {
                errors.push(FieldError::new(
                    format!("{place}.module"),
                    format!("{} is listed twice", entry.module),
                ));
            }
            seen.push(entry.module.clone());
            for (field, access) in &entry.fields {
                if !module.has_field(field) {
                    errors.push(FieldError::new(
                        format!("{place}.fields.{field}"),
                        format!("unknown field of {}", module.name),
                    ));
                } else if *access == FieldAccess::ReadWrite
                    && crate::access::decides_access(registry, module, field)
                {
                    errors.push(FieldError::new(
                        format!("{place}.fields.{field}"),
                        "decides what customers may see, so customers can never write it; make it read_only",
                    ));
                }
            }
            for related in &entry.related {
                match registry.module(related) {
                    None => errors.push(FieldError::new(
                        format!("{place}.related"),
                        format!("unknown module {related}"),
                    )),
                    Some(other) if !are_related(module, other) => errors.push(FieldError::new(
                        format!("{place}.related"),
                        format!("{related} is not related to {}", module.name),
                    )),
                    Some(_) => {}
                }
            }
            if entry.create {
                for field in module.fields.iter().filter(|f| f.required && !f.system) {
                    if crate::access::set_by_engine(module, &field.name) {
                        continue;
                    }
                    if entry.fields.get(&field.name) != Some(&FieldAccess::ReadWrite) {
                        errors.push(FieldError::new(
                            format!("{place}.fields.{}", field.name),
                            format!("customers may create {} only when every required field is read_write", module.name),
                        ));
                    }
                }
            }
        }
        for (part, module_name) in [("contact", "contacts"), ("organization", "organizations")] {
            let layout = if part == "contact" {
                &self.profile.contact
            } else {
                &self.profile.organization
            };
            if let Some(module) = registry.module(module_name) {
                for field in layout.keys() {
                    if !module.has_field(field) {
                        errors.push(FieldError::new(
                            format!("profile.{part}.{field}"),
                            format!("unknown field of {module_name}"),
                        ));
                    }
                }
            }
        }
        errors
    }
}

impl PortalRole {
    pub fn validate(&self, registry: &Registry) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push(FieldError::new("name", "required"));
        }
        for module in self.permissions.keys() {
            if registry.module(module).is_none() {
                errors.push(FieldError::new(
                    format!("permissions.{module}"),
                    "unknown module",
                ));
            }
        }
        errors
    }
}

/// Whether `other` can be listed as a related list of `module`.
pub fn are_related(module: &ModuleDef, other: &ModuleDef) -> bool {
    module.can_link(&other.name)
        || other
            .fields
            .iter()
            .any(|f| !f.system && f.references() == Some(module.name.as_str()))
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standard;

    #[test]
    fn the_default_portal_is_valid_and_round_trips() {
        let registry = standard::registry();
        let portal = Portal::default_portal();
        assert_eq!(portal.validate(&registry), vec![]);
        let json = serde_json::to_value(&portal).expect("serialize");
        let back: Portal = serde_json::from_value(json.clone()).expect("deserialize");
        assert_eq!(back, portal);
        assert_eq!(json["modules"][0]["fields"]["title"], "read_write");
        assert_eq!(json["home"]["widgets"][0], "open_cases_by_priority");
    }

    #[test]
    fn invalid_portals_name_each_problem() {
        let registry = standard::registry();
        let mut portal = Portal::default_portal();
        portal.slug = "login".into();
        portal.modules[0]
            .fields
            .insert("colour".into(), FieldAccess::ReadOnly);
        portal.modules[0]
            .fields
            .insert("title".into(), FieldAccess::ReadOnly);
        portal.modules.push(PortalModule {
            module: "spaceships".into(),
            scope: None,
            create: false,
            edit: false,
            comments: false,
            related: vec![],
            fields: IndexMap::new(),
        });
        let places: Vec<String> = portal
            .validate(&registry)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            places,
            [
                "slug",
                "modules[0].fields.colour",
                "modules[0].fields.title",
                "modules[5].module"
            ]
        );
    }
}
