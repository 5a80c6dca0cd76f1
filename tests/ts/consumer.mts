// A TypeScript consumer of the Node build, checked with `tsc --strict --noEmit`: if the
// published types drift from what a user writes, this stops compiling.
import {
  emailKey,
  emailKeys,
  intakeSourceUsers,
  parseExternalUsers,
  isUsersyncError,
  BulkJob,
  matchBulk,
  type BulkProgress,
  type EmailKey,
  type IntakeReport,
  type SourceUser,
  type UsersyncErrorCode,
} from "../../pkg/node/usersync.mjs";

const key: EmailKey = emailKey("Ann@Example.com", { caseSensitiveLocalPart: false });
const k: string = key.key;
const why: string | undefined = key.confusable;

const users: SourceUser[] = [
  { id: "u1", email: "a@example.com", permissions: ["UserMapping.Map"] },
];
const { records, report } = intakeSourceUsers(users);
const first: SourceUser | undefined = records[0];
const accepted: number = report.accepted;
for (const r of report.rejected) {
  const line: number | undefined = r.line;
  const code: UsersyncErrorCode = r.code;
  (void line, code);
}

const ext = parseExternalUsers(new Uint8Array(), "ndjson", {
  columns: [{ field: "email", header: "Email" }],
});
const rep: IntakeReport = ext.report;

for (const o of emailKeys(["a@x.com", "b@y.com"])) {
  const c: string | undefined = o.collision;
  void c;
}

try {
  emailKey("not an address");
} catch (e: unknown) {
  if (isUsersyncError(e)) {
    const code: UsersyncErrorCode = e.code;
    const field: string | undefined = e.field;
    (void code, field);
  }
}

(void k, why, first, accepted, rep);

// The stateful handle, as an admin tool uses it.
import {
  Engine,
  reasonText,
  type Plan,
  type StatusRow,
  type UnitRef,
  type Actor,
  type AuditEvent,
  type RunSummary,
  type HistoryEntry,
  type WfmStatus,
  type Delta,
  type PlatformSupport,
  type UnitSchedule,
  type WfmLogEntry,
  type IexAgent,
  type ReadBackReport,
  fetchIexAgents,
} from "../../pkg/node/usersync.mjs";

const unit: UnitRef = { businessUnitId: "bu-1", platform: "ringcentral" };
const admin: Actor = { id: "admin", permissions: ["UserMapping.Map"] };
const engine = new Engine();
const now = new Date().toISOString();
const intake: IntakeReport = engine.loadSourceUsers(unit, users);
engine.loadExternalUsers(unit, [{ id: "x1", email: "a@example.com" }]);
const plan: Plan = engine.planAutoSync(unit, now);
const emails: string[] = plan.retry.emails;
const retried: Plan = engine.retryAutoSync(plan.runId, null, now);
const applied = engine.applyPlan({ runId: retried.runId, actor: admin, now });
// The positional form still type-checks (deprecated) with an Actor.
engine.applyPlan(retried.runId, admin, now, false);
const rows: StatusRow[] = engine.status(unit);
const events: AuditEvent[] = engine.map({
  unit,
  actor: admin,
  userId: "u1",
  externalId: "x1",
  now,
  reassign: true,
});
engine.unmap({ unit, actor: admin, userId: "u1", now });
engine.exclude({ unit, actor: admin, userId: "u1", now });
engine.include({ unit, actor: admin, userId: "u1", now });
const support: PlatformSupport = engine.platformSupport("teams");
const manualOnly: boolean = !support.autoSync;
const words: string = reasonText("no_match", "ringcentral");
const undo: Plan = engine.planUndoRun(plan.runId, now);
const runs: RunSummary[] = engine.runs(unit);
const history: HistoryEntry[] = engine.userHistory(unit, "u1");
engine.setSchedule({
  unit,
  actor: admin,
  now,
  schedule: {
    enabled: true,
    frequency: { kind: "weekly", days: ["mon", "thu"], time: "06:00" },
    timeZone: "Europe/Berlin",
  },
});
const saved: UnitSchedule = engine.schedule(unit);
const owner: Actor | undefined = saved.savedBy;
if (engine.isAutoSyncDue(unit, now))
  engine.applyScheduledPlan({ runId: engine.planAutoSync(unit, now).runId, now });
const next: string[] = engine.nextRuns(unit, now, 5);
const accountRep: Actor = { id: "rep", permissions: ["WFM.UserSync.Configure"] };
engine.linkAcd(accountRep, "wfm-1", "acd-east", "east", "go-live", now);
const delta: Delta = engine.wfmSync("wfm-1", [{ acdTenantId: "acd-east", users }], now);
engine.acknowledgeWfmDelta(delta, now);
const wfmStatus: WfmStatus = engine.wfmStatus(now);
const wfmLog: WfmLogEntry[] = engine.wfmLog();
// Read back what IEX holds, then run against it (typed only: never called here).
async function readBackThenRun(password: string, signal: AbortSignal): Promise<Delta> {
  const held: IexAgent[] = await fetchIexAgents({
    baseUrl: "https://iex.example.com",
    customerId: "c",
    userName: "u",
    password,
    signal,
    pollMs: 500,
  });
  const report: ReadBackReport = engine.wfmReadBack(
    "wfm-1",
    held,
    [{ acdTenantId: "acd-east", users }],
    now,
  );
  void report.notInWfm.map((m) => m.code);
  return engine.wfmSync("wfm-1", [{ acdTenantId: "acd-east", users }], now);
}
void readBackThenRun;
const restored: Engine = Engine.fromSnapshot(engine.saveSnapshot());
restored.free();
(void intake,
  emails,
  applied,
  rows,
  events,
  undo,
  runs,
  history,
  next,
  wfmStatus,
  wfmLog,
  manualOnly,
  owner,
  words);

// Bulk: options and the progress callback are optional; runBytes gives the report's bytes.
const bytes = new TextEncoder().encode("id,email\nu1,a@example.com\n");
const text: string = matchBulk(bytes, bytes);
const job = new BulkJob(bytes.length, bytes.length);
job.source().set(bytes);
job.external().set(bytes);
const reportBytes: Uint8Array = job.runBytes({ output: "csv" }, (p: BulkProgress) => void p.phase);
const again: string = job.run();
job.free();
(void text, reportBytes, again);
