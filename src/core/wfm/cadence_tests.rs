use super::*;
use crate::core::wfm::slots::*;
use jiff::SignedDuration;
use proptest::prelude::*;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn linked() -> WfmState {
    let mut s = WfmState::default();
    s.topology
        .link("w", "a", "acd1", ts("2024-01-01T00:00:00Z"))
        .unwrap();
    s
}

fn every(minutes: u32) -> WfmSettings {
    WfmSettings {
        enabled: true,
        interval_minutes: minutes,
    }
}

#[test]
fn defaults_are_enabled_every_15_minutes() {
    let d: WfmSettings = serde_json::from_str("{}").unwrap();
    assert_eq!(d, every(15));
    assert_eq!(d, WfmSettings::default());
}

#[test]
fn the_interval_must_be_5_to_1440() {
    for ok in [5, 15, 1440] {
        every(ok).validate().unwrap();
    }
    for bad in [0, 4, 1441, u32::MAX] {
        let e = every(bad).validate().unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::InvalidInput, Some("intervalMinutes"))
        );
    }
}

#[test]
fn a_cron_tick_a_little_early_still_runs() {
    // The case that ran every other interval under "last run + interval".
    let mut s = linked();
    sync(&mut s, "w", &[], ts("2024-05-01T08:00:00.400Z")).unwrap();
    sync(&mut s, "w", &[], ts("2024-05-01T08:15:00.200Z")).unwrap();
    sync(&mut s, "w", &[], ts("2024-05-01T08:29:59.500Z")).unwrap();
    sync(&mut s, "w", &[], ts("2024-05-01T08:45:00.900Z")).unwrap();
    assert_eq!(
        s.last_run("w").unwrap(),
        Some(ts("2024-05-01T08:45:00.900Z"))
    );
}

#[test]
fn one_run_per_slot_and_the_message_names_the_next_slot() {
    let mut s = linked();
    let t0 = ts("2024-05-01T10:00:00Z");
    sync(&mut s, "w", &[], t0).unwrap();
    // Slots start two minutes before the first run's rhythm: 09:58, 10:13, 10:28, ...
    let e = sync(&mut s, "w", &[], ts("2024-05-01T10:12:59Z")).unwrap_err();
    assert_eq!(e.code, ErrorCode::SyncNotDue);
    assert!(e.message.contains("2024-05-01T10:13:00Z"), "{}", e.message);
    assert_eq!(
        s.last_run("w").unwrap(),
        Some(t0),
        "a refused run records nothing"
    );
    sync(&mut s, "w", &[], ts("2024-05-01T10:13:00Z")).unwrap();
    // A second call in the same slot is refused however late in the slot it comes.
    let e = sync(&mut s, "w", &[], ts("2024-05-01T10:27:59Z")).unwrap_err();
    assert_eq!(e.code, ErrorCode::SyncNotDue);
}

#[test]
fn a_cron_every_minute_runs_once_per_interval() {
    let mut s = linked();
    let start = ts("2024-05-01T10:00:00Z");
    let mut runs = vec![];
    for minute in 0..120 {
        let now = start
            .checked_add(SignedDuration::from_mins(minute))
            .unwrap();
        if sync(&mut s, "w", &[], now).is_ok() {
            runs.push(minute);
        }
    }
    // The first run sets the rhythm two minutes early (the tick tolerance), then every 15.
    assert_eq!(runs, [0, 13, 28, 43, 58, 73, 88, 103, 118]);
}

#[test]
fn missed_slots_run_once() {
    let mut s = linked();
    sync(&mut s, "w", &[], ts("2024-05-01T10:00:00Z")).unwrap();
    sync(&mut s, "w", &[], ts("2024-05-01T16:07:00Z")).unwrap();
    assert!(sync(&mut s, "w", &[], ts("2024-05-01T16:08:00Z")).is_err());
    // The late run re-anchors, so the scheduler's new rhythm sits mid-slot.
    sync(&mut s, "w", &[], ts("2024-05-01T16:22:00Z")).unwrap();
}

#[test]
fn a_changed_interval_moves_the_due_time() {
    let mut s = linked();
    sync(&mut s, "w", &[], ts("2024-05-01T10:00:00Z")).unwrap();
    s.set_settings(every(60)).unwrap();
    assert!(s.last_runs[0].anchor.is_none());
    assert!(sync(&mut s, "w", &[], ts("2024-05-01T10:30:00Z")).is_err());
    sync(&mut s, "w", &[], ts("2024-05-01T10:59:30Z")).unwrap();
    assert!(s.last_runs[0].anchor.is_some());
    assert!(sync(&mut s, "w", &[], ts("2024-05-01T11:30:00Z")).is_err());
    sync(&mut s, "w", &[], ts("2024-05-01T11:59:00Z")).unwrap();
}

