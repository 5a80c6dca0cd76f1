// The READMEs' code blocks against the built package, so an example that drifts from the API
// fails here. Every ```js / ```ts fence says what happens to it in its info string:
//   ```js run           executed in Node as an ES module, in a folder holding the sample files
//                       under the names the examples use; `expr; // => value` lines assert
//                       that expr deep-equals value
//   ```ts check         type-checked with `tsc --strict` against the package's published types
//                       (bundler resolution: the web build); names the snippet takes as given
//                       are declared in an HTML comment right above the fence:
//                       <!-- declare: const token: string; let n: number -->
//   ```js skip: why     not run; the reason is required
// A js/ts fence with none of these fails the test, so no example is left out by accident.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const READMES = ["README.md", "pkg-template/README.md"];
// The file names the examples read, and the samples they stand for.
const SAMPLES = {
  "cxone.ndjson": "cxone-users.ndjson",
  "cxone.csv": "cxone-users.csv",
  "rc.json": "ringcentral-directory.json",
  "ringcentral.json": "ringcentral-directory.json",
  "refetched.json": "ringcentral-refetch.json",
};

/** The js/ts fences of a markdown text: { lang, mode, reason, declare, code, line }. */
export function blocks(markdown) {
  const out = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(js|ts|javascript|typescript)\b\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body = [];
    for (i++; i < lines.length && !lines[i].startsWith("```"); i++) body.push(lines[i]);
    const info = open[2].trim();
    const mode = /^(run|check|skip)\b/.exec(info)?.[1];
    const reason = mode === "skip" ? info.replace(/^skip:?\s*/, "") : undefined;
    const declare = /^<!-- declare:([\s\S]*?)-->$/
      .exec(lines[start - 1]?.trim() ?? "")?.[1]
      ?.trim();
    out.push({ lang: open[1], mode, reason, declare, code: body.join("\n"), line: start + 1 });
  }
  return out;
}

/** `expr; // => value` becomes an assertion; other lines pass through. */
function withAssertions(code) {
  return code
    .split("\n")
    .map((line) => {
      const m = /^(\s*)(.+?);?\s*\/\/ => (.+)$/.exec(line);
      return m
        ? `${m[1]}__assert.deepStrictEqual(${m[2]}, ${m[3]}, ${JSON.stringify(m[2])});`
        : line;
    })
    .join("\n");
}

const scratch = mkdtempSync(join(tmpdir(), "usersync-readme-"));
// `usersync` resolves to the built package through its exports map, as for a user.
mkdirSync(join(scratch, "node_modules"));
symlinkSync(join(ROOT, "pkg"), join(scratch, "node_modules", "usersync"), "dir");
writeFileSync(join(scratch, "package.json"), JSON.stringify({ type: "module" }));
for (const [name, sample] of Object.entries(SAMPLES)) {
  copyFileSync(join(ROOT, "tests/fixtures", sample), join(scratch, name));
}
test.after(() => rmSync(scratch, { recursive: true, force: true }));

const all = READMES.flatMap((file) =>
  blocks(readFileSync(join(ROOT, file), "utf8")).map((b) => ({ ...b, file })),
);

test("every js/ts block of the READMEs says whether it runs, is checked or is skipped (and why)", () => {
  const unmarked = all.filter((b) => !b.mode || (b.mode === "skip" && !b.reason));
  assert.deepEqual(
    unmarked.map((b) => `${b.file}:${b.line}`),
    [],
  );
  assert.ok(
    all.some((b) => b.mode === "run"),
    "at least one block runs",
  );
});

for (const b of all.filter((b) => b.mode === "run")) {
  test(`${b.file}:${b.line} runs in Node`, () => {
    const file = join(scratch, `block-${b.file.replace(/\W/g, "_")}-${b.line}.mjs`);
    writeFileSync(file, `import __assert from "node:assert/strict";\n${withAssertions(b.code)}\n`);
    execFileSync(process.execPath, [file], { cwd: scratch, encoding: "utf8", stdio: "pipe" });
  });
}

const checked = all.filter((b) => b.mode === "check");
if (checked.length > 0) {
  test("the READMEs' TypeScript blocks type-check against the published types", () => {
    const files = checked.map((b) => {
      const name = `check-${b.file.replace(/\W/g, "_")}-${b.line}.ts`;
      // Each block is a module of its own (the export), so their names do not collide.
      const declared = (b.declare ?? "")
        .split(";")
        .filter((d) => d.trim())
        .map((d) => `declare ${d.trim()};\n`)
        .join("");
      writeFileSync(join(scratch, name), `${declared}${b.code}\nexport {};\n`);
      return name;
    });
    writeFileSync(
      join(scratch, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: "es2022",
          module: "esnext",
          moduleResolution: "bundler",
          lib: ["es2022", "dom", "esnext.disposable"],
          types: [],
        },
        files,
      }),
    );
    const tsc = join(ROOT, "tests/node_modules/typescript/bin/tsc");
    try {
      execFileSync(process.execPath, [tsc, "-p", "tsconfig.json"], {
        cwd: scratch,
        encoding: "utf8",
      });
    } catch (e) {
      assert.fail(`README TypeScript blocks do not compile:\n${e.stdout}`);
    }
  });
}
