// The bulk API and `usersync match` through the built package: sample files, a generated
// 20,000 x 20,000 job, CSV output safety, the JSON shape, rejected lines, input_too_large.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as usersync from "../../pkg/node/usersync.mjs";
import { generate } from "../bench/gen.mjs";

const fixture = (name) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
const cli = fileURLToPath(new URL("../../pkg/cli/usersync.mjs", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "usersync-bulk-"));

test("matchBulk on the sample files: the JSON shape, counts, and rejected records with lines", () => {
  const events = [];
  const text = usersync.matchBulk(
    fixture("cxone-users.ndjson"),
    fixture("ringcentral-directory.json"),
    { refreshed: fixture("ringcentral-refetch.json") },
    (p) => events.push(p),
  );
  assert.equal(typeof text, "string");
  const report = JSON.parse(text);
  assert.deepEqual(Object.keys(report), ["summary", "users", "rejected"]);
  for (const u of report.users)
    assert.deepEqual(Object.keys(u), ["id", "status", "reason", "externalId", "method"]);
  const { byStatus, byReason } = report.summary;
  assert.equal(
    byStatus.mapped + byStatus.unmapped + byStatus.skipped + byStatus.excluded,
    report.users.length,
  );
  assert.equal(
    Object.values(byReason).reduce((a, b) => a + b, 0),
    byStatus.unmapped + byStatus.skipped,
  );
  assert.ok(report.rejected.length > 0);
  for (const r of report.rejected) {
    assert.deepEqual(Object.keys(r), ["side", "line", "id", "field", "code", "message"]);
    assert.ok(Number.isInteger(r.line) && r.line >= 1);
  }
  assert.equal(events.at(-1).phase, "done");
  assert.deepEqual(events.at(-1).summary.byStatus, byStatus);
});

test("the bulk outcome equals the engine's for the sample files (retry without re-fetch)", () => {
  const src = fixture("cxone-users.ndjson");
  const ext = fixture("ringcentral-directory.json");
  const report = JSON.parse(usersync.matchBulk(src, ext));
  const mapped = report.users.filter((u) => u.status === "mapped");
  assert.ok(mapped.every((u) => u.method === "auto" && typeof u.externalId === "string"));
  assert.equal(
    new Set(mapped.map((u) => u.externalId)).size,
    mapped.length,
    "one account per user",
  );
});

test("BulkJob.runBytes gives the same report as run, as bytes in wasm memory, for each run", () => {
  const src = fixture("cxone-users.ndjson");
  const ext = fixture("ringcentral-directory.json");
  const job = new usersync.BulkJob(src.length, ext.length);
  try {
    job.source().set(src);
    job.external().set(ext);
    const text = job.run();
    const bytes = job.runBytes();
    assert.ok(bytes instanceof Uint8Array);
    assert.equal(new TextDecoder().decode(bytes), text);
    assert.equal(text, usersync.matchBulk(src, ext));
    // A second run replaces the report: the new view holds the CSV, whole.
    const csv = new TextDecoder().decode(job.runBytes({ output: "csv" }));
    assert.equal(csv, usersync.matchBulk(src, ext, { output: "csv" }));
  } finally {
    job.free();
  }
});

test("CSV output is formula-safe and one row per user", () => {
  const src = Buffer.from(
    'id,email,permissions\n=cmd|calc,a@x.com,UserMapping.Map\n"-1,2",b@x.com,UserMapping.Map\n',
  );
  const ext = Buffer.from('[{"id":"@SUM(A1)","email":"a@x.com"},{"id":"+e2","email":"B@X.com"}]');
  const csv = usersync.matchBulk(src, ext, { output: "csv" });
  const lines = csv.trim().split("\n");
  assert.equal(
    lines[0],
    "id,status,reason,externalId,method,matchedBy,side,line,field,code,message",
  );
  assert.equal(lines.length, 3);
  assert.ok(lines.includes(`"'-1,2",mapped,,'+e2,auto,email,,,,,`), csv);
  assert.ok(lines.includes(`'=cmd|calc,mapped,,'@SUM(A1),auto,email,,,,,`), csv);
});

test("a generated 20,000 x 20,000 job: every user reported, invalid addresses named", async () => {
  const { source, external } = await generate(20000, join(tmp, "gen"));
  const t = performance.now();
  const report = JSON.parse(usersync.matchBulk(readFileSync(source), readFileSync(external)));
  const ms = performance.now() - t;
  assert.equal(report.users.length, 20000);
  const s = report.summary;
  assert.ok(s.byStatus.mapped > 12000, JSON.stringify(s));
  assert.ok(
    s.byReason.invalid_email > 0 && s.byReason.multiple_matches > 0 && s.byReason.no_match > 0,
  );
  assert.ok(ms < 5000, `took ${ms} ms`);
});

