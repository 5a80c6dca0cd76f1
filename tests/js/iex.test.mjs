// The IEX SmartSync read-back against the local fake (tests/server/iex-server.mjs) through
// the built package: a job that completes over several gzip pages, a job that fails (result
// too large), a session that expires mid-poll, a wrong password that never shows, a
// cancelled read; then the delta computed against what IEX holds, and an agent missing from
// IEX for three intervals reported.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Engine, fetchIexAgents } from "../../pkg/node/usersync.mjs";
import { startIexServer } from "../server/iex-server.mjs";
import { startServer } from "../server/api-server.mjs";

let iex;
const held = (n) =>
  Array.from({ length: n }, (_, i) => ({
    UUID: String(1001 + i),
    acdID: "east",
    tvID: String(9000 + i),
    firstName: `F${i}`,
    lastName: "Agent",
  }));
const options = (extra = {}) => ({
  baseUrl: iex.url,
  customerId: iex.customerId,
  userName: iex.userName,
  password: iex.password,
  pollMs: 5,
  maxPollMs: 20,
  ...extra,
});

before(async () => {
  iex = await startIexServer({ agents: held(5), pageSize: 2, runningPolls: 3 });
});
after(() => iex?.close());

test("a job that completes: every agent over several gzip pages, management units from the entities call", async () => {
  iex.resetCalls();
  const agents = await fetchIexAgents(options());
  assert.deepEqual(
    agents.map((a) => [a.acdId, a.agentNumber, a.tvId]),
    held(5).map((h) => ["east", h.UUID, h.tvID]),
  );
  const calls = iex.calls();
  assert.ok(calls.includes("GET /entities/v1/mus"));
  assert.equal(
    calls.filter((c) => c.startsWith("GET /exporters/v1/result/")).length,
    3,
    "5 records, 2 a page",
  );
  assert.ok(
    calls.filter((c) => c.startsWith("GET /exporters/v1/status/")).length >= 3,
    "polled until done",
  );
});

test("a job that fails: the result is too large, and the error says to split the units", async () => {
  iex.set({ maxMus: 1 });
  try {
    await assert.rejects(
      fetchIexAgents(options()),
      (e) =>
        e.code === "http_error" &&
        e.vendorCode === "FAILED" &&
        /fewer management units/.test(e.message),
    );
    const agents = await fetchIexAgents(options({ muIds: ["1"] }));
    assert.equal(agents.length, 5);
  } finally {
    iex.set({ maxMus: undefined });
  }
});

test("a session that expires mid-poll: logged in again once, and the read completes", async () => {
  iex.set({ expireAfterCalls: 3 });
  iex.resetCalls();
  try {
    const agents = await fetchIexAgents(options());
    assert.equal(agents.length, 5);
    assert.ok(iex.calls().filter((c) => c === "POST /users/v1/login").length >= 2, "re-logged in");
  } finally {
    iex.set({ expireAfterCalls: undefined });
  }
});

test("a wrong password: http_error 401, the password never in the message; a cancelled read: aborted", async () => {
  await assert.rejects(
    fetchIexAgents(options({ password: "s3cret-wrong" })),
    (e) =>
      e.code === "http_error" && /HTTP 401/.test(e.message) && !e.message.includes("s3cret-wrong"),
  );
  const controller = new AbortController();
  const read = fetchIexAgents(options({ pollMs: 50, maxPollMs: 50, signal: controller.signal }));
  controller.abort("stop");
  await assert.rejects(read, (e) => e.code === "aborted");
});

const ready = {
  teamFeatures: ["WFMAdvanced"],
  rolePermissions: ["WFM.MyZone.ViewPersonalSchedule"],
  acdProfileId: "p",
};
const REP = { id: "rep@example.com", permissions: ["WFM.UserSync.Configure"] };

