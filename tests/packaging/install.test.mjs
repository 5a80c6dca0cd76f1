// The tarball installed into fresh Node projects, resolved through the package's exports map
// as users resolve it: ESM (`import`), CommonJS (`require`), and TypeScript with `strict`
// under both `moduleResolution` settings a project uses today (`node16`, `bundler`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, TSC, node, project } from "./harness.mjs";
import { CALLS, EXPECTED } from "./consumer.mjs";

const VERSION = JSON.parse(readFileSync(join(ROOT, "pkg/package.json"), "utf8")).version;
const lastLine = (out) => JSON.parse(out.trim().split("\n").pop());

test("Node ESM: `usersync` and `usersync/identity` through the exports map", () => {
  const dir = project("esm", {
    "package.json": JSON.stringify({ name: "esm", private: true, type: "module" }),
    "main.js": `import { Engine, emailKey, version } from "usersync";
import * as identity from "usersync/identity";
${CALLS}
console.log(JSON.stringify(result));`,
  });
  assert.deepEqual(lastLine(node(dir, "main.js")), { version: VERSION, ...EXPECTED });
});

test("Node CommonJS: require() of both entry points", () => {
  const dir = project("cjs", {
    "package.json": JSON.stringify({ name: "cjs", private: true, type: "commonjs" }),
    "main.js": `const { Engine, emailKey, version } = require("usersync");
const identity = require("usersync/identity");
${CALLS}
console.log(JSON.stringify(result));`,
  });
  assert.deepEqual(lastLine(node(dir, "main.js")), { version: VERSION, ...EXPECTED });
});

test("the bin is installed and answers --help", () => {
  const dir = project("bin", {});
  const out = execFileSync(join(dir, "node_modules/.bin/usersync"), ["--help"], {
    encoding: "utf8",
  });
  assert.match(out, /usersync/);
});

// A typed consumer: it must compile with no error under each resolution mode, and fail to
// compile when it misuses the API (so the types are really there, not `any`).
const TYPED = `import { Engine, emailKey, version, type UsersyncErrorCode, type EmailKey } from "usersync";
import * as identity from "usersync/identity";
${CALLS.replace('let code = "";', 'let code: UsersyncErrorCode | string = "";')}
const k: EmailKey = identity.emailKey("a@b.co");
export const out: string = JSON.stringify({ ...result, k: k.key });
`;
const MISUSE = `import { emailKey } from "usersync/identity";
export const n: number = emailKey("a@b.co").key;
`;

for (const [mode, compilerOptions] of [
  ["node16", { module: "node16", moduleResolution: "node16" }],
  ["bundler", { module: "esnext", moduleResolution: "bundler" }],
]) {
  test(`TypeScript strict, moduleResolution ${mode}: the types resolve and are checked`, () => {
    const tsconfig = (files) =>
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: "es2022",
          lib: ["es2022", "dom", "esnext.disposable"],
          types: [],
          skipLibCheck: false,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          ...compilerOptions,
        },
        files,
      });
    const dir = project(`ts-${mode}`, {
      "package.json": JSON.stringify({ name: `ts-${mode}`, private: true, type: "module" }),
      "tsconfig.json": tsconfig(["main.ts"]),
      "main.ts": TYPED,
      "tsconfig.misuse.json": tsconfig(["misuse.ts"]),
      "misuse.ts": MISUSE,
    });
    execFileSync(process.execPath, [TSC, "-p", "tsconfig.json"], { cwd: dir, encoding: "utf8" });
    assert.throws(
      () =>
        execFileSync(process.execPath, [TSC, "-p", "tsconfig.misuse.json"], {
          cwd: dir,
          encoding: "utf8",
        }),
      (e) => /TS2322/.test(String(e.stdout)),
      "a string assigned to a number must not compile",
    );
  });
}
