// Garbage in every argument position of every export of the built package. The list of
// exports comes from the package itself (its module namespace, class prototypes and
// statics), and each one's parameters from its published .d.ts, so an export added later is
// swept without editing this file. Every throw must be a coded UsersyncError with a short
// message, never a RuntimeError or a plain TypeError, and every instance must keep answering.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as usersync from "../../pkg/node/usersync.mjs";
import { parameterTable } from "../../.ci/guard.mjs";

const require = createRequire(import.meta.url);
const dts = fileURLToPath(new URL("../../pkg/node/usersync.d.cts", import.meta.url));
const table = parameterTable(dts);
const { Engine, BulkJob, isUsersyncError } = usersync;

const unit = { businessUnitId: "bu-1", platform: "ringcentral" };
const NOW = "2026-01-05T10:00:00Z";
const BIG = "x".repeat(10 * 1024 * 1024);

// ---- valid values, by parameter name first, then by kind ----
const sourceUser = {
  id: "u1",
  email: "ana@example.com",
  firstName: "Ana",
  lastName: "Silva",
  businessUnitId: "bu-1",
  status: "active",
};
const externalUser = {
  id: "rc-1",
  email: "ana@example.com",
  firstName: "Ana",
  lastName: "Silva",
  status: "Enabled",
};
const byName = {
  unit: () => unit,
  actor: () => ({ id: "admin", permissions: ["UserMapping.Map"] }),
  now: () => NOW,
  from: () => NOW,
  json: () => new Engine().saveSnapshot(),
  records: () => [sourceUser],
  users: () => [sourceUser],
  refreshed: () => [externalUser],
  emails: () => ["ana@example.com"],
  email: () => "ana@example.com",
  side: () => "source",
  format: () => "json",
  schedule: () => ({
    enabled: true,
    frequency: { kind: "everyMinutes", minutes: 15 },
    timeZone: "UTC",
  }),
  batches: () => [{ acdTenantId: "acd-1", users: [sourceUser] }],
  bytes: () => new TextEncoder().encode(JSON.stringify([sourceUser])),
  source: () => new TextEncoder().encode(JSON.stringify([sourceUser])),
  external: () => new TextEncoder().encode(JSON.stringify([externalUser])),
  // An already-aborted signal: the connectors stop before any request.
  options: (where) =>
    where.startsWith("fetch")
      ? { baseUrl: "http://127.0.0.1:9", token: "t", signal: AbortSignal.abort() }
      : {},
  count: () => 3,
  limit: () => 5,
  eventId: () => 1,
  source_len: () => 16,
  external_len: () => 16,
};
const byKind = {
  string: () => "x",
  number: () => 1,
  boolean: () => false,
  array: () => [],
  object: () => ({}),
  Uint8Array: () => new Uint8Array(4),
  function: () => () => {},
  AbortSignal: () => new AbortController().signal,
};
function validValue(where, param) {
  if (byName[param.name]) return byName[param.name](where);
  if (param.optional) return undefined;
  const kind = param.kinds.find((k) => byKind[k]);
  return kind ? byKind[kind]() : undefined;
}

// ---- garbage ----
function deep(n) {
  let v = {};
  for (let i = 0; i < n; i++) v = { v };
  return v;
}
function garbage() {
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const cyclic = { a: 1 };
  cyclic.self = cyclic;
  const cyclicArray = [];
  cyclicArray.push(cyclicArray);
  const thrower = () => {
    throw new Error("trap");
  };
  return [
    ["number", 42],
    ["NaN", NaN],
    ["boolean", true],
    ["object", { id: "x" }],
    ["array", [1, "two", null]],
    ["null", null],
    ["undefined", undefined],
    ["BigInt", 10n],
    ["Symbol", Symbol("s")],
    [
      "Proxy",
      new Proxy(
        {},
        {
          get: thrower,
          ownKeys: thrower,
          getPrototypeOf: thrower,
          has: thrower,
          getOwnPropertyDescriptor: thrower,
        },
      ),
    ],
    ["array Proxy", new Proxy([1, 2], { get: thrower })],
    ["revoked Proxy", revocable.proxy],
    [
      "throwing getter",
      {
        get id() {
          throw new Error("getter");
        },
        email: "a@b.c",
      },
    ],
    [
      "throwing getter in array",
      [
        {
          get email() {
            throw new Error("getter");
          },
        },
      ],
    ],
    ["cyclic", cyclic],
    ["cyclic array", cyclicArray],
    ["5,000-deep", deep(5000)],
    ["{length: -1}", { length: -1 }],
    ["10 MB string", BIG],
    ["function", () => 1],
    ["Uint8Array", new Uint8Array([0xff, 0xfe, 0])],
  ];
}

