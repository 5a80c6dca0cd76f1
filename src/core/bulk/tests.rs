//! One test per promise of the bulk API (the equality with the engine is in `proptests`).

use super::*;
use serde_json::Value;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn run(src: &str, ext: &str, options: &BulkOptions) -> Value {
    let out = match_bulk(src.as_bytes(), ext.as_bytes(), None, options, &mut |_| {}).unwrap();
    serde_json::from_str(&out).unwrap()
}

fn user<'v>(out: &'v Value, id: &str) -> &'v Value {
    out["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id)
        .unwrap()
}

const PERM: &str = r#""permissions":["UserMapping.Map"]"#;

#[test]
fn the_sample_files_give_every_user_a_status_and_every_rejection_a_line() {
    let src = fixture("cxone-users.ndjson");
    let ext = fixture("ringcentral-directory.json");
    let fresh = fixture("ringcentral-refetch.json");
    let mut events = Vec::new();
    let out = match_bulk(
        &src,
        &ext,
        Some(&fresh),
        &BulkOptions::default(),
        &mut |p| events.push(p),
    )
    .unwrap();
    let out: Value = serde_json::from_str(&out).unwrap();
    let users = out["users"].as_array().unwrap();
    assert_eq!(out["summary"]["users"], users.len());
    let ids: Vec<&str> = users.iter().map(|u| u["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "users come out sorted by id");
    for u in users {
        let keys: Vec<&String> = u.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["externalId", "id", "method", "reason", "status"]);
    }
    for r in out["rejected"].as_array().unwrap() {
        assert!(r["line"].as_u64().unwrap() >= 1, "{r}");
        assert!(r["code"].is_string() && r["message"].is_string());
    }
    let last = events.last().unwrap();
    assert_eq!(last.phase, BulkPhase::Done);
    assert_eq!(
        last.summary.as_ref().unwrap().by_status.mapped,
        out["summary"]["byStatus"]["mapped"]
    );
    assert!(events.iter().any(|e| e.phase == BulkPhase::ReadRefreshed));
}

#[test]
fn case_and_spaces_match_duplicates_and_lookalikes_do_not() {
    let src = format!(
        "{{\"id\":\"u1\",\"email\":\" Ann@Example.COM \",{PERM}}}\n\
         {{\"id\":\"u2\",\"email\":\"dup@x.com\",{PERM}}}\n\
         {{\"id\":\"u3\",\"email\":\"DUP@x.com\",{PERM}}}\n\
         {{\"id\":\"u4\",\"email\":\"arnie@x.com\",{PERM}}}\n\
         {{\"id\":\"u5\",\"email\":\"nobody@x.com\"}}\n\
         {{\"id\":\"u6\",\"email\":\"two@x.com\",{PERM}}}\n"
    );
    let ext = r#"[{"id":"e1","email":"ann@example.com"},{"id":"e2","email":"dup@x.com"},
        {"id":"e3","email":"amie@x.com"},{"id":"e4","email":"arnie@x.com"},
        {"id":"e5","email":"two@x.com"},{"id":"e6","email":"Two@X.com"}]"#;
    let out = run(&src, ext, &BulkOptions::default());
    assert_eq!(user(&out, "u1")["externalId"], "e1");
    assert_eq!(user(&out, "u1")["method"], "auto");
    assert_eq!(user(&out, "u2")["reason"], "duplicate_source_email");
    assert_eq!(
        user(&out, "u4")["reason"],
        "confusable",
        "arnie / amie share a skeleton"
    );
    assert_eq!(user(&out, "u5")["status"], "skipped");
    assert_eq!(user(&out, "u5")["reason"], "no_permission");
    assert_eq!(user(&out, "u6")["reason"], "multiple_matches");
    assert_eq!(out["summary"]["byStatus"]["mapped"], 1);
    assert_eq!(out["summary"]["byReason"]["confusable"], 1);
}

