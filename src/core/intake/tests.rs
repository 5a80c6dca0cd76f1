//! Unit tests for the intake rules and the file formats, fixtures inline.

use super::*;
use serde_json::{json, Value};

pub(super) fn batch(values: Vec<Value>) -> Vec<RawRecord> {
    values
        .into_iter()
        .enumerate()
        .map(|(position, v)| match v {
            Value::Object(fields) => RawRecord {
                position,
                fields,
                ill_formed: vec![],
            },
            other => panic!("fixture must be an object: {other}"),
        })
        .collect()
}

fn src(values: Vec<Value>) -> Intake<SourceUser> {
    intake_source(batch(values), false)
}

fn ext(values: Vec<Value>) -> Intake<ExternalUser> {
    intake_external(batch(values), false)
}

/// (index, id, field, code) of each rejection.
pub(super) type Row = (usize, Option<String>, Option<String>, ErrorCode);

pub(super) fn rows(report: &IntakeReport) -> Vec<Row> {
    report
        .rejected
        .iter()
        .map(|r| (r.index, r.id.clone(), r.field.clone(), r.code))
        .collect()
}

pub(super) fn row(index: usize, id: Option<&str>, field: Option<&str>, code: ErrorCode) -> Row {
    (index, id.map(String::from), field.map(String::from), code)
}

pub(super) fn ids<T: dedup::Record>(records: &[T]) -> Vec<&str> {
    records.iter().map(|r| r.id()).collect()
}

pub(super) fn only_rejection(report: &IntakeReport) -> &Rejection {
    assert_eq!(report.rejected.len(), 1, "{:#?}", report.rejected);
    &report.rejected[0]
}

pub(super) fn no_csv() -> CsvOptions {
    CsvOptions::default()
}

// ---- id ----

#[test]
fn missing_null_empty_or_non_string_id_is_missing_field() {
    let bad = vec![
        json!({}),
        json!({"id": null}),
        json!({"id": ""}),
        json!({"id": "   "}),
        json!({"id": true}),
        json!({"id": 1.5}),
        json!({"id": ["a"]}),
        json!({"id": {"v": 1}}),
    ];
    let n = bad.len();
    let out = src(bad);
    assert!(out.records.is_empty());
    assert_eq!(out.report.received, n);
    for (i, r) in out.report.rejected.iter().enumerate() {
        assert_eq!(
            row(i, None, Some("id"), ErrorCode::MissingField),
            (r.index, r.id.clone(), r.field.clone(), r.code)
        );
        assert!(
            r.message.starts_with(&format!("record {i}:")),
            "{}",
            r.message
        );
        assert_eq!(r.line, None);
    }
}

#[test]
fn integer_ids_are_carried_as_decimal_strings_and_ids_are_trimmed() {
    let out = ext(vec![
        json!({"id": 9_223_372_036_854_775_807_i64}),
        json!({"id": -5}),
        json!({"id": 18_446_744_073_709_551_615_u64}),
        json!({"id": "  abc \t"}),
    ]);
    assert_eq!(
        ids(&out.records),
        ["9223372036854775807", "-5", "18446744073709551615", "abc"]
    );
    assert!(out.report.rejected.is_empty());
}

#[test]
fn integer_and_string_forms_of_an_id_are_the_same_id() {
    let out = ext(vec![json!({"id": 7}), json!({"id": "7"})]);
    assert_eq!(ids(&out.records), ["7"]);
    assert_eq!(
        rows(&out.report),
        [row(1, Some("7"), None, ErrorCode::Superseded)]
    );
}

#[test]
fn ill_formed_id_is_invalid_input() {
    let mut raw = batch(vec![json!({"id": "a\u{FFFD}"})]);
    raw[0].ill_formed = vec!["id".into()];
    let out = intake_source(raw, false);
    assert_eq!(
        rows(&out.report),
        [row(0, None, Some("id"), ErrorCode::InvalidInput)]
    );
}

#[test]
fn ill_formed_known_field_rejects_the_record_but_unknown_fields_do_not_matter() {
    let mut raw = batch(vec![
        json!({"id": "a", "email": "x\u{FFFD}@y.com"}),
        json!({"id": "b", "nickname": "\u{FFFD}"}),
    ]);
    raw[0].ill_formed = vec!["email".into()];
    raw[1].ill_formed = vec!["nickname".into()];
    let out = intake_source(raw, false);
    assert_eq!(ids(&out.records), ["b"]);
    assert_eq!(
        rows(&out.report),
        [row(0, Some("a"), Some("email"), ErrorCode::InvalidInput)]
    );
}

