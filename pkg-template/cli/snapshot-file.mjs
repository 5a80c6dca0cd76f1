// The snapshot file the stateful commands (sync, wfm) keep their engine in. A command opens it
// once for its whole read-modify-write, saves through it, and closes it in a `finally`:
//
//   const snap = openSnapshot(values.snapshot, usersync);
//   try { ...snap.engine...; snap.save(); } finally { snap.close(); }
//
// Without a path the engine is fresh and `save()` does nothing.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync, unlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";

export function openSnapshot(path, usersync) {
  const engine = path ? loadEngine(path, usersync) : new usersync.Engine();
  return {
    engine,
    save() {
      if (path) writeAtomically(path, engine.saveSnapshot());
    },
    close() {},
  };
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
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(temp, "w", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try { unlinkSync(temp); } catch { /* already gone */ }
    throw e;
  } 
  closeSync(fd);
  renameSync(temp, path);
}
