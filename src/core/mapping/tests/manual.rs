//! Manual map / unmap / exclude / include.

use super::*;
use crate::core::error::ErrorCode;

#[test]
fn manual_changes_need_the_permission() {
    let mut s = state(vec![src("u1", "a@x.com")], vec![ext("e1", "a@x.com")]);
    let nobody = Actor {
        id: "joe".into(),
        permissions: vec!["Other".into()],
    };
    for err in [
        s.map(&bu(), "u1", "e1", false, &nobody, at(1)).unwrap_err(),
        s.unmap(&bu(), "u1", &nobody, at(1)).unwrap_err(),
        s.exclude(&bu(), "u1", &nobody, at(1)).unwrap_err(),
        s.include(&bu(), "u1", &nobody, at(1)).unwrap_err(),
    ] {
        assert_eq!(err.code, ErrorCode::PermissionDenied);
    }
    assert!(s.log().is_empty());
}

#[test]
fn manual_map_checks_that_both_sides_exist() {
    let mut s = state(vec![src("u1", "a@x.com")], vec![ext("e1", "a@x.com")]);
    let err = s
        .map(&bu(), "nobody", "e1", false, &admin(), at(1))
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::NotFound, Some("userId"))
    );
    let err = s
        .map(&bu(), "u1", "e404", false, &admin(), at(1))
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::NotFound, Some("externalId"))
    );
}

#[test]
fn manual_map_refuses_a_taken_account_unless_reassigned() {
    let mut s = state(
        vec![src("u1", "a@x.com"), src("u2", "b@x.com")],
        vec![ext("e1", "a@x.com"), ext("e2", "b@x.com")],
    );
    s.map(&bu(), "u1", "e1", false, &admin(), at(1)).unwrap();
    let err = s
        .map(&bu(), "u2", "e1", false, &admin(), at(2))
        .unwrap_err();
    assert_eq!(
        (err.code, err.id.as_deref()),
        (ErrorCode::ExternalTaken, Some("u1"))
    );
    assert!(err.message.contains("u1"));

    s.map(&bu(), "u2", "e2", false, &admin(), at(2)).unwrap();
    let events = s.map(&bu(), "u2", "e1", true, &admin(), at(3)).unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(
        (events[0].user_id.as_str(), events[0].reason),
        ("u1", Some(Reason::ManualUnmap))
    );
    assert_eq!(events[1].user_id, "u2");
    assert_eq!(
        st(&s, "u1"),
        MappingState::not_mapped(MappingStatus::Unmapped, Some(Reason::ManualUnmap), 0)
    );
    assert_eq!(st(&s, "u2").linked(), Some("e1"));
    assert_eq!(
        s.unit(&bu()).unwrap().holder_of("e2"),
        None,
        "the previous link is released"
    );
    assert!(
        s.map(&bu(), "u2", "e1", false, &admin(), at(4))
            .unwrap()
            .is_empty(),
        "mapping again is a no-op"
    );
    s.validate().unwrap();
}

#[test]
fn unmap_lets_auto_sync_map_the_user_again_later() {
    let mut s = state(vec![src("u1", "a@x.com")], vec![ext("e1", "a@x.com")]);
    run(&mut s, "r1");
    let ev = s.unmap(&bu(), "u1", &admin(), at(3)).unwrap();
    assert_eq!(
        (ev[0].from, ev[0].to, ev[0].external_id.as_deref()),
        (MappingStatus::Mapped, MappingStatus::Unmapped, Some("e1"))
    );
    assert_eq!(reason(&s, "u1"), Some(Reason::ManualUnmap));
    assert!(s.unmap(&bu(), "u1", &admin(), at(3)).unwrap().is_empty());
    run(&mut s, "r2");
    assert!(st(&s, "u1").is_auto());
}

#[test]
fn exclude_releases_the_link_and_include_hands_the_user_back() {
    let mut s = state(vec![src("u1", "a@x.com")], vec![ext("e1", "a@x.com")]);
    run(&mut s, "r1");
    s.exclude(&bu(), "u1", &admin(), at(3)).unwrap();
    assert_eq!(
        st(&s, "u1"),
        MappingState::not_mapped(MappingStatus::Excluded, None, 0)
    );
    assert!(run(&mut s, "r2").transitions.is_empty());
    assert!(s.exclude(&bu(), "u1", &admin(), at(3)).unwrap().is_empty());
    s.include(&bu(), "u1", &admin(), at(4)).unwrap();
    assert_eq!(
        st(&s, "u1"),
        MappingState::not_mapped(MappingStatus::Unmapped, None, 0)
    );
    run(&mut s, "r3");
    assert_eq!(st(&s, "u1").linked(), Some("e1"));
}