#[test]
fn a_refreshed_directory_resolves_what_the_first_pass_could_not() {
    let src = format!("{{\"id\":\"u1\",\"email\":\"new@x.com\",{PERM}}}\n");
    let ext = r#"[{"id":"e0","email":"old@x.com"}]"#;
    let fresh = br#"[{"id":"e9","email":"new@x.com"}]"#;
    let out = match_bulk(
        src.as_bytes(),
        ext.as_bytes(),
        Some(fresh),
        &BulkOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    let out: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(user(&out, "u1")["externalId"], "e9");
    assert_eq!(out["summary"]["refreshed"]["accepted"], 1);
}

#[test]
fn csv_output_is_formula_safe_and_quoted() {
    let src = format!(
        "{{\"id\":\"=HYPERLINK(1)\",\"email\":\"a@x.com\",{PERM}}}\n{{\"id\":\"-2,3\",\"email\":\"b@x.com\",{PERM}}}\n"
    );
    let ext = r#"[{"id":"@e1","email":"a@x.com"},{"id":"+e2","email":"b@x.com"}]"#;
    let options = BulkOptions {
        output: BulkOutputFormat::Csv,
        ..Default::default()
    };
    let out = match_bulk(src.as_bytes(), ext.as_bytes(), None, &options, &mut |_| {}).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "id,status,reason,externalId,method,matchedBy,side,line,field,code,message"
    );
    assert_eq!(lines[1], "\"'-2,3\",mapped,,'+e2,auto,email,,,,,");
    assert_eq!(lines[2], "'=HYPERLINK(1),mapped,,'@e1,auto,email,,,,,");
    assert_eq!(lines.len(), 3);
    assert_eq!(formula_safe("\tx"), "'\tx");
    assert_eq!(formula_safe("\rx"), "'\rx");
    assert_eq!(formula_safe("a=b"), "a=b");
}

#[test]
fn formula_safe_covers_full_width_and_minus_sign_look_alikes() {
    for start in [
        '=', '+', '-', '@', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}', '\u{2212}',
    ] {
        let cell = format!("{start}SUM(A1)");
        assert_eq!(formula_safe(&cell), format!("'{cell}"), "{start:?}");
    }
    // Look-alikes inside a cell, or other full-width letters first, are harmless.
    assert_eq!(formula_safe("a\u{FF1D}1"), "a\u{FF1D}1");
    assert_eq!(formula_safe("\u{FF41}=1"), "\u{FF41}=1");
    assert_eq!(formula_safe("\u{2013}1"), "\u{2013}1");
}

#[test]
fn csv_output_lists_rejected_records_as_rows() {
    let src = format!(
        "{{\"id\":\"u1\",\"email\":\"a@x.com\",{PERM}}}\n{{\"id\":\"u2\",\"active\":\"maybe\"}}\nnot json\n"
    );
    let ext = "id,email\ne1,a@x.com\n\u{FF1D}x,b@x.com,extra\n";
    let options = BulkOptions {
        output: BulkOutputFormat::Csv,
        ..Default::default()
    };
    let out = match_bulk(src.as_bytes(), ext.as_bytes(), None, &options, &mut |_| {}).unwrap();
    let mut rdr = csv::ReaderBuilder::new().from_reader(out.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 4, "{out}");
    assert_eq!(&rows[0][0], "u1");
    assert_eq!(&rows[0][1], "mapped");
    let rejected: Vec<_> = rows.iter().filter(|r| &r[1] == "rejected").collect();
    assert_eq!(rejected.len(), 3, "{out}");
    let u2 = rejected
        .iter()
        .find(|r| &r[0] == "u2")
        .expect("u2 rejected");
    assert_eq!(
        (&u2[6], &u2[7], &u2[8], &u2[9]),
        ("source", "2", "active", "invalid_input")
    );
    let broken = rejected
        .iter()
        .find(|r| &r[7] == "3")
        .expect("line 3 rejected");
    assert_eq!(
        (&broken[0], &broken[6], &broken[9]),
        ("", "source", "invalid_input")
    );
    let wide = rejected
        .iter()
        .find(|r| &r[6] == "external")
        .expect("external row");
    assert_eq!(&wide[7], "3");
    assert!(!wide[10].is_empty());
    // Every row has every column, and the users' rows leave the rejection cells empty.
    assert!(rows.iter().all(|r| r.len() == 11));
    assert!(rows[0].iter().skip(6).all(str::is_empty));
}

