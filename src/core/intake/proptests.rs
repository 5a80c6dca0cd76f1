//! Property tests: nothing is dropped without a line, and the outcome never depends on
//! input order.

use super::tests::batch;
use super::*;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn maybe(values: Vec<Value>) -> impl Strategy<Value = Option<Value>> {
    prop_oneof![Just(None), proptest::sample::select(values).prop_map(Some)]
}

/// Small value pools so ids collide often and every rule gets exercised.
fn record() -> impl Strategy<Value = Value> {
    (
        maybe(vec![
            json!("a"),
            json!("b"),
            json!(" c "),
            json!(1),
            json!("1"),
            json!(""),
            json!(null),
            json!(true),
        ]),
        maybe(vec![json!("1@x"), json!("2@x"), json!(5)]),
        maybe(vec![
            json!("2024-01-01T00:00:00Z"),
            json!("2024-01-01T01:00:00+01:00"),
            json!("2024-02-01T00:00:00Z"),
            json!("not a time"),
        ]),
        maybe(vec![json!(true), json!(false), json!("yes")]),
        maybe(vec![json!(["UserMapping.Map"]), json!([1]), json!("x")]),
    )
        .prop_map(|(id, email, updated, active, perms)| {
            let mut m = Map::new();
            for (k, v) in [
                ("id", id),
                ("email", email),
                ("updatedAt", updated),
                ("active", active),
                ("permissions", perms),
            ] {
                if let Some(v) = v {
                    m.insert(k.to_owned(), v);
                }
            }
            Value::Object(m)
        })
}

fn check_report<T: dedup::Record>(out: &Intake<T>, n: usize) {
    let r = &out.report;
    assert_eq!(r.received, n);
    assert_eq!(r.accepted, out.records.len());
    assert_eq!(r.received, r.accepted + r.rejected.len());
    let mut ids: Vec<&str> = out.records.iter().map(|u| u.id()).collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(before, ids.len(), "accepted ids are unique");
    assert!(
        r.rejected.windows(2).all(|w| w[0].index < w[1].index),
        "one rejection per record, sorted"
    );
}

/// Rejected (id, field, code).
type Outcome = (Option<String>, Option<String>, ErrorCode);

/// Order-free summary: accepted records (as JSON) and rejected outcomes, sorted.
fn summary<T: serde::Serialize>(out: &Intake<T>) -> (Vec<String>, Vec<Outcome>) {
    let mut acc: Vec<String> = out
        .records
        .iter()
        .map(|u| serde_json::to_string(u).unwrap())
        .collect();
    acc.sort();
    let mut rej: Vec<_> = out
        .report
        .rejected
        .iter()
        .map(|r| (r.id.clone(), r.field.clone(), r.code))
        .collect();
    rej.sort();
    (acc, rej)
}

proptest! {
    #[test]
    fn received_is_accepted_plus_rejected(values in proptest::collection::vec(record(), 0..40)) {
        let n = values.len();
        check_report(&intake_source(batch(values.clone()), false), n);
        check_report(&intake_external(batch(values), true), n);
    }

    #[test]
    fn outcome_does_not_depend_on_input_order(
        (values, shuffled) in proptest::collection::vec(record(), 0..30)
            .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
    ) {
        let a = intake_source(batch(values.clone()), false);
        let b = intake_source(batch(shuffled.clone()), false);
        prop_assert_eq!(summary(&a), summary(&b));
        let a = intake_external(batch(values), false);
        let b = intake_external(batch(shuffled), false);
        prop_assert_eq!(summary(&a), summary(&b));
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_keep_the_count(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        for format in [InputFormat::Json, InputFormat::Ndjson, InputFormat::Csv] {
            if let Ok(out) = intake_source_bytes(&bytes, format, &CsvOptions::default()) {
                let r = &out.report;
                prop_assert_eq!(r.received, r.accepted + r.rejected.len());
            }
        }
    }

    #[test]
    fn every_non_blank_ndjson_line_is_accounted_for(
        lines in proptest::collection::vec(proptest::sample::select(vec![
            "{\"id\":\"a\"}", "{\"id\":\"b\",\"updatedAt\":\"2024-01-01T00:00:00Z\"}", "{\"id\":2}",
            "", "  ", "{", "[]", "null", "{\"id\":\"a\",\"id\":\"b\"}", "{\"email\":\"x\"}",
        ]), 0..30)
    ) {
        let file = lines.join("\n");
        let out = intake_external_bytes(file.as_bytes(), InputFormat::Ndjson, &CsvOptions::default()).unwrap();
        let expected = lines.iter().filter(|l| !l.trim().is_empty()).count();
        prop_assert_eq!(out.report.received, expected);
        prop_assert_eq!(out.report.received, out.report.accepted + out.report.rejected.len());
        prop_assert!(out.report.rejected.iter().all(|r| r.line == Some(r.index)));
    }

    #[test]
    fn every_csv_row_is_accounted_for(
        rows in proptest::collection::vec(
            proptest::collection::vec(proptest::sample::select(vec!["a", "b", "", "1", "yes", "x@y", "é"]), 1..5),
            0..30,
        )
    ) {
        let mut file = String::from("id,email,active\n");
        for row in &rows {
            file.push_str(&row.join(","));
            file.push('\n');
        }
        let out = intake_source_bytes(file.as_bytes(), InputFormat::Csv, &CsvOptions::default()).unwrap();
        // The csv reader skips empty lines; every other row is a record.
        let expected = rows.iter().filter(|r| !(r.len() == 1 && r[0].is_empty())).count();
        prop_assert_eq!(out.report.received, expected);
        prop_assert_eq!(out.report.received, out.report.accepted + out.report.rejected.len());
    }

    #[test]
    fn json_array_elements_are_all_accounted_for(values in proptest::collection::vec(record(), 0..20)) {
        let file = serde_json::to_vec_pretty(&values).unwrap();
        let out = intake_source_bytes(&file, InputFormat::Json, &CsvOptions::default()).unwrap();
        check_report(&out, values.len());
        // The file path equals the batch path, except that file rejections carry lines.
        let mut out = out;
        prop_assert!(out.report.rejected.iter().all(|r| r.line.is_some()));
        for r in &mut out.report.rejected {
            r.line = None;
        }
        prop_assert_eq!(out, intake_source(batch(values), false));
    }
}
