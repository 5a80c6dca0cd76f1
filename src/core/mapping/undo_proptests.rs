//! Properties of undo and retention, over the random histories of `proptests`.

use super::proptests::{ext_spec, externals, op, settings, sources, src_spec, step, Op};
use super::tests::{admin, at, bu};
use super::*;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// Every user of the unit (loaded or with a mapping) and their state.
fn states(s: &PresenceState) -> BTreeMap<String, MappingState> {
    let Some(u) = s.unit(&bu()) else {
        return BTreeMap::new();
    };
    u.sources()
        .iter()
        .map(|x| x.id.clone())
        .chain(u.mappings().map(|m| m.user_id.clone()))
        .map(|id| {
            let st = u.state_of(&id);
            (id, st)
        })
        .collect()
}

fn history(
    settings: PresenceSettings,
    srcs: &BTreeMap<usize, super::proptests::SrcSpec>,
    dir: &BTreeMap<usize, super::proptests::ExtSpec>,
    ops: &[Op],
) -> Result<PresenceState, TestCaseError> {
    let mut s = PresenceState::new(settings).unwrap();
    s.load_sources(&bu(), sources(srcs)).unwrap();
    s.load_directory(&bu(), externals(dir)).unwrap();
    for (n, op) in ops.iter().enumerate() {
        step(&mut s, op, n)?;
    }
    Ok(s)
}

/// Plan and apply (forced) one Auto Sync run named `run`, optionally on a new directory.
fn last_run(
    s: &mut PresenceState,
    run: &str,
    new_dir: &Option<BTreeMap<usize, super::proptests::ExtSpec>>,
    retry: bool,
) -> Result<(), TestCaseError> {
    if let Some(d) = new_dir {
        s.load_directory(&bu(), externals(d)).unwrap();
    }
    s.plan_auto_sync(&bu(), run.into(), at(500)).unwrap();
    if retry {
        s.retry_auto_sync(run, None, at(500)).unwrap();
    }
    let out = s
        .apply_plan(
            run,
            &crate::core::mapping::Actor::with_map("auto"),
            true,
            at(501),
        )
        .unwrap();
    prop_assert!(out.stale.is_empty());
    Ok(())
}

/// Apply an undo plan (forced) made just now: nothing can be stale.
fn apply_undo(s: &mut PresenceState, plan: &Plan) -> Result<(), TestCaseError> {
    let out = s
        .apply_plan(
            &plan.run_id,
            &crate::core::mapping::Actor::with_map("admin"),
            true,
            at(601),
        )
        .unwrap();
    prop_assert!(out.stale.is_empty(), "{:?}", out.stale);
    prop_assert_eq!(out.applied, plan.transitions.len());
    prop_assert!(s.validate().is_ok(), "{:?}", s.validate());
    Ok(())
}

#[derive(Debug, Clone)]
enum Manual {
    Map(usize, usize, bool),
    Unmap(usize),
    Exclude(usize),
    Include(usize),
}

fn manual() -> impl Strategy<Value = Manual> {
    prop_oneof![
        3 => (0usize..7, 0usize..7, any::<bool>()).prop_map(|(u, e, r)| Manual::Map(u, e, r)),
        1 => (0usize..7).prop_map(Manual::Unmap),
        1 => (0usize..7).prop_map(Manual::Exclude),
        1 => (0usize..7).prop_map(Manual::Include),
    ]
}

