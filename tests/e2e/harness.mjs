// What the e2e files share: the admin page (www/dist) served with fresh local API servers,
// Debian's Chromium driven by playwright-core in a fresh profile, and the page's selectors.
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(new URL("../../www/package.json", import.meta.url));
const { chromium } = require("playwright-core");
export const { startAdmin } = await import("../../www/serve.mjs");

export const SHOTS = fileURLToPath(new URL("../output/screenshots/", import.meta.url));
mkdirSync(SHOTS, { recursive: true });
const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

/** A selector by `data-testid`. */
export const tid = (id) => `[data-testid="${id}"]`;

/** Resolves once the page has loaded its business unit (`body[data-ready="true"]`). */
export const ready = (page) =>
  page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });

/** Resolves once the page says its state is saved (IndexedDB). */
export const saved = (page) =>
  page.waitForSelector(`${tid("save-status")}:text("State saved")`, { timeout: 30_000 });

/**
 * Serves the page (`users` CXone users in the main unit, `secondUsers` in the second), opens
 * it in a fresh browser profile and waits until it is ready. Page errors and the texts of
 * `alert`/`confirm` dialogs (dismissed) are collected.
 */
export async function openAdmin({ users = 1000, secondUsers } = {}) {
  const admin = await startAdmin({ users, ...(secondUsers === undefined ? {} : { secondUsers }) });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  const context = await browser.newContext({
    viewport: { width: 1400, height: 900 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const pageErrors = [];
  const alerts = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("dialog", (d) => {
    alerts.push(d.message());
    void d.dismiss();
  });
  await page.goto(admin.url);
  await ready(page);
  const close = async () => {
    await browser.close();
    await admin.close();
  };
  return { admin, browser, page, pageErrors, alerts, close };
}