// ---- field types ----

#[test]
fn wrong_typed_text_field_rejects_the_record_naming_field_and_record() {
    let out = src(vec![json!({"id": "u1"}), json!({"id": "u2", "email": 42})]);
    assert_eq!(ids(&out.records), ["u1"]);
    let r = only_rejection(&out.report);
    assert_eq!(
        row(1, Some("u2"), Some("email"), ErrorCode::InvalidInput),
        (r.index, r.id.clone(), r.field.clone(), r.code)
    );
    assert!(
        r.message.contains("record 1") && r.message.contains("u2") && r.message.contains("email"),
        "{}",
        r.message
    );
}

#[test]
fn every_text_field_of_both_sides_is_type_checked() {
    for &field in SOURCE_FIELDS
        .iter()
        .filter(|f| field_kind(f) == FieldKind::Text && **f != "id")
    {
        let out = src(vec![json!({"id": "a", field: 1})]);
        assert_eq!(
            rows(&out.report),
            [row(0, Some("a"), Some(field), ErrorCode::InvalidInput)],
            "{field}"
        );
    }
    for &field in EXTERNAL_FIELDS
        .iter()
        .filter(|f| field_kind(f) == FieldKind::Text && **f != "id")
    {
        let out = ext(vec![json!({"id": "a", field: false})]);
        assert_eq!(
            rows(&out.report),
            [row(0, Some("a"), Some(field), ErrorCode::InvalidInput)],
            "{field}"
        );
    }
}

#[test]
fn null_means_missing() {
    let out = src(vec![
        json!({"id": "a", "email": null, "active": null, "permissions": null, "updatedAt": null}),
    ]);
    assert!(out.report.rejected.is_empty());
    assert_eq!(
        out.records[0],
        SourceUser {
            id: "a".into(),
            ..Default::default()
        }
    );
}

#[test]
fn all_source_fields_are_read() {
    let out = src(vec![json!({
        "id": "a", "tenantId": "t", "businessUnitId": "bu", "email": "a@b.c", "firstName": "A",
        "lastName": "B", "userName": "ab", "employeeId": "e1", "active": false,
        "permissions": ["UserMapping.Map"], "teamId": "tm", "teamFeatures": ["WFMAdvanced"],
        "roleId": "r", "rolePermissions": ["WFM.MyZone.ViewPersonalSchedule"],
        "acdProfileId": "p", "agentNumber": "77", "externalId": "x", "activationDate": "2024-01-02",
        "updatedAt": "2024-05-01T12:00:00Z"
    })]);
    let expected: SourceUser = serde_json::from_value(json!({
        "id": "a", "tenantId": "t", "businessUnitId": "bu", "email": "a@b.c", "firstName": "A",
        "lastName": "B", "userName": "ab", "employeeId": "e1", "active": false,
        "permissions": ["UserMapping.Map"], "teamId": "tm", "teamFeatures": ["WFMAdvanced"],
        "roleId": "r", "rolePermissions": ["WFM.MyZone.ViewPersonalSchedule"],
        "acdProfileId": "p", "agentNumber": "77", "externalId": "x", "activationDate": "2024-01-02",
        "updatedAt": "2024-05-01T12:00:00Z"
    }))
    .unwrap();
    assert_eq!(out.records, [expected]);
}

#[test]
fn all_external_fields_are_read_and_source_only_fields_are_ignored() {
    let out = ext(vec![json!({
        "id": "a", "email": "a@b.c", "firstName": "A", "lastName": "B", "displayName": "A B",
        "userName": "ab", "employeeId": "e", "active": true, "updatedAt": "2024-05-01T12:00:00+02:00",
        "permissions": "not checked on this side"
    })]);
    assert!(out.report.rejected.is_empty(), "{:?}", out.report.rejected);
    assert_eq!(out.records[0].display_name.as_deref(), Some("A B"));
    assert_eq!(out.records[0].active, Some(true));
}

