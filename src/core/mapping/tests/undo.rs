//! Undo, history and retention (docs/undo.md): one test per rule.

use super::*;
use crate::core::error::ErrorCode;
use std::collections::BTreeMap;

/// Every user of the unit (loaded or with a mapping) and their state.
fn states(s: &PresenceState) -> BTreeMap<String, MappingState> {
    let u = s.unit(&bu()).unwrap();
    u.sources()
        .iter()
        .map(|x| x.id.clone())
        .chain(u.mappings().map(|m| m.user_id.clone()))
        .map(|id| {
            let st = u.state_of(&id);
            (id, st)
        })
        .collect()
}

fn two_mapped_one_unmatched() -> PresenceState {
    state(
        vec![
            src("u1", "a@x.com"),
            src("u2", "b@x.com"),
            src("u3", "c@x.com"),
        ],
        vec![ext("e1", "a@x.com"), ext("e2", "b@x.com")],
    )
}

fn run_target(id: &str) -> UndoTarget {
    UndoTarget::Run { run_id: id.into() }
}

#[test]
fn undoing_a_run_restores_every_user_it_changed_and_is_audited_as_an_undo() {
    let mut s = two_mapped_one_unmatched();
    let before = states(&s);
    run(&mut s, "r1");
    assert_eq!(st(&s, "u1").linked(), Some("e1"));
    let log_len = s.log().len();

    let plan = s.plan_undo_run("r1", at(10)).unwrap().clone();
    assert_eq!(plan.run_id, "undo-1");
    assert_eq!(plan.reverts, Some(run_target("r1")));
    assert_eq!(plan.transitions.len(), 3, "{:?}", plan.transitions);
    assert!(plan.conflicts.is_empty());
    assert_eq!(
        plan.counts.by_status.unmapped, 3,
        "the dry run shows the unit after it"
    );
    assert_eq!(
        s.status_rows(&bu()).unwrap()[0].status,
        MappingStatus::Mapped,
        "planning changes nothing"
    );

    let out = s
        .apply_plan(
            "undo-1",
            &crate::core::mapping::Actor::with_map("admin-7"),
            true,
            at(11),
        )
        .unwrap();
    assert_eq!(out.applied, 3);
    assert_eq!(states(&s), before);
    let events = &s.log()[log_len..];
    assert_eq!(events.len(), 3);
    for e in events {
        assert_eq!(e.actor, "admin-7");
        assert_eq!(e.run_id.as_deref(), Some("undo-1"));
        assert_eq!(e.reverts, Some(run_target("r1")));
    }
    let r1 = s.run_summary("r1").unwrap();
    assert_eq!(r1.undone_by, vec!["undo-1".to_string()]);
    let undo = s.run_summary("undo-1").unwrap();
    assert_eq!((undo.actor.as_str(), undo.applied), ("admin-7", 3));
    assert_eq!(undo.reverts, Some(run_target("r1")));
}

#[test]
fn undoing_a_run_twice_changes_nothing_the_second_time() {
    let mut s = two_mapped_one_unmatched();
    run(&mut s, "r1");
    s.plan_undo_run("r1", at(10)).unwrap();
    s.apply_plan(
        "undo-1",
        &crate::core::mapping::Actor::with_map("admin"),
        true,
        at(11),
    )
    .unwrap();
    let mappings = states(&s);
    let log = s.log().to_vec();

    let again = s.plan_undo_run("r1", at(12)).unwrap().clone();
    assert_eq!(again.run_id, "undo-2");
    assert!(again.transitions.is_empty(), "{:?}", again.transitions);
    assert_eq!(again.unchanged, 3);
    let out = s
        .apply_plan(
            "undo-2",
            &crate::core::mapping::Actor::with_map("admin"),
            false,
            at(13),
        )
        .unwrap();
    assert_eq!(out.applied, 0);
    assert_eq!(states(&s), mappings);
    assert_eq!(s.log(), &log[..]);
}

