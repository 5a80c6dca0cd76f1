//! The Auto Sync pass of `mapping::matching::run_pass` for a fresh state (no mappings yet),
//! over millions of records: the same rules in the same order, on borrowed keys and hash
//! maps. Every rule is the engine's; the property test in `proptests` holds the two equal.
//!
//! With no mappings, nothing is excluded, manual, kept or held, so each user is skipped
//! (`no_permission`, `inactive`) or looked up. The retry pass against the same directory
//! repeats the first pass (only `attempts` differ), and against a refreshed directory it is
//! one pass over the merged directory; either way one pass gives the final state.

use super::index::{map_with, Map, SharedIndex, SideIndex, EXTERNAL, NONE, SOURCE};
use super::keys::Keyed;
use super::record::Rec;
use crate::core::mapping::{MappingStatus, MatchedBy, Reason};
use std::hash::{Hash, Hasher};

/// One CXone user's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub status: MappingStatus,
    pub reason: Option<Reason>,
    /// Index into the external records, when mapped.
    pub ext: Option<u32>,
    pub matched_by: Option<MatchedBy>,
}

/// What the join needs of the settings.
pub(crate) struct JoinSettings<'s> {
    pub missing_permissions_granted: bool,
    /// Fallback keys in precedence order, without `email` or repeats.
    pub fallbacks: &'s [MatchedBy],
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

/// The value a fallback key compares (the engine's `fallback_value`).
fn fallback_value(kind: MatchedBy, r: &Rec<'_>) -> Option<String> {
    let raw = match kind {
        MatchedBy::UserName => r.extra.as_ref()?.user_name.as_deref(),
        MatchedBy::EmployeeId => r.extra.as_ref()?.employee_id.as_deref(),
        MatchedBy::Email => None,
    }?;
    let v = raw.trim().to_lowercase();
    (!v.is_empty()).then_some(v)
}

