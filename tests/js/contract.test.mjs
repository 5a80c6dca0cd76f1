// The connectors against answers in the vendors' published shapes (the local API server's
// switches): capped pages, pages that end early, 0/1 flags, int64 ids, every extension type,
// next links on another cluster host, rate limits, vendor error bodies, cut-off bodies, and
// options that throw. Every wait goes through a `sleep` hook that records it and moves the
// server's rate-limit clock, so a minute's penalty takes no time.
// Run: PROFILE=dev .ci/build && node --test tests/js/contract.test.mjs
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import * as us from "../../pkg/node/usersync.mjs";
import { startServer, SAMPLE_PROFILE_PERMISSIONS } from "../server/api-server.mjs";
import { RC_EXTENSION_TYPES } from "../server/vendor-shapes.mjs";

const USERS = 250;
const FAST = { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 20 };

let api;
let waits;
const escaped = [];
const onEscape = (e) => {
  escaped.push(e);
};
before(async () => {
  process.on("uncaughtException", onEscape);
  process.on("unhandledRejection", onEscape);
  api = await startServer({ users: USERS, seed: 11 });
});
after(async () => {
  await api.close();
  process.off("uncaughtException", onEscape);
  process.off("unhandledRejection", onEscape);
  assert.deepEqual(escaped, [], "no exception escaped a connector");
});
beforeEach(() => {
  api.resetFaults();
  api.resetStats();
  waits = [];
});

/** Records each wait and moves the server's clock by it. */
const sleep =
  (server = api) =>
  (ms) => {
    waits.push(ms);
    server.advance(ms);
  };
const rc = (extra = {}, server = api) => ({
  baseUrl: server.url,
  token: server.token,
  retry: FAST,
  sleep: sleep(server),
  ...extra,
});
const cx = (extra = {}, server = api) => ({
  baseUrl: server.url,
  token: server.token,
  retry: FAST,
  sleep: sleep(server),
  profilePermissions: SAMPLE_PROFILE_PERMISSIONS,
  ...extra,
});
const requests = (name, server = api) => server.stats().requests.filter((r) => r.api === name);

async function rejects(promise, code, secret = api.token) {
  let err;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `expected a ${code} error, got a result`);
  assert.ok(us.isUsersyncError(err), `a UsersyncError: ${err}`);
  assert.equal(err.code, code, err.message);
  for (const text of [err.message, String(err.stack), JSON.stringify(err)]) {
    assert.ok(!text.includes(secret), `token leaked into: ${text}`);
  }
  return err;
}

async function withServer(options, body) {
  const server = await startServer(options);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}

test("CXone: a server capping top at 100 still gives every agent (skip counts what arrived)", async () => {
  await withServer({ users: USERS, cxMaxTop: 100 }, async (s) => {
    const agents = await us.fetchCxoneUsers(cx({ perPage: 500 }, s));
    assert.deepEqual(
      agents.map((a) => a.id),
      s.directories.cxone.map((a) => String(a.agentId)),
    );
    assert.equal(requests("cxone", s).length, 3);
    const defaults = await us.fetchCxoneUsers({ baseUrl: s.url, token: s.token });
    assert.equal(defaults.length, USERS, "default page size");
  });
  await withServer({ users: USERS, cxMaxTop: 100, cxOmitTotal: true }, async (s) => {
    const agents = await us.fetchCxoneUsers(cx({ perPage: 500 }, s));
    assert.equal(agents.length, USERS, "no total: links, then a 204");
    assert.deepEqual(
      requests("cxone", s).map((r) => r.status),
      [200, 200, 200, 204],
    );
  });
});

test("CXone: pages that end before totalRecords are incomplete_directory, never a partial list", async () => {
  for (const cap of [undefined, 100]) {
    api.setFault({ endAfter: 180, cxMaxTop: cap });
    const progress = [];
    const err = await rejects(
      us.fetchCxoneUsers(cx({ perPage: 50, onProgress: (p) => progress.push(p) })),
      "incomplete_directory",
    );
    assert.match(err.message, /after 180 of the 250 agents .*totalRecords/);
    assert.equal(
      progress.at(-1).recordsFetched,
      180,
      "the agents that came are counted, and not returned",
    );
  }
});

