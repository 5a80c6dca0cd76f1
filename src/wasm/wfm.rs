//! The WFM (IEX) methods of `Engine`: a second `#[wasm_bindgen] impl` block, so WFM sync and
//! Presence Sync each keep their binding in a file of their own. Same shape as the rest:
//! convert, call the core, convert back.

use super::convert::{arg, out};
use super::engine::instant;
use super::engine::Engine;
use super::errors::{to_js as error_to_js, JsResult};
use super::intake::source_batch;
use crate::core::directory::iex::IexAgent;
use crate::core::mapping::Actor;
use crate::core::wfm::{self, AcdBatch, Delta, FieldSwitches, Readiness, WfmLogEntry, WfmSettings};
use tsify::Ts;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl Engine {
    #[wasm_bindgen(js_name = "wfmSettings", unchecked_return_type = "WfmSettings")]
    pub fn wfm_settings(&self) -> JsResult<JsValue> {
        out(&self.inner.wfm.settings)
    }

    /// Sets the WFM interval (5 to 1440 minutes) and the enabled switch. Only an actor
    /// holding `WFM.UserSync.Configure` (the Account Representative's role) may, with a
    /// reason: `permission_denied` / `missing_field` (field `reason`) otherwise. Recorded in
    /// the WFM log. Ask for confirmation before disabling: while disabled, agents do not see
    /// their WFM schedules in MAX.
    #[wasm_bindgen(js_name = "setWfmSettings")]
    pub fn set_wfm_settings(
        &mut self,
        actor: Ts<Actor>,
        settings: Ts<WfmSettings>,
        reason: &str,
        now: &str,
    ) -> JsResult<()> {
        let (actor, settings, now) = (
            arg(actor.into(), "actor")?,
            arg(settings.into(), "settings")?,
            instant(now, "now")?,
        );
        self.inner
            .wfm
            .configure(&actor, settings, reason, now)
            .map_err(error_to_js)
    }

    /// Links an ACD tenant to a WFM tenant as `acdId` (as `setWfmSettings`: the Account
    /// Representative, with a reason, logged). Refused with `acd_tenant_already_linked` when
    /// another WFM tenant has it. False when already linked.
    #[wasm_bindgen(js_name = "linkAcd")]
    #[allow(clippy::too_many_arguments)]
    pub fn link_acd(
        &mut self,
        actor: Ts<Actor>,
        #[wasm_bindgen(js_name = "wfmTenantId")] wfm_tenant_id: &str,
        #[wasm_bindgen(js_name = "acdTenantId")] acd_tenant_id: &str,
        #[wasm_bindgen(js_name = "acdId")] acd_id: &str,
        reason: &str,
        now: &str,
    ) -> JsResult<bool> {
        let (actor, now) = (arg(actor.into(), "actor")?, instant(now, "now")?);
        self.inner
            .wfm
            .link_as(&actor, wfm_tenant_id, acd_tenant_id, acd_id, reason, now)
            .map_err(error_to_js)
    }

    /// Unlinks an ACD tenant (as `linkAcd`). The agents it sent are kept and reported absent.
    #[wasm_bindgen(js_name = "unlinkAcd")]
    pub fn unlink_acd(
        &mut self,
        actor: Ts<Actor>,
        #[wasm_bindgen(js_name = "wfmTenantId")] wfm_tenant_id: &str,
        #[wasm_bindgen(js_name = "acdTenantId")] acd_tenant_id: &str,
        reason: &str,
        now: &str,
    ) -> JsResult<()> {
        let (actor, now) = (arg(actor.into(), "actor")?, instant(now, "now")?);
        self.inner
            .wfm
            .unlink_as(&actor, wfm_tenant_id, acd_tenant_id, reason, now)
            .map_err(error_to_js)
    }

    /// A business unit's (ACD tenant's) field switches: both on unless set.
    #[wasm_bindgen(js_name = "wfmFieldSwitches", unchecked_return_type = "FieldSwitches")]
    pub fn wfm_field_switches(
        &self,
        #[wasm_bindgen(js_name = "acdTenantId")] acd_tenant_id: &str,
    ) -> JsResult<JsValue> {
        out(&self.inner.wfm.field_switches(acd_tenant_id))
    }

    /// Switches syncing the personal id (user GUID) and the external id on or off for a
    /// whole business unit (as `setWfmSettings`: the Account Representative, a reason,
    /// logged). A field switched off is never sent nor changed in WFM.
    #[wasm_bindgen(js_name = "setWfmFieldSwitches")]
    pub fn set_wfm_field_switches(
        &mut self,
        actor: Ts<Actor>,
        switches: Ts<FieldSwitches>,
        reason: &str,
        now: &str,
    ) -> JsResult<()> {
        let (actor, switches, now) = (
            arg(actor.into(), "actor")?,
            arg(switches.into(), "switches")?,
            instant(now, "now")?,
        );
        self.inner
            .wfm
            .set_field_switches(&actor, switches, reason, now)
            .map_err(error_to_js)
    }

    /// Whether a run of the WFM tenant is due at `now` (its current slot has not run and
    /// sync is enabled). Check it before reading the ACD users.
    #[wasm_bindgen(js_name = "isWfmSyncDue")]
    pub fn is_wfm_sync_due(
        &self,
        #[wasm_bindgen(js_name = "wfmTenantId")] wfm_tenant_id: &str,
        now: &str,
    ) -> JsResult<bool> {
        let now = instant(now, "now")?;
        self.inner
            .is_wfm_sync_due(wfm_tenant_id, now)
            .map_err(error_to_js)
    }

    /// The WFM delta for a tenant when a run is due (`sync_not_due` otherwise, naming the
    /// next due time): additions, changes with the changed fields, absent agents (never
    /// deleted), multi-tenant reports, users not synced. The run is logged. Nothing counts
    /// as received until `acknowledgeWfmDelta` says WFM confirmed this delta.
    #[wasm_bindgen(js_name = "wfmSync", unchecked_return_type = "Delta")]
    pub fn wfm_sync(
        &mut self,
        #[wasm_bindgen(js_name = "wfmTenantId")] wfm_tenant_id: &str,
        #[wasm_bindgen(unchecked_param_type = "ReadonlyArray<AcdBatch>")] batches: JsValue,
        now: &str,
    ) -> JsResult<JsValue> {
        let now = instant(now, "now")?;
        let batches: Vec<AcdBatch> = arg(batches, "batches")?;
        let delta = self
            .inner
            .wfm
            .run(wfm_tenant_id, &batches, now)
            .map_err(error_to_js)?;
        out(&delta)
    }

    /// WFM confirmed this delta (the latest run's): what WFM holds advances. `superseded`
    /// for an older delta, `not_found` when none is waiting. Logged.
    #[wasm_bindgen(js_name = "acknowledgeWfmDelta")]
    pub fn acknowledge_wfm_delta(&mut self, delta: Ts<Delta>, now: &str) -> JsResult<()> {
        let (delta, now) = (arg(delta.into(), "delta")?, instant(now, "now")?);
        self.inner.wfm.acknowledge(&delta, now).map_err(error_to_js)
    }

    /// WFM sync status at `now`: settings, tenants (last run, next slot, what WFM holds,
    /// what is pending) and warnings (always the MAX warning while sync is disabled).
    #[wasm_bindgen(js_name = "wfmStatus", unchecked_return_type = "WfmStatus")]
    pub fn wfm_status(&self, now: &str) -> JsResult<JsValue> {
        out(&self.inner.wfm.status(instant(now, "now")?))
    }

    /// Takes what IEX holds (`fetchIexAgents`) as what the WFM tenant holds, for the acds
    /// given a batch (matched by agent number): the next `wfmSync` is computed against it.
    /// Reports agents IEX holds with no CXone user, and ready agents still missing from IEX
    /// three intervals after they were first sent (`not_in_wfm`). Logged.
    #[wasm_bindgen(js_name = "wfmReadBack", unchecked_return_type = "ReadBackReport")]
    pub fn wfm_read_back(
        &mut self,
        #[wasm_bindgen(js_name = "wfmTenantId")] wfm_tenant_id: &str,
        #[wasm_bindgen(unchecked_param_type = "ReadonlyArray<IexAgent>")] held: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ReadonlyArray<AcdBatch>")] batches: JsValue,
        now: &str,
    ) -> JsResult<JsValue> {
        let now = instant(now, "now")?;
        let held: Vec<IexAgent> = arg(held, "held")?;
        let batches: Vec<AcdBatch> = arg(batches, "batches")?;
        let report = self
            .inner
            .wfm
            .read_back(wfm_tenant_id, &held, &batches, now)
            .map_err(error_to_js)?;
        out(&report)
    }

    /// The WFM log, oldest first: every settings change (who, why) and every run.
    #[wasm_bindgen(js_name = "wfmLog", unchecked_return_type = "WfmLogEntry[]")]
    pub fn wfm_log(&self) -> JsResult<JsValue> {
        let log: &[WfmLogEntry] = &self.inner.wfm.log;
        out(log)
    }

    /// Per user, the WFM set-up steps and which is missing. A record intake rejects gets an
    /// entry too (after the others): blocked by the rejection's code, the reason in
    /// `warnings`.
    #[wasm_bindgen(js_name = "wfmReadiness", unchecked_return_type = "Readiness[]")]
    pub fn wfm_readiness(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ReadonlyArray<SourceUser>")] users: JsValue,
    ) -> JsResult<JsValue> {
        let steps: Vec<Readiness> = wfm::batch_readiness(&source_batch(&users)?);
        out(&steps)
    }
}
