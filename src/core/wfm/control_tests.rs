use super::*;
use crate::core::records::{SourceUser, FEATURE_WFM_ADVANCED};
use crate::core::wfm::WfmField;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn rep() -> Actor {
    Actor {
        id: "rep@example.com".into(),
        permissions: vec![PERM_WFM_CONFIGURE.into()],
    }
}

fn viewer() -> Actor {
    Actor {
        id: "viewer@example.com".into(),
        permissions: vec!["UserMapping.Map".into()],
    }
}

fn user(id: &str, n: &str, ext: &str) -> SourceUser {
    SourceUser {
        id: id.into(),
        team_features: Some(vec![FEATURE_WFM_ADVANCED.into()]),
        acd_profile_id: Some("p".into()),
        agent_number: Some(n.into()),
        external_id: Some(ext.into()),
        ..Default::default()
    }
}

fn linked() -> WfmState {
    let mut s = WfmState::default();
    s.link_as(&rep(), "w", "ta", "A", "set-up", ts("2024-01-01T00:00:00Z"))
        .unwrap();
    s
}

fn batch(users: Vec<SourceUser>) -> Vec<AcdBatch> {
    vec![AcdBatch {
        acd_tenant_id: "ta".into(),
        users,
    }]
}

#[test]
fn a_view_only_actor_changes_nothing() {
    let mut s = linked();
    let before = s.clone();
    let t = ts("2024-05-01T10:00:00Z");
    let off = WfmSettings {
        enabled: false,
        interval_minutes: 15,
    };
    let denied = [
        s.configure(&viewer(), off, "night", t).unwrap_err(),
        s.link_as(&viewer(), "w", "tb", "B", "more", t).unwrap_err(),
        s.unlink_as(&viewer(), "w", "ta", "less", t).unwrap_err(),
        s.set_field_switches(&viewer(), FieldSwitches::all_on("ta"), "why", t)
            .unwrap_err(),
    ];
    for e in denied {
        assert_eq!(e.code, ErrorCode::PermissionDenied);
        assert_eq!(e.field.as_deref(), Some("permissions"));
        assert!(e.message.contains(PERM_WFM_CONFIGURE), "{}", e.message);
    }
    assert_eq!(s, before, "nothing changed, nothing logged");
}

#[test]
fn a_change_needs_a_reason_and_is_logged_with_it() {
    let mut s = linked();
    let t = ts("2024-05-01T10:00:00Z");
    let off = WfmSettings {
        enabled: false,
        interval_minutes: 30,
    };
    let e = s.configure(&rep(), off, "  ", t).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::MissingField, Some("reason"))
    );
    let e = s.configure(&rep(), off, &"x".repeat(501), t).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("reason"));
    assert!(s.settings.enabled);
    s.configure(&rep(), off, " IEX maintenance window ", t)
        .unwrap();
    assert_eq!(s.settings, off);
    let last = s.log.last().unwrap();
    assert_eq!(last.kind, WfmLogKind::SettingsChanged);
    assert_eq!(last.actor.as_deref(), Some("rep@example.com"));
    assert_eq!(last.reason.as_deref(), Some("IEX maintenance window"));
    assert!(last.summary.contains("enabled -> disabled") && last.summary.contains("15 -> 30"));
    assert_eq!(s.log[0].kind, WfmLogKind::AcdLinked);
    // A bad interval is refused after the permission check, and not logged.
    let n = s.log.len();
    let bad = WfmSettings {
        enabled: true,
        interval_minutes: 2,
    };
    assert_eq!(
        s.configure(&rep(), bad, "faster", t).unwrap_err().code,
        ErrorCode::InvalidInput
    );
    assert_eq!(s.log.len(), n);
}

#[test]
fn runs_are_logged_and_only_an_acknowledgement_advances_what_wfm_holds() {
    let mut s = linked();
    let t0 = ts("2024-05-01T10:00:00Z");
    let d = s.run("w", &batch(vec![user("u1", "1", "e1")]), t0).unwrap();
    assert_eq!(d.run_at.as_deref(), Some("2024-05-01T10:00:00Z"));
    assert!(
        s.received("w").is_empty(),
        "computing a delta marks nothing received"
    );
    assert_eq!(s.pending("w").unwrap().additions, 1);
    let run = s.log.last().unwrap();
    assert_eq!(
        (run.kind, run.outcome),
        (WfmLogKind::Run, Some(RunOutcome::Ok))
    );
    assert_eq!(run.examined_acds, ["A"]);
    assert_eq!(run.counts.unwrap().additions, 1);

    // Not due: refused and not logged.
    let n = s.log.len();
    assert_eq!(
        s.run("w", &batch(vec![]), ts("2024-05-01T10:05:00Z"))
            .unwrap_err()
            .code,
        ErrorCode::SyncNotDue
    );
    assert_eq!(s.log.len(), n);

    // Not acknowledged: the next run sends the same addition again.
    let t1 = ts("2024-05-01T10:15:00Z");
    let d2 = s.run("w", &batch(vec![user("u1", "1", "e1")]), t1).unwrap();
    assert_eq!(d2.additions.len(), 1);
    assert_eq!(
        s.acknowledge(&d, t1).unwrap_err().code,
        ErrorCode::Superseded,
        "an older delta cannot be confirmed"
    );
    s.acknowledge(&d2, t1).unwrap();
    assert_eq!(s.received("w").len(), 1);
    assert!(s.pending("w").is_none());
    assert_eq!(s.log.last().unwrap().kind, WfmLogKind::Acknowledged);
    assert_eq!(
        s.acknowledge(&d2, t1).unwrap_err().code,
        ErrorCode::NotFound
    );

    // A failed run is logged with its error and records no run.
    let bad = vec![AcdBatch {
        acd_tenant_id: "stranger".into(),
        users: vec![],
    }];
    let t2 = ts("2024-05-01T10:30:00Z");
    assert!(s.run("w", &bad, t2).is_err());
    let failed = s.log.last().unwrap();
    assert_eq!(failed.outcome, Some(RunOutcome::Failed));
    assert_eq!(failed.error.as_ref().unwrap().code, ErrorCode::InvalidInput);
    assert_eq!(s.last_run("w").unwrap(), Some(t1));
    s.validate().unwrap();
}

