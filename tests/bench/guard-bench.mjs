#!/usr/bin/env node
// What the argument guard costs on the largest JS input there is: `loadSourceUsers` with
// many flat records. Times the guarded call, the raw glue call (no guard, in a child process
// so the guard's patching of the classes does not reach it), and the guard's copy alone.
// A benchmark, not a test: numbers vary with the machine.
//
//   node tests/bench/guard-bench.mjs [records=1000000] [reps=3]
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const [, , countArg = "1000000", repsArg = "3", mode] = process.argv;
const count = Number(countArg);
const reps = Number(repsArg);
const pkgNode = fileURLToPath(new URL("../../pkg/node/", import.meta.url));

function records(n) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = {
      id: `u${i}`,
      email: `user${i}@example.com`,
      firstName: `First${i}`,
      lastName: "Last",
      businessUnitId: "bu-1",
      status: "active",
      userName: `user${i}`,
      teams: ["t1"],
    };
  }
  return out;
}

function time(f) {
  const start = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function load(modulePath) {
  const u = require(modulePath);
  const recs = records(count);
  const unit = { businessUnitId: "bu-1", platform: "ringcentral" };
  const ms = [];
  for (let r = 0; r < reps; r++) {
    const engine = new u.Engine();
    ms.push(time(() => engine.loadSourceUsers(unit, recs)));
    engine.free();
  }
  return ms;
}

if (mode === "--child") {
  process.stdout.write(JSON.stringify(load(`${pkgNode}usersync_raw.cjs`)));
} else {
  const guarded = load(`${pkgNode}usersync.cjs`);
  const child = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), countArg, repsArg, "--child"],
    {
      encoding: "utf8",
      maxBuffer: 1 << 20,
    },
  );
  if (child.status !== 0) throw new Error(child.stderr);
  const raw = JSON.parse(child.stdout);
  // The copy alone: the guard's walk, taken from the generated module's source.
  const source = readFileSync(`${pkgNode}usersync.cjs`, "utf8");
  const start = source.indexOf("// ---- usersync argument guard");
  const end = source.indexOf("// ---- end of the usersync argument guard");
  const guardPlain = new Function(`${source.slice(start, end)}; return guardPlain;`)();
  const recs = records(count);
  const copy = Array.from({ length: reps }, () =>
    time(() => guardPlain(recs, 0, { nodes: 0 }, [])),
  );
  const fmt = (ms) => ms.map((m) => m.toFixed(0)).join(", ");
  console.log(`loadSourceUsers, ${count} records, ${reps} reps (ms)`);
  console.log(`  guarded:        ${fmt(guarded)}`);
  console.log(`  raw glue:       ${fmt(raw)}`);
  console.log(`  guard copy only: ${fmt(copy)}`);
}
