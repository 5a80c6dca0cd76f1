//! The parameter objects of the Presence Sync methods that change state, and the reading of
//! the positional calls they replace (kept for one release).
//!
//! Every one of these calls names who acts: an `Actor` with its permissions. A bare string
//! actor (what the positional `applyPlan` used to take) is refused with
//! `permission_denied`, since it says nothing about what the caller may do.

use super::convert::{arg, has_property, set_property};
use super::errors::{to_js as error_to_js, JsResult};
use crate::core::mapping::{Actor, UnitRef};
use crate::core::schedule::Schedule;
use crate::core::{Error, ErrorCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(typescript_custom_section)]
const PRESENCE_TS: &'static str = include_str!("presence.d.ts");

/// `engine.map(...)`: link a user to an external account by hand.
#[derive(Debug, Clone, Serialize, Deserialize, tsify::Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MapParams {
    pub unit: UnitRef,
    /// Who maps; must hold `UserMapping.Map`.
    pub actor: Actor,
    pub user_id: String,
    pub external_id: String,
    /// RFC 3339, e.g. `new Date().toISOString()`.
    pub now: String,
    /// Take the account from the user who holds it (they become `unmapped`,
    /// `manual_unmap`, in the same step). Default false: `external_taken` instead.
    #[serde(default)]
    #[tsify(optional)]
    pub reassign: bool,
}

/// `engine.unmap(...)`, `engine.exclude(...)`, `engine.include(...)`: one user, by hand.
#[derive(Debug, Clone, Serialize, Deserialize, tsify::Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserChangeParams {
    pub unit: UnitRef,
    /// Who makes the change; must hold `UserMapping.Map`.
    pub actor: Actor,
    pub user_id: String,
    /// RFC 3339.
    pub now: String,
}

/// `engine.applyPlan(...)`: apply a pending Auto Sync or undo plan as an admin.
#[derive(Debug, Clone, Serialize, Deserialize, tsify::Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApplyPlanParams {
    pub run_id: String,
    /// Who applies it; must hold `UserMapping.Map` (also to `force`).
    pub actor: Actor,
    /// RFC 3339.
    pub now: String,
    /// Apply although the plan unmaps more users than the guard allows.
    #[serde(default)]
    #[tsify(optional)]
    pub force: bool,
}

/// `engine.applyScheduledPlan(...)`: apply an Auto Sync plan as the unit's scheduled run.
#[derive(Debug, Clone, Serialize, Deserialize, tsify::Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScheduledApplyParams {
    pub run_id: String,
    /// The admin who saved the schedule as the caller knows them now (their current
    /// permissions). Optional when that admin is among the CXone users loaded for the unit.
    #[serde(default)]
    #[tsify(optional)]
    pub owner: Option<Actor>,
    /// RFC 3339.
    pub now: String,
}

/// `engine.setSchedule(...)`: save a unit's Auto Sync schedule; `actor` becomes its owner.
#[derive(Debug, Clone, Serialize, Deserialize, tsify::Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetScheduleParams {
    pub unit: UnitRef,
    pub schedule: Schedule,
    /// Who saves it; must hold `UserMapping.Map`. Scheduled runs act as this admin.
    pub actor: Actor,
    /// RFC 3339: when it is saved (the first run is the first scheduled time after it).
    pub now: String,
}

/// `engine.clearSchedule(...)`: Auto Sync of the unit is not set up again.
#[derive(Debug, Clone, Serialize, Deserialize, tsify::Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClearScheduleParams {
    pub unit: UnitRef,
    pub actor: Actor,
}

/// The keys each parameter object may have: a key not among them (a misspelt `reasign`) is
/// refused naming it and the keys allowed.
pub const MAP_KEYS: &[&str] = &["unit", "actor", "userId", "externalId", "now", "reassign"];
pub const USER_CHANGE_KEYS: &[&str] = &["unit", "actor", "userId", "now"];
pub const APPLY_KEYS: &[&str] = &["runId", "actor", "now", "force"];

/// One parameter object from JS, or `invalid_input` naming the method and what is wrong
/// (including a key it does not take).
pub fn params<T: DeserializeOwned>(value: JsValue, method: &str, keys: &[&str]) -> JsResult<T> {
    if !value.is_object() || js_sys::Array::is_array(&value) {
        return Err(error_to_js(Error::invalid_input(format!(
            "{method} takes one parameter object, got {}",
            kind(&value)
        ))));
    }
    let obj: &js_sys::Object = value.unchecked_ref();
    for key in js_sys::Object::keys(obj).iter() {
        let key = key.as_string().unwrap_or_default();
        if !keys.contains(&key.as_str()) {
            return Err(error_to_js(
                Error::invalid_input(format!(
                    "{method} takes {{ {} }}, not {}",
                    keys.join(", "),
                    crate::core::error::quote(&key)
                ))
                .with_field(key),
            ));
        }
    }
    arg(value, method)
}

/// A positional argument of a deprecated call.
pub fn positional<T: DeserializeOwned>(value: JsValue, method: &str, name: &str) -> JsResult<T> {
    arg(value, &format!("{method}: {name}"))
        .inspect_err(|e| set_property(e, "field", &JsValue::from_str(name)))
}

/// The actor of a deprecated positional call: an `Actor` object. A string (the old
/// `applyPlan` actor) is refused with `permission_denied` saying what is needed now.
pub fn positional_actor(value: JsValue, method: &str) -> JsResult<Actor> {
    if let Some(name) = value.as_string() {
        return Err(error_to_js(
            Error::new(
                ErrorCode::PermissionDenied,
                format!(
                    "{method}: the actor must be an Actor {{ id, permissions }} holding UserMapping.Map, not the bare string {}; pass {method}({{ ..., actor: {{ id, permissions }} }})",
                    crate::core::error::quote(&name)
                ),
            )
            .with_field("actor"),
        ));
    }
    positional(value, method, "actor")
}

/// Whether a call's first argument is a unit (`{ businessUnitId, platform }`): the old
/// positional form of `map`, `unmap`, `exclude`, `include`.
pub fn is_unit(value: &JsValue) -> bool {
    has_property(value, "businessUnitId")
}

fn kind(value: &JsValue) -> &'static str {
    if value.is_undefined() {
        "undefined"
    } else if value.is_null() {
        "null"
    } else if js_sys::Array::is_array(value) {
        "an array"
    } else if value.is_string() {
        "a string"
    } else if value.as_f64().is_some() {
        "a number"
    } else {
        "a value that is not an object"
    }
}
