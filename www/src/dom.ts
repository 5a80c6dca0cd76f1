// DOM building without HTML strings: every piece of data goes in as text, so a name like
// `<img src=x onerror=alert(1)>` is shown as those characters and never parsed.

import { localTime } from "./words";

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** `h("button", { class: "x", onclick: f }, "Map…")`: attributes, listeners (`on*`) and children as text. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, ...children);
  return el;
}

/** Appends children, strings as text nodes. */
export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(
      typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c,
    );
  }
}

/** Replaces every child of `parent`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

/** A message line: `kind` is "error", "warn", "ok" or "info". */
export function note(
  kind: "error" | "warn" | "ok" | "info",
  ...children: Child[]
): HTMLParagraphElement {
  return h(
    "p",
    { class: `note note-${kind}`, role: kind === "error" ? "alert" : "status" },
    ...children,
  );
}

/** A modal <dialog> appended to the body; removed from the document when closed. */
export function modal(
  title: string,
  testId: string,
): { dialog: HTMLDialogElement; body: HTMLDivElement; close: () => void } {
  const body = h("div", { class: "dialog-body" });
  const dialog = h("dialog", { "data-testid": testId, "aria-label": title });
  const close = () => dialog.close();
  append(
    dialog,
    h(
      "header",
      { class: "dialog-head" },
      h("h2", {}, title),
      h("button", { class: "icon", "aria-label": "Close", onclick: close }, "×"),
    ),
    body,
  );
  dialog.addEventListener("close", () => dialog.remove());
  document.body.appendChild(dialog);
  dialog.showModal();
  return { dialog, body, close };
}

/** Local time for people, with the RFC 3339 instant as a tooltip. */
export function time(iso: string | undefined): HTMLElement | string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return h("time", { datetime: iso, title: iso }, localTime(iso));
}

/** Lets the browser paint (progress bars, "working…") before a long synchronous step. */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}
