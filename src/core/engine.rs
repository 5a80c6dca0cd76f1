//! The whole state of one usersync instance: Presence Sync mappings (per business unit and
//! platform), the Auto Sync schedule of each unit, and WFM sync. The binding holds one of
//! these per JS `Engine`; the snapshot module saves and restores it.
//!
//! Auto Sync of a unit is "not set up" until an admin holding `UserMapping.Map` saves a
//! schedule: no default schedule exists, and a unit without one is never due. The saved
//! schedule keeps who saved it; a scheduled run acts as that admin, whose permission is
//! confirmed again when the run is applied (see `apply_scheduled_plan`).

use crate::core::error::quote;
use crate::core::mapping::{
    Actor, ApplyOutcome, PlatformSupport, PresenceSettings, PresenceState, UnitRef,
};
use crate::core::schedule::Schedule;
use crate::core::wfm::WfmState;
use crate::core::{Error, ErrorCode, Result};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The Auto Sync schedule of one (business unit, platform) and when it last ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct UnitSchedule {
    pub unit: UnitRef,
    /// Absent until an admin saves one: Auto Sync is then "not set up" and never due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// The admin who saved the schedule, with the permissions they held then. Scheduled
    /// runs act as this admin. Absent for a schedule kept from a snapshot written before
    /// owners were recorded: a scheduled run then acts as the actor its caller names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved_by: Option<Actor>,
    /// When the schedule was saved (RFC 3339). The first run is the first scheduled time
    /// after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved_at: Option<String>,
    /// When an Auto Sync plan of this unit was last applied (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_run: Option<String>,
    /// The last scheduled run that was refused, and why (cleared by the next scheduled run
    /// applied, or by saving the schedule again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_refusal: Option<ScheduledRefusal>,
}

/// A scheduled run refused, kept so the page and the CLI can report it later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ScheduledRefusal {
    /// RFC 3339.
    pub at: String,
    /// The actor the run would have acted as.
    pub actor: String,
    pub code: ErrorCode,
    pub message: String,
}

impl UnitSchedule {
    fn empty(unit: &UnitRef) -> Self {
        UnitSchedule {
            unit: unit.clone(),
            schedule: None,
            saved_by: None,
            saved_at: None,
            last_run: None,
            last_refusal: None,
        }
    }

