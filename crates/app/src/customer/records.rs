//! What a customer may list, read, create, change, delete, comment on, follow and download.
//! Each action asks the access engine (through [`Scoped`]) for the module's grant, visible
//! fields and read predicate; the store applies the predicate in SQL; every write is one
//! transaction with its follow, activity and staff notice.

use atrium_core::kinds::{ActivityKind, ActivitySource};
use atrium_core::portal::{FieldAccess, Level};
use atrium_core::query::{ListQuery, parse_list_params};
use atrium_core::validate::{Changes, Mode, parse_input};
use atrium_core::value::{FileInfo, Reference};
use atrium_core::{Error, FieldError, FieldType, ModuleDef, RecordId, Result, Value};
use atrium_store::{Actor, Effects, NewActivity, Upload};
use serde_json::Value as Json;
use uuid::Uuid;

use super::{Customer, Scoped};
use crate::App;
use crate::notify::StaffNotice;
use crate::views::{CommentView, Page, RecordView, UpdateView};

/// The longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 100_000;

/// A comment body must have text and at most [`MAX_COMMENT_CHARS`] characters.
pub fn check_comment(body: &str) -> Result<()> {
    if body.trim().is_empty() {
        return Err(Error::field("body", "required"));
    }
    if body.chars().count() > MAX_COMMENT_CHARS {
        return Err(Error::field(
            "body",
            format!("must be at most {MAX_COMMENT_CHARS} characters"),
        ));
    }
    Ok(())
}

pub(crate) fn record_id(id: &str) -> Result<Uuid> {
    Ok(RecordId::parse(id)?.0)
}

/// Only `read_write` fields may be sent; anything else is a 422 naming it.
pub fn check_writable(access: &atrium_core::access::ModuleAccess, body: &Json) -> Result<()> {
    let Some(object) = body.as_object() else {
        return Err(Error::BadRequest("the body must be a JSON object".into()));
    };
    let errors: Vec<FieldError> = object
        .keys()
        .filter_map(|key| match access.field(key) {
            FieldAccess::ReadWrite => None,
            FieldAccess::ReadOnly => Some(FieldError::new(key, "read-only field")),
            FieldAccess::Hidden => Some(FieldError::new(key, "unknown field")),
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(errors))
    }
}

/// The fields the engine sets on a customer's new record, and the links it makes.
fn engine_values(customer: &Customer, module: &ModuleDef) -> (Changes, Vec<(String, Uuid)>) {
    let mut changes: Changes = Vec::new();
    let mut links = Vec::new();
    let contact = customer.id.contact;
    let organization = customer.id.organization;
    let is_link = |name: &str, target: &str| {
        module
            .field(name)
            .is_some_and(|f| !f.system && f.references() == Some(target))
    };
    if is_link("contact", "contacts") {
        changes.push(("contact".into(), Value::Ref(Reference::to(contact))));
    } else if module.can_link("contacts") {
        links.push(("contacts".to_owned(), contact));
    }
    if let Some(organization) = organization {
        if is_link("organization", "organizations") {
            changes.push((
                "organization".into(),
                Value::Ref(Reference::to(organization)),
            ));
        } else if module.can_link("organizations") {
            links.push(("organizations".to_owned(), organization));
        }
    }
    if module
        .field("channel")
        .is_some_and(|f| f.picklist_value("Portal").is_some())
    {
        changes.push(("channel".into(), Value::Text("Portal".into())));
    }
    if is_support_request(module)
        && let Some(assignee) = customer.portal.default_assignee
    {
        changes.push(("assigned_to".into(), Value::Ref(Reference::to(assignee))));
    }
    (changes, links)
}

/// Cases and tickets: what staff are told of when a customer raises or answers one.
fn is_support_request(module: &ModuleDef) -> bool {
    matches!(module.name.as_str(), "cases" | "tickets")
}

