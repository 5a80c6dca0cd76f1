use super::*;
use crate::core::records::{FEATURE_WFM_ADVANCED, PERM_VIEW_PERSONAL_SCHEDULE};

fn t0() -> jiff::Timestamp {
    "2024-05-01T10:00:00Z".parse().unwrap()
}

/// WFM tenant `w` links ACD tenants `ta` (acd `A`) and `tb` (acd `B`).
fn state() -> WfmState {
    let mut s = WfmState::default();
    s.link("w", "ta", "A", t0()).unwrap();
    s.link("w", "tb", "B", t0()).unwrap();
    s
}

fn user(id: &str) -> SourceUser {
    SourceUser {
        id: id.into(),
        email: Some(format!("{id}@example.com")),
        first_name: Some("First".into()),
        last_name: Some(id.to_uppercase()),
        // Numeric, as CXone assigns them, and distinct per id.
        agent_number: Some(
            id.bytes()
                .fold(7u64, |h, b| h.wrapping_mul(131).wrapping_add(u64::from(b)))
                .to_string(),
        ),
        team_features: Some(vec![FEATURE_WFM_ADVANCED.into()]),
        role_permissions: Some(vec![PERM_VIEW_PERSONAL_SCHEDULE.into()]),
        acd_profile_id: Some("p".into()),
        ..Default::default()
    }
}

fn batch(tenant: &str, users: Vec<SourceUser>) -> AcdBatch {
    AcdBatch {
        acd_tenant_id: tenant.into(),
        users,
    }
}

fn keys(agents: &[WfmAgent]) -> Vec<(&str, &str)> {
    agents.iter().map(|a| a.key()).collect()
}

fn run(s: &mut WfmState, batches: &[AcdBatch]) -> Delta {
    let d = compute_delta(s, "w", batches).unwrap();
    apply_delta(s, &d).unwrap();
    d
}

#[test]
fn new_ready_users_are_additions_sorted_by_acd_then_user() {
    let s = state();
    let d = compute_delta(
        &s,
        "w",
        &[
            batch("tb", vec![user("z"), user("a")]),
            batch("ta", vec![user("m")]),
        ],
    )
    .unwrap();
    assert_eq!(keys(&d.additions), [("A", "m"), ("B", "a"), ("B", "z")]);
    assert!(d.additions.iter().all(|a| a.origin == ORIGIN_FROM_ACD));
    assert_eq!(d.examined_acds, ["A", "B"]);
    assert!(d.changes.is_empty() && d.absent.is_empty() && !d.is_empty());
}

#[test]
fn nothing_changed_gives_an_empty_delta() {
    let mut s = state();
    let b = [batch("ta", vec![user("u1"), user("u2")])];
    run(&mut s, &b);
    let d = compute_delta(&s, "w", &b).unwrap();
    assert!(d.is_empty(), "{d:?}");
    assert!(d.warnings.is_empty() && d.not_synced.is_empty() && d.multi_tenant.is_empty());
}

#[test]
fn changes_name_exactly_the_changed_fields() {
    let mut s = state();
    run(&mut s, &[batch("ta", vec![user("u1")])]);
    let mut u = user("u1");
    u.last_name = Some("Renamed".into());
    u.external_id = Some("x-1".into());
    u.activation_date = Some("2024-02-02".into());
    let d = compute_delta(&s, "w", &[batch("ta", vec![u])]).unwrap();
    assert!(d.additions.is_empty());
    assert_eq!(d.changes.len(), 1);
    assert_eq!(
        d.changes[0].changed,
        [
            WfmField::LastName,
            WfmField::ActivationDate,
            WfmField::ExternalId
        ]
    );
    assert_eq!(d.changes[0].agent.last_name.as_deref(), Some("Renamed"));
}

#[test]
fn users_gone_from_the_acd_are_reported_absent_once_and_never_deleted() {
    let mut s = state();
    run(&mut s, &[batch("ta", vec![user("u1"), user("u2")])]);
    let d = run(&mut s, &[batch("ta", vec![user("u2")])]);
    assert_eq!(d.absent.len(), 1);
    assert_eq!(d.absent[0].agent.key(), ("A", "u1"));
    assert_eq!(d.absent[0].agent.origin, ORIGIN_GONE_FROM_ACD);
    assert_eq!(d.absent[0].reason, AbsentReason::LeftAcd);
    // Still held by WFM, marked 2.
    let held = s.received("w");
    assert_eq!(keys(held), [("A", "u1"), ("A", "u2")]);
    assert_eq!(held[0].origin, ORIGIN_GONE_FROM_ACD);
    // Not reported again.
    assert!(compute_delta(&s, "w", &[batch("ta", vec![user("u2")])])
        .unwrap()
        .is_empty());
}

