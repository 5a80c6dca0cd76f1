//! Bulk matching equals the engine: for random small directories (tricky emails, repeated
//! ids, broken records, every input format, random options), `match_bulk` gives the same
//! status / reason / externalId / method per user as `PresenceState` plan + retry + apply
//! on a fresh state, and the same intake report as `core::intake`.

use super::*;
use crate::core::email_key::email_key;
use crate::core::intake::{intake_external_bytes, intake_source_bytes, Rejection};
use crate::core::mapping::{PresenceSettings, PresenceState, UnitRef};
use crate::core::matching::keys::{self as keys, ascii_skeleton, key_of, Keyed};
use crate::core::records::{ExternalUser, SourceUser, PERM_USER_MAPPING_MAP};
use proptest::prelude::*;
use serde_json::Value;
use std::borrow::Cow;

const EMAILS: &[&str] = &[
    "a@x.com",
    "A@X.com",
    " b@x.com ",
    "b@x.com",
    "c@x.com",
    "arn@x.com",
    "am@x.com",
    "al@x.com",
    "a1@x.com",
    "d+tag@x.com",
    "d@x.com",
    "p\u{430}ypal@x.com",
    "paypal@x.com",
    "\u{212A}im@x.com",
    "kim@x.com",
    "\u{FF41}@x.com",
    "u@b\u{FC}cher.de",
    "u@xn--bcher-kva.de",
    "U@B\u{DC}CHER.de",
    "e@X.COM",
    "bad",
    "a..b@x.com",
    "f@x.com.",
    "g\u{200B}@x.com",
    "",
    "   ",
];
const NAMES: &[Option<&str>] = &[None, Some("ann"), Some("bob"), Some(" ANN ")];
const STAMPS: &[Option<&str>] = &[
    None,
    Some("2026-01-01T00:00:00Z"),
    Some("2026-02-01T00:00:00Z"),
];

fn email() -> impl Strategy<Value = usize> {
    prop_oneof![3 => 0usize..11, 2 => 0..EMAILS.len()]
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

fn source() -> impl Strategy<Value = SourceUser> {
    (
        0u8..12,
        email(),
        0u8..4,
        prop::bool::weighted(0.85),
        0..NAMES.len(),
        0..NAMES.len(),
        0..STAMPS.len(),
    )
        .prop_map(|(id, e, perm, active, name, emp, at)| SourceUser {
            id: format!("u{id}"),
            email: opt(EMAILS[e]),
            permissions: match perm {
                0 => None,
                1 => Some(vec!["Other".into()]),
                _ => Some(vec!["Other".into(), PERM_USER_MAPPING_MAP.to_string()]),
            },
            active: (active || perm == 3).then_some(active),
            user_name: NAMES[name].map(str::to_string),
            employee_id: NAMES[emp].map(str::to_string),
            first_name: (name == 1).then(|| "Ann".to_string()),
            updated_at: STAMPS[at].map(str::to_string),
            ..Default::default()
        })
}

fn external() -> impl Strategy<Value = ExternalUser> {
    (
        0u8..12,
        email(),
        prop::bool::weighted(0.85),
        0..NAMES.len(),
        0..NAMES.len(),
        0..STAMPS.len(),
    )
        .prop_map(|(id, e, active, name, emp, at)| ExternalUser {
            id: format!("e{id}"),
            email: opt(EMAILS[e]),
            active: Some(active),
            user_name: NAMES[name].map(str::to_string),
            employee_id: NAMES[emp].map(str::to_string),
            updated_at: STAMPS[at].map(str::to_string),
            ..Default::default()
        })
}

/// Records that intake rejects or handles specially, as JSON objects.
const BROKEN_JSON: &[&str] = &[
    r#"{"id": 5.5}"#,
    r#"{"email": "a@x.com"}"#,
    r#"{"id": "  "}"#,
    r#"{"id": 7, "email": "a@x.com"}"#,
    r#"{"id": "u1", "active": "yes"}"#,
    r#"{"id": "u2", "id": "u3"}"#,
    r#"{"id": "u4", "x": 1, "x": 2}"#,
    r#"{"id": "u5", "firstName": 3}"#,
    r#"{"id": "u6", "permissions": ["UserMapping.Map", 1]}"#,
    r#"{"id": "u7", "updatedAt": "yesterday"}"#,
    r#"{"id": "u\u0038", "email": "h\u0040x.com", "permissions": ["UserMapping.Map"]}"#,
    r#"[1, 2]"#,
    r#"null"#,
];

/// The bytes of a file in `format`, with broken records mixed in (`broken` picks them).
pub(super) fn file<T: serde::Serialize>(
    records: &[T],
    format: InputFormat,
    broken: &[usize],
    source: bool,
) -> Vec<u8> {
    let mut objects: Vec<String> = records
        .iter()
        .map(|r| serde_json::to_string(r).unwrap_or_default())
        .collect();
    for (k, b) in broken.iter().enumerate() {
        let at = (b * 7 + k) % (objects.len() + 1);
        objects.insert(at, BROKEN_JSON[b % BROKEN_JSON.len()].to_string());
    }
    match format {
        InputFormat::Ndjson => {
            let mut s = objects.join("\n");
            if broken.len() % 2 == 1 {
                s.push_str("\n\nnot json\n");
            }
            s.into_bytes()
        }
        InputFormat::Json => format!("[\n{}\n]", objects.join(",\n")).into_bytes(),
        InputFormat::Csv => {
            let mut w = csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(Vec::new());
            let header = [
                "id",
                "email",
                "userName",
                "employeeId",
                "active",
                "permissions",
                "updatedAt",
            ];
            w.write_record(header).unwrap();
            for o in &objects {
                let v: Value = serde_json::from_str(o).unwrap_or(Value::Null);
                let cell = |k: &str| match v.get(k) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Bool(b)) => b.to_string(),
                    Some(Value::Number(n)) => n.to_string(),
                    Some(Value::Array(a)) => a
                        .iter()
                        .map(|x| {
                            x.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| x.to_string())
                        })
                        .collect::<Vec<_>>()
                        .join(";"),
                    _ => String::new(),
                };
                if v.is_null() {
                    w.write_record(["x", "y"]).unwrap();
                    continue;
                }
                let row: Vec<String> = header.iter().map(|h| cell(h)).collect();
                w.write_record(&row).unwrap();
            }
            let _ = source;
            w.into_inner().unwrap()
        }
    }
}

