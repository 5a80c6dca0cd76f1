//! The Auto Sync schedule: a frequency in an IANA time zone, the next run times from
//! an instant, and whether a run is due. No clock is read here: callers pass `now`.
//!
//! Rules where the calendar is awkward (all in the schedule's time zone):
//! - A wall-clock time skipped by a DST jump (02:30 on the spring-forward day in New York)
//!   runs at the real instant it would have had, i.e. shifted forward by the jump (03:30
//!   local): a daily sync never silently skips a day. (jiff's "compatible" disambiguation.)
//! - A wall-clock time that happens twice (01:30 on the fall-back day) runs once, at its first
//!   occurrence, for `daily` and `weekly`; `hourly` runs at both, so a 25-hour day has 25
//!   hourly runs and a 23-hour day 23.
//! - `hourly` means "whenever the local clock shows minute M". In zones with half-hour DST
//!   (Australia/Lord_Howe) two runs can then fall 30 minutes apart on a transition day.
//! - `everyMinutes` counts in absolute time from `anchor` (default the Unix epoch, so "every
//!   15 minutes" lands on :00, :15, :30, :45 UTC), unaffected by DST or the time zone.

use crate::core::error::{quote, Error, Result};
use jiff::civil::{self, Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The most run times one `nextRuns` call returns; larger counts are clamped to it.
pub const MAX_RUNS: usize = 1000;
/// The shortest `everyMinutes` interval (five minutes).
pub const MIN_EVERY_MINUTES: u32 = 5;
/// The longest `everyMinutes` interval: one day. Longer periods are `daily` or `weekly`,
/// which follow the local clock instead of drifting against it.
pub const MAX_EVERY_MINUTES: u32 = 1440;

/// Days after the last needed run during which the scan continues, so an earlier instant
/// produced by a later local day (a zone that jumps back across midnight) is not missed.
const SLACK_DAYS: i64 = 2;

/// A day of the week, as `"mon"` ... `"sun"` (full lowercase names are accepted too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    #[serde(alias = "monday")]
    Mon,
    #[serde(alias = "tuesday")]
    Tue,
    #[serde(alias = "wednesday")]
    Wed,
    #[serde(alias = "thursday")]
    Thu,
    #[serde(alias = "friday")]
    Fri,
    #[serde(alias = "saturday")]
    Sat,
    #[serde(alias = "sunday")]
    Sun,
}

impl Weekday {
    fn of(day: civil::Weekday) -> Weekday {
        match day {
            civil::Weekday::Monday => Weekday::Mon,
            civil::Weekday::Tuesday => Weekday::Tue,
            civil::Weekday::Wednesday => Weekday::Wed,
            civil::Weekday::Thursday => Weekday::Thu,
            civil::Weekday::Friday => Weekday::Fri,
            civil::Weekday::Saturday => Weekday::Sat,
            civil::Weekday::Sunday => Weekday::Sun,
        }
    }
}

/// How often Auto Sync runs. JSON: `{ "kind": "everyMinutes", "minutes": 15 }`,
/// `{ "kind": "hourly", "minute": 5 }`, `{ "kind": "daily", "time": "02:30" }`,
/// `{ "kind": "weekly", "days": ["mon", "thu"], "time": "09:00" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Frequency {
    /// Every `minutes` minutes of absolute time (5 to 1440), counted from the schedule's
    /// `anchor`.
    EveryMinutes { minutes: u32 },
    /// At minute `minute` (0-59, default 0) of every local hour.
    Hourly {
        #[serde(default)]
        minute: u8,
    },
    /// Every day at local `time`, `"HH:MM"` on a 24-hour clock (`"00:00"` to `"23:59"`).
    Daily { time: String },
    /// On each of `days` (at least one) at local `time` (`"HH:MM"`).
    Weekly { days: Vec<Weekday>, time: String },
}