/// A customer's reply takes the record out of a waiting state, so it is not lost there.
fn reopen_on_reply(module: &ModuleDef, status: &Value) -> Option<&'static str> {
    match (module.name.as_str(), status.as_text()) {
        ("cases", Some("Waiting on Customer" | "Resolved")) => Some("Open"),
        ("tickets", Some("Wait For Response")) => Some("Open"),
        _ => None,
    }
}

pub(crate) fn activity(
    customer: &Customer,
    kind: ActivityKind,
    detail: String,
    record: (&str, Uuid),
) -> NewActivity {
    NewActivity {
        contact: customer.id.contact,
        kind,
        source: ActivitySource::Portal,
        detail,
        record: Some((record.0.to_owned(), record.1)),
    }
}

impl App {
    /// A page of the module's records that the customer may read.
    pub async fn customer_list(
        &self,
        customer: &Customer,
        module: &str,
        params: &[(String, String)],
    ) -> Result<Page<RecordView>> {
        let scoped = self.scoped(customer, module)?;
        // A module's own list is there when the customer's menu has it; children readable
        // only as a related list (project tasks) are listed from their parent.
        if scoped.access.grant.read == Level::None {
            return Err(Error::NotFound);
        }
        let query = parse_list_params(&scoped.view, params)?.and(scoped.read.clone());
        let page = self
            .store
            .list_view(scoped.module, &scoped.view, &query)
            .await?;
        Ok(Page::of(&scoped.view, page, query.page, query.per_page))
    }

    /// One record the customer may read, with the fields they may see.
    pub async fn customer_read(
        &self,
        customer: &Customer,
        module: &str,
        id: &str,
    ) -> Result<RecordView> {
        let scoped = self.scoped(customer, module)?;
        self.read_scoped(&scoped, record_id(id)?).await
    }

    pub(crate) async fn read_scoped(&self, scoped: &Scoped<'_>, id: Uuid) -> Result<RecordView> {
        let record = self
            .store
            .get_view(scoped.module, &scoped.view, id, &scoped.read)
            .await?;
        Ok(RecordView::new(scoped.view.clone(), record))
    }

    /// A customer's new record from the fields they sent (only `read_write` ones), with the
    /// engine's own values on top (their contact, organization, channel, assignee), and for a
    /// module with a file field, the uploaded file. In one transaction: the record, its links,
    /// the follow, the staff notice and the activity; kept only if the customer can then see
    /// the record (else 403 and nothing is written).
    pub async fn customer_create(
        &self,
        customer: &Customer,
        module: &str,
        body: &Json,
        upload: Option<Upload>,
    ) -> Result<RecordView> {
        const FILE: &str = "file";
        let scoped = self.scoped(customer, module)?;
        if !scoped.access.grant.create {
            return Err(Error::Forbidden("You may not create records here.".into()));
        }
        let takes_file = scoped
            .module
            .field(FILE)
            .is_some_and(|f| f.field_type == FieldType::File);
        if upload.is_some() && !takes_file {
            return Err(Error::BadRequest(
                "this module takes JSON, not a file upload".into(),
            ));
        }
        if upload.is_some() && scoped.access.field(FILE) != FieldAccess::ReadWrite {
            return Err(Error::field(FILE, "read-only field"));
        }
        check_writable(&scoped.access, body)?;
        let mut changes = parse_input(scoped.module, body, Mode::Create)?;
        let (engine, links) = engine_values(customer, scoped.module);
        for (field, value) in engine {
            changes.retain(|(f, _)| *f != field);
            changes.push((field, value));
        }
        let mut link_modules = Vec::new();
        for (module, id) in &links {
            link_modules.push((self.store.module(module)?, *id));
        }
        let notice = if is_support_request(scoped.module) {
            let assignee = changes
                .iter()
                .find(|(f, _)| f == "assigned_to")
                .and_then(|(_, v)| v.as_ref_id());
            StaffNotice::load(self, &customer.portal, assignee, &customer.contact).await?
        } else {
            None
        };
        let stored = match upload {
            Some(upload) => {
                let (key, info) = self.store.put_file(&scoped.module.name, upload).await?;
                changes.push((FILE.into(), Value::File(info)));
                Some(key)
            }
            None => None,
        };
        let written = self
            .write_new_record(customer, &scoped, changes, &link_modules, notice)
            .await;
        match written {
            Ok(id) => self.read_scoped(&scoped, id).await,
            Err(err) => {
                if let Some(key) = stored {
                    self.store.discard_file(&key).await;
                }
                Err(err)
            }
        }
    }

