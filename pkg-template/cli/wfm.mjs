// `usersync wfm`: one WFM sync pass on a file of ACD users.
import { common, csvColumns, inputFormat, usage } from "./options.mjs";
import { openSnapshot } from "./snapshot-file.mjs";

// One WFM sync pass on a file of ACD users: link tenants, compute the delta when due, apply.
export const wfm = {
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
    const snap = openSnapshot(values.snapshot, usersync);
    try {
      return wfmWith(snap, values, usersync, io);
    } finally {
      snap.close();
    }
  },
};

function wfmWith(snap, values, usersync, io) {
  const now = values.now ?? new Date().toISOString();
  const engine = snap.engine;
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
  snap.save();
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
}
