#!/usr/bin/env node
// A local stand-in for the RingCentral and CXone directory APIs: the real paths, paging
// shapes and error bodies, over generated directories of any size, with switches to inject
// failures. Node's http only, bound to 127.0.0.1: no service outside the machine is used.
//
//   node tests/server/api-server.mjs --users 5000 --port 0 [--seed 1] [--token T]
//
// prints its base URL on stdout (the one line) and keeps serving. In tests:
//
//   const api = await startServer({ users: 300 });
//   api.setFault({ status: 500, page: 2, times: 1 });
//   ... fetch from api.url with api.token ...
//   await api.close();
//
// The answers follow the vendors' published shapes, extra fields included (see
// vendor-shapes.mjs): RingCentral's records, paging, navigation, X-Rate-Limit-* headers and
// error bodies; CXone's totalRecords, _links with absolute URLs, 204 for an empty page and
// {error, error_description} bodies.
//
// Fault switches (startServer({ faults }), setFault(f), or POST /__faults with JSON f):
//   status: 401 | 403 | 429 | 500 | 503 | ...  answer with this status and the vendor's body
//     page: K          only on page K (1-based; CXone pages are skip / top + 1), else every page
//     times: M         only for the first M matching requests, then answer normally
//     retryAfter: N    with 429 or 503: the Retry-After header, in seconds (none if unset)
//     retryAfterDate: true   send it as an HTTP date instead (against the server's Date)
//   delayMs: D         delay every answer by D ms (slow responses)
//   malformedPage: K   page K is cut-off JSON (status 200)
//   wrongShapePage: K  page K is valid JSON of the wrong shape (status 200)
//   truncatedPage: K   page K's body is cut off mid-way and the connection dropped (`times`
//                      applies: with times 1 the retry gets the whole page)
//   api: "ringcentral" | "cxone"   apply the faults to one API only
//   rcHiddenPercent: P  RingCentral listings leave out P% of the users, also when queried by
//                    email (a directory that lost accounts: Auto Sync's unmap guard trips)
// Behaviour switches (as startServer options, or as faults to switch them for a while):
//   rcMaxPerPage: N / cxMaxTop: N   the server's own page-size cap (CXone: one client says 100)
//   endAfter: N        the listing stops after N entries while its totals count them all
//                      (RingCentral: totalPages covers N, totalElements all; CXone: 204)
//   cxNextHost: H      CXone's _links.next names host H (another "cluster host"), same port
//   cxIntFlags: true   CXone flags (isActive, ...) as 0/1, as one published schema types them
//   ignoreTypeFilter: true  RingCentral ignores `type` and lists every extension
// Data switches (startServer options): int64Ids (RingCentral ids above 2^53, sent as exact
// JSON numbers), allTypes (one extension of every RingCentral type, sharing people's
// emails), rateLimit: { limit, window, penalty } (RingCentral's counter; default 1000 a
// minute so demos never wait; 40 is the real Medium group). The rate limiter's clock moves
// with `advance(ms)` (a test's sleep hook), so its penalties pass at once.
// Other admin endpoints: GET /__faults, POST /__reset (faults and stats), GET /__stats
// (every request: api, page, status), GET /__sample/profile-permissions, GET
// /__sample/wfm-setup (team features and ACD profiles, which the agent list lacks).
//
// `scenario: true` (CLI --scenario) appends the admin page's cases to the generated
// directories: a name that is HTML, a name that is a spreadsheet formula, CXone emails
// differing only in case, one email on two RingCentral accounts, an invalid and a
// confusable email, a person whose RingCentral name and email differ (found by name
// search), and "late" RingCentral accounts that only an email query returns (the Auto Sync
// retry maps them).

import http from "node:http";
import { createIexHandler } from "./iex-server.mjs";
import { fileURLToPath } from "node:url";
import {
  RC_EXTENSION_TYPES,
  cxoneError,
  jsonWithInt64,
  rateLimiter,
  ringcentralError,
} from "./vendor-shapes.mjs";

