//! The matching rules of an Auto Sync pass (SPEC 3, steps 1, 2 and 4): for every loaded CXone
//! user, the state Auto Sync wants. Pure: reads one unit, returns targets; `auto_sync` turns
//! them into a plan.
//!
//! Everything is keyed and iterated in id order, and every "first come" decision is replaced
//! by a symmetric rule, so input order never changes the outcome.

use super::keys::{email_key, ConfusableIndex, EmailKey};
use super::model::{MappingState, MappingStatus, MatchedBy, Method, PresenceSettings, Reason};
use super::plan::PlanWarning;
use super::unit::UnitState;
use crate::core::records::{ExternalUser, SourceUser};
use std::collections::{BTreeMap, BTreeSet};

/// What one pass decided.
pub(crate) struct PassResult {
    /// The wanted state of every loaded user (equal to the current one when untouched).
    pub targets: BTreeMap<String, MappingState>,
    /// Users whose lookup gave `no_match` or `multiple_matches` (retry candidates).
    pub retry: BTreeSet<String>,
    pub warnings: Vec<PlanWarning>,
}

/// How Auto Sync treats a user before any lookup.
enum Class {
    /// Excluded or manually mapped: never touched.
    Untouched,
    /// Lost `UserMapping.Map` or inactive.
    Skip(Reason),
    /// Auto-mapped and both accounts still exist.
    Keep,
    /// To be looked up; `gone` when the user's linked account vanished (now or in an
    /// earlier run), so that a failed lookup keeps saying `external_gone`.
    Candidate { gone: bool },
}

enum KeyOf {
    Missing,
    Invalid,
    Valid(EmailKey),
}

fn key_of(raw: Option<&str>, settings: &PresenceSettings) -> KeyOf {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => KeyOf::Missing,
        Some(raw) => match email_key(raw, &settings.key) {
            Ok(k) => KeyOf::Valid(k),
            Err(_) => KeyOf::Invalid,
        },
    }
}

impl KeyOf {
    fn valid(&self) -> Option<&EmailKey> {
        match self {
            KeyOf::Valid(k) => Some(k),
            _ => None,
        }
    }
}

/// The value a fallback key compares: trimmed, lower-cased, non-empty.
fn fallback_value(
    kind: MatchedBy,
    user_name: Option<&str>,
    employee_id: Option<&str>,
) -> Option<String> {
    let raw = match kind {
        MatchedBy::UserName => user_name,
        MatchedBy::EmployeeId => employee_id,
        MatchedBy::Email => None,
    }?;
    let v = raw.trim().to_lowercase();
    (!v.is_empty()).then_some(v)
}

/// A lookup's result before one-to-one is enforced.
enum Lookup {
    Claim(String, MatchedBy),
    Fail(Reason),
}

fn classify(
    s: &SourceUser,
    cur: &MappingState,
    unit: &UnitState,
    settings: &PresenceSettings,
) -> Class {
    if cur.status == MappingStatus::Excluded || cur.is_manual() {
        return Class::Untouched;
    }
    if !s.can_map(settings.missing_permissions_granted) {
        return Class::Skip(Reason::NoPermission);
    }
    if !s.is_active() {
        return Class::Skip(Reason::Inactive);
    }
    if cur.is_auto() {
        return match cur.linked() {
            Some(ext) if unit.external(ext).is_some() => Class::Keep,
            _ => Class::Candidate { gone: true },
        };
    }
    let gone = cur.status == MappingStatus::Unmapped && cur.reason == Some(Reason::ExternalGone);
    Class::Candidate { gone }
}

