//! The closed sets of words Atrium stores and matches on — token kinds, activity kinds and
//! sources, outbox statuses — as types, so that a misspelling is a compile error and the
//! database holds only words from these lists.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word stored in the database and shown in the API.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            /// The value a stored or requested word names; an unknown word is an error.
            pub fn parse(word: &str) -> Result<Self> {
                match word {
                    $($word => Ok($name::$variant),)+
                    other => Err(Error::Internal(format!(
                        concat!("unknown ", stringify!($name), " {}"),
                        other
                    ))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

word_enum!(
    /// What a single-use link mailed to a customer is for.
    TokenKind {
        Invitation = "invitation",
        PasswordReset = "password_reset",
        EmailChange = "email_change",
    }
);

word_enum!(
    /// Where an entry of a contact's activity timeline comes from.
    ActivitySource {
        Portal = "portal",
        Email = "email",
        Staff = "staff",
    }
);

word_enum!(
    /// What an entry of a contact's activity timeline records.
    ActivityKind {
        PortalLogin = "portal_login",
        PortalLogout = "portal_logout",
        PortalLoginFailed = "portal_login_failed",
        PortalRecordCreated = "portal_record_created",
        PortalRecordUpdated = "portal_record_updated",
        PortalComment = "portal_comment",
        QuoteAccepted = "quote_accepted",
        QuoteRejected = "quote_rejected",
        PasswordChanged = "password_changed",
        PasswordReset = "password_reset",
        PasswordResetRequested = "password_reset_requested",
        InvitationSent = "invitation_sent",
        InvitationAccepted = "invitation_accepted",
        EmailChangeRequested = "email_change_requested",
        EmailChanged = "email_changed",
        EmailSent = "email_sent",
        SupportEndingSent = "support_ending_sent",
    }
);

word_enum!(
    /// Where a queued mail stands.
    OutboxStatus {
        Queued = "queued",
        Sent = "sent",
        Failed = "failed",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_reads_back_as_its_value() {
        for kind in ActivityKind::ALL {
            assert_eq!(ActivityKind::parse(kind.as_str()).ok(), Some(*kind));
        }
        for kind in TokenKind::ALL {
            assert_eq!(TokenKind::parse(kind.as_str()).ok(), Some(*kind));
        }
        assert!(OutboxStatus::parse("lost").is_err());
    }
}
