//! One record as bulk matching keeps it: only what matching reads, borrowed from the input
//! bytes where it can be, plus where the record sits in the file (for the report and for
//! re-reading it through intake when it needs the full rules).

use crate::core::intake::{field_kind, FieldKind};
use crate::core::records::{ExternalUser, SourceUser, PERM_USER_MAPPING_MAP};
use std::borrow::Cow;

/// A record accepted by intake, reduced to the fields matching reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rec<'a> {
    pub id: Cow<'a, str>,
    /// The raw email (untrimmed, as in the file); replaced by the match key once keyed.
    pub email: Option<Cow<'a, str>>,
    /// `userName` / `employeeId`, kept only when fallback keys are configured (boxed: most
    /// jobs have none, and a record of millions should stay small).
    pub extra: Option<Box<Extra<'a>>>,
    /// `active`; a missing value means active.
    pub active: bool,
    /// Source only: `None` when there is no `permissions` list, else whether it holds
    /// `UserMapping.Map`.
    pub perm: Option<bool>,
    /// Source only: the record names a business unit other than the job's.
    pub other_unit: bool,
    /// The intake position (line for NDJSON / CSV, element index for JSON).
    pub pos: usize,
    /// The record's bytes in the (BOM-stripped) input, to re-read it through intake.
    pub start: usize,
    pub end: usize,
}

impl Rec<'_> {
    /// Whether Auto Sync may map this CXone user (it holds `UserMapping.Map`).
    pub fn can_map(&self, missing_means_granted: bool) -> bool {
        self.perm.unwrap_or(missing_means_granted)
    }
}

/// The fields only fallback keys read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Extra<'a> {
    pub user_name: Option<Cow<'a, str>>,
    pub employee_id: Option<Cow<'a, str>>,
}

/// What the fast readers keep of a record's fields.
#[derive(Debug, Default)]
pub(crate) struct Parts<'a> {
    pub id: Option<Cow<'a, str>>,
    pub email: Option<Cow<'a, str>>,
    pub user_name: Option<Cow<'a, str>>,
    pub employee_id: Option<Cow<'a, str>>,
    pub business_unit: Option<Cow<'a, str>>,
    pub active: Option<bool>,
    pub perm: Option<bool>,
}

/// Per-job choices the readers need.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keep<'o> {
    /// Keep `userName` / `employeeId` (fallback keys are configured).
    pub fallbacks: bool,
    /// The job's business unit, when one is set.
    pub business_unit: Option<&'o str>,
}

impl<'a> Parts<'a> {
    /// `None` when there is no id (the caller sends such records to intake).
    pub fn into_rec(self, keep: Keep<'_>, pos: usize, start: usize, end: usize) -> Option<Rec<'a>> {
        let other_unit = match (keep.business_unit, self.business_unit.as_deref()) {
            (Some(want), Some(has)) => want != has,
            _ => false,
        };
        let extra = match (self.user_name, self.employee_id) {
            (None, None) => None,
            _ if !keep.fallbacks => None,
            (user_name, employee_id) => Some(Box::new(Extra {
                user_name,
                employee_id,
            })),
        };
        Some(Rec {
            id: self.id?,
            email: self.email,
            extra,
            active: self.active.unwrap_or(true),
            perm: self.perm,
            other_unit,
            pos,
            start,
            end,
        })
    }
}

pub(crate) fn from_source(
    u: SourceUser,
    keep: Keep<'_>,
    pos: usize,
    start: usize,
    end: usize,
) -> Rec<'static> {
    let perm = u
        .permissions
        .as_ref()
        .map(|l| l.iter().any(|p| p == PERM_USER_MAPPING_MAP));
    Parts {
        id: Some(Cow::Owned(u.id)),
        email: u.email.map(Cow::Owned),
        user_name: u.user_name.map(Cow::Owned),
        employee_id: u.employee_id.map(Cow::Owned),
        business_unit: u.business_unit_id.map(Cow::Owned),
        active: u.active,
        perm,
    }
    .into_rec(keep, pos, start, end)
    .unwrap_or_else(|| unreachable_rec(pos))
}

pub(crate) fn from_external(
    u: ExternalUser,
    keep: Keep<'_>,
    pos: usize,
    start: usize,
    end: usize,
) -> Rec<'static> {
    Parts {
        id: Some(Cow::Owned(u.id)),
        email: u.email.map(Cow::Owned),
        user_name: u.user_name.map(Cow::Owned),
        employee_id: u.employee_id.map(Cow::Owned),
        business_unit: None,
        active: u.active,
        perm: None,
    }
    .into_rec(keep, pos, start, end)
    .unwrap_or_else(|| unreachable_rec(pos))
}

/// `into_rec` fails only without an id, and these records always have one; an empty record
/// keeps this path panic-free.
fn unreachable_rec(pos: usize) -> Rec<'static> {
    Rec {
        id: Cow::Borrowed(""),
        email: None,
        extra: None,
        active: true,
        perm: None,
        other_unit: false,
        pos,
        start: 0,
        end: 0,
    }
}

/// A field as the fast readers see it, named once per file or side (matching names per cell
/// compared strings a few times per cell, a `memcmp` call each on WebAssembly).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Col {
    Id,
    Email,
    UserName,
    EmployeeId,
    BusinessUnit,
    Permissions,
    /// Any other field: only checked, by its kind.
    Other(FieldKind),
}

impl Col {
    pub fn of(field: &str) -> Col {
        match field {
            "id" => Col::Id,
            "email" => Col::Email,
            "userName" => Col::UserName,
            "employeeId" => Col::EmployeeId,
            "businessUnitId" => Col::BusinessUnit,
            "permissions" => Col::Permissions,
            other => Col::Other(field_kind(other)),
        }
    }

    pub fn kind(self) -> FieldKind {
        match self {
            Col::Permissions => FieldKind::List,
            Col::Other(k) => k,
            _ => FieldKind::Text,
        }
    }
}
