// One entry per CLI command: its options, required options and what it does. Every rule
// lives in Rust; these functions read files, call the package and print.
import { extname } from "node:path";
import { match } from "./match.mjs";

const common = {
  help: { type: "boolean", short: "h" },
  quiet: { type: "boolean", short: "q" },
  "input-format": { type: "string" },
  map: { type: "string" },
  format: { type: "string" },
  out: { type: "string" },
};

export function inputFormat(path, forced) {
  if (forced) {
    if (!["json", "ndjson", "csv"].includes(forced)) throw usage(`--input-format must be json, ndjson or csv`);
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
  const columns = map.split(",").filter(Boolean).map((pair) => {
    const at = pair.indexOf("=");
    if (at <= 0) throw usage(`--map takes field=Header pairs, got '${pair}'`);
    return { field: pair.slice(0, at).trim(), header: pair.slice(at + 1).trim() };
  });
  return { columns };
}

function usage(message) {
  const e = new Error(message);
  e.usage = true;
  return e;
}

function readBoth(values, usersync, io) {
  const csv = csvColumns(values.map);
  const source = usersync.parseSourceUsers(io.read(values.source), inputFormat(values.source, values["input-format"]), csv);
  const external = usersync.parseExternalUsers(io.read(values.external), inputFormat(values.external, values["input-format"]), csv);
  return { source, external };
}

function rejectedRows(side, report) {
  return report.rejected.map((r) => [side, r.line ?? r.index, r.id ?? "", r.field ?? "", r.code, r.message]);
}

const intake = {
  options: { ...common, source: { type: "string" }, external: { type: "string" } },
  required: ["source", "external"],
  run(values, usersync, io) {
    const { source, external } = readBoth(values, usersync, io);
    if (values.format === "json") {
      io.write(JSON.stringify({ source: source.report, external: external.report }, null, 2) + "\n", values.out);
      return 0;
    }
    let text = "Intake report\n\n";
    text += io.table(["side", "received", "accepted", "rejected"], [
      ["source", source.report.received, source.report.accepted, source.report.rejected.length],
      ["external", external.report.received, external.report.accepted, external.report.rejected.length],
    ]);
    text += "\nRejected records\n\n";
    text += io.table(["side", "line", "id", "field", "code", "message"],
      [...rejectedRows("source", source.report), ...rejectedRows("external", external.report)]);
    io.write(text, values.out);
    return 0;
  },
};

const REASON_ORDER = ["no_match", "multiple_matches", "duplicate_source_email", "external_taken",
  "invalid_email", "confusable", "no_permission", "inactive", "external_gone", "manual_unmap"];

// Auto Sync on files, keeping state between runs in a snapshot file when one is given.
const sync = {
  options: {
    ...common,
    source: { type: "string" },
    external: { type: "string" },
    refetch: { type: "string" },
    snapshot: { type: "string" },
    "business-unit": { type: "string", default: "bu-1" },
    platform: { type: "string", default: "ringcentral" },
    "dry-run": { type: "boolean" },
    force: { type: "boolean" },
    now: { type: "string" },
    schedule: { type: "string" },
    "if-due": { type: "boolean" },
  },
  required: ["source", "external"],
  run(values, usersync, io) {
    const now = values.now ?? new Date().toISOString();
    const unit = { businessUnitId: values["business-unit"], platform: values.platform };
    const engine = loadEngine(values.snapshot, usersync, io);
    if (values.schedule !== undefined) {
      let schedule;
      try {
        schedule = JSON.parse(values.schedule);
      } catch (e) {
        throw usage(`--schedule takes the schedule as JSON: ${e.message}`);
      }
      engine.setSchedule(unit, schedule);
    }
    // For cron: run every few minutes with --if-due, and the unit's schedule decides.
    if (values["if-due"] && !engine.isAutoSyncDue(unit, now)) {
      const s = engine.schedule(unit);
      const next = s.schedule.enabled ? engine.nextRuns(unit, now, 1)[0] ?? "none" : "never (the schedule is disabled)";
      if (values.snapshot && values.schedule !== undefined) io.write(engine.saveSnapshot(), values.snapshot);
      io.log(`Auto Sync of ${unit.businessUnitId}/${unit.platform} is not due (last run ${s.lastRun ?? "never"}); next run ${next}`);
      if (values.format === "json") io.write(JSON.stringify({ due: false, lastRun: s.lastRun ?? null, nextRun: next }, null, 2) + "\n", values.out);
      return 0;
    }
    const csv = csvColumns(values.map);
    const source = usersync.parseSourceUsers(io.read(values.source), inputFormat(values.source, values["input-format"]), csv);
    const external = usersync.parseExternalUsers(io.read(values.external), inputFormat(values.external, values["input-format"]), csv);
    const mine = source.records.filter((u) => !u.businessUnitId || u.businessUnitId === unit.businessUnitId);
    engine.loadSourceUsers(unit, mine);
    engine.loadExternalUsers(unit, external.records);
    const first = engine.planAutoSync(unit, now);
    const refreshed = values.refetch
      ? usersync.parseExternalUsers(io.read(values.refetch), inputFormat(values.refetch, values["input-format"]), csv).records
          .filter((u) => first.retry.emails.some((e) => usersync.emailKey(e).key === safeKey(usersync, u.email)))
      : null;
    const plan = engine.retryAutoSync(first.runId, refreshed, now);
    io.log(`Auto Sync ${plan.runId}: ${plan.transitions.length} transitions, retry re-fetched ${refreshed?.length ?? 0} of ${first.retry.emails.length} emails`);
    if (!values["dry-run"]) {
      engine.applyPlan(plan.runId, "usersync-cli", now, Boolean(values.force));
      if (values.snapshot) io.write(engine.saveSnapshot(), values.snapshot);
    }
    const rows = values["dry-run"] ? null : engine.status(unit);
    if (values.format === "json") {
      io.write(JSON.stringify({ plan, status: rows }, null, 2) + "\n", values.out);
      return 0;
    }
    let text = values["dry-run"] ? "Plan (dry run)\n\n" : "Status\n\n";
    if (rows) {
      text += io.table(["user", "name", "email", "status", "reason", "method", "external", "attempts"],
        rows.map((r) => [r.userId, r.name, r.email, r.status, r.reasonText ?? "", r.method ?? "", r.externalName ?? r.externalId ?? "", r.attempts]));
    } else {
      text += io.table(["user", "from", "to", "reason"], plan.transitions.map((t) => [t.userId, t.from.status, t.to.status, t.reason ?? ""]));
    }
    const counts = plan.counts.byReason;
    text += "\nCounts per status\n\n" + io.table(["status", "users"], Object.entries(plan.counts.byStatus));
    text += "\nCounts per reason\n\n" + io.table(["reason", "users"], REASON_ORDER.filter((r) => counts[r]).map((r) => [r, counts[r]]));
    io.write(text, values.out);
    return 0;
  },
};

function safeKey(usersync, email) {
  try {
    return email ? usersync.emailKey(email).key : undefined;
  } catch {
    return undefined;
  }
}

function loadEngine(path, usersync, io) {
  if (!path) return new usersync.Engine();
  let text;
  try {
    text = io.read(path).toString();
  } catch (e) {
    if (e.code === "ENOENT") return new usersync.Engine();
    throw e;
  }
  return usersync.Engine.fromSnapshot(text);
}

// One WFM sync pass on a file of ACD users: link tenants, compute the delta when due, apply.
const wfm = {
  options: {
    ...common,
    source: { type: "string" },
    snapshot: { type: "string" },
    "wfm-tenant": { type: "string", default: "wfm-1" },
    link: { type: "string", default: "acd-east=east,acd-west=west" },
    now: { type: "string" },
  },
  required: ["source"],
  run(values, usersync, io) {
    const now = values.now ?? new Date().toISOString();
    const engine = loadEngine(values.snapshot, usersync, io);
    const tenant = values["wfm-tenant"];
    const links = values.link.split(",").filter(Boolean).map((pair) => {
      const [acdTenantId, acdId] = pair.split("=");
      if (!acdTenantId || !acdId) throw usage(`--link takes acdTenant=acdId pairs, got '${pair}'`);
      return { acdTenantId, acdId };
    });
    for (const l of links) engine.linkAcd(tenant, l.acdTenantId, l.acdId, now);
    const users = usersync.parseSourceUsers(io.read(values.source), inputFormat(values.source, values["input-format"]), csvColumns(values.map)).records;
    const batches = links.map((l) => ({ acdTenantId: l.acdTenantId, users: users.filter((u) => u.tenantId === l.acdTenantId) }));
    const delta = engine.wfmSync(tenant, batches, now);
    engine.applyWfmDelta(delta);
    if (values.snapshot) io.write(engine.saveSnapshot(), values.snapshot);
    const status = engine.wfmStatus(now);
    if (values.format === "json") {
      io.write(JSON.stringify({ delta, status }, null, 2) + "\n", values.out);
      return 0;
    }
    let text = `WFM sync for ${tenant} (${links.map((l) => `${l.acdTenantId} as ${l.acdId}`).join(", ")})\n\n`;
    text += io.table(["change", "acd", "agent", "name", "fields"], [
      ...delta.additions.map((a) => ["added", a.acdId, a.agentNumber, `${a.firstName ?? ""} ${a.lastName ?? ""}`.trim(), ""]),
      ...delta.changes.map((c) => ["changed", c.agent.acdId, c.agent.agentNumber, `${c.agent.firstName ?? ""} ${c.agent.lastName ?? ""}`.trim(), c.changed.join(" ")]),
      ...delta.absent.map((a) => ["absent", a.agent.acdId, a.agent.agentNumber, `${a.agent.firstName ?? ""} ${a.agent.lastName ?? ""}`.trim(), a.reason]),
    ]);
    text += "\nNot synced / warnings\n\n" + io.table(["user", "acd", "code", "message"], [
      ...delta.notSynced.map((n) => [n.userId, n.acdId, n.code, n.message]),
      ...delta.warnings.map((w) => [w.userId, w.acdId, w.code, w.message]),
      ...delta.multiTenant.map((m) => [m.agents.map((a) => a.userId).join(" + "), m.agents.map((a) => a.acdId).join(" + "), m.code, m.emailKey]),
    ]);
    const t = status.tenants.find((x) => x.wfmTenantId === tenant);
    text += `\nNext due: ${t?.nextDue ?? "never (sync disabled)"}\n`;
    for (const w of status.warnings) text += `Warning: ${w}\n`;
    io.write(text, values.out);
    return 0;
  },
};

export const commands = { intake, match, sync, wfm };
