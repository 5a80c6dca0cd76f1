// WFM: the topology (a WFM tenant and the ACD tenants it links, each as an acd id), the
// interval and enabled switch (with the MAX warning when disabled), next due times, the last
// delta, and each user's readiness checklist.

import { isUsersyncError, type AcdBatch, type Delta, type Readiness, type SourceUser, type WfmStatus } from "usersync";
import { fetchCxone, withWfmSetup } from "./directory";
import { h, note, replace, time } from "./dom";
import { errorText, now, type App, type BusinessUnit } from "./state";
import type { Tab } from "./tab";
import { VirtualTable } from "./table";

const LIST_CAP = 100;

export function createWfmTab(app: App): Tab {
  const messages = h("div", { class: "messages", "data-testid": "wfm-messages" });
  const warnings = h("div", { "data-testid": "wfm-warnings" });
  const topology = h("div", { "data-testid": "wfm-topology" });
  const lastDelta = h("div", { "data-testid": "wfm-delta" });
  const readinessNote = h("p", { class: "muted", "data-testid": "readiness-summary" });
  const enriched = new Map<string, { from: SourceUser[]; users: SourceUser[] }>();

  const interval = h("input", { type: "number", min: 5, max: 1440, "data-testid": "wfm-interval" });
  const enabled = h("input", { type: "checkbox", "data-testid": "wfm-enabled" });
  const saveSettings = h("button", { "data-testid": "wfm-save-settings" }, "Save");
  const wfmId = h("input", { "data-testid": "link-wfm", value: "wfm-1", "aria-label": "WFM tenant id" });
  const acdTenant = h("select", { "data-testid": "link-acd-tenant", "aria-label": "ACD tenant" },
    ...app.config.businessUnits.map((b) => h("option", { value: b.businessUnitId }, `${b.name} (${b.businessUnitId})`)));
  const acdId = h("input", { "data-testid": "link-acd-id", placeholder: "acd id, e.g. east", "aria-label": "acd id" });
  const linkBtn = h("button", { class: "primary", "data-testid": "link-acd" }, "Link");

  const say = (kind: "error" | "ok" | "warn" | "info", text: string) => replace(messages, note(kind, text));
  const guarded = (f: () => void, ok?: string) => {
    try { f(); app.changed(); if (ok) say("ok", ok); } catch (e) { say("error", errorText(e)); }
  };

  saveSettings.addEventListener("click", () => guarded(() =>
    app.engine.setWfmSettings({ enabled: enabled.checked, intervalMinutes: Number(interval.value) }), "WFM settings saved."));
  linkBtn.addEventListener("click", () => {
    const wfm = wfmId.value.trim();
    const acd = acdId.value.trim() || acdTenant.value;
    guarded(() => {
      const made = app.engine.linkAcd(wfm, acdTenant.value, acd, now());
      if (!made) throw new Error(`${acdTenant.value} is already linked to ${wfm}`);
    }, `Linked ${acdTenant.value} to ${wfm} as ${acd}.`);
  });

  const readiness = new VirtualTable<Readiness>({
    testId: "readiness-table",
    rowId: (r) => r.userId,
    columns: [
      { key: "user", label: "User", width: "110px", sortKey: (r) => r.userId, render: (r, c) => { c.textContent = r.userId; } },
      ...(["employee_exists", "team_has_wfm_advanced", "role_can_view_personal_schedule", "acd_profile_present"] as const).map((step, i) => ({
        key: step, label: ["Employee", "Team WFMAdvanced", "Role: personal schedule", "ACD profile"][i] ?? step, width: "1fr",
        sortKey: (r: Readiness) => (r.steps.find((s) => s.step === step)?.done ? 1 : 0),
        render: (r: Readiness, c: HTMLElement) => {
          const s = r.steps.find((x) => x.step === step);
          c.append(h("span", { class: s?.done ? "ok" : "missing" }, s?.done ? "✓" : "✗"));
          if (s) c.title = s.text;
        },
      })),
      { key: "synced", label: "Synced", width: "70px", sortKey: (r) => (r.synced ? 1 : 0), render: (r, c) => { c.textContent = r.synced ? "yes" : "no"; } },
      { key: "why", label: "Blocking / warnings", width: "2fr", sortKey: (r) => r.blocking ?? r.warnings[0] ?? "",
        render: (r, c) => { c.textContent = [r.blocking, ...r.warnings].filter(Boolean).join("; "); } },
    ],
  });

  const runSync = async (tenantId: string, status: WfmStatus) => {
    const tenant = status.tenants.find((t) => t.wfmTenantId === tenantId);
    if (!tenant) return;
    // Fetching the ACD users takes a moment; say so, so no earlier message reads as this run's.
    say("info", `Reading the ACD users of ${tenantId}…`);
    const batches: AcdBatch[] = [];
    const skipped: string[] = [];
    for (const acd of tenant.acds) {
      const bu = app.config.businessUnits.find((b) => b.businessUnitId === acd.acdTenantId);
      if (!bu) { skipped.push(acd.acdTenantId); continue; }
      batches.push({ acdTenantId: acd.acdTenantId, users: await usersOf(bu) });
    }
    try {
      const delta = app.engine.wfmSync(tenantId, batches, now());
      app.engine.applyWfmDelta(delta);
      app.setLastDelta(delta);
      app.changed();
      say("ok", `Delta for ${tenantId}: ${delta.additions.length} additions, ${delta.changes.length} changes, ` +
        `${delta.absent.length} absent.` + (skipped.length ? ` Not examined (no connection configured): ${skipped.join(", ")}.` : ""));
    } catch (e) {
      say(isUsersyncError(e) && e.code === "sync_not_due" ? "warn" : "error", errorText(e));
    }
  };

  const usersOf = async (bu: BusinessUnit): Promise<SourceUser[]> => {
    const source = app.directories.get(bu.businessUnitId)?.source ?? await fetchCxone(bu);
    const cached = enriched.get(bu.businessUnitId);
    if (cached && cached.from === source) return cached.users;
    const users = await withWfmSetup(bu, source);
    enriched.set(bu.businessUnitId, { from: source, users });
    return users;
  };

  const renderTopology = (status: WfmStatus) => {
    const nameOf = (id: string) => app.config.businessUnits.find((b) => b.businessUnitId === id)?.name;
    replace(topology, status.tenants.length === 0 ? h("p", { class: "muted" }, "No WFM tenant yet: link an ACD tenant below.") : "",
      ...status.tenants.map((t) => h("div", { class: "card", "data-wfm-tenant": t.wfmTenantId },
        h("h3", {}, `WFM tenant ${t.wfmTenantId}`),
        h("p", { class: "muted" }, "Last run ", time(t.lastRun), " · next due ",
          h("span", { "data-testid": "wfm-next-due" }, t.nextDue ? time(t.nextDue) : "never (sync disabled)"),
          ` · ${t.agentsPresent} agents present, ${t.agentsAbsent} absent`),
        h("table", { class: "plain" }, h("tr", {}, h("th", {}, "acd id"), h("th", {}, "ACD tenant"), h("th", {}, "Linked"), h("th", {}, "")),
          ...t.acds.map((a) => h("tr", { "data-acd": a.acdId },
            h("td", {}, a.acdId), h("td", {}, a.acdTenantId, nameOf(a.acdTenantId) ? ` (${nameOf(a.acdTenantId)})` : ""),
            h("td", {}, time(a.linkedAt)),
            h("td", {}, h("button", { class: "small", "data-action": "unlink",
              onclick: () => guarded(() => app.engine.unlinkAcd(t.wfmTenantId, a.acdTenantId), `Unlinked ${a.acdTenantId}.`) }, "Unlink"))))),
        h("button", { "data-testid": "wfm-run", onclick: () => { void runSync(t.wfmTenantId, status); } }, "Run sync if due"))));
  };

  const renderDelta = (d: Delta | undefined) => {
    if (!d) { replace(lastDelta, h("p", { class: "muted" }, "No delta yet.")); return; }
    const list = <T>(title: string, items: T[], text: (x: T) => string) => items.length === 0 ? "" :
      h("details", {}, h("summary", {}, `${title} (${items.length})`),
        h("ul", {}, ...items.slice(0, LIST_CAP).map((x) => h("li", {}, text(x))),
          items.length > LIST_CAP ? h("li", { class: "muted" }, `…and ${items.length - LIST_CAP} more`) : ""));
    replace(lastDelta, h("p", {}, `Tenant ${d.wfmTenantId}, acds examined: ${d.examinedAcds.join(", ") || "none"}.`),
      list("Additions", d.additions, (a) => `${a.acdId}/${a.agentNumber} ${a.firstName ?? ""} ${a.lastName ?? ""} <${a.email ?? ""}>`),
      list("Changes", d.changes, (c) => `${c.agent.acdId}/${c.agent.agentNumber}: ${c.changed.join(", ")}`),
      list("Absent (reported, never deleted)", d.absent, (a) => `${a.agent.acdId}/${a.agent.agentNumber}: ${a.reason}`),
      list("In several ACD tenants", d.multiTenant, (m) => `${m.emailKey}: ${m.agents.map((x) => `${x.acdId}/${x.userId}`).join(", ")}`),
      list("Not synced", d.notSynced, (n) => `${n.acdId}/${n.userId}: ${n.message}`),
      list("Warnings", d.warnings, (w) => `${w.acdId}/${w.userId}: ${w.message}`));
  };

  const refreshReadiness = async () => {
    const bu = app.businessUnit;
    const source = app.directories.get(bu.businessUnitId)?.source;
    if (!source) { readinessNote.textContent = "Readiness appears once the unit's users are loaded."; return; }
    try {
      const rows = app.engine.wfmReadiness(await usersOf(bu));
      readiness.setRows(rows);
      const synced = rows.filter((r) => r.synced).length;
      readinessNote.textContent = `${bu.name}: ${synced} of ${rows.length} users would be synced to WFM.`;
    } catch (e) {
      readinessNote.textContent = `Readiness: ${errorText(e)}`;
    }
  };

  const element = h("section", { class: "tab", "data-testid": "tab-wfm" },
    h("h2", {}, "Sync settings"), warnings,
    h("div", { class: "toolbar" }, h("label", { class: "check" }, enabled, "WFM sync enabled"),
      h("label", {}, "Interval (minutes, 5–1440) ", interval), saveSettings),
    h("h2", {}, "Topology"), topology,
    h("div", { class: "toolbar" }, h("label", {}, "WFM tenant ", wfmId), h("label", {}, "ACD tenant ", acdTenant),
      h("label", {}, "as ", acdId), linkBtn),
    messages,
    h("h2", {}, "Last delta"), lastDelta,
    h("h2", {}, "Readiness"), readinessNote, readiness.element);

  const refresh = () => {
    let status: WfmStatus;
    try {
      status = app.engine.wfmStatus(now());
    } catch (e) {
      say("error", errorText(e));
      return;
    }
    interval.value = String(status.intervalMinutes);
    enabled.checked = status.enabled;
    replace(warnings, ...status.warnings.map((w) => note("warn", w)));
    renderTopology(status);
    renderDelta(app.lastDelta);
    void refreshReadiness();
  };
  return { id: "wfm", label: "WFM", element, refresh };
}
