use super::*;
use crate::core::mapping::{MappingStatus, PlatformDeclaration};
use crate::core::records::{ExternalUser, SourceUser, PERM_USER_MAPPING_MAP};
use crate::core::schedule::Frequency;

fn unit() -> UnitRef {
    UnitRef::new("bu-1", "ringcentral")
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn admin() -> Actor {
    Actor::new("admin-1", &[PERM_USER_MAPPING_MAP])
}

fn nobody() -> Actor {
    Actor::new("viewer", &["Reports.View"])
}

fn daily(time: &str) -> Schedule {
    Schedule {
        enabled: true,
        frequency: Frequency::Daily { time: time.into() },
        time_zone: "UTC".into(),
        anchor: None,
    }
}

fn user(id: &str, email: &str, perms: &[&str]) -> SourceUser {
    SourceUser {
        id: id.into(),
        email: Some(email.into()),
        permissions: Some(perms.iter().map(|p| p.to_string()).collect()),
        ..Default::default()
    }
}

/// An engine with one user who matches one account, and the admin among the CXone users.
fn loaded(admin_perms: &[&str]) -> Engine {
    let mut e = Engine::new(PresenceSettings::default()).unwrap();
    e.presence
        .load_sources(
            &unit(),
            vec![
                user("u1", "a@example.com", &[PERM_USER_MAPPING_MAP]),
                user("admin-1", "boss@example.com", admin_perms),
            ],
        )
        .unwrap();
    e.presence
        .load_directory(
            &unit(),
            vec![ExternalUser {
                id: "x1".into(),
                email: Some("a@example.com".into()),
                ..Default::default()
            }],
        )
        .unwrap();
    e
}

#[test]
fn a_new_unit_is_not_set_up_and_never_due() {
    let engine = Engine::new(PresenceSettings::default()).unwrap();
    let s = engine.schedule(&unit());
    assert!(!s.is_set_up());
    assert_eq!(s.schedule, None);
    for now in ["2026-11-23T02:00:00Z", "2030-01-01T00:00:00Z"] {
        assert!(!engine.is_due(&unit(), ts(now)).unwrap());
    }
    assert!(engine
        .next_runs(&unit(), ts("2026-11-23T00:00:00Z"), 3)
        .unwrap()
        .is_empty());
}

#[test]
fn a_saved_schedule_records_its_owner_and_first_runs_at_its_next_slot() {
    let mut e = Engine::new(PresenceSettings::default()).unwrap();
    let saved = ts("2026-11-23T03:00:00Z");
    e.set_schedule(&unit(), daily("02:00"), &admin(), saved)
        .unwrap();
    let s = e.schedule(&unit());
    assert_eq!(s.saved_by, Some(admin()));
    assert_eq!(s.saved_at.as_deref(), Some("2026-11-23T03:00:00Z"));
    // Saved after today's 02:00: not due until tomorrow's.
    assert!(!e.is_due(&unit(), ts("2026-11-23T23:59:00Z")).unwrap());
    assert!(e.is_due(&unit(), ts("2026-11-24T02:00:00Z")).unwrap());
}

#[test]
fn saving_or_removing_a_schedule_needs_the_permission() {
    let mut e = Engine::new(PresenceSettings::default()).unwrap();
    let now = ts("2026-11-23T03:00:00Z");
    let err = e
        .set_schedule(&unit(), daily("02:00"), &nobody(), now)
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::PermissionDenied);
    assert!(
        err.message.contains(PERM_USER_MAPPING_MAP),
        "{}",
        err.message
    );
    assert!(err.message.contains("viewer"), "{}", err.message);
    assert!(!e.schedule(&unit()).is_set_up());
    let nameless = Actor::new(" ", &[PERM_USER_MAPPING_MAP]);
    assert_eq!(
        e.set_schedule(&unit(), daily("02:00"), &nameless, now)
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    e.set_schedule(&unit(), daily("02:00"), &admin(), now)
        .unwrap();
    assert_eq!(
        e.clear_schedule(&unit(), &nobody()).unwrap_err().code,
        ErrorCode::PermissionDenied
    );
    assert!(e.clear_schedule(&unit(), &admin()).unwrap());
    assert!(!e.schedule(&unit()).is_set_up());
    assert!(!e.clear_schedule(&unit(), &admin()).unwrap());
}

#[test]
fn a_manual_only_platform_has_no_schedule_and_no_auto_sync() {
    let teams = UnitRef::new("bu-1", "teams");
    let mut e = Engine::new(PresenceSettings::default()).unwrap();
    let now = ts("2026-11-23T03:00:00Z");
    let err = e
        .set_schedule(&teams, daily("02:00"), &admin(), now)
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::AutoSyncUnsupported);
    e.presence.load_sources(&teams, vec![]).unwrap();
    let err = e
        .presence
        .plan_auto_sync(&teams, "r1".into(), now)
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::AutoSyncUnsupported);
    assert_eq!(err.field.as_deref(), Some("platform"));
    // Declared with Auto Sync by the caller: allowed.
    let mut settings = PresenceSettings::default();
    settings.platforms.push(PlatformDeclaration {
        platform: "teams".into(),
        auto_sync: true,
        label: None,
    });
    e.presence.set_settings(settings).unwrap();
    e.set_schedule(&teams, daily("02:00"), &admin(), now)
        .unwrap();
    e.presence.plan_auto_sync(&teams, "r1".into(), now).unwrap();
    // Declared manual-only again: the pending plan cannot be applied, nothing is due.
    e.presence
        .set_settings(PresenceSettings::default())
        .unwrap();
    let err = e.apply_plan("r1", &admin(), false, now).unwrap_err();
    assert_eq!(err.code, ErrorCode::AutoSyncUnsupported);
    assert!(!e.is_due(&teams, ts("2026-11-30T03:00:00Z")).unwrap());
}

