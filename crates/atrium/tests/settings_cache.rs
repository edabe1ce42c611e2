//! Portals, roles and the company are kept in process while their version stands: a change
//! written by another instance (here: a second store on the same database) applies to the
//! very next request, and reading them costs one small statement while nothing changed.

mod common;

use common::TestApp;
use serde_json::json;

on_both_databases!(a_change_by_another_instance_applies_to_the_next_request);

async fn a_change_by_another_instance_applies_to_the_next_request(app: TestApp) {
    let storage = tempfile::tempdir().expect("tempdir");
    let other = app.other_instance(storage.path()).await;

    // Read once here (kept), then changed there.
    let (_, portal) = app.get("/api/v1/admin/portals/default").await;
    assert_eq!(portal["title"], "Customer Portal");
    let before = app.store.settings().await.expect("settings");
    let mut changed = other
        .portal("default")
        .await
        .expect("read")
        .expect("the default portal");
    changed.title = "Support Centre".into();
    other
        .save_portal(Some("default"), changed)
        .await
        .expect("save");
    let (_, portal) = app.get("/api/v1/admin/portals/default").await;
    assert_eq!(portal["title"], "Support Centre", "seen at once");

    let mut company = other.company().await.expect("company");
    company.name = "Northwind".into();
    other.save_company(&company).await.expect("save company");
    let (_, company) = app.get("/api/v1/admin/company").await;
    assert_eq!(company["name"], "Northwind");

    let role = other
        .save_portal_role(
            None,
            &serde_json::from_value(json!({"name": "Partners", "permissions": {}}))
                .expect("a role"),
        )
        .await
        .expect("save role");
    let after = app.store.settings().await.expect("settings");
    assert!(
        after.version >= before.version + 3,
        "every write moves the version"
    );
    assert!(
        after.roles.iter().any(|r| r.id == role.id),
        "the new role is among the settings"
    );
    // Nothing changed since: the very same copy is used.
    let again = app.store.settings().await.expect("settings");
    assert!(std::sync::Arc::ptr_eq(&after, &again));
}
