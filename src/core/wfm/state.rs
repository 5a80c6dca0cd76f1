//! Everything WFM sync remembers between runs, its snapshot check and its status view.

use super::agent::{WfmAgent, ORIGIN_FROM_ACD, ORIGIN_GONE_FROM_ACD};
use super::log::{WfmLogEntry, MAX_LOG_ENTRIES};
use super::slots::{next_due, RunTimes, WfmSettings};
use super::topology::{Acd, Topology};
use crate::core::error::{Error, ErrorCode, Result};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The warning every status view carries while WFM sync is disabled.
pub const DISABLED_WARNING: &str =
    "WFM sync is disabled: agents will not see their WFM schedules in MAX.";

/// The agents one WFM tenant last received, sorted by (acd id, user id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ReceivedAgents {
    pub wfm_tenant_id: String,
    pub agents: Vec<WfmAgent>,
}

/// When a WFM tenant last ran (RFC 3339) and where its slots start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct LastRun {
    pub wfm_tenant_id: String,
    pub at: String,
    /// Slots start at `anchor + k x interval` (RFC 3339); missing until a run under the
    /// current interval sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
}

/// The last delta of a WFM tenant that WFM has not confirmed yet. What WFM holds advances
/// only when it acknowledges this delta (or a read-back shows what it holds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PendingDelta {
    pub wfm_tenant_id: String,
    /// The run that produced it (RFC 3339): only that delta can be acknowledged.
    pub run_at: String,
    pub additions: usize,
    pub changes: usize,
    pub absent: usize,
}

/// Which optional fields a business unit (an ACD tenant) sends to WFM. Both default to on;
/// a field switched off is never sent nor changed for that unit's agents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct FieldSwitches {
    pub acd_tenant_id: String,
    /// Send the user's GUID as the personal id.
    #[serde(default = "on")]
    pub sync_personal_id: bool,
    #[serde(default = "on")]
    pub sync_external_id: bool,
}

fn on() -> bool {
    true
}

impl FieldSwitches {
    pub fn all_on(acd_tenant_id: &str) -> Self {
        FieldSwitches {
            acd_tenant_id: acd_tenant_id.into(),
            sync_personal_id: true,
            sync_external_id: true,
        }
    }
}

/// An addition sent to WFM that no read-back or acknowledgement has confirmed yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SentAgent {
    pub wfm_tenant_id: String,
    pub acd_id: String,
    pub user_id: String,
    pub agent_number: String,
    /// RFC 3339: the run that first sent it.
    pub first_sent: String,
}

/// WFM sync state. Every list is kept sorted (tenants and runs by WFM tenant id, agents by
/// acd id then user id), so a snapshot is the same bytes for the same state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct WfmState {
    #[serde(default)]
    pub settings: WfmSettings,
    #[serde(default)]
    pub topology: Topology,
    #[serde(default)]
    pub received: Vec<ReceivedAgents>,
    #[serde(default)]
    pub last_runs: Vec<LastRun>,
    /// Sorted by WFM tenant id; at most one per tenant (the latest delta).
    #[serde(default)]
    pub pending: Vec<PendingDelta>,
    /// Sorted by ACD tenant id; a unit not listed sends every field.
    #[serde(default)]
    pub field_switches: Vec<FieldSwitches>,
    /// Oldest first, at most [`MAX_LOG_ENTRIES`].
    #[serde(default)]
    pub log: Vec<WfmLogEntry>,
    /// Additions sent and not yet seen in IEX nor acknowledged, in the order first sent.
    #[serde(default)]
    pub sent: Vec<SentAgent>,
}

/// One WFM tenant in the status view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct TenantStatus {
    pub wfm_tenant_id: String,
    pub acds: Vec<Acd>,
    /// RFC 3339, or missing when the tenant never ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_run: Option<String>,
    /// RFC 3339; missing while sync is disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_due: Option<String>,
    /// Agents WFM holds from the ACD (origin 1) and agents it holds that the ACD no longer
    /// has (origin 2).
    pub agents_present: usize,
    pub agents_absent: usize,
    /// The last delta WFM has not confirmed, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PendingDelta>,
    /// Agents sent that IEX still lacks several intervals later (`not_in_wfm`).
    #[serde(default)]
    pub not_in_wfm: usize,
}

/// What the admin page shows for WFM sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct WfmStatus {
    pub enabled: bool,
    pub interval_minutes: u32,
    pub tenants: Vec<TenantStatus>,
    /// Contains [`DISABLED_WARNING`] whenever sync is disabled.
    pub warnings: Vec<String>,
}