// ---- the package's own list of entry points ----
function entryPoints() {
  const out = [];
  for (const [name, value] of Object.entries(usersync)) {
    if (name === "default" || typeof value !== "function") continue;
    const cls = table.classes[name];
    if (cls) {
      out.push({ where: `new ${name}`, sig: cls.ctor, kind: "new", cls: value });
      for (const s of Object.getOwnPropertyNames(value)) {
        if (
          typeof value[s] !== "function" ||
          ["length", "name", "prototype"].includes(s) ||
          s.startsWith("__")
        )
          continue;
        out.push({
          where: `${name}.${s}`,
          sig: cls.statics[s],
          kind: "static",
          cls: value,
          method: s,
        });
      }
      for (const m of Object.getOwnPropertyNames(value.prototype)) {
        if (m === "constructor" || m === "free" || m.startsWith("__")) continue;
        out.push({
          where: `${name}.${m}`,
          sig: cls.methods[m],
          kind: "method",
          cls: value,
          method: m,
        });
      }
    } else {
      out.push({ where: name, sig: table.functions[name], kind: "function", fn: value });
    }
  }
  return out;
}

const instances = {
  Engine: () => new Engine(),
  BulkJob: () => new BulkJob(16, 16),
};

function invoke(entry, args, receiver) {
  if (entry.kind === "new") return new entry.cls(...args);
  if (entry.kind === "static") return entry.cls[entry.method](...args);
  if (entry.kind === "method") return entry.cls.prototype[entry.method].apply(receiver, args);
  return entry.fn(...args);
}

/** Runs one call; returns the thrown error (or undefined), failing on anything uncoded. */
async function attempt(entry, args, receiver, label) {
  let thrown;
  try {
    const result = invoke(entry, args, receiver);
    if (result && typeof result.then === "function") await result;
    if (result && typeof result.free === "function" && entry.kind !== "method") result.free();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) return undefined;
  assert.ok(
    !(thrown instanceof WebAssembly.RuntimeError),
    `${label}: RuntimeError ${thrown?.message}`,
  );
  assert.ok(
    isUsersyncError(thrown),
    `${label}: not a UsersyncError: ${thrown?.name}: ${String(thrown?.message).slice(0, 300)}`,
  );
  assert.equal(typeof thrown.code, "string", `${label}: no code`);
  assert.ok(
    thrown.message.length < 1024,
    `${label}: message of ${thrown.message.length} characters`,
  );
  return thrown;
}

function stillAnswers(engine, label) {
  assert.equal(usersync.emailKey("Ana@Example.com").key, "ana@example.com", `${label}: emailKey`);
  assert.ok(Array.isArray(engine.units()), `${label}: units on the same engine`);
  assert.ok(Array.isArray(engine.auditLog()), `${label}: auditLog on the same engine`);
  // The sweep may have restored an empty snapshot into it: a coded not_found is an answer.
  try {
    assert.ok(Array.isArray(engine.status(unit)));
  } catch (e) {
    assert.ok(isUsersyncError(e) && e.code === "not_found", `${label}: status: ${e?.message}`);
  }
  const fresh = new Engine();
  assert.ok(Array.isArray(fresh.units()), `${label}: a fresh engine`);
  fresh.free();
}

test("every export the package has is in the guard's table", () => {
  const entries = entryPoints();
  for (const e of entries) assert.ok(e.sig, `${e.where} has no parameter table (not guarded)`);
  assert.ok(entries.length >= 50, `only ${entries.length} entry points found`);
});

