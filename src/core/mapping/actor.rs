//! Who changes Presence Sync, and the one permission every change needs.
//!
//! Applying an Auto Sync or undo plan, forcing past the unmap guard, saving a unit's
//! schedule and every manual change require an actor holding `UserMapping.Map`. The check
//! lives here, in the core, so no caller (page, CLI, script) can skip it.

use crate::core::error::{quote, Error, ErrorCode, Result};
use crate::core::records::{SourceUser, PERM_USER_MAPPING_MAP};
use serde::{Deserialize, Serialize};

/// Who makes a change, with the permissions they hold now.
///
/// @example
/// ```ts
/// const actor: Actor = { id: "admin@example.com", permissions: ["UserMapping.Map"] };
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    pub id: String,
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// Who applies a plan: an admin, or a scheduled run acting as the admin who saved the
/// unit's schedule.
pub(crate) struct Applier<'a> {
    pub actor: &'a Actor,
    pub scheduled: bool,
}

impl Actor {
    pub fn new(id: impl Into<String>, permissions: &[&str]) -> Self {
        Actor {
            id: id.into(),
            permissions: permissions.iter().map(|p| (*p).to_string()).collect(),
        }
    }

    /// An actor holding `UserMapping.Map` (scripts and tests that act as an admin).
    pub fn with_map(id: impl Into<String>) -> Self {
        Actor {
            id: id.into(),
            permissions: vec![PERM_USER_MAPPING_MAP.to_string()],
        }
    }

    pub fn can_map(&self) -> bool {
        self.permissions.iter().any(|p| p == PERM_USER_MAPPING_MAP)
    }

    /// Ok when the actor may `what` ("apply an Auto Sync plan"); otherwise
    /// `permission_denied` naming the actor and the missing permission, or `invalid_input`
    /// for an actor with no id.
    pub fn require_map(&self, what: &str) -> Result<()> {
        if self.id.trim().is_empty() {
            return Err(Error::invalid_input(format!(
                "to {what}, name the actor: an Actor {{ id, permissions }} with a non-empty id is required"
            ))
            .with_field("actor.id"));
        }
        if self.can_map() {
            return Ok(());
        }
        Err(Error::new(
            ErrorCode::PermissionDenied,
            format!(
                "{} may not {what}: the {PERM_USER_MAPPING_MAP} permission is required",
                quote(&self.id)
            ),
        )
        .with_id(self.id.clone())
        .with_field("permissions"))
    }
}

/// Whether the admin who saved a schedule may still run it: every current view of them
/// the caller has (the CXone users loaded for the unit, the actor the caller passes) must
/// hold the permission and, in CXone, be active; with no current view at all the run is
/// refused too, since a permission that cannot be confirmed is not held.
pub(crate) fn confirm_owner(
    owner_id: &str,
    loaded: Option<&SourceUser>,
    missing_means_granted: bool,
    supplied: Option<&Actor>,
) -> Result<()> {
    let refuse = |why: String| {
        Err(Error::new(
            ErrorCode::PermissionDenied,
            format!(
                "the scheduled Auto Sync run acts as {}, who saved the schedule, and is refused: {why}",
                quote(owner_id)
            ),
        )
        .with_id(owner_id.to_string())
        .with_field("permissions"))
    };
    if let Some(a) = supplied {
        if a.id != owner_id {
            return refuse(format!(
                "the actor given is {}, not the admin who saved the schedule (save it again to make it theirs)",
                quote(&a.id)
            ));
        }
        if !a.can_map() {
            return refuse(format!("they no longer hold {PERM_USER_MAPPING_MAP}"));
        }
    }
    if let Some(u) = loaded {
        if !u.is_active() {
            return refuse("they are inactive in CXone".into());
        }
        if !u.can_map(missing_means_granted) {
            return refuse(format!(
                "they no longer hold {PERM_USER_MAPPING_MAP} in CXone"
            ));
        }
    }
    if supplied.is_none() && loaded.is_none() {
        return refuse(format!(
            "their current permissions are unknown (they are not among the CXone users loaded for the unit, and no actor was given); {PERM_USER_MAPPING_MAP} cannot be confirmed"
        ));
    }
    Ok(())
}
