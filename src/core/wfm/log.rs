//! The WFM log: every settings change (who, why) and every run (what was examined, what came
//! out), kept in the snapshot so a cadence change can always be traced to a person and a
//! reason.

use crate::core::error::{Error, ErrorCode};
use serde::{Deserialize, Serialize};

/// Entries kept; past it the oldest run entries go first, so who changed what outlives the
/// routine runs (a 15-minute cadence writes about a hundred run entries a day).
pub const MAX_LOG_ENTRIES: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum WfmLogKind {
    /// The interval or the enabled switch changed.
    SettingsChanged,
    AcdLinked,
    AcdUnlinked,
    /// A business unit's personal id / external id switches changed.
    FieldSwitchesChanged,
    /// A due run produced a delta, or failed.
    Run,
    /// WFM confirmed a delta: what it holds advanced.
    Acknowledged,
    /// What IEX holds was read back and taken as what WFM holds.
    ReadBack,
}

impl WfmLogKind {
    /// Routine entries, dropped first when the log is full.
    pub fn is_routine(self) -> bool {
        matches!(
            self,
            WfmLogKind::Run | WfmLogKind::Acknowledged | WfmLogKind::ReadBack
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    Ok,
    Failed,
}

/// What a run found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct RunCounts {
    pub additions: usize,
    pub changes: usize,
    pub absent: usize,
    pub not_synced: usize,
    pub warnings: usize,
    #[serde(default)]
    pub not_in_wfm: usize,
}

/// An error as the log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct LoggedError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<&Error> for LoggedError {
    fn from(e: &Error) -> Self {
        LoggedError {
            code: e.code,
            message: e.message.clone(),
        }
    }
}

/// One entry, oldest first in [`super::WfmState::log`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct WfmLogEntry {
    /// RFC 3339.
    pub at: String,
    pub kind: WfmLogKind,
    /// Who made a settings change; missing for runs (the schedule's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wfm_tenant_id: Option<String>,
    /// Plain words: what changed, from what to what, or what a run did.
    pub summary: String,
    /// The acd ids a run examined.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examined_acds: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<RunCounts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<RunOutcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<LoggedError>,
}

impl WfmLogEntry {
    pub fn new(at: jiff::Timestamp, kind: WfmLogKind, summary: impl Into<String>) -> Self {
        WfmLogEntry {
            at: at.to_string(),
            kind,
            actor: None,
            reason: None,
            wfm_tenant_id: None,
            summary: summary.into(),
            examined_acds: vec![],
            counts: None,
            outcome: None,
            error: None,
        }
    }
}

/// Appends `entry`, dropping the oldest routine entry (else the oldest) past the cap.
pub(crate) fn push(log: &mut Vec<WfmLogEntry>, entry: WfmLogEntry) {
    log.push(entry);
    while log.len() > MAX_LOG_ENTRIES {
        let drop = log.iter().position(|e| e.kind.is_routine()).unwrap_or(0);
        log.remove(drop);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_log_drops_routine_entries_before_settings_changes() {
        let t = jiff::Timestamp::UNIX_EPOCH;
        let mut log = vec![WfmLogEntry::new(t, WfmLogKind::SettingsChanged, "first")];
        for i in 0..MAX_LOG_ENTRIES + 5 {
            push(
                &mut log,
                WfmLogEntry::new(t, WfmLogKind::Run, format!("run {i}")),
            );
        }
        assert_eq!(log.len(), MAX_LOG_ENTRIES);
        assert_eq!(log[0].summary, "first");
        assert_eq!(log[1].summary, "run 6");
    }
}