export const DEFAULT_TOKEN = "local-dev-token-4c1d7e";

/** Security profiles of the generated CXone agents; profile 1005 is deliberately absent. */
export const SAMPLE_PROFILE_PERMISSIONS = [
  {
    profileId: "1001",
    permissions: ["UserMapping.Map", "Agent.View", "WFM.MyZone.ViewPersonalSchedule"],
  },
  { profileId: "1002", permissions: ["UserMapping.Map", "Supervisor.View"] },
  {
    profileId: "1003",
    permissions: ["UserMapping.Map", "Admin.Edit", "WFM.MyZone.ViewPersonalSchedule"],
  },
  { profileId: "1004", permissions: ["Agent.View"] },
];

const FIRST = [
  "Ann",
  "Bob",
  "Carl",
  "Dana",
  "Eve",
  "Femi",
  "Gus",
  "Hana",
  "Ivy",
  "Jon",
  "Kim",
  "Lars",
  "Mia",
  "Noor",
  "Omar",
  "Pat",
  "Quinn",
  "Rosa",
  "Sam",
  "Tao",
  "Uma",
  "Vik",
  "Wen",
  "Xena",
  "Yusuf",
  "Zoe",
];
const LAST = [
  "Lee",
  "Stone",
  "Ng",
  "Ruiz",
  "Park",
  "Okafor",
  "Berg",
  "Sato",
  "Roth",
  "Diaz",
  "Oh",
  "Nilsen",
  "Khan",
  "Haddad",
  "Silva",
  "Quinn",
  "Moreau",
  "Kowalski",
  "Chen",
  "Novak",
  "Singh",
  "Petrov",
  "Costa",
];
const TEAMS = ["Blue", "Green", "Red", "Night", "Billing", "Support", "Sales", "Retention"];