impl WfmState {
    /// Replaces the settings after checking them (`invalid_input`, field `intervalMinutes`).
    /// A new interval drops every slot anchor: the next run is due one interval (less the
    /// tick tolerance) after the last, and anchors the new slots.
    pub fn set_settings(&mut self, settings: WfmSettings) -> Result<()> {
        settings.validate()?;
        if settings.interval_minutes != self.settings.interval_minutes {
            for run in &mut self.last_runs {
                run.anchor = None;
            }
        }
        self.settings = settings;
        Ok(())
    }

    /// The switches of a business unit (all on when none were set).
    pub fn field_switches(&self, acd_tenant_id: &str) -> FieldSwitches {
        self.field_switches
            .iter()
            .find(|f| f.acd_tenant_id == acd_tenant_id)
            .cloned()
            .unwrap_or_else(|| FieldSwitches::all_on(acd_tenant_id))
    }

    pub(crate) fn put_field_switches(&mut self, switches: FieldSwitches) {
        match self
            .field_switches
            .binary_search_by(|f| f.acd_tenant_id.as_str().cmp(&switches.acd_tenant_id))
        {
            Ok(pos) => {
                if let Some(slot) = self.field_switches.get_mut(pos) {
                    *slot = switches;
                }
            }
            Err(pos) => self.field_switches.insert(pos, switches),
        }
    }

    /// The tenant's unconfirmed delta, if any.
    pub fn pending(&self, wfm_tenant_id: &str) -> Option<&PendingDelta> {
        self.pending
            .iter()
            .find(|p| p.wfm_tenant_id == wfm_tenant_id)
    }

    /// Records the tenant's unconfirmed delta (`Delta::pending`), replacing an older one: the
    /// new delta repeats whatever the older one held that WFM never confirmed. `None` (an
    /// empty delta) leaves nothing to confirm.
    pub(crate) fn set_pending(&mut self, wfm_tenant_id: &str, entry: Option<PendingDelta>) {
        let pos = self
            .pending
            .binary_search_by(|p| p.wfm_tenant_id.as_str().cmp(wfm_tenant_id));
        match (pos, entry) {
            (Ok(pos), Some(e)) => {
                if let Some(slot) = self.pending.get_mut(pos) {
                    *slot = e;
                }
            }
            (Ok(pos), None) => {
                self.pending.remove(pos);
            }
            (Err(pos), Some(e)) => self.pending.insert(pos, e),
            (Err(_), None) => {}
        }
    }

    pub(crate) fn clear_pending(&mut self, wfm_tenant_id: &str) {
        self.pending.retain(|p| p.wfm_tenant_id != wfm_tenant_id);
    }

    pub(crate) fn record(&mut self, entry: WfmLogEntry) {
        super::log::push(&mut self.log, entry);
    }

    /// See [`Topology::link`].
    pub fn link(
        &mut self,
        wfm_tenant_id: &str,
        acd_tenant_id: &str,
        acd_id: &str,
        now: Timestamp,
    ) -> Result<bool> {
        self.topology
            .link(wfm_tenant_id, acd_tenant_id, acd_id, now)
    }

    /// See [`Topology::unlink`]: the agents that ACD sent stay in `received` and the next
    /// delta reports them absent (`acd_unlinked`); they are never deleted.
    pub fn unlink(&mut self, wfm_tenant_id: &str, acd_tenant_id: &str) -> Result<Acd> {
        self.topology.unlink(wfm_tenant_id, acd_tenant_id)
    }

    /// What `wfm_tenant_id` last received, sorted by (acd id, user id).
    pub fn received(&self, wfm_tenant_id: &str) -> &[WfmAgent] {
        self.received
            .iter()
            .find(|r| r.wfm_tenant_id == wfm_tenant_id)
            .map_or(&[], |r| r.agents.as_slice())
    }

    /// Replaces what `wfm_tenant_id` last received (the caller keeps `agents` sorted).
    pub(crate) fn set_received(&mut self, wfm_tenant_id: &str, agents: Vec<WfmAgent>) {
        let entry = ReceivedAgents {
            wfm_tenant_id: wfm_tenant_id.into(),
            agents,
        };
        match self
            .received
            .binary_search_by(|r| r.wfm_tenant_id.as_str().cmp(wfm_tenant_id))
        {
            Ok(pos) => {
                if let Some(slot) = self.received.get_mut(pos) {
                    *slot = entry;
                }
            }
            Err(pos) => self.received.insert(pos, entry),
        }
    }

