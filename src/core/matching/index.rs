//! The cross-side look-alike check for millions of keys: does the other side hold
//! an address with the same UTS #39 skeleton, or the same NFKC form, whose key differs? Same
//! answers as `email_key::ConfusableIndex`, with buckets keyed by a 64-bit skeleton hash
//! instead of owned strings. Every bucket holds keys of one exact skeleton (checked when a
//! second distinct key arrives; a hash collision rebuilds the index on exact strings), so a
//! hash hit is confirmed by comparing skeletons only on the rare look-alike path.

use super::keys::{skeleton_of, Keyed};
use foldhash::fast::FixedState;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// No record / no key id.
pub(crate) const NONE: u32 = u32::MAX;

pub(crate) type Map<K, V> = HashMap<K, V, FixedState>;

pub(crate) fn map_with<K: Hash + Eq, V>(n: usize) -> Map<K, V> {
    let mut m = HashMap::with_hasher(FixedState::default());
    // Refused growth only costs speed: the map grows as it goes.
    let _ = m.try_reserve(n);
    m
}

/// A hasher for keys that are (or carry) a 64-bit hash already: it takes that hash as is.
#[derive(Default, Clone, Copy)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is meant; anything else is folded in, never dropped.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 ^= n;
    }
}

pub(crate) type PassMap<K, V> = HashMap<K, V, BuildHasherDefault<PassThrough>>;

pub(crate) fn pass_map_with<K: Hash + Eq, V>(n: usize) -> PassMap<K, V> {
    let mut m = HashMap::with_hasher(BuildHasherDefault::default());
    let _ = m.try_reserve(n);
    m
}

/// Up to two distinct keys (indices into the side's keys) of one bucket.
type Slot = (u32, u32);

/// One side's keys, indexed for the other side's questions.
pub(crate) struct SideIndex<'k, 'a> {
    keys: &'k [Keyed<'a>],
    /// Each key's interned id (equal ids: equal keys), so keys compare as integers.
    ids: &'k [u32],
    by_hash: Map<u64, Slot>,
    /// Used instead of `by_hash` after a hash collision (never seen in practice).
    by_skeleton: Option<Map<String, Slot>>,
    /// Keys whose NFKC form differs from the key (only non-ASCII local parts), by NFKC form.
    nfkc_differs: Map<&'k str, Slot>,
    /// Every key, when the other side has keys whose NFKC form differs from the key.
    all: Option<HashSet<&'k str, FixedState>>,
}

/// The interned id of record `i`'s key (`NONE` without a valid key).
fn id_at(ids: &[u32], i: u32) -> u32 {
    ids.get(i as usize).copied().unwrap_or(NONE)
}

fn nfkc_of<'k>(k: &'k Keyed<'_>) -> Option<&'k str> {
    match k {
        Keyed::Valid {
            unusual: Some(u), ..
        } => Some(u.nfkc.as_str()),
        Keyed::Valid { key, .. } => Some(key),
        _ => None,
    }
}

fn nfkc_differs(k: &Keyed<'_>) -> bool {
    matches!(k, Keyed::Valid { key, unusual: Some(u), .. } if u.nfkc != **key)
}

/// Adds key `i` to a slot (kept only while the slot has room). Returns the slot's first key
/// when `i` is a key the slot did not hold, so the caller can check they share a skeleton.
#[inline(never)]
fn add<K: Hash + Eq>(map: &mut Map<K, Slot>, form: K, i: u32, ids: &[u32]) -> Option<u32> {
    let slot = map.entry(form).or_insert((i, NONE));
    let key = id_at(ids, i);
    let held = |j: u32| j != NONE && (j == i || id_at(ids, j) == key);
    if held(slot.0) || held(slot.1) {
        return None;
    }
    if slot.1 == NONE {
        slot.1 = i;
    }
    Some(slot.0)
}

