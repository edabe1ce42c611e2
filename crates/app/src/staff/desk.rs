//! The start page of a staff user: their work in cases and tickets, as counted lists — what is
//! assigned to them and not done, what waits on the customer, and what customers raised that
//! nobody has started on.

use atrium_core::query::{Filter, parse_list_params};
use atrium_core::rules::{done_statuses, waiting_status};
use atrium_core::value::Reference;
use atrium_core::{Result, Value};

use super::Staff;
use crate::App;
use crate::views::{Page, RecordView};

/// Which part of the work a list is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Assigned to the user and not done.
    Assigned,
    /// Waiting on the customer, assigned to the user or to nobody.
    Waiting,
    /// Raised by a customer in the portal and still in its first status.
    NewFromCustomers,
}

/// One list of the start page.
#[derive(Debug, Clone)]
pub struct WorkList {
    pub module: &'static str,
    pub work: Work,
    /// The newest first, at most [`ROWS`]; `total` counts them all.
    pub page: Page<RecordView>,
    /// The list page's parameters that show the same records, where a filter of the list page
    /// can say it.
    pub list_params: Option<Vec<(String, String)>>,
}

/// Rows per list of the start page.
pub const ROWS: u64 = 8;

/// The modules the start page shows.
const WORK_MODULES: [&str; 2] = ["cases", "tickets"];

impl App {
    /// The staff user's work, module by module.
    pub async fn staff_work(&self, staff: &Staff) -> Result<Vec<WorkList>> {
        let me = staff.user.id.to_string();
        let mut lists = Vec::new();
        for module_name in WORK_MODULES {
            let module = self.store.module(module_name)?;
            let first = module
                .field("status")
                .and_then(|f| f.values.first())
                .map(|v| v.value.clone());
            let not_done = done_statuses(module_name)
                .iter()
                .map(|s| Filter::Ne("status".into(), Value::Text((*s).to_owned())))
                .collect::<Vec<_>>();
            let mine = Filter::Eq(
                "assigned_to".into(),
                Value::Ref(Reference::to(staff.user.id)),
            );
            let mut assigned = vec![mine.clone()];
            assigned.extend(not_done);
            let mut wanted = vec![(
                Work::Assigned,
                Filter::And(assigned),
                Some(vec![("assigned_to".to_owned(), me.clone())]),
            )];
            if let Some(waiting) = waiting_status(module_name) {
                wanted.push((
                    Work::Waiting,
                    Filter::And(vec![
                        Filter::Eq("status".into(), Value::Text(waiting.to_owned())),
                        Filter::Or(vec![
                            mine.clone(),
                            Filter::Eq("assigned_to".into(), Value::Null),
                        ]),
                    ]),
                    None,
                ));
            }
            if let Some(first) = first {
                wanted.push((
                    Work::NewFromCustomers,
                    Filter::And(vec![
                        Filter::Eq("status".into(), Value::Text(first)),
                        Filter::Ne("created_by_ext".into(), Value::Null),
                    ]),
                    None,
                ));
            }
            for (work, filter, list_params) in wanted {
                let params = [
                    ("per_page".to_owned(), ROWS.to_string()),
                    ("sort".to_owned(), "-updated_at".to_owned()),
                ];
                let query = parse_list_params(module, &params)?.and(filter);
                let view = std::sync::Arc::new(module.clone());
                let page = self.store.list(module, &query).await?;
                lists.push(WorkList {
                    module: module_name,
                    work,
                    page: Page::of(&view, page, 1, ROWS),
                    list_params,
                });
            }
        }
        Ok(lists)
    }
}