/// An Auto Sync schedule.
///
/// @example
/// ```ts
/// const s: Schedule = { enabled: true, timeZone: "Europe/Berlin",
///   frequency: { kind: "weekly", days: ["mon", "fri"], time: "06:00" } };
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    /// A disabled schedule is never due; its next run times can still be previewed.
    pub enabled: bool,
    pub frequency: Frequency,
    /// IANA time zone name, e.g. `"America/New_York"` or `"UTC"`.
    pub time_zone: String,
    /// RFC 3339 instant that `everyMinutes` counts from (runs at anchor + k × minutes, for
    /// any whole k). Default: the Unix epoch. Ignored by the other frequencies, but still
    /// validated when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
}

/// A validated schedule, ready to compute with.
struct Plan {
    tz: TimeZone,
    rule: Rule,
}

enum Rule {
    Every { step_ns: i128, anchor_ns: i128 },
    Hourly { minute: i8 },
    Daily { time: Time },
    Weekly { days: Vec<Weekday>, time: Time },
}

impl Schedule {
    /// Checks every field; fails with `invalid_input` naming the field (`timeZone`,
    /// `anchor`, `frequency.minutes`, `frequency.minute`, `frequency.time`,
    /// `frequency.days`).
    pub fn validate(&self) -> Result<()> {
        self.plan().map(|_| ())
    }

