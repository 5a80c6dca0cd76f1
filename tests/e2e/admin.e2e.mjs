// End-to-end tests of the admin page (www/), driven through Debian's Chromium (headless) by
// playwright-core, against the built page and the local API server (www/serve.mjs).
//
//   make www && node --test tests/e2e/
//
// Screenshots of each tab go to tests/output/screenshots/. The last test loads 50,000 users
// and prints the load / filter / scroll figures (measured, not asserted against a budget).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  openAdmin,
  ready as readyOf,
  saved as savedOf,
  SHOTS,
  startAdmin,
  tid,
} from "./harness.mjs";

const SCALE_USERS = Number(process.env.E2E_SCALE_USERS ?? 50_000);

let session;
let admin;
let browser;
let page;

before(async () => {
  session = await openAdmin({ users: 1000 });
  ({ admin, browser, page } = session);
});

after(() => session?.close());

const shot = (name) => page.screenshot({ path: `${SHOTS}${name}.png` });

const ready = (p = page) => readyOf(p);

/** Types into the status table's search box and waits for the filter to apply. */
async function filter(text) {
  const before = await page.textContent(tid("row-count"));
  await page.fill(tid("filter-text"), text);
  await page
    .waitForFunction(
      ([sel, prev]) => document.querySelector(sel)?.textContent !== prev,
      [tid("row-count"), before],
      { timeout: 5000 },
    )
    .catch(() => undefined);
  await page.waitForTimeout(50);
}

/** Waits until the page has painted (the table renders rows on the next frame). */
const painted = (p = page) =>
  p.evaluate(
    () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))),
  );

/** The cells of the status table's rows on screen, as text. */
async function visibleRows() {
  await painted();
  return page.$$eval(`${tid("status-table")} .vt-body .vt-row`, (rows) =>
    rows.map((r) => ({
      id: r.getAttribute("data-row-id"),
      cells: [...r.querySelectorAll(".vt-cell")].map((c) => c.textContent),
    })),
  );
}

/** The one row whose name matches `name` after searching for it (other filters cleared). */
async function rowByName(name, search = name) {
  await page.selectOption(tid("filter-status"), "");
  await page.selectOption(tid("filter-reason"), "");
  await filter(search);
  const rows = (await visibleRows()).filter((r) => r.cells[0] === name);
  assert.equal(rows.length, 1, `one row named ${name}: ${JSON.stringify(rows)}`);
  return rows[0];
}

const saved = () => savedOf(page);

/** Opens the "…" menu of a row and picks `action` (map, unmap, exclude, include, history). */
async function menu(rowId, action) {
  await page.click(`${tid("status-table")} [data-row-id="${rowId}"] [data-action="menu"]`);
  await page.click(`${tid("row-menu")} [data-action="${action}"]`);
}

async function runAutoSyncToPlan() {
  await page.click(tid("run-autosync"));
  await page.waitForSelector(`${tid("apply-plan")}, ${tid("autosync-messages")} .note-error`, {
    timeout: 120_000,
  });
}

test("the unit loads through the connectors; every status can show", async () => {
  const count = await page.textContent(tid("row-count"));
  assert.match(count, /^1,0\d\d of 1,0\d\d users$/);
  assert.match(await page.textContent(tid("load-status")), /CXone users, .* RingCentral accounts/);
  assert.ok(
    (await page.$$(`${tid("bu-select")} option`)).length >= 2,
    "two business units to choose from",
  );
});

