// WFM: the cadence and enabled switch (the Account Representative's, with a reason and a
// confirmation before disabling), the topology, per WFM tenant what ran, what WFM holds and
// what waits for WFM's confirmation, the field switches of each business unit, the WFM log
// and each user's readiness. Runs happen on their own (wfm-scheduler); there is no run button.

import type { Actor, Delta, Readiness, WfmStatus } from "usersync";
import { h, modal, note, replace, time } from "./dom";
import { errorText, now, type App } from "./state";
import type { Tab } from "./tab";
import { VirtualTable } from "./table";
import { wfmUsersOf } from "./wfm-batches";
import { codeOf } from "./words";
import { renderWfmLog } from "./wfm-log";
import { WfmScheduler } from "./wfm-scheduler";

const LIST_CAP = 100;
export const WFM_CONFIGURE = "WFM.UserSync.Configure";
const STEPS = [
  ["employee_exists", "Employee"],
  ["team_has_wfm_advanced", "Team WFMAdvanced"],
  ["role_can_view_personal_schedule", "Role: personal schedule"],
  ["acd_profile_present", "ACD profile"],
  ["agent_number_present", "Agent number"],
] as const;

/** Why `actor` may not change WFM sync, or undefined when it may. */
export function configureDenied(actor: Actor): string | undefined {
  return actor.permissions?.includes(WFM_CONFIGURE)
    ? undefined
    : `${actor.id} lacks ${WFM_CONFIGURE}: only the Account Representative changes WFM sync.`;
}

