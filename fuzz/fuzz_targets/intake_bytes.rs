//! File intake over arbitrary bytes, each format and side: never panics, and the report
//! always accounts for every record (received = accepted + rejected).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::BTreeSet;
use usersync::core::intake::{
    intake_external_bytes, intake_source_bytes, CsvOptions, InputFormat, IntakeReport,
};
use usersync::core::ErrorCode;

fn check_report(report: &IntakeReport, accepted_ids: Vec<&str>) {
    assert_eq!(report.received, report.accepted + report.rejected.len());
    assert_eq!(report.accepted, accepted_ids.len());
    let unique: BTreeSet<&str> = accepted_ids.iter().copied().collect();
    assert_eq!(
        unique.len(),
        accepted_ids.len(),
        "an accepted id appears twice"
    );
    assert!(
        accepted_ids.iter().all(|id| !id.trim().is_empty()),
        "an accepted record has no id"
    );
    assert!(
        report.rejected.windows(2).all(|w| w[0].index <= w[1].index),
        "rejections unsorted"
    );
}

fuzz_target!(|input: (u8, bool, &[u8])| {
    let (f, source, bytes) = input;
    let format = match f % 3 {
        0 => InputFormat::Json,
        1 => InputFormat::Ndjson,
        _ => InputFormat::Csv,
    };
    let csv = CsvOptions::default();
    let result = if source {
        intake_source_bytes(bytes, format, &csv)
            .map(|i| check_report(&i.report, i.records.iter().map(|r| r.id.as_str()).collect()))
    } else {
        intake_external_bytes(bytes, format, &csv)
            .map(|i| check_report(&i.report, i.records.iter().map(|r| r.id.as_str()).collect()))
    };
    if let Err(e) = result {
        assert_eq!(e.code, ErrorCode::InvalidInput, "{}", e.message);
        assert!(
            format != InputFormat::Ndjson,
            "NDJSON rejects lines, never the whole file"
        );
    }
});
