// The idiomatic JavaScript join a competent user would write without usersync (the
// benchmark's baseline): parse both files, lower-case the emails, index the directory in a
// Map, classify every CXone user. Same inputs and report shape as the package's bulk API,
// none of its email rules (no IDNA, no look-alike checks).
//   node tests/bench/ts-join.mjs SOURCE.csv|SOURCE.ndjson EXTERNAL.json|EXTERNAL.ndjson [OUT]
// With OUT, the report is written there (the end-to-end figure includes writing it).
import { readFileSync, writeFileSync } from "node:fs";

const PERM = "UserMapping.Map";
const VALID = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function ndjson(text) {
  const out = [];
  for (const line of text.split("\n")) if (line.trim()) out.push(JSON.parse(line));
  return out;
}

export function tsJoin(sourceText, externalText, shape = "csv") {
  if (shape === "ndjson") {
    const users = ndjson(sourceText).map((u) => ({
      id: u.id,
      email: u.email,
      active: u.active !== false,
      permissions: u.permissions ?? [],
    }));
    return classify(users, ndjson(externalText));
  }
  // Parse: a CSV with a header line (no quoted cells in these exports), a JSON array.
  const lines = sourceText.split("\n");
  const header = lines[0].split(",");
  const col = Object.fromEntries(header.map((h, i) => [h.trim(), i]));
  const users = [];
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const cells = lines[i].split(",");
    users.push({
      id: cells[col.id],
      email: cells[col.email],
      active: cells[col.active] !== "false",
      permissions: (cells[col.permissions] ?? "").split(";"),
    });
  }
  return classify(users, JSON.parse(externalText));
}

function classify(users, accounts) {
  // Index the directory by lower-cased email.
  const byEmail = new Map();
  for (const a of accounts) {
    if (a.active === false || !a.email) continue;
    const key = a.email.trim().toLowerCase();
    const list = byEmail.get(key);
    if (list) list.push(a);
    else byEmail.set(key, [a]);
  }
  const sourceCount = new Map();
  for (const u of users) {
    if (!u.email) continue;
    const key = u.email.trim().toLowerCase();
    sourceCount.set(key, (sourceCount.get(key) ?? 0) + 1);
  }

  // Classify; an account goes to one user only.
  const taken = new Set();
  const counts = { mapped: 0, unmapped: 0, skipped: 0 };
  const reasons = {};
  const out = [];
  for (const u of users) {
    let status = "unmapped",
      reason = null,
      externalId = null;
    const key = (u.email ?? "").trim().toLowerCase();
    if (!u.permissions.includes(PERM)) {
      status = "skipped";
      reason = "no_permission";
    } else if (!u.active) {
      status = "skipped";
      reason = "inactive";
    } else if (!key) reason = "no_match";
    else if (!VALID.test(key)) reason = "invalid_email";
    else if (sourceCount.get(key) > 1) reason = "duplicate_source_email";
    else {
      const found = byEmail.get(key) ?? [];
      if (found.length === 0) reason = "no_match";
      else if (found.length > 1) reason = "multiple_matches";
      else if (taken.has(found[0].id)) reason = "external_taken";
      else {
        status = "mapped";
        externalId = found[0].id;
        taken.add(externalId);
      }
    }
    counts[status]++;
    if (reason) reasons[reason] = (reasons[reason] ?? 0) + 1;
    out.push({ id: u.id, status, reason, externalId, method: status === "mapped" ? "auto" : null });
  }
  out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return JSON.stringify({
    summary: { users: out.length, byStatus: counts, byReason: reasons },
    users: out,
    rejected: [],
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t = performance.now();
  const shape = process.argv[2].endsWith(".ndjson") ? "ndjson" : "csv";
  const report = tsJoin(
    readFileSync(process.argv[2], "utf8"),
    readFileSync(process.argv[3], "utf8"),
    shape,
  );
  if (process.argv[4]) writeFileSync(process.argv[4], report);
  const ms = performance.now() - t;
  console.log(
    JSON.stringify({
      ms: Math.round(ms * 10) / 10,
      maxRssKiB: process.resourceUsage().maxRSS,
      outputBytes: report.length,
    }),
  );
}
