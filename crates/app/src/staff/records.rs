//! The staff side of every module's records. A change and what it causes — a contact's
//! invitation or signing out, the notices a status change or a reply sends to customers — are
//! one transaction.

use std::sync::Arc;

use atrium_core::query::parse_list_params;
use atrium_core::validate::{Changes, Mode, parse_input};
use atrium_core::{Error, ModuleDef, RecordId, Result, Value};
use atrium_store::{Actor, Effects, Upload};
use serde_json::Value as Json;
use uuid::Uuid;

use super::Staff;
use super::contacts::{self, CONTACTS, InvitePlanner};
use crate::App;
use crate::customer::records::check_comment;
use crate::mailing::contact_after;
use crate::notify::{self, Update};
use crate::views::{CommentView, Page, RecordView, UpdateView};

fn record_id(id: &str) -> Result<Uuid> {
    Ok(RecordId::parse(id)?.0)
}

fn sets_portal_user(changes: &Changes) -> bool {
    changes
        .iter()
        .any(|(f, v)| f == "portal_user" && *v == Value::Boolean(true))
}

impl App {
    /// A module by name, as a view of all its fields.
    fn staff_view(&self, module: &str) -> Result<(&ModuleDef, Arc<ModuleDef>)> {
        let module = self.store.module(module)?;
        Ok((module, Arc::new(module.clone())))
    }

    /// A page of a module's records.
    pub async fn staff_list(
        &self,
        module: &str,
        params: &[(String, String)],
    ) -> Result<Page<RecordView>> {
        let (module, view) = self.staff_view(module)?;
        let query = parse_list_params(module, params)?;
        let page = self.store.list(module, &query).await?;
        Ok(Page::of(&view, page, query.page, query.per_page))
    }

    /// The staff users a record may be assigned to: the active ones, as (id, name).
    pub async fn staff_assignees(&self) -> Result<Vec<(Uuid, String)>> {
        let mut users: Vec<(Uuid, String)> = self
            .store
            .staff_users()
            .await?
            .into_iter()
            .filter(|u| u.active)
            .map(|u| (u.id, u.name))
            .collect();
        users.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(users)
    }

    /// One record.
    pub async fn staff_read(&self, module: &str, id: &str) -> Result<RecordView> {
        let (module, view) = self.staff_view(module)?;
        let record = self.store.get(module, record_id(id)?).await?;
        Ok(RecordView::new(view, record))
    }

    /// A new record. A new contact with portal access is invited in the same transaction
    /// (`portal` in the answer says whether, and why not).
    pub async fn staff_create(
        &self,
        staff: &Staff,
        module: &str,
        body: &Json,
    ) -> Result<RecordView> {
        self.staff_create_with_file(staff, module, body, None).await
    }

    /// [`App::staff_create`] of a record with its file (a document's), in one transaction: a
    /// refused record leaves no stored file.
    pub async fn staff_create_with_file(
        &self,
        staff: &Staff,
        module: &str,
        body: &Json,
        upload: Option<Upload>,
    ) -> Result<RecordView> {
        let (module, view) = self.staff_view(module)?;
        let mut changes = parse_input(module, body, Mode::Create)?;
        let actor = Actor::Staff(staff.user.id);
        if module.name != CONTACTS {
            let stored = match upload {
                Some(upload) => {
                    let field = module
                        .fields
                        .iter()
                        .find(|f| matches!(f.field_type, atrium_core::FieldType::File))
                        .ok_or_else(|| Error::BadRequest("this module takes no file".into()))?;
                    let (key, info) = self.store.put_file(&module.name, upload).await?;
                    changes.push((field.name.clone(), Value::File(info)));
                    Some(key)
                }
                None => None,
            };
            return match self.store.create(module, changes, actor).await {
                Ok(record) => Ok(RecordView::new(view, record)),
                Err(error) => {
                    if let Some(key) = stored {
                        self.store.discard_file(&key).await;
                    }
                    Err(error)
                }
            };
        }
        contacts::check_write(&self.store, None, &mut changes).await?;
        let invite = InvitePlanner::load(self, None, &changes, sets_portal_user(&changes)).await?;
        let mut work = self.store.work().await?;
        let created = work.create(module, changes.clone(), actor, &[]).await?;
        let invitation = invite.plan(created.id, None, &changes)?;
        if let Some(invitation) = &invitation {
            work.effects(&invitation.effects).await?;
        }
        work.commit().await?;
        let record = self.store.get(module, created.id).await?;
        let mut view = RecordView::new(view, record);
        if let Some(invitation) = invitation {
            view = view.with("portal", invitation.json());
        }
        Ok(view)
    }

