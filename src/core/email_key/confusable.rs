//! Confusable detection (look-alikes never match automatically): the checks on one address
//! (scripts) and the cross-side index (skeleton and NFKC collisions).

use std::collections::HashMap;

use unicode_security::mixed_script::AugmentedScriptSet;
use unicode_security::MixedScript;

use super::EmailKey;

/// Why `s` (a local part or one Unicode domain label) is not single-script, or None.
/// Common and Inherited characters (digits, `.`, `-`, `_`, `+`, combining marks) belong to
/// every script, so they never make a string mixed.
pub(super) fn mixed_scripts(s: &str) -> Option<String> {
    if s.is_single_script() {
        return None;
    }
    let mut seen = AugmentedScriptSet::default();
    for c in s.chars() {
        let own = AugmentedScriptSet::for_char(c);
        if own.is_empty() {
            return Some(format!(
                "has U+{:04X}, a character of no script (unassigned or private use)",
                c as u32
            ));
        }
        let mut next = seen;
        next.intersect_with(own);
        if next.is_empty() {
            return Some(format!(
                "mixes scripts: '{c}' ({own}) after {seen} characters"
            ));
        }
        seen = next;
    }
    Some("mixes scripts".to_string())
}

/// The two smallest distinct keys seen under one skeleton or NFKC form. Two are enough to
/// answer "is there one whose key differs from mine?", and keeping the smallest makes the key
/// named in the message independent of insertion order.
#[derive(Debug, Clone)]
struct Smallest2 {
    first: u32,
    second: Option<u32>,
}

/// An index of the addresses of one side, to flag addresses of the other side that collide
/// with them: same UTS #39 skeleton, or same NFKC form, while the keys differ. An exact key
/// match alone is never a collision; an exact match plus a look-alike is (the admin decides).
///
/// Built once per side (1,000,000 addresses is fine: two hash maps of small entries).
#[derive(Debug, Clone, Default)]
pub struct ConfusableIndex {
    keys: Vec<String>,
    by_skeleton: HashMap<String, Smallest2>,
    by_nfkc: HashMap<String, Smallest2>,
}

impl ConfusableIndex {
    /// Indexes the given keys (one side's addresses; duplicates are fine).
    pub fn new<'a>(keys: impl IntoIterator<Item = &'a EmailKey>) -> Self {
        let mut index = ConfusableIndex::default();
        for k in keys {
            index.insert(k);
        }
        index
    }

    fn insert(&mut self, k: &EmailKey) {
        // Reuse the slot of an identical key already stored under this skeleton.
        let id = match self
            .by_skeleton
            .get(&k.skeleton)
            .and_then(|s| self.find(s, &k.key))
        {
            Some(id) => id,
            None => {
                self.keys.push(k.key.clone());
                // More than u32::MAX addresses cannot be held in memory on wasm32 anyway.
                u32::try_from(self.keys.len() - 1).unwrap_or(u32::MAX)
            }
        };
        let keys = &self.keys;
        for (map, form) in [
            (&mut self.by_skeleton, &k.skeleton),
            (&mut self.by_nfkc, &k.nfkc_key),
        ] {
            match map.get_mut(form) {
                None => {
                    map.insert(
                        form.clone(),
                        Smallest2 {
                            first: id,
                            second: None,
                        },
                    );
                }
                Some(slot) => add(slot, id, keys),
            }
        }
    }

    fn find(&self, slot: &Smallest2, key: &str) -> Option<u32> {
        std::iter::once(slot.first)
            .chain(slot.second)
            .find(|id| self.key(*id) == Some(key))
    }

    fn key(&self, id: u32) -> Option<&str> {
        self.keys.get(id as usize).map(String::as_str)
    }

    /// A key in `slot` that differs from `key`, if any.
    fn other(&self, slot: &Smallest2, key: &str) -> Option<&str> {
        std::iter::once(slot.first)
            .chain(slot.second)
            .filter_map(|id| self.key(id))
            .find(|k| *k != key)
    }

    /// Why `k` collides with an address in this index whose key differs, or None. An exact
    /// key match alone is never a collision.
    pub fn conflict(&self, k: &EmailKey) -> Option<String> {
        if let Some(other) = self
            .by_nfkc
            .get(&k.nfkc_key)
            .and_then(|s| self.other(s, &k.key))
        {
            return Some(format!(
                "'{}' differs from '{other}' on the other side only by compatibility forms (NFKC)",
                k.key
            ));
        }
        let other = self
            .by_skeleton
            .get(&k.skeleton)
            .and_then(|s| self.other(s, &k.key))?;
        Some(format!(
            "'{}' looks like '{other}' on the other side (same UTS #39 skeleton)",
            k.key
        ))
    }
}

/// Adds key `id` to `slot`, keeping the two smallest distinct keys.
fn add(slot: &mut Smallest2, id: u32, keys: &[String]) {
    let get = |i: u32| keys.get(i as usize).map(String::as_str).unwrap_or_default();
    let new = get(id);
    let first = get(slot.first);
    if new == first || slot.second.is_some_and(|s| get(s) == new) {
        return;
    }
    if new < first {
        slot.second = Some(slot.first);
        slot.first = id;
    } else if slot.second.map_or(true, |s| new < get(s)) {
        slot.second = Some(id);
    }
}
