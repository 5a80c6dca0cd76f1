//! The words of Presence Sync: a mapping's status, method, reason, and the settings
//! that steer Auto Sync.

use super::keys::KeyOptions;
use super::retention::AuditRetention;
use crate::core::error::{Error, ErrorCode, Result};
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

/// Settings of Presence Sync (saved in the snapshot).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct PresenceSettings {
    /// How email match keys are made (case sensitivity, `+tag`).
    pub key: KeyOptions,
    /// Treat a CXone user with no `permissions` list as holding `UserMapping.Map`.
    pub missing_permissions_granted: bool,
    /// Keys tried, in this order, for users whose email found no account (`no_match` or no
    /// email). Empty (the default): email only. `email` in this list is ignored.
    pub fallback_keys: Vec<MatchedBy>,
    /// The guard's share of mapped users (0 to 100).
    pub unmap_guard_percent: f64,
    /// The guard's floor: a run may always unmap at least this many users.
    pub unmap_guard_min: usize,
    /// Bounds on the audit log and run summaries (trimmed after every change).
    pub audit_retention: AuditRetention,
    /// Platforms beyond the built-in ones, or built-in ones changed: whether Auto Sync may
    /// run there. Undeclared platforms other than `ringcentral` are manual only.
    pub platforms: Vec<super::platform::PlatformDeclaration>,
}

impl Default for PresenceSettings {
    fn default() -> Self {
        PresenceSettings {
            key: KeyOptions::default(),
            missing_permissions_granted: false,
            fallback_keys: Vec::new(),
            unmap_guard_percent: 10.0,
            unmap_guard_min: 5,
            audit_retention: AuditRetention::default(),
            platforms: Vec::new(),
        }
    }
}

impl PresenceSettings {
    /// Err(invalid_input) naming the field when a setting is out of range.
    pub fn validate(&self) -> Result<()> {
        let p = self.unmap_guard_percent;
        if !p.is_finite() || !(0.0..=100.0).contains(&p) {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!("unmapGuardPercent must be a number from 0 to 100, got {p}"),
            )
            .with_field("unmapGuardPercent"));
        }
        let mut seen = Vec::new();
        for k in &self.fallback_keys {
            if seen.contains(k) {
                return Err(
                    Error::invalid_input(format!("fallbackKeys lists {k:?} twice"))
                        .with_field("fallbackKeys"),
                );
            }
            seen.push(*k);
        }
        self.validate_platforms()
    }

    /// The most users one run may unmap: the larger of `unmap_guard_min` and
    /// `unmap_guard_percent`% of `mapped` rounded up. With the defaults: 5 up to 50 mapped
    /// users, then 10% (51 mapped allows 6).
    pub fn unmap_threshold(&self, mapped: usize) -> usize {
        let pct = if self.unmap_guard_percent.is_finite() {
            self.unmap_guard_percent.clamp(0.0, 100.0)
        } else {
            0.0
        };
        // The small epsilon keeps 10% of 50 at 5 despite floating-point noise.
        let share = (pct * mapped as f64 / 100.0 - 1e-9).ceil().max(0.0);
        let share = if share >= mapped as f64 {
            mapped
        } else {
            share as usize
        };
        share.max(self.unmap_guard_min)
    }

    /// Fallback keys in precedence order, without `email` or repeats.
    pub(crate) fn fallbacks(&self) -> Vec<MatchedBy> {
        let mut out: Vec<MatchedBy> = Vec::new();
        for k in &self.fallback_keys {
            if *k != MatchedBy::Email && !out.contains(k) {
                out.push(*k);
            }
        }
        out
    }
}