/// Later changes: any op, with manual maps (which take accounts) more often.
fn later_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => op(),
        1 => (0usize..7, 0usize..7, any::<bool>()).prop_map(|(u, e, r)| Op::Map(u, e, r)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    /// Applying a run then undoing it gives back the state before the run; undoing again
    /// changes nothing; undoing the undo gives back the run's result.
    #[test]
    fn undoing_a_run_gives_back_the_state_before_it(
        settings in settings(),
        srcs in prop::collection::btree_map(0usize..7, src_spec(), 3..7),
        dir in prop::collection::btree_map(0usize..7, ext_spec(), 3..7),
        ops in prop::collection::vec(op(), 0..12),
        new_dir in prop::option::of(prop::collection::btree_map(0usize..7, ext_spec(), 0..7)),
        retry in any::<bool>(),
    ) {
        let mut s = history(settings, &srcs, &dir, &ops)?;
        let before = states(&s);
        last_run(&mut s, "last", &new_dir, retry)?;
        let after = states(&s);

        let plan = s.plan_undo_run("last", at(600)).unwrap().clone();
        prop_assert!(plan.conflicts.is_empty(), "{:?}", plan.conflicts);
        apply_undo(&mut s, &plan)?;
        prop_assert_eq!(&states(&s), &before);

        let log = s.log().to_vec();
        let again = s.plan_undo_run("last", at(602)).unwrap().clone();
        prop_assert!(again.transitions.is_empty(), "{:?}", again.transitions);
        prop_assert!(again.conflicts.is_empty());
        apply_undo(&mut s, &again)?;
        prop_assert_eq!(&states(&s), &before);
        prop_assert_eq!(s.log(), &log[..]);

        let redo = s.plan_undo_run(&plan.run_id, at(603)).unwrap().clone();
        prop_assert!(redo.conflicts.is_empty(), "{:?}", redo.conflicts);
        apply_undo(&mut s, &redo)?;
        prop_assert_eq!(&states(&s), &after);
    }

    /// The same for one manual change, named by its last event.
    #[test]
    fn undoing_a_manual_change_gives_back_the_state_before_it(
        settings in settings(),
        srcs in prop::collection::btree_map(0usize..7, src_spec(), 3..7),
        dir in prop::collection::btree_map(0usize..7, ext_spec(), 3..7),
        ops in prop::collection::vec(op(), 0..12),
        change in manual(),
    ) {
        let mut s = history(settings, &srcs, &dir, &ops)?;
        let before = states(&s);
        let (u, t) = (|i: usize| format!("u{i}"), at(500));
        let events = match change {
            Manual::Map(i, e, r) => s.map(&bu(), &u(i), &format!("e{e}"), r, &admin(), t),
            Manual::Unmap(i) => s.unmap(&bu(), &u(i), &admin(), t),
            Manual::Exclude(i) => s.exclude(&bu(), &u(i), &admin(), t),
            Manual::Include(i) => s.include(&bu(), &u(i), &admin(), t),
        };
        let Some(last) = events.ok().and_then(|e| e.last().cloned()) else { return Ok(()) };
        let plan = s.plan_undo_event(last.id, at(600)).unwrap().clone();
        prop_assert!(plan.conflicts.is_empty(), "{:?}", plan.conflicts);
        apply_undo(&mut s, &plan)?;
        prop_assert_eq!(&states(&s), &before);
        let again = s.plan_undo_event(last.id, at(602)).unwrap().clone();
        prop_assert!(again.transitions.is_empty());
    }

    /// After any later changes, an undo keeps one-to-one and every invariant, reverts each
    /// user it does not refuse, and leaves each refused user as the later change left them.
    /// A user nobody touched since the run, whose earlier state links no account, is never
    /// refused.
    #[test]
    fn undo_after_later_changes_never_overrides_them(
        settings in settings(),
        srcs in prop::collection::btree_map(0usize..7, src_spec(), 3..7),
        dir in prop::collection::btree_map(0usize..7, ext_spec(), 3..7),
        ops in prop::collection::vec(op(), 0..10),
        new_dir in prop::option::of(prop::collection::btree_map(0usize..7, ext_spec(), 0..7)),
        restore_dir in any::<bool>(),
        later in prop::collection::vec(later_op(), 0..10),
    ) {
        let mut s = history(settings, &srcs, &dir, &ops)?;
        let before = states(&s);
        last_run(&mut s, "last", &new_dir, false)?;
        let after = states(&s);
        if restore_dir {
            // Accounts the run found gone come back, so later changes can take them.
            s.load_directory(&bu(), externals(&dir)).unwrap();
        }
        for (n, op) in later.iter().enumerate() {
            step(&mut s, op, 100 + n)?;
        }
        let pre = states(&s);
        let touched: BTreeSet<String> = s
            .log()
            .iter()
            .filter(|e| e.run_id.as_deref() == Some("last"))
            .map(|e| e.user_id.clone())
            .collect();
        let plan = s.plan_undo_run("last", at(600)).unwrap().clone();
        apply_undo(&mut s, &plan)?;
        let now = states(&s);
        let refused: BTreeSet<&str> = plan.conflicts.iter().map(|c| c.user_id.as_str()).collect();
        for c in &plan.conflicts {
            prop_assert_eq!(c.code, crate::core::ErrorCode::UndoConflict);
        }
        for (id, cur) in &now {
            let was = pre.get(id).cloned().unwrap_or_default();
            if !touched.contains(id) || refused.contains(id.as_str()) {
                prop_assert_eq!(cur, &was, "user {} changed", id);
            } else {
                prop_assert_eq!(Some(cur), before.get(id), "user {} not reverted", id);
            }
            let untouched_since = touched.contains(id) && after.get(id) == Some(&was);
            if touched.contains(id) && !untouched_since && before.get(id) != Some(&was) {
                prop_assert!(refused.contains(id.as_str()), "user {} changed later but reverted", id);
            }
            let links = before.get(id).and_then(|b| b.linked()).is_some();
            if untouched_since && !links {
                prop_assert!(!refused.contains(id.as_str()), "user {} refused", id);
            }
        }
    }

    /// Under any retention bound, the log stays within it and a run still called undoable
    /// has every event, so its undo can be planned.
    #[test]
    fn retention_keeps_every_undoable_run_whole(
        settings in settings(),
        max_events in 1usize..8,
        max_runs in 1usize..4,
        srcs in prop::collection::btree_map(0usize..7, src_spec(), 3..7),
        dir in prop::collection::btree_map(0usize..7, ext_spec(), 3..7),
        ops in prop::collection::vec(op(), 1..16),
    ) {
        let settings = PresenceSettings {
            audit_retention: AuditRetention {
                max_events,
                max_age_days: 0,
                max_runs,
            },
            ..settings
        };
        let mut s = history(settings, &srcs, &dir, &[])?;
        for (n, op) in ops.iter().enumerate() {
            step(&mut s, op, n)?;
            prop_assert!(s.log().len() <= max_events);
            prop_assert!(s.runs.len() <= max_runs);
            prop_assert!(s.validate().is_ok(), "{:?}", s.validate());
            for r in s.runs.iter().filter(|r| r.undoable) {
                let kept = s.log().iter().filter(|e| e.run_id.as_deref() == Some(&r.run_id)).count();
                prop_assert_eq!(kept, r.applied, "run {}", &r.run_id);
            }
        }
        let undoable: Vec<String> = s.runs.iter().filter(|r| r.undoable).map(|r| r.run_id.clone()).collect();
        for r in undoable {
            prop_assert!(s.plan_undo_run(&r, at(900)).is_ok());
        }
    }
}