test("the delta against what IEX holds; an agent still missing after three intervals is not_in_wfm", async () => {
  const engine = new Engine();
  engine.linkAcd(REP, "wfm-1", "acd-east", "east", "go-live", "2026-11-23T09:00:00Z");
  const users = [
    {
      id: "u0",
      tenantId: "acd-east",
      agentNumber: "1001",
      firstName: "F0",
      lastName: "Agent",
      ...ready,
    },
    {
      id: "u1",
      tenantId: "acd-east",
      agentNumber: "1002",
      firstName: "Renamed",
      lastName: "Agent",
      ...ready,
    },
    {
      id: "u9",
      tenantId: "acd-east",
      agentNumber: "1999",
      firstName: "New",
      lastName: "Agent",
      ...ready,
    },
  ];
  const batches = [{ acdTenantId: "acd-east", users }];
  const read = async (now) =>
    engine.wfmReadBack("wfm-1", await fetchIexAgents(options()), batches, now);
  const r = await read("2026-11-23T10:00:00Z");
  assert.deepEqual([r.held, r.withoutAcdUser], [5, 3]);
  const d = engine.wfmSync("wfm-1", batches, "2026-11-23T10:00:00Z");
  assert.deepEqual(
    d.additions.map((a) => a.agentNumber),
    ["1999"],
  );
  assert.deepEqual(
    d.changes.map((c) => [c.agent.agentNumber, c.changed]),
    [["1002", ["first_name"]]],
  );
  assert.deepEqual(
    d.absent.map((a) => a.agent.agentNumber).sort(),
    ["1003", "1004", "1005"],
    "held by IEX, gone from CXone: reported",
  );

  // IEX never takes agent 1999: after three 15-minute intervals it is reported.
  for (const [i, at] of ["10:15", "10:30", "10:45"].entries()) {
    const report = await read(`2026-11-23T${at}:00Z`);
    assert.equal(report.notInWfm.length, i === 2 ? 1 : 0, at);
    engine.wfmSync("wfm-1", batches, `2026-11-23T${at}:00Z`);
  }
  const status = engine.wfmStatus("2026-11-23T10:46:00Z").tenants[0];
  assert.equal(status.notInWfm, 1);
  const [missing] = (await read("2026-11-23T10:50:00Z")).notInWfm;
  assert.deepEqual(
    [missing.userId, missing.code, missing.firstSent],
    ["u9", "not_in_wfm", "2026-11-23T10:00:00Z"],
  );
  assert.ok(engine.wfmLog().some((e) => e.kind === "read_back" && e.counts?.notInWfm === 1));
});

test("the local API server serves the SmartSync fake beside the directories", async () => {
  const api = await startServer({ users: 10, iex: { agents: held(3) } });
  try {
    const agents = await fetchIexAgents({ ...options(), baseUrl: api.url });
    assert.equal(agents.length, 3);
  } finally {
    await api.close();
  }
});

test("cli: --iex reads back what IEX holds before the run", async () => {
  const { spawn } = await import("node:child_process");
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { fileURLToPath } = await import("node:url");
  const cli = fileURLToPath(new URL("../../pkg/cli/usersync.mjs", import.meta.url));
  const fixture = fileURLToPath(new URL("../fixtures/cxone-users.ndjson", import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), "usersync-iex-"));
  const snap = join(dir, "state.json");
  const conf = join(dir, "iex.json");
  writeFileSync(
    conf,
    JSON.stringify({
      baseUrl: iex.url,
      customerId: iex.customerId,
      userName: iex.userName,
      pollMs: 5,
    }),
  );
  // Spawned asynchronously: the fake IEX server runs in this process.
  const run = (args, env = {}) =>
    new Promise((resolve) => {
      const p = spawn(process.execPath, [cli, "wfm", "--snapshot", snap, ...args], {
        env: { ...process.env, ...env },
      });
      let stdout = "",
        stderr = "";
      p.stdout.on("data", (d) => {
        stdout += d;
      });
      p.stderr.on("data", (d) => {
        stderr += d;
      });
      p.on("close", (status) => resolve({ status, stdout, stderr }));
    });
  const linked = await run([
    "--link",
    "acd-east=east",
    "--actor",
    "rep",
    "--permission",
    "WFM.UserSync.Configure",
    "--reason",
    "set-up",
  ]);
  assert.equal(linked.status, 0, linked.stderr);
  const noPassword = await run(["--source", fixture, "--iex", conf]);
  assert.equal(noPassword.status, 2);
  const r = await run(
    ["--source", fixture, "--iex", conf, "--format", "json", "--now", "2026-11-23T10:00:00Z"],
    { USERSYNC_IEX_PASSWORD: iex.password },
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.readBack.held, 5);
  const heldNumbers = held(5).map((h) => h.UUID);
  assert.ok(out.delta.additions.length > 0);
  assert.ok(
    out.delta.additions.every((a) => !heldNumbers.includes(a.agentNumber)),
    "what IEX holds is not added again",
  );
  assert.ok(
    out.delta.changes.some((c) => heldNumbers.includes(c.agent.agentNumber)),
    "IEX's names differ from CXone's: changes",
  );
});
