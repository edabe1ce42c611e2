//! What a portal shows one set of roles, whoever the customer: each module's effective access
//! and the view of its visible fields. The access engine works these out from the portal, the
//! roles and the module definitions alone (the customer's ids only enter the read predicates),
//! so every customer with the same portal and roles shares them. They are kept with the
//! settings they were worked out from: a change of a portal or role is a new version of the
//! settings, with audiences of its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use uuid::Uuid;

use crate::access::{Access, ModuleAccess, visible_view};
use crate::metadata::ModuleDef;

/// A module as an audience sees it.
#[derive(Debug, Clone)]
pub struct Shown {
    pub access: Arc<ModuleAccess>,
    /// The module reduced to the fields the audience may see.
    pub view: Arc<ModuleDef>,
}

/// One portal and one set of roles: the modules worked out so far.
#[derive(Debug, Default)]
pub struct Audience {
    modules: Kept,
    /// The profile page's modules (contacts, organizations) as the portal's profile layout
    /// shows them.
    layouts: Kept,
}

impl Audience {
    /// `module` as `engine` shows it. `engine` must be of this audience's portal and roles
    /// (as [`Audiences::of`] hands them out); its customer does not matter here.
    pub fn shown(&self, engine: &Access<'_>, module: &ModuleDef) -> Shown {
        self.modules.get_or(module, || engine.module(module))
    }

    /// `module` as the portal's profile layout shows it, `layout` working that access out.
    pub fn profile(&self, module: &ModuleDef, layout: impl FnOnce() -> ModuleAccess) -> Shown {
        self.layouts.get_or(module, layout)
    }
}

/// Modules as an audience sees them, by name.
#[derive(Debug, Default)]
struct Kept(RwLock<HashMap<String, Shown>>);

impl Kept {
    fn get_or(&self, module: &ModuleDef, work: impl FnOnce() -> ModuleAccess) -> Shown {
        let held = self
            .0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&module.name)
            .cloned();
        if let Some(shown) = held {
            return shown;
        }
        let access = work();
        let shown = Shown {
            view: Arc::new(visible_view(module, &access)),
            access: Arc::new(access),
        };
        self.0
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(module.name.clone())
            .or_insert(shown)
            .clone()
    }
}

/// A portal's slug and the ids of the roles in force.
type AudienceKey = (String, Vec<Uuid>);

/// The audiences of one version of the settings, by portal and the roles in force.
#[derive(Debug, Default)]
pub struct Audiences {
    held: Mutex<HashMap<AudienceKey, Arc<Audience>>>,
}

/// How many audiences one version of the settings keeps at most: a portal's customers mostly
/// share a handful of role sets; past this many, the set is started again.
const KEPT_AUDIENCES: usize = 256;

impl Audiences {
    /// The audience of `portal` (its slug) with the roles `roles` (their ids, in the
    /// settings' order).
    pub fn of(&self, portal: &str, roles: Vec<Uuid>) -> Arc<Audience> {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let key = (portal.to_owned(), roles);
        if let Some(audience) = held.get(&key) {
            return Arc::clone(audience);
        }
        if held.len() >= KEPT_AUDIENCES {
            held.clear();
        }
        Arc::clone(held.entry(key).or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Customer;
    use crate::metadata::Registry;
    use crate::portal::Portal;
    use crate::standard;

    fn engine<'a>(registry: &'a Registry, portal: &'a Portal, contact: Uuid) -> Access<'a> {
        Access {
            registry,
            portal,
            roles: Vec::new(),
            customer: Customer {
                contact,
                organization: Some(Uuid::new_v4()),
            },
        }
    }

    #[test]
    fn a_module_is_worked_out_once_and_shown_alike_to_every_customer() {
        let registry = standard::registry();
        let portal = Portal::default_portal();
        let cases = registry.module("cases").expect("cases");
        let audience = Audience::default();
        let first = audience.shown(&engine(&registry, &portal, Uuid::new_v4()), cases);
        let other = engine(&registry, &portal, Uuid::new_v4());
        let again = audience.shown(&other, cases);
        assert!(Arc::ptr_eq(&first.view, &again.view));
        assert_eq!(*again.access, other.module(cases));
        let names = |view: &ModuleDef| {
            view.fields
                .iter()
                .map(|f| f.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(&again.view),
            names(&visible_view(cases, &other.module(cases)))
        );
        assert!(
            again.view.fields.len() < cases.fields.len(),
            "hidden fields left out"
        );
    }

    #[test]
    fn each_portal_and_role_set_is_an_audience_of_its_own() {
        let audiences = Audiences::default();
        let role = Uuid::new_v4();
        let plain = audiences.of("default", Vec::new());
        assert!(Arc::ptr_eq(&plain, &audiences.of("default", Vec::new())));
        assert!(!Arc::ptr_eq(&plain, &audiences.of("default", vec![role])));
        assert!(!Arc::ptr_eq(&plain, &audiences.of("partners", Vec::new())));
    }
}
