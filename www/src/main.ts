// The admin page: business unit and actor selectors, tabs, and loading a unit's directories
// through the package's connectors. Everything the page shows comes from the engine.

import init, { version } from "usersync";
import { openScheduleDialog } from "./autosync-dialog";
import { openAutoSyncRun } from "./autosync-run";
import { createAuditTab } from "./audit-tab";
import { fetchDirectories, fraction, waitingText } from "./directory";
import { h, nextFrame, note, replace } from "./dom";
import { createMappingTab } from "./mapping-tab";
import { createRunsTab } from "./runs-tab";
import { Scheduler } from "./scheduler";
import { ACTORS, App, errorText, type AppConfig } from "./state";
import type { Tab } from "./tab";
import { createWfmTab } from "./wfm-tab";
import "./style.css";

/** Timings of the last unit load, for the scale measurement (read by the e2e test). */
interface Timings {
  fetchMs: number;
  loadMs: number;
  statusMs: number;
  rows: number;
}
declare global {
  interface Window {
    usersyncTimings?: Timings;
  }
}

async function loadConfig(): Promise<AppConfig> {
  const res = await fetch("./config.json", { cache: "no-store" });
  if (!res.ok)
    throw new Error(`config.json: HTTP ${res.status} (start the page with \`make serve\`)`);
  const c = (await res.json()) as AppConfig;
  if (!Array.isArray(c.businessUnits) || c.businessUnits.length === 0)
    throw new Error("config.json lists no business units");
  return c;
}

async function start(root: HTMLElement): Promise<void> {
  await init();
  const app = await App.open(await loadConfig());

  // Scheduled runs wait while an admin has any dialog open (a plan under review, a mapping).
  const scheduler = new Scheduler(app, () => document.querySelector("dialog[open]") !== null);
  const tabs: Tab[] = [
    createMappingTab(app, {
      runAutoSync: () => openAutoSyncRun(app),
      editSchedule: () => openScheduleDialog(app),
      scheduler,
    }),
    createRunsTab(app),
    createWfmTab(app),
    createAuditTab(app),
  ];
  let current = tabs.find((t) => t.id === app.tab) ?? tabs[0]!;

  const buSel = h(
    "select",
    { "data-testid": "bu-select", "aria-label": "Business unit" },
    ...app.config.businessUnits.map((b) =>
      h("option", { value: b.businessUnitId }, `${b.name} (${b.businessUnitId})`),
    ),
  );
  buSel.value = app.businessUnit.businessUnitId;
  const actorSel = h(
    "select",
    { "data-testid": "actor-select", "aria-label": "Acting as" },
    ...ACTORS.map((a, i) => h("option", { value: String(i) }, a.label)),
  );
  actorSel.value = String(app.actorIndex);
  const saveState = h("span", { class: "muted", "data-testid": "save-status" }, "");
  const loadBar = h("progress", { max: 1, "data-testid": "load-progress" });
  const loadText = h("span", { "data-testid": "load-status" });
  const banner = h("div", { class: "messages", "data-testid": "banner" });
  const nav = h("nav", { class: "tabs", role: "tablist" });
  const main = h("main", {});

  const renderNav = () =>
    replace(
      nav,
      ...tabs.map((t) =>
        h(
          "button",
          {
            role: "tab",
            "data-tab": t.id,
            "aria-selected": String(t === current),
            class: t === current ? "active" : "",
            onclick: () => show(t),
          },
          t.label,
        ),
      ),
    );
  const show = (t: Tab) => {
    current = t;
    app.tab = t.id;
    renderNav();
    replace(main, t.element);
    t.refresh();
  };

  // Hidden tabs re-read the engine when shown; only the visible one refreshes on a change.
  app.onChange(() => current.refresh());
  app.onSave((s) => {
    saveState.textContent = s === "saved" ? "State saved" : s === "saving" ? "Saving…" : s;
  });

  const loadUnit = async () => {
    const bu = app.businessUnit;
    loadBar.hidden = false;
    loadBar.removeAttribute("value");
    loadText.textContent = `Loading ${bu.name}…`;
    document.body.dataset.ready = "false";
    try {
      const t0 = performance.now();
      const dirs = await fetchDirectories(bu, (p) => {
        const f = fraction(p);
        if (f !== undefined) loadBar.value = f;
        const waiting = waitingText(p);
        loadText.textContent =
          `Loading ${bu.name}: CXone ${p.cxone?.recordsFetched ?? 0}, RingCentral ${p.ringcentral?.recordsFetched ?? 0}` +
          (waiting ? ` (${waiting})` : "");
      });
      const t1 = performance.now();
      const rejected = app.loadDirectories(bu, dirs);
      const t2 = performance.now();
      app.notify();
      const t3 = performance.now();
      window.usersyncTimings = {
        fetchMs: t1 - t0,
        loadMs: t2 - t1,
        statusMs: t3 - t2,
        rows: dirs.source.length,
      };
      loadText.textContent =
        `${bu.name}: ${dirs.source.length.toLocaleString()} CXone users, ` +
        `${dirs.external.length.toLocaleString()} RingCentral accounts` +
        (rejected.sourceRejected + rejected.externalRejected
          ? ` (${rejected.sourceRejected + rejected.externalRejected} rejected by intake)`
          : "");
    } catch (e) {
      loadText.textContent = "";
      replace(banner, note("error", `Could not load ${bu.name}: ${errorText(e)}`));
    } finally {
      loadBar.hidden = true;
      await nextFrame();
      document.body.dataset.ready = "true";
    }
  };

  buSel.addEventListener("change", () => {
    app.businessUnitId = buSel.value;
    replace(banner);
    app.notify();
    void loadUnit();
  });
  actorSel.addEventListener("change", () => {
    app.actorIndex = Number(actorSel.value);
    app.notify();
  });

  replace(
    root,
    h(
      "header",
      { class: "top" },
      h("h1", {}, "usersync"),
      h("span", { class: "muted" }, `v${version()}`),
      h("label", {}, "Business unit ", buSel),
      h("label", {}, "Acting as ", actorSel),
      h("span", { class: "grow" }),
      saveState,
    ),
    h("div", { class: "load" }, loadBar, loadText),
    banner,
    nav,
    main,
  );
  if (app.restoreError) {
    banner.append(
      note(
        "error",
        `The saved state could not be restored, so the page started fresh: ${app.restoreError}`,
      ),
    );
  }
  renderNav();
  show(current);
  await loadUnit();
  // After the first load, so a due run starts from the directories just shown.
  scheduler.enabled = app.autorun;
}

const root = document.getElementById("app");
if (root) {
  start(root).catch((e: unknown) => {
    replace(root, note("error", `The admin page could not start: ${errorText(e)}`));
  });
}