test("Run Auto Sync: progress, dry run with counts per reason, retry with re-fetched emails, apply", async () => {
  await runAutoSyncToPlan();
  const steps = await page.textContent(tid("autosync-steps"));
  assert.match(steps, /Retry: re-fetching \d+ emails/);
  assert.match(steps, /: \d+ accounts came back/);
  assert.equal(await page.$eval(tid("autosync-progress"), (p) => p.value), 1);
  const reasons = await page.$$eval(`${tid("plan-reasons")} tr[data-reason]`, (trs) =>
    trs.map((t) => [t.dataset.reason, t.querySelector("th").textContent]),
  );
  for (const r of [
    "no_match",
    "multiple_matches",
    "duplicate_source_email",
    "invalid_email",
    "confusable",
    "no_permission",
    "inactive",
  ]) {
    const row = reasons.find(([code]) => code === r);
    assert.ok(row, `plan counts ${r}: ${JSON.stringify(reasons)}`);
    assert.ok(!row[1].includes("_") && row[1].length > 10, `${r} in words: ${row[1]}`);
  }
  assert.ok(
    (await page.$$eval(`${tid("plan-transitions")} .vt-row[data-row-id]`, (rows) => rows.length)) >
      0,
  );
  await shot("autosync-plan");
  await page.click(tid("apply-plan"));
  await page.waitForSelector(`${tid("autosync-messages")} .note-ok`);
  assert.match(
    await page.textContent(`${tid("autosync-messages")} .note-ok`),
    /Applied \d+ transitions/,
  );
  await page.click(tid("autosync-close"));
  await saved();

  // Lena's account is one only an email query returns: the retry pass mapped her.
  const late = await rowByName("Lena Late");
  assert.equal(late.cells[2], "Mapped", "mapped by the retry pass");
  assert.equal(late.cells[4], "auto");
  const dup = await rowByName("Dora Duplicate");
  assert.equal(dup.cells[2], "Not mapped");
  assert.ok(dup.cells[3].length > 5, "the reason in words");
  await filter("");
  for (const s of ["mapped", "unmapped", "skipped"]) {
    const n = await page.$eval(
      `${tid("filter-status")} option[value="${s}"]`,
      (o) => o.textContent,
    );
    assert.doesNotMatch(n, /\(0\)/, `some users are ${s}`);
  }
  await shot("user-mapping");
});

