// The WFM log as a table, newest first: settings changes with who and why, runs with what
// was examined and what came out.

import type { WfmLogEntry } from "usersync";
import { h, replace, time } from "./dom";

const SHOWN = 200;

export function renderWfmLog(target: HTMLElement, log: WfmLogEntry[]): void {
  if (log.length === 0) {
    replace(target, h("p", { class: "muted" }, "Nothing logged yet."));
    return;
  }
  const rows = log.slice(-SHOWN).reverse();
  const counts = (e: WfmLogEntry) =>
    e.counts
      ? `+${e.counts.additions} ~${e.counts.changes} absent ${e.counts.absent}, not synced ${e.counts.notSynced}`
      : "";
  replace(
    target,
    h(
      "table",
      { class: "plain", "data-testid": "wfm-log-table" },
      h(
        "tr",
        {},
        ...["When", "What", "WFM tenant", "Who", "Reason", "Summary", "Outcome"].map((t) =>
          h("th", {}, t),
        ),
      ),
      ...rows.map((e) =>
        h(
          "tr",
          { "data-kind": e.kind },
          h("td", {}, time(e.at)),
          h("td", {}, e.kind.replace(/_/g, " ")),
          h("td", {}, e.wfmTenantId ?? ""),
          h("td", {}, e.actor ?? "schedule"),
          h("td", {}, e.reason ?? ""),
          h(
            "td",
            {},
            e.summary,
            e.examinedAcds?.length ? ` (acds ${e.examinedAcds.join(", ")})` : "",
            counts(e) ? ` · ${counts(e)}` : "",
          ),
          h(
            "td",
            {},
            e.error
              ? `${e.outcome ?? "failed"}: ${e.error.code} ${e.error.message}`
              : (e.outcome ?? ""),
          ),
        ),
      ),
    ),
    log.length > SHOWN
      ? h("p", { class: "muted" }, `The latest ${SHOWN} of ${log.length} entries.`)
      : "",
  );
}