test("RingCentral: totalPages 1 with totalElements 5 and 2 records is incomplete_directory", async () => {
  await withServer({ users: 5 }, async (s) => {
    s.setFault({ endAfter: 2 });
    const err = await rejects(us.fetchRingCentralUsers(rc({}, s)), "incomplete_directory", s.token);
    assert.match(err.message, /^page 1: the pages ended after 2 of the 5 extensions/);
    s.resetFaults();
    assert.equal((await us.fetchRingCentralUsers(rc({}, s))).length, 5);
  });
});

test("RingCentral: a capped perPage and navigation-only paging read the whole directory", async () => {
  await withServer({ users: 333, rcMaxPerPage: 50, rcOmitTotals: true }, async (s) => {
    const users = await us.fetchRingCentralUsers(rc({ perPage: 1000 }, s));
    assert.equal(users.length, 333);
    assert.equal(requests("ringcentral", s).length, 7);
  });
});

test("CXone flags as 0/1 load, with the extra fields ignored", async () => {
  api.setFault({ cxIntFlags: true });
  const agents = await us.fetchCxoneUsers(cx());
  assert.equal(agents.length, USERS);
  for (const [i, a] of agents.entries()) assert.equal(a.active, api.directories.cxone[i].isActive);
  assert.ok(agents.some((a) => a.active === false) && agents.some((a) => a.active === true));
});

test("RingCentral int64 ids above 2^53 arrive exact, as strings", async () => {
  await withServer({ users: 120, int64Ids: true }, async (s) => {
    const users = await us.fetchRingCentralUsers(rc({}, s));
    const want = s.directories.ringcentral
      .filter((x) => x.type === "User")
      .map((x) => String(x.id));
    assert.equal(want[0], "9007199254740993");
    assert.deepEqual(
      users.map((u) => u.id),
      want,
    );
  });
});

test("RingCentral: only people, even when the server ignores the type filter", async () => {
  await withServer({ users: 60, allTypes: true, ignoreTypeFilter: true }, async (s) => {
    const people = new Set(
      s.directories.ringcentral.filter((x) => x.type === "User").map((x) => String(x.id)),
    );
    const users = await us.fetchRingCentralUsers(rc({}, s));
    assert.deepEqual(new Set(users.map((u) => u.id)), people);
    const extra = ["DigitalUser", "VirtualUser", "FlexibleUser"];
    const more = await us.fetchRingCentralUsers(rc({ extraUserTypes: extra }, s));
    const kinds = new Map(s.directories.ringcentral.map((x) => [String(x.id), x.type]));
    assert.deepEqual(
      [...new Set(more.map((u) => kinds.get(u.id)))].sort(),
      ["User", ...extra].sort(),
    );
    assert.equal(more.length, people.size + 3);
    assert.equal(RC_EXTENSION_TYPES.length, 23);
    const err = await rejects(
      us.fetchRingCentralUsers(rc({ extraUserTypes: ["Department"] }, s)),
      "invalid_input",
      s.token,
    );
    assert.equal(err.field, "extraUserTypes");
  });
});

test("CXone: _links.next on another cluster host is refused unless allowed", async () => {
  api.setFault({ cxNextHost: "localhost" });
  const err = await rejects(us.fetchCxoneUsers(cx()), "invalid_input");
  assert.match(
    err.message,
    /^page 2: the next-page link goes to "http:\/\/localhost:\d+", which is not an allowed host/,
  );
  assert.equal(err.field, "allowedHosts");
  assert.equal(requests("cxone").length, 1, "the token never went there");
  const agents = await us.fetchCxoneUsers(cx({ allowedHosts: ["localhost"] }));
  assert.equal(agents.length, USERS);
  await rejects(us.fetchCxoneUsers(cx({ allowedHosts: ["*.com"] })), "invalid_input");
});

test("429 without Retry-After waits the vendor's window (60 s, with jitter), reported as progress", async () => {
  api.setFault({ status: 429, times: 2, api: "ringcentral" });
  const progress = [];
  const users = await us.fetchRingCentralUsers(rc({ onProgress: (p) => progress.push(p) }));
  assert.equal(users.length, USERS);
  assert.equal(waits.length, 2);
  for (const w of waits) assert.ok(w >= 60_000 && w <= 66_000, `waited ${w} ms`);
  const waiting = progress.filter((p) => p.waitingMs !== undefined);
  assert.deepEqual(
    waiting.map((p) => p.reason),
    ["rate_limited", "rate_limited"],
  );
  assert.deepEqual(
    waiting.map((p) => p.waitingMs),
    waits,
  );
  assert.deepEqual(
    requests("ringcentral").map((r) => r.status),
    [429, 429, 200, 200, 200],
  );
});

