// `usersync wfm`: WFM sync on files, as cron runs it. One call may change the settings (as
// the Account Representative: --actor ID --permission WFM.UserSync.Configure --reason TEXT),
// acknowledge the delta WFM confirmed, print the WFM log, or run when due (--if-due).
import { common, csvColumns, inputFormat, usage } from "./options.mjs";
import { openSnapshot } from "./snapshot-file.mjs";
import { localTime } from "./words.mjs";

export const wfm = {
  options: {
    ...common,
    source: { type: "string" },
    snapshot: { type: "string" },
    "wfm-tenant": { type: "string", default: "wfm-1" },
    link: { type: "string" },
    unlink: { type: "string" },
    interval: { type: "string" },
    enable: { type: "boolean" },
    disable: { type: "boolean" },
    "business-unit": { type: "string" },
    "personal-id": { type: "string" },
    "external-id": { type: "string" },
    actor: { type: "string" },
    permission: { type: "string", multiple: true },
    reason: { type: "string" },
    acknowledge: { type: "string" },
    log: { type: "boolean" },
    "if-due": { type: "boolean" },
    iex: { type: "string" },
    now: { type: "string" },
  },
  async run(values, usersync, io) {
    const snap = openSnapshot(values.snapshot, usersync);
    try {
      return await wfmWith(snap, values, usersync, io);
    } finally {
      snap.close();
    }
  },
};

async function wfmWith(snap, values, usersync, io) {
  const now = values.now ?? new Date().toISOString();
  const engine = snap.engine;
  const tenant = values["wfm-tenant"];
  const json = values.format === "json";

  const changed = configure(engine, tenant, values, now, io);
  if (values.acknowledge) {
    const delta = JSON.parse(io.read(values.acknowledge).toString("utf8"));
    engine.acknowledgeWfmDelta(delta.delta ?? delta, now);
    io.log(`Acknowledged the delta of the run at ${(delta.delta ?? delta).runAt} for ${tenant}.`);
  }
  if (changed || values.acknowledge) snap.save();
  warnIfDisabled(engine, now, io);

  if (values.log) {
    const log = engine.wfmLog();
    io.write(json ? JSON.stringify(log, null, 2) + "\n" : logText(log, io), values.out);
    return 0;
  }
  if (!values.source) {
    if (changed || values.acknowledge) return 0;
    throw usage(
      "--source is required to run WFM sync (or use --log, --acknowledge or a settings flag)",
    );
  }

  const status = engine.wfmStatus(now);
  const t = status.tenants.find((x) => x.wfmTenantId === tenant);
  if (!t || t.acds.length === 0) {
    throw usage(
      `WFM tenant ${tenant} links no ACD tenant: link one first with --link acdTenant=acdId ` +
        "--actor ID --permission WFM.UserSync.Configure --reason TEXT",
    );
  }
  if (values["if-due"] && !engine.isWfmSyncDue(tenant, now)) {
    const nextRun = t.nextDue ?? null;
    const every = engine.wfmSettings().intervalMinutes;
    io.log(
      nextRun
        ? `WFM sync of ${tenant} is not due yet: next run at ${localTime(nextRun)} (every ${every} minutes; ` +
            `last run ${localTime(t.lastRun)}). Exact instant: ${nextRun}.`
        : `WFM sync of ${tenant} did not run: sync is disabled`,
    );
    if (json)
      io.write(
        JSON.stringify({ due: false, lastRun: t.lastRun ?? null, nextRun }) + "\n",
        values.out,
      );
    return 0;
  }

  const users = usersync.parseSourceUsers(
    io.read(values.source),
    inputFormat(values.source, values["input-format"]),
    csvColumns(values.map),
  ).records;
  const batches = t.acds.map((a) => ({
    acdTenantId: a.acdTenantId,
    users: users.filter((u) => u.tenantId === a.acdTenantId),
  }));
  let delta;
  let readBack;
  try {
    if (values.iex)
      readBack = engine.wfmReadBack(
        tenant,
        await usersync.fetchIexAgents(iexOptions(values.iex, io)),
        batches,
        now,
      );
    delta = engine.wfmSync(tenant, batches, now);
  } finally {
    // A failed run is in the WFM log: keep it.
    snap.save();
  }
  const after = engine.wfmStatus(now);
  if (json) {
    io.write(
      JSON.stringify({ delta, status: after, ...(readBack ? { readBack } : {}) }, null, 2) + "\n",
      values.out,
    );
    return 0;
  }
  if (readBack) {
    io.log(
      `IEX holds ${readBack.held} agents (${readBack.withoutAcdUser} with no CXone user: reported absent).`,
    );
    for (const m of readBack.notInWfm) io.log(`not_in_wfm: ${m.message}`);
  }
  io.write(deltaText(delta, after, tenant, io), values.out);
  return 0;
}

/** The SmartSync connection of --iex: a JSON file; the password from USERSYNC_IEX_PASSWORD. */
function iexOptions(path, io) {
  const o = JSON.parse(io.read(path).toString("utf8"));
  const password = process.env.USERSYNC_IEX_PASSWORD ?? o.password;
  if (!password) throw usage("--iex needs the password in USERSYNC_IEX_PASSWORD");
  return { ...o, password };
}