pub(crate) fn join(
    src: &[Rec<'_>],
    src_keys: &[Keyed<'_>],
    ext: &[Rec<'_>],
    ext_keys: &[Keyed<'_>],
    settings: &JoinSettings<'_>,
) -> Vec<Outcome> {
    let candidate: Vec<bool> = src
        .iter()
        .map(|s| s.can_map(settings.missing_permissions_granted) && s.active)
        .collect();

    // Every distinct key gets one id, shared by both sides: the per-key state below is
    // then vectors indexed by id, and keys compare as integers (no string compares into
    // the input bytes).
    let (src_ids, ext_ids, n_keys) = intern(src_keys, ext_keys);

    // Look-alike indexes hold both whole sides (as the engine's do).
    let src_nfkc = SideIndex::has_nfkc_differs(src_keys);
    let ext_nfkc = SideIndex::has_nfkc_differs(ext_keys);
    let shared = if src_nfkc || ext_nfkc {
        None
    } else {
        SharedIndex::new((src_keys, &src_ids), (ext_keys, &ext_ids), n_keys)
    };
    let ext_index = match shared {
        Some(s) => Looks::Shared(s),
        None => Looks::Side(SideIndex::new(ext_keys, &ext_ids, src_nfkc)),
    };
    let ext_confusable: Vec<bool> = {
        let src_index = match &ext_index {
            Looks::Shared(_) => None,
            Looks::Side(_) => Some(SideIndex::new(src_keys, &src_ids, ext_nfkc)),
        };
        ext_keys
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
    let matchable = |j: usize| {
        ext.get(j).is_some_and(|e| e.active) && !ext_confusable.get(j).copied().unwrap_or(true)
    };

    // Active accounts under each key (`count` 0: none).
    let mut by_email: Vec<Found> = vec![
        Found {
            first: 0,
            count: 0,
            confusable: false,
        };
        n_keys
    ];
    for (j, (e, id)) in ext.iter().zip(&ext_ids).enumerate() {
        if !e.active {
            continue;
        }
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
    if !settings.fallbacks.is_empty() {
        for (j, e) in ext.iter().enumerate().filter(|(j, _)| matchable(*j)) {
            for kind in settings.fallbacks {
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
    // Candidate CXone users under each key.
    let mut key_users: Vec<u32> = vec![0; n_keys];
    for (id, _) in src_ids.iter().zip(&candidate).filter(|(_, c)| **c) {
        if let Some(n) = key_users.get_mut(*id as usize) {
            *n = n.saturating_add(1);
        }
    }

    let lookups: Vec<Option<Lookup>> = src
        .iter()
        .zip(src_keys)
        .zip(&candidate)
        .enumerate()
        .map(|(i, ((s, k), c))| {
            c.then(|| {
                lookup(
                    s,
                    (k, src_ids.get(i).copied().unwrap_or(NONE)),
                    &ext_index,
                    &key_users,
                    &by_email,
                    &by_fallback,
                    settings,
                )
            })
        })
        .collect();
    drop(key_users);
    drop(by_email);
    drop(by_fallback);
    drop(ext_index);
    drop(src_ids);
    drop(ext_ids);

    // One-to-one: the single claimant of an account with the strongest key wins; a tie
    // leaves every claimant `external_taken`.
    let rank = |k: MatchedBy| -> u8 {
        match k {
            MatchedBy::Email => 0,
            other => {
                let p = settings.fallbacks.iter().position(|f| *f == other);
                1u8.saturating_add(p.unwrap_or(settings.fallbacks.len()) as u8)
            }
        }
    };
    let mut best: Vec<(u8, u8)> = vec![(u8::MAX, 0); ext.len()];
    for l in lookups.iter().flatten() {
        if let Lookup::Claim(j, kind) = l {
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
        .iter()
        .zip(src)
        .map(|(l, s)| match l {
            None => {
                let reason = if s.can_map(settings.missing_permissions_granted) {
                    Reason::Inactive
                } else {
                    Reason::NoPermission
                };
                Outcome {
                    status: MappingStatus::Skipped,
                    reason: Some(reason),
                    ext: None,
                    matched_by: None,
                }
            }
            Some(Lookup::Claim(j, kind)) => {
                let won = best
                    .get(*j as usize)
                    .is_some_and(|b| b.0 == rank(*kind) && b.1 == 1);
                if won {
                    Outcome {
                        status: MappingStatus::Mapped,
                        reason: None,
                        ext: Some(*j),
                        matched_by: Some(*kind),
                    }
                } else {
                    unmapped(Reason::ExternalTaken)
                }
            }
            Some(Lookup::Fail(r)) => unmapped(*r),
        })
        .collect()
}

/// Interns every valid key of both sides: per side, each record's key id (`NONE` without
/// a valid key), and the number of ids.
#[inline(never)]
fn intern(src_keys: &[Keyed<'_>], ext_keys: &[Keyed<'_>]) -> (Vec<u32>, Vec<u32>, usize) {
    let mut ids: Map<KeyStr<'_>, u32> = map_with(ext_keys.len().saturating_add(src_keys.len() / 4));
    let e = intern_side(&mut ids, ext_keys);
    let s = intern_side(&mut ids, src_keys);
    let n = ids.len();
    (s, e, n)
}

fn intern_side<'k>(ids: &mut Map<KeyStr<'k>, u32>, keys: &'k [Keyed<'_>]) -> Vec<u32> {
    keys.iter()
        .map(|k| match k.key() {
            None => NONE,
            Some(key) => {
                let next = ids.len() as u32;
                *ids.entry(KeyStr(key)).or_insert(next)
            }
        })
        .collect()
}

/// A key in the intern map, compared 8 bytes at a time (WebAssembly's `memcmp` goes byte
/// by byte, and was 8% of the profile).
#[derive(Clone, Copy)]
struct KeyStr<'k>(&'k str);

impl Hash for KeyStr<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        h.write(self.0.as_bytes());
    }
}

impl PartialEq for KeyStr<'_> {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let (ac, bc) = (a.chunks_exact(8), b.chunks_exact(8));
        let (ar, br) = (ac.remainder(), bc.remainder());
        let word = |c: &[u8]| <[u8; 8]>::try_from(c).map(u64::from_ne_bytes).ok();
        ac.zip(bc).all(|(x, y)| word(x) == word(y)) && ar == br
    }
}

impl Eq for KeyStr<'_> {}

fn unmapped(r: Reason) -> Outcome {
    Outcome {
        status: MappingStatus::Unmapped,
        reason: Some(r),
        ext: None,
        matched_by: None,
    }
}

#[inline(never)]
fn lookup(
    s: &Rec<'_>,
    (k, id): (&Keyed<'_>, u32),
    ext_index: &Looks<'_, '_>,
    key_users: &[u32],
    by_email: &[Found],
    by_fallback: &Map<(MatchedBy, String), Found>,
    settings: &JoinSettings<'_>,
) -> Lookup {
    let mut result = match k {
        Keyed::Missing => Lookup::Fail(Reason::NoMatch),
        Keyed::Invalid => Lookup::Fail(Reason::InvalidEmail),
        Keyed::Valid {
            confusable: true, ..
        } => Lookup::Fail(Reason::Confusable),
        Keyed::Valid { .. } => {
            if ext_index.conflict(k, id) {
                Lookup::Fail(Reason::Confusable)
            } else if key_users.get(id as usize).copied().unwrap_or(0) > 1 {
                Lookup::Fail(Reason::DuplicateSourceEmail)
            } else {
                match by_email.get(id as usize).filter(|f| f.count > 0) {
                    None => Lookup::Fail(Reason::NoMatch),
                    Some(f) if f.confusable => Lookup::Fail(Reason::Confusable),
                    Some(f) if f.count == 1 => Lookup::Claim(f.first, MatchedBy::Email),
                    Some(_) => Lookup::Fail(Reason::MultipleMatches),
                }
            }
        }
    };
    if matches!(result, Lookup::Fail(Reason::NoMatch)) {
        for kind in settings.fallbacks {
            let Some(v) = fallback_value(*kind, s) else {
                continue;
            };
            match by_fallback.get(&(*kind, v)) {
                None => continue,
                Some(f) if f.count == 1 => result = Lookup::Claim(f.first, *kind),
                Some(_) => result = Lookup::Fail(Reason::MultipleMatches),
            }
            break;
        }
    }
    result
}
