// `usersync sync` on a schedule, as cron runs it: `--schedule` keeps the unit's schedule in the
// snapshot, `--if-due` runs Auto Sync only when a scheduled time has passed since the last run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../../pkg/cli/usersync.mjs", import.meta.url));
const fixture = (name) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "usersync-sync-"));
const snapshot = join(tmp, "state.json");
const EVERY_15 = JSON.stringify({ enabled: true, frequency: { kind: "everyMinutes", minutes: 15 }, timeZone: "UTC" });

function sync(...args) {
  return spawnSync(process.execPath, [cli, "sync", "--source", fixture("cxone-users.ndjson"),
    "--external", fixture("ringcentral-directory.json"), "--snapshot", snapshot, "--format", "json", ...args], { encoding: "utf8" });
}

test("--if-due: the first run is due, the next only after the schedule's next time", () => {
  const first = sync("--schedule", EVERY_15, "--if-due", "--now", "2026-11-23T10:00:00Z");
  assert.equal(first.status, 0, first.stderr);
  const report = JSON.parse(first.stdout);
  assert.ok(report.plan.transitions.length > 0, "the first run maps users");
  assert.ok(report.status.some((r) => r.status === "mapped"));
  const saved = readFileSync(snapshot, "utf8");
  assert.match(saved, /"everyMinutes"/);
  assert.match(saved, /2026-11-23T10:00:00Z/);

  const early = sync("--if-due", "--now", "2026-11-23T10:10:00Z");
  assert.equal(early.status, 0, early.stderr);
  assert.deepEqual(JSON.parse(early.stdout), { due: false, lastRun: "2026-11-23T10:00:00Z", nextRun: "2026-11-23T10:15:00Z" });
  assert.match(early.stderr, /not due \(last run 2026-11-23T10:00:00Z\); next run 2026-11-23T10:15:00Z/);
  assert.equal(readFileSync(snapshot, "utf8"), saved, "a run that is not due leaves the state as it was");

  const later = sync("--if-due", "--now", "2026-11-23T10:16:00Z");
  assert.equal(later.status, 0, later.stderr);
  assert.ok(Array.isArray(JSON.parse(later.stdout).status), "due again: it ran");
  assert.match(readFileSync(snapshot, "utf8"), /2026-11-23T10:16:00Z/);
});

test("a disabled schedule is never due; bad schedules are refused, naming the field", () => {
  const off = JSON.stringify({ enabled: false, frequency: { kind: "daily", time: "02:00" }, timeZone: "Europe/Berlin" });
  const r = sync("--schedule", off, "--if-due", "--now", "2026-11-24T10:00:00Z");
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).nextRun, "never (the schedule is disabled)");

  const tooOften = sync("--schedule", JSON.stringify({ enabled: true, frequency: { kind: "everyMinutes", minutes: 3 }, timeZone: "UTC" }));
  assert.equal(tooOften.status, 1);
  assert.match(tooOften.stderr, /invalid_input/);
  assert.match(tooOften.stderr, /minutes/);

  const notJson = sync("--schedule", "{every 15}");
  assert.equal(notJson.status, 2);
  assert.match(notJson.stderr, /--schedule takes the schedule as JSON/);
  assert.ok(existsSync(snapshot));
});
