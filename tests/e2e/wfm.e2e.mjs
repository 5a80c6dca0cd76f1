// End-to-end test of the WFM tab: a view-only actor cannot change anything; the Account
// Representative links ACD tenants (a refused second link shown), disabling asks for
// confirmation naming the MAX consequence; WFM sync then runs by itself (no run button),
// nothing counts as held until someone records WFM's confirmation, and the WFM log shows who
// changed what and why, kept across a reload.
//
//   make www && node --test tests/e2e/wfm.e2e.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { openAdmin, ready as readyOf, saved as savedOf, SHOTS, tid } from "./harness.mjs";

let session;
let page;

before(async () => {
  session = await openAdmin({ users: 300, secondUsers: 100 });
  page = session.page;
});

after(() => session?.close());

const ready = () => readyOf(page);
const saved = () => savedOf(page);
const actor = async (label) => {
  const value = await page.$$eval(
    `${tid("actor-select")} option`,
    (o, l) => o.find((x) => x.textContent.includes(l))?.value,
    label,
  );
  await page.selectOption(tid("actor-select"), value);
};

test("WFM: the Account Representative's controls, runs on their own, confirmation, log", async () => {
  await page.click('[data-tab="wfm"]');
  assert.equal(await page.$(tid("wfm-run")), null, "there is no manual run");

  await actor("view only");
  await page.waitForSelector(`${tid("wfm-denied")} .note-info`);
  assert.match(await page.textContent(tid("wfm-denied")), /lacks WFM\.UserSync\.Configure/);
  assert.equal(await page.isDisabled(tid("wfm-save-settings")), true);
  assert.equal(await page.isDisabled(tid("link-acd")), true);

  await actor("Account Representative");
  await page.waitForFunction(
    (sel) => document.querySelector(sel)?.textContent === "",
    tid("wfm-denied"),
  );
  // Without a reason: refused, said so.
  await page.fill(tid("link-wfm"), "wfm-1");
  await page.selectOption(tid("link-acd-tenant"), "4600001");
  await page.fill(tid("link-acd-id"), "na");
  await page.click(tid("link-acd"));
  await page.waitForSelector(`${tid("wfm-messages")} .note-error`);
  assert.match(await page.textContent(tid("wfm-messages")), /reason/);
  await page.fill(tid("wfm-reason"), "go-live of WFM");
  await page.click(tid("link-acd"));
  await page.waitForSelector(`${tid("wfm-topology")} [data-acd="na"]`);
  await page.fill(tid("wfm-reason"), "second unit");
  await page.selectOption(tid("link-acd-tenant"), "4600002");
  await page.fill(tid("link-acd-id"), "emea");
  await page.click(tid("link-acd"));
  await page.waitForSelector(`${tid("wfm-topology")} [data-acd="emea"]`);
  await page.fill(tid("wfm-reason"), "mistake");
  await page.fill(tid("link-wfm"), "wfm-2");
  await page.selectOption(tid("link-acd-tenant"), "4600001");
  await page.fill(tid("link-acd-id"), "again");
  await page.click(tid("link-acd"));
  await page.waitForSelector(`${tid("wfm-messages")} .note-error`);
  // A sentence for the admin; the code stays for machines, on the note.
  assert.match(
    await page.textContent(tid("wfm-messages")),
    /is already linked to WFM tenant wfm-1/,
  );
  assert.equal(
    await page.getAttribute(`${tid("wfm-messages")} .note-error`, "data-code"),
    "acd_tenant_already_linked",
  );

  // The run happens on its own: nothing held until WFM's confirmation is recorded.
  await page.waitForSelector(`${tid("wfm-scheduled")} .note-ok`, { timeout: 60_000 });
  assert.match(
    await page.textContent(tid("wfm-scheduled")),
    /WFM sync of wfm-1 ran: \d+ additions/,
  );
  await page.waitForSelector(tid("wfm-acknowledge"));
  assert.match(await page.textContent(tid("wfm-held")), /WFM holds 0 agents/);
  assert.match(await page.textContent(tid("wfm-delta")), /Additions \(\d+\)/);
  await page.click(tid("wfm-acknowledge"));
  await page.waitForFunction(
    (sel) => /WFM holds [1-9]/.test(document.querySelector(sel)?.textContent ?? ""),
    tid("wfm-held"),
  );
  assert.match(await page.textContent(tid("wfm-pending")), /Nothing waits/);

  // Disabling asks first, naming MAX; cancelling keeps it enabled.
  await page.uncheck(tid("wfm-enabled"));
  await page.fill(tid("wfm-reason"), "IEX maintenance tonight");
  await page.click(tid("wfm-save-settings"));
  await page.waitForSelector(tid("wfm-disable-dialog"));
  assert.match(await page.textContent(tid("wfm-disable-dialog")), /MAX/);
  await page.click(tid("wfm-disable-cancel"));
  await page.waitForFunction(
    (sel) => document.querySelector(sel)?.checked === true,
    tid("wfm-enabled"),
  );
  await page.uncheck(tid("wfm-enabled"));
  await page.click(tid("wfm-save-settings"));
  await page.click(tid("wfm-disable-confirm"));
  await page.waitForSelector(`${tid("wfm-warnings")} .note-warn`);
  assert.match(await page.textContent(tid("wfm-warnings")), /MAX/);
  assert.match(await page.textContent(tid("wfm-next-due")), /never/);

  const kinds = await page.$$eval(`${tid("wfm-log-table")} tr[data-kind]`, (r) =>
    r.map((x) => x.getAttribute("data-kind")),
  );
  // Newest first; the run may come between the two links (a link makes a run due at once).
  assert.deepEqual(kinds.slice(0, 2), ["settings_changed", "acknowledged"]);
  assert.deepEqual(kinds.slice(2).sort(), ["acd_linked", "acd_linked", "run"]);
  assert.match(
    await page.textContent(tid("wfm-log-table")),
    /rep@example\.com.*IEX maintenance tonight/s,
  );

  await page.waitForFunction(
    (sel) => /would be synced/.test(document.querySelector(sel)?.textContent ?? ""),
    tid("readiness-summary"),
  );
  assert.ok(
    (await page.$$eval(`${tid("readiness-table")} .missing`, (m) => m.length)) > 0,
    "some users miss a set-up step",
  );
  await page.screenshot({ path: `${SHOTS}wfm.png` });
  await saved();

  await page.reload();
  await ready();
  await page.click('[data-tab="wfm"]');
  await page.waitForSelector(`${tid("wfm-topology")} [data-acd="na"]`);
  assert.equal(
    await page.$$eval(`${tid("wfm-log-table")} tr[data-kind]`, (r) => r.length),
    5,
    "the log is kept",
  );
});