impl<'k, 'a> SideIndex<'k, 'a> {
    /// Indexes `keys`; `other_has_nfkc_differs`: the other side has keys whose NFKC form
    /// differs from the key (then every key of this side is kept in a set for them).
    pub fn new(keys: &'k [Keyed<'a>], ids: &'k [u32], other_has_nfkc_differs: bool) -> Self {
        let mut by_hash: Map<u64, Slot> = map_with(keys.len());
        let mut collided = false;
        let mut buf = String::new();
        let mut buf2 = String::new();
        for (i, k) in keys.iter().enumerate() {
            let Keyed::Valid { skel, .. } = k else {
                continue;
            };
            let i = i as u32;
            if let Some(first) = add(&mut by_hash, *skel, i, ids) {
                // A second distinct key in a bucket: a real look-alike, or a hash collision.
                let a = keys
                    .get(first as usize)
                    .and_then(|f| skeleton_of(f, &mut buf));
                let b = skeleton_of(k, &mut buf2);
                collided |= a != b;
            }
        }
        let by_skeleton = collided.then(|| {
            let mut m: Map<String, Slot> = map_with(keys.len());
            for (i, k) in keys.iter().enumerate() {
                if let Some(s) = skeleton_of(k, &mut buf) {
                    add(&mut m, s, i as u32, ids);
                }
            }
            m
        });
        let mut nfkc: Map<&'k str, Slot> = map_with(0);
        for (i, k) in keys.iter().enumerate().filter(|(_, k)| nfkc_differs(k)) {
            if let Some(form) = nfkc_of(k) {
                add(&mut nfkc, form, i as u32, ids);
            }
        }
        let all = other_has_nfkc_differs.then(|| {
            keys.iter()
                .filter_map(Keyed::key)
                .collect::<HashSet<_, FixedState>>()
        });
        SideIndex {
            keys,
            ids,
            by_hash,
            by_skeleton,
            nfkc_differs: nfkc,
            all,
        }
    }

    pub fn has_nfkc_differs(keys: &[Keyed<'_>]) -> bool {
        keys.iter().any(nfkc_differs)
    }

    /// A key of this side that differs from the key with id `k` in a slot.
    fn other(&self, slot: &Slot, k: u32) -> Option<u32> {
        [slot.0, slot.1].into_iter().find(|&i| {
            let o = id_at(self.ids, i);
            i != NONE && o != NONE && o != k
        })
    }

    /// Whether `k` (of the other side) looks like a key of this side that differs from it.
    #[inline(never)]
    pub fn conflict(&self, k: &Keyed<'_>, key: u32) -> bool {
        let Keyed::Valid { skel, .. } = k else {
            return false;
        };
        if let Some(form) = nfkc_of(k) {
            if !self.nfkc_differs.is_empty()
                && self
                    .nfkc_differs
                    .get(form)
                    .is_some_and(|s| self.other(s, key).is_some())
            {
                return true;
            }
            if nfkc_differs(k) && self.all.as_ref().is_some_and(|all| all.contains(form)) {
                return true;
            }
        }
        let mut buf = String::new();
        if let Some(exact) = &self.by_skeleton {
            let Some(s) = skeleton_of(k, &mut buf) else {
                return false;
            };
            return exact
                .get(&s)
                .is_some_and(|slot| self.other(slot, key).is_some());
        }
        let Some(slot) = self.by_hash.get(skel) else {
            return false;
        };
        let Some(o) = self.other(slot, key) else {
            return false;
        };
        // The bucket's keys share one skeleton; confirm it is `k`'s (not a hash collision).
        let mine = skeleton_of(k, &mut buf);
        let mut buf2 = String::new();
        let theirs = self
            .keys
            .get(o as usize)
            .and_then(|t| skeleton_of(t, &mut buf2));
        mine.is_some() && mine == theirs
    }
}

/// Side numbers of [`SharedIndex`].
pub(crate) const SOURCE: usize = 0;
pub(crate) const EXTERNAL: usize = 1;

/// The look-alike check for both sides at once, by key id: one bucket per skeleton, found
/// once per distinct key (not per record, and not once per side), holding up to two distinct
/// key ids of each side. Usable when no key's NFKC form differs from it (always so for ASCII
/// directories) and no two distinct skeletons share a hash (every key joining a bucket is
/// checked); otherwise the caller uses a [`SideIndex`] per side.
pub(crate) struct SharedIndex {
    /// Each key id's bucket.
    bucket_of: Vec<u32>,
    /// Per bucket, per side: up to two distinct key ids.
    buckets: Vec<[Slot; 2]>,
}

impl SharedIndex {
    /// `None` when a hash collision was found (never seen in practice).
    pub fn new(
        src: (&[Keyed<'_>], &[u32]),
        ext: (&[Keyed<'_>], &[u32]),
        n_keys: usize,
    ) -> Option<Self> {
        let mut bucket_of: Vec<u32> = vec![NONE; n_keys];
        // Skeleton hashes are foldhash outputs: taken as they are.
        let mut by_hash: PassMap<u64, u32> = pass_map_with(n_keys);
        let mut buckets: Vec<[Slot; 2]> = Vec::new();
        let _ = buckets.try_reserve(n_keys);
        // A key of each bucket (side, record), to compare skeletons with.
        let mut reps: Vec<(usize, u32)> = Vec::new();
        let _ = reps.try_reserve(n_keys);
        let sides = [src, ext];
        let (mut buf, mut buf2) = (String::new(), String::new());
        for (side, (keys, ids)) in sides.iter().enumerate() {
            for (i, (k, &id)) in keys.iter().zip(ids.iter()).enumerate() {
                let Keyed::Valid { skel, .. } = k else {
                    continue;
                };
                let seen = bucket_of.get(id as usize).copied()?;
                let b = if seen != NONE {
                    seen
                } else {
                    let next = buckets.len() as u32;
                    let b = *by_hash.entry(*skel).or_insert(next);
                    if b == next {
                        buckets.push([(NONE, NONE); 2]);
                        reps.push((side, i as u32));
                    } else {
                        // A second distinct key in a bucket: a real look-alike, or a collision.
                        let &(rs, ri) = reps.get(b as usize)?;
                        let rep = sides.get(rs)?.0.get(ri as usize)?;
                        if skeleton_of(rep, &mut buf) != skeleton_of(k, &mut buf2) {
                            return None;
                        }
                    }
                    *bucket_of.get_mut(id as usize)? = b;
                    b
                };
                let slot = buckets.get_mut(b as usize)?.get_mut(side)?;
                if slot.0 != id && slot.1 != id {
                    if slot.0 == NONE {
                        slot.0 = id;
                    } else if slot.1 == NONE {
                        slot.1 = id;
                    }
                }
            }
        }
        Some(SharedIndex { bucket_of, buckets })
    }

    /// Whether `side` holds a key with the skeleton of key `id` that is not that key.
    #[inline]
    pub fn conflict(&self, id: u32, side: usize) -> bool {
        let Some(&b) = self.bucket_of.get(id as usize) else {
            return false;
        };
        self.buckets
            .get(b as usize)
            .and_then(|s| s.get(side))
            .is_some_and(|s| (s.0 != NONE && s.0 != id) || (s.1 != NONE && s.1 != id))
    }
}
