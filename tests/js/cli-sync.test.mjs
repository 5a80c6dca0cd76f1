// `usersync sync` on a schedule, as cron runs it: `--schedule` saves the unit's schedule in the
// snapshot as the admin named by `--actor`/`--permission`, `--if-due` runs Auto Sync only when a
// scheduled time has passed, acting as that admin, and does nothing while no schedule is saved.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../../pkg/cli/usersync.mjs", import.meta.url));
const fixture = (name) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "usersync-sync-"));
const EVERY_15 = JSON.stringify({
  enabled: true,
  frequency: { kind: "everyMinutes", minutes: 15 },
  timeZone: "UTC",
});
// u-ann is an admin in the CXone file, holding UserMapping.Map.
const ANN = ["--actor", "u-ann", "--permission", "UserMapping.Map"];

let n = 0;
const fresh = () => join(tmp, `state-${++n}.json`);

function sync(snapshot, ...args) {
  return syncWith(snapshot, fixture("cxone-users.ndjson"), ...args);
}

function syncWith(snapshot, source, ...args) {
  return spawnSync(
    process.execPath,
    [
      cli,
      "sync",
      "--source",
      source,
      "--external",
      fixture("ringcentral-directory.json"),
      "--snapshot",
      snapshot,
      "--format",
      "json",
      ...args,
    ],
    { encoding: "utf8" },
  );
}

test("--if-due with no saved schedule does nothing, says Auto Sync is not set up, and exits 0", () => {
  const snapshot = fresh();
  const r = sync(snapshot, "--if-due", "--now", "2026-11-23T02:00:00Z");
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    due: false,
    setUp: false,
    autoSync: true,
    lastRun: null,
    nextRun: null,
  });
  assert.match(r.stderr, /Auto Sync of bu-1\/ringcentral is not set up/);
  assert.ok(!existsSync(snapshot), "nothing was written");
  const teams = sync(snapshot, "--if-due", "--platform", "teams", "--now", "2026-11-23T02:00:00Z");
  assert.equal(teams.status, 0, teams.stderr);
  assert.match(teams.stderr, /teams supports manual mapping only/);
});

test("a run needs --actor with UserMapping.Map; --dry-run needs none", () => {
  const snapshot = fresh();
  const none = sync(snapshot, "--now", "2026-11-23T10:00:00Z");
  assert.equal(none.status, 2);
  assert.match(none.stderr, /--actor ID --permission UserMapping\.Map/);
  const viewer = sync(
    snapshot,
    "--actor",
    "u-viewer",
    "--permission",
    "Reports.View",
    "--now",
    "2026-11-23T10:00:00Z",
  );
  assert.equal(viewer.status, 1);
  assert.match(
    viewer.stderr,
    /"u-viewer" may not apply an Auto Sync plan: the UserMapping\.Map permission is required/,
  );
  assert.match(viewer.stderr, /\[permission_denied\]/);
  assert.ok(!existsSync(snapshot), "a refused run writes nothing");
  const orphan = sync(snapshot, "--permission", "UserMapping.Map");
  assert.equal(orphan.status, 2);
  assert.match(orphan.stderr, /give --actor ID too/);
  const dry = sync(snapshot, "--dry-run", "--now", "2026-11-23T10:00:00Z");
  assert.equal(dry.status, 0, dry.stderr);
  assert.ok(JSON.parse(dry.stdout).plan.transitions.length > 0);
  const ok = sync(snapshot, ...ANN, "--now", "2026-11-23T10:00:00Z");
  assert.equal(ok.status, 0, ok.stderr);
  const log = JSON.parse(readFileSync(snapshot, "utf8")).presence.log;
  assert.ok(log.length > 0 && log.every((e) => e.actor === "u-ann" && !e.scheduled));
  const manualOnly = sync(fresh(), ...ANN, "--platform", "teams");
  assert.equal(manualOnly.status, 1);
  assert.match(manualOnly.stderr, /auto_sync_unsupported/);
});

test("--schedule saves as the actor; --if-due runs at the next slot as that admin", () => {
  const snapshot = fresh();
  const anonymous = sync(snapshot, "--schedule", EVERY_15, "--if-due");
  assert.equal(anonymous.status, 2);
  assert.match(anonymous.stderr, /saving a schedule needs who saves it/);

  const saved = sync(
    snapshot,
    "--schedule",
    EVERY_15,
    ...ANN,
    "--if-due",
    "--now",
    "2026-11-23T10:05:00Z",
  );
  assert.equal(saved.status, 0, saved.stderr);
  assert.deepEqual(JSON.parse(saved.stdout), {
    due: false,
    setUp: true,
    autoSync: true,
    lastRun: null,
    nextRun: "2026-11-23T10:15:00Z",
  });
  assert.match(saved.stderr, /not due yet: next run at .*\(every 15 minutes\)/);
  const state = readFileSync(snapshot, "utf8");
  assert.match(state, /"savedBy":\{"id":"u-ann","permissions":\["UserMapping.Map"\]\}/);

  const early = sync(snapshot, "--if-due", "--now", "2026-11-23T10:10:00Z");
  assert.equal(early.status, 0, early.stderr);
  assert.equal(
    readFileSync(snapshot, "utf8"),
    state,
    "a run that is not due leaves the state as it was",
  );

  const due = sync(snapshot, "--if-due", "--now", "2026-11-23T10:16:00Z");
  assert.equal(due.status, 0, due.stderr);
  const report = JSON.parse(due.stdout);
  assert.ok(
    report.status.some((r) => r.status === "mapped"),
    "due: it ran",
  );
  assert.match(due.stderr, /ran as u-ann, who saved the schedule/);
  const log = JSON.parse(readFileSync(snapshot, "utf8")).presence.log;
  assert.ok(log.every((e) => e.actor === "u-ann" && e.scheduled === true));
});