test("garbage in every argument position: coded errors only, and every instance keeps answering", async () => {
  const entries = entryPoints();
  const engine = new Engine();
  let calls = 0;
  const codes = {};
  for (const entry of entries) {
    const receiverOf = () =>
      entry.kind === "method"
        ? entry.cls === Engine
          ? engine
          : instances[entry.cls.name]()
        : undefined;
    const valid = entry.sig.params.map((p) => validValue(entry.where, p));
    // Missing arguments altogether, then garbage in each position in turn.
    const cases = [["no arguments", []]];
    for (let i = 0; i < entry.sig.params.length; i++) {
      for (const [what, value] of garbage()) {
        const args = valid.slice();
        args[i] = value;
        cases.push([`${entry.sig.params[i].name} = ${what}`, args]);
      }
    }
    for (const [what, args] of cases) {
      const receiver = receiverOf();
      const label = `${entry.where}(${what})`;
      const thrown = await attempt(entry, args, receiver, label);
      calls++;
      if (thrown) codes[thrown.code] = (codes[thrown.code] ?? 0) + 1;
      if (receiver && receiver !== engine) receiver.free();
      if (entry.kind === "method" && entry.cls === Engine) stillAnswers(engine, label);
    }
    // A method called on a freed instance, or on something that is not one.
    if (entry.kind === "method") {
      const gone = instances[entry.cls.name]();
      gone.free();
      const label = `${entry.where} on a freed instance`;
      assert.equal((await attempt(entry, valid, gone, label))?.code, "invalid_input", label);
      assert.equal(
        (await attempt(entry, valid, {}, `${entry.where} on {}`))?.code,
        "invalid_input",
      );
      calls += 2;
    }
    stillAnswers(engine, entry.where);
  }
  engine.free();
  engine.free(); // twice: nothing happens
  process.stdout.write(
    `# sweep: ${entries.length} entry points, ${calls} calls; codes ${JSON.stringify(codes)}\n`,
  );
  assert.ok(calls > 1000);
});

test("a 10 MB string in every string parameter and string field gives a message under 1 KB", async () => {
  let calls = 0;
  const engine = new Engine();
  for (const entry of entryPoints()) {
    const valid = entry.sig.params.map((p) => validValue(entry.where, p));
    for (let i = 0; i < valid.length; i++) {
      const variants = [];
      if (entry.sig.params[i].kinds.includes("string")) variants.push(BIG);
      const v = valid[i];
      // Each string field of a valid object or record, one at a time.
      const records = Array.isArray(v)
        ? v.filter((r) => r && typeof r === "object" && !ArrayBuffer.isView(r))
        : [];
      const target =
        v && typeof v === "object" && !Array.isArray(v) && !ArrayBuffer.isView(v) ? v : records[0];
      if (target) {
        for (const [k, field] of Object.entries(target)) {
          if (typeof field !== "string") continue;
          const changed = { ...target, [k]: BIG };
          variants.push(target === v ? changed : [changed]);
        }
      }
      for (const value of variants) {
        const args = valid.slice();
        args[i] = value;
        const receiver =
          entry.kind === "method"
            ? entry.cls === Engine
              ? engine
              : instances[entry.cls.name]()
            : undefined;
        await attempt(entry, args, receiver, `${entry.where}(${entry.sig.params[i].name} = 10 MB)`);
        if (receiver && receiver !== engine) receiver.free();
        calls++;
      }
    }
  }
  stillAnswers(engine, "after the 10 MB strings");
  process.stdout.write(`# 10 MB strings: ${calls} calls\n`);
  assert.ok(calls > 50);
});

// ---- a property loop for the guard's plain-data walk ----

