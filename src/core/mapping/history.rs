//! History: every transition of one user, newest first, and the summaries of the runs
//! applied (recorded when applied: `run_summary.rs`).

use super::audit::{AuditEvent, UndoTarget};
use super::model::{MappingState, MappingStatus, Reason};
use super::presence::PresenceState;
use super::run_summary::RunSummary;
use super::unit::UnitRef;
use crate::core::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

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