#[test]
fn a_returning_agent_is_a_change_of_origin() {
    let mut s = state();
    run(&mut s, &[batch("ta", vec![user("u1")])]);
    run(&mut s, &[batch("ta", vec![])]);
    let d = run(&mut s, &[batch("ta", vec![user("u1")])]);
    assert!(d.additions.is_empty());
    assert_eq!(d.changes.len(), 1);
    assert_eq!(d.changes[0].changed, [WfmField::Origin]);
    assert_eq!(s.received("w")[0].origin, ORIGIN_FROM_ACD);
}

#[test]
fn inactive_users_are_absent_and_never_added() {
    let mut s = state();
    run(&mut s, &[batch("ta", vec![user("u1")])]);
    let off = |id| SourceUser {
        active: Some(false),
        ..user(id)
    };
    let d = compute_delta(&s, "w", &[batch("ta", vec![off("u1"), off("u2")])]).unwrap();
    assert!(d.additions.is_empty());
    assert_eq!(d.absent.len(), 1);
    assert_eq!(d.absent[0].reason, AbsentReason::Inactive);
}

#[test]
fn a_linked_acd_without_a_batch_is_not_examined() {
    let mut s = state();
    run(
        &mut s,
        &[batch("ta", vec![user("u1")]), batch("tb", vec![user("v1")])],
    );
    let d = compute_delta(&s, "w", &[batch("ta", vec![user("u1")])]).unwrap();
    assert!(
        d.is_empty(),
        "B's agents are not absent just because B was not read"
    );
    assert_eq!(d.examined_acds, ["A"]);
}

#[test]
fn unlinked_acds_keep_their_agents_reported_absent() {
    let mut s = state();
    run(&mut s, &[batch("tb", vec![user("v1")])]);
    s.unlink("w", "tb").unwrap();
    let d = run(&mut s, &[]);
    assert_eq!(d.absent.len(), 1);
    assert_eq!(d.absent[0].reason, AbsentReason::AcdUnlinked);
    assert_eq!(keys(s.received("w")), [("B", "v1")]);
    assert!(compute_delta(&s, "w", &[]).unwrap().is_empty());
    // The unlinked tenant's batch is now refused.
    let e = compute_delta(&s, "w", &[batch("tb", vec![])]).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
}

#[test]
fn users_not_ready_are_not_synced_with_the_first_missing_step() {
    let s = state();
    let no_team = SourceUser {
        team_features: None,
        acd_profile_id: None,
        ..user("t")
    };
    let no_profile = SourceUser {
        acd_profile_id: None,
        ..user("p")
    };
    let d = compute_delta(&s, "w", &[batch("ta", vec![no_team, no_profile])]).unwrap();
    assert!(d.additions.is_empty());
    let got: Vec<_> = d
        .not_synced
        .iter()
        .map(|n| (n.user_id.as_str(), n.code))
        .collect();
    assert_eq!(
        got,
        [
            ("p", ErrorCode::NoAcdProfile),
            ("t", ErrorCode::TeamLacksWfmAdvanced)
        ]
    );
}

#[test]
fn a_synced_user_losing_readiness_is_left_as_wfm_holds_it() {
    let mut s = state();
    run(&mut s, &[batch("ta", vec![user("u1")])]);
    let u = SourceUser {
        team_features: None,
        last_name: Some("New".into()),
        ..user("u1")
    };
    let d = compute_delta(&s, "w", &[batch("ta", vec![u])]).unwrap();
    assert!(
        d.is_empty(),
        "still in the ACD: not absent, and not changed"
    );
    assert_eq!(d.not_synced.len(), 1);
}

#[test]
fn missing_schedule_permission_is_synced_with_a_warning() {
    let s = state();
    let u = SourceUser {
        role_permissions: None,
        ..user("u1")
    };
    let d = compute_delta(&s, "w", &[batch("ta", vec![u])]).unwrap();
    assert_eq!(d.additions.len(), 1);
    assert_eq!(d.warnings.len(), 1);
    assert_eq!(
        d.warnings[0].code,
        WfmWarningCode::CannotSeePersonalSchedule
    );
}

#[test]
fn unreadable_dates_and_collisions_warn() {
    let s = state();
    let a = SourceUser {
        agent_number: Some("3".into()),
        activation_date: Some("soon".into()),
        ..user("a")
    };
    let b = SourceUser {
        agent_number: Some("7".into()),
        ..user("b")
    };
    let c = SourceUser {
        agent_number: Some("7".into()),
        ..user("c")
    };
    let d = compute_delta(&s, "w", &[batch("ta", vec![a, b, c])]).unwrap();
    let got: Vec<_> = d
        .warnings
        .iter()
        .map(|w| (w.user_id.as_str(), w.code))
        .collect();
    assert_eq!(
        got,
        [
            ("a", WfmWarningCode::UnreadableActivationDate),
            ("b", WfmWarningCode::DuplicateAgentNumber),
            ("c", WfmWarningCode::DuplicateAgentNumber),
        ]
    );
    assert_eq!(d.additions.len(), 3, "warnings never stop the sync");
}

