// WFM (IEX) sync through the built package and its CLI: the Account Representative links ACD
// tenants and changes the cadence (a view-only actor cannot), runs happen per slot and are
// logged, nothing counts as received until acknowledged, and cron's `--if-due` runs once per
// slot and says when the next one is.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Engine } from "../../pkg/node/usersync.mjs";

const REP = { id: "rep@example.com", permissions: ["WFM.UserSync.Configure"] };
const VIEWER = { id: "viewer@example.com", permissions: [] };
const ready = {
  teamFeatures: ["WFMAdvanced"],
  rolePermissions: ["WFM.MyZone.ViewPersonalSchedule"],
  acdProfileId: "p1",
};
const user = (id, tenantId, n, extra = {}) => ({
  id,
  tenantId,
  email: `${id}@example.com`,
  firstName: id,
  lastName: "Agent",
  agentNumber: String(n),
  ...ready,
  ...extra,
});

test("topology, runs per slot, acknowledgement, readiness and the MAX warning", () => {
  const engine = new Engine();
  const t0 = "2026-11-23T10:00:00Z";
  assert.equal(engine.linkAcd(REP, "wfm-1", "acd-east", "east", "go-live", t0), true);
  assert.equal(engine.linkAcd(REP, "wfm-1", "acd-west", "west", "go-live", t0), true);
  assert.throws(
    () => engine.linkAcd(REP, "wfm-2", "acd-east", "e2", "again", t0),
    (e) => e.code === "acd_tenant_already_linked",
  );

  const east = [user("a1", "acd-east", 1), user("a2", "acd-east", 2)];
  const west = [
    user("b1", "acd-west", 11),
    { ...user("a1w", "acd-west", 12), email: "a1@example.com" },
  ];
  const batches = () => [
    { acdTenantId: "acd-east", users: east },
    { acdTenantId: "acd-west", users: west },
  ];

  assert.equal(engine.isWfmSyncDue("wfm-1", t0), true);
  const d1 = engine.wfmSync("wfm-1", batches(), t0);
  assert.equal(d1.runAt, t0);
  assert.equal(d1.additions.length, 4);
  assert.equal(d1.multiTenant.length, 1, "the same person in two ACD tenants is reported");
  let tenant = engine.wfmStatus(t0).tenants[0];
  assert.equal(tenant.agentsPresent, 0, "a computed delta is not a received one");
  assert.equal(tenant.pending.additions, 4);
  engine.acknowledgeWfmDelta(d1, t0);
  tenant = engine.wfmStatus(t0).tenants[0];
  assert.equal(tenant.agentsPresent, 4);
  assert.equal(tenant.pending, undefined);

  assert.equal(engine.isWfmSyncDue("wfm-1", "2026-11-23T10:10:00Z"), false);
  assert.throws(
    () => engine.wfmSync("wfm-1", batches(), "2026-11-23T10:10:00Z"),
    (e) => e.code === "sync_not_due" && /10:13:00Z/.test(e.message),
  );

  east[0] = { ...east[0], lastName: "Renamed" };
  // A cron tick a little early for the 10:15 slot still runs.
  const d2 = engine.wfmSync("wfm-1", batches(), "2026-11-23T10:14:59.800Z");
  assert.deepEqual(
    d2.changes.map((c) => [c.agent.personalId, c.changed]),
    [["a1", ["last_name"]]],
  );
  engine.acknowledgeWfmDelta(d2, "2026-11-23T10:15:00Z");
  assert.throws(
    () => engine.acknowledgeWfmDelta(d2, "2026-11-23T10:15:00Z"),
    (e) => e.code === "not_found",
  );

  east.pop();
  east.push(user("a3", "acd-east", 3, { teamFeatures: [] }));
  east.push(user("a4", "acd-east", 4, { rolePermissions: [] }));
  east.push(user("a5", "acd-east", 5, { agentNumber: undefined }));
  const d3 = engine.wfmSync("wfm-1", batches(), "2026-11-23T10:31:00Z");
  assert.deepEqual(
    d3.additions.map((a) => a.personalId),
    ["a4"],
  );
  assert.deepEqual(
    d3.absent.map((a) => [a.agent.personalId, a.agent.origin]),
    [["a2", 2]],
    "gone from the ACD: reported, never deleted",
  );
  assert.deepEqual(
    d3.notSynced.map((n) => [n.userId, n.code]),
    [
      ["a3", "team_lacks_wfm_advanced"],
      ["a5", "no_agent_number"],
    ],
  );

  const readiness = engine.wfmReadiness([
    east[0],
    east[1],
    east[2],
    east[3],
    user("n1", "acd-east", 9, { acdProfileId: undefined }),
    { ...user("bad", "acd-east", 10), active: "perhaps" },
  ]);
  assert.deepEqual(
    readiness.map((r) => [r.userId, r.synced, r.blocking ?? null]),
    [
      ["a1", true, null],
      ["a3", false, "team_lacks_wfm_advanced"],
      ["a4", true, null],
      ["a5", false, "no_agent_number"],
      ["n1", false, "no_acd_profile"],
      // A record intake rejects is listed with why, never left out.
      ["bad", false, "invalid_input"],
    ],
  );
  assert.match(readiness[5].warnings[0], /rejected/);

  assert.throws(
    () => engine.setWfmSettings(REP, { enabled: true, intervalMinutes: 4 }, "faster", t0),
    (e) => e.code === "invalid_input",
  );
  assert.throws(
    () => engine.setWfmSettings(REP, { enabled: false, intervalMinutes: 30 }, "", t0),
    (e) => e.code === "missing_field" && e.field === "reason",
  );
  engine.setWfmSettings(
    REP,
    { enabled: false, intervalMinutes: 30 },
    "IEX upgrade tonight",
    "2026-11-23T10:40:00Z",
  );
  assert.ok(engine.wfmStatus("2026-11-23T11:00:00Z").warnings.some((w) => /MAX/.test(w)));
  assert.equal(engine.isWfmSyncDue("wfm-1", "2026-11-23T12:00:00Z"), false);

  const log = engine.wfmLog();
  assert.deepEqual(
    log.map((e) => e.kind),
    [
      "acd_linked",
      "acd_linked",
      "run",
      "acknowledged",
      "run",
      "acknowledged",
      "run",
      "settings_changed",
    ],
  );
  assert.equal(log.at(-1).reason, "IEX upgrade tonight");
  assert.deepEqual(log[2].examinedAcds, ["east", "west"]);

  const restored = Engine.fromSnapshot(engine.saveSnapshot());
  assert.deepEqual(restored.wfmLog(), log, "the WFM log is kept in the snapshot");
  assert.deepEqual(
    restored.wfmStatus("2026-11-23T11:00:00Z"),
    engine.wfmStatus("2026-11-23T11:00:00Z"),
  );
});

