//! The words of Presence Sync: a mapping's status, method and reason.

use serde::{Deserialize, Serialize};

/// Where a CXone user stands with the external platform.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum MappingStatus {
    /// Linked to one external account (`externalId` is set).
    Mapped,
    /// Not linked; `reason` says why (absent for a user Auto Sync has not looked at yet).
    #[default]
    Unmapped,
    /// Left out of matching by Auto Sync (`no_permission` or `inactive`).
    Skipped,
    /// Kept out of Auto Sync by an admin.
    Excluded,
}

/// How a mapping was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// By Auto Sync; Auto Sync may later unmap it (account gone, permission lost).
    Auto,
    /// By an admin; Auto Sync never touches it.
    Manual,
}

/// Why a user is not mapped (a closed list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    NoMatch,
    MultipleMatches,
    DuplicateSourceEmail,
    ExternalTaken,
    InvalidEmail,
    Confusable,
    NoPermission,
    Inactive,
    ExternalGone,
    ManualUnmap,
}

impl Reason {
    pub const ALL: &'static [Reason] = &[
        Reason::NoMatch,
        Reason::MultipleMatches,
        Reason::DuplicateSourceEmail,
        Reason::ExternalTaken,
        Reason::InvalidEmail,
        Reason::Confusable,
        Reason::NoPermission,
        Reason::Inactive,
        Reason::ExternalGone,
        Reason::ManualUnmap,
    ];

    /// The stable snake_case name (the same string serde writes).
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NoMatch => "no_match",
            Reason::MultipleMatches => "multiple_matches",
            Reason::DuplicateSourceEmail => "duplicate_source_email",
            Reason::ExternalTaken => "external_taken",
            Reason::InvalidEmail => "invalid_email",
            Reason::Confusable => "confusable",
            Reason::NoPermission => "no_permission",
            Reason::Inactive => "inactive",
            Reason::ExternalGone => "external_gone",
            Reason::ManualUnmap => "manual_unmap",
        }
    }
}

/// Which key linked an auto mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    Email,
    UserName,
    EmployeeId,
}

/// The comparable part of a mapping: everything but the user id and the timestamps. Plans
/// carry it as `from` / `to`, and a transition applies only while the user's mapping still
/// equals `from`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct MappingState {
    pub status: MappingStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<Method>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched_by: Option<MatchedBy>,
    /// Auto Sync passes that produced this result: 0 when no lookup was made (skipped,
    /// excluded, manual), 1 after the first pass, 2 after the retry pass.
    #[serde(default)]
    pub attempts: u32,
    /// The user's email key when the link was made (to warn when the email drifts later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_key: Option<String>,
}

impl MappingState {
    pub fn not_mapped(status: MappingStatus, reason: Option<Reason>, attempts: u32) -> Self {
        MappingState {
            status,
            reason,
            attempts,
            ..Default::default()
        }
    }

    pub fn is_mapped(&self) -> bool {
        self.status == MappingStatus::Mapped
    }

    /// The external account this state links, if mapped.
    pub fn linked(&self) -> Option<&str> {
        if self.is_mapped() {
            self.external_id.as_deref()
        } else {
            None
        }
    }

    pub fn is_manual(&self) -> bool {
        self.is_mapped() && self.method == Some(Method::Manual)
    }

    pub fn is_auto(&self) -> bool {
        self.is_mapped() && self.method == Some(Method::Auto)
    }
}

/// One CXone user's mapping in one (business unit, platform).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Mapping {
    pub user_id: String,
    pub status: MappingStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<Method>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched_by: Option<MatchedBy>,
    #[serde(default)]
    pub attempts: u32,
    /// The email key at link time, for drift warnings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_key: Option<String>,
    /// RFC 3339: when this mapping last changed.
    pub updated_at: String,
    /// RFC 3339: when the current link was made (only while mapped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mapped_at: Option<String>,
}

impl Mapping {
    /// The external account this mapping links, if mapped.
    pub fn linked(&self) -> Option<&str> {
        if self.status == MappingStatus::Mapped {
            self.external_id.as_deref()
        } else {
            None
        }
    }

    pub fn state(&self) -> MappingState {
        MappingState {
            status: self.status,
            method: self.method,
            external_id: self.external_id.clone(),
            reason: self.reason,
            matched_by: self.matched_by,
            attempts: self.attempts,
            email_key: self.email_key.clone(),
        }
    }

    /// A mapping in `state`, changed at `now` (RFC 3339).
    pub fn from_state(
        user_id: &str,
        state: MappingState,
        now: &str,
        previous: Option<&Mapping>,
    ) -> Self {
        // `mappedAt` survives a change that keeps the same link (auto -> manual, attempts).
        let mapped_at = match (state.linked(), previous) {
            (None, _) => None,
            (Some(ext), Some(p)) if p.state().linked() == Some(ext) => {
                p.mapped_at.clone().or_else(|| Some(now.to_string()))
            }
            (Some(_), _) => Some(now.to_string()),
        };
        Mapping {
            user_id: user_id.to_string(),
            status: state.status,
            method: state.method,
            external_id: state.external_id,
            reason: state.reason,
            matched_by: state.matched_by,
            attempts: state.attempts,
            email_key: state.email_key,
            updated_at: now.to_string(),
            mapped_at,
        }
    }
}
