//! Contract tests: whole answers in the vendors' published shapes (RingCentral's OpenAPI
//! spec; the CXone client generated from NICE's specs), extra fields included, walked page
//! by page as the connectors walk them.

use super::cxone::{self, ProfileIndex};
use super::ringcentral::{self, PersonType};
use super::{AllowedHosts, NextPage, Tally};
use crate::core::error::ErrorCode;
use serde_json::{json, Value};

/// One RingCentral extension record with the fields the published schema lists.
fn extension(id: Value, kind: &str, status: &str, email: &str) -> Value {
    json!({
        "uri": format!("https://platform.ringcentral.com/restapi/v1.0/account/37439510/extension/{id}"),
        "id": id, "extensionNumber": "101", "name": "Ann Lee", "type": kind, "subType": "Unknown",
        "status": status, "hidden": false,
        "contact": {"firstName": "Ann", "lastName": "Lee", "company": "Acme", "email": email,
            "businessPhone": "+16505551234", "emailAsLoginName": true, "pronouncedName": {"type": "Default"},
            "department": "Support"},
        "account": {"uri": "https://platform.ringcentral.com/restapi/v1.0/account/37439510", "id": "37439510"},
        "permissions": {"admin": {"enabled": false}, "internationalCalling": {"enabled": true}},
        "profileImage": {"uri": "https://platform.ringcentral.com/restapi/v1.0/account/37439510/extension/1/profile-image"},
        "regionalSettings": {"timezone": {"id": "58", "name": "US/Pacific"}, "language": {"id": "1033"}},
        "site": {"id": "main-site", "name": "Main Site"}, "costCenter": {"id": "1"}
    })
}

fn rc_page(page: u32, records: Vec<Value>, paging: Value, next: bool) -> Vec<u8> {
    let link = |p: u32| json!({"uri": format!("https://platform.ringcentral.com/restapi/v1.0/account/~/extension?page={p}&perPage=2")});
    let mut nav = json!({"firstPage": link(1), "lastPage": link(9)});
    if next {
        nav["nextPage"] = link(page + 1);
    }
    let mut p = json!({"page": page, "perPage": 2});
    if let (Some(o), Some(extra)) = (p.as_object_mut(), paging.as_object()) {
        o.extend(extra.clone());
    }
    serde_json::to_vec(
        &json!({"uri": "https://platform.ringcentral.com/restapi/v1.0/account/~/extension",
        "records": records, "paging": p, "navigation": nav}),
    )
    .unwrap()
}

#[test]
fn ringcentral_every_status_every_type_and_int64_ids() {
    let types = [
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
    ];
    let statuses = [
        "Enabled",
        "Disabled",
        "Frozen",
        "NotActivated",
        "Unassigned",
    ];
    let mut records: Vec<Value> = statuses
        .iter()
        .enumerate()
        .map(|(i, s)| {
            extension(
                json!(9_007_199_254_740_993u64 + i as u64),
                "User",
                s,
                "ann@x.com",
            )
        })
        .collect();
    records.extend(
        types
            .iter()
            .map(|t| extension(json!(7), t, "Enabled", "ann@x.com")),
    );
    let n = records.len();
    let body = rc_page(
        1,
        records,
        json!({"totalPages": 1, "totalElements": n}),
        false,
    );
    let p = ringcentral::decode_page(1, &body).unwrap();
    let ids: Vec<&str> = p.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        &ids[..5],
        [
            "9007199254740993",
            "9007199254740994",
            "9007199254740995",
            "9007199254740996",
            "9007199254740997"
        ]
    );
    assert_eq!(
        ids.len(),
        6,
        "the five people, and the one User among the types"
    );
    let active: Vec<Option<bool>> = p.records.iter().take(5).map(|r| r.active).collect();
    assert_eq!(
        active,
        [
            Some(true),
            Some(false),
            Some(false),
            Some(false),
            Some(false)
        ]
    );
    let mut tally = Tally::default();
    tally.add(&p);
    assert_eq!(
        ringcentral::next_step(1, &tally, &p).unwrap(),
        NextPage::None,
        "complete"
    );
    let all = ringcentral::decode_page_with(1, &body, PersonType::ALL).unwrap();
    assert_eq!(
        all.records.len(),
        9,
        "plus Flexible, Virtual and Digital users; never a FaxUser"
    );
}

#[test]
fn ringcentral_navigation_only_paging_and_an_early_end() {
    let page = |n: u32, next: bool, totals: Value| {
        rc_page(
            n,
            vec![
                extension(json!(n * 10), "User", "Enabled", "a@x.com"),
                extension(json!(n * 10 + 1), "User", "Enabled", "b@x.com"),
            ],
            totals,
            next,
        )
    };
    let mut tally = Tally::default();
    let mut steps = Vec::new();
    for (n, b) in [
        (1, page(1, true, json!({}))),
        (2, page(2, true, json!({}))),
        (3, page(3, false, json!({}))),
    ] {
        let p = ringcentral::decode_page(n, &b).unwrap();
        tally.add(&p);
        steps.push(ringcentral::next_step(n, &tally, &p).unwrap());
    }
    assert_eq!(
        steps,
        [NextPage::Page(2), NextPage::Page(3), NextPage::None]
    );
    assert_eq!(tally.received, 6);

    let short = page(1, false, json!({"totalPages": 1, "totalElements": 5}));
    let p = ringcentral::decode_page(1, &short).unwrap();
    let mut tally = Tally::default();
    tally.add(&p);
    let e = ringcentral::next_step(1, &tally, &p).unwrap_err();
    assert_eq!(e.code, ErrorCode::IncompleteDirectory);
}

