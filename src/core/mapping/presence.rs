//! The whole Presence Sync state: settings, every unit's mappings, the audit log, and the
//! pending plans (not saved).

use super::audit::{log_from_vec, AuditEvent};
use super::model::{Mapping, MappingStatus};
use super::plan::Plan;
use super::run_summary::RunSummary;
use super::settings::PresenceSettings;
use super::unit::{UnitRef, UnitState};
use crate::core::error::{Error, ErrorCode, Result};
use crate::core::records::{ExternalUser, SourceUser};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};

/// Presence Sync: mappings per (business unit, platform), settings and the audit log.
/// Serialises as `{ settings, units: UnitState[], log: AuditEvent[], runs: RunSummary[],
/// nextEvent, nextUndo }`; the loaded lists and pending plans are working data and are not
/// saved.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PresenceState {
    #[serde(default)]
    pub(crate) settings: PresenceSettings,
    #[serde(
        default,
        serialize_with = "units_as_vec",
        deserialize_with = "units_from_vec"
    )]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "UnitState[]"))]
    pub(crate) units: BTreeMap<UnitRef, UnitState>,
    #[serde(default, deserialize_with = "log_from_vec")]
    pub(crate) log: Vec<AuditEvent>,
    /// Applied runs, oldest first (bounded by `auditRetention`).
    #[serde(default)]
    pub(crate) runs: Vec<RunSummary>,
    /// The id the next audit event gets at least (kept so ids are never reused after the
    /// log is trimmed).
    #[serde(default)]
    pub(crate) next_event: u64,
    /// The number of the last undo run id handed out (`undo-<n>`).
    #[serde(default)]
    pub(crate) next_undo: u64,
    #[serde(skip)]
    pub(crate) plans: BTreeMap<String, Plan>,
}

impl PresenceState {
    /// An empty state; Err(invalid_input) if the settings are out of range.
    pub fn new(settings: PresenceSettings) -> Result<Self> {
        settings.validate()?;
        Ok(PresenceState {
            settings,
            ..Default::default()
        })
    }

    pub fn settings(&self) -> &PresenceSettings {
        &self.settings
    }

    /// Replace the settings (they steer the next plan; pending plans keep what they found).
    pub fn set_settings(&mut self, settings: PresenceSettings) -> Result<()> {
        settings.validate()?;
        self.settings = settings;
        Ok(())
    }

    pub fn unit(&self, unit: &UnitRef) -> Option<&UnitState> {
        self.units.get(unit)
    }

    /// Every unit, sorted by (business unit, platform).
    pub fn units(&self) -> impl Iterator<Item = &UnitState> {
        self.units.values()
    }

    /// The audit log, oldest first.
    pub fn log(&self) -> &[AuditEvent] {
        &self.log
    }

    /// The id the next audit event gets: above every id ever handed out.
    pub(crate) fn next_event_id(&self) -> u64 {
        let after_log = self.log.last().map_or(1, |e| e.id.saturating_add(1));
        self.next_event.max(after_log).max(1)
    }

    /// A plan made by `plan_auto_sync` or `plan_undo_*` (pending or applied), by run id.
    pub fn plan(&self, run_id: &str) -> Option<&Plan> {
        self.plans.get(run_id)
    }

    /// Forget a plan; returns whether there was one.
    pub fn discard_plan(&mut self, run_id: &str) -> bool {
        self.plans.remove(run_id).is_some()
    }

    pub(crate) fn unit_mut(&mut self, unit: &UnitRef) -> &mut UnitState {
        self.units
            .entry(unit.clone())
            .or_insert_with(|| UnitState::new(unit.clone()))
    }

    /// Err(not_found) when nothing was ever loaded or mapped for `unit`.
    pub(crate) fn existing_unit(&self, unit: &UnitRef) -> Result<&UnitState> {
        self.units.get(unit).ok_or_else(|| {
            Error::new(
                ErrorCode::NotFound,
                format!("nothing is loaded for unit {unit}"),
            )
            .with_field("unit")
        })
    }

    /// The business unit (other than `bu`) that already has `user_id`, if any.
    pub(crate) fn other_business_unit(&self, user_id: &str, bu: &str) -> Option<&str> {
        self.units
            .values()
            .filter(|u| u.unit.business_unit_id != bu)
            .find(|u| u.knows_user(user_id))
            .map(|u| u.unit.business_unit_id.as_str())
    }

