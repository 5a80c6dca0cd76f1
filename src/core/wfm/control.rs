//! The Account Representative's controls and the logged entry points: changing the cadence,
//! the enabled switch, the topology or a business unit's field switches needs an actor
//! holding `WFM.UserSync.Configure` and a reason, and lands in the WFM log; so does every run
//! and every acknowledgement.

use super::cadence::sync;
use super::delta::{apply_delta, AcdBatch, Delta};
use super::log::{LoggedError, RunCounts, RunOutcome, WfmLogEntry, WfmLogKind};
use super::slots::WfmSettings;
use super::state::{FieldSwitches, WfmState};
use crate::core::error::{quote, Error, ErrorCode, Result};
use crate::core::mapping::Actor;
use jiff::Timestamp;

/// The permission of the Account Representative's role: the only one that changes WFM sync.
pub const PERM_WFM_CONFIGURE: &str = "WFM.UserSync.Configure";

/// Longest reason kept, in characters (a sentence or two, not a document).
pub const MAX_REASON_CHARS: usize = 500;

/// `permission_denied` unless `actor` holds [`PERM_WFM_CONFIGURE`]; `missing_field`
/// (field `reason`) for a blank reason, `invalid_input` for one over [`MAX_REASON_CHARS`].
/// Returns the trimmed reason.
pub fn authorize(actor: &Actor, reason: &str) -> Result<String> {
    if !actor.permissions.iter().any(|p| p == PERM_WFM_CONFIGURE) {
        return Err(Error::new(
            ErrorCode::PermissionDenied,
            format!(
                "{} lacks the {PERM_WFM_CONFIGURE} permission (the Account Representative's \
                 role) needed to change WFM sync",
                quote(&actor.id)
            ),
        )
        .with_id(actor.id.clone())
        .with_field("permissions"));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::new(
            ErrorCode::MissingField,
            "a reason is required to change WFM sync (it is kept in the WFM log)",
        )
        .with_field("reason"));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(Error::invalid_input(format!(
            "the reason is longer than {MAX_REASON_CHARS} characters"
        ))
        .with_field("reason"));
    }
    Ok(reason.to_string())
}

fn by(actor: &Actor, reason: String, entry: WfmLogEntry) -> WfmLogEntry {
    WfmLogEntry {
        actor: Some(actor.id.clone()),
        reason: Some(reason),
        ..entry
    }
}

