//! One Auto Sync lookup pass over two sides held as slices: who is looked up, the email and
//! fallback lookups, the look-alike checks, and one-to-one. Auto Sync (`mapping::matching`)
//! and bulk matching both call [`decide`]; what differs between them (which users are
//! candidates, which accounts stay linked whatever happens) comes in as flags.
//!
//! Every per-key table is a vector indexed by an interned key id (each distinct key of both
//! sides gets one), so keys compare as integers and no decision depends on input order.

use super::index::{map_with, Map, SharedIndex, SideIndex, EXTERNAL, NONE, SOURCE};
use super::intern::intern;
use super::keys::Keyed;
use crate::core::mapping::{MatchedBy, Reason};

/// The fields fallback keys read, on either side.
pub(crate) trait Fallbacks {
    fn user_name(&self) -> Option<&str>;
    fn employee_id(&self) -> Option<&str>;
}

/// The value a fallback key compares: trimmed, lower-cased, non-empty.
pub(crate) fn fallback_value(kind: MatchedBy, p: &impl Fallbacks) -> Option<String> {
    let raw = match kind {
        MatchedBy::UserName => p.user_name(),
        MatchedBy::EmployeeId => p.employee_id(),
        MatchedBy::Email => None,
    }?;
    let v = raw.trim().to_lowercase();
    (!v.is_empty()).then_some(v)
}

/// One side of a pass: its records, their keys (same order), and a flag per record (source:
/// is a candidate; external: is active).
pub(crate) struct Side<'x, 'a, P> {
    pub people: &'x [P],
    pub keys: &'x [Keyed<'a>],
    pub flags: &'x [bool],
}

/// What a pass needs beyond the two sides.
pub(crate) struct Rules<'x> {
    /// Fallback keys in precedence order, without `email` or repeats.
    pub fallbacks: &'x [MatchedBy],
    /// Per external record: linked to someone whatever this pass does (a manual link, a
    /// kept auto link), so no candidate can claim it. Empty: none is.
    pub held: &'x [bool],
}

/// A candidate's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decided {
    /// Mapped to external record `ext` by key `by`.
    Mapped {
        ext: u32,
        by: MatchedBy,
    },
    Unmapped(Reason),
}

impl Decided {
    /// Whether the retry pass looks this user up again (nothing found, or too much).
    pub fn retried(&self) -> bool {
        matches!(
            self,
            Decided::Unmapped(Reason::NoMatch | Reason::MultipleMatches)
        )
    }
}

/// A lookup's result before one-to-one is enforced.
enum Lookup {
    Claim(u32, MatchedBy),
    Fail(Reason),
}

/// Accounts found under one key: the first, how many, and whether one is look-alike.
#[derive(Clone, Copy)]
struct Found {
    first: u32,
    count: u32,
    confusable: bool,
}

/// The external side's look-alike index: shared by key id, or per side (see `SharedIndex`).
enum Looks<'k, 'a> {
    Shared(SharedIndex),
    Side(SideIndex<'k, 'a>),
}

impl Looks<'_, '_> {
    /// Whether CXone key `k` (id `id`) looks like a different key of the external side.
    fn conflict(&self, k: &Keyed<'_>, id: u32) -> bool {
        match self {
            Looks::Shared(s) => s.conflict(id, EXTERNAL),
            Looks::Side(x) => x.conflict(k, id),
        }
    }
}

