//! What IEX actually holds, read back through the SmartSync agent export, taken as what WFM
//! holds: the next delta is computed against IEX's own answer, agents IEX holds that CXone no
//! longer has come out absent (never deleted), and an agent sent but still missing from IEX
//! several intervals later is reported `not_in_wfm`.

use super::agent::{agent_number, WfmAgent, ORIGIN_FROM_ACD};
use super::delta::{check_batches, AcdBatch, Delta};
use super::log::{RunCounts, WfmLogEntry, WfmLogKind};
use super::state::{SentAgent, WfmState};
use crate::core::directory::iex::IexAgent;
use crate::core::error::{Error, ErrorCode, Result};
use crate::core::records::SourceUser;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An agent sent to WFM is reported `not_in_wfm` when a read-back still lacks it this many
/// intervals after it was first sent (a sync that lands on IEX's side takes a run or two).
pub const NOT_IN_WFM_AFTER_INTERVALS: i64 = 3;

/// A ready agent IEX still does not hold several intervals after it was first sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct NotInWfm {
    pub acd_id: String,
    pub user_id: String,
    pub agent_number: String,
    pub first_sent: String,
    /// Always `not_in_wfm`.
    pub code: ErrorCode,
    pub message: String,
}

/// What a read-back found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ReadBackReport {
    pub wfm_tenant_id: String,
    /// The acd ids whose held agents were replaced by IEX's answer (those given a batch).
    pub examined_acds: Vec<String>,
    /// Agents IEX holds in those acds.
    pub held: usize,
    /// Of those, agents no CXone user of the batch has the agent number of: the next delta
    /// reports them absent.
    pub without_acd_user: usize,
    /// Agents of acds not linked to this WFM tenant, or repeated: left out.
    pub ignored: usize,
    pub not_in_wfm: Vec<NotInWfm>,
}

impl WfmState {
    /// Takes IEX's answer (`held`, every agent the export returned) as what the WFM tenant
    /// holds for each acd given a batch; agents of other linked acds keep what was held.
    /// Matching is by agent number within the acd (IEX's identity): a matched agent keeps the
    /// CXone user's id as its identity and IEX's values for the fields IEX reported. The
    /// unconfirmed delta is dropped (the read-back is the truth). Logged.
    ///
    /// Errors: those of `compute_delta` for the batches.
    pub fn read_back(
        &mut self,
        wfm_tenant_id: &str,
        held: &[IexAgent],
        batches: &[AcdBatch],
        now: Timestamp,
    ) -> Result<ReadBackReport> {
        let tenant = self.topology.tenant(wfm_tenant_id)?;
        let examined = check_batches(self, wfm_tenant_id, &tenant.acds, batches)?;
        let mut report = ReadBackReport {
            wfm_tenant_id: wfm_tenant_id.into(),
            examined_acds: examined.iter().map(|(a, _)| a.acd_id.clone()).collect(),
            held: 0,
            without_acd_user: 0,
            ignored: 0,
            not_in_wfm: vec![],
        };
        let mut by_number: BTreeMap<(&str, String), &SourceUser> = BTreeMap::new();
        for (acd, batch) in &examined {
            for u in &batch.users {
                if let Ok(n) = agent_number(u) {
                    by_number.entry((acd.acd_id.as_str(), n)).or_insert(u);
                }
            }
        }
        let mut agents: BTreeMap<(String, String), WfmAgent> = self
            .received(wfm_tenant_id)
            .iter()
            .filter(|a| !report.examined_acds.contains(&a.acd_id))
            .map(|a| ((a.acd_id.clone(), a.personal_id.clone()), a.clone()))
            .collect();
        let previous: BTreeMap<(&str, &str), &WfmAgent> = self
            .received(wfm_tenant_id)
            .iter()
            .map(|a| (a.key(), a))
            .collect();
        for h in held {
            if !report.examined_acds.contains(&h.acd_id) {
                report.ignored += 1;
                continue;
            }
            let user = by_number
                .get(&(h.acd_id.as_str(), h.agent_number.clone()))
                .copied();
            let mut agent = match user.map(|u| WfmAgent::from_user(u, &h.acd_id)) {
                Some(Ok((a, _))) => a,
                _ => {
                    report.without_acd_user += 1;
                    WfmAgent {
                        agent_number: h.agent_number.clone(),
                        first_name: None,
                        last_name: None,
                        email: None,
                        activation_date: None,
                        personal_id: h
                            .personal_id
                            .clone()
                            .unwrap_or_else(|| format!("uuid:{}", h.agent_number)),
                        external_id: None,
                        acd_id: h.acd_id.clone(),
                        origin: ORIGIN_FROM_ACD,
                        withheld: vec![],
                    }
                }
            };
            // IEX's values win for what it reported; what it did not report is taken as sent.
            for (mine, theirs) in [
                (&mut agent.first_name, &h.first_name),
                (&mut agent.last_name, &h.last_name),
                (&mut agent.email, &h.email),
                (&mut agent.external_id, &h.external_id),
            ] {
                if theirs.is_some() {
                    mine.clone_from(theirs);
                }
            }
            if let Some(prev) = previous.get(&agent.key()) {
                agent.withheld.clone_from(&prev.withheld);
            }
            let k = (agent.acd_id.clone(), agent.personal_id.clone());
            if agents.contains_key(&k) {
                report.ignored += 1;
                continue;
            }
            report.held += 1;
            agents.insert(k, agent);
        }
        self.sent.retain(|s| {
            s.wfm_tenant_id != wfm_tenant_id
                || !agents.contains_key(&(s.acd_id.clone(), s.user_id.clone()))
        });
        self.set_received(wfm_tenant_id, agents.into_values().collect());
        self.clear_pending(wfm_tenant_id);
        report.not_in_wfm = self.not_in_wfm(wfm_tenant_id, now);
        let mut entry = WfmLogEntry::new(
            now,
            WfmLogKind::ReadBack,
            format!(
                "IEX holds {} agents in the acds read ({} with no CXone user); {} not in WFM \
                 after {NOT_IN_WFM_AFTER_INTERVALS} intervals",
                report.held,
                report.without_acd_user,
                report.not_in_wfm.len()
            ),
        );
        entry.wfm_tenant_id = Some(wfm_tenant_id.into());
        entry.examined_acds = report.examined_acds.clone();
        entry.counts = Some(RunCounts {
            not_in_wfm: report.not_in_wfm.len(),
            ..RunCounts::default()
        });
        self.record(entry);
        Ok(report)
    }

