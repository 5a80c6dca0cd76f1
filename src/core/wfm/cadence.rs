//! The one way to produce a delta: a run, only when its slot is due (the slot rules are in
//! `slots.rs`; docs/wfm.md says why), never on demand.

use super::delta::{compute_delta, AcdBatch, Delta};
use super::slots::{anchor_after, next_due, RunTimes};
use super::state::WfmState;
use crate::core::error::{Error, ErrorCode, Result};
use jiff::Timestamp;

/// The one way to produce a delta: runs only when due, and records `now` as the tenant's
/// last run (and the delta as pending until WFM acknowledges it or a read-back shows it).
///
/// Errors: `not_found` for an unknown WFM tenant; `sync_not_due` when disabled (message
/// "sync is disabled") or when `now` is before the next due time (the message carries it,
/// RFC 3339); any error of `compute_delta` (then no run is recorded).
pub fn sync(
    state: &mut WfmState,
    wfm_tenant_id: &str,
    batches: &[AcdBatch],
    now: Timestamp,
) -> Result<Delta> {
    let run = due_run(state, wfm_tenant_id, now)?;
    let mut delta = compute_delta(state, wfm_tenant_id, batches)?;
    delta.run_at = Some(now.to_string());
    let anchor = anchor_after(&state.settings, run, now);
    state.set_last_run(wfm_tenant_id, now, anchor);
    state.set_pending(&delta.wfm_tenant_id, delta.pending());
    state.note_sent(&delta, now);
    Ok(delta)
}

/// The tenant's run times when a run is due at `now`; `sync_not_due` otherwise.
pub fn due_run(state: &WfmState, wfm_tenant_id: &str, now: Timestamp) -> Result<Option<RunTimes>> {
    state.topology.tenant(wfm_tenant_id)?;
    let settings = state.settings;
    let run = state.run_times(wfm_tenant_id)?;
    let Some(due) = next_due(&settings, run, now) else {
        return Err(Error::new(
            ErrorCode::SyncNotDue,
            "sync is disabled: enable WFM sync to send agents to WFM",
        )
        .with_id(wfm_tenant_id));
    };
    if now < due {
        return Err(Error::new(
            ErrorCode::SyncNotDue,
            format!(
                "sync is not due until {due} (every {} minutes)",
                settings.interval_minutes
            ),
        )
        .with_id(wfm_tenant_id));
    }
    Ok(run)
}

#[cfg(test)]
#[path = "cadence_tests.rs"]
mod tests;
