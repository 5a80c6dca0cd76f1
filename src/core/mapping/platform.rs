//! Which platforms Presence Sync can map automatically. Manual mapping and name search work
//! on every platform; Auto Sync only where the platform offers it: RingCentral built in, any
//! other platform only when the caller declares it in the settings.

use super::settings::PresenceSettings;
use crate::core::error::{quote, Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

/// The platforms built in, with Auto Sync support. Kept as a list so a new one is one line.
const BUILT_IN: &[(&str, &str)] = &[("ringcentral", "RingCentral")];

/// What a platform supports, as the page and the CLI ask before offering Auto Sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PlatformSupport {
    pub platform: String,
    /// The name people read ("RingCentral").
    pub label: String,
    /// Auto Sync (by email) may be planned, scheduled and run.
    pub auto_sync: bool,
    /// Manual mapping and name search: always true.
    pub manual: bool,
    /// Whether the answer comes from a declaration in the settings rather than the built-in
    /// list.
    pub declared: bool,
}

impl PresenceSettings {
    /// What `platform` supports under these settings.
    pub fn platform_support(&self, platform: &str) -> PlatformSupport {
        let declared = self
            .platforms
            .iter()
            .find(|d| d.platform.eq_ignore_ascii_case(platform));
        let built_in = BUILT_IN
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(platform));
        let label = declared
            .and_then(|d| d.label.clone())
            .or_else(|| built_in.map(|(_, label)| (*label).to_string()))
            .unwrap_or_else(|| {
                if platform.trim().is_empty() {
                    "external".to_string()
                } else {
                    platform.to_string()
                }
            });
        PlatformSupport {
            platform: platform.to_string(),
            label,
            auto_sync: declared.map_or(built_in.is_some(), |d| d.auto_sync),
            manual: true,
            declared: declared.is_some(),
        }
    }

    /// Err(auto_sync_unsupported) naming the platform when Auto Sync may not run there.
    pub(crate) fn require_auto_sync(&self, platform: &str, what: &str) -> Result<()> {
        let support = self.platform_support(platform);
        if support.auto_sync {
            return Ok(());
        }
        Err(Error::new(
            ErrorCode::AutoSyncUnsupported,
            format!(
                "{what}: {} supports manual mapping only (declare it in the settings' platforms with autoSync to allow Auto Sync)",
                quote(&support.label)
            ),
        )
        .with_id(platform)
        .with_field("platform"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::settings::PlatformDeclaration;
    use super::*;

    fn declared(list: Vec<PlatformDeclaration>) -> PresenceSettings {
        PresenceSettings {
            platforms: list,
            ..PresenceSettings::default()
        }
    }

    #[test]
    fn ringcentral_is_built_in_with_auto_sync_and_others_are_manual_only() {
        let s = PresenceSettings::default();
        let rc = s.platform_support("ringcentral");
        assert!(rc.auto_sync && rc.manual && !rc.declared);
        assert_eq!(rc.label, "RingCentral");
        assert!(s.platform_support("RingCentral").auto_sync);
        for other in ["teams", "zoom", "acme-phone", ""] {
            let p = s.platform_support(other);
            assert!(!p.auto_sync, "{other}");
            assert!(p.manual, "{other}");
        }
        let err = s.require_auto_sync("teams", "Auto Sync").unwrap_err();
        assert_eq!(err.code, ErrorCode::AutoSyncUnsupported);
        assert!(err.message.contains("teams"), "{}", err.message);
        assert!(s.require_auto_sync("ringcentral", "Auto Sync").is_ok());
    }

    #[test]
    fn a_declared_platform_gets_auto_sync_and_can_turn_a_built_in_off() {
        let s = declared(vec![
            PlatformDeclaration {
                platform: "Teams".into(),
                auto_sync: true,
                label: Some("Microsoft Teams".into()),
            },
            PlatformDeclaration {
                platform: "ringcentral".into(),
                auto_sync: false,
                label: None,
            },
        ]);
        let teams = s.platform_support("teams");
        assert!(teams.auto_sync && teams.declared);
        assert_eq!(teams.label, "Microsoft Teams");
        let rc = s.platform_support("ringcentral");
        assert!(!rc.auto_sync);
        assert_eq!(rc.label, "RingCentral");
        assert!(!s.platform_support("zoom").auto_sync);
    }

    #[test]
    fn declarations_are_checked() {
        let twice = declared(vec![
            PlatformDeclaration {
                platform: "zoom".into(),
                auto_sync: true,
                label: None,
            },
            PlatformDeclaration {
                platform: "ZOOM".into(),
                auto_sync: false,
                label: None,
            },
        ]);
        let err = twice.validate().unwrap_err();
        assert_eq!((err.code, err.index), (ErrorCode::InvalidInput, Some(1)));
        let empty = declared(vec![PlatformDeclaration {
            platform: " ".into(),
            auto_sync: true,
            label: None,
        }]);
        assert_eq!(
            empty.validate().unwrap_err().field.as_deref(),
            Some("platforms")
        );
    }
}