/// One pass over `unit`. `retried`: in the retry pass, the users of the first pass's retry
/// request (their results get `attempts` = 2).
pub(crate) fn run_pass(
    unit: &UnitState,
    settings: &PresenceSettings,
    retried: Option<&BTreeSet<String>>,
) -> PassResult {
    let mut targets = BTreeMap::new();
    let mut warnings = Vec::new();
    let mut classes: BTreeMap<&str, (Class, MappingState)> = BTreeMap::new();
    for s in &unit.sources {
        let cur = unit.state_of(&s.id);
        classes.insert(s.id.as_str(), (classify(s, &cur, unit, settings), cur));
    }

    // Accounts that stay linked whatever this pass does: manual and kept auto links, and the
    // links of users who are not in the loaded list (Auto Sync cannot judge them).
    let mut held: BTreeMap<&str, &str> = BTreeMap::new();
    for m in unit.mappings.values() {
        let Some(ext) = m
            .external_id
            .as_deref()
            .filter(|_| m.status == MappingStatus::Mapped)
        else {
            continue;
        };
        let stays = match classes.get(m.user_id.as_str()) {
            None => true,
            Some((Class::Untouched | Class::Keep, _)) => true,
            Some(_) => false,
        };
        if stays {
            held.insert(ext, m.user_id.as_str());
        }
    }

    // Email keys of every loaded user and account. The look-alike indexes hold both whole
    // sides (not only this pass's candidates), so that mapping a user cannot change what
    // the next run flags: Auto Sync run twice gives the same state.
    let candidates: Vec<&SourceUser> = unit
        .sources
        .iter()
        .filter(|s| {
            matches!(
                classes.get(s.id.as_str()),
                Some((Class::Candidate { .. }, _))
            )
        })
        .collect();
    let src_keys: BTreeMap<&str, KeyOf> = unit
        .sources
        .iter()
        .map(|s| (s.id.as_str(), key_of(s.email.as_deref(), settings)))
        .collect();
    let ext_keys: BTreeMap<&str, KeyOf> = unit
        .directory
        .iter()
        .map(|e| (e.id.as_str(), key_of(e.email.as_deref(), settings)))
        .collect();
    let ext_index = ConfusableIndex::new(ext_keys.values().filter_map(KeyOf::valid));
    let src_index = ConfusableIndex::new(src_keys.values().filter_map(KeyOf::valid));
    // An external address that is confusable on its own, or looks like a candidate's address
    // with a different key, is never matched, by any key.
    let ext_confusable: BTreeSet<&str> = ext_keys
        .iter()
        .filter(|(_, k)| {
            k.valid()
                .is_some_and(|k| k.confusable.is_some() || src_index.conflict(k).is_some())
        })
        .map(|(id, _)| *id)
        .collect();
    let matchable = |e: &ExternalUser| e.is_active() && !ext_confusable.contains(e.id.as_str());

    // Inactive accounts are not matchable: they are left out of every lookup index.
    let mut by_email: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in unit.directory.iter().filter(|e| e.is_active()) {
        if let Some(k) = ext_keys.get(e.id.as_str()).and_then(KeyOf::valid) {
            by_email
                .entry(k.key.as_str())
                .or_default()
                .push(e.id.as_str());
        }
    }
    let fallbacks = settings.fallbacks();
    let mut by_fallback: BTreeMap<(MatchedBy, String), Vec<&str>> = BTreeMap::new();
    for e in unit.directory.iter().filter(|e| matchable(e)) {
        for kind in &fallbacks {
            if let Some(v) = fallback_value(*kind, e.user_name.as_deref(), e.employee_id.as_deref())
            {
                by_fallback
                    .entry((*kind, v))
                    .or_default()
                    .push(e.id.as_str());
            }
        }
    }
    // Duplicates are counted among the users being matched: an inactive or excluded user
    // sharing an address (a re-hired person's old account) does not block the active one.
    let mut key_users: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &candidates {
        if let Some(k) = src_keys.get(s.id.as_str()).and_then(KeyOf::valid) {
            *key_users.entry(k.key.as_str()).or_default() += 1;
        }
    }

    // Lookups.
    let mut lookups: BTreeMap<&str, Lookup> = BTreeMap::new();
    let mut retry = BTreeSet::new();
    for s in &candidates {
        let key = src_keys.get(s.id.as_str()).unwrap_or(&KeyOf::Missing);
        let mut result = match key {
            KeyOf::Missing => Lookup::Fail(Reason::NoMatch),
            KeyOf::Invalid => Lookup::Fail(Reason::InvalidEmail),
            KeyOf::Valid(k) if k.confusable.is_some() || ext_index.conflict(k).is_some() => {
                Lookup::Fail(Reason::Confusable)
            }
            KeyOf::Valid(k) if key_users.get(k.key.as_str()).copied().unwrap_or(0) > 1 => {
                Lookup::Fail(Reason::DuplicateSourceEmail)
            }
            KeyOf::Valid(k) => {
                let found = by_email
                    .get(k.key.as_str())
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                match found {
                    [] => Lookup::Fail(Reason::NoMatch),
                    f if f.iter().any(|id| ext_confusable.contains(id)) => {
                        Lookup::Fail(Reason::Confusable)
                    }
                    [one] => Lookup::Claim((*one).to_string(), MatchedBy::Email),
                    _ => Lookup::Fail(Reason::MultipleMatches),
                }
            }
        };
        // Fallback keys only when the email found nothing (or there is no email at all);
        // never for invalid or confusable addresses, which need an admin.
        if matches!(result, Lookup::Fail(Reason::NoMatch)) {
            for kind in &fallbacks {
                let Some(v) =
                    fallback_value(*kind, s.user_name.as_deref(), s.employee_id.as_deref())
                else {
                    continue;
                };
                match by_fallback
                    .get(&(*kind, v))
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    [] => continue,
                    [one] => result = Lookup::Claim((*one).to_string(), *kind),
                    _ => result = Lookup::Fail(Reason::MultipleMatches),
                }
                break;
            }
        }
        if matches!(
            result,
            Lookup::Fail(Reason::NoMatch | Reason::MultipleMatches)
        ) {
            retry.insert(s.id.clone());
        }
        lookups.insert(s.id.as_str(), result);
    }

    // One-to-one: an account held by someone else is taken; an account claimed by several
    // users goes to the single claimant of the strongest key (email, then the fallback keys
    // in order); a tie leaves all claimants `external_taken`.
    let rank = |k: MatchedBy| match k {
        MatchedBy::Email => 0,
        other => {
            1 + fallbacks
                .iter()
                .position(|f| *f == other)
                .unwrap_or(fallbacks.len())
        }
    };
    let mut claims: BTreeMap<&str, Vec<(&str, usize)>> = BTreeMap::new();
    for (user, l) in &lookups {
        if let Lookup::Claim(ext, kind) = l {
            if !held.contains_key(ext.as_str()) {
                claims
                    .entry(ext.as_str())
                    .or_default()
                    .push((user, rank(*kind)));
            }
        }
    }
    let mut winners: BTreeSet<&str> = BTreeSet::new();
    for list in claims.values() {
        let best = list.iter().map(|(_, r)| *r).min().unwrap_or(0);
        let top: Vec<&str> = list
            .iter()
            .filter(|(_, r)| *r == best)
            .map(|(u, _)| *u)
            .collect();
        if let [only] = top.as_slice() {
            winners.insert(only);
        }
    }

    // In the retry pass, a user looked up twice has `attempts` = 2: the first pass's retry
    // candidates, and users whose lookup fails only now (the refreshed directory added a
    // second account), so that the next run, which retries them, finds nothing to change.
    let is_retried = |id: &str| retried.is_some_and(|r| r.contains(id) || retry.contains(id));
    for s in &unit.sources {
        let Some((class, cur)) = classes.get(s.id.as_str()) else {
            continue;
        };
        let target = match class {
            Class::Untouched => cur.clone(),
            Class::Keep => {
                let src_key = src_keys.get(s.id.as_str()).and_then(KeyOf::valid);
                if let Some(w) = drift_warning(s, cur, src_key, unit, settings) {
                    warnings.push(w);
                }
                cur.clone()
            }
            Class::Skip(r) => MappingState::not_mapped(MappingStatus::Skipped, Some(*r), 0),
            Class::Candidate { gone } => {
                let attempts = if is_retried(&s.id) { 2 } else { 1 };
                let mut t = match lookups.get(s.id.as_str()) {
                    Some(Lookup::Claim(ext, kind)) if winners.contains(s.id.as_str()) => {
                        MappingState {
                            status: MappingStatus::Mapped,
                            method: Some(Method::Auto),
                            external_id: Some(ext.clone()),
                            reason: None,
                            matched_by: Some(*kind),
                            attempts,
                            email_key: src_keys
                                .get(s.id.as_str())
                                .and_then(KeyOf::valid)
                                .map(|k| k.key.clone()),
                        }
                    }
                    Some(Lookup::Claim(..)) => MappingState::not_mapped(
                        MappingStatus::Unmapped,
                        Some(Reason::ExternalTaken),
                        attempts,
                    ),
                    Some(Lookup::Fail(Reason::NoMatch)) if *gone => MappingState::not_mapped(
                        MappingStatus::Unmapped,
                        Some(Reason::ExternalGone),
                        attempts,
                    ),
                    Some(Lookup::Fail(r)) => {
                        MappingState::not_mapped(MappingStatus::Unmapped, Some(*r), attempts)
                    }
                    None => MappingState::not_mapped(
                        MappingStatus::Unmapped,
                        Some(Reason::NoMatch),
                        attempts,
                    ),
                };
                // The same result as now keeps its attempt count (a first pass never lowers
                // a 2 to 1), except that a retried user's count becomes 2.
                let same = MappingState {
                    attempts: cur.attempts,
                    ..t.clone()
                } == *cur;
                if same && !is_retried(&s.id) {
                    t.attempts = cur.attempts;
                }
                t
            }
        };
        targets.insert(s.id.clone(), target);
    }
    PassResult {
        targets,
        retry,
        warnings,
    }
}

