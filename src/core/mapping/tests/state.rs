//! Status view, snapshot validation, serde shape.

use super::*;
use crate::core::error::ErrorCode;

#[test]
fn status_rows_cover_loaded_users_and_kept_mappings() {
    let mut s = state(
        vec![src("u1", "a@x.com"), src("u2", "b@x.com")],
        vec![ext("e1", "a@x.com")],
    );
    let rows = s.status_rows(&bu()).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[1].status, rows[1].reason, rows[1].attempts),
        (MappingStatus::Unmapped, None, 0)
    );
    run(&mut s, "r1");
    s.load_sources(&bu(), vec![src("u2", "b@x.com")]).unwrap();
    let rows = s.status_rows(&bu()).unwrap();
    assert_eq!(
        rows.len(),
        2,
        "u1 left the source list but keeps its mapping"
    );
    assert!(!rows[0].in_source);
    assert_eq!(rows[0].external_id.as_deref(), Some("e1"));
    assert_eq!(rows[0].external_name.as_deref(), Some("e1"));
    assert_eq!(
        rows[1].reason_text.as_deref(),
        Some("No RingCentral account has this email")
    );
    assert_eq!(rows[1].name.as_deref(), Some("u2"));
}

fn valid_state() -> PresenceState {
    let mut s = state(
        vec![src("u1", "a@x.com"), src("u2", "b@x.com")],
        vec![ext("e1", "a@x.com"), ext("e2", "b@x.com")],
    );
    run(&mut s, "r1");
    s
}

fn broken(f: impl FnOnce(&mut Mapping)) -> (ErrorCode, Option<String>, Option<String>) {
    let mut s = valid_state();
    let u = s.units.get_mut(&bu()).unwrap();
    f(u.mappings.get_mut("u1").unwrap());
    let e = s.validate().unwrap_err();
    (e.code, e.id, e.field)
}

#[test]
fn validate_names_what_breaks_an_invariant() {
    valid_state().validate().unwrap();
    let f = |field: &str| {
        (
            ErrorCode::InvalidSnapshot,
            Some("u1".to_string()),
            Some(field.to_string()),
        )
    };
    assert_eq!(broken(|m| m.external_id = None), f("externalId"));
    let (code, id, field) = broken(|m| m.external_id = Some("e2".into()));
    assert_eq!(
        (code, id.as_deref(), field.as_deref()),
        (ErrorCode::InvalidSnapshot, Some("u2"), Some("externalId")),
        "one-to-one"
    );
    assert_eq!(broken(|m| m.reason = Some(Reason::NoMatch)), f("reason"));
    assert_eq!(broken(|m| m.method = None), f("method"));
    assert_eq!(
        broken(|m| m.updated_at = "yesterday".into()),
        f("updatedAt")
    );
    assert_eq!(
        broken(|m| m.mapped_at = Some("2024-13-01".into())),
        f("mappedAt")
    );
    assert_eq!(
        broken(|m| {
            m.status = MappingStatus::Unmapped;
            m.external_id = None;
        }),
        f("method"),
        "method only when mapped"
    );

    let mut s = valid_state();
    let mut other = UnitState::new(UnitRef::new("bu2", "ringcentral"));
    let m = s.unit(&bu()).unwrap().mapping("u2").unwrap().clone();
    other.mappings.insert("u2".into(), m);
    s.units.insert(other.unit.clone(), other);
    let e = s.validate().unwrap_err();
    assert_eq!(
        (e.id.as_deref(), e.field.as_deref()),
        (Some("u2"), Some("businessUnitId"))
    );

    let mut s = valid_state();
    s.log[0].at = "nope".into();
    assert_eq!(s.validate().unwrap_err().field.as_deref(), Some("at"));
}

#[test]
fn the_state_serialises_as_arrays_and_round_trips() {
    let s = valid_state();
    let json = serde_json::to_value(&s).unwrap();
    assert!(json["units"].is_array());
    assert!(json["units"][0]["mappings"].is_array());
    assert_eq!(json["units"][0]["mappings"][0]["userId"], "u1");
    assert!(json.get("plans").is_none());
    assert!(json["units"][0].get("sources").is_none());
    let text = serde_json::to_string(&s).unwrap();
    let back: PresenceState = serde_json::from_str(&text).unwrap();
    back.validate().unwrap();
    assert_eq!(serde_json::to_string(&back).unwrap(), text);

    let dup = text.replacen("\"mappings\":[", "\"mappings\":[{\"userId\":\"u1\",\"status\":\"excluded\",\"updatedAt\":\"2024-01-01T00:00:00Z\"},", 1);
    assert!(
        serde_json::from_str::<PresenceState>(&dup).is_err(),
        "two mappings for one user"
    );
}

#[test]
fn a_user_without_email_reads_differently_from_an_unmatched_email() {
    let mut s = state(vec![src("u1", ""), src("u2", "q@x.com")], vec![]);
    run(&mut s, "r1");
    let rows = s.status_rows(&bu()).unwrap();
    assert_eq!(
        rows[0].reason_text.as_deref(),
        Some("The user has no email, and no RingCentral account matched")
    );
    assert_eq!(
        rows[1].reason_text.as_deref(),
        Some("No RingCentral account has this email")
    );
    assert_eq!(
        reason_text(Reason::ExternalGone, "Teams"),
        "The linked Teams account no longer exists"
    );
}