    /// Changes a record; `if_match` is the version the client last saw. A status that really
    /// changes notifies the customers who follow the record; a contact given portal access is
    /// invited, and one whose access is taken away or changed is signed out.
    pub async fn staff_change(
        &self,
        staff: &Staff,
        module: &str,
        id: &str,
        body: &Json,
        if_match: Option<i64>,
    ) -> Result<RecordView> {
        let (module, view) = self.staff_view(module)?;
        let id = record_id(id)?;
        let mut changes = parse_input(module, body, Mode::Update)?;
        let actor = Actor::Staff(staff.user.id);
        if module.name != CONTACTS {
            let notices = self.status_change_notices(module, id, &changes).await?;
            let mut work = self.store.work().await?;
            let changed = work.update(module, id, changes, actor, if_match).await?;
            // Only a status that really changes is news, and only from the status composed against.
            let status_changed = changed.changes.iter().any(|(f, _)| f == "status");
            if let Some((old, effects)) = notices
                && status_changed
                && changed.before.get("status").as_text() == old.as_deref()
            {
                work.effects(&effects).await?;
            }
            work.commit().await?;
            let record = self.store.get(module, id).await?;
            return Ok(RecordView::new(view, record));
        }
        let before = self.store.get(module, id).await?;
        let after = contacts::check_write(&self.store, Some(&before), &mut changes).await?;
        let inviting =
            sets_portal_user(&changes) && before.get("portal_user") != &Value::Boolean(true);
        let invite = InvitePlanner::load(self, Some(&before), &changes, inviting).await?;
        let mut work = self.store.work().await?;
        let changed = work.update(module, id, changes, actor, if_match).await?;
        // Only a change from no access to access invites; sending `true` again does not.
        let invitation = if changed.before.get("portal_user") == &Value::Boolean(true) {
            None
        } else {
            invite.plan(id, Some(&changed.before), &changed.changes)?
        };
        if let Some(invitation) = &invitation {
            work.effects(&invitation.effects).await?;
        }
        contacts::after_write(&mut work, id, after).await?;
        work.commit().await?;
        let record = self.store.get(module, id).await?;
        let mut view = RecordView::new(view, record);
        if let Some(invitation) = invitation {
            view = view.with("portal", invitation.json());
        }
        Ok(view)
    }

    /// The notices a status change would send, with the status they were composed against.
    async fn status_change_notices(
        &self,
        module: &ModuleDef,
        id: Uuid,
        changes: &Changes,
    ) -> Result<Option<(Option<String>, Effects)>> {
        let Some((_, Value::Text(new))) = changes.iter().find(|(f, _)| f == "status") else {
            return Ok(None);
        };
        let before = self.store.get(module, id).await?;
        let old = before.get("status").as_text().map(str::to_owned);
        if old.as_deref() == Some(new.as_str()) {
            return Ok(None);
        }
        let after = contact_after(id, Some(&before), changes);
        let update = Update {
            comment: None,
            status: Some((old.clone().unwrap_or_default(), new.clone())),
        };
        let effects = notify::record_updated(self, module, &after, &update).await?;
        Ok(Some((old, effects)))
    }

    /// Soft-deletes a record.
    pub async fn staff_delete(&self, staff: &Staff, module: &str, id: &str) -> Result<()> {
        let module = self.store.module(module)?;
        self.store
            .delete(module, record_id(id)?, Actor::Staff(staff.user.id))
            .await
    }