#[test]
fn undoing_an_undo_gives_back_the_run() {
    let mut s = two_mapped_one_unmatched();
    run(&mut s, "r1");
    let after_run = states(&s);
    s.plan_undo_run("r1", at(10)).unwrap();
    s.apply_plan(
        "undo-1",
        &crate::core::mapping::Actor::with_map("admin"),
        true,
        at(11),
    )
    .unwrap();
    let plan = s.plan_undo_run("undo-1", at(12)).unwrap().clone();
    assert_eq!(plan.reverts, Some(run_target("undo-1")));
    assert!(plan.conflicts.is_empty());
    s.apply_plan(
        &plan.run_id,
        &crate::core::mapping::Actor::with_map("admin"),
        true,
        at(13),
    )
    .unwrap();
    assert_eq!(states(&s), after_run);
}

#[test]
fn a_later_change_that_took_the_account_refuses_only_that_user_and_names_the_change() {
    let mut s = state(
        vec![src("u1", "a@x.com"), src("u2", "b@x.com"), src("u3", "")],
        vec![ext("e1", "a@x.com"), ext("e2", "b@x.com")],
    );
    run(&mut s, "r1");
    // A failed fetch: r2 unmaps both (external_gone); the directory comes back.
    s.load_directory(&bu(), vec![]).unwrap();
    run(&mut s, "r2");
    assert_eq!(reason(&s, "u1"), Some(Reason::ExternalGone));
    s.load_directory(&bu(), vec![ext("e1", "a@x.com"), ext("e2", "b@x.com")])
        .unwrap();
    let taken = s.map(&bu(), "u3", "e1", false, &admin(), at(5)).unwrap();

    let plan = s.plan_undo_run("r2", at(10)).unwrap().clone();
    assert_eq!(plan.transitions.len(), 1);
    assert_eq!(plan.transitions[0].user_id, "u2");
    assert_eq!(plan.conflicts.len(), 1);
    let c = &plan.conflicts[0];
    assert_eq!(
        (c.user_id.as_str(), c.code),
        ("u1", ErrorCode::UndoConflict)
    );
    assert_eq!(c.external_id.as_deref(), Some("e1"));
    let later = c.later.as_ref().unwrap();
    assert_eq!(later.event_id, taken[0].id);
    assert_eq!(
        (later.actor.as_str(), later.user_id.as_str()),
        ("admin", "u3")
    );
    assert_eq!(later.at, at(5).to_string());
    assert!(
        c.message.contains("u3") && c.message.contains(&format!("event {}", taken[0].id)),
        "{}",
        c.message
    );

    let out = s
        .apply_plan(
            &plan.run_id,
            &crate::core::mapping::Actor::with_map("admin"),
            false,
            at(11),
        )
        .unwrap();
    assert_eq!(out.applied, 1);
    assert_eq!(out.conflicts, plan.conflicts);
    assert_eq!(
        st(&s, "u2").linked(),
        Some("e2"),
        "the rest of the revert applies"
    );
    assert_eq!(st(&s, "u3").linked(), Some("e1"), "one-to-one holds");
    assert_eq!(reason(&s, "u1"), Some(Reason::ExternalGone));
    assert_eq!(s.run_summary(&plan.run_id).unwrap().conflicts, 1);
    s.validate().unwrap();
}

#[test]
fn a_user_changed_after_the_run_is_refused_naming_the_later_change() {
    let mut s = two_mapped_one_unmatched();
    run(&mut s, "r1");
    let excluded = s.exclude(&bu(), "u1", &admin(), at(5)).unwrap();
    let plan = s.plan_undo_run("r1", at(10)).unwrap().clone();
    let users: Vec<&str> = plan
        .transitions
        .iter()
        .map(|t| t.user_id.as_str())
        .collect();
    assert_eq!(users, vec!["u2", "u3"]);
    assert_eq!(plan.conflicts.len(), 1);
    let c = &plan.conflicts[0];
    assert_eq!(c.user_id, "u1");
    assert_eq!(c.later.as_ref().unwrap().event_id, excluded[0].id);
    assert_eq!(c.later.as_ref().unwrap().change, Some(excluded[0].id));
    s.apply_plan(
        &plan.run_id,
        &crate::core::mapping::Actor::with_map("admin"),
        false,
        at(11),
    )
    .unwrap();
    assert_eq!(
        st(&s, "u1").status,
        MappingStatus::Excluded,
        "the later decision stands"
    );
}

