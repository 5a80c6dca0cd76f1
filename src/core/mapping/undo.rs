//! Undo: revert one applied run, or one manual change, as a new plan.
//!
//! An undo plan is an ordinary [`Plan`] (run id `undo-<n>`, `reverts` set): it shows as a dry
//! run and applies through `apply_plan`, with the same stale check, one-to-one check and
//! guard. Its events are ordinary audit events whose `reverts` names what they revert, so an
//! undo is itself a run that can be undone.
//!
//! Rules (each has a test):
//! - Each user the run (or change) touched goes back to their whole mapping before it.
//! - A user already back at that state is left alone: undoing twice changes nothing.
//! - A user changed again later (their mapping is no longer what the run left) is refused
//!   with `undo_conflict` naming the latest later change: an undo never overrides a later
//!   decision, mirroring stale transitions.
//! - A revert that would link an account another user holds now is refused with
//!   `undo_conflict` naming the change that gave it to them, unless that user's own revert in
//!   this plan releases it. Refusals can cascade (a refused revert keeps its account), so
//!   they are settled to a fixed point.
//! - The rest of the revert still applies. The guard counts the plan's unmaps like any run.
//! - The actor is whoever applies the plan; the reason of each event is the restored state's
//!   own reason (`Reason` is the mapping's closed list, and "undo" is not a reason a user is
//!   unmapped for); `reverts` carries the undo, and the history shows `cause: "undo"`.

use super::audit::{AuditEvent, UndoTarget};
use super::model::MappingState;
use super::plan::{
    GuardOutcome, LaterChange, Plan, PlanCounts, RetryRequest, Transition, UndoConflict,
};
use super::presence::PresenceState;
use super::settings::PresenceSettings;
use super::unit::{UnitRef, UnitState};
use crate::core::error::{Error, ErrorCode, Result};
use jiff::Timestamp;
use std::collections::{BTreeMap, BTreeSet};

impl LaterChange {
    fn of(e: &AuditEvent) -> Self {
        LaterChange {
            event_id: e.id,
            at: e.at.clone(),
            actor: e.actor.clone(),
            user_id: e.user_id.clone(),
            run_id: e.run_id.clone(),
            change: e.change,
        }
    }

    fn describe(&self) -> String {
        let by = match (&self.run_id, self.change) {
            (Some(r), _) => format!(" in run {r}"),
            (None, Some(c)) => format!(" in manual change {c}"),
            _ => String::new(),
        };
        format!(
            "event {} by {} at {}{by}",
            self.event_id, self.actor, self.at
        )
    }
}

/// A user's revert: back to `target`, allowed while the user is still at `expect`.
struct Revert {
    target: MappingState,
    expect: MappingState,
    last_event: u64,
}

impl PresenceState {
    /// Plan the undo of an applied run (Auto Sync or undo) by its run id. The plan (run id
    /// `undo-<n>`) is kept with the other plans: show it, then `apply_plan` it. Err(not_found)
    /// for an unknown run; Err(invalid_input) for a run not applied yet or one retention made
    /// impossible to undo (its audit events were trimmed).
    pub fn plan_undo_run(&mut self, run_id: &str, now: Timestamp) -> Result<&Plan> {
        let Some(summary) = self.runs.iter().find(|r| r.run_id == run_id) else {
            if self
                .plans
                .get(run_id)
                .is_some_and(|p| p.applied_at.is_none())
            {
                return Err(Error::invalid_input(format!(
                    "run {run_id} was not applied, so there is nothing to undo; discard its plan instead"
                ))
                .with_id(run_id)
                .with_field("runId"));
            }
            return Err(Error::new(
                ErrorCode::NotFound,
                format!("no applied run {run_id} is recorded"),
            )
            .with_id(run_id)
            .with_field("runId"));
        };
        let unit = summary.unit.clone();
        let events: Vec<AuditEvent> = self
            .log
            .iter()
            .filter(|e| e.run_id.as_deref() == Some(run_id) && e.unit == unit)
            .cloned()
            .collect();
        if !summary.undoable || events.len() != summary.applied {
            return Err(Error::invalid_input(format!(
                "run {run_id} can no longer be undone: audit retention trimmed its events"
            ))
            .with_id(run_id)
            .with_field("runId"));
        }
        let target = UndoTarget::Run {
            run_id: run_id.to_string(),
        };
        self.plan_undo(unit, target, &events, now)
    }

