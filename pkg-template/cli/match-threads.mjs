// Reading the inputs of `usersync match`, in this thread or in worker threads. Reading (the
// JSON / CSV parsing) is most of a job's time and each file is read on its own, so a large
// job reads the directory (and the re-fetch) in worker threads, each with its own
// WebAssembly instance, while this thread reads the CXone users. Each reader reads its file
// straight into its instance's memory and packs what the join needs of it
// (`BulkJob.packSide`); a worker sends its pack back as a transferred buffer and ends, which
// gives its memory back. The main instance then joins the packs (`runPacked`), which gives
// the same report, or the same error, as reading everything in one instance. This thread
// reads one file itself because a worker's first cost is compiling the module again.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

/** Below this much input, a worker (which compiles the module again) costs what it saves. */
export const THREADS_FROM_BYTES = 64 << 20;

/** Reads the file at `path` into `view` (a Uint8Array of exactly its size). */
export function readInto(path, view) {
  const fd = openSync(path, "r");
  try {
    let done = 0;
    while (done < view.length) {
      const n = readSync(fd, view, done, view.length - done, done);
      if (n === 0) throw new Error(`${path} changed size while being read`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
}

export function fileSize(path) {
  const fd = openSync(path, "r");
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether to read in workers: `threads` is the --threads value (a count, or undefined for
 * "decide"). Deciding, workers need a large input and a core to spare: on a machine whose
 * cores are all busy the two readers take turns, and the threads only add their own cost
 * (about a tenth more CPU time).
 */
export function useWorkers(threads, totalBytes) {
  if (threads !== undefined) return threads > 1;
  return totalBytes >= THREADS_FROM_BYTES && availableParallelism() - loadavg()[0] >= 0.75;
}

// What of a usersync error survives the trip between threads (structured clone keeps only
// an Error's message and name).
const ERROR_FIELDS = ["name", "message", "code", "index", "id", "field", "vendorCode"];

function plainError(e) {
  if (!e || typeof e !== "object") return { message: String(e) };
  return Object.fromEntries(ERROR_FIELDS.filter((k) => e[k] !== undefined).map((k) => [k, e[k]]));
}

function revive(plain) {
  return Object.assign(new Error(plain.message), plain);
}

/**
 * Starts one worker per input; `inputs` is `[which, path, size]` triples. `packs` resolves
 * to one Uint8Array pack per input, in order, or rejects with the first failure (a worker
 * that could not start, read or reserve memory; a file's content never fails here);
 * `stop()` ends the workers still running.
 */
export function packInWorkers(inputs, options) {
  const workers = [];
  const packs = Promise.all(
    inputs.map(
      ([which, path, size]) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), {
            workerData: { usersyncPack: { which, path, size, options } },
          });
          workers.push(worker);
          let settled = false;
          worker.once("message", (m) => {
            settled = true;
            if (m.error) reject(revive(m.error));
            else resolve(new Uint8Array(m.pack));
          });
          worker.once("error", (e) => {
            settled = true;
            reject(e);
          });
          worker.once("exit", (code) => {
            if (!settled)
              reject(new Error(`the worker reading ${path} stopped (exit code ${code})`));
          });
        }),
    ),
  );
  return { packs, stop: () => Promise.all(workers.map((w) => w.terminate())) };
}

/** Reads one input into its own job of `usersync` and returns its pack (a copy in JS memory). */
export function packFile(usersync, which, path, size, options) {
  const job = new usersync.BulkJob(
    which === "source" ? size : 0,
    which === "external" ? size : 0,
    which === "refreshed" ? size : undefined,
  );
  try {
    const view =
      which === "source" ? job.source() : which === "external" ? job.external() : job.refreshed();
    readInto(path, view);
    // A copy out of WebAssembly memory: it outlives the job, and can be transferred.
    return job.packSide(which, options).slice();
  } finally {
    job.free();
  }
}

async function packHere({ which, path, size, options }) {
  const usersync = await import("../node/usersync.mjs");
  const pack = packFile(usersync, which, path, size, options);
  parentPort.postMessage({ pack: pack.buffer }, [pack.buffer]);
}

if (!isMainThread && workerData?.usersyncPack) {
  try {
    await packHere(workerData.usersyncPack);
  } catch (e) {
    parentPort.postMessage({ error: plainError(e) });
  }
}