/// `email_drift` when an auto mapping's user changed email since the link, or (for an email
/// link) the two sides' emails no longer match. The link is kept either way.
fn drift_warning(
    s: &SourceUser,
    cur: &MappingState,
    src_key: Option<&EmailKey>,
    unit: &UnitState,
    settings: &PresenceSettings,
) -> Option<PlanWarning> {
    let ext_id = cur.linked()?;
    let src_key = src_key.map(|k| k.key.clone());
    let ext_key = unit.external(ext_id).and_then(|e| {
        key_of(e.email.as_deref(), settings)
            .valid()
            .map(|k| k.key.clone())
    });
    let user_changed = cur.email_key.is_some() && src_key != cur.email_key;
    let sides_differ = cur.matched_by == Some(MatchedBy::Email) && src_key != ext_key;
    if !user_changed && !sides_differ {
        return None;
    }
    let show = |k: &Option<String>| k.clone().unwrap_or_else(|| "(none)".to_string());
    Some(PlanWarning {
        user_id: s.id.clone(),
        code: "email_drift".to_string(),
        message: format!(
            "user {} is linked to {} by id, but the emails differ now (user: {}, account: {}, at link time: {}); the link is kept",
            s.id,
            ext_id,
            show(&src_key),
            show(&ext_key),
            show(&cur.email_key)
        ),
    })
}
