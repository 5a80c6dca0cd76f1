// The audit log: every transition, newest first, searchable, exportable as CSV.

import type { AuditEvent } from "usersync";
import { download, toCsv } from "./csv";
import { h, note, replace, time } from "./dom";
import { errorText, now, type App } from "./state";
import type { Tab } from "./tab";
import { VirtualTable } from "./table";

export function createAuditTab(app: App): Tab {
  let all: { e: AuditEvent; hay: string }[] = [];
  const messages = h("div", { class: "messages" });
  const count = h("span", { class: "muted", "data-testid": "audit-count" });
  const search = h("input", {
    type: "search",
    "data-testid": "audit-filter",
    placeholder: "Search actor, user, run, reason",
    "aria-label": "Search the audit log",
  });
  const scope = h(
    "select",
    { "data-testid": "audit-scope", "aria-label": "Unit" },
    h("option", { value: "unit" }, "This business unit"),
    h("option", { value: "all" }, "All units"),
  );

  const table = new VirtualTable<{ e: AuditEvent }>({
    testId: "audit-table",
    rowId: (x) => String(x.e.id ?? ""),
    empty: "No audit events",
    columns: [
      {
        key: "at",
        label: "Time",
        width: "160px",
        sortKey: (x) => x.e.at,
        render: (x, c) => {
          c.append(time(x.e.at));
        },
      },
      {
        key: "actor",
        label: "Actor",
        width: "1fr",
        sortKey: (x) => x.e.actor,
        render: (x, c) => {
          c.textContent = x.e.actor;
          if (x.e.scheduled) c.append(h("span", { class: "muted" }, " (scheduled run)"));
        },
      },
      {
        key: "user",
        label: "User",
        width: "110px",
        sortKey: (x) => x.e.userId,
        render: (x, c) => {
          c.textContent = x.e.userId;
        },
      },
      {
        key: "change",
        label: "Change",
        width: "170px",
        sortKey: (x) => `${x.e.from}>${x.e.to}`,
        render: (x, c) => {
          c.textContent = `${x.e.from} → ${x.e.to}`;
        },
      },
      {
        key: "reason",
        label: "Reason",
        width: "1fr",
        sortKey: (x) => x.e.reason ?? "",
        render: (x, c) => {
          c.textContent = x.e.reason ?? "";
        },
      },
      {
        key: "external",
        label: "External id",
        width: "130px",
        sortKey: (x) => x.e.externalId ?? "",
        render: (x, c) => {
          c.textContent = x.e.externalId ?? "";
        },
      },
      {
        key: "run",
        label: "Run / change",
        width: "1.2fr",
        sortKey: (x) => x.e.runId ?? `manual ${x.e.change ?? ""}`,
        render: (x, c) => {
          c.textContent = x.e.runId ?? `manual #${x.e.change ?? x.e.id ?? ""}`;
        },
      },
    ],
  });

  const apply = () => {
    const q = search.value.trim().toLowerCase();
    const rows = q === "" ? all : all.filter((x) => x.hay.includes(q));
    table.setRows(rows);
    count.textContent = `${rows.length.toLocaleString()} events`;
  };
  let timer = 0;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = window.setTimeout(apply, 150);
  });
  scope.addEventListener("change", () => refresh());

  const exportCsv = () => {
    const rows = table.visibleRows.map(({ e }) => [
      e.id,
      e.at,
      e.actor,
      e.unit.businessUnitId,
      e.unit.platform,
      e.userId,
      e.from,
      e.to,
      e.reason,
      e.externalId,
      e.runId,
      e.change,
    ]);
    download(
      `usersync-audit-${now().slice(0, 10)}.csv`,
      toCsv(
        [
          "Event",
          "At",
          "Actor",
          "Business unit",
          "Platform",
          "User id",
          "From",
          "To",
          "Reason",
          "External id",
          "Run",
          "Manual change",
        ],
        rows,
      ),
    );
  };

  const element = h(
    "section",
    { class: "tab", "data-testid": "tab-audit" },
    h(
      "div",
      { class: "toolbar" },
      scope,
      search,
      count,
      h("span", { class: "grow" }),
      h("button", { "data-testid": "audit-export", onclick: exportCsv }, "Export CSV"),
    ),
    messages,
    table.element,
  );

  const refresh = () => {
    let log: AuditEvent[] = [];
    try {
      log = app.engine.auditLog();
      replace(messages);
    } catch (e) {
      replace(messages, note("error", errorText(e)));
    }
    const unit = app.unit;
    const mine =
      scope.value === "all"
        ? log
        : log.filter(
            (e) =>
              e.unit.businessUnitId === unit.businessUnitId && e.unit.platform === unit.platform,
          );
    all = mine.reverse().map((e) => ({
      e,
      hay: [e.actor, e.userId, e.runId, e.reason, e.externalId, e.to, e.from]
        .filter(Boolean)
        .join(" ")
        .toLowerCase(),
    }));
    apply();
  };

  return { id: "audit", label: "Audit log", element, refresh };
}
