// Hostile input through the built package (SECURITY.md): huge strings, deep nesting, many
// records, prototype keys, damaged snapshots. Each gets a result or a coded Error, never a
// trap (WebAssembly.RuntimeError) or a hang, and wasm memory grows no more than the input
// needs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

// Load the CommonJS build in this process while watching for its WebAssembly.Instance, so
// the tests can read the instance's memory (the package does not export it).
const require = createRequire(import.meta.url);
const Instance = WebAssembly.Instance;
let memory;
WebAssembly.Instance = new Proxy(Instance, {
  construct(target, args) {
    const instance = Reflect.construct(target, args);
    memory ??= instance.exports.memory;
    return instance;
  },
});
const u = require("../../pkg/node/usersync.cjs");
WebAssembly.Instance = Instance;

const MB = 1 << 20;
const memoryBytes = () => memory.buffer.byteLength;
const big = "a".repeat(10 * MB);
const enc = (s) => Buffer.from(s, "utf8");

/** Runs `f`; returns its value, or the Error it threw after checking it is a coded one. */
function settle(what, f) {
  try {
    return { value: f() };
  } catch (e) {
    assert.ok(!(e instanceof WebAssembly.RuntimeError), `${what} trapped: ${e.message}`);
    assert.ok(u.isUsersyncError(e), `${what} threw a non-usersync error: ${e}`);
    assert.ok(e.message.length < 4096, `${what}: a ${e.message.length}-character message`);
    return { error: e };
  }
}

function stillAnswers() {
  assert.equal(u.emailKey("Still@Works.example").key, "still@works.example");
}

test("the instance's memory is visible to these tests", () => {
  assert.ok(memory instanceof WebAssembly.Memory);
  stillAnswers();
});

test("10 MB strings give a clear error or a result", () => {
  for (const [what, email] of [
    ["local part", `${big}@example.com`],
    ["domain", `a@${big}.com`],
    ["domain label with a trailing dot", `a@${big}.`],
  ]) {
    const { error } = settle(what, () => u.emailKey(email));
    assert.equal(error?.code, "invalid_email", what);
  }
  // Surrounding white space is trimmed however much of it there is.
  assert.equal(u.emailKey(" ".repeat(10 * MB) + "a@b.com").key, "a@b.com");

  const batch = settle("batch", () =>
    u.intakeSourceUsers([
      { id: big, email: `${big}@x.com` },
      { id: "b", firstName: big, permissions: [big] },
    ]),
  ).value;
  assert.equal(batch.report.received, 2);
  assert.equal(batch.report.accepted + batch.report.rejected.length, 2);
  for (const r of batch.report.rejected) assert.ok(r.message.length < 4096, "short messages");

  for (const [format, bytes] of [
    ["ndjson", enc(`{"id":"a","firstName":"${big}"}\n`)],
    ["csv", enc(`id,firstName\na,${big}\n`)],
    ["json", enc(`[{"id":"a","${big}":1}]`)],
    ["json", enc(`[{"id":"${big}"}]`)],
  ]) {
    const out = settle(format, () => u.parseSourceUsers(bytes, format)).value;
    assert.equal(out.report.received, 1, format);
  }
  stillAnswers();
});

