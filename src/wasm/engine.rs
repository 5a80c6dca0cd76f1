//! `Engine`: the stateful handle of the package. Every method converts, calls the core,
//! converts back; no rule lives here. Instants cross as RFC 3339 strings
//! (`new Date().toISOString()`), read by the core: time never comes from a hidden clock.

use super::convert::{arg, out};
use super::errors::{to_js as error_to_js, JsResult};
use super::intake::{external_batch, source_batch};
use super::params::{
    is_unit, params, positional, positional_actor, ApplyPlanParams, ClearScheduleParams, MapParams,
    ScheduledApplyParams, SetScheduleParams, UserChangeParams, APPLY_KEYS, MAP_KEYS,
    USER_CHANGE_KEYS,
};
use crate::core::engine::Engine as CoreEngine;
use crate::core::intake::Intake;
use crate::core::mapping::{
    Actor, AuditEvent, PresenceSettings, PresenceState, Reason, StatusRow, UnitRef,
};
use crate::core::snapshot;
use jiff::Timestamp;
use tsify::Ts;
use wasm_bindgen::prelude::*;

/// One usersync instance: Presence Sync mappings per business unit and platform, Auto Sync
/// schedules, WFM sync, the audit log. Call `free()` when done with it (or let the
/// FinalizationRegistry do it).
///
/// @example
/// const engine = new Engine();
/// const unit = { businessUnitId: "bu-1", platform: "ringcentral" };
/// engine.loadSourceUsers(unit, cxoneUsers);
/// engine.loadExternalUsers(unit, ringCentralUsers);
/// const plan = engine.planAutoSync(unit, new Date().toISOString());
/// const retry = engine.retryAutoSync(plan.runId, await refetch(plan.retry.emails), now);
/// const admin = { id: "admin@example.com", permissions: ["UserMapping.Map"] };
/// engine.applyPlan({ runId: retry.runId, actor: admin, now });
#[wasm_bindgen]
pub struct Engine {
    pub(crate) inner: CoreEngine,
}

/// A count from JS: wasm-bindgen would wrap -1 to 4294967295 and cut 1.5 to 1 without a word,
/// so counts cross as numbers and are checked here.
fn whole(n: f64, what: &str) -> JsResult<usize> {
    if n.fract() != 0.0 || !(0.0..=f64::from(u32::MAX)).contains(&n) {
        return Err(error_to_js(
            crate::core::Error::invalid_input(format!("'{what}' must be a whole number, got {n}"))
                .with_field(what),
        ));
    }
    Ok(n as usize)
}

/// An RFC 3339 argument (`now`, `from`) as an instant, naming the parameter on error.
pub(crate) fn instant(s: &str, what: &str) -> JsResult<Timestamp> {
    crate::core::engine::instant(s, what).map_err(error_to_js)
}

/// A reason in the words the Status view uses ("No RingCentral account has this email"), for
/// pages that show a reason code from a plan, a run or the audit log.
#[wasm_bindgen(js_name = "reasonText")]
pub fn reason_text(
    reason: Ts<Reason>,
    #[wasm_bindgen(unchecked_param_type = "string")] platform: JsValue,
) -> JsResult<String> {
    let reason = arg(reason.into(), "reason")?;
    let platform = super::convert::well_formed_string(&platform, "platform")?;
    Ok(crate::core::engine::reason_text(reason, &platform))
}

#[wasm_bindgen]
impl Engine {
    /// A fresh engine. `settings` are the Presence Sync settings (key options, fallback keys,
    /// the unmap guard); omitted fields take their defaults.
    #[wasm_bindgen(constructor)]
    pub fn new(settings: Option<Ts<PresenceSettings>>) -> JsResult<Engine> {
        let settings = settings
            .map(|s| arg(s.into(), "settings"))
            .transpose()?
            .unwrap_or_default();
        let inner = CoreEngine::new(settings).map_err(error_to_js)?;
        Ok(Engine { inner })
    }

    /// Restores an engine from `saveSnapshot()` JSON, whole or not at all: throws
    /// `invalid_snapshot` (damaged) or `unsupported_version`.
    #[wasm_bindgen(js_name = "fromSnapshot")]
    pub fn from_snapshot(json: &str) -> JsResult<Engine> {
        let inner = snapshot::restore(json).map_err(error_to_js)?;
        Ok(Engine { inner })
    }