    /// The tenant's last run; `invalid_snapshot` when the stored time does not parse.
    pub fn last_run(&self, wfm_tenant_id: &str) -> Result<Option<Timestamp>> {
        let Some(run) = self
            .last_runs
            .iter()
            .find(|r| r.wfm_tenant_id == wfm_tenant_id)
        else {
            return Ok(None);
        };
        run.at.parse().map(Some).map_err(|e| {
            Error::new(
                ErrorCode::InvalidSnapshot,
                format!("last run of WFM tenant {wfm_tenant_id} is not an RFC 3339 time: {e}"),
            )
            .with_id(wfm_tenant_id)
            .with_field("lastRuns.at")
        })
    }

    /// The tenant's last run and slot anchor; `invalid_snapshot` when a stored time does not
    /// parse.
    pub fn run_times(&self, wfm_tenant_id: &str) -> Result<Option<RunTimes>> {
        let Some(last) = self.last_run(wfm_tenant_id)? else {
            return Ok(None);
        };
        let anchor = self
            .last_runs
            .iter()
            .find(|r| r.wfm_tenant_id == wfm_tenant_id)
            .and_then(|r| r.anchor.as_deref())
            .map(|a| {
                a.parse::<Timestamp>().map_err(|e| {
                    Error::new(
                        ErrorCode::InvalidSnapshot,
                        format!("slot anchor of WFM tenant {wfm_tenant_id} is not an RFC 3339 time: {e}"),
                    )
                    .with_id(wfm_tenant_id)
                    .with_field("lastRuns.anchor")
                })
            })
            .transpose()?;
        Ok(Some(RunTimes { last, anchor }))
    }

    pub(crate) fn set_last_run(&mut self, wfm_tenant_id: &str, at: Timestamp, anchor: Timestamp) {
        let run = LastRun {
            wfm_tenant_id: wfm_tenant_id.into(),
            at: at.to_string(),
            anchor: Some(anchor.to_string()),
        };
        match self
            .last_runs
            .binary_search_by(|r| r.wfm_tenant_id.as_str().cmp(wfm_tenant_id))
        {
            Ok(pos) => {
                if let Some(slot) = self.last_runs.get_mut(pos) {
                    *slot = run;
                }
            }
            Err(pos) => self.last_runs.insert(pos, run),
        }
    }

    /// Checks a restored snapshot: settings in range; ids non-empty; WFM tenants unique and
    /// sorted; acd ids unique within a WFM tenant; no ACD tenant linked twice; every time
    /// RFC 3339; received agents and last runs belong to a known WFM tenant, are unique and
    /// sorted, and agents have origin 1 or 2. `invalid_snapshot` names the first problem.
    pub fn validate(&self) -> Result<()> {
        self.settings
            .validate()
            .map_err(|e| snapshot(format!("settings: {}", e.message)))?;
        let mut wfm_ids = BTreeSet::new();
        let mut acd_tenants = BTreeSet::new();
        let mut prev: Option<&str> = None;
        for t in &self.topology.tenants {
            if t.id.trim().is_empty() {
                return Err(snapshot("topology: a WFM tenant has an empty id".into()));
            }
            if prev.is_some_and(|p| p >= t.id.as_str()) {
                return Err(snapshot(format!(
                    "topology: WFM tenant {} is duplicated or out of order",
                    t.id
                )));
            }
            prev = Some(&t.id);
            wfm_ids.insert(t.id.as_str());
            let mut acd_ids = BTreeSet::new();
            for a in &t.acds {
                if a.acd_id.trim().is_empty() || a.acd_tenant_id.trim().is_empty() {
                    return Err(snapshot(format!(
                        "topology: WFM tenant {} has an acd with an empty id",
                        t.id
                    )));
                }
                if !acd_ids.insert(a.acd_id.as_str()) {
                    return Err(snapshot(format!(
                        "topology: acd id {} is used twice in WFM tenant {}",
                        a.acd_id, t.id
                    )));
                }
                if !acd_tenants.insert(a.acd_tenant_id.as_str()) {
                    return Err(snapshot(format!(
                        "topology: ACD tenant {} is linked more than once (second time in WFM tenant {})",
                        a.acd_tenant_id, t.id
                    )));
                }
                a.linked_at.parse::<Timestamp>().map_err(|e| {
                    snapshot(format!(
                        "topology: linkedAt of acd {} in WFM tenant {} is not RFC 3339: {e}",
                        a.acd_id, t.id
                    ))
                })?;
            }
        }
        let mut prev: Option<&str> = None;
        for r in &self.received {
            check_tenant("received", &r.wfm_tenant_id, &wfm_ids, &mut prev)?;
            for pair in r.agents.windows(2) {
                if let [a, b] = pair {
                    if a.key() >= b.key() {
                        return Err(snapshot(format!(
                            "received: agent ({}, {}) of WFM tenant {} is duplicated or out of order",
                            b.acd_id, b.personal_id, r.wfm_tenant_id
                        )));
                    }
                }
            }
            if let Some(a) = r
                .agents
                .iter()
                .find(|a| a.origin != ORIGIN_FROM_ACD && a.origin != ORIGIN_GONE_FROM_ACD)
            {
                return Err(snapshot(format!(
                    "received: agent ({}, {}) has origin {}; only 1 and 2 exist",
                    a.acd_id, a.personal_id, a.origin
                )));
            }
        }
        let mut prev: Option<&str> = None;
        for run in &self.last_runs {
            check_tenant("lastRuns", &run.wfm_tenant_id, &wfm_ids, &mut prev)?;
            self.run_times(&run.wfm_tenant_id)?;
        }
        let mut prev: Option<&str> = None;
        for p in &self.pending {
            check_tenant("pending", &p.wfm_tenant_id, &wfm_ids, &mut prev)?;
            p.run_at.parse::<Timestamp>().map_err(|e| {
                snapshot(format!(
                    "pending: runAt of WFM tenant {} is not RFC 3339: {e}",
                    p.wfm_tenant_id
                ))
            })?;
        }
        for pair in self.field_switches.windows(2) {
            if let [a, b] = pair {
                if a.acd_tenant_id >= b.acd_tenant_id {
                    return Err(snapshot(format!(
                        "fieldSwitches: ACD tenant {} is duplicated or out of order",
                        b.acd_tenant_id
                    )));
                }
            }
        }
        self.validate_sent()?;
        if self.log.len() > MAX_LOG_ENTRIES {
            return Err(snapshot(format!(
                "log: {} entries, more than the {MAX_LOG_ENTRIES} kept",
                self.log.len()
            )));
        }
        for (i, e) in self.log.iter().enumerate() {
            e.at.parse::<Timestamp>().map_err(|err| {
                snapshot(format!(
                    "log: entry {i} has a time that is not RFC 3339: {err}"
                ))
            })?;
        }
        Ok(())
    }

