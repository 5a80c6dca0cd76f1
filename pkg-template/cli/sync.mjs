// `usersync sync`: Auto Sync on files, keeping state between runs in a snapshot file.
//
// Who acts is always named: `--actor ID --permission NAME` (repeatable) for a run started by
// hand and for saving a schedule; a run with `--if-due` acts as the admin who saved the
// schedule, whose permission the engine confirms again (from the CXone file, and from
// `--actor`/`--permission` when given).
import { common, csvColumns, inputFormat, usage } from "./options.mjs";
import { openSnapshot } from "./snapshot-file.mjs";
import { notDue, notSetUp, ran, refused } from "./words.mjs";

const REASON_ORDER = [
  "no_match",
  "multiple_matches",
  "duplicate_source_email",
  "external_taken",
  "invalid_email",
  "confusable",
  "no_permission",
  "inactive",
  "external_gone",
  "manual_unmap",
];

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
    actor: { type: "string" },
    permission: { type: "string", multiple: true },
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

/** The actor named on the command line, or undefined. */
function actorOf(values) {
  if (values.actor === undefined) {
    if (values.permission?.length)
      throw usage("--permission belongs to an actor: give --actor ID too");
    return undefined;
  }
  if (!values.actor.trim()) throw usage("--actor needs an id");
  return { id: values.actor, permissions: values.permission ?? [] };
}

