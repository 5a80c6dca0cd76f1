//! What an applied run did, as recorded when it was applied. Summaries are saved in the
//! state, so a run's counts outlive retention of its events.

use super::actor::Applier;
use super::audit::UndoTarget;
use super::model::{MappingState, MappingStatus, Reason};
use super::plan::{ApplyOutcome, GuardOutcome, Plan, ReasonCounts};
use super::unit::UnitRef;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How many applied transitions went from one status to another with one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct TransitionCount {
    pub from: MappingStatus,
    pub to: MappingStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    pub count: usize,
}

/// One applied run (Auto Sync or undo), as recorded when it was applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub run_id: String,
    pub unit: UnitRef,
    /// Who applied it (for a scheduled run, the admin who saved the schedule).
    pub actor: String,
    /// Whether a scheduled Auto Sync run applied it, acting as `actor`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub scheduled: bool,
    /// RFC 3339: when the plan was made.
    pub planned_at: String,
    /// RFC 3339: when it was applied.
    pub applied_at: String,
    /// 1 or 2 (after the retry pass); undo plans are 1.
    pub pass: u8,
    /// Transitions applied (one audit event each).
    pub applied: usize,
    /// Transitions found already in place.
    pub already_applied: usize,
    /// Transitions skipped because the mapping changed after the plan.
    pub stale: usize,
    /// Applied transitions per (from, to, reason), sorted.
    pub by_transition: Vec<TransitionCount>,
    /// Applied transitions per reason of the new state.
    pub by_reason: ReasonCounts,
    /// The guard as checked when applying.
    pub guard: GuardOutcome,
    /// Whether it was applied with `force` (needed when `guard.exceeded`).
    pub forced: bool,
    /// Undo runs: what they reverted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverts: Option<UndoTarget>,
    /// Undo runs: reverts refused with `undo_conflict`.
    #[serde(default)]
    pub conflicts: usize,
    /// Undo runs applied against this run, oldest first.
    #[serde(default)]
    pub undone_by: Vec<String>,
    /// Whether `planUndoRun` can still revert it (false once retention trimmed any of its
    /// events).
    pub undoable: bool,
}

impl RunSummary {
    /// The summary of `plan`, applied `by` at `at` with these transitions.
    pub(crate) fn new(
        plan: &Plan,
        out: &ApplyOutcome,
        applied: &[(MappingState, MappingState)],
        by: &Applier<'_>,
        at: &str,
        force: bool,
    ) -> Self {
        let mut by_transition: BTreeMap<(MappingStatus, MappingStatus, Option<Reason>), usize> =
            BTreeMap::new();
        let mut by_reason = ReasonCounts::default();
        for (from, to) in applied {
            *by_transition
                .entry((from.status, to.status, to.reason))
                .or_default() += 1;
            if let Some(r) = to.reason {
                by_reason.add(r);
            }
        }
        RunSummary {
            run_id: plan.run_id.clone(),
            unit: plan.unit.clone(),
            actor: by.actor.id.clone(),
            scheduled: by.scheduled,
            planned_at: plan.created_at.clone(),
            applied_at: at.to_string(),
            pass: plan.pass,
            applied: out.applied,
            already_applied: out.already_applied,
            stale: out.stale.len(),
            by_transition: by_transition
                .into_iter()
                .map(|((from, to, reason), count)| TransitionCount {
                    from,
                    to,
                    reason,
                    count,
                })
                .collect(),
            by_reason,
            guard: out.guard.clone(),
            forced: force,
            reverts: plan.reverts.clone(),
            conflicts: plan.conflicts.len(),
            undone_by: Vec::new(),
            undoable: true,
        }
    }
}
