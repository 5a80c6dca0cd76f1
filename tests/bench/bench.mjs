// The bulk benchmark (a script, not a test): `make bench`, or
//   node tests/bench/bench.mjs [--sizes 100000,1000000] [--reps 5] [--shapes csv,ndjson] [--out BENCHMARKS.md]
// For each size N and input shape (CSV users + JSON-array accounts; NDJSON both) it generates
// N x N directories (tests/bench/gen.mjs, deterministic), then runs the contenders
// interleaved (rep 1 of each, rep 2 of each, ...: the host's drift falls on all alike), each
// run its own process, and reports medians:
//   - usersync match (CLI): `node pkg/cli/usersync.mjs match ... --out FILE`, timed from
//     process start to exit (report written), peak RSS from /usr/bin/time;
//   - usersync match, worker threads / one thread: the same with `--threads 2` / `--threads 1`
//     (the default row picks one of the two by input size and load);
//   - TS Map join: tests/bench/ts-join.mjs, the join a user would write by hand, same span;
//   - native Rust: the same core compiled natively (tests/bench/bench_native.rs), same span;
//   - BulkJob in process: the CLI's path inside one Node process, with time per phase;
//   - cold vs warm: one process running the BulkJob twice (the second reuses the instance).
// Timings on a shared machine are noisy: the load average is recorded before and after, CPU
// time (user + system) is shown beside wall time, and per-change decisions should use
// instruction counts or a profile of bench_native, not this.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, writeFileSync, statSync, mkdirSync } from "node:fs";
import { cpus, totalmem, release, loadavg } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "./gen.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pkg = join(root, "pkg", "node", "usersync.cjs");
const cli = join(root, "pkg", "cli", "usersync.mjs");

