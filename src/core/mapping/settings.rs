//! The settings that steer Presence Sync (saved in the snapshot): how keys are made, the
//! unmap guard, audit retention and the platforms declared by the caller. Plain data and its
//! range checks; the rules that read it live with the behaviour.

use super::keys::KeyOptions;
use super::model::MatchedBy;
use crate::core::error::{quote, Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

/// Settings of Presence Sync (saved in the snapshot).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct PresenceSettings {
    /// How email match keys are made (case sensitivity, `+tag`).
    pub key: KeyOptions,
    /// Treat a CXone user with no `permissions` list as holding `UserMapping.Map`.
    pub missing_permissions_granted: bool,
    /// Keys tried, in this order, for users whose email found no account (`no_match` or no
    /// email). Empty (the default): email only. `email` in this list is ignored.
    pub fallback_keys: Vec<MatchedBy>,
    /// The guard's share of mapped users (0 to 100).
    pub unmap_guard_percent: f64,
    /// The guard's floor: a run may always unmap at least this many users.
    pub unmap_guard_min: usize,
    /// Bounds on the audit log and run summaries (trimmed after every change).
    pub audit_retention: AuditRetention,
    /// Platforms beyond the built-in ones, or built-in ones changed: whether Auto Sync may
    /// run there. Undeclared platforms other than `ringcentral` are manual only.
    pub platforms: Vec<PlatformDeclaration>,
}

impl Default for PresenceSettings {
    fn default() -> Self {
        PresenceSettings {
            key: KeyOptions::default(),
            missing_permissions_granted: false,
            fallback_keys: Vec::new(),
            unmap_guard_percent: 10.0,
            unmap_guard_min: 5,
            audit_retention: AuditRetention::default(),
            platforms: Vec::new(),
        }
    }
}

impl PresenceSettings {
    /// Err(invalid_input) naming the field when a setting is out of range.
    pub fn validate(&self) -> Result<()> {
        let p = self.unmap_guard_percent;
        if !p.is_finite() || !(0.0..=100.0).contains(&p) {
            return Err(Error::new(
                ErrorCode::InvalidInput,
                format!("unmapGuardPercent must be a number from 0 to 100, got {p}"),
            )
            .with_field("unmapGuardPercent"));
        }
        let mut seen = Vec::new();
        for k in &self.fallback_keys {
            if seen.contains(k) {
                return Err(
                    Error::invalid_input(format!("fallbackKeys lists {k:?} twice"))
                        .with_field("fallbackKeys"),
                );
            }
            seen.push(*k);
        }
        self.validate_platforms()
    }

    /// The most users one run may unmap: the larger of `unmap_guard_min` and
    /// `unmap_guard_percent`% of `mapped` rounded up. With the defaults: 5 up to 50 mapped
    /// users, then 10% (51 mapped allows 6).
    pub fn unmap_threshold(&self, mapped: usize) -> usize {
        let pct = if self.unmap_guard_percent.is_finite() {
            self.unmap_guard_percent.clamp(0.0, 100.0)
        } else {
            0.0
        };
        // The small epsilon keeps 10% of 50 at 5 despite floating-point noise.
        let share = (pct * mapped as f64 / 100.0 - 1e-9).ceil().max(0.0);
        let share = if share >= mapped as f64 {
            mapped
        } else {
            share as usize
        };
        share.max(self.unmap_guard_min)
    }

    /// Fallback keys in precedence order, without `email` or repeats.
    pub(crate) fn fallbacks(&self) -> Vec<MatchedBy> {
        let mut out: Vec<MatchedBy> = Vec::new();
        for k in &self.fallback_keys {
            if *k != MatchedBy::Email && !out.contains(k) {
                out.push(*k);
            }
        }
        out
    }
    pub(crate) fn validate_platforms(&self) -> Result<()> {
        for (i, d) in self.platforms.iter().enumerate() {
            if d.platform.trim().is_empty() {
                return Err(Error::invalid_input(format!(
                    "platforms[{i}]: the platform name is empty"
                ))
                .at(i)
                .with_field("platforms"));
            }
            let earlier = self.platforms.iter().take(i);
            if earlier
                .clone()
                .any(|o| o.platform.eq_ignore_ascii_case(&d.platform))
            {
                return Err(Error::invalid_input(format!(
                    "platforms[{i}]: {} is declared twice",
                    quote(&d.platform)
                ))
                .at(i)
                .with_id(d.platform.clone())
                .with_field("platforms"));
            }
        }
        Ok(())
    }
}

/// Bounds on the audit log (saved with the settings). Each bound is a plain number where 0
/// means "no bound": unlike an optional field, it reads the same in JS, in JSON and after a
/// `JSON.stringify` round trip (which would drop an `undefined` and bring the default back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct AuditRetention {
    /// Keep at most this many audit events (default 10,000; 0: no count bound).
    pub max_events: usize,
    /// Drop events and run summaries older than this many days (default 0: no age bound).
    pub max_age_days: u32,
    /// Keep at most this many run summaries (default 1,000; 0: no count bound).
    pub max_runs: usize,
}

impl Default for AuditRetention {
    fn default() -> Self {
        AuditRetention {
            max_events: 10_000,
            max_age_days: 0,
            max_runs: 1_000,
        }
    }
}

/// A platform the caller names in the settings, e.g. `{ platform: "teams", autoSync: true }`.
/// A declaration of a built-in platform replaces what is built in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PlatformDeclaration {
    /// The platform as units name it (compared without regard to ASCII case).
    pub platform: String,
    /// Whether Auto Sync may run for units on this platform.
    pub auto_sync: bool,
    /// How people name it ("Microsoft Teams"); the platform name when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}
