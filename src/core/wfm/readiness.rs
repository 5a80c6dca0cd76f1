//! Employee readiness (docs/wfm.md): the product's set-up steps per user, in order, and which one
//! is missing.

use crate::core::error::ErrorCode;
use crate::core::intake::Intake;
use crate::core::records::{SourceUser, FEATURE_WFM_ADVANCED, PERM_VIEW_PERSONAL_SCHEDULE};
use serde::{Deserialize, Serialize};

/// A set-up step, in the order an admin does them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The user is in the ACD tenant's batch.
    EmployeeExists,
    /// The user's team has the `WFMAdvanced` feature (else not synced).
    TeamHasWfmAdvanced,
    /// The role has `WFM.MyZone.ViewPersonalSchedule` (else synced, with a warning).
    RoleCanViewPersonalSchedule,
    /// The user has an ACD profile (`acdProfileId`; else not synced).
    AcdProfilePresent,
    /// CXone gave the user its numeric agent number (else not synced: it is never made up).
    AgentNumberPresent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ReadinessStep {
    pub step: Step,
    pub done: bool,
    /// Plain words for the admin page: what the step is, or what to do when it is not done.
    pub text: String,
}

/// One user's readiness for WFM sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Readiness {
    pub user_id: String,
    /// Always all five steps, in order. When the employee does not exist the later steps
    /// are reported not done (nothing can be known about them).
    pub steps: Vec<ReadinessStep>,
    /// Whether the user is sent to WFM.
    pub synced: bool,
    /// The first missing step that stops the sync: `not_found` (no employee),
    /// `team_lacks_wfm_advanced`, `no_acd_profile` or `no_agent_number`; for a record intake
    /// rejected, the rejection's code (e.g. `invalid_input`), with its message in `warnings`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocking: Option<ErrorCode>,
    /// Missing steps that do not stop the sync.
    pub warnings: Vec<String>,
}

/// The message for a synced agent whose role lacks the personal-schedule permission.
pub const WARN_NO_PERSONAL_SCHEDULE: &str =
    "synced, but the agent cannot see the personal schedule: the role lacks \
     WFM.MyZone.ViewPersonalSchedule";

/// All five steps not done, for a user nothing can be known about: what to do first
/// (`first`, on the employee step), and why the later steps are unknown (`rest`).
fn none_done(first: String, rest: &str) -> Vec<ReadinessStep> {
    let step = |step, text| ReadinessStep {
        step,
        done: false,
        text,
    };
    vec![
        step(Step::EmployeeExists, first),
        step(Step::TeamHasWfmAdvanced, rest.into()),
        step(Step::RoleCanViewPersonalSchedule, rest.into()),
        step(Step::AcdProfilePresent, rest.into()),
        step(Step::AgentNumberPresent, rest.into()),
    ]
}

/// Readiness of `user_id` given the users of its ACD tenant's batch (`None`: not there).
pub fn readiness_of(user_id: &str, user: Option<&SourceUser>) -> Readiness {
    let Some(user) = user else {
        return Readiness {
            user_id: user_id.into(),
            steps: none_done(
                "Create the employee in the ACD tenant.".into(),
                "Unknown until the employee exists.",
            ),
            synced: false,
            blocking: Some(ErrorCode::NotFound),
            warnings: vec![],
        };
    };
    readiness(user)
}

/// Readiness of every record of a batch as intake left it: the accepted users in input
/// order, then one entry per rejected record, so a record the sync could not use is shown
/// with why rather than left out. A rejected record's entry names it by id (or by
/// `#<index>` when it had no usable id), has every step not done, and is blocked by the
/// rejection's code.
pub fn batch_readiness(intake: &Intake<SourceUser>) -> Vec<Readiness> {
    let rejected = intake.report.rejected.iter().map(|r| {
        let text = match &r.field {
            Some(field) => format!("Fix the record ({field}): {}", r.message),
            None => format!("Fix the record: {}", r.message),
        };
        Readiness {
            user_id: r.id.clone().unwrap_or_else(|| format!("#{}", r.index)),
            steps: none_done(text, "Unknown until the record is fixed."),
            synced: false,
            blocking: Some(r.code),
            warnings: vec![format!("record {} was rejected: {}", r.index, r.message)],
        }
    });
    intake
        .records
        .iter()
        .map(readiness)
        .chain(rejected)
        .collect()
}

