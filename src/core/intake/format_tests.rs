//! Unit tests for the file formats (JSON array, NDJSON, CSV), fixtures inline.

use super::tests::{ids, no_csv, only_rejection, row, rows};
use super::*;

#[test]
fn format_from_path_reads_the_extension() {
    assert_eq!(format_from_path("users.json"), Some(InputFormat::Json));
    assert_eq!(
        format_from_path("/a.b/users.NDJSON"),
        Some(InputFormat::Ndjson)
    );
    assert_eq!(
        format_from_path("C:\\x\\users.jsonl"),
        Some(InputFormat::Ndjson)
    );
    assert_eq!(format_from_path("export.Csv"), Some(InputFormat::Csv));
    assert_eq!(format_from_path("users.txt"), None);
    assert_eq!(format_from_path("json"), None);
    assert_eq!(format_from_path("dir.csv/users"), None);
}

#[test]
fn json_array_positions_are_indexes_and_rejections_get_lines() {
    let file = b"[\n  {\"id\": \"a\"},\n  \"oops\",\n  {\n    \"id\": \"\"\n  },\n  {\"id\": \"b\", \"id\": \"c\"}\n]\n";
    let out = intake_source_bytes(file, InputFormat::Json, &no_csv()).unwrap();
    assert_eq!(ids(&out.records), ["a"]);
    assert_eq!(
        rows(&out.report),
        [
            row(1, None, None, ErrorCode::InvalidInput),
            row(2, None, Some("id"), ErrorCode::MissingField),
            row(3, Some("b"), Some("id"), ErrorCode::InvalidInput),
        ]
    );
    let lines: Vec<_> = out.report.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, [Some(3), Some(4), Some(7)]);
    assert_eq!(out.report.received, 4);

    let (raw, rejected) = parse_bytes(file, InputFormat::Json, Side::Source, &no_csv()).unwrap();
    assert_eq!(raw.iter().map(|r| r.position).collect::<Vec<_>>(), [0, 2]);
    assert_eq!(
        rejected
            .iter()
            .map(|r| (r.index, r.line))
            .collect::<Vec<_>>(),
        [(1, Some(3)), (3, Some(7))]
    );
}

#[test]
fn json_file_that_is_not_one_valid_array_is_an_error() {
    for (file, needle) in [
        (&b"{\"id\": \"a\"}"[..], "array"),
        (b"", "array"),
        (b"[{\"id\": \"a\"},\n{\"id\": }]", "line 2"),
        (b"[{\"id\": \"a\"}", "not closed"),
        (b"[{\"id\": \"a\"} {\"id\": \"b\"}]", "expected `,`"),
        (b"[{\"id\": \"a\"},]", "invalid JSON"),
        (b"[] []", "after the array"),
        (b"[{\"id\": \"\xff\"}]", "invalid JSON"),
    ] {
        let err = intake_external_bytes(file, InputFormat::Json, &no_csv()).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(
            err.message.contains(needle),
            "{:?}: {}",
            String::from_utf8_lossy(file),
            err.message
        );
    }
}

#[test]
fn json_array_edge_cases_parse() {
    let out = intake_external_bytes(b"\xEF\xBB\xBF [ ] ", InputFormat::Json, &no_csv()).unwrap();
    assert_eq!(out.report, IntakeReport::default());
    let out = intake_external_bytes(
        b"[1,null,[{\"id\":\"x\"}],{\"id\":2}]",
        InputFormat::Json,
        &no_csv(),
    )
    .unwrap();
    assert_eq!(ids(&out.records), ["2"]);
    assert_eq!(out.report.rejected.len(), 3);
    assert!(out.report.rejected[0]
        .message
        .contains("is a number, not a user object"));
}

#[test]
fn ndjson_positions_are_lines_and_bad_lines_are_rejections() {
    let file = b"{\"id\":\"a\"}\r\n\n   \n{\"id\":\"b\"\n[1]\n{\"id\":\"\xff\"}\n{\"id\":\"c\",\"email\":3}\n{\"id\":\"d\"}";
    let out = intake_source_bytes(file, InputFormat::Ndjson, &no_csv()).unwrap();
    assert_eq!(ids(&out.records), ["a", "d"]);
    assert_eq!(
        rows(&out.report),
        [
            row(4, None, None, ErrorCode::InvalidInput),
            row(5, None, None, ErrorCode::InvalidInput),
            row(6, None, None, ErrorCode::InvalidInput),
            row(7, Some("c"), Some("email"), ErrorCode::InvalidInput),
        ]
    );
    assert!(out.report.rejected.iter().all(|r| r.line == Some(r.index)));
    assert!(
        out.report.rejected[0]
            .message
            .starts_with("line 4: is not valid JSON"),
        "{}",
        out.report.rejected[0].message
    );
    assert!(out.report.rejected[2].message.contains("UTF-8"));
    assert_eq!(out.report.received, 6);
}

