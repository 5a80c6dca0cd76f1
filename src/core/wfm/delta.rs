//! The delta: what WFM must receive this run, compared with what it last received. One
//! way, ACD -> WFM; nothing is ever deleted in WFM.

use super::agent::{WfmAgent, WfmField, ORIGIN_FROM_ACD, ORIGIN_GONE_FROM_ACD};
use super::multi_tenant::{find_multi_tenant, MultiTenantReport};
use super::readiness::{readiness, WARN_NO_PERSONAL_SCHEDULE};
use super::state::{PendingDelta, WfmState};
use super::topology::Acd;
use crate::core::error::{Error, ErrorCode, Result};
use crate::core::records::SourceUser;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The users of one linked ACD tenant, as read this run (after intake).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct AcdBatch {
    pub acd_tenant_id: String,
    pub users: Vec<SourceUser>,
}

/// An agent WFM has, with the fields that changed (in `WfmField` order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct AgentChange {
    /// The agent as WFM should now hold it (origin 1).
    pub agent: WfmAgent,
    pub changed: Vec<WfmField>,
}

/// Why WFM holds an agent the ACD no longer has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum AbsentReason {
    /// The user is no longer in the ACD tenant's batch.
    LeftAcd,
    /// The user is in the batch but `active: false`.
    Inactive,
    /// The agent's ACD tenant was unlinked from the WFM tenant.
    AcdUnlinked,
}

/// An agent WFM has that the ACD no longer has: reported (origin 2), never deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct AbsentAgent {
    /// The agent as WFM last received it, with `origin: 2`.
    pub agent: WfmAgent,
    pub reason: AbsentReason,
}

/// A user of the ACD batch that is not sent to WFM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct NotSynced {
    pub user_id: String,
    pub acd_id: String,
    /// `team_lacks_wfm_advanced`, `no_acd_profile` or `no_agent_number` (the first
    /// missing step).
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum WfmWarningCode {
    /// Synced, but the role lacks `WFM.MyZone.ViewPersonalSchedule`.
    CannotSeePersonalSchedule,
    /// `activationDate` could not be read: sent as missing.
    UnreadableActivationDate,
    /// Two synced agents of one ACD share an agent number (WFM agent ids would collide).
    DuplicateAgentNumber,
}

/// Synced, with something to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct WfmWarning {
    pub user_id: String,
    pub acd_id: String,
    pub code: WfmWarningCode,
    pub message: String,
}

/// One run's result for one WFM tenant. Every list is sorted by acd id then user id
/// (`multiTenant` by email key). `additions`, `changes` and `absent` are what WFM must be
/// told; the other lists describe the ACD side as it is and repeat every run until fixed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Delta {
    pub wfm_tenant_id: String,
    /// The run that produced it (RFC 3339): acknowledge exactly this delta once WFM took it.
    /// Missing on a delta computed outside a run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_at: Option<String>,
    /// The acd ids whose batch was given (a linked acd without a batch is not examined:
    /// its agents are neither changed nor reported absent this run).
    pub examined_acds: Vec<String>,
    /// New agents (origin 1).
    pub additions: Vec<WfmAgent>,
    pub changes: Vec<AgentChange>,
    pub absent: Vec<AbsentAgent>,
    pub multi_tenant: Vec<MultiTenantReport>,
    pub not_synced: Vec<NotSynced>,
    pub warnings: Vec<WfmWarning>,
}

impl Delta {
    /// True when WFM has nothing to receive (reports may still be present).
    pub fn is_empty(&self) -> bool {
        self.additions.is_empty() && self.changes.is_empty() && self.absent.is_empty()
    }

    /// What WFM has yet to confirm of this delta: `None` when it is empty or was computed
    /// outside a run (only a run's delta can be acknowledged).
    pub(crate) fn pending(&self) -> Option<PendingDelta> {
        let at = self.run_at.as_ref().filter(|_| !self.is_empty())?;
        Some(PendingDelta {
            wfm_tenant_id: self.wfm_tenant_id.clone(),
            run_at: at.clone(),
            additions: self.additions.len(),
            changes: self.changes.len(),
            absent: self.absent.len(),
        })
    }
}

