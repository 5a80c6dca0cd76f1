//! One (business unit, external platform): its mappings and the lists last loaded for it.

use super::model::{Mapping, MappingState};
use crate::core::records::{ExternalUser, SourceUser};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// Names the state a mapping lives in: a CXone business unit and an external platform
/// (e.g. `"ringcentral"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct UnitRef {
    pub business_unit_id: String,
    pub platform: String,
}

impl UnitRef {
    pub fn new(business_unit_id: impl Into<String>, platform: impl Into<String>) -> Self {
        UnitRef {
            business_unit_id: business_unit_id.into(),
            platform: platform.into(),
        }
    }

    /// The platform's name as people read it ("RingCentral" for `ringcentral`).
    pub fn platform_label(&self) -> String {
        if self.platform.eq_ignore_ascii_case("ringcentral") {
            "RingCentral".to_string()
        } else if self.platform.trim().is_empty() {
            "external".to_string()
        } else {
            self.platform.clone()
        }
    }
}

impl std::fmt::Display for UnitRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.business_unit_id, self.platform)
    }
}

/// The mappings of one unit. Serialised as `{ unit, mappings: Mapping[] }` sorted by user id;
/// the loaded lists are working data and are not saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct UnitState {
    pub unit: UnitRef,
    #[serde(
        serialize_with = "mappings_as_vec",
        deserialize_with = "mappings_from_vec"
    )]
    #[cfg_attr(target_arch = "wasm32", tsify(type = "Mapping[]"))]
    pub(crate) mappings: BTreeMap<String, Mapping>,
    /// The CXone users last loaded for this unit (sorted by id).
    #[serde(skip)]
    pub(crate) sources: Vec<SourceUser>,
    /// The external directory last loaded for this unit (sorted by id).
    #[serde(skip)]
    pub(crate) directory: Vec<ExternalUser>,
}

impl UnitState {
    pub fn new(unit: UnitRef) -> Self {
        UnitState {
            unit,
            mappings: BTreeMap::new(),
            sources: Vec::new(),
            directory: Vec::new(),
        }
    }

    /// The mapping of `user_id`, if any.
    pub fn mapping(&self, user_id: &str) -> Option<&Mapping> {
        self.mappings.get(user_id)
    }

    /// Every mapping, sorted by user id.
    pub fn mappings(&self) -> impl Iterator<Item = &Mapping> {
        self.mappings.values()
    }

    pub fn sources(&self) -> &[SourceUser] {
        &self.sources
    }

    pub fn directory(&self) -> &[ExternalUser] {
        &self.directory
    }

    /// The user's mapping state; a user without a mapping is `unmapped` with no reason.
    pub(crate) fn state_of(&self, user_id: &str) -> MappingState {
        self.mappings
            .get(user_id)
            .map(Mapping::state)
            .unwrap_or_default()
    }

    /// The user currently linked to `external_id`, if any.
    pub(crate) fn holder_of(&self, external_id: &str) -> Option<&str> {
        self.mappings
            .values()
            .find(|m| m.linked() == Some(external_id))
            .map(|m| m.user_id.as_str())
    }

    pub(crate) fn source(&self, user_id: &str) -> Option<&SourceUser> {
        self.sources
            .binary_search_by(|s| s.id.as_str().cmp(user_id))
            .ok()
            .and_then(|i| self.sources.get(i))
    }

    pub(crate) fn external(&self, external_id: &str) -> Option<&ExternalUser> {
        self.directory
            .binary_search_by(|e| e.id.as_str().cmp(external_id))
            .ok()
            .and_then(|i| self.directory.get(i))
    }

    /// Users mapped (any method).
    pub(crate) fn mapped_count(&self) -> usize {
        self.mappings
            .values()
            .filter(|m| m.linked().is_some())
            .count()
    }

    /// Whether the unit knows `user_id` (loaded or has a mapping).
    pub(crate) fn knows_user(&self, user_id: &str) -> bool {
        self.mappings.contains_key(user_id) || self.source(user_id).is_some()
    }
}

fn mappings_as_vec<S: Serializer>(m: &BTreeMap<String, Mapping>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(m.values())
}

fn mappings_from_vec<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Mapping>, D::Error> {
    let list = Vec::<Mapping>::deserialize(d)?;
    let mut out = BTreeMap::new();
    for m in list {
        let id = m.user_id.clone();
        if out.insert(id.clone(), m).is_some() {
            return Err(serde::de::Error::custom(format!(
                "user {id} has two mappings"
            )));
        }
    }
    Ok(out)
}

/// Write `state` as the user's mapping at `at`.
pub(crate) fn set_state(u: &mut UnitState, user_id: &str, state: MappingState, at: &str) {
    let m = Mapping::from_state(user_id, state, at, u.mappings.get(user_id));
    u.mappings.insert(user_id.to_string(), m);
}