#[test]
fn ndjson_bom_and_duplicates_report_lines() {
    let file = b"\xEF\xBB\xBF{\"id\":\"a\",\"updatedAt\":\"2024-01-01T00:00:00Z\"}\n{\"id\":\"a\",\"updatedAt\":\"2024-02-01T00:00:00Z\"}\n";
    let out = intake_external_bytes(file, InputFormat::Ndjson, &no_csv()).unwrap();
    assert_eq!(
        out.records[0].updated_at.as_deref(),
        Some("2024-02-01T00:00:00Z")
    );
    let r = only_rejection(&out.report);
    assert_eq!(
        (r.index, r.line, r.code),
        (1, Some(1), ErrorCode::Superseded)
    );
    assert!(r.message.contains("superseded by line 2"), "{}", r.message);
}

#[test]
fn csv_reads_typed_cells_with_physical_lines() {
    let file = "\u{FEFF}id,email,active,permissions,teamFeatures,notes,updatedAt\n\
                a, a@x.com ,Yes,UserMapping.Map; Other,WFMAdvanced,\"multi\nline\",2024-01-01T00:00:00Z\n\
                b,,0,,,,\n\
                c,c@x.com,maybe,,,,\n\
                d,d@x.com,TRUE,a|b||,,,\n";
    let out = intake_source_bytes(file.as_bytes(), InputFormat::Csv, &no_csv()).unwrap();
    assert_eq!(ids(&out.records), ["a", "b", "d"]);
    let a = &out.records[0];
    assert_eq!(a.email.as_deref(), Some("a@x.com"));
    assert_eq!(a.active, Some(true));
    assert_eq!(
        a.permissions,
        Some(vec!["UserMapping.Map".into(), "Other".into()])
    );
    assert_eq!(a.team_features, Some(vec!["WFMAdvanced".into()]));
    assert_eq!(
        out.records[1],
        SourceUser {
            id: "b".into(),
            active: Some(false),
            ..Default::default()
        }
    );
    assert_eq!(
        out.records[2].permissions,
        Some(vec!["a".into(), "b".into()])
    );
    // The quoted cell spans lines 2-3, so "b" starts on line 4.
    assert_eq!(
        rows(&out.report),
        [row(5, Some("c"), Some("active"), ErrorCode::InvalidInput)]
    );
    assert_eq!(out.report.rejected[0].line, Some(5));
    let (raw, _) = parse_bytes(file.as_bytes(), InputFormat::Csv, Side::Source, &no_csv()).unwrap();
    assert_eq!(
        raw.iter().map(|r| r.position).collect::<Vec<_>>(),
        [2, 4, 5, 6]
    );
}

#[test]
fn csv_wrong_arity_and_bad_utf8_are_rejections_and_reading_continues() {
    let file = b"id,email,other\na,a@x.com,1\nb,b@x.com\nc,\xff@x.com,1\nd,d@x.com,\xff\ne,e@x.com,1,2\nf,f@x.com,1\n";
    let out = intake_external_bytes(file, InputFormat::Csv, &no_csv()).unwrap();
    // The bad byte in the unknown column "other" is ignored, like the column.
    assert_eq!(ids(&out.records), ["a", "d", "f"]);
    assert_eq!(
        rows(&out.report),
        [
            row(3, None, None, ErrorCode::InvalidInput),
            row(4, Some("c"), Some("email"), ErrorCode::InvalidInput),
            row(6, None, None, ErrorCode::InvalidInput),
        ]
    );
    assert!(
        out.report.rejected[0]
            .message
            .contains("has 2 cells but the header has 3"),
        "{}",
        out.report.rejected[0].message
    );
    assert_eq!(out.report.received, 6);
}

#[test]
fn csv_columns_rename_headers_and_delimiter_is_configurable() {
    let opts = CsvOptions {
        columns: vec![
            CsvColumn {
                field: "id".into(),
                header: "User ID".into(),
            },
            CsvColumn {
                field: "email".into(),
                header: "E-mail".into(),
            },
            CsvColumn {
                field: "userName".into(),
                header: "E-mail".into(),
            },
        ],
        delimiter: Some(';'),
    };
    let file = b"User ID;E-mail;displayName;id\n42;a@x.com;Ann;ignored\n";
    let out = intake_external_bytes(file, InputFormat::Csv, &opts);
    // "id" is also a header, feeding the same field as "User ID".
    let err = out.unwrap_err();
    assert!(
        err.message.contains("\"User ID\" and \"id\""),
        "{}",
        err.message
    );

    let file = b"User ID;E-mail;displayName;Dept\n42;a@x.com;Ann;Sales\n";
    let out = intake_external_bytes(file, InputFormat::Csv, &opts).unwrap();
    let u = &out.records[0];
    assert_eq!(
        (
            u.id.as_str(),
            u.email.as_deref(),
            u.user_name.as_deref(),
            u.display_name.as_deref()
        ),
        ("42", Some("a@x.com"), Some("a@x.com"), Some("Ann"))
    );
}

