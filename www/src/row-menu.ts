// The "…" menu of a Status row: Map User (the user's details first), Unmap, Exclude or
// Include, History. Changes need UserMapping.Map: without it the items are there but disabled,
// saying why.

import type { StatusRow } from "usersync";
import { h } from "./dom";
import type { App } from "./state";

export interface RowActions {
  details: (row: StatusRow) => void;
  unmap: (row: StatusRow) => void;
  exclude: (row: StatusRow) => void;
  include: (row: StatusRow) => void;
  history: (row: StatusRow) => void;
}

let open: HTMLElement | undefined;

function closeMenu(): void {
  open?.remove();
  open = undefined;
}

document.addEventListener("click", (e) => {
  if (open && !open.contains(e.target as Node)) closeMenu();
});
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape") closeMenu();
});

/** The "…" button of one row. */
export function rowMenuButton(app: App, row: StatusRow, actions: RowActions): HTMLButtonElement {
  const button = h(
    "button",
    {
      class: "small icon-menu",
      "data-action": "menu",
      "aria-haspopup": "menu",
      "aria-label": `Actions for ${row.name ?? row.userId}`,
      title: "Actions",
    },
    "…",
  );
  button.addEventListener("click", (e) => {
    e.stopPropagation();
    closeMenu();
    const deny = app.denyReason;
    const item = (label: string, action: string, f: () => void, needsMap: boolean) =>
      h(
        "button",
        {
          role: "menuitem",
          "data-action": action,
          disabled: needsMap && deny !== undefined,
          title: needsMap && deny ? deny : label,
          onclick: () => {
            closeMenu();
            f();
          },
        },
        label,
      );
    const menu = h(
      "div",
      { class: "row-menu", role: "menu", "data-testid": "row-menu", "data-user-id": row.userId },
      row.status !== "excluded"
        ? item(
            row.status === "mapped" ? "Map User… (remap)" : "Map User…",
            "map",
            () => actions.details(row),
            false,
          )
        : "",
      row.status === "mapped" ? item("Unmap", "unmap", () => actions.unmap(row), true) : "",
      row.status === "excluded"
        ? item("Include in Auto Sync", "include", () => actions.include(row), true)
        : item("Exclude from Auto Sync", "exclude", () => actions.exclude(row), true),
      item("History", "history", () => actions.history(row), false),
    );
    const r = button.getBoundingClientRect();
    menu.style.position = "fixed";
    menu.style.top = `${Math.round(r.bottom + 2)}px`;
    menu.style.right = `${Math.round(window.innerWidth - r.right)}px`;
    document.body.appendChild(menu);
    open = menu;
  });
  return button;
}
