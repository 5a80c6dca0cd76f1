// Deterministic generator of N x N directories for the bulk benchmark:
//   node tests/bench/gen.mjs N OUT_DIR [csv|ndjson]
//     csv:    OUT_DIR/cxone-N.csv, OUT_DIR/external-N.json (a CSV export and a JSON array)
//     ndjson: OUT_DIR/cxone-N.ndjson, OUT_DIR/external-N.ndjson (the same records, one a line)
// The same N always gives the same bytes (a seeded PRNG, no Math.random). About 80% of
// addresses are on both sides, about 10% differ only in case, some carry surrounding spaces,
// about 1% of external addresses are duplicated, and some are invalid. CXone users come as a
// CSV export, external accounts as a RingCentral-style JSON array.
import { createWriteStream, existsSync, mkdirSync, renameSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";

const FIRST = [
  "ann",
  "bob",
  "carl",
  "dana",
  "eve",
  "femi",
  "gus",
  "hana",
  "ivan",
  "jo",
  "kim",
  "lena",
  "mo",
  "nia",
  "omar",
  "pia",
];
const LAST = [
  "lee",
  "stone",
  "ng",
  "ruiz",
  "park",
  "okafor",
  "berg",
  "sato",
  "petrov",
  "diaz",
  "moreau",
  "kowalski",
];
const DOMAINS = ["example.com", "corp.example.net", "contact-center.example.org"];

// mulberry32: small, fast, and the same on every machine.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function person(i) {
  const first = FIRST[i % FIRST.length];
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
  return { first, last, email: `${first}.${last}${i}@${DOMAINS[i % DOMAINS.length]}` };
}

function shout(email, r) {
  return [...email].map((c) => (r() < 0.3 ? c.toUpperCase() : c)).join("");
}

// Written under a temporary name and renamed at the end, so a file under the real name is
// always whole.
async function writeLines(path, lines) {
  const out = createWriteStream(`${path}.part`);
  let chunk = [];
  for (const line of lines) {
    chunk.push(line);
    if (chunk.length === 10000) {
      if (!out.write(chunk.join(""))) await once(out, "drain");
      chunk = [];
    }
  }
  out.write(chunk.join(""));
  out.end();
  await once(out, "finish");
  renameSync(`${path}.part`, path);
}

function* cxone(n, ndjson = false) {
  const r = rng(1);
  if (!ndjson) yield "id,email,firstName,lastName,userName,active,permissions,teamId,updatedAt\n";
  for (let i = 0; i < n; i++) {
    const p = person(i);
    let email = p.email;
    const x = r();
    if (x < 0.1) email = shout(email, r);
    else if (x < 0.13) email = `  ${email} `;
    else if (x < 0.135) email = email.replace("@", "");
    else if (x < 0.137) email = email.replace(".", "..");
    const perm = r() < 0.97 ? "UserMapping.Map;Admin.View" : "Admin.View";
    const active = r() < 0.98 ? "true" : "false";
    const id = `u-${String(i).padStart(8, "0")}`;
    if (ndjson) {
      yield `${JSON.stringify({ id, email, firstName: p.first, lastName: p.last, userName: `${p.first}${i}`, active: active === "true", permissions: perm.split(";"), teamId: `team-${i % 50}`, updatedAt: "2026-11-01T08:00:00Z" })}\n`;
    } else {
      yield `${id},${email},${p.first},${p.last},${p.first}${i},${active},${perm},team-${i % 50},2026-11-01T08:00:00Z\n`;
    }
  }
}

function* external(n, ndjson = false) {
  const r = rng(2);
  if (!ndjson) yield "[\n";
  const dups = Math.floor(n / 100);
  for (let j = 0; j < n; j++) {
    // 80% of accounts belong to a CXone user (in another order), the rest to nobody there.
    const i = j < n * 0.8 ? (j * 7919) % Math.floor(n * 0.8) : n + j;
    const p = person(j < n - dups ? i : (j * 31) % n);
    let email = p.email;
    const x = r();
    if (x < 0.1) email = shout(email, r);
    else if (x < 0.12) email = ` ${email}`;
    else if (x < 0.123) email = email.replace("@", "@@");
    const rec = {
      id: String(40000000 + j),
      email,
      firstName: p.first,
      lastName: p.last,
      displayName: `${p.first} ${p.last}`,
      active: r() < 0.99,
    };
    yield ndjson ? `${JSON.stringify(rec)}\n` : `  ${JSON.stringify(rec)}${j + 1 < n ? "," : ""}\n`;
  }
  if (!ndjson) yield "]\n";
}

/** Writes the N x N pair (`shape` "csv": CSV + JSON array; "ndjson": NDJSON both) unless
 * it is there already, and returns the paths. */
export async function generate(n, dir, shape = "csv") {
  mkdirSync(dir, { recursive: true });
  const nd = shape === "ndjson";
  const source = join(dir, nd ? `cxone-${n}.ndjson` : `cxone-${n}.csv`);
  const ext = join(dir, nd ? `external-${n}.ndjson` : `external-${n}.json`);
  // The generator is deterministic, so files already there are these same bytes.
  if (!existsSync(source)) await writeLines(source, cxone(n, nd));
  if (!existsSync(ext)) await writeLines(ext, external(n, nd));
  return { source, external: ext };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 100000);
  const dir = process.argv[3] ?? "tests/output/bench";
  const { source, external: ext } = await generate(n, dir, process.argv[4] ?? "csv");
  console.log(source, ext);
}
