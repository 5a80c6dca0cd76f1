// The snapshot file the stateful commands (sync, wfm) keep their engine in. A command opens it
// once for its whole read-modify-write, saves through it, and closes it in a `finally`:
//
//   const snap = openSnapshot(values.snapshot, usersync);
//   try { ...snap.engine...; snap.save(); } finally { snap.close(); }
//
// Without a path the engine is fresh and `save()` does nothing.
//
// Two cron runs on one file must not both read the old state and both write: the second
// would silently drop the first one's run. So opening takes an exclusive lock (a file beside
// the snapshot naming the holder) until `close()`, and a second process waits a bounded time
// for it, then fails with `snapshot_locked`. A lock whose holder is gone (its pid is dead, or
// was reused by a process started after the lock was taken) is taken over. Saving writes a
// temporary file in the same folder, flushes it and renames it over the snapshot, so a kill at
// any moment leaves either the old file or the new one, never a part of one.
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";

/** How long a second process waits for the lock (override: USERSYNC_SNAPSHOT_WAIT_MS). */
export const DEFAULT_WAIT_MS = 5000;
/** A takeover that has not finished in this long was abandoned by a killed process. */
const TAKEOVER_STALE_MS = 10_000;

export function openSnapshot(path, usersync, options = {}) {
  if (!path) {
    return { engine: new usersync.Engine(), save() {}, close() {} };
  }
  const lock = acquireLock(path, waitMs(options));
  let engine;
  try {
    engine = loadEngine(path, usersync);
  } catch (e) {
    lock.release();
    throw e;
  }
  return {
    engine,
    save() {
      lock.check();
      writeAtomically(path, engine.saveSnapshot());
    },
    close() {
      lock.release();
    },
  };
}

function waitMs(options) {
  const fromEnv = Number(process.env.USERSYNC_SNAPSHOT_WAIT_MS);
  if (options.waitMs !== undefined) return options.waitMs;
  return Number.isFinite(fromEnv) && fromEnv >= 0 ? fromEnv : DEFAULT_WAIT_MS;
}

function loadEngine(path, usersync) {
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if (e.code === "ENOENT") return new usersync.Engine();
    throw e;
  }
  return usersync.Engine.fromSnapshot(text);
}

/** Replaces the file whole: a temporary file in the same folder, flushed, then renamed over it. */
export function writeAtomically(path, text) {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      /* already gone */
    }
    throw e;
  }
  closeSync(fd);
  testPause("USERSYNC_TEST_PAUSE_BEFORE_RENAME");
  renameSync(temp, path);
  syncFolder(dir);
}

