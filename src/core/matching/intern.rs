//! Key ids for millions of keys without a hash table the size of the job. One table over
//! every key costs a cache miss (or two) per record, and a record's probe waits on it; here
//! the keys are first scattered by the top bits of their hash into partitions of about a
//! thousand, in record order, and each partition is interned with a table that stays in
//! the fastest cache. Ids come out exactly as one table gives them: numbered by each key's
//! first record (external records first, then CXone users).

use super::index::NONE;
use super::keys::Keyed;

/// About this many keys per partition (its table: 4 bytes a slot, two slots a key).
const PER_PARTITION: usize = 1024;

/// A valid key on its way to its partition: its hash, bytes and record (external records
/// numbered first, then CXone users).
#[derive(Clone, Copy)]
struct Entry<'k> {
    hash: u64,
    key: &'k str,
    at: u32,
}

/// Interns every valid key of both sides: per side, each record's key id (`NONE` without
/// a valid key), and the number of ids.
#[inline(never)]
pub(crate) fn intern(src: &[Keyed<'_>], ext: &[Keyed<'_>]) -> (Vec<u32>, Vec<u32>, usize) {
    let records = || ext.iter().chain(src.iter());
    let valid = |k: &Keyed<'_>| matches!(k, Keyed::Valid { .. });
    let total = records().filter(|k| valid(k)).count();
    let bits = partition_bits(total);
    let part_of = |hash: u64| {
        if bits == 0 {
            0
        } else {
            (hash >> (64 - bits)) as usize
        }
    };

    // Partition starts (a counting sort by the hash's top bits, stable in record order).
    let mut starts: Vec<usize> = vec![0; (1usize << bits) + 1];
    for k in records() {
        if let Keyed::Valid { hash, .. } = k {
            if let Some(c) = starts.get_mut(part_of(*hash) + 1) {
                *c += 1;
            }
        }
    }
    for i in 1..starts.len() {
        let before = starts.get(i - 1).copied().unwrap_or(0);
        if let Some(c) = starts.get_mut(i) {
            *c += before;
        }
    }
    let mut fill = starts.clone();
    let mut entries: Vec<Entry<'_>> = vec![
        Entry {
            hash: 0,
            key: "",
            at: NONE
        };
        total
    ];
    for (at, k) in records().enumerate() {
        if let Keyed::Valid { hash, key, .. } = k {
            if let Some(f) = fill.get_mut(part_of(*hash)) {
                if let Some(e) = entries.get_mut(*f) {
                    *e = Entry {
                        hash: *hash,
                        key,
                        at: at as u32,
                    };
                }
                *f += 1;
            }
        }
    }
    drop(fill);

    // Per record: the first record with its key (itself when it is the first; NONE
    // without a key). Within a partition entries are in record order, so the first entry
    // of a key is its first record.
    let n = ext.len().saturating_add(src.len());
    let mut first: Vec<u32> = vec![NONE; n];
    let mut table: Vec<u32> = Vec::new();
    for w in starts.windows(2) {
        let (Some(&s), Some(&e)) = (w.first(), w.get(1)) else {
            continue;
        };
        let Some(part) = entries.get(s..e) else {
            continue;
        };
        first_records(part, &mut table, &mut first);
    }
    drop(entries);

    // Ids in order of first records: the numbering one table would give.
    let mut ids: Vec<u32> = vec![NONE; n];
    let mut next = 0u32;
    for at in 0..n {
        let f = first.get(at).copied().unwrap_or(NONE);
        let id = if f == NONE {
            NONE
        } else if f as usize == at {
            next += 1;
            next - 1
        } else {
            ids.get(f as usize).copied().unwrap_or(NONE)
        };
        if let Some(slot) = ids.get_mut(at) {
            *slot = id;
        }
    }
    let src_ids = ids.split_off(ext.len().min(ids.len()));
    (src_ids, ids, next as usize)
}

/// Partition bits for `total` keys: about `PER_PARTITION` keys each, at most 2^16 parts.
fn partition_bits(total: usize) -> u32 {
    let parts = (total / PER_PARTITION).max(1).next_power_of_two();
    parts.trailing_zeros().min(16)
}

