//! Auto Sync runs: plan (a dry run), retry once, apply.

use super::actor::{Actor, Applier};
use super::audit::{AuditEvent, EventContext};
use super::matching::{run_pass, PassResult};
use super::plan::{
    ApplyOutcome, GuardOutcome, Plan, PlanCounts, RetryRequest, StaleTransition, Transition,
};
use super::presence::{check_external_ids, PresenceState};
use super::run_summary::RunSummary;
use super::settings::PresenceSettings;
use super::unit::{set_state, UnitRef, UnitState};
use crate::core::error::{Error, ErrorCode, Result};
use crate::core::records::ExternalUser;
use jiff::Timestamp;
use std::collections::{BTreeMap, BTreeSet};

impl PresenceState {
    /// First pass of an Auto Sync run over the users and directory loaded for `unit`. The
    /// plan is kept under `run_id` (pending until applied) and returned for a dry run.
    /// Err(invalid_input) for an empty or already used run id; Err(not_found) when nothing is
    /// loaded for `unit`.
    pub fn plan_auto_sync(
        &mut self,
        unit: &UnitRef,
        run_id: String,
        now: Timestamp,
    ) -> Result<&Plan> {
        if run_id.trim().is_empty() {
            return Err(Error::invalid_input("runId is empty").with_field("runId"));
        }
        if self.plans.contains_key(&run_id) || self.runs.iter().any(|r| r.run_id == run_id) {
            return Err(
                Error::invalid_input(format!("run {run_id} already has a plan"))
                    .with_id(run_id)
                    .with_field("runId"),
            );
        }
        self.settings
            .require_auto_sync(&unit.platform, "Auto Sync cannot be planned")?;
        let u = self.existing_unit(unit)?;
        let pass = run_pass(u, &self.settings, None);
        let plan = build_plan(u, &self.settings, run_id.clone(), now, 1, pass, None);
        Ok(self.plans.entry(run_id).or_insert(plan))
    }

    /// The retry pass of a first-pass plan: the loaded directory is updated with
    /// `refreshed` (same id replaces, new ids are added) and the run is planned again; users
    /// the first pass found no or several accounts for get `attempts` = 2. The plan under
    /// `run_id` is replaced by the pass-2 plan. Err(invalid_input) when the plan was already
    /// retried or applied; Err(not_found) for an unknown run id.
    pub fn retry_auto_sync(
        &mut self,
        run_id: &str,
        refreshed: Option<Vec<ExternalUser>>,
        now: Timestamp,
    ) -> Result<&Plan> {
        let first = self.plans.get(run_id).ok_or_else(|| unknown_run(run_id))?;
        if first.pass != 1 {
            return Err(
                Error::invalid_input(format!("run {run_id} was already retried"))
                    .with_id(run_id)
                    .with_field("runId"),
            );
        }
        if first.applied_at.is_some() {
            return Err(
                Error::invalid_input(format!("run {run_id} was already applied"))
                    .with_id(run_id)
                    .with_field("runId"),
            );
        }
        let unit = first.unit.clone();
        let request = first.retry.clone();
        if let Some(records) = &refreshed {
            check_external_ids(records)?;
        }
        self.existing_unit(&unit)?;
        let u = self.unit_mut(&unit);
        if let Some(records) = refreshed {
            merge_directory(&mut u.directory, records);
        }
        let retried: BTreeSet<String> = request.user_ids.iter().cloned().collect();
        let u = self.existing_unit(&unit)?;
        let pass = run_pass(u, &self.settings, Some(&retried));
        let plan = build_plan(
            u,
            &self.settings,
            run_id.to_string(),
            now,
            2,
            pass,
            Some(request),
        );
        self.plans.insert(run_id.to_string(), plan);
        self.plans.get(run_id).ok_or_else(|| unknown_run(run_id))
    }

    /// Apply a plan (either pass of Auto Sync, or an undo plan; applying a first pass
    /// directly leaves `attempts` = 1). The guard comes first: when the plan unmaps more
    /// users than its threshold it is refused with `unmap_threshold_exceeded` and nothing
    /// changes, unless `force`. Then each transition applies only while the user's mapping
    /// still equals its `from` (otherwise it is reported stale: a manual change made
    /// meanwhile is never overridden), and never links an account someone else holds now.
    /// One audit event per applied transition; the run's summary is recorded and the audit
    /// retention applied. Applying the same plan again changes nothing.
    ///
    /// `actor` must hold `UserMapping.Map` (`permission_denied` otherwise, nothing changes);
    /// an Auto Sync plan (not an undo) is refused with `auto_sync_unsupported` when the
    /// unit's platform has no Auto Sync under the current settings.
    pub fn apply_plan(
        &mut self,
        run_id: &str,
        actor: &Actor,
        force: bool,
        now: Timestamp,
    ) -> Result<ApplyOutcome> {
        let by = Applier {
            actor,
            scheduled: false,
        };
        self.apply_plan_by(run_id, &by, force, now)
    }