    /// The next `count` run times strictly after `from`, earliest first (`count` is clamped
    /// to [`MAX_RUNS`]). Computed whether or not the schedule is enabled, so a form can
    /// preview it. Runs past the end of the supported calendar (year 9999) are not produced,
    /// so the list is shorter than `count` only there.
    pub fn next_runs(&self, from: Timestamp, count: usize) -> Result<Vec<Timestamp>> {
        let plan = self.plan()?;
        let count = count.min(MAX_RUNS);
        if count == 0 {
            return Ok(Vec::new());
        }
        if let Rule::Every { step_ns, anchor_ns } = plan.rule {
            let k = (from.as_nanosecond() - anchor_ns).div_euclid(step_ns) + 1;
            return Ok((0..count)
                .map_while(|i| {
                    let at = anchor_ns + (k + i as i128) * step_ns;
                    Timestamp::from_nanosecond(at).ok()
                })
                .collect());
        }
        let mut runs = Vec::new();
        let mut day = shift(plan.tz.to_datetime(from).date(), -SLACK_DAYS);
        // Weekly with one day needs 7 local days per run; the cap is a backstop only.
        let max_days = (count as i64 + 2 * SLACK_DAYS + 2) * 7;
        let mut slack_left: Option<i64> = None;
        for _ in 0..max_days {
            plan.day_runs(day, &mut runs);
            runs.retain(|t| *t > from);
            if let Some(left) = slack_left.as_mut() {
                *left -= 1;
                if *left <= 0 {
                    break;
                }
            } else if runs.len() >= count {
                slack_left = Some(SLACK_DAYS);
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        runs.sort_unstable();
        runs.dedup();
        runs.truncate(count);
        Ok(runs)
    }

    /// The latest run time at or before `now`, if any.
    pub fn previous_run(&self, now: Timestamp) -> Result<Option<Timestamp>> {
        let plan = self.plan()?;
        if let Rule::Every { step_ns, anchor_ns } = plan.rule {
            let k = (now.as_nanosecond() - anchor_ns).div_euclid(step_ns);
            return Ok(Timestamp::from_nanosecond(anchor_ns + k * step_ns).ok());
        }
        let today = plan.tz.to_datetime(now).date();
        let lookback = if matches!(plan.rule, Rule::Weekly { .. }) {
            7
        } else {
            1
        };
        let mut day = shift(today, -(lookback + SLACK_DAYS));
        let last = shift(today, SLACK_DAYS);
        let mut runs = Vec::new();
        while day <= last {
            plan.day_runs(day, &mut runs);
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        Ok(runs.into_iter().filter(|t| *t <= now).max())
    }

    /// Whether Auto Sync should run at `now`: the latest run time at or before `now` is
    /// later than `last_run`. A disabled schedule is never due.
    ///
    /// With no `last_run` (it has never run) the schedule is due at once, so enabling it
    /// starts syncing at the next check. To make a new schedule wait for its first slot
    /// instead, pass the time it was saved as `last_run`. A `last_run` in the future (clock
    /// skew) is not due until the schedule passes it.
    pub fn is_due(&self, last_run: Option<Timestamp>, now: Timestamp) -> Result<bool> {
        let previous = self.previous_run(now)?;
        if !self.enabled {
            return Ok(false);
        }
        Ok(match (previous, last_run) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(p), Some(last)) => p > last,
        })
    }

    /// [`Schedule::next_runs`] with RFC 3339 strings (`from` may carry any offset; results
    /// are UTC, e.g. `"2025-03-09T07:30:00Z"`).
    pub fn next_runs_rfc3339(&self, from: &str, count: usize) -> Result<Vec<String>> {
        let from = parse_instant(from, "from")?;
        Ok(self
            .next_runs(from, count)?
            .iter()
            .map(Timestamp::to_string)
            .collect())
    }

    /// [`Schedule::is_due`] with RFC 3339 strings.
    pub fn is_due_rfc3339(&self, last_run: Option<&str>, now: &str) -> Result<bool> {
        let last_run = last_run.map(|s| parse_instant(s, "lastRun")).transpose()?;
        self.is_due(last_run, parse_instant(now, "now")?)
    }

    fn plan(&self) -> Result<Plan> {
        let tz = time_zone(&self.time_zone)?;
        let anchor = self
            .anchor
            .as_deref()
            .map(|a| parse_instant(a, "anchor"))
            .transpose()?;
        let rule = match &self.frequency {
            Frequency::EveryMinutes { minutes } => {
                if !(MIN_EVERY_MINUTES..=MAX_EVERY_MINUTES).contains(minutes) {
                    return Err(invalid(
                        "frequency.minutes",
                        format!(
                            "everyMinutes needs {MIN_EVERY_MINUTES} to {MAX_EVERY_MINUTES}, got {minutes}"
                        ),
                    ));
                }
                Rule::Every {
                    step_ns: i128::from(*minutes) * 60 * 1_000_000_000,
                    anchor_ns: anchor.map_or(0, Timestamp::as_nanosecond),
                }
            }
            Frequency::Hourly { minute } => match i8::try_from(*minute) {
                Ok(m) if m < 60 => Rule::Hourly { minute: m },
                _ => {
                    return Err(invalid(
                        "frequency.minute",
                        format!("hourly minute must be 0 to 59, got {minute}"),
                    ))
                }
            },
            Frequency::Daily { time } => Rule::Daily {
                time: parse_time(time)?,
            },
            Frequency::Weekly { days, time } => {
                if days.is_empty() {
                    return Err(invalid("frequency.days", "weekly needs at least one day"));
                }
                let mut days = days.clone();
                days.sort_unstable();
                days.dedup();
                Rule::Weekly {
                    days,
                    time: parse_time(time)?,
                }
            }
        };
        Ok(Plan { tz, rule })
    }
}

impl Plan {
    /// Appends the run instants scheduled on local `date` (unsorted, maybe duplicated).
    fn day_runs(&self, date: Date, out: &mut Vec<Timestamp>) {
        match &self.rule {
            Rule::Every { .. } => {}
            Rule::Hourly { minute } => {
                for hour in 0..24 {
                    if let Ok(time) = Time::new(hour, *minute, 0, 0) {
                        self.every_occurrence(date.to_datetime(time), out);
                    }
                }
            }
            Rule::Daily { time } => self.first_occurrence(date.to_datetime(*time), out),
            Rule::Weekly { days, time } => {
                if days.contains(&Weekday::of(date.weekday())) {
                    self.first_occurrence(date.to_datetime(*time), out);
                }
            }
        }
    }