#[test]
fn csv_header_problems_are_errors() {
    let renamed = CsvOptions {
        columns: vec![CsvColumn {
            field: "id".into(),
            header: "UserId".into(),
        }],
        delimiter: None,
    };
    for (file, opts, needle) in [
        (&b""[..], no_csv(), "no header"),
        (
            b"email,name\na@x,A\n",
            no_csv(),
            "expected a column named \"id\"",
        ),
        (
            b"id2,email\n",
            renamed.clone(),
            "expected a column named \"UserId\"",
        ),
        (b"id,email,email\n", no_csv(), "both feed field `email`"),
        (b"id,\xff\n", no_csv(), "not valid UTF-8"),
        (
            b"id\n",
            CsvOptions {
                delimiter: Some('é'),
                ..no_csv()
            },
            "delimiter",
        ),
        (
            b"id\n",
            CsvOptions {
                columns: vec![CsvColumn {
                    field: "mail".into(),
                    header: "x".into(),
                }],
                delimiter: None,
            },
            "not a field name",
        ),
    ] {
        let err = intake_source_bytes(file, InputFormat::Csv, &opts).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(err.message.contains(needle), "{needle}: {}", err.message);
    }
}

#[test]
fn csv_rename_to_a_field_of_the_other_side_is_allowed_and_ignored() {
    let opts = CsvOptions {
        columns: vec![CsvColumn {
            field: "permissions".into(),
            header: "Perms".into(),
        }],
        delimiter: None,
    };
    let out = intake_external_bytes(b"id,Perms\na,x\n", InputFormat::Csv, &opts).unwrap();
    assert_eq!(ids(&out.records), ["a"]);
}

#[test]
fn csv_missing_id_cell_is_missing_field_with_its_line() {
    let out = intake_source_bytes(
        b"id,email\n,a@x.com\n  ,b@x.com\n",
        InputFormat::Csv,
        &no_csv(),
    )
    .unwrap();
    assert_eq!(
        rows(&out.report),
        [
            row(2, None, Some("id"), ErrorCode::MissingField),
            row(3, None, Some("id"), ErrorCode::MissingField)
        ]
    );
}

#[test]
fn large_files_parse_in_linear_time() {
    let n = 50_000;
    let one_line: String = format!(
        "[{}]",
        (0..n)
            .map(|i| format!("{{\"id\":{i},\"email\":\"u{i}@x.com\"}}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let started = std::time::Instant::now();
    let out = intake_source_bytes(one_line.as_bytes(), InputFormat::Json, &no_csv()).unwrap();
    assert_eq!(out.records.len(), n);
    let ndjson = one_line.trim_matches(['[', ']']).replace("},{", "}\n{");
    let out = intake_source_bytes(ndjson.as_bytes(), InputFormat::Ndjson, &no_csv()).unwrap();
    assert_eq!(out.records.len(), n);
    let csv: String = std::iter::once("id,email\n".to_owned())
        .chain((0..n).map(|i| format!("{i},u{i}@x.com\n")))
        .collect();
    let out = intake_source_bytes(csv.as_bytes(), InputFormat::Csv, &no_csv()).unwrap();
    assert_eq!(out.records.len(), n);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn csv_headers_match_field_names_and_renames_in_any_case() {
    // Exports capitalise headers: "Email" and "FIRSTNAME" feed `email` and `firstName`.
    let file = "ID,Email,FIRSTNAME,Active\nu1,a@x.com,Ann,yes\n";
    let out = intake_source_bytes(file.as_bytes(), InputFormat::Csv, &no_csv()).unwrap();
    assert_eq!(out.records[0].email.as_deref(), Some("a@x.com"));
    assert_eq!(out.records[0].first_name.as_deref(), Some("Ann"));
    assert_eq!(out.records[0].active, Some(true));
    // A rename's header matches in any case too, and wins over a same-named column.
    let opts = CsvOptions {
        columns: vec![CsvColumn {
            field: "email".into(),
            header: "work mail".into(),
        }],
        ..Default::default()
    };
    let out = intake_source_bytes(b"id,Work Mail\nu1,b@x.com\n", InputFormat::Csv, &opts).unwrap();
    assert_eq!(out.records[0].email.as_deref(), Some("b@x.com"));
    // Two columns that differ only in case feed one field: refused, naming both.
    let err = intake_source_bytes(
        b"id,email,EMAIL\nu1,a@x.com,b@x.com\n",
        InputFormat::Csv,
        &no_csv(),
    )
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(
        err.message.contains("\"email\" and \"EMAIL\""),
        "{}",
        err.message
    );
}
