//! CXone's agent list (SPEC 6) decoded into [`SourceUser`]s. The whole mapping from the
//! Admin API's response to `SourceUser` is [`decode_page`]; a UserHub client would get its own.
//!
//! Confirmed only as far as a client generated from NICE's OpenAPI goes (not NICE's own
//! page): the path `{apiBase}/inContactAPI/services/vNN.0/agents`; the query parameters
//! `updateSince` (so spelled there; `updatedSince` is selectable), `skip`, `top`; the
//! response's `totalRecords`, `_links{self, next, previous}` and `agents[]` with `agentId`,
//! `userName`, `firstName`, `lastName`, `emailAddress`, `isActive`, `teamId`, `profileId`
//! (the security profile) and `lastUpdated`.
//! Inferred (assumptions, marked again where used):
//! - the version segment: [`DEFAULT_API_VERSION`] unless the caller names one;
//! - `_links.next` is a URL string (an object `{href}` is accepted too);
//! - a 204 or an empty body means no agents (inContact APIs answer 204 for an empty result);
//! - a full page without `totalRecords` or `_links.next` may have more after it;
//! - `lastUpdated` without an offset is UTC;
//! - `agentId` is the ACD agent number (so it also fills `agentNumber`);
//! - `top` up to 1000 is accepted (no maximum is published).
//!
//! Permissions: the API lists only `profileId`; the caller resolves it with a
//! `profilePermissions` list (from CXone's security profile endpoint or its own export).
//! An agent whose profile is not in that list gets no `permissions` (missing, which the
//! engine reads as not held unless told otherwise), never an empty list: "unknown" and
//! "holds nothing" must stay apart.

use super::{check_per_page, encode_query_value, non_empty, shape_error, IdValue, NextPage, Page};
use crate::core::error::{Error, Result};
use crate::core::records::SourceUser;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Inferred: an Admin API version that lists agents; callers on another version pass theirs.
pub const DEFAULT_API_VERSION: &str = "v23.0";

/// The default page size (`top`).
pub const DEFAULT_PER_PAGE: u32 = 500;

/// Which spelling the changed-since query parameter takes (SPEC 6: the generated client says
/// `updateSince`, the common guess is `updatedSince`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub enum SinceParam {
    #[default]
    UpdateSince,
    UpdatedSince,
}

impl SinceParam {
    fn name(self) -> &'static str {
        match self {
            SinceParam::UpdateSince => "updateSince",
            SinceParam::UpdatedSince => "updatedSince",
        }
    }
}

/// The permissions a CXone security profile grants (what `profileId` resolves to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ProfilePermissions {
    pub profile_id: String,
    pub permissions: Vec<String>,
}

/// A lookup from profile id to permissions, built once per fetch.
#[derive(Debug, Clone, Default)]
pub struct ProfileIndex(BTreeMap<String, Vec<String>>);

impl ProfileIndex {
    /// Fails on a profile listed twice (which list would be right is not ours to guess).
    pub fn new(list: &[ProfilePermissions]) -> Result<Self> {
        let mut map = BTreeMap::new();
        for (i, p) in list.iter().enumerate() {
            let id = p.profile_id.trim().to_string();
            if id.is_empty() {
                return Err(Error::invalid_input(format!(
                    "profilePermissions[{i}]: profileId is empty"
                ))
                .at(i)
                .with_field("profileId"));
            }
            if map.insert(id.clone(), p.permissions.clone()).is_some() {
                return Err(Error::invalid_input(format!(
                    "profilePermissions[{i}]: profile {id} is listed twice"
                ))
                .at(i)
                .with_id(id)
                .with_field("profileId"));
            }
        }
        Ok(ProfileIndex(map))
    }

    fn get(&self, profile_id: &str) -> Option<Vec<String>> {
        self.0.get(profile_id).cloned()
    }
}

/// Checks a version segment such as `v23.0`.
pub fn check_api_version(v: &str) -> Result<&str> {
    let ok = v
        .strip_prefix('v')
        .and_then(|r| r.split_once('.'))
        .is_some_and(|(a, b)| {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        });
    if ok {
        Ok(v)
    } else {
        Err(
            Error::invalid_input(format!("apiVersion must look like v23.0, got {v:?}"))
                .with_field("apiVersion"),
        )
    }
}

/// Reads a changed-since value (RFC 3339; without an offset, UTC) and returns it as RFC 3339
/// UTC, the form sent in the query.
pub fn check_since(since: &str) -> Result<String> {
    normalize_timestamp(since).ok_or_else(|| {
        Error::invalid_input(format!("updatedSince is not an RFC 3339 time: {since:?}"))
            .with_field("updatedSince")
    })
}

