//! The records both flows read (field list: docs/identity.md). Only `id` is required; every other field
//! may be missing, and the engine decides what a missing value means (see the accessors).

use serde::{Deserialize, Serialize};

/// The permission that lets Auto Sync and admins map a user (docs/presence.md).
pub const PERM_USER_MAPPING_MAP: &str = "UserMapping.Map";
/// The team feature an employee needs to be synced to WFM (docs/wfm.md).
pub const FEATURE_WFM_ADVANCED: &str = "WFMAdvanced";
/// The role permission that lets an agent see their personal schedule (docs/wfm.md).
pub const PERM_VIEW_PERSONAL_SCHEDULE: &str = "WFM.MyZone.ViewPersonalSchedule";

/// A CXone user (Admin user / ACD agent): the source of truth.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct SourceUser {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_unit_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_id: Option<String>,
    /// Missing means active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Missing means the permission is not held, unless the caller treats a missing list as
    /// granted (directories exported without security profiles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_features: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_permissions: Option<Vec<String>>,
    /// The ACD (agent) profile; WFM sync needs one (otherwise `no_acd_profile`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acd_profile_id: Option<String>,
    /// The agent number: becomes the WFM agent id and ACD login id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_number: Option<String>,
    /// The id the user has in another system (sent to WFM as the external id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Agent state date (RFC 3339 or YYYY-MM-DD), sent to WFM as the activation date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_date: Option<String>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

/// An account on the external platform (RingCentral or a generic directory).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ExternalUser {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_id: Option<String>,
    /// Missing means active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

impl SourceUser {
    pub fn is_active(&self) -> bool {
        self.active.unwrap_or(true)
    }

    /// Whether the user holds `UserMapping.Map`; `missing_means_granted` is the caller's
    /// option for directories exported without security profiles.
    pub fn can_map(&self, missing_means_granted: bool) -> bool {
        match &self.permissions {
            Some(list) => list.iter().any(|p| p == PERM_USER_MAPPING_MAP),
            None => missing_means_granted,
        }
    }

    pub fn has_team_feature(&self, feature: &str) -> bool {
        self.team_features
            .as_ref()
            .is_some_and(|l| l.iter().any(|f| f == feature))
    }

    pub fn has_role_permission(&self, perm: &str) -> bool {
        self.role_permissions
            .as_ref()
            .is_some_and(|l| l.iter().any(|p| p == perm))
    }

    /// "First Last", or the user name, or the id: what a person reads in a table.
    pub fn display_name(&self) -> String {
        display(self.first_name.as_deref(), self.last_name.as_deref())
            .or_else(|| self.user_name.clone())
            .unwrap_or_else(|| self.id.clone())
    }
}

impl ExternalUser {
    pub fn is_active(&self) -> bool {
        self.active.unwrap_or(true)
    }

    pub fn display_name(&self) -> String {
        self.display_name
            .clone()
            .filter(|s| !s.trim().is_empty())
            .or_else(|| display(self.first_name.as_deref(), self.last_name.as_deref()))
            .or_else(|| self.user_name.clone())
            .unwrap_or_else(|| self.id.clone())
    }
}

fn display(first: Option<&str>, last: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = [first, last]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_active_means_active_and_missing_permissions_means_not_held() {
        let u = SourceUser {
            id: "1".into(),
            ..Default::default()
        };
        assert!(u.is_active());
        assert!(!u.can_map(false));
        assert!(u.can_map(true));
        let u = SourceUser {
            permissions: Some(vec!["Other".into()]),
            ..u
        };
        assert!(
            !u.can_map(true),
            "an explicit list without the permission is never granted"
        );
    }

    #[test]
    fn records_use_camel_case_names() {
        let u: SourceUser =
            serde_json::from_str(r#"{"id":"a","businessUnitId":"bu","firstName":"Ann"}"#).unwrap();
        assert_eq!(u.business_unit_id.as_deref(), Some("bu"));
        assert_eq!(u.display_name(), "Ann");
    }
}
