//! A customer accepts or rejects a quote they were sent, online: once, and only while it
//! waits on them.

use atrium_core::kinds::ActivityKind;
use atrium_core::rules::DECIDABLE_QUOTE_STAGES;
use atrium_core::{Error, FieldError, Result, Value};
use atrium_store::{Actor, Effects};

use super::Customer;
use super::records::{MAX_COMMENT_CHARS, activity, record_id};
use crate::App;
use crate::notify::StaffNotice;
use crate::views::RecordView;

/// The longest signer's name, in characters.
const MAX_SIGNER_CHARS: usize = 200;

/// What the customer decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteDecision {
    Accept,
    Reject,
}

impl QuoteDecision {
    fn stage(self) -> &'static str {
        match self {
            QuoteDecision::Accept => "Accepted",
            QuoteDecision::Reject => "Rejected",
        }
    }

    fn activity(self) -> ActivityKind {
        match self {
            QuoteDecision::Accept => ActivityKind::QuoteAccepted,
            QuoteDecision::Reject => ActivityKind::QuoteRejected,
        }
    }
}

/// The comment that tells staff (and the customer's colleagues) who decided, and why.
fn decision_comment(decision: QuoteDecision, signer: &str, comment: &str) -> String {
    let verb = match decision {
        QuoteDecision::Accept => "accepted",
        QuoteDecision::Reject => "rejected",
    };
    // The signer's name is the customer's own text: escaped so it cannot become markdown.
    let signer: String = signer
        .chars()
        .flat_map(|c| {
            let escape = c.is_ascii_punctuation().then_some('\\');
            escape.into_iter().chain(std::iter::once(c))
        })
        .collect();
    match comment.trim() {
        "" => format!("Quote {verb} online by {signer}."),
        text => format!("Quote {verb} online by {signer}:\n\n{text}"),
    }
}

fn check_decision(signer: &str, comment: &str) -> Result<()> {
    let mut errors = Vec::new();
    if signer.is_empty() {
        errors.push(FieldError::new("signer_name", "required"));
    } else if signer.chars().count() > MAX_SIGNER_CHARS {
        errors.push(FieldError::new(
            "signer_name",
            format!("must be at most {MAX_SIGNER_CHARS} characters"),
        ));
    }
    if comment.chars().count() > MAX_COMMENT_CHARS {
        errors.push(FieldError::new(
            "comment",
            format!("must be at most {MAX_COMMENT_CHARS} characters"),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(errors))
    }
}

impl App {
    /// Accepts or rejects a quote the customer can read, when it is `Delivered` or `Reviewed`
    /// (else 409). In one transaction: the stage with who signed and when, a comment saying
    /// so, the follow, the assigned staff member's notice and the activity.
    pub async fn customer_decide_quote(
        &self,
        customer: &Customer,
        id: &str,
        decision: QuoteDecision,
        signer_name: &str,
        comment: Option<&str>,
    ) -> Result<RecordView> {
        let scoped = self.scoped(customer, "quotes")?;
        let id = record_id(id)?;
        let signer = signer_name.trim();
        let comment = comment.unwrap_or_default();
        check_decision(signer, comment)?;
        scoped.require_readable(self, id).await?;
        let contacts = self.store.module("contacts")?;
        let assignee = self.store.get(scoped.module, id).await?;
        let notice = StaffNotice::load(
            self,
            &customer.portal,
            assignee.get("assigned_to").as_ref_id(),
            &customer.contact,
        )
        .await?;
        let actor = Actor::Contact(customer.id.contact);
        let mut work = self.store.work().await?;
        // Checked again in the transaction: the quote may have changed hands since.
        if !work.matches(scoped.module, id, &scoped.read).await? {
            return Err(Error::NotFound);
        }
        // Read under the row lock: two decisions sent at once cannot both pass this check.
        let quote = work.get(scoped.module, id).await?;
        let stage = quote.get("stage").as_text().unwrap_or_default().to_owned();
        if !DECIDABLE_QUOTE_STAGES.contains(&stage.as_str()) {
            return Err(Error::Conflict(format!(
                "This quote is {stage}: it can no longer be accepted or rejected."
            )));
        }
        let changes = vec![
            ("stage".into(), Value::Text(decision.stage().into())),
            ("signed_by".into(), Value::Text(signer.to_owned())),
            ("decided_at".into(), Value::DateTime(self.now())),
        ];
        work.update(scoped.module, id, changes, actor, None).await?;
        let body = decision_comment(decision, signer, comment);
        work.add_comment(scoped.module, id, &body, false, actor)
            .await?;
        work.follow(&scoped.module.name, id, customer.id.contact)
            .await?;
        let mut effects = Effects::default();
        if let Some(notice) = notice {
            effects.mails.push(notice.render(
                contacts,
                scoped.module,
                &quote,
                &customer.contact,
                Some(&body),
            )?);
        }
        effects.activity.push(activity(
            customer,
            decision.activity(),
            format!("{} {}", decision.stage(), quote.number),
            (&scoped.module.name, id),
        ));
        work.effects(&effects).await?;
        work.commit().await?;
        self.read_scoped(&scoped, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signers_name_cannot_become_markdown() {
        let body = decision_comment(QuoteDecision::Accept, "*Evil* [link](x)", "");
        assert_eq!(body, r"Quote accepted online by \*Evil\* \[link\]\(x\).");
        let body = decision_comment(QuoteDecision::Reject, "Emma", " Too expensive. ");
        assert_eq!(body, "Quote rejected online by Emma:\n\nToo expensive.");
    }

    #[test]
    fn a_decision_needs_a_signer() {
        let Err(Error::Validation(errors)) = check_decision("", "") else {
            panic!("refused");
        };
        assert_eq!(errors[0].field, "signer_name");
        assert!(check_decision("Emma Stone", "").is_ok());
    }
}
