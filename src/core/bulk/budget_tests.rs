//! The memory bound of a bulk job: estimated by records, not bytes alone, and enforced while
//! reading, so a job completes or stops with `input_too_large`.

use super::budget::{count_bytes, find_byte, job_memory, record_bound, PER_RECORD};
use super::*;
use crate::core::intake::InputFormat;

fn limited(limit: u64) -> BulkOptions {
    BulkOptions {
        memory_limit: Some(limit),
        ..Default::default()
    }
}

fn run(src: &[u8], ext: &[u8], limit: u64) -> Result<String> {
    match_bulk(src, ext, None, &limited(limit), &mut |_| {})
}

/// Dense short rows: `id,email` of a few bytes each.
fn short_rows(n: usize, prefix: &str) -> Vec<u8> {
    let mut out = String::from("id,email,permissions\n");
    for i in 0..n {
        out.push_str(&format!("{prefix}{i},{i}@x.co,UserMapping.Map\n"));
    }
    out.into_bytes()
}

fn need_of(src: &[u8], ext: &[u8]) -> u64 {
    let records = record_bound(src, InputFormat::Csv) + record_bound(ext, InputFormat::Csv);
    job_memory((src.len() + ext.len()) as u64, records as u64).unwrap()
}

#[test]
fn the_record_bound_counts_lines_or_objects_exactly() {
    let cases: &[(&[u8], InputFormat, usize)] = &[
        (b"", InputFormat::Ndjson, 1),
        (b"{\"id\":\"a\"}\n{\"id\":\"b\"}\n", InputFormat::Ndjson, 3),
        (b"id\na\nb", InputFormat::Csv, 3),
        // Old Mac line ends: a lone CR ends a CSV record too.
        (b"id\ra\rb\r", InputFormat::Csv, 4),
        (b"id\r\na\r\n", InputFormat::Csv, 3),
        (
            b"[{\"id\":\"a\"},{\"id\":\"b\",\"x\":{}}]",
            InputFormat::Json,
            3,
        ),
        (b"[1,2,3]", InputFormat::Json, 0),
    ];
    for (bytes, format, want) in cases {
        assert_eq!(record_bound(bytes, *format), *want, "{bytes:?}");
    }
    // The word-at-a-time count equals a plain count on every byte value and alignment.
    let bytes: Vec<u8> = (0..4099u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    for start in 0..9 {
        let slice = &bytes[start..];
        let count = |c: u8| slice.iter().filter(|&&b| b == c).count();
        assert_eq!(record_bound(slice, InputFormat::Ndjson), count(b'\n') + 1);
        let csv = count(b'\n').max(count(b'\r')) + 1;
        assert_eq!(record_bound(slice, InputFormat::Csv), csv);
        let braces = slice.iter().filter(|&&b| b == b'{').count();
        assert_eq!(record_bound(slice, InputFormat::Json), braces);
    }
}

#[test]
fn the_count_holds_past_what_one_lane_counter_can_hold() {
    // Every byte a hit, over many 8-bit counter spans, at every alignment and length end.
    for len in [0, 1, 31, 32, 33, 8159, 8160, 8161, 100_003] {
        let mut bytes = vec![b'\n'; len];
        if let Some(b) = bytes.get_mut(len / 2) {
            *b = b'\r';
        }
        for start in [0, 1, 7] {
            let slice = bytes.get(start.min(len)..).unwrap_or_default();
            let lf = slice.iter().filter(|&&b| b == b'\n').count();
            let cr = slice.len() - lf;
            assert_eq!(count_bytes(slice, b'\n', b'\r'), (lf, cr), "{len} {start}");
            assert_eq!(count_bytes(slice, b'\r', b'\r'), (cr, cr), "{len} {start}");
        }
    }
}

#[test]
fn find_byte_finds_what_a_plain_search_finds() {
    let bytes: Vec<u8> = (0..2000u32)
        .map(|i| match i.wrapping_mul(2654435761) >> 27 {
            0 => b'\n',
            1 => 0x8A,
            2 => 0x0B,
            r => r as u8 + 0x40,
        })
        .collect();
    for from in 0..=bytes.len() + 1 {
        let plain = bytes
            .get(from..)
            .and_then(|r| r.iter().position(|&b| b == b'\n'))
            .map(|i| from + i);
        assert_eq!(find_byte(&bytes, from, b'\n'), plain, "from {from}");
    }
    assert_eq!(find_byte(b"", 0, b'\n'), None);
    assert_eq!(find_byte(b"abcdefgh\n", 0, b'\n'), Some(8));
}

#[test]
fn dense_short_rows_are_charged_per_record_not_per_byte() {
    let src = short_rows(20_000, "u");
    let ext = short_rows(20_000, "e");
    let need = need_of(&src, &ext);
    // Rows of ~30 bytes: the records, not the bytes, make the estimate.
    assert!(need >= 40_000 * PER_RECORD, "{need}");
    assert!(need > 10 * (src.len() + ext.len()) as u64, "{need}");
    // The boundary: exactly the estimate runs; a byte less is refused up front.
    let out = run(&src, &ext, need).unwrap();
    assert!(out.contains("\"mapped\":20000"), "{}", &out[..200]);
    let err = run(&src, &ext, need - 1).unwrap_err();
    assert_eq!(err.code, ErrorCode::InputTooLarge);
    assert!(err.message.contains("40004 records"), "{}", err.message);
}

#[test]
fn wide_rows_are_charged_by_their_bytes() {
    let note = "n".repeat(4000);
    let mut src = String::from("id,email,permissions,note\n");
    let mut ext = String::from("id,email,note\n");
    for i in 0..500 {
        src.push_str(&format!("u{i},{i}@x.co,UserMapping.Map,{note}\n"));
        ext.push_str(&format!("e{i},{i}@x.co,{note}\n"));
    }
    let need = need_of(src.as_bytes(), ext.as_bytes());
    let input = (src.len() + ext.len()) as u64;
    // A few hundred bytes per record on top of twice the input, not a multiple of it.
    assert!(
        need < 3 * input + 1004 * PER_RECORD + (16 << 20) + 1,
        "{need}"
    );
    assert!(need >= 3 * input);
    let out = run(src.as_bytes(), ext.as_bytes(), need).unwrap();
    assert!(out.contains("\"mapped\":500"));
}

#[test]
fn rejections_past_the_estimate_stop_the_job_while_reading() {
    // Every line is rejected (not JSON), and each rejection keeps a message: more than the
    // estimate per record foresaw, so a job limited to the estimate stops with
    // input_too_large instead of running out of memory.
    let src: Vec<u8> = "{x\n".repeat(200_000).into_bytes();
    let ext = b"[]".to_vec();
    let records = record_bound(&src, InputFormat::Ndjson) + record_bound(&ext, InputFormat::Json);
    let need = job_memory((src.len() + ext.len()) as u64, records as u64).unwrap();
    let err = run(&src, &ext, need).unwrap_err();
    assert_eq!(err.code, ErrorCode::InputTooLarge);
    assert!(err.message.contains("while reading"), "{}", err.message);
    // With room for them, the same job completes and reports every rejection.
    let out = run(&src, &ext, need * 3).unwrap();
    assert!(out.contains("\"rejected\":200000"), "{}", &out[..300]);
}

#[test]
fn the_known_failure_is_refused_up_front() {
    // 150 MiB of 9-byte rows (`u1,a@b.c`) once passed the bytes-only estimate and ran the
    // instance out of memory; by records it is refused before any work.
    let records = (150u64 << 20) / 9;
    assert!(job_memory(150 << 20, records).unwrap() > MEMORY_LIMIT);
    // The same bytes in 30-byte rows fit.
    assert!(job_memory(150 << 20, (150u64 << 20) / 30).unwrap() < MEMORY_LIMIT);
    // A million users a side of ordinary rows (~110 bytes) stays well inside.
    assert!(job_memory(220_000_000, 2_000_000).unwrap() < MEMORY_LIMIT / 2);
}
