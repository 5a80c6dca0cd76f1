//! When WFM sync runs (docs/wfm.md, slots): on a fixed interval, never on demand.

use super::delta::{compute_delta, AcdBatch, Delta};
use super::state::WfmState;
use crate::core::error::{Error, ErrorCode, Result};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

pub const DEFAULT_INTERVAL_MINUTES: u32 = 15;
pub const MIN_INTERVAL_MINUTES: u32 = 5;
pub const MAX_INTERVAL_MINUTES: u32 = 1440;

/// WFM sync settings, shared by every WFM tenant of the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct WfmSettings {
    /// Default `true`. When `false`, no run is ever due and every status view warns.
    #[serde(default = "default_enabled")]
    pub enabled: bool,
    /// Minutes between runs: 5 to 1440, default 15.
    #[serde(default = "default_interval")]
    pub interval_minutes: u32,
}

fn default_enabled() -> bool {
    true
}

fn default_interval() -> u32 {
    DEFAULT_INTERVAL_MINUTES
}

impl Default for WfmSettings {
    fn default() -> Self {
        WfmSettings {
            enabled: true,
            interval_minutes: DEFAULT_INTERVAL_MINUTES,
        }
    }
}

impl WfmSettings {
    /// `invalid_input`, field `intervalMinutes`, when the interval is outside 5..=1440.
    pub fn validate(&self) -> Result<()> {
        if (MIN_INTERVAL_MINUTES..=MAX_INTERVAL_MINUTES).contains(&self.interval_minutes) {
            return Ok(());
        }
        Err(Error::invalid_input(format!(
            "intervalMinutes must be {MIN_INTERVAL_MINUTES} to {MAX_INTERVAL_MINUTES}, got {}",
            self.interval_minutes
        ))
        .with_field("intervalMinutes"))
    }
}

/// How early a tick may come and still claim its slot: the anchor sits this far before the
/// run that set it, so a scheduler whose ticks wobble by less than a minute either side (two
/// minutes between any two ticks) lands every tick in a slot of its own. Shorter than half the
/// shortest interval, so two ticks an interval apart never share a slot.
pub const TICK_TOLERANCE_MS: i64 = 2 * 60_000;

/// When a tenant last ran and where its slots start (`anchor + k x interval`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunTimes {
    pub last: Timestamp,
    /// `None` until a run under the current interval sets it (a snapshot from before slots,
    /// or just after the interval changed): the next run is then due one interval, less the
    /// tolerance, after the last.
    pub anchor: Option<Timestamp>,
}

fn ms(t: Timestamp) -> i128 {
    i128::from(t.as_millisecond())
}

fn at_ms(v: i128) -> Timestamp {
    i64::try_from(v)
        .ok()
        .and_then(|v| Timestamp::from_millisecond(v).ok())
        .unwrap_or(if v < 0 {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        })
}

/// The slot `t` falls in: `floor((t - anchor) / interval)`.
pub fn slot_index(settings: &WfmSettings, anchor: Timestamp, t: Timestamp) -> i128 {
    let interval = i128::from(settings.interval_minutes.max(1)) * 60_000;
    (ms(t) - ms(anchor)).div_euclid(interval)
}

fn slot_start(settings: &WfmSettings, anchor: Timestamp, k: i128) -> Timestamp {
    let interval = i128::from(settings.interval_minutes.max(1)) * 60_000;
    at_ms(ms(anchor).saturating_add(k.saturating_mul(interval)))
}

/// When the next run is due: `None` when sync is disabled; `now` when the tenant never ran;
/// otherwise the start of the slot after the last run's. A clock that went backwards never
/// makes a run due early: the last run's slot has run.
pub fn next_due(
    settings: &WfmSettings,
    run: Option<RunTimes>,
    now: Timestamp,
) -> Option<Timestamp> {
    if !settings.enabled {
        return None;
    }
    let Some(run) = run else {
        return Some(now);
    };
    Some(match run.anchor {
        Some(anchor) => slot_start(settings, anchor, slot_index(settings, anchor, run.last) + 1),
        None => at_ms(
            ms(run.last) + i128::from(settings.interval_minutes) * 60_000
                - i128::from(TICK_TOLERANCE_MS),
        ),
    })
}

/// The anchor a run at `now` leaves behind: the current one while the run falls in the slot
/// right after the last run's (the scheduler kept its rhythm), else `now` less the tolerance
/// (a first run, a new interval, or a scheduler that stopped for a while and came back at
/// another phase: its ticks then sit mid-slot again, away from the slot edges).
pub fn anchor_after(settings: &WfmSettings, run: Option<RunTimes>, now: Timestamp) -> Timestamp {
    let fresh = at_ms(ms(now) - i128::from(TICK_TOLERANCE_MS));
    match run {
        Some(RunTimes {
            last,
            anchor: Some(anchor),
        }) if slot_index(settings, anchor, now) == slot_index(settings, anchor, last) + 1 => anchor,
        _ => fresh,
    }
}

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
    state.set_pending(&delta);
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
