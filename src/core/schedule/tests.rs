use super::*;
use crate::core::error::ErrorCode;
use proptest::prelude::*;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn sched(tz: &str, frequency: Frequency) -> Schedule {
    Schedule {
        enabled: true,
        frequency,
        time_zone: tz.into(),
        anchor: None,
    }
}

fn daily(tz: &str, time: &str) -> Schedule {
    sched(tz, Frequency::Daily { time: time.into() })
}

fn strings(runs: &[Timestamp]) -> Vec<String> {
    runs.iter().map(|t| t.to_string()).collect()
}

fn local(tz: &str, runs: &[Timestamp]) -> Vec<String> {
    let tz = TimeZone::get(tz).unwrap();
    runs.iter()
        .map(|t| t.to_zoned(tz.clone()).strftime("%F %H:%M %:z").to_string())
        .collect()
}

#[test]
fn every_minutes_is_epoch_aligned_and_strictly_after_from() {
    let s = sched("America/New_York", Frequency::EveryMinutes { minutes: 15 });
    let runs = s.next_runs(ts("2024-05-01T10:07:13Z"), 3).unwrap();
    assert_eq!(
        strings(&runs),
        [
            "2024-05-01T10:15:00Z",
            "2024-05-01T10:30:00Z",
            "2024-05-01T10:45:00Z"
        ]
    );
    // Exactly on a slot: the next one, not the same.
    let runs = s.next_runs(ts("2024-05-01T10:15:00Z"), 1).unwrap();
    assert_eq!(strings(&runs), ["2024-05-01T10:30:00Z"]);
}

#[test]
fn every_minutes_counts_from_the_anchor_and_ignores_dst() {
    let s = Schedule {
        anchor: Some("2024-03-10T01:10:00-05:00".into()),
        ..sched("America/New_York", Frequency::EveryMinutes { minutes: 60 })
    };
    // Across the spring-forward jump (07:00Z): still every 60 real minutes, on both sides
    // of the anchor (06:10Z).
    let runs = s.next_runs(ts("2024-03-10T05:00:00Z"), 4).unwrap();
    assert_eq!(
        strings(&runs),
        [
            "2024-03-10T05:10:00Z",
            "2024-03-10T06:10:00Z",
            "2024-03-10T07:10:00Z",
            "2024-03-10T08:10:00Z"
        ]
    );
    assert_eq!(
        local("America/New_York", &runs),
        [
            "2024-03-10 00:10 -05:00",
            "2024-03-10 01:10 -05:00",
            "2024-03-10 03:10 -04:00",
            "2024-03-10 04:10 -04:00"
        ]
    );
    // Anchors in the future count backwards too.
    let runs = s.next_runs(ts("2020-01-01T00:00:00Z"), 1).unwrap();
    assert_eq!(strings(&runs), ["2020-01-01T00:10:00Z"]);
}