#[test]
fn applying_needs_an_actor_with_the_permission() {
    let mut e = loaded(&[PERM_USER_MAPPING_MAP]);
    let now = ts("2026-11-23T03:00:00Z");
    e.presence
        .plan_auto_sync(&unit(), "r1".into(), now)
        .unwrap();
    let before = e.clone();
    let err = e.apply_plan("r1", &nobody(), false, now).unwrap_err();
    assert_eq!(err.code, ErrorCode::PermissionDenied);
    assert!(
        err.message.contains("apply an Auto Sync plan"),
        "{}",
        err.message
    );
    assert_eq!(e, before, "a refused apply changes nothing");
    let err = e.apply_plan("r1", &nobody(), true, now).unwrap_err();
    assert_eq!(err.code, ErrorCode::PermissionDenied);
    e.apply_plan("r1", &admin(), false, now).unwrap();
    assert_eq!(e.presence.log().last().unwrap().actor, "admin-1");
    assert!(!e.presence.log().last().unwrap().scheduled);
    assert!(e.apply_plan("nope", &admin(), false, now).is_err());
}

#[test]
fn forcing_past_the_guard_names_forcing_in_the_refusal() {
    let mut e = loaded(&[PERM_USER_MAPPING_MAP]);
    let mut settings = PresenceSettings::default();
    settings.unmap_guard_min = 0;
    settings.unmap_guard_percent = 0.0;
    e.presence.set_settings(settings).unwrap();
    let now = ts("2026-11-23T03:00:00Z");
    e.presence
        .plan_auto_sync(&unit(), "r1".into(), now)
        .unwrap();
    e.apply_plan("r1", &admin(), false, now).unwrap();
    e.presence.load_directory(&unit(), vec![]).unwrap();
    e.presence
        .plan_auto_sync(&unit(), "r2".into(), now)
        .unwrap();
    assert!(e.presence.plan("r2").unwrap().guard.exceeded);
    let err = e.apply_plan("r2", &nobody(), true, now).unwrap_err();
    assert_eq!(err.code, ErrorCode::PermissionDenied);
    assert!(err.message.contains("force"), "{}", err.message);
    e.apply_plan("r2", &admin(), true, now).unwrap();
}

#[test]
fn a_scheduled_run_acts_as_the_admin_who_saved_the_schedule() {
    let mut e = loaded(&[PERM_USER_MAPPING_MAP]);
    let saved = ts("2026-11-23T01:00:00Z");
    e.set_schedule(&unit(), daily("02:00"), &admin(), saved)
        .unwrap();
    let now = ts("2026-11-23T02:00:00Z");
    assert!(e.is_due(&unit(), now).unwrap());
    e.presence
        .plan_auto_sync(&unit(), "r1".into(), now)
        .unwrap();
    let out = e.apply_scheduled_plan("r1", None, now).unwrap();
    assert_eq!(out.applied, 2);
    let last = e.presence.log().last().unwrap();
    assert_eq!((last.actor.as_str(), last.scheduled), ("admin-1", true));
    let run = e.presence.run_summary("r1").unwrap();
    assert!(run.scheduled);
    assert_eq!(run.actor, "admin-1");
    assert!(!e.is_due(&unit(), now).unwrap());
    let state = e.presence.unit(&unit()).unwrap().mapping("u1").unwrap();
    assert_eq!(state.status, MappingStatus::Mapped);
}