    /// Whether an admin saved a schedule for the unit.
    pub fn is_set_up(&self) -> bool {
        self.schedule.is_some()
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Engine {
    pub presence: PresenceState,
    pub wfm: WfmState,
    /// Sorted by unit, one entry per unit that has a schedule saved or a run applied.
    pub schedules: Vec<UnitSchedule>,
    /// The run counter and the search index: not saved, not compared.
    pub session: Session,
}

impl Engine {
    pub fn new(settings: PresenceSettings) -> Result<Self> {
        Ok(Engine {
            presence: PresenceState::new(settings)?,
            ..Engine::default()
        })
    }

    /// What the unit's platform supports under the current settings.
    pub fn platform_support(&self, platform: &str) -> PlatformSupport {
        self.presence.settings().platform_support(platform)
    }

    /// The unit's schedule entry; `schedule` is absent while Auto Sync is not set up.
    pub fn schedule(&self, unit: &UnitRef) -> UnitSchedule {
        self.schedules
            .iter()
            .find(|s| &s.unit == unit)
            .cloned()
            .unwrap_or_else(|| UnitSchedule::empty(unit))
    }

    /// Saves the unit's Auto Sync schedule as `actor`, who becomes its owner: scheduled runs
    /// act as them. Needs `UserMapping.Map` (`permission_denied`), a platform with Auto Sync
    /// (`auto_sync_unsupported`) and a valid schedule (`invalid_input` naming the field). On
    /// error nothing changes.
    pub fn set_schedule(
        &mut self,
        unit: &UnitRef,
        schedule: Schedule,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<()> {
        actor.require_map("save the Auto Sync schedule")?;
        self.presence
            .settings()
            .require_auto_sync(&unit.platform, "no Auto Sync schedule can be saved")?;
        schedule.validate()?;
        let entry = self.entry(unit)?;
        entry.schedule = Some(schedule);
        entry.saved_by = Some(actor.clone());
        entry.saved_at = Some(now.to_string());
        entry.last_refusal = None;
        Ok(())
    }

    /// Removes the unit's schedule (Auto Sync is not set up again). Needs `UserMapping.Map`.
    /// Returns whether there was one.
    pub fn clear_schedule(&mut self, unit: &UnitRef, actor: &Actor) -> Result<bool> {
        actor.require_map("remove the Auto Sync schedule")?;
        let Ok(i) = self.schedules.binary_search_by(|s| s.unit.cmp(unit)) else {
            return Ok(false);
        };
        let Some(entry) = self.schedules.get_mut(i) else {
            return Ok(false);
        };
        let had = entry.schedule.is_some();
        entry.schedule = None;
        entry.saved_by = None;
        entry.saved_at = None;
        entry.last_refusal = None;
        Ok(had)
    }

    /// The next `count` Auto Sync runs of `unit` strictly after `from`; none while Auto
    /// Sync is not set up or the platform has no Auto Sync.
    pub fn next_runs(
        &self,
        unit: &UnitRef,
        from: Timestamp,
        count: usize,
    ) -> Result<Vec<Timestamp>> {
        match self.schedule(unit).schedule {
            Some(s) if self.platform_support(&unit.platform).auto_sync => s.next_runs(from, count),
            _ => Ok(Vec::new()),
        }
    }

    /// Whether a scheduled Auto Sync of `unit` is due at `now`: a schedule is saved and
    /// enabled, the platform has Auto Sync, and a scheduled time passed since both the last
    /// applied run and the moment the schedule was saved.
    pub fn is_due(&self, unit: &UnitRef, now: Timestamp) -> Result<bool> {
        let entry = self.schedule(unit);
        let Some(schedule) = &entry.schedule else {
            return Ok(false);
        };
        if !self.platform_support(&unit.platform).auto_sync {
            return Ok(false);
        }
        let last = entry.last_run.as_deref().map(parse_instant).transpose()?;
        let saved = entry.saved_at.as_deref().map(parse_instant).transpose()?;
        schedule.is_due(last.max(saved), now)
    }

    /// Applies a pending plan as `actor` (who must hold `UserMapping.Map`, also to
    /// `force`) and records the run time of its unit for the schedule.
    pub fn apply_plan(
        &mut self,
        run_id: &str,
        actor: &Actor,
        force: bool,
        now: Timestamp,
    ) -> Result<ApplyOutcome> {
        self.apply_as(run_id, actor, false, force, now)
    }

    /// Applies an Auto Sync plan as the unit's scheduled run: it acts as the admin who
    /// saved the schedule and is recorded so (`scheduled` in the audit log and the run
    /// summary). `owner_now` is that admin as the caller knows them now (id and current
    /// permissions); the owner's record among the CXone users loaded for the unit counts
    /// too, and every view must hold `UserMapping.Map` (at least one is needed). A schedule
    /// kept from an older snapshot has no owner: the run acts as `owner_now`.
    ///
    /// Refused with `not_found` when Auto Sync is not set up, `auto_sync_unsupported` for a
    /// manual-only platform, `invalid_input` for an undo plan, and `permission_denied` when
    /// the owner's permission cannot be confirmed; a `permission_denied` refusal is also
    /// recorded as the unit's `lastRefusal`, so it stays reported. Never forced: a
    /// scheduled run stopped by the unmap guard waits for an admin.
    pub fn apply_scheduled_plan(
        &mut self,
        run_id: &str,
        owner_now: Option<&Actor>,
        now: Timestamp,
    ) -> Result<ApplyOutcome> {
        let (unit, is_undo) = self.plan_unit(run_id)?;
        if is_undo {
            return Err(Error::invalid_input(format!(
                "run {} is an undo plan; only Auto Sync plans run on a schedule",
                quote(run_id)
            ))
            .with_id(run_id)
            .with_field("runId"));
        }
        let entry = self.schedule(&unit);
        if !entry.is_set_up() {
            return Err(not_set_up(&unit));
        }
        let owner = match (&entry.saved_by, owner_now) {
            (Some(saved), _) => saved.id.clone(),
            (None, Some(given)) => given.id.clone(),
            (None, None) => {
                return Err(Error::new(
                    ErrorCode::PermissionDenied,
                    format!("the schedule of {} was saved before owners were recorded: name the admin the scheduled run acts as, or save the schedule again", quote(&unit.to_string())),
                )
                .with_field("actor"))
            }
        };
        let loaded = self
            .presence
            .unit(&unit)
            .and_then(|u| u.sources().iter().find(|s| s.id == owner));
        let granted = self.presence.settings().missing_permissions_granted;
        if let Err(e) = crate::core::mapping::confirm_owner(&owner, loaded, granted, owner_now) {
            self.entry(&unit)?.last_refusal = Some(ScheduledRefusal {
                at: now.to_string(),
                actor: owner,
                code: e.code,
                message: e.message.clone(),
            });
            return Err(e);
        }
        // Confirmed above: the actor as given now, else as saved, holds the permission.
        let acting = owner_now
            .cloned()
            .or_else(|| entry.saved_by.clone())
            .unwrap_or_default();
        let outcome = self.apply_as(run_id, &acting, true, false, now)?;
        self.entry(&unit)?.last_refusal = None;
        Ok(outcome)
    }

    fn plan_unit(&self, run_id: &str) -> Result<(UnitRef, bool)> {
        self.presence
            .plan(run_id)
            .map(|p| (p.unit.clone(), p.reverts.is_some()))
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::NotFound,
                    format!("no pending plan {}", quote(run_id)),
                )
                .with_id(run_id)
                .with_field("runId")
            })
    }

