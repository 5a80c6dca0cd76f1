// Imported first by the CLI, before the package compiles its WebAssembly. A bulk job spends
// seconds in a few Rust functions that are each called once per job (a file's reader, the
// key interning, the look-alike index), and V8 has no on-stack replacement for WebAssembly:
// a function that starts in the baseline tier (Liftoff) finishes that call there. With the
// baseline tier off, each function is compiled by the optimizing tier when first called
// (V8 compiles WebAssembly lazily, so start-up does not grow): a 1M x 1M match takes about
// a tenth less time. The flag is process-wide, so the worker threads have it too.
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--no-liftoff");