test("filter by status and reason, sort by name", async () => {
  await filter("");
  await page.selectOption(tid("filter-status"), "unmapped");
  await page.selectOption(tid("filter-reason"), "multiple_matches");
  const rows = await visibleRows();
  assert.ok(rows.length >= 1);
  assert.ok(rows.every((r) => r.cells[2] === "Not mapped"));
  assert.ok(rows.some((r) => r.cells[0] === "Shared Mailbox"));
  await page.selectOption(tid("filter-reason"), "");
  await page.selectOption(tid("filter-status"), "");
  await page.click(`${tid("status-table")} [data-sort="name"]`);
  const names = (await visibleRows()).map((r) => r.cells[0]);
  const sorted = [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  assert.deepEqual(names, sorted);
  await page.click(`${tid("status-table")} [data-sort="name"]`);
});

test("a user named <img src=x onerror=alert(1)> is shown as text", async () => {
  const row = await rowByName("<img src=x onerror=alert(1)> Tester", "onerror");
  assert.equal(row.cells[5], "<b>Bold</b> Tester", "the external name is text too");
  assert.equal(await page.$$eval("main img, main b, main script", (x) => x.length), 0);
  assert.deepEqual(session.alerts, []);
  await shot("xss-as-text");
});

test("Map User: the row menu opens the user's details, then the search; external_taken offers reassign", async () => {
  const jose = await rowByName("José Álvarez", "álvarez");
  assert.equal(jose.cells[2], "Not mapped");
  await menu(jose.id, "map");
  // The details step first: who the user is, their state in words, their link and changes.
  await page.waitForSelector(tid("user-dialog"));
  assert.equal(await page.$(tid("map-dialog")), null, "no search before the details");
  assert.equal(await page.textContent(tid("user-status")), "Not mapped");
  assert.match(await page.textContent(tid("user-details")), /José Álvarez/);
  assert.equal(await page.textContent(tid("user-link")), "Not linked");
  assert.ok((await page.textContent(tid("user-reason"))).length > 5, "the reason in words");
  assert.match(await page.textContent(tid("user-changes")), /Not mapped|No changes/);
  await shot("user-details");
  await page.click(tid("user-map"));
  await page.waitForSelector(tid("user-dialog"), { state: "detached" });
  await page.fill(tid("map-search"), "alvarez jose");
  await page.waitForSelector(`${tid("map-results")} li`);
  const first = await page.$eval(
    `${tid("map-results")} li`,
    (li) => li.querySelector(".hit-name").textContent,
  );
  assert.equal(first, "Jose Alvarez-Ruiz", "ranked first: the name as RingCentral has it");
  await shot("map-dialog");
  await page.click(`${tid("map-results")} li >> nth=0 >> ${tid("map-pick")}`);
  await page.waitForSelector(tid("map-dialog"), { state: "detached" });
  const mapped = await rowByName("José Álvarez", "álvarez");
  assert.equal(mapped.cells[2], "Mapped");
  assert.equal(mapped.cells[4], "manual");
  assert.equal(mapped.cells[5], "Jose Alvarez-Ruiz");

  // Another user onto the same account: refused, then reassigned.
  const shared = await rowByName("Shared Mailbox");
  await menu(shared.id, "map");
  await page.click(tid("user-map"));
  await page.fill(tid("map-search"), "alvarez ruiz");
  await page.waitForSelector(`${tid("map-results")} li`);
  await page.click(`${tid("map-results")} li >> nth=0 >> ${tid("map-pick")}`);
  await page.waitForSelector(tid("map-reassign"));
  const warning = await page.textContent(`${tid("map-dialog")} .note-warn`);
  assert.match(warning, /already mapped to another user/);
  assert.doesNotMatch(warning, /external_taken/, "words, not the code");
  await page.click(tid("map-reassign"));
  await page.waitForSelector(tid("map-dialog"), { state: "detached" });
  assert.equal((await rowByName("Shared Mailbox")).cells[5], "Jose Alvarez-Ruiz");
  const released = await rowByName("José Álvarez", "álvarez");
  assert.equal(released.cells[2], "Not mapped");
  assert.equal(released.cells[3].length > 0, true);

  // The details of a mapped user show the link and the last changes, in words.
  await rowByName("Shared Mailbox");
  await menu(shared.id, "map");
  assert.match(await page.textContent(tid("user-link")), /Jose Alvarez-Ruiz/);
  assert.match(
    await page.textContent(tid("user-changes")),
    /Not mapped → Mapped by admin@example\.com/,
  );
  await page.keyboard.press("Escape");
  await page.waitForSelector(tid("user-dialog"), { state: "detached" });

  // Exclude and include, from the row menu.
  await rowByName("José Álvarez", "álvarez");
  await menu(released.id, "exclude");
  assert.equal((await rowByName("José Álvarez", "álvarez")).cells[2], "Excluded from Auto Sync");
  await menu(released.id, "include");
  assert.notEqual((await rowByName("José Álvarez", "álvarez")).cells[2], "Excluded from Auto Sync");
  await saved();
});

test("an actor without UserMapping.Map sees the changes disabled, with the reason", async () => {
  await page.selectOption(tid("actor-select"), "1");
  assert.match(
    await page.textContent(tid("permission-note")),
    /viewer@example\.com lacks the UserMapping\.Map permission/,
  );
  const row = await rowByName("Lena Late");
  await page.click(`${tid("status-table")} [data-row-id="${row.id}"] [data-action="menu"]`);
  const items = await page.$$eval(`${tid("row-menu")} button`, (bs) =>
    bs.map((b) => ({ action: b.dataset.action, disabled: b.disabled, title: b.title })),
  );
  const changes = items.filter((b) => ["unmap", "exclude", "include"].includes(b.action));
  assert.ok(changes.length >= 2);
  assert.ok(changes.every((b) => b.disabled && /lacks the UserMapping\.Map/.test(b.title)));
  assert.equal(
    items.find((b) => b.action === "history")?.disabled,
    false,
    "History is read-only: open to a viewer",
  );
  await page.click(`${tid("row-menu")} [data-action="map"]`);
  assert.equal(
    await page.$eval(tid("user-map"), (b) => b.disabled),
    true,
    "the details open, Map User does not",
  );
  await page.keyboard.press("Escape");
  await page.waitForSelector(tid("user-dialog"), { state: "detached" });
  assert.equal(await page.$eval(tid("run-autosync"), (b) => b.disabled), true);
  await page.selectOption(tid("actor-select"), "0");
  assert.equal(await page.textContent(tid("permission-note")), "");
});

test("Auto Syncing: not set up until saved; change the schedule, next run times shown, invalid values named", async () => {
  assert.match(await page.textContent(tid("schedule-summary")), /Auto Sync is not set up/);
  await page.click(tid("open-schedule"));
  assert.match(await page.textContent(tid("sched-state")), /not set up/);
  await page.selectOption(tid("sched-kind"), "everyMinutes");
  await page.fill(tid("sched-minutes"), "2");
  await page.waitForSelector(`${tid("schedule-dialog")} .note-error`);
  assert.match(await page.textContent(`${tid("schedule-dialog")} .note-error`), /minutes/);
  assert.equal(await page.$eval(tid("sched-save"), (b) => b.disabled), true);
  await page.selectOption(tid("sched-kind"), "weekly");
  await page.check(tid("sched-day-fri"));
  await page.fill(tid("sched-time"), "06:30");
  await page.fill(tid("sched-zone"), "Europe/Berlin");
  await page.waitForFunction(
    (sel) => document.querySelectorAll(`${sel} li`).length === 5,
    tid("sched-preview"),
  );
  const runs = await page.$$eval(`${tid("sched-preview")} li`, (s) => s.map((x) => x.title));
  // 06:30 in Berlin is 04:30 or 05:30 UTC, on Mondays and Fridays.
  for (const r of runs) {
    assert.match(r, /T0[45]:30:00Z$/);
    assert.ok([1, 5].includes(new Date(r).getUTCDay()), r);
  }
  await shot("schedule-dialog");
  await page.click(tid("sched-save"));
  await page.waitForSelector(tid("schedule-dialog"), { state: "detached" });
  assert.match(
    await page.textContent(tid("schedule-summary")),
    /on Monday, Friday at 06:30 \(Europe\/Berlin time\) · next run at .* · runs as admin@example\.com/,
  );
  await saved();
});

test("a guard refusal is shown with a Force option", async () => {
  const api = admin.apis[0];
  api.setFault({ rcHiddenPercent: 40 });
  try {
    await runAutoSyncToPlan();
    assert.match(
      await page.textContent(tid("autosync-plan")),
      /would unmap more users than the guard allows/,
    );
    await page.click(tid("apply-plan"));
    await page.waitForSelector(tid("force-apply"));
    assert.match(
      await page.textContent(tid("autosync-messages")),
      /Refused by the guard\. Stopped by the safety limit on unmapping\./,
    );
    await shot("guard-refusal");
    await page.click(tid("force-apply"));
    await page.waitForSelector(`${tid("autosync-messages")} .note-ok`);
    assert.match(await page.textContent(`${tid("autosync-messages")} .note-ok`), /\(forced\)/);
    await page.click(tid("autosync-close"));
  } finally {
    api.resetFaults();
  }
  await page.selectOption(tid("filter-reason"), "external_gone");
  assert.ok((await visibleRows()).length > 0, "users unmapped because their account is gone");
  await page.selectOption(tid("filter-reason"), "");
  await saved();
});

test("audit log lists the changes, newest first", async () => {
  await page.click('[data-tab="audit"]');
  await page.waitForSelector(`${tid("audit-table")} .vt-body .vt-row`);
  const n = Number((await page.textContent(tid("audit-count"))).replace(/\D/g, ""));
  assert.ok(n > 100);
  const before = await page.textContent(tid("audit-count"));
  await page.fill(tid("audit-filter"), "external_gone");
  await page.waitForFunction(
    ([sel, prev]) => document.querySelector(sel)?.textContent !== prev,
    [tid("audit-count"), before],
  );
  await painted();
  const reasons = await page.$$eval(`${tid("audit-table")} .vt-body .col-reason`, (c) =>
    c.map((x) => x.textContent),
  );
  assert.ok(
    reasons.length > 0 && reasons.every((a) => a === "external_gone"),
    "the forced run's unmaps",
  );
  const actors = await page.$$eval(`${tid("audit-table")} .vt-body .col-actor`, (c) =>
    c.map((x) => x.textContent),
  );
  assert.ok(
    actors.every((a) => a === "admin@example.com"),
    "applied by the acting admin",
  );
  const times = await page.$$eval(`${tid("audit-table")} .vt-body time`, (t) =>
    t.map((x) => x.getAttribute("datetime")),
  );
  assert.deepEqual(times, [...times].sort().reverse());
  await shot("audit-log");
  await page.fill(tid("audit-filter"), "");
  await page.click('[data-tab="runs"]');
  await page.waitForSelector(`${tid("runs-table")} tr[data-run-id]`);
  await shot("runs-tab");
  await page.click('[data-tab="mapping"]');
});

test("CSV export of the status table: quoted, formula-safe", async () => {
  await filter("");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click(tid("export-csv")),
  ]);
  assert.match(download.suggestedFilename(), /^usersync-status-4600001-\d{4}-\d\d-\d\d\.csv$/);
  const path = `${SHOTS}../status.csv`;
  await download.saveAs(path);
  const text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  const lines = text.trimEnd().split("\r\n");
  const total = Number(
    (await page.textContent(tid("row-count"))).split(" of ")[0].replace(/,/g, ""),
  );
  assert.equal(lines.length, total + 1, "a header and one line per row");
  assert.equal(
    lines[0],
    '"User id","Name","Email","Status","Reason","Reason (words)","Method","External id","External name","Attempts","Last change"',
  );
  const formula = lines.find((l) => l.includes("HYPERLINK"));
  assert.ok(formula.includes(`"'=HYPERLINK(""http://x.example"") Formula"`), formula);
  assert.ok(lines.slice(1).every((l) => l.startsWith('"')));
  const xss = lines.find((l) => l.includes("onerror"));
  assert.ok(xss.includes('"<img src=x onerror=alert(1)> Tester"'));
});

