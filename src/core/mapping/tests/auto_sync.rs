//! Auto Sync matching rules: lookup by key, the one-to-one rule and retry (docs/matching.md).

use super::*;

#[test]
fn a_single_exact_match_is_mapped_auto_and_audited() {
    let mut s = state(
        vec![src("u1", "Ann@Example.com")],
        vec![ext("e1", "ann@example.com")],
    );
    run(&mut s, "r1");
    let m = s.unit(&bu()).unwrap().mapping("u1").unwrap().clone();
    assert_eq!(m.status, MappingStatus::Mapped);
    assert_eq!(m.method, Some(Method::Auto));
    assert_eq!(m.external_id.as_deref(), Some("e1"));
    assert_eq!(m.matched_by, Some(MatchedBy::Email));
    assert_eq!(m.attempts, 1);
    assert_eq!(m.email_key.as_deref(), Some("ann@example.com"));
    assert_eq!(m.mapped_at.as_deref(), Some(at(2).to_string().as_str()));
    let log = s.log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].run_id.as_deref(), Some("r1"));
    assert_eq!(log[0].actor, "auto");
    assert_eq!(
        (log[0].from, log[0].to),
        (MappingStatus::Unmapped, MappingStatus::Mapped)
    );
    assert_eq!(log[0].external_id.as_deref(), Some("e1"));
}

#[test]
fn users_without_the_permission_are_skipped_unless_a_missing_list_counts_as_granted() {
    let mut no_list = src("u2", "b@x.com");
    no_list.permissions = None;
    let mut other = src("u3", "c@x.com");
    other.permissions = Some(vec!["Something.Else".into()]);
    let dir = vec![ext("e1", "b@x.com"), ext("e2", "c@x.com")];
    let mut s = state(vec![no_list.clone(), other.clone()], dir.clone());
    run(&mut s, "r1");
    assert_eq!(
        st(&s, "u2"),
        MappingState::not_mapped(MappingStatus::Skipped, Some(Reason::NoPermission), 0)
    );
    assert_eq!(reason(&s, "u3"), Some(Reason::NoPermission));

    let settings = PresenceSettings {
        missing_permissions_granted: true,
        ..Default::default()
    };
    let mut s = PresenceState::new(settings).unwrap();
    s.load_sources(&bu(), vec![no_list, other]).unwrap();
    s.load_directory(&bu(), dir).unwrap();
    run(&mut s, "r1");
    assert_eq!(st(&s, "u2").linked(), Some("e1"));
    assert_eq!(
        reason(&s, "u3"),
        Some(Reason::NoPermission),
        "an explicit list without it is never granted"
    );
}

#[test]
fn inactive_users_are_skipped() {
    let mut u = src("u1", "a@x.com");
    u.active = Some(false);
    let mut s = state(vec![u], vec![ext("e1", "a@x.com")]);
    run(&mut s, "r1");
    assert_eq!(st(&s, "u1").status, MappingStatus::Skipped);
    assert_eq!(reason(&s, "u1"), Some(Reason::Inactive));
}

#[test]
fn excluded_users_and_manual_mappings_are_never_touched() {
    let mut s = state(
        vec![
            src("u1", "a@x.com"),
            src("u2", "b@x.com"),
            src("u3", "c@x.com"),
        ],
        vec![
            ext("e1", "a@x.com"),
            ext("e2", "b@x.com"),
            ext("e9", "nobody@x.com"),
        ],
    );
    s.exclude(&bu(), "u1", &admin(), at(0)).unwrap();
    s.map(&bu(), "u2", "e9", false, &admin(), at(0)).unwrap();
    s.map(&bu(), "u3", "e1", false, &admin(), at(0)).unwrap();
    // u3's manual account leaves the directory; u2 loses the permission: still untouched.
    let mut u2 = src("u2", "b@x.com");
    u2.permissions = Some(vec![]);
    s.load_sources(&bu(), vec![src("u1", "a@x.com"), u2, src("u3", "c@x.com")])
        .unwrap();
    s.load_directory(&bu(), vec![ext("e2", "b@x.com"), ext("e9", "nobody@x.com")])
        .unwrap();
    let before: Vec<MappingState> = ["u1", "u2", "u3"].iter().map(|u| st(&s, u)).collect();
    let plan = run(&mut s, "r1");
    assert!(plan.transitions.is_empty(), "{:?}", plan.transitions);
    let after: Vec<MappingState> = ["u1", "u2", "u3"].iter().map(|u| st(&s, u)).collect();
    assert_eq!(before, after);
    assert_eq!(after[0].status, MappingStatus::Excluded);
    assert!(after[1].is_manual() && after[2].is_manual());
}