    /// The records of `other` related to record `id` of `module`.
    pub async fn staff_related(
        &self,
        module: &str,
        id: &str,
        other: &str,
        params: &[(String, String)],
    ) -> Result<Page<RecordView>> {
        let module = self.store.module(module)?;
        let (other, view) = self.staff_view(other)?;
        let id = record_id(id)?;
        if !self.store.exists(module, id).await? {
            return Err(Error::NotFound);
        }
        let filter = self
            .store
            .related_filter(module, id, other)
            .ok_or(Error::NotFound)?;
        let query = parse_list_params(other, params)?.and(filter);
        let page = self.store.list(other, &query).await?;
        Ok(Page::of(&view, page, query.page, query.per_page))
    }

    /// The modules whose records can be listed as related to a record of `module`.
    pub fn staff_related_modules(&self, module: &str) -> Result<Vec<&ModuleDef>> {
        let module = self.store.module(module)?;
        Ok(self.store.related_modules(module))
    }

    /// Links (or unlinks) two records many-to-many.
    pub async fn staff_link(
        &self,
        (module, id): (&str, &str),
        (other, other_id): (&str, &str),
        linked: bool,
    ) -> Result<()> {
        let (a, b) = (self.store.module(module)?, self.store.module(other)?);
        let (a_id, b_id) = (record_id(id)?, record_id(other_id)?);
        if linked {
            self.store.link(a, a_id, b, b_id).await
        } else {
            self.store.unlink(a, a_id, b, b_id).await
        }
    }

    /// A record's comments, internal notes included.
    pub async fn staff_comments(&self, module: &str, id: &str) -> Result<Vec<CommentView>> {
        let module = self.store.module(module)?;
        let id = record_id(id)?;
        if !self.store.exists(module, id).await? {
            return Err(Error::NotFound);
        }
        let comments = self.store.comments(module, id, true).await?;
        Ok(comments.iter().map(CommentView::from).collect())
    }

    /// A reply to the customer, or an internal note (never shown to customers). A reply
    /// notifies the customers who follow the record, in the comment's transaction.
    pub async fn staff_comment(
        &self,
        staff: &Staff,
        module: &str,
        id: &str,
        body: &str,
        internal: bool,
    ) -> Result<CommentView> {
        let module = self.store.module(module)?;
        let id = record_id(id)?;
        check_comment(body)?;
        let record = self.store.get(module, id).await?;
        let effects = if internal {
            Effects::default()
        } else {
            let update = Update {
                comment: Some((body, &staff.user.name)),
                status: None,
            };
            notify::record_updated(self, module, &record, &update).await?
        };
        let mut work = self.store.work().await?;
        let comment = work
            .add_comment(module, id, body, internal, Actor::Staff(staff.user.id))
            .await?;
        work.effects(&effects).await?;
        work.commit().await?;
        let added = self.store.comment(module, id, comment).await?;
        Ok(CommentView::from(&added))
    }

    /// The comments, internal notes included, and the field history of a record already read
    /// (so known to exist), in one read.
    pub async fn staff_timeline(
        &self,
        read: &RecordView,
    ) -> Result<(Vec<CommentView>, Vec<UpdateView>)> {
        let timeline = self
            .store
            .timeline(&read.view, read.record.id, true)
            .await?;
        Ok((
            timeline.comments.iter().map(CommentView::from).collect(),
            timeline.updates.iter().map(UpdateView::from).collect(),
        ))
    }

    /// A record's field history, newest first.
    pub async fn staff_updates(&self, module: &str, id: &str) -> Result<Vec<UpdateView>> {
        let module = self.store.module(module)?;
        let id = record_id(id)?;
        if !self.store.exists(module, id).await? {
            return Err(Error::NotFound);
        }
        let entries = self.store.updates(module, id).await?;
        Ok(entries.iter().map(UpdateView::from).collect())
    }
}
