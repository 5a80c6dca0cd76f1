// Undo and history (docs/undo.md) through the built package: undo an Auto Sync run as a dry run
// then apply it, undo it again (nothing changes), undo the undo; a later change that took an
// account refuses only that user's revert; one manual change undone by its event id;
// retention naming the runs it made impossible to undo, and a snapshot keeping it all.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine, isUsersyncError } from "../../pkg/node/usersync.mjs";

const unit = { businessUnitId: "bu-1", platform: "ringcentral" };
const admin = { id: "admin@example.com", permissions: ["UserMapping.Map"] };
// The admin who starts the Auto Sync runs of these tests (named apart from the undoing admin).
const runner = { id: "auto_sync", permissions: ["UserMapping.Map"] };
const T = (m) => `2026-11-23T10:${String(m).padStart(2, "0")}:00Z`;
const perms = ["UserMapping.Map"];
const sources = [
  { id: "u1", email: "a@example.com", permissions: perms },
  { id: "u2", email: "b@example.com", permissions: perms },
  { id: "u3", email: "c@example.com", permissions: perms },
  { id: "u4", permissions: perms },
];
const directory = [
  { id: "x1", email: "a@example.com" },
  { id: "x2", email: "b@example.com" },
  { id: "x3", email: "c@example.com" },
];

function loaded(settings) {
  const engine = new Engine(settings);
  engine.loadSourceUsers(unit, sources);
  engine.loadExternalUsers(unit, directory);
  return engine;
}

function run(engine, runId, at, force = false) {
  engine.planAutoSync(unit, T(at), runId);
  return engine.applyPlan({ runId, actor: runner, now: T(at), force });
}

/** Status, reason and account per user: what an undo must give back. */
const view = (engine) =>
  engine.status(unit).map((r) => [r.userId, r.status, r.reason, r.externalId]);
const coded = (code, field) => (e) =>
  e instanceof Error &&
  isUsersyncError(e) &&
  e.code === code &&
  (field === undefined || e.field === field);

test("undo an Auto Sync run: a dry run, then applied, audited, in the history; twice is a no-op; the undo undone", () => {
  const engine = loaded();
  const before = view(engine);
  run(engine, "r1", 0);
  const afterRun = view(engine);
  assert.equal(engine.status(unit).filter((r) => r.status === "mapped").length, 3);

  const undo = engine.planUndoRun("r1", T(1));
  assert.match(undo.runId, /^undo-\d+$/);
  assert.deepEqual(undo.reverts, { kind: "run", runId: "r1" });
  assert.equal(undo.transitions.length, 4);
  assert.deepEqual(undo.conflicts, []);
  assert.equal(undo.counts.byStatus.unmapped, 4, "the dry run shows the unit after the undo");
  assert.deepEqual(view(engine), afterRun, "planning changes nothing");

  const logLength = engine.auditLog().length;
  const outcome = engine.applyPlan({ runId: undo.runId, actor: admin, now: T(2) });
  assert.equal(outcome.applied, 4);
  assert.deepEqual(view(engine), before);
  const events = engine.auditLog().slice(logLength);
  assert.equal(events.length, 4);
  for (const e of events) {
    assert.equal(e.actor, admin.id);
    assert.equal(e.runId, undo.runId);
    assert.deepEqual(e.reverts, { kind: "run", runId: "r1" });
  }

  const history = engine.userHistory(unit, "u1");
  assert.deepEqual(
    history.map((h) => [h.cause, h.actor, h.runId]),
    [
      ["undo", admin.id, undo.runId],
      ["auto_sync", "auto_sync", "r1"],
    ],
  );
  assert.ok(history[0].eventId > history[1].eventId, "newest first");
  assert.equal(history[1].externalId, "x1");

  const runs = engine.runs(unit);
  assert.deepEqual(
    runs.map((r) => r.runId),
    [undo.runId, "r1"],
  );
  const r1 = engine.runSummary("r1");
  assert.deepEqual(r1.undoneBy, [undo.runId]);
  assert.equal(r1.actor, "auto_sync");
  assert.deepEqual(r1.byTransition, [
    { from: "unmapped", to: "mapped", count: 3 },
    { from: "unmapped", to: "unmapped", reason: "no_match", count: 1 },
  ]);
  assert.equal(r1.byReason.no_match, 1);
  assert.equal(r1.guard.exceeded, false);
  assert.equal(r1.undoable, true);

  // Undoing the run a second time changes nothing.
  const again = engine.planUndoRun("r1", T(3));
  assert.deepEqual(again.transitions, []);
  assert.equal(again.unchanged, 4);
  const log = engine.auditLog();
  assert.equal(engine.applyPlan({ runId: again.runId, actor: admin, now: T(3) }).applied, 0);
  assert.deepEqual(engine.auditLog(), log);
  assert.deepEqual(view(engine), before);

  // Undoing the undo gives the run's result back.
  const redo = engine.planUndoRun(undo.runId, T(4));
  assert.deepEqual(redo.reverts, { kind: "run", runId: undo.runId });
  engine.applyPlan({ runId: redo.runId, actor: admin, now: T(4) });
  assert.deepEqual(view(engine), afterRun);
});

