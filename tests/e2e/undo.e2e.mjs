// End-to-end tests of undo on the admin page (www/): the Runs tab (undo a run through its
// dry run) and a user's History (undo one manual change). A fresh server and browser
// profile, so the state starts empty.
//
//   make www && node --test tests/e2e/undo.e2e.mjs
//
// The Runs tab's screenshot goes to tests/output/screenshots/runs.png.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { openAdmin, ready as readyOf, saved as savedOf, SHOTS, tid } from "./harness.mjs";

let session;
let page;

before(async () => {
  session = await openAdmin({ users: 1000 });
  page = session.page;
});

after(() => session?.close());

const ready = () => readyOf(page);
const saved = () => savedOf(page);
const tab = (id) => page.click(`[data-tab="${id}"]`);
/** Closes any dialog a failed test left open. */
const closeDialogs = () =>
  page.evaluate(() => {
    for (const d of document.querySelectorAll("dialog[open]")) d.close();
  });

/**
 * The whole Status table (every row, not only those on screen), through its CSV export with
 * the filters cleared: per user id, the status, reason (code and words), method and external
 * account (id and name). "Attempts" and "Last change" are left out: an undo is a new change.
 */
async function statusTable() {
  await tab("mapping");
  await page.selectOption(tid("filter-status"), "");
  await page.selectOption(tid("filter-reason"), "");
  await page.fill(tid("filter-text"), "");
  await page.waitForFunction(
    (sel) => /^([\d,]+) of \1 users$/.test(document.querySelector(sel)?.textContent ?? ""),
    tid("row-count"),
  );
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click(tid("export-csv")),
  ]);
  const path = `${SHOTS}../undo-status.csv`;
  await download.saveAs(path);
  const lines = readFileSync(path, "utf8")
    .replace(/^\uFEFF/, "")
    .trimEnd()
    .split("\r\n")
    .slice(1);
  const rows = new Map();
  for (const line of lines) {
    const cells = [...line.matchAll(/"((?:[^"]|"")*)"|(?<=^|,)(?=,|$)/g)].map((m) =>
      (m[1] ?? "").replace(/""/g, '"'),
    );
    assert.equal(cells.length, 11, line);
    const [id, , , status, reason, words, method, extId, extName] = cells;
    rows.set(id, { status, reason, words, method, extId, extName });
  }
  assert.ok(rows.size >= 1000, `every user: ${rows.size}`);
  return rows;
}

/** How many users differ between two captures of the Status table. */
function differing(a, b) {
  let n = 0;
  for (const [id, r] of a) {
    if (JSON.stringify(r) === JSON.stringify(b.get(id))) continue;
    if (n < 3 && process.env.E2E_DEBUG)
      console.log("# differs", id, JSON.stringify(r), JSON.stringify(b.get(id)));
    n++;
  }
  return n + Math.abs(a.size - b.size);
}

async function runAutoSyncAndApply() {
  await tab("mapping");
  await page.click(tid("run-autosync"));
  await page.waitForSelector(tid("apply-plan"), { timeout: 120_000 });
  await page.click(tid("apply-plan"));
  await page.waitForSelector(`${tid("autosync-messages")} .note-ok, ${tid("force-apply")}`);
  if (await page.$(tid("force-apply"))) await page.click(tid("force-apply"));
  await page.waitForSelector(`${tid("autosync-messages")} .note-ok`);
  await page.click(tid("autosync-close"));
  await saved();
}

/** Applies the open undo dialog's plan (forcing it past the guard if refused). */
async function applyUndo() {
  await page.click(tid("undo-apply"));
  await page.waitForSelector(`${tid("undo-messages")} .note-ok, ${tid("undo-force")}`);
  if (await page.$(tid("undo-force"))) {
    assert.match(
      await page.textContent(tid("undo-messages")),
      /Refused by the guard\. Stopped by the safety limit on unmapping\./,
    );
    await page.click(tid("undo-force"));
    await page.waitForSelector(`${tid("undo-messages")} .note-ok`);
  }
  const ok = await page.textContent(`${tid("undo-messages")} .note-ok`);
  await page.click(tid("undo-close"));
  await page.waitForSelector(tid("undo-dialog"), { state: "detached" });
  await saved();
  return ok;
}

let runId;

/** Opens a run's undo in the Runs tab, checks the dry run, applies it; the message. */
async function undoRun(id) {
  await tab("runs");
  await page.click(`[data-run-id="${id}"] [data-action="undo"]`);
  await page.waitForSelector(tid("undo-plan"));
  assert.match(await page.textContent(tid("undo-plan")), /Dry run undo-/);
  assert.match(
    await page.textContent(tid("undo-summary")),
    /^\d+ users go back, 0 reverts refused\./,
  );
  assert.ok(
    (await page.$$eval(`${tid("undo-transitions")} .vt-row[data-row-id]`, (r) => r.length)) > 0,
  );
  return applyUndo();
}

