// One user's History: their transitions still in the audit log, newest first (time, actor,
// run or manual change, from → to, reason, cause), with "Undo this change" for manual ones.

import type { HistoryEntry, StatusRow } from "usersync";
import { append, h, modal, note, time } from "./dom";
import { errorText, now, type App } from "./state";
import { shownEmail, statusWords } from "./words";
import { openUndoDialog } from "./undo-dialog";

export function openHistoryDialog(app: App, row: StatusRow): void {
  const { body, close } = modal(`History of ${row.name ?? row.userId}`, "history-dialog");
  append(
    body,
    h(
      "p",
      { class: "muted" },
      `CXone user ${row.userId}`,
      row.email ? ` · ${shownEmail(row.email)}` : "",
    ),
  );
  let entries: HistoryEntry[];
  try {
    entries = app.engine.userHistory(app.unit, row.userId);
  } catch (e) {
    append(body, note("error", errorText(e)));
    return;
  }
  if (entries.length === 0) {
    append(body, note("info", "No changes recorded for this user."));
    return;
  }
  const deny = app.denyReason;
  const undo = (e: HistoryEntry) => {
    if (e.cause !== "manual") return "";
    const id = e.change ?? e.eventId;
    return h(
      "button",
      {
        class: "small",
        "data-action": "undo-change",
        disabled: deny !== undefined,
        title: deny ?? `Plan the undo of change #${id}`,
        onclick: () => {
          close();
          openUndoDialog(app, `change #${id}`, () => app.engine.planUndoEvent(e.eventId, now()));
        },
      },
      "Undo this change",
    );
  };
  const by = (e: HistoryEntry) => e.runId ?? (e.change !== undefined ? `manual #${e.change}` : "");
  append(
    body,
    h(
      "table",
      { class: "plain history", "data-testid": "history-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Time", "Actor", "Run / change", "Change", "Reason", "Cause", ""].map((t) =>
            h("th", {}, t),
          ),
        ),
      ),
      h(
        "tbody",
        {},
        ...entries.map((e) =>
          h(
            "tr",
            { "data-event-id": String(e.eventId), "data-cause": e.cause },
            h("td", {}, time(e.at)),
            h("td", {}, e.actor, e.scheduled ? h("div", { class: "muted" }, "scheduled run") : ""),
            h(
              "td",
              {},
              by(e),
              e.reverts
                ? h(
                    "div",
                    { class: "muted" },
                    e.reverts.kind === "run"
                      ? `reverts ${e.reverts.runId}`
                      : `reverts change #${e.reverts.change}`,
                  )
                : "",
            ),
            h(
              "td",
              { class: "col-change", title: `${e.from} → ${e.to}` },
              `${statusWords(e.from)} → ${statusWords(e.to)}`,
              e.externalId ? h("div", { class: "muted" }, e.externalId) : "",
            ),
            h("td", {}, e.reason ?? ""),
            h("td", { title: e.cause }, CAUSE[e.cause]),
            h("td", {}, undo(e)),
          ),
        ),
      ),
    ),
  );
}

const CAUSE: Record<HistoryEntry["cause"], string> = {
  auto_sync: "Auto Sync",
  manual: "By hand",
  undo: "Undo",
};