    /// Plan the undo of one manual change, named by any of its audit event ids. Err(not_found)
    /// for an unknown (or trimmed) event; Err(invalid_input) for an event of a run (undo the
    /// run) or one recorded by an older version without the state before it.
    pub fn plan_undo_event(&mut self, event_id: u64, now: Timestamp) -> Result<&Plan> {
        let id = event_id.to_string();
        let Some(e) = self.log.iter().find(|e| e.id == event_id) else {
            return Err(Error::new(
                ErrorCode::NotFound,
                format!("no audit event {event_id} (never recorded, or trimmed by retention)"),
            )
            .with_id(id)
            .with_field("eventId"));
        };
        if let Some(run) = &e.run_id {
            return Err(Error::invalid_input(format!(
                "event {event_id} belongs to run {run}; undo the whole run with planUndoRun"
            ))
            .with_id(id)
            .with_field("eventId"));
        }
        let Some(change) = e.change else {
            return Err(Error::invalid_input(format!(
                "event {event_id} was recorded without the mapping before it (an older version) and cannot be undone"
            ))
            .with_id(id)
            .with_field("eventId"));
        };
        let unit = e.unit.clone();
        let events: Vec<AuditEvent> = self
            .log
            .iter()
            .filter(|e| e.change == Some(change) && e.run_id.is_none())
            .cloned()
            .collect();
        if events.first().map(|e| e.id) != Some(change) {
            return Err(Error::invalid_input(format!(
                "manual change {change} can no longer be undone: audit retention trimmed part of it"
            ))
            .with_id(id)
            .with_field("eventId"));
        }
        self.plan_undo(unit, UndoTarget::Change { change }, &events, now)
    }

    fn plan_undo(
        &mut self,
        unit: UnitRef,
        target: UndoTarget,
        events: &[AuditEvent],
        now: Timestamp,
    ) -> Result<&Plan> {
        let reverts = reverts_of(events, &target)?;
        let u = self.existing_unit(&unit)?;
        let mut conflicts = Vec::new();
        let mut unchanged = 0;
        let mut cands: BTreeMap<String, (MappingState, MappingState)> = BTreeMap::new();
        for (user, r) in reverts {
            let cur = u.state_of(&user);
            if cur == r.target {
                unchanged += 1;
            } else if cur != r.expect {
                let later = self.latest_event(&unit, r.last_event, |e| e.user_id == user);
                let message = match &later {
                    Some(l) => format!(
                        "user {user} was changed after {target} ({}); undoing would override that change",
                        l.describe()
                    ),
                    None => format!("user {user} was changed after {target}"),
                };
                conflicts.push(conflict(&user, message, None, later));
            } else {
                cands.insert(user, (cur, r.target));
            }
        }
        let taken = self.settle_taken_accounts(u, &mut cands);
        for (user, ext, holder) in taken {
            let later = self.latest_event(&unit, 0, |e| {
                e.user_id == holder && e.after.as_ref().and_then(|a| a.linked()) == Some(&ext)
            });
            let how = later
                .as_ref()
                .map(|l| format!(" ({})", l.describe()))
                .unwrap_or_default();
            let message = format!(
                "account {ext} is now mapped to user {holder}{how}; reverting {user} would map it twice"
            );
            conflicts.push(conflict(&user, message, Some(ext), later));
        }
        conflicts.sort_by(|a, b| a.user_id.cmp(&b.user_id));
        let transitions: Vec<Transition> = cands
            .into_iter()
            .map(|(user_id, (from, to))| Transition {
                user_id,
                reason: to.reason,
                from,
                to,
            })
            .collect();
        let plan = undo_plan_shape(u, &self.settings, transitions, now);
        let run_id = self.next_undo_run_id();
        let plan = Plan {
            run_id: run_id.clone(),
            unchanged,
            reverts: Some(target),
            conflicts,
            ..plan
        };
        Ok(self.plans.entry(run_id).or_insert(plan))
    }

