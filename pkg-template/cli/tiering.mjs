// Imported first by the CLI, before the package compiles its WebAssembly. A large bulk job
// spends seconds in a few Rust functions that are each called once per job (a file's
// reader, the key interning, the look-alike index), and V8 has no on-stack replacement for
// WebAssembly: a function that starts in the baseline tier (Liftoff) finishes that call
// there. With the baseline tier off, each function is compiled by the optimizing tier when
// first called: a 1M x 1M match takes about a tenth less time, but compiling that way costs
// about 0.1 s, more than a small job gains. So it is done only for `match` over inputs of
// 64 MiB and more (the size from which `match` also reads in worker threads). The flag is
// process-wide, so the worker threads have it too.
import { statSync } from "node:fs";
import { setFlagsFromString } from "node:v8";

const LARGE = 64 << 20;

/** The total size of the files a `match` command line names (0 for other commands). */
function matchInputBytes(argv) {
  if (argv[0] !== "match") return 0;
  let total = 0;
  for (let i = 1; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    if (!["--source", "--external", "--refetch"].includes(flag)) continue;
    const path = inline ?? argv[++i];
    try {
      total += statSync(path).size;
    } catch {
      // The command itself reports a missing file.
    }
  }
  return total;
}

if (matchInputBytes(process.argv.slice(2)) >= LARGE) setFlagsFromString("--no-liftoff");
