// Map User, after the user's details: search the external directory by name as it is written
// there (ranked by the engine), map the chosen account, and offer to reassign when another
// user holds it.

import { isUsersyncError, type SearchHit, type StatusRow } from "usersync";
import { append, h, modal, note, replace } from "./dom";
import { errorText, now, type App } from "./state";
import { shownEmail } from "./words";

export function openMapDialog(app: App, row: StatusRow, holders: Map<string, StatusRow>): void {
  const { body, close } = modal(`Map ${row.name ?? row.userId}`, "map-dialog");
  const who = h(
    "p",
    { class: "muted" },
    `CXone user ${row.userId}`,
    row.email ? ` · ${shownEmail(row.email)}` : "",
  );
  const input = h("input", {
    type: "search",
    "data-testid": "map-search",
    placeholder: "Name as the external directory has it",
    "aria-label": "Search the external directory",
  });
  input.value = row.name ?? "";
  const results = h("ol", { class: "hits", "data-testid": "map-results" });
  const message = h("div", { class: "messages" });
  append(
    body,
    who,
    h("label", { class: "field" }, `Search ${app.support.label} by name`, input),
    results,
    message,
  );

  const search = () => {
    replace(message);
    let hits: SearchHit[];
    try {
      hits = app.engine.searchExternal(app.unit, input.value, 20);
    } catch (e) {
      replace(results);
      replace(message, note("error", errorText(e)));
      return;
    }
    replace(results, ...hits.map((hit) => renderHit(hit)));
    if (hits.length === 0 && input.value.trim() !== "")
      replace(message, note("info", "No account matches this name."));
  };

  const renderHit = (hit: SearchHit) => {
    const holder = holders.get(hit.externalId);
    const takenBy = holder && holder.userId !== row.userId ? holder : undefined;
    const button = h(
      "button",
      { class: "primary", "data-testid": "map-pick", onclick: () => doMap(hit, false) },
      "Map",
    );
    return h(
      "li",
      { class: "hit", "data-external-id": hit.externalId },
      h("span", { class: "hit-name" }, hit.displayName),
      h("span", { class: "muted" }, hit.email ?? "(no email)"),
      h("span", { class: "score", title: "Relevance" }, `${Math.round(hit.score * 100)}%`),
      hit.active ? "" : h("span", { class: "badge badge-skipped" }, "inactive"),
      takenBy
        ? h("span", { class: "badge badge-warn" }, `mapped to ${takenBy.name ?? takenBy.userId}`)
        : "",
      button,
    );
  };

  const doMap = (hit: SearchHit, reassign: boolean) => {
    try {
      app.engine.map({
        unit: app.unit,
        actor: app.actor,
        userId: row.userId,
        externalId: hit.externalId,
        now: now(),
        reassign,
      });
    } catch (e) {
      if (isUsersyncError(e) && e.code === "external_taken" && !reassign) {
        replace(
          message,
          note("warn", errorText(e)),
          h(
            "button",
            { class: "danger", "data-testid": "map-reassign", onclick: () => doMap(hit, true) },
            `Reassign ${hit.displayName} to ${row.name ?? row.userId}`,
          ),
        );
      } else {
        replace(message, note("error", errorText(e)));
      }
      return;
    }
    app.changed();
    close();
  };

  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = window.setTimeout(search, 120);
  });
  search();
  input.focus();
}
