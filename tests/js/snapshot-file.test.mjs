// The snapshot file under cron: concurrent `usersync sync --snapshot` runs on one file, a
// run killed with SIGKILL in the middle of saving, and locks left by dead processes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as usersync from "../../pkg/node/usersync.mjs";

const cli = fileURLToPath(new URL("../../pkg/cli/usersync.mjs", import.meta.url));
const fixture = (name) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "usersync-snapfile-"));
const unit = { businessUnitId: "bu-1", platform: "ringcentral" };

function syncArgs(snapshot, now) {
  return [
    cli,
    "sync",
    "--quiet",
    "--source",
    fixture("cxone-users.ndjson"),
    "--external",
    fixture("ringcentral-directory.json"),
    "--snapshot",
    snapshot,
    "--format",
    "json",
    "--now",
    now,
    "--force",
    "--actor",
    "u-ann",
    "--permission",
    "UserMapping.Map",
  ];
}

/** Runs `usersync sync` in a child process; resolves with its exit status and stderr. */
function syncAsync(snapshot, now, env = {}, onStderr = () => {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, syncArgs(snapshot, now), {
      env: { ...process.env, ...env },
    });
    let stderr = "";
    child.stdout.resume();
    child.stderr.on("data", (d) => {
      stderr += d;
      onStderr(stderr, child);
    });
    child.on("close", (status, signal) => resolve({ status, signal, stderr }));
  });
}

function runs(snapshot) {
  const engine = usersync.Engine.fromSnapshot(readFileSync(snapshot, "utf8"));
  try {
    return engine.runs(unit).length;
  } finally {
    engine.free();
  }
}

test("concurrent sync runs on one snapshot: every run that exits 0 is in the file", async () => {
  const PAIRS = 10;
  let locked = 0;
  for (let p = 0; p < PAIRS; p++) {
    const snapshot = join(tmp, `pair-${p}.json`);
    const [a, b] = await Promise.all([
      syncAsync(snapshot, "2026-11-23T10:00:00Z"),
      syncAsync(snapshot, "2026-11-23T10:05:00Z"),
    ]);
    const ok = [a, b].filter((r) => r.status === 0).length;
    for (const r of [a, b]) {
      if (r.status !== 0) {
        assert.match(r.stderr, /\[snapshot_locked\]/, r.stderr);
        locked++;
      }
    }
    assert.ok(ok >= 1, `pair ${p}: neither run finished: ${a.stderr} ${b.stderr}`);
    assert.equal(runs(snapshot), ok, `pair ${p}: ${ok} runs exited 0, the file must hold as many`);
    assert.ok(!existsSync(`${snapshot}.lock`), `pair ${p}: the lock is released`);
  }
  process.stdout.write(
    `# ${PAIRS} pairs: ${2 * PAIRS - locked} runs applied, ${locked} refused with snapshot_locked\n`,
  );
});

test("kill -9 between writing and renaming: the old snapshot stays whole, and the next run takes the dead lock over", async () => {
  const snapshot = join(tmp, "killed.json");
  assert.equal((await syncAsync(snapshot, "2026-11-23T10:00:00Z")).status, 0);
  const before = readFileSync(snapshot, "utf8");
  const killed = await syncAsync(
    snapshot,
    "2026-11-23T11:00:00Z",
    { USERSYNC_TEST_PAUSE_BEFORE_RENAME: "60000" },
    (err, child) => {
      if (err.includes("[paused: USERSYNC_TEST_PAUSE_BEFORE_RENAME]")) child.kill("SIGKILL");
    },
  );
  assert.equal(killed.signal, "SIGKILL", killed.stderr);
  assert.equal(
    readFileSync(snapshot, "utf8"),
    before,
    "the snapshot is the one before the killed run",
  );
  assert.ok(existsSync(`${snapshot}.lock`), "the killed run's lock is left behind");
  assert.equal(runs(snapshot), 1);

  const next = await syncAsync(snapshot, "2026-11-23T12:00:00Z", {
    USERSYNC_SNAPSHOT_WAIT_MS: "0",
  });
  assert.equal(next.status, 0, next.stderr);
  assert.equal(runs(snapshot), 2, "the next run is saved");
  assert.ok(!existsSync(`${snapshot}.lock`));
  const leftovers = readdirSync(tmp).filter(
    (f) => f.startsWith(".killed.json.") && f.endsWith(".tmp"),
  );
  assert.ok(leftovers.length <= 1, "at most the killed run's temporary file is left");
});

function writeLock(snapshot, holder) {
  writeFileSync(
    `${snapshot}.lock`,
    JSON.stringify({
      host: hostname(),
      started: "2026-01-01T00:00:00Z",
      acquired: "2026-01-01T00:00:00Z",
      token: "t",
      ...holder,
    }),
  );
}

test("a stale lock (dead pid, or a pid reused by a newer process) is taken over", () => {
  const dead = spawnSync(process.execPath, ["-e", ""]).pid;
  const snapshot = join(tmp, "stale.json");
  writeLock(snapshot, { pid: dead, procStart: "1" });
  const first = spawnSync(process.execPath, syncArgs(snapshot, "2026-11-23T10:00:00Z"), {
    encoding: "utf8",
    env: { ...process.env, USERSYNC_SNAPSHOT_WAIT_MS: "0" },
  });
  assert.equal(first.status, 0, first.stderr);

  if (existsSync(`/proc/${process.pid}/stat`)) {
    // This test's own pid is alive, but it was "started" at another time: a reused pid.
    writeLock(snapshot, { pid: process.pid, procStart: "1" });
    const reused = spawnSync(process.execPath, syncArgs(snapshot, "2026-11-23T11:00:00Z"), {
      encoding: "utf8",
      env: { ...process.env, USERSYNC_SNAPSHOT_WAIT_MS: "0" },
    });
    assert.equal(reused.status, 0, reused.stderr);
  }
  assert.ok(!existsSync(`${snapshot}.lock`));
});

test("a live holder: the second process waits the bounded time, then exits 1 with snapshot_locked naming the holder", () => {
  const snapshot = join(tmp, "held.json");
  // This test's process is alive and its start time is what the lock records.
  const stat = existsSync(`/proc/${process.pid}/stat`)
    ? readFileSync(`/proc/${process.pid}/stat`, "utf8")
    : "";
  const procStart = stat ? stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] : null;
  writeLock(snapshot, { pid: process.pid, procStart });
  const r = spawnSync(process.execPath, syncArgs(snapshot, "2026-11-23T10:00:00Z"), {
    encoding: "utf8",
    env: { ...process.env, USERSYNC_SNAPSHOT_WAIT_MS: "200" },
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /\[snapshot_locked\]/);
  assert.match(r.stderr, new RegExp(`process ${process.pid} on `));
  assert.ok(!existsSync(snapshot), "nothing was written");
  assert.ok(existsSync(`${snapshot}.lock`), "the holder's lock is left alone");
});