#[test]
fn switched_off_fields_are_never_sent_nor_changed() {
    let mut s = linked();
    let t0 = ts("2024-05-01T10:00:00Z");
    let d = s.run("w", &batch(vec![user("u1", "1", "e1")]), t0).unwrap();
    s.acknowledge(&d, t0).unwrap();
    let off = FieldSwitches {
        acd_tenant_id: "ta".into(),
        sync_personal_id: false,
        sync_external_id: false,
    };
    s.set_field_switches(&rep(), off, "IEX keys on agent number only", t0)
        .unwrap();
    assert_eq!(s.log.last().unwrap().kind, WfmLogKind::FieldSwitchesChanged);

    let t1 = ts("2024-05-01T10:15:00Z");
    let users = vec![user("u1", "1", "e-CHANGED"), user("u2", "2", "e2")];
    let d = s.run("w", &batch(users), t1).unwrap();
    assert!(d.changes.is_empty(), "{:?}", d.changes);
    let added = &d.additions[0];
    assert_eq!(added.external_id, None, "a new agent gets no external id");
    assert_eq!(added.withheld, [WfmField::PersonalId, WfmField::ExternalId]);
    s.acknowledge(&d, t1).unwrap();
    let held = s.received("w");
    assert_eq!(
        held[0].external_id.as_deref(),
        Some("e1"),
        "what WFM held is kept"
    );

    // Back on: the external id is sent again and changes show.
    s.set_field_switches(&rep(), FieldSwitches::all_on("ta"), "back on", t1)
        .unwrap();
    let d = s
        .run(
            "w",
            &batch(vec![user("u1", "1", "e-CHANGED"), user("u2", "2", "e2")]),
            ts("2024-05-01T10:30:00Z"),
        )
        .unwrap();
    let changed: Vec<_> = d
        .changes
        .iter()
        .map(|c| (c.agent.personal_id.as_str(), c.changed.clone()))
        .collect();
    assert_eq!(
        changed,
        [
            ("u1", vec![WfmField::ExternalId]),
            ("u2", vec![WfmField::ExternalId])
        ]
    );
}

#[test]
fn a_user_without_an_agent_number_is_not_synced() {
    let mut s = linked();
    let mut u = user("u1", "", "e1");
    u.agent_number = None;
    let d = s
        .run(
            "w",
            &batch(vec![u, user("u2", "7", "e2")]),
            ts("2024-05-01T10:00:00Z"),
        )
        .unwrap();
    assert_eq!(d.additions.len(), 1);
    assert_eq!(d.additions[0].agent_number, "7");
    assert_eq!(d.not_synced.len(), 1);
    assert_eq!(
        (d.not_synced[0].user_id.as_str(), d.not_synced[0].code),
        ("u1", ErrorCode::NoAgentNumber)
    );
}

#[test]
fn the_wfm_log_and_pending_delta_survive_a_snapshot_round_trip() {
    use crate::core::engine::Engine;
    use crate::core::snapshot;
    let mut e = Engine::default();
    e.wfm = linked();
    let t0 = ts("2024-05-01T10:00:00Z");
    e.wfm
        .configure(
            &rep(),
            WfmSettings {
                enabled: true,
                interval_minutes: 30,
            },
            "slower",
            t0,
        )
        .unwrap();
    let off = FieldSwitches {
        acd_tenant_id: "ta".into(),
        sync_personal_id: false,
        sync_external_id: true,
    };
    e.wfm
        .set_field_switches(&rep(), off, "GUIDs stay in CXone", t0)
        .unwrap();
    e.wfm
        .run("w", &batch(vec![user("u1", "1", "e1")]), t0)
        .unwrap();
    let json = snapshot::save(&e).unwrap();
    let back = snapshot::restore(&json).unwrap();
    assert_eq!(back.wfm, e.wfm);
    assert_eq!(back.wfm.log.len(), 4);
    assert_eq!(back.wfm.log[1].reason.as_deref(), Some("slower"));
    assert!(back.wfm.pending("w").is_some());
    assert!(!back.wfm.field_switches("ta").sync_personal_id);
    // A damaged log time is refused whole.
    let damaged = json.replace(
        "\"at\":\"2024-05-01T10:00:00Z\",\"kind\":\"run\"",
        "\"at\":\"yesterday\",\"kind\":\"run\"",
    );
    assert_ne!(damaged, json);
    assert_eq!(
        snapshot::restore(&damaged).unwrap_err().code,
        ErrorCode::InvalidSnapshot
    );
}