function rng(seed) {
  // mulberry32: small, fast, and the same on every Node version.
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function person(seed, p) {
  const r = rng(seed * 1_000_003 + p);
  const first = FIRST[Math.floor(r() * FIRST.length)];
  const last = LAST[Math.floor(r() * LAST.length)];
  return { first, last, email: `${first}.${last}.${p}@example.com`.toLowerCase() };
}

/**
 * The two directories, deterministic from `seed` and `users`: `users` RingCentral user
 * extensions (plus a few non-user extensions that `type=User` leaves out) and `users` CXone
 * agents; about 80% of the agents are people who are also in RingCentral (same email, now
 * and then in other case or with spaces), the rest are not.
 */
export function generateDirectories({
  users = 1000,
  seed = 1,
  int64Ids = false,
  allTypes = false,
} = {}) {
  const r = rng(seed);
  const ringcentral = [];
  for (let k = 0; k < users; k++) {
    const p = person(seed, k);
    const roll = r();
    const status =
      roll < 0.9 ? "Enabled" : roll < 0.95 ? "Disabled" : roll < 0.98 ? "NotActivated" : "Frozen";
    const id = int64Ids ? 9_007_199_254_740_993n + BigInt(k) * 7n : 62_000_000_000 + k * 7;
    ringcentral.push({
      uri: `/restapi/v1.0/account/~/extension/${id}`,
      id,
      extensionNumber: String(10_000 + k),
      contact: {
        firstName: p.first,
        lastName: p.last,
        email: p.email,
        emailAsLoginName: true,
        department: TEAMS[k % TEAMS.length],
      },
      name: `${p.first} ${p.last}`,
      type: "User",
      status,
      hidden: false,
      account: { uri: "/restapi/v1.0/account/37439510", id: "37439510" },
      permissions: { admin: { enabled: k === 0 }, internationalCalling: { enabled: false } },
      profileImage: { uri: `/restapi/v1.0/account/37439510/extension/${id}/profile-image` },
      site: { id: "main-site", name: "Main Site" },
    });
    if (k % 50 === 49) {
      // A department sharing a person's email: must never reach the user list.
      const dept = typeof id === "bigint" ? id + 1n : id + 1;
      ringcentral.push({
        uri: `/restapi/v1.0/account/~/extension/${dept}`,
        id: dept,
        extensionNumber: String(90_000 + k),
        contact: { email: p.email },
        name: `${TEAMS[k % TEAMS.length]} queue`,
        type: "Department",
        status: "Enabled",
      });
    }
  }
  if (allTypes) {
    // One extension of every type, each sharing a person's email; RC_STATUSES cycle.
    RC_EXTENSION_TYPES.forEach((type, i) => {
      const p = person(seed, i);
      const id = int64Ids ? 9_007_199_254_750_000n + BigInt(i) : 63_000_000_000 + i;
      ringcentral.push({
        uri: `/restapi/v1.0/account/~/extension/${id}`,
        id,
        extensionNumber: String(80_000 + i),
        contact: { firstName: type, lastName: "Extension", email: p.email },
        name: `${type} extension`,
        type,
        status: ["Enabled", "Disabled", "Frozen", "NotActivated", "Unassigned"][i % 5],
        hidden: false,
      });
    });
  }
  const cxone = [];
  const epoch = Date.UTC(2026, 0, 1);
  for (let k = 0; k < users; k++) {
    const shared = r() < 0.8;
    const p = person(seed, shared ? k : users + k);
    const variant = r();
    const emailAddress =
      variant < 0.03 ? p.email.toUpperCase() : variant < 0.05 ? ` ${p.email} ` : p.email;
    const profileRoll = r();
    const profileId =
      profileRoll < 0.7
        ? 1001
        : profileRoll < 0.8
          ? 1002
          : profileRoll < 0.85
            ? 1003
            : profileRoll < 0.95
              ? 1004
              : 1005;
    const team = k % TEAMS.length;
    const hex = Math.floor(r() * 0xffffffff)
      .toString(16)
      .padStart(8, "0");
    cxone.push({
      // Agent ids differ per seed: a CXone user belongs to one business unit (seed 1: 100000...).
      agentId: seed * 100_000 + k,
      userName: `${p.first}.${p.last}.${k}@tenant.example`.toLowerCase(),
      firstName: p.first,
      lastName: p.last,
      emailAddress,
      isActive: r() < 0.95,
      teamId: 2000 + team,
      teamName: TEAMS[team],
      profileId,
      profileName: ["Agent", "Supervisor", "Administrator", "Agent (no mapping)", "Custom"][
        profileId - 1001
      ],
      lastUpdated: new Date(epoch + Math.floor(r() * 300 * 86_400_000)).toISOString(),
      internalId: `${hex}-0000-4000-8000-${String(k).padStart(12, "0")}`,
      federatedId: null,
      // Fields the clients ignore, there because the real answers carry them.
      isSupervisor: profileId === 1002,
      isBillable: true,
      isWhatIfAgent: false,
      reportToId: 0,
      timeZone: "Eastern Standard Time",
      hireDate: "2024-01-15T00:00:00.000Z",
      location: "",
      custom1: "",
    });
  }
  return { ringcentral, cxone, profilePermissions: SAMPLE_PROFILE_PERMISSIONS };
}

/** Teams with the WFMAdvanced feature: all but Night and Sales (their agents are not synced). */
const WFM_TEAMS = TEAMS.map((name, i) => ({
  teamId: String(2000 + i),
  teamName: name,
  features: name === "Night" || name === "Sales" ? [] : ["WFMAdvanced"],
}));

/** The set-up data WFM readiness needs: team features, and each agent's ACD profile (every
 * 17th agent has none). */
function wfmSetup(dirs) {
  return {
    teams: WFM_TEAMS,
    acdProfiles: dirs.cxone
      .filter((a) => a.agentId % 17 !== 0)
      .map((a) => ({ agentId: String(a.agentId), acdProfileId: `acdp-${a.profileId}` })),
  };
}

/**
 * Appends the admin page's cases to `dirs` (see the header) and returns the ids of the "late"
 * RingCentral accounts, which only an email query lists.
 */
export function addScenario(dirs) {
  const epoch = "2026-06-01T09:00:00.000Z";
  let n = 0;
  const agent = (first, last, emailAddress, extra = {}) => {
    const k = 900_001 + n++;
    dirs.cxone.push({
      agentId: k,
      userName: `scenario.${k}@tenant.example`,
      firstName: first,
      lastName: last,
      emailAddress,
      isActive: true,
      teamId: 2000,
      teamName: TEAMS[0],
      profileId: 1001,
      profileName: "Agent",
      lastUpdated: epoch,
      internalId: `00000000-0000-4000-8000-${String(k).padStart(12, "0")}`,
      federatedId: null,
      ...extra,
    });
  };
  const account = (first, last, email) => {
    const id = 69_000_000_000 + n++;
    dirs.ringcentral.push({
      uri: `/restapi/v1.0/account/~/extension/${id}`,
      id,
      extensionNumber: String(70_000 + n),
      contact: {
        firstName: first,
        lastName: last,
        email,
        emailAsLoginName: true,
        department: TEAMS[0],
      },
      name: `${first} ${last}`,
      type: "User",
      status: "Enabled",
      hidden: false,
    });
    return id;
  };
  agent("<img src=x onerror=alert(1)>", "Tester", "xss.tester@example.com");
  account("<b>Bold</b>", "Tester", "xss.tester@example.com");
  agent("Dora", "Duplicate", "Dup.Case@Example.com");
  agent("Dirk", "Duplicate", "dup.case@example.com");
  account("Dora", "Duplicate", "dup.case@example.com");
  agent("Shared", "Mailbox", "shared.box@example.com");
  account("Front", "Desk", "shared.box@example.com");
  account("Back", "Office", "shared.box@example.com");
  agent("Ina", "Valid", "not-an-email");
  agent("Anna", "Confusable", "\u0430nna.confusable@example.com");
  agent("José", "Álvarez", "jose.alvarez.work@example.com");
  account("Jose", "Alvarez-Ruiz", "j.alvarez@example.com");
  agent('=HYPERLINK("http://x.example")', "Formula", "formula.user@example.com");
  const late = new Set();
  for (const [first, last] of [
    ["Lena", "Late"],
    ["Luis", "Later"],
    ["Lou", "Latest"],
  ]) {
    const email = `${first}.${last}@example.com`.toLowerCase();
    agent(first, last, email);
    late.add(account(first, last, email));
  }
  return late;
}

const json = (res, status, body, headers = {}) => {
  const text = typeof body === "string" ? body : jsonWithInt64(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(text);
};

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "authorization, accept, content-type",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-expose-headers":
    "retry-after, date, x-rate-limit-group, x-rate-limit-limit, x-rate-limit-remaining, x-rate-limit-window",
};

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (c) => {
      data += c;
    });
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}

