//! The Status view: one row per user of a unit, in words an admin reads.

use super::model::{MappingStatus, Method, Reason};
use super::presence::PresenceState;
use super::unit::UnitRef;
use crate::core::error::Result;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One user in the Status view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct StatusRow {
    pub user_id: String,
    /// "First Last" from the loaded CXone users (absent for a user no longer loaded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the user is in the CXone list last loaded (a mapping is kept when not).
    pub in_source: bool,
    pub status: MappingStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// The reason in plain words, e.g. "No RingCentral account has this email".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<Method>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The linked account's name in the loaded directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_name: Option<String>,
    pub attempts: u32,
    /// RFC 3339; absent for a user with no mapping yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// `reason` in plain words; `platform` as people name it ("RingCentral").
pub fn reason_text(reason: Reason, platform: &str) -> String {
    match reason {
        Reason::NoMatch => format!("No {platform} account has this email"),
        Reason::MultipleMatches => format!("More than one {platform} account has this email"),
        Reason::DuplicateSourceEmail => "Another CXone user has the same email".to_string(),
        Reason::ExternalTaken => format!("The matching {platform} account is already mapped to another user"),
        Reason::InvalidEmail => "The email address is not valid, so it cannot be matched automatically".to_string(),
        Reason::Confusable => {
            "The email looks like a different address (look-alike characters); map this user by hand".to_string()
        }
        Reason::NoPermission => "The user lacks the UserMapping.Map permission".to_string(),
        Reason::Inactive => "The user is inactive in CXone".to_string(),
        Reason::ExternalGone => format!("The linked {platform} account no longer exists"),
        Reason::ManualUnmap => "Unmapped by an admin".to_string(),
    }
}

impl PresenceState {
    /// A row for every loaded CXone user of `unit` (a user with no mapping yet shows
    /// `unmapped` with no reason and 0 attempts) and for every mapped or otherwise recorded
    /// user no longer in the loaded list. Sorted by user id. Err(not_found) for an unknown
    /// unit.
    pub fn status_rows(&self, unit: &UnitRef) -> Result<Vec<StatusRow>> {
        let u = self.existing_unit(unit)?;
        let platform = unit.platform_label();
        let ids: BTreeSet<&str> = u
            .sources
            .iter()
            .map(|s| s.id.as_str())
            .chain(u.mappings.keys().map(String::as_str))
            .collect();
        let rows = ids
            .into_iter()
            .map(|id| {
                let source = u.source(id);
                let m = u.mapping(id);
                let state = u.state_of(id);
                let external_name = state
                    .linked()
                    .and_then(|e| u.external(e))
                    .map(|e| e.display_name());
                StatusRow {
                    user_id: id.to_string(),
                    name: source.map(|s| s.display_name()),
                    email: source.and_then(|s| s.email.clone()),
                    in_source: source.is_some(),
                    status: state.status,
                    reason: state.reason,
                    reason_text: state.reason.map(|r| {
                        let no_email = source.is_some_and(|s| {
                            !s.email.as_deref().is_some_and(|e| !e.trim().is_empty())
                        });
                        if r == Reason::NoMatch && no_email {
                            format!("The user has no email, and no {platform} account matched")
                        } else {
                            reason_text(r, &platform)
                        }
                    }),
                    method: state.method,
                    external_id: state.external_id.clone(),
                    external_name,
                    attempts: state.attempts,
                    updated_at: m.map(|m| m.updated_at.clone()),
                }
            })
            .collect();
        Ok(rows)
    }
}
