//! One test per mapping rule of docs/presence.md and docs/matching.md (each fails if its rule breaks); shared fixtures here.

use super::*;
use crate::core::records::{ExternalUser, SourceUser, PERM_USER_MAPPING_MAP};
use jiff::Timestamp;

pub(super) fn bu() -> UnitRef {
    UnitRef::new("bu1", "ringcentral")
}

pub(super) fn at(s: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + s).unwrap()
}

pub(super) fn src(id: &str, email: &str) -> SourceUser {
    SourceUser {
        id: id.into(),
        email: (!email.is_empty()).then(|| email.to_string()),
        permissions: Some(vec![PERM_USER_MAPPING_MAP.to_string()]),
        ..Default::default()
    }
}

pub(super) fn ext(id: &str, email: &str) -> ExternalUser {
    ExternalUser {
        id: id.into(),
        email: (!email.is_empty()).then(|| email.to_string()),
        ..Default::default()
    }
}

pub(super) fn admin() -> Actor {
    Actor {
        id: "admin".into(),
        permissions: vec![PERM_USER_MAPPING_MAP.into()],
    }
}

pub(super) fn state(sources: Vec<SourceUser>, dir: Vec<ExternalUser>) -> PresenceState {
    let mut s = PresenceState::new(PresenceSettings::default()).unwrap();
    s.load_sources(&bu(), sources).unwrap();
    s.load_directory(&bu(), dir).unwrap();
    s
}

/// Plan (pass 1) and apply with force; returns the plan.
pub(super) fn run(s: &mut PresenceState, run_id: &str) -> Plan {
    let plan = s
        .plan_auto_sync(&bu(), run_id.into(), at(1))
        .unwrap()
        .clone();
    s.apply_plan(
        run_id,
        &crate::core::mapping::Actor::with_map("auto"),
        true,
        at(2),
    )
    .unwrap();
    plan
}

pub(super) fn st(s: &PresenceState, user: &str) -> MappingState {
    s.unit(&bu()).unwrap().state_of(user)
}

pub(super) fn reason(s: &PresenceState, user: &str) -> Option<Reason> {
    st(s, user).reason
}

mod auto_sync;
mod manual;
mod runs;
mod state;
mod undo;
