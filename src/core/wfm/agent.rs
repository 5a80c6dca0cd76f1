//! What WFM (IEX) receives per agent: the product's documented field mapping (docs/wfm.md), and
//! the one function that turns a CXone user into it.

use crate::core::error::quote;
use crate::core::records::SourceUser;
use serde::{Deserialize, Serialize};

/// `origin` of an agent new from (or present in) the ACD.
pub const ORIGIN_FROM_ACD: u8 = 1;
/// `origin` of an agent WFM has that the ACD no longer has.
pub const ORIGIN_GONE_FROM_ACD: u8 = 2;

/// One agent as WFM receives it.
///
/// Identity is (`acdId`, `personalId`): an agent belongs to exactly one ACD tenant, so the
/// same person in two ACD tenants is two agents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct WfmAgent {
    /// Becomes the WFM agent id and the ACD login id: the numeric `agentNumber` CXone
    /// assigned. Never made up: a user without one is not synced (`no_agent_number`).
    pub agent_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// The address as the ACD holds it (trimmed), not the match key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Agent state date, `YYYY-MM-DD` (an RFC 3339 timestamp is cut to the date written in
    /// its own offset, so `2024-03-01` and `2024-03-01T00:00:00Z` never count as a change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_date: Option<String>,
    /// The user's GUID (`SourceUser.id`).
    pub personal_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The linked ACD tenant's id within its WFM tenant.
    pub acd_id: String,
    /// 1: new from (present in) the ACD; 2: WFM has it, the ACD no longer does.
    pub origin: u8,
    /// Fields switched off for the agent's business unit: not sent to WFM and never changed.
    /// `personalId` stays here as the agent's identity even when withheld.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<WfmField>,
}

/// The fields of [`WfmAgent`], named in a change's `changed` list (declaration order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum WfmField {
    AgentNumber,
    FirstName,
    LastName,
    Email,
    ActivationDate,
    PersonalId,
    ExternalId,
    AcdId,
    Origin,
}

impl WfmField {
    pub const ALL: &'static [WfmField] = &[
        WfmField::AgentNumber,
        WfmField::FirstName,
        WfmField::LastName,
        WfmField::Email,
        WfmField::ActivationDate,
        WfmField::PersonalId,
        WfmField::ExternalId,
        WfmField::AcdId,
        WfmField::Origin,
    ];
}

/// What turning a user into an agent had to guess; the delta turns these into warnings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentNotes {
    /// The raw `activationDate` that could not be read (sent as missing).
    pub unreadable_activation_date: Option<String>,
}

/// Why a user has no agent number WFM can take (the message names the user and the value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoAgentNumber {
    pub message: String,
}

/// The user's agent number: CXone assigns a numeric one. Missing, blank or not made of
/// digits, it is refused rather than replaced: WFM would make it the agent's id and login.
pub fn agent_number(user: &SourceUser) -> Result<String, NoAgentNumber> {
    match clean(&user.agent_number) {
        None => Err(NoAgentNumber {
            message: format!(
                "not synced: user {} has no agent number (CXone assigns one to ACD agents)",
                quote(&user.id)
            ),
        }),
        Some(n) if n.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        Some(n) => Err(NoAgentNumber {
            message: format!(
                "not synced: user {} has agent number {}, which is not numeric",
                quote(&user.id),
                quote(&n)
            ),
        }),
    }
}

impl WfmAgent {
    /// The agent WFM should hold for `user` of the ACD `acd_id` (origin 1). Blank strings
    /// become missing so `""` and a missing field never flap as a change. Refused when the
    /// user has no numeric agent number.
    pub fn from_user(
        user: &SourceUser,
        acd_id: &str,
    ) -> Result<(WfmAgent, AgentNotes), NoAgentNumber> {
        let mut notes = AgentNotes::default();
        let agent_number = agent_number(user)?;
        let activation_date = match clean(&user.activation_date) {
            Some(raw) => match activation_day(&raw) {
                Some(day) => Some(day),
                None => {
                    notes.unreadable_activation_date = Some(raw);
                    None
                }
            },
            None => None,
        };
        let agent = WfmAgent {
            agent_number,
            first_name: clean(&user.first_name),
            last_name: clean(&user.last_name),
            email: clean(&user.email),
            activation_date,
            personal_id: user.id.clone(),
            external_id: clean(&user.external_id),
            acd_id: acd_id.to_string(),
            origin: ORIGIN_FROM_ACD,
            withheld: vec![],
        };
        Ok((agent, notes))
    }

    /// Withholds `field` (personal id or external id): the agent keeps what WFM already
    /// holds for it (`held`), or nothing when WFM holds no value, so the field is never sent
    /// nor changed.
    pub fn withhold(&mut self, field: WfmField, held: Option<&WfmAgent>) {
        // The personal id is the agent's identity here, so it keeps its value; being
        // withheld, it is never compared nor sent.
        if field == WfmField::ExternalId {
            self.external_id = held.and_then(|h| h.external_id.clone());
        }
        if !self.withheld.contains(&field) {
            self.withheld.push(field);
            self.withheld.sort();
        }
    }

    /// The fields that differ from `other`, in [`WfmField::ALL`] order; withheld fields
    /// never count.
    pub fn changed_fields(&self, other: &WfmAgent) -> Vec<WfmField> {
        WfmField::ALL
            .iter()
            .copied()
            .filter(|f| !self.withheld.contains(f) && !self.same_field(other, *f))
            .collect()
    }

