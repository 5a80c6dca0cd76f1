// The Presence Sync scenario from the product, through the built package: CXone users and a
// RingCentral directory that between them produce every reason, the retry with a refreshed
// directory mapping one of them, the leftovers mapped by hand through search, then a
// snapshot restored into a fresh instance giving the same Status view.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Engine, parseSourceUsers, isUsersyncError } from "../../pkg/node/usersync.mjs";

const fixture = (name) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
const json = (name) => JSON.parse(fixture(name).toString());
const unit = { businessUnitId: "bu-1", platform: "ringcentral" };
const admin = { id: "admin@example.com", permissions: ["UserMapping.Map"] };
const T0 = "2026-11-23T10:00:00Z";
const T1 = "2026-11-23T10:05:00Z";

function loaded() {
  const engine = new Engine();
  const sources = parseSourceUsers(fixture("cxone-users.ndjson"), "ndjson").records.filter(
    (u) => u.tenantId === "acd-east",
  );
  engine.loadSourceUsers(unit, sources);
  engine.loadExternalUsers(unit, json("ringcentral-directory.json"));
  return engine;
}

const row = (engine, id) => engine.status(unit).find((r) => r.userId === id);

test("Auto Sync plan, retry with a re-fetched directory, apply: every reason appears", () => {
  const engine = loaded();
  const plan = engine.planAutoSync(unit, T0, "run-1");
  assert.equal(plan.pass, 1);
  assert.ok(plan.retry.userIds.includes("u-carl"), "no_match users are named for the retry");
  assert.ok(plan.retry.emails.some((e) => e.includes("carl.ng")));
  const retried = engine.retryAutoSync("run-1", json("ringcentral-refetch.json"), T1);
  assert.equal(retried.pass, 2);
  const outcome = engine.applyPlan({ runId: "run-1", actor: admin, now: T1 });
  assert.ok(outcome.applied > 0);

  const expect = {
    "u-ann": ["mapped", undefined, "401001"],
    "u-bob": ["mapped", undefined, "401002"],
    "u-carl": ["mapped", undefined, "401003"],
    "u-dana": ["unmapped", "multiple_matches"],
    "u-eve": ["unmapped", "duplicate_source_email"],
    "u-evan": ["unmapped", "duplicate_source_email"],
    "u-fay": ["unmapped", "invalid_email"],
    "u-kim": ["unmapped", "confusable"],
    "u-gus": ["skipped", "no_permission"],
    "u-hal": ["skipped", "inactive"],
    "u-ivy": ["mapped", undefined, "401011"],
    "u-pat": ["unmapped", "confusable"],
    "u-jo": ["unmapped", "no_match"],
  };
  for (const [id, [status, reason, ext]] of Object.entries(expect)) {
    const r = row(engine, id);
    assert.equal(r.status, status, `${id} status`);
    assert.equal(r.reason, reason, `${id} reason`);
    if (ext) assert.equal(r.externalId, ext, `${id} externalId`);
  }
  assert.equal(row(engine, "u-jo").attempts, 2, "retried once, then left unmapped");
  assert.equal(row(engine, "u-carl").method, "auto");
  // Applying the same plan again changes nothing.
  const again = engine.applyPlan({ runId: "run-1", actor: admin, now: T1 });
  assert.equal(again.applied, 0);
});

test("leftovers mapped by hand through name search; external_taken then reassign", () => {
  const engine = loaded();
  engine.planAutoSync(unit, T0, "run-1");
  engine.applyPlan({ runId: "run-1", actor: admin, now: T0 });
  const hits = engine.searchExternal(unit, "alvarez jose", 5);
  assert.equal(hits[0].externalId, "401014");
  engine.map({ unit, actor: admin, userId: "u-jo", externalId: hits[0].externalId, now: T1 });
  assert.equal(row(engine, "u-jo").method, "manual");

  assert.throws(
    () =>
      engine.map({
        unit,
        actor: { id: "eve", permissions: [] },
        userId: "u-dana",
        externalId: "401004",
        now: T1,
      }),
    (e) => isUsersyncError(e) && e.code === "permission_denied",
  );
  assert.throws(
    () => engine.map({ unit, actor: admin, userId: "u-dana", externalId: "401001", now: T1 }),
    (e) => isUsersyncError(e) && e.code === "external_taken",
  );
  const events = engine.map({
    unit,
    actor: admin,
    userId: "u-dana",
    externalId: "401001",
    now: T1,
    reassign: true,
  });
  assert.equal(events.length, 2, "the other user is unmapped in the same step");
  assert.equal(row(engine, "u-ann").reason, "manual_unmap");
  assert.equal(row(engine, "u-dana").externalId, "401001");
  engine.exclude({ unit, actor: admin, userId: "u-fay", now: T1 });
  assert.equal(row(engine, "u-fay").status, "excluded");
});