fn format() -> impl Strategy<Value = InputFormat> {
    prop_oneof![
        Just(InputFormat::Ndjson),
        Just(InputFormat::Json),
        Just(InputFormat::Csv)
    ]
}

fn rejected_rows(report: &[Rejection], side: &str) -> Vec<Value> {
    report
        .iter()
        .map(|r| {
            serde_json::json!({"side": side, "line": r.line.unwrap_or(r.index), "id": r.id,
                "field": r.field, "code": r.code.as_str(), "message": r.message})
        })
        .collect()
}

#[derive(Debug, Clone)]
pub(super) struct Case {
    pub src: Vec<SourceUser>,
    pub ext: Vec<ExternalUser>,
    pub fresh: Option<Vec<ExternalUser>>,
    pub formats: (InputFormat, InputFormat, InputFormat),
    pub broken: (Vec<usize>, Vec<usize>),
    pub options: BulkOptions,
}

pub(super) fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(source(), 0..14),
        prop::collection::vec(external(), 0..14),
        prop::option::weighted(0.4, prop::collection::vec(external(), 0..5)),
        (format(), format(), format()),
        (
            prop::collection::vec(0usize..40, 0..3),
            prop::collection::vec(0usize..40, 0..3),
        ),
        (any::<bool>(), any::<bool>(), any::<bool>(), 0u8..4),
    )
        .prop_map(
            |(src, ext, fresh, formats, broken, (mpg, cs, plus, fb))| Case {
                src,
                ext,
                fresh,
                formats,
                broken,
                options: BulkOptions {
                    missing_permissions_granted: mpg,
                    key: KeyOptions {
                        case_sensitive_local_part: cs,
                        strip_plus_tag: plus,
                    },
                    fallback_keys: match fb {
                        0 | 1 => vec![],
                        2 => vec![MatchedBy::UserName],
                        _ => vec![MatchedBy::EmployeeId, MatchedBy::UserName],
                    },
                    ..Default::default()
                },
            },
        )
}