/** Opens a Status row's "…" menu and picks `action`. */
async function rowMenu(id, action) {
  await page.click(`[data-row-id="${id}"] [data-action="menu"]`);
  await page.click(`${tid("row-menu")} [data-action="${action}"]`);
}

const runIds = () =>
  page.$$eval(`${tid("runs-table")} tr[data-run-id]`, (r) =>
    r.map((x) => x.getAttribute("data-run-id")),
  );

test("run Auto Sync, undo it from the Runs tab: the Status table is exactly as before, also after a reload", async () => {
  await closeDialogs();
  const before = await statusTable();
  await runAutoSyncAndApply();
  const after = await statusTable();
  assert.ok(differing(before, after) > 500, `the run changed users (${differing(before, after)})`);

  await tab("runs");
  const ids = await runIds();
  assert.equal(ids.length, 1);
  runId = ids[0];
  const summary = await page.textContent(`[data-run-id="${runId}"]`);
  assert.match(summary, /admin@example\.com/);
  assert.match(summary, /Not mapped → Mapped: \d+/, summary);
  assert.ok(await page.$(`[data-run-id="${runId}"] [data-transition="unmapped>mapped"]`));
  assert.ok(
    await page.$(`[data-run-id="${runId}"] [data-reason="no_match"]`),
    "counts per reason, the code kept for machines",
  );
  assert.match(summary, /No RingCentral account has this email: \d+/);
  assert.match(summary, /\d+ unmaps of \d+ \(threshold \d+\)/);

  assert.match(await undoRun(runId), /Reverted \d+ users/);
  assert.equal(
    differing(before, await statusTable()),
    0,
    "the Status table equals the one before the run",
  );
  await tab("runs");
  assert.match(
    await page.textContent(`[data-run-id="${runId}"] ${tid("undone-by")}`),
    /undone by undo-/,
  );
  const now = await runIds();
  assert.equal(now.length, 2, "the undo is a run too");
  assert.equal(now[1], runId, "newest first");
  assert.match(await page.textContent(`[data-run-id="${now[0]}"]`), new RegExp(`reverts ${runId}`));

  await page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
  await page.reload();
  await ready();
  assert.equal(differing(before, await statusTable()), 0, "kept after a reload");
  await tab("runs");
  assert.match(
    await page.textContent(`[data-run-id="${runId}"] ${tid("undone-by")}`),
    /undone by undo-/,
  );
});

test("undoing the run again: nothing to revert", async () => {
  await closeDialogs();
  await tab("runs");
  await page.click(`[data-run-id="${runId}"] [data-action="undo"]`);
  await page.waitForSelector(tid("undo-plan"));
  assert.match(await page.textContent(tid("undo-summary")), /^0 users go back/);
  await page.click(tid("undo-discard"));
  await page.waitForSelector(tid("undo-dialog"), { state: "detached" });
});

test("a forced run (accounts gone) undone: its mappings come back, also after a reload", async () => {
  await closeDialogs();
  await runAutoSyncAndApply();
  // Captured as a reload shows it (the accounts only an email query returns are not listed then).
  await page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
  await page.reload();
  await ready();
  const before = await statusTable();
  session.admin.apis[0].setFault({ rcHiddenPercent: 40 });
  try {
    await runAutoSyncAndApply();
  } finally {
    session.admin.apis[0].resetFaults();
  }
  const after = await statusTable();
  assert.ok(differing(before, after) > 50, `the run unmapped users (${differing(before, after)})`);
  await tab("runs");
  const [forced] = await runIds();
  const summary = await page.textContent(`[data-run-id="${forced}"]`);
  assert.match(
    summary,
    /Mapped → Not mapped \(The linked RingCentral account no longer exists\): \d+/,
    summary,
  );
  assert.ok(
    await page.$(`[data-run-id="${forced}"] [data-transition="mapped>unmapped:external_gone"]`),
  );
  assert.ok(await page.$(`[data-run-id="${forced}"] ${tid("run-forced")}`), "shown as forced");
  await page.screenshot({ path: `${SHOTS}runs.png`, fullPage: true });

  await undoRun(forced);
  // The loaded directory still lacks the hidden accounts, so their names are not shown until
  // it is fetched again; the mappings themselves are back.
  const undone = await statusTable();
  const noNames = (t) => new Map([...t].map(([id, r]) => [id, { ...r, extName: undefined }]));
  assert.equal(
    differing(noNames(before), noNames(undone)),
    0,
    "the mappings are as before the run",
  );
  await page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
  await page.reload();
  await ready();
  assert.equal(
    differing(before, await statusTable()),
    0,
    "after a reload (directories fetched again), exactly as before",
  );
  await tab("runs");
  await page.screenshot({ path: `${SHOTS}runs.png`, fullPage: true });
});

