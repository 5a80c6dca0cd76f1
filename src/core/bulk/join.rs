//! The Auto Sync outcome of every CXone user for a fresh state (no mappings yet), from the
//! matching kernel. With no mappings, nothing is excluded, manual, kept or held, so each
//! user is skipped (`no_permission`, `inactive`) or looked up. The retry pass against the
//! same directory repeats the first pass (only `attempts` differ), and against a refreshed
//! directory it is one pass over the merged directory; either way one pass gives the final
//! state.

use super::record::Rec;
use crate::core::mapping::{MappingStatus, MatchedBy, Reason};
use crate::core::matching::kernel::{decide, Decided, Fallbacks, Rules, Side};
use crate::core::matching::keys::Keyed;

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

impl Fallbacks for Rec<'_> {
    fn user_name(&self) -> Option<&str> {
        self.extra.as_ref()?.user_name.as_deref()
    }
    fn employee_id(&self) -> Option<&str> {
        self.extra.as_ref()?.employee_id.as_deref()
    }
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
    let active: Vec<bool> = ext.iter().map(|e| e.active).collect();
    let decided = decide(
        &Side {
            people: src,
            keys: src_keys,
            flags: &candidate,
        },
        &Side {
            people: ext,
            keys: ext_keys,
            flags: &active,
        },
        &Rules {
            fallbacks: settings.fallbacks,
            held: &[],
        },
    );
    decided
        .iter()
        .zip(src)
        .map(|(d, s)| match d {
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
            Some(Decided::Mapped { ext, by }) => Outcome {
                status: MappingStatus::Mapped,
                reason: None,
                ext: Some(*ext),
                matched_by: Some(*by),
            },
            Some(Decided::Unmapped(r)) => Outcome {
                status: MappingStatus::Unmapped,
                reason: Some(*r),
                ext: None,
                matched_by: None,
            },
        })
        .collect()
}
