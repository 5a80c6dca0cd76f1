// What the shell needs from a tab. New views (e.g. History / Runs) implement this and are
// listed in main.ts; nothing else changes.

export interface Tab {
  id: string;
  label: string;
  element: HTMLElement;
  /** Re-reads what the tab shows from the engine (called when shown and after changes). */
  refresh(): void;
}