#[test]
fn active_must_be_a_boolean() {
    let out = src(vec![
        json!({"id": "a", "active": "true"}),
        json!({"id": "b", "active": 1}),
        json!({"id": "c", "active": true}),
    ]);
    assert_eq!(ids(&out.records), ["c"]);
    assert_eq!(
        rows(&out.report),
        [
            row(0, Some("a"), Some("active"), ErrorCode::InvalidInput),
            row(1, Some("b"), Some("active"), ErrorCode::InvalidInput)
        ]
    );
}

#[test]
fn permission_lists_must_be_arrays_of_strings() {
    for field in ["permissions", "teamFeatures", "rolePermissions"] {
        let out = src(vec![
            json!({"id": "a", field: "UserMapping.Map"}),
            json!({"id": "b", field: ["ok", 3]}),
            json!({"id": "c", field: []}),
        ]);
        assert_eq!(ids(&out.records), ["c"], "{field}");
        assert_eq!(
            rows(&out.report),
            [
                row(0, Some("a"), Some(field), ErrorCode::InvalidInput),
                row(1, Some("b"), Some(field), ErrorCode::InvalidInput)
            ]
        );
        assert!(
            out.report.rejected[1].message.contains("item 1"),
            "{}",
            out.report.rejected[1].message
        );
    }
}

#[test]
fn updated_at_must_be_rfc3339() {
    let out = src(vec![
        json!({"id": "a", "updatedAt": "2024-05-01"}),
        json!({"id": "b", "updatedAt": "yesterday"}),
        json!({"id": "c", "updatedAt": 1_714_560_000}),
        json!({"id": "d", "updatedAt": "2024-05-01T12:00:00.123-05:00"}),
    ]);
    assert_eq!(ids(&out.records), ["d"]);
    assert_eq!(
        rows(&out.report),
        [
            row(0, Some("a"), Some("updatedAt"), ErrorCode::InvalidInput),
            row(1, Some("b"), Some("updatedAt"), ErrorCode::InvalidInput),
            row(2, Some("c"), Some("updatedAt"), ErrorCode::InvalidInput),
        ]
    );
}

#[test]
fn the_first_bad_field_in_spec_order_is_reported() {
    let out = src(vec![
        json!({"id": "a", "updatedAt": "x", "active": "x", "email": 1}),
    ]);
    assert_eq!(only_rejection(&out.report).field.as_deref(), Some("email"));
}

#[test]
fn unknown_fields_including_prototype_keys_are_ignored() {
    let out = src(vec![json!({
        "id": "a", "__proto__": {"isAdmin": true}, "constructor": 1, "prototype": null,
        "Email": 5, "extra": [1, 2]
    })]);
    assert!(out.report.rejected.is_empty());
    assert_eq!(
        out.records,
        [SourceUser {
            id: "a".into(),
            ..Default::default()
        }]
    );
}

// ---- duplicates ----

#[test]
fn later_updated_at_wins_in_either_order() {
    let old = json!({"id": "a", "email": "old@x.com", "updatedAt": "2024-01-01T00:00:00Z"});
    let new = json!({"id": "a", "email": "new@x.com", "updatedAt": "2024-02-01T00:00:00Z"});
    for (values, loser, winner) in [
        (vec![old.clone(), new.clone()], 0, 1),
        (vec![new, old], 1, 0),
    ] {
        let out = src(values);
        assert_eq!(out.records.len(), 1);
        assert_eq!(out.records[0].email.as_deref(), Some("new@x.com"));
        let r = only_rejection(&out.report);
        assert_eq!(
            (r.index, r.code, r.id.as_deref()),
            (loser, ErrorCode::Superseded, Some("a"))
        );
        assert!(
            r.message
                .contains(&format!("superseded by record {winner}")),
            "{}",
            r.message
        );
    }
}

#[test]
fn a_record_with_updated_at_beats_one_without() {
    let out = src(vec![
        json!({"id": "a", "email": "dated@x.com", "updatedAt": "2020-01-01T00:00:00Z"}),
        json!({"id": "a", "email": "undated@x.com"}),
    ]);
    assert_eq!(out.records[0].email.as_deref(), Some("dated@x.com"));
    assert_eq!(
        rows(&out.report),
        [row(1, Some("a"), None, ErrorCode::Superseded)]
    );
}

