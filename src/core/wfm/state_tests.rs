use super::*;
use crate::core::records::{SourceUser, FEATURE_WFM_ADVANCED};
use crate::core::wfm::delta::{apply_delta, compute_delta, AcdBatch};
use crate::core::wfm::{sync, ORIGIN_FROM_ACD};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn ready(id: &str) -> SourceUser {
    SourceUser {
        id: id.into(),
        team_features: Some(vec![FEATURE_WFM_ADVANCED.into()]),
        acd_profile_id: Some("p".into()),
        agent_number: Some(id.trim_start_matches('u').to_string()),
        ..Default::default()
    }
}

/// A state with two WFM tenants, a run and received agents.
fn populated() -> WfmState {
    let mut s = WfmState::default();
    s.link("w2", "tb", "B", ts("2024-01-01T00:00:00Z")).unwrap();
    s.link("w1", "ta", "A", ts("2024-01-01T00:00:00Z")).unwrap();
    let b = [AcdBatch {
        acd_tenant_id: "ta".into(),
        users: vec![ready("u2"), ready("u1")],
    }];
    let d = sync(&mut s, "w1", &b, ts("2024-05-01T10:00:00Z")).unwrap();
    apply_delta(&mut s, &d).unwrap();
    s
}

#[test]
fn a_populated_state_validates_and_round_trips_as_sorted_lists() {
    let s = populated();
    s.validate().unwrap();
    let json = serde_json::to_value(&s).unwrap();
    let back: WfmState = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, s);
    assert_eq!(json["received"][0]["wfmTenantId"], "w1");
    assert_eq!(json["received"][0]["agents"][0]["personalId"], "u1");
    assert_eq!(json["received"][0]["agents"][1]["personalId"], "u2");
    assert_eq!(json["lastRuns"][0]["at"], "2024-05-01T10:00:00Z");
    assert!(json["received"].is_array() && json["lastRuns"].is_array());
    // An empty object is the default state.
    let empty: WfmState = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, WfmState::default());
    empty.validate().unwrap();
}

fn broken(edit: impl FnOnce(&mut WfmState), needle: &str) {
    let mut s = populated();
    edit(&mut s);
    let e = s.validate().unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidSnapshot);
    assert!(
        e.message.contains(needle),
        "{:?} lacks {needle:?}",
        e.message
    );
}

#[test]
fn validate_names_what_is_wrong() {
    broken(|s| s.settings.interval_minutes = 2, "intervalMinutes");
    broken(
        |s| {
            let a = s.topology.tenants[0].acds[0].clone();
            s.topology.tenants[0].acds.push(Acd {
                acd_tenant_id: "tz".into(),
                ..a
            });
        },
        "acd id A is used twice",
    );
    broken(
        |s| {
            let a = s.topology.tenants[0].acds[0].clone();
            s.topology.tenants[1].acds.push(Acd {
                acd_id: "Z".into(),
                ..a
            });
        },
        "ACD tenant ta is linked more than once",
    );
    broken(
        |s| s.topology.tenants[0].acds[0].linked_at = "yesterday".into(),
        "linkedAt",
    );
    broken(
        |s| s.last_runs[0].at = "10 o'clock".into(),
        "last run of WFM tenant w1",
    );
    broken(
        |s| s.last_runs[0].wfm_tenant_id = "ghost".into(),
        "ghost is not in the topology",
    );
    broken(|s| s.received[0].agents.swap(0, 1), "out of order");
    broken(|s| s.received[0].agents[0].origin = 3, "origin 3");
    broken(|s| s.topology.tenants.swap(0, 1), "out of order");
    broken(|s| s.topology.tenants[0].id = " ".into(), "empty id");
}

#[test]
fn status_lists_tenants_with_runs_and_due_times() {
    let s = populated();
    let st = s.status(ts("2024-05-01T10:05:00Z"));
    assert!(st.enabled && st.interval_minutes == 15);
    assert_eq!(st.tenants.len(), 2);
    let w1 = &st.tenants[0];
    assert_eq!(w1.wfm_tenant_id, "w1");
    assert_eq!(w1.acds[0].acd_id, "A");
    assert_eq!(w1.last_run.as_deref(), Some("2024-05-01T10:00:00Z"));
    assert_eq!(w1.next_due.as_deref(), Some("2024-05-01T10:13:00Z"));
    assert_eq!((w1.agents_present, w1.agents_absent), (2, 0));
    let w2 = &st.tenants[1];
    assert_eq!(w2.last_run, None);
    assert_eq!(
        w2.next_due.as_deref(),
        Some("2024-05-01T10:05:00Z"),
        "never ran: due now"
    );
    assert!(!st.warnings.iter().any(|w| w == DISABLED_WARNING));
}

#[test]
fn status_always_warns_while_disabled() {
    let mut s = populated();
    s.set_settings(WfmSettings {
        enabled: false,
        interval_minutes: 30,
    })
    .unwrap();
    let st = s.status(ts("2024-05-01T10:05:00Z"));
    assert!(!st.enabled);
    assert!(st.warnings.iter().any(|w| w == DISABLED_WARNING));
    assert!(st.tenants.iter().all(|t| t.next_due.is_none()));
    // Even with no tenant at all.
    let mut empty = WfmState::default();
    empty
        .set_settings(WfmSettings {
            enabled: false,
            interval_minutes: 15,
        })
        .unwrap();
    assert_eq!(
        empty.status(ts("2024-05-01T10:05:00Z")).warnings,
        [DISABLED_WARNING]
    );
}

#[test]
fn set_settings_refuses_a_bad_interval_and_keeps_the_old_one() {
    let mut s = populated();
    let e = s
        .set_settings(WfmSettings {
            enabled: true,
            interval_minutes: 1441,
        })
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("intervalMinutes"));
    assert_eq!(s.settings.interval_minutes, 15);
}

#[test]
fn status_counts_absent_agents_and_survives_a_bad_time() {
    let mut s = populated();
    let d = compute_delta(
        &s,
        "w1",
        &[AcdBatch {
            acd_tenant_id: "ta".into(),
            users: vec![ready("u1")],
        }],
    )
    .unwrap();
    apply_delta(&mut s, &d).unwrap();
    assert_eq!(s.received("w1")[0].origin, ORIGIN_FROM_ACD);
    let st = s.status(ts("2024-05-01T10:05:00Z"));
    assert_eq!(
        (st.tenants[0].agents_present, st.tenants[0].agents_absent),
        (1, 1)
    );
    s.last_runs[0].at = "garbage".into();
    let st = s.status(ts("2024-05-01T10:05:00Z"));
    assert_eq!(st.tenants[0].next_due, None);
    assert!(st.warnings.iter().any(|w| w.contains("w1")));
}

#[test]
fn unlink_keeps_the_received_agents() {
    let mut s = populated();
    s.unlink("w1", "ta").unwrap();
    assert_eq!(s.received("w1").len(), 2);
    s.validate().unwrap();
    let st = s.status(ts("2024-05-01T10:05:00Z"));
    assert!(st
        .warnings
        .iter()
        .any(|w| w.contains("w1 has no linked ACD tenant")));
}
