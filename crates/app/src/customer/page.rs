//! A record as its page shows it to a customer, in one call: the record with the fields they
//! may see, comments, history, related lists, whether they follow it, and what they may do to
//! this very record (edit, delete, comment — each measured against its action level).

use atrium_core::portal::Level;
use atrium_core::{RecordId, Result};

use super::Customer;
use crate::App;
use crate::views::{CommentView, RecordView, UpdateView};

/// What the customer may do to one record.
#[derive(Debug, Clone, Copy, Default)]
pub struct Allowed {
    pub edit: bool,
    pub delete: bool,
    pub comment: bool,
}

/// A related list of the record page: its first rows, without counting the rest.
#[derive(Debug, Clone)]
pub struct Related {
    pub module: String,
    pub items: Vec<RecordView>,
}

#[derive(Debug, Clone)]
pub struct RecordPage {
    pub record: RecordView,
    pub comments: Vec<CommentView>,
    pub updates: Vec<UpdateView>,
    pub related: Vec<Related>,
    pub following: bool,
    pub allowed: Allowed,
}

/// The rows a related list shows on the record page.
const RELATED_ROWS: &str = "10";

impl App {
    /// The record page of `module`/`id` as `customer` sees it (404 if they may not read it).
    pub async fn customer_record_page(
        &self,
        customer: &Customer,
        module: &str,
        id: &str,
    ) -> Result<RecordPage> {
        let scoped = self.scoped(customer, module)?;
        let uuid = RecordId::parse(id)?.0;
        // The action levels often coincide (edit and comment both `own`): each distinct level is
        // asked once.
        let grant = scoped.access.grant;
        let mut levels: Vec<Level> = Vec::new();
        for level in [grant.edit, grant.delete, grant.comment] {
            if level != Level::None && !levels.contains(&level) {
                levels.push(level);
            }
        }
        let filters: Vec<_> = levels
            .iter()
            .map(|level| scoped.within(self, customer, *level))
            .collect();
        let tests: Vec<_> = filters.iter().collect();
        // One read under the customer's read predicate (a record they may not see is a 404, and
        // everything below is of a record they may see) that also answers, for this record,
        // each action level and whether the customer follows it.
        let checked = self
            .store
            .get_view_checked(
                scoped.module,
                &scoped.view,
                uuid,
                &scoped.read,
                &tests,
                Some(customer.id.contact),
            )
            .await?;
        let record = RecordView::new(scoped.view.clone(), checked.record);
        let may = |level: Level| {
            levels
                .iter()
                .zip(&checked.matches)
                .any(|(l, yes)| *l == level && *yes)
        };
        let allowed = Allowed {
            edit: may(grant.edit),
            delete: may(grant.delete),
            comment: may(grant.comment),
        };
        let (comments, updates) = self.timeline_of(&scoped, uuid).await?;
        let mut related = Vec::new();
        let listed = customer
            .portal
            .module(module)
            .map(|entry| entry.related.as_slice())
            .unwrap_or_default();
        let params = [("per_page".to_owned(), RELATED_ROWS.to_owned())];
        for other in listed {
            match self
                .related_rows(customer, &scoped, uuid, other, &params)
                .await
            {
                Ok(items) => related.push(Related {
                    module: other.clone(),
                    items,
                }),
                // A related module the customer cannot read is left out, not an error.
                Err(atrium_core::Error::NotFound) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(RecordPage {
            record,
            comments,
            updates,
            related,
            following: checked.followed,
            allowed,
        })
    }
}