    fn same_field(&self, other: &WfmAgent, field: WfmField) -> bool {
        match field {
            WfmField::AgentNumber => self.agent_number == other.agent_number,
            WfmField::FirstName => self.first_name == other.first_name,
            WfmField::LastName => self.last_name == other.last_name,
            WfmField::Email => self.email == other.email,
            WfmField::ActivationDate => self.activation_date == other.activation_date,
            WfmField::PersonalId => self.personal_id == other.personal_id,
            WfmField::ExternalId => self.external_id == other.external_id,
            WfmField::AcdId => self.acd_id == other.acd_id,
            WfmField::Origin => self.origin == other.origin,
        }
    }

    /// The sort and identity key: (acd id, user id).
    pub fn key(&self) -> (&str, &str) {
        (&self.acd_id, &self.personal_id)
    }
}

fn clean(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `YYYY-MM-DD` from a date or an RFC 3339 timestamp (the civil date as written, in the
/// timestamp's own offset: an agent state date is a day, not an instant).
fn activation_day(raw: &str) -> Option<String> {
    if raw.len() != 10 {
        // Validate the whole timestamp first; its first ten bytes are then its written date.
        raw.parse::<jiff::Timestamp>().ok()?;
    }
    let day = raw.get(..10)?.parse::<jiff::civil::Date>().ok()?;
    Some(day.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> SourceUser {
        SourceUser {
            id: "u1".into(),
            agent_number: Some(" 1001 ".into()),
            first_name: Some("Ann".into()),
            last_name: Some("Lee".into()),
            email: Some(" ann@example.com ".into()),
            activation_date: Some("2024-03-01".into()),
            external_id: Some("ext-9".into()),
            ..Default::default()
        }
    }

    #[test]
    fn maps_the_documented_fields() {
        let (a, notes) = WfmAgent::from_user(&user(), "acd-1").unwrap();
        assert_eq!(a.agent_number, "1001");
        assert_eq!(a.first_name.as_deref(), Some("Ann"));
        assert_eq!(a.last_name.as_deref(), Some("Lee"));
        assert_eq!(a.email.as_deref(), Some("ann@example.com"));
        assert_eq!(a.activation_date.as_deref(), Some("2024-03-01"));
        assert_eq!(a.personal_id, "u1");
        assert_eq!(a.external_id.as_deref(), Some("ext-9"));
        assert_eq!(a.acd_id, "acd-1");
        assert_eq!(a.origin, ORIGIN_FROM_ACD);
        assert_eq!(notes, AgentNotes::default());
    }

    #[test]
    fn an_agent_number_is_never_invented() {
        for n in [None, Some("  ".to_string()), Some("A-17".to_string())] {
            let u = SourceUser {
                agent_number: n,
                ..user()
            };
            let e = WfmAgent::from_user(&u, "acd-1").unwrap_err();
            assert!(e.message.contains("\"u1\""), "{}", e.message);
        }
    }

    #[test]
    fn a_withheld_field_keeps_what_wfm_holds_and_never_changes() {
        let (held, _) = WfmAgent::from_user(&user(), "acd-1").unwrap();
        let (mut now, _) = WfmAgent::from_user(
            &SourceUser {
                external_id: Some("ext-NEW".into()),
                ..user()
            },
            "acd-1",
        )
        .unwrap();
        now.withhold(WfmField::ExternalId, Some(&held));
        now.withhold(WfmField::PersonalId, Some(&held));
        assert_eq!(now.external_id.as_deref(), Some("ext-9"));
        assert!(now.changed_fields(&held).is_empty());
        let mut fresh = now.clone();
        fresh.withhold(WfmField::ExternalId, None);
        assert_eq!(fresh.external_id, None);
        assert_eq!(fresh.withheld, [WfmField::PersonalId, WfmField::ExternalId]);
    }

    #[test]
    fn activation_dates_are_cut_to_the_day_in_their_own_offset() {
        let cases = [
            ("2024-03-01T00:00:00Z", Some("2024-03-01")),
            ("2024-03-01T23:30:00-05:00", Some("2024-03-01")),
            ("2024-03-01", Some("2024-03-01")),
        ];
        for (raw, want) in cases {
            let u = SourceUser {
                activation_date: Some(raw.into()),
                ..user()
            };
            let (a, notes) = WfmAgent::from_user(&u, "x").unwrap();
            assert_eq!(a.activation_date.as_deref(), want, "{raw}");
            assert_eq!(notes.unreadable_activation_date, None);
        }
        for raw in ["yesterday", "2024-13-01", "2024-03-01Tgarbage"] {
            let u = SourceUser {
                activation_date: Some(raw.into()),
                ..user()
            };
            let (a, notes) = WfmAgent::from_user(&u, "x").unwrap();
            assert_eq!(a.activation_date, None, "{raw}");
            assert_eq!(notes.unreadable_activation_date.as_deref(), Some(raw));
        }
    }

    #[test]
    fn blank_and_missing_are_the_same_value() {
        let u = SourceUser {
            first_name: Some("".into()),
            ..user()
        };
        let v = SourceUser {
            first_name: None,
            ..user()
        };
        let (a, _) = WfmAgent::from_user(&u, "x").unwrap();
        let (b, _) = WfmAgent::from_user(&v, "x").unwrap();
        assert!(a.changed_fields(&b).is_empty());
    }

    #[test]
    fn changed_fields_names_each_field_in_order() {
        let (a, _) = WfmAgent::from_user(&user(), "acd-1").unwrap();
        let mut b = a.clone();
        b.origin = ORIGIN_GONE_FROM_ACD;
        b.email = None;
        b.agent_number = "2".into();
        assert_eq!(
            a.changed_fields(&b),
            vec![WfmField::AgentNumber, WfmField::Email, WfmField::Origin]
        );
        let json = serde_json::to_string(&WfmField::ActivationDate).unwrap();
        assert_eq!(json, "\"activation_date\"");
        let json = serde_json::to_value(&a).unwrap();
        assert!(json.get("personalId").is_some() && json.get("acdId").is_some());
    }
}
