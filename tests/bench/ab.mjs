// Interleaved A/B of BulkJob between builds of the package (a script, not a test):
//   node tests/bench/ab.mjs [--n 1000000] [--reps 7] [--shape csv|ndjson] PKG_DIR_A PKG_DIR_B [...]
// Each PKG_DIR is a copy of `pkg/` (e.g. `cp -r pkg /tmp/pkg-before` before a change, then the
// same after rebuilding). Runs are interleaved (A, B, A, B, ...) so that the host's speed drift
// falls on every variant alike; each run is its own process, timed from the files' bytes read
// into the job to the report's bytes built (`runBytes`). Prints median time, median CPU time
// of the process (user + system: steadier than wall time on a shared machine) and peak RSS.
import { spawnSync } from "node:child_process";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "./gen.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  if (i < 0) return dflt;
  const [value] = argv.splice(i, 2).slice(1);
  return value;
};
const n = Number(opt("--n", "1000000"));
const reps = Number(opt("--reps", "7"));
const shape = opt("--shape", "csv");
const variants = argv.map((d) => resolve(d));
if (variants.length < 2) {
  console.error("usage: node tests/bench/ab.mjs [--n N] [--reps R] PKG_DIR_A PKG_DIR_B [...]");
  process.exit(2);
}

const child = `
const fs = require("node:fs");
const usersync = require(process.argv[1] + "/node/usersync.cjs");
const [src, ext] = process.argv.slice(2);
const t = performance.now();
const job = new usersync.BulkJob(fs.statSync(src).size, fs.statSync(ext).size);
for (const [path, view] of [[src, job.source()], [ext, job.external()]]) {
  const fd = fs.openSync(path, "r");
  for (let done = 0; done < view.length; ) done += fs.readSync(fd, view, done, view.length - done, done);
  fs.closeSync(fd);
}
const report = job.runBytes ? job.runBytes() : job.run();
const cpu = process.cpuUsage();
console.log(JSON.stringify({ ms: performance.now() - t, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKiB: process.resourceUsage().maxRSS, bytes: report.length }));
`;

const { source, external } = await generate(n, join(root, "tests", "output", "bench"), shape);
const results = new Map(variants.map((v) => [v, []]));
for (let i = 0; i < reps; i++) {
  for (const v of variants) {
    const r = spawnSync(process.execPath, ["-e", child, v, source, external], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${v}: ${r.stderr}`);
    results.get(v).push(JSON.parse(r.stdout));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [v, rs] of results) {
  console.log(
    `${v}: median ${Math.round(median(rs.map((r) => r.ms)))} ms (runs ${rs.map((r) => Math.round(r.ms)).join(", ")}), ` +
      `CPU ${Math.round(median(rs.map((r) => r.cpuMs)))} ms (runs ${rs.map((r) => Math.round(r.cpuMs)).join(", ")}), ` +
      `peak RSS ${Math.round(median(rs.map((r) => r.maxRssKiB)) / 1024)} MiB, report ${rs[0].bytes} bytes`,
  );
}
