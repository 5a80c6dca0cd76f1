#!/usr/bin/env node
// The package's size budgets, checked on pkg/ as built (sizes in KB of 1,000 bytes, gzip -9):
//   - the engine's wasm (shared by the Node and web builds) and the identity-only wasm, gzip;
//   - the npm tarball (`npm pack --dry-run --json`), and one copy of each wasm in it.
//
//   node .ci/budget.mjs           check: prints the figures, exits 1 when one is over budget
//   node .ci/budget.mjs --build [profile]   print the wasm figures only (every build; never
//                                           fails)
import { readFileSync, existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..", "pkg");
const KB = 1000;
// `target` is the goal; `ceiling` is what the check enforces today (the measured size plus a
// little room), so the package cannot grow while the work towards the target goes on. Lower
// a ceiling whenever a cut lands; `make size` shows where the bytes go.
export const BUDGETS = {
  "web/usersync_bg.wasm": {
    target: 400 * KB,
    // 1,003 KB measured with one conversion pair in the binding (it was 1,024 KB);
    // wasm-opt -Os/-Oz save under 1 KB here. `make size` shows the floor below the target.
    ceiling: 1015 * KB,
    what: "engine wasm (Node and web)",
  },
  "identity/web/identity_bg.wasm": {
    target: 150 * KB,
    ceiling: 365 * KB,
    what: "usersync/identity wasm",
  },
};
// 1,551 KB measured (the two wasm files are 1,363 KB of it).
export const TARBALL = { target: 1000 * KB, ceiling: 1570 * KB };

const fmt = (n) => `${(n / KB).toFixed(1)} KB`;
let over = 0;
const line = (ok, text) => {
  if (!ok) over++;
  console.error(`[size] ${ok ? "ok  " : "OVER"} ${text}`);
};

for (const [file, budget] of Object.entries(BUDGETS)) {
  const path = join(pkg, file);
  if (!existsSync(path)) {
    line(false, `${file}: missing`);
    continue;
  }
  const bytes = readFileSync(path);
  const gz = gzipSync(bytes, { level: 9 }).length;
  const goal =
    gz <= budget.target
      ? `target ${fmt(budget.target)} met`
      : `target ${fmt(budget.target)} not met yet: ${fmt(gz - budget.target)} over`;
  line(
    gz <= budget.ceiling,
    `${budget.what}: ${fmt(bytes.length)} raw, ${fmt(gz)} gzip (ceiling ${fmt(budget.ceiling)}; ${goal})`,
  );
}

const buildProfile = process.argv[process.argv.indexOf("--build") + 1];
if (process.argv.includes("--build") && buildProfile && buildProfile !== "release") {
  console.error(`[size] (a ${buildProfile} build: not optimised, so over budget is expected)`);
}

if (!process.argv.includes("--build")) {
  const [packed] = JSON.parse(
    execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: pkg,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }),
  );
  const tarGoal =
    packed.size <= TARBALL.target
      ? `target ${fmt(TARBALL.target)} met`
      : `target ${fmt(TARBALL.target)} not met yet: ${fmt(packed.size - TARBALL.target)} over`;
  line(
    packed.size <= TARBALL.ceiling,
    `npm tarball: ${fmt(packed.size)}, ${packed.entryCount} files, ${fmt(packed.unpackedSize)} unpacked (ceiling ${fmt(TARBALL.ceiling)}; ${tarGoal})`,
  );
  const wasm = packed.files
    .filter((f) => f.path.endsWith(".wasm"))
    .map((f) => f.path)
    .sort();
  const expected = Object.keys(BUDGETS).sort();
  line(
    JSON.stringify(wasm) === JSON.stringify(expected),
    `wasm files in the tarball: ${wasm.join(", ")} (expected ${expected.join(", ")})`,
  );
  const hashes = new Set(
    wasm.map((f) =>
      createHash("sha256")
        .update(readFileSync(join(pkg, f)))
        .digest("hex"),
    ),
  );
  line(hashes.size === wasm.length, "no wasm file is shipped twice");
  if (over > 0) {
    console.error(`[size] ${over} budget(s) exceeded; \`make size\` shows where the bytes go`);
    process.exit(1);
  }
}
