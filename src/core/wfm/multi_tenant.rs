//! The same person (same email key) as an agent in two ACD tenants: reported
//! (`agent_in_multiple_tenants`), never merged: each tenant's agent stays its own.

use super::agent::WfmAgent;
use crate::core::email_key::{email_key, KeyOptions};
use crate::core::error::ErrorCode;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One agent, by its identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct AgentRef {
    pub acd_id: String,
    pub user_id: String,
}

/// Agents of two or more ACD tenants sharing one email key. Each is still synced as its own
/// agent; the report is for an admin to look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct MultiTenantReport {
    /// Always `agent_in_multiple_tenants`.
    pub code: ErrorCode,
    pub email_key: String,
    /// Every synced agent with this key, sorted by acd id then user id (two agents of one
    /// ACD tenant may appear when that tenant holds the address twice).
    pub agents: Vec<AgentRef>,
}

/// Reports over the agents synced this run. Addresses that have no valid key are left out:
/// they cannot be compared safely (a wrong "same person" is worse than a missed one).
pub(crate) fn find_multi_tenant(agents: &[&WfmAgent]) -> Vec<MultiTenantReport> {
    let mut by_key: BTreeMap<String, BTreeSet<AgentRef>> = BTreeMap::new();
    for agent in agents {
        let Some(key) = agent.email.as_deref().and_then(match_key) else {
            continue;
        };
        by_key.entry(key).or_default().insert(AgentRef {
            acd_id: agent.acd_id.clone(),
            user_id: agent.personal_id.clone(),
        });
    }
    by_key
        .into_iter()
        .filter(|(_, refs)| {
            refs.iter()
                .map(|r| r.acd_id.as_str())
                .collect::<BTreeSet<_>>()
                .len()
                > 1
        })
        .map(|(email_key, refs)| MultiTenantReport {
            code: ErrorCode::AgentInMultipleTenants,
            email_key,
            agents: refs.into_iter().collect(),
        })
        .collect()
}

/// The email match key (docs/identity.md) with the default options (case-insensitive local part, no
/// `+tag` stripping). An address flagged confusable still has an exact key; it is used here
/// because this report only points an admin at two agents and never merges them.
fn match_key(raw: &str) -> Option<String> {
    email_key(raw, &KeyOptions::default()).ok().map(|k| k.key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(acd: &str, id: &str, email: Option<&str>) -> WfmAgent {
        WfmAgent {
            agent_number: id.into(),
            first_name: None,
            last_name: None,
            email: email.map(str::to_string),
            activation_date: None,
            personal_id: id.into(),
            external_id: None,
            acd_id: acd.into(),
            origin: 1,
            withheld: vec![],
        }
    }

    #[test]
    fn same_key_in_two_acds_is_reported_with_both_agents() {
        let a = agent("acd2", "u9", Some("Ann@Example.com"));
        let b = agent("acd1", "u1", Some(" ann@example.com"));
        let c = agent("acd1", "u2", Some("bob@example.com"));
        let r = find_multi_tenant(&[&a, &b, &c]);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].code, ErrorCode::AgentInMultipleTenants);
        assert_eq!(r[0].email_key, "ann@example.com");
        let ids: Vec<_> = r[0]
            .agents
            .iter()
            .map(|a| (&*a.acd_id, &*a.user_id))
            .collect();
        assert_eq!(ids, [("acd1", "u1"), ("acd2", "u9")]);
    }

    #[test]
    fn same_key_twice_in_one_acd_is_not_multi_tenant() {
        let a = agent("acd1", "u1", Some("ann@example.com"));
        let b = agent("acd1", "u2", Some("ann@example.com"));
        assert!(find_multi_tenant(&[&a, &b]).is_empty());
    }

    #[test]
    fn keys_follow_the_email_identity_rules() {
        // One domain in its Unicode and punycode spellings: one key.
        let a = agent("acd1", "u1", Some("Ann@Bücher.de"));
        let b = agent("acd2", "u2", Some("ann@xn--bcher-kva.de"));
        assert_eq!(find_multi_tenant(&[&a, &b]).len(), 1);
        // `+tag` is not stripped and `ß` is not `ss`: different people.
        let c = agent("acd1", "u3", Some("bob+x@example.com"));
        let d = agent("acd2", "u4", Some("bob@example.com"));
        let e = agent("acd1", "u5", Some("ann@faß.de"));
        let f = agent("acd2", "u6", Some("ann@fass.de"));
        assert!(find_multi_tenant(&[&c, &d, &e, &f]).is_empty());
    }

    #[test]
    fn missing_or_invalid_addresses_never_match() {
        let a = agent("acd1", "u1", None);
        let b = agent("acd2", "u2", None);
        let c = agent("acd1", "u3", Some("not an address"));
        let d = agent("acd2", "u4", Some("not an address"));
        let e = agent("acd1", "u5", Some("a\u{200B}b@example.com"));
        let f = agent("acd2", "u6", Some("a\u{200B}b@example.com"));
        assert!(find_multi_tenant(&[&a, &b, &c, &d, &e, &f]).is_empty());
    }
}