test("input_too_large is a coded error and the instance survives it", () => {
  assert.throws(
    () => usersync.matchBulk(new Uint8Array(100), new Uint8Array(100), { memoryLimit: 1024 }),
    (e) => {
      assert.ok(e instanceof Error);
      assert.equal(e.code, "input_too_large");
      return true;
    },
  );
  assert.throws(
    () => new usersync.BulkJob(3e9, 3e9),
    (e) => e.code === "input_too_large",
  );
  assert.throws(
    () => usersync.bulkMemoryEstimate(2e9, 2e9),
    (e) => e.code === "input_too_large",
  );
  assert.ok(usersync.bulkMemoryEstimate(1e6, 1e6) > 2e6);
  const again = JSON.parse(
    usersync.matchBulk(fixture("cxone-users.ndjson"), fixture("ringcentral-directory.json")),
  );
  assert.ok(again.users.length > 0, "later calls still work");
});

// In a child process of its own, so that the WebAssembly memory it measures is this job's.
const denseJob = `
const usersync = require(process.argv[1]);
const n = 100000;
const rows = (head, f) => Buffer.from(head + Array.from({ length: n }, (_, i) => f(i)).join("\\n") + "\\n");
const src = rows("id,email,permissions\\n", (i) => "u" + i + "," + i + "@x.co,UserMapping.Map");
const ext = rows("id,email\\n", (i) => "e" + i + "," + i + "@X.co");
const job = new usersync.BulkJob(src.length, ext.length);
job.source().set(src);
job.external().set(ext);
let refused;
try { job.runBytes({ memoryLimit: 1 }); } catch (e) { refused = e; }
const report = JSON.parse(new TextDecoder().decode(job.runBytes()));
const peak = job.source().buffer.byteLength;
job.free();
console.log(JSON.stringify({ code: refused && refused.code, message: refused && refused.message, peak, mapped: report.summary.byStatus.mapped }));
`;

test("dense short rows: the memory a job takes stays within its estimate; a refused run leaves the job usable", () => {
  const pkgMain = fileURLToPath(new URL("../../pkg/node/usersync.cjs", import.meta.url));
  const r = spawnSync(process.execPath, ["-e", denseJob, pkgMain], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.code, "input_too_large");
  const need = Number(/need about (\d+) MiB/.exec(out.message)?.[1]);
  assert.ok(need > 0, out.message);
  // After the refusal, the same job (same instance) runs to the end.
  assert.equal(out.mapped, 100000);
  // WebAssembly memory only grows, so its size now is the job's peak.
  assert.ok(out.peak <= (need + 1) * 2 ** 20, `peak ${out.peak >> 20} MiB, estimate ${need} MiB`);
});

test("a file unreadable as a whole throws invalid_input", () => {
  assert.throws(
    () => usersync.matchBulk(Buffer.from("[{"), Buffer.from("[]"), { sourceFormat: "json" }),
    (e) => e.code === "invalid_input",
  );
});

function run(args) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
}

test("usersync match: csv with --map, json by default, exit codes and --help", () => {
  const src = fixture("cxone-users.csv");
  const csvOut = run([
    "match",
    "--source",
    fileURLToPath(new URL("../fixtures/cxone-users.csv", import.meta.url)),
    "--external",
    fileURLToPath(new URL("../fixtures/ringcentral-directory.json", import.meta.url)),
    "--map",
    "email=Email",
    "--format",
    "csv",
    "--quiet",
  ]);
  assert.equal(csvOut.status, 0, csvOut.stderr);
  assert.equal(csvOut.stderr, "");
  assert.match(
    csvOut.stdout,
    /^id,status,reason,externalId,method,matchedBy,side,line,field,code,message\n/,
  );
  assert.match(csvOut.stdout, /u-bob,mapped,,/);
  // The record without an id is in the CSV too, as a rejected row naming its line.
  assert.match(csvOut.stdout, /\n,rejected,,,,,source,8,id,missing_field,line 8: has no id\n/);
  assert.ok(src.length > 0);

  const out = join(tmp, "report.json");
  const json = run([
    "match",
    "--source",
    fileURLToPath(new URL("../fixtures/cxone-users.ndjson", import.meta.url)),
    "--external",
    fileURLToPath(new URL("../fixtures/ringcentral-directory.json", import.meta.url)),
    "--refetch",
    fileURLToPath(new URL("../fixtures/ringcentral-refetch.json", import.meta.url)),
    "--out",
    out,
  ]);
  assert.equal(json.status, 0, json.stderr);
  const report = JSON.parse(readFileSync(out, "utf8"));
  assert.ok(report.summary.refreshed);
  assert.match(json.stderr, /users: \d+ mapped/);

  writeFileSync(join(tmp, "x.txt"), "id\n");
  assert.equal(run(["match", "--source", join(tmp, "x.txt"), "--external", out]).status, 2);
  assert.equal(run(["match", "--source", out]).status, 2);
  assert.equal(run(["match", "--source", join(tmp, "missing.csv"), "--external", out]).status, 1);
  writeFileSync(join(tmp, "broken.json"), "[{");
  assert.equal(run(["match", "--source", join(tmp, "broken.json"), "--external", out]).status, 1);
  const help = run(["match", "--help"]);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage:/);
});