fn switch(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

impl WfmState {
    /// Changes the interval and the enabled switch as `actor`, for `reason` (see
    /// [`authorize`]; then `invalid_input` for an interval outside 5..=1440). Logged even
    /// when nothing changed, so a confirmation is on record too.
    pub fn configure(
        &mut self,
        actor: &Actor,
        settings: WfmSettings,
        reason: &str,
        now: Timestamp,
    ) -> Result<()> {
        let reason = authorize(actor, reason)?;
        let before = self.settings;
        self.set_settings(settings)?;
        let summary = format!(
            "sync {} -> {}, every {} -> {} minutes",
            if before.enabled {
                "enabled"
            } else {
                "disabled"
            },
            if settings.enabled {
                "enabled"
            } else {
                "disabled"
            },
            before.interval_minutes,
            settings.interval_minutes
        );
        let entry = WfmLogEntry::new(now, WfmLogKind::SettingsChanged, summary);
        self.record(by(actor, reason, entry));
        Ok(())
    }

    /// [`WfmState::link`] as `actor`, for `reason`; logged when a link was made.
    pub fn link_as(
        &mut self,
        actor: &Actor,
        wfm_tenant_id: &str,
        acd_tenant_id: &str,
        acd_id: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<bool> {
        let reason = authorize(actor, reason)?;
        let made = self.link(wfm_tenant_id, acd_tenant_id, acd_id, now)?;
        if made {
            let mut entry = WfmLogEntry::new(
                now,
                WfmLogKind::AcdLinked,
                format!("ACD tenant {acd_tenant_id} linked as acd {acd_id}"),
            );
            entry.wfm_tenant_id = Some(wfm_tenant_id.into());
            self.record(by(actor, reason, entry));
        }
        Ok(made)
    }

    /// [`WfmState::unlink`] as `actor`, for `reason`; logged.
    pub fn unlink_as(
        &mut self,
        actor: &Actor,
        wfm_tenant_id: &str,
        acd_tenant_id: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<()> {
        let reason = authorize(actor, reason)?;
        let acd = self.unlink(wfm_tenant_id, acd_tenant_id)?;
        let mut entry = WfmLogEntry::new(
            now,
            WfmLogKind::AcdUnlinked,
            format!(
                "ACD tenant {acd_tenant_id} (acd {}) unlinked; the agents it sent are kept and \
                 reported absent",
                acd.acd_id
            ),
        );
        entry.wfm_tenant_id = Some(wfm_tenant_id.into());
        self.record(by(actor, reason, entry));
        Ok(())
    }

    /// Sets a business unit's field switches as `actor`, for `reason`; logged.
    /// `invalid_input` (field `acdTenantId`) for a blank unit id.
    pub fn set_field_switches(
        &mut self,
        actor: &Actor,
        switches: FieldSwitches,
        reason: &str,
        now: Timestamp,
    ) -> Result<()> {
        let reason = authorize(actor, reason)?;
        if switches.acd_tenant_id.trim().is_empty() {
            return Err(
                Error::invalid_input("acdTenantId must not be empty").with_field("acdTenantId")
            );
        }
        let before = self.field_switches(&switches.acd_tenant_id);
        let summary = format!(
            "fields of ACD tenant {}: personal id {} -> {}, external id {} -> {}",
            switches.acd_tenant_id,
            switch(before.sync_personal_id),
            switch(switches.sync_personal_id),
            switch(before.sync_external_id),
            switch(switches.sync_external_id)
        );
        self.put_field_switches(switches);
        self.record(by(
            actor,
            reason,
            WfmLogEntry::new(now, WfmLogKind::FieldSwitchesChanged, summary),
        ));
        Ok(())
    }

    /// A run, logged: [`sync`], then a log entry with what was examined and the counts (or
    /// the error). A run that is not due (or disabled) is not logged: a cron calling every
    /// minute would fill the log with nothing.
    pub fn run(
        &mut self,
        wfm_tenant_id: &str,
        batches: &[AcdBatch],
        now: Timestamp,
    ) -> Result<Delta> {
        let result = sync(self, wfm_tenant_id, batches, now);
        let mut entry = WfmLogEntry::new(now, WfmLogKind::Run, "");
        entry.wfm_tenant_id = Some(wfm_tenant_id.into());
        match &result {
            Err(e) if e.code == ErrorCode::SyncNotDue => return result,
            // An unknown tenant has nothing to log under.
            Err(e)
                if e.code == ErrorCode::NotFound && e.field.as_deref() == Some("wfmTenantId") =>
            {
                return result
            }
            Err(e) => {
                entry.summary = "run failed; nothing was recorded as sent".into();
                entry.outcome = Some(RunOutcome::Failed);
                entry.error = Some(LoggedError::from(e));
            }
            Ok(d) => {
                entry.summary = format!(
                    "{} additions, {} changes, {} absent to send",
                    d.additions.len(),
                    d.changes.len(),
                    d.absent.len()
                );
                entry.examined_acds = d.examined_acds.clone();
                entry.counts = Some(RunCounts {
                    not_in_wfm: self.not_in_wfm(wfm_tenant_id, now).len(),
                    ..counts(d)
                });
                entry.outcome = Some(RunOutcome::Ok);
            }
        }
        self.record(entry);
        result
    }

    /// WFM confirmed `delta`: what it holds advances (see [`apply_delta`]) and the delta is
    /// no longer pending; logged. Only the tenant's latest run's delta can be confirmed:
    /// `superseded` for an older one (a newer run repeats what it held), `not_found` when
    /// nothing is pending (already confirmed, or the delta came from no run).
    pub fn acknowledge(&mut self, delta: &Delta, now: Timestamp) -> Result<()> {
        let id = delta.wfm_tenant_id.as_str();
        self.topology.tenant(id)?;
        let Some(pending) = self.pending(id) else {
            return Err(Error::new(
                ErrorCode::NotFound,
                format!("WFM tenant {id} has no delta waiting for acknowledgement"),
            )
            .with_id(id)
            .with_field("runAt"));
        };
        if delta.run_at.as_deref() != Some(pending.run_at.as_str()) {
            return Err(Error::new(
                ErrorCode::Superseded,
                format!(
                    "this delta (run {}) is not the latest of WFM tenant {id}: acknowledge the \
                     delta of the run at {}",
                    delta.run_at.as_deref().unwrap_or("unknown"),
                    pending.run_at
                ),
            )
            .with_id(id)
            .with_field("runAt"));
        }
        apply_delta(self, delta)?;
        self.clear_pending(id);
        self.confirm_sent(delta);
        let mut entry = WfmLogEntry::new(
            now,
            WfmLogKind::Acknowledged,
            format!(
                "WFM confirmed the delta of the run at {}",
                delta.run_at.as_deref().unwrap_or("")
            ),
        );
        entry.wfm_tenant_id = Some(id.into());
        entry.examined_acds = delta.examined_acds.clone();
        entry.counts = Some(counts(delta));
        self.record(entry);
        Ok(())
    }
}

fn counts(d: &Delta) -> RunCounts {
    RunCounts {
        additions: d.additions.len(),
        changes: d.changes.len(),
        absent: d.absent.len(),
        not_synced: d.not_synced.len(),
        warnings: d.warnings.len(),
        not_in_wfm: 0,
    }
}

#[cfg(test)]
#[path = "control_tests.rs"]
mod tests;
