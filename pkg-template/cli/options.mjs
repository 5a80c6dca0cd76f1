// The CLI's shared options and argument readers: every command imports them from here (and
// from nowhere else), so the command modules never import each other.
import { extname } from "node:path";

export const common = {
  help: { type: "boolean", short: "h" },
  quiet: { type: "boolean", short: "q" },
  "input-format": { type: "string" },
  map: { type: "string" },
  format: { type: "string" },
  out: { type: "string" },
};

export function inputFormat(path, forced) {
  if (forced) {
    if (!["json", "ndjson", "csv"].includes(forced))
      throw usage(`--input-format must be json, ndjson or csv`);
    return forced;
  }
  const ext = extname(path).toLowerCase();
  if (ext === ".json") return "json";
  if (ext === ".ndjson" || ext === ".jsonl") return "ndjson";
  if (ext === ".csv") return "csv";
  throw usage(`cannot tell the format of ${path}: use --input-format`);
}

export function csvColumns(map) {
  if (!map) return { columns: [] };
  const columns = map
    .split(",")
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf("=");
      if (at <= 0) throw usage(`--map takes field=Header pairs, got '${pair}'`);
      return { field: pair.slice(0, at).trim(), header: pair.slice(at + 1).trim() };
    });
  return { columns };
}

export function usage(message) {
  const e = new Error(message);
  e.usage = true;
  return e;
}

/** Reads both directories of a command with --source and --external. */
export function readBoth(values, usersync, io) {
  const csv = csvColumns(values.map);
  const source = usersync.parseSourceUsers(
    io.read(values.source),
    inputFormat(values.source, values["input-format"]),
    csv,
  );
  const external = usersync.parseExternalUsers(
    io.read(values.external),
    inputFormat(values.external, values["input-format"]),
    csv,
  );
  return { source, external };
}
