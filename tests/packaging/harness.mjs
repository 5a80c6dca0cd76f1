// What the packaging tests share: the package packed once per test file as npm would publish
// it (`npm pack` of pkg/), and fresh throw-away projects that install that tarball. The
// tarball has no dependencies, so installing it needs no registry; the tools the projects
// run (tsc, Vite, Chromium's driver) are the pinned copies in tests/ and www/.
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after } from "node:test";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const TSC = join(ROOT, "tests/node_modules/typescript/bin/tsc");

const scratch = mkdtempSync(join(tmpdir(), "usersync-packaging-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

let tarball;
/** The path of `usersync-<version>.tgz`, packed from pkg/ on first use. */
export function packed() {
  if (!tarball) {
    const out = execFileSync(
      "npm",
      ["pack", "--json", "--ignore-scripts", "--pack-destination", scratch, join(ROOT, "pkg")],
      { encoding: "utf8" },
    );
    tarball = join(scratch, JSON.parse(out)[0].filename);
  }
  return tarball;
}

/**
 * A fresh project named `name` with `files` (path -> text; a package.json among them or a
 * default one), the tarball installed into it. Returns its folder.
 */
export function project(name, files) {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  const all = {
    "package.json": JSON.stringify({ name, private: true, version: "0.0.0" }),
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  execFileSync(
    "npm",
    ["install", "--no-audit", "--no-fund", "--offline", "--loglevel=error", packed()],
    { cwd: dir, stdio: ["ignore", "ignore", "inherit"] },
  );
  return dir;
}

/** Runs `node file` in `dir`; returns its stdout. */
export function node(dir, file) {
  return execFileSync(process.execPath, [file], { cwd: dir, encoding: "utf8" });
}
