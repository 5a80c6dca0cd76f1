// The WFM (IEX) scenario through the built package: two ACD tenants linked to one WFM
// tenant, a refused third link, additions and changes over three due runs and one not-due
// call, readiness for a mixed team, and the MAX warning when sync is disabled.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../pkg/node/usersync.mjs";

const ready = { teamFeatures: ["WFMAdvanced"], rolePermissions: ["WFM.MyZone.ViewPersonalSchedule"], acdProfileId: "p1" };
const user = (id, tenantId, n, extra = {}) => ({ id, tenantId, email: `${id}@example.com`, firstName: id, lastName: "Agent", agentNumber: String(n), ...ready, ...extra });

test("topology, three due runs, one not-due call, and readiness for a mixed team", () => {
  const engine = new Engine();
  const t0 = "2026-11-23T10:00:00Z";
  assert.equal(engine.linkAcd("wfm-1", "acd-east", "east", t0), true);
  assert.equal(engine.linkAcd("wfm-1", "acd-west", "west", t0), true);
  assert.throws(() => engine.linkAcd("wfm-2", "acd-east", "e2", t0), (e) => e.code === "acd_tenant_already_linked");

  const east = [user("a1", "acd-east", 1), user("a2", "acd-east", 2)];
  const west = [user("b1", "acd-west", 11), { ...user("a1w", "acd-west", 12), email: "a1@example.com" }];
  const batches = () => [{ acdTenantId: "acd-east", users: east }, { acdTenantId: "acd-west", users: west }];

  const d1 = engine.wfmSync("wfm-1", batches(), t0);
  assert.equal(d1.additions.length, 4);
  assert.ok(d1.additions.every((a) => a.origin === 1));
  assert.equal(d1.multiTenant.length, 1, "the same person in two ACD tenants is reported");
  assert.equal(d1.multiTenant[0].agents.length, 2, "and stays two agents");
  engine.applyWfmDelta(d1);

  assert.throws(() => engine.wfmSync("wfm-1", batches(), "2026-11-23T10:10:00Z"),
    (e) => e.code === "sync_not_due" && /10:15:00Z/.test(e.message));

  east[0] = { ...east[0], lastName: "Renamed" };
  const d2 = engine.wfmSync("wfm-1", batches(), "2026-11-23T10:15:00Z");
  assert.equal(d2.additions.length, 0);
  assert.deepEqual(d2.changes.map((c) => [c.agent.personalId, c.changed]), [["a1", ["last_name"]]]);
  engine.applyWfmDelta(d2);
  engine.applyWfmDelta(d2);

  east.pop();
  east.push(user("a3", "acd-east", 3, { teamFeatures: [] }));
  east.push(user("a4", "acd-east", 4, { rolePermissions: [] }));
  const d3 = engine.wfmSync("wfm-1", batches(), "2026-11-23T10:31:00Z");
  assert.deepEqual(d3.additions.map((a) => a.personalId), ["a4"]);
  assert.deepEqual(d3.absent.map((a) => [a.agent.personalId, a.agent.origin]), [["a2", 2]], "gone from the ACD: reported, never deleted");
  assert.deepEqual(d3.notSynced.map((n) => [n.userId, n.code]), [["a3", "team_lacks_wfm_advanced"]]);
  assert.deepEqual(d3.warnings.filter((w) => w.code === "cannot_see_personal_schedule").map((w) => w.userId), ["a4"]);

  const readiness = engine.wfmReadiness([east[0], east[1], east[2], user("n1", "acd-east", 9, { acdProfileId: undefined })]);
  assert.deepEqual(readiness.map((r) => [r.userId, r.synced, r.blocking ?? null]),
    [["a1", true, null], ["a3", false, "team_lacks_wfm_advanced"], ["a4", true, null], ["n1", false, "no_acd_profile"]]);
  assert.ok(readiness[2].warnings.length > 0);

  assert.throws(() => engine.setWfmSettings({ enabled: true, intervalMinutes: 4 }), (e) => e.code === "invalid_input");
  engine.setWfmSettings({ enabled: false, intervalMinutes: 30 });
  assert.ok(engine.wfmStatus("2026-11-23T11:00:00Z").warnings.some((w) => /MAX/.test(w)));
  assert.throws(() => engine.wfmSync("wfm-1", batches(), "2026-11-23T12:00:00Z"), (e) => e.code === "sync_not_due");

  const restored = Engine.fromSnapshot(engine.saveSnapshot());
  assert.deepEqual(restored.wfmStatus("2026-11-23T11:00:00Z"), engine.wfmStatus("2026-11-23T11:00:00Z"));
});