test("a view-only actor cannot change the cadence, the topology or the field switches", () => {
  const engine = new Engine();
  const t0 = "2026-11-23T10:00:00Z";
  engine.linkAcd(REP, "wfm-1", "acd-east", "east", "go-live", t0);
  const before = engine.saveSnapshot();
  const denied = (e) =>
    e.code === "permission_denied" && /WFM\.UserSync\.Configure/.test(e.message);
  assert.throws(
    () => engine.setWfmSettings(VIEWER, { enabled: false, intervalMinutes: 15 }, "off", t0),
    denied,
  );
  assert.throws(() => engine.linkAcd(VIEWER, "wfm-1", "acd-west", "west", "more", t0), denied);
  assert.throws(() => engine.unlinkAcd(VIEWER, "wfm-1", "acd-east", "less", t0), denied);
  assert.throws(
    () =>
      engine.setWfmFieldSwitches(
        VIEWER,
        { acdTenantId: "acd-east", syncPersonalId: false, syncExternalId: true },
        "x",
        t0,
      ),
    denied,
  );
  assert.equal(engine.saveSnapshot(), before);
});

test("field switches: a unit that stops syncing the external id never sends nor changes it", () => {
  const engine = new Engine();
  const t0 = "2026-11-23T10:00:00Z";
  engine.linkAcd(REP, "wfm-1", "acd-east", "east", "go-live", t0);
  engine.setWfmFieldSwitches(
    REP,
    { acdTenantId: "acd-east", syncPersonalId: true, syncExternalId: false },
    "IEX keeps its own",
    t0,
  );
  assert.deepEqual(engine.wfmFieldSwitches("acd-east"), {
    acdTenantId: "acd-east",
    syncPersonalId: true,
    syncExternalId: false,
  });
  const d = engine.wfmSync(
    "wfm-1",
    [{ acdTenantId: "acd-east", users: [user("a1", "acd-east", 1, { externalId: "x-1" })] }],
    t0,
  );
  assert.equal(d.additions[0].externalId, undefined);
  assert.deepEqual(d.additions[0].withheld, ["external_id"]);
});