    /// Replace the CXone users loaded for `unit` (records come validated by intake).
    /// Err(invalid_input, field `businessUnitId`) when a user names another business unit or
    /// already belongs to one (the same CXone user in two business units is an error);
    /// Err(invalid_input, field `id`) for an empty or repeated id. On error nothing changes.
    pub fn load_sources(&mut self, unit: &UnitRef, users: Vec<SourceUser>) -> Result<()> {
        let mut seen = BTreeSet::new();
        for (i, u) in users.iter().enumerate() {
            if u.id.trim().is_empty() {
                return Err(
                    Error::invalid_input(format!("source user at index {i} has no id"))
                        .at(i)
                        .with_field("id"),
                );
            }
            if !seen.insert(u.id.as_str()) {
                return Err(
                    Error::invalid_input(format!("source user {} appears twice", u.id))
                        .at(i)
                        .with_id(u.id.clone())
                        .with_field("id"),
                );
            }
            if let Some(bu) = &u.business_unit_id {
                if bu != &unit.business_unit_id {
                    return Err(Error::invalid_input(format!(
                        "user {} belongs to business unit {bu}, not {}",
                        u.id, unit.business_unit_id
                    ))
                    .at(i)
                    .with_id(u.id.clone())
                    .with_field("businessUnitId"));
                }
            }
            if let Some(other) = self.other_business_unit(&u.id, &unit.business_unit_id) {
                return Err(Error::invalid_input(format!(
                    "user {} is already in business unit {other}; a CXone user belongs to one business unit",
                    u.id
                ))
                .at(i)
                .with_id(u.id.clone())
                .with_field("businessUnitId"));
            }
        }
        let mut users = users;
        users.sort_by(|a, b| a.id.cmp(&b.id));
        self.unit_mut(unit).sources = users;
        Ok(())
    }

    /// Replace the external directory loaded for `unit`. Err(invalid_input, field `id`) for
    /// an empty or repeated id.
    pub fn load_directory(&mut self, unit: &UnitRef, users: Vec<ExternalUser>) -> Result<()> {
        check_external_ids(&users)?;
        let mut users = users;
        users.sort_by(|a, b| a.id.cmp(&b.id));
        self.unit_mut(unit).directory = users;
        Ok(())
    }

    /// Check every invariant (used when restoring a snapshot). Err(invalid_snapshot) naming
    /// the unit, the user and the field.
    pub fn validate(&self) -> Result<()> {
        self.settings.validate().map_err(|e| {
            Error::new(
                ErrorCode::InvalidSnapshot,
                format!("settings: {}", e.message),
            )
            .with_field(e.field.unwrap_or_default())
        })?;
        let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
        for (key, u) in &self.units {
            if key != &u.unit {
                return Err(
                    bad(format!("unit {key} is stored under another name")).with_field("unit")
                );
            }
            if u.unit.business_unit_id.is_empty() || u.unit.platform.is_empty() {
                return Err(bad(format!(
                    "unit {} has an empty business unit or platform",
                    u.unit
                ))
                .with_field("unit"));
            }
            let mut linked: BTreeMap<&str, &str> = BTreeMap::new();
            for (id, m) in &u.mappings {
                validate_mapping(&u.unit, id, m)?;
                if let Some(ext) = m.external_id.as_deref() {
                    if let Some(other) = linked.insert(ext, id) {
                        return Err(bad(format!(
                            "unit {}: external account {ext} is mapped to both {other} and {id}",
                            u.unit
                        ))
                        .with_id(id.clone())
                        .with_field("externalId"));
                    }
                }
                let bu = u.unit.business_unit_id.as_str();
                if let Some(prev) = owner.insert(id.as_str(), bu) {
                    if prev != bu {
                        return Err(
                            bad(format!("user {id} is in business units {prev} and {bu}"))
                                .with_id(id.clone())
                                .with_field("businessUnitId"),
                        );
                    }
                }
            }
        }
        let mut last_id = 0;
        for (i, e) in self.log.iter().enumerate() {
            if e.id <= last_id {
                return Err(bad(format!(
                    "audit event {i}: id {} does not follow {last_id} (ids increase along the log)",
                    e.id
                ))
                .at(i)
                .with_id(e.user_id.clone())
                .with_field("id"));
            }
            last_id = e.id;
            if parse_time(&e.at).is_none() {
                return Err(bad(format!(
                    "audit event {i}: `at` is not an RFC 3339 time: {:?}",
                    e.at
                ))
                .at(i)
                .with_id(e.user_id.clone())
                .with_field("at"));
            }
        }
        let mut run_ids = BTreeSet::new();
        for (i, r) in self.runs.iter().enumerate() {
            if !run_ids.insert(r.run_id.as_str()) {
                return Err(bad(format!("run {} is recorded twice", r.run_id))
                    .at(i)
                    .with_id(r.run_id.clone())
                    .with_field("runId"));
            }
            if parse_time(&r.applied_at).is_none() {
                return Err(bad(format!(
                    "run {}: `appliedAt` is not an RFC 3339 time: {:?}",
                    r.run_id, r.applied_at
                ))
                .at(i)
                .with_id(r.run_id.clone())
                .with_field("appliedAt"));
            }
        }
        Ok(())
    }
}

