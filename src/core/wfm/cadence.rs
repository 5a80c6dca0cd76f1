//! When WFM sync runs (SPEC 4, cadence): on a fixed interval, never on demand.

use super::delta::{compute_delta, AcdBatch, Delta};
use super::state::WfmState;
use crate::core::error::{Error, ErrorCode, Result};
use jiff::{SignedDuration, Timestamp};
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

    fn interval(&self) -> SignedDuration {
        SignedDuration::from_mins(i64::from(self.interval_minutes))
    }
}

/// When the next run is due: `None` when sync is disabled; `now` when the tenant never ran;
/// otherwise the last run plus the interval. A clock that went backwards does not make a run
/// due early: the due time stays last run + interval.
pub fn next_due(
    settings: &WfmSettings,
    last_run: Option<Timestamp>,
    now: Timestamp,
) -> Option<Timestamp> {
    if !settings.enabled {
        return None;
    }
    match last_run {
        None => Some(now),
        // Only a restored last run near the end of time can overflow; it is then never due.
        Some(last) => Some(
            last.checked_add(settings.interval())
                .unwrap_or(Timestamp::MAX),
        ),
    }
}

/// The one way to produce a delta: runs only when due, and records `now` as the tenant's
/// last run. It does not apply the delta: call `apply_delta` once WFM accepted it.
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
    state.topology.tenant(wfm_tenant_id)?;
    let settings = state.settings;
    let last = state.last_run(wfm_tenant_id)?;
    let Some(due) = next_due(&settings, last, now) else {
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
    let delta = compute_delta(state, wfm_tenant_id, batches)?;
    state.set_last_run(wfm_tenant_id, now);
    Ok(delta)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn linked() -> WfmState {
        let mut s = WfmState::default();
        s.topology
            .link("w", "a", "acd1", ts("2024-01-01T00:00:00Z"))
            .unwrap();
        s
    }

    #[test]
    fn defaults_are_enabled_every_15_minutes() {
        let d: WfmSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(
            d,
            WfmSettings {
                enabled: true,
                interval_minutes: 15
            }
        );
        assert_eq!(d, WfmSettings::default());
    }

    #[test]
    fn the_interval_must_be_5_to_1440() {
        for ok in [5, 15, 1440] {
            WfmSettings {
                interval_minutes: ok,
                ..Default::default()
            }
            .validate()
            .unwrap();
        }
        for bad in [0, 4, 1441, u32::MAX] {
            let e = WfmSettings {
                interval_minutes: bad,
                ..Default::default()
            }
            .validate()
            .unwrap_err();
            assert_eq!(
                (e.code, e.field.as_deref()),
                (ErrorCode::InvalidInput, Some("intervalMinutes"))
            );
        }
    }

    #[test]
    fn first_run_is_due_and_the_next_waits_the_interval() {
        let mut s = linked();
        let t0 = ts("2024-05-01T10:00:00Z");
        sync(&mut s, "w", &[], t0).unwrap();
        assert_eq!(s.last_run("w").unwrap(), Some(t0));
        let e = sync(&mut s, "w", &[], ts("2024-05-01T10:14:59Z")).unwrap_err();
        assert_eq!(e.code, ErrorCode::SyncNotDue);
        assert!(e.message.contains("2024-05-01T10:15:00Z"), "{}", e.message);
        assert_eq!(
            s.last_run("w").unwrap(),
            Some(t0),
            "a refused run records nothing"
        );
        let t1 = ts("2024-05-01T10:15:00Z");
        sync(&mut s, "w", &[], t1).unwrap();
        assert_eq!(s.last_run("w").unwrap(), Some(t1));
    }

    #[test]
    fn a_changed_interval_moves_the_due_time() {
        let mut s = linked();
        sync(&mut s, "w", &[], ts("2024-05-01T10:00:00Z")).unwrap();
        s.set_settings(WfmSettings {
            enabled: true,
            interval_minutes: 60,
        })
        .unwrap();
        assert!(sync(&mut s, "w", &[], ts("2024-05-01T10:30:00Z")).is_err());
        sync(&mut s, "w", &[], ts("2024-05-01T11:00:00Z")).unwrap();
    }

    #[test]
    fn disabled_sync_is_refused_and_never_due() {
        let mut s = linked();
        s.set_settings(WfmSettings {
            enabled: false,
            interval_minutes: 15,
        })
        .unwrap();
        let now = ts("2024-05-01T10:00:00Z");
        let e = sync(&mut s, "w", &[], now).unwrap_err();
        assert_eq!(e.code, ErrorCode::SyncNotDue);
        assert!(e.message.contains("sync is disabled"));
        assert_eq!(s.last_run("w").unwrap(), None);
        assert_eq!(next_due(&s.settings, None, now), None);
    }

    #[test]
    fn a_clock_going_backwards_does_not_make_a_run_due() {
        let mut s = linked();
        sync(&mut s, "w", &[], ts("2024-05-01T10:00:00Z")).unwrap();
        let e = sync(&mut s, "w", &[], ts("2024-05-01T09:00:00Z")).unwrap_err();
        assert_eq!(e.code, ErrorCode::SyncNotDue);
    }

    #[test]
    fn unknown_tenant_is_not_found_and_bad_batches_record_no_run() {
        let mut s = linked();
        let now = ts("2024-05-01T10:00:00Z");
        assert_eq!(
            sync(&mut s, "x", &[], now).unwrap_err().code,
            ErrorCode::NotFound
        );
        let bad = AcdBatch {
            acd_tenant_id: "stranger".into(),
            users: vec![],
        };
        assert_eq!(
            sync(&mut s, "w", &[bad], now).unwrap_err().code,
            ErrorCode::InvalidInput
        );
        assert_eq!(s.last_run("w").unwrap(), None);
    }

    #[test]
    fn next_due_never_overflows() {
        let s = WfmSettings::default();
        assert_eq!(
            next_due(&s, Some(Timestamp::MAX), Timestamp::MIN),
            Some(Timestamp::MAX)
        );
    }
}
