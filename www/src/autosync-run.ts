// Run Auto Sync: fetch both directories (progress bar), plan (a dry run: counts per reason
// and the transitions), retry with the re-fetched emails, then Apply. A refusal by the
// unmap guard is shown with a Force option.

import {
  isUsersyncError,
  type MappingStatus,
  type Plan,
  type Reason,
  type ReasonCounts,
  type Transition,
} from "usersync";
import { planAutoSyncWithRetry } from "./autosync-pipeline";
import { fraction, waitingText } from "./directory";
import { append, h, modal, note, replace } from "./dom";
import { errorText, now, type App } from "./state";
import { VirtualTable } from "./table";
import { reasonWords, statusWords } from "./words";

export function openAutoSyncRun(app: App): void {
  const { dialog, body, close } = modal("Run Auto Sync", "autosync-dialog");
  const bu = app.businessUnit;
  const abort = new AbortController();
  dialog.addEventListener("close", () => abort.abort());

  const bar = h("progress", { max: 1, "data-testid": "autosync-progress" });
  const barText = h("span", { class: "muted" });
  const steps = h("ol", { class: "steps", "data-testid": "autosync-steps" });
  const result = h("div", { "data-testid": "autosync-plan" });
  const message = h("div", { class: "messages", "data-testid": "autosync-messages" });
  const buttons = h("div", { class: "buttons" });
  append(body, h("div", { class: "progress" }, bar, barText), steps, result, message, buttons);
  /** Starts a step; the function it returns ends it with a detail and its duration. */
  const begin = (text: string) => {
    const li = h("li", {}, text);
    steps.append(li);
    const t = performance.now();
    return (detail = "") =>
      li.append(
        detail,
        h("span", { class: "muted" }, ` (${((performance.now() - t) / 1000).toFixed(1)} s)`),
      );
  };

  const run = async () => {
    const { plan, dirs } = await planAutoSyncWithRetry(app, bu, {
      signal: abort.signal,
      step: begin,
      onFetchProgress: (p) => {
        const f = fraction(p);
        if (f === undefined) bar.removeAttribute("value");
        else bar.value = f;
        const waiting = waitingText(p);
        barText.textContent =
          `CXone ${p.cxone?.recordsFetched ?? 0}/${p.cxone?.totalRecords ?? "?"} · ` +
          `RingCentral ${p.ringcentral?.recordsFetched ?? 0}/${p.ringcentral?.totalRecords ?? "?"}` +
          (waiting ? ` · ${waiting}` : "");
      },
    });
    bar.value = 1;
    showPlan(
      plan,
      new Map(dirs.source.map((u) => [u.id, [u.firstName, u.lastName].filter(Boolean).join(" ")])),
    );
  };

  const showPlan = (plan: Plan, names: Map<string, string>) => {
    const table = new VirtualTable<Transition>({
      testId: "plan-transitions",
      rowHeight: 30,
      rowId: (t) => t.userId,
      empty: "No changes: the state already matches the directories",
      columns: [
        {
          key: "user",
          label: "User",
          width: "1.4fr",
          sortKey: (t) => names.get(t.userId) ?? t.userId,
          render: (t, c) => {
            c.textContent = names.get(t.userId) || t.userId;
            c.title = t.userId;
          },
        },
        {
          key: "from",
          label: "From",
          width: "100px",
          sortKey: (t) => t.from.status,
          render: (t, c) => {
            c.textContent = statusWords(t.from.status);
            c.title = t.from.status;
          },
        },
        {
          key: "to",
          label: "To",
          width: "104px",
          sortKey: (t) => t.to.status,
          render: (t, c) => {
            c.append(
              h(
                "span",
                { class: `badge badge-${t.to.status}`, title: t.to.status },
                statusWords(t.to.status),
              ),
            );
          },
        },
        {
          key: "reason",
          label: "Reason",
          width: "1fr",
          sortKey: (t) => t.reason ?? "",
          render: (t, c) => {
            c.textContent = t.reason ? reasonWords(t.reason, app.unit.platform) : "";
            if (t.reason) c.title = t.reason;
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
    const g = plan.guard;
    const reasons = Object.entries(
      plan.counts.byReason as unknown as Record<keyof ReasonCounts, number>,
    ).filter(([, n]) => n > 0);
    replace(
      result,
      h("h3", {}, `Dry run ${plan.runId}`),
      h(
        "div",
        { class: "counts", "data-testid": "plan-counts" },
        h(
          "table",
          {},
          h("caption", {}, "After applying"),
          ...Object.entries(plan.counts.byStatus).map(([k, n]) =>
            h(
              "tr",
              { "data-status": k },
              h("th", { title: k }, statusWords(k as MappingStatus)),
              h("td", {}, String(n)),
            ),
          ),
        ),
        h(
          "table",
          { "data-testid": "plan-reasons" },
          h("caption", {}, "Per reason"),
          ...reasons.map(([k, n]) =>
            h(
              "tr",
              { "data-reason": k },
              h("th", { title: k }, reasonWords(k as Reason, app.unit.platform)),
              h("td", {}, String(n)),
            ),
          ),
        ),
      ),
      h(
        "p",
        { "data-testid": "plan-summary" },
        `${plan.transitions.length} transitions, ${plan.unchanged} users unchanged; ` +
          `retried ${plan.retry.userIds.length} users. Guard: ${g.unmaps} unmaps of ${g.mappedBefore} mapped (threshold ${g.threshold}).`,
      ),
      plan.warnings.length
        ? note("warn", `${plan.warnings.length} warnings, e.g. ${plan.warnings[0]?.message ?? ""}`)
        : "",
      g.exceeded
        ? note(
            "warn",
            "This run would unmap more users than the guard allows: applying it will be refused unless forced.",
          )
        : "",
      table.element,
    );
    const deny = app.denyReason;
    const apply = h(
      "button",
      {
        class: "primary",
        "data-testid": "apply-plan",
        disabled: deny !== undefined,
        title: deny ?? "Apply",
      },
      "Apply",
    );
    const discard = h("button", { "data-testid": "discard-plan" }, "Discard");
    apply.addEventListener("click", () => doApply(plan, false));
    discard.addEventListener("click", () => {
      app.engine.discardPlan(plan.runId);
      close();
    });
    replace(buttons, apply, discard);
  };

  const doApply = (plan: Plan, force: boolean) => {
    try {
      const out = app.engine.applyPlan({ runId: plan.runId, actor: app.actor, now: now(), force });
      app.changed();
      replace(
        message,
        note(
          "ok",
          `Applied ${out.applied} transitions` +
            (out.alreadyApplied ? `, ${out.alreadyApplied} already in place` : "") +
            (out.stale.length
              ? `, ${out.stale.length} skipped because they changed meanwhile`
              : "") +
            (force ? " (forced)" : "") +
            ".",
        ),
      );
      replace(
        buttons,
        h("button", { class: "primary", "data-testid": "autosync-close", onclick: close }, "Close"),
      );
    } catch (e) {
      if (isUsersyncError(e) && e.code === "unmap_threshold_exceeded") {
        replace(message, note("error", `Refused by the guard. ${errorText(e)}`));
        replace(
          buttons,
          h(
            "button",
            { class: "danger", "data-testid": "force-apply", onclick: () => doApply(plan, true) },
            "Force apply",
          ),
          h(
            "button",
            {
              "data-testid": "discard-plan",
              onclick: () => {
                app.engine.discardPlan(plan.runId);
                close();
              },
            },
            "Discard",
          ),
        );
      } else {
        replace(message, note("error", errorText(e)));
      }
    }
  };

  run().catch((e: unknown) => {
    if (abort.signal.aborted) return;
    replace(message, note("error", `Auto Sync stopped: ${errorText(e)}`));
    replace(buttons, h("button", { onclick: close }, "Close"));
  });
}