    /// The status view. Never fails: a stored time that does not parse (only possible in a
    /// snapshot that skipped `validate`) shows as-is with a warning.
    pub fn status(&self, now: Timestamp) -> WfmStatus {
        let mut warnings = Vec::new();
        if !self.settings.enabled {
            warnings.push(DISABLED_WARNING.to_string());
        }
        let tenants = self
            .topology
            .tenants
            .iter()
            .map(|t| {
                let stored = self.last_runs.iter().find(|r| r.wfm_tenant_id == t.id);
                let due = match self.run_times(&t.id) {
                    Ok(run) => next_due(&self.settings, run, now).map(|d| d.to_string()),
                    Err(e) => {
                        warnings.push(e.message);
                        None
                    }
                };
                if t.acds.is_empty() {
                    warnings.push(format!(
                        "WFM tenant {} has no linked ACD tenant: nothing is synced to it.",
                        t.id
                    ));
                }
                let received = self.received(&t.id);
                let absent = received
                    .iter()
                    .filter(|a| a.origin == ORIGIN_GONE_FROM_ACD)
                    .count();
                TenantStatus {
                    wfm_tenant_id: t.id.clone(),
                    acds: t.acds.clone(),
                    last_run: stored.map(|r| r.at.clone()),
                    next_due: due,
                    agents_present: received.len() - absent,
                    agents_absent: absent,
                    pending: self.pending(&t.id).cloned(),
                    not_in_wfm: self.not_in_wfm(&t.id, now).len(),
                }
            })
            .collect();
        WfmStatus {
            enabled: self.settings.enabled,
            interval_minutes: self.settings.interval_minutes,
            tenants,
            warnings,
        }
    }
}

fn check_tenant<'a>(
    what: &str,
    id: &'a str,
    known: &BTreeSet<&str>,
    prev: &mut Option<&'a str>,
) -> Result<()> {
    if !known.contains(id) {
        return Err(snapshot(format!(
            "{what}: WFM tenant {id} is not in the topology"
        )));
    }
    if prev.is_some_and(|p| p >= id) {
        return Err(snapshot(format!(
            "{what}: WFM tenant {id} is duplicated or out of order"
        )));
    }
    *prev = Some(id);
    Ok(())
}

fn snapshot(message: String) -> Error {
    Error::new(ErrorCode::InvalidSnapshot, message)
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
