//! Retention: the audit log and the run summaries are bounded by count and age,
//! so snapshots stay small. Trimming happens after every apply and manual change.
//!
//! Rules:
//! - Events older than `maxAgeDays`, then the oldest events beyond `maxEvents`, are dropped.
//! - A manual change is dropped whole (a `map` with `reassign` is two events), so a change
//!   is either fully undoable or gone.
//! - A run is undoable only while all its events are kept: once retention drops any of them
//!   its summary says `undoable: false`, and the run is listed in `noLongerUndoable`.
//! - Run summaries older than `maxAgeDays`, then the oldest beyond `maxRuns`, are dropped;
//!   a dropped undoable run is listed in `noLongerUndoable` too.

use super::presence::{parse_time, PresenceState};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// 0 is "no bound".
fn bound<T: PartialEq + Default>(n: T) -> Option<T> {
    (n != T::default()).then_some(n)
}

/// What one trim dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct RetentionReport {
    pub trimmed_events: usize,
    pub trimmed_runs: usize,
    /// Runs that were undoable before this trim and are not any more (sorted).
    pub no_longer_undoable: Vec<String>,
}

impl PresenceState {
    /// Apply the retention bounds of the settings at `now`. Called after every apply and
    /// manual change; callable on its own (e.g. after tightening the bounds).
    pub fn apply_retention(&mut self, now: Timestamp) -> RetentionReport {
        let bounds = self.settings.audit_retention.clone();
        let cutoff = bound(bounds.max_age_days).and_then(|d| {
            let span = SignedDuration::from_hours(i64::from(d) * 24);
            now.checked_sub(span).ok()
        });
        // Manual changes trim after every call: skip the rebuild when nothing is over.
        let over = |len: usize, max: usize| bound(max).is_some_and(|m| len > m);
        if cutoff.is_none()
            && !over(self.log.len(), bounds.max_events)
            && !over(self.runs.len(), bounds.max_runs)
        {
            return RetentionReport::default();
        }
        let too_old = |at: &str| cutoff.is_some_and(|c| parse_time(at).is_some_and(|t| t < c));

        let mut drop: Vec<bool> = self.log.iter().map(|e| too_old(&e.at)).collect();
        if let Some(max) = bound(bounds.max_events) {
            let kept = drop.iter().filter(|d| !**d).count();
            let mut excess = kept.saturating_sub(max);
            for d in drop.iter_mut() {
                if excess == 0 {
                    break;
                }
                if !*d {
                    *d = true;
                    excess -= 1;
                }
            }
        }
        let dropped_changes: BTreeSet<u64> = self
            .log
            .iter()
            .zip(&drop)
            .filter(|(e, d)| **d && e.run_id.is_none())
            .filter_map(|(e, _)| e.change)
            .collect();
        let mut hit_runs: BTreeSet<String> = BTreeSet::new();
        let mut report = RetentionReport::default();
        let mut keep = Vec::with_capacity(self.log.len());
        for (e, d) in std::mem::take(&mut self.log).into_iter().zip(drop) {
            let whole_change =
                e.run_id.is_none() && e.change.is_some_and(|c| dropped_changes.contains(&c));
            if d || whole_change {
                report.trimmed_events += 1;
                if let Some(r) = e.run_id {
                    hit_runs.insert(r);
                }
            } else {
                keep.push(e);
            }
        }
        self.log = keep;

        let mut lost: BTreeSet<String> = BTreeSet::new();
        for r in self
            .runs
            .iter_mut()
            .filter(|r| hit_runs.contains(&r.run_id))
        {
            if r.undoable {
                r.undoable = false;
                lost.insert(r.run_id.clone());
            }
        }
        let mut runs_drop: Vec<bool> = self.runs.iter().map(|r| too_old(&r.applied_at)).collect();
        if let Some(max) = bound(bounds.max_runs) {
            let kept = runs_drop.iter().filter(|d| !**d).count();
            let mut excess = kept.saturating_sub(max);
            for d in runs_drop.iter_mut() {
                if excess == 0 {
                    break;
                }
                if !*d {
                    *d = true;
                    excess -= 1;
                }
            }
        }
        let mut kept_runs = Vec::with_capacity(self.runs.len());
        for (r, d) in std::mem::take(&mut self.runs).into_iter().zip(runs_drop) {
            if d {
                report.trimmed_runs += 1;
                if r.undoable {
                    lost.insert(r.run_id);
                }
            } else {
                kept_runs.push(r);
            }
        }
        self.runs = kept_runs;
        report.no_longer_undoable = lost.into_iter().collect();
        report
    }
}
