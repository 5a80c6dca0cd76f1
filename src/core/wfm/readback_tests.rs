use super::*;
use crate::core::mapping::Actor;
use crate::core::records::FEATURE_WFM_ADVANCED;
use crate::core::wfm::{WfmLogKind, PERM_WFM_CONFIGURE};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn user(id: &str, n: &str) -> SourceUser {
    SourceUser {
        id: id.into(),
        first_name: Some(format!("F{id}")),
        team_features: Some(vec![FEATURE_WFM_ADVANCED.into()]),
        acd_profile_id: Some("p".into()),
        agent_number: Some(n.into()),
        ..Default::default()
    }
}

fn iex(n: &str, first: &str) -> IexAgent {
    IexAgent {
        acd_id: "A".into(),
        agent_number: n.into(),
        first_name: Some(first.into()),
        ..Default::default()
    }
}

fn linked() -> WfmState {
    let mut s = WfmState::default();
    let rep = Actor {
        id: "rep".into(),
        permissions: vec![PERM_WFM_CONFIGURE.into()],
    };
    s.link_as(&rep, "w", "ta", "A", "set-up", ts("2024-01-01T00:00:00Z"))
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
fn the_delta_is_computed_against_what_iex_holds() {
    let mut s = linked();
    let b = batch(vec![user("u1", "1"), user("u2", "2")]);
    // IEX holds u1 with another first name, and agent 9 that CXone no longer has.
    let r = s
        .read_back(
            "w",
            &[iex("1", "Old"), iex("9", "Gone")],
            &b,
            ts("2024-05-01T10:00:00Z"),
        )
        .unwrap();
    assert_eq!((r.held, r.without_acd_user, r.ignored), (2, 1, 0));
    assert_eq!(s.log.last().unwrap().kind, WfmLogKind::ReadBack);
    let d = s.run("w", &b, ts("2024-05-01T10:00:00Z")).unwrap();
    assert_eq!(d.additions.len(), 1);
    assert_eq!(d.additions[0].personal_id, "u2");
    assert_eq!(d.changes.len(), 1);
    assert_eq!(d.changes[0].agent.first_name.as_deref(), Some("Fu1"));
    assert_eq!(
        d.absent.len(),
        1,
        "held by IEX, gone from CXone: absent, never deleted"
    );
    assert_eq!(d.absent[0].agent.agent_number, "9");
    s.validate().unwrap();
}

#[test]
fn an_agent_missing_from_iex_for_several_intervals_is_reported() {
    let mut s = linked();
    let b = batch(vec![user("u1", "1"), user("u2", "2")]);
    s.run("w", &b, ts("2024-05-01T10:00:00Z")).unwrap();
    // IEX took u1 but not u2.
    let r = s
        .read_back("w", &[iex("1", "Fu1")], &b, ts("2024-05-01T10:14:00Z"))
        .unwrap();
    assert!(
        r.not_in_wfm.is_empty(),
        "one interval is not enough to say so"
    );
    s.run("w", &b, ts("2024-05-01T10:15:00Z")).unwrap();
    let r = s
        .read_back("w", &[iex("1", "Fu1")], &b, ts("2024-05-01T10:45:00Z"))
        .unwrap();
    assert_eq!(r.not_in_wfm.len(), 1);
    assert_eq!(r.not_in_wfm[0].user_id, "u2");
    assert_eq!(r.not_in_wfm[0].code, ErrorCode::NotInWfm);
    assert_eq!(
        r.not_in_wfm[0].first_sent, "2024-05-01T10:00:00Z",
        "the first send counts"
    );
    assert_eq!(
        s.status(ts("2024-05-01T10:45:00Z")).tenants[0].not_in_wfm,
        1
    );
    // Once IEX holds it, it is no longer reported.
    let r = s
        .read_back(
            "w",
            &[iex("1", "Fu1"), iex("2", "Fu2")],
            &b,
            ts("2024-05-01T11:00:00Z"),
        )
        .unwrap();
    assert!(r.not_in_wfm.is_empty());
    assert!(s.sent.is_empty());
    let json = serde_json::to_string(&s).unwrap();
    let back: WfmState = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
}

#[test]
fn agents_of_acds_not_read_keep_what_was_held_and_strangers_are_ignored() {
    let mut s = linked();
    let stranger = IexAgent {
        acd_id: "Z".into(),
        ..iex("5", "Zed")
    };
    let r = s
        .read_back(
            "w",
            &[stranger, iex("1", "A"), iex("1", "A")],
            &batch(vec![user("u1", "1")]),
            ts("2024-05-01T10:00:00Z"),
        )
        .unwrap();
    assert_eq!((r.held, r.ignored), (1, 2));
    let r = s
        .read_back("w", &[], &[], ts("2024-05-01T10:01:00Z"))
        .unwrap();
    assert!(r.examined_acds.is_empty());
    assert_eq!(
        s.received("w").len(),
        1,
        "no batch: that acd's agents are kept"
    );
}