test("reload: the state is kept (mappings, schedule)", async () => {
  await page.click('[data-tab="mapping"]');
  await page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
  await page.reload();
  await ready();
  assert.equal((await rowByName("Shared Mailbox")).cells[5], "Jose Alvarez-Ruiz");
  assert.equal((await rowByName("Shared Mailbox")).cells[4], "manual");
  assert.match(
    await page.textContent(tid("schedule-summary")),
    /on Monday, Friday at 06:30 \(Europe\/Berlin time\) · next run at .* · runs as admin@example\.com/,
  );
  assert.equal(await page.$(`${tid("banner")} .note-error`), null, "restored without error");
  await page.click('[data-tab="mapping"]');
});

test("a unit on a manual-only platform: no Auto Sync controls, the page says why, mapping by hand works", async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const p = await context.newPage();
  // The second unit's platform becomes Teams, which has no Auto Sync.
  await p.route("**/config.json", async (route) => {
    const res = await route.fetch();
    const config = await res.json();
    config.businessUnits[1].platform = "teams";
    await route.fulfill({ response: res, json: config });
  });
  try {
    await p.goto(admin.url);
    await ready(p);
    await p.selectOption(tid("bu-select"), "4600002");
    await p.waitForFunction(
      (sel) =>
        /of [\d,]+ users/.test(document.querySelector(sel)?.textContent ?? "") &&
        !document.querySelector(sel)?.textContent?.startsWith("0 of"),
      tid("row-count"),
      { timeout: 60_000 },
    );
    assert.equal(await p.isVisible(tid("run-autosync")), false, "Run Auto Sync is hidden");
    assert.equal(await p.isVisible(tid("open-schedule")), false, "Auto Syncing is hidden");
    assert.match(
      await p.textContent(tid("platform-note")),
      /teams supports manual mapping only, so Auto Sync is not available/,
    );
    assert.match(await p.textContent(tid("schedule-summary")), /not available/);
    await p.screenshot({ path: `${SHOTS}manual-only-unit.png` });
    const row = await p.$eval(`${tid("status-table")} .vt-body .vt-row`, (r) => ({
      id: r.getAttribute("data-row-id"),
      name: r.querySelector(".vt-cell").textContent,
    }));
    await p.click(`${tid("status-table")} [data-row-id="${row.id}"] [data-action="menu"]`);
    await p.click(`${tid("row-menu")} [data-action="map"]`);
    await p.click(tid("user-map"));
    // Name search works on every platform ("an": Ann, Dana, Hana, ...).
    await p.fill(tid("map-search"), "an");
    await p.waitForSelector(`${tid("map-results")} li`);
    await p.click(`${tid("map-results")} li >> nth=0 >> ${tid("map-pick")}`);
    await p.waitForSelector(tid("map-dialog"), { state: "detached" });
    await p.waitForFunction(
      ([sel, id]) =>
        document
          .querySelector(`${sel} [data-row-id="${id}"] [data-status]`)
          ?.getAttribute("data-status") === "mapped",
      [tid("status-table"), row.id],
    );
  } finally {
    await context.close();
  }
});