/** A small seeded generator (mulberry32), so a failure can be replayed from its seed. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random JSON-like data (what a careful caller passes), up to `depth` levels. */
function plainValue(r, depth) {
  const pick = Math.floor(r() * (depth > 0 ? 8 : 5));
  switch (pick) {
    case 0:
      return Math.floor(r() * 1000) - 500;
    case 1:
      return ["", "ana@example.com", "ANA@EXAMPLE.COM", "\u{1F600}", "\ud800", "__proto__"][
        Math.floor(r() * 6)
      ];
    case 2:
      return r() < 0.5;
    case 3:
      return null;
    case 4:
      return undefined;
    case 5:
    case 6: {
      const o = {};
      const keys = [
        "id",
        "email",
        "firstName",
        "status",
        "businessUnitId",
        "__proto__",
        "constructor",
        "x y",
      ];
      for (let i = Math.floor(r() * 5); i > 0; i--) {
        Object.defineProperty(o, keys[Math.floor(r() * keys.length)], {
          value: plainValue(r, depth - 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return o;
    }
    default:
      return Array.from({ length: Math.floor(r() * 4) }, () => plainValue(r, depth - 1));
  }
}

/** Plain data with one hostile part buried somewhere in it. */
function hostileValue(r) {
  const root = plainValue(r, 4);
  const holder = root && typeof root === "object" ? root : { root };
  const hostile = garbage().filter(([what]) => what !== "10 MB string")[Math.floor(r() * 20)][1];
  let at = holder;
  for (let d = Math.floor(r() * 3); d > 0; d--) {
    const next = {};
    at[`k${d}`] = next;
    at = next;
  }
  at.bad = hostile;
  return holder;
}

test("the plain-data walk: plain values pass unchanged, hostile ones give coded errors (property loop)", () => {
  // The raw glue's free functions are not patched, so they give the unguarded answer.
  const raw = require("../../pkg/node/usersync_raw.cjs");
  const seed = Number(process.env.SWEEP_SEED ?? 17);
  const r = rng(seed);
  const engine = new Engine();
  const ITERATIONS = 1500;
  let same = 0;
  for (let n = 0; n < ITERATIONS; n++) {
    const records = Array.from({ length: 1 + Math.floor(r() * 4) }, () => plainValue(r, 3));
    // Same data, same answer: the copy the guard hands Rust is the value the caller gave.
    const guarded = usersync.intakeSourceUsers(records);
    assert.deepEqual(guarded, raw.intakeSourceUsers(records), `seed ${seed}, iteration ${n}`);
    same++;
    const bad = hostileValue(r);
    for (const call of [
      () => engine.setSchedule(unit, bad),
      () => engine.loadSourceUsers(unit, [sourceUser, bad]),
      () => usersync.emailKey("ana@example.com", bad),
      () => engine.include(unit, { id: "admin", permissions: [bad] }, "u1", NOW),
    ]) {
      try {
        call();
      } catch (e) {
        assert.ok(
          isUsersyncError(e),
          `seed ${seed}, iteration ${n}: ${e?.name}: ${String(e?.message).slice(0, 200)}`,
        );
      }
    }
  }
  stillAnswers(engine, `seed ${seed}`);
  assert.equal(same, ITERATIONS);
});

test("a trap escaping the glue is named as a usersync bug, with the trap as its cause", () => {
  // The checking code is inlined in the generated module; take it from there.
  const source = readFileSync(
    fileURLToPath(new URL("../../pkg/node/usersync.cjs", import.meta.url)),
    "utf8",
  );
  const start = source.indexOf("// ---- usersync argument guard");
  const end = source.indexOf("// ---- end of the usersync argument guard");
  assert.ok(start >= 0 && end > start, "the generated module holds the guard");
  const guardCall = new Function(`${source.slice(start, end)}; return guardCall;`)();
  const sig = {
    params: [{ name: "text", optional: false, kinds: ["string"] }],
    async: false,
    predicate: false,
  };
  const trap = new WebAssembly.RuntimeError("unreachable");
  const call = guardCall(
    "demo",
    sig,
    () => {
      throw trap;
    },
    {},
  );
  assert.throws(
    () => call("x"),
    (e) =>
      e.name === "UsersyncInternalError" &&
      e.cause === trap &&
      /demo failed inside WebAssembly/.test(e.message),
  );
  // A coded error and a caller's own exception pass through untouched.
  const own = new TypeError("the caller's callback");
  assert.throws(
    () =>
      guardCall(
        "demo",
        sig,
        () => {
          throw own;
        },
        {},
      )("x"),
    (e) => e === own,
  );
  assert.throws(
    () => call(1),
    (e) => isUsersyncError(e) && e.code === "invalid_input" && /parameter 'text'/.test(e.message),
  );
});
