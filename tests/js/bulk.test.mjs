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

// A varied job: rejected records on every side (no id, a bad address, a repeated id with
// other fields), look-alike addresses (Cyrillic a, Kelvin sign, full-width letters), active
// flags and permissions, business units, renamed and quoted CSV columns, a re-fetch file.
function variedJob(dir, { otherUnit = false } = {}) {
  const src = ["User ID,Mail,permissions,active,businessUnitId"];
  const ext = [];
  const fresh = [];
  const emails = [
    "a@x.com",
    "A@X.com",
    " b@x.com ",
    "p\u0430ypal@x.com",
    "paypal@x.com",
    "\u212Aim@x.com",
    "kim@x.com",
    "\uFF41@x.com",
    "bad",
    "a..b@x.com",
    "",
    "d+tag@x.com",
    "u@b\u00FCcher.de",
    "u@xn--bcher-kva.de",
  ];
  for (let i = 0; i < 400; i++) {
    const e = i % 2 === 0 ? `n${i}@x.com` : emails[i % emails.length];
    const perm = i % 7 === 0 ? "" : "UserMapping.Map";
    const unit = otherUnit && i === 350 ? "elsewhere" : "bu";
    src.push(
      `${i % 53 === 0 ? "" : `u${i % 390}`},"${e}",${perm},${i % 11 === 0 ? "false" : "true"},${unit}`,
    );
    const rec = {
      id: `e${i % 395}`,
      email: i % 2 === 0 ? `N${i}@X.com` : emails[(i * 3) % emails.length],
      active: i % 13 !== 0,
    };
    ext.push(i % 61 === 0 ? `{"id": "e${i}", "email": 5}` : JSON.stringify(rec));
    if (i % 9 === 0)
      fresh.push(JSON.stringify({ id: `e${i}`, email: emails[(i + 1) % emails.length] }));
  }
  ext.push("{not json");
  fresh.push('{"email": "no-id@x.com"}');
  const paths = [
    join(dir, "varied-src.csv"),
    join(dir, "varied-ext.ndjson"),
    join(dir, "varied-fresh.ndjson"),
  ];
  writeFileSync(paths[0], src.join("\r\n") + "\r\n");
  writeFileSync(paths[1], ext.join("\n") + "\n");
  writeFileSync(paths[2], fresh.join("\n"));
  return paths;
}

test("usersync match in worker threads writes the report of one thread, byte for byte", () => {
  const [src, ext, fresh] = variedJob(tmp);
  const base = ["match", "--source", src, "--external", ext, "--map", "id=User ID,email=Mail"];
  const cases = [
    [...base, "--refetch", fresh, "--business-unit", "bu"],
    [...base, "--refetch", fresh, "--format", "csv"],
    [...base, "--format", "table"],
  ];
  for (const args of cases) {
    const one = run([...args, "--threads", "1"]);
    const two = run([...args, "--threads", "2"]);
    assert.equal(one.status, 0, one.stderr);
    assert.ok(one.stdout.length > 1000);
    assert.equal(two.status, one.status);
    assert.equal(two.stdout, one.stdout, args.join(" "));
    assert.equal(two.stderr, one.stderr);
  }
  const report = JSON.parse(run([...cases[0], "--threads", "2"]).stdout);
  assert.deepEqual(
    new Set(report.rejected.map((r) => r.side)),
    new Set(["source", "external", "refreshed"]),
  );
  const { byStatus, byReason } = report.summary;
  assert.ok(
    byStatus.mapped > 0 &&
      byReason.confusable > 0 &&
      byReason.invalid_email > 0 &&
      byReason.inactive > 0,
  );

  // Failures come out the same too: a user of another unit, a file unreadable as a whole.
  const [osrc] = variedJob(mkdtempSync(join(tmp, "unit-")), { otherUnit: true });
  writeFileSync(join(tmp, "broken-ext.json"), "[{");
  for (const args of [
    [
      "match",
      "--source",
      osrc,
      "--external",
      ext,
      "--map",
      "id=User ID,email=Mail",
      "--business-unit",
      "bu",
    ],
    [
      "match",
      "--source",
      src,
      "--external",
      join(tmp, "broken-ext.json"),
      "--map",
      "id=User ID,email=Mail",
    ],
  ]) {
    const one = run([...args, "--threads", "1"]);
    const two = run([...args, "--threads", "2"]);
    assert.equal(one.status, 1, one.stderr);
    assert.equal(two.status, 1);
    assert.equal(two.stderr, one.stderr);
  }
  assert.equal(run([...base, "--threads", "0"]).status, 2);
});

test("packSide + runPacked give runBytes's report with CSV options, fallback keys and a re-fetch", () => {
  const src = Buffer.from(
    "id;Mail;userName;permissions\nu1;a@x.com;ann;UserMapping.Map\nu2;;bob;UserMapping.Map\n;c@x.com;;\nu3;p\u0430ypal@x.com;;UserMapping.Map\n",
  );
  const ext = Buffer.from(
    '[{"id":"e1","email":"A@x.com"},{"id":"e2","userName":"bob"},{"id":"e3","email":"paypal@x.com"},{"id":"e1","email":"z@x.com"}]',
  );
  const fresh = Buffer.from('{"id":"e4","userName":"ann"}\n{"email":"x@x.com"}\n');
  const options = {
    csv: { delimiter: ";", columns: [{ field: "email", header: "Mail" }] },
    fallbackKeys: ["user_name"],
  };
  for (const output of ["json", "csv"]) {
    const o = { ...options, output };
    const whole = new usersync.BulkJob(src.length, ext.length, fresh.length);
    whole.source().set(src);
    whole.external().set(ext);
    whole.refreshed().set(fresh);
    const want = new TextDecoder().decode(whole.runBytes(o));
    const packs = ["source", "external", "refreshed"].map((which) =>
      whole.packSide(which, o).slice(),
    );
    whole.free();
    const joined = new usersync.BulkJob(packs[0].length, packs[1].length, packs[2].length);
    joined.source().set(packs[0]);
    joined.external().set(packs[1]);
    joined.refreshed().set(packs[2]);
    assert.equal(new TextDecoder().decode(joined.runPacked(o)), want);
    assert.match(want, /rejected|"rejected"/);
    // A pack is checked, not trusted: a cut one is refused with a coded error.
    joined.source().fill(0);
    assert.throws(
      () => joined.runPacked(o),
      (e) => e.code === "invalid_input",
    );
    joined.free();
  }
});