test("a damaged snapshot: the page starts fresh and says why", async () => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const p = await context.newPage();
  try {
    await p.goto(admin.url);
    await ready(p);
    await p.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const req = indexedDB.open("usersync-admin", 1);
          req.onsuccess = () => {
            const tx = req.result.transaction("kv", "readwrite");
            tx.objectStore("kv").put('{"version":1,"presence":', "snapshot");
            tx.oncomplete = () => resolve();
            tx.onerror = () => reject(tx.error);
          };
        }),
    );
    await p.reload();
    await ready(p);
    assert.match(
      await p.textContent(`${tid("banner")} .note-error`),
      /could not be restored.*snapshot/,
    );
  } finally {
    await context.close();
  }
});

test("no page errors", () => {
  assert.deepEqual(session.pageErrors, []);
});

test(`scale: ${SCALE_USERS.toLocaleString("en")} users load, filter and scroll`, async () => {
  const big = await startAdmin({ users: SCALE_USERS });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const p = await context.newPage();
  const errors = [];
  p.on("pageerror", (e) => errors.push(e.message));
  try {
    const t0 = Date.now();
    await p.goto(big.url);
    await ready(p);
    const loadMs = Date.now() - t0;
    const timings = await p.evaluate(() => window.usersyncTimings);
    assert.equal(timings.rows, big.apis[0].directories.cxone.length);

    const measure = (fn) => p.evaluate(fn);
    // Status filter (synchronous) and a text search (debounced 150 ms), until painted.
    const statusFilterMs = await measure(async () => {
      const sel = document.querySelector('[data-testid="filter-status"]');
      const t = performance.now();
      sel.value = "unmapped";
      sel.dispatchEvent(new Event("change"));
      await new Promise((r) => requestAnimationFrame(() => r()));
      const ms = performance.now() - t;
      sel.value = "";
      sel.dispatchEvent(new Event("change"));
      return ms;
    });
    const searchMs = await measure(async () => {
      const input = document.querySelector('[data-testid="filter-text"]');
      const count = document.querySelector('[data-testid="row-count"]');
      const before = count.textContent;
      const t = performance.now();
      input.value = "kim.nilsen";
      input.dispatchEvent(new Event("input"));
      await new Promise((resolve) => {
        const check = () =>
          count.textContent !== before ? resolve() : requestAnimationFrame(check);
        check();
      });
      await new Promise((r) => requestAnimationFrame(() => r()));
      return performance.now() - t;
    });
    await p.fill(tid("filter-text"), "");
    await p.waitForTimeout(400);
    // Scroll through the whole table in 120 steps, one per frame; frame times and long tasks.
    const scroll = await measure(async () => {
      const vp = document.querySelector('[data-testid="status-table-viewport"]');
      const longTasks = [];
      const obs = new PerformanceObserver((l) => {
        for (const e of l.getEntries()) longTasks.push(e.duration);
      });
      try {
        obs.observe({ entryTypes: ["longtask"] });
      } catch {
        /* not supported */
      }
      const frames = [];
      let last = performance.now();
      const steps = 120;
      for (let i = 1; i <= steps; i++) {
        vp.scrollTop = (vp.scrollHeight - vp.clientHeight) * (i / steps);
        await new Promise((r) => requestAnimationFrame(() => r()));
        const t = performance.now();
        frames.push(t - last);
        last = t;
      }
      obs.disconnect();
      const rows = document.querySelectorAll(
        '[data-testid="status-table"] .vt-body .vt-row',
      ).length;
      frames.sort((a, b) => a - b);
      return {
        meanFrameMs: frames.reduce((a, b) => a + b, 0) / frames.length,
        p95FrameMs: frames[Math.floor(frames.length * 0.95)],
        maxFrameMs: frames[frames.length - 1],
        longTasks: longTasks.length,
        rowsInDom: rows,
        lastRowShown: document
          .querySelector('[data-testid="status-table"] .vt-body .vt-row:last-child')
          ?.getAttribute("aria-rowindex"),
      };
    });
    assert.ok(scroll.rowsInDom < 100, `only the rows in view are in the DOM (${scroll.rowsInDom})`);
    await p.screenshot({ path: `${SHOTS}scale-${SCALE_USERS}.png` });

    // Auto Sync over the whole unit: fetch, plan, retry, apply.
    const a0 = Date.now();
    await p.click(tid("run-autosync"));
    await p.waitForSelector(tid("apply-plan"), { timeout: 300_000 });
    const planMs = Date.now() - a0;
    const autoSyncSteps = await p.$$eval(`${tid("autosync-steps")} li`, (li) =>
      li.map((x) => x.textContent),
    );
    const a1 = Date.now();
    await p.click(tid("apply-plan"));
    await p.waitForSelector(`${tid("autosync-messages")} .note-ok`, { timeout: 120_000 });
    const applyMs = Date.now() - a1;
    await p.waitForSelector(`${tid("save-status")}:text("State saved")`, { timeout: 120_000 });
    const savedMs = Date.now() - a1;

    const figures = {
      users: SCALE_USERS,
      pageLoadToTableMs: loadMs,
      fetchBothDirectoriesMs: Math.round(timings.fetchMs),
      loadIntoEngineMs: Math.round(timings.loadMs),
      statusAndRenderMs: Math.round(timings.statusMs),
      statusFilterMs: Math.round(statusFilterMs),
      textSearchMsInclDebounce150: Math.round(searchMs),
      scroll,
      autoSyncFetchPlanRetryMs: planMs,
      autoSyncSteps,
      applyMs,
      applyPlusSnapshotSavedMs: savedMs,
    };
    console.log(`# scale figures ${JSON.stringify(figures)}`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await big.close();
  }
});
