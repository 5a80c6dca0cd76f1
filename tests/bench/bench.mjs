// The bulk benchmark (a script, not a test): `make bench`, or
//   node tests/bench/bench.mjs [--sizes 100000,1000000] [--reps 5] [--out BENCHMARKS.md]
// For each size N it generates N x N directories (tests/bench/gen.mjs, deterministic), then
// runs every contender in its own child process, --reps times, and reports the median time
// (file bytes read to report built) and the median peak RSS:
//   - usersync matchBulk: the package's bulk API, files read into Buffers and passed in;
//   - usersync BulkJob: files read straight into WebAssembly memory and the report left there as
//     bytes (`runBytes`, what `usersync match` does);
//   - TS Map join: tests/bench/ts-join.mjs, the join a user would write by hand;
//   - native Rust: the same core compiled natively (tests/bench/bench_native.rs).
// Cold vs warm: one more child per size runs matchBulk twice in one process.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync, statSync } from "node:fs";
import { cpus, totalmem, release } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "./gen.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pkg = join(root, "pkg", "node", "usersync.cjs");

async function child(mode, src, ext) {
  const { createRequire } = await import("node:module");
  const usersync = createRequire(import.meta.url)(pkg);
  const runApi = () => {
    const t = performance.now();
    const report = usersync.matchBulk(readFileSync(src), readFileSync(ext));
    return [performance.now() - t, report.length];
  };
  let ms, bytes, extra = {};
  if (mode === "api") [ms, bytes] = runApi();
  else if (mode === "warm") {
    const [cold] = runApi();
    [ms, bytes] = runApi();
    extra = { coldMs: cold };
  } else if (mode === "job") {
    const { openSync, readSync, closeSync } = await import("node:fs");
    const t = performance.now();
    const job = new usersync.BulkJob(statSync(src).size, statSync(ext).size);
    for (const [path, view] of [[src, job.source()], [ext, job.external()]]) {
      const fd = openSync(path, "r");
      for (let done = 0; done < view.length; ) done += readSync(fd, view, done, view.length - done, done);
      closeSync(fd);
    }
    // The CLI path: the report stays in WebAssembly memory as UTF-8 bytes, ready to write.
    const report = job.runBytes();
    [ms, bytes] = [performance.now() - t, report.length];
    job.free();
  }
  console.log(JSON.stringify({ ms, maxRssKiB: process.resourceUsage().maxRSS, outputBytes: bytes, ...extra }));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

async function main() {
  const argv = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : dflt;
  };
  const sizes = opt("--sizes", "100000,1000000").split(",").map(Number);
  const reps = Number(opt("--reps", "5"));
  const outFile = opt("--out", join(root, "BENCHMARKS.md"));
  const native = join(process.env.CARGO_TARGET_DIR ?? join(root, "target"), "release", "examples", "bench_native");
  if (!existsSync(pkg)) throw new Error("build the package first (make build)");
  if (!existsSync(native)) throw new Error(`build ${native} first (cargo build --release --example bench_native)`);
  const self = fileURLToPath(import.meta.url);
  const rows = [];
  for (const n of sizes) {
    const { source, external } = await generate(n, join(root, "tests", "output", "bench"));
    const input = statSync(source).size + statSync(external).size;
    const contenders = [
      ["usersync matchBulk (wasm)", () => run("node", [self, "--child", "api", source, external])],
      ["usersync BulkJob (wasm, CLI path)", () => run("node", [self, "--child", "job", source, external])],
      ["TS Map join", () => run("node", [join(root, "tests", "bench", "ts-join.mjs"), source, external])],
      ["native Rust core", () => run(native, [source, external])],
    ];
    const results = {};
    for (const [name, f] of contenders) {
      const rs = [];
      for (let i = 0; i < reps; i++) rs.push(f());
      results[name] = { ms: median(rs.map((r) => r.ms)), rss: median(rs.map((r) => r.maxRssKiB)) * 1024, all: rs.map((r) => Math.round(r.ms)) };
      process.stderr.write(`[bench] ${n}: ${name}: ${Math.round(results[name].ms)} ms, ${(results[name].rss / 2 ** 20).toFixed(0)} MiB\n`);
    }
    const warm = [];
    for (let i = 0; i < reps; i++) warm.push(run("node", [self, "--child", "warm", source, external]));
    rows.push({ n, input, results, cold: median(warm.map((w) => w.coldMs)), warm: median(warm.map((w) => w.ms)) });
  }
  writeFileSync(outFile, report(rows, reps, sizes));
  process.stderr.write(`[bench] wrote ${outFile}\n`);
}

function report(rows, reps, sizes) {
  const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  const rustc = (() => { try { return execFileSync("rustc", ["--version"], { encoding: "utf8" }).trim(); } catch { return "rustc ?"; } })();
  let md = `# Benchmarks: bulk matching\n\n`;
  md += `Reproduce: \`make bench\` (= \`node tests/bench/bench.mjs --sizes ${sizes.join(",")} --reps ${reps}\` after a release build of the package and of \`tests/bench/bench_native.rs\`).\n\n`;
  md += `Machine: ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores (shared with other jobs while measured), ${mib(totalmem())} RAM, Linux ${release()}, Node ${process.version}, ${rustc}.\n\n`;
  md += `Inputs: \`tests/bench/gen.mjs\` (deterministic): CXone users as CSV, external accounts as a JSON array; ~80% of addresses on both sides, ~10% differing in case, some with surrounding spaces, ~1% duplicated on the external side, some invalid.\n`;
  md += `Each figure is the median of ${reps} runs, each in its own process; time is end to end (file bytes read to report built: a JS string, except BulkJob's, which is UTF-8 bytes left in wasm memory by \`runBytes\`, ready to write, as \`usersync match\` writes them); RSS is the process's peak.\n\n`;
  for (const r of rows) {
    md += `## ${r.n.toLocaleString("en")} x ${r.n.toLocaleString("en")} (input ${mib(r.input)})\n\n`;
    md += `| contender | median time | runs (ms) | peak RSS | RSS / input |\n|---|---:|---|---:|---:|\n`;
    for (const [name, x] of Object.entries(r.results)) {
      md += `| ${name} | ${(x.ms / 1000).toFixed(2)} s | ${x.all.join(", ")} | ${mib(x.rss)} | ${(x.rss / r.input).toFixed(2)}x |\n`;
    }
    const api = r.results["usersync matchBulk (wasm)"].ms;
    const job = r.results["usersync BulkJob (wasm, CLI path)"];
    const ts = r.results["TS Map join"].ms;
    const nat = r.results["native Rust core"].ms;
    md += `\nmatchBulk is ${(ts / api).toFixed(1)}x faster than the TS join and ${(api / nat).toFixed(2)}x native; BulkJob ${(ts / job.ms).toFixed(1)}x and ${(job.ms / nat).toFixed(2)}x. `;
    md += `Cold first call ${(r.cold / 1000).toFixed(2)} s, warm second call ${(r.warm / 1000).toFixed(2)} s (${(r.cold / r.warm).toFixed(2)}x).\n\n`;
  }
  return md;
}

if (process.argv[2] === "--child") await child(process.argv[3], process.argv[4], process.argv[5]);
else await main();
