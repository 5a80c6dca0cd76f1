//! One Auto Sync pass over a unit: who is skipped, kept, left alone or looked up, and, from
//! the matching kernel's lookups, the state Auto Sync wants for every loaded CXone user.
//! Pure: reads one unit, returns targets; `auto_sync` turns them into a plan.
//!
//! Everything is keyed and iterated in id order, and every "first come" decision is replaced
//! by a symmetric rule, so input order never changes the outcome.

use super::model::{MappingState, MappingStatus, MatchedBy, Method, Reason};
use super::plan::PlanWarning;
use super::settings::PresenceSettings;
use super::unit::UnitState;
use crate::core::matching::kernel::{decide, Decided, Fallbacks, Rules, Side};
use crate::core::matching::keys::{key_of, Keyed};
use crate::core::records::{ExternalUser, SourceUser};
use std::borrow::Cow;
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

/// The match key of an address as the kernel makes it (missing when absent or blank).
fn key_str<'a>(raw: Option<&'a str>, settings: &PresenceSettings, buf: &mut Vec<u8>) -> Keyed<'a> {
    key_of(raw.map(Cow::Borrowed).as_ref(), &settings.key, buf)
}

impl Fallbacks for SourceUser {
    fn user_name(&self) -> Option<&str> {
        self.user_name.as_deref()
    }
    fn employee_id(&self) -> Option<&str> {
        self.employee_id.as_deref()
    }
}

impl Fallbacks for ExternalUser {
    fn user_name(&self) -> Option<&str> {
        self.user_name.as_deref()
    }
    fn employee_id(&self) -> Option<&str> {
        self.employee_id.as_deref()
    }
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

    // The kernel decides every candidate, against the whole loaded sides (the look-alike
    // indexes hold both, so that mapping a user cannot change what the next run flags).
    let mut buf = Vec::new();
    let src_keys: Vec<Keyed<'_>> = unit
        .sources
        .iter()
        .map(|s| key_str(s.email.as_deref(), settings, &mut buf))
        .collect();
    let ext_keys: Vec<Keyed<'_>> = unit
        .directory
        .iter()
        .map(|e| key_str(e.email.as_deref(), settings, &mut buf))
        .collect();
    let candidate: Vec<bool> = unit
        .sources
        .iter()
        .map(|s| {
            matches!(
                classes.get(s.id.as_str()),
                Some((Class::Candidate { .. }, _))
            )
        })
        .collect();
    let active: Vec<bool> = unit.directory.iter().map(ExternalUser::is_active).collect();
    let held_flags: Vec<bool> = unit
        .directory
        .iter()
        .map(|e| held.contains_key(e.id.as_str()))
        .collect();
    let fallbacks = settings.fallbacks();
    let decided = decide(
        &Side {
            people: &unit.sources,
            keys: &src_keys,
            flags: &candidate,
        },
        &Side {
            people: &unit.directory,
            keys: &ext_keys,
            flags: &active,
        },
        &Rules {
            fallbacks: &fallbacks,
            held: &held_flags,
        },
    );
    let mut lookups: BTreeMap<&str, Decided> = BTreeMap::new();
    let mut retry = BTreeSet::new();
    for (s, d) in unit.sources.iter().zip(decided) {
        let Some(d) = d else { continue };
        if d.retried() {
            retry.insert(s.id.clone());
        }
        lookups.insert(s.id.as_str(), d);
    }
    let src_key_of: BTreeMap<&str, &Keyed<'_>> = unit
        .sources
        .iter()
        .zip(&src_keys)
        .map(|(s, k)| (s.id.as_str(), k))
        .collect();

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
                let src_key = src_key_of.get(s.id.as_str()).and_then(|k| k.key());
                if let Some(w) = drift_warning(s, cur, src_key, unit, settings) {
                    warnings.push(w);
                }
                cur.clone()
            }
            Class::Skip(r) => MappingState::not_mapped(MappingStatus::Skipped, Some(*r), 0),
            Class::Candidate { gone } => {
                let attempts = if is_retried(&s.id) { 2 } else { 1 };
                let mapped_to = |ext: u32| unit.directory.get(ext as usize).map(|e| e.id.clone());
                let mut t = match lookups.get(s.id.as_str()) {
                    Some(Decided::Mapped { ext, by }) if mapped_to(*ext).is_some() => {
                        MappingState {
                            status: MappingStatus::Mapped,
                            method: Some(Method::Auto),
                            external_id: mapped_to(*ext),
                            reason: None,
                            matched_by: Some(*by),
                            attempts,
                            email_key: src_key_of
                                .get(s.id.as_str())
                                .and_then(|k| k.key())
                                .map(str::to_string),
                        }
                    }
                    Some(Decided::Unmapped(Reason::NoMatch)) if *gone => MappingState::not_mapped(
                        MappingStatus::Unmapped,
                        Some(Reason::ExternalGone),
                        attempts,
                    ),
                    Some(Decided::Unmapped(r)) => {
                        MappingState::not_mapped(MappingStatus::Unmapped, Some(*r), attempts)
                    }
                    Some(Decided::Mapped { .. }) => MappingState::not_mapped(
                        MappingStatus::Unmapped,
                        Some(Reason::ExternalTaken),
                        attempts,
                    ),
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
    src_key: Option<&str>,
    unit: &UnitState,
    settings: &PresenceSettings,
) -> Option<PlanWarning> {
    let ext_id = cur.linked()?;
    let src_key = src_key.map(str::to_string);
    let ext_key = unit.external(ext_id).and_then(|e| {
        key_str(e.email.as_deref(), settings, &mut Vec::new())
            .key()
            .map(str::to_string)
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
