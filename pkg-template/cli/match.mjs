// `usersync match`: the bulk tool. Files are read straight into WebAssembly memory (no JS
// copy, no JS objects per record), matched in Rust by the package's bulk entry point, and
// the report is written out from WebAssembly memory as is (no JS string of it).
import { csvColumns, inputFormat } from "./options.mjs";
import { fileSize, packFile, packInWorkers, readInto, useWorkers } from "./match-threads.mjs";

const FORMATS = ["json", "csv", "table"];

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
  text += io.table(
    ["status", "users"],
    Object.entries(s.byStatus).map(([k, v]) => [k, v]),
  );
  text += "\n";
  text += io.table(
    ["reason", "users"],
    Object.entries(s.byReason)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => [k, v]),
  );
  text += "\n";
  const files = [
    ["source", s.source],
    ["external", s.external],
    ...(s.refreshed ? [["refetch", s.refreshed]] : []),
  ];
  text += io.table(
    ["file", "received", "accepted", "rejected"],
    files.map(([n, c]) => [n, c.received, c.accepted, c.rejected]),
  );
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
    threads: { type: "string" },
  },
  required: ["source", "external"],
  async run(values, usersync, io) {
    const format = values.format ?? "json";
    if (!FORMATS.includes(format))
      return usageError(`--format must be ${FORMATS.join(", ")}; got '${format}'`);
    const threads = values.threads === undefined ? undefined : Number(values.threads);
    if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
      return usageError(`--threads must be a whole number of at least 1; got '${values.threads}'`);
    }
    let options;
    try {
      options = {
        sourceFormat: inputFormat(values.source, values["input-format"]),
        externalFormat: inputFormat(values.external, values["input-format"]),
        refreshedFormat: values.refetch
          ? inputFormat(values.refetch, values["input-format"])
          : undefined,
        csv: csvColumns(values.map),
        output: format === "csv" ? "csv" : "json",
        businessUnitId: values["business-unit"],
      };
    } catch (e) {
      if (e.usage) return usageError(e.message);
      throw e;
    }
    const sizes = [values.source, values.external, values.refetch].map((p) =>
      p ? fileSize(p) : undefined,
    );
    const bar = io.isTTY && !values.quiet ? progressBar(process.stderr) : null;
    const onProgress = (p) => {
      if (p.summary) summary = p.summary;
      bar?.(p);
    };
    let summary;
    let job;
    let bytes;
    if (useWorkers(threads, sizes[0] + sizes[1] + (sizes[2] ?? 0))) {
      // Refuses a job too large for one instance before any worker starts, as `BulkJob` does.
      usersync.bulkMemoryEstimate(sizes[0], sizes[1], sizes[2]);
      bar?.({ phase: "read_source", done: 0, total: 1 });
      const inputs = [["external", values.external, sizes[1]]];
      if (values.refetch) inputs.push(["refreshed", values.refetch, sizes[2]]);
      const workers = packInWorkers(inputs, options);
      let packs;
      try {
        const source = packFile(usersync, "source", values.source, sizes[0], options);
        packs = [source, ...(await workers.packs)];
      } catch (e) {
        await workers.stop();
        throw e;
      }
      job = new usersync.BulkJob(packs[0].length, packs[1].length, packs[2]?.length);
      try {
        job.source().set(packs[0]);
        job.external().set(packs[1]);
        if (packs[2]) job.refreshed().set(packs[2]);
        packs.length = 0;
        bytes = job.runPacked(options, onProgress);
      } catch (e) {
        job.free();
        throw e;
      }
    } else {
      job = new usersync.BulkJob(sizes[0], sizes[1], sizes[2]);
      try {
        readInto(values.source, job.source());
        readInto(values.external, job.external());
        if (values.refetch) readInto(values.refetch, job.refreshed());
        bytes = job.runBytes(options, onProgress);
      } catch (e) {
        job.free();
        throw e;
      }
    }
    // The job is freed once its report is written: the report is a view of WebAssembly
    // memory (no JS string of it is made), and stdout may still be writing from that view
    // after this function returns.
    let freeLater = false;
    try {
      if (format === "table") {
        const report = JSON.parse(new TextDecoder().decode(bytes));
        let out = summaryText(report.summary, io);
        out += "\nRejected records\n\n";
        out += io.table(
          ["side", "line", "id", "field", "code", "message"],
          report.rejected.map((r) => [
            r.side,
            r.line,
            r.id ?? "",
            r.field ?? "",
            r.code,
            r.message,
          ]),
        );
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
      const rejected =
        summary.source.rejected + summary.external.rejected + (summary.refreshed?.rejected ?? 0);
      io.log(
        `usersync match: ${summary.users} users: ${s.mapped} mapped, ${s.unmapped} unmapped, ${s.skipped} skipped; ${rejected} records rejected`,
      );
    }
    return 0;
  },
};