    /// `apply_plan` by whoever `by` names: an admin, or a scheduled run acting as the admin
    /// who saved the schedule (the caller confirmed that admin's permission).
    pub(crate) fn apply_plan_by(
        &mut self,
        run_id: &str,
        by: &Applier<'_>,
        force: bool,
        now: Timestamp,
    ) -> Result<ApplyOutcome> {
        let plan = self.plans.get(run_id).ok_or_else(|| unknown_run(run_id))?;
        let what = match (plan.reverts.is_some(), force && plan.guard.exceeded) {
            (true, _) => "apply an undo plan",
            (false, true) => "force an Auto Sync run past the unmap guard",
            (false, false) => "apply an Auto Sync plan",
        };
        by.actor.require_map(what)?;
        if plan.reverts.is_none() {
            self.settings
                .require_auto_sync(&plan.unit.platform, "Auto Sync cannot be applied")?;
        }
        let mut out = ApplyOutcome {
            run_id: run_id.to_string(),
            guard: plan.guard.clone(),
            conflicts: plan.conflicts.clone(),
            ..Default::default()
        };
        let unit = self.existing_unit(&plan.unit)?;
        if plan.applied_at.is_some() {
            for t in &plan.transitions {
                if unit.state_of(&t.user_id) == t.to {
                    out.already_applied += 1;
                } else {
                    out.stale.push(stale(
                        &t.user_id,
                        "the mapping changed after this plan was applied",
                    ));
                }
            }
            return Ok(out);
        }
        if plan.guard.exceeded && !force {
            let g = &plan.guard;
            return Err(Error::new(
                ErrorCode::UnmapThresholdExceeded,
                format!(
                    "run {run_id} would unmap {} of {} mapped users in {}; the limit is {}. Apply with force to proceed",
                    g.unmaps, g.mapped_before, plan.unit, g.threshold
                ),
            )
            .with_id(run_id));
        }
        let plan = plan.clone();
        let at = now.to_string();
        // Unlinking first, then linking: an account released by one user in this plan can
        // be linked to another whatever their ids.
        let order = plan
            .transitions
            .iter()
            .filter(|t| !t.to.is_mapped())
            .chain(plan.transitions.iter().filter(|t| t.to.is_mapped()));

        let mut next_id = self.next_event_id();
        let units = &mut self.units;
        let log = &mut self.log;
        let u = units
            .get_mut(&plan.unit)
            .ok_or_else(|| unknown_run(run_id))?;
        let ctx = EventContext {
            at: &at,
            run_id: Some(run_id),
            change: None,
            actor: &by.actor.id,
            scheduled: by.scheduled,
            unit: &plan.unit,
            reverts: plan.reverts.as_ref(),
        };
        let mut holders: BTreeMap<String, String> = u
            .mappings
            .values()
            .filter_map(|m| m.linked().map(|e| (e.to_string(), m.user_id.clone())))
            .collect();
        let mut applied = Vec::new();
        // A transition whose account is still held by another user of this plan waits for
        // that user's transition (an undo of a reassign relinks both); passes repeat while
        // they make progress, and what still waits after that is stale.
        let mut waiting: BTreeSet<String> =
            plan.transitions.iter().map(|t| t.user_id.clone()).collect();
        let mut pending: Vec<&Transition> = order.collect();
        loop {
            let before = pending.len();
            let mut deferred = Vec::new();
            for t in pending {
                let cur = u.state_of(&t.user_id);
                if cur == t.to {
                    out.already_applied += 1;
                    waiting.remove(&t.user_id);
                    continue;
                }
                if cur != t.from {
                    out.stale.push(stale(
                        &t.user_id,
                        "the mapping changed after the plan was made",
                    ));
                    waiting.remove(&t.user_id);
                    continue;
                }
                if let Some(ext) = t.to.linked() {
                    if let Some(other) = holders.get(ext).filter(|h| **h != t.user_id) {
                        if waiting.contains(other.as_str()) {
                            deferred.push(t);
                        } else {
                            let msg = format!("account {ext} is now mapped to {other}");
                            out.stale.push(stale(&t.user_id, &msg));
                            waiting.remove(&t.user_id);
                        }
                        continue;
                    }
                }
                if let Some(old) = cur.linked() {
                    holders.remove(old);
                }
                if let Some(new) = t.to.linked() {
                    holders.insert(new.to_string(), t.user_id.clone());
                }
                set_state(u, &t.user_id, t.to.clone(), &at);
                log.push(AuditEvent::new(&ctx, next_id, &t.user_id, &cur, &t.to));
                next_id = next_id.saturating_add(1);
                applied.push((cur, t.to.clone()));
                out.applied += 1;
                waiting.remove(&t.user_id);
            }
            if deferred.is_empty() || deferred.len() == before {
                for t in deferred {
                    let holder =
                        t.to.linked()
                            .and_then(|e| holders.get(e))
                            .cloned()
                            .unwrap_or_default();
                    let msg = format!(
                        "account {} is mapped to {holder}, who waits for it in turn",
                        t.to.linked().unwrap_or("")
                    );
                    out.stale.push(stale(&t.user_id, &msg));
                }
                break;
            }
            pending = deferred;
        }
        self.next_event = next_id;
        out.stale.sort_by(|a, b| a.user_id.cmp(&b.user_id));
        if let Some(p) = self.plans.get_mut(run_id) {
            p.applied_at = Some(at.clone());
        }
        self.record_run(RunSummary::new(&plan, &out, &applied, by, &at, force));
        out.no_longer_undoable = self.apply_retention(now).no_longer_undoable;
        Ok(out)
    }
}

