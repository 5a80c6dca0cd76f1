//! The bulk core compiled natively, for the benchmark (tests/bench/bench.mjs):
//!   cargo run --release --example bench_native -- SOURCE EXTERNAL [json|csv] [OUT]
//! Prints one JSON line: elapsed milliseconds (files read to report built, and written to
//! OUT when given), milliseconds per phase, peak RSS, and the report's length.

use std::time::Instant;
use usersync::core::bulk::{match_bulk, BulkOptions, BulkOutputFormat};

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(src), Some(ext)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: bench_native SOURCE EXTERNAL [json|csv]");
        std::process::exit(2);
    };
    let output = match args.get(3).map(String::as_str) {
        Some("csv") => BulkOutputFormat::Csv,
        _ => BulkOutputFormat::Json,
    };
    let t = Instant::now();
    let (s, e) = match (std::fs::read(src), std::fs::read(ext)) {
        (Ok(s), Ok(e)) => (s, e),
        _ => {
            eprintln!("cannot read the inputs");
            std::process::exit(1);
        }
    };
    let options = BulkOptions {
        output,
        ..Default::default()
    };
    // Time per phase, from one phase's first progress event to the next one's.
    let mut phases: Vec<(String, f64)> = Vec::new();
    let mut last = (String::from("read_files"), Instant::now());
    let mut on_progress = |p: usersync::core::bulk::BulkProgress| {
        let name = serde_json::to_value(p.phase)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        if name != last.0 {
            phases.push((last.0.clone(), last.1.elapsed().as_secs_f64() * 1000.0));
            last = (name, Instant::now());
        }
    };
    let report = match match_bulk(&s, &e, None, &options, &mut on_progress) {
        Ok(r) => r,
        Err(err) => {
            eprintln!("{}: {}", err.code.as_str(), err.message);
            std::process::exit(1);
        }
    };
    if let Some(out) = args.get(4) {
        if std::fs::write(out, &report).is_err() {
            eprintln!("cannot write {out}");
            std::process::exit(1);
        }
    }
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    let phases: Vec<String> = phases
        .iter()
        .map(|(n, ms)| format!("\"{n}\":{ms:.1}"))
        .collect();
    println!(
        "{{\"ms\":{ms:.1},\"phases\":{{{}}},\"maxRssKiB\":{},\"outputBytes\":{}}}",
        phases.join(","),
        peak_rss_kib(),
        report.len()
    );
}
