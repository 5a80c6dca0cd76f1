#!/usr/bin/env node
// Post-processes the .d.ts files wasm-bindgen writes, in place, so the published types read
// as TypeScript:
//  - Rust doc-link syntax is plain code: [`x`] and [`x`](path) become `x` (the doc comments
//    are written once, in Rust, where the brackets make links);
//  - wasm-bindgen types the raw exports of `InitOutput` with externrefs as `any`; `unknown`
//    is the honest type and keeps the published types free of `any`.
// Works on whatever comments the code carries, so new doc comments need no change here.
import { readFileSync, writeFileSync } from "node:fs";

export function cleanDts(text) {
  let out = text
    .replace(/\[(`[^`\]\n]+`)\]\([^)\s]*\)/g, "$1")
    .replace(/\[(`[^`\]\n]+`)\](?!\()/g, "$1");
  out = out.replace(/^export interface InitOutput \{[\s\S]*?^\}/m, (block) =>
    block.replace(/\bany\b/g, "unknown"),
  );
  return out;
}

// Doc lines that cite a document the package does not ship (a product spec, an issue
// number, a folder outside the repository): a reader of the types cannot follow them, so the
// build stops and names them. The fix is in the Rust doc comment: say the rule, or name the
// docs/ page that holds it.
export const OUTSIDE = /\bSPEC\b|\b[Ii]ssues? #?\d+|\.\.\/shared\b/;

export function outsideCitations(text) {
  return text
    .split("\n")
    .map((line, i) => ({ line: i + 1, text: line.trim() }))
    .filter((l) => OUTSIDE.test(l.text));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let failed = false;
  for (const file of process.argv.slice(2)) {
    const before = readFileSync(file, "utf8");
    const after = cleanDts(before);
    if (after !== before) writeFileSync(file, after);
    const cites = outsideCitations(after);
    if (cites.length > 0) {
      failed = true;
      console.error(
        `[build] ${file}: ${cites.length} doc lines cite documents outside the repository:${cites
          .map((c) => `\n  ${c.line}: ${c.text}`)
          .join("")}`,
      );
    }
  }
  if (failed) process.exit(1);
}