/// The URL of page `page` (1-based: `skip = (page - 1) * top`).
pub fn list_url(
    base: &str,
    api_version: &str,
    page: u32,
    per_page: u32,
    since: Option<(SinceParam, &str)>,
) -> Result<String> {
    let top = check_per_page(per_page)?;
    let version = check_api_version(api_version)?;
    let skip = u64::from(page.saturating_sub(1)) * u64::from(top);
    let mut url = format!("{base}/inContactAPI/services/{version}/agents?skip={skip}&top={top}");
    if let Some((param, value)) = since {
        url.push('&');
        url.push_str(param.name());
        url.push('=');
        url.push_str(&encode_query_value(value));
    }
    Ok(url)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    #[serde(default)]
    total_records: Option<u64>,
    #[serde(default, rename = "_links")]
    links: Option<Links>,
    agents: Vec<Agent>,
}

#[derive(Deserialize)]
struct Links {
    #[serde(default)]
    next: Option<LinkValue>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum LinkValue {
    Text(String),
    // Inferred alternative: HAL-style `{ "href": "..." }`.
    Object { href: Option<String> },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum BoolValue {
    Bool(bool),
    // Inferred leniency: some inContact payloads spell booleans as strings.
    Text(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Agent {
    #[serde(default)]
    agent_id: Option<IdValue>,
    #[serde(default)]
    user_name: Option<String>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    email_address: Option<String>,
    #[serde(default)]
    is_active: Option<BoolValue>,
    #[serde(default)]
    team_id: Option<IdValue>,
    #[serde(default)]
    profile_id: Option<IdValue>,
    #[serde(default)]
    last_updated: Option<String>,
}

/// Decodes page `page` (1-based) fetched with `top = per_page`.
///
/// Mapping: `agentId` (number or string) → `id` and (inferred) `agentNumber`;
/// `emailAddress` → `email`; `userName`, `firstName`, `lastName`; `isActive` → `active`;
/// `teamId` → `teamId`; `profileId` → `permissions` through `profiles`; `lastUpdated` →
/// `updatedAt`, as RFC 3339 UTC when it parses (kept as sent otherwise, for the intake to
/// judge).
///
/// Next page: with `totalRecords`, while `page * top < totalRecords`; without it, the
/// `_links.next` link; without either, while pages come back full.
pub fn decode_page(
    page: u32,
    per_page: u32,
    body: &[u8],
    profiles: &ProfileIndex,
) -> Result<Page<SourceUser>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Page {
            records: Vec::new(),
            next: NextPage::None,
            total_pages: None,
            total_records: None,
        });
    }
    let resp: Response = serde_json::from_slice(body).map_err(|e| shape_error(page, &e))?;
    let top = u64::from(per_page.max(1));
    let total_pages = resp
        .total_records
        .and_then(|t| u32::try_from(t.div_ceil(top)).ok());
    let next_link = resp.links.and_then(|l| l.next).and_then(|l| match l {
        LinkValue::Text(s) => non_empty(Some(s)),
        LinkValue::Object { href } => non_empty(href),
    });
    let next = match resp.total_records {
        Some(total) if !resp.agents.is_empty() && u64::from(page) * top < total => {
            NextPage::Page(page.saturating_add(1))
        }
        Some(_) => NextPage::None,
        None => match next_link {
            Some(link) => NextPage::Uri(link),
            None if !resp.agents.is_empty() && resp.agents.len() as u64 >= top => {
                NextPage::Page(page.saturating_add(1))
            }
            None => NextPage::None,
        },
    };

    let mut records = Vec::with_capacity(resp.agents.len());
    for (i, a) in resp.agents.into_iter().enumerate() {
        let id = a
            .agent_id
            .map(IdValue::into_string)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Error::invalid_input(format!("page {page}: agents[{i}]: agentId is missing"))
                    .at(i)
                    .with_field("agentId")
            })?;
        let active = match a.is_active {
            None => None,
            Some(BoolValue::Bool(b)) => Some(b),
            Some(BoolValue::Text(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => {
                    return Err(Error::invalid_input(format!(
                        "page {page}: agents[{i}]: isActive is {s:?}"
                    ))
                    .at(i)
                    .with_id(id)
                    .with_field("isActive"))
                }
            },
        };
        let permissions = a
            .profile_id
            .map(IdValue::into_string)
            .and_then(|p| profiles.get(&p));
        records.push(SourceUser {
            agent_number: Some(id.clone()),
            id,
            email: non_empty(a.email_address).map(|e| e.trim().to_string()),
            first_name: non_empty(a.first_name),
            last_name: non_empty(a.last_name),
            user_name: non_empty(a.user_name),
            active,
            team_id: a
                .team_id
                .map(IdValue::into_string)
                .filter(|s| !s.is_empty()),
            permissions,
            updated_at: non_empty(a.last_updated).map(|t| normalize_timestamp(&t).unwrap_or(t)),
            ..Default::default()
        });
    }
    Ok(Page {
        records,
        next,
        total_pages,
        total_records: resp.total_records,
    })
}

