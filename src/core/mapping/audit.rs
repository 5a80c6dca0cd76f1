//! The audit log: one event per applied transition, by Auto Sync, an admin, or an undo.
//!
//! Each event carries the user's whole mapping before and after it, so that the run or
//! manual change it belongs to can be reverted exactly (see `undo.rs`). Fields added after
//! the first release default when missing, so older snapshots still load: their events get
//! ids on load, but having no `before`, they cannot be undone.

use super::model::{MappingState, MappingStatus, Reason};
use super::unit::UnitRef;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// What an undo reverts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UndoTarget {
    /// An applied Auto Sync run or undo run, by its run id.
    Run {
        #[serde(rename = "runId")]
        run_id: String,
    },
    /// A manual change, by the id of its first audit event.
    Change { change: u64 },
}

impl fmt::Display for UndoTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UndoTarget::Run { run_id } => write!(f, "run {run_id}"),
            UndoTarget::Change { change } => write!(f, "manual change {change}"),
        }
    }
}

/// One change of one user's mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    /// The event's id: unique in the state, increasing in log order, never reused (also
    /// after retention trims the log). Names one manual change for `planUndoEvent`.
    #[serde(default)]
    pub id: u64,
    /// RFC 3339.
    pub at: String,
    /// The Auto Sync run (or undo run, `undo-<n>`) that made the change; absent for manual
    /// changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// For manual changes: the change this event belongs to, named by the id of its first
    /// event (a `map` with `reassign` makes two events, one change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<u64>,
    /// Who applied it: the admin's id (for a scheduled run, the admin who saved the
    /// schedule).
    pub actor: String,
    /// Set when a scheduled Auto Sync run made the change, acting as `actor`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub scheduled: bool,
    pub user_id: String,
    pub unit: UnitRef,
    pub from: MappingStatus,
    pub to: MappingStatus,
    /// The reason of the new state (absent when it is `mapped`). An undo restores the
    /// earlier state with its own reason; that the change was an undo is said by `reverts`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// The account linked by this change, or, when the change removes a link, the account
    /// unlinked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The whole mapping before the change (absent in events recorded by older versions:
    /// those cannot be undone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<MappingState>,
    /// The whole mapping after the change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<MappingState>,
    /// Set on the events of an undo: the run or manual change it reverts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverts: Option<UndoTarget>,
}

/// What the events of one apply or one manual call share.
pub(crate) struct EventContext<'a> {
    pub at: &'a str,
    pub run_id: Option<&'a str>,
    pub change: Option<u64>,
    pub actor: &'a str,
    pub scheduled: bool,
    pub unit: &'a UnitRef,
    pub reverts: Option<&'a UndoTarget>,
}

impl AuditEvent {
    pub(crate) fn new(
        ctx: &EventContext<'_>,
        id: u64,
        user_id: &str,
        from: &MappingState,
        to: &MappingState,
    ) -> Self {
        let external_id = to.linked().or_else(|| from.linked()).map(str::to_string);
        AuditEvent {
            id,
            at: ctx.at.to_string(),
            run_id: ctx.run_id.map(str::to_string),
            change: ctx.change,
            actor: ctx.actor.to_string(),
            scheduled: ctx.scheduled,
            user_id: user_id.to_string(),
            unit: ctx.unit.clone(),
            from: from.status,
            to: to.status,
            reason: to.reason,
            external_id,
            before: Some(from.clone()),
            after: Some(to.clone()),
            reverts: ctx.reverts.cloned(),
        }
    }
}

/// The log as saved; events without an id (written before ids existed) are numbered after
/// the highest id present, in log order, so every event can be named.
pub(crate) fn log_from_vec<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<AuditEvent>, D::Error> {
    let mut log = Vec::<AuditEvent>::deserialize(d)?;
    let mut next = log.iter().map(|e| e.id).max().unwrap_or(0);
    for e in log.iter_mut().filter(|e| e.id == 0) {
        next = next.saturating_add(1);
        e.id = next;
    }
    Ok(log)
}
