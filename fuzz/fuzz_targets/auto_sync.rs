//! Presence Sync over small arbitrary worlds: users and directories drawn from a pool of
//! look-alike addresses, then any sequence of loads, plans, retries, applies and manual
//! changes. After every step the state's invariants hold (`validate`), a step that fails
//! leaves the state exactly as it was, and an email auto-match only ever links two
//! addresses with the same key, neither of them confusable.
#![no_main]

use arbitrary::Arbitrary;
use jiff::Timestamp;
use libfuzzer_sys::fuzz_target;
use usersync::core::email_key::{email_key, KeyOptions};
use usersync::core::mapping::{
    Actor, MappingStatus, MatchedBy, Method, PresenceSettings, PresenceState, UnitRef,
};
use usersync::core::records::{ExternalUser, SourceUser, PERM_USER_MAPPING_MAP};

/// Addresses that collide, differ by case, tag, Unicode form or script, or are invalid.
const EMAILS: &[&str] = &[
    "ann@example.com",
    "Ann@Example.com",
    "ann+x@example.com",
    "\u{212A}im@example.com",
    "kim@example.com",
    "\u{0430}nn@example.com",
    "ann@\u{0435}xample.com",
    "ann@xn--bcher-kva.de",
    "ann@b\u{fc}cher.de",
    "\u{FF41}nn@example.com",
    "bob@example.com",
    "bob@example.com.",
    "b\u{200B}ob@example.com",
    "not-an-address",
    "",
];
const NAMES: &[&str] = &["ann", "Ann", "bob", "kim", "\u{0430}nn", ""];

#[derive(Debug, Arbitrary)]
enum Text {
    Pool(u8),
    Raw(String),
}

#[derive(Debug, Arbitrary)]
struct Src {
    id: u8,
    email: Option<Text>,
    active: Option<bool>,
    /// 0: no list; 1: holds UserMapping.Map; else: a list without it.
    perm: u8,
    user_name: Option<u8>,
    employee_id: Option<u8>,
    other_bu: bool,
}

#[derive(Debug, Arbitrary)]
struct Ext {
    id: u8,
    email: Option<Text>,
    active: Option<bool>,
    user_name: Option<u8>,
    employee_id: Option<u8>,
}

#[derive(Debug, Arbitrary)]
enum Op {
    Sources(Vec<Src>),
    Directory(Vec<Ext>),
    Plan(u8),
    Retry(u8, Option<Vec<Ext>>),
    Apply(u8, bool),
    Discard(u8),
    Map(u8, u8, bool, bool),
    Unmap(u8, bool),
    Exclude(u8),
    Include(u8),
    Settings(Settings),
}

#[derive(Debug, Arbitrary)]
struct Settings {
    case_sensitive: bool,
    strip_plus: bool,
    missing_granted: bool,
    fallbacks: Vec<u8>,
    percent: u8,
    min: u8,
}

fn text(t: &Option<Text>, pool: &[&str]) -> Option<String> {
    match t {
        None => None,
        Some(Text::Pool(i)) => Some(pool[usize::from(*i) % pool.len()].to_string()),
        Some(Text::Raw(s)) => Some(s.clone()),
    }
}

fn name(i: &Option<u8>) -> Option<String> {
    i.map(|i| NAMES[usize::from(i) % NAMES.len()].to_string())
}

fn source(s: &Src) -> SourceUser {
    SourceUser {
        id: format!("u{}", s.id % 16),
        business_unit_id: Some(if s.other_bu { "bu2" } else { "bu1" }.to_string()),
        email: text(&s.email, EMAILS),
        active: s.active,
        permissions: match s.perm {
            0 => None,
            1 => Some(vec![PERM_USER_MAPPING_MAP.to_string()]),
            _ => Some(vec!["Other".to_string()]),
        },
        user_name: name(&s.user_name),
        employee_id: name(&s.employee_id),
        ..Default::default()
    }
}

fn external(e: &Ext) -> ExternalUser {
    ExternalUser {
        id: format!("e{}", e.id % 16),
        email: text(&e.email, EMAILS),
        active: e.active,
        user_name: name(&e.user_name),
        employee_id: name(&e.employee_id),
        ..Default::default()
    }
}

fn settings(s: &Settings) -> PresenceSettings {
    const KEYS: [MatchedBy; 3] = [MatchedBy::Email, MatchedBy::UserName, MatchedBy::EmployeeId];
    PresenceSettings {
        key: KeyOptions {
            case_sensitive_local_part: s.case_sensitive,
            strip_plus_tag: s.strip_plus,
        },
        missing_permissions_granted: s.missing_granted,
        fallback_keys: s
            .fallbacks
            .iter()
            .map(|k| KEYS[usize::from(*k) % 3])
            .collect(),
        unmap_guard_percent: f64::from(s.percent) / 2.0,
        unmap_guard_min: usize::from(s.min % 8),
        ..Default::default()
    }
}

