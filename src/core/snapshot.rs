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
    check_counters(&value, &mut String::new())?;
    let snap: SnapshotV1 = serde_json::from_value(value).map_err(|e| invalid(format!("{e}")))?;
    let engine = Engine {
        presence: snap.presence,
        wfm: snap.wfm,
        schedules: snap.schedules,
    };
    if engine.presence.next_event_id() > EVENT_ID_CEILING {
        return Err(invalid(format!(
            "the audit event counter is past {EVENT_ID_CEILING}: new events would get ids JavaScript cannot hold"
        ))
        .with_field("presence.nextEvent"));
    }
    engine.validate().map_err(|e| match e.code {
        ErrorCode::InvalidSnapshot => e,
        _ => Error {
            code: ErrorCode::InvalidSnapshot,
            ..e
        },
    })?;
    Ok(engine)
}

/// The largest integer a JavaScript number holds exactly (2^53 - 1). Every count and id of a
/// snapshot reaches JS as a number, so a larger one would come back as another value.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Restored event ids stay this far below `MAX_SAFE_INTEGER` (2^40 more events, centuries
/// of changes at any real rate), so no later mutation can mint an id that JS cannot hold
/// and then fail to hand its result back after changing the state.
pub const EVENT_ID_CEILING: u64 = MAX_SAFE_INTEGER - (1 << 40);

/// Every integer anywhere in the snapshot within the JS safe range; `path` names where.
fn check_counters(value: &serde_json::Value, path: &mut String) -> Result<()> {
    match value {
        serde_json::Value::Number(n) => {
            let safe = match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => u <= MAX_SAFE_INTEGER,
                (None, Some(i)) => i.unsigned_abs() <= MAX_SAFE_INTEGER,
                // A float: JSON numbers with a fraction or exponent are no counters.
                (None, None) => true,
            };
            if !safe {
                return Err(invalid(format!(
                    "`{path}` is {n}, outside the range JavaScript numbers hold exactly (±{MAX_SAFE_INTEGER})"
                ))
                .with_field(path.as_str()));
            }
            Ok(())
        }
        serde_json::Value::Array(items) => {
            let len = path.len();
            for (i, item) in items.iter().enumerate() {
                path.push_str(&format!("[{i}]"));
                check_counters(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        serde_json::Value::Object(map) => {
            let len = path.len();
            for (key, item) in map {
                let plain =
                    key.len() <= 64 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !plain {
                    path.push_str(&format!("[{}]", crate::core::error::quote(key)));
                } else {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                }
                check_counters(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
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
    fn counters_beyond_the_js_safe_range_are_refused() {
        let json = save(&engine_with_a_mapping()).unwrap();
        assert!(json.contains("\"nextEvent\":"), "{json}");
        let with_next = |n: &str| {
            let v: serde_json::Value = serde_json::from_str(&json).unwrap();
            let mut v = v;
            v["presence"]["nextEvent"] = serde_json::from_str(n).unwrap();
            v.to_string()
        };
        let err = restore(&with_next("9007199254740992")).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidSnapshot);
        assert_eq!(err.field.as_deref(), Some("presence.nextEvent"));
        assert!(err.message.contains("9007199254740992"), "{}", err.message);
        // In range for JS, but too close to its end for new events.
        let err = restore(&with_next(&MAX_SAFE_INTEGER.to_string())).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidSnapshot);
        assert!(restore(&with_next(&EVENT_ID_CEILING.to_string())).is_ok());
        // Anywhere, not only the counter: an audit event's id.
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let mut v = v;
        v["presence"]["log"][0]["id"] = serde_json::json!(u64::MAX);
        let err = restore(&v.to_string()).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidSnapshot);
        assert_eq!(err.field.as_deref(), Some("presence.log[0].id"));
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