test("a snapshot restored into a fresh instance gives the same Status view", () => {
  const engine = loaded();
  engine.planAutoSync(unit, T0, "run-1");
  engine.applyPlan({ runId: "run-1", actor: admin, now: T0 });
  engine.map({ unit, actor: admin, userId: "u-jo", externalId: "401014", now: T1 });
  const snap = engine.saveSnapshot();
  const restored = Engine.fromSnapshot(snap);
  const sources = parseSourceUsers(fixture("cxone-users.ndjson"), "ndjson").records.filter(
    (u) => u.tenantId === "acd-east",
  );
  restored.loadSourceUsers(unit, sources);
  restored.loadExternalUsers(unit, json("ringcentral-directory.json"));
  assert.deepEqual(restored.status(unit), engine.status(unit));
  assert.deepEqual(restored.auditLog(), engine.auditLog());
  assert.throws(
    () => Engine.fromSnapshot(snap.slice(0, 100)),
    (e) => e.code === "invalid_snapshot",
  );
  assert.throws(
    () => Engine.fromSnapshot(snap.replace('"version":2', '"version":9')),
    (e) => e.code === "unsupported_version",
  );
  // A failed restore leaves the current state as it was.
  const before = engine.saveSnapshot();
  assert.throws(() => engine.restoreSnapshot("{}"));
  assert.equal(engine.saveSnapshot(), before);
});

test("the unmap guard refuses a run that would unmap too many, unless forced", () => {
  const engine = new Engine();
  const users = Array.from({ length: 8 }, (_, i) => ({
    id: `u${i}`,
    email: `u${i}@x.com`,
    permissions: ["UserMapping.Map"],
  }));
  engine.loadSourceUsers(unit, users);
  engine.loadExternalUsers(
    unit,
    users.map((u, i) => ({ id: `x${i}`, email: u.email })),
  );
  engine.planAutoSync(unit, T0, "r1");
  engine.applyPlan({ runId: "r1", actor: admin, now: T0 });
  engine.loadExternalUsers(unit, []);
  const plan = engine.planAutoSync(unit, T1, "r2");
  assert.equal(plan.guard.exceeded, true);
  const before = engine.saveSnapshot();
  assert.throws(
    () => engine.applyPlan({ runId: "r2", actor: admin, now: T1 }),
    (e) => e.code === "unmap_threshold_exceeded",
  );
  assert.equal(engine.saveSnapshot(), before, "a refused run leaves the state exactly as it was");
  engine.applyPlan({ runId: "r2", actor: admin, now: T1, force: true });
  assert.equal(engine.status(unit).filter((r) => r.reason === "external_gone").length, 8);
});

test("schedule: not set up until saved; next runs across DST, due check, invalid settings named", () => {
  const engine = new Engine();
  assert.equal(engine.schedule(unit).schedule, undefined, "no schedule until an admin saves one");
  assert.equal(engine.isAutoSyncDue(unit, "2026-03-08T08:00:00Z"), false);
  assert.deepEqual(engine.nextRuns(unit, "2026-03-07T12:00:00Z", 3), []);
  const schedule = {
    enabled: true,
    frequency: { kind: "daily", time: "02:30" },
    timeZone: "America/New_York",
  };
  assert.throws(
    () =>
      engine.setSchedule({
        unit,
        schedule,
        actor: { id: "eve", permissions: [] },
        now: "2026-03-07T12:00:00Z",
      }),
    (e) => e.code === "permission_denied" && /UserMapping\.Map/.test(e.message),
  );
  engine.setSchedule({ unit, schedule, actor: admin, now: "2026-03-07T12:00:00Z" });
  assert.deepEqual(engine.schedule(unit).savedBy, admin);
  const runs = engine.nextRuns(unit, "2026-03-07T12:00:00Z", 3);
  assert.deepEqual(runs, ["2026-03-08T07:30:00Z", "2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z"]);
  assert.throws(
    () =>
      engine.setSchedule({
        unit,
        actor: admin,
        now: T0,
        schedule: {
          enabled: true,
          frequency: { kind: "everyMinutes", minutes: 2 },
          timeZone: "UTC",
        },
      }),
    (e) => e.code === "invalid_input" && /minutes/.test(e.field),
  );
  assert.equal(
    engine.isAutoSyncDue(unit, "2026-03-08T07:00:00Z"),
    false,
    "not before the first slot after saving",
  );
  assert.equal(engine.isAutoSyncDue(unit, "2026-03-08T08:00:00Z"), true);
  assert.equal(engine.clearSchedule({ unit, actor: admin }), true);
  assert.equal(engine.isAutoSyncDue(unit, "2026-03-08T08:00:00Z"), false);
});