/// Compares the ready users of each given batch with what `wfm_tenant_id` last received.
///
/// - A ready user (team has `WFMAdvanced`, ACD profile present) WFM lacks → `additions`;
///   one whose fields differ → `changes` (a returning origin-2 agent changes `origin`).
/// - An agent WFM holds with origin 1 whose user left the batch or is inactive → `absent`;
///   so is every origin-1 agent of an unlinked acd. Agents already marked origin 2 are not
///   reported again.
/// - A user that is not ready, or has no numeric agent number (`no_agent_number`: one is
///   never made up) → `not_synced`; what WFM holds for them is left as it is (they are
///   still in the ACD, so they are not absent).
/// - A field switched off for the batch's business unit (personal id, external id) is
///   withheld: never sent, never reported changed, and what WFM holds for it is kept.
///
/// Errors: `not_found` (unknown WFM tenant); `invalid_input` for a batch of an ACD tenant
/// not linked to this WFM tenant or given twice, or a user whose `tenantId` names another
/// tenant; `missing_field` for an empty user id; `duplicate_id_conflict` for an id twice in
/// one batch (`index` is the user's position in its batch).
pub fn compute_delta(state: &WfmState, wfm_tenant_id: &str, batches: &[AcdBatch]) -> Result<Delta> {
    let tenant = state.topology.tenant(wfm_tenant_id)?;
    let examined = check_batches(state, wfm_tenant_id, &tenant.acds, batches)?;
    let received: BTreeMap<(&str, &str), &WfmAgent> = state
        .received(wfm_tenant_id)
        .iter()
        .map(|a| (a.key(), a))
        .collect();

    let mut d = Delta {
        wfm_tenant_id: wfm_tenant_id.into(),
        run_at: None,
        examined_acds: examined.iter().map(|(acd, _)| acd.acd_id.clone()).collect(),
        additions: vec![],
        changes: vec![],
        absent: vec![],
        multi_tenant: vec![],
        not_synced: vec![],
        warnings: vec![],
    };
    let mut synced: Vec<WfmAgent> = vec![];
    for (acd, batch) in &examined {
        let acd_id = acd.acd_id.as_str();
        let switches = state.field_switches(&acd.acd_tenant_id);
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        for user in &batch.users {
            seen.insert(&user.id);
            let held = received.get(&(acd_id, user.id.as_str())).copied();
            if !user.is_active() {
                if let Some(a) = held.filter(|a| a.origin == ORIGIN_FROM_ACD) {
                    d.absent.push(absent(a, AbsentReason::Inactive));
                }
                continue;
            }
            let r = readiness(user);
            if let Some(code) = r.blocking {
                let message = match code {
                    ErrorCode::TeamLacksWfmAdvanced => "the user's team lacks WFMAdvanced",
                    _ => "the user has no ACD profile",
                };
                d.not_synced.push(NotSynced {
                    user_id: user.id.clone(),
                    acd_id: acd_id.into(),
                    code,
                    message: format!("not synced: {message}"),
                });
                continue;
            }
            let (mut agent, notes) = match WfmAgent::from_user(user, acd_id) {
                Ok(made) => made,
                Err(no_number) => {
                    d.not_synced.push(NotSynced {
                        user_id: user.id.clone(),
                        acd_id: acd_id.into(),
                        code: ErrorCode::NoAgentNumber,
                        message: no_number.message,
                    });
                    continue;
                }
            };
            if !switches.sync_personal_id {
                agent.withhold(WfmField::PersonalId, held);
            }
            if !switches.sync_external_id {
                agent.withhold(WfmField::ExternalId, held);
            }
            let mut warn = |code, message: String| {
                d.warnings.push(WfmWarning {
                    user_id: user.id.clone(),
                    acd_id: acd_id.into(),
                    code,
                    message,
                })
            };
            if !r.warnings.is_empty() {
                warn(
                    WfmWarningCode::CannotSeePersonalSchedule,
                    WARN_NO_PERSONAL_SCHEDULE.into(),
                );
            }
            if let Some(raw) = notes.unreadable_activation_date {
                warn(
                    WfmWarningCode::UnreadableActivationDate,
                    format!("activationDate {raw:?} is not a date: sent as missing"),
                );
            }
            match held {
                None => d.additions.push(agent.clone()),
                Some(prev) => {
                    let changed = agent.changed_fields(prev);
                    if !changed.is_empty() {
                        d.changes.push(AgentChange {
                            agent: agent.clone(),
                            changed,
                        });
                    }
                }
            }
            synced.push(agent);
        }
        for a in received
            .range((acd_id, "")..)
            .take_while(|(k, _)| k.0 == acd_id)
            .map(|(_, a)| a)
        {
            if a.origin == ORIGIN_FROM_ACD && !seen.contains(a.personal_id.as_str()) {
                d.absent.push(absent(a, AbsentReason::LeftAcd));
            }
        }
    }
    let linked: BTreeSet<&str> = tenant.acds.iter().map(|a| a.acd_id.as_str()).collect();
    for a in received.values() {
        if a.origin == ORIGIN_FROM_ACD && !linked.contains(a.acd_id.as_str()) {
            d.absent.push(absent(a, AbsentReason::AcdUnlinked));
        }
    }
    d.warnings.extend(duplicate_agent_numbers(&synced));
    let refs: Vec<&WfmAgent> = synced.iter().collect();
    d.multi_tenant = find_multi_tenant(&refs);
    sort(&mut d);
    Ok(d)
}