/// RFC 3339 UTC for a time with an offset, or (inferred for CXone) without one as UTC.
fn normalize_timestamp(s: &str) -> Option<String> {
    let s = s.trim();
    let ts = match s.parse::<jiff::Timestamp>() {
        Ok(ts) => ts,
        Err(_) => s
            .parse::<jiff::civil::DateTime>()
            .ok()?
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()?
            .timestamp(),
    };
    // Whole milliseconds print as three digits (`.420Z`, as JS's toISOString does), not the
    // shortest form (`.42Z`), so equal times from JS and from here compare equal as strings.
    let nanos = ts.subsec_nanosecond();
    Some(if nanos != 0 && nanos % 1_000_000 == 0 {
        format!("{ts:.3}")
    } else {
        ts.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorCode;

    fn profiles() -> ProfileIndex {
        ProfileIndex::new(&[
            ProfilePermissions {
                profile_id: "11".into(),
                permissions: vec!["UserMapping.Map".into()],
            },
            ProfilePermissions {
                profile_id: "12".into(),
                permissions: vec![],
            },
        ])
        .unwrap()
    }

    #[test]
    fn maps_agents_resolving_profiles() {
        let b = serde_json::json!({
            "businessUnitId": 4600001, "lastPollTime": "2026-11-01T08:00:00.000Z", "totalRecords": 7,
            "_links": {"self": "https://x/agents?skip=0&top=3", "next": "https://x/agents?skip=3&top=3", "previous": null},
            "agents": [
                {"agentId": 1001, "userName": "ann@x.com", "firstName": "Ann", "lastName": "Lee",
                 "emailAddress": " Ann@X.com ", "isActive": true, "teamId": 55, "teamName": "Blue",
                 "profileId": 11, "profileName": "Agent", "lastUpdated": "2026-10-01T10:00:00.123",
                 "internalId": "abc", "federatedId": null},
                {"agentId": "1002", "isActive": "False", "profileId": "12", "lastUpdated": "2026-10-01T12:00:00+02:00"},
                {"agentId": 1003, "profileId": 99, "emailAddress": "", "lastUpdated": "yesterday"}
            ]
        });
        let p = decode_page(1, 3, &serde_json::to_vec(&b).unwrap(), &profiles()).unwrap();
        assert_eq!(
            (p.next.clone(), p.total_pages, p.total_records),
            (NextPage::Page(2), Some(3), Some(7))
        );
        let ann = &p.records[0];
        assert_eq!(ann.id, "1001");
        assert_eq!(ann.agent_number.as_deref(), Some("1001"));
        assert_eq!(
            ann.email.as_deref(),
            Some("Ann@X.com"),
            "trimmed; case is the email key's business"
        );
        assert_eq!(ann.user_name.as_deref(), Some("ann@x.com"));
        assert_eq!(ann.team_id.as_deref(), Some("55"));
        assert_eq!(ann.active, Some(true));
        assert_eq!(ann.permissions, Some(vec!["UserMapping.Map".to_string()]));
        assert_eq!(
            ann.updated_at.as_deref(),
            Some("2026-10-01T10:00:00.123Z"),
            "no offset read as UTC"
        );
        let two = &p.records[1];
        assert_eq!(two.active, Some(false));
        assert_eq!(
            two.permissions,
            Some(vec![]),
            "a known profile granting nothing is an empty list"
        );
        assert_eq!(two.updated_at.as_deref(), Some("2026-10-01T10:00:00Z"));
        let three = &p.records[2];
        assert_eq!(
            three.permissions, None,
            "unknown profile: permissions missing"
        );
        assert_eq!(three.email, None);
        assert_eq!(
            three.updated_at.as_deref(),
            Some("yesterday"),
            "unparseable kept for the intake"
        );
    }

    #[test]
    fn paging_by_total_link_or_full_pages() {
        let idx = ProfileIndex::default();
        let last = br#"{"totalRecords": 6, "agents": [{"agentId": 6}]}"#;
        assert_eq!(decode_page(2, 3, last, &idx).unwrap().next, NextPage::None);
        let link = br#"{"_links": {"next": "/inContactAPI/services/v23.0/agents?skip=3&top=3"}, "agents": [{"agentId": 1}]}"#;
        assert_eq!(
            decode_page(1, 3, link, &idx).unwrap().next,
            NextPage::Uri("/inContactAPI/services/v23.0/agents?skip=3&top=3".into())
        );
        let href = br#"{"_links": {"next": {"href": "https://x/n"}}, "agents": [{"agentId": 1}]}"#;
        assert_eq!(
            decode_page(1, 3, href, &idx).unwrap().next,
            NextPage::Uri("https://x/n".into())
        );
        let full = br#"{"agents": [{"agentId": 1}, {"agentId": 2}]}"#;
        assert_eq!(
            decode_page(4, 2, full, &idx).unwrap().next,
            NextPage::Page(5)
        );
        let short = br#"{"_links": {"next": null}, "agents": [{"agentId": 1}]}"#;
        assert_eq!(decode_page(4, 2, short, &idx).unwrap().next, NextPage::None);
        let p = decode_page(1, 100, b" \n", &idx).unwrap();
        assert!(
            p.records.is_empty() && p.next == NextPage::None,
            "204 / empty body: no agents"
        );
        let empty_total = br#"{"totalRecords": 500, "agents": []}"#;
        assert_eq!(
            decode_page(1, 100, empty_total, &idx).unwrap().next,
            NextPage::None,
            "no endless empty pages"
        );
    }

    #[test]
    fn bad_pages_are_invalid_input_naming_the_page() {
        let idx = ProfileIndex::default();
        for b in [
            &b"{\"agents\": ["[..],
            b"{\"agent\": []}",
            b"{\"agents\": [{\"agentId\": 1.5}]}",
            b"[]",
        ] {
            let e = decode_page(3, 10, b, &idx).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidInput);
            assert!(e.message.starts_with("page 3: "), "{}", e.message);
        }
        let e = decode_page(
            3,
            10,
            br#"{"agents": [{"agentId": 1}, {"userName": "x"}]}"#,
            &idx,
        )
        .unwrap_err();
        assert!(e.message.contains("agents[1]: agentId is missing"));
        let e = decode_page(
            3,
            10,
            br#"{"agents": [{"agentId": 1, "isActive": "maybe"}]}"#,
            &idx,
        )
        .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("isActive"));
    }

    #[test]
    fn urls_and_options() {
        let u = list_url(
            "https://api.x",
            "v23.0",
            3,
            500,
            Some((SinceParam::UpdateSince, "2026-01-01T00:00:00Z")),
        )
        .unwrap();
        assert_eq!(u, "https://api.x/inContactAPI/services/v23.0/agents?skip=1000&top=500&updateSince=2026-01-01T00%3A00%3A00Z");
        let u = list_url(
            "https://api.x",
            "v2.0",
            1,
            10,
            Some((SinceParam::UpdatedSince, "t")),
        )
        .unwrap();
        assert!(u.ends_with("?skip=0&top=10&updatedSince=t"), "{u}");
        for bad in ["23.0", "v23", "v.0", "v2x.0", "v23.0/../x"] {
            assert!(
                list_url("https://api.x", bad, 1, 10, None).is_err(),
                "{bad}"
            );
        }
        assert_eq!(
            check_since("2026-01-01T02:00:00+02:00").unwrap(),
            "2026-01-01T00:00:00Z"
        );
        assert_eq!(
            check_since("2026-01-01T00:00:00").unwrap(),
            "2026-01-01T00:00:00Z"
        );
        assert!(check_since("last week").is_err());
        assert_eq!(
            check_since("2026-01-01T00:00:00.420Z").unwrap(),
            "2026-01-01T00:00:00.420Z"
        );
        assert_eq!(
            check_since("2026-01-01T00:00:00.000001Z").unwrap(),
            "2026-01-01T00:00:00.000001Z"
        );
        let dup = [
            ProfilePermissions {
                profile_id: "1".into(),
                permissions: vec![],
            },
            ProfilePermissions {
                profile_id: " 1".into(),
                permissions: vec![],
            },
        ];
        assert_eq!(ProfileIndex::new(&dup).unwrap_err().index, Some(1));
        let s: SinceParam = serde_json::from_str("\"updatedSince\"").unwrap();
        assert_eq!(s, SinceParam::UpdatedSince);
    }
}