    /// Replaces this engine's state with a snapshot's; on error the current state is kept.
    #[wasm_bindgen(js_name = "restoreSnapshot")]
    pub fn restore_snapshot(&mut self, json: &str) -> JsResult<()> {
        self.inner.restore_snapshot(json).map_err(error_to_js)
    }

    /// The whole state (settings, mappings, audit log, schedules, WFM) as versioned JSON.
    /// Loaded directories and pending plans are not included.
    #[wasm_bindgen(js_name = "saveSnapshot")]
    pub fn save_snapshot(&self) -> JsResult<String> {
        snapshot::save(&self.inner).map_err(error_to_js)
    }

    #[wasm_bindgen(
        js_name = "presenceSettings",
        unchecked_return_type = "PresenceSettings"
    )]
    pub fn presence_settings(&self) -> JsResult<JsValue> {
        out(self.inner.presence.settings())
    }

    #[wasm_bindgen(js_name = "setPresenceSettings")]
    pub fn set_presence_settings(&mut self, settings: Ts<PresenceSettings>) -> JsResult<()> {
        let s = arg(settings.into(), "settings")?;
        self.inner.presence.set_settings(s).map_err(error_to_js)
    }

    /// Validates the CXone users of a unit (intake) and loads the accepted ones. Returns the
    /// intake report; throws only when the batch as a whole is unusable.
    #[wasm_bindgen(js_name = "loadSourceUsers", unchecked_return_type = "IntakeReport")]
    pub fn load_source_users(
        &mut self,
        unit: Ts<UnitRef>,
        #[wasm_bindgen(unchecked_param_type = "ReadonlyArray<SourceUser>")] records: JsValue,
    ) -> JsResult<JsValue> {
        let unit = arg(unit.into(), "unit")?;
        let Intake { records, report } = source_batch(&records)?;
        self.inner
            .presence
            .load_sources(&unit, records)
            .map_err(error_to_js)?;
        out(&report)
    }

    /// Validates and loads the external directory of a unit; see `loadSourceUsers`.
    #[wasm_bindgen(js_name = "loadExternalUsers", unchecked_return_type = "IntakeReport")]
    pub fn load_external_users(
        &mut self,
        unit: Ts<UnitRef>,
        #[wasm_bindgen(unchecked_param_type = "ReadonlyArray<ExternalUser>")] records: JsValue,
    ) -> JsResult<JsValue> {
        let unit = arg(unit.into(), "unit")?;
        let Intake { records, report } = external_batch(&records)?;
        self.inner
            .load_directory(&unit, records)
            .map_err(error_to_js)?;
        out(&report)
    }

    /// The first Auto Sync pass over the loaded users and directory, as a plan (a dry run:
    /// nothing changes until `applyPlan`). `runId` defaults to `run-<now>-<n>`.
    #[wasm_bindgen(js_name = "planAutoSync", unchecked_return_type = "Plan")]
    pub fn plan_auto_sync(
        &mut self,
        unit: Ts<UnitRef>,
        now: &str,
        #[wasm_bindgen(js_name = "runId")] run_id: Option<String>,
    ) -> JsResult<JsValue> {
        let unit = arg(unit.into(), "unit")?;
        let now = instant(now, "now")?;
        let plan = self
            .inner
            .plan_auto_sync(&unit, run_id, now)
            .map_err(error_to_js)?;
        out(plan)
    }

    /// The retry-once pass of a plan: users that got `no_match` / `multiple_matches` are
    /// tried again, against the loaded directory updated with `refreshed` (re-fetch
    /// `plan.retry.emails` and pass what came back, or `null` to retry as is).
    #[wasm_bindgen(js_name = "retryAutoSync", unchecked_return_type = "Plan")]
    pub fn retry_auto_sync(
        &mut self,
        #[wasm_bindgen(js_name = "runId")] run_id: &str,
        #[wasm_bindgen(unchecked_param_type = "ReadonlyArray<ExternalUser> | null | undefined")]
        refreshed: JsValue,
        now: &str,
    ) -> JsResult<JsValue> {
        let now = instant(now, "now")?;
        let refreshed = if refreshed.is_null() || refreshed.is_undefined() {
            None
        } else {
            Some(external_batch(&refreshed)?)
        };
        let plan = self
            .inner
            .retry_auto_sync(run_id, refreshed, now)
            .map_err(error_to_js)?;
        out(plan)
    }

    /// A pending plan by run id (after `planAutoSync` / `retryAutoSync`), or undefined.
    #[wasm_bindgen(js_name = "pendingPlan", unchecked_return_type = "Plan | undefined")]
    pub fn pending_plan(
        &self,
        #[wasm_bindgen(js_name = "runId")] run_id: &str,
    ) -> JsResult<JsValue> {
        match self.inner.presence.plan(run_id) {
            Some(plan) => out(plan),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Drops a pending plan without applying it. True when there was one.
    #[wasm_bindgen(js_name = "discardPlan")]
    pub fn discard_plan(&mut self, #[wasm_bindgen(js_name = "runId")] run_id: &str) -> bool {
        self.inner.presence.discard_plan(run_id)
    }

    /// Applies a plan as an admin (typed overloads in `presence.d.ts`): `applyPlan({ runId,
    /// actor, now, force? })`. The positional form `(runId, actor, now, force?)` still works
    /// for one release, with an `Actor` (a bare string is refused).
    #[wasm_bindgen(
        js_name = "applyPlan",
        skip_typescript,
        unchecked_return_type = "ApplyOutcome"
    )]
    pub fn apply_plan(
        &mut self,
        first: JsValue,
        actor: JsValue,
        now: JsValue,
        force: JsValue,
    ) -> JsResult<JsValue> {
        let p: ApplyPlanParams = if first.is_string() {
            ApplyPlanParams {
                run_id: positional(first, "applyPlan", "runId")?,
                actor: positional_actor(actor, "applyPlan")?,
                now: positional(now, "applyPlan", "now")?,
                force: positional::<Option<bool>>(force, "applyPlan", "force")?.unwrap_or(false),
            }
        } else {
            params(first, "applyPlan", APPLY_KEYS)?
        };
        let now = instant(&p.now, "now")?;
        let outcome = self
            .inner
            .apply_plan(&p.run_id, &p.actor, p.force, now)
            .map_err(error_to_js)?;
        out(&outcome)
    }

    /// Applies an Auto Sync plan as the unit's scheduled run, acting as the admin who saved
    /// the schedule (recorded as `scheduled` in the audit log). Throws `not_found` when Auto
    /// Sync of the unit is not set up, and `permission_denied` when that admin's
    /// `UserMapping.Map` cannot be confirmed (`owner` as the caller knows them now, and their
    /// record among the loaded CXone users); the refusal stays in `schedule(unit).lastRefusal`.
    ///
    /// @example
    /// if (engine.isAutoSyncDue(unit, now)) {
    ///   const plan = engine.planAutoSync(unit, now);
    ///   engine.applyScheduledPlan({ runId: plan.runId, now });
    /// }
    #[wasm_bindgen(js_name = "applyScheduledPlan", unchecked_return_type = "ApplyOutcome")]
    pub fn apply_scheduled_plan(&mut self, params: Ts<ScheduledApplyParams>) -> JsResult<JsValue> {
        let p: ScheduledApplyParams = arg(params.into(), "applyScheduledPlan")?;
        let now = instant(&p.now, "now")?;
        let outcome = self
            .inner
            .apply_scheduled_plan(&p.run_id, p.owner.as_ref(), now)
            .map_err(error_to_js)?;
        out(&outcome)
    }

    /// What a platform supports: Auto Sync (`ringcentral`, or a platform declared with it in
    /// the settings) and manual mapping (every platform).
    #[wasm_bindgen(js_name = "platformSupport", unchecked_return_type = "PlatformSupport")]
    pub fn platform_support(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] platform: JsValue,
    ) -> JsResult<JsValue> {
        let platform = super::convert::well_formed_string(&platform, "platform")?;
        out(&self.inner.platform_support(&platform))
    }

    /// The Status view of a unit: one row per CXone user.
    #[wasm_bindgen(js_name = "status", unchecked_return_type = "StatusRow[]")]
    pub fn status(&self, unit: Ts<UnitRef>) -> JsResult<JsValue> {
        let unit = arg(unit.into(), "unit")?;
        let rows: Vec<StatusRow> = self
            .inner
            .presence
            .status_rows(&unit)
            .map_err(error_to_js)?;
        out(&rows)
    }

    /// The units this engine knows (loaded or with mappings).
    #[wasm_bindgen(js_name = "units", unchecked_return_type = "UnitRef[]")]
    pub fn units(&self) -> JsResult<JsValue> {
        let units: Vec<&UnitRef> = self.inner.presence.units().map(|u| &u.unit).collect();
        out(&units)
    }

    /// Every transition recorded, oldest first.
    #[wasm_bindgen(js_name = "auditLog", unchecked_return_type = "AuditEvent[]")]
    pub fn audit_log(&self) -> JsResult<JsValue> {
        let log: &[AuditEvent] = self.inner.presence.log();
        out(log)
    }

    /// Searches the unit's external directory by name as it exists there (case- and
    /// accent-insensitive, any token order, prefix and typo tolerant), best first.
    #[wasm_bindgen(js_name = "searchExternal", unchecked_return_type = "SearchHit[]")]
    pub fn search_external(
        &mut self,
        unit: Ts<UnitRef>,
        query: &str,
        limit: Option<f64>,
    ) -> JsResult<JsValue> {
        let unit = arg(unit.into(), "unit")?;
        let limit = limit.map(|n| whole(n, "limit")).transpose()?;
        let hits = self
            .inner
            .search_external(&unit, query, limit)
            .map_err(error_to_js)?;
        out(&hits)
    }

    /// Maps a user by hand: `map({ unit, actor, userId, externalId, now, reassign? })`
    /// (typed overloads in `presence.d.ts`). `external_taken` when the account is another
    /// user's, unless `reassign`. Returns the audit events.
    #[wasm_bindgen(js_name = "map", skip_typescript)]
    pub fn map(
        &mut self,
        first: JsValue,
        actor: JsValue,
        user_id: JsValue,
        external_id: JsValue,
        now: JsValue,
        reassign: JsValue,
    ) -> JsResult<JsValue> {
        let p: MapParams = if is_unit(&first) {
            MapParams {
                unit: positional(first, "map", "unit")?,
                actor: positional_actor(actor, "map")?,
                user_id: positional(user_id, "map", "userId")?,
                external_id: positional(external_id, "map", "externalId")?,
                now: positional(now, "map", "now")?,
                reassign: positional::<Option<bool>>(reassign, "map", "reassign")?.unwrap_or(false),
            }
        } else {
            params(first, "map", MAP_KEYS)?
        };
        let now = instant(&p.now, "now")?;
        let events = self
            .inner
            .presence
            .map(
                &p.unit,
                &p.user_id,
                &p.external_id,
                p.reassign,
                &p.actor,
                now,
            )
            .map_err(error_to_js)?;
        out(&events)
    }

    /// Unmaps a user (`manual_unmap`): `unmap({ unit, actor, userId, now })`.
    #[wasm_bindgen(js_name = "unmap", skip_typescript)]
    pub fn unmap(
        &mut self,
        first: JsValue,
        actor: JsValue,
        user_id: JsValue,
        now: JsValue,
    ) -> JsResult<JsValue> {
        self.user_change(first, actor, user_id, now, "unmap", PresenceState::unmap)
    }

    /// Keeps a user out of Auto Sync: `exclude({ unit, actor, userId, now })`.
    #[wasm_bindgen(js_name = "exclude", skip_typescript)]
    pub fn exclude(
        &mut self,
        first: JsValue,
        actor: JsValue,
        user_id: JsValue,
        now: JsValue,
    ) -> JsResult<JsValue> {
        self.user_change(
            first,
            actor,
            user_id,
            now,
            "exclude",
            PresenceState::exclude,
        )
    }

    /// Lets an excluded user take part in Auto Sync again: `include({ unit, actor, userId,
    /// now })`.
    #[wasm_bindgen(js_name = "include", skip_typescript)]
    pub fn include(
        &mut self,
        first: JsValue,
        actor: JsValue,
        user_id: JsValue,
        now: JsValue,
    ) -> JsResult<JsValue> {
        self.user_change(
            first,
            actor,
            user_id,
            now,
            "include",
            PresenceState::include,
        )
    }

    /// The Auto Sync schedule of a unit: `schedule` is absent while Auto Sync is not set up
    /// (no admin saved one); `savedBy` is the admin scheduled runs act as; `lastRefusal` the
    /// last scheduled run refused.
    #[wasm_bindgen(js_name = "schedule", unchecked_return_type = "UnitSchedule")]
    pub fn schedule(&self, unit: Ts<UnitRef>) -> JsResult<JsValue> {
        out(&self.inner.schedule(&arg(unit.into(), "unit")?))
    }

    /// Saves the Auto Sync schedule of a unit: `setSchedule({ unit, schedule, actor, now })`.
    /// The actor needs `UserMapping.Map` and becomes the schedule's owner; the platform must
    /// support Auto Sync (`auto_sync_unsupported`); `invalid_input` names a bad field.
    ///
    /// @example
    /// engine.setSchedule({ unit, actor, now: new Date().toISOString(),
    ///   schedule: { enabled: true, timeZone: "Europe/Berlin", frequency: { kind: "daily", time: "02:00" } } });
    #[wasm_bindgen(js_name = "setSchedule")]
    pub fn set_schedule(&mut self, params: Ts<SetScheduleParams>) -> JsResult<()> {
        let p: SetScheduleParams = arg(params.into(), "setSchedule")?;
        let now = instant(&p.now, "now")?;
        self.inner
            .set_schedule(&p.unit, p.schedule, &p.actor, now)
            .map_err(error_to_js)
    }

    /// Removes the schedule of a unit (Auto Sync is not set up again); needs
    /// `UserMapping.Map`. True when there was one.
    #[wasm_bindgen(js_name = "clearSchedule")]
    pub fn clear_schedule(&mut self, params: Ts<ClearScheduleParams>) -> JsResult<bool> {
        let p: ClearScheduleParams = arg(params.into(), "clearSchedule")?;
        self.inner
            .clear_schedule(&p.unit, &p.actor)
            .map_err(error_to_js)
    }

    /// The next `count` Auto Sync runs of a unit after `from`, as RFC 3339 UTC strings; none
    /// while Auto Sync is not set up or the platform has no Auto Sync.
    #[wasm_bindgen(js_name = "nextRuns")]
    pub fn next_runs(&self, unit: Ts<UnitRef>, from: &str, count: f64) -> JsResult<Vec<String>> {
        let (unit, from) = (arg(unit.into(), "unit")?, instant(from, "from")?);
        let count = whole(count, "count")?;
        self.inner
            .next_runs_checked(&unit, from, count)
            .map_err(error_to_js)
    }

    /// Whether a scheduled Auto Sync of a unit is due at `now`: never while it is not set up,
    /// disabled, or on a manual-only platform.
    #[wasm_bindgen(js_name = "isAutoSyncDue")]
    pub fn is_auto_sync_due(&self, unit: Ts<UnitRef>, now: &str) -> JsResult<bool> {
        let (unit, now) = (arg(unit.into(), "unit")?, instant(now, "now")?);
        self.inner.is_due(&unit, now).map_err(error_to_js)
    }
}