#[test]
fn a_manual_change_is_undone_whole_by_any_of_its_event_ids() {
    let mut s = state(
        vec![src("u1", "a@x.com"), src("u2", "")],
        vec![ext("e1", "a@x.com")],
    );
    run(&mut s, "r1");
    let before = states(&s);
    let events = s.map(&bu(), "u2", "e1", true, &admin(), at(5)).unwrap();
    assert_eq!(
        events.len(),
        2,
        "reassign unmaps u1 and maps u2: one change"
    );
    assert_eq!(events[0].change, Some(events[0].id));
    assert_eq!(events[1].change, Some(events[0].id));

    let plan = s.plan_undo_event(events[1].id, at(10)).unwrap().clone();
    assert_eq!(
        plan.reverts,
        Some(UndoTarget::Change {
            change: events[0].id
        })
    );
    assert!(
        plan.conflicts.is_empty(),
        "u2 releases e1 in the same plan: {:?}",
        plan.conflicts
    );
    assert_eq!(plan.transitions.len(), 2);
    s.apply_plan(
        &plan.run_id,
        &crate::core::mapping::Actor::with_map("admin"),
        false,
        at(11),
    )
    .unwrap();
    assert_eq!(states(&s), before);
    let hist = s.user_history(&bu(), "u1").unwrap();
    assert_eq!(hist[0].cause, Cause::Undo);
    assert_eq!(
        hist[0].reverts,
        Some(UndoTarget::Change {
            change: events[0].id
        })
    );
}

#[test]
fn a_refused_revert_keeps_its_account_so_a_revert_needing_it_is_refused_too() {
    let mut s = state(
        vec![src("u1", ""), src("u2", ""), src("u3", "")],
        vec![ext("e1", ""), ext("e2", "")],
    );
    s.map(&bu(), "u1", "e1", false, &admin(), at(1)).unwrap();
    s.map(&bu(), "u2", "e2", false, &admin(), at(2)).unwrap();
    // One change: u2 moves from e2 to e1, taking it from u1.
    let moved = s.map(&bu(), "u2", "e1", true, &admin(), at(3)).unwrap();
    let took_e2 = s.map(&bu(), "u3", "e2", false, &admin(), at(4)).unwrap();
    let plan = s.plan_undo_event(moved[0].id, at(10)).unwrap().clone();
    assert!(plan.transitions.is_empty(), "{:?}", plan.transitions);
    let by_user: BTreeMap<&str, &UndoConflict> = plan
        .conflicts
        .iter()
        .map(|c| (c.user_id.as_str(), c))
        .collect();
    assert_eq!(
        by_user["u2"].later.as_ref().unwrap().event_id,
        took_e2[0].id
    );
    assert_eq!(
        by_user["u1"].later.as_ref().unwrap().event_id,
        moved[1].id,
        "u1's account stays with u2, whose revert is refused"
    );
}