test("permissions: applying, forcing and manual changes need an Actor holding UserMapping.Map", () => {
  const engine = loaded();
  engine.planAutoSync(unit, T0, "run-p");
  const before = engine.saveSnapshot();
  const viewer = { id: "viewer", permissions: ["Reports.View"] };
  for (const call of [
    () => engine.applyPlan({ runId: "run-p", actor: viewer, now: T0 }),
    () => engine.applyPlan({ runId: "run-p", actor: viewer, now: T0, force: true }),
    () => engine.unmap({ unit, actor: viewer, userId: "u-ann", now: T0 }),
    () => engine.exclude({ unit, actor: viewer, userId: "u-ann", now: T0 }),
    () => engine.include({ unit, actor: viewer, userId: "u-ann", now: T0 }),
    () => engine.map({ unit, actor: viewer, userId: "u-ann", externalId: "401001", now: T0 }),
  ]) {
    assert.throws(
      call,
      (e) =>
        isUsersyncError(e) &&
        e.code === "permission_denied" &&
        e.message.includes("UserMapping.Map"),
    );
  }
  // The old positional form: a bare string actor is a wrong-typed argument, refused at the
  // boundary (invalid_input naming the parameter).
  assert.throws(
    () => engine.applyPlan("run-p", "auto_sync", T0),
    (e) => e.code === "invalid_input" && /actor/.test(e.message),
  );
  assert.equal(engine.saveSnapshot(), before, "nothing changed");
  // The positional form with an Actor still works (deprecated).
  assert.ok(engine.applyPlan("run-p", admin, T0).applied > 0);
  engine.unmap(unit, admin, "u-ann", T1);
  assert.equal(row(engine, "u-ann").status, "unmapped");
  assert.throws(
    () =>
      engine.map({
        unit,
        actor: admin,
        userId: "u-ann",
        externalId: "401001",
        now: T1,
        reasign: true,
      }),
    (e) => e.code === "invalid_input" && /reasign/.test(e.message),
    "a misspelt parameter is named",
  );
});

test("platforms: Auto Sync only where the platform supports it; manual mapping everywhere", () => {
  const teams = { businessUnitId: "bu-1", platform: "teams" };
  assert.deepEqual(new Engine().platformSupport("ringcentral"), {
    platform: "ringcentral",
    label: "RingCentral",
    autoSync: true,
    manual: true,
    declared: false,
  });
  const engine = new Engine();
  assert.equal(engine.platformSupport("teams").autoSync, false);
  engine.loadSourceUsers(teams, [{ id: "u1", email: "a@x.com", permissions: ["UserMapping.Map"] }]);
  engine.loadExternalUsers(teams, [{ id: "t1", email: "a@x.com", displayName: "Ann Teams" }]);
  assert.throws(
    () => engine.planAutoSync(teams, T0),
    (e) => e.code === "auto_sync_unsupported" && e.field === "platform",
  );
  assert.throws(
    () =>
      engine.setSchedule({
        unit: teams,
        actor: admin,
        now: T0,
        schedule: { enabled: true, frequency: { kind: "hourly" }, timeZone: "UTC" },
      }),
    (e) => e.code === "auto_sync_unsupported",
  );
  assert.equal(
    engine.searchExternal(teams, "ann")[0].externalId,
    "t1",
    "name search works on every platform",
  );
  engine.map({ unit: teams, actor: admin, userId: "u1", externalId: "t1", now: T0 });
  assert.equal(engine.status(teams)[0].status, "mapped");
  const declared = new Engine({
    platforms: [{ platform: "teams", autoSync: true, label: "Microsoft Teams" }],
  });
  assert.deepEqual(
    [declared.platformSupport("teams").autoSync, declared.platformSupport("teams").label],
    [true, "Microsoft Teams"],
  );
});