test("a scheduled run is refused and reported once the admin who saved it lost the permission", () => {
  const snapshot = fresh();
  assert.equal(
    sync(snapshot, "--schedule", EVERY_15, ...ANN, "--if-due", "--now", "2026-11-23T10:05:00Z")
      .status,
    0,
  );
  // The CXone file now lists u-ann without UserMapping.Map.
  const lost = join(tmp, "cxone-ann-lost.ndjson");
  writeFileSync(
    lost,
    readFileSync(fixture("cxone-users.ndjson"), "utf8")
      .split("\n")
      .map((line) => {
        if (!line.includes('"id": "u-ann"')) return line;
        return JSON.stringify({ ...JSON.parse(line), permissions: ["Reports.View"] });
      })
      .join("\n"),
  );
  const r = syncWith(snapshot, lost, "--if-due", "--now", "2026-11-23T10:16:00Z");
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /scheduled Auto Sync of bu-1\/ringcentral was refused and nothing changed/,
  );
  assert.match(r.stderr, /"u-ann", who saved the schedule/);
  assert.match(r.stderr, /\[permission_denied\]/);
  const state = JSON.parse(readFileSync(snapshot, "utf8"));
  assert.equal(state.presence.log.length, 0, "nothing applied");
  assert.equal(
    state.schedules[0].lastRefusal.actor,
    "u-ann",
    "the refusal is kept for the page and the next run",
  );
  const next = syncWith(snapshot, lost, "--if-due", "--now", "2026-11-23T10:17:00Z");
  assert.equal(next.status, 1, "still due, still refused");
  const early = sync(snapshot, "--if-due", "--now", "2026-11-23T10:00:00Z");
  assert.equal(early.status, 0);
  assert.match(
    early.stderr,
    /The scheduled run at .* was refused/,
    "a later check reports the refusal",
  );
  // Another admin cannot stand in for the owner on a scheduled run.
  const other = sync(
    snapshot,
    "--if-due",
    "--actor",
    "u-bob",
    "--permission",
    "UserMapping.Map",
    "--now",
    "2026-11-23T10:16:00Z",
  );
  assert.equal(other.status, 1);
  assert.match(other.stderr, /not the admin who saved the schedule/);
});

test("a disabled schedule is never due; bad schedules are refused, naming the field", () => {
  const snapshot = fresh();
  const off = JSON.stringify({
    enabled: false,
    frequency: { kind: "daily", time: "02:00" },
    timeZone: "Europe/Berlin",
  });
  const r = sync(snapshot, "--schedule", off, ...ANN, "--if-due", "--now", "2026-11-24T10:00:00Z");
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).nextRun, null);
  assert.match(r.stderr, /turned off/);

  const tooOften = sync(
    snapshot,
    ...ANN,
    "--schedule",
    JSON.stringify({
      enabled: true,
      frequency: { kind: "everyMinutes", minutes: 3 },
      timeZone: "UTC",
    }),
  );
  assert.equal(tooOften.status, 1);
  assert.match(tooOften.stderr, /invalid_input/);
  assert.match(tooOften.stderr, /minutes/);

  const notJson = sync(snapshot, ...ANN, "--schedule", "{every 15}");
  assert.equal(notJson.status, 2);
  assert.match(notJson.stderr, /--schedule takes the schedule as JSON/);
  assert.ok(existsSync(snapshot));
});

test("users of other business units and records intake rejected each get a line, in JSON and in the table", () => {
  const source = join(tmp, "other-units.ndjson");
  const base = readFileSync(fixture("cxone-users.ndjson"), "utf8").trimEnd();
  const extra = [
    {
      id: "u-bu2",
      businessUnitId: "bu-2",
      email: "x2@example.com",
      permissions: ["UserMapping.Map"],
    },
    {
      id: "u-case",
      businessUnitId: "BU-1",
      email: "x3@example.com",
      permissions: ["UserMapping.Map"],
    },
    {
      id: "u-space",
      businessUnitId: " bu-1",
      email: "x4@example.com",
      permissions: ["UserMapping.Map"],
    },
    { businessUnitId: "bu-1", email: "no-id@example.com" },
  ].map((r) => JSON.stringify(r));
  writeFileSync(source, [base, ...extra].join("\n") + "\n");
  const r = syncWith(fresh(), source, "--dry-run", "--now", "2026-11-23T02:00:00Z");
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.leftOut.map((l) => l.id).sort(), ["u-bu2", "u-case", "u-space"]);
  assert.match(out.leftOut.find((l) => l.id === "u-case").why, /only in case/);
  assert.match(out.leftOut.find((l) => l.id === "u-space").why, /white space/);
  assert.ok(
    out.rejected.some((x) => x.side === "source" && x.code === "missing_field"),
    JSON.stringify(out.rejected),
  );
  assert.match(r.stderr, /3 CXone users belong to other business units than bu-1/);
  const table = spawnSync(
    process.execPath,
    [
      cli,
      "sync",
      "--source",
      source,
      "--external",
      fixture("ringcentral-directory.json"),
      "--dry-run",
      "--now",
      "2026-11-23T02:00:00Z",
    ],
    { encoding: "utf8" },
  );
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /Left out: users of other business units than bu-1/);
  assert.match(table.stdout, /u-bu2/);
  assert.match(table.stdout, /Rejected at intake/);
});
