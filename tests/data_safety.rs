//! A failed or interrupted run leaves the previous state exactly as it was: a refused guard,
//! a directory fetch that breaks half-way, a bad load, an unapplied plan, and a damaged
//! snapshot. "Exactly" is checked twice: the `Engine` compares equal (pending plans and
//! loaded lists included) and its saved snapshot is byte-for-byte the same.

use jiff::Timestamp;
use usersync::core::directory::ringcentral;
use usersync::core::engine::Engine;
use usersync::core::mapping::{Actor, MappingStatus, PresenceSettings, UnitRef};
use usersync::core::records::{ExternalUser, SourceUser, PERM_USER_MAPPING_MAP};
use usersync::core::schedule::{Frequency, Schedule};
use usersync::core::snapshot;
use usersync::core::wfm::AcdBatch;
use usersync::core::ErrorCode;

const USERS: usize = 60;

fn unit() -> UnitRef {
    UnitRef::new("bu1", "ringcentral")
}

fn at(s: i64) -> Timestamp {
    Timestamp::from_second(1_760_000_000 + s).expect("time")
}

fn user(i: usize) -> SourceUser {
    SourceUser {
        id: format!("u{i:03}"),
        email: Some(format!("user{i}@example.com")),
        first_name: Some(format!("First{i}")),
        last_name: Some("Last".into()),
        permissions: Some(vec![PERM_USER_MAPPING_MAP.into()]),
        agent_number: Some(format!("{}", 1000 + i)),
        acd_profile_id: Some("p1".into()),
        team_features: Some(vec!["WFMAdvanced".into()]),
        ..Default::default()
    }
}

fn account(i: usize) -> ExternalUser {
    ExternalUser {
        id: format!("e{i:03}"),
        email: Some(format!("USER{i}@example.com")),
        ..Default::default()
    }
}

/// An engine with history: 60 users auto-mapped, one manual change, a schedule, a WFM
/// tenant with one synced ACD.
fn engine() -> Engine {
    let mut e = Engine::new(PresenceSettings::default()).expect("engine");
    e.presence
        .load_sources(&unit(), (0..USERS).map(user).collect())
        .expect("sources");
    e.presence
        .load_directory(&unit(), (0..USERS).map(account).collect())
        .expect("directory");
    e.presence
        .plan_auto_sync(&unit(), "r1".into(), at(0))
        .expect("plan");
    e.apply_plan("r1", &Actor::with_map("auto"), false, at(1))
        .expect("apply");
    let schedule = Schedule {
        enabled: true,
        frequency: Frequency::Weekly {
            days: vec![usersync::core::schedule::Weekday::Mon],
            time: "06:30".into(),
        },
        time_zone: "Europe/Berlin".into(),
        anchor: None,
    };
    e.set_schedule(&unit(), schedule, &Actor::with_map("admin"), at(1))
        .expect("schedule");
    e.wfm.link("wfm1", "acd1", "A1", at(2)).expect("link");
    let batch = AcdBatch {
        acd_tenant_id: "acd1".into(),
        users: (0..5).map(user).collect(),
    };
    let delta = usersync::core::wfm::sync(&mut e.wfm, "wfm1", &[batch], at(3)).expect("sync");
    usersync::core::wfm::apply_delta(&mut e.wfm, &delta).expect("apply delta");
    e
}

fn mapped(e: &Engine) -> usize {
    e.presence.unit(&unit()).map_or(0, |u| {
        u.mappings()
            .filter(|m| m.status == MappingStatus::Mapped)
            .count()
    })
}

/// Asserts `after` is exactly `before`, in memory and in its saved form.
fn assert_unchanged(before: &Engine, after: &Engine, what: &str) {
    assert_eq!(
        snapshot::save(before).expect("save"),
        snapshot::save(after).expect("save"),
        "{what}: the snapshot changed"
    );
    assert!(before == after, "{what}: the engine changed");
}

#[test]
fn the_fixture_engine_has_state_worth_protecting() {
    let e = engine();
    assert_eq!(mapped(&e), USERS);
    assert_eq!(e.presence.log().len(), USERS);
    assert!(e.validate().is_ok());
}