/** Applies the settings flags; true when anything changed. */
function configure(engine, tenant, values, now, io) {
  const wanted =
    values.link ||
    values.unlink ||
    values.interval !== undefined ||
    values.enable ||
    values.disable ||
    values["personal-id"] !== undefined ||
    values["external-id"] !== undefined;
  if (!wanted) return false;
  if (!values.actor)
    throw usage(
      "changing WFM sync needs --actor ID (and --permission NAME for each permission it holds)",
    );
  if (values.enable && values.disable) throw usage("--enable and --disable together");
  const actor = { id: values.actor, permissions: values.permission ?? [] };
  const reason = values.reason ?? "";
  for (const pair of (values.link ?? "").split(",").filter(Boolean)) {
    const [acdTenantId, acdId] = pair.split("=");
    if (!acdTenantId || !acdId) throw usage(`--link takes acdTenant=acdId pairs, got '${pair}'`);
    engine.linkAcd(actor, tenant, acdTenantId, acdId, reason, now);
  }
  for (const acdTenantId of (values.unlink ?? "").split(",").filter(Boolean)) {
    engine.unlinkAcd(actor, tenant, acdTenantId, reason, now);
  }
  if (values.interval !== undefined || values.enable || values.disable) {
    const current = engine.wfmSettings();
    const intervalMinutes =
      values.interval === undefined ? current.intervalMinutes : Number(values.interval);
    if (!Number.isInteger(intervalMinutes))
      throw usage(`--interval takes whole minutes, got '${values.interval}'`);
    const enabled = values.disable ? false : values.enable ? true : current.enabled;
    engine.setWfmSettings(actor, { enabled, intervalMinutes }, reason, now);
    io.log(`WFM sync ${enabled ? "enabled" : "disabled"}, every ${intervalMinutes} minutes.`);
  }
  if (values["personal-id"] !== undefined || values["external-id"] !== undefined) {
    const unit = values["business-unit"];
    if (!unit) throw usage("--personal-id / --external-id need --business-unit ACD_TENANT_ID");
    const current = engine.wfmFieldSwitches(unit);
    const onOff = (flag, was) => {
      if (values[flag] === undefined) return was;
      if (values[flag] !== "on" && values[flag] !== "off") throw usage(`--${flag} takes on or off`);
      return values[flag] === "on";
    };
    engine.setWfmFieldSwitches(
      actor,
      {
        acdTenantId: unit,
        syncPersonalId: onOff("personal-id", current.syncPersonalId),
        syncExternalId: onOff("external-id", current.syncExternalId),
      },
      reason,
      now,
    );
  }
  return true;
}

/** The MAX warning, on stderr, whenever sync is disabled (every call, so cron mail shows it). */
function warnIfDisabled(engine, now, io) {
  for (const w of engine.wfmStatus(now).warnings) {
    if (/MAX/.test(w)) process.stderr.write(`Warning: ${w}\n`);
  }
}

function logText(log, io) {
  if (log.length === 0) return "The WFM log is empty.\n";
  return io.table(
    ["when", "what", "tenant", "who", "reason", "summary", "outcome"],
    log.map((e) => [
      e.at,
      e.kind,
      e.wfmTenantId ?? "",
      e.actor ?? "",
      e.reason ?? "",
      e.summary + (e.examinedAcds?.length ? ` (acds ${e.examinedAcds.join(", ")})` : ""),
      e.error ? `${e.outcome}: ${e.error.code}` : (e.outcome ?? ""),
    ]),
  );
}

function deltaText(delta, status, tenant, io) {
  const name = (a) => `${a.firstName ?? ""} ${a.lastName ?? ""}`.trim();
  let text = `WFM sync for ${tenant} (acds examined: ${delta.examinedAcds.join(", ") || "none"}), run ${delta.runAt}\n\n`;
  text += io.table(
    ["change", "acd", "agent", "name", "fields"],
    [
      ...delta.additions.map((a) => ["added", a.acdId, a.agentNumber, name(a), ""]),
      ...delta.changes.map((c) => [
        "changed",
        c.agent.acdId,
        c.agent.agentNumber,
        name(c.agent),
        c.changed.join(" "),
      ]),
      ...delta.absent.map((a) => [
        "absent",
        a.agent.acdId,
        a.agent.agentNumber,
        name(a.agent),
        a.reason,
      ]),
    ],
  );
  text +=
    "\nNot synced / warnings\n\n" +
    io.table(
      ["user", "acd", "code", "message"],
      [
        ...delta.notSynced.map((n) => [n.userId, n.acdId, n.code, n.message]),
        ...delta.warnings.map((w) => [w.userId, w.acdId, w.code, w.message]),
        ...delta.multiTenant.map((m) => [
          m.agents.map((a) => a.userId).join(" + "),
          m.agents.map((a) => a.acdId).join(" + "),
          m.code,
          m.emailKey,
        ]),
      ],
    );
  const t = status.tenants.find((x) => x.wfmTenantId === tenant);
  if (t?.pending) {
    text +=
      `\nPending until WFM confirms it: run ${t.pending.runAt} (acknowledge with --acknowledge FILE, ` +
      "the JSON of this run from --format json)\n";
  }
  text += `Next run: ${t?.nextDue ?? "never (sync disabled)"}\n`;
  return text;
}