function syncWith(snap, values, usersync, io) {
  const now = values.now ?? new Date().toISOString();
  const unit = { businessUnitId: values["business-unit"], platform: values.platform };
  const engine = snap.engine;
  const actor = actorOf(values);
  const json = values.format === "json";
  if (values.schedule !== undefined) {
    let schedule;
    try {
      schedule = JSON.parse(values.schedule);
    } catch (e) {
      throw usage(`--schedule takes the schedule as JSON: ${e.message}`);
    }
    if (!actor)
      throw usage("saving a schedule needs who saves it: --actor ID --permission UserMapping.Map");
    engine.setSchedule({ unit, schedule, actor, now });
  }
  const scheduled = Boolean(values["if-due"]);
  if (scheduled) {
    const entry = engine.schedule(unit);
    if (!engine.isAutoSyncDue(unit, now)) {
      if (values.schedule !== undefined) snap.save();
      const support = engine.platformSupport(unit.platform);
      const setUp = entry.schedule !== undefined && support.autoSync;
      const next =
        setUp && entry.schedule.enabled ? (engine.nextRuns(unit, now, 1)[0] ?? null) : null;
      io.log(setUp ? notDue(unit, entry, next) : notSetUp(unit, support));
      if (json) {
        io.write(
          JSON.stringify(
            {
              due: false,
              setUp,
              autoSync: support.autoSync,
              lastRun: entry.lastRun ?? null,
              nextRun: next,
            },
            null,
            2,
          ) + "\n",
          values.out,
        );
      }
      return 0;
    }
  } else if (!values["dry-run"] && !actor) {
    throw usage(
      "sync applies Auto Sync as an admin: give --actor ID --permission UserMapping.Map " +
        "(or --if-due to run as the admin who saved the schedule, or --dry-run to only show the plan)",
    );
  }
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
  const mine = source.records.filter(
    (u) => !u.businessUnitId || u.businessUnitId === unit.businessUnitId,
  );
  // Nothing leaves without a line: users of other business units, and records intake refused.
  const leftOut = source.records
    .filter((u) => u.businessUnitId && u.businessUnitId !== unit.businessUnitId)
    .map((u) => ({
      id: u.id,
      businessUnitId: u.businessUnitId,
      why: otherUnit(u.businessUnitId, unit.businessUnitId),
    }));
  const rejected = [
    ...source.report.rejected.map((r) => ({ side: "source", ...r })),
    ...external.report.rejected.map((r) => ({ side: "external", ...r })),
  ];
  if (leftOut.length)
    io.log(
      `${leftOut.length} CXone users belong to other business units than ${unit.businessUnitId} and were left out (listed below).`,
    );
  if (rejected.length)
    io.log(`${rejected.length} records were rejected at intake and not used (listed below).`);
  engine.loadSourceUsers(unit, mine);
  engine.loadExternalUsers(unit, external.records);
  const first = engine.planAutoSync(unit, now);
  const refreshed = values.refetch
    ? usersync
        .parseExternalUsers(
          io.read(values.refetch),
          inputFormat(values.refetch, values["input-format"]),
          csv,
        )
        .records.filter((u) =>
          first.retry.emails.some((e) => usersync.emailKey(e).key === safeKey(usersync, u.email)),
        )
    : null;
  const plan = engine.retryAutoSync(first.runId, refreshed, now);
  let outcome = null;
  if (!values["dry-run"]) {
    if (scheduled) {
      if (values.force)
        throw usage("--force is for a run started by an admin, not a scheduled one");
      try {
        outcome = engine.applyScheduledPlan({ runId: plan.runId, owner: actor, now });
      } catch (e) {
        // The refusal is kept in the snapshot, so the page and the next run report it too.
        if (e?.code === "permission_denied") {
          snap.save();
          e.message = refused(unit, e);
        }
        throw e;
      }
    } else {
      outcome = engine.applyPlan({ runId: plan.runId, actor, now, force: Boolean(values.force) });
    }
    snap.save();
    io.log(ran(plan, outcome, scheduled ? engine.runSummary(plan.runId).actor : undefined));
  } else {
    io.log(
      `Auto Sync ${plan.runId} (dry run): ${plan.transitions.length} changes planned, retry re-fetched ${refreshed?.length ?? 0} of ${first.retry.emails.length} emails; nothing applied.`,
    );
  }
  const rows = values["dry-run"] ? null : engine.status(unit);
  if (json) {
    io.write(
      JSON.stringify({ plan, outcome, status: rows, leftOut, rejected }, null, 2) + "\n",
      values.out,
    );
    return 0;
  }
  let text = values["dry-run"] ? "Plan (dry run)\n\n" : "Status\n\n";
  if (rows) {
    text += io.table(
      ["user", "name", "email", "status", "reason", "method", "external", "attempts"],
      rows.map((r) => [
        r.userId,
        r.name,
        r.email?.trim(),
        r.status,
        r.reasonText ?? "",
        r.method ?? "",
        r.externalName ?? r.externalId ?? "",
        r.attempts,
      ]),
    );
  } else {
    text += io.table(
      ["user", "from", "to", "reason"],
      plan.transitions.map((t) => [t.userId, t.from.status, t.to.status, t.reason ?? ""]),
    );
  }
  const counts = plan.counts.byReason;
  text +=
    "\nCounts per status\n\n" + io.table(["status", "users"], Object.entries(plan.counts.byStatus));
  text +=
    "\nCounts per reason\n\n" +
    io.table(
      ["reason", "users"],
      REASON_ORDER.filter((r) => counts[r]).map((r) => [r, counts[r]]),
    );
  if (leftOut.length) {
    text += `\nLeft out: users of other business units than ${unit.businessUnitId}\n\n`;
    text += io.table(
      ["user", "business unit", "why"],
      leftOut.map((l) => [l.id, l.businessUnitId, l.why]),
    );
  }
  if (rejected.length) {
    text += "\nRejected at intake\n\n";
    text += io.table(
      ["side", "line", "id", "field", "code", "message"],
      rejected.map((r) => [
        r.side,
        r.line ?? r.index,
        r.id ?? "",
        r.field ?? "",
        r.code,
        r.message,
      ]),
    );
  }
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

/** Why a user's business unit is not the run's: units compare exactly, so near misses say so. */
function otherUnit(theirs, ours) {
  if (theirs.trim() === ours) return `"${theirs}" has white space around it; units compare exactly`;
  if (theirs.toLowerCase() === ours.toLowerCase())
    return `"${theirs}" differs from "${ours}" only in case; units compare exactly`;
  return `belongs to business unit "${theirs}"`;
}