#[test]
fn equal_timestamps_with_different_content_reject_both() {
    let out = src(vec![
        json!({"id": "a", "email": "1@x.com", "updatedAt": "2024-01-01T00:00:00Z"}),
        json!({"id": "b"}),
        // Same instant, different spelling.
        json!({"id": "a", "email": "2@x.com", "updatedAt": "2024-01-01T01:00:00+01:00"}),
    ]);
    assert_eq!(ids(&out.records), ["b"]);
    assert_eq!(
        rows(&out.report),
        [
            row(0, Some("a"), None, ErrorCode::DuplicateIdConflict),
            row(2, Some("a"), None, ErrorCode::DuplicateIdConflict)
        ]
    );
    assert!(
        out.report.rejected[0].message.contains("record 2"),
        "{}",
        out.report.rejected[0].message
    );
    assert!(
        out.report.rejected[1].message.contains("record 0"),
        "{}",
        out.report.rejected[1].message
    );
}

#[test]
fn both_timestamps_missing_with_different_content_is_a_conflict() {
    let out = ext(vec![
        json!({"id": "a", "email": "1@x.com"}),
        json!({"id": "a", "email": "2@x.com"}),
    ]);
    assert!(out.records.is_empty());
    assert!(out
        .report
        .rejected
        .iter()
        .all(|r| r.code == ErrorCode::DuplicateIdConflict));
    assert_eq!(out.report.rejected.len(), 2);
}

#[test]
fn identical_copies_keep_one_and_supersede_the_rest() {
    let u = json!({"id": "a", "email": "a@x.com"});
    let out = ext(vec![u.clone(), u.clone(), u]);
    assert_eq!(ids(&out.records), ["a"]);
    assert_eq!(
        rows(&out.report),
        [
            row(1, Some("a"), None, ErrorCode::Superseded),
            row(2, Some("a"), None, ErrorCode::Superseded)
        ]
    );
    assert!(out.report.rejected[0]
        .message
        .contains("identical copy of record 0"));
}

#[test]
fn identical_copies_with_differently_spelled_equal_timestamps_keep_the_same_one_in_any_order() {
    let z = json!({"id": "a", "updatedAt": "2024-01-01T00:00:00Z"});
    let plus = json!({"id": "a", "updatedAt": "2024-01-01T00:00:00+00:00"});
    let a = ext(vec![z.clone(), plus.clone()]);
    let b = ext(vec![plus, z]);
    assert_eq!(a.records, b.records);
    assert_eq!(
        a.records[0].updated_at.as_deref(),
        Some("2024-01-01T00:00:00+00:00")
    );
    assert_eq!(a.report.rejected[0].code, ErrorCode::Superseded);
}

#[test]
fn three_copies_newest_wins() {
    let out = src(vec![
        json!({"id": "a", "email": "2@x", "updatedAt": "2024-02-01T00:00:00Z"}),
        json!({"id": "a", "email": "3@x", "updatedAt": "2024-03-01T00:00:00Z"}),
        json!({"id": "a", "email": "1@x", "updatedAt": "2024-01-01T00:00:00Z"}),
    ]);
    assert_eq!(out.records[0].email.as_deref(), Some("3@x"));
    assert_eq!(
        rows(&out.report),
        [
            row(0, Some("a"), None, ErrorCode::Superseded),
            row(2, Some("a"), None, ErrorCode::Superseded)
        ]
    );
    assert!(out
        .report
        .rejected
        .iter()
        .all(|r| r.message.contains("superseded by record 1")));
}

#[test]
fn three_copies_two_newest_conflict_and_the_oldest_is_superseded() {
    let out = src(vec![
        json!({"id": "a", "email": "1@x", "updatedAt": "2024-01-01T00:00:00Z"}),
        json!({"id": "a", "email": "2@x", "updatedAt": "2024-03-01T00:00:00Z"}),
        json!({"id": "a", "email": "3@x", "updatedAt": "2024-03-01T00:00:00Z"}),
    ]);
    assert!(out.records.is_empty());
    assert_eq!(
        rows(&out.report),
        [
            row(0, Some("a"), None, ErrorCode::Superseded),
            row(1, Some("a"), None, ErrorCode::DuplicateIdConflict),
            row(2, Some("a"), None, ErrorCode::DuplicateIdConflict),
        ]
    );
}

