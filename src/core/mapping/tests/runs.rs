//! Auto Sync runs: retry, guard, apply, idempotence, plan shape, loading.

use super::*;
use crate::core::error::ErrorCode;
use crate::core::records::{ExternalUser, SourceUser};

#[test]
fn retry_maps_users_found_in_the_refreshed_directory_and_sets_attempts_to_two() {
    let mut s = state(
        vec![
            src("u1", " Late@x.com "),
            src("u2", "never@x.com"),
            src("u3", "ok@x.com"),
        ],
        vec![ext("e3", "ok@x.com")],
    );
    let plan = s.plan_auto_sync(&bu(), "r1".into(), at(1)).unwrap();
    assert_eq!(plan.pass, 1);
    assert_eq!(
        plan.retry.user_ids,
        vec!["u1".to_string(), "u2".to_string()]
    );
    assert_eq!(
        plan.retry.emails,
        vec!["Late@x.com".to_string(), "never@x.com".to_string()]
    );
    let plan = s
        .retry_auto_sync("r1", Some(vec![ext("e1", "late@x.com")]), at(2))
        .unwrap();
    assert_eq!(plan.pass, 2);
    assert_eq!(
        s.unit(&bu()).unwrap().directory().len(),
        2,
        "refreshed records join the loaded directory"
    );
    let err = s.retry_auto_sync("r1", None, at(2)).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    s.apply_plan(
        "r1",
        &crate::core::mapping::Actor::with_map("auto"),
        false,
        at(3),
    )
    .unwrap();
    assert_eq!(st(&s, "u1").linked(), Some("e1"));
    assert_eq!(st(&s, "u1").attempts, 2);
    assert_eq!(
        st(&s, "u2"),
        MappingState::not_mapped(MappingStatus::Unmapped, Some(Reason::NoMatch), 2)
    );
    assert_eq!(
        st(&s, "u3").attempts,
        1,
        "users matched in the first pass keep 1"
    );
    // Run again with a retry: nothing changes.
    let again = s.plan_auto_sync(&bu(), "r2".into(), at(4)).unwrap();
    assert!(again.transitions.is_empty(), "{:?}", again.transitions);
    let again = s.retry_auto_sync("r2", None, at(4)).unwrap();
    assert!(again.transitions.is_empty(), "{:?}", again.transitions);
    assert_eq!(
        s.retry_auto_sync("r2", None, at(4)).unwrap_err().code,
        ErrorCode::InvalidInput
    );
}

#[test]
fn a_user_whose_lookup_fails_only_in_the_retry_pass_also_gets_two_attempts() {
    // The first pass maps u1; the refreshed directory brings a second account with its email.
    let mut s = state(
        vec![src("u1", "a@x.com"), src("u2", "zz@x.com")],
        vec![ext("e1", "a@x.com")],
    );
    s.plan_auto_sync(&bu(), "r1".into(), at(1)).unwrap();
    s.retry_auto_sync("r1", Some(vec![ext("e2", "a@x.com")]), at(2))
        .unwrap();
    s.apply_plan(
        "r1",
        &crate::core::mapping::Actor::with_map("auto"),
        true,
        at(3),
    )
    .unwrap();
    assert_eq!(
        st(&s, "u1"),
        MappingState::not_mapped(MappingStatus::Unmapped, Some(Reason::MultipleMatches), 2)
    );
    s.plan_auto_sync(&bu(), "r2".into(), at(4)).unwrap();
    assert!(s
        .retry_auto_sync("r2", None, at(4))
        .unwrap()
        .transitions
        .is_empty());
}

#[test]
fn a_first_pass_applied_directly_records_one_attempt_and_an_applied_plan_cannot_be_retried() {
    let mut s = state(vec![src("u1", "x@x.com")], vec![]);
    run(&mut s, "r1");
    assert_eq!(st(&s, "u1").attempts, 1);
    assert_eq!(
        s.retry_auto_sync("r1", None, at(3)).unwrap_err().code,
        ErrorCode::InvalidInput
    );
    assert_eq!(
        s.retry_auto_sync("nope", None, at(3)).unwrap_err().code,
        ErrorCode::NotFound
    );
}

