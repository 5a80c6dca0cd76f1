// USER MAPPING: the Status view of the selected unit as a virtualised table, with filters,
// text search, sorting, a row menu (Map User through the user's details, Unmap, Exclude /
// Include, History), Auto Sync where the platform supports it, and CSV.

import { isUsersyncError, type MappingStatus, type Reason, type StatusRow } from "usersync";
import { download, toCsv } from "./csv";
import { h, note, replace, time } from "./dom";
import { errorText, now, type App } from "./state";
import type { Tab } from "./tab";
import { VirtualTable } from "./table";
import { openHistoryDialog } from "./history-dialog";
import { openUserDialog } from "./user-dialog";
import { rowMenuButton } from "./row-menu";
import type { Scheduler } from "./scheduler";
import {
  manualOnly,
  reasonWords,
  scheduleSummary as summaryWords,
  shownEmail,
  statusWords,
} from "./words";

const STATUSES: MappingStatus[] = ["mapped", "unmapped", "skipped", "excluded"];
export const REASONS: Reason[] = [
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

interface Row {
  r: StatusRow;
  /** Lower-case text the search box looks in. */
  hay: string;
}

export interface MappingHooks {
  runAutoSync: () => void;
  editSchedule: () => void;
  scheduler: Scheduler;
}

export function createMappingTab(app: App, hooks: MappingHooks): Tab {
  let all: Row[] = [];
  let holders = new Map<string, StatusRow>();
  const messages = h("div", { class: "messages", "data-testid": "mapping-messages" });
  const loadState = h("div", { "data-testid": "status-load" });
  const permission = h("div", { "data-testid": "permission-note" });

  const act = (f: () => void) => {
    try {
      f();
      replace(messages);
      app.changed();
    } catch (e) {
      replace(messages, note("error", errorText(e)));
    }
  };

  const change = (what: "unmap" | "exclude" | "include", r: StatusRow) =>
    act(() => {
      const params = { unit: app.unit, actor: app.actor, userId: r.userId, now: now() };
      if (what === "unmap") app.engine.unmap(params);
      else if (what === "exclude") app.engine.exclude(params);
      else app.engine.include(params);
    });

  const actions = (row: Row, cell: HTMLElement) => {
    cell.append(
      rowMenuButton(app, row.r, {
        details: (r) => openUserDialog(app, r, holders),
        unmap: (r) => change("unmap", r),
        exclude: (r) => change("exclude", r),
        include: (r) => change("include", r),
        history: (r) => openHistoryDialog(app, r),
      }),
    );
  };

  const table = new VirtualTable<Row>({
    testId: "status-table",
    rowId: (row) => row.r.userId,
    empty: "No users match",
    columns: [
      {
        key: "name",
        label: "Name",
        width: "minmax(140px,1.3fr)",
        sortKey: (x) => (x.r.name ?? "").toLowerCase(),
        render: (x, c) => {
          c.textContent = x.r.name ?? "(not in CXone list)";
          c.title = `${x.r.name ?? ""} (${x.r.userId})`;
        },
      },
      {
        key: "email",
        label: "Email",
        width: "minmax(160px,1.6fr)",
        sortKey: (x) => (x.r.email ?? "").toLowerCase(),
        render: (x, c) => {
          c.textContent = shownEmail(x.r.email);
          if (x.r.email) c.title = x.r.email;
        },
      },
      {
        key: "status",
        label: "Status",
        width: "104px",
        sortKey: (x) => x.r.status,
        render: (x, c) => {
          c.append(
            h(
              "span",
              { class: `badge badge-${x.r.status}`, title: x.r.status, "data-status": x.r.status },
              statusWords(x.r.status),
            ),
          );
        },
      },
      {
        key: "reason",
        label: "Reason",
        width: "minmax(160px,2fr)",
        sortKey: (x) => x.r.reasonText ?? "",
        render: (x, c) => {
          c.textContent = x.r.reasonText ?? "";
          if (x.r.reason) c.title = x.r.reason;
        },
      },
      {
        key: "method",
        label: "Method",
        width: "78px",
        sortKey: (x) => x.r.method ?? "",
        render: (x, c) => {
          c.textContent = x.r.method ?? "";
        },
      },
      {
        key: "external",
        label: "External account",
        width: "minmax(140px,1.4fr)",
        sortKey: (x) => (x.r.externalName ?? x.r.externalId ?? "").toLowerCase(),
        render: (x, c) => {
          if (x.r.externalId) {
            c.textContent = x.r.externalName ?? x.r.externalId;
            c.title = x.r.externalId;
          }
        },
      },
      {
        key: "updated",
        label: "Last change",
        width: "150px",
        sortKey: (x) => x.r.updatedAt ?? "",
        render: (x, c) => {
          c.append(time(x.r.updatedAt));
        },
      },
      { key: "actions", label: "", width: "56px", render: actions },
    ],
  });

  const statusSel = h("select", { "data-testid": "filter-status", "aria-label": "Status" });
  const reasonSel = h("select", { "data-testid": "filter-reason", "aria-label": "Reason" });
  const search = h("input", {
    type: "search",
    "data-testid": "filter-text",
    placeholder: "Search name, email, id, account",
    "aria-label": "Search",
  });
  const count = h("span", { class: "muted", "data-testid": "row-count" });
  const schedule = h("span", { class: "muted", "data-testid": "schedule-summary" });
  const platformNote = h("div", { "data-testid": "platform-note" });
  const runBtn = h(
    "button",
    { class: "primary", "data-testid": "run-autosync", onclick: () => hooks.runAutoSync() },
    "Run Auto Sync",
  );
  const schedBtn = h(
    "button",
    { "data-testid": "open-schedule", onclick: () => hooks.editSchedule() },
    "Auto Syncing…",
  );
  const csvBtn = h(
    "button",
    { "data-testid": "export-csv", onclick: () => exportCsv() },
    "Export CSV",
  );
  const autorun = h("input", { type: "checkbox", "data-testid": "autosync-autorun" });
  autorun.addEventListener("change", () => {
    app.autorun = autorun.checked;
    hooks.scheduler.enabled = autorun.checked;
  });
  const autorunLabel = h(
    "label",
    { title: "Auto Sync runs on its schedule only while a page is open: this page has no server" },
    autorun,
    " Run on schedule while this page is open",
  );
  const scheduled = h("div", { class: "messages", "data-testid": "autosync-scheduled" });
  const showScheduled = () => {
    autorun.checked = hooks.scheduler.enabled;
    const r = hooks.scheduler.last.get(app.unit.businessUnitId) ?? hooks.scheduler.last.get("");
    replace(scheduled, r ? note(r.kind, r.text) : "");
  };
  hooks.scheduler.onReport(showScheduled);

  const applyFilter = () => {
    const st = statusSel.value;
    const re = reasonSel.value;
    const q = search.value.trim().toLowerCase();
    const rows = all.filter(
      (x) =>
        (st === "" || x.r.status === st) &&
        (re === "" || x.r.reason === re) &&
        (q === "" || x.hay.includes(q)),
    );
    table.setRows(rows);
    count.textContent = `${rows.length.toLocaleString()} of ${all.length.toLocaleString()} users`;
  };

  const fillSelect = <T extends string>(
    sel: HTMLSelectElement,
    values: T[],
    counts: Map<string, number>,
    allLabel: string,
    words: (v: T) => string = String,
  ) => {
    const cur = sel.value;
    replace(
      sel,
      h("option", { value: "" }, allLabel),
      ...values.map((v) => h("option", { value: v }, `${words(v)} (${counts.get(v) ?? 0})`)),
    );
    sel.value = (values as string[]).includes(cur) ? cur : "";
  };

  const exportCsv = () => {
    const rows = table.visibleRows.map((x) => [
      x.r.userId,
      x.r.name,
      x.r.email,
      x.r.status,
      x.r.reason,
      x.r.reasonText,
      x.r.method,
      x.r.externalId,
      x.r.externalName,
      x.r.attempts,
      x.r.updatedAt,
    ]);
    const header = [
      "User id",
      "Name",
      "Email",
      "Status",
      "Reason",
      "Reason (words)",
      "Method",
      "External id",
      "External name",
      "Attempts",
      "Last change",
    ];
    download(
      `usersync-status-${app.unit.businessUnitId}-${now().slice(0, 10)}.csv`,
      toCsv(header, rows),
    );
  };

  statusSel.addEventListener("change", applyFilter);
  reasonSel.addEventListener("change", applyFilter);
  let timer = 0;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = window.setTimeout(applyFilter, 150);
  });

  const element = h(
    "section",
    { class: "tab", "data-testid": "tab-mapping" },
    h(
      "div",
      { class: "toolbar" },
      runBtn,
      schedBtn,
      schedule,
      h("span", { class: "grow" }),
      autorunLabel,
      csvBtn,
    ),
    platformNote,
    scheduled,
    permission,
    h("div", { class: "toolbar" }, statusSel, reasonSel, search, count),
    loadState,
    messages,
    table.element,
  );

  const refresh = () => {
    let rows: StatusRow[] = [];
    try {
      rows = app.engine.status(app.unit);
      replace(loadState);
    } catch (e) {
      // Until the unit's directories arrive the engine knows nothing of it.
      replace(
        loadState,
        isUsersyncError(e) && e.code === "not_found"
          ? note("info", "Waiting for the unit's directories…")
          : note("error", errorText(e)),
      );
    }
    all = rows.map((r) => ({
      r,
      hay: [r.userId, r.name, r.email, r.externalId, r.externalName]
        .filter(Boolean)
        .join(" ")
        .toLowerCase(),
    }));
    holders = new Map(rows.filter((r) => r.externalId).map((r) => [r.externalId ?? "", r]));
    const byStatus = new Map<string, number>();
    const byReason = new Map<string, number>();
    for (const { r } of all) {
      byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
      if (r.reason) byReason.set(r.reason, (byReason.get(r.reason) ?? 0) + 1);
    }
    fillSelect(statusSel, STATUSES, byStatus, "All statuses", statusWords);
    fillSelect(reasonSel, REASONS, byReason, "All reasons", (r) =>
      reasonWords(r, app.unit.platform),
    );
    const deny = app.denyReason;
    replace(permission, deny ? note("warn", `Actions are disabled: ${deny}.`) : "");
    runBtn.disabled = deny !== undefined;
    runBtn.title = deny ?? "Fetch both directories, plan, retry, then apply";
    const support = app.support;
    // A manual-only platform has no Auto Sync: the controls go, and the page says why.
    runBtn.hidden = schedBtn.hidden = autorunLabel.hidden = !support.autoSync;
    replace(platformNote, support.autoSync ? "" : note("info", manualOnly(support)));
    replace(schedule, scheduleSummary(app));
    showScheduled();
    applyFilter();
  };

  return { id: "mapping", label: "User Mapping", element, refresh };
}

function scheduleSummary(app: App): string {
  try {
    const entry = app.engine.schedule(app.unit);
    const next = entry.schedule?.enabled ? app.engine.nextRuns(app.unit, now(), 1)[0] : undefined;
    return summaryWords(entry, next, app.support);
  } catch (e) {
    return `Auto Sync schedule: ${errorText(e)}`;
  }
}
