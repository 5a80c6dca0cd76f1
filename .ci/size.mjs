#!/usr/bin/env node
// Where the bytes of a wasm module go: per section, per crate and per function, read from the
// module's own name section (so it needs a build that keeps names: `make size` makes one).
// No dependency: the wasm binary format is small enough to walk here.
//
//   node .ci/size.mjs <file.wasm> [--top N]
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--"));
const topIndex = args.indexOf("--top");
const top = topIndex >= 0 ? Number(args[topIndex + 1]) : 40;
if (!file) {
  console.error("usage: node .ci/size.mjs <file.wasm> [--top N]");
  process.exit(2);
}
const bytes = readFileSync(file);

let pos = 8; // magic + version
function uleb() {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++];
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return result;
    shift += 7;
  }
}
function name() {
  const len = uleb();
  const s = bytes.toString("utf8", pos, pos + len);
  pos += len;
  return s;
}

const sectionNames = [
  "custom",
  "type",
  "import",
  "function",
  "table",
  "memory",
  "global",
  "export",
  "start",
  "element",
  "code",
  "data",
  "data count",
  "tag",
];
const sections = new Map();
const sectionGzip = new Map(); // each section compressed alone: roughly its share of the gzip
let importedFuncs = 0;
const bodies = []; // [local function index, size]
const names = new Map();
let dataSegments = 0;

while (pos < bytes.length) {
  const id = bytes[pos++];
  const size = uleb();
  const start = pos;
  const end = pos + size;
  let label = sectionNames[id] ?? `unknown ${id}`;
  if (id === 0) {
    label = `custom "${name()}"`;
    if (label === 'custom "name"') {
      while (pos < end) {
        const sub = bytes[pos++];
        const subSize = uleb();
        const subEnd = pos + subSize;
        if (sub === 1) {
          const count = uleb();
          for (let i = 0; i < count; i++) {
            const index = uleb();
            names.set(index, name());
          }
        }
        pos = subEnd;
      }
    }
  } else if (id === 2) {
    const count = uleb();
    for (let i = 0; i < count; i++) {
      name();
      name();
      const kind = bytes[pos++];
      if (kind === 0) {
        importedFuncs++;
        uleb();
      } else if (kind === 1) {
        pos++;
        const flags = uleb();
        uleb();
        if (flags & 1) uleb();
      } else if (kind === 2) {
        const flags = uleb();
        uleb();
        if (flags & 1) uleb();
      } else if (kind === 3) {
        pos += 2;
      } else {
        uleb();
        uleb();
      }
    }
  } else if (id === 10) {
    const count = uleb();
    for (let i = 0; i < count; i++) {
      const bodySize = uleb();
      bodies.push([i, bodySize]);
      pos += bodySize;
    }
  } else if (id === 11) {
    dataSegments = uleb();
  }
  sections.set(label, (sections.get(label) ?? 0) + (end - start));
  sectionGzip.set(
    label,
    (sectionGzip.get(label) ?? 0) + gzipSync(bytes.subarray(start, end), { level: 9 }).length,
  );
  pos = end;
}

// Rust's legacy mangling (`_ZN` + length-prefixed segments + `17h<hash>E`), decoded so the
// names read as paths; anything else is left as it is.
const escapes = {
  SP: "@",
  BP: "*",
  RF: "&",
  LT: "<",
  GT: ">",
  LP: "(",
  RP: ")",
  C: ",",
};
function demangle(sym) {
  const m = /^_ZN(.*)E$/.exec(sym);
  if (!m) return sym;
  const parts = [];
  let rest = m[1];
  while (rest.length > 0) {
    const len = /^(\d+)/.exec(rest);
    if (!len) return sym;
    const n = Number(len[1]);
    parts.push(rest.slice(len[1].length, len[1].length + n));
    rest = rest.slice(len[1].length + n);
  }
  if (parts.length > 1 && /^h[0-9a-f]{16}$/.test(parts[parts.length - 1])) parts.pop();
  return parts
    .map((p) =>
      p
        .replace(/^_\$/, "$")
        .replace(/\$([A-Z]+)\$/g, (all, e) => escapes[e] ?? all)
        .replace(/\$u([0-9a-f]+)\$/g, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
        .replace(/\.\./g, "::"),
    )
    .join("::");
}

// The crate a function belongs to: the first path segment of its (demangled) name; for a
// trait impl `<T as Trait>::f`, the type's crate (that is whose code was monomorphised),
// unless T is the standard library's.
function crateOf(fn) {
  const s = fn.replace(/^(<|&|mut |dyn |\[|\()+/, "");
  const m = /^([A-Za-z_][A-Za-z0-9_]*)::/.exec(s);
  // `<core::marker::PhantomData<T> as serde::de::DeserializeSeed>` is serde's code for T:
  // when the type is the standard library's, the trait's crate is the better answer.
  const std = new Set(["core", "alloc", "std"]);
  const tr = / as &?(?:mut )?(?:dyn )?([A-Za-z_][A-Za-z0-9_]*)::[^<>]*>::/.exec(fn);
  if (m && std.has(m[1]) && tr && !std.has(tr[1])) return tr[1];
  if (m) return m[1];
  // wasm-bindgen's wrappers around each export; LTO inlines the export's body into them.
  if (/ shim$/.test(s)) return "(export shims: the bound functions' bodies)";
  return "(other)";
}

const kb = (n) => `${(n / 1024).toFixed(1).padStart(8)} KB`;
const total = bytes.length;
const pct = (n) => `${((100 * n) / total).toFixed(1).padStart(5)}%`;

console.log(`${file}: ${total} bytes raw, ${gzipSync(bytes, { level: 9 }).length} bytes gzip`);
console.log("\nsections (raw, and gzip of the section alone)");
for (const [label, size] of [...sections].sort((a, b) => b[1] - a[1])) {
  console.log(
    `  ${kb(size)} ${pct(size)} ${kb(sectionGzip.get(label))} gz  ${label}${label === "data" ? ` (${dataSegments} segments: string literals, tables, embedded data)` : ""}`,
  );
}

const perCrate = new Map();
const perFn = [];
for (const [i, size] of bodies) {
  // wasm-bindgen writes names demangled but keeps the hash and the crate disambiguators.
  const fn = demangle(names.get(importedFuncs + i) ?? `func[${importedFuncs + i}]`)
    .replace(/::h[0-9a-f]{16}$/, "")
    .replace(/\[[0-9a-f]{16}\]/g, "");
  perFn.push([fn, size]);
  const c = crateOf(fn);
  const entry = perCrate.get(c) ?? [0, 0];
  perCrate.set(c, [entry[0] + size, entry[1] + 1]);
}
if (names.size === 0) {
  console.log(
    "\n(no name section: per-crate and per-function figures need a build with names; `make size`)",
  );
  process.exit(0);
}
console.log("\ncode per crate (function bodies)");
for (const [c, [size, count]] of [...perCrate].sort((a, b) => b[1][0] - a[1][0]).slice(0, top)) {
  console.log(`  ${kb(size)} ${pct(size)}  ${c} (${count} functions)`);
}
console.log(`\nlargest ${top} functions`);
for (const [fn, size] of perFn.sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`  ${kb(size)} ${pct(size)}  ${fn.length > 140 ? `${fn.slice(0, 137)}...` : fn}`);
}