#[test]
fn the_guard_refuses_more_unmaps_than_the_threshold_unless_forced() {
    let n = 6;
    let users: Vec<SourceUser> = (0..n)
        .map(|i| src(&format!("u{i}"), &format!("a{i}@x.com")))
        .collect();
    let dir: Vec<ExternalUser> = (0..n)
        .map(|i| ext(&format!("e{i}"), &format!("a{i}@x.com")))
        .collect();
    let mut s = state(users, dir.clone());
    run(&mut s, "r1");
    s.load_directory(&bu(), vec![]).unwrap();
    let plan = s.plan_auto_sync(&bu(), "r2".into(), at(3)).unwrap();
    assert_eq!(
        plan.guard,
        GuardOutcome {
            mapped_before: 6,
            unmaps: 6,
            threshold: 5,
            exceeded: true
        }
    );
    let before = s.clone();
    let err = s
        .apply_plan(
            "r2",
            &crate::core::mapping::Actor::with_map("auto"),
            false,
            at(4),
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::UnmapThresholdExceeded);
    assert!(
        err.message.contains("6 of 6") && err.message.contains("limit is 5"),
        "{}",
        err.message
    );
    assert_eq!(s, before, "a refused plan changes nothing");
    let out = s
        .apply_plan(
            "r2",
            &crate::core::mapping::Actor::with_map("auto"),
            true,
            at(4),
        )
        .unwrap();
    assert_eq!(out.applied, 6);

    // Five unmaps are within the floor.
    let mut s = state(
        (0..n)
            .map(|i| src(&format!("u{i}"), &format!("a{i}@x.com")))
            .collect(),
        dir.clone(),
    );
    run(&mut s, "r1");
    s.load_directory(&bu(), dir[..1].to_vec()).unwrap();
    s.plan_auto_sync(&bu(), "r2".into(), at(3)).unwrap();
    assert_eq!(
        s.apply_plan(
            "r2",
            &crate::core::mapping::Actor::with_map("auto"),
            false,
            at(4)
        )
        .unwrap()
        .applied,
        5
    );
}

#[test]
fn the_threshold_is_the_larger_of_the_floor_and_the_share_rounded_up() {
    let d = PresenceSettings::default();
    assert_eq!(d.unmap_threshold(0), 5);
    assert_eq!(d.unmap_threshold(50), 5);
    assert_eq!(d.unmap_threshold(51), 6);
    assert_eq!(d.unmap_threshold(100), 10);
    assert_eq!(d.unmap_threshold(1000), 100);
    let all = PresenceSettings {
        unmap_guard_percent: 100.0,
        unmap_guard_min: 0,
        ..d.clone()
    };
    assert_eq!(all.unmap_threshold(7), 7);
    for bad in [f64::NAN, f64::INFINITY, -1.0, 100.5] {
        let s = PresenceSettings {
            unmap_guard_percent: bad,
            ..d.clone()
        };
        assert_eq!(s.validate().unwrap_err().code, ErrorCode::InvalidInput);
        assert!(PresenceState::new(s).is_err());
    }
}

#[test]
fn a_manual_change_after_the_plan_makes_its_transition_stale() {
    let mut s = state(
        vec![src("u1", "a@x.com"), src("u2", "b@x.com")],
        vec![
            ext("e1", "a@x.com"),
            ext("e2", "b@x.com"),
            ext("e9", "z@x.com"),
        ],
    );
    s.plan_auto_sync(&bu(), "r1".into(), at(1)).unwrap();
    s.map(&bu(), "u1", "e9", false, &admin(), at(2)).unwrap();
    let out = s
        .apply_plan(
            "r1",
            &crate::core::mapping::Actor::with_map("auto"),
            false,
            at(3),
        )
        .unwrap();
    assert_eq!(out.applied, 1);
    assert_eq!(out.stale.len(), 1);
    assert_eq!(out.stale[0].user_id, "u1");
    assert!(st(&s, "u1").is_manual());
    assert_eq!(st(&s, "u1").linked(), Some("e9"));
}

#[test]
fn a_plan_never_links_an_account_someone_took_meanwhile() {
    let mut s = state(
        vec![src("u1", "a@x.com"), src("u2", "b@x.com")],
        vec![ext("e1", "a@x.com")],
    );
    s.plan_auto_sync(&bu(), "r1".into(), at(1)).unwrap();
    s.map(&bu(), "u2", "e1", false, &admin(), at(2)).unwrap();
    let out = s
        .apply_plan(
            "r1",
            &crate::core::mapping::Actor::with_map("auto"),
            false,
            at(3),
        )
        .unwrap();
    assert!(
        out.stale
            .iter()
            .any(|t| t.user_id == "u1" && t.message.contains("u2")),
        "{:?}",
        out.stale
    );
    assert_eq!(s.unit(&bu()).unwrap().holder_of("e1"), Some("u2"));
    s.validate().unwrap();
}

#[test]
fn an_account_released_in_a_plan_can_be_linked_in_the_same_plan_whatever_the_ids() {
    let mut s = state(vec![src("z1", "a@x.com")], vec![ext("e1", "a@x.com")]);
    run(&mut s, "r1");
    let mut z = src("z1", "a@x.com");
    z.permissions = Some(vec![]);
    s.load_sources(&bu(), vec![z, src("b1", "a@x.com")])
        .unwrap();
    let plan = run(&mut s, "r2");
    assert_eq!(plan.transitions.len(), 2);
    assert_eq!(st(&s, "b1").linked(), Some("e1"));
    assert_eq!(st(&s, "z1").status, MappingStatus::Skipped);
}