    /// Refuse, until none is left, every candidate revert that would link an account held
    /// by a user who keeps it. Returns (user, account, holder) per refusal.
    fn settle_taken_accounts(
        &self,
        u: &UnitState,
        cands: &mut BTreeMap<String, (MappingState, MappingState)>,
    ) -> Vec<(String, String, String)> {
        let holders: BTreeMap<&str, &str> = u
            .mappings
            .values()
            .filter_map(|m| m.linked().map(|e| (e, m.user_id.as_str())))
            .collect();
        let mut refused = Vec::new();
        loop {
            let releasing: BTreeSet<String> = cands
                .values()
                .filter_map(|(from, to)| from.linked().filter(|x| to.linked() != Some(*x)))
                .map(str::to_string)
                .collect();
            let mut claimed: BTreeSet<&str> = BTreeSet::new();
            let mut now_refused = Vec::new();
            for (user, (from, to)) in cands.iter() {
                let Some(ext) = to.linked() else { continue };
                if from.linked() == Some(ext) {
                    continue;
                }
                let holder = holders
                    .get(ext)
                    .filter(|h| **h != user.as_str() && !releasing.contains(ext));
                if let Some(h) = holder {
                    now_refused.push((user.clone(), ext.to_string(), h.to_string()));
                } else if !claimed.insert(ext) {
                    // Two reverts claiming one account cannot come from one consistent
                    // moment; refuse the second rather than break one-to-one.
                    now_refused.push((user.clone(), ext.to_string(), user.clone()));
                }
            }
            if now_refused.is_empty() {
                return refused;
            }
            for (user, _, _) in &now_refused {
                cands.remove(user);
            }
            refused.extend(now_refused);
        }
    }

    /// The newest event of `unit` after `after_id` matching `pred`.
    fn latest_event(
        &self,
        unit: &UnitRef,
        after_id: u64,
        pred: impl Fn(&AuditEvent) -> bool,
    ) -> Option<LaterChange> {
        self.log
            .iter()
            .rev()
            .take_while(|e| e.id > after_id)
            .find(|e| &e.unit == unit && pred(e))
            .map(LaterChange::of)
    }

    /// `undo-<n>`, unused by any plan, recorded run or audit event.
    fn next_undo_run_id(&mut self) -> String {
        loop {
            self.next_undo = self.next_undo.saturating_add(1);
            let id = format!("undo-{}", self.next_undo);
            let used = self.plans.contains_key(&id)
                || self.runs.iter().any(|r| r.run_id == id)
                || self.log.iter().any(|e| e.run_id.as_deref() == Some(&id));
            if !used || self.next_undo == u64::MAX {
                return id;
            }
        }
    }
}

/// Per user: back to the state before their first event, allowed while they are at the
/// state after their last one.
fn reverts_of(events: &[AuditEvent], target: &UndoTarget) -> Result<BTreeMap<String, Revert>> {
    let mut out: BTreeMap<String, Revert> = BTreeMap::new();
    for e in events {
        let (Some(before), Some(after)) = (&e.before, &e.after) else {
            return Err(Error::invalid_input(format!(
                "{target} cannot be undone: its event {} was recorded without the mapping before it (an older version)",
                e.id
            ))
            .with_id(e.user_id.clone())
            .with_field("before"));
        };
        out.entry(e.user_id.clone())
            .and_modify(|r| {
                r.expect = after.clone();
                r.last_event = e.id;
            })
            .or_insert_with(|| Revert {
                target: before.clone(),
                expect: after.clone(),
                last_event: e.id,
            });
    }
    Ok(out)
}

fn conflict(
    user: &str,
    message: String,
    external_id: Option<String>,
    later: Option<LaterChange>,
) -> UndoConflict {
    UndoConflict {
        user_id: user.to_string(),
        code: ErrorCode::UndoConflict,
        message,
        external_id,
        later,
    }
}

/// The plan's counts and guard: the unit's users as they would be after it.
fn undo_plan_shape(
    u: &UnitState,
    settings: &PresenceSettings,
    transitions: Vec<Transition>,
    now: Timestamp,
) -> Plan {
    let targets: BTreeMap<&str, &MappingState> = transitions
        .iter()
        .map(|t| (t.user_id.as_str(), &t.to))
        .collect();
    let ids: BTreeSet<&str> = u
        .sources
        .iter()
        .map(|s| s.id.as_str())
        .chain(u.mappings.keys().map(String::as_str))
        .collect();
    let mut counts = PlanCounts::default();
    for id in ids {
        let state = targets
            .get(id)
            .map(|s| (*s).clone())
            .unwrap_or_else(|| u.state_of(id));
        counts.by_status.add(state.status);
        if let Some(r) = state.reason {
            counts.by_reason.add(r);
        }
    }
    let mapped_before = u.mapped_count();
    let unmaps = transitions.iter().filter(|t| t.is_unmap()).count();
    let threshold = settings.unmap_threshold(mapped_before);
    Plan {
        run_id: String::new(),
        unit: u.unit.clone(),
        created_at: now.to_string(),
        pass: 1,
        transitions,
        unchanged: 0,
        counts,
        warnings: Vec::new(),
        retry: RetryRequest::default(),
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