fn check(c: Case) -> std::result::Result<(), TestCaseError> {
    let (sf, ef, ff) = c.formats;
    let sb = file(&c.src, sf, &c.broken.0, true);
    let eb = file(&c.ext, ef, &c.broken.1, false);
    let fb = c.fresh.as_ref().map(|f| file(f, ff, &[], false));
    let options = BulkOptions {
        source_format: Some(sf),
        external_format: Some(ef),
        refreshed_format: Some(ff),
        ..c.options.clone()
    };
    let csv = CsvOptions::default();

    // The engine, through intake.
    let si = intake_source_bytes(&sb, sf, &csv);
    let ei = intake_external_bytes(&eb, ef, &csv);
    let fi = fb.as_ref().map(|b| intake_external_bytes(b, ff, &csv));
    let bulk = match_bulk(&sb, &eb, fb.as_deref(), &options, &mut |_| {});
    let (si, ei) = match (si, ei, fi.clone().transpose()) {
        (Ok(s), Ok(e), Ok(_)) => (s, e),
        _ => {
            prop_assert!(bulk.is_err(), "intake refused a file, bulk did not");
            return Ok(());
        }
    };
    let fi = fi.and_then(Result::ok);
    let out: Value =
        serde_json::from_str(&bulk.map_err(|e| TestCaseError::fail(e.message))?).unwrap();

    let unit = UnitRef::new("bu", "ringcentral");
    let settings = PresenceSettings {
        key: options.key,
        missing_permissions_granted: options.missing_permissions_granted,
        fallback_keys: options.fallback_keys.clone(),
        ..Default::default()
    };
    let mut st = PresenceState::new(settings).unwrap();
    st.load_sources(&unit, si.records.clone()).unwrap();
    st.load_directory(&unit, ei.records.clone()).unwrap();
    let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    st.plan_auto_sync(&unit, "r".into(), now).unwrap();
    st.retry_auto_sync("r", fi.as_ref().map(|f| f.records.clone()), now)
        .unwrap();
    st.apply_plan(
        "r",
        &crate::core::mapping::Actor::with_map("auto"),
        true,
        now,
    )
    .unwrap();
    let want: Vec<Value> = st
        .status_rows(&unit)
        .unwrap()
        .into_iter()
        .map(|r| {
            serde_json::json!({"id": r.user_id, "status": r.status, "reason": r.reason,
                "externalId": r.external_id, "method": r.method})
        })
        .collect();
    prop_assert_eq!(&out["users"], &Value::Array(want));

    let mut rejected = rejected_rows(&si.report.rejected, "source");
    rejected.extend(rejected_rows(&ei.report.rejected, "external"));
    if let Some(f) = &fi {
        rejected.extend(rejected_rows(&f.report.rejected, "refreshed"));
    }
    prop_assert_eq!(&out["rejected"], &Value::Array(rejected));
    prop_assert_eq!(
        &out["summary"]["source"]["received"],
        &serde_json::json!(si.report.received)
    );
    prop_assert_eq!(
        &out["summary"]["external"]["accepted"],
        &serde_json::json!(ei.report.accepted)
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn bulk_equals_engine_plan_retry_apply(c in case()) {
        check(c)?;
    }

    /// The fast ASCII key is `email_key`'s key, skeleton and NFKC form exactly.
    #[test]
    fn fast_keys_equal_email_key(
        raw in "[ aAbBmM1l0O.+\\-_@xX\\[\"(]{0,12}(@[a-zA-Z0-9.\\-]{0,10})?[ ]{0,2}",
        cs in any::<bool>(),
        plus in any::<bool>(),
    ) {
        let opts = KeyOptions { case_sensitive_local_part: cs, strip_plus_tag: plus };
        let mut buf = String::new();
        let fast = key_of(Some(&Cow::Borrowed(raw.as_str())), &opts, &mut Vec::new());
        match (email_key(raw.trim(), &opts), &fast) {
            (_, Keyed::Missing) => prop_assert!(raw.trim().is_empty()),
            (Err(_), k) => prop_assert_eq!(k, &Keyed::Invalid),
            (Ok(k), Keyed::Valid { key, confusable, unusual, .. }) => {
                prop_assert_eq!(&k.key, key.as_ref());
                prop_assert_eq!(k.confusable.is_some(), *confusable);
                let skel = keys::skeleton_of(&fast, &mut buf);
                prop_assert_eq!(Some(k.skeleton.clone()), skel);
                if let Keyed::Valid { skel: h, .. } = &fast {
                    prop_assert_eq!(*h, keys::hash_str(&k.skeleton));
                }
                let nfkc = unusual.as_ref().map_or(key.to_string(), |u| u.nfkc.clone());
                prop_assert_eq!(k.nfkc_key, nfkc);
            }
            (Ok(_), Keyed::Invalid) => prop_assert!(false, "fast path refused a valid address"),
        }
    }

    #[test]
    fn ascii_skeleton_is_the_uts39_skeleton(s in "[ -~]{0,16}") {
        let mut buf = String::new();
        ascii_skeleton(&s, &mut buf);
        let want: String = unicode_security::skeleton(&s).collect();
        prop_assert_eq!(&buf, &want);
        let mut scratch = Vec::new();
        prop_assert_eq!(
            keys::ascii_skeleton_hash(&s, &mut scratch),
            keys::hash_str(&want)
        );
    }
}
