//! Properties of the mapping rules (docs/presence.md, docs/matching.md) over random sequences of loads, Auto Sync runs and manual changes,
//! drawn from small pools so that collisions (shared emails, look-alikes, taken accounts)
//! are frequent.

use super::tests::{admin, at, bu};
use super::*;
use crate::core::records::{ExternalUser, SourceUser, PERM_USER_MAPPING_MAP};
use proptest::prelude::*;
use std::collections::BTreeMap;

const EMAILS: &[&str] = &[
    "a@x.com",
    "A@X.com",
    "b@x.com",
    "c@x.com",
    "d@x.com",
    "e@x.com",
    "f@x.com",
    "g@x.com",
    "h@x.com",
    "i@x.com",
    "j@x.com",
    "bad",
    "",
    "p\u{430}ypal@x.com",
    "paypal@x.com",
    "\u{212A}im@x.com",
    "kim@x.com",
];
const NAMES: &[Option<&str>] = &[None, Some("ann"), Some("bob"), Some(" ANN ")];

#[derive(Debug, Clone)]
pub(super) struct SrcSpec {
    email: usize,
    perm: u8,
    active: bool,
    name: usize,
    emp: usize,
}

#[derive(Debug, Clone)]
pub(super) struct ExtSpec {
    email: usize,
    active: bool,
    name: usize,
    emp: usize,
}

/// Mostly plain addresses (so that users do get mapped), sometimes any of the pool.
fn email() -> impl Strategy<Value = usize> {
    prop_oneof![6 => 0usize..11, 1 => 0..EMAILS.len()]
}

pub(super) fn src_spec() -> impl Strategy<Value = SrcSpec> {
    (
        email(),
        0u8..8,
        prop::bool::weighted(0.9),
        0..NAMES.len(),
        0..NAMES.len(),
    )
        .prop_map(|(email, perm, active, name, emp)| SrcSpec {
            email,
            perm,
            active,
            name,
            emp,
        })
}

