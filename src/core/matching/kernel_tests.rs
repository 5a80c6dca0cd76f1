//! The kernel's rules on small hand-made sides (the engine and bulk tests cover them through
//! their callers; these pin the kernel's own contract).

use super::kernel::{decide, Decided, Fallbacks, Rules, Side};
use super::keys::{key_of, Keyed};
use crate::core::email_key::KeyOptions;
use crate::core::mapping::{MatchedBy, Reason};
use std::borrow::Cow;

struct P {
    email: Option<&'static str>,
    user_name: Option<&'static str>,
}

impl Fallbacks for P {
    fn user_name(&self) -> Option<&str> {
        self.user_name
    }
    fn employee_id(&self) -> Option<&str> {
        None
    }
}

fn p(email: Option<&'static str>, user_name: Option<&'static str>) -> P {
    P { email, user_name }
}

fn keys(people: &[P]) -> Vec<Keyed<'static>> {
    let mut buf = Vec::new();
    people
        .iter()
        .map(|x| {
            key_of(
                x.email.map(Cow::Borrowed).as_ref(),
                &KeyOptions::default(),
                &mut buf,
            )
        })
        .collect()
}

fn run(src: &[P], ext: &[P], held: &[bool], fallbacks: &[MatchedBy]) -> Vec<Option<Decided>> {
    let (sk, ek) = (keys(src), keys(ext));
    let cand = vec![true; src.len()];
    let active = vec![true; ext.len()];
    decide(
        &Side {
            people: src,
            keys: &sk,
            flags: &cand,
        },
        &Side {
            people: ext,
            keys: &ek,
            flags: &active,
        },
        &Rules { fallbacks, held },
    )
}

const UN: MatchedBy = MatchedBy::UserName;

#[test]
fn a_held_account_is_taken_and_a_free_one_maps() {
    let src = [p(Some("a@x.com"), None), p(Some("B@x.com"), None)];
    let ext = [p(Some("a@x.com"), None), p(Some("b@x.com"), None)];
    let out = run(&src, &ext, &[true, false], &[]);
    assert_eq!(out[0], Some(Decided::Unmapped(Reason::ExternalTaken)));
    assert_eq!(
        out[1],
        Some(Decided::Mapped {
            ext: 1,
            by: MatchedBy::Email
        })
    );
}

#[test]
fn the_strongest_key_wins_an_account_and_a_tie_takes_it_from_all() {
    // u0 finds the account by email, u1 by user name: email wins.
    let src = [p(Some("a@x.com"), None), p(None, Some("ann"))];
    let ext = [p(Some("a@x.com"), Some(" ANN "))];
    let out = run(&src, &ext, &[], &[UN]);
    assert_eq!(
        out[0],
        Some(Decided::Mapped {
            ext: 0,
            by: MatchedBy::Email
        })
    );
    assert_eq!(out[1], Some(Decided::Unmapped(Reason::ExternalTaken)));
    // Two claims by user name: a tie, nobody gets it.
    let src = [p(None, Some("ann")), p(Some("z@x.com"), Some("Ann"))];
    let out = run(&src, &ext, &[], &[UN]);
    assert!(out
        .iter()
        .all(|d| *d == Some(Decided::Unmapped(Reason::ExternalTaken))));
}

#[test]
fn fallbacks_are_tried_only_when_the_email_found_nothing() {
    let ext = [p(Some("a@x.com"), Some("bob")), p(Some("a@x.com"), None)];
    // The email finds two accounts: multiple_matches stands, the user name is not tried.
    let out = run(&[p(Some("a@x.com"), Some("bob"))], &ext, &[], &[UN]);
    assert_eq!(out[0], Some(Decided::Unmapped(Reason::MultipleMatches)));
    assert!(out[0].is_some_and(|d| d.retried()));
    // An invalid email is never rescued by a fallback key.
    let out = run(&[p(Some("a..b@x.com"), Some("bob"))], &ext, &[], &[UN]);
    assert_eq!(out[0], Some(Decided::Unmapped(Reason::InvalidEmail)));
    assert!(!out[0].is_some_and(|d| d.retried()));
}

#[test]
fn a_look_alike_on_the_other_side_blocks_both() {
    // `rn` looks like `m`: neither side's address may match, even the exact one.
    let src = [p(Some("arn@x.com"), None)];
    let ext = [p(Some("arn@x.com"), None), p(Some("am@x.com"), None)];
    let out = run(&src, &ext, &[], &[]);
    assert_eq!(out[0], Some(Decided::Unmapped(Reason::Confusable)));
}