#[test]
fn applying_a_plan_twice_changes_nothing() {
    let mut s = state(
        vec![src("u1", "a@x.com"), src("u2", "q@x.com")],
        vec![ext("e1", "a@x.com")],
    );
    s.plan_auto_sync(&bu(), "r1".into(), at(1)).unwrap();
    assert_eq!(
        s.apply_plan(
            "r1",
            &crate::core::mapping::Actor::with_map("auto"),
            false,
            at(2)
        )
        .unwrap()
        .applied,
        2
    );
    let snapshot = serde_json::to_string(&s).unwrap();
    let out = s
        .apply_plan(
            "r1",
            &crate::core::mapping::Actor::with_map("auto"),
            false,
            at(3),
        )
        .unwrap();
    assert_eq!(
        (out.applied, out.already_applied, out.stale.len()),
        (0, 2, 0)
    );
    assert_eq!(serde_json::to_string(&s).unwrap(), snapshot);
}

#[test]
fn running_auto_sync_twice_gives_the_same_state() {
    let mut s = state(
        vec![
            src("u1", "a@x.com"),
            src("u2", "dup@x.com"),
            src("u3", "dup@x.com"),
            src("u4", ""),
        ],
        vec![ext("e1", "a@x.com"), ext("e2", "dup@x.com")],
    );
    run(&mut s, "r1");
    let plan = s.plan_auto_sync(&bu(), "r2".into(), at(5)).unwrap();
    assert!(plan.transitions.is_empty());
    assert_eq!(plan.unchanged, 4);
}

#[test]
fn reusing_a_run_id_or_an_unknown_unit_is_an_error() {
    let mut s = state(vec![src("u1", "a@x.com")], vec![]);
    s.plan_auto_sync(&bu(), "r1".into(), at(1)).unwrap();
    assert_eq!(
        s.plan_auto_sync(&bu(), "r1".into(), at(1))
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    assert_eq!(
        s.plan_auto_sync(&bu(), " ".into(), at(1)).unwrap_err().code,
        ErrorCode::InvalidInput
    );
    let other = UnitRef::new("bu9", "ringcentral");
    assert_eq!(
        s.plan_auto_sync(&other, "r2".into(), at(1))
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    assert_eq!(
        s.apply_plan(
            "r404",
            &crate::core::mapping::Actor::with_map("auto"),
            false,
            at(1)
        )
        .unwrap_err()
        .code,
        ErrorCode::NotFound
    );
}

#[test]
fn plan_counts_describe_the_unit_after_the_plan() {
    let mut s = state(
        vec![src("u1", "a@x.com"), src("u2", "b@x.com")],
        vec![ext("e1", "a@x.com")],
    );
    let plan = s.plan_auto_sync(&bu(), "r1".into(), at(1)).unwrap();
    assert_eq!(
        plan.counts.by_status,
        StatusCounts {
            mapped: 1,
            unmapped: 1,
            skipped: 0,
            excluded: 0
        }
    );
    assert_eq!(plan.counts.by_reason.no_match, 1);
    let json = serde_json::to_value(&plan.counts).unwrap();
    assert_eq!(json["byStatus"]["mapped"], 1);
    assert_eq!(json["byReason"]["no_match"], 1);
    assert_eq!(
        json["byReason"].as_object().unwrap().len(),
        Reason::ALL.len()
    );
}

#[test]
fn loading_users_of_another_business_unit_is_an_error() {
    let mut s = PresenceState::default();
    let mut u = src("u1", "a@x.com");
    u.business_unit_id = Some("bu2".into());
    let err = s.load_sources(&bu(), vec![u]).unwrap_err();
    assert_eq!(
        (err.code, err.id.as_deref(), err.field.as_deref()),
        (ErrorCode::InvalidInput, Some("u1"), Some("businessUnitId"))
    );

    s.load_sources(
        &UnitRef::new("bu2", "ringcentral"),
        vec![src("u1", "a@x.com")],
    )
    .unwrap();
    let err = s
        .load_sources(&bu(), vec![src("u1", "a@x.com")])
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("businessUnitId"));
    // The same business unit on another platform is fine.
    s.load_sources(&UnitRef::new("bu2", "teams"), vec![src("u1", "a@x.com")])
        .unwrap();

    let err = s
        .load_sources(&bu(), vec![src("x", ""), src("x", "")])
        .unwrap_err();
    assert_eq!((err.field.as_deref(), err.index), (Some("id"), Some(1)));
    let err = s
        .load_directory(&bu(), vec![ext("e", ""), ext("e", "")])
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("id"));
}
