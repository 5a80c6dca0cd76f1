// Undo (a run or one manual change): make the undo plan, show it as a dry run (the
// transitions back and the refused reverts, `undo_conflict`), then Apply. A refusal by the
// unmap guard is shown with a Force option, as in the Auto Sync dialog.

import { isUsersyncError, type Plan, type Transition, type UndoConflict } from "usersync";
import { append, h, modal, note, replace } from "./dom";
import { errorText, now, type App } from "./state";
import { VirtualTable } from "./table";

/** `what` names the target for people ("run run-…", "change #12"); `make` plans its undo. */
export function openUndoDialog(app: App, what: string, make: () => Plan): void {
  const { dialog, body, close } = modal(`Undo ${what}`, "undo-dialog");
  const result = h("div", { "data-testid": "undo-plan" });
  const message = h("div", { class: "messages", "data-testid": "undo-messages" });
  const buttons = h("div", { class: "buttons" });
  append(body, result, message, buttons);

  let plan: Plan;
  try {
    plan = make();
  } catch (e) {
    replace(message, note("error", `The undo could not be planned: ${errorText(e)}`));
    replace(buttons, h("button", { "data-testid": "undo-close", onclick: close }, "Close"));
    return;
  }
  let applied = false;
  dialog.addEventListener("close", () => {
    if (!applied) {
      try {
        app.engine.discardPlan(plan.runId);
      } catch {
        /* already gone */
      }
    }
  });

  const names = new Map<string, string>();
  try {
    for (const r of app.engine.status(app.unit)) names.set(r.userId, r.name ?? r.userId);
  } catch {
    /* names are a nicety */
  }
  const who = (id: string) => names.get(id) ?? id;

  const table = new VirtualTable<Transition>({
    testId: "undo-transitions",
    rowHeight: 30,
    rowId: (t) => t.userId,
    empty: "Nothing to revert",
    columns: [
      {
        key: "user",
        label: "User",
        width: "1.4fr",
        sortKey: (t) => who(t.userId),
        render: (t, c) => {
          c.textContent = who(t.userId);
          c.title = t.userId;
        },
      },
      {
        key: "from",
        label: "From",
        width: "100px",
        sortKey: (t) => t.from.status,
        render: (t, c) => {
          c.textContent = t.from.status;
        },
      },
      {
        key: "to",
        label: "Back to",
        width: "104px",
        sortKey: (t) => t.to.status,
        render: (t, c) => {
          c.append(h("span", { class: `badge badge-${t.to.status}` }, t.to.status));
        },
      },
      {
        key: "reason",
        label: "Reason",
        width: "1fr",
        sortKey: (t) => t.reason ?? "",
        render: (t, c) => {
          c.textContent = t.reason ?? "";
        },
      },
      {
        key: "external",
        label: "External id",
        width: "130px",
        sortKey: (t) => t.to.externalId ?? "",
        render: (t, c) => {
          c.textContent = t.to.externalId ?? "";
        },
      },
    ],
  });
  table.setRows(plan.transitions);
  const conflicts: UndoConflict[] = plan.conflicts ?? [];
  const g = plan.guard;
  replace(
    result,
    h("h3", {}, `Dry run ${plan.runId}`),
    h(
      "p",
      { "data-testid": "undo-summary" },
      `${plan.transitions.length} users go back, ${conflicts.length} reverts refused. ` +
        `Guard: ${g.unmaps} unmaps of ${g.mappedBefore} mapped (threshold ${g.threshold}).`,
    ),
    g.exceeded
      ? note(
          "warn",
          "This undo would unmap more users than the guard allows: applying it will be refused unless forced.",
        )
      : "",
    table.element,
    conflicts.length
      ? h("h3", { title: "undo_conflict" }, "Cannot be undone (changed again since)")
      : "",
    conflicts.length
      ? h(
          "ul",
          { class: "conflicts", "data-testid": "undo-conflicts" },
          ...conflicts.map((c) =>
            h(
              "li",
              { "data-user-id": c.userId, "data-code": c.code, title: c.code },
              h("strong", {}, who(c.userId)),
              `: ${c.message}`,
            ),
          ),
        )
      : "",
  );

  const doApply = (force: boolean) => {
    try {
      const out = app.engine.applyPlan({ runId: plan.runId, actor: app.actor, now: now(), force });
      applied = true;
      app.changed();
      replace(
        message,
        note(
          "ok",
          `Reverted ${out.applied} users` +
            (out.alreadyApplied ? `, ${out.alreadyApplied} already as before` : "") +
            (out.stale.length
              ? `, ${out.stale.length} skipped because they changed meanwhile`
              : "") +
            (conflicts.length ? `; ${conflicts.length} refused` : "") +
            (force ? " (forced)" : "") +
            ".",
        ),
      );
      replace(
        buttons,
        h("button", { class: "primary", "data-testid": "undo-close", onclick: close }, "Close"),
      );
    } catch (e) {
      if (isUsersyncError(e) && e.code === "unmap_threshold_exceeded") {
        replace(message, note("error", `Refused by the guard. ${errorText(e)}`));
        replace(
          buttons,
          h(
            "button",
            { class: "danger", "data-testid": "undo-force", onclick: () => doApply(true) },
            "Force apply",
          ),
          h("button", { "data-testid": "undo-discard", onclick: close }, "Discard"),
        );
      } else {
        replace(message, note("error", errorText(e)));
      }
    }
  };

  const deny = app.denyReason ?? (plan.transitions.length === 0 ? "Nothing to revert" : undefined);
  replace(
    buttons,
    h(
      "button",
      {
        class: "primary",
        "data-testid": "undo-apply",
        disabled: deny !== undefined,
        title: deny ?? "Apply the undo",
        onclick: () => doApply(false),
      },
      "Apply",
    ),
    h("button", { "data-testid": "undo-discard", onclick: close }, "Discard"),
  );
}
