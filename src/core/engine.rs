//! The whole state of one usersync instance: Presence Sync mappings (per business unit and
//! platform), the Auto Sync schedule of each unit, and WFM sync. The binding holds one of
//! these per JS `Engine`; the snapshot module saves and restores it.

use crate::core::error::quote;
use crate::core::mapping::{ApplyOutcome, PresenceSettings, PresenceState, UnitRef};
use crate::core::schedule::{Frequency, Schedule};
use crate::core::wfm::WfmState;
use crate::core::{Error, Result};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The Auto Sync schedule of one (business unit, platform) and when it last ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct UnitSchedule {
    pub unit: UnitRef,
    pub schedule: Schedule,
    /// When a plan of this unit was last applied (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_run: Option<String>,
}

/// Every unit gets this until an admin sets one: daily at 02:00 UTC, enabled. A quiet hour,
/// and once a day is what a directory that changes with hiring needs; admins tune it.
pub fn default_schedule() -> Schedule {
    Schedule {
        enabled: true,
        frequency: Frequency::Daily {
            time: "02:00".into(),
        },
        time_zone: "UTC".into(),
        anchor: None,
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Engine {
    pub presence: PresenceState,
    pub wfm: WfmState,
    /// Sorted by unit, one entry per unit that has a schedule set or a run applied.
    pub schedules: Vec<UnitSchedule>,
}

impl Engine {
    pub fn new(settings: PresenceSettings) -> Result<Self> {
        Ok(Engine {
            presence: PresenceState::new(settings)?,
            ..Engine::default()
        })
    }

    pub fn schedule(&self, unit: &UnitRef) -> UnitSchedule {
        self.schedules
            .iter()
            .find(|s| &s.unit == unit)
            .cloned()
            .unwrap_or_else(|| UnitSchedule {
                unit: unit.clone(),
                schedule: default_schedule(),
                last_run: None,
            })
    }

    pub fn set_schedule(&mut self, unit: &UnitRef, schedule: Schedule) -> Result<()> {
        schedule.validate()?;
        self.entry(unit)?.schedule = schedule;
        Ok(())
    }

    /// The next `count` Auto Sync runs of `unit` strictly after `from`.
    pub fn next_runs(
        &self,
        unit: &UnitRef,
        from: Timestamp,
        count: usize,
    ) -> Result<Vec<Timestamp>> {
        self.schedule(unit).schedule.next_runs(from, count)
    }

    /// Whether Auto Sync of `unit` is due at `now` (a scheduled instant passed since the last
    /// applied run).
    pub fn is_due(&self, unit: &UnitRef, now: Timestamp) -> Result<bool> {
        let entry = self.schedule(unit);
        let last = entry.last_run.as_deref().map(parse_instant).transpose()?;
        entry.schedule.is_due(last, now)
    }

    /// Applies a pending plan and records the run time of its unit for the schedule.
    pub fn apply_plan(
        &mut self,
        run_id: &str,
        actor: &str,
        force: bool,
        now: Timestamp,
    ) -> Result<ApplyOutcome> {
        let (unit, is_undo) = self
            .presence
            .plan(run_id)
            .map(|p| (p.unit.clone(), p.reverts.is_some()))
            .ok_or_else(|| {
                Error::new(
                    crate::core::ErrorCode::NotFound,
                    format!("no pending plan {}", quote(run_id)),
                )
                .with_id(run_id)
            })?;
        let outcome = self.presence.apply_plan(run_id, actor, force, now)?;
        // An undo is not an Auto Sync run: it must not make the schedule look satisfied.
        if !is_undo {
            self.entry(&unit)?.last_run = Some(now.to_string());
        }
        Ok(outcome)
    }

    /// Every invariant a restored snapshot must hold.
    pub fn validate(&self) -> Result<()> {
        self.presence.validate()?;
        self.wfm.validate()?;
        for pair in self.schedules.windows(2) {
            if let [a, b] = pair {
                if a.unit >= b.unit {
                    return Err(snapshot_error(format!(
                        "schedules: unit {}/{} is listed twice or out of order",
                        b.unit.business_unit_id, b.unit.platform
                    )));
                }
            }
        }
        for s in &self.schedules {
            s.schedule.validate().map_err(|e| {
                snapshot_error(format!(
                    "schedule of {}: {}",
                    s.unit.business_unit_id, e.message
                ))
            })?;
            if let Some(at) = &s.last_run {
                parse_instant(at)
                    .map_err(|e| snapshot_error(format!("schedules.lastRun: {}", e.message)))?;
            }
        }
        Ok(())
    }

    fn entry(&mut self, unit: &UnitRef) -> Result<&mut UnitSchedule> {
        if let Err(i) = self.schedules.binary_search_by(|s| s.unit.cmp(unit)) {
            self.schedules.insert(
                i,
                UnitSchedule {
                    unit: unit.clone(),
                    schedule: default_schedule(),
                    last_run: None,
                },
            );
        }
        self.schedules
            .iter_mut()
            .find(|s| &s.unit == unit)
            .ok_or_else(|| Error::invalid_input("schedule entry missing after insert"))
    }
}

fn snapshot_error(message: String) -> Error {
    Error::new(crate::core::ErrorCode::InvalidSnapshot, message)
}

/// RFC 3339 instant from outside; `invalid_input` naming what was wrong.
pub fn parse_instant(s: &str) -> Result<Timestamp> {
    s.trim().parse::<Timestamp>().map_err(|e| {
        Error::invalid_input(format!(
            "{} is not an RFC 3339 instant: {}",
            quote(s),
            quote(&e.to_string())
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit() -> UnitRef {
        UnitRef::new("bu-1", "ringcentral")
    }

    #[test]
    fn a_unit_without_a_schedule_gets_the_default_and_is_due_until_it_runs() {
        let engine = Engine::new(PresenceSettings::default()).unwrap();
        assert_eq!(engine.schedule(&unit()).schedule, default_schedule());
        let now: Timestamp = "2026-11-23T03:00:00Z".parse().unwrap();
        assert!(engine.is_due(&unit(), now).unwrap());
    }

    #[test]
    fn applying_a_plan_records_the_run_so_the_schedule_is_not_due_again() {
        let mut engine = Engine::new(PresenceSettings::default()).unwrap();
        let now: Timestamp = "2026-11-23T03:00:00Z".parse().unwrap();
        engine.presence.load_sources(&unit(), vec![]).unwrap();
        engine
            .presence
            .plan_auto_sync(&unit(), "r1".into(), now)
            .unwrap();
        engine.apply_plan("r1", "auto_sync", false, now).unwrap();
        assert!(!engine.is_due(&unit(), now).unwrap());
        let next_day: Timestamp = "2026-11-24T02:00:00Z".parse().unwrap();
        assert!(engine.is_due(&unit(), next_day).unwrap());
        assert!(engine.apply_plan("nope", "x", false, now).is_err());
    }

    #[test]
    fn a_bad_schedule_is_refused_and_the_old_one_kept() {
        let mut engine = Engine::new(PresenceSettings::default()).unwrap();
        let bad = Schedule {
            frequency: Frequency::EveryMinutes { minutes: 2 },
            ..default_schedule()
        };
        assert!(engine.set_schedule(&unit(), bad).is_err());
        assert_eq!(engine.schedule(&unit()).schedule, default_schedule());
    }
}
