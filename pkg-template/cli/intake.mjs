// `usersync intake`: the intake report of both files (accepted, and every rejected record).
import { common, readBoth } from "./options.mjs";

function rejectedRows(side, report) {
  return report.rejected.map((r) => [
    side,
    r.line ?? r.index,
    r.id ?? "",
    r.field ?? "",
    r.code,
    r.message,
  ]);
}

export const intake = {
  options: { ...common, source: { type: "string" }, external: { type: "string" } },
  required: ["source", "external"],
  run(values, usersync, io) {
    const { source, external } = readBoth(values, usersync, io);
    if (values.format === "json") {
      io.write(
        JSON.stringify({ source: source.report, external: external.report }, null, 2) + "\n",
        values.out,
      );
      return 0;
    }
    let text = "Intake report\n\n";
    text += io.table(
      ["side", "received", "accepted", "rejected"],
      [
        ["source", source.report.received, source.report.accepted, source.report.rejected.length],
        [
          "external",
          external.report.received,
          external.report.accepted,
          external.report.rejected.length,
        ],
      ],
    );
    text += "\nRejected records\n\n";
    text += io.table(
      ["side", "line", "id", "field", "code", "message"],
      [...rejectedRows("source", source.report), ...rejectedRows("external", external.report)],
    );
    io.write(text, values.out);
    return 0;
  },
};
