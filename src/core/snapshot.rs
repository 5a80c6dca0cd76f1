//! The whole state as a versioned JSON snapshot. Restore checks the format and version,
//! decodes, then validates every invariant; it returns a new `Engine` or an error, so the
//! caller's current state is replaced whole or not at all.
//!
//! Version 1 gave every unit an enabled daily 02:00 UTC schedule until an admin set one,
//! and did not record who saved a schedule. Version 2 has no schedule until one is saved,
//! and keeps its owner. Restoring version 1 migrates each schedule entry:
//! - a schedule equal to that old default is taken as never saved: the unit becomes "not
//!   set up" (its last run is kept). Version 1 cannot tell an admin who saved exactly the
//!   default from a unit that never had one (both wrote the same entry), and running Auto
//!   Sync that nobody may have asked for is the worse mistake; such an admin saves it again.
//! - any other schedule was saved by an admin and is kept, with no owner recorded: a
//!   scheduled run then acts as the actor its caller names, until an admin saves it again.

use crate::core::engine::{Engine, UnitSchedule};
use crate::core::mapping::{PresenceState, UnitRef};
use crate::core::schedule::{Frequency, Schedule};
use crate::core::wfm::WfmState;
use crate::core::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

pub const SNAPSHOT_FORMAT: &str = "usersync-snapshot";
pub const SNAPSHOT_VERSION: u64 = 2;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SnapshotV2 {
    format: String,
    version: u64,
    presence: PresenceState,
    wfm: WfmState,
    schedules: Vec<UnitSchedule>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SnapshotV1 {
    #[allow(dead_code)]
    format: String,
    #[allow(dead_code)]
    version: u64,
    presence: PresenceState,
    wfm: WfmState,
    schedules: Vec<UnitScheduleV1>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UnitScheduleV1 {
    unit: UnitRef,
    schedule: Schedule,
    #[serde(default)]
    last_run: Option<String>,
}

impl UnitScheduleV1 {
    fn migrate(self) -> UnitSchedule {
        let old_default = Schedule {
            enabled: true,
            frequency: Frequency::Daily {
                time: "02:00".into(),
            },
            time_zone: "UTC".into(),
            anchor: None,
        };
        UnitSchedule {
            unit: self.unit,
            schedule: (self.schedule != old_default).then_some(self.schedule),
            saved_by: None,
            saved_at: None,
            last_run: self.last_run,
            last_refusal: None,
        }
    }
}

/// The snapshot JSON of `engine` (settings, mappings, audit log, schedules, WFM state).
/// Loaded directories and pending plans are not part of it: they are re-fetched.
pub fn save(engine: &Engine) -> Result<String> {
    let snap = SnapshotV2 {
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
    check_counters(&value, &mut String::new())?;
    let engine = match version {
        1 => {
            let snap: SnapshotV1 =
                serde_json::from_value(value).map_err(|e| invalid(format!("{e}")))?;
            Engine {
                presence: snap.presence,
                wfm: snap.wfm,
                schedules: snap
                    .schedules
                    .into_iter()
                    .map(UnitScheduleV1::migrate)
                    .collect(),
                ..Engine::default()
            }
        }
        SNAPSHOT_VERSION => {
            let snap: SnapshotV2 =
                serde_json::from_value(value).map_err(|e| invalid(format!("{e}")))?;
            Engine {
                presence: snap.presence,
                wfm: snap.wfm,
                schedules: snap.schedules,
                ..Engine::default()
            }
        }
        _ => {
            return Err(Error::new(
                ErrorCode::UnsupportedVersion,
                format!("snapshot version {version} is not supported (this build reads versions 1 to {SNAPSHOT_VERSION})"),
            )
            .with_field("version"))
        }
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
    use crate::core::mapping::{Actor, PresenceSettings};
    use crate::core::records::{ExternalUser, SourceUser, PERM_USER_MAPPING_MAP};

    fn admin() -> Actor {
        Actor::new("admin-1", &[PERM_USER_MAPPING_MAP])
    }

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
        e.apply_plan("r1", &admin(), false, now).unwrap();
        let schedule = Schedule {
            enabled: true,
            frequency: Frequency::Hourly { minute: 5 },
            time_zone: "Europe/Berlin".into(),
            anchor: None,
        };
        e.set_schedule(&unit, schedule, &admin(), now).unwrap();
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
        let v3 = json.replace("\"version\":2", "\"version\":3");
        assert_eq!(
            restore(&v3).unwrap_err().code,
            ErrorCode::UnsupportedVersion
        );
        for bad in [
            "",
            "[]",
            "{\"format\":\"other\",\"version\":2}",
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

    /// Written by the previous version (snapshot version 1) and kept as it was.
    const V1: &str = include_str!("../../tests/fixtures/snapshot-v1.json");

    #[test]
    fn a_snapshot_of_the_previous_version_restores_and_migrates_its_schedules() {
        assert!(V1.contains("\"version\":1"));
        let e = restore(V1).unwrap();
        // Mappings, log and runs come through whole.
        assert_eq!(e.presence.log().len(), 3);
        assert_eq!(e.presence.run_summary("run-1").unwrap().actor, "auto_sync");
        let auto = UnitRef::new("bu-auto", "ringcentral");
        assert_eq!(e.presence.unit(&auto).unwrap().mappings().count(), 2);
        // The untouched default: not set up any more, never due; the last run is kept.
        let s = e.schedule(&auto);
        assert!(!s.is_set_up());
        assert_eq!(s.last_run.as_deref(), Some("2026-11-20T10:00:00Z"));
        assert!(!e
            .is_due(&auto, "2026-11-25T03:00:00Z".parse().unwrap())
            .unwrap());
        // A schedule an admin saved stays, with no owner recorded.
        let custom = e.schedule(&UnitRef::new("bu-custom", "ringcentral"));
        assert!(custom.is_set_up());
        assert_eq!(custom.saved_by, None);
        assert!(matches!(
            custom.schedule.as_ref().map(|s| &s.frequency),
            Some(Frequency::Weekly { .. })
        ));
        let off = e.schedule(&UnitRef::new("bu-off", "teams"));
        assert_eq!(off.schedule.map(|s| s.enabled), Some(false));
        // Saved again it is version 2, and restores to the same state.
        let json = save(&e).unwrap();
        assert!(json.contains("\"version\":2"));
        assert_eq!(restore(&json).unwrap(), e);
    }

    #[test]
    fn a_migrated_schedule_without_an_owner_runs_as_the_actor_named() {
        let mut e = restore(V1).unwrap();
        let unit = UnitRef::new("bu-custom", "ringcentral");
        let now = "2026-11-26T05:30:00Z".parse().unwrap();
        let user = SourceUser {
            id: "c1".into(),
            email: Some("cat@example.com".into()),
            permissions: Some(vec![PERM_USER_MAPPING_MAP.into()]),
            ..Default::default()
        };
        e.presence.load_sources(&unit, vec![user]).unwrap();
        e.presence.plan_auto_sync(&unit, "r9".into(), now).unwrap();
        let err = e.apply_scheduled_plan("r9", None, now).unwrap_err();
        assert_eq!(err.code, ErrorCode::PermissionDenied);
        let out = e.apply_scheduled_plan("r9", Some(&admin()), now).unwrap();
        assert_eq!(out.applied, 1);
        let run = e.presence.run_summary("r9").unwrap();
        assert!(run.scheduled);
        assert_eq!(run.actor, "admin-1");
    }

    #[test]
    fn a_version_1_snapshot_is_checked_like_any_other() {
        let damaged = V1.replace("\"time\":\"06:30\"", "\"time\":\"6:30\"");
        assert_eq!(
            restore(&damaged).unwrap_err().code,
            ErrorCode::InvalidSnapshot
        );
        let extra = V1.replace("\"lastRun\":", "\"savedBy\":null,\"lastRun\":");
        assert_eq!(
            restore(&extra).unwrap_err().code,
            ErrorCode::InvalidSnapshot
        );
    }
}
