// A user's details, the first step of Map User: name, email (as CXone has it), status and
// reason in words, the current link, and the last changes. "Map User" here opens the search of
// the external directory by the name as it is written there.

import type { HistoryEntry, StatusRow } from "usersync";
import { append, h, modal, note } from "./dom";
import { openHistoryDialog } from "./history-dialog";
import { openMapDialog } from "./map-dialog";
import { errorText, type App } from "./state";
import { localTime, shownEmail, statusWords } from "./words";

const LAST_CHANGES = 5;

export function openUserDialog(app: App, row: StatusRow, holders: Map<string, StatusRow>): void {
  const { body, close } = modal(row.name ?? row.userId, "user-dialog");
  const raw = row.email ?? "";
  const field = (label: string, ...value: (Node | string)[]) => [
    h("dt", {}, label),
    h("dd", {}, ...value),
  ];
  const link = row.externalId
    ? [
        h("span", { "data-testid": "user-link" }, row.externalName ?? row.externalId),
        " ",
        h(
          "span",
          { class: "muted", title: "External account id" },
          `(${row.externalId}${row.method ? `, ${row.method === "auto" ? "by Auto Sync" : "by hand"}` : ""})`,
        ),
      ]
    : [h("span", { "data-testid": "user-link" }, "Not linked")];
  append(
    body,
    h(
      "dl",
      { class: "details", "data-testid": "user-details" },
      ...field("Name", row.name ?? "(not in the CXone list)"),
      ...field("CXone user", row.userId),
      ...field(
        "Email",
        h("span", { "data-testid": "user-email" }, shownEmail(row.email)),
        raw !== raw.trim()
          ? h("div", { class: "muted", "data-testid": "user-email-raw" }, `As stored: “${raw}”`)
          : "",
      ),
      ...field(
        "Status",
        h(
          "span",
          { class: `badge badge-${row.status}`, title: row.status, "data-testid": "user-status" },
          statusWords(row.status),
        ),
      ),
      ...(row.reasonText
        ? field(
            "Reason",
            h("span", { title: row.reason ?? "", "data-testid": "user-reason" }, row.reasonText),
          )
        : []),
      ...field("Linked to", ...link),
    ),
  );

  let entries: HistoryEntry[] = [];
  try {
    entries = app.engine.userHistory(app.unit, row.userId).slice(0, LAST_CHANGES);
  } catch (e) {
    append(body, note("error", errorText(e)));
  }
  append(
    body,
    h("h3", {}, "Last changes"),
    entries.length === 0
      ? h("p", { class: "muted", "data-testid": "user-changes" }, "No changes recorded yet.")
      : h(
          "ul",
          { class: "changes", "data-testid": "user-changes" },
          ...entries.map((e) =>
            h(
              "li",
              {},
              h("time", { datetime: e.at, title: e.at }, localTime(e.at)),
              " ",
              `${statusWords(e.from)} → ${statusWords(e.to)}`,
              ` by ${e.actor}${e.scheduled ? " (scheduled Auto Sync)" : e.cause === "auto_sync" ? " (Auto Sync)" : e.cause === "undo" ? " (undo)" : ""}`,
            ),
          ),
        ),
  );

  const deny = app.denyReason;
  const mapBtn = h(
    "button",
    {
      class: "primary",
      "data-testid": "user-map",
      disabled: deny !== undefined || row.status === "excluded",
      title:
        deny ??
        (row.status === "excluded"
          ? "Include the user first"
          : "Search the external directory by name"),
      onclick: () => {
        close();
        openMapDialog(app, row, holders);
      },
    },
    "Map User",
  );
  append(
    body,
    deny ? note("warn", `Mapping is disabled: ${deny}.`) : "",
    h(
      "div",
      { class: "buttons" },
      mapBtn,
      h(
        "button",
        {
          "data-testid": "user-history",
          onclick: () => {
            close();
            openHistoryDialog(app, row);
          },
        },
        "Full history",
      ),
      h("button", { onclick: close }, "Close"),
    ),
  );
  mapBtn.focus();
}