#[test]
fn same_person_in_two_acd_tenants_stays_two_agents_and_is_reported() {
    let s = state();
    let a = SourceUser {
        email: Some("Ann@Example.com".into()),
        ..user("ann-a")
    };
    let b = SourceUser {
        email: Some("ann@example.com".into()),
        ..user("ann-b")
    };
    let d = compute_delta(&s, "w", &[batch("ta", vec![a]), batch("tb", vec![b])]).unwrap();
    assert_eq!(keys(&d.additions), [("A", "ann-a"), ("B", "ann-b")]);
    assert_eq!(d.multi_tenant.len(), 1);
    let r = &d.multi_tenant[0];
    assert_eq!(r.code, ErrorCode::AgentInMultipleTenants);
    let ids: Vec<_> = r
        .agents
        .iter()
        .map(|a| (a.acd_id.as_str(), a.user_id.as_str()))
        .collect();
    assert_eq!(ids, [("A", "ann-a"), ("B", "ann-b")]);
}

#[test]
fn batches_must_belong_to_the_wfm_tenant() {
    let mut s = state();
    s.link("other", "tc", "C", t0()).unwrap();
    for tid in ["tc", "nobody"] {
        let e = compute_delta(&s, "w", &[batch(tid, vec![])]).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert_eq!(e.id.as_deref(), Some(tid));
        assert!(e.message.contains(tid));
    }
    let e = compute_delta(&s, "w", &[batch("ta", vec![]), batch("ta", vec![])]).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert_eq!(
        compute_delta(&s, "nope", &[]).unwrap_err().code,
        ErrorCode::NotFound
    );
}

#[test]
fn malformed_users_are_refused_with_their_index() {
    let s = state();
    let e = compute_delta(&s, "w", &[batch("ta", vec![user("a"), user(" ")])]).unwrap_err();
    assert_eq!((e.code, e.index), (ErrorCode::MissingField, Some(1)));
    let e = compute_delta(&s, "w", &[batch("ta", vec![user("a"), user("a")])]).unwrap_err();
    assert_eq!((e.code, e.index), (ErrorCode::DuplicateIdConflict, Some(1)));
    let wrong = SourceUser {
        tenant_id: Some("tb".into()),
        ..user("a")
    };
    let e = compute_delta(&s, "w", &[batch("ta", vec![wrong])]).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidInput, Some("tenantId"))
    );
    let right = SourceUser {
        tenant_id: Some("ta".into()),
        ..user("a")
    };
    compute_delta(&s, "w", &[batch("ta", vec![right])]).unwrap();
}

#[test]
fn same_user_id_in_two_acds_is_two_agents() {
    let mut s = state();
    run(
        &mut s,
        &[batch("ta", vec![user("u")]), batch("tb", vec![user("u")])],
    );
    assert_eq!(keys(s.received("w")), [("A", "u"), ("B", "u")]);
    let d = run(&mut s, &[batch("ta", vec![]), batch("tb", vec![user("u")])]);
    assert_eq!(d.absent.len(), 1);
    assert_eq!(d.absent[0].agent.key(), ("A", "u"));
}

#[test]
fn apply_writes_additions_and_changes_and_is_idempotent() {
    let mut s = state();
    let d = compute_delta(&s, "w", &[batch("ta", vec![user("u1")])]).unwrap();
    apply_delta(&mut s, &d).unwrap();
    let once = s.clone();
    apply_delta(&mut s, &d).unwrap();
    assert_eq!(s, once);
    assert_eq!(s.received("w"), d.additions.as_slice());
    let stray = Delta {
        wfm_tenant_id: "nope".into(),
        ..d
    };
    assert_eq!(
        apply_delta(&mut s, &stray).unwrap_err().code,
        ErrorCode::NotFound
    );
}

#[test]
fn delta_serialises_in_camel_case_with_snake_case_words() {
    let s = state();
    let u = SourceUser {
        role_permissions: None,
        ..user("u1")
    };
    let d = compute_delta(&s, "w", &[batch("ta", vec![u])]).unwrap();
    let v = serde_json::to_value(&d).unwrap();
    assert!(v.get("notSynced").is_some() && v.get("multiTenant").is_some());
    assert_eq!(v["warnings"][0]["code"], "cannot_see_personal_schedule");
    assert_eq!(v["additions"][0]["agentNumber"], "135503");
}