fn unknown_run(run_id: &str) -> Error {
    Error::new(ErrorCode::NotFound, format!("no plan for run {run_id}"))
        .with_id(run_id)
        .with_field("runId")
}

fn stale(user_id: &str, message: &str) -> StaleTransition {
    StaleTransition {
        user_id: user_id.to_string(),
        message: message.to_string(),
    }
}

/// Same id replaces, new ids are added; kept sorted by id.
fn merge_directory(dir: &mut Vec<ExternalUser>, records: Vec<ExternalUser>) {
    *dir = crate::core::matching::merge_by_id(std::mem::take(dir), records, |e| &e.id);
}

fn build_plan(
    u: &UnitState,
    settings: &PresenceSettings,
    run_id: String,
    now: Timestamp,
    pass: u8,
    result: PassResult,
    retry: Option<RetryRequest>,
) -> Plan {
    let mut transitions = Vec::new();
    let mut unchanged = 0;
    let mut counts = PlanCounts::default();
    for (user_id, to) in &result.targets {
        let from = u.state_of(user_id);
        if from == *to {
            unchanged += 1;
        } else {
            transitions.push(Transition {
                user_id: user_id.clone(),
                from,
                to: to.clone(),
                reason: to.reason,
            });
        }
    }
    // Counts describe the unit after the plan: loaded users at their targets, and users
    // only known from their mapping as they are.
    for to in result.targets.values() {
        counts.by_status.add(to.status);
        if let Some(r) = to.reason {
            counts.by_reason.add(r);
        }
    }
    for m in u
        .mappings
        .values()
        .filter(|m| !result.targets.contains_key(&m.user_id))
    {
        counts.by_status.add(m.status);
        if let Some(r) = m.reason {
            counts.by_reason.add(r);
        }
    }
    let retry = retry.unwrap_or_else(|| {
        let emails: BTreeSet<String> = result
            .retry
            .iter()
            .filter_map(|id| u.source(id))
            .filter_map(|s| {
                s.email
                    .as_deref()
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .map(str::to_string)
            })
            .collect();
        RetryRequest {
            user_ids: result.retry.iter().cloned().collect(),
            emails: emails.into_iter().collect(),
        }
    });
    let mapped_before = u.mapped_count();
    let unmaps = transitions.iter().filter(|t| t.is_unmap()).count();
    let threshold = settings.unmap_threshold(mapped_before);
    Plan {
        run_id,
        unit: u.unit.clone(),
        created_at: now.to_string(),
        pass,
        transitions,
        unchanged,
        counts,
        warnings: result.warnings,
        retry,
        guard: GuardOutcome {
            mapped_before,
            unmaps,
            threshold,
            exceeded: unmaps > threshold,
        },
        applied_at: None,
        reverts: None,
        conflicts: Vec::new(),
    }
}