#[test]
fn a_refused_guard_leaves_the_state_identical() {
    let mut e = engine();
    // Half the directory vanished: 30 unmaps, far over max(5, 10% of 60).
    e.presence
        .load_directory(&unit(), (0..USERS / 2).map(account).collect())
        .expect("directory");
    e.presence
        .plan_auto_sync(&unit(), "r2".into(), at(10))
        .expect("plan");
    let before = e.clone();
    let err = e
        .apply_plan("r2", &Actor::with_map("auto"), false, at(11))
        .expect_err("the guard must refuse");
    assert_eq!(err.code, ErrorCode::UnmapThresholdExceeded);
    assert_unchanged(&before, &e, "refused guard");
    assert!(e.is_due(&unit(), at(11)).is_ok());
    assert_eq!(
        e.schedule(&unit()).last_run,
        before.schedule(&unit()).last_run,
        "a refused run is not a run"
    );
    // Refused again, still nothing; forcing is the only way through.
    assert!(e
        .apply_plan("r2", &Actor::with_map("auto"), false, at(12))
        .is_err());
    assert_unchanged(&before, &e, "refused guard, twice");
    e.apply_plan("r2", &Actor::with_map("auto"), true, at(13))
        .expect("forced");
    assert_eq!(mapped(&e), USERS / 2);
}

#[test]
fn an_actor_without_the_permission_changes_nothing() {
    let mut e = engine();
    e.presence
        .plan_auto_sync(&unit(), "r2".into(), at(10))
        .expect("plan");
    let before = e.clone();
    let viewer = Actor {
        id: "viewer".into(),
        permissions: vec!["Reports.View".into()],
    };
    for force in [false, true] {
        let err = e
            .apply_plan("r2", &viewer, force, at(11))
            .expect_err("no permission");
        assert_eq!(err.code, ErrorCode::PermissionDenied);
    }
    let schedule = e.schedule(&unit()).schedule.expect("saved");
    let err = e
        .set_schedule(&unit(), schedule, &viewer, at(11))
        .expect_err("no permission");
    assert_eq!(err.code, ErrorCode::PermissionDenied);
    let err = e
        .presence
        .unmap(&unit(), "u001", &viewer, at(11))
        .expect_err("no permission");
    assert_eq!(err.code, ErrorCode::PermissionDenied);
    assert_unchanged(&before, &e, "refused actor");
}

#[test]
fn a_directory_fetch_that_breaks_half_way_loads_nothing() {
    // The connector decodes every page before anything is loaded: page 3 of 4 is damaged,
    // so the fetch fails and the engine never sees pages 1 and 2.
    let mut e = engine();
    let before = e.clone();
    let page = |n: u32, body: &str| ringcentral::decode_page(n, body.as_bytes());
    let good = |n: u32| {
        format!(
            r#"{{"records":[{{"id":{n},"type":"User","contact":{{"email":"new{n}@example.com"}}}}],
               "paging":{{"page":{n},"totalPages":4}}}}"#
        )
    };
    let mut fetched = Vec::new();
    let mut failure = None;
    for (n, body) in [
        (1, good(1)),
        (2, good(2)),
        (3, r#"{"records":[{"id":3,"type":"User""#.to_string()),
    ] {
        match page(n, &body) {
            Ok(p) => fetched.extend(p.records),
            Err(err) => {
                failure = Some(err);
                break;
            }
        }
    }
    let err = failure.expect("page 3 must fail");
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert_eq!(
        fetched.len(),
        2,
        "pages 1 and 2 were decoded, and are dropped with the failure"
    );
    assert_unchanged(&before, &e, "failed fetch");
    // A page that names another page number (a server ignoring `page`) fails the same way.
    assert!(page(4, &good(3)).is_err());
    // And a next run over the unchanged state plans nothing.
    let plan = e
        .presence
        .plan_auto_sync(&unit(), "r2".into(), at(20))
        .expect("plan");
    assert!(plan.transitions.is_empty());
}

#[test]
fn a_bad_load_half_way_through_a_list_changes_nothing() {
    let mut e = engine();
    let before = e.clone();
    let mut dir: Vec<ExternalUser> = (0..USERS).map(account).collect();
    dir[USERS / 2].id = dir[0].id.clone();
    assert!(
        e.presence.load_directory(&unit(), dir).is_err(),
        "a repeated id"
    );
    let mut users: Vec<SourceUser> = (0..USERS).map(user).collect();
    users[USERS / 2].business_unit_id = Some("bu-other".into());
    assert!(
        e.presence.load_sources(&unit(), users).is_err(),
        "a user of another business unit"
    );
    let mut users: Vec<SourceUser> = (0..USERS).map(user).collect();
    users[USERS - 1].id = "  ".into();
    assert!(
        e.presence.load_sources(&unit(), users).is_err(),
        "an empty id"
    );
    assert_unchanged(&before, &e, "bad loads");
}