pub(super) fn ext_spec() -> impl Strategy<Value = ExtSpec> {
    (
        email(),
        prop::bool::weighted(0.9),
        0..NAMES.len(),
        0..NAMES.len(),
    )
        .prop_map(|(email, active, name, emp)| ExtSpec {
            email,
            active,
            name,
            emp,
        })
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

pub(super) fn sources(specs: &BTreeMap<usize, SrcSpec>) -> Vec<SourceUser> {
    specs
        .iter()
        .map(|(i, s)| SourceUser {
            id: format!("u{i}"),
            email: opt(EMAILS[s.email]),
            permissions: match s.perm {
                0 => None,
                1 => Some(vec![]),
                _ => Some(vec![PERM_USER_MAPPING_MAP.to_string()]),
            },
            active: Some(s.active),
            user_name: NAMES[s.name].map(str::to_string),
            employee_id: NAMES[s.emp].map(str::to_string),
            ..Default::default()
        })
        .collect()
}

pub(super) fn externals(specs: &BTreeMap<usize, ExtSpec>) -> Vec<ExternalUser> {
    specs
        .iter()
        .map(|(i, e)| ExternalUser {
            id: format!("e{i}"),
            email: opt(EMAILS[e.email]),
            active: Some(e.active),
            user_name: NAMES[e.name].map(str::to_string),
            employee_id: NAMES[e.emp].map(str::to_string),
            ..Default::default()
        })
        .collect()
}

#[derive(Debug, Clone)]
pub(super) enum Op {
    LoadSources(BTreeMap<usize, SrcSpec>),
    LoadDirectory(BTreeMap<usize, ExtSpec>),
    Auto {
        retry: bool,
        refreshed: Option<BTreeMap<usize, ExtSpec>>,
        force: bool,
    },
    Map(usize, usize, bool),
    Unmap(usize),
    Exclude(usize),
    Include(usize),
}

pub(super) fn op() -> impl Strategy<Value = Op> {
    let srcs = || prop::collection::btree_map(0usize..7, src_spec(), 2..7);
    let exts = || prop::collection::btree_map(0usize..7, ext_spec(), 3..7);
    prop_oneof![
        1 => srcs().prop_map(Op::LoadSources),
        1 => exts().prop_map(Op::LoadDirectory),
        // An empty directory (a failed fetch): every auto link is gone, the guard's case.
        1 => Just(Op::LoadDirectory(BTreeMap::new())),
        4 => (any::<bool>(), prop::option::of(prop::collection::btree_map(0usize..9, ext_spec(), 0..3)), any::<bool>())
            .prop_map(|(retry, refreshed, force)| Op::Auto { retry, refreshed, force }),
        2 => (0usize..7, 0usize..7, any::<bool>()).prop_map(|(u, e, r)| Op::Map(u, e, r)),
        1 => (0usize..7).prop_map(Op::Unmap),
        1 => (0usize..7).prop_map(Op::Exclude),
        1 => (0usize..7).prop_map(Op::Include),
    ]
}

pub(super) fn settings() -> impl Strategy<Value = PresenceSettings> {
    (any::<bool>(), 0usize..4, 0usize..2, 0.0f64..30.0).prop_map(|(granted, fb, min, pct)| {
        PresenceSettings {
            missing_permissions_granted: granted,
            fallback_keys: match fb {
                0 => vec![],
                1 => vec![MatchedBy::UserName],
                2 => vec![MatchedBy::EmployeeId],
                _ => vec![MatchedBy::EmployeeId, MatchedBy::UserName],
            },
            unmap_guard_min: min,
            unmap_guard_percent: pct,
            ..Default::default()
        }
    })
}

pub(super) fn json(s: &PresenceState) -> String {
    serde_json::to_string(s).unwrap()
}

fn protected(s: &PresenceState) -> Vec<Mapping> {
    s.unit(&bu())
        .map(|u| {
            u.mappings()
                .filter(|m| m.status == MappingStatus::Excluded || m.state().is_manual())
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// Run one op, checking the per-op properties. `n` makes run ids unique.
pub(super) fn step(s: &mut PresenceState, op: &Op, n: usize) -> Result<(), TestCaseError> {
    let u = |i: &usize| format!("u{i}");
    let t = at(n as i64 * 10);
    match op {
        Op::LoadSources(specs) => {
            s.load_sources(&bu(), sources(specs)).unwrap();
        }
        Op::LoadDirectory(specs) => {
            s.load_directory(&bu(), externals(specs)).unwrap();
        }
        Op::Auto {
            retry,
            refreshed,
            force,
        } => {
            if s.unit(&bu()).is_none() {
                return Ok(());
            }
            let run = format!("r{n}");
            let before_protected = protected(s);
            s.plan_auto_sync(&bu(), run.clone(), t).unwrap();
            if *retry {
                s.retry_auto_sync(&run, refreshed.as_ref().map(externals), t)
                    .unwrap();
            }
            let before = json(s);
            let exceeded = s.plan(&run).unwrap().guard.exceeded;
            match s.apply_plan(
                &run,
                &crate::core::mapping::Actor::with_map("auto"),
                *force,
                t,
            ) {
                Err(e) => {
                    prop_assert!(exceeded && !force);
                    prop_assert_eq!(e.code, crate::core::ErrorCode::UnmapThresholdExceeded);
                    prop_assert_eq!(json(s), before, "a refused plan changes nothing");
                    return Ok(());
                }
                Ok(out) => prop_assert!(out.stale.is_empty(), "{:?}", out.stale),
            }
            prop_assert_eq!(
                protected(s),
                before_protected,
                "Auto Sync touched a manual or excluded user"
            );
            // Applying the same plan again changes nothing.
            let after = json(s);
            let again = s
                .apply_plan(
                    &run,
                    &crate::core::mapping::Actor::with_map("auto"),
                    false,
                    t,
                )
                .unwrap();
            prop_assert_eq!(again.applied, 0);
            prop_assert_eq!(json(s), after);
            // Running Auto Sync again on the same input changes nothing.
            let run2 = format!("r{n}b");
            let plan = s.plan_auto_sync(&bu(), run2.clone(), t).unwrap();
            prop_assert!(
                plan.transitions.is_empty(),
                "second run pass 1: {:?}",
                plan.transitions
            );
            if *retry {
                let plan = s.retry_auto_sync(&run2, None, t).unwrap();
                prop_assert!(
                    plan.transitions.is_empty(),
                    "second run pass 2: {:?}",
                    plan.transitions
                );
            }
            s.discard_plan(&run2);
        }
        Op::Map(i, e, reassign) => {
            let _ = s.map(&bu(), &u(i), &format!("e{e}"), *reassign, &admin(), t);
        }
        Op::Unmap(i) => {
            let _ = s.unmap(&bu(), &u(i), &admin(), t);
        }
        Op::Exclude(i) => {
            let _ = s.exclude(&bu(), &u(i), &admin(), t);
        }
        Op::Include(i) => {
            let _ = s.include(&bu(), &u(i), &admin(), t);
        }
    }
    Ok(())
}

/// A deterministic shuffle from a seed.
fn shuffled<T>(mut v: Vec<T>, mut seed: u64) -> Vec<T> {
    for i in (1..v.len()).rev() {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = (seed >> 33) as usize % (i + 1);
        v.swap(i, j);
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// One-to-one, every invariant, the Auto Sync properties of `step`, and a serde round
    /// trip, after any sequence.
    #[test]
    fn any_sequence_keeps_every_invariant(
        settings in settings(),
        srcs in prop::collection::btree_map(0usize..7, src_spec(), 3..7),
        dir in prop::collection::btree_map(0usize..7, ext_spec(), 3..7),
        ops in prop::collection::vec(op(), 1..24),
    ) {
        let mut s = PresenceState::new(settings).unwrap();
        s.load_sources(&bu(), sources(&srcs)).unwrap();
        s.load_directory(&bu(), externals(&dir)).unwrap();
        for (n, op) in ops.iter().enumerate() {
            step(&mut s, op, n)?;
            prop_assert!(s.validate().is_ok(), "after {:?}: {:?}", op, s.validate());
            let text = json(&s);
            let back: PresenceState = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(json(&back), text);
            prop_assert!(back.validate().is_ok());
        }
    }

    /// Input order never changes the outcome: the same state with its lists given in another
    /// order plans (and retries) the same transitions.
    #[test]
    fn input_order_never_changes_the_plan(
        settings in settings(),
        ops in prop::collection::vec(op(), 0..8),
        srcs in prop::collection::btree_map(0usize..7, src_spec(), 0..7),
        dir in prop::collection::btree_map(0usize..7, ext_spec(), 0..7),
        refreshed in prop::collection::btree_map(0usize..9, ext_spec(), 0..3),
        seed in any::<u64>(),
    ) {
        let mut s = PresenceState::new(settings).unwrap();
        s.load_sources(&bu(), sources(&srcs)).unwrap();
        s.load_directory(&bu(), externals(&dir)).unwrap();
        for (n, op) in ops.iter().enumerate() {
            step(&mut s, op, n)?;
        }
        let mut a = s.clone();
        let mut b = s;
        a.load_sources(&bu(), sources(&srcs)).unwrap();
        a.load_directory(&bu(), externals(&dir)).unwrap();
        b.load_sources(&bu(), shuffled(sources(&srcs), seed)).unwrap();
        b.load_directory(&bu(), shuffled(externals(&dir), seed ^ 0x9e37)).unwrap();
        let pa = a.plan_auto_sync(&bu(), "x".into(), at(999)).unwrap().clone();
        let pb = b.plan_auto_sync(&bu(), "x".into(), at(999)).unwrap().clone();
        prop_assert_eq!(pa, pb);
        let ra = a.retry_auto_sync("x", Some(externals(&refreshed)), at(999)).unwrap().clone();
        let rb = b.retry_auto_sync("x", Some(shuffled(externals(&refreshed), seed)), at(999)).unwrap().clone();
        prop_assert_eq!(ra, rb);
        a.apply_plan("x", &crate::core::mapping::Actor::with_map("auto"), true, at(1000)).unwrap();
        b.apply_plan("x", &crate::core::mapping::Actor::with_map("auto"), true, at(1000)).unwrap();
        prop_assert_eq!(json(&a), json(&b));
    }
}