/// Every email auto-link the plan makes joins equal, non-confusable keys.
fn check_email_links(state: &PresenceState, unit: &UnitRef, run: &str) {
    let (Some(plan), Some(u)) = (state.plan(run), state.unit(unit)) else {
        return;
    };
    let opts = state.settings().key;
    for t in &plan.transitions {
        if !(t.to.is_auto() && t.to.matched_by == Some(MatchedBy::Email))
            || t.from.linked() == t.to.linked()
        {
            continue;
        }
        let src = u
            .sources()
            .iter()
            .find(|s| s.id == t.user_id)
            .and_then(|s| s.email.clone());
        let ext =
            t.to.linked()
                .and_then(|id| u.directory().iter().find(|e| e.id == id))
                .and_then(|e| e.email.clone());
        let (Some(src), Some(ext)) = (src, ext) else {
            panic!(
                "email link {} -> {:?} without both emails",
                t.user_id,
                t.to.linked()
            );
        };
        let (Ok(a), Ok(b)) = (email_key(&src, &opts), email_key(&ext, &opts)) else {
            panic!("email link between invalid addresses {src:?} and {ext:?}");
        };
        assert_eq!(a.key, b.key, "linked {src:?} to {ext:?}");
        assert!(
            a.confusable.is_none() && b.confusable.is_none(),
            "linked confusable {src:?} / {ext:?}"
        );
    }
}

fuzz_target!(|input: (Settings, Vec<Op>)| {
    let (init, ops) = input;
    let Ok(mut state) = PresenceState::new(settings(&init)) else {
        return;
    };
    let unit = UnitRef::new("bu1", "ringcentral");
    let admin = Actor {
        id: "admin".into(),
        permissions: vec![PERM_USER_MAPPING_MAP.into()],
    };
    let nobody = Actor {
        id: "nobody".into(),
        permissions: vec![],
    };
    let now = Timestamp::from_second(1_700_000_000).unwrap_or(Timestamp::UNIX_EPOCH);
    for (step, op) in ops.iter().take(24).enumerate() {
        let before = state.clone();
        let now = now
            .checked_add(jiff::SignedDuration::from_secs(step as i64))
            .unwrap_or(now);
        let run = |r: &u8| format!("r{}", r % 4);
        let result = match op {
            Op::Sources(list) => state.load_sources(&unit, list.iter().map(source).collect()),
            Op::Directory(list) => state.load_directory(&unit, list.iter().map(external).collect()),
            Op::Plan(r) => {
                let res = state.plan_auto_sync(&unit, run(r), now).map(|_| ());
                if res.is_ok() {
                    check_email_links(&state, &unit, &run(r));
                }
                res
            }
            Op::Retry(r, refreshed) => {
                let refreshed = refreshed.as_ref().map(|l| l.iter().map(external).collect());
                let res = state.retry_auto_sync(&run(r), refreshed, now).map(|_| ());
                if res.is_ok() {
                    check_email_links(&state, &unit, &run(r));
                }
                res
            }
            Op::Apply(r, force) => state.apply_plan(&run(r), &admin, *force, now).map(|_| ()),
            Op::Discard(r) => {
                state.discard_plan(&run(r));
                Ok(())
            }
            Op::Map(u, e, reassign, allowed) => {
                let who = if *allowed { &admin } else { &nobody };
                let (u, e) = (format!("u{}", u % 16), format!("e{}", e % 16));
                state.map(&unit, &u, &e, *reassign, who, now).map(|_| ())
            }
            Op::Unmap(u, allowed) => {
                let who = if *allowed { &admin } else { &nobody };
                state
                    .unmap(&unit, &format!("u{}", u % 16), who, now)
                    .map(|_| ())
            }
            Op::Exclude(u) => state
                .exclude(&unit, &format!("u{}", u % 16), &admin, now)
                .map(|_| ()),
            Op::Include(u) => state
                .include(&unit, &format!("u{}", u % 16), &admin, now)
                .map(|_| ()),
            Op::Settings(s) => state.set_settings(settings(s)),
        };
        if let Err(e) = &result {
            assert!(
                state == before,
                "step {step} failed ({}) but changed the state",
                e.message
            );
        }
        if let Err(e) = state.validate() {
            panic!("step {step} ({op:?}) broke an invariant: {}", e.message);
        }
        if let Some(u) = state.unit(&unit) {
            for m in u.mappings() {
                if m.status == MappingStatus::Mapped {
                    assert!(
                        m.method.is_some() && m.external_id.is_some(),
                        "mapped without a link"
                    );
                    if m.method == Some(Method::Manual) {
                        assert_eq!(m.matched_by, None);
                    }
                } else {
                    assert!(
                        m.external_id.is_none(),
                        "{} keeps a link while {:?}",
                        m.user_id,
                        m.status
                    );
                }
            }
        }
    }
    // The saved form restores to a state that still validates.
    if let Ok(json) = serde_json::to_string(&state) {
        let back: PresenceState = serde_json::from_str(&json).expect("own snapshot must load");
        assert!(back.validate().is_ok());
    }
});