#[test]
fn no_match_and_multiple_matches() {
    let mut s = state(
        vec![src("u1", "none@x.com"), src("u2", "two@x.com")],
        vec![ext("e1", "two@x.com"), ext("e2", "TWO@x.com")],
    );
    run(&mut s, "r1");
    assert_eq!(
        st(&s, "u1"),
        MappingState::not_mapped(MappingStatus::Unmapped, Some(Reason::NoMatch), 1)
    );
    assert_eq!(reason(&s, "u2"), Some(Reason::MultipleMatches));
}

#[test]
fn two_cxone_users_with_one_key_are_both_duplicate_source_email() {
    let mut s = state(
        vec![src("u1", "a@x.com"), src("u2", " A@X.COM")],
        vec![ext("e1", "a@x.com")],
    );
    run(&mut s, "r1");
    assert_eq!(reason(&s, "u1"), Some(Reason::DuplicateSourceEmail));
    assert_eq!(reason(&s, "u2"), Some(Reason::DuplicateSourceEmail));
    assert!(s.unit(&bu()).unwrap().holder_of("e1").is_none());
}

#[test]
fn an_inactive_user_sharing_the_email_does_not_block_the_active_one() {
    let mut old = src("u1", "a@x.com");
    old.active = Some(false);
    let mut s = state(vec![old, src("u2", "a@x.com")], vec![ext("e1", "a@x.com")]);
    run(&mut s, "r1");
    assert_eq!(st(&s, "u2").linked(), Some("e1"));
}

#[test]
fn an_account_mapped_to_someone_else_is_external_taken() {
    let mut s = state(
        vec![src("u1", "a@x.com"), src("u2", "other@x.com")],
        vec![ext("e1", "a@x.com")],
    );
    s.map(&bu(), "u2", "e1", false, &admin(), at(0)).unwrap();
    run(&mut s, "r1");
    assert_eq!(reason(&s, "u1"), Some(Reason::ExternalTaken));
    assert_eq!(st(&s, "u2").linked(), Some("e1"));
}

#[test]
fn invalid_emails_are_never_matched_and_missing_emails_are_no_match() {
    let mut s = state(
        vec![src("u1", "a\u{200B}@x.com"), src("u2", "")],
        vec![ext("e1", "a@x.com"), ext("e2", "a\u{200B}@x.com")],
    );
    run(&mut s, "r1");
    assert_eq!(reason(&s, "u1"), Some(Reason::InvalidEmail));
    assert_eq!(reason(&s, "u2"), Some(Reason::NoMatch));
}

#[test]
fn a_confusable_address_never_auto_matches() {
    // Kelvin sign: the key becomes "kim@x.com", equal to the account's, but it is flagged.
    let mut s = state(
        vec![src("u1", "\u{212A}im@x.com")],
        vec![ext("e1", "kim@x.com")],
    );
    run(&mut s, "r1");
    assert_eq!(reason(&s, "u1"), Some(Reason::Confusable));
}

#[test]
fn a_look_alike_on_the_other_side_makes_the_user_confusable() {
    // Cyrillic "а" (U+0430) on the RingCentral side: same skeleton, different key.
    let mut s = state(
        vec![src("u1", "paypal@x.com")],
        vec![ext("e1", "paypal@x.com"), ext("e2", "p\u{430}ypal@x.com")],
    );
    run(&mut s, "r1");
    assert_eq!(reason(&s, "u1"), Some(Reason::Confusable));
}

