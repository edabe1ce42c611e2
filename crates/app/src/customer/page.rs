//! A record as its page shows it to a customer, in one call: the record with the fields they
//! may see, comments, history, related lists, whether they follow it, and what they may do to
//! this very record (edit, delete, comment — each measured against its action level).

use atrium_core::portal::Level;
use atrium_core::{RecordId, Result};
use atrium_store::{ListProbe, Questions};

use super::Customer;
use super::records::visible_updates;
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
        // A level whose filter is the read predicate itself (`own` in a portal that shows the
        // customer their own records) holds for any record the read finds: only the others are
        // asked.
        let filters: Vec<_> = levels
            .iter()
            .map(|level| scoped.within(self, customer, *level))
            .collect();
        let tests: Vec<_> = filters.iter().filter(|f| **f != scoped.read).collect();
        // The related lists the portal shows here and the customer may read (one they cannot
        // is left out, not an error).
        let listed = customer
            .portal
            .module(module)
            .map(|entry| entry.related.as_slice())
            .unwrap_or_default();
        let params = [("per_page".to_owned(), RELATED_ROWS.to_owned())];
        let mut lists = Vec::new();
        for other in listed {
            match self.related_query(customer, &scoped, uuid, other, &params) {
                Ok(list) => lists.push(list),
                Err(atrium_core::Error::NotFound) => {}
                Err(other) => return Err(other),
            }
        }
        let probes: Vec<_> = lists
            .iter()
            .map(|(other, query)| ListProbe {
                module: other.module,
                view: &other.view,
                filter: &query.filter,
            })
            .collect();
        // One read under the customer's read predicate (a record they may not see is a 404, and
        // everything below is of a record they may see) that also answers, for this record,
        // each action level, whether the customer follows it and which related lists have
        // rows (an empty list, the usual case, costs no statement of its own), and brings its
        // public comments and history.
        let checked = self
            .store
            .get_view_checked(
                scoped.module,
                &scoped.view,
                uuid,
                &scoped.read,
                &Questions {
                    tests: &tests,
                    follower: Some(customer.id.contact),
                    lists: &probes,
                    timeline: true,
                },
            )
            .await?;
        let record = RecordView::new(scoped.view.clone(), checked.record);
        let mut answers = checked.matches.iter();
        let held: Vec<bool> = filters
            .iter()
            .map(|f| *f == scoped.read || answers.next().copied().unwrap_or(false))
            .collect();
        let may = |level: Level| levels.iter().zip(&held).any(|(l, yes)| *l == level && *yes);
        let allowed = Allowed {
            edit: may(grant.edit),
            delete: may(grant.delete),
            comment: may(grant.comment),
        };
        let timeline = checked.timeline.unwrap_or_default();
        let comments = timeline.comments.iter().map(CommentView::from).collect();
        let updates = visible_updates(&scoped, &timeline.updates);
        let mut related = Vec::new();
        for ((other, query), any) in lists.iter().zip(&checked.any_rows) {
            let items = if *any {
                self.related_rows(other, query).await?
            } else {
                Vec::new()
            };
            related.push(Related {
                module: other.module.name.clone(),
                items,
            });
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
