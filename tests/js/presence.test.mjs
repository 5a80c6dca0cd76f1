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
  const sources = parseSourceUsers(fixture("cxone-users.ndjson"), "ndjson").records
    .filter((u) => u.tenantId === "acd-east");
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
  const outcome = engine.applyPlan("run-1", "auto_sync", T1);
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
  const again = engine.applyPlan("run-1", "auto_sync", T1);
  assert.equal(again.applied, 0);
});

test("leftovers mapped by hand through name search; external_taken then reassign", () => {
  const engine = loaded();
  engine.planAutoSync(unit, T0, "run-1");
  engine.applyPlan("run-1", "auto_sync", T0);
  const hits = engine.searchExternal(unit, "alvarez jose", 5);
  assert.equal(hits[0].externalId, "401014");
  engine.map(unit, admin, "u-jo", hits[0].externalId, T1);
  assert.equal(row(engine, "u-jo").method, "manual");

  assert.throws(() => engine.map(unit, { id: "eve", permissions: [] }, "u-dana", "401004", T1),
    (e) => isUsersyncError(e) && e.code === "permission_denied");
  assert.throws(() => engine.map(unit, admin, "u-dana", "401001", T1),
    (e) => isUsersyncError(e) && e.code === "external_taken");
  const events = engine.map(unit, admin, "u-dana", "401001", T1, true);
  assert.equal(events.length, 2, "the other user is unmapped in the same step");
  assert.equal(row(engine, "u-ann").reason, "manual_unmap");
  assert.equal(row(engine, "u-dana").externalId, "401001");
  engine.exclude(unit, admin, "u-fay", T1);
  assert.equal(row(engine, "u-fay").status, "excluded");
});

test("a snapshot restored into a fresh instance gives the same Status view", () => {
  const engine = loaded();
  engine.planAutoSync(unit, T0, "run-1");
  engine.applyPlan("run-1", "auto_sync", T0);
  engine.map(unit, admin, "u-jo", "401014", T1);
  const snap = engine.saveSnapshot();
  const restored = Engine.fromSnapshot(snap);
  const sources = parseSourceUsers(fixture("cxone-users.ndjson"), "ndjson").records.filter((u) => u.tenantId === "acd-east");
  restored.loadSourceUsers(unit, sources);
  restored.loadExternalUsers(unit, json("ringcentral-directory.json"));
  assert.deepEqual(restored.status(unit), engine.status(unit));
  assert.deepEqual(restored.auditLog(), engine.auditLog());
  assert.throws(() => Engine.fromSnapshot(snap.slice(0, 100)), (e) => e.code === "invalid_snapshot");
  assert.throws(() => Engine.fromSnapshot(snap.replace('"version":1', '"version":9')), (e) => e.code === "unsupported_version");
  // A failed restore leaves the current state as it was.
  const before = engine.saveSnapshot();
  assert.throws(() => engine.restoreSnapshot("{}"));
  assert.equal(engine.saveSnapshot(), before);
});

test("the unmap guard refuses a run that would unmap too many, unless forced", () => {
  const engine = new Engine();
  const users = Array.from({ length: 8 }, (_, i) => ({ id: `u${i}`, email: `u${i}@x.com`, permissions: ["UserMapping.Map"] }));
  engine.loadSourceUsers(unit, users);
  engine.loadExternalUsers(unit, users.map((u, i) => ({ id: `x${i}`, email: u.email })));
  engine.planAutoSync(unit, T0, "r1");
  engine.applyPlan("r1", "auto_sync", T0);
  engine.loadExternalUsers(unit, []);
  const plan = engine.planAutoSync(unit, T1, "r2");
  assert.equal(plan.guard.exceeded, true);
  const before = engine.saveSnapshot();
  assert.throws(() => engine.applyPlan("r2", "auto_sync", T1), (e) => e.code === "unmap_threshold_exceeded");
  assert.equal(engine.saveSnapshot(), before, "a refused run leaves the state exactly as it was");
  engine.applyPlan("r2", "admin", T1, true);
  assert.equal(engine.status(unit).filter((r) => r.reason === "external_gone").length, 8);
});

test("schedule: next runs across DST, due check, invalid settings named", () => {
  const engine = new Engine();
  engine.setSchedule(unit, { enabled: true, frequency: { kind: "daily", time: "02:30" }, timeZone: "America/New_York" });
  const runs = engine.nextRuns(unit, "2026-03-07T12:00:00Z", 3);
  assert.deepEqual(runs, ["2026-03-08T07:30:00Z", "2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z"]);
  assert.throws(() => engine.setSchedule(unit, { enabled: true, frequency: { kind: "everyMinutes", minutes: 2 }, timeZone: "UTC" }),
    (e) => e.code === "invalid_input" && /minutes/.test(e.field));
  assert.equal(engine.isAutoSyncDue(unit, "2026-03-08T08:00:00Z"), true);
});

test("external_taken: the one match is already mapped (by hand) to someone else", () => {
  const engine = loaded();
  engine.map(unit, admin, "u-carl", "401001", T0);
  engine.planAutoSync(unit, T0, "run-taken");
  engine.applyPlan("run-taken", "auto_sync", T0);
  assert.deepEqual([row(engine, "u-ann").status, row(engine, "u-ann").reason], ["unmapped", "external_taken"]);
  assert.equal(row(engine, "u-carl").method, "manual", "Auto Sync never touches a manual mapping");
  assert.equal(row(engine, "u-carl").externalId, "401001");
});