#[test]
fn a_confusable_account_is_never_matched() {
    // The account's own spelling is confusable (Kelvin sign), though its key equals u1's.
    let mut s = state(
        vec![src("u1", "kim@x.com")],
        vec![ext("e1", "\u{212A}im@x.com")],
    );
    run(&mut s, "r1");
    assert_eq!(reason(&s, "u1"), Some(Reason::Confusable));
}

#[test]
fn an_auto_mapping_is_kept_when_an_email_drifts_with_a_warning() {
    let mut s = state(vec![src("u1", "a@x.com")], vec![ext("e1", "a@x.com")]);
    run(&mut s, "r1");
    s.load_sources(&bu(), vec![src("u1", "renamed@x.com")])
        .unwrap();
    let plan = s.plan_auto_sync(&bu(), "r2".into(), at(3)).unwrap();
    assert!(plan.transitions.is_empty());
    assert_eq!(plan.warnings.len(), 1);
    assert_eq!(plan.warnings[0].code, "email_drift");
    assert_eq!(plan.warnings[0].user_id, "u1");
}

#[test]
fn an_account_that_disappeared_unmaps_with_external_gone_and_stays_so() {
    let mut s = state(vec![src("u1", "a@x.com")], vec![ext("e1", "a@x.com")]);
    run(&mut s, "r1");
    s.load_directory(&bu(), vec![ext("e7", "someone@x.com")])
        .unwrap();
    let plan = run(&mut s, "r2");
    assert_eq!(plan.guard.unmaps, 1);
    assert_eq!(
        st(&s, "u1"),
        MappingState::not_mapped(MappingStatus::Unmapped, Some(Reason::ExternalGone), 1)
    );
    assert_eq!(
        s.log().last().unwrap().external_id.as_deref(),
        Some("e1"),
        "the event names the unlinked account"
    );
    let again = s.plan_auto_sync(&bu(), "r3".into(), at(5)).unwrap();
    assert!(
        again.transitions.is_empty(),
        "external_gone is stable: {:?}",
        again.transitions
    );
    // A new account with the user's email: linked in the next run.
    s.load_directory(&bu(), vec![ext("e8", "a@x.com")]).unwrap();
    run(&mut s, "r4");
    assert_eq!(st(&s, "u1").linked(), Some("e8"));
}

#[test]
fn a_gone_account_with_a_new_match_is_relinked_in_the_same_run() {
    let mut s = state(vec![src("u1", "a@x.com")], vec![ext("e1", "a@x.com")]);
    run(&mut s, "r1");
    s.load_directory(&bu(), vec![ext("e2", "a@x.com")]).unwrap();
    let plan = run(&mut s, "r2");
    assert_eq!(plan.guard.unmaps, 0, "relinking is not an unmap");
    assert_eq!(st(&s, "u1").linked(), Some("e2"));
}

#[test]
fn an_auto_mapped_user_who_loses_the_permission_is_skipped_and_counted_by_the_guard() {
    let mut s = state(vec![src("u1", "a@x.com")], vec![ext("e1", "a@x.com")]);
    run(&mut s, "r1");
    let mut u = src("u1", "a@x.com");
    u.permissions = Some(vec![]);
    s.load_sources(&bu(), vec![u]).unwrap();
    let plan = run(&mut s, "r2");
    assert_eq!(plan.guard.unmaps, 1);
    assert_eq!(
        st(&s, "u1"),
        MappingState::not_mapped(MappingStatus::Skipped, Some(Reason::NoPermission), 0)
    );
}

#[test]
fn inactive_accounts_are_not_matchable_but_existing_links_to_them_stay() {
    let mut off = ext("e1", "a@x.com");
    off.active = Some(false);
    let mut s = state(vec![src("u1", "a@x.com")], vec![off.clone()]);
    run(&mut s, "r1");
    assert_eq!(reason(&s, "u1"), Some(Reason::NoMatch));

    let mut s = state(
        vec![src("u1", "a@x.com")],
        vec![off.clone(), ext("e2", "a@x.com")],
    );
    run(&mut s, "r1");
    assert_eq!(
        st(&s, "u1").linked(),
        Some("e2"),
        "one active account is exactly one match"
    );

    let mut s = state(vec![src("u1", "a@x.com")], vec![ext("e1", "a@x.com")]);
    run(&mut s, "r1");
    s.load_directory(&bu(), vec![off]).unwrap();
    let plan = run(&mut s, "r2");
    assert!(plan.transitions.is_empty());
    assert_eq!(st(&s, "u1").linked(), Some("e1"));
}