/// The parameters of `unmap` / `exclude` / `include`, from an object or the old positional
/// `(unit, actor, userId, now)`.
fn user_change(
    first: JsValue,
    actor: JsValue,
    user_id: JsValue,
    now: JsValue,
    method: &str,
) -> JsResult<UserChangeParams> {
    if is_unit(&first) {
        Ok(UserChangeParams {
            unit: positional(first, method, "unit")?,
            actor: positional_actor(actor, method)?,
            user_id: positional(user_id, method, "userId")?,
            now: positional(now, method, "now")?,
        })
    } else {
        params(first, method, USER_CHANGE_KEYS)
    }
}

/// One of the core's manual changes of a single user (`unmap`, `exclude`, `include`).
type UserChange = fn(
    &mut PresenceState,
    &UnitRef,
    &str,
    &Actor,
    Timestamp,
) -> crate::core::Result<Vec<AuditEvent>>;

impl Engine {
    /// `unmap` / `exclude` / `include`: the same parameters, the same answer, one core call.
    fn user_change(
        &mut self,
        first: JsValue,
        actor: JsValue,
        user_id: JsValue,
        now: JsValue,
        method: &str,
        change: UserChange,
    ) -> JsResult<JsValue> {
        let p = user_change(first, actor, user_id, now, method)?;
        let now = instant(&p.now, "now")?;
        let events = change(&mut self.inner.presence, &p.unit, &p.user_id, &p.actor, now)
            .map_err(error_to_js)?;
        out(&events)
    }
}
