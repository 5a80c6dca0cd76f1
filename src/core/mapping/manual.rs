//! Manual mapping by an admin: map, unmap, exclude, include. Every call needs an
//! actor holding `UserMapping.Map`, keeps mappings one-to-one, and is audited.

use super::actor::Actor;
use super::audit::{AuditEvent, EventContext};
use super::keys::email_key;
use super::model::{MappingState, MappingStatus, Method, Reason};
use super::presence::PresenceState;
use super::unit::{set_state, UnitRef};
use crate::core::error::{Error, ErrorCode, Result};
use jiff::Timestamp;

impl PresenceState {
    /// Link `user_id` to `external_id` by hand (`mapped`, `manual`). The user must be loaded
    /// for (or mapped in) `unit` and the account loaded in its directory, else `not_found`
    /// naming which. An account mapped to another user is refused with `external_taken`
    /// naming that user, unless `reassign`: then that user is unmapped (`manual_unmap`) in the
    /// same step. The user's previous link, if any, is released. Returns the audit events
    /// recorded (none when the link was already manual).
    pub fn map(
        &mut self,
        unit: &UnitRef,
        user_id: &str,
        external_id: &str,
        reassign: bool,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<Vec<AuditEvent>> {
        actor.require_map("map a user")?;
        self.check_user(unit, user_id)?;
        let u = self.existing_unit(unit)?;
        if u.external(external_id).is_none() {
            return Err(Error::new(
                ErrorCode::NotFound,
                format!("external account {external_id} is not in the directory loaded for {unit}"),
            )
            .with_id(external_id)
            .with_field("externalId"));
        }
        let holder = u
            .holder_of(external_id)
            .filter(|h| *h != user_id)
            .map(str::to_string);
        if let Some(other) = &holder {
            if !reassign {
                return Err(Error::new(
                    ErrorCode::ExternalTaken,
                    format!("external account {external_id} is already mapped to user {other}; set reassign to move it"),
                )
                .with_id(other.clone())
                .with_field("externalId"));
            }
        }
        let key = u
            .source(user_id)
            .and_then(|s| s.email.as_deref())
            .and_then(|e| email_key(e, &self.settings.key).ok())
            .map(|k| k.key);
        let cur = u.state_of(user_id);
        let to = MappingState {
            status: MappingStatus::Mapped,
            method: Some(Method::Manual),
            external_id: Some(external_id.to_string()),
            email_key: key,
            ..Default::default()
        };
        if cur.is_manual() && cur.linked() == Some(external_id) {
            return Ok(Vec::new());
        }
        let mut changes = Vec::new();
        if let Some(other) = holder {
            let unmapped =
                MappingState::not_mapped(MappingStatus::Unmapped, Some(Reason::ManualUnmap), 0);
            changes.push((other, unmapped));
        }
        changes.push((user_id.to_string(), to));
        Ok(self.record(unit, changes, actor, now))
    }

    /// Remove the user's link (`unmapped`, `manual_unmap`); Auto Sync may map the user again
    /// later. A user who is not mapped is left as is (no event).
    pub fn unmap(
        &mut self,
        unit: &UnitRef,
        user_id: &str,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<Vec<AuditEvent>> {
        let to = MappingState::not_mapped(MappingStatus::Unmapped, Some(Reason::ManualUnmap), 0);
        self.set_one(
            "unmap a user",
            unit,
            user_id,
            actor,
            now,
            |cur| cur.is_mapped(),
            to,
        )
    }

    /// Keep the user out of Auto Sync (`excluded`), releasing any link. Already excluded:
    /// no event.
    pub fn exclude(
        &mut self,
        unit: &UnitRef,
        user_id: &str,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<Vec<AuditEvent>> {
        let to = MappingState::not_mapped(MappingStatus::Excluded, None, 0);
        self.set_one(
            "exclude a user",
            unit,
            user_id,
            actor,
            now,
            |cur| cur.status != MappingStatus::Excluded,
            to,
        )
    }

    /// Give an excluded user back to Auto Sync (`unmapped`, no reason until the next run).
    /// A user who is not excluded is left as is (no event).
    pub fn include(
        &mut self,
        unit: &UnitRef,
        user_id: &str,
        actor: &Actor,
        now: Timestamp,
    ) -> Result<Vec<AuditEvent>> {
        let to = MappingState::not_mapped(MappingStatus::Unmapped, None, 0);
        self.set_one(
            "include a user",
            unit,
            user_id,
            actor,
            now,
            |cur| cur.status == MappingStatus::Excluded,
            to,
        )
    }

    /// The shape every one-user manual change shares: permission, a known user, and a new
    /// state recorded only when `applies` to the current one (otherwise a no-op, no event).
    #[allow(clippy::too_many_arguments)]
    fn set_one(
        &mut self,
        what: &str,
        unit: &UnitRef,
        user_id: &str,
        actor: &Actor,
        now: Timestamp,
        applies: impl FnOnce(&MappingState) -> bool,
        to: MappingState,
    ) -> Result<Vec<AuditEvent>> {
        actor.require_map(what)?;
        self.check_user(unit, user_id)?;
        let cur = self.existing_unit(unit)?.state_of(user_id);
        if !applies(&cur) {
            return Ok(Vec::new());
        }
        Ok(self.record(unit, vec![(user_id.to_string(), to)], actor, now))
    }

    /// The user must be known to `unit` and to no other business unit.
    fn check_user(&self, unit: &UnitRef, user_id: &str) -> Result<()> {
        let u = self.existing_unit(unit)?;
        if !u.knows_user(user_id) {
            return Err(Error::new(
                ErrorCode::NotFound,
                format!("user {user_id} is neither loaded nor mapped in {unit}"),
            )
            .with_id(user_id)
            .with_field("userId"));
        }
        if let Some(other) = self.other_business_unit(user_id, &unit.business_unit_id) {
            return Err(Error::invalid_input(format!(
                "user {user_id} is also in business unit {other}; a CXone user belongs to one business unit"
            ))
            .with_id(user_id)
            .with_field("businessUnitId"));
        }
        Ok(())
    }

    /// Set each user's state and log the changes as one manual change (named by the id of
    /// its first event), then apply the audit retention.
    fn record(
        &mut self,
        unit: &UnitRef,
        changes: Vec<(String, MappingState)>,
        actor: &Actor,
        now: Timestamp,
    ) -> Vec<AuditEvent> {
        let at = now.to_string();
        let first = self.next_event_id();
        let ctx = EventContext {
            at: &at,
            run_id: None,
            change: Some(first),
            actor: &actor.id,
            scheduled: false,
            unit,
            reverts: None,
        };
        let mut next = first;
        let mut events = Vec::new();
        for (user_id, to) in changes {
            let u = self.unit_mut(unit);
            let from = u.state_of(&user_id);
            set_state(u, &user_id, to.clone(), &at);
            let event = AuditEvent::new(&ctx, next, &user_id, &from, &to);
            next = next.saturating_add(1);
            self.log.push(event.clone());
            events.push(event);
        }
        self.next_event = next;
        self.apply_retention(now);
        events
    }
}
