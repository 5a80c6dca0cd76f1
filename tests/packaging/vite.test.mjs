// The tarball in a Vite production build, as a web app ships it: both entry points imported,
// each wasm emitted as an asset, the built page served over HTTP and opened in headless
// Chromium, where it calls the engine and the identity module.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { extname, join, normalize } from "node:path";
import { ROOT, project } from "./harness.mjs";
import { CALLS, EXPECTED } from "./consumer.mjs";

// The page's pinned tools (www/package.json), installed by the set-up.
const www = createRequire(join(ROOT, "www/package.json"));
const VITE = join(ROOT, "www/node_modules/vite/bin/vite.js");
// Debian's Chromium with the flags the admin page's e2e tests use (tests/e2e/harness.mjs).
const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };

function serve(dir) {
  const server = createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url, "http://x").pathname)));
    const file = path.endsWith("/") ? join(path, "index.html") : path;
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

test("a Vite production build runs the engine and the identity module in Chromium", async () => {
  const dir = project("vite-app", {
    "package.json": JSON.stringify({ name: "vite-app", private: true, type: "module" }),
    "vite.config.js": `export default { base: "./", logLevel: "error", build: { target: "es2022" } };`,
    "index.html": `<!doctype html><html><body><script type="module" src="./main.js"></script></body></html>`,
    "main.js": `import init, { Engine, emailKey, version } from "usersync";
import initIdentity, * as identity from "usersync/identity";
try {
  await Promise.all([init(), initIdentity()]);
  ${CALLS}
  document.body.dataset.result = JSON.stringify(result);
} catch (e) {
  document.body.dataset.result = JSON.stringify({ error: String(e && e.stack || e) });
}`,
  });
  execFileSync(process.execPath, [VITE, "build"], {
    cwd: dir,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const assets = readdirSync(join(dir, "dist/assets"));
  assert.equal(assets.filter((f) => f.endsWith(".wasm")).length, 2, `two wasm assets: ${assets}`);

  const server = await serve(join(dir, "dist"));
  const { chromium } = www("playwright-core");
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForSelector("body[data-result]", { state: "attached", timeout: 60_000 });
    const result = JSON.parse(await page.evaluate(() => document.body.dataset.result));
    assert.deepEqual(errors, []);
    const { version, ...rest } = result;
    assert.equal(typeof version, "string", JSON.stringify(result));
    assert.deepEqual(rest, EXPECTED);
  } finally {
    await browser.close();
    server.close();
  }
});