test("429 with Retry-After in seconds or as an HTTP date; too long fails at once, saying how long", async () => {
  api.setFault({ status: 429, retryAfter: 5, times: 1 });
  await us.fetchRingCentralUsers(rc());
  assert.ok(waits[0] >= 5_000 && waits[0] <= 5_500, `${waits[0]}`);
  waits = [];
  api.setFault({ status: 429, retryAfter: 20, retryAfterDate: true, times: 1 });
  await us.fetchCxoneUsers(cx());
  assert.ok(
    waits[0] >= 19_000 && waits[0] <= 22_000,
    `date measured against the server's Date: ${waits[0]}`,
  );
  api.setFault({ status: 429, retryAfter: 600 });
  api.resetStats();
  const err = await rejects(us.fetchRingCentralUsers(rc()), "rate_limited");
  assert.match(err.message, /asks to wait 10 min 0 s, longer than the 5 min 0 s allowed/);
  assert.equal(err.vendorCode, "CMN-301");
  assert.equal(requests("ringcentral").length, 1);
});

test("pacing from X-Rate-Limit-Remaining keeps a 40-a-minute limit from ever answering 429", async () => {
  await withServer({ users: 2000, rateLimit: { limit: 40, window: 60 } }, async (s) => {
    const progress = [];
    const users = await us.fetchRingCentralUsers(
      rc({ perPage: 40, onProgress: (p) => progress.push(p) }, s),
    );
    assert.equal(users.length, 2000);
    assert.ok(
      requests("ringcentral", s).every((r) => r.status === 200),
      "never rate limited",
    );
    const paced = progress.filter((p) => p.reason === "pacing");
    assert.ok(paced.length > 0, "it slowed down");
    assert.ok(paced.every((p) => p.waitingMs > 0 && p.waitingMs <= 60_000));
  });
});

test("503 with Retry-After is honoured; a 500 forever on page K ends in http_error after bounded retries", async () => {
  api.setFault({ status: 503, retryAfter: 7, times: 2 });
  const progress = [];
  await us.fetchCxoneUsers(cx({ onProgress: (p) => progress.push(p) }));
  assert.deepEqual(waits, [7_000, 7_000]);
  assert.deepEqual(
    progress.filter((p) => p.reason).map((p) => p.reason),
    ["unavailable", "unavailable"],
  );
  waits = [];
  api.setFault({ status: 500, page: 2 });
  const err = await rejects(us.fetchCxoneUsers(cx()), "http_error");
  assert.equal(err.status, 500);
  assert.match(err.message, /^page 2: HTTP 500 after 2 retries/);
  assert.equal(waits.length, FAST.maxRetries);
});

test("401 and 403 keep the vendor's code and message, with a plain hint", async () => {
  const expired = await rejects(
    us.fetchRingCentralUsers(rc({ token: "expired-token-1" })),
    "http_error",
    "expired-token-1",
  );
  assert.equal(expired.status, 401);
  assert.equal(expired.vendorCode, "TokenInvalid");
  assert.match(
    expired.message,
    /RingCentral says "TokenInvalid": "Token not found"\): the access token is missing, wrong or expired/,
  );
  api.setFault({ status: 403, api: "ringcentral" });
  const denied = await rejects(us.fetchRingCentralUsers(rc()), "http_error");
  assert.equal(denied.vendorCode, "CMN-401");
  assert.match(denied.message, /\[ReadAccounts\] permission.*lacks the ReadAccounts permission/);
  api.setFault({ status: 403, api: "cxone" });
  const cxDenied = await rejects(us.fetchCxoneUsers(cx()), "http_error");
  assert.equal(cxDenied.vendorCode, "access_denied");
  assert.match(cxDenied.message, /CXone says "access_denied"/);
  const cxExpired = await rejects(
    us.fetchCxoneUsers(cx({ token: "old-token-2" })),
    "http_error",
    "old-token-2",
  );
  assert.equal(cxExpired.vendorCode, "invalid_token");
  api.setFault({ status: 400, api: "ringcentral" });
  const bad = await rejects(us.fetchRingCentralUsers(rc()), "http_error");
  assert.equal(bad.vendorCode, "CMN-101");
  assert.equal(bad.field, "perPage");
});

