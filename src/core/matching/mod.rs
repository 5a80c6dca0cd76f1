//! The matching kernel: every rule of an Auto Sync lookup, written once and called by both
//! Auto Sync (`mapping::matching`, over a unit's loaded users) and bulk matching
//! (`core::bulk`, over records borrowed from file bytes).
//!
//! - [`keys`]: an email's match key, with a verified fast path for plain ASCII addresses
//!   (`email_key` itself for everything else) and skeleton hashes for the look-alike checks;
//! - [`index`]: the cross-side look-alike index (same UTS #39 skeleton or NFKC form, while
//!   the keys differ);
//! - [`kernel`]: lookup order, fallback keys, one-to-one ranking;
//! - [`merge_by_id`]: how a refreshed directory updates the loaded one for the retry pass.

pub(crate) mod index;
pub(crate) mod intern;
pub(crate) mod kernel;
#[cfg(test)]
mod kernel_tests;
pub(crate) mod keys;

/// The directory for the retry pass: `dir` (sorted by id, ids unique) updated with
/// `refreshed` (any order): a refreshed record replaces the one with its id (the last of
/// repeated refreshed ids wins), new ids are added; the result is sorted by id.
pub(crate) fn merge_by_id<T>(
    dir: Vec<T>,
    mut refreshed: Vec<T>,
    id: impl Fn(&T) -> &str,
) -> Vec<T> {
    refreshed.sort_by(|a, b| id(a).cmp(id(b)));
    let mut fresh: Vec<T> = Vec::with_capacity(refreshed.len());
    for r in refreshed {
        match fresh.last_mut() {
            Some(last) if id(last) == id(&r) => *last = r,
            _ => fresh.push(r),
        }
    }
    let mut out = Vec::with_capacity(dir.len().saturating_add(fresh.len()));
    let mut a = dir.into_iter().peekable();
    let mut b = fresh.into_iter().peekable();
    loop {
        let take_b = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (Some(x), Some(y)) => match id(x).cmp(id(y)) {
                std::cmp::Ordering::Less => false,
                std::cmp::Ordering::Greater => true,
                std::cmp::Ordering::Equal => {
                    a.next();
                    true
                }
            },
        };
        let next = if take_b { b.next() } else { a.next() };
        out.extend(next);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::merge_by_id;

    #[test]
    fn refreshed_records_replace_by_id_and_new_ids_join_in_order() {
        let dir = vec![("a", 1), ("c", 1), ("e", 1)];
        let fresh = vec![("d", 2), ("c", 2), ("a", 2), ("c", 3)];
        let out = merge_by_id(dir, fresh, |r| r.0);
        assert_eq!(out, vec![("a", 2), ("c", 3), ("d", 2), ("e", 1)]);
        assert_eq!(
            merge_by_id(Vec::new(), vec![("b", 1)], |r| r.0),
            vec![("b", 1)]
        );
        assert_eq!(
            merge_by_id(vec![("b", 1)], Vec::new(), |r| r.0),
            vec![("b", 1)]
        );
    }
}
