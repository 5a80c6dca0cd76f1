#!/usr/bin/env node
// Puts a checking layer in front of the wasm-bindgen glue of both builds in pkg/.
//
// wasm-bindgen's glue trusts its TypeScript types: a number where a `&str` goes reads
// garbage, and a getter that throws while Rust holds `&mut self` leaves the instance borrowed
// for good. So the glue files are renamed `usersync_raw.*`, and the public file names get a
// module that checks every argument of every export against the published `.d.ts` and hands
// Rust plain data only. The table of parameters is read from the `.d.ts` with the TypeScript
// compiler, so an export added on the Rust side is covered by the next build.
//
// Usage: node .ci/guard.mjs [dir] [--name usersync]   (after wasm-bindgen; --print prints the table)
// `dir` holds node/ and web/ of one module (the package root for the engine, identity/ for
// the identity entry point); `--name` is the module's file name.
import { readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const args = process.argv.slice(2);
const print = args.includes("--print");
const nameAt = args.indexOf("--name");
const name = nameAt >= 0 ? args[nameAt + 1] : "usersync";
const pkg = resolve(
  args.find((a, i) => !a.startsWith("--") && i !== nameAt + 1) ?? join(root, "pkg"),
);

// typescript is a devDependency of tests/ (installed by .ci/setup), not of the package.
const ts = createRequire(join(root, "tests", "package.json"))("typescript");

/** Reads the exported functions and classes of a wasm-bindgen `.d.ts`. */
export function parameterTable(dtsPath) {
  const program = ts.createProgram([dtsPath], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(dtsPath);
  if (!source) throw new Error(`cannot read ${dtsPath}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  const classNames = new Set(
    checker
      .getExportsOfModule(moduleSymbol)
      .filter((s) => s.flags & ts.SymbolFlags.Class)
      .map((s) => s.name),
  );

  const kindsOf = (type) => {
    if (type.isUnion()) return [...new Set(type.types.flatMap(kindsOf))];
    const f = type.flags;
    if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return ["any"];
    if (f & ts.TypeFlags.StringLike) return ["string"];
    if (f & ts.TypeFlags.NumberLike) return ["number"];
    if (f & ts.TypeFlags.BigIntLike) return ["bigint"];
    if (f & ts.TypeFlags.BooleanLike) return ["boolean"];
    if (f & ts.TypeFlags.Null) return ["null"];
    if (f & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) return ["undefined"];
    const name = (type.aliasSymbol ?? type.getSymbol())?.name;
    if (checker.isArrayType(type) || checker.isTupleType(type)) return ["array"];
    if (name === "Uint8Array") return ["Uint8Array"];
    if (name === "AbortSignal") return ["AbortSignal"];
    if (name && classNames.has(name)) return [`class:${name}`];
    if (type.getCallSignatures().length > 0) return ["function"];
    if (f & ts.TypeFlags.Object || f & ts.TypeFlags.NonPrimitive || f & ts.TypeFlags.Intersection) {
      return ["object"];
    }
    return ["any"];
  };

  const signatureOf = (decl) => {
    const params = decl.parameters.map((p) => {
      const symbol = checker.getSymbolAtLocation(p.name);
      const type = checker.getTypeOfSymbolAtLocation(symbol, p);
      const optional = Boolean(p.questionToken || p.initializer || p.dotDotDotToken);
      const kinds = kindsOf(type);
      if (optional && !kinds.includes("undefined")) kinds.push("undefined");
      const entry = { name: p.name.getText(source), optional, kinds };
      // Lists of primitives (`string[]`) are converted by the glue itself, which throws a
      // plain Error on a wrong element: their element kinds are checked too.
      const members = type.isUnion() ? type.types : [type];
      const list = members.find((t) => checker.isArrayType(t));
      const items = list ? kindsOf(checker.getTypeArguments(list)[0]) : [];
      if (items.length && items.every((k) => ["string", "number", "boolean", "bigint"].includes(k)))
        entry.items = items;
      return entry;
    });
    const sig = checker.getSignatureFromDeclaration(decl);
    const ret = sig ? checker.getReturnTypeOfSignature(sig) : undefined;
    const returnName = ret?.getSymbol()?.name;
    const predicate = Boolean(decl.type && ts.isTypePredicateNode(decl.type));
    return { params, async: returnName === "Promise", predicate };
  };

  const table = { functions: {}, classes: {} };
  for (const statement of source.statements) {
    const exported = statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported || statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword))
      continue;
    if (ts.isFunctionDeclaration(statement) && statement.name) {
      // Overloads are not emitted by wasm-bindgen; the first declaration is the signature.
      table.functions[statement.name.text] ??= signatureOf(statement);
    } else if (ts.isClassDeclaration(statement) && statement.name) {
      const entry = { ctor: null, statics: {}, methods: {}, setters: {} };
      for (const member of statement.members) {
        const isStatic = member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
        if (ts.isConstructorDeclaration(member)) entry.ctor = signatureOf(member);
        else if (ts.isMethodDeclaration(member) && ts.isIdentifier(member.name)) {
          const name = member.name.text;
          if (name === "free") continue;
          (isStatic ? entry.statics : entry.methods)[name] = signatureOf(member);
        } else if (
          ts.isSetAccessorDeclaration(member) &&
          ts.isIdentifier(member.name) &&
          !isStatic
        ) {
          entry.setters[member.name.text] = signatureOf(member);
        }
      }
      table.classes[statement.name.text] = entry;
    }
  }
  return table;
}

function generate(table, runtime) {
  const names = [...Object.keys(table.classes), ...Object.keys(table.functions)];
  const body = `${runtime}\nconst TABLE = ${JSON.stringify(table)};\n`;
  const cjs =
    `"use strict";\n// Generated by .ci/guard.mjs: the checked face of ${name}_raw.cjs (see there).\n` +
    `const raw = require("./${name}_raw.cjs");\n${body}` +
    `const guarded = guardExports(raw, TABLE);\n` +
    names.map((n) => `exports.${n} = guarded.${n};`).join("\n") +
    "\n";
  const esm =
    `/* @ts-self-types="./${name}.d.ts" */\n// Generated by .ci/guard.mjs: the checked face of ${name}_raw.js (see there).\n` +
    `import * as raw from "./${name}_raw.js";\n${body}` +
    `const guarded = guardExports(raw, TABLE);\n` +
    names.map((n) => `export const ${n} = guarded.${n};`).join("\n") +
    `\nexport const initSync = raw.initSync;\nexport default raw.default;\n`;
  return { cjs, esm };
}

const main = process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
const table = main ? parameterTable(join(pkg, "node", `${name}.d.cts`)) : null;
if (!main) {
  // imported (the sweep test reads the same table)
} else if (print) {
  process.stdout.write(JSON.stringify(table, null, 2) + "\n");
} else {
  const runtime = readFileSync(join(here, "guard-runtime.js"), "utf8");
  const { cjs, esm } = generate(table, runtime);
  const nodeRaw = join(pkg, "node", `${name}_raw.cjs`);
  const webRaw = join(pkg, "web", `${name}_raw.js`);
  if (existsSync(nodeRaw) || existsSync(webRaw)) throw new Error(`${pkg} is already guarded`);
  renameSync(join(pkg, "node", `${name}.cjs`), nodeRaw);
  renameSync(join(pkg, "web", `${name}.js`), webRaw);
  const webGlue = readFileSync(webRaw, "utf8").replace(`/* @ts-self-types="./${name}.d.ts" */`, "");
  writeFileSync(webRaw, webGlue);
  writeFileSync(join(pkg, "node", `${name}.cjs`), cjs);
  writeFileSync(join(pkg, "web", `${name}.js`), esm);
  const count = names(table);
  process.stderr.write(
    `[guard] ${name}: ${count.calls} entry points, ${count.params} parameters checked\n`,
  );
}

function names(t) {
  let calls = 0;
  let params = 0;
  const add = (sig) => {
    if (!sig) return;
    calls++;
    params += sig.params.length;
  };
  Object.values(t.functions).forEach(add);
  for (const c of Object.values(t.classes)) {
    add(c.ctor);
    Object.values(c.statics).forEach(add);
    Object.values(c.methods).forEach(add);
    Object.values(c.setters).forEach(add);
  }
  return { calls, params };
}
