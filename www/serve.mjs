#!/usr/bin/env node
// Serves the built admin page (www/dist) on 127.0.0.1 together with the local API server
// (one per business unit), and writes the page's config.json pointing at them.
//
//   node www/serve.mjs [--users 1000] [--port 4173]
//
// Prints the page URL. Ctrl-C (SIGINT) or SIGTERM closes every server it started.
// The e2e test imports `startAdmin` and does the same in-process.

import http from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../tests/server/api-server.mjs";

const DIST = fileURLToPath(new URL("./dist/", import.meta.url));
const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm", ".json": "application/json; charset=utf-8", ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml", ".ico": "image/x-icon",
};

/**
 * Starts the API servers and the page server. `users`: CXone agents (and RingCentral users)
 * of the main business unit, which also carries the admin scenario's cases; the second
 * unit is small. Returns `{ url, units, close }`.
 */
export async function startAdmin({ users = 1000, port = 0, secondUsers = 150 } = {}) {
  await stat(join(DIST, "index.html")).catch(() => {
    throw new Error("www/dist is missing: build the page first (make www)");
  });
  const main = await startServer({ users, seed: 1, scenario: true });
  const second = await startServer({ users: secondUsers, seed: 2 });
  const unit = (id, name, api) => ({
    businessUnitId: id, name, platform: "ringcentral",
    cxone: { baseUrl: api.url, token: api.token }, ringcentral: { baseUrl: api.url, token: api.token },
    samplesUrl: api.url,
  });
  const config = JSON.stringify({ businessUnits: [unit("4600001", "North America", main), unit("4600002", "EMEA", second)] });

  const server = http.createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
      if (path === "/config.json") {
        res.writeHead(200, { "content-type": TYPES[".json"], "cache-control": "no-store" });
        return res.end(config);
      }
      const file = normalize(join(DIST, path === "/" ? "index.html" : path));
      if (!file.startsWith(DIST.endsWith(sep) ? DIST : DIST + sep)) { res.writeHead(403); return res.end(); }
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "x-content-type-options": "nosniff" });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise((resolve, reject) => { server.once("error", reject); server.listen(port, "127.0.0.1", resolve); });
  const url = `http://127.0.0.1:${server.address().port}/`;
  let closing;
  const close = () => (closing ??= Promise.all([
    new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
    main.close(), second.close(),
  ]).then(() => undefined));
  return { url, apis: [main, second], close };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : dflt;
  };
  const admin = await startAdmin({ users: arg("users", 1000), port: arg("port", 4173) });
  console.log(`usersync admin page: ${admin.url}`);
  console.error(`[serve] API servers ${admin.apis.map((a) => a.url).join(", ")}; Ctrl-C stops everything`);
  const stop = (signal) => {
    console.error(`[serve] ${signal}: closing`);
    admin.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
