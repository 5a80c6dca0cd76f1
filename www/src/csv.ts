// CSV export that a spreadsheet cannot turn into a formula: a cell starting with = + - @,
// a tab or a carriage return gets a leading apostrophe; every cell is quoted, quotes doubled.
// The full-width forms (＝ ＋ － ＠) and the minus sign − count too: some spreadsheet
// programs fold them to their ASCII twins before they parse a cell.

const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20\u2212]/;

/** One cell, safe and quoted. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  let s = value === null || value === undefined ? "" : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

/** A whole file: header then rows, CRLF line ends (RFC 4180). */
export function toCsv(
  header: string[],
  rows: Iterable<(string | number | boolean | null | undefined)[]>,
): string {
  const lines = [header.map(csvCell).join(",")];
  for (const r of rows) lines.push(r.map(csvCell).join(","));
  return lines.join("\r\n") + "\r\n";
}

/** Offers `text` as a download named `filename`. */
export function download(filename: string, text: string): void {
  // The BOM makes spreadsheet programs read the file as UTF-8 (names are not ASCII).
  const blob = new Blob(["\uFEFF", text], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