#[test]
fn disabled_sync_is_refused_and_never_due() {
    let mut s = linked();
    s.set_settings(WfmSettings {
        enabled: false,
        interval_minutes: 15,
    })
    .unwrap();
    let now = ts("2024-05-01T10:00:00Z");
    let e = sync(&mut s, "w", &[], now).unwrap_err();
    assert_eq!(e.code, ErrorCode::SyncNotDue);
    assert!(e.message.contains("sync is disabled"));
    assert_eq!(s.last_run("w").unwrap(), None);
    assert_eq!(next_due(&s.settings, None, now), None);
}

#[test]
fn a_clock_going_backwards_does_not_make_a_run_due() {
    let mut s = linked();
    sync(&mut s, "w", &[], ts("2024-05-01T10:00:00Z")).unwrap();
    let e = sync(&mut s, "w", &[], ts("2024-05-01T09:00:00Z")).unwrap_err();
    assert_eq!(e.code, ErrorCode::SyncNotDue);
}

#[test]
fn unknown_tenant_is_not_found_and_bad_batches_record_no_run() {
    let mut s = linked();
    let now = ts("2024-05-01T10:00:00Z");
    assert_eq!(
        sync(&mut s, "x", &[], now).unwrap_err().code,
        ErrorCode::NotFound
    );
    let bad = AcdBatch {
        acd_tenant_id: "stranger".into(),
        users: vec![],
    };
    assert_eq!(
        sync(&mut s, "w", &[bad], now).unwrap_err().code,
        ErrorCode::InvalidInput
    );
    assert_eq!(s.last_run("w").unwrap(), None);
}

#[test]
fn next_due_never_overflows() {
    let s = WfmSettings::default();
    for anchor in [None, Some(Timestamp::MAX), Some(Timestamp::MIN)] {
        let run = RunTimes {
            last: Timestamp::MAX,
            anchor,
        };
        assert!(next_due(&s, Some(run), Timestamp::MIN).is_some());
    }
}

proptest! {
    /// A scheduler firing every interval, each tick off by less than a minute either way,
    /// runs at every tick.
    #[test]
    fn a_jittery_scheduler_runs_every_interval(
        interval in MIN_INTERVAL_MINUTES..=MAX_INTERVAL_MINUTES,
        start_ms in 0i64..4_000_000_000_000,
        jitter in proptest::collection::vec(-59_999i64..=59_999, 2..40),
    ) {
        let mut s = linked();
        s.set_settings(every(interval)).unwrap();
        let step = i64::from(interval) * 60_000;
        for (k, j) in jitter.iter().enumerate() {
            let at = start_ms + step * k as i64 + j;
            let now = Timestamp::from_millisecond(at).unwrap();
            prop_assert!(sync(&mut s, "w", &[], now).is_ok(), "tick {} at {} refused", k, now);
        }
    }

    /// Whatever the call times, two runs never share a slot: after a run, a call at the
    /// same time or any later time in its slot is refused.
    #[test]
    fn never_twice_in_one_slot(
        interval in MIN_INTERVAL_MINUTES..=60,
        gaps in proptest::collection::vec(0i64..3_600_000, 1..60),
    ) {
        let mut s = linked();
        s.set_settings(every(interval)).unwrap();
        let mut t = 1_700_000_000_000i64;
        let mut previous: Option<(Timestamp, Timestamp)> = None;
        for gap in gaps {
            t += gap;
            let now = Timestamp::from_millisecond(t).unwrap();
            let before = s.run_times("w").unwrap();
            if sync(&mut s, "w", &[], now).is_ok() {
                let run = s.run_times("w").unwrap().unwrap();
                let anchor = run.anchor.unwrap();
                prop_assert!(sync(&mut s.clone(), "w", &[], now).is_err());
                if let (Some((prev, _)), Some(b)) = (previous, before) {
                    prop_assert_eq!(b.last, prev);
                    if b.anchor == Some(anchor) {
                        prop_assert!(
                            slot_index(&s.settings, anchor, now) > slot_index(&s.settings, anchor, prev)
                        );
                    } else {
                        // Re-anchored: only after a whole slot went by without a run.
                        prop_assert!(now.as_millisecond() - prev.as_millisecond() >= i64::from(interval) * 60_000 - TICK_TOLERANCE_MS);
                    }
                }
                previous = Some((now, anchor));
            }
        }
    }
}