fn with_fallback(keys: Vec<MatchedBy>) -> PresenceState {
    PresenceState::new(PresenceSettings {
        fallback_keys: keys,
        ..Default::default()
    })
    .unwrap()
}

#[test]
fn fallback_keys_apply_only_when_email_found_nothing_in_their_order() {
    let mut u1 = src("u1", "nomatch@x.com");
    u1.user_name = Some(" Ann.Lee ".into());
    u1.employee_id = Some("E-1".into());
    let mut e1 = ext("e1", "different@x.com");
    e1.user_name = Some("ann.lee".into());
    let mut e2 = ext("e2", "else@x.com");
    e2.employee_id = Some("e-1".into());
    let mut u2 = src("u2", "bad email");
    u2.user_name = Some("bob".into());
    let mut e3 = ext("e3", "");
    e3.user_name = Some("BOB".into());

    let mut s = with_fallback(vec![]);
    s.load_sources(&bu(), vec![u1.clone(), u2.clone()]).unwrap();
    s.load_directory(&bu(), vec![e1.clone(), e2.clone(), e3.clone()])
        .unwrap();
    run(&mut s, "r1");
    assert_eq!(
        reason(&s, "u1"),
        Some(Reason::NoMatch),
        "email only by default"
    );

    let mut s = with_fallback(vec![MatchedBy::EmployeeId, MatchedBy::UserName]);
    s.load_sources(&bu(), vec![u1.clone(), u2.clone()]).unwrap();
    s.load_directory(&bu(), vec![e1.clone(), e2.clone(), e3.clone()])
        .unwrap();
    run(&mut s, "r1");
    assert_eq!(st(&s, "u1").linked(), Some("e2"));
    assert_eq!(st(&s, "u1").matched_by, Some(MatchedBy::EmployeeId));
    assert_eq!(
        reason(&s, "u2"),
        Some(Reason::InvalidEmail),
        "no fallback for an invalid email"
    );

    let mut s = with_fallback(vec![MatchedBy::UserName]);
    s.load_sources(&bu(), vec![u1]).unwrap();
    s.load_directory(&bu(), vec![e1, e2]).unwrap();
    run(&mut s, "r1");
    assert_eq!(st(&s, "u1").matched_by, Some(MatchedBy::UserName));
}

#[test]
fn an_email_claim_beats_a_fallback_claim_and_a_tie_maps_nobody() {
    let mut u1 = src("u1", "a@x.com");
    u1.user_name = Some("zed".into());
    let mut u2 = src("u2", "nomatch@x.com");
    u2.user_name = Some("ann".into());
    let mut e1 = ext("e1", "a@x.com");
    e1.user_name = Some("ann".into());
    let mut s = with_fallback(vec![MatchedBy::UserName]);
    s.load_sources(&bu(), vec![u2.clone(), u1]).unwrap();
    s.load_directory(&bu(), vec![e1.clone()]).unwrap();
    run(&mut s, "r1");
    assert_eq!(st(&s, "u1").linked(), Some("e1"));
    assert_eq!(reason(&s, "u2"), Some(Reason::ExternalTaken));

    let mut u3 = src("u3", "");
    u3.user_name = Some("ANN".into());
    let mut s = with_fallback(vec![MatchedBy::UserName]);
    s.load_sources(&bu(), vec![u3, u2]).unwrap();
    s.load_directory(
        &bu(),
        vec![ext("e1", "zz@x.com"), {
            e1.id = "e2".into();
            e1.email = None;
            e1
        }],
    )
    .unwrap();
    run(&mut s, "r1");
    assert_eq!(reason(&s, "u2"), Some(Reason::ExternalTaken));
    assert_eq!(reason(&s, "u3"), Some(Reason::ExternalTaken));
}
