use super::*;
use crate::core::intake::{intake_external, RawRecord};
use crate::core::mapping::{Actor, PresenceSettings, Reason};
use crate::core::records::SourceUser;
use crate::core::ErrorCode;

fn unit() -> UnitRef {
    UnitRef::new("bu-1", "ringcentral")
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn account(id: &str, email: &str, first: &str) -> ExternalUser {
    ExternalUser {
        id: id.into(),
        email: Some(email.into()),
        first_name: Some(first.into()),
        last_name: Some("Lee".into()),
        ..Default::default()
    }
}

fn engine() -> Engine {
    let mut e = Engine::new(PresenceSettings::default()).unwrap();
    e.presence
        .load_sources(
            &unit(),
            vec![SourceUser {
                id: "u1".into(),
                email: Some("nobody@example.com".into()),
                ..Default::default()
            }],
        )
        .unwrap();
    e.load_directory(&unit(), vec![account("x1", "ann@example.com", "Ann")])
        .unwrap();
    e
}

fn raw(position: usize, json: &str) -> RawRecord {
    RawRecord {
        position,
        fields: serde_json::from_str(json).unwrap(),
        ill_formed: Vec::new(),
    }
}

#[test]
fn a_plan_without_a_run_id_gets_one_from_the_time_and_a_counter() {
    let mut e = engine();
    let now = ts("2026-01-05T10:00:00Z");
    let ms = now.as_millisecond();
    let first = e.plan_auto_sync(&unit(), None, now).unwrap().run_id.clone();
    let second = e.plan_auto_sync(&unit(), None, now).unwrap().run_id.clone();
    assert_eq!(first, format!("run-{ms}-1"));
    assert_eq!(second, format!("run-{ms}-2"));
    let named = e.plan_auto_sync(&unit(), Some("mine".into()), now).unwrap();
    assert_eq!(named.run_id, "mine");
    // A named plan still counts: the next default id does not reuse a number.
    let next = e.plan_auto_sync(&unit(), None, now).unwrap().run_id.clone();
    assert_eq!(next, format!("run-{ms}-4"));
}

#[test]
fn the_run_counter_goes_on_after_a_snapshot_is_restored() {
    let mut e = engine();
    let now = ts("2026-01-05T10:00:00Z");
    e.plan_auto_sync(&unit(), None, now).unwrap();
    let json = crate::core::snapshot::save(&Engine::default()).unwrap();
    e.restore_snapshot(&json).unwrap();
    let id = e
        .plan_auto_sync(&unit(), None, now)
        .map(|p| p.run_id.clone());
    // The restored engine has no users loaded, so planning fails, but it counted on.
    assert!(id.is_err());
    assert_eq!(e.session.runs, 2);
    assert!(e.restore_snapshot("{").is_err());
    assert_eq!(e.session.runs, 2, "a failed restore changes nothing");
}

#[test]
fn a_refreshed_batch_with_a_rejected_record_is_refused_naming_it() {
    let mut e = engine();
    let now = ts("2026-01-05T10:00:00Z");
    let run = e
        .plan_auto_sync(&unit(), Some("r1".into()), now)
        .unwrap()
        .run_id
        .clone();
    let batch = intake_external(
        vec![
            raw(0, r#"{"id":"x2","email":"nobody@example.com"}"#),
            raw(1, r#"{"email":"nobody@example.com"}"#),
            raw(2, r#"{"email":"other@example.com"}"#),
        ],
        false,
    );
    let err = e.retry_auto_sync(&run, Some(batch), now).unwrap_err();
    assert_eq!(err.index, Some(1));
    assert!(
        err.message.starts_with("refreshed directory: "),
        "{}",
        err.message
    );
    assert!(
        err.message.ends_with("(and 1 more rejected)"),
        "{}",
        err.message
    );
    // Nothing ran: the plan is still the first pass, and can be retried with a clean batch.
    assert_eq!(e.presence.plan(&run).unwrap().pass, 1);
    let clean = intake_external(
        vec![raw(0, r#"{"id":"x2","email":"nobody@example.com"}"#)],
        false,
    );
    let plan = e.retry_auto_sync(&run, Some(clean), now).unwrap();
    assert_eq!(plan.pass, 2);
}

#[test]
fn a_retry_without_a_refreshed_batch_runs_on_the_loaded_directory() {
    let mut e = engine();
    let now = ts("2026-01-05T10:00:00Z");
    e.plan_auto_sync(&unit(), Some("r1".into()), now).unwrap();
    assert_eq!(e.retry_auto_sync("r1", None, now).unwrap().pass, 2);
    let err = e.retry_auto_sync("nope", None, now).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
}

#[test]
fn search_defaults_to_twenty_hits_and_caps_the_limit() {
    let mut e = engine();
    let many: Vec<ExternalUser> = (0..30)
        .map(|i| account(&format!("x{i}"), &format!("ann{i}@example.com"), "Ann"))
        .collect();
    e.load_directory(&unit(), many).unwrap();
    assert_eq!(
        e.search_external(&unit(), "ann", None).unwrap().len(),
        DEFAULT_SEARCH_LIMIT
    );
    assert_eq!(e.search_external(&unit(), "ann", Some(3)).unwrap().len(), 3);
    assert_eq!(e.search_external(&unit(), "ann", Some(0)).unwrap().len(), 0);
    let err = e
        .search_external(&unit(), "ann", Some(MAX_SEARCH_LIMIT + 1))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert_eq!(err.field.as_deref(), Some("limit"));
    let other = UnitRef::new("bu-9", "ringcentral");
    assert!(e.search_external(&other, "ann", None).unwrap().is_empty());
}

#[test]
fn search_sees_a_directory_loaded_after_it_was_indexed() {
    let mut e = engine();
    assert_eq!(e.search_external(&unit(), "ann", None).unwrap().len(), 1);
    assert!(e.search_external(&unit(), "zoe", None).unwrap().is_empty());
    e.load_directory(&unit(), vec![account("x9", "zoe@example.com", "Zoe")])
        .unwrap();
    let hits = e.search_external(&unit(), "zoe", None).unwrap();
    assert_eq!(hits.len(), 1);
    assert!(e.search_external(&unit(), "ann", None).unwrap().is_empty());
}

#[test]
fn search_sees_the_accounts_a_retry_brought() {
    let mut e = engine();
    let now = ts("2026-01-05T10:00:00Z");
    e.plan_auto_sync(&unit(), Some("r1".into()), now).unwrap();
    assert!(e.search_external(&unit(), "zoe", None).unwrap().is_empty());
    let batch = intake_external(
        vec![raw(
            0,
            r#"{"id":"x9","email":"zoe@example.com","firstName":"Zoe"}"#,
        )],
        false,
    );
    e.retry_auto_sync("r1", Some(batch), now).unwrap();
    assert_eq!(e.search_external(&unit(), "zoe", None).unwrap().len(), 1);
}

#[test]
fn next_runs_are_capped() {
    let e = engine();
    let err = e
        .next_runs_checked(&unit(), ts("2026-01-05T10:00:00Z"), MAX_NEXT_RUNS + 1)
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("count"));
    let none = e
        .next_runs_checked(&unit(), ts("2026-01-05T10:00:00Z"), 3)
        .unwrap();
    assert!(none.is_empty(), "no schedule saved: no runs");
}

#[test]
fn a_wfm_run_not_due_is_an_answer_and_an_unknown_tenant_an_error() {
    let mut e = engine();
    let now = ts("2026-01-05T10:00:00Z");
    assert!(e.is_wfm_sync_due("wfm-1", now).is_err());
    let rep = Actor::new("rep", &["WFM.UserSync.Configure"]);
    e.wfm
        .link_as(&rep, "wfm-1", "acd-1", "east", "set-up", now)
        .unwrap();
    assert!(e.is_wfm_sync_due("wfm-1", now).unwrap());
    e.wfm.run("wfm-1", &[], now).unwrap();
    assert!(!e.is_wfm_sync_due("wfm-1", now).unwrap());
}

#[test]
fn reason_text_names_the_platform_as_the_default_settings_do() {
    assert_eq!(
        reason_text(Reason::NoMatch, "ringcentral"),
        "No RingCentral account has this email"
    );
    let err = instant("yesterday", "now").unwrap_err();
    assert_eq!(err.field.as_deref(), Some("now"));
}