/**
 * Starts the server on 127.0.0.1. Options: `users`, `seed`, `token`, `port` (0: a free one),
 * `faults`, `rcOmitTotals` (page without `totalPages`/`totalElements`, so clients follow
 * `navigation`), `cxOmitTotal` (no `totalRecords`, so clients follow `_links.next`),
 * `cxSinceParam` (the one spelling the CXone view honours: "updateSince", the default, or
 * "updatedSince"; the other is ignored as a real API ignores unknown parameters), and the
 * behaviour and data switches of the header.
 */
export async function startServer(options = {}) {
  const { users = 1000, seed = 1, token = DEFAULT_TOKEN, port = 0, host = "127.0.0.1" } = options;
  const settings = {
    rcOmitTotals: false,
    cxOmitTotal: false,
    cxSinceParam: "updateSince",
    ...options,
  };
  const dirs =
    options.directories ??
    generateDirectories({ users, seed, int64Ids: options.int64Ids, allTypes: options.allTypes });
  const late = options.scenario ? addScenario(dirs) : new Set();
  const limiter = rateLimiter(options.rateLimit);
  let faults = { ...(options.faults ?? {}) };
  let used = 0;
  let requests = [];
  const iex = createIexHandler(options.iex);

  const setFault = (f = {}) => {
    faults = { ...f };
    used = 0;
  };
  const resetFaults = () => setFault({});
  /** A behaviour switch: the fault if set, else the start option. */
  const opt = (key) => faults[key] ?? settings[key];
  const forApi = (api) => !faults.api || faults.api === api;
  const takeTime = () => {
    if (faults.times !== undefined && used >= faults.times) return false;
    used += 1;
    return true;
  };

  function statusFault(api, page) {
    if (!forApi(api) || !faults.status) return null;
    if (faults.page !== undefined && faults.page !== page) return null;
    return takeTime() ? faults.status : null;
  }
  const pageFault = (api, page, key) =>
    forApi(api) && faults[key] !== undefined && faults[key] === page;

  function sendStatus(res, api, status, headers = {}) {
    const extra = { ...headers };
    if ((status === 429 || status === 503) && faults.retryAfter !== undefined) {
      extra["retry-after"] = faults.retryAfterDate
        ? new Date(limiter.now() + faults.retryAfter * 1000).toUTCString()
        : String(faults.retryAfter);
    }
    json(res, status, api === "ringcentral" ? ringcentralError(status) : cxoneError(status), extra);
  }

  function ringcentralPage(req, res, u) {
    const q = u.searchParams;
    const page = Number(q.get("page") ?? "1");
    const asked = Number(q.get("perPage") ?? "100");
    if (
      !Number.isInteger(page) ||
      page < 1 ||
      !Number.isInteger(asked) ||
      asked < 1 ||
      asked > 1000
    ) {
      return {
        status: 400,
        page,
        body: ringcentralError(400, Number.isInteger(page) && page >= 1 ? "perPage" : "page"),
      };
    }
    const perPage = Math.min(Number(opt("rcMaxPerPage") ?? 1000), asked);
    const types = opt("ignoreTypeFilter") ? [] : q.getAll("type");
    const emails = q.getAll("email").map((e) => e.trim().toLowerCase());
    const statuses = q.getAll("status");
    const hidden = Number(faults.rcHiddenPercent ?? 0);
    const list = dirs.ringcentral.filter(
      (x, i) =>
        (emails.length > 0 || !late.has(x.id)) &&
        !(hidden > 0 && i % 100 < hidden) &&
        (types.length === 0 || types.includes(x.type)) &&
        (emails.length === 0 || emails.includes(String(x.contact?.email ?? "").toLowerCase())) &&
        (statuses.length === 0 || statuses.includes(x.status)),
    );
    const endAfter = opt("endAfter");
    const shown = endAfter === undefined ? list : list.slice(0, endAfter);
    const totalElements = list.length;
    const totalPages = Math.max(1, Math.ceil(shown.length / perPage));
    const pageStart = (page - 1) * perPage;
    const records = shown.slice(pageStart, pageStart + perPage);
    const origin = `http://${req.headers.host}`;
    const link = (p) => {
      const l = new URL(u.pathname + u.search, origin);
      l.searchParams.set("page", String(p));
      return { uri: l.href };
    };
    const paging = { page, totalPages, perPage, totalElements };
    if (records.length)
      Object.assign(paging, { pageStart, pageEnd: pageStart + records.length - 1 });
    if (settings.rcOmitTotals) {
      delete paging.totalPages;
      delete paging.totalElements;
    }
    const navigation = { firstPage: link(1), lastPage: link(totalPages) };
    if (page < totalPages) navigation.nextPage = link(page + 1);
    if (page > 1) navigation.previousPage = link(page - 1);
    return { status: 200, page, body: { uri: link(page).uri, records, paging, navigation } };
  }

  const asInt = (b) => (b ? 1 : 0);
  const intFlags = (a) => ({
    ...a,
    isActive: asInt(a.isActive),
    isSupervisor: asInt(a.isSupervisor),
    isBillable: asInt(a.isBillable),
    isWhatIfAgent: asInt(a.isWhatIfAgent),
  });

  function cxonePage(req, res, u) {
    const q = u.searchParams;
    const skip = Number(q.get("skip") ?? "0");
    const asked = Number(q.get("top") ?? "100");
    if (!Number.isInteger(skip) || skip < 0 || !Number.isInteger(asked) || asked < 1) {
      return { status: 400, page: 0, body: cxoneError(400) };
    }
    const top = Math.min(Number(opt("cxMaxTop") ?? 10_000), asked);
    const page = Math.floor(skip / top) + 1;
    const since = q.get(settings.cxSinceParam);
    const sinceMs = since === null ? null : Date.parse(since);
    if (since !== null && Number.isNaN(sinceMs)) {
      return {
        status: 400,
        page,
        body: { error: "invalid_request", error_description: `${settings.cxSinceParam} invalid` },
      };
    }
    const active = q.get("isActive");
    const list = dirs.cxone.filter(
      (a) =>
        (sinceMs === null || Date.parse(a.lastUpdated) >= sinceMs) &&
        (active === null || String(a.isActive) === active.toLowerCase()),
    );
    const endAfter = opt("endAfter");
    const shown = endAfter === undefined ? list : list.slice(0, endAfter);
    const agents = shown.slice(skip, skip + top);
    if (agents.length === 0) return { status: 204, page, body: null };
    const origin = `http://${req.headers.host}`;
    const nextHost = opt("cxNextHost");
    const nextOrigin = nextHost ? `http://${nextHost}:${new URL(origin).port}` : origin;
    const link = (s, o = origin) => {
      const l = new URL(u.pathname + u.search, o);
      l.searchParams.set("skip", String(s));
      l.searchParams.set("top", String(top));
      return l.href;
    };
    const body = {
      businessUnitId: 4_600_001,
      lastPollTime: new Date().toISOString(),
      totalRecords: list.length,
      _links: {
        self: link(skip),
        next: skip + top < shown.length ? link(skip + top, nextOrigin) : null,
        previous: skip > 0 ? link(Math.max(0, skip - top)) : null,
      },
      agents: opt("cxIntFlags") ? agents.map(intFlags) : agents,
    };
    if (settings.cxOmitTotal) delete body.totalRecords;
    return { status: 200, page, body };
  }

  /** Sends page K cut off half-way, then drops the connection (a proxy or network failure). */
  function sendTruncated(res, body) {
    const text = jsonWithInt64(body);
    res.writeHead(200, {
      "content-type": "application/json; charset=utf-8",
      "content-length": String(Buffer.byteLength(text)),
    });
    res.write(text.slice(0, Math.floor(text.length / 2)));
    setTimeout(() => res.destroy(), 5);
  }

  async function handle(req, res) {
    const u = new URL(req.url, "http://127.0.0.1");
    const path = decodeURIComponent(u.pathname);
    for (const [k, v] of Object.entries(CORS)) res.setHeader(k, v);
    if (req.method === "OPTIONS") {
      res.writeHead(204);
      return res.end();
    }

    if (path === "/__faults") {
      if (req.method === "POST") {
        try {
          setFault(JSON.parse((await readBody(req)) || "{}"));
        } catch {
          return json(res, 400, { error: "bad JSON" });
        }
      }
      return json(res, 200, faults);
    }
    if (path === "/__reset" && req.method === "POST") {
      resetFaults();
      requests = [];
      return json(res, 200, {});
    }
    if (path === "/__stats") return json(res, 200, { requests });
    if (path === "/__health") return json(res, 200, { ok: true, users });
    if (path === "/__sample/profile-permissions") return json(res, 200, dirs.profilePermissions);
    if (path === "/__sample/wfm-setup") return json(res, 200, wfmSetup(dirs));
    if (await iex.handle(req, res, u)) return;

    const api =
      path === "/restapi/v1.0/account/~/extension"
        ? "ringcentral"
        : /^\/inContactAPI\/services\/v\d+\.\d+\/agents$/.test(path)
          ? "cxone"
          : null;
    if (!api || req.method !== "GET") return json(res, 404, { error: "not_found", path });

    if (faults.delayMs && (!faults.api || faults.api === api)) {
      await new Promise((r) => setTimeout(r, faults.delayMs));
      if (res.destroyed || req.destroyed) return;
    }
    const result = api === "ringcentral" ? ringcentralPage(req, res, u) : cxonePage(req, res, u);
    const log = (status) => {
      if (requests.length < 10_000) requests.push({ api, page: result.page, status });
    };

    // RingCentral counts every request, and says how many are left on every answer.
    const rate = api === "ringcentral" ? limiter.hit() : { headers: {} };
    const headers = { ...rate.headers, date: new Date(limiter.now()).toUTCString() };
    if (req.headers.authorization !== `Bearer ${token}`) {
      log(401);
      return api === "ringcentral"
        ? json(
            res,
            401,
            {
              errorCode: "TokenInvalid",
              message: "Token not found",
              errors: [{ errorCode: "OAU-213", message: "Token not found" }],
            },
            headers,
          )
        : json(res, 401, cxoneError(401), headers);
    }
    if (rate.retryAfter !== undefined) {
      log(429);
      const retry =
        settings.rateLimit?.retryAfter === false ? {} : { "retry-after": String(rate.retryAfter) };
      return json(res, 429, ringcentralError(429), { ...headers, ...retry });
    }
    const injected = statusFault(api, result.page);
    if (injected) {
      log(injected);
      return sendStatus(res, api, injected, headers);
    }
    if (pageFault(api, result.page, "truncatedPage") && result.status === 200 && takeTime()) {
      log(200);
      return sendTruncated(res, result.body);
    }
    if (pageFault(api, result.page, "malformedPage")) {
      log(200);
      return json(
        res,
        200,
        api === "ringcentral"
          ? '{"uri":"x","records":[{"id":1,"contact":{"email":"a@'
          : '{"agents":[{"agentId":',
      );
    }
    if (pageFault(api, result.page, "wrongShapePage")) {
      log(200);
      return json(
        res,
        200,
        api === "ringcentral"
          ? { uri: "x", items: [], paging: { page: result.page } }
          : { totalRecords: 3, agents: { agentId: 1 } },
      );
    }
    log(result.status);
    if (result.status === 204) {
      res.writeHead(204, headers);
      return res.end();
    }
    return json(res, result.status, result.body, headers);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) json(res, 500, { error: String(e) });
      else res.destroy();
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const addr = server.address();
  const url = `http://${host}:${addr.port}`;
  return {
    url,
    token,
    port: addr.port,
    directories: dirs,
    iex,
    setFault,
    resetFaults,
    stats: () => ({ requests: [...requests] }),
    resetStats: () => {
      requests = [];
    },
    /** Moves the rate limiter's clock (a test's sleep hook calls it: waits pass at once). */
    advance: (ms) => limiter.advance(ms),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) continue;
    const key = a.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    const next = argv[i + 1];
    if (next === undefined || next.startsWith("--")) {
      out[key] = true;
    } else {
      out[key] = next;
      i++;
    }
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = parseArgs(process.argv.slice(2));
  const api = await startServer({
    users: Number(args.users ?? 1000),
    seed: Number(args.seed ?? 1),
    port: Number(args.port ?? 0),
    token: typeof args.token === "string" ? args.token : DEFAULT_TOKEN,
    rcOmitTotals: Boolean(args.rcOmitTotals),
    cxOmitTotal: Boolean(args.cxOmitTotal),
    scenario: Boolean(args.scenario),
  });
  console.log(api.url);
  console.error(
    `[api-server] ${args.users ?? 1000} users per directory; token ${api.token}; ` +
      `RingCentral ${api.url}/restapi/v1.0/account/~/extension, CXone ${api.url}/inContactAPI/services/v23.0/agents`,
  );
  const stop = () => api.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