    /// Agents sent to the WFM tenant and still not held `NOT_IN_WFM_AFTER_INTERVALS`
    /// intervals later, sorted by acd id then user id.
    pub fn not_in_wfm(&self, wfm_tenant_id: &str, now: Timestamp) -> Vec<NotInWfm> {
        let wait = i64::from(self.settings.interval_minutes) * 60_000 * NOT_IN_WFM_AFTER_INTERVALS;
        let mut out: Vec<NotInWfm> = self
            .sent
            .iter()
            .filter(|s| s.wfm_tenant_id == wfm_tenant_id)
            .filter(|s| {
                s.first_sent
                    .parse::<Timestamp>()
                    .is_ok_and(|t| now.as_millisecond().saturating_sub(t.as_millisecond()) >= wait)
            })
            .map(|s| NotInWfm {
                acd_id: s.acd_id.clone(),
                user_id: s.user_id.clone(),
                agent_number: s.agent_number.clone(),
                first_sent: s.first_sent.clone(),
                code: ErrorCode::NotInWfm,
                message: format!(
                    "agent {} (user {}) was sent to WFM at {} and IEX still does not hold it",
                    s.agent_number, s.user_id, s.first_sent
                ),
            })
            .collect();
        out.sort_by(|a, b| (&a.acd_id, &a.user_id).cmp(&(&b.acd_id, &b.user_id)));
        out
    }

    /// Remembers when each addition of `delta` was first sent.
    pub(crate) fn note_sent(&mut self, delta: &Delta, now: Timestamp) {
        for a in &delta.additions {
            let known = self.sent.iter().any(|s| {
                s.wfm_tenant_id == delta.wfm_tenant_id
                    && s.acd_id == a.acd_id
                    && s.user_id == a.personal_id
            });
            if !known {
                self.sent.push(SentAgent {
                    wfm_tenant_id: delta.wfm_tenant_id.clone(),
                    acd_id: a.acd_id.clone(),
                    user_id: a.personal_id.clone(),
                    agent_number: a.agent_number.clone(),
                    first_sent: now.to_string(),
                });
            }
        }
    }

    /// An acknowledged delta's additions are confirmed: no longer awaited.
    pub(crate) fn confirm_sent(&mut self, delta: &Delta) {
        self.sent.retain(|s| {
            s.wfm_tenant_id != delta.wfm_tenant_id
                || !delta
                    .additions
                    .iter()
                    .any(|a| a.acd_id == s.acd_id && a.personal_id == s.user_id)
        });
    }

    pub(crate) fn validate_sent(&self) -> Result<()> {
        for s in &self.sent {
            s.first_sent.parse::<Timestamp>().map_err(|e| {
                Error::new(
                    ErrorCode::InvalidSnapshot,
                    format!(
                        "sent: firstSent of agent {} in WFM tenant {} is not RFC 3339: {e}",
                        s.user_id, s.wfm_tenant_id
                    ),
                )
            })?;
            self.topology.tenant(&s.wfm_tenant_id).map_err(|_| {
                Error::new(
                    ErrorCode::InvalidSnapshot,
                    format!(
                        "sent: WFM tenant {} is not in the topology",
                        s.wfm_tenant_id
                    ),
                )
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "readback_tests.rs"]
mod tests;
