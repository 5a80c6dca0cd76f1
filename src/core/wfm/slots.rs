//! When WFM sync runs: the settings (on or off, the interval) and the slots they cut time
//! into, `anchor + k x interval`. Pure time arithmetic; `cadence.rs` runs on it.

use crate::core::error::{Error, Result};
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