export function createWfmTab(app: App): Tab {
  const scheduler = new WfmScheduler(app, () => document.querySelector("dialog[open]") !== null);
  const messages = h("div", { class: "messages", "data-testid": "wfm-messages" });
  const runNote = h("div", { "data-testid": "wfm-scheduled" });
  const warnings = h("div", { "data-testid": "wfm-warnings" });
  const denied = h("div", { "data-testid": "wfm-denied" });
  const topology = h("div", { "data-testid": "wfm-topology" });
  const lastDelta = h("div", { "data-testid": "wfm-delta" });
  const logView = h("div", { "data-testid": "wfm-log" });
  const readinessNote = h("p", { class: "muted", "data-testid": "readiness-summary" });

  const interval = h("input", { type: "number", min: 5, max: 1440, "data-testid": "wfm-interval" });
  const enabled = h("input", { type: "checkbox", "data-testid": "wfm-enabled" });
  const reason = h("input", {
    "data-testid": "wfm-reason",
    placeholder: "why (kept in the WFM log)",
    "aria-label": "Reason",
    size: 40,
  });
  const saveSettings = h("button", { "data-testid": "wfm-save-settings" }, "Save");
  const wfmId = h("input", {
    "data-testid": "link-wfm",
    value: "wfm-1",
    "aria-label": "WFM tenant id",
  });
  const unitOptions = () =>
    app.config.businessUnits.map((b) =>
      h("option", { value: b.businessUnitId }, `${b.name} (${b.businessUnitId})`),
    );
  const acdTenant = h(
    "select",
    { "data-testid": "link-acd-tenant", "aria-label": "ACD tenant" },
    ...unitOptions(),
  );
  const acdId = h("input", {
    "data-testid": "link-acd-id",
    placeholder: "acd id, e.g. east",
    "aria-label": "acd id",
  });
  const linkBtn = h("button", { class: "primary", "data-testid": "link-acd" }, "Link");
  const fieldUnit = h(
    "select",
    { "data-testid": "fields-unit", "aria-label": "Business unit" },
    ...unitOptions(),
  );
  const sendPersonal = h("input", { type: "checkbox", "data-testid": "fields-personal-id" });
  const sendExternal = h("input", { type: "checkbox", "data-testid": "fields-external-id" });
  const saveFields = h("button", { "data-testid": "fields-save" }, "Save fields");
  const controls = [
    interval,
    enabled,
    reason,
    saveSettings,
    wfmId,
    acdTenant,
    acdId,
    linkBtn,
    sendPersonal,
    sendExternal,
    saveFields,
  ];

  const say = (kind: "error" | "ok" | "warn" | "info", text: string) =>
    replace(messages, note(kind, text));
  const guarded = (f: () => void, ok?: string) => {
    try {
      f();
      reason.value = "";
      app.changed();
      if (ok) say("ok", ok);
      // A link or a re-enabled sync may make a run due at once.
      void scheduler.check();
    } catch (e) {
      // The sentence for people; the code for machines and the curious, as a tooltip.
      const shown = note("error", errorText(e));
      const code = codeOf(e);
      if (code) {
        shown.title = code;
        shown.dataset.code = code;
      }
      replace(messages, shown);
    }
  };

  const applySettings = () =>
    guarded(
      () =>
        app.engine.setWfmSettings(
          app.actor,
          { enabled: enabled.checked, intervalMinutes: Number(interval.value) },
          reason.value,
          now(),
        ),
      "WFM settings saved.",
    );
  saveSettings.addEventListener("click", () => {
    const wasOn = app.engine.wfmSettings().enabled;
    if (wasOn && !enabled.checked)
      confirmDisable(reason.value, applySettings, () => {
        enabled.checked = true;
      });
    else applySettings();
  });
  linkBtn.addEventListener("click", () => {
    const wfm = wfmId.value.trim();
    const acd = acdId.value.trim() || acdTenant.value;
    guarded(() => {
      const made = app.engine.linkAcd(app.actor, wfm, acdTenant.value, acd, reason.value, now());
      if (!made) throw new Error(`${acdTenant.value} is already linked to ${wfm}`);
    }, `Linked ${acdTenant.value} to ${wfm} as ${acd}.`);
  });
  const showFields = () => {
    const f = app.engine.wfmFieldSwitches(fieldUnit.value);
    sendPersonal.checked = f.syncPersonalId ?? true;
    sendExternal.checked = f.syncExternalId ?? true;
  };
  fieldUnit.addEventListener("change", showFields);
  saveFields.addEventListener("click", () =>
    guarded(
      () =>
        app.engine.setWfmFieldSwitches(
          app.actor,
          {
            acdTenantId: fieldUnit.value,
            syncPersonalId: sendPersonal.checked,
            syncExternalId: sendExternal.checked,
          },
          reason.value,
          now(),
        ),
      `Fields of ${fieldUnit.value} saved.`,
    ),
  );

  scheduler.onReport((r) => replace(runNote, note(r.kind, r.text)));

  const readiness = new VirtualTable<Readiness>({
    testId: "readiness-table",
    rowId: (r) => r.userId,
    columns: [
      {
        key: "user",
        label: "User",
        width: "110px",
        sortKey: (r) => r.userId,
        render: (r, c) => {
          c.textContent = r.userId;
        },
      },
      ...STEPS.map(([step, label]) => ({
        key: step,
        label,
        width: "1fr",
        sortKey: (r: Readiness) => (r.steps.find((s) => s.step === step)?.done ? 1 : 0),
        render: (r: Readiness, c: HTMLElement) => {
          const s = r.steps.find((x) => x.step === step);
          c.append(h("span", { class: s?.done ? "ok" : "missing" }, s?.done ? "✓" : "✗"));
          if (s) c.title = s.text;
        },
      })),
      {
        key: "synced",
        label: "Synced",
        width: "70px",
        sortKey: (r) => (r.synced ? 1 : 0),
        render: (r, c) => {
          c.textContent = r.synced ? "yes" : "no";
        },
      },
      {
        key: "why",
        label: "Blocking / warnings",
        width: "2fr",
        sortKey: (r) => r.blocking ?? r.warnings[0] ?? "",
        render: (r, c) => {
          c.textContent = [r.blocking, ...r.warnings].filter(Boolean).join("; ");
        },
      },
    ],
  });

  const acknowledge = (d: Delta) =>
    guarded(
      () => app.engine.acknowledgeWfmDelta(d, now()),
      `Recorded that WFM confirmed the delta of ${d.wfmTenantId}.`,
    );

  const renderTopology = (status: WfmStatus, canConfigure: boolean) => {
    const nameOf = (id: string) =>
      app.config.businessUnits.find((b) => b.businessUnitId === id)?.name;
    replace(
      topology,
      status.tenants.length === 0
        ? h("p", { class: "muted" }, "No WFM tenant yet: link an ACD tenant below.")
        : "",
      ...status.tenants.map((t) => {
        const delta =
          app.lastDelta?.wfmTenantId === t.wfmTenantId && app.lastDelta.runAt === t.pending?.runAt
            ? app.lastDelta
            : undefined;
        return h(
          "div",
          { class: "card", "data-wfm-tenant": t.wfmTenantId },
          h("h3", {}, `WFM tenant ${t.wfmTenantId}`),
          h(
            "p",
            { class: "muted" },
            "Last run ",
            time(t.lastRun),
            " · next slot ",
            h(
              "span",
              { "data-testid": "wfm-next-due" },
              t.nextDue ? time(t.nextDue) : "never (sync disabled)",
            ),
          ),
          h(
            "p",
            { "data-testid": "wfm-held" },
            `WFM holds ${t.agentsPresent} agents from the ACD and ${t.agentsAbsent} the ACD no longer has.`,
          ),
          t.notInWfm
            ? note(
                "warn",
                `${t.notInWfm} agents sent to WFM are still missing from IEX several intervals later (not_in_wfm).`,
              )
            : "",
          t.pending
            ? h(
                "p",
                { "data-testid": "wfm-pending" },
                `Waiting for WFM to confirm the run at `,
                time(t.pending.runAt),
                `: ${t.pending.additions} additions, ${t.pending.changes} changes, ${t.pending.absent} absent. `,
                delta
                  ? h(
                      "button",
                      {
                        class: "small",
                        "data-testid": "wfm-acknowledge",
                        onclick: () => acknowledge(delta),
                      },
                      "WFM confirmed it",
                    )
                  : h("span", { class: "muted" }, "(the delta of that run is not in this page)"),
              )
            : h(
                "p",
                { class: "muted", "data-testid": "wfm-pending" },
                "Nothing waits for WFM's confirmation.",
              ),
          h(
            "table",
            { class: "plain" },
            h(
              "tr",
              {},
              h("th", {}, "acd id"),
              h("th", {}, "ACD tenant"),
              h("th", {}, "Linked"),
              h("th", {}, ""),
            ),
            ...t.acds.map((a) =>
              h(
                "tr",
                { "data-acd": a.acdId },
                h("td", {}, a.acdId),
                h(
                  "td",
                  {},
                  a.acdTenantId,
                  nameOf(a.acdTenantId) ? ` (${nameOf(a.acdTenantId)})` : "",
                ),
                h("td", {}, time(a.linkedAt)),
                h(
                  "td",
                  {},
                  h(
                    "button",
                    {
                      class: "small",
                      "data-action": "unlink",
                      disabled: !canConfigure,
                      onclick: () =>
                        guarded(
                          () =>
                            app.engine.unlinkAcd(
                              app.actor,
                              t.wfmTenantId,
                              a.acdTenantId,
                              reason.value,
                              now(),
                            ),
                          `Unlinked ${a.acdTenantId}.`,
                        ),
                    },
                    "Unlink",
                  ),
                ),
              ),
            ),
          ),
        );
      }),
    );
  };

  const renderDelta = (d: Delta | undefined) => {
    if (!d) {
      replace(lastDelta, h("p", { class: "muted" }, "No run yet."));
      return;
    }
    const list = <T>(title: string, items: T[], text: (x: T) => string) =>
      items.length === 0
        ? ""
        : h(
            "details",
            {},
            h("summary", {}, `${title} (${items.length})`),
            h(
              "ul",
              {},
              ...items.slice(0, LIST_CAP).map((x) => h("li", {}, text(x))),
              items.length > LIST_CAP
                ? h("li", { class: "muted" }, `…and ${items.length - LIST_CAP} more`)
                : "",
            ),
          );
    replace(
      lastDelta,
      h(
        "p",
        {},
        `Tenant ${d.wfmTenantId}, run `,
        time(d.runAt),
        `, acds examined: ${d.examinedAcds.join(", ") || "none"}.`,
      ),
      list(
        "Additions",
        d.additions,
        (a) =>
          `${a.acdId}/${a.agentNumber} ${a.firstName ?? ""} ${a.lastName ?? ""} <${a.email ?? ""}>`,
      ),
      list(
        "Changes",
        d.changes,
        (c) => `${c.agent.acdId}/${c.agent.agentNumber}: ${c.changed.join(", ")}`,
      ),
      list(
        "Absent (reported, never deleted)",
        d.absent,
        (a) => `${a.agent.acdId}/${a.agent.agentNumber}: ${a.reason}`,
      ),
      list(
        "In several ACD tenants",
        d.multiTenant,
        (m) => `${m.emailKey}: ${m.agents.map((x) => `${x.acdId}/${x.userId}`).join(", ")}`,
      ),
      list("Not synced", d.notSynced, (n) => `${n.acdId}/${n.userId}: ${n.message}`),
      list("Warnings", d.warnings, (w) => `${w.acdId}/${w.userId}: ${w.message}`),
    );
  };

  const refreshReadiness = async () => {
    const bu = app.businessUnit;
    if (!app.directories.get(bu.businessUnitId)?.source) {
      readinessNote.textContent = "Readiness appears once the unit's users are loaded.";
      return;
    }
    try {
      const rows = app.engine.wfmReadiness(await wfmUsersOf(app, bu));
      readiness.setRows(rows);
      const synced = rows.filter((r) => r.synced).length;
      readinessNote.textContent = `${bu.name}: ${synced} of ${rows.length} users would be synced to WFM.`;
    } catch (e) {
      readinessNote.textContent = `Readiness: ${errorText(e)}`;
    }
  };

  const element = h(
    "section",
    { class: "tab", "data-testid": "tab-wfm" },
    h("h2", {}, "Sync settings"),
    warnings,
    denied,
    h(
      "p",
      { class: "muted" },
      "WFM sync runs by itself on its interval while this page (or a cron job) is open; there is no manual run.",
    ),
    h(
      "div",
      { class: "toolbar" },
      h("label", { class: "check" }, enabled, "WFM sync enabled"),
      h("label", {}, "Interval (minutes, 5–1440) ", interval),
      saveSettings,
    ),
    h("div", { class: "toolbar" }, h("label", {}, "Reason ", reason)),
    h("h2", {}, "Topology"),
    topology,
    h(
      "div",
      { class: "toolbar" },
      h("label", {}, "WFM tenant ", wfmId),
      h("label", {}, "ACD tenant ", acdTenant),
      h("label", {}, "as ", acdId),
      linkBtn,
    ),
    h("h2", {}, "Fields sent per business unit"),
    h(
      "div",
      { class: "toolbar" },
      fieldUnit,
      h("label", { class: "check" }, sendPersonal, "personal id (user GUID)"),
      h("label", { class: "check" }, sendExternal, "external id"),
      saveFields,
    ),
    messages,
    runNote,
    h("h2", {}, "Last run"),
    lastDelta,
    h("h2", {}, "WFM log"),
    logView,
    h("h2", {}, "Readiness"),
    readinessNote,
    readiness.element,
  );

  const refresh = () => {
    let status: WfmStatus;
    try {
      status = app.engine.wfmStatus(now());
    } catch (e) {
      say("error", errorText(e));
      return;
    }
    const why = configureDenied(app.actor);
    for (const c of controls) c.disabled = why !== undefined;
    replace(denied, why ? note("info", why) : "");
    interval.value = String(status.intervalMinutes);
    enabled.checked = status.enabled;
    showFields();
    replace(warnings, ...status.warnings.map((w) => note("warn", w)));
    renderTopology(status, why === undefined);
    renderDelta(app.lastDelta);
    renderWfmLog(logView, app.engine.wfmLog());
    void refreshReadiness();
  };
  // The first check once the page has settled; then every half minute.
  setTimeout(() => void scheduler.check(), 1000);
  return { id: "wfm", label: "WFM", element, refresh };
}

/** Disabling needs a confirmation that says what it costs the agents. */
function confirmDisable(reason: string, onConfirm: () => void, onCancel: () => void): void {
  const { body, close, dialog } = modal("Disable WFM sync?", "wfm-disable-dialog");
  let confirmed = false;
  dialog.addEventListener("close", () => {
    if (!confirmed) onCancel();
  });
  body.append(
    note(
      "warn",
      "While WFM sync is disabled, agents will not see their WFM schedules in MAX. " +
        "Sync should stay enabled except in special circumstances.",
    ),
    h("p", {}, "Reason: ", reason.trim() || h("em", {}, "none given (a reason is required)")),
    h(
      "div",
      { class: "toolbar" },
      h(
        "button",
        {
          class: "primary",
          "data-testid": "wfm-disable-confirm",
          onclick: () => {
            confirmed = true;
            close();
            onConfirm();
          },
        },
        "Disable WFM sync",
      ),
      h("button", { "data-testid": "wfm-disable-cancel", onclick: close }, "Keep it enabled"),
    ),
  );
}
