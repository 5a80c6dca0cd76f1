//! Undo and history exports of `Engine`. Undo plans are ordinary plans kept with
//! the others (run id `undo-<n>`): show one, then apply it with `applyPlan` like any run,
//! as an actor holding `UserMapping.Map`.

use super::convert::{arg, out};
use super::engine::instant;
use super::engine::Engine;
use super::errors::{to_js as error_to_js, JsResult};
use crate::core::mapping::{HistoryEntry, RunSummary, UnitRef};
use crate::core::{Error, ErrorCode};
use tsify::Ts;
use wasm_bindgen::prelude::*;

/// The largest integer a JS number holds exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// An audit event id from JS: a whole, positive, exactly representable number.
fn event_id(value: f64) -> JsResult<u64> {
    if value.is_finite() && value.fract() == 0.0 && (1.0..=MAX_SAFE).contains(&value) {
        Ok(value as u64)
    } else {
        Err(error_to_js(
            Error::new(
                ErrorCode::InvalidInput,
                format!("eventId must be a whole number from 1, got {value}"),
            )
            .with_field("eventId"),
        ))
    }
}

#[wasm_bindgen]
impl Engine {
    /// Plans the undo of an applied run (Auto Sync or an earlier undo) as a dry run: every
    /// user it changed goes back to their mapping before it. Users changed again later, or
    /// whose old account another user holds now, are listed in `conflicts` (`undo_conflict`,
    /// naming the later change); the rest still applies. Apply with
    /// `applyPlan({ runId: plan.runId, actor, now })` (the actor needs `UserMapping.Map`).
    /// Throws `not_found` for an unknown run and
    /// `invalid_input` for a run not applied yet or trimmed by audit retention.
    ///
    /// @example
    /// const undo = engine.planUndoRun("run-1", new Date().toISOString());
    /// show(undo.transitions, undo.conflicts);
    /// const admin = { id: "admin@example.com", permissions: ["UserMapping.Map"] };
    /// engine.applyPlan({ runId: undo.runId, actor: admin, now: new Date().toISOString() });
    #[wasm_bindgen(js_name = "planUndoRun", unchecked_return_type = "Plan")]
    pub fn plan_undo_run(
        &mut self,
        #[wasm_bindgen(js_name = "runId")] run_id: &str,
        now: &str,
    ) -> JsResult<JsValue> {
        let now = instant(now, "now")?;
        let plan = self
            .inner
            .presence
            .plan_undo_run(run_id, now)
            .map_err(error_to_js)?;
        out(plan)
    }

    /// Plans the undo of one manual change (`map`, `unmap`, `exclude`, `include`), named by
    /// the id of any of its audit events (a `map` with `reassign` is one change of two
    /// events). Same plan shape and rules as `planUndoRun`. Throws `not_found` for an unknown
    /// or trimmed event, `invalid_input` for an event of a run (undo the run instead).
    #[wasm_bindgen(js_name = "planUndoEvent", unchecked_return_type = "Plan")]
    pub fn plan_undo_event(
        &mut self,
        #[wasm_bindgen(js_name = "eventId")] event_id_value: f64,
        now: &str,
    ) -> JsResult<JsValue> {
        let id = event_id(event_id_value)?;
        let now = instant(now, "now")?;
        let plan = self
            .inner
            .presence
            .plan_undo_event(id, now)
            .map_err(error_to_js)?;
        out(plan)
    }

    /// One user's transitions still in the audit log, newest first: time, actor, cause
    /// (`auto_sync`, `manual`, `undo`), run or manual change, statuses and reason. Throws
    /// `not_found` for an unknown unit.
    #[wasm_bindgen(js_name = "userHistory", unchecked_return_type = "HistoryEntry[]")]
    pub fn user_history(
        &self,
        unit: Ts<UnitRef>,
        #[wasm_bindgen(js_name = "userId")] user_id: &str,
    ) -> JsResult<JsValue> {
        let unit: UnitRef = arg(unit.into(), "unit")?;
        let entries: Vec<HistoryEntry> = self
            .inner
            .presence
            .user_history(&unit, user_id)
            .map_err(error_to_js)?;
        out(&entries)
    }

    /// The runs applied in a unit, newest first: who applied them, when, counts per
    /// transition and reason, the guard, and whether they can still be undone.
    #[wasm_bindgen(js_name = "runs", unchecked_return_type = "RunSummary[]")]
    pub fn runs(&self, unit: Ts<UnitRef>) -> JsResult<JsValue> {
        let unit: UnitRef = arg(unit.into(), "unit")?;
        let runs: Vec<RunSummary> = self
            .inner
            .presence
            .run_summaries(&unit)
            .map_err(error_to_js)?;
        out(&runs)
    }

    /// The summary of one applied run. Throws `not_found` when no such run is recorded
    /// (never applied, or trimmed by retention).
    #[wasm_bindgen(js_name = "runSummary", unchecked_return_type = "RunSummary")]
    pub fn run_summary(
        &self,
        #[wasm_bindgen(js_name = "runId")] run_id: &str,
    ) -> JsResult<JsValue> {
        let summary = self
            .inner
            .presence
            .run_summary(run_id)
            .map_err(error_to_js)?;
        out(summary)
    }

    /// Applies the audit retention of the settings now (it also runs after every change):
    /// useful right after tightening `auditRetention`. Says which runs can no longer be
    /// undone.
    #[wasm_bindgen(
        js_name = "applyAuditRetention",
        unchecked_return_type = "RetentionReport"
    )]
    pub fn apply_audit_retention(&mut self, now: &str) -> JsResult<JsValue> {
        let now = instant(now, "now")?;
        out(&self.inner.presence.apply_retention(now))
    }
}