/// One CXone agent as the generated client types it, flags as booleans or as 0/1.
fn agent(id: u64, int_flags: bool) -> Value {
    let flag = |b: bool| {
        if int_flags {
            json!(u8::from(b))
        } else {
            json!(b)
        }
    };
    json!({
        "agentId": id, "userName": format!("agent{id}@tenant"), "firstName": "Ann", "middleName": "",
        "lastName": "Lee", "emailAddress": format!("agent{id}@x.com"), "isActive": flag(id % 2 == 0),
        "teamId": 55, "teamName": "Blue", "reportToId": 0, "reportToName": "", "isSupervisor": flag(false),
        "lastLogin": "2026-10-01T10:00:00.000Z", "lastUpdated": "2026-10-01T10:00:00.000Z",
        "location": "", "custom1": "", "internalId": "0a1b", "profileId": 11, "profileName": "Agent",
        "timeZone": "Eastern Standard Time", "country": "US", "isBillable": flag(true),
        "hireDate": "2024-01-15T00:00:00.000Z", "isWhatIfAgent": flag(false), "federatedId": null,
        "userType": "Agent", "atHome": flag(true), "hiringSource": "", "ntLoginName": ""
    })
}

fn cx_page(
    ids: std::ops::Range<u64>,
    total: Option<u64>,
    next: Option<&str>,
    int_flags: bool,
) -> Vec<u8> {
    let mut v = json!({
        "businessUnitId": 4600001, "lastPollTime": "2026-11-30T08:00:00.000Z",
        "_links": {"self": "https://api-na1.niceincontact.com/inContactAPI/services/v23.0/agents?skip=0&top=100",
            "next": next, "previous": null},
        "agents": ids.map(|i| agent(i, int_flags)).collect::<Vec<_>>()
    });
    if let Some(t) = total {
        v["totalRecords"] = json!(t);
    }
    serde_json::to_vec(&v).unwrap()
}

/// Walks CXone pages: each body answers the request the previous step made.
fn cx_walk(bodies: &[Vec<u8>]) -> crate::core::error::Result<(Vec<NextPage>, Vec<String>)> {
    let idx = ProfileIndex::default();
    let mut tally = Tally::default();
    let (mut steps, mut ids) = (Vec::new(), Vec::new());
    for (i, b) in bodies.iter().enumerate() {
        let n = u32::try_from(i + 1).unwrap();
        let p = cxone::decode_page(n, b, &idx)?;
        tally.add(&p);
        steps.push(cxone::next_step(n, &tally, &p)?);
        ids.extend(p.records.into_iter().map(|r| r.id));
    }
    Ok((steps, ids))
}

#[test]
fn cxone_capped_pages_zero_one_flags_and_204() {
    // Asked for 500, the server sends 100 a page: skip follows what arrived.
    let (steps, ids) = cx_walk(&[
        cx_page(0..100, Some(250), None, true),
        cx_page(100..200, Some(250), None, false),
        cx_page(200..250, Some(250), None, true),
    ])
    .unwrap();
    assert_eq!(
        steps,
        [NextPage::Skip(100), NextPage::Skip(200), NextPage::None]
    );
    assert_eq!(ids.len(), 250);
    let p = cxone::decode_page(
        1,
        &cx_page(0..2, None, None, true),
        &ProfileIndex::default(),
    )
    .unwrap();
    assert_eq!(
        (p.records[0].active, p.records[1].active),
        (Some(true), Some(false))
    );
    let e = cx_walk(&[cx_page(0..100, Some(250), None, false), Vec::new()]).unwrap_err();
    assert_eq!(
        e.code,
        ErrorCode::IncompleteDirectory,
        "a 204 before the total"
    );
    let (steps, _) = cx_walk(&[cx_page(0..100, None, None, false), Vec::new()]).unwrap();
    assert_eq!(
        steps,
        [NextPage::Skip(100), NextPage::None],
        "no total: the 204 ends it"
    );
}

#[test]
fn cxone_next_link_on_a_sibling_cluster_host() {
    let next =
        "https://api-c7.niceincontact.com/inContactAPI/services/v23.0/agents?skip=100&top=100";
    let (steps, _) = cx_walk(&[cx_page(0..100, Some(150), Some(next), false)]).unwrap();
    assert_eq!(steps, [NextPage::Uri(next.into())]);
    let hosts = AllowedHosts::new("https://api-na1.niceincontact.com", None).unwrap();
    assert_eq!(hosts.resolve(next, 2).unwrap(), next);
    let evil = "https://api-c7.niceincontact.com.example.net/agents?skip=100";
    assert_eq!(
        hosts.resolve(evil, 2).unwrap_err().code,
        ErrorCode::InvalidInput
    );
}