#[test]
fn a_scheduled_run_is_refused_and_reported_when_the_owner_lost_the_permission() {
    // The admin's CXone record no longer holds the permission.
    let mut e = loaded(&["Reports.View"]);
    e.set_schedule(
        &unit(),
        daily("02:00"),
        &admin(),
        ts("2026-11-23T01:00:00Z"),
    )
    .unwrap();
    let now = ts("2026-11-23T02:00:00Z");
    e.presence
        .plan_auto_sync(&unit(), "r1".into(), now)
        .unwrap();
    let err = e.apply_scheduled_plan("r1", None, now).unwrap_err();
    assert_eq!(err.code, ErrorCode::PermissionDenied);
    assert!(err.message.contains("admin-1"), "{}", err.message);
    let refusal = e.schedule(&unit()).last_refusal.unwrap();
    assert_eq!(refusal.actor, "admin-1");
    assert_eq!(refusal.code, ErrorCode::PermissionDenied);
    assert!(e.presence.log().is_empty(), "nothing applied");
    assert!(
        e.is_due(&unit(), now).unwrap(),
        "still due: the run did not happen"
    );

    // The caller says the admin lost it (the admin is not among the loaded users).
    let mut e = loaded(&[PERM_USER_MAPPING_MAP]);
    e.presence
        .load_sources(
            &unit(),
            vec![user("u1", "a@example.com", &[PERM_USER_MAPPING_MAP])],
        )
        .unwrap();
    e.set_schedule(
        &unit(),
        daily("02:00"),
        &admin(),
        ts("2026-11-23T01:00:00Z"),
    )
    .unwrap();
    e.presence
        .plan_auto_sync(&unit(), "r1".into(), now)
        .unwrap();
    let lost = Actor::new("admin-1", &[]);
    let err = e.apply_scheduled_plan("r1", Some(&lost), now).unwrap_err();
    assert_eq!(err.code, ErrorCode::PermissionDenied);
    // Nobody can confirm the admin's permission: refused too.
    let err = e.apply_scheduled_plan("r1", None, now).unwrap_err();
    assert_eq!(err.code, ErrorCode::PermissionDenied);
    assert!(
        err.message.contains("cannot be confirmed"),
        "{}",
        err.message
    );
    // Another admin cannot stand in for the owner.
    let other = Actor::new("admin-2", &[PERM_USER_MAPPING_MAP]);
    let err = e.apply_scheduled_plan("r1", Some(&other), now).unwrap_err();
    assert_eq!(err.code, ErrorCode::PermissionDenied);
    // The owner with the permission now: runs, and the refusal is cleared.
    e.apply_scheduled_plan("r1", Some(&admin()), now).unwrap();
    assert_eq!(e.schedule(&unit()).last_refusal, None);
}

#[test]
fn a_scheduled_run_needs_a_saved_schedule() {
    let mut e = loaded(&[PERM_USER_MAPPING_MAP]);
    let now = ts("2026-11-23T02:00:00Z");
    e.presence
        .plan_auto_sync(&unit(), "r1".into(), now)
        .unwrap();
    let err = e
        .apply_scheduled_plan("r1", Some(&admin()), now)
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    assert!(err.message.contains("not set up"), "{}", err.message);
    assert!(e.presence.log().is_empty());
}

#[test]
fn an_undo_does_not_count_as_a_run_and_is_never_scheduled() {
    let mut e = loaded(&[PERM_USER_MAPPING_MAP]);
    e.set_schedule(
        &unit(),
        daily("02:00"),
        &admin(),
        ts("2026-11-23T01:00:00Z"),
    )
    .unwrap();
    let now = ts("2026-11-23T02:00:00Z");
    e.presence
        .plan_auto_sync(&unit(), "r1".into(), now)
        .unwrap();
    e.apply_plan("r1", &admin(), false, now).unwrap();
    let undo = e.presence.plan_undo_run("r1", now).unwrap().run_id.clone();
    assert_eq!(
        e.apply_scheduled_plan(&undo, Some(&admin()), now)
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    assert_eq!(
        e.apply_plan(&undo, &nobody(), false, now).unwrap_err().code,
        ErrorCode::PermissionDenied
    );
    let last_run = e.schedule(&unit()).last_run;
    e.apply_plan(&undo, &admin(), false, ts("2026-11-23T05:00:00Z"))
        .unwrap();
    assert_eq!(e.schedule(&unit()).last_run, last_run);
}

#[test]
fn a_bad_schedule_is_refused_and_the_old_one_kept() {
    let mut engine = Engine::new(PresenceSettings::default()).unwrap();
    let now = ts("2026-11-23T03:00:00Z");
    engine
        .set_schedule(&unit(), daily("02:00"), &admin(), now)
        .unwrap();
    let bad = Schedule {
        frequency: Frequency::EveryMinutes { minutes: 2 },
        ..daily("02:00")
    };
    assert!(engine.set_schedule(&unit(), bad, &admin(), now).is_err());
    assert_eq!(engine.schedule(&unit()).schedule, Some(daily("02:00")));
}