#[test]
fn undo_requests_that_cannot_be_planned_say_why() {
    let mut s = two_mapped_one_unmatched();
    run(&mut s, "r1");
    let run_event = s.log()[0].id;
    let e = s.plan_undo_event(run_event, at(3)).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidInput, Some("eventId"))
    );
    assert!(e.message.contains("run r1"), "{}", e.message);
    assert_eq!(
        s.plan_undo_event(999, at(3)).unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(
        s.plan_undo_run("nope", at(3)).unwrap_err().code,
        ErrorCode::NotFound
    );
    s.plan_auto_sync(&bu(), "r2".into(), at(3)).unwrap();
    assert_eq!(
        s.plan_undo_run("r2", at(3)).unwrap_err().code,
        ErrorCode::InvalidInput
    );
    // A recorded run's id cannot be planned again, even after its plan is discarded.
    s.discard_plan("r1");
    assert_eq!(
        s.plan_auto_sync(&bu(), "r1".into(), at(4))
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    assert!(
        s.plan_undo_run("r1", at(4)).is_ok(),
        "undo needs the summary, not the plan"
    );
}

#[test]
fn an_undo_plan_goes_stale_like_any_plan_when_the_user_changes_before_it_is_applied() {
    let mut s = two_mapped_one_unmatched();
    run(&mut s, "r1");
    s.plan_undo_run("r1", at(10)).unwrap();
    s.unmap(&bu(), "u1", &admin(), at(11)).unwrap();
    let out = s
        .apply_plan(
            "undo-1",
            &crate::core::mapping::Actor::with_map("admin"),
            false,
            at(12),
        )
        .unwrap();
    assert_eq!(out.applied, 2);
    assert_eq!(out.stale.len(), 1);
    assert_eq!(reason(&s, "u1"), Some(Reason::ManualUnmap));
}

#[test]
fn the_guard_applies_to_undo_plans() {
    let n = 6;
    let mut s = state(
        (0..n)
            .map(|i| src(&format!("u{i}"), &format!("a{i}@x.com")))
            .collect(),
        (0..n)
            .map(|i| ext(&format!("e{i}"), &format!("a{i}@x.com")))
            .collect(),
    );
    run(&mut s, "r1");
    let plan = s.plan_undo_run("r1", at(10)).unwrap().clone();
    assert_eq!(
        (plan.guard.unmaps, plan.guard.threshold, plan.guard.exceeded),
        (6, 5, true)
    );
    let e = s
        .apply_plan(
            "undo-1",
            &crate::core::mapping::Actor::with_map("admin"),
            false,
            at(11),
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::UnmapThresholdExceeded);
    s.apply_plan(
        "undo-1",
        &crate::core::mapping::Actor::with_map("admin"),
        true,
        at(11),
    )
    .unwrap();
    let sum = s.run_summary("undo-1").unwrap();
    assert!(sum.forced && sum.guard.exceeded);
}

#[test]
fn history_lists_a_users_transitions_newest_first_with_actor_run_and_cause() {
    let mut s = two_mapped_one_unmatched();
    run(&mut s, "r1");
    s.unmap(&bu(), "u1", &admin(), at(5)).unwrap();
    let undo = s.plan_undo_run("r1", at(6)).unwrap().run_id.clone();
    s.apply_plan(
        &undo,
        &crate::core::mapping::Actor::with_map("boss"),
        false,
        at(7),
    )
    .unwrap();
    let h = s.user_history(&bu(), "u1").unwrap();
    let causes: Vec<Cause> = h.iter().map(|e| e.cause).collect();
    assert_eq!(
        causes,
        vec![Cause::Manual, Cause::AutoSync],
        "u1's revert was refused: {h:?}"
    );
    assert_eq!(h[0].reason, Some(Reason::ManualUnmap));
    assert_eq!(
        (h[1].actor.as_str(), h[1].run_id.as_deref()),
        ("auto", Some("r1"))
    );
    assert_eq!(h[1].external_id.as_deref(), Some("e1"));
    assert!(h[0].event_id > h[1].event_id);
    let h2 = s.user_history(&bu(), "u2").unwrap();
    assert_eq!(
        (h2[0].cause, h2[0].actor.as_str(), h2[0].at.clone()),
        (Cause::Undo, "boss", at(7).to_string())
    );
    assert!(s.user_history(&bu(), "nobody").unwrap().is_empty());
    assert_eq!(
        s.user_history(&UnitRef::new("x", "y"), "u1")
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
}

#[test]
fn a_run_summary_counts_its_transitions_and_reasons_and_keeps_the_guard() {
    let mut s = state(
        vec![
            src("u1", "a@x.com"),
            src("u2", "b@x.com"),
            src("u3", "c@x.com"),
            src("u4", "bad"),
        ],
        vec![ext("e1", "a@x.com"), ext("e2", "b@x.com")],
    );
    run(&mut s, "r1");
    let sum = s.run_summary("r1").unwrap().clone();
    assert_eq!((sum.actor.as_str(), sum.applied, sum.pass), ("auto", 4, 1));
    assert_eq!(sum.applied_at, at(2).to_string());
    assert_eq!(sum.planned_at, at(1).to_string());
    let t = |from, to, reason, count| TransitionCount {
        from,
        to,
        reason,
        count,
    };
    use MappingStatus::*;
    assert_eq!(
        sum.by_transition,
        vec![
            t(Unmapped, Mapped, None, 2),
            t(Unmapped, Unmapped, Some(Reason::NoMatch), 1),
            t(Unmapped, Unmapped, Some(Reason::InvalidEmail), 1),
        ]
    );
    assert_eq!(
        (sum.by_reason.no_match, sum.by_reason.invalid_email),
        (1, 1)
    );
    assert!(!sum.guard.exceeded && sum.forced);
    assert!(sum.undoable);
    s.plan_auto_sync(&bu(), "r2".into(), at(3)).unwrap();
    s.apply_plan(
        "r2",
        &crate::core::mapping::Actor::with_map("auto"),
        false,
        at(4),
    )
    .unwrap();
    let ids: Vec<String> = s
        .run_summaries(&bu())
        .unwrap()
        .into_iter()
        .map(|r| r.run_id)
        .collect();
    assert_eq!(
        ids,
        vec!["r2".to_string(), "r1".to_string()],
        "newest first"
    );
}

fn with_retention(r: AuditRetention) -> PresenceState {
    let mut s = two_mapped_one_unmatched();
    let settings = PresenceSettings {
        audit_retention: r,
        ..PresenceSettings::default()
    };
    s.set_settings(settings).unwrap();
    s
}

#[test]
fn trimming_a_runs_events_makes_it_no_longer_undoable_and_says_so() {
    let mut s = with_retention(AuditRetention {
        max_events: 4,
        ..AuditRetention::default()
    });
    run(&mut s, "r1");
    assert!(s.run_summary("r1").unwrap().undoable);
    s.load_directory(&bu(), vec![]).unwrap();
    s.plan_auto_sync(&bu(), "r2".into(), at(3)).unwrap();
    let out = s
        .apply_plan(
            "r2",
            &crate::core::mapping::Actor::with_map("auto"),
            true,
            at(4),
        )
        .unwrap();
    assert_eq!(out.no_longer_undoable, vec!["r1".to_string()]);
    assert_eq!(s.log().len(), 4);
    assert!(!s.run_summary("r1").unwrap().undoable);
    assert!(s.run_summary("r2").unwrap().undoable);
    let e = s.plan_undo_run("r1", at(5)).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(e.message.contains("retention"), "{}", e.message);
    assert!(s.plan_undo_run("r2", at(5)).is_ok());
}

#[test]
fn retention_by_age_drops_old_events_and_runs_and_keeps_manual_changes_whole() {
    let mut s = state(
        vec![src("u1", "a@x.com"), src("u2", "")],
        vec![ext("e1", "a@x.com")],
    );
    let day = 86_400;
    s.set_settings(PresenceSettings {
        audit_retention: AuditRetention {
            max_events: 0,
            max_age_days: 1,
            max_runs: 0,
        },
        ..PresenceSettings::default()
    })
    .unwrap();
    run(&mut s, "r1");
    s.map(&bu(), "u2", "e1", true, &admin(), at(day)).unwrap();
    assert_eq!(s.log().len(), 4, "r1's two events are less than a day old");
    s.unmap(&bu(), "u2", &admin(), at(day + day / 2)).unwrap();
    assert_eq!(s.log().len(), 3, "r1 is more than a day old");
    assert!(s.run_summary("r1").is_err(), "its summary too");
    // A count bound cutting into the two-event change drops it whole.
    let mut settings = s.settings().clone();
    settings.audit_retention = AuditRetention {
        max_events: 2,
        max_age_days: 0,
        max_runs: 0,
    };
    s.set_settings(settings).unwrap();
    let text = serde_json::to_string(s.settings()).unwrap();
    assert!(
        text.contains(r#""auditRetention":{"maxEvents":2,"maxAgeDays":0,"maxRuns":0}"#),
        "{text}"
    );
    let back: PresenceSettings = serde_json::from_str(&text).unwrap();
    assert_eq!(&back, s.settings(), "0 (no bound) survives a round trip");
    let report = s.apply_retention(at(2 * day));
    assert_eq!(report.trimmed_events, 2);
    assert_eq!(s.log().len(), 1);
    assert_eq!(
        s.plan_undo_event(s.log()[0].id, at(2 * day))
            .unwrap()
            .transitions
            .len(),
        1
    );
}

#[test]
fn run_summaries_are_bounded_and_a_dropped_undoable_run_is_reported() {
    let mut s = with_retention(AuditRetention {
        max_runs: 1,
        ..AuditRetention::default()
    });
    run(&mut s, "r1");
    s.plan_auto_sync(&bu(), "r2".into(), at(3)).unwrap();
    let out = s
        .apply_plan(
            "r2",
            &crate::core::mapping::Actor::with_map("auto"),
            false,
            at(4),
        )
        .unwrap();
    assert_eq!(out.no_longer_undoable, vec!["r1".to_string()]);
    assert_eq!(s.run_summaries(&bu()).unwrap().len(), 1);
}

#[test]
fn event_ids_are_never_reused_after_the_log_is_trimmed() {
    let mut s = with_retention(AuditRetention {
        max_events: 1,
        ..AuditRetention::default()
    });
    run(&mut s, "r1");
    assert_eq!(s.log().len(), 1);
    s.unmap(&bu(), "u1", &admin(), at(5)).unwrap();
    s.set_settings(PresenceSettings::default()).unwrap();
    let e = s.unmap(&bu(), "u2", &admin(), at(6)).unwrap();
    assert_eq!(e[0].id, 5, "3 run events and 1 manual event came first");
    let back: PresenceState = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    let mut back = back;
    back.load_sources(&bu(), vec![src("u1", "a@x.com")])
        .unwrap();
    let e = back.exclude(&bu(), "u1", &admin(), at(7)).unwrap();
    assert_eq!(e[0].id, 6, "the counter is saved");
}

#[test]
fn a_snapshot_from_before_undo_loads_numbers_its_events_and_refuses_to_undo_them() {
    let old = r#"{
      "settings": {"unmapGuardPercent": 10.0, "unmapGuardMin": 5},
      "units": [{"unit": {"businessUnitId": "bu1", "platform": "ringcentral"},
                 "mappings": [{"userId": "u1", "status": "mapped", "method": "manual",
                               "externalId": "e1", "updatedAt": "2024-01-01T00:00:00Z"}]}],
      "log": [
        {"at": "2024-01-01T00:00:00Z", "actor": "a", "userId": "u1",
         "unit": {"businessUnitId": "bu1", "platform": "ringcentral"},
         "from": "unmapped", "to": "mapped", "externalId": "e1"},
        {"at": "2024-01-02T00:00:00Z", "runId": "r1", "actor": "auto", "userId": "u2",
         "unit": {"businessUnitId": "bu1", "platform": "ringcentral"},
         "from": "unmapped", "to": "unmapped", "reason": "no_match"}
      ]
    }"#;
    let mut s: PresenceState = serde_json::from_str(old).unwrap();
    s.validate().unwrap();
    let ids: Vec<u64> = s.log().iter().map(|e| e.id).collect();
    assert_eq!(ids, vec![1, 2]);
    assert_eq!(s.settings().audit_retention, AuditRetention::default());
    let e = s.plan_undo_event(1, at(1)).unwrap_err();
    assert!(e.message.contains("older version"), "{}", e.message);
    assert_eq!(
        s.plan_undo_run("r1", at(1)).unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(s.user_history(&bu(), "u1").unwrap()[0].cause, Cause::Manual);
    let next = s.unmap(&bu(), "u1", &admin(), at(2)).unwrap();
    assert_eq!(next[0].id, 3);
}

#[test]
fn validate_refuses_event_ids_out_of_order_and_runs_recorded_twice() {
    let mut s = two_mapped_one_unmatched();
    run(&mut s, "r1");
    let mut bad = s.clone();
    bad.log.swap(0, 1);
    let e = bad.validate().unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidSnapshot, Some("id"))
    );
    let mut bad = s.clone();
    let dup = bad.runs[0].clone();
    bad.runs.push(dup);
    assert_eq!(bad.validate().unwrap_err().field.as_deref(), Some("runId"));
}
