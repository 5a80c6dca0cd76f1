//! Schedule settings: arbitrary JSON, and structured schedules with arbitrary field values,
//! through validate / next_runs / previous_run / is_due. Never panics; run times are strictly
//! increasing, after `from`, at most `count`; an invalid schedule fails the same way in every
//! call.
#![no_main]

use arbitrary::Arbitrary;
use jiff::Timestamp;
use libfuzzer_sys::fuzz_target;
use usersync::core::schedule::{Frequency, Schedule, Weekday};
use usersync::core::ErrorCode;

/// Zones with awkward calendars (DST, half-hour DST, date-line jumps), and arbitrary text.
const ZONES: &[&str] = &[
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Pacific/Kiritimati",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Antarctica/Troll",
    "Africa/Casablanca",
];

#[derive(Debug, Arbitrary)]
enum Zone {
    Known(u8),
    Text(String),
}

#[derive(Debug, Arbitrary)]
enum Freq {
    Every(u32),
    Hourly(u8),
    Daily(String),
    DailyAt(u8, u8),
    Weekly(Vec<u8>, u8, u8),
}

#[derive(Debug, Arbitrary)]
enum Input<'a> {
    Json(&'a [u8]),
    Built {
        enabled: bool,
        zone: Zone,
        freq: Freq,
        anchor: Option<i64>,
        anchor_text: Option<String>,
    },
}

const DAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

fn instant(s: i64) -> Timestamp {
    let min = Timestamp::MIN.as_second();
    let max = Timestamp::MAX.as_second();
    Timestamp::from_second(s.clamp(min, max)).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn build(
    enabled: bool,
    zone: Zone,
    freq: Freq,
    anchor: Option<i64>,
    text: Option<String>,
) -> Schedule {
    let time_zone = match zone {
        Zone::Known(i) => ZONES[usize::from(i) % ZONES.len()].to_string(),
        Zone::Text(s) => s,
    };
    let hhmm = |h: u8, m: u8| format!("{:02}:{:02}", h % 26, m % 62);
    let frequency = match freq {
        Freq::Every(minutes) => Frequency::EveryMinutes { minutes },
        Freq::Hourly(minute) => Frequency::Hourly { minute },
        Freq::Daily(time) => Frequency::Daily { time },
        Freq::DailyAt(h, m) => Frequency::Daily { time: hhmm(h, m) },
        Freq::Weekly(days, h, m) => Frequency::Weekly {
            days: days.iter().map(|d| DAYS[usize::from(*d) % 7]).collect(),
            time: hhmm(h, m),
        },
    };
    let anchor = text.or_else(|| anchor.map(|s| instant(s).to_string()));
    Schedule {
        enabled,
        frequency,
        time_zone,
        anchor,
    }
}

fuzz_target!(|input: (Input, i64, i64, u8)| {
    let (input, from, last, count) = input;
    let schedule = match input {
        Input::Json(bytes) => match serde_json::from_slice::<Schedule>(bytes) {
            Ok(s) => s,
            Err(_) => return,
        },
        Input::Built {
            enabled,
            zone,
            freq,
            anchor,
            anchor_text,
        } => build(enabled, zone, freq, anchor, anchor_text),
    };
    let from = instant(from);
    let count = usize::from(count);
    let valid = schedule.validate();
    match schedule.next_runs(from, count) {
        Ok(runs) => {
            assert!(valid.is_ok());
            assert!(runs.len() <= count);
            assert!(runs.iter().all(|t| *t > from), "a run at or before `from`");
            assert!(
                runs.windows(2).all(|w| w[0] < w[1]),
                "runs not strictly increasing"
            );
            // Each run time is its own previous run (previous_run is "at or before"), and
            // the previous run of `from` comes before the first next run.
            if let Some(first) = runs.first() {
                assert_eq!(
                    schedule.previous_run(*first).ok(),
                    Some(Some(*first)),
                    "from {from}"
                );
                if let Ok(Some(prev)) = schedule.previous_run(from) {
                    assert!(prev <= from && prev < *first);
                }
            }
        }
        Err(e) => {
            assert_eq!(e.code, ErrorCode::InvalidInput);
            assert!(valid.is_err());
        }
    }
    let last = instant(last);
    let due = schedule.is_due(Some(last), from);
    assert_eq!(due.is_ok(), valid.is_ok());
    if !schedule.enabled {
        assert!(!due.unwrap_or(false), "a disabled schedule is never due");
    }
    let _ = schedule.previous_run(from);
    let _ = schedule.is_due(None, from);
    let _ = schedule.next_runs_rfc3339(&schedule.time_zone, 1);
});
