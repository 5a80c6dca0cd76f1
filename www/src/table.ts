// A virtualised table: fixed row height, only the rows in view (plus a margin) exist in the
// DOM, so 50,000 rows scroll as smoothly as 50. Sorting is by column header; filtering is
// the caller's (it hands over the rows to show).

import { h, replace } from "./dom";

export interface Column<T> {
  key: string;
  label: string;
  /** CSS grid track, e.g. "2fr" or "120px". */
  width: string;
  /** Fills a cell; data goes in as text (see dom.ts). */
  render: (row: T, cell: HTMLElement) => void;
  /** Sort key; a column without one is not sortable. */
  sortKey?: (row: T) => string | number;
}

export interface TableOptions<T> {
  columns: Column<T>[];
  rowHeight?: number;
  /** Rows shown when there is nothing to show. */
  empty?: string;
  rowId?: (row: T) => string;
  testId: string;
}

const OVERSCAN = 8;

export class VirtualTable<T> {
  readonly element: HTMLDivElement;
  private readonly opts: TableOptions<T>;
  private readonly rowHeight: number;
  private readonly viewport: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly head: HTMLDivElement;
  private rows: T[] = [];
  private view: T[] = [];
  private sort: { key: string; dir: 1 | -1 } | undefined;
  private frame = 0;
  private first = -1;
  private last = -1;

  constructor(opts: TableOptions<T>) {
    this.opts = opts;
    this.rowHeight = opts.rowHeight ?? 34;
    const template = opts.columns.map((c) => c.width).join(" ");
    this.head = h("div", { class: "vt-row vt-head", role: "row" });
    this.head.style.gridTemplateColumns = template;
    this.spacer = h("div", { class: "vt-spacer" });
    this.body = h("div", { class: "vt-body", role: "rowgroup" });
    this.viewport = h(
      "div",
      { class: "vt-viewport", tabindex: 0, "data-testid": `${opts.testId}-viewport` },
      this.spacer,
      this.body,
    );
    this.element = h(
      "div",
      { class: "vt", role: "table", "data-testid": opts.testId },
      this.head,
      this.viewport,
    );
    this.viewport.addEventListener("scroll", () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule(true)).observe(this.viewport);
    this.renderHead();
  }

  /** Replaces the rows (already filtered); the current sort is kept. */
  setRows(rows: T[]): void {
    this.rows = rows;
    this.applySort();
  }

  /** The rows as shown: filtered and sorted. */
  get visibleRows(): readonly T[] {
    return this.view;
  }

  private renderHead(): void {
    replace(
      this.head,
      ...this.opts.columns.map((c) => {
        const active = this.sort?.key === c.key;
        const arrow = active ? (this.sort?.dir === 1 ? " ▲" : " ▼") : "";
        if (!c.sortKey) return h("div", { class: "vt-cell", role: "columnheader" }, c.label);
        return h(
          "div",
          {
            class: "vt-cell",
            role: "columnheader",
            "aria-sort": active ? (this.sort?.dir === 1 ? "ascending" : "descending") : "none",
          },
          h(
            "button",
            { class: "vt-sort", "data-sort": c.key, onclick: () => this.toggleSort(c.key) },
            c.label + arrow,
          ),
        );
      }),
    );
  }

  private toggleSort(key: string): void {
    this.sort =
      this.sort?.key === key ? { key, dir: this.sort.dir === 1 ? -1 : 1 } : { key, dir: 1 };
    this.renderHead();
    this.applySort();
  }

  private applySort(): void {
    const col = this.opts.columns.find((c) => c.key === this.sort?.key);
    if (!col?.sortKey || !this.sort) {
      this.view = this.rows;
    } else {
      // Keys computed once per row, not per comparison.
      const keyOf = col.sortKey;
      const dir = this.sort.dir;
      const keyed = this.rows.map((row, i) => ({ row, k: keyOf(row), i }));
      keyed.sort((a, b) => {
        const c =
          typeof a.k === "number" && typeof b.k === "number"
            ? a.k - b.k
            : String(a.k).localeCompare(String(b.k));
        return c !== 0 ? c * dir : a.i - b.i;
      });
      this.view = keyed.map((x) => x.row);
    }
    this.spacer.style.height = `${this.view.length * this.rowHeight}px`;
    this.schedule(true);
  }

  private schedule(force = false): void {
    if (force) {
      this.first = -1;
      this.last = -1;
    }
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.renderBody();
    });
  }

  /** Renders now (tests and measurements call it through scroll events anyway). */
  renderBody(): void {
    const rh = this.rowHeight;
    const top = this.viewport.scrollTop;
    const height = this.viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / rh) - OVERSCAN);
    const last = Math.min(this.view.length, Math.ceil((top + height) / rh) + OVERSCAN);
    if (first === this.first && last === this.last) return;
    this.first = first;
    this.last = last;
    const template = this.opts.columns.map((c) => c.width).join(" ");
    const frag = document.createDocumentFragment();
    if (this.view.length === 0) {
      frag.appendChild(h("div", { class: "vt-empty" }, this.opts.empty ?? "Nothing to show"));
    }
    for (let i = first; i < last; i++) {
      const row = this.view[i];
      if (row === undefined) continue;
      const el = h("div", {
        class: "vt-row",
        role: "row",
        "aria-rowindex": i + 2,
        "data-row-id": this.opts.rowId?.(row),
      });
      el.style.gridTemplateColumns = template;
      el.style.transform = `translateY(${i * rh}px)`;
      el.style.height = `${rh}px`;
      for (const c of this.opts.columns) {
        const cell = h("div", { class: `vt-cell col-${c.key}`, role: "cell" });
        c.render(row, cell);
        el.appendChild(cell);
      }
      frag.appendChild(el);
    }
    replace(this.body, frag);
  }
}