/// Readiness of a user present in its ACD tenant's batch.
pub fn readiness(user: &SourceUser) -> Readiness {
    let team = user.has_team_feature(FEATURE_WFM_ADVANCED);
    let role = user.has_role_permission(PERM_VIEW_PERSONAL_SCHEDULE);
    let profile = user
        .acd_profile_id
        .as_deref()
        .is_some_and(|p| !p.trim().is_empty());
    let number = super::agent::agent_number(user).is_ok();
    let step = |step, done, ok: &str, todo: &str| ReadinessStep {
        step,
        done,
        text: if done { ok } else { todo }.to_string(),
    };
    let steps = vec![
        step(
            Step::EmployeeExists,
            true,
            "The employee exists in the ACD tenant.",
            "",
        ),
        step(
            Step::TeamHasWfmAdvanced,
            team,
            "The team has the WFMAdvanced feature.",
            "Give the employee's team the WFMAdvanced feature; until then the employee is \
             not synced to WFM.",
        ),
        step(
            Step::RoleCanViewPersonalSchedule,
            role,
            "The role can view the personal schedule.",
            "Add WFM.MyZone.ViewPersonalSchedule to the employee's role; until then the agent \
             is synced but cannot see the personal schedule.",
        ),
        step(
            Step::AcdProfilePresent,
            profile,
            "The employee has an ACD profile.",
            "Give the employee an ACD profile; until then the employee is not synced to WFM.",
        ),
        step(
            Step::AgentNumberPresent,
            number,
            "CXone gave the employee a numeric agent number.",
            "The employee has no numeric agent number: CXone assigns it to ACD agents, and WFM \
             uses it as the agent id, so until then the employee is not synced.",
        ),
    ];
    // The first missing blocking step, in set-up order, is the one the admin fixes first.
    let blocking = if !team {
        Some(ErrorCode::TeamLacksWfmAdvanced)
    } else if !profile {
        Some(ErrorCode::NoAcdProfile)
    } else if !number {
        Some(ErrorCode::NoAgentNumber)
    } else {
        None
    };
    let warnings = if role {
        vec![]
    } else {
        vec![WARN_NO_PERSONAL_SCHEDULE.to_string()]
    };
    Readiness {
        user_id: user.id.clone(),
        steps,
        synced: blocking.is_none(),
        blocking,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready() -> SourceUser {
        SourceUser {
            id: "u".into(),
            team_features: Some(vec![FEATURE_WFM_ADVANCED.into()]),
            role_permissions: Some(vec![PERM_VIEW_PERSONAL_SCHEDULE.into()]),
            acd_profile_id: Some("p1".into()),
            agent_number: Some("42".into()),
            ..Default::default()
        }
    }

    fn order(r: &Readiness) -> Vec<Step> {
        r.steps.iter().map(|s| s.step).collect()
    }

    #[test]
    fn a_rejected_record_is_listed_blocked_by_its_rejection_not_left_out() {
        use crate::core::intake::{intake_source_bytes, CsvOptions, InputFormat};
        let ndjson = concat!(
            r#"{"id":"u1","email":"a@x.io","acdProfileId":"p","agentNumber":"7"}"#,
            "\n",
            r#"{"id":"u2","active":"perhaps"}"#,
            "\n",
            r#"{"email":"c@x.io"}"#,
            "\n",
        );
        let intake = intake_source_bytes(
            ndjson.as_bytes(),
            InputFormat::Ndjson,
            &CsvOptions::default(),
        )
        .unwrap();
        assert_eq!(intake.report.rejected.len(), 2, "{:?}", intake.report);
        let all = batch_readiness(&intake);
        let ids: Vec<&str> = all.iter().map(|r| r.user_id.as_str()).collect();
        assert_eq!(ids, ["u1", "u2", "#3"]);
        for (r, rejection) in all[1..].iter().zip(&intake.report.rejected) {
            assert!(!r.synced);
            assert_eq!(r.blocking, Some(rejection.code));
            assert!(r.steps.iter().all(|s| !s.done));
            assert_eq!(order(r), order(&all[0]));
            assert!(
                r.warnings[0].contains(&rejection.message),
                "{:?}",
                r.warnings
            );
        }
        assert!(
            all[1].steps[0].text.contains("(active)"),
            "{:?}",
            all[1].steps[0]
        );
    }

    #[test]
    fn a_ready_user_has_every_step_done_in_order() {
        let r = readiness(&ready());
        assert!(r.synced && r.blocking.is_none() && r.warnings.is_empty());
        assert!(r.steps.iter().all(|s| s.done && !s.text.is_empty()));
        assert_eq!(
            order(&r),
            [
                Step::EmployeeExists,
                Step::TeamHasWfmAdvanced,
                Step::RoleCanViewPersonalSchedule,
                Step::AcdProfilePresent,
                Step::AgentNumberPresent
            ]
        );
    }

    #[test]
    fn a_user_without_a_numeric_agent_number_is_not_synced() {
        for n in [None, Some("".to_string()), Some("x1".to_string())] {
            let r = readiness(&SourceUser {
                agent_number: n,
                ..ready()
            });
            assert_eq!(
                (r.synced, r.blocking),
                (false, Some(ErrorCode::NoAgentNumber))
            );
            assert!(!r.steps[4].done);
        }
    }

    #[test]
    fn a_team_without_wfm_advanced_blocks() {
        for features in [None, Some(vec!["Other".to_string()])] {
            let r = readiness(&SourceUser {
                team_features: features,
                ..ready()
            });
            assert!(!r.synced);
            assert_eq!(r.blocking, Some(ErrorCode::TeamLacksWfmAdvanced));
            assert!(!r.steps[1].done);
        }
    }

    #[test]
    fn a_missing_acd_profile_blocks_and_team_comes_first() {
        for p in [None, Some(" ".to_string())] {
            let r = readiness(&SourceUser {
                acd_profile_id: p.clone(),
                ..ready()
            });
            assert_eq!(
                (r.synced, r.blocking),
                (false, Some(ErrorCode::NoAcdProfile))
            );
            let r = readiness(&SourceUser {
                acd_profile_id: p,
                team_features: None,
                ..ready()
            });
            assert_eq!(r.blocking, Some(ErrorCode::TeamLacksWfmAdvanced));
        }
    }

    #[test]
    fn a_role_without_the_schedule_permission_only_warns() {
        let r = readiness(&SourceUser {
            role_permissions: None,
            ..ready()
        });
        assert!(r.synced && r.blocking.is_none());
        assert_eq!(r.warnings, [WARN_NO_PERSONAL_SCHEDULE]);
        assert!(!r.steps[2].done);
    }

    #[test]
    fn a_missing_employee_is_not_found() {
        let r = readiness_of("ghost", None);
        assert_eq!((r.synced, r.blocking), (false, Some(ErrorCode::NotFound)));
        assert!(r.steps.iter().all(|s| !s.done));
        assert_eq!(r.steps.len(), 5);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["steps"][0]["step"], "employee_exists");
        assert_eq!(json["blocking"], "not_found");
    }
}
