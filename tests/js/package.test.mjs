// The built package as a user gets it: `import` and `require`, coded errors, and no input
// that traps the instance.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import * as esm from "../../pkg/node/usersync.mjs";

const require = createRequire(import.meta.url);
const cjs = require("../../pkg/node/usersync.cjs");
const fixture = (name) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));

test("the package loads with import and with require, through its exports map", () => {
  assert.equal(typeof esm.emailKey, "function");
  assert.equal(typeof cjs.emailKey, "function");
  assert.equal(esm.version(), cjs.version());
  const pkg = JSON.parse(readFileSync(new URL("../../pkg/package.json", import.meta.url)));
  assert.equal(pkg.exports["."].node.import.default, "./node/usersync.mjs");
});

test("emailKey normalises once, in Rust", () => {
  assert.equal(esm.emailKey("  Ann.Lee@Bücher.de ").key, "ann.lee@xn--bcher-kva.de");
  assert.equal(esm.emailKey("a@xn--bcher-kva.de").key, esm.emailKey("a@bücher.de").key);
  assert.notEqual(esm.emailKey("a@faß.de").key, esm.emailKey("a@fass.de").key);
  assert.match(esm.emailKey("\u212Aim@example.com").confusable ?? "", /./);
});

test("errors are Error instances with a stable code and the field", () => {
  for (const bad of ["a\u200Bb@example.com", "a\uD800@example.com", "no-at-sign", "a@@b.com"]) {
    assert.throws(
      () => esm.emailKey(bad),
      (e) => {
        assert.ok(e instanceof Error);
        assert.equal(e.name, "UsersyncError");
        assert.equal(e.code, "invalid_email");
        assert.equal(e.field, "email");
        assert.ok(esm.isUsersyncError(e));
        assert.ok(typeof e.stack === "string");
        return true;
      },
    );
  }
  assert.equal(esm.isUsersyncError(new Error("x")), false);
  assert.equal(esm.isUsersyncError({ name: "UsersyncError", code: "x" }), false);
});

test("intake of the sample file names every rejected record with its line", () => {
  const { records, report } = esm.parseSourceUsers(fixture("cxone-users.ndjson"), "ndjson");
  assert.equal(report.received, records.length + report.rejected.length);
  const codes = new Set(report.rejected.map((r) => r.code));
  assert.deepEqual([...codes].sort(), [
    "duplicate_id_conflict",
    "invalid_input",
    "missing_field",
    "superseded",
  ]);
  for (const r of report.rejected) assert.equal(typeof r.line, "number");
  const csv = esm.parseSourceUsers(fixture("cxone-users.csv"), "csv", {
    columns: [{ field: "email", header: "Email" }],
  });
  assert.equal(csv.records[1].email.trim(), "Bob.Stone@Example.COM");
  assert.equal(csv.report.rejected[0].code, "missing_field");
});

test("__proto__ in input JSON never pollutes objects", () => {
  const input = JSON.parse('[{"id":"p","__proto__":{"isAdmin":true},"email":"p@x.com"}]');
  const { records } = esm.intakeSourceUsers(input);
  assert.equal(records.length, 1);
  assert.equal(records[0].isAdmin, undefined);
  assert.equal({}.isAdmin, undefined);
});

// Every exported function, fed garbage: it may return or throw a coded Error, never trap.
test("garbage to every exported function leaves the instance answering", async () => {
  const garbage = [
    undefined,
    null,
    0,
    -1,
    1e308,
    NaN,
    "",
    "\uD800",
    "x".repeat(100_000),
    [],
    [null],
    [1, "a", {}],
    {},
    { id: {} },
    { __proto__: { id: 1 } },
    new Uint8Array([0xff, 0xfe, 0x00]),
    Symbol("s"),
    () => 1,
    10n,
  ];
  const fns = Object.entries(esm).filter(
    ([, f]) => typeof f === "function" && !/^[A-Z]/.test(f.name),
  );
  assert.ok(fns.length >= 8, "exports found");
  const check = (name, e) => {
    assert.ok(e instanceof Error, `${name} threw a non-Error: ${String(e)}`);
    assert.ok(!(e instanceof WebAssembly.RuntimeError), `${name} trapped: ${e.message}`);
    if (e.name === "UsersyncError") assert.equal(typeof e.code, "string");
  };
  const pending = [];
  for (const [name, fn] of fns) {
    for (const a of garbage) {
      for (const b of [undefined, a, "json", "ndjson", "csv"]) {
        try {
          const out = fn(a, b, a);
          // Async exports (the connectors) must reject with coded Errors too.
          if (out instanceof Promise)
            pending.push(
              out.then(
                () => {},
                (e) => check(name, e),
              ),
            );
        } catch (e) {
          check(name, e);
        }
      }
    }
  }
  await Promise.all(pending);
  assert.equal(esm.emailKey("Still@Works.example").key, "still@works.example");
  assert.equal(esm.intakeSourceUsers([{ id: "ok" }]).report.accepted, 1);
});

const pkgFile = (path) => new URL(`../../pkg/${path}`, import.meta.url);

test("the Node and web builds share one wasm file", () => {
  assert.throws(() => readFileSync(pkgFile("node/usersync_bg.wasm")), { code: "ENOENT" });
  // The wasm-bindgen glue sits behind the argument guard, as usersync_raw.cjs.
  const glue = readFileSync(pkgFile("node/usersync_raw.cjs"), "utf8");
  assert.match(glue, /\$\{__dirname\}\/\.\.\/web\/usersync_bg\.wasm/);
  const idGlue = readFileSync(pkgFile("identity/node/identity_raw.cjs"), "utf8");
  assert.match(idGlue, /\$\{__dirname\}\/\.\.\/web\/identity_bg\.wasm/);
});

test("usersync/identity is its own small module and keys addresses as the engine does", async () => {
  const identity = await import("../../pkg/identity/node/identity.mjs");
  assert.equal(typeof identity.Engine, "undefined", "the engine is not in the identity module");
  for (const email of ["  Ann.Lee@Bücher.de ", "a@xn--bcher-kva.de", "\u212Aim@example.com"]) {
    assert.deepEqual(identity.emailKey(email), esm.emailKey(email), email);
  }
  assert.throws(
    () => identity.emailKey("no-at-sign"),
    (e) => identity.isUsersyncError(e) && e.code === "invalid_email",
  );
  const engineWasm = readFileSync(pkgFile("web/usersync_bg.wasm"));
  const identityWasm = readFileSync(pkgFile("identity/web/identity_bg.wasm"));
  assert.ok(
    identityWasm.length < engineWasm.length / 2,
    `${identityWasm.length} vs ${engineWasm.length}`,
  );
});

test("the published types read as TypeScript: no Rust doc-link brackets", () => {
  for (const file of ["node/usersync.d.mts", "web/usersync.d.ts", "identity/web/identity.d.ts"]) {
    const text = readFileSync(pkgFile(file), "utf8");
    assert.deepEqual(
      text.split("\n").filter((l) => /\[`[^`\]]+`\]/.test(l)),
      [],
      file,
    );
  }
});
