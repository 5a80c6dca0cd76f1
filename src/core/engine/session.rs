//! What an engine decides besides its saved state: the id of a run its caller does not name,
//! the refreshed directory a retry accepts, and the name index kept for search. The counter
//! and the index live only as long as the engine: neither is in a snapshot, and neither makes
//! two engines unequal.

use super::{parse_instant, Engine};
use crate::core::intake::Intake;
use crate::core::mapping::{Plan, UnitRef};
use crate::core::records::ExternalUser;
use crate::core::search::{NameIndex, SearchHit};
use crate::core::snapshot;
use crate::core::{Error, Result};
use jiff::Timestamp;

/// Hits `searchExternal` returns when the caller sets no limit.
pub const DEFAULT_SEARCH_LIMIT: usize = 20;
/// The most hits one search may ask for.
pub const MAX_SEARCH_LIMIT: usize = 1000;
/// The most scheduled runs `next_runs` lists at once.
pub const MAX_NEXT_RUNS: usize = 1000;

/// The run counter and the search index of one engine.
#[derive(Debug, Clone, Default)]
pub struct Session {
    /// Auto Sync plans made so far: the `<n>` of default run ids, so two plans made in the
    /// same millisecond still get different ids.
    runs: u64,
    /// Name index of one unit's directory, dropped whenever that directory changes.
    search: Option<(UnitRef, NameIndex)>,
}

impl PartialEq for Session {
    /// A counter and a cache are not state: engines with the same state are equal.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Engine {
    /// The first Auto Sync pass of a unit as a pending plan. `run_id` defaults to
    /// `run-<now in ms>-<n>`, `n` counting the plans this engine made.
    pub fn plan_auto_sync(
        &mut self,
        unit: &UnitRef,
        run_id: Option<String>,
        now: Timestamp,
    ) -> Result<&Plan> {
        self.session.runs += 1;
        let run_id =
            run_id.unwrap_or_else(|| format!("run-{}-{}", now.as_millisecond(), self.session.runs));
        self.presence.plan_auto_sync(unit, run_id, now)
    }

    /// The retry pass of a plan against the loaded directory updated with `refreshed` (the
    /// accounts re-fetched, as intake left them; `None` retries as is). A refreshed batch
    /// with a rejected record is refused whole, naming the first one: a retry must not run
    /// on a directory that silently lost an account.
    pub fn retry_auto_sync(
        &mut self,
        run_id: &str,
        refreshed: Option<Intake<ExternalUser>>,
        now: Timestamp,
    ) -> Result<&Plan> {
        let refreshed = match refreshed {
            None => None,
            Some(Intake { records, report }) => {
                if let Some(r) = report.rejected.first() {
                    let more = match report.rejected.len().saturating_sub(1) {
                        0 => String::new(),
                        n => format!(" (and {n} more rejected)"),
                    };
                    let mut err =
                        Error::new(r.code, format!("refreshed directory: {}{more}", r.message))
                            .at(r.index);
                    if let Some(id) = &r.id {
                        err = err.with_id(id.clone());
                    }
                    if let Some(field) = &r.field {
                        err = err.with_field(field.clone());
                    }
                    return Err(err);
                }
                Some(records)
            }
        };
        let unit = self.presence.plan(run_id).map(|p| p.unit.clone());
        if let Some(unit) = &unit {
            // The retry changes the unit's directory (even when it fails half-way, the index
            // is cheap to rebuild).
            self.forget_index(unit);
        }
        self.presence.retry_auto_sync(run_id, refreshed, now)
    }

    /// Loads a unit's external directory (replacing the one loaded before).
    pub fn load_directory(&mut self, unit: &UnitRef, users: Vec<ExternalUser>) -> Result<()> {
        self.presence.load_directory(unit, users)?;
        self.forget_index(unit);
        Ok(())
    }

    /// The unit's external accounts by name, best first: at most `limit` hits (default
    /// [`DEFAULT_SEARCH_LIMIT`], at most [`MAX_SEARCH_LIMIT`]). The index of the last unit
    /// searched is kept until its directory changes; an unknown unit has no hits.
    pub fn search_external(
        &mut self,
        unit: &UnitRef,
        query: &str,
        limit: Option<usize>,
    ) -> Result<Vec<SearchHit>> {
        let limit = limit.unwrap_or(DEFAULT_SEARCH_LIMIT);
        if limit > MAX_SEARCH_LIMIT {
            return Err(Error::invalid_input(format!(
                "'limit' must be a whole number from 0 to {MAX_SEARCH_LIMIT}, got {limit}"
            ))
            .with_field("limit"));
        }
        let fresh = !matches!(&self.session.search, Some((u, _)) if u == unit);
        if fresh {
            let dir = self
                .presence
                .unit(unit)
                .map(|u| u.directory())
                .unwrap_or(&[]);
            self.session.search = Some((unit.clone(), NameIndex::new(dir)));
        }
        Ok(match &self.session.search {
            Some((_, index)) => index.search(query, limit),
            None => Vec::new(),
        })
    }

    /// Replaces the state with a snapshot's, whole or not at all (on error nothing changes).
    /// The run counter goes on, so default run ids stay distinct from those made before.
    pub fn restore_snapshot(&mut self, json: &str) -> Result<()> {
        let mut restored = snapshot::restore(json)?;
        restored.session.runs = self.session.runs;
        *self = restored;
        Ok(())
    }

    /// The next `count` (at most [`MAX_NEXT_RUNS`]) Auto Sync runs of `unit` after `from`.
    pub fn next_runs_checked(
        &self,
        unit: &UnitRef,
        from: Timestamp,
        count: usize,
    ) -> Result<Vec<String>> {
        if count > MAX_NEXT_RUNS {
            return Err(Error::invalid_input(format!(
                "'count' must be a whole number from 0 to {MAX_NEXT_RUNS}, got {count}"
            ))
            .with_field("count"));
        }
        Ok(self
            .next_runs(unit, from, count)?
            .iter()
            .map(|t| t.to_string())
            .collect())
    }

    /// Whether a WFM run of the tenant is due at `now`: "not due yet" is an answer, not an
    /// error; an unknown tenant still is one.
    pub fn is_wfm_sync_due(&self, wfm_tenant_id: &str, now: Timestamp) -> Result<bool> {
        match crate::core::wfm::due_run(&self.wfm, wfm_tenant_id, now) {
            Ok(_) => Ok(true),
            Err(e) if e.code == crate::core::ErrorCode::SyncNotDue => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn forget_index(&mut self, unit: &UnitRef) {
        if matches!(&self.session.search, Some((u, _)) if u == unit) {
            self.session.search = None;
        }
    }
}

/// A reason in the words of the Status view, naming the platform as the default settings
/// label it (for pages that show a reason code without an engine at hand).
pub fn reason_text(reason: crate::core::mapping::Reason, platform: &str) -> String {
    let label = crate::core::mapping::PresenceSettings::default()
        .platform_support(platform)
        .label;
    crate::core::mapping::reason_text(reason, &label)
}

/// An RFC 3339 instant from a caller, naming the parameter on error.
pub fn instant(s: &str, field: &str) -> Result<Timestamp> {
    parse_instant(s).map_err(|e| e.with_field(field))
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