async function child(mode, src, ext) {
  const { createRequire } = await import("node:module");
  const { openSync, readSync, closeSync } = await import("node:fs");
  const usersync = createRequire(import.meta.url)(pkg);
  const once = () => {
    const t = performance.now();
    const phases = {};
    let phase = "read_files",
      since = t;
    const job = new usersync.BulkJob(statSync(src).size, statSync(ext).size);
    for (const [path, view] of [
      [src, job.source()],
      [ext, job.external()],
    ]) {
      const fd = openSync(path, "r");
      for (let done = 0; done < view.length;)
        done += readSync(fd, view, done, view.length - done, done);
      closeSync(fd);
    }
    const report = job.runBytes(undefined, (p) => {
      if (p.phase === phase) return;
      const now = performance.now();
      phases[phase] = now - since;
      [phase, since] = [p.phase, now];
    });
    const out = [performance.now() - t, report.length, phases];
    job.free();
    return out;
  };
  if (mode === "job") {
    const [ms, bytes, phases] = once();
    console.log(
      JSON.stringify({ ms, phases, maxRssKiB: process.resourceUsage().maxRSS, outputBytes: bytes }),
    );
  } else {
    const [cold] = once();
    const [warm] = once();
    console.log(
      JSON.stringify({ ms: warm, coldMs: cold, maxRssKiB: process.resourceUsage().maxRSS }),
    );
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs `cmd args` under /usr/bin/time: wall ms (spawn to exit), CPU ms (user + system,
 * every thread), peak RSS, and the fields of its JSON line. */
function timed(cmd, args) {
  const t = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "__RSS %M __CPU %U %S", cmd, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  const wall = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  const rss = Number(/__RSS (\d+)/.exec(r.stderr)?.[1] ?? 0);
  const cpu = /__CPU ([\d.]+) ([\d.]+)/.exec(r.stderr);
  const last = r.stdout.trim().split("\n").pop();
  const inner = last && last.startsWith("{") ? JSON.parse(last) : {};
  return {
    ...inner,
    wallMs: wall,
    cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN,
    maxRssKiB: rss || inner.maxRssKiB,
  };
}

async function main() {
  const argv = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : dflt;
  };
  const sizes = opt("--sizes", "100000,1000000").split(",").map(Number);
  const reps = Number(opt("--reps", "5"));
  const shapes = opt("--shapes", "csv,ndjson").split(",");
  const outFile = opt("--out", join(root, "BENCHMARKS.md"));
  const native = join(
    process.env.CARGO_TARGET_DIR ?? join(root, "target"),
    "release",
    "examples",
    "bench_native",
  );
  if (!existsSync(pkg)) throw new Error("build the package first (make build)");
  if (!existsSync(native))
    throw new Error(`build ${native} first (cargo build --release --example bench_native)`);
  const self = fileURLToPath(import.meta.url);
  const outDir = join(root, "tests", "output", "bench");
  mkdirSync(outDir, { recursive: true });
  const report = (name) => join(outDir, `report-${name}.out`);
  const load = { before: loadavg() };
  const rows = [];
  for (const n of sizes) {
    for (const shape of shapes) {
      const { source, external } = await generate(n, outDir, shape);
      const input = statSync(source).size + statSync(external).size;
      // The CLI as a user runs it, plus `extra` flags; its report goes to report-<name>.out.
      const cliMatch = (name, extra) => () =>
        timed("node", [
          cli,
          "match",
          "--source",
          source,
          "--external",
          external,
          "--format",
          "json",
          "--quiet",
          ...extra,
          "--out",
          report(name),
        ]);
      const contenders = [
        ["usersync match (CLI)", cliMatch("cli", [])],
        ["usersync match, worker threads (CLI)", cliMatch("cli2", ["--threads", "2"])],
        ["usersync match, one thread (CLI)", cliMatch("cli1", ["--threads", "1"])],
        [
          "TS Map join",
          () =>
            timed("node", [
              join(root, "tests", "bench", "ts-join.mjs"),
              source,
              external,
              report("ts"),
            ]),
        ],
        ["native Rust core", () => timed(native, [source, external, "json", report("native")])],
        ["BulkJob in process", () => timed("node", [self, "--child", "job", source, external])],
        [
          "BulkJob cold, then warm",
          () => timed("node", [self, "--child", "warm", source, external]),
        ],
      ];
      const runs = new Map(contenders.map(([name]) => [name, []]));
      for (let i = 0; i < reps; i++) {
        for (const [name, f] of contenders) runs.get(name).push(f());
      }
      const results = {};
      for (const [name, rs] of runs) {
        const phaseNames = Object.keys(rs[0].phases ?? {});
        results[name] = {
          wall: median(rs.map((r) => r.wallMs)),
          cpu: median(rs.map((r) => r.cpuMs)),
          inner: rs[0].ms === undefined ? null : median(rs.map((r) => r.ms)),
          cold: rs[0].coldMs === undefined ? null : median(rs.map((r) => r.coldMs)),
          rss: median(rs.map((r) => r.maxRssKiB)) * 1024,
          all: rs.map((r) => Math.round(r.wallMs)),
          phases: Object.fromEntries(
            phaseNames.map((p) => [p, median(rs.map((r) => r.phases?.[p] ?? 0))]),
          ),
        };
        process.stderr.write(
          `[bench] ${n} ${shape}: ${name}: ${Math.round(results[name].wall)} ms, ${(results[name].rss / 2 ** 20).toFixed(0)} MiB\n`,
        );
      }
      rows.push({ n, shape, input, results });
    }
  }
  load.after = loadavg();
  writeFileSync(outFile, markdown(rows, reps, sizes, shapes, load));
  process.stderr.write(`[bench] wrote ${outFile}\n`);
}

function markdown(rows, reps, sizes, shapes, load) {
  const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const ratio = (a, b) => (b > 0 && Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : "n/a");
  const la = (l) => l.map((x) => x.toFixed(2)).join(" / ");
  const rustc = (() => {
    try {
      return execFileSync("rustc", ["--version"], { encoding: "utf8" }).trim();
    } catch {
      return "rustc ?";
    }
  })();
  let md = `# Benchmarks: bulk matching\n\n`;
  md += `Reproduce: \`make bench\` (= \`node tests/bench/bench.mjs --sizes ${sizes.join(",")} --reps ${reps} --shapes ${shapes.join(",")}\` after a release build of the package and of \`tests/bench/bench_native.rs\`). This file is written by that script.\n\n`;
  md += `Machine: ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores, ${mib(totalmem())} RAM, Linux ${release()}, Node ${process.version}, ${rustc}. `;
  md += `Load average (1 / 5 / 15 min) before: ${la(load.before)}, after: ${la(load.after)}. The machine is shared with other jobs: wall times are noisy, so runs are interleaved and medians are shown, and CPU time (user + system, all threads) is given beside wall time; decide on a single change by CPU time or a profile of \`bench_native\`, not by wall time.\n\n`;
  md += `Inputs: \`tests/bench/gen.mjs\` (deterministic): "csv" = CXone users as CSV, external accounts as a JSON array; "ndjson" = the same records as NDJSON on both sides. ~80% of addresses on both sides, ~10% differing in case, some with surrounding spaces, ~1% duplicated on the external side, some invalid.\n\n`;
  md += `Each figure is the median of ${reps} interleaved runs, each in its own process. "End to end" is process start to exit with the report written to a file; RSS is the process's peak (\`/usr/bin/time\`).\n\n`;
  for (const r of rows) {
    md += `## ${r.n.toLocaleString("en")} x ${r.n.toLocaleString("en")}, ${r.shape} (input ${mib(r.input)})\n\n`;
    md += `| contender | end to end | CPU (user + sys) | in-process | runs, end to end (ms) | peak RSS | RSS / input |\n|---|---:|---:|---:|---|---:|---:|\n`;
    for (const [name, x] of Object.entries(r.results)) {
      md += `| ${name} | ${s(x.wall)} | ${s(x.cpu)} | ${x.inner === null ? "" : s(x.inner)} | ${x.all.join(", ")} | ${mib(x.rss)} | ${(x.rss / r.input).toFixed(2)}x |\n`;
    }
    const cli = r.results["usersync match (CLI)"];
    const ts = r.results["TS Map join"];
    const nat = r.results["native Rust core"];
    const job = r.results["BulkJob in process"];
    const warm = r.results["BulkJob cold, then warm"];
    md += `\nThree-way, end to end: the CLI is **${ratio(ts.wall, cli.wall)}** as fast as the TS join (goal >= 3x) and takes **${ratio(cli.wall, nat.wall)}** the native time (goal <= 1.3x); its peak RSS is **${ratio(cli.rss, r.input)}** the input (goal <= 2.5x). `;
    md += `By CPU time (what a loaded machine distorts least): **${ratio(ts.cpu, cli.cpu)}** the TS join, **${ratio(cli.cpu, nat.cpu)}** native. `;
    const one = r.results["usersync match, one thread (CLI)"];
    const two = r.results["usersync match, worker threads (CLI)"];
    if (one && two) {
      md += `The CLI reads the directory in a worker thread while it reads the CXone users (by default for inputs of 64 MiB and more when a core is free: the load average decides, so on this shared machine the default row may be either path); with \`--threads 1\` it takes ${s(one.wall)} (${s(one.cpu)} CPU), with \`--threads 2\` ${s(two.wall)} (${s(two.cpu)} CPU): the threads make it **${ratio(one.wall, two.wall)}** as fast end to end for **${ratio(two.cpu, one.cpu)}** the CPU time; with threads the CLI is **${ratio(ts.wall, two.wall)}** as fast as the TS join and takes **${ratio(two.wall, nat.wall)}** the native time. `;
    }
    md += `Cold first run ${s(warm.cold)}, warm second run in the same process ${s(warm.inner)}.\n\n`;
    const phases = Object.keys(job.phases);
    if (phases.length) {
      md += `Per phase (ms, median):\n\n| phase | BulkJob (wasm) | native |\n|---|---:|---:|\n`;
      for (const p of phases)
        md += `| ${p} | ${Math.round(job.phases[p])} | ${nat.phases[p] === undefined ? "" : Math.round(nat.phases[p])} |\n`;
      md += `\n`;
    }
  }
  return md;
}

if (process.argv[2] === "--child") await child(process.argv[3], process.argv[4], process.argv[5]);
else await main();
