// Plain-text tables for the terminal. Cells are data from outside: control characters are
// shown escaped so a hostile name cannot move the cursor or rewrite the screen.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

export function cell(value) {
  if (value === undefined || value === null) return "";
  return String(value).replace(
    CONTROL,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

export function formatTable(headers, rows) {
  const text = rows.map((r) => r.map(cell));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? "").length)));
  const line = (r) =>
    r
      .map((c, i) => (c ?? "").padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return (
    [line(headers), line(widths.map((w) => "-".repeat(w))), ...text.map(line)].join("\n") + "\n"
  );
}