test("a body cut off on page K is retried; cut off every time, it is http_error", async () => {
  api.setFault({ truncatedPage: 2, times: 1 });
  const users = await us.fetchRingCentralUsers(rc());
  assert.equal(users.length, USERS);
  assert.equal(waits.length, 1);
  waits = [];
  api.setFault({ truncatedPage: 2, api: "cxone" });
  const err = await rejects(us.fetchCxoneUsers(cx()), "http_error");
  assert.match(err.message, /^page 2: network error after 2 retries/);
  assert.equal(err.status, undefined);
});

test("options that throw, are revoked, or have the wrong types reject with a coded error naming them", async () => {
  const token = "Opt-Token-9";
  const base = { baseUrl: api.url, token };
  const throwing = (name) =>
    Object.defineProperty({ ...base }, name, {
      get() {
        throw new Error("boom");
      },
      enumerable: true,
    });
  for (const name of [
    "baseUrl",
    "token",
    "perPage",
    "retry",
    "signal",
    "onProgress",
    "sleep",
    "extraUserTypes",
  ]) {
    const err = await rejects(us.fetchRingCentralUsers(throwing(name)), "invalid_input", token);
    assert.equal(err.field, name, err.message);
    assert.match(err.message, new RegExp(`options\\.${name}'? (cannot|could not) be read`));
  }
  for (const name of ["profilePermissions", "allowedHosts", "apiVersion", "updatedSince"]) {
    const err = await rejects(us.fetchCxoneUsers(throwing(name)), "invalid_input", token);
    assert.equal(err.field, name);
  }
  const { proxy, revoke } = Proxy.revocable({ ...base }, {});
  revoke();
  await rejects(us.fetchCxoneUsers(proxy), "invalid_input", token);
  await rejects(us.fetchRingCentralUsersByEmail(proxy, ["a@x.com"]), "invalid_input", token);
  const trap = new Proxy(
    { ...base },
    {
      get() {
        throw new Error("trap");
      },
    },
  );
  await rejects(us.fetchRingCentralUsers(trap), "invalid_input", token);
  const wrong = [
    [{ perPage: "10" }, "perPage"],
    [{ perPage: 1.5 }, "perPage"],
    [{ retry: 5 }, "retry"],
    [{ retry: { maxRetries: -1 } }, "maxRetries"],
    [
      {
        retry: Object.defineProperty({}, "maxRetries", {
          get() {
            throw new Error("x");
          },
          enumerable: true,
        }),
      },
      "retry",
    ],
    [{ baseUrl: 42 }, "baseUrl"],
    [{ token: undefined }, "token"],
    [{ onProgress: "no" }, "onProgress"],
    [{ signal: { aborted: false, addEventListener() {} } }, "signal"],
    [{ sleep: {} }, "sleep"],
    [{ profilePermissions: "all" }, "profilePermissions"],
    [{ allowedHosts: [1] }, "allowedHosts"],
    [{ profilePermissions: [{ profileId: "1", permissions: [[[["deep"]]]] }] }, "permissions"],
    [
      { profilePermissions: [{ profileId: { deep: { deeper: {} } }, permissions: [] }] },
      "profileId",
    ],
  ];
  for (const [extra, field] of wrong) {
    const err = await rejects(us.fetchCxoneUsers({ ...base, ...extra }), "invalid_input", token);
    assert.equal(err.field, field, `${field}: ${err.message}`);
  }
  let deep = [];
  for (let i = 0; i < 100_000; i++) deep = [deep];
  // Nested past the boundary's depth limit: refused before any request, with its own code.
  await rejects(us.fetchCxoneUsers({ ...base, allowedHosts: deep }), "value_too_complex", token);
  await rejects(us.fetchRingCentralUsersByEmail(base, "a@x.com"), "invalid_input", token);
  api.setFault({ status: 500, times: 1 });
  const sleepThrows = await rejects(
    us.fetchRingCentralUsers({
      baseUrl: api.url,
      token: api.token,
      retry: FAST,
      sleep: () => {
        throw new Error("no sleep");
      },
    }),
    "invalid_input",
  );
  assert.equal(sleepThrows.field, "sleep");
});