test("deeply nested JSON is refused (file) or rejected (record), never recursed into", () => {
  const deep = 1_000_000;
  let r = settle("nested array file", () => u.parseSourceUsers(enc("[".repeat(deep)), "json"));
  assert.equal(r.error?.code, "invalid_input");
  r = settle("nested value", () =>
    u.parseSourceUsers(enc(`[{"id":"a","x":${"[".repeat(deep)}`), "json"),
  );
  assert.equal(r.error?.code, "invalid_input");
  r = settle("nested object closed", () =>
    u.parseSourceUsers(enc(`[{"id":"a","x":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}]`), "json"),
  );
  assert.ok(r.error?.code === "invalid_input" || r.value.report.received === 1);

  // NDJSON: the deep line is one rejection with its line; the next line still counts.
  const nd = settle("ndjson", () =>
    u.parseSourceUsers(enc(`{"id":"a","x":${'{"a":'.repeat(100_000)}\n{"id":"b"}\n`), "ndjson"),
  ).value;
  assert.equal(nd.report.received, 2);
  assert.equal(nd.report.accepted, 1);
  assert.equal(nd.report.rejected[0].line, 1);
  assert.equal(nd.report.rejected[0].code, "invalid_input");

  // JS values nested 100,000 deep: the argument guard refuses the call, naming the record
  // and field, before anything is converted.
  const nest = (depth) => {
    const obj = {};
    for (let i = 0, o = obj; i < depth; i++, o = o.x) o.x = {};
    const arr = [];
    for (let i = 0, a = arr; i < depth; i++) {
      const n = [];
      a.push(n);
      a = n;
    }
    return { obj, arr };
  };
  const huge = nest(100_000);
  for (const records of [
    [{ id: "a", extra: huge.obj }],
    [{ id: "a" }, { id: "b", permissions: huge.arr }],
  ]) {
    const { error } = settle("js", () => u.intakeSourceUsers(records));
    assert.equal(error?.code, "value_too_complex");
    assert.match(error.message, /'records\[\d\]\.(extra|permissions)/);
  }
  // Deeper than any record field, within the guard's limit: one rejection for the record.
  const some = nest(20);
  const js = settle("js", () =>
    u.intakeSourceUsers([
      { id: "a", extra: some.obj },
      { id: "b", permissions: some.arr },
    ]),
  ).value;
  assert.equal(js.report.received, 2);
  assert.equal(js.report.rejected.find((x) => x.id === "b")?.field, "permissions");
  stillAnswers();
});

// 5,000,000 records were run by hand (SECURITY.md): an 89 MB NDJSON file gave a full report
// and no trap, in 125 s and 3.9 GB resident on a loaded 2-core machine (1,000,000: 15 s),
// far over the ~20 s a test may take. The suite runs 250,000 through the same code path;
// the time bound only catches a hang or a quadratic path, not a slow machine.
test("250,000 tiny NDJSON records give a full report in bounded time", () => {
  const n = 250_000;
  const lines = new Array(n);
  for (let i = 0; i < n; i++) lines[i] = `{"id":"u${i}"}`;
  lines[n - 1] = "not json";
  const bytes = enc(lines.join("\n") + "\n");
  const t = Date.now();
  const report = settle("many", () => u.intakeReport(bytes, "source", "ndjson")).value;
  const ms = Date.now() - t;
  assert.equal(report.received, n);
  assert.equal(report.accepted, n - 1);
  assert.deepEqual(
    report.rejected.map((r) => [r.line, r.code]),
    [[n, "invalid_input"]],
  );
  assert.ok(ms < 120_000, `took ${ms} ms`);
  stillAnswers();
});

test("__proto__, constructor and prototype keys never pollute JS objects", () => {
  const hostile =
    '{"id":"p","__proto__":{"isAdmin":true},"constructor":{"prototype":{"isAdmin":true}},' +
    '"prototype":{"isAdmin":true},"email":"p@x.com"}';
  const outs = [
    u.parseSourceUsers(enc(`[${hostile}]`), "json"),
    u.parseSourceUsers(enc(`${hostile}\n`), "ndjson"),
    u.parseExternalUsers(enc(`[${hostile}]`), "json"),
    u.parseSourceUsers(enc("id,__proto__,constructor,prototype\np,x,y,z\n"), "csv"),
    u.intakeSourceUsers(JSON.parse(`[${hostile}]`)),
    u.intakeExternalUsers(JSON.parse(`[${hostile}]`)),
  ];
  for (const { records } of outs) {
    assert.equal(records.length, 1);
    const [r] = records;
    assert.equal(Object.getPrototypeOf(r), Object.prototype);
    assert.equal(r.isAdmin, undefined);
    assert.deepEqual(
      Object.keys(r).filter((k) => !["id", "email"].includes(k)),
      [],
    );
  }
  // Outside data as ids and emails: they come back as values, never as keys.
  const ids = ["__proto__", "constructor", "prototype", "hasOwnProperty", "toString"];
  const src = ids.map((id) => ({
    id,
    email: `${id}@example.com`,
    permissions: ["UserMapping.Map"],
  }));
  const ext = ids.map((id) => ({ id, email: `${id}@example.com` }));
  assert.deepEqual(
    u.intakeSourceUsers(src).records.map((r) => r.id),
    ids,
  );
  // "constructor" is no platform Auto Sync knows: declared here so the run goes ahead.
  const engine = new u.Engine({ platforms: [{ platform: "constructor", autoSync: true }] });
  const unit = { businessUnitId: "__proto__", platform: "constructor" };
  engine.loadSourceUsers(unit, src);
  engine.loadExternalUsers(unit, ext);
  const now = "2026-01-05T10:00:00Z";
  const plan = engine.planAutoSync(unit, now, "__proto__");
  assert.equal(plan.runId, "__proto__");
  engine.applyPlan({
    runId: "__proto__",
    actor: { id: "auto", permissions: ["UserMapping.Map"] },
    now,
  });
  const rows = engine.status(unit);
  assert.equal(rows.length, ids.length);
  for (const row of rows) assert.equal(Object.getPrototypeOf(row), Object.prototype);
  const snap = JSON.parse(engine.saveSnapshot());
  assert.equal(snap.presence.units[0].unit.businessUnitId, "__proto__");
  assert.equal({}.isAdmin, undefined);
  assert.equal(Object.prototype.isAdmin, undefined);
  engine.free();
});

test("a damaged snapshot is refused and the engine keeps its state", () => {
  const engine = new u.Engine();
  const unit = { businessUnitId: "bu1", platform: "ringcentral" };
  engine.loadSourceUsers(unit, [{ id: "u1", email: "a@x.com", permissions: ["UserMapping.Map"] }]);
  engine.loadExternalUsers(unit, [{ id: "e1", email: "a@x.com" }]);
  const now = "2026-01-05T10:00:00Z";
  engine.planAutoSync(unit, now, "r1");
  engine.applyPlan({ runId: "r1", actor: { id: "auto", permissions: ["UserMapping.Map"] }, now });
  const good = engine.saveSnapshot();
  for (const bad of [
    good.slice(0, -1),
    good.replace('"version":2', '"version":99'),
    good.replace('"mapped"', '"maybe"'),
    "{".repeat(1_000_000),
    "",
    big,
  ]) {
    const { error } = settle("restore", () => engine.restoreSnapshot(bad));
    assert.ok(["invalid_snapshot", "unsupported_version"].includes(error?.code), error?.code);
    assert.equal(engine.saveSnapshot(), good);
  }
  engine.free();
});

test("wasm memory grows with the input, not without bound", () => {
  // Repeating the same work reuses memory: the second to fifth rounds add (almost) nothing.
  const file = enc(
    Array.from({ length: 20_000 }, (_, i) => `{"id":"u${i}","email":"u${i}@x.com"}`).join("\n"),
  );
  const round = () => {
    u.parseSourceUsers(file, "ndjson");
    settle("huge email", () => u.emailKey(`${big}@x.com`));
    settle("deep", () => u.parseSourceUsers(enc("[".repeat(100_000)), "json"));
  };
  round();
  const afterFirst = memoryBytes();
  for (let i = 0; i < 4; i++) round();
  const growth = memoryBytes() - afterFirst;
  assert.ok(growth <= 16 * MB, `memory grew ${growth / MB} MB over four repeated rounds`);
  // And one round needs a bounded multiple of its input (10 MB string + ~2 MB file).
  assert.ok(afterFirst <= 512 * MB, `memory is ${afterFirst / MB} MB after one round`);
});

// ---- values a plain-JS caller can pass by mistake or on purpose (the guard in front of
// every export turns each into a coded error before Rust sees it) ----

const unit = { businessUnitId: "bu-1", platform: "ringcentral" };
const NOW = "2026-11-23T10:00:00Z";

function deep(n, leaf = {}) {
  let v = leaf;
  for (let i = 0; i < n; i++) v = { v };
  return v;
}

test("wrong JS types name the parameter and leave the engine working", () => {
  const engine = new u.Engine();
  for (const [what, f, param] of [
    ["pendingPlan(123)", () => engine.pendingPlan(123), "runId"],
    ["planAutoSync(unit, 123)", () => engine.planAutoSync(unit, 123), "now"],
    ["fromSnapshot(true)", () => u.Engine.fromSnapshot(true), "json"],
    ["applyPlan(runId, 42, now)", () => engine.applyPlan("r1", 42, NOW), "actor"],
    [
      "loadSourceUsers(unit, {length: -1})",
      () => engine.loadSourceUsers(unit, { length: -1 }),
      "records",
    ],
    ["pendingPlan(null)", () => engine.pendingPlan(null), "runId"],
    // Counts would wrap in the glue (-1 as 4294967295, 1.5 as 1): they are checked instead.
    ["nextRuns(unit, now, -1)", () => engine.nextRuns(unit, NOW, -1), "count"],
    ["nextRuns(unit, now, 1.5)", () => engine.nextRuns(unit, NOW, 1.5), "count"],
    ["searchExternal(unit, q, -3)", () => engine.searchExternal(unit, "ann", -3), "limit"],
    ["emailKey(10n)", () => u.emailKey(10n), "email"],
    ["emailKeys([Symbol()])", () => u.emailKeys([Symbol("s")]), "emails"],
  ]) {
    const { error } = settle(what, f);
    assert.equal(error?.code, "invalid_input", what);
    assert.match(error.message, new RegExp(`'${param}`), what);
  }
  assert.deepEqual(engine.units(), []);
  engine.free();
  stillAnswers();
});

test("5,000-deep values, getters that throw and revoked Proxies: coded errors, and the engine still answers", async () => {
  const engine = new u.Engine();
  const schedule = { enabled: true, frequency: deep(5000), timeZone: "UTC" };
  for (let round = 0; round < 2; round++) {
    const admin = { id: "admin", permissions: ["UserMapping.Map"] };
    assert.equal(
      settle("deep frequency", () => engine.setSchedule({ unit, actor: admin, now: NOW, schedule }))
        .error?.code,
      "value_too_complex",
    );
    const actor = { id: "a", permissions: deep(5000, []) };
    assert.equal(
      settle("deep permissions", () => engine.include(unit, actor, "u1", NOW)).error?.code,
      "value_too_complex",
    );
  }
  const getter = {
    get businessUnitId() {
      throw new Error("no");
    },
    platform: "ringcentral",
  };
  assert.equal(settle("throwing getter", () => engine.status(getter)).error?.code, "invalid_input");
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  assert.equal(
    settle("revoked Proxy", () => engine.setSchedule(proxy)).error?.code,
    "invalid_input",
  );
  assert.deepEqual(engine.units(), []);
  assert.equal(u.Engine.fromSnapshot(engine.saveSnapshot()) instanceof u.Engine, true);
  engine.free();
  engine.free();
  stillAnswers();

  // A connector whose options cannot be read rejects its promise (it settles) with a code.
  for (const options of [
    proxy,
    {
      get baseUrl() {
        throw new Error("no");
      },
      token: "t",
    },
  ]) {
    await assert.rejects(
      u.fetchRingCentralUsers(options),
      (e) => u.isUsersyncError(e) && e.code === "invalid_input",
    );
  }
});

test("a snapshot whose counters pass the JS safe-integer range is refused, and the engine keeps its state", () => {
  const engine = new u.Engine();
  const saved = engine.saveSnapshot();
  assert.match(saved, /"nextEvent":\d+/);
  const tampered = saved.replace(/"nextEvent":\d+/, '"nextEvent":9007199254740992');
  const { error } = settle("fromSnapshot", () => u.Engine.fromSnapshot(tampered));
  assert.equal(error?.code, "invalid_snapshot");
  assert.equal(error.field, "presence.nextEvent");
  assert.equal(
    settle("restoreSnapshot", () => engine.restoreSnapshot(tampered)).error?.code,
    "invalid_snapshot",
  );
  assert.equal(engine.saveSnapshot(), saved);
  assert.ok(Array.isArray(engine.auditLog()));
  engine.free();
});
