//! WFM (IEX) user sync (SPEC 4): ACD tenants linked to WFM tenants, the per-agent field
//! mapping, employee readiness, the delta against what WFM last received, and the fixed
//! cadence that is the only way to produce one.
//!
//! A run, from the caller's side: read each linked ACD tenant's users, call [`sync`] (it
//! refuses with `sync_not_due` unless a run is due), send the delta to WFM, then
//! [`apply_delta`] so the next run compares with what WFM now holds.

pub mod agent;
pub mod cadence;
pub mod delta;
pub mod multi_tenant;
pub mod readiness;
pub mod state;
pub mod topology;

#[cfg(test)]
mod proptests;

pub use agent::{WfmAgent, WfmField, ORIGIN_FROM_ACD, ORIGIN_GONE_FROM_ACD};
pub use cadence::{next_due, sync, WfmSettings};
pub use delta::{
    apply_delta, compute_delta, AbsentAgent, AbsentReason, AcdBatch, AgentChange, Delta, NotSynced,
    WfmWarning, WfmWarningCode,
};
pub use multi_tenant::{AgentRef, MultiTenantReport};
pub use readiness::{readiness, readiness_of, Readiness, ReadinessStep, Step};
pub use state::{LastRun, ReceivedAgents, TenantStatus, WfmState, WfmStatus, DISABLED_WARNING};
pub use topology::{Acd, Topology, WfmTenant};
