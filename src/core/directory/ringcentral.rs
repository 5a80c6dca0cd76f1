//! RingCentral's extension list decoded into [`ExternalUser`]s.
//!
//! Confirmed (from RingCentral's OpenAPI spec and the SDKs generated from it): the path
//! `/restapi/v1.0/account/~/extension`; the query parameters `type`, `email` (repeatable),
//! `page` (1-based) and `perPage` (max 1000); the response's `records[]`,
//! `paging{page, perPage, pageStart, pageEnd, totalPages, totalElements}` (the last two may
//! be omitted) and `navigation.nextPage` as `{uri}`; a record's `id` (int64), `name`, `type`,
//! `status` and `contact{firstName, lastName, email}`; the extension types.
//! Inferred: which extension types are people (`User`, and by choice [`PersonType`]'s
//! others). RingCentral sends no modification time on this endpoint, so `updatedAt` stays
//! missing.

use super::{
    check_per_page, encode_query_value, non_empty, shape_error, IdValue, NextPage, Page, Tally,
};
use crate::core::error::{Error, Result};
use crate::core::records::ExternalUser;
use serde::{Deserialize, Serialize};

/// The path under the caller's base URL (e.g. `https://platform.ringcentral.com`).
pub const EXTENSION_PATH: &str = "/restapi/v1.0/account/~/extension";

/// RingCentral's own default page size.
pub const DEFAULT_PER_PAGE: u32 = 100;

/// How many emails one targeted re-fetch request carries: keeps the URL near 2 KB, well
/// inside what proxies accept (no limit is published).
pub const EMAILS_PER_REQUEST: usize = 40;

/// The extension types that are people. `User` always is; the others are a caller's choice.
/// Departments, IVR menus, park locations, rooms, bots, paging groups, announcements and
/// `Unknown` never are, whatever a server sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub enum PersonType {
    User,
    DigitalUser,
    VirtualUser,
    FlexibleUser,
}

impl PersonType {
    pub const ALL: &'static [PersonType] = &[
        PersonType::User,
        PersonType::DigitalUser,
        PersonType::VirtualUser,
        PersonType::FlexibleUser,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PersonType::User => "User",
            PersonType::DigitalUser => "DigitalUser",
            PersonType::VirtualUser => "VirtualUser",
            PersonType::FlexibleUser => "FlexibleUser",
        }
    }

    /// Reads a type name, exactly as RingCentral spells it.
    pub fn parse(name: &str) -> Option<PersonType> {
        PersonType::ALL.iter().copied().find(|t| t.name() == name)
    }
}

/// The types a fetch reads: `User` plus the extra ones, each once, in a fixed order.
pub fn person_types(extra: &[PersonType]) -> Vec<PersonType> {
    let mut all: Vec<PersonType> = std::iter::once(PersonType::User)
        .chain(extra.iter().copied())
        .collect();
    all.sort();
    all.dedup();
    all
}

/// The URL of page `page` (1-based) of the account's extensions of `types`. `base` comes
/// from [`super::normalize_base_url`].
pub fn list_url(base: &str, page: u32, per_page: u32, types: &[PersonType]) -> Result<String> {
    let per_page = check_per_page(per_page)?;
    let mut url = format!("{base}{EXTENSION_PATH}?");
    for t in person_types(types) {
        url.push_str("type=");
        url.push_str(t.name());
        url.push('&');
    }
    url.push_str(&format!("page={page}&perPage={per_page}"));
    Ok(url)
}

/// The URL of page `page` of the extensions of `types` with any of `emails` (the Auto Sync
/// retry pass's targeted re-fetch; `email` is repeatable).
pub fn by_email_url(
    base: &str,
    emails: &[String],
    page: u32,
    per_page: u32,
    types: &[PersonType],
) -> Result<String> {
    let mut url = list_url(base, page, per_page, types)?;
    for e in emails {
        url.push_str("&email=");
        url.push_str(&encode_query_value(e));
    }
    Ok(url)
}

