//! CXone's agent list decoded into [`SourceUser`]s. The whole mapping from the
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
//! - `_links.next` is an absolute URL string, possibly on another cluster host (an object
//!   `{href}` is accepted too);
//! - a 204 or an empty body means no more agents;
//! - `top` may be capped by the server (one third-party client says at 100): pages are
//!   counted by the agents that arrived, never by the `top` asked for;
//! - `isActive` is a boolean, or 0/1 as one published schema types it, or a string;
//! - `lastUpdated` without an offset is UTC;
//! - `agentId` is the ACD agent number (so it also fills `agentNumber`).
//!
//! Permissions: the API lists only `profileId`; the caller resolves it with a
//! `profilePermissions` list (from CXone's security profile endpoint or its own export).
//! An agent whose profile is not in that list gets no `permissions` (missing, which the
//! engine reads as not held unless told otherwise), never an empty list: "unknown" and
//! "holds nothing" must stay apart.

use super::{
    check_per_page, encode_query_value, non_empty, shape_error, IdValue, NextPage, Page, Tally,
};
use crate::core::error::{quote, Error, Result};
use crate::core::records::SourceUser;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Inferred: an Admin API version that lists agents; callers on another version pass theirs.
pub const DEFAULT_API_VERSION: &str = "v23.0";

/// The default page size (`top`): the cap one published client reports, so a capped server
/// and an uncapped one answer alike.
pub const DEFAULT_PER_PAGE: u32 = 100;

/// Which spelling the changed-since query parameter takes (the generated client says
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

/// The URL of the agents after the first `skip`, `per_page` at most.
pub fn list_url(
    base: &str,
    api_version: &str,
    skip: u64,
    per_page: u32,
    since: Option<(SinceParam, &str)>,
) -> Result<String> {
    let top = check_per_page(per_page)?;
    let version = check_api_version(api_version)?;
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
    // One published schema types the flags as integers (0/1).
    Number(serde_json::Number),
    // Inferred leniency: some inContact payloads spell booleans as strings.
    Text(String),
}

impl BoolValue {
    fn read(self) -> std::result::Result<bool, String> {
        match self {
            BoolValue::Bool(b) => Ok(b),
            BoolValue::Number(n) => match n.as_u64() {
                Some(0) => Ok(false),
                Some(1) => Ok(true),
                _ => Err(n.to_string()),
            },
            BoolValue::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                _ => Err(quote(&s)),
            },
        }
    }
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

/// Decodes page `page` (the 1-based count of requests, for messages).
///
/// Mapping: `agentId` (number or string) → `id` and (inferred) `agentNumber`;
/// `emailAddress` → `email`; `userName`, `firstName`, `lastName`; `isActive` (true/false,
/// 0/1 or a string of either) → `active`; `teamId` → `teamId`; `profileId` → `permissions`
/// through `profiles`; `lastUpdated` → `updatedAt`, as RFC 3339 UTC when it parses (kept as
/// sent otherwise, for the intake to judge). Other fields are ignored. An agent without an
/// id fails the page, naming it: never skipped.
///
/// A 204 (an empty body) is a page with no agents. Where the listing goes on is
/// [`next_step`]'s business; this page only offers its `_links.next`.
pub fn decode_page(page: u32, body: &[u8], profiles: &ProfileIndex) -> Result<Page<SourceUser>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Page {
            records: Vec::new(),
            received: 0,
            next: NextPage::None,
            total_pages: None,
            total_records: None,
        });
    }
    let resp: Response = serde_json::from_slice(body).map_err(|e| shape_error(page, &e))?;
    let next = resp
        .links
        .and_then(|l| l.next)
        .and_then(|l| match l {
            LinkValue::Text(s) => non_empty(Some(s)),
            LinkValue::Object { href } => non_empty(href),
        })
        .map_or(NextPage::None, NextPage::Uri);
    let received = resp.agents.len() as u64;

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
        let active = match a.is_active.map(BoolValue::read).transpose() {
            Ok(active) => active,
            Err(shown) => {
                return Err(Error::invalid_input(format!(
                "page {page}: agents[{i}] (agent {}): isActive is {shown}, not true/false or 0/1",
                quote(&id)
            ))
                .at(i)
                .with_id(id)
                .with_field("isActive"))
            }
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
        received,
        next,
        total_pages: None,
        total_records: resp.total_records,
    })
}