// The CLI as cron calls it.
const cli = fileURLToPath(new URL("../../pkg/cli/usersync.mjs", import.meta.url));
const fixture = fileURLToPath(new URL("../fixtures/cxone-users.ndjson", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "usersync-wfm-"));
const AS_REP = [
  "--actor",
  REP.id,
  "--permission",
  "UserMapping.Map",
  "--permission",
  "WFM.UserSync.Configure",
];
const wfm = (snapshot, ...args) =>
  spawnSync(process.execPath, [cli, "wfm", "--snapshot", snapshot, ...args], { encoding: "utf8" });

test("cli: settings need the permission and a reason; --if-due runs once per slot; --acknowledge; --log", () => {
  const snap = join(tmp, "state.json");
  const links = "acd-east=east,acd-west=west";

  const viewer = wfm(
    snap,
    "--link",
    links,
    "--actor",
    "viewer@example.com",
    "--reason",
    "try",
    "--now",
    "2026-11-23T09:00:00Z",
  );
  assert.equal(viewer.status, 1);
  assert.match(viewer.stderr, /permission_denied/);
  const noReason = wfm(snap, "--link", links, ...AS_REP, "--now", "2026-11-23T09:00:00Z");
  assert.match(noReason.stderr, /missing_field/);
  const linked = wfm(
    snap,
    "--link",
    links,
    ...AS_REP,
    "--reason",
    "go-live",
    "--now",
    "2026-11-23T09:00:00Z",
  );
  assert.equal(linked.status, 0, linked.stderr);

  const first = wfm(
    snap,
    "--source",
    fixture,
    "--if-due",
    "--format",
    "json",
    "--now",
    "2026-11-23T10:00:00.400Z",
  );
  assert.equal(first.status, 0, first.stderr);
  const ran = JSON.parse(first.stdout);
  assert.ok(ran.delta.additions.length > 0);
  assert.equal(ran.status.tenants[0].pending.runAt, "2026-11-23T10:00:00.4Z");
  const saved = readFileSync(snap, "utf8");

  const again = wfm(
    snap,
    "--source",
    fixture,
    "--if-due",
    "--format",
    "json",
    "--now",
    "2026-11-23T10:07:00Z",
  );
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout), {
    due: false,
    lastRun: "2026-11-23T10:00:00.4Z",
    nextRun: "2026-11-23T10:13:00.4Z",
  });
  assert.match(
    again.stderr,
    /not due yet: next run at .*\(every \d+ minutes; .*Exact instant: 2026-11-23T10:13:00.4Z/,
  );
  assert.equal(readFileSync(snap, "utf8"), saved, "not due: the state is untouched");

  // Cron's next tick, a little early: it runs.
  const next = wfm(
    snap,
    "--source",
    fixture,
    "--if-due",
    "--format",
    "json",
    "--now",
    "2026-11-23T10:15:00.200Z",
  );
  assert.equal(next.status, 0, next.stderr);
  const deltaFile = join(tmp, "delta.json");
  writeFileSync(deltaFile, next.stdout);
  const stale = join(tmp, "stale.json");
  writeFileSync(stale, first.stdout);
  assert.match(wfm(snap, "--acknowledge", stale).stderr, /superseded/);
  const ack = wfm(snap, "--acknowledge", deltaFile, "--now", "2026-11-23T10:16:00Z");
  assert.equal(ack.status, 0, ack.stderr);
  const held = JSON.parse(
    wfm(snap, "--source", fixture, "--if-due", "--format", "json", "--now", "2026-11-23T10:30:00Z")
      .stdout,
  );
  assert.equal(held.delta.additions.length, 0, "what WFM confirmed is not sent again");

  const off = wfm(
    snap,
    "--disable",
    ...AS_REP,
    "--reason",
    "IEX maintenance",
    "--now",
    "2026-11-23T10:40:00Z",
  );
  assert.equal(off.status, 0, off.stderr);
  assert.match(off.stderr, /Warning: .*MAX/);
  const disabled = wfm(snap, "--source", fixture, "--if-due", "--now", "2026-11-23T11:00:00Z");
  assert.equal(disabled.status, 0, disabled.stderr);
  assert.match(disabled.stderr, /Warning: .*MAX/);
  assert.match(disabled.stderr, /sync is disabled/);

  const log = JSON.parse(wfm(snap, "--log", "--format", "json").stdout);
  assert.deepEqual(
    log.map((e) => e.kind).filter((k) => k !== "acd_linked"),
    ["run", "run", "acknowledged", "run", "settings_changed"],
  );
  assert.equal(log.at(-1).actor, REP.id);
  assert.equal(log.at(-1).reason, "IEX maintenance");
  assert.match(wfm(snap, "--log").stdout, /settings_changed.*IEX maintenance/);
});