pub(crate) fn check_external_ids(users: &[ExternalUser]) -> Result<()> {
    let mut seen = BTreeSet::new();
    for (i, u) in users.iter().enumerate() {
        if u.id.trim().is_empty() {
            return Err(
                Error::invalid_input(format!("external user at index {i} has no id"))
                    .at(i)
                    .with_field("id"),
            );
        }
        if !seen.insert(u.id.as_str()) {
            return Err(
                Error::invalid_input(format!("external user {} appears twice", u.id))
                    .at(i)
                    .with_id(u.id.clone())
                    .with_field("id"),
            );
        }
    }
    Ok(())
}

pub(crate) fn parse_time(s: &str) -> Option<jiff::Timestamp> {
    s.parse::<jiff::Timestamp>().ok()
}

fn bad(msg: String) -> Error {
    Error::new(ErrorCode::InvalidSnapshot, msg)
}

fn validate_mapping(unit: &UnitRef, id: &str, m: &Mapping) -> Result<()> {
    let fail = |field: &str, what: &str| {
        Err(bad(format!("unit {unit}, user {id}: {what}"))
            .with_id(id.to_string())
            .with_field(field))
    };
    if id.is_empty() || m.user_id != id {
        return fail("userId", "user id is empty or does not match its entry");
    }
    let mapped = m.status == MappingStatus::Mapped;
    if mapped != m.external_id.is_some() {
        return fail(
            "externalId",
            "externalId must be set exactly when the status is mapped",
        );
    }
    if m.external_id.as_deref().is_some_and(str::is_empty) {
        return fail("externalId", "externalId is empty");
    }
    if mapped != m.method.is_some() {
        return fail(
            "method",
            "method must be set exactly when the status is mapped",
        );
    }
    if mapped && m.reason.is_some() {
        return fail("reason", "a mapped user has no reason");
    }
    if m.matched_by.is_some() && m.method != Some(super::model::Method::Auto) {
        return fail("matchedBy", "matchedBy is only set on auto mappings");
    }
    if m.mapped_at.is_some() && !mapped {
        return fail("mappedAt", "mappedAt is only set while mapped");
    }
    if m.attempts > 2 {
        return fail("attempts", "attempts is at most 2");
    }
    if parse_time(&m.updated_at).is_none() {
        return fail("updatedAt", "updatedAt is not an RFC 3339 time");
    }
    if m.mapped_at
        .as_deref()
        .is_some_and(|t| parse_time(t).is_none())
    {
        return fail("mappedAt", "mappedAt is not an RFC 3339 time");
    }
    Ok(())
}

fn units_as_vec<S: Serializer>(
    m: &BTreeMap<UnitRef, UnitState>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(m.values())
}

fn units_from_vec<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<BTreeMap<UnitRef, UnitState>, D::Error> {
    let list = Vec::<UnitState>::deserialize(d)?;
    let mut out = BTreeMap::new();
    for u in list {
        let key = u.unit.clone();
        if out.insert(key.clone(), u).is_some() {
            return Err(serde::de::Error::custom(format!(
                "unit {key} appears twice"
            )));
        }
    }
    Ok(out)
}