#[test]
fn hourly_runs_at_the_minute_every_hour() {
    let s = sched("Asia/Kolkata", Frequency::Hourly { minute: 5 });
    let runs = s.next_runs(ts("2024-05-01T10:00:00Z"), 3).unwrap();
    // Kolkata is +05:30: local minute 5 is minute 35 UTC.
    assert_eq!(
        strings(&runs),
        [
            "2024-05-01T10:35:00Z",
            "2024-05-01T11:35:00Z",
            "2024-05-01T12:35:00Z"
        ]
    );
    let json: Frequency = serde_json::from_str(r#"{"kind":"hourly"}"#).unwrap();
    assert_eq!(json, Frequency::Hourly { minute: 0 });
}

#[test]
fn hourly_on_dst_days_has_25_and_23_runs() {
    let s = sched("America/New_York", Frequency::Hourly { minute: 30 });
    let tz = TimeZone::get("America/New_York").unwrap();
    let count_on = |day: &str| {
        let runs = s.next_runs(ts(&format!("{day}T00:00:00Z")), 60).unwrap();
        runs.iter()
            .filter(|t| t.to_zoned(tz.clone()).date().to_string() == day)
            .count()
    };
    assert_eq!(count_on("2024-11-03"), 25, "fall back: 01:30 runs twice");
    assert_eq!(
        count_on("2024-03-10"),
        23,
        "spring forward: 02:30 does not exist"
    );
    assert_eq!(count_on("2024-05-01"), 24);
    // The repeated hour runs one real hour apart.
    let runs = s.next_runs(ts("2024-11-03T04:00:00Z"), 3).unwrap();
    assert_eq!(
        local("America/New_York", &runs),
        [
            "2024-11-03 00:30 -04:00",
            "2024-11-03 01:30 -04:00",
            "2024-11-03 01:30 -05:00"
        ]
    );
}

#[test]
fn daily_across_spring_forward_runs_shifted_not_skipped() {
    let s = daily("America/New_York", "02:30");
    let runs = s.next_runs(ts("2024-03-08T12:00:00Z"), 4).unwrap();
    assert_eq!(
        local("America/New_York", &runs),
        [
            "2024-03-09 02:30 -05:00",
            "2024-03-10 03:30 -04:00", // 02:30 does not exist that day
            "2024-03-11 02:30 -04:00",
            "2024-03-12 02:30 -04:00",
        ]
    );
}

#[test]
fn daily_across_fall_back_runs_once_at_first_occurrence() {
    let s = daily("America/New_York", "01:30");
    let runs = s.next_runs(ts("2024-11-02T12:00:00Z"), 3).unwrap();
    assert_eq!(
        local("America/New_York", &runs),
        [
            "2024-11-03 01:30 -04:00",
            "2024-11-04 01:30 -05:00",
            "2024-11-05 01:30 -05:00"
        ]
    );
}

#[test]
fn berlin_transitions() {
    // Spring: 2024-03-31 02:00 -> 03:00. Autumn: 2024-10-27 03:00 -> 02:00.
    let s = daily("Europe/Berlin", "02:15");
    let runs = s.next_runs(ts("2024-03-30T12:00:00Z"), 2).unwrap();
    assert_eq!(
        local("Europe/Berlin", &runs),
        ["2024-03-31 03:15 +02:00", "2024-04-01 02:15 +02:00"]
    );
    let runs = s.next_runs(ts("2024-10-26T12:00:00Z"), 2).unwrap();
    assert_eq!(
        local("Europe/Berlin", &runs),
        ["2024-10-27 02:15 +02:00", "2024-10-28 02:15 +01:00"]
    );
    assert_eq!(
        strings(&runs),
        ["2024-10-27T00:15:00Z", "2024-10-28T01:15:00Z"]
    );
}

#[test]
fn lord_howe_half_hour_dst() {
    // 2024-10-06 02:00 +10:30 -> 02:30 +11:00; 2024-04-07 02:00 +11:00 -> 01:30 +10:30.
    let s = daily("Australia/Lord_Howe", "02:10");
    let runs = s.next_runs(ts("2024-10-05T00:00:00Z"), 2).unwrap();
    assert_eq!(
        local("Australia/Lord_Howe", &runs),
        ["2024-10-06 02:40 +11:00", "2024-10-07 02:10 +11:00"]
    );
    let s = sched("Australia/Lord_Howe", Frequency::Hourly { minute: 45 });
    let runs = s.next_runs(ts("2024-04-06T13:00:00Z"), 4).unwrap();
    // 01:45 happens twice, 30 real minutes apart.
    assert_eq!(
        local("Australia/Lord_Howe", &runs),
        [
            "2024-04-07 00:45 +11:00",
            "2024-04-07 01:45 +11:00",
            "2024-04-07 01:45 +10:30",
            "2024-04-07 02:45 +10:30"
        ]
    );
}

#[test]
fn weekly_spanning_dst_keeps_local_time() {
    let s = sched(
        "Europe/Berlin",
        Frequency::Weekly {
            days: vec![Weekday::Sun, Weekday::Wed, Weekday::Wed],
            time: "09:00".into(),
        },
    );
    let runs = s.next_runs(ts("2024-03-25T00:00:00Z"), 4).unwrap();
    assert_eq!(
        local("Europe/Berlin", &runs),
        [
            "2024-03-27 09:00 +01:00",
            "2024-03-31 09:00 +02:00",
            "2024-04-03 09:00 +02:00",
            "2024-04-07 09:00 +02:00"
        ]
    );
    let json: Schedule = serde_json::from_str(
        r#"{"enabled":true,"timeZone":"UTC","frequency":{"kind":"weekly","days":["mon","friday"],"time":"06:00"}}"#,
    )
    .unwrap();
    assert_eq!(
        json.frequency,
        Frequency::Weekly {
            days: vec![Weekday::Mon, Weekday::Fri],
            time: "06:00".into()
        }
    );
}

#[test]
fn serialises_with_kind_tags_and_camel_case() {
    let s = Schedule {
        anchor: Some("2024-01-01T00:00:00Z".into()),
        ..sched("UTC", Frequency::EveryMinutes { minutes: 30 })
    };
    let v = serde_json::to_value(&s).unwrap();
    assert_eq!(v["frequency"]["kind"], "everyMinutes");
    assert_eq!(v["frequency"]["minutes"], 30);
    assert_eq!(v["timeZone"], "UTC");
    let w = serde_json::to_value(Frequency::Weekly {
        days: vec![Weekday::Tue],
        time: "07:00".into(),
    })
    .unwrap();
    assert_eq!(
        w,
        serde_json::json!({"kind": "weekly", "days": ["tue"], "time": "07:00"})
    );
}

fn field_of(s: &Schedule) -> Option<String> {
    let e = s.validate().unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    e.field
}

#[test]
fn invalid_fields_are_named() {
    let f = |x: &str| Some(x.to_string());
    assert_eq!(field_of(&daily("Mars/Olympus", "01:00")), f("timeZone"));
    let e = daily("UTC", "7:5").validate().unwrap_err();
    assert!(
        e.message.starts_with("schedule.frequency.time: "),
        "{}",
        e.message
    );
    assert_eq!(field_of(&daily("", "01:00")), f("timeZone"));
    for bad in [
        "25:00",
        "7:5",
        "07:5",
        "24:00",
        "12:60",
        "",
        "1200",
        "12:00:00",
        "١٢:٠٠",
        "+1:00",
    ] {
        assert_eq!(field_of(&daily("UTC", bad)), f("frequency.time"), "{bad:?}");
    }
    assert_eq!(
        field_of(&sched(
            "UTC",
            Frequency::Weekly {
                days: vec![],
                time: "01:00".into()
            }
        )),
        f("frequency.days")
    );
    assert_eq!(
        field_of(&sched("UTC", Frequency::EveryMinutes { minutes: 4 })),
        f("frequency.minutes")
    );
    assert_eq!(
        field_of(&sched("UTC", Frequency::EveryMinutes { minutes: 1441 })),
        f("frequency.minutes")
    );
    assert_eq!(
        field_of(&sched("UTC", Frequency::Hourly { minute: 60 })),
        f("frequency.minute")
    );
    let bad_anchor = Schedule {
        anchor: Some("yesterday".into()),
        ..daily("UTC", "01:00")
    };
    assert_eq!(field_of(&bad_anchor), f("anchor"));
    assert!(sched("UTC", Frequency::EveryMinutes { minutes: 5 })
        .validate()
        .is_ok());
    assert!(daily("UTC", "23:59").validate().is_ok());
    assert!(daily("UTC", "00:00").validate().is_ok());
    // next_runs and is_due validate too.
    assert!(daily("Nowhere/Else", "01:00")
        .next_runs(ts("2024-01-01T00:00:00Z"), 1)
        .is_err());
    assert!(daily("Nowhere/Else", "01:00")
        .is_due(None, ts("2024-01-01T00:00:00Z"))
        .is_err());
}

#[test]
fn string_wrappers_parse_and_name_fields() {
    let s = daily("Europe/Berlin", "06:00");
    let runs = s.next_runs_rfc3339("2024-06-01T12:00:00+02:00", 2).unwrap();
    assert_eq!(runs, ["2024-06-02T04:00:00Z", "2024-06-03T04:00:00Z"]);
    assert_eq!(
        s.next_runs_rfc3339("2024-06-01", 1)
            .unwrap_err()
            .field
            .as_deref(),
        Some("from")
    );
    assert_eq!(
        s.is_due_rfc3339(Some("nope"), "2024-06-01T12:00:00Z")
            .unwrap_err()
            .field
            .as_deref(),
        Some("lastRun")
    );
    assert_eq!(
        s.is_due_rfc3339(None, "").unwrap_err().field.as_deref(),
        Some("now")
    );
    assert!(s
        .is_due_rfc3339(Some("2024-06-01T03:00:00Z"), "2024-06-01T04:00:00Z")
        .unwrap());
}

#[test]
fn due_edges() {
    let s = daily("UTC", "06:00");
    let at = ts("2024-06-01T06:00:00Z");
    let before = ts("2024-06-01T05:59:59.999999999Z");
    let yesterday = ts("2024-05-31T06:00:00Z");
    assert!(
        s.is_due(Some(yesterday), at).unwrap(),
        "exactly at the instant is due"
    );
    assert!(
        !s.is_due(Some(yesterday), before).unwrap(),
        "a nanosecond before is not"
    );
    assert!(
        !s.is_due(Some(at), at).unwrap(),
        "already ran at this instant"
    );
    assert!(!s.is_due(Some(at), ts("2024-06-02T05:59:00Z")).unwrap());
    assert!(s.is_due(Some(at), ts("2024-06-02T06:00:00Z")).unwrap());
    assert!(s.is_due(None, before).unwrap(), "never run: due at once");
    assert!(
        !s.is_due(Some(ts("2024-06-03T00:00:00Z")), at).unwrap(),
        "last run in the future"
    );
    let off = Schedule {
        enabled: false,
        ..s
    };
    assert!(!off.is_due(None, at).unwrap());
    assert_eq!(
        off.next_runs(before, 1).unwrap(),
        [at],
        "disabled schedules still preview"
    );
}

#[test]
fn previous_run_finds_the_latest_slot() {
    let s = sched(
        "Europe/Berlin",
        Frequency::Weekly {
            days: vec![Weekday::Mon],
            time: "09:00".into(),
        },
    );
    let prev = s.previous_run(ts("2024-06-05T12:00:00Z")).unwrap();
    assert_eq!(prev, Some(ts("2024-06-03T07:00:00Z")));
    let prev = s.previous_run(ts("2024-06-03T07:00:00Z")).unwrap();
    assert_eq!(
        prev,
        Some(ts("2024-06-03T07:00:00Z")),
        "at or before: inclusive"
    );
}

#[test]
fn count_is_capped_and_extremes_do_not_panic() {
    let s = sched("UTC", Frequency::EveryMinutes { minutes: 5 });
    assert_eq!(
        s.next_runs(ts("2024-01-01T00:00:00Z"), usize::MAX)
            .unwrap()
            .len(),
        MAX_RUNS
    );
    assert!(s
        .next_runs(ts("2024-01-01T00:00:00Z"), 0)
        .unwrap()
        .is_empty());
    let weekly = sched(
        "Pacific/Kiritimati",
        Frequency::Weekly {
            days: vec![Weekday::Sun],
            time: "23:59".into(),
        },
    );
    assert_eq!(
        weekly
            .next_runs(ts("2024-01-01T00:00:00Z"), 5000)
            .unwrap()
            .len(),
        MAX_RUNS
    );
    let every = [
        s,
        weekly,
        sched("America/New_York", Frequency::Hourly { minute: 59 }),
        daily("Australia/Lord_Howe", "00:00"),
    ];
    for s in &every {
        for edge in [
            Timestamp::MAX,
            Timestamp::MIN,
            ts("9999-12-30T00:00:00Z"),
            ts("-009999-01-03T00:00:00Z"),
        ] {
            let runs = s.next_runs(edge, 10).unwrap();
            assert!(runs.iter().all(|t| *t > edge));
            assert!(runs.windows(2).all(|w| w[0] < w[1]));
            let _ = s.previous_run(edge).unwrap();
            let _ = s.is_due(Some(edge), edge).unwrap();
            let _ = s.is_due(None, edge).unwrap();
        }
        assert!(s.next_runs(Timestamp::MAX, 10).unwrap().is_empty());
    }
}

const ZONES: &[&str] = &[
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "America/St_Johns",
    "Pacific/Chatham",
    "Pacific/Apia",
];

fn any_frequency() -> impl Strategy<Value = Frequency> {
    let time = (0u8..24, 0u8..60).prop_map(|(h, m)| format!("{h:02}:{m:02}"));
    let day = prop::sample::select(vec![
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ]);
    prop_oneof![
        (5u32..=1440).prop_map(|minutes| Frequency::EveryMinutes { minutes }),
        (0u8..60).prop_map(|minute| Frequency::Hourly { minute }),
        time.clone().prop_map(|time| Frequency::Daily { time }),
        (prop::collection::vec(day, 1..4), time)
            .prop_map(|(days, time)| Frequency::Weekly { days, time }),
    ]
}

fn any_schedule() -> impl Strategy<Value = Schedule> {
    (
        any_frequency(),
        prop::sample::select(ZONES.to_vec()),
        prop::option::of(-2_000_000_000i64..4_000_000_000),
    )
        .prop_map(|(frequency, tz, anchor)| Schedule {
            enabled: true,
            frequency,
            time_zone: tz.into(),
            anchor: anchor.map(|s| Timestamp::from_second(s).unwrap().to_string()),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn next_runs_increase_strictly_after_from_with_nothing_skipped(
        s in any_schedule(),
        from in 0i64..3_000_000_000,
        count in 1usize..40,
    ) {
        let from = Timestamp::from_second(from).unwrap();
        let runs = s.next_runs(from, count).unwrap();
        prop_assert_eq!(runs.len(), count);
        prop_assert!(runs[0] > from);
        prop_assert!(runs.windows(2).all(|w| w[0] < w[1]));
        // previous_run agrees: every run is a run, and nothing lies between two runs.
        let just_before = |t: Timestamp| t.checked_sub(jiff::SignedDuration::from_nanos(1)).unwrap();
        prop_assert_eq!(s.previous_run(just_before(runs[0])).unwrap().map_or(true, |p| p <= from), true);
        for w in runs.windows(2) {
            prop_assert_eq!(s.previous_run(w[1]).unwrap(), Some(w[1]));
            prop_assert_eq!(s.previous_run(just_before(w[1])).unwrap(), Some(w[0]));
        }
    }

    #[test]
    fn not_due_right_after_running_at_the_latest_instant(
        s in any_schedule(),
        now in 0i64..3_000_000_000,
    ) {
        let now = Timestamp::from_second(now).unwrap();
        let latest = s.previous_run(now).unwrap().unwrap();
        prop_assert!(latest <= now);
        prop_assert!(!s.is_due(Some(latest), now).unwrap());
        prop_assert!(!s.is_due(Some(now), now).unwrap());
        let earlier = latest.checked_sub(jiff::SignedDuration::from_nanos(1)).unwrap();
        prop_assert!(s.is_due(Some(earlier), now).unwrap());
        // The next run makes it due again.
        let next = s.next_runs(now, 1).unwrap()[0];
        prop_assert!(s.is_due(Some(latest), next).unwrap());
    }
}

#[test]
fn a_day_missing_from_the_calendar_is_simply_skipped() {
    // Samoa skipped 2011-12-30 when it moved across the date line.
    let s = daily("Pacific/Apia", "09:00");
    let runs = s.next_runs(ts("2011-12-28T20:00:00Z"), 3).unwrap();
    assert_eq!(
        local("Pacific/Apia", &runs),
        [
            "2011-12-29 09:00 -10:00",
            "2011-12-31 09:00 +14:00",
            "2012-01-01 09:00 +14:00"
        ]
    );
}
