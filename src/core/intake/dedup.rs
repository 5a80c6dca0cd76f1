//! Duplicate ids within one batch (intake: docs/identity.md).
//!
//! The copies of an id are ranked by `updatedAt`; a copy with a timestamp beats one
//! without. Among the copies with the newest rank (the "candidates"):
//! - one candidate: it is accepted, every other copy is `superseded` by it;
//! - several candidates with the same content (ignoring how `updatedAt` is spelled, since
//!   the instants are equal): one is kept (the one with the smallest `updatedAt` spelling,
//!   then the lowest position, so the kept record never depends on input order), the
//!   others are `superseded` by it;
//! - several candidates whose content differs: every candidate is rejected
//!   `duplicate_id_conflict`, and older copies are `superseded` (a newer version exists, it
//!   is just ambiguous; accepting stale data would be worse). Nothing is accepted for the id.
//!
//! Records rejected for their own fields take no part: they already have their line.

use super::{Locator, Rejection, Typed};
use crate::core::error::quote;
use crate::core::records::{ExternalUser, SourceUser};
use crate::core::ErrorCode;
use std::collections::HashMap;

/// What dedup needs of a record type.
pub(crate) trait Record: Clone + PartialEq {
    fn id(&self) -> &str;
    fn updated_at(&self) -> Option<&str>;
    /// Equal in every field but the spelling of `updatedAt`.
    fn same_content(&self, other: &Self) -> bool;
}

impl Record for SourceUser {
    fn id(&self) -> &str {
        &self.id
    }
    fn updated_at(&self) -> Option<&str> {
        self.updated_at.as_deref()
    }
    fn same_content(&self, other: &Self) -> bool {
        SourceUser {
            updated_at: None,
            ..self.clone()
        } == SourceUser {
            updated_at: None,
            ..other.clone()
        }
    }
}

impl Record for ExternalUser {
    fn id(&self) -> &str {
        &self.id
    }
    fn updated_at(&self) -> Option<&str> {
        self.updated_at.as_deref()
    }
    fn same_content(&self, other: &Self) -> bool {
        ExternalUser {
            updated_at: None,
            ..self.clone()
        } == ExternalUser {
            updated_at: None,
            ..other.clone()
        }
    }
}

/// How many positions a message lists before "and N more", so a pathological batch of
/// many copies does not build quadratic text.
const LISTED: usize = 5;

/// Resolves duplicates; returns the accepted records in order of each id's first
/// occurrence and pushes one rejection per dropped copy.
pub(crate) fn resolve<T: Record>(
    typed: Vec<Typed<T>>,
    at: Locator,
    rejected: &mut Vec<Rejection>,
) -> Vec<T> {
    let mut group_of: HashMap<String, usize> = HashMap::with_capacity(typed.len());
    let mut groups: Vec<Vec<Typed<T>>> = Vec::with_capacity(typed.len());
    for t in typed {
        match group_of.get(t.record.id()) {
            Some(&g) => {
                if let Some(group) = groups.get_mut(g) {
                    group.push(t);
                }
            }
            None => {
                group_of.insert(t.record.id().to_owned(), groups.len());
                groups.push(vec![t]);
            }
        }
    }
    drop(group_of);

    let mut accepted = Vec::with_capacity(groups.len());
    for group in groups {
        if group.len() == 1 {
            accepted.extend(group.into_iter().map(|t| t.record));
        } else if let Some(winner) = resolve_group(group, at, rejected) {
            accepted.push(winner);
        }
    }
    accepted
}

fn resolve_group<T: Record>(
    group: Vec<Typed<T>>,
    at: Locator,
    rejected: &mut Vec<Rejection>,
) -> Option<T> {
    let newest = group.iter().map(|t| t.updated).max().flatten();
    let (candidates, older): (Vec<_>, Vec<_>) =
        group.into_iter().partition(|t| t.updated == newest);

    let first = candidates.first()?;
    let agree = candidates
        .iter()
        .all(|c| c.record.same_content(&first.record));
    if !agree {
        let positions: Vec<usize> = sorted_positions(&candidates);
        for c in &candidates {
            let others = list(
                at,
                positions.iter().copied().filter(|&p| p != c.position),
                positions.len().saturating_sub(1),
            );
            let when = match c.record.updated_at() {
                Some(_) => "the same updatedAt",
                None => "no updatedAt either",
            };
            rejected.push(at.reject(
                c.position,
                Some(c.record.id()),
                None,
                ErrorCode::DuplicateIdConflict,
                format_args!(
                    "the same id appears at {} with {when} but different content; none is kept",
                    others
                ),
            ));
        }
        for o in older {
            rejected.push(at.reject(
                o.position,
                Some(o.record.id()),
                None,
                ErrorCode::Superseded,
                format_args!(
                    "superseded by newer copies at {}, which conflict with each other",
                    list(at, positions.iter().copied(), positions.len())
                ),
            ));
        }
        return None;
    }

    let mut candidates = candidates;
    candidates.sort_by(|a, b| {
        (a.record.updated_at(), a.position).cmp(&(b.record.updated_at(), b.position))
    });
    let mut rest = candidates.into_iter();
    let winner = rest.next()?;
    let by = at.name(winner.position);
    for c in rest {
        rejected.push(at.reject(
            c.position,
            Some(c.record.id()),
            None,
            ErrorCode::Superseded,
            format_args!("an identical copy of {by}, which is kept"),
        ));
    }
    for o in older {
        let detail = match (o.record.updated_at(), winner.record.updated_at()) {
            (None, Some(w)) => {
                format!(
                    "superseded by {by}, which has an updatedAt ({}) and this has none",
                    quote(w)
                )
            }
            (Some(mine), Some(w)) => {
                format!(
                    "superseded by {by}, whose updatedAt {} is later than {}",
                    quote(w),
                    quote(mine)
                )
            }
            // Unreachable: an older copy ranks below the winner, so the winner has a timestamp.
            _ => format!("superseded by {by}"),
        };
        rejected.push(at.reject(
            o.position,
            Some(o.record.id()),
            None,
            ErrorCode::Superseded,
            detail,
        ));
    }
    Some(winner.record)
}

fn sorted_positions<T>(items: &[Typed<T>]) -> Vec<usize> {
    let mut p: Vec<usize> = items.iter().map(|t| t.position).collect();
    p.sort_unstable();
    p
}

/// "line 3, line 9, 4 more": at most [`LISTED`] names of the `total` positions.
fn list(at: Locator, positions: impl Iterator<Item = usize>, total: usize) -> String {
    let mut names: Vec<String> = positions.take(LISTED).map(|p| at.name(p)).collect();
    if total > LISTED {
        names.push(format!("{} more", total - LISTED));
    }
    names.join(", ")
}
