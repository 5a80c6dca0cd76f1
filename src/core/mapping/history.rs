//! History: every transition of one user, newest first, and a summary per applied
//! run. Summaries are saved in the state, so a run's counts outlive retention of its events.

use super::audit::AuditEvent;
use super::auto_sync::Applier;
use super::model::{MappingState, MappingStatus, Reason};
use super::plan::{ApplyOutcome, GuardOutcome, Plan, ReasonCounts};
use super::presence::PresenceState;
use super::undo::UndoTarget;
use super::unit::UnitRef;
use crate::core::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Why a transition happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// Applied from an Auto Sync plan.
    AutoSync,
    /// An admin's `map` / `unmap` / `exclude` / `include`.
    Manual,
    /// Applied from an undo plan (`reverts` says what it reverted).
    Undo,
}

/// One transition in a user's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// The audit event's id (give a manual change's id to `planUndoEvent`).
    pub event_id: u64,
    /// RFC 3339.
    pub at: String,
    pub actor: String,
    /// A scheduled Auto Sync run made it, acting as `actor` (the admin who saved the
    /// schedule).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub scheduled: bool,
    pub cause: Cause,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverts: Option<UndoTarget>,
    pub from: MappingStatus,
    pub to: MappingStatus,
    /// The reason of the new state (absent when mapped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// The account linked, or unlinked, by this change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The whole mapping after the change (absent for events of older versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<MappingState>,
}

impl HistoryEntry {
    fn of(e: &AuditEvent) -> Self {
        let cause = match (&e.reverts, &e.run_id) {
            (Some(_), _) => Cause::Undo,
            (None, Some(_)) => Cause::AutoSync,
            (None, None) => Cause::Manual,
        };
        HistoryEntry {
            event_id: e.id,
            at: e.at.clone(),
            actor: e.actor.clone(),
            scheduled: e.scheduled,
            cause,
            run_id: e.run_id.clone(),
            change: e.change,
            reverts: e.reverts.clone(),
            from: e.from,
            to: e.to,
            reason: e.reason,
            external_id: e.external_id.clone(),
            after: e.after.clone(),
        }
    }
}

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

impl PresenceState {
    /// Every transition of `user_id` in `unit` still in the audit log, newest first.
    /// Err(not_found) for an unknown unit; a user with no events gives an empty list.
    pub fn user_history(&self, unit: &UnitRef, user_id: &str) -> Result<Vec<HistoryEntry>> {
        self.existing_unit(unit)?;
        Ok(self
            .log
            .iter()
            .rev()
            .filter(|e| &e.unit == unit && e.user_id == user_id)
            .map(HistoryEntry::of)
            .collect())
    }

    /// The summaries of the runs applied in `unit`, newest first. Err(not_found) for an
    /// unknown unit.
    pub fn run_summaries(&self, unit: &UnitRef) -> Result<Vec<RunSummary>> {
        self.existing_unit(unit)?;
        Ok(self
            .runs
            .iter()
            .rev()
            .filter(|r| &r.unit == unit)
            .cloned()
            .collect())
    }

    /// The summary of one applied run. Err(not_found) when no such run is recorded (never
    /// applied, or trimmed by retention).
    pub fn run_summary(&self, run_id: &str) -> Result<&RunSummary> {
        self.runs
            .iter()
            .find(|r| r.run_id == run_id)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::NotFound,
                    format!("no applied run {run_id} is recorded"),
                )
                .with_id(run_id)
                .with_field("runId")
            })
    }

    /// Record an applied run; an undo run is also noted on the run it reverts.
    pub(crate) fn record_run(&mut self, summary: RunSummary) {
        if let Some(UndoTarget::Run { run_id }) = &summary.reverts {
            if let Some(r) = self.runs.iter_mut().find(|r| &r.run_id == run_id) {
                r.undone_by.push(summary.run_id.clone());
            }
        }
        self.runs.push(summary);
    }
}
