// RUNS: the unit's applied runs (Auto Sync and undo), newest first: who, when, counts per
// transition and reason, the guard, forced, and whether it can still be undone. Undo opens
// the undo plan as a dry run (undo-dialog.ts).

import { isUsersyncError, type Reason, type ReasonCounts, type RunSummary } from "usersync";
import { h, note, replace, time } from "./dom";
import { errorText, now, type App } from "./state";
import { reasonWords, statusWords } from "./words";
import type { Tab } from "./tab";
import { openUndoDialog } from "./undo-dialog";

export function createRunsTab(app: App): Tab {
  const messages = h("div", { class: "messages", "data-testid": "runs-messages" });
  const count = h("span", { class: "muted", "data-testid": "runs-count" });
  const list = h("tbody", {});
  const element = h(
    "section",
    { class: "tab", "data-testid": "tab-runs" },
    h("div", { class: "toolbar" }, count),
    messages,
    h(
      "table",
      { class: "plain runs", "data-testid": "runs-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["Run", "Applied by", "Applied", "Transitions", "Per reason", "Guard", "Undo"].map(
            (t) => h("th", {}, t),
          ),
        ),
      ),
      list,
    ),
  );

  const row = (r: RunSummary) => {
    const deny = app.denyReason;
    const why =
      deny ??
      (r.undoable ? undefined : "Cannot be undone: audit retention trimmed some of its events");
    const undo = h(
      "button",
      {
        class: "small",
        "data-action": "undo",
        disabled: why !== undefined,
        title: why ?? `Plan the undo of ${r.runId}`,
        onclick: () =>
          openUndoDialog(app, `run ${r.runId}`, () => app.engine.planUndoRun(r.runId, now())),
      },
      "Undo…",
    );
    const reasons = Object.entries(
      r.byReason as unknown as Record<keyof ReasonCounts, number>,
    ).filter(([, n]) => n > 0);
    const g = r.guard;
    const reverts = r.reverts
      ? r.reverts.kind === "run"
        ? `reverts ${r.reverts.runId}`
        : `reverts change #${r.reverts.change}`
      : "";
    return h(
      "tr",
      { "data-run-id": r.runId },
      h(
        "td",
        {},
        h("div", { class: "run-id" }, r.runId),
        reverts ? h("div", { class: "muted" }, reverts) : "",
        r.conflicts ? h("div", { class: "muted" }, `${r.conflicts} reverts refused`) : "",
        r.scheduled
          ? h(
              "div",
              { class: "muted", "data-testid": "run-scheduled" },
              "scheduled run, as the admin who saved the schedule",
            )
          : "",
      ),
      h("td", { class: "col-actor" }, r.actor),
      h(
        "td",
        {},
        time(r.appliedAt),
        h(
          "div",
          { class: "muted" },
          "planned ",
          time(r.plannedAt),
          r.pass === 2 ? " · with retry" : "",
        ),
      ),
      h(
        "td",
        { class: "col-transitions" },
        h(
          "div",
          {},
          `${r.applied} applied` +
            (r.alreadyApplied ? `, ${r.alreadyApplied} already` : "") +
            (r.stale ? `, ${r.stale} stale` : ""),
        ),
        ...r.byTransition.map((t) =>
          h(
            "div",
            {
              class: "muted",
              "data-transition": `${t.from}>${t.to}${t.reason ? `:${t.reason}` : ""}`,
              title: `${t.from} → ${t.to}${t.reason ? ` (${t.reason})` : ""}`,
            },
            `${statusWords(t.from)} → ${statusWords(t.to)}${t.reason ? ` (${reasonWords(t.reason, r.unit.platform)})` : ""}: ${t.count}`,
          ),
        ),
      ),
      h(
        "td",
        { class: "col-reasons" },
        ...reasons.map(([k, n]) =>
          h(
            "div",
            { "data-reason": k, title: k },
            `${reasonWords(k as Reason, r.unit.platform)}: ${n}`,
          ),
        ),
      ),
      h(
        "td",
        { class: "col-guard" },
        `${g.unmaps} unmaps of ${g.mappedBefore} (threshold ${g.threshold})`,
        g.exceeded ? h("div", { class: "badge badge-warn" }, "exceeded") : "",
        r.forced
          ? h("div", { class: "badge badge-warn", "data-testid": "run-forced" }, "forced")
          : "",
      ),
      h(
        "td",
        { class: "col-undo" },
        undo,
        r.undoneBy?.length
          ? h(
              "div",
              { class: "muted", "data-testid": "undone-by" },
              `undone by ${r.undoneBy.join(", ")}`,
            )
          : "",
        why ? h("div", { class: "muted" }, why) : "",
      ),
    );
  };

  const refresh = () => {
    let runs: RunSummary[] = [];
    try {
      runs = app.engine.runs(app.unit);
      replace(messages, app.denyReason ? note("warn", `Undo is disabled: ${app.denyReason}.`) : "");
    } catch (e) {
      replace(
        messages,
        isUsersyncError(e) && e.code === "not_found"
          ? note("info", "Waiting for the unit's directories…")
          : note("error", errorText(e)),
      );
    }
    count.textContent = `${runs.length} runs applied in ${app.businessUnit.name}, newest first`;
    replace(list, ...runs.map(row));
    if (runs.length === 0)
      list.append(h("tr", {}, h("td", { colspan: 7, class: "muted" }, "No runs applied yet")));
  };

  return { id: "runs", label: "Runs", element, refresh };
}
