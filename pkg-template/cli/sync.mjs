// `usersync sync`: Auto Sync on files, keeping state between runs in a snapshot file.
import { common, csvColumns, inputFormat, usage } from "./options.mjs";
import { openSnapshot } from "./snapshot-file.mjs";

const REASON_ORDER = ["no_match", "multiple_matches", "duplicate_source_email", "external_taken",
  "invalid_email", "confusable", "no_permission", "inactive", "external_gone", "manual_unmap"];

// Auto Sync on files, keeping state between runs in a snapshot file when one is given.
export const sync = {
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
    const snap = openSnapshot(values.snapshot, usersync);
    try {
      return syncWith(snap, values, usersync, io);
    } finally {
      snap.close();
    }
  },
};

function syncWith(snap, values, usersync, io) {
  const now = values.now ?? new Date().toISOString();
  const unit = { businessUnitId: values["business-unit"], platform: values.platform };
  const engine = snap.engine;
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
    if (values.schedule !== undefined) snap.save();
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
    snap.save();
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
}

function safeKey(usersync, email) {
try {
  return email ? usersync.emailKey(email).key : undefined;
} catch {
  return undefined;
}
}
