//! Properties of the delta over generated ACD batches and histories.

use super::*;
use crate::core::records::{SourceUser, FEATURE_WFM_ADVANCED, PERM_VIEW_PERSONAL_SCHEDULE};
use proptest::prelude::*;

const TENANTS: [&str; 3] = ["ta", "tb", "tc"];

fn t0() -> jiff::Timestamp {
    jiff::Timestamp::UNIX_EPOCH
}

fn linked() -> WfmState {
    let mut s = WfmState::default();
    for (i, t) in TENANTS.iter().enumerate() {
        s.link("w", t, &format!("acd{i}"), t0()).unwrap();
    }
    s
}

fn opt(values: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    proptest::option::of(proptest::sample::select(values).prop_map(str::to_string))
}

fn user() -> impl Strategy<Value = SourceUser> {
    (
        (0u8..6).prop_map(|n| format!("u{n}")),
        opt(&[
            "ann@example.com",
            "Ann@Example.COM",
            "bob@example.com",
            "bad address",
            "",
        ]),
        opt(&["Ann", "Bob", " "]),
        opt(&["1", "2", ""]),
        opt(&["2024-01-01", "2024-01-01T05:00:00Z", "never"]),
        proptest::option::of(any::<bool>()),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(id, email, first, number, date, active, team, role, profile)| SourceUser {
                id,
                email,
                first_name: first,
                agent_number: number,
                activation_date: date,
                active,
                team_features: team.then(|| vec![FEATURE_WFM_ADVANCED.to_string()]),
                role_permissions: role.then(|| vec![PERM_VIEW_PERSONAL_SCHEDULE.to_string()]),
                acd_profile_id: profile.then(|| "p".to_string()),
                ..Default::default()
            },
        )
}

/// Batches for a random subset of the linked tenants, user ids unique within each.
fn batches() -> impl Strategy<Value = Vec<AcdBatch>> {
    proptest::collection::vec(
        (
            proptest::sample::select(&TENANTS[..]),
            proptest::collection::vec(user(), 0..6),
        ),
        0..4,
    )
    .prop_map(|raw| {
        let mut out: Vec<AcdBatch> = vec![];
        for (tenant, mut users) in raw {
            if out.iter().any(|b| b.acd_tenant_id == tenant) {
                continue;
            }
            let mut seen = std::collections::BTreeSet::new();
            users.retain(|u| seen.insert(u.id.clone()));
            out.push(AcdBatch {
                acd_tenant_id: tenant.to_string(),
                users,
            });
        }
        out
    })
}

proptest! {
    #[test]
    fn applying_a_delta_then_recomputing_gives_nothing_new(
        history in proptest::collection::vec(batches(), 0..4),
        now in batches(),
    ) {
        let mut s = linked();
        for b in &history {
            let d = compute_delta(&s, "w", b).unwrap();
            apply_delta(&mut s, &d).unwrap();
        }
        let d = compute_delta(&s, "w", &now).unwrap();
        apply_delta(&mut s, &d).unwrap();
        let again = compute_delta(&s, "w", &now).unwrap();
        prop_assert!(again.is_empty(), "{:?}", again);
        // Reports describe the ACD side and repeat unchanged.
        prop_assert_eq!(&again.not_synced, &d.not_synced);
        prop_assert_eq!(&again.warnings, &d.warnings);
        prop_assert_eq!(&again.multi_tenant, &d.multi_tenant);
        s.validate().unwrap();
    }

    #[test]
    fn applying_twice_equals_applying_once(
        history in proptest::collection::vec(batches(), 0..3),
        now in batches(),
    ) {
        let mut s = linked();
        for b in &history {
            let d = compute_delta(&s, "w", b).unwrap();
            apply_delta(&mut s, &d).unwrap();
        }
        let d = compute_delta(&s, "w", &now).unwrap();
        apply_delta(&mut s, &d).unwrap();
        let once = s.clone();
        apply_delta(&mut s, &d).unwrap();
        prop_assert_eq!(s, once);
    }

    #[test]
    fn tenants_never_merge(users in proptest::collection::vec(user(), 1..6)) {
        // Every user, present in two ACD tenants with the same email: each ready one is two
        // agents, and each active ready pair with a valid address is reported.
        let s = linked();
        let mut seen = std::collections::BTreeSet::new();
        let users: Vec<SourceUser> = users
            .into_iter()
            .filter(|u| seen.insert(u.id.clone()))
            .map(|u| SourceUser { email: Some(format!("{}@example.com", u.id)), ..u })
            .collect();
        let b = [
            AcdBatch { acd_tenant_id: "ta".into(), users: users.clone() },
            AcdBatch { acd_tenant_id: "tb".into(), users: users.clone() },
        ];
        let d = compute_delta(&s, "w", &b).unwrap();
        let per_acd = |acd: &str| d.additions.iter().filter(|a| a.acd_id == acd).count();
        prop_assert_eq!(per_acd("acd0"), per_acd("acd1"));
        prop_assert_eq!(d.additions.len(), 2 * per_acd("acd0"));
        prop_assert_eq!(d.multi_tenant.len(), per_acd("acd0"));
        for r in &d.multi_tenant {
            prop_assert_eq!(r.agents.len(), 2);
            prop_assert!(r.agents[0].acd_id != r.agents[1].acd_id);
        }
    }
}

/// Agent numbers unique per user within an acd, as CXone assigns them (the generator's
/// "1" / "2" become "1<n>" / "2<n>" for user u<n>; blank and missing stay so).
fn unique_numbers(batches: Vec<AcdBatch>) -> Vec<AcdBatch> {
    batches
        .into_iter()
        .map(|b| AcdBatch {
            users: b
                .users
                .into_iter()
                .map(|u| SourceUser {
                    agent_number: u.agent_number.as_deref().map(|n| match n {
                        "" => String::new(),
                        n => format!("{n}{}", u.id.trim_start_matches('u')),
                    }),
                    ..u
                })
                .collect(),
            ..b
        })
        .collect()
}

proptest! {
    #[test]
    fn reading_back_what_wfm_was_told_sends_nothing_new(
        history in proptest::collection::vec(batches(), 0..3),
        now in batches(),
    ) {
        let mut s = linked();
        for b in history.into_iter().map(unique_numbers) {
            let d = compute_delta(&s, "w", &b).unwrap();
            apply_delta(&mut s, &d).unwrap();
        }
        let now = unique_numbers(now);
        let d = compute_delta(&s, "w", &now).unwrap();
        apply_delta(&mut s, &d).unwrap();
        let held: Vec<crate::core::directory::iex::IexAgent> = s
            .received("w")
            .iter()
            .filter(|a| a.origin == ORIGIN_FROM_ACD)
            .map(|a| crate::core::directory::iex::IexAgent {
                acd_id: a.acd_id.clone(),
                agent_number: a.agent_number.clone(),
                tv_id: None,
                first_name: a.first_name.clone(),
                last_name: a.last_name.clone(),
                email: a.email.clone(),
                personal_id: Some(a.personal_id.clone()),
                external_id: a.external_id.clone(),
            })
            .collect();
        s.read_back("w", &held, &now, t0()).unwrap();
        let again = compute_delta(&s, "w", &now).unwrap();
        prop_assert!(again.additions.is_empty() && again.changes.is_empty(), "{:?}", again);
        s.validate().unwrap();
    }
}