/// Splits the emails to re-fetch into request-sized batches: trimmed, blanks dropped,
/// duplicates (ignoring ASCII case, as email lookups are) asked for once, order kept.
pub fn email_batches(emails: &[String]) -> Vec<Vec<String>> {
    let mut seen = std::collections::BTreeSet::new();
    let unique: Vec<String> = emails
        .iter()
        .map(|e| e.trim())
        .filter(|e| !e.is_empty() && seen.insert(e.to_ascii_lowercase()))
        .map(str::to_string)
        .collect();
    unique
        .chunks(EMAILS_PER_REQUEST)
        .map(<[String]>::to_vec)
        .collect()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    records: Vec<Record>,
    #[serde(default)]
    paging: Option<Paging>,
    #[serde(default)]
    navigation: Option<Navigation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Paging {
    #[serde(default)]
    page: Option<u32>,
    #[serde(default)]
    per_page: Option<u32>,
    #[serde(default)]
    total_pages: Option<u32>,
    #[serde(default)]
    total_elements: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Navigation {
    #[serde(default)]
    next_page: Option<Link>,
}

#[derive(Deserialize)]
struct Link {
    #[serde(default)]
    uri: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    #[serde(default)]
    id: Option<IdValue>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    contact: Option<Contact>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Contact {
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

/// Decodes page `page` (the 1-based number that was asked for), reading `User` extensions
/// only. See [`decode_page_with`].
pub fn decode_page(page: u32, body: &[u8]) -> Result<Page<ExternalUser>> {
    decode_page_with(page, body, &[])
}

/// Decodes page `page`, keeping extensions of type `User` and of the `extra` types.
///
/// Mapping: `id` (int64 or string) → `id` as a string, exact; `contact.email/firstName/
/// lastName`; `name` → `displayName`; `status` `Enabled` → `active: true`, any other status
/// (`Disabled`, `Frozen`, `NotActivated`, `Unassigned`) → `false`: a NotActivated extension
/// has never been set up by its user, so there is no presence to sync yet; a missing status
/// stays missing (which the records read as active). Records of another `type` are left
/// out (counted in [`Page::received`] all the same): a department or IVR extension sharing
/// a person's email must never be auto-mapped, even from a server that ignores the `type`
/// filter. A record without a `type` is kept (the request asked for people only).
///
/// The page offers a next page when `navigation.nextPage` is present or `paging.totalPages`
/// says more follow. A `paging.page` other than the one asked for fails: a server that
/// ignores `page` would otherwise be read forever.
pub fn decode_page_with(
    page: u32,
    body: &[u8],
    extra: &[PersonType],
) -> Result<Page<ExternalUser>> {
    let resp: Response = serde_json::from_slice(body).map_err(|e| shape_error(page, &e))?;
    let paging = resp.paging.unwrap_or(Paging {
        page: None,
        per_page: None,
        total_pages: None,
        total_elements: None,
    });
    if let Some(p) = paging.page {
        if p != page {
            return Err(Error::invalid_input(format!(
                "page {page}: the response is page {p}; the server did not honour the page asked for"
            )));
        }
    }
    let total_pages =
        paging
            .total_pages
            .or_else(|| match (paging.total_elements, paging.per_page) {
                (Some(n), Some(per)) if per > 0 => u32::try_from(n.div_ceil(u64::from(per))).ok(),
                _ => None,
            });
    let has_next_link = resp
        .navigation
        .and_then(|n| n.next_page)
        .is_some_and(|l| l.uri.is_some_and(|u| !u.trim().is_empty()));
    let next = if has_next_link || total_pages.is_some_and(|t| page < t) {
        NextPage::Page(page.saturating_add(1))
    } else {
        NextPage::None
    };
    let received = resp.records.len() as u64;
    let types = person_types(extra);

    let mut records = Vec::with_capacity(resp.records.len());
    for (i, r) in resp.records.into_iter().enumerate() {
        if r.kind
            .as_deref()
            .is_some_and(|k| !PersonType::parse(k).is_some_and(|t| types.contains(&t)))
        {
            continue;
        }
        let id =
            r.id.map(IdValue::into_string)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    Error::invalid_input(format!("page {page}: records[{i}]: id is missing"))
                        .at(i)
                        .with_field("id")
                })?;
        let contact = r.contact.unwrap_or_default();
        records.push(ExternalUser {
            id,
            email: non_empty(contact.email).map(|e| e.trim().to_string()),
            first_name: non_empty(contact.first_name),
            last_name: non_empty(contact.last_name),
            display_name: non_empty(r.name),
            active: r.status.map(|s| s == "Enabled"),
            ..Default::default()
        });
    }
    Ok(Page {
        records,
        received,
        next,
        total_pages,
        total_records: paging.total_elements,
    })
}

/// Where the listing goes after page `page`, `tally` counting it already: on to the next
/// page while the page offers one and was not empty; otherwise it ends, complete only if
/// the extensions received reach the declared `paging.totalElements` (a page that says
/// `totalPages: 1` but delivers 2 of 5 is an incomplete directory, not a small one).
pub fn next_step(page: u32, tally: &Tally, p: &Page<ExternalUser>) -> Result<NextPage> {
    match &p.next {
        NextPage::Page(n) if p.received > 0 => Ok(NextPage::Page(*n)),
        _ => tally.finish(page, "extensions", "paging.totalElements"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorCode;

    fn body(v: serde_json::Value) -> Vec<u8> {
        serde_json::to_vec(&v).unwrap()
    }

    #[test]
    fn maps_records_and_follows_total_pages() {
        let b = body(serde_json::json!({
            "uri": "https://x/restapi/v1.0/account/~/extension?page=1",
            "records": [
                {"id": 9_007_199_254_740_993u64, "extensionNumber": "101", "name": "Ann Lee", "type": "User",
                 "status": "Enabled", "contact": {"firstName": "Ann", "lastName": "Lee", "email": " ann@x.com "}},
                {"id": 2, "type": "User", "status": "NotActivated", "contact": {"email": ""}},
                {"id": "3", "status": "Frozen"},
                {"id": 4, "type": "Department", "name": "Sales", "contact": {"email": "ann@x.com"}},
                {"id": 5}
            ],
            "paging": {"page": 1, "perPage": 5, "totalPages": 3, "totalElements": 12},
            "navigation": {"nextPage": {"uri": "https://x/next"}}
        }));
        let p = decode_page(1, &b).unwrap();
        assert_eq!(p.next, NextPage::Page(2));
        assert_eq!(p.total_pages, Some(3));
        assert_eq!(p.total_records, Some(12));
        let ids: Vec<&str> = p.records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            ["9007199254740993", "2", "3", "5"],
            "int64 kept exact, Department left out"
        );
        let ann = &p.records[0];
        assert_eq!(ann.email.as_deref(), Some("ann@x.com"));
        assert_eq!(ann.display_name.as_deref(), Some("Ann Lee"));
        assert_eq!(
            (ann.first_name.as_deref(), ann.last_name.as_deref()),
            (Some("Ann"), Some("Lee"))
        );
        assert_eq!(ann.active, Some(true));
        assert_eq!(p.records[1].active, Some(false), "NotActivated is inactive");
        assert_eq!(p.records[1].email, None, "empty email is missing");
        assert_eq!(p.records[2].active, Some(false), "Frozen is inactive");
        assert_eq!(p.records[3].active, None, "missing status stays missing");
    }

    #[test]
    fn last_page_and_navigation_only_paging() {
        let last = body(serde_json::json!({"records": [], "paging": {"page": 3, "totalPages": 3}}));
        assert_eq!(decode_page(3, &last).unwrap().next, NextPage::None);
        let nav = body(
            serde_json::json!({"records": [{"id": 1}], "paging": {"page": 2, "perPage": 1},
            "navigation": {"nextPage": {"uri": "https://x/p3"}, "previousPage": {"uri": "https://x/p1"}}}),
        );
        let p = decode_page(2, &nav).unwrap();
        assert_eq!((p.next, p.total_pages), (NextPage::Page(3), None));
        let end = body(
            serde_json::json!({"records": [{"id": 1}], "paging": {"page": 4},
            "navigation": {"previousPage": {"uri": "https://x/p3"}}}),
        );
        assert_eq!(decode_page(4, &end).unwrap().next, NextPage::None);
        let computed = body(
            serde_json::json!({"records": [], "paging": {"page": 1, "perPage": 100, "totalElements": 250}}),
        );
        let p = decode_page(1, &computed).unwrap();
        assert_eq!((p.next, p.total_pages), (NextPage::Page(2), Some(3)));
    }

    fn walk(bodies: &[serde_json::Value], extra: &[PersonType]) -> Result<(Vec<NextPage>, usize)> {
        let mut tally = Tally::default();
        let mut steps = Vec::new();
        let mut kept = 0;
        for (i, b) in bodies.iter().enumerate() {
            let page = u32::try_from(i + 1).unwrap();
            let p = decode_page_with(page, &body(b.clone()), extra)?;
            tally.add(&p);
            kept += p.records.len();
            steps.push(next_step(page, &tally, &p)?);
        }
        Ok((steps, kept))
    }

    #[test]
    fn a_listing_that_ends_short_of_total_elements_is_incomplete() {
        let short = serde_json::json!({"records": [{"id": 1, "type": "User"}, {"id": 2, "type": "User"}],
            "paging": {"page": 1, "perPage": 100, "totalPages": 1, "totalElements": 5}});
        let e = walk(&[short], &[]).unwrap_err();
        assert_eq!(e.code, ErrorCode::IncompleteDirectory);
        assert!(
            e.message
                .starts_with("page 1: the pages ended after 2 of the 5 extensions"),
            "{}",
            e.message
        );
        let nav = |page: u32, ids: &[u64], next: bool| {
            let mut v = serde_json::json!({"records": ids.iter().map(|i| serde_json::json!({"id": i})).collect::<Vec<_>>(),
                "paging": {"page": page, "perPage": 2, "totalPages": 1, "totalElements": 5}, "navigation": {}});
            if next {
                v["navigation"]["nextPage"] = serde_json::json!({"uri": "https://x/p"});
            }
            v
        };
        let (steps, kept) = walk(
            &[
                nav(1, &[1, 2], true),
                nav(2, &[3, 4], true),
                nav(3, &[5], false),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(
            steps,
            [NextPage::Page(2), NextPage::Page(3), NextPage::None],
            "navigation.nextPage wins over totalPages"
        );
        assert_eq!(kept, 5);
        let e = walk(&[nav(1, &[1, 2], true), nav(2, &[], true)], &[]).unwrap_err();
        assert_eq!(
            e.code,
            ErrorCode::IncompleteDirectory,
            "an empty page ends it"
        );
    }

    #[test]
    fn only_people_are_kept_and_counted_apart() {
        let kinds = [
            "User",
            "FaxUser",
            "FlexibleUser",
            "VirtualUser",
            "DigitalUser",
            "Department",
            "Announcement",
            "Voicemail",
            "SharedLinesGroup",
            "PagingOnly",
            "IvrMenu",
            "ApplicationExtension",
            "ParkLocation",
            "Limited",
            "Bot",
            "Room",
            "Site",
            "ProxyAdmin",
            "DelegatedLinesGroup",
            "GroupCallPickup",
            "RoomConnector",
            "TieLine",
            "Unknown",
            "user",
        ];
        let all = serde_json::json!({
            "records": kinds.iter().enumerate().map(|(i, k)| serde_json::json!({"id": i, "type": k,
                "contact": {"email": "same@x.com"}})).collect::<Vec<_>>(),
            "paging": {"page": 1, "totalPages": 1, "totalElements": kinds.len()}});
        let p = decode_page(1, &body(all.clone())).unwrap();
        assert_eq!(
            p.records.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["0"]
        );
        assert_eq!(p.received, kinds.len() as u64);
        let (_, kept) = walk(std::slice::from_ref(&all), &[]).unwrap();
        assert_eq!(kept, 1, "complete: the others were received, and left out");
        let p = decode_page_with(
            1,
            &body(all),
            &[
                PersonType::DigitalUser,
                PersonType::VirtualUser,
                PersonType::FlexibleUser,
            ],
        )
        .unwrap();
        assert_eq!(
            p.records.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["0", "2", "3", "4"]
        );
        assert_eq!(PersonType::parse("Department"), None);
    }

    #[test]
    fn bad_pages_are_invalid_input_naming_the_page() {
        for (b, what) in [
            (&b"{\"records\": [ {\"id\": 1}"[..], "malformed JSON"),
            (&b"not json"[..], "malformed JSON"),
            (&b"{\"items\": []}"[..], "unexpected response shape"),
            (&b"{\"records\": {}}"[..], "unexpected response shape"),
            (
                &b"{\"records\": [{\"id\": true}]}"[..],
                "unexpected response shape",
            ),
        ] {
            let e = decode_page(7, b).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidInput);
            assert!(
                e.message.starts_with(&format!("page 7: {what}")),
                "{}",
                e.message
            );
        }
        let e = decode_page(2, br#"{"records": [{"id": 1}, {"name": "x"}]}"#).unwrap_err();
        assert!(
            e.message.contains("page 2: records[1]: id is missing"),
            "{}",
            e.message
        );
        let e = decode_page(
            2,
            br#"{"records": [], "paging": {"page": 1, "totalPages": 5}}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("did not honour"), "{}", e.message);
    }

    #[test]
    fn urls_carry_type_paging_and_encoded_emails() {
        assert_eq!(
            list_url("https://p.example", 2, 1000, &[]).unwrap(),
            "https://p.example/restapi/v1.0/account/~/extension?type=User&page=2&perPage=1000"
        );
        assert_eq!(
            list_url("https://p.example", 1, 10, &[PersonType::FlexibleUser, PersonType::User, PersonType::DigitalUser]).unwrap(),
            "https://p.example/restapi/v1.0/account/~/extension?type=User&type=DigitalUser&type=FlexibleUser&page=1&perPage=10"
        );
        assert!(list_url("https://p.example", 1, 1001, &[]).is_err());
        let u = by_email_url(
            "https://p",
            &["a+b@x.com".into(), "c@y.org".into()],
            1,
            100,
            &[],
        )
        .unwrap();
        assert!(
            u.ends_with("&perPage=100&email=a%2Bb%40x.com&email=c%40y.org"),
            "{u}"
        );
    }

    #[test]
    fn email_batches_dedupe_and_split() {
        let emails: Vec<String> = (0..100)
            .map(|i| format!("u{}@x.com", i % 90))
            .chain([" U1@X.COM ".into(), "".into()])
            .collect();
        let batches = email_batches(&emails);
        assert_eq!(batches.iter().map(Vec::len).sum::<usize>(), 90);
        assert!(batches.iter().all(|b| b.len() <= EMAILS_PER_REQUEST));
        assert_eq!(batches[0][0], "u0@x.com");
        assert!(email_batches(&[]).is_empty());
    }
}