    async fn write_new_record(
        &self,
        customer: &Customer,
        scoped: &Scoped<'_>,
        changes: Changes,
        links: &[(&ModuleDef, Uuid)],
        notice: Option<StaffNotice>,
    ) -> Result<Uuid> {
        let contacts = self.store.module("contacts")?;
        let actor = Actor::Contact(customer.id.contact);
        let mut work = self.store.work().await?;
        let created = work.create(scoped.module, changes, actor, links).await?;
        if !work
            .matches(scoped.module, created.id, &scoped.read)
            .await?
        {
            return Err(Error::Forbidden(
                "You would not be able to see this record once created.".into(),
            ));
        }
        work.follow(&scoped.module.name, created.id, customer.id.contact)
            .await?;
        let mut effects = Effects::default();
        if let Some(notice) = notice {
            let record = work.get_labeled(scoped.module, created.id).await?;
            effects.mails.push(notice.render(
                contacts,
                scoped.module,
                &record,
                &customer.contact,
                None,
            )?);
        }
        effects.activity.push(activity(
            customer,
            ActivityKind::PortalRecordCreated,
            format!("Created {}", created.number),
            (&scoped.module.name, created.id),
        ));
        work.effects(&effects).await?;
        work.commit().await?;
        Ok(created.id)
    }

    /// Changes the fields the customer sent (only `read_write` ones) of a record within their
    /// edit level; `if_match` is the version they last saw.
    pub async fn customer_change(
        &self,
        customer: &Customer,
        module: &str,
        id: &str,
        body: &Json,
        if_match: Option<i64>,
    ) -> Result<RecordView> {
        let scoped = self.scoped(customer, module)?;
        let id = record_id(id)?;
        scoped
            .require(self, customer, id, scoped.access.grant.edit)
            .await?;
        check_writable(&scoped.access, body)?;
        let changes = parse_input(scoped.module, body, Mode::Update)?;
        let mut work = self.store.work().await?;
        let changed = work
            .update(
                scoped.module,
                id,
                changes,
                Actor::Contact(customer.id.contact),
                if_match,
            )
            .await?;
        // A change may not take the record out of the customer's sight (a task moved to
        // another organization's project, a document made inactive): refused, nothing kept.
        if !work.matches(scoped.module, id, &scoped.read).await? {
            return Err(Error::Forbidden(
                "You would not be able to see this record after this change.".into(),
            ));
        }
        work.effects(&Effects {
            activity: vec![activity(
                customer,
                ActivityKind::PortalRecordUpdated,
                format!("Changed {}", changed.after.number),
                (&scoped.module.name, id),
            )],
            ..Effects::default()
        })
        .await?;
        work.commit().await?;
        self.read_scoped(&scoped, id).await
    }

    /// Deletes a record within the customer's delete level.
    pub async fn customer_delete(&self, customer: &Customer, module: &str, id: &str) -> Result<()> {
        let scoped = self.scoped(customer, module)?;
        let id = record_id(id)?;
        scoped
            .require(self, customer, id, scoped.access.grant.delete)
            .await?;
        self.store
            .delete(scoped.module, id, Actor::Contact(customer.id.contact))
            .await
    }

    /// The records of `other` related to a readable record, when the portal lists them there
    /// and the customer may read them.
    pub async fn customer_related(
        &self,
        customer: &Customer,
        module: &str,
        id: &str,
        other: &str,
        params: &[(String, String)],
    ) -> Result<Page<RecordView>> {
        let scoped = self.scoped(customer, module)?;
        let id = record_id(id)?;
        scoped.require_readable(self, id).await?;
        self.related_of(customer, &scoped, id, other, params).await
    }

