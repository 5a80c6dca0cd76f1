#!/usr/bin/env node
// usersync CLI: the way Node scripts run intake, Auto Sync and WFM sync on files.
// Exit codes: 0 done, 1 bad input or I/O, 2 usage.
// First: V8 flags must be set before the package compiles its WebAssembly.
import "./tiering.mjs";
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import * as usersync from "../node/usersync.mjs";
import { formatTable } from "./table.mjs";
import { commands } from "./commands.mjs";

const HELP = `usersync — keep user accounts in step between NiCE CXone and the platforms beside it

Usage:
  usersync intake --source FILE --external FILE [--format table|json]
  usersync match  --source FILE --external FILE [--refetch FILE] [--format json|csv|table]
                  [--out FILE] [--input-format json|ndjson|csv] [--map field=Header,...]
                  [--business-unit ID] [--threads N] [--quiet]
                  a file tool for scripts, not a platform's Auto Sync: applies the matching
                  rules (both passes) to two whole directories (millions of users), one row
                  per user; keeps no state, needs no actor; CSV output is formula-safe;
                  large inputs are read in worker threads (--threads 1: in one thread)
  usersync sync   --source FILE --external FILE [--refetch FILE] [--snapshot FILE]
                  [--business-unit ID] [--platform NAME] [--dry-run] [--force] [--now RFC3339]
                  [--format table|json] [--out FILE] [--schedule JSON] [--if-due]
                  [--actor ID --permission NAME ...]
                  Auto Sync of one unit (platforms that support it: ringcentral). Applying a
                  run or saving a schedule needs --actor ID --permission UserMapping.Map
                  (--permission repeats); --dry-run only shows the plan.
                  --schedule saves the unit's schedule as that actor (kept in the snapshot), e.g.
                  '{"enabled":true,"frequency":{"kind":"everyMinutes","minutes":15},"timeZone":"UTC"}';
                  --if-due (for cron) runs only when that schedule is due, acting as the admin
                  who saved it; without a saved schedule it does nothing, says so and exits 0
  usersync wfm    [--source FILE] [--snapshot FILE] [--wfm-tenant ID] [--if-due] [--now RFC3339]
                  [--iex FILE]
                  [--format table|json] [--out FILE] [--log] [--acknowledge DELTA.json]
                  [--link acdTenant=acdId,...] [--unlink acdTenant,...] [--interval MINUTES]
                  [--enable | --disable] [--business-unit ACD_TENANT --personal-id on|off
                  --external-id on|off] --actor ID --permission NAME ... --reason TEXT
                  runs WFM sync when its slot is due (--if-due: exit 0 when not, saying when);
                  settings changes need WFM.UserSync.Configure and a reason (kept in the WFM
                  log, --log prints it); --acknowledge records the delta WFM confirmed;
                  --iex FILE (JSON: baseUrl, customerId, userName, muIds; the password from
                  USERSYNC_IEX_PASSWORD) reads back what IEX holds and runs against that
  usersync --help | --version

Files are JSON arrays, NDJSON or CSV (by extension, or --input-format), with the documented
field names (id, email, firstName, ...); --map renames CSV columns (email=Email,id=User ID).

Exit codes: 0 done, 1 bad input or I/O, 2 usage.`;

class UsageError extends Error {}

async function main(argv) {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h") return (print(HELP), 0);
  if (command === "--version") return (print(usersync.version()), 0);
  const run = commands[command];
  if (!run) throw new UsageError(`unknown command '${command}'`);
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: run.options, strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError(e.message);
  }
  try {
    return await runCommand(run, parsed);
  } catch (e) {
    if (e?.usage) throw new UsageError(e.message);
    throw e;
  }
}

function runCommand(run, parsed) {
  if (parsed.values.help) return (print(HELP), 0);
  for (const name of run.required ?? []) {
    if (parsed.values[name] === undefined) throw new UsageError(`--${name} is required`);
  }
  const io = {
    read: (path) => readFileSync(path),
    // `done` runs once the data has been written (stdout may write after returning).
    write: (data, out, done = () => {}) => {
      if (out) {
        writeFileSync(out, data);
        done();
      } else {
        process.stdout.write(data, done);
      }
    },
    log: (line) => parsed.values.quiet || process.stderr.write(line + "\n"),
    isTTY: Boolean(process.stderr.isTTY),
    table: formatTable,
  };
  return run.run(parsed.values, usersync, io);
}

function print(text) {
  process.stdout.write(text + "\n");
}

try {
  // A command may return a promise (wfm reads IEX over the network).
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    process.stderr.write(`usersync: ${e.message}\n\n${HELP}\n`);
    process.exitCode = 2;
  } else {
    const code = e && typeof e === "object" && "code" in e ? ` [${e.code}]` : "";
    process.stderr.write(`usersync: ${e?.message ?? e}${code}\n`);
    process.exitCode = 1;
  }
}
