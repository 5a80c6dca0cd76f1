//! What an Auto Sync or undo run would do (a dry run, with the reverts an undo refuses), and
//! what applying it did.

use super::audit::UndoTarget;
use super::model::{MappingState, MappingStatus, Reason};
use super::unit::UnitRef;
use crate::core::error::ErrorCode;
use serde::{Deserialize, Serialize};

/// One user's change in a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Transition {
    pub user_id: String,
    /// The mapping the plan saw; the transition applies only if it is still so.
    pub from: MappingState,
    pub to: MappingState,
    /// `to.reason`, repeated for tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
}

impl Transition {
    /// Whether this transition removes a link without making a new one (the guard counts
    /// these).
    pub fn is_unmap(&self) -> bool {
        self.from.is_mapped() && !self.to.is_mapped()
    }
}

/// Users per status (fixed keys).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub struct StatusCounts {
    pub mapped: usize,
    pub unmapped: usize,
    pub skipped: usize,
    pub excluded: usize,
}

impl StatusCounts {
    pub(crate) fn add(&mut self, s: MappingStatus) {
        match s {
            MappingStatus::Mapped => self.mapped += 1,
            MappingStatus::Unmapped => self.unmapped += 1,
            MappingStatus::Skipped => self.skipped += 1,
            MappingStatus::Excluded => self.excluded += 1,
        }
    }
}

/// Users per reason (fixed keys, the reason names).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub struct ReasonCounts {
    pub no_match: usize,
    pub multiple_matches: usize,
    pub duplicate_source_email: usize,
    pub external_taken: usize,
    pub invalid_email: usize,
    pub confusable: usize,
    pub no_permission: usize,
    pub inactive: usize,
    pub external_gone: usize,
    pub manual_unmap: usize,
}

impl ReasonCounts {
    pub(crate) fn add(&mut self, r: Reason) {
        let slot = match r {
            Reason::NoMatch => &mut self.no_match,
            Reason::MultipleMatches => &mut self.multiple_matches,
            Reason::DuplicateSourceEmail => &mut self.duplicate_source_email,
            Reason::ExternalTaken => &mut self.external_taken,
            Reason::InvalidEmail => &mut self.invalid_email,
            Reason::Confusable => &mut self.confusable,
            Reason::NoPermission => &mut self.no_permission,
            Reason::Inactive => &mut self.inactive,
            Reason::ExternalGone => &mut self.external_gone,
            Reason::ManualUnmap => &mut self.manual_unmap,
        };
        *slot += 1;
    }
}

/// The unit's users as they would be after applying the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PlanCounts {
    pub by_status: StatusCounts,
    pub by_reason: ReasonCounts,
}

/// Something an admin should know that is not a transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PlanWarning {
    pub user_id: String,
    /// `email_drift`: an auto-mapped user's email no longer matches the linked account (the
    /// link is kept: links are by id once made).
    pub code: String,
    pub message: String,
}

/// What the JS side may re-fetch before the retry pass.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct RetryRequest {
    /// Users whose first pass gave `no_match` or `multiple_matches` (sorted).
    pub user_ids: Vec<String>,
    /// Their emails as CXone has them (trimmed, sorted, without repeats), for a targeted
    /// directory query.
    pub emails: Vec<String>,
}

/// The unmap guard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct GuardOutcome {
    /// Users of the unit mapped (any method) when the plan was made.
    pub mapped_before: usize,
    /// Transitions from `mapped` to a state without a link.
    pub unmaps: usize,
    /// The most the plan may unmap without `force`.
    pub threshold: usize,
    /// `unmaps > threshold`: applying needs `force`.
    pub exceeded: bool,
}

/// An Auto Sync plan, or an undo plan (`reverts` set; run id `undo-<n>`): pending until
/// applied; kept by run id. Both show as a dry run and apply through `applyPlan`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub run_id: String,
    pub unit: UnitRef,
    /// RFC 3339.
    pub created_at: String,
    /// 1 for the first pass, 2 after the retry.
    pub pass: u8,
    /// Sorted by user id.
    pub transitions: Vec<Transition>,
    /// Loaded users whose mapping the plan leaves as it is.
    pub unchanged: usize,
    pub counts: PlanCounts,
    pub warnings: Vec<PlanWarning>,
    pub retry: RetryRequest,
    pub guard: GuardOutcome,
    /// RFC 3339, once applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_at: Option<String>,
    /// Undo plans only: the run or manual change this plan reverts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverts: Option<UndoTarget>,
    /// Undo plans only: users whose revert is refused (`undo_conflict`) because a later
    /// change took their account or changed them; the other transitions still apply.
    #[serde(default)]
    pub conflicts: Vec<UndoConflict>,
}

/// A transition that was not applied because the user's mapping changed after the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct StaleTransition {
    pub user_id: String,
    pub message: String,
}

/// What `applyPlan` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ApplyOutcome {
    pub run_id: String,
    /// Transitions applied now (one audit event each).
    pub applied: usize,
    /// Transitions whose target state was already in place (a plan applied twice).
    pub already_applied: usize,
    /// Transitions skipped because the mapping changed meanwhile (e.g. an admin's manual
    /// change), sorted by user id.
    pub stale: Vec<StaleTransition>,
    /// The guard as checked (when `exceeded`, the plan was applied only because of `force`).
    pub guard: GuardOutcome,
    /// Undo plans: the refused reverts, as listed in the plan.
    #[serde(default)]
    pub conflicts: Vec<UndoConflict>,
    /// Runs that retention made impossible to undo while recording this apply (sorted).
    #[serde(default)]
    pub no_longer_undoable: Vec<String>,
}

/// The later change that blocks a user's revert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct LaterChange {
    /// The audit event of the later change.
    pub event_id: u64,
    /// RFC 3339.
    pub at: String,
    pub actor: String,
    /// The user that event changed (the reverted user, or the one who took the account).
    pub user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<u64>,
}

/// One user's revert that an undo plan refuses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct UndoConflict {
    pub user_id: String,
    /// Always `undo_conflict`.
    pub code: ErrorCode,
    pub message: String,
    /// The account the revert would link again, when another user holds it now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The later change, when the audit log still has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub later: Option<LaterChange>,
}