/// The pass: per source record, `None` when it is not a candidate, else its result.
///
/// The rules, in order: a missing email finds nothing, an invalid one is `invalid_email`; an
/// address confusable on its own or looking like a different address of the other side is
/// `confusable`; a key two candidates share is `duplicate_source_email`; else the active
/// accounts under the key decide (none, one, several; any look-alike among them makes it
/// `confusable`). Fallback keys are tried, in order, only when the email found nothing. An
/// account claimed by several users goes to the single claimant of the strongest key (email,
/// then fallbacks in order); a tie, or a held account, leaves them `external_taken`.
pub(crate) fn decide<S: Fallbacks, E: Fallbacks>(
    src: &Side<'_, '_, S>,
    ext: &Side<'_, '_, E>,
    rules: &Rules<'_>,
) -> Vec<Option<Decided>> {
    let (src_ids, ext_ids, n_keys) = intern(src.keys, ext.keys);

    // Look-alike indexes hold both whole sides, not only candidates and active accounts,
    // so that mapping a user cannot change what the next run flags.
    let src_nfkc = SideIndex::has_nfkc_differs(src.keys);
    let ext_nfkc = SideIndex::has_nfkc_differs(ext.keys);
    let shared = if src_nfkc || ext_nfkc {
        None
    } else {
        SharedIndex::new((src.keys, &src_ids), (ext.keys, &ext_ids), n_keys)
    };
    let ext_index = match shared {
        Some(s) => Looks::Shared(s),
        None => Looks::Side(SideIndex::new(ext.keys, &ext_ids, src_nfkc)),
    };
    // An external address confusable on its own, or looking like a different address of the
    // other side, is never matched, by any key.
    let ext_confusable: Vec<bool> = {
        let src_index = match &ext_index {
            Looks::Shared(_) => None,
            Looks::Side(_) => Some(SideIndex::new(src.keys, &src_ids, ext_nfkc)),
        };
        ext.keys
            .iter()
            .zip(&ext_ids)
            .map(|(k, id)| {
                matches!(k, Keyed::Valid { confusable, .. } if *confusable || match (&ext_index, &src_index) {
                    (Looks::Shared(s), _) => s.conflict(*id, SOURCE),
                    (_, Some(x)) => x.conflict(k, *id),
                    _ => false,
                })
            })
            .collect()
    };
    let active = |j: usize| ext.flags.get(j).copied().unwrap_or(false);
    let matchable = |j: usize| active(j) && !ext_confusable.get(j).copied().unwrap_or(true);

    // Active accounts under each key (`count` 0: none). Inactive ones are in no lookup.
    let mut by_email: Vec<Found> = vec![
        Found {
            first: 0,
            count: 0,
            confusable: false,
        };
        n_keys
    ];
    for (j, id) in ext_ids.iter().enumerate().filter(|(j, _)| active(*j)) {
        let conf = ext_confusable.get(j).copied().unwrap_or(false);
        if let Some(f) = by_email.get_mut(*id as usize) {
            if f.count == 0 {
                *f = Found {
                    first: j as u32,
                    count: 1,
                    confusable: conf,
                };
            } else {
                f.count = f.count.saturating_add(1);
                f.confusable |= conf;
            }
        }
    }
    let mut by_fallback: Map<(MatchedBy, String), Found> = map_with(0);
    if !rules.fallbacks.is_empty() {
        for (j, e) in ext.people.iter().enumerate().filter(|(j, _)| matchable(*j)) {
            for kind in rules.fallbacks {
                if let Some(v) = fallback_value(*kind, e) {
                    by_fallback
                        .entry((*kind, v))
                        .and_modify(|f| f.count = f.count.saturating_add(1))
                        .or_insert(Found {
                            first: j as u32,
                            count: 1,
                            confusable: false,
                        });
                }
            }
        }
    }
    // Duplicates are counted among candidates: an inactive or excluded user sharing an
    // address (a re-hired person's old account) does not block the active one.
    let mut key_users: Vec<u32> = vec![0; n_keys];
    for (id, _) in src_ids.iter().zip(src.flags).filter(|(_, c)| **c) {
        if let Some(n) = key_users.get_mut(*id as usize) {
            *n = n.saturating_add(1);
        }
    }

    let tables = Tables {
        ext_index: &ext_index,
        key_users: &key_users,
        by_email: &by_email,
        by_fallback: &by_fallback,
        fallbacks: rules.fallbacks,
    };
    let lookups: Vec<Option<Lookup>> = src
        .people
        .iter()
        .zip(src.keys)
        .zip(src.flags)
        .enumerate()
        .map(|(i, ((s, k), c))| {
            c.then(|| lookup(s, k, src_ids.get(i).copied().unwrap_or(NONE), &tables))
        })
        .collect();
    drop(key_users);
    drop(by_email);
    drop(by_fallback);
    drop(ext_index);
    drop(src_ids);
    drop(ext_ids);
    one_to_one(lookups, ext.people.len(), rules)
}