#[test]
fn three_newest_copies_with_two_identical_still_conflict() {
    let same = json!({"id": "a", "email": "1@x"});
    let out = src(vec![same.clone(), json!({"id": "a", "email": "2@x"}), same]);
    assert!(out.records.is_empty());
    assert!(out
        .report
        .rejected
        .iter()
        .all(|r| r.code == ErrorCode::DuplicateIdConflict));
    assert_eq!(out.report.rejected.len(), 3);
}

#[test]
fn many_conflicting_copies_keep_messages_short() {
    let copies: Vec<Value> = (0..50)
        .map(|i| json!({"id": "a", "email": format!("{i}@x")}))
        .collect();
    let out = src(copies);
    assert_eq!(out.report.rejected.len(), 50);
    assert!(
        out.report.rejected[0].message.contains("44 more"),
        "{}",
        out.report.rejected[0].message
    );
}

#[test]
fn invalid_records_take_no_part_in_dedup() {
    let out = src(vec![
        json!({"id": "a", "email": "ok@x", "updatedAt": "2024-01-01T00:00:00Z"}),
        json!({"id": "a", "email": 5, "updatedAt": "2025-01-01T00:00:00Z"}),
    ]);
    assert_eq!(out.records[0].email.as_deref(), Some("ok@x"));
    assert_eq!(
        rows(&out.report),
        [row(1, Some("a"), Some("email"), ErrorCode::InvalidInput)]
    );
}

#[test]
fn accepted_records_keep_first_occurrence_order() {
    let out = src(vec![
        json!({"id": "a", "updatedAt": "2024-01-01T00:00:00Z"}),
        json!({"id": "b"}),
        json!({"id": "c"}),
        json!({"id": "a", "updatedAt": "2024-06-01T00:00:00Z"}),
    ]);
    assert_eq!(ids(&out.records), ["a", "b", "c"]);
    assert_eq!(
        out.records[0].updated_at.as_deref(),
        Some("2024-06-01T00:00:00Z")
    );
    assert_eq!(
        out.report,
        IntakeReport {
            received: 4,
            accepted: 3,
            rejected: out.report.rejected.clone()
        }
    );
}

#[test]
fn positions_as_lines_fill_line_and_say_line() {
    let mut raw = batch(vec![json!({"id": ""})]);
    raw[0].position = 12;
    let out = intake_source(raw, true);
    let r = only_rejection(&out.report);
    assert_eq!((r.index, r.line), (12, Some(12)));
    assert!(r.message.starts_with("line 12:"), "{}", r.message);
}

#[test]
fn rejection_serialises_camel_case_without_absent_fields() {
    let out = src(vec![json!({})]);
    let v = serde_json::to_value(&out.report).unwrap();
    assert_eq!(
        v,
        json!({"received": 1, "accepted": 0, "rejected": [
            {"side": "source", "index": 0, "field": "id", "code": "missing_field", "message": "record 0: has no id"}
        ]})
    );
    let back: IntakeReport = serde_json::from_value(v).unwrap();
    assert_eq!(back, out.report);
}

#[test]
fn csv_options_deserialise_from_partial_json() {
    let o: CsvOptions = serde_json::from_value(json!({"delimiter": ";"})).unwrap();
    assert_eq!(
        o,
        CsvOptions {
            columns: vec![],
            delimiter: Some(';')
        }
    );
    let o: CsvOptions =
        serde_json::from_value(json!({"columns": [{"field": "email", "header": "E"}]})).unwrap();
    assert_eq!(
        o.columns,
        [CsvColumn {
            field: "email".into(),
            header: "E".into()
        }]
    );
}

#[test]
fn large_batches_with_a_hot_id_stay_linear() {
    // Quadratic work here (per-copy scans of the group, or messages listing every copy)
    // would take minutes; linear work takes well under a second even in debug builds.
    let n = 40_000;
    let mut values: Vec<Value> = (0..n)
        .map(|i| json!({"id": "hot", "email": format!("{i}@x")}))
        .collect();
    values.extend((0..n).map(|i| json!({"id": "same", "email": "s@x", "n": i})));
    values.extend((0..n).map(|i| json!({"id": i})));
    let started = std::time::Instant::now();
    let out = src(values);
    assert_eq!(out.records.len(), n + 1);
    assert_eq!(out.report.rejected.len(), 2 * n - 1);
    assert!(out.report.rejected.iter().all(|r| r.message.len() < 200));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}