#[test]
fn csv_input_maps_columns_by_header() {
    let src = "User ID,E-mail,permissions,active\nu1, Ann@X.com ,UserMapping.Map,yes\n,b@x.com,,\nu3,c@x.com,UserMapping.Map,maybe\n";
    let ext = "id,email\ne1,ann@x.com\n";
    let options = BulkOptions {
        csv: CsvOptions {
            columns: vec![
                crate::core::intake::CsvColumn {
                    field: "id".into(),
                    header: "User ID".into(),
                },
                crate::core::intake::CsvColumn {
                    field: "email".into(),
                    header: "E-mail".into(),
                },
            ],
            delimiter: None,
        },
        ..Default::default()
    };
    let out = run(src, ext, &options);
    assert_eq!(user(&out, "u1")["externalId"], "e1");
    let rejected = out["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0]["line"], 3);
    assert_eq!(rejected[0]["code"], "missing_field");
    assert_eq!(rejected[1]["line"], 4);
    assert_eq!(rejected[1]["field"], "active");
}

#[test]
fn a_job_over_the_memory_limit_is_refused_before_any_work() {
    let options = BulkOptions {
        memory_limit: Some(1000),
        ..Default::default()
    };
    let mut called = false;
    let err = match_bulk(b"[]", b"[]", None, &options, &mut |_| called = true).unwrap_err();
    assert_eq!(err.code, ErrorCode::InputTooLarge);
    assert!(!called);
    // 5,000,000 users a side at ~300 bytes a record passes 3.5 GiB: refused, not attempted.
    let err = check_memory((1_500_000_000, 1_500_000_000, 0), None).unwrap_err();
    assert_eq!(err.code, ErrorCode::InputTooLarge);
    assert!(err.message.contains("MiB"));
    assert!(check_memory((usize::MAX, usize::MAX, usize::MAX), None).is_err());
    assert!(check_memory((200 << 20, 200 << 20, 0), None).is_ok());
}

#[test]
fn a_broken_file_is_an_error_and_other_units_fail_the_job() {
    let err = match_bulk(
        b"[{\"id\":1}",
        b"[]",
        None,
        &BulkOptions::default(),
        &mut |_| {},
    )
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let src = br#"{"id":"u1","businessUnitId":"bu-2"}"#;
    let options = BulkOptions {
        business_unit_id: Some("bu-1".into()),
        ..Default::default()
    };
    let err = match_bulk(src, b"[]", None, &options, &mut |_| {}).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert_eq!(err.field.as_deref(), Some("businessUnitId"));
}

#[test]
fn formats_are_sniffed() {
    assert_eq!(sniff_format(b"\xEF\xBB\xBF [ ]"), InputFormat::Json);
    assert_eq!(sniff_format(b"\n{\"id\":1}"), InputFormat::Ndjson);
    assert_eq!(sniff_format(b"id,email\n"), InputFormat::Csv);
}

#[test]
fn ascii_skeleton_table_holds_only_starters() {
    for b in 0u8..128 {
        let s: String = unicode_security::skeleton(&char::from(b).to_string()).collect();
        for c in s.chars() {
            assert_eq!(
                unicode_normalization::char::canonical_combining_class(c),
                0,
                "{b}: {s:?}"
            );
        }
    }
}

/// Files past the readers' progress ticks (every 65,536 records): every record comes out, in
/// each format, with the users' outcomes intact.
#[test]
fn large_files_keep_every_record() {
    let n = 70_000;
    let mut csv = String::from("id,email,permissions\n");
    let mut ndjson = String::new();
    let mut ext = String::from("[");
    for i in 0..n {
        csv.push_str(&format!("u{i:06},p{i}@example.com,UserMapping.Map\n"));
        ndjson.push_str(&format!(
            "{{\"id\":\"u{i:06}\",\"email\":\"p{i}@example.com\",{PERM}}}\n"
        ));
        if i > 0 {
            ext.push(',');
        }
        // Every third person has no account.
        let email = if i % 3 == 0 {
            format!("gone{i}@example.com")
        } else {
            format!("p{i}@example.com")
        };
        ext.push_str(&format!("{{\"id\":\"x{i}\",\"email\":\"{email}\"}}\n"));
    }
    ext.push(']');
    for src in [&csv, &ndjson] {
        let out = run(src, &ext, &BulkOptions::default());
        assert_eq!(out["users"].as_array().unwrap().len(), n);
        assert_eq!(out["summary"]["byStatus"]["mapped"], n - n.div_ceil(3));
        assert_eq!(out["summary"]["byReason"]["no_match"], n.div_ceil(3));
        assert_eq!(
            user(&out, &format!("u{:06}", n - 1))["status"],
            if (n - 1) % 3 == 0 {
                "unmapped"
            } else {
                "mapped"
            }
        );
        assert_eq!(out["summary"]["external"]["accepted"], n);
    }
}

/// Cells are borrowed from the input only for rows without quotes; quoted rows, CRLF endings
/// and another delimiter give the same outcome as plain rows.
#[test]
fn quoted_and_plain_csv_rows_read_alike() {
    let ext = r#"[{"id":"x1","email":"a@example.com"},{"id":"x2","email":"b@example.com"},{"id":"x3","email":"d@example.com"}]"#;
    let src = "id,email,permissions\r\n\
               u1, A@example.com ,UserMapping.Map\r\n\
               \"u,2\",\"b@example.com\",UserMapping.Map\r\n\
               u3,\"d@example.com\",\"UserMapping.Map;Other\"\r\n";
    let out = run(src, ext, &BulkOptions::default());
    for (id, ext_id) in [("u1", "x1"), ("u,2", "x2"), ("u3", "x3")] {
        assert_eq!(user(&out, id)["status"], "mapped", "{id}: {out}");
        assert_eq!(user(&out, id)["externalId"], ext_id);
    }
    let semi = BulkOptions {
        csv: CsvOptions {
            delimiter: Some(';'),
            ..Default::default()
        },
        ..Default::default()
    };
    let out = run("id;email;permissions\nu1;a@example.com;UserMapping.Map\nu3;\"d@example.com\";UserMapping.Map\n", ext, &semi);
    assert_eq!(user(&out, "u1")["externalId"], "x1");
    assert_eq!(user(&out, "u3")["externalId"], "x3");
}

/// The bulk reader takes its columns from intake: capitalised headers feed the same fields.
#[test]
fn capitalised_csv_headers_match_as_in_intake() {
    let ext = r#"[{"id":"x1","email":"a@example.com"}]"#;
    let out = run(
        "ID,Email,Permissions\nu1,a@example.com,UserMapping.Map\n",
        ext,
        &BulkOptions::default(),
    );
    assert_eq!(user(&out, "u1")["externalId"], "x1");
}

#[test]
fn word_compares_order_and_equal_as_the_byte_compares_do() {
    use crate::core::matching::intern::same_bytes;
    // Every pair over short strings of a few bytes (past one word, ties in the tail,
    // prefixes, high bytes), against `Ord` and `==` on slices.
    let alphabet: &[u8] = b"a\x00\xffZ";
    let mut strings: Vec<Vec<u8>> = vec![Vec::new()];
    for len in [1usize, 7, 8, 9, 16, 17] {
        for seed in 0..6usize {
            let s: Vec<u8> = (0..len)
                .map(|i| alphabet[(i * 7 + seed * 3 + len) % alphabet.len()])
                .collect();
            strings.push(s);
        }
    }
    let snapshot = strings.clone();
    for s in snapshot {
        // The same string with its last byte changed, and cut short by one.
        if let Some((last, head)) = s.split_last() {
            let mut t = head.to_vec();
            t.push(last.wrapping_add(1));
            strings.push(t);
            strings.push(head.to_vec());
        }
    }
    for a in &strings {
        for b in &strings {
            assert_eq!(read::cmp_bytes(a, b), a.cmp(b), "{a:?} {b:?}");
            assert_eq!(same_bytes(a, b), a == b, "{a:?} {b:?}");
        }
    }
}