/// Per account, the strongest rank claiming it and how many claim at that rank; the single
/// claimant of the best rank of an account nobody holds wins.
fn one_to_one(
    lookups: Vec<Option<Lookup>>,
    n_ext: usize,
    rules: &Rules<'_>,
) -> Vec<Option<Decided>> {
    let rank = |k: MatchedBy| -> u8 {
        match k {
            MatchedBy::Email => 0,
            other => {
                let p = rules.fallbacks.iter().position(|f| *f == other);
                1u8.saturating_add(p.unwrap_or(rules.fallbacks.len()) as u8)
            }
        }
    };
    let held = |j: u32| rules.held.get(j as usize).copied().unwrap_or(false);
    let mut best: Vec<(u8, u8)> = vec![(u8::MAX, 0); n_ext];
    for l in lookups.iter().flatten() {
        if let Lookup::Claim(j, kind) = l {
            if held(*j) {
                continue;
            }
            if let Some(b) = best.get_mut(*j as usize) {
                let r = rank(*kind);
                if r < b.0 {
                    *b = (r, 1);
                } else if r == b.0 {
                    b.1 = b.1.saturating_add(1);
                }
            }
        }
    }
    lookups
        .into_iter()
        .map(|l| {
            l.map(|l| match l {
                Lookup::Claim(j, kind) => {
                    let won = !held(j)
                        && best
                            .get(j as usize)
                            .is_some_and(|b| b.0 == rank(kind) && b.1 == 1);
                    if won {
                        Decided::Mapped { ext: j, by: kind }
                    } else {
                        Decided::Unmapped(Reason::ExternalTaken)
                    }
                }
                Lookup::Fail(r) => Decided::Unmapped(r),
            })
        })
        .collect()
}

/// The per-key tables a lookup reads.
struct Tables<'t, 'k, 'a> {
    ext_index: &'t Looks<'k, 'a>,
    key_users: &'t [u32],
    by_email: &'t [Found],
    by_fallback: &'t Map<(MatchedBy, String), Found>,
    fallbacks: &'t [MatchedBy],
}

#[inline(never)]
fn lookup(s: &impl Fallbacks, k: &Keyed<'_>, id: u32, t: &Tables<'_, '_, '_>) -> Lookup {
    let mut result = match k {
        Keyed::Missing => Lookup::Fail(Reason::NoMatch),
        Keyed::Invalid => Lookup::Fail(Reason::InvalidEmail),
        Keyed::Valid {
            confusable: true, ..
        } => Lookup::Fail(Reason::Confusable),
        Keyed::Valid { .. } => {
            if t.ext_index.conflict(k, id) {
                Lookup::Fail(Reason::Confusable)
            } else if t.key_users.get(id as usize).copied().unwrap_or(0) > 1 {
                Lookup::Fail(Reason::DuplicateSourceEmail)
            } else {
                match t.by_email.get(id as usize).filter(|f| f.count > 0) {
                    None => Lookup::Fail(Reason::NoMatch),
                    Some(f) if f.confusable => Lookup::Fail(Reason::Confusable),
                    Some(f) if f.count == 1 => Lookup::Claim(f.first, MatchedBy::Email),
                    Some(_) => Lookup::Fail(Reason::MultipleMatches),
                }
            }
        }
    };
    // Fallback keys only when the email found nothing (or there is no email at all);
    // never for invalid or confusable addresses, which need an admin.
    if matches!(result, Lookup::Fail(Reason::NoMatch)) {
        for kind in t.fallbacks {
            let Some(v) = fallback_value(*kind, s) else {
                continue;
            };
            match t.by_fallback.get(&(*kind, v)) {
                None => continue,
                Some(f) if f.count == 1 => result = Lookup::Claim(f.first, *kind),
                Some(_) => result = Lookup::Fail(Reason::MultipleMatches),
            }
            break;
        }
    }
    result
}
