// End-to-end test of scheduled Auto Sync on the admin page: off by default; switched on, every
// business unit whose schedule says a run is due is run and applied as the schedule's actor;
// the switch is kept across a reload, and a unit is not run again before its next scheduled
// time. A fresh server and browser profile, so the state starts empty (never run: due).
//
//   make www && node --test tests/e2e/schedule.e2e.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openAdmin, ready as readyOf, saved as savedOf, tid } from "./harness.mjs";

let session;
let page;

before(async () => {
  session = await openAdmin({ users: 300, secondUsers: 100 });
  page = session.page;
});

after(() => session?.close());

const ready = () => readyOf(page);
const saved = () => savedOf(page);
const tab = (id) => page.click(`[data-tab="${id}"]`);

/** The applied runs of the selected unit, as [runId, actor]. */
async function runs() {
  await tab("runs");
  const rows = await page.$$eval(`${tid("runs-table")} tr[data-run-id]`,
    (trs) => trs.map((tr) => [tr.getAttribute("data-run-id"), tr.querySelector(".col-actor")?.textContent ?? ""]));
  await tab("mapping");
  return rows;
}

test("scheduled Auto Sync: off by default, then runs every due unit as the schedule's actor, kept across a reload", async () => {
  await tab("mapping");
  assert.equal(await page.isChecked(tid("autosync-autorun")), false, "off by default");
  assert.deepEqual(await runs(), [], "nothing ran on its own");

  await page.check(tid("autosync-autorun"));
  await page.waitForSelector(`${tid("autosync-scheduled")} .note-ok`, { timeout: 60_000 });
  assert.match(await page.textContent(tid("autosync-scheduled")), /Scheduled Auto Sync of .+ applied \d+ transitions; next run \d{4}-/);
  const first = await runs();
  assert.equal(first.length, 1);
  assert.equal(first[0][1], "auto-sync (schedule)");
  assert.match(await page.textContent(tid("filter-status")), /mapped \([1-9]/, "users were mapped");

  // The second business unit was due too, and ran after the first.
  const units = await page.$$eval(`${tid("bu-select")} option`, (o) => o.map((x) => x.value));
  assert.ok(units.length >= 2);
  await page.selectOption(tid("bu-select"), units[1]);
  await ready();
  await page.waitForSelector(`${tid("autosync-scheduled")} .note-ok`, { timeout: 60_000 });
  assert.equal((await runs()).length, 1, "the second unit ran once");
  await page.selectOption(tid("bu-select"), units[0]);
  await ready();
  await saved();

  // Reloaded: still on, and not due again before the next scheduled time (daily 02:00 UTC).
  await page.reload();
  await ready();
  await page.waitForFunction((sel) => document.querySelector(sel)?.checked === true, tid("autosync-autorun"));
  await page.waitForSelector(`${tid("autosync-scheduled")} .note-info:has-text("next run")`, { timeout: 30_000 });
  assert.deepEqual(await runs(), first, "no second run before the schedule's next time");

  // Switched off: says so, and stays off after a reload.
  await page.uncheck(tid("autosync-autorun"));
  await page.waitForSelector(`${tid("autosync-scheduled")} .note-info:has-text("off")`);
  await page.reload();
  await ready();
  assert.equal(await page.isChecked(tid("autosync-autorun")), false);
});

test("no page errors", () => {
  assert.deepEqual(session.pageErrors, []);
});