    /// A skipped wall-clock time moves forward by the gap; a repeated one takes its first
    /// occurrence. A conversion error only happens at the ends of the supported range,
    /// where there is simply no run.
    fn first_occurrence(&self, dt: DateTime, out: &mut Vec<Timestamp>) {
        if let Ok(t) = self.tz.to_ambiguous_timestamp(dt).compatible() {
            out.push(t);
        }
    }

    /// Like `first_occurrence`, but a repeated wall-clock time yields both instants.
    fn every_occurrence(&self, dt: DateTime, out: &mut Vec<Timestamp>) {
        let ambiguous = self.tz.to_ambiguous_timestamp(dt);
        match ambiguous.offset() {
            AmbiguousOffset::Fold { before, after } => {
                out.extend(before.to_timestamp(dt).ok());
                out.extend(after.to_timestamp(dt).ok());
            }
            AmbiguousOffset::Unambiguous { .. } | AmbiguousOffset::Gap { .. } => {
                out.extend(ambiguous.compatible().ok());
            }
        }
    }
}

/// `date` moved by `days`, clamped to the supported calendar instead of failing.
fn shift(date: Date, days: i64) -> Date {
    let span = jiff::Span::new().try_days(days);
    match span.and_then(|s| date.checked_add(s)) {
        Ok(d) => d,
        Err(_) if days < 0 => Date::MIN,
        Err(_) => Date::MAX,
    }
}

fn time_zone(name: &str) -> Result<TimeZone> {
    if name.trim().is_empty() {
        return Err(invalid(
            "timeZone",
            "required: an IANA name such as \"Europe/Berlin\"",
        ));
    }
    TimeZone::get(name).map_err(|_| {
        invalid(
            "timeZone",
            format!("unknown IANA time zone {}", quote(name)),
        )
    })
}

/// Strict `"HH:MM"`: two digits each, 00-23 and 00-59.
fn parse_time(text: &str) -> Result<Time> {
    let bad = || {
        invalid(
            "frequency.time",
            format!(
                "time must be \"HH:MM\" (00:00 to 23:59), got {}",
                quote(text)
            ),
        )
    };
    let digit = |b: u8| {
        if b.is_ascii_digit() {
            Some(i8::try_from(b - b'0').ok()?)
        } else {
            None
        }
    };
    let (h1, h2, m1, m2) = match text.as_bytes() {
        [h1, h2, b':', m1, m2] => (digit(*h1), digit(*h2), digit(*m1), digit(*m2)),
        _ => return Err(bad()),
    };
    let (Some(h1), Some(h2), Some(m1), Some(m2)) = (h1, h2, m1, m2) else {
        return Err(bad());
    };
    let (hour, minute) = (h1 * 10 + h2, m1 * 10 + m2);
    if hour > 23 || minute > 59 {
        return Err(bad());
    }
    Time::new(hour, minute, 0, 0).map_err(|_| bad())
}

/// Parses an argument (`from`, `now`, `lastRun`) or the schedule's `anchor`; only the
/// anchor's message says `schedule.`, since the arguments are not part of it.
fn parse_instant(text: &str, field: &str) -> Result<Timestamp> {
    text.trim().parse::<Timestamp>().map_err(|e| {
        let what = format!(
            "must be an RFC 3339 instant with an offset, got {} ({})",
            quote(text),
            quote(&e.to_string())
        );
        if field == "anchor" {
            invalid(field, what)
        } else {
            Error::invalid_input(format!("{field}: {what}")).with_field(field)
        }
    })
}

/// `invalid_input` with the field both set and leading the message ("schedule.frequency.time:
/// ..."), so a log line alone says what to fix.
fn invalid(field: &str, message: impl AsRef<str>) -> Error {
    Error::invalid_input(format!("schedule.{field}: {}", message.as_ref())).with_field(field)
}

#[cfg(test)]
mod tests;
