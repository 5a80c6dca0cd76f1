//! WFM (IEX) user sync (docs/wfm.md): ACD tenants linked to WFM tenants, the per-agent field
//! mapping, employee readiness, the delta against what WFM last received, and the fixed
//! cadence that is the only way to produce one.
//!
//! A run, from the caller's side: read each linked ACD tenant's users, call
//! [`WfmState::run`] (it refuses with `sync_not_due` unless the current slot has not run,
//! and logs the run), send the delta to WFM, then [`WfmState::acknowledge`] once WFM
//! confirmed it, so the next run compares with what WFM now holds. Nothing else advances
//! what WFM holds.

pub mod agent;
pub mod cadence;
pub mod control;
pub mod delta;
pub mod log;
pub mod multi_tenant;
pub mod readback;
pub mod readiness;
pub mod slots;
pub mod state;
pub mod topology;

#[cfg(test)]
mod proptests;

pub use agent::{WfmAgent, WfmField, ORIGIN_FROM_ACD, ORIGIN_GONE_FROM_ACD};
pub use cadence::{due_run, sync};
pub use control::{authorize, PERM_WFM_CONFIGURE};
pub use delta::{
    apply_delta, compute_delta, AbsentAgent, AbsentReason, AcdBatch, AgentChange, Delta, NotSynced,
    WfmWarning, WfmWarningCode,
};
pub use log::{LoggedError, RunCounts, RunOutcome, WfmLogEntry, WfmLogKind};
pub use multi_tenant::{AgentRef, MultiTenantReport};
pub use readback::{NotInWfm, ReadBackReport, NOT_IN_WFM_AFTER_INTERVALS};
pub use readiness::{batch_readiness, readiness, readiness_of, Readiness, ReadinessStep, Step};
pub use slots::{next_due, slot_index, RunTimes, WfmSettings};
pub use state::{
    FieldSwitches, LastRun, PendingDelta, ReceivedAgents, SentAgent, TenantStatus, WfmState,
    WfmStatus, DISABLED_WARNING,
};
pub use topology::{Acd, Topology, WfmTenant};