    fn apply_as(
        &mut self,
        run_id: &str,
        actor: &Actor,
        scheduled: bool,
        force: bool,
        now: Timestamp,
    ) -> Result<ApplyOutcome> {
        let (unit, is_undo) = self.plan_unit(run_id)?;
        let by = crate::core::mapping::Applier { actor, scheduled };
        let outcome = self.presence.apply_plan_by(run_id, &by, force, now)?;
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
                        "schedules: unit {} is listed twice or out of order",
                        b.unit
                    )));
                }
            }
        }
        for s in &self.schedules {
            if let Some(schedule) = &s.schedule {
                schedule.validate().map_err(|e| {
                    snapshot_error(format!(
                        "schedule of {}: {}",
                        quote(&s.unit.to_string()),
                        e.message
                    ))
                })?;
            } else if s.saved_by.is_some() || s.saved_at.is_some() {
                return Err(snapshot_error(format!(
                    "schedules: unit {} names who saved a schedule but has none",
                    s.unit
                ))
                .with_field("savedBy"));
            }
            if let Some(a) = &s.saved_by {
                if a.id.trim().is_empty() {
                    return Err(snapshot_error(format!(
                        "schedules: unit {} was saved by an actor with no id",
                        s.unit
                    ))
                    .with_field("savedBy"));
                }
            }
            for (field, at) in [
                ("lastRun", &s.last_run),
                ("savedAt", &s.saved_at),
                (
                    "lastRefusal",
                    &s.last_refusal.as_ref().map(|r| r.at.clone()),
                ),
            ] {
                if let Some(at) = at {
                    parse_instant(at).map_err(|e| {
                        snapshot_error(format!("schedules.{field}: {}", e.message))
                            .with_field(field)
                    })?;
                }
            }
        }
        Ok(())
    }

    fn entry(&mut self, unit: &UnitRef) -> Result<&mut UnitSchedule> {
        let i = match self.schedules.binary_search_by(|s| s.unit.cmp(unit)) {
            Ok(i) => i,
            Err(i) => {
                self.schedules.insert(i, UnitSchedule::empty(unit));
                i
            }
        };
        self.schedules
            .get_mut(i)
            .ok_or_else(|| Error::invalid_input("schedule entry missing after insert"))
    }
}

/// `not_found` for a unit whose Auto Sync nobody set up.
pub fn not_set_up(unit: &UnitRef) -> Error {
    Error::new(
        ErrorCode::NotFound,
        format!(
            "Auto Sync of {} is not set up: no schedule has been saved",
            quote(&unit.to_string())
        ),
    )
    .with_field("schedule")
}

fn snapshot_error(message: String) -> Error {
    Error::new(ErrorCode::InvalidSnapshot, message)
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

mod session;
pub use session::{
    instant, reason_text, Session, DEFAULT_SEARCH_LIMIT, MAX_NEXT_RUNS, MAX_SEARCH_LIMIT,
};

#[cfg(test)]
mod tests;