/// Records that WFM received `delta`: additions and changes are written, absent agents are
/// kept with `origin: 2` (never deleted, and not reported again until they return).
/// Applying the same delta twice changes nothing. Apply the latest delta only: an older
/// one would write older values back. Errors: `not_found` for an unknown WFM tenant.
pub fn apply_delta(state: &mut WfmState, delta: &Delta) -> Result<()> {
    state.topology.tenant(&delta.wfm_tenant_id)?;
    let mut agents: BTreeMap<(String, String), WfmAgent> = state
        .received(&delta.wfm_tenant_id)
        .iter()
        .map(|a| ((a.acd_id.clone(), a.personal_id.clone()), a.clone()))
        .collect();
    let written = delta
        .additions
        .iter()
        .chain(delta.changes.iter().map(|c| &c.agent))
        .chain(delta.absent.iter().map(|a| &a.agent));
    for a in written {
        agents.insert((a.acd_id.clone(), a.personal_id.clone()), a.clone());
    }
    state.set_received(&delta.wfm_tenant_id, agents.into_values().collect());
    Ok(())
}

fn absent(a: &WfmAgent, reason: AbsentReason) -> AbsentAgent {
    AbsentAgent {
        agent: WfmAgent {
            origin: ORIGIN_GONE_FROM_ACD,
            ..a.clone()
        },
        reason,
    }
}

/// Pairs each batch with its acd, checking the batches are well formed (see
/// [`compute_delta`]'s errors). Sorted by acd id.
pub(crate) fn check_batches<'a>(
    state: &WfmState,
    wfm_tenant_id: &str,
    acds: &'a [Acd],
    batches: &'a [AcdBatch],
) -> Result<Vec<(&'a Acd, &'a AcdBatch)>> {
    let mut out: Vec<(&Acd, &AcdBatch)> = Vec::with_capacity(batches.len());
    for batch in batches {
        let tid = batch.acd_tenant_id.as_str();
        let Some(acd) = acds.iter().find(|a| a.acd_tenant_id == tid) else {
            let where_ = match state.topology.owner_of(tid) {
                Some((owner, _)) => format!("it is linked to WFM tenant {owner}"),
                None => "it is not linked to any WFM tenant".into(),
            };
            return Err(Error::invalid_input(format!(
                "batch for ACD tenant {tid} given to WFM tenant {wfm_tenant_id}, but {where_}"
            ))
            .with_id(tid)
            .with_field("acdTenantId"));
        };
        if out.iter().any(|(a, _)| a.acd_tenant_id == tid) {
            return Err(
                Error::invalid_input(format!("two batches for ACD tenant {tid}"))
                    .with_id(tid)
                    .with_field("acdTenantId"),
            );
        }
        let mut ids = BTreeSet::new();
        for (i, u) in batch.users.iter().enumerate() {
            if u.id.trim().is_empty() {
                return Err(Error::new(
                    ErrorCode::MissingField,
                    format!("user {i} of ACD tenant {tid} has no id"),
                )
                .at(i)
                .with_field("id"));
            }
            if !ids.insert(u.id.as_str()) {
                return Err(Error::new(
                    ErrorCode::DuplicateIdConflict,
                    format!(
                        "user {} appears twice in the batch of ACD tenant {tid}",
                        u.id
                    ),
                )
                .at(i)
                .with_id(&u.id)
                .with_field("id"));
            }
            if let Some(other) = u.tenant_id.as_deref().filter(|t| *t != tid) {
                return Err(Error::invalid_input(format!(
                    "user {} has tenantId {other} but is in the batch of ACD tenant {tid}",
                    u.id
                ))
                .at(i)
                .with_id(&u.id)
                .with_field("tenantId"));
            }
        }
        out.push((acd, batch));
    }
    out.sort_by(|a, b| a.0.acd_id.cmp(&b.0.acd_id));
    Ok(out)
}

fn duplicate_agent_numbers(synced: &[WfmAgent]) -> Vec<WfmWarning> {
    let mut by_number: BTreeMap<(&str, &str), Vec<&WfmAgent>> = BTreeMap::new();
    for a in synced {
        by_number
            .entry((&a.acd_id, &a.agent_number))
            .or_default()
            .push(a);
    }
    by_number
        .into_values()
        .filter(|group| group.len() > 1)
        .flat_map(|group| {
            let ids: Vec<&str> = group.iter().map(|a| a.personal_id.as_str()).collect();
            let ids = ids.join(", ");
            group.into_iter().map(move |a| WfmWarning {
                user_id: a.personal_id.clone(),
                acd_id: a.acd_id.clone(),
                code: WfmWarningCode::DuplicateAgentNumber,
                message: format!(
                    "agent number {} is shared by users {ids} in acd {}",
                    a.agent_number, a.acd_id
                ),
            })
        })
        .collect()
}

fn sort(d: &mut Delta) {
    d.additions.sort_by(|a, b| a.key().cmp(&b.key()));
    d.changes.sort_by(|a, b| a.agent.key().cmp(&b.agent.key()));
    d.absent.sort_by(|a, b| a.agent.key().cmp(&b.agent.key()));
    d.not_synced
        .sort_by(|a, b| (&a.acd_id, &a.user_id).cmp(&(&b.acd_id, &b.user_id)));
    d.warnings
        .sort_by(|a, b| (&a.acd_id, &a.user_id, a.code).cmp(&(&b.acd_id, &b.user_id, b.code)));
}

#[cfg(test)]
#[path = "delta_tests.rs"]
mod tests;