/// Interns one partition (entries in record order): sets `first[at]` of each entry.
fn first_records(part: &[Entry<'_>], table: &mut Vec<u32>, first: &mut [u32]) {
    let size = part.len().saturating_mul(2).max(8).next_power_of_two();
    table.clear();
    table.resize(size, NONE);
    let mask = size - 1;
    for (j, e) in part.iter().enumerate() {
        // The low bits: the partition took the top ones.
        let mut i = e.hash as usize & mask;
        let rep = loop {
            match table.get(i).copied() {
                None => break e.at,
                Some(NONE) => {
                    if let Some(t) = table.get_mut(i) {
                        *t = j as u32;
                    }
                    break e.at;
                }
                Some(held) => {
                    if let Some(h) = part.get(held as usize) {
                        if h.hash == e.hash && same_bytes(h.key.as_bytes(), e.key.as_bytes()) {
                            break h.at;
                        }
                    }
                }
            }
            i = (i + 1) & mask;
        };
        if let Some(f) = first.get_mut(e.at as usize) {
            *f = rep;
        }
    }
}

/// Whether two byte strings are equal, 8 bytes at a time and the tail as one zero-padded
/// word (WebAssembly's `memcmp` is a call and a byte loop).
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (ac, bc) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail = |r: &[u8]| {
        let mut w = [0u8; 8];
        for (d, s) in w.iter_mut().zip(r) {
            *d = *s;
        }
        u64::from_ne_bytes(w)
    };
    let (ar, br) = (tail(ac.remainder()), tail(bc.remainder()));
    let word = |c: &[u8]| <[u8; 8]>::try_from(c).map(u64::from_ne_bytes).ok();
    ar == br && ac.zip(bc).all(|(x, y)| word(x) == word(y))
}

#[cfg(test)]
mod tests {
    use super::{intern, partition_bits};
    use crate::core::email_key::KeyOptions;
    use crate::core::matching::keys::{key_of, Keyed};
    use std::borrow::Cow;
    use std::collections::HashMap;

    /// Ids as one map numbers them: by first record, external records first.
    fn by_map(src: &[Keyed<'_>], ext: &[Keyed<'_>]) -> (Vec<u32>, Vec<u32>, usize) {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut side = |keys: &[Keyed<'_>]| -> Vec<u32> {
            keys.iter()
                .map(|k| match k.key() {
                    None => u32::MAX,
                    Some(key) => {
                        let next = ids.len() as u32;
                        *ids.entry(key.to_string()).or_insert(next)
                    }
                })
                .collect()
        };
        let e = side(ext);
        let s = side(src);
        (s, e, ids.len())
    }

    fn keys(raw: &[String]) -> Vec<Keyed<'_>> {
        let mut buf = Vec::new();
        raw.iter()
            .map(|r| {
                key_of(
                    Some(&Cow::Borrowed(r.as_str())),
                    &KeyOptions::default(),
                    &mut buf,
                )
            })
            .collect()
    }

    #[test]
    fn ids_are_numbered_as_one_map_numbers_them() {
        // Enough keys for many partitions; repeats within and across sides, invalid and
        // blank addresses, case differences (same key).
        let ext_raw: Vec<String> = (0..20_000u32)
            .map(|i| match i % 11 {
                0 => String::new(),
                1 => "not an address".to_string(),
                2 => format!("User{}@X.example", i % 977),
                _ => format!("user{}@x.example", (i * 7) % 15_013),
            })
            .collect();
        let src_raw: Vec<String> = (0..17_000u32)
            .map(|i| match i % 5 {
                0 => format!("user{}@x.example", i % 3001),
                1 => format!("only{}@y.example", i % 4001),
                2 => "   ".to_string(),
                _ => format!("USER{}@x.EXAMPLE", (i * 3) % 20_011),
            })
            .collect();
        let (ext, src) = (keys(&ext_raw), keys(&src_raw));
        assert!(partition_bits(30_000) > 3);
        assert_eq!(intern(&src, &ext), by_map(&src, &ext));
        assert_eq!(intern(&[], &[]), (Vec::new(), Vec::new(), 0));
        assert_eq!(intern(&src[..3], &[]), by_map(&src[..3], &[]));
    }
}
