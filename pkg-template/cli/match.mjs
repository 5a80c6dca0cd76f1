// `usersync match`: the bulk tool. Files are read straight into WebAssembly memory (no JS
// copy, no JS objects per record), matched in Rust by the package's bulk entry point, and
// the report is written out from WebAssembly memory as is (no JS string of it).
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { csvColumns, inputFormat } from "./options.mjs";

const FORMATS = ["json", "csv", "table"];

/** Reads the file at `path` into `view` (a Uint8Array of exactly its size). */
function readInto(path, view) {
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

function size(path) {
  const fd = openSync(path, "r");
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

const LABELS = {
  read_source: "reading CXone users",
  read_external: "reading the directory",
  read_refreshed: "reading the re-fetch",
  match: "matching",
  output: "writing the report",
};

/** A one-line progress bar on stderr (only drawn on a terminal). */
function progressBar(stream) {
  let last = "";
  return (p) => {
    if (p.phase === "done") {
      stream.write("\r\x1b[K");
      return;
    }
    const share = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
    const width = 30;
    const filled = Math.round(share * width);
    const line = `${LABELS[p.phase] ?? p.phase} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${Math.round(share * 100)}%`;
    if (line !== last) stream.write(`\r\x1b[K${line}`);
    last = line;
  };
}

function summaryText(s, io) {
  let text = "Summary\n\n";
  text += io.table(["status", "users"], Object.entries(s.byStatus).map(([k, v]) => [k, v]));
  text += "\n";
  text += io.table(["reason", "users"], Object.entries(s.byReason).filter(([, v]) => v > 0).map(([k, v]) => [k, v]));
  text += "\n";
  const files = [["source", s.source], ["external", s.external], ...(s.refreshed ? [["refetch", s.refreshed]] : [])];
  text += io.table(["file", "received", "accepted", "rejected"], files.map(([n, c]) => [n, c.received, c.accepted, c.rejected]));
  return text;
}

function usageError(message) {
  process.stderr.write(`usersync match: ${message}\n(see usersync --help)\n`);
  return 2;
}

export const match = {
  options: {
    help: { type: "boolean", short: "h" },
    quiet: { type: "boolean", short: "q" },
    "input-format": { type: "string" },
    map: { type: "string" },
    format: { type: "string" },
    out: { type: "string" },
    source: { type: "string" },
    external: { type: "string" },
    refetch: { type: "string" },
    "business-unit": { type: "string" },
    platform: { type: "string" },
  },
  required: ["source", "external"],
  run(values, usersync, io) {
    const format = values.format ?? "json";
    if (!FORMATS.includes(format)) return usageError(`--format must be ${FORMATS.join(", ")}; got '${format}'`);
    let options;
    try {
      options = {
        sourceFormat: inputFormat(values.source, values["input-format"]),
        externalFormat: inputFormat(values.external, values["input-format"]),
        refreshedFormat: values.refetch ? inputFormat(values.refetch, values["input-format"]) : undefined,
        csv: csvColumns(values.map),
        output: format === "csv" ? "csv" : "json",
        businessUnitId: values["business-unit"],
      };
    } catch (e) {
      if (e.usage) return usageError(e.message);
      throw e;
    }
    const sizes = [values.source, values.external, values.refetch].map((p) => (p ? size(p) : undefined));
    const job = new usersync.BulkJob(sizes[0], sizes[1], sizes[2]);
    let summary;
    // The job is freed once its report is written: `runBytes` hands back a view of the
    // report in WebAssembly memory (no JS string of it is made), and stdout may still be
    // writing from that view after this function returns.
    let freeLater = false;
    try {
      readInto(values.source, job.source());
      readInto(values.external, job.external());
      if (values.refetch) readInto(values.refetch, job.refreshed());
      const bar = io.isTTY && !values.quiet ? progressBar(process.stderr) : null;
      const bytes = job.runBytes(options, (p) => {
        if (p.summary) summary = p.summary;
        bar?.(p);
      });
      if (format === "table") {
        const report = JSON.parse(new TextDecoder().decode(bytes));
        let out = summaryText(report.summary, io);
        out += "\nRejected records\n\n";
        out += io.table(["side", "line", "id", "field", "code", "message"],
          report.rejected.map((r) => [r.side, r.line, r.id ?? "", r.field ?? "", r.code, r.message]));
        io.write(out, values.out);
      } else {
        io.write(bytes, values.out, () => job.free());
        freeLater = true;
      }
    } finally {
      if (!freeLater) job.free();
    }
    if (summary && format !== "table") {
      const s = summary.byStatus;
      const rejected = summary.source.rejected + summary.external.rejected + (summary.refreshed?.rejected ?? 0);
      io.log(`usersync match: ${summary.users} users: ${s.mapped} mapped, ${s.unmapped} unmapped, ${s.skipped} skipped; ${rejected} records rejected`);
    }
    return 0;
  },
};