/// Where the listing goes after page `page`, `tally` counting it already: it ends on an
/// empty page (or a 204), complete only if the agents received reach the declared
/// `totalRecords`; it ends once they do; otherwise it follows `_links.next`, or asks for the
/// agents after those received (a page shorter than asked for is the server's page size,
/// not the end).
pub fn next_step(page: u32, tally: &Tally, p: &Page<SourceUser>) -> Result<NextPage> {
    if p.received == 0 {
        return tally.finish(page, "agents", "totalRecords");
    }
    if tally.total.is_some_and(|total| tally.received >= total) {
        return Ok(NextPage::None);
    }
    Ok(match &p.next {
        NextPage::Uri(link) => NextPage::Uri(link.clone()),
        _ => NextPage::Skip(tally.received),
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
        let p = decode_page(1, &serde_json::to_vec(&b).unwrap(), &profiles()).unwrap();
        assert_eq!(
            (p.next.clone(), p.received, p.total_records),
            (
                NextPage::Uri("https://x/agents?skip=3&top=3".into()),
                3,
                Some(7)
            )
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

    /// Runs `next_step` over bodies as the connector would and returns the steps.
    fn walk(bodies: &[&[u8]]) -> Result<Vec<NextPage>> {
        let idx = ProfileIndex::default();
        let mut tally = Tally::default();
        let mut steps = Vec::new();
        for (i, b) in bodies.iter().enumerate() {
            let page = u32::try_from(i + 1).unwrap();
            let p = decode_page(page, b, &idx)?;
            tally.add(&p);
            steps.push(next_step(page, &tally, &p)?);
        }
        Ok(steps)
    }

    #[test]
    fn paging_by_what_arrived_links_and_totals() {
        let two = br#"{"totalRecords": 5, "agents": [{"agentId": 1}, {"agentId": 2}]}"#;
        let one = br#"{"totalRecords": 5, "agents": [{"agentId": 5}]}"#;
        assert_eq!(
            walk(&[two, two, one]).unwrap(),
            [NextPage::Skip(2), NextPage::Skip(4), NextPage::None],
            "a capped page size: skip counts what arrived"
        );
        let e = walk(&[two, b""]).unwrap_err();
        assert_eq!(e.code, ErrorCode::IncompleteDirectory);
        assert!(
            e.message
                .starts_with("page 2: the pages ended after 2 of the 5 agents"),
            "{}",
            e.message
        );
        let e = walk(&[two, br#"{"totalRecords": 5, "agents": []}"#]).unwrap_err();
        assert_eq!(
            e.code,
            ErrorCode::IncompleteDirectory,
            "an empty page ends early too"
        );
        let link = br#"{"_links": {"next": "/inContactAPI/services/v23.0/agents?skip=3&top=3"}, "agents": [{"agentId": 1}]}"#;
        assert_eq!(
            walk(&[link]).unwrap(),
            [NextPage::Uri(
                "/inContactAPI/services/v23.0/agents?skip=3&top=3".into()
            )]
        );
        let href = br#"{"_links": {"next": {"href": "https://x/n"}}, "agents": [{"agentId": 1}]}"#;
        assert_eq!(
            walk(&[href]).unwrap(),
            [NextPage::Uri("https://x/n".into())]
        );
        let bare = br#"{"_links": {"next": null}, "agents": [{"agentId": 1}]}"#;
        assert_eq!(
            walk(&[bare, b" \n"]).unwrap(),
            [NextPage::Skip(1), NextPage::None],
            "no total, no link: on until an empty page"
        );
        assert_eq!(
            walk(&[b""]).unwrap(),
            [NextPage::None],
            "204 first: no agents"
        );
        let done = br#"{"totalRecords": 1, "_links": {"next": "https://x/n"}, "agents": [{"agentId": 1}]}"#;
        assert_eq!(
            walk(&[done]).unwrap(),
            [NextPage::None],
            "the total reached ends it"
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
            let e = decode_page(3, b, &idx).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidInput);
            assert!(e.message.starts_with("page 3: "), "{}", e.message);
        }
        let e = decode_page(
            3,
            br#"{"agents": [{"agentId": 1}, {"userName": "x"}]}"#,
            &idx,
        )
        .unwrap_err();
        assert!(e.message.contains("agents[1]: agentId is missing"));
        assert_eq!(e.index, Some(1));
        for bad in [r#""maybe""#, "2", "-1", "0.5"] {
            let body = format!(r#"{{"agents": [{{"agentId": 1, "isActive": {bad}}}]}}"#);
            let e = decode_page(3, body.as_bytes(), &idx).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("isActive"), "{bad}");
            assert_eq!(e.id.as_deref(), Some("1"));
        }
    }

    #[test]
    fn urls_and_options() {
        let u = list_url(
            "https://api.x",
            "v23.0",
            1000,
            500,
            Some((SinceParam::UpdateSince, "2026-01-01T00:00:00Z")),
        )
        .unwrap();
        assert_eq!(u, "https://api.x/inContactAPI/services/v23.0/agents?skip=1000&top=500&updateSince=2026-01-01T00%3A00%3A00Z");
        let u = list_url(
            "https://api.x",
            "v2.0",
            0,
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
