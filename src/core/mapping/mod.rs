//! Presence Sync mapping: each CXone user's link to an account on an external
//! platform, per (business unit, platform); Auto Sync plans and their application; manual
//! changes; the audit log; the Status view.
//!
//! The entry point is [`PresenceState`]: load the users and the directory of a unit, make a
//! plan (`plan_auto_sync`, optionally `retry_auto_sync`), show it, `apply_plan` it; admins use
//! `map` / `unmap` / `exclude` / `include`; `status_rows` feeds the Status view. Any applied
//! run or manual change can be reverted by an undo plan (`plan_undo_run` / `plan_undo_event`,
//! then `apply_plan`); `user_history` and `run_summaries` read what happened; the audit log
//! is bounded by `auditRetention` (rules in `undo.rs` and `retention.rs`).
//!
//! Every change (applying a plan, forcing it, each manual change) names an [`Actor`] and
//! needs `UserMapping.Map` (`actor.rs`); Auto Sync is planned and applied only for platforms
//! that support it (`platform.rs`), while manual mapping and search work on every platform.
//!
//! Decisions the product rules leave open (each has a test):
//! - An auto-mapped user who loses `UserMapping.Map` or becomes inactive goes straight to
//!   `skipped` (`no_permission` / `inactive`), releasing the link; the guard counts it as an
//!   unmap. Going to `unmapped` first would make the next run change it again.
//! - An auto mapping whose account vanished is looked up again in the same run: a new single
//!   match relinks it (not an unmap); otherwise `unmapped` / `external_gone`, which later
//!   runs keep while the lookup still finds nothing (other failures replace it).
//! - Inactive external accounts are never matched (left out of every lookup); an existing
//!   link to an account that became inactive is kept (the account still exists).
//! - External addresses that are confusable on their own, or look like any loaded CXone
//!   user's address, are never matched by any key. The look-alike indexes hold both whole
//!   sides, so mapping a user never changes what the next run flags.
//! - `duplicate_source_email` counts only users being matched in this run: an inactive,
//!   skipped, excluded or manually mapped user sharing an address does not block the other.
//! - Fallback keys apply to users whose email found no account or who have no email; never
//!   to invalid or confusable addresses. The first fallback key finding any account decides.
//! - Two users claiming one free account in one plan: the claim by the strongest key wins
//!   (email, then the fallback keys in order); a tie at the strongest key maps nobody and
//!   every claimant gets `external_taken`. No claim depends on input order.
//! - `attempts`: 0 when no lookup was made (skipped, excluded, manual changes), 1 after the
//!   first pass, 2 for users looked up in the retry pass who were retry candidates or whose
//!   lookup failed there. A result equal to the current one keeps its count, so applying a
//!   first pass directly leaves 1 and a later run does not churn.
//! - Guard threshold = max(`unmapGuardMin`, ceil(`unmapGuardPercent`% of users mapped in
//!   the unit before the plan)); refused when unmaps > threshold. Unmaps are transitions
//!   from `mapped` to a state without a link (a relink is not one).
//! - Users known only from their mapping (no longer in the loaded CXone list) are never
//!   changed by Auto Sync and their links stay taken.
//! - Undo is a plan like any run (same apply path, stale check, one-to-one and guard); its
//!   events keep the restored state's own `reason` and carry `reverts`; history shows
//!   `cause: "undo"`. An undo never overrides a later change to the same user, and never
//!   relinks an account another user took since: both are `undo_conflict`, naming the change.
//! - Every applied plan records a run summary (also one that changed nothing), and a run id
//!   once recorded cannot be planned again.
//! - Retention bounds are numbers with 0 for "no bound"; a run is undoable only while all its
//!   events are kept; manual changes are trimmed whole.

mod actor;
mod audit;
mod auto_sync;
mod history;
mod keys;
mod manual;
mod matching;
mod model;
mod plan;
mod platform;
mod presence;
mod retention;
mod run_summary;
mod settings;
mod status;
mod undo;
mod unit;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod undo_proptests;

pub use actor::Actor;
pub(crate) use actor::{confirm_owner, Applier};
pub use audit::{AuditEvent, UndoTarget};
pub use history::{Cause, HistoryEntry};
pub use model::{Mapping, MappingState, MappingStatus, MatchedBy, Method, Reason};
pub use plan::{
    ApplyOutcome, GuardOutcome, LaterChange, Plan, PlanCounts, PlanWarning, ReasonCounts,
    RetryRequest, StaleTransition, StatusCounts, Transition, UndoConflict,
};
pub use platform::PlatformSupport;
pub use presence::PresenceState;
pub use retention::RetentionReport;
pub use run_summary::{RunSummary, TransitionCount};
pub use settings::{AuditRetention, PlatformDeclaration, PresenceSettings};
pub use status::{reason_text, StatusRow};
pub use unit::{UnitRef, UnitState};
