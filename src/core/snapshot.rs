//! The whole state as a versioned JSON snapshot. Restore checks the format and version,
//! decodes, then validates every invariant; it returns a new `Engine` or an error, so the
//! caller's current state is replaced whole or not at all.

use crate::core::engine::{Engine, UnitSchedule};
use crate::core::mapping::PresenceState;
use crate::core::wfm::WfmState;
use crate::core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

pub const SNAPSHOT_FORMAT: &str = "usersync-snapshot";
pub const SNAPSHOT_VERSION: u64 = 1;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SnapshotV1 {
    format: String,
    version: u64,
    presence: PresenceState,
    wfm: WfmState,
    schedules: Vec<UnitSchedule>,
}

/// The snapshot JSON of `engine` (settings, mappings, audit log, schedules, WFM state).
/// Loaded directories and pending plans are not part of it: they are re-fetched.
pub fn save(engine: &Engine) -> Result<String> {
    let snap = SnapshotV1 {
        format: SNAPSHOT_FORMAT.into(),
        version: SNAPSHOT_VERSION,
        presence: engine.presence.clone(),
        wfm: engine.wfm.clone(),
        schedules: engine.schedules.clone(),
    };
    serde_json::to_string(&snap)
        .map_err(|e| Error::invalid_input(format!("snapshot could not be written: {e}")))
}

/// A new engine from snapshot JSON: `invalid_snapshot` for damaged input (with what is
/// wrong), `unsupported_version` for a version this build does not know.
pub fn restore(json: &str) -> Result<Engine> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| invalid(format!("not JSON: {e}")))?;
    let obj = value
        .as_object()
        .ok_or_else(|| invalid("not a JSON object".into()))?;
    if obj.get("format").and_then(|f| f.as_str()) != Some(SNAPSHOT_FORMAT) {
        return Err(invalid(format!("`format` must be \"{SNAPSHOT_FORMAT}\"")).with_field("format"));
    }
    let version = obj
        .get("version")
        .and_then(|v| v.as_u64())
        .ok_or_else(|| invalid("`version` must be a whole number".into()).with_field("version"))?;
    if version != SNAPSHOT_VERSION {
        return Err(Error::new(
            ErrorCode::UnsupportedVersion,
            format!("snapshot version {version} is not supported (this build reads version {SNAPSHOT_VERSION})"),
        )
        .with_field("version"));
    }
    let snap: SnapshotV1 = serde_json::from_value(value).map_err(|e| invalid(format!("{e}")))?;
    let engine = Engine {
        presence: snap.presence,
        wfm: snap.wfm,
        schedules: snap.schedules,
    };
    engine.validate().map_err(|e| match e.code {
        ErrorCode::InvalidSnapshot => e,
        _ => Error {
            code: ErrorCode::InvalidSnapshot,
            ..e
        },
    })?;
    Ok(engine)
}

fn invalid(message: String) -> Error {
    Error::new(ErrorCode::InvalidSnapshot, format!("snapshot: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::mapping::{PresenceSettings, UnitRef};
    use crate::core::records::{ExternalUser, SourceUser, PERM_USER_MAPPING_MAP};

    fn engine_with_a_mapping() -> Engine {
        let mut e = Engine::new(PresenceSettings::default()).unwrap();
        let unit = UnitRef::new("bu-1", "ringcentral");
        let user = SourceUser {
            id: "u1".into(),
            email: Some("a@example.com".into()),
            permissions: Some(vec![PERM_USER_MAPPING_MAP.into()]),
            ..Default::default()
        };
        e.presence.load_sources(&unit, vec![user]).unwrap();
        e.presence
            .load_directory(
                &unit,
                vec![ExternalUser {
                    id: "x1".into(),
                    email: Some("A@example.com".into()),
                    ..Default::default()
                }],
            )
            .unwrap();
        let now = "2026-11-23T10:00:00Z".parse().unwrap();
        e.presence.plan_auto_sync(&unit, "r1".into(), now).unwrap();
        e.apply_plan("r1", "auto_sync", false, now).unwrap();
        e.wfm.link("wfm-1", "acd-east", "east", now).unwrap();
        e
    }

    #[test]
    fn save_then_restore_gives_the_same_state() {
        let e = engine_with_a_mapping();
        let json = save(&e).unwrap();
        let back = restore(&json).unwrap();
        assert_eq!(save(&back).unwrap(), json);
        assert_eq!(back.presence.log(), e.presence.log());
        assert_eq!(back.wfm, e.wfm);
        assert_eq!(back.schedules, e.schedules);
    }

    #[test]
    fn unknown_versions_and_damage_are_told_apart() {
        let json = save(&engine_with_a_mapping()).unwrap();
        let v2 = json.replace("\"version\":1", "\"version\":2");
        assert_eq!(
            restore(&v2).unwrap_err().code,
            ErrorCode::UnsupportedVersion
        );
        for bad in [
            "",
            "[]",
            "{\"format\":\"other\",\"version\":1}",
            &json[..json.len() / 2],
            &json.replace(
                "\"format\":\"usersync-snapshot\"",
                "\"format\":\"usersync-snapshot\",\"extra\":1",
            ),
            &json.replace("\"intervalMinutes\":15", "\"intervalMinutes\":3"),
        ] {
            assert_eq!(
                restore(bad).unwrap_err().code,
                ErrorCode::InvalidSnapshot,
                "{bad:.80}"
            );
        }
    }

    #[test]
    fn a_snapshot_breaking_one_to_one_is_refused() {
        let json = save(&engine_with_a_mapping()).unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let mut units = value["presence"]["units"].clone();
        let mut mapping = units[0]["mappings"][0].clone();
        mapping["userId"] = "u2".into();
        units[0]["mappings"].as_array_mut().unwrap().push(mapping);
        let mut damaged = value.clone();
        damaged["presence"]["units"] = units;
        let err = restore(&damaged.to_string()).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidSnapshot, "{}", err.message);
    }
}