test("History of a user; undo one manual change; a later change makes an undo_conflict", async () => {
  await closeDialogs();
  const before = await statusTable();
  const [id, prev] = [...before].find(([, r]) => r.status === "mapped");
  await tab("mapping");
  await page.fill(tid("filter-text"), id);
  await page.waitForSelector(`${tid("status-table")} [data-row-id="${id}"]`);
  await rowMenu(id, "exclude");
  await saved();
  assert.equal((await statusTable()).get(id).status, "excluded");

  await page.fill(tid("filter-text"), id);
  await rowMenu(id, "history");
  await page.waitForSelector(tid("history-table"));
  const entries = await page.$$eval(`${tid("history-table")} tbody tr`, (r) =>
    r.map((x) => ({
      cause: x.getAttribute("data-cause"),
      text: x.textContent,
    })),
  );
  assert.ok(entries.length >= 2);
  assert.equal(entries[0].cause, "manual", "newest first");
  assert.match(
    entries[0].text,
    /admin@example\.com.*manual #\d+.*Mapped → Excluded from Auto Sync/,
  );
  assert.ok(entries.slice(1).some((e) => e.cause === "auto_sync" || e.cause === "undo"));
  assert.equal(
    await page.$$eval(`${tid("history-table")} [data-action="undo-change"]`, (b) => b.length),
    entries.filter((e) => e.cause === "manual").length,
    "Undo this change only for manual changes",
  );
  await page.screenshot({ path: `${SHOTS}history.png` });
  await page.click(`${tid("history-table")} tbody tr >> nth=0 >> [data-action="undo-change"]`);
  await page.waitForSelector(tid("undo-plan"));
  assert.match(await page.textContent(tid("undo-summary")), /^1 users go back, 0 reverts refused/);
  await applyUndo();
  assert.deepEqual((await statusTable()).get(id), prev, "back as before the exclude");

  // Unmap another user, map a third onto that account, then undo the unmap: refused.
  const all = await statusTable();
  const [a, ra] = [...all].find(([u, r]) => r.status === "mapped" && u !== id);
  const [b] = [...all].find(([, r]) => r.status === "unmapped" && r.reason === "no_match");
  await tab("mapping");
  await page.fill(tid("filter-text"), a);
  await page.waitForSelector(`[data-row-id="${a}"]`);
  await rowMenu(a, "unmap");
  await page.fill(tid("filter-text"), b);
  await page.waitForSelector(`[data-row-id="${b}"]`);
  await rowMenu(b, "map");
  await page.click(tid("user-map"));
  await page.fill(tid("map-search"), ra.extName);
  await page.waitForSelector(`${tid("map-results")} [data-external-id="${ra.extId}"]`);
  await page.click(`${tid("map-results")} [data-external-id="${ra.extId}"] ${tid("map-pick")}`);
  await page.waitForSelector(tid("map-dialog"), { state: "detached" });
  await page.fill(tid("filter-text"), a);
  await page.waitForSelector(`[data-row-id="${a}"]`);
  await rowMenu(a, "history");
  await page.click(`${tid("history-table")} tbody tr >> nth=0 >> [data-action="undo-change"]`);
  await page.waitForSelector(tid("undo-plan"));
  assert.match(await page.textContent(tid("undo-summary")), /^0 users go back, 1 reverts refused/);
  assert.equal(
    await page.getAttribute(`${tid("undo-conflicts")} [data-user-id="${a}"]`, "data-code"),
    "undo_conflict",
  );
  assert.doesNotMatch(
    await page.textContent(tid("undo-conflicts")),
    /undo_conflict/,
    "words for people, the code in the tooltip",
  );
  assert.equal(await page.$eval(tid("undo-apply"), (b) => b.disabled), true, "nothing to apply");
  await page.screenshot({ path: `${SHOTS}undo-conflict.png` });
  await page.click(tid("undo-discard"));
  await page.waitForSelector(tid("undo-dialog"), { state: "detached" });
});

test("a viewer sees Undo disabled, with the reason", async () => {
  await closeDialogs();
  await page.selectOption(tid("actor-select"), "1");
  await tab("runs");
  assert.match(
    await page.textContent(tid("runs-messages")),
    /viewer@example\.com lacks the UserMapping\.Map permission/,
  );
  const buttons = await page.$$eval(`${tid("runs-table")} [data-action="undo"]`, (b) =>
    b.map((x) => ({ disabled: x.disabled, title: x.title })),
  );
  assert.ok(
    buttons.length >= 3 &&
      buttons.every((b) => b.disabled && /lacks the UserMapping\.Map/.test(b.title)),
  );
  await page.selectOption(tid("actor-select"), "0");
});

test("no page errors", () => {
  assert.deepEqual(session.pageErrors, []);
});
