// One entry per CLI command: its options, required options and what it does. Every rule
// lives in Rust; the command modules read files, call the package and print.
import { intake } from "./intake.mjs";
import { match } from "./match.mjs";
import { sync } from "./sync.mjs";
import { wfm } from "./wfm.mjs";

export const commands = { intake, match, sync, wfm };