/** The rename itself is durable only once the folder is flushed (not possible everywhere). */
function syncFolder(dir) {
  let fd;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Windows cannot open a folder; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

// ---- the lock ----

function lockedError(path, holder, waited) {
  const who =
    holder && typeof holder === "object"
      ? `process ${holder.pid} on ${holder.host}, started ${holder.started}, holding it since ${holder.acquired}`
      : "another process";
  const error = new Error(
    `the snapshot ${path} is locked by ${who}; waited ${waited} ms (USERSYNC_SNAPSHOT_WAIT_MS sets how long)`,
  );
  error.name = "UsersyncError";
  error.code = "snapshot_locked";
  return error;
}

/** This process's start time as the OS keeps it: unchanged for the process's life, new if the pid is reused. */
function startTimeOf(pid) {
  try {
    // /proc/PID/stat: the field after the parenthesised name; starttime is the 20th after it.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

/** Whether the recorded holder is certainly gone (a holder on another host is never assumed gone). */
function isStale(holder) {
  if (!holder || !Number.isSafeInteger(holder.pid)) return true; // damaged: not a lock we wrote
  if (holder.host !== hostname()) return false;
  if (!alive(holder.pid)) return true;
  const now = startTimeOf(holder.pid);
  return holder.procStart != null && now != null && now !== holder.procStart;
}

const EMPTY = Symbol("empty lock file");

function readHolder(lockPath) {
  try {
    const text = readFileSync(lockPath, "utf8");
    return text === "" ? EMPTY : JSON.parse(text);
  } catch (e) {
    if (e.code === "ENOENT") return undefined;
    return null;
  }
}

function acquireLock(path, wait) {
  const lockPath = `${path}.lock`;
  const me = {
    pid: process.pid,
    host: hostname(),
    started: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    procStart: startTimeOf(process.pid),
    acquired: new Date().toISOString(),
    token: randomBytes(8).toString("hex"),
  };
  const deadline = Date.now() + wait;
  let pause = 10;
  for (;;) {
    if (tryCreate(lockPath, me)) break;
    const holder = readHolder(lockPath);
    const stale =
      holder === EMPTY
        ? olderThan(lockPath, TAKEOVER_STALE_MS)
        : holder !== undefined && isStale(holder);
    if (stale && takeOver(lockPath, holder, me)) break;
    if (Date.now() >= deadline) throw lockedError(path, holder, wait);
    sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
    pause = Math.min(pause * 2, 200);
  }
  let held = true;
  return {
    check() {
      if (readHolder(lockPath)?.token !== me.token) {
        throw lockedError(path, readHolder(lockPath), 0);
      }
    },
    release() {
      if (!held) return;
      held = false;
      if (readHolder(lockPath)?.token === me.token) {
        try {
          unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      }
    },
  };
}

/** Creates the lock file whole (written aside, then linked in: link fails if it exists). */
function tryCreate(lockPath, me) {
  const temp = `${lockPath}.${me.pid}.${me.token}`;
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeSync(fd, JSON.stringify({ ...me, acquired: new Date().toISOString() }));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, lockPath);
    return true;
  } catch (e) {
    if (e.code === "EEXIST") return false;
    if (e.code === "EPERM" || e.code === "ENOTSUP" || e.code === "ENOSYS")
      return createInPlace(lockPath, me);
    throw e;
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      /* already gone */
    }
  }
}

/** Where the file system has no hard links: created exclusively, then filled (a reader may
 * briefly see it empty, which it takes for a holder still writing, not a stale lock). */
function createInPlace(lockPath, me) {
  let fd;
  try {
    fd = openSync(lockPath, "wx", 0o600);
  } catch (e) {
    if (e.code === "EEXIST") return false;
    throw e;
  }
  try {
    writeSync(fd, JSON.stringify({ ...me, acquired: new Date().toISOString() }));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Replaces a stale lock. Two waiters may find the same stale lock; only the one that creates
 * the takeover file removes it, after checking it is still the same stale holder's.
 */
function takeOver(lockPath, stale, me) {
  const guard = `${lockPath}.takeover`;
  let fd;
  try {
    fd = openSync(guard, "wx", 0o600);
  } catch (e) {
    if (e.code !== "EEXIST") throw e;
    try {
      if (olderThan(guard, TAKEOVER_STALE_MS)) unlinkSync(guard);
    } catch {
      /* someone else cleared it */
    }
    return false;
  }
  closeSync(fd);
  try {
    const now = readHolder(lockPath);
    if (now !== undefined && now !== stale && JSON.stringify(now) !== JSON.stringify(stale))
      return false;
    if (now !== undefined) unlinkSync(lockPath);
    return tryCreate(lockPath, me);
  } finally {
    try {
      unlinkSync(guard);
    } catch {
      /* already gone */
    }
  }
}

function olderThan(file, ms) {
  try {
    return Date.now() - statSync(file).mtimeMs > ms;
  } catch {
    return false;
  }
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * For the tests of kill -9 mid-save only: when the named variable is set, says so on stderr
 * and waits that many ms, so the test can kill the process at exactly this point.
 */
function testPause(name) {
  const ms = Number(process.env[name]);
  if (!(ms > 0)) return;
  process.stderr.write(`[paused: ${name}]\n`);
  sleep(ms);
}