#[test]
fn a_retry_with_a_bad_refreshed_directory_keeps_the_first_pass() {
    let mut e = engine();
    e.presence
        .load_sources(&unit(), (0..USERS + 3).map(user).collect())
        .expect("sources");
    e.presence
        .plan_auto_sync(&unit(), "r2".into(), at(10))
        .expect("plan");
    let before = e.clone();
    let refreshed = vec![
        account(USERS),
        ExternalUser {
            id: String::new(),
            ..Default::default()
        },
    ];
    assert!(e
        .presence
        .retry_auto_sync("r2", Some(refreshed), at(11))
        .is_err());
    assert_unchanged(&before, &e, "bad retry");
    assert_eq!(e.presence.plan("r2").map(|p| p.pass), Some(1));
}

#[test]
fn an_interrupted_run_saves_as_if_it_never_started() {
    // A run planned (and retried) but never applied: the pending plan is working data, so
    // the saved state is the one before the run, and a restored engine has no plan.
    let e0 = engine();
    let mut e = e0.clone();
    e.presence
        .load_directory(&unit(), (0..USERS - 2).map(account).collect())
        .expect("directory");
    e.presence
        .plan_auto_sync(&unit(), "r2".into(), at(10))
        .expect("plan");
    e.presence
        .retry_auto_sync("r2", None, at(11))
        .expect("retry");
    assert_eq!(
        snapshot::save(&e).expect("save"),
        snapshot::save(&e0).expect("save")
    );
    let restored = snapshot::restore(&snapshot::save(&e).expect("save")).expect("restore");
    assert!(restored.presence.plan("r2").is_none());
    assert_eq!(mapped(&restored), USERS);
}

/// Damaged forms of a good snapshot, and why each must be refused.
fn damaged(good: &str) -> Vec<(String, &'static str)> {
    let mut out = vec![
        (good[..good.len() / 2].to_string(), "cut in half"),
        (good[..good.len() - 1].to_string(), "last byte missing"),
        (String::new(), "empty"),
        ("null".into(), "JSON null"),
        ("[]".into(), "an array"),
        (
            good.replacen("\"usersync-snapshot\"", "\"other-format\"", 1),
            "wrong format",
        ),
        (
            good.replacen("\"version\":2", "\"version\":9", 1),
            "a future version",
        ),
        (
            good.replacen("\"version\":2", "\"version\":\"2\"", 1),
            "version as a string",
        ),
        (
            good.replacen("\"e001\"", "\"e000\"", 1),
            "one account mapped to two users",
        ),
        (
            good.replacen("\"06:30\"", "\"26:30\"", 1),
            "a schedule time out of range",
        ),
        (
            good.replacen("\"Europe/Berlin\"", "\"Mars/Olympus\"", 1),
            "an unknown time zone",
        ),
        (
            good.replacen("\"status\":\"mapped\"", "\"status\":\"maybe\"", 1),
            "an unknown status",
        ),
        (
            good.replacen(
                "\"unmapGuardPercent\":10.0",
                "\"unmapGuardPercent\":1000.0",
                1,
            ),
            "guard percent out of range",
        ),
        (
            good.replacen('{', "{\"extra\":1,", 1),
            "an unknown top-level field",
        ),
        (format!("{good}{good}"), "two snapshots back to back"),
        (
            good.replacen("\"presence\":", "\"presence\":{\"settings\":1},\"_\":", 1),
            "settings of the wrong type",
        ),
        ("{".repeat(100_000), "deeply nested braces"),
    ];
    // Every audit time replaced by garbage.
    if let Some(i) = good.find("\"at\":\"") {
        let end = good[i + 6..].find('"').map_or(good.len(), |j| i + 6 + j);
        out.push((
            format!("{}\"at\":\"yesterday{}", &good[..i], &good[end..]),
            "an audit time that is not RFC 3339",
        ));
    }
    out
}

#[test]
fn a_damaged_snapshot_is_refused_and_the_engine_kept() {
    let mut e = engine();
    let good = snapshot::save(&e).expect("save");
    let before = e.clone();
    let cases = damaged(&good);
    assert!(cases.len() >= 15);
    for (json, why) in &cases {
        assert_ne!(json, &good, "{why}: the damage did not apply");
        // The binding's restoreSnapshot: replace the engine only when restore succeeds.
        match snapshot::restore(json) {
            Ok(_) => panic!("{why}: a damaged snapshot was accepted"),
            Err(err) => {
                assert!(
                    matches!(
                        err.code,
                        ErrorCode::InvalidSnapshot | ErrorCode::UnsupportedVersion
                    ),
                    "{why}: code {:?} ({})",
                    err.code,
                    err.message
                );
                assert!(!err.message.is_empty());
            }
        }
        assert_unchanged(&before, &e, why);
    }
    // The good one still restores to the same saved state.
    e = snapshot::restore(&good).expect("restore");
    assert_eq!(snapshot::save(&e).expect("save"), good);
}
