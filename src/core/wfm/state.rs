//! Everything WFM sync remembers between runs, its snapshot check and its status view.

use super::agent::{WfmAgent, ORIGIN_FROM_ACD, ORIGIN_GONE_FROM_ACD};
use super::cadence::{next_due, WfmSettings};
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

/// When a WFM tenant last ran (RFC 3339).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct LastRun {
    pub wfm_tenant_id: String,
    pub at: String,
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
    pub fn set_settings(&mut self, settings: WfmSettings) -> Result<()> {
        settings.validate()?;
        self.settings = settings;
        Ok(())
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

    pub(crate) fn set_last_run(&mut self, wfm_tenant_id: &str, at: Timestamp) {
        let run = LastRun {
            wfm_tenant_id: wfm_tenant_id.into(),
            at: at.to_string(),
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
            self.last_run(&run.wfm_tenant_id)?;
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
                let due = match self.last_run(&t.id) {
                    Ok(last) => next_due(&self.settings, last, now).map(|d| d.to_string()),
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