    /// The related list `other` of record `id`, which the caller has found readable.
    pub(crate) async fn related_of(
        &self,
        customer: &Customer,
        scoped: &Scoped<'_>,
        id: Uuid,
        other: &str,
        params: &[(String, String)],
    ) -> Result<Page<RecordView>> {
        let (other, query) = self.related_query(customer, scoped, id, other, params)?;
        let page = self
            .store
            .list_view(other.module, &other.view, &query)
            .await?;
        Ok(Page::of(&other.view, page, query.page, query.per_page))
    }

    /// The rows of a related list that `query` (made by [`App::related_query`]) asks for,
    /// without counting them all.
    pub(crate) async fn related_rows(
        &self,
        other: &Scoped<'_>,
        query: &ListQuery,
    ) -> Result<Vec<RecordView>> {
        let rows = self
            .store
            .first_rows(other.module, &other.view, query)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| RecordView::new(other.view.clone(), r))
            .collect())
    }

    /// The module `other` as the customer sees it and the query of its related list of record
    /// `id`: 404 unless the portal lists it there, the modules are related and the customer
    /// may read `other`.
    pub(crate) fn related_query<'a>(
        &'a self,
        customer: &Customer,
        scoped: &Scoped<'_>,
        id: Uuid,
        other: &str,
        params: &[(String, String)],
    ) -> Result<(Scoped<'a>, ListQuery)> {
        let listed = customer
            .portal
            .module(&scoped.module.name)
            .is_some_and(|entry| entry.related.iter().any(|r| r == other));
        if !listed {
            return Err(Error::NotFound);
        }
        let other = self.scoped(customer, other)?;
        let relation = self
            .store
            .related_filter(scoped.module, id, other.module)
            .ok_or(Error::NotFound)?;
        // Related only through links to this readable record, and linked is itself a reason
        // to read them: the access engine says which rule is left, without the whole read
        // predicate.
        let only_links = !other
            .module
            .fields
            .iter()
            .any(|f| !f.system && f.references() == Some(scoped.module.name.as_str()));
        let read = match customer
            .access(self)
            .read_filter_via_link(other.module, scoped.module)
        {
            Some(rule) if only_links => rule,
            _ => other.read.clone(),
        };
        let query = parse_list_params(&other.view, params)?
            .and(relation)
            .and(read);
        Ok((other, query))
    }

    /// The history of the fields the customer may see.
    pub async fn customer_updates(
        &self,
        customer: &Customer,
        module: &str,
        id: &str,
    ) -> Result<Vec<UpdateView>> {
        let scoped = self.scoped(customer, module)?;
        let id = record_id(id)?;
        scoped.require_readable(self, id).await?;
        self.updates_of(&scoped, id).await
    }

    /// The history of record `id`, which the caller has found readable.
    pub(crate) async fn updates_of(
        &self,
        scoped: &Scoped<'_>,
        id: Uuid,
    ) -> Result<Vec<UpdateView>> {
        let entries = self.store.updates(scoped.module, id).await?;
        Ok(visible_updates(scoped, &entries))
    }

    /// The comments on a readable record, never internal ones.
    pub async fn customer_comments(
        &self,
        customer: &Customer,
        module: &str,
        id: &str,
    ) -> Result<Vec<CommentView>> {
        let scoped = self.scoped(customer, module)?;
        let id = record_id(id)?;
        scoped.require_readable(self, id).await?;
        self.comments_of(&scoped, id).await
    }

    /// The public comments of record `id`, which the caller has found readable.
    pub(crate) async fn comments_of(
        &self,
        scoped: &Scoped<'_>,
        id: Uuid,
    ) -> Result<Vec<CommentView>> {
        let comments = self.store.comments(scoped.module, id, false).await?;
        Ok(comments.iter().map(CommentView::from).collect())
    }

    /// A customer's comment on a record within their comment level. In one transaction: the
    /// comment, reopening a record that waited on them, the follow, the staff notice and the
    /// activity.
    pub async fn customer_comment(
        &self,
        customer: &Customer,
        module: &str,
        id: &str,
        body: &str,
    ) -> Result<CommentView> {
        let scoped = self.scoped(customer, module)?;
        let id = record_id(id)?;
        scoped
            .require(self, customer, id, scoped.access.grant.comment)
            .await?;
        check_comment(body)?;
        let contacts = self.store.module("contacts")?;
        let before = self.store.get(scoped.module, id).await?;
        let notice = StaffNotice::load(
            self,
            &customer.portal,
            before.get("assigned_to").as_ref_id(),
            &customer.contact,
        )
        .await?;
        let actor = Actor::Contact(customer.id.contact);
        let mut work = self.store.work().await?;
        let comment = work
            .add_comment(scoped.module, id, body, false, actor)
            .await?;
        let record = work.get(scoped.module, id).await?;
        if let Some(status) = reopen_on_reply(scoped.module, record.get("status")) {
            let reopen = vec![("status".into(), Value::Text(status.into()))];
            work.update(scoped.module, id, reopen, actor, None).await?;
        }
        work.follow(&scoped.module.name, id, customer.id.contact)
            .await?;
        let mut effects = Effects::default();
        if let Some(notice) = notice {
            effects.mails.push(notice.render(
                contacts,
                scoped.module,
                &before,
                &customer.contact,
                Some(body),
            )?);
        }
        effects.activity.push(activity(
            customer,
            ActivityKind::PortalComment,
            format!("Commented on {}", record.number),
            (&scoped.module.name, id),
        ));
        work.effects(&effects).await?;
        work.commit().await?;
        let added = self.store.comment(scoped.module, id, comment).await?;
        Ok(CommentView::from(&added))
    }

    /// Follows (or stops following) a readable record.
    pub async fn customer_follow(
        &self,
        customer: &Customer,
        module: &str,
        id: &str,
        follow: bool,
    ) -> Result<()> {
        let scoped = self.scoped(customer, module)?;
        let id = record_id(id)?;
        scoped.require_readable(self, id).await?;
        let (module, contact) = (&scoped.module.name, customer.id.contact);
        if follow {
            self.store.follow(module, id, contact).await
        } else {
            self.store.unfollow(module, id, contact).await
        }
    }

    /// The file of a document the customer may read, when they may see its file field.
    pub async fn customer_document_file(&self, customer: &Customer, id: &str) -> Result<FileInfo> {
        let scoped = self.scoped(customer, "documents")?;
        if scoped.access.field("file") == FieldAccess::Hidden {
            return Err(Error::NotFound);
        }
        let record = self.read_scoped(&scoped, record_id(id)?).await?.record;
        match record.get("file") {
            Value::File(info) => Ok(info.clone()),
            _ => Err(Error::NotFound),
        }
    }

    /// Replaces the file of a document within the customer's edit level; returns the file
    /// field as JSON.
    pub async fn customer_replace_file(
        &self,
        customer: &Customer,
        id: &str,
        upload: Upload,
    ) -> Result<Json> {
        let scoped = self.scoped(customer, "documents")?;
        let id = record_id(id)?;
        scoped
            .require(self, customer, id, scoped.access.grant.edit)
            .await?;
        if scoped.access.field("file") != FieldAccess::ReadWrite {
            return Err(Error::Forbidden("You may not replace this file.".into()));
        }
        let info = self
            .store
            .set_file(
                scoped.module,
                id,
                "file",
                upload,
                Actor::Contact(customer.id.contact),
            )
            .await?;
        let field = scoped.module.field("file").ok_or(Error::NotFound)?;
        Ok(Value::File(info).to_json(field))
    }
}

/// The history entries of the fields the customer may see.
pub(crate) fn visible_updates(
    scoped: &Scoped<'_>,
    entries: &[atrium_store::UpdateEntry],
) -> Vec<UpdateView> {
    entries
        .iter()
        .filter(|e| scoped.shows(&e.field))
        .map(UpdateView::from)
        .collect()
}
