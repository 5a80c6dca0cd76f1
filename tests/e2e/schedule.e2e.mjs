// End-to-end test of scheduled Auto Sync on the admin page: off by default; switched on, a
// unit nobody saved a schedule for is "not set up" and never runs; once an admin saves one,
// the unit runs at its next scheduled time, acting as that admin; with another actor signed
// in, who cannot vouch for the admin, the run is refused and the page says so. The switch is
// kept across a reload. The page's clock is Playwright's, so minutes pass on demand.
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

/**
 * Moves the page's clock on by the scheduler's check interval until `selector` shows: a check
 * that falls while the page is still loading is skipped, and the next one counts.
 */
async function advanceUntil(selector, tries = 6) {
  for (let i = 0; i < tries; i++) {
    await page.clock.fastForward("00:31");
    if (
      await page.waitForSelector(selector, { timeout: 5_000 }).then(
        () => true,
        () => false,
      )
    )
      return;
  }
  assert.fail(`${selector} did not show: ${await page.textContent(tid("autosync-scheduled"))}`);
}

/** The applied runs of the selected unit, as [runId, actor]. */
async function runs() {
  await tab("runs");
  const rows = await page.$$eval(`${tid("runs-table")} tr[data-run-id]`, (trs) =>
    trs.map((tr) => [
      tr.getAttribute("data-run-id"),
      tr.querySelector(".col-actor")?.textContent ?? "",
    ]),
  );
  await tab("mapping");
  return rows;
}

test("scheduled Auto Sync: not set up until saved, then runs as the admin who saved it; refused for an actor who cannot vouch for them", async () => {
  await page.clock.install();
  await page.reload();
  await ready();
  await tab("mapping");
  assert.equal(await page.isChecked(tid("autosync-autorun")), false, "off by default");
  assert.match(await page.textContent(tid("schedule-summary")), /Auto Sync is not set up/);

  await page.check(tid("autosync-autorun"));
  await page.waitForSelector(`${tid("autosync-scheduled")} .note-info:has-text("not set up")`, {
    timeout: 60_000,
  });
  await page.clock.fastForward("10:00");
  assert.deepEqual(await runs(), [], "nothing runs before an admin saves a schedule");

  // An admin saves "every 5 minutes": the first run is the next slot after saving.
  await page.click(tid("open-schedule"));
  await page.selectOption(tid("sched-kind"), "everyMinutes");
  await page.fill(tid("sched-minutes"), "5");
  await page.fill(tid("sched-zone"), "UTC");
  await page.waitForFunction(
    (sel) => document.querySelectorAll(`${sel} li`).length === 5,
    tid("sched-preview"),
  );
  await page.click(tid("sched-save"));
  await page.waitForSelector(tid("schedule-dialog"), { state: "detached" });
  assert.match(
    await page.textContent(tid("schedule-summary")),
    /every 5 minutes · next run at \d\d:\d\d · runs as admin@example\.com/,
  );
  await saved();
  await page.clock.fastForward("06:00");
  await page.waitForSelector(`${tid("autosync-scheduled")} .note-ok`, { timeout: 60_000 });
  const said = await page.textContent(tid("autosync-scheduled"));
  assert.match(
    said,
    /Auto Sync of .+ ran as admin@example\.com: \d+ changes applied; next run at \d\d:\d\d/,
  );
  assert.doesNotMatch(said, /\d{4}-\d\d-\d\dT/, "local times, not RFC 3339 instants");
  const first = await runs();
  assert.equal(first.length, 1);
  assert.equal(first[0][1], "admin@example.com", "recorded as the admin who saved the schedule");
  await tab("runs");
  assert.ok(
    await page.$(`[data-run-id="${first[0][0]}"] ${tid("run-scheduled")}`),
    "shown as a scheduled run",
  );
  await tab("mapping");
  assert.match(await page.textContent(tid("filter-status")), /Mapped \([1-9]/, "users were mapped");

  // The second business unit has no schedule: it never ran.
  const units = await page.$$eval(`${tid("bu-select")} option`, (o) => o.map((x) => x.value));
  assert.ok(units.length >= 2);
  await page.selectOption(tid("bu-select"), units[1]);
  await ready();
  assert.deepEqual(await runs(), [], "a unit without a saved schedule is not run");
  await page.selectOption(tid("bu-select"), units[0]);
  await ready();

  // Signed in as someone else, the page cannot confirm the admin still holds the permission:
  // the next scheduled run is refused, and the page says so.
  await page.selectOption(tid("actor-select"), "1");
  await page.clock.fastForward("05:00");
  await page.waitForSelector(`${tid("autosync-scheduled")} .note-warn`, { timeout: 60_000 });
  assert.match(
    await page.textContent(tid("autosync-scheduled")),
    /The scheduled Auto Sync of .+ was refused and nothing changed: Not allowed: the scheduled Auto Sync run acts as "admin@example\.com"/,
  );
  assert.deepEqual(await runs(), first, "nothing applied");
  assert.match(
    await page.textContent(tid("schedule-summary")),
    /the scheduled run at \d\d:\d\d was refused/,
    "the refusal stays reported",
  );

  // The admin signed in again: the next scheduled time runs as them.
  await page.selectOption(tid("actor-select"), "0");
  await page.clock.fastForward("04:00");
  await advanceUntil(`${tid("autosync-scheduled")} .note-ok`);
  const second = await runs();
  assert.equal(second.length, 2);
  await saved();

  // Reloaded: still on, and nothing runs again before the schedule's next time.
  await page.reload();
  await ready();
  await page.waitForFunction(
    (sel) => document.querySelector(sel)?.checked === true,
    tid("autosync-autorun"),
  );
  await advanceUntil(
    `${tid("autosync-scheduled")} .note-info:has-text("not due yet: next run at")`,
  );
  assert.deepEqual(await runs(), second, "no run before the schedule's next time");

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