test("a scheduled run acts as the admin who saved the schedule, and is refused once they lost the permission", () => {
  const engine = loaded();
  engine.setSchedule({
    unit,
    actor: admin,
    now: T0,
    schedule: { enabled: true, frequency: { kind: "everyMinutes", minutes: 5 }, timeZone: "UTC" },
  });
  const at = "2026-11-23T10:06:00Z";
  assert.equal(engine.isAutoSyncDue(unit, at), true);
  engine.planAutoSync(unit, at, "sched-1");
  assert.throws(
    () =>
      engine.applyScheduledPlan({
        runId: "sched-1",
        owner: { id: admin.id, permissions: [] },
        now: at,
      }),
    (e) => e.code === "permission_denied" && e.message.includes(admin.id),
  );
  const refusal = engine.schedule(unit).lastRefusal;
  assert.equal(refusal.actor, admin.id);
  assert.equal(refusal.code, "permission_denied");
  const out = engine.applyScheduledPlan({ runId: "sched-1", owner: admin, now: at });
  assert.ok(out.applied > 0);
  const last = engine.auditLog().at(-1);
  assert.deepEqual([last.actor, last.scheduled], [admin.id, true]);
  assert.equal(engine.schedule(unit).lastRefusal, undefined);
});

test("external_taken: the one match is already mapped (by hand) to someone else", () => {
  const engine = loaded();
  engine.map({ unit, actor: admin, userId: "u-carl", externalId: "401001", now: T0 });
  engine.planAutoSync(unit, T0, "run-taken");
  engine.applyPlan({ runId: "run-taken", actor: admin, now: T0 });
  assert.deepEqual(
    [row(engine, "u-ann").status, row(engine, "u-ann").reason],
    ["unmapped", "external_taken"],
  );
  assert.equal(row(engine, "u-carl").method, "manual", "Auto Sync never touches a manual mapping");
  assert.equal(row(engine, "u-carl").externalId, "401001");
});

test("a snapshot of the previous version restores: an untouched default schedule is no longer set up", () => {
  const engine = Engine.fromSnapshot(fixture("snapshot-v1.json").toString());
  const auto = { businessUnitId: "bu-auto", platform: "ringcentral" };
  assert.equal(engine.schedule(auto).schedule, undefined);
  assert.equal(engine.schedule(auto).lastRun, "2026-11-20T10:00:00Z");
  assert.equal(engine.isAutoSyncDue(auto, "2026-11-25T03:00:00Z"), false);
  const custom = engine.schedule({ businessUnitId: "bu-custom", platform: "ringcentral" });
  assert.equal(custom.schedule.frequency.kind, "weekly");
  assert.equal(custom.savedBy, undefined, "saved before owners were recorded");
  assert.equal(JSON.parse(engine.saveSnapshot()).version, 2);
});

test("what the engine decides for the caller: default run ids, a refreshed batch refused whole, search limits", () => {
  const engine = loaded();
  const ms = Date.parse(T0);
  assert.equal(engine.planAutoSync(unit, T0).runId, `run-${ms}-1`);
  assert.equal(engine.planAutoSync(unit, T0).runId, `run-${ms}-2`);
  // The counter outlives a restored snapshot, so a default id is never handed out twice.
  engine.restoreSnapshot(engine.saveSnapshot());
  engine.loadSourceUsers(unit, parseSourceUsers(fixture("cxone-users.ndjson"), "ndjson").records);
  engine.loadExternalUsers(unit, json("ringcentral-directory.json"));
  const plan = engine.planAutoSync(unit, T0);
  assert.equal(plan.runId, `run-${ms}-3`);

  const refetched = json("ringcentral-refetch.json");
  const bad = [...refetched, { email: "no.id@example.com" }, { id: "" }];
  assert.throws(
    () => engine.retryAutoSync(plan.runId, bad, T1),
    (e) =>
      isUsersyncError(e) &&
      e.index === refetched.length &&
      e.message.startsWith("refreshed directory: ") &&
      e.message.endsWith("(and 1 more rejected)"),
  );
  assert.equal(engine.pendingPlan(plan.runId).pass, 1, "nothing ran");
  assert.equal(engine.retryAutoSync(plan.runId, refetched, T1).pass, 2);

  const many = new Engine();
  many.loadExternalUsers(
    unit,
    Array.from({ length: 30 }, (_, i) => ({
      id: `x${i}`,
      email: `ann${i}@example.com`,
      firstName: "Ann",
    })),
  );
  assert.equal(many.searchExternal(unit, "ann").length, 20);
  assert.equal(many.searchExternal(unit, "ann", 25).length, 25);
  many.free();
  assert.throws(
    () => engine.searchExternal(unit, "a", 1001),
    (e) => e.code === "invalid_input" && e.field === "limit",
  );
  assert.throws(
    () => engine.nextRuns(unit, T0, 1001),
    (e) => e.code === "invalid_input" && e.field === "count",
  );
});
