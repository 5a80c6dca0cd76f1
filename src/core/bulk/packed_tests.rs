//! A job over sides read apart and packed gives, byte for byte, the report (or the error)
//! of the same job read in one place.

use super::proptests::{case, file, Case};
use super::*;
use proptest::prelude::*;

fn both(
    sb: &[u8],
    eb: &[u8],
    fb: Option<&[u8]>,
    options: &BulkOptions,
) -> (Result<String>, Result<String>) {
    let one = match_bulk(sb, eb, fb, options, &mut |_| {});
    let ps = pack_side(sb, BulkInput::Source, options);
    let pe = pack_side(eb, BulkInput::External, options);
    let pf = fb.map(|f| pack_side(f, BulkInput::Refreshed, options));
    let two = match_packed(&ps, &pe, pf.as_deref(), options, &mut |_| {});
    (one, two)
}

fn check(c: Case, csv: bool, unit: u8, sniff: bool) -> std::result::Result<(), TestCaseError> {
    let mut c = c;
    for (i, u) in c.src.iter_mut().enumerate() {
        u.business_unit_id = match (unit, i % 3) {
            (0, _) => None,
            (1, _) | (_, 0 | 1) => Some("bu".into()),
            _ => Some("other".into()),
        };
    }
    let (sf, ef, ff) = c.formats;
    let sb = file(&c.src, sf, &c.broken.0, true);
    let eb = file(&c.ext, ef, &c.broken.1, false);
    let fb = c.fresh.as_ref().map(|f| file(f, ff, &[], false));
    let known = |f| (!sniff || f == InputFormat::Csv).then_some(f);
    let options = BulkOptions {
        source_format: known(sf),
        external_format: known(ef),
        refreshed_format: known(ff),
        output: if csv {
            BulkOutputFormat::Csv
        } else {
            BulkOutputFormat::Json
        },
        business_unit_id: (unit > 0).then(|| "bu".to_string()),
        ..c.options
    };
    let (one, two) = both(&sb, &eb, fb.as_deref(), &options);
    prop_assert_eq!(one, two);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn packed_sides_give_the_same_report(
        c in case(), csv in any::<bool>(), unit in 0u8..3, sniff in any::<bool>()
    ) {
        check(c, csv, unit, sniff)?;
    }
}

#[test]
fn csv_options_and_a_whole_file_failure_come_through() {
    let options = BulkOptions {
        csv: serde_json::from_value(serde_json::json!({
            "delimiter": ";",
            "columns": [{"field": "email", "header": "Mail"}]
        }))
        .unwrap(),
        ..Default::default()
    };
    let src = b"id;Mail;permissions\nu1;A@x.com;UserMapping.Map\nu2;;UserMapping.Map\n;c@x.com;\n";
    let ext = b"id;Mail\ne1;a@X.com\ne2;b@x.com\n";
    let (one, two) = both(src, ext, None, &options);
    assert!(one.is_ok());
    assert_eq!(one, two);
    // A file intake refuses whole: the same error either way.
    let (one, two) = both(src, b"[{\"id\": ", None, &BulkOptions::default());
    assert!(one.is_err());
    assert_eq!(one, two);
}

#[test]
fn the_memory_check_counts_the_files_not_the_packs() {
    let src = "{\"id\":\"u\"}\n".repeat(2000);
    let options = BulkOptions {
        memory_limit: Some(17 << 20),
        ..Default::default()
    };
    let (one, two) = both(src.as_bytes(), b"[]", None, &options);
    assert_eq!(one.map_err(|e| e.code), Err(ErrorCode::InputTooLarge));
    assert_eq!(one_code(two), Some(ErrorCode::InputTooLarge));
}

fn one_code(r: Result<String>) -> Option<ErrorCode> {
    r.err().map(|e| e.code)
}

#[test]
fn a_damaged_pack_is_refused_not_trusted() {
    let options = BulkOptions::default();
    let good = pack_side(
        b"{\"id\":\"u1\",\"email\":\"a@x.com\"}\n{\"email\":\"b@x.com\"}\n{\"id\":\"u2\",\"email\":\"p\xD0\xB0ypal@x.com\"}\n",
        BulkInput::Source,
        &options,
    );
    let ext = pack_side(b"[]", BulkInput::External, &options);
    assert!(match_packed(&good, &ext, None, &options, &mut |_| {}).is_ok());
    for cut in 0..good.len() {
        let r = match_packed(&good[..cut], &ext, None, &options, &mut |_| {});
        assert_eq!(one_code(r), Some(ErrorCode::InvalidInput), "cut at {cut}");
    }
    let mut bad = good.clone();
    bad.push(0);
    assert!(match_packed(&bad, &ext, None, &options, &mut |_| {}).is_err());
    // A packed failure, cut anywhere, is still refused (never taken for a report).
    let failed = pack_side(b"[{", BulkInput::Source, &options);
    for cut in 0..=failed.len() {
        assert!(match_packed(&failed[..cut], &ext, None, &options, &mut |_| {}).is_err());
    }
}