test("a later change that took the account refuses only that user's revert, naming the change", () => {
  const engine = loaded();
  run(engine, "r1", 0);
  engine.loadExternalUsers(unit, []); // a failed fetch: every link looks gone
  run(engine, "r2", 1);
  assert.equal(engine.status(unit).filter((r) => r.reason === "external_gone").length, 3);
  engine.loadExternalUsers(unit, directory);
  const [took] = engine.map({ unit, actor: admin, userId: "u4", externalId: "x1", now: T(2) });

  const undo = engine.planUndoRun("r2", T(3));
  assert.deepEqual(
    undo.transitions.map((t) => t.userId),
    ["u2", "u3"],
  );
  assert.equal(undo.conflicts.length, 1);
  const [c] = undo.conflicts;
  assert.equal(c.userId, "u1");
  assert.equal(c.code, "undo_conflict");
  assert.equal(c.externalId, "x1");
  assert.equal(c.later.eventId, took.id);
  assert.equal(c.later.actor, admin.id);
  assert.equal(c.later.userId, "u4");
  assert.equal(c.later.at, T(2));
  assert.match(c.message, /u4/);

  const outcome = engine.applyPlan({ runId: undo.runId, actor: admin, now: T(4) });
  assert.equal(outcome.applied, 2);
  assert.deepEqual(outcome.conflicts, undo.conflicts);
  const row = (id) => engine.status(unit).find((r) => r.userId === id);
  assert.equal(row("u2").externalId, "x2", "the rest of the revert applies");
  assert.equal(row("u4").externalId, "x1", "one-to-one holds");
  assert.equal(row("u1").reason, "external_gone");
  assert.equal(engine.runSummary(undo.runId).conflicts, 1);
});

test("one manual change undone by its event id; run events and bad ids are refused with codes", () => {
  const engine = loaded();
  run(engine, "r1", 0);
  const events = engine.map({
    unit,
    actor: admin,
    userId: "u4",
    externalId: "x1",
    now: T(1),
    reassign: true,
  });
  assert.equal(events.length, 2);
  assert.equal(events[1].change, events[0].id, "a reassign is one change of two events");

  const undo = engine.planUndoEvent(events[1].id, T(2));
  assert.deepEqual(undo.reverts, { kind: "change", change: events[0].id });
  assert.deepEqual(undo.conflicts, []);
  engine.applyPlan({ runId: undo.runId, actor: admin, now: T(3) });
  const row = (id) => engine.status(unit).find((r) => r.userId === id);
  assert.deepEqual([row("u1").externalId, row("u1").method], ["x1", "auto"]);
  assert.equal(row("u4").status, "unmapped");
  assert.equal(engine.userHistory(unit, "u4")[0].cause, "undo");

  const runEvent = engine.auditLog().find((e) => e.runId === "r1").id;
  assert.throws(() => engine.planUndoEvent(runEvent, T(4)), coded("invalid_input", "eventId"));
  assert.throws(() => engine.planUndoEvent(1.5, T(4)), coded("invalid_input", "eventId"));
  assert.throws(() => engine.planUndoEvent(99999, T(4)), coded("not_found"));
  assert.throws(() => engine.planUndoRun("nope", T(4)), coded("not_found"));
  assert.throws(() => engine.runSummary("nope"), coded("not_found"));
  assert.throws(() => engine.planUndoRun("r1", "yesterday"), coded("invalid_input", "now"));
});

test("retention bounds the log, names the runs it made impossible to undo, and survives a snapshot", () => {
  const engine = loaded({ auditRetention: { maxEvents: 4 } });
  assert.deepEqual(engine.presenceSettings().auditRetention, {
    maxEvents: 4,
    maxAgeDays: 0,
    maxRuns: 1000,
  });
  run(engine, "r1", 0); // 4 events
  engine.loadExternalUsers(unit, []);
  const outcome = run(engine, "r2", 1); // 3 more: r1's oldest go
  assert.deepEqual(outcome.noLongerUndoable, ["r1"]);
  assert.equal(engine.auditLog().length, 4);
  assert.equal(engine.runSummary("r1").undoable, false);
  assert.throws(() => engine.planUndoRun("r1", T(2)), coded("invalid_input", "runId"));

  const restored = Engine.fromSnapshot(engine.saveSnapshot());
  assert.deepEqual(restored.runs(unit), engine.runs(unit));
  assert.deepEqual(restored.userHistory(unit, "u1"), engine.userHistory(unit, "u1"));
  const undo = restored.planUndoRun("r2", T(3));
  assert.equal(undo.transitions.length, 3, "r2 can still be undone after a restore");

  const settings = engine.presenceSettings();
  engine.setPresenceSettings({
    ...settings,
    auditRetention: { maxEvents: 1, maxAgeDays: 0, maxRuns: 0 },
  });
  const report = engine.applyAuditRetention(T(5));
  assert.equal(report.trimmedEvents, 3);
  assert.deepEqual(report.noLongerUndoable, ["r2"]);
});
