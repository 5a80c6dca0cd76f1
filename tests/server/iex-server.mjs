// A local stand-in for IEX WFM's SmartSync REST API, in the shapes its public help pages
// show: a login that opens a JSESSIONID cookie session, management units from the entities
// the user may view, the agent export as an asynchronous job (WAITING, RUNNING, then
// COMPLETED_SUCCESFULLY, the vendor's spelling, or FAILED with errorDetails), and its gzip
// result paged by X-Next-Record, answering 206 while the job runs. Error bodies are
// `{message, status, details}` whose `status` says 200 whatever the HTTP status (clients
// must trust the HTTP status). Node's http only, on 127.0.0.1.
//
//   const iex = await startIexServer({ agents: [{ UUID: "1001", acdID: "east" }], pageSize: 2 });
//   await fetchIexAgents({ baseUrl: iex.url, customerId: iex.customerId, userName: iex.userName, password: iex.password });
//
// Options (also settable later with `iex.set(options)`):
//   agents             records the export returns (any fields; UUID and acdID at least)
//   pageSize           records per result page at most (default 1000)
//   runningPolls       status checks answered RUNNING before the job completes (default 2)
//   maxMus             more management units than this in one job: FAILED, result too large
//   failJob            the job ends FAILED with this errorDetails
//   expireAfterCalls   a session answers 401 after this many calls (a session that expires)
//   mus                the management units the user may view (default [1, 2])
// `createIexHandler(options)` gives the same as a request handler, for a server of your own.
import http from "node:http";
import { gzipSync } from "node:zlib";

export const IEX_LOGIN = {
  customerId: "cust-1",
  userName: "wfm.reader",
  password: "iex-pass-9f2b",
  locale: "en_US",
};
const BASE = "/SMARTSync/services/rs";

export function createIexHandler(initial = {}) {
  let o = { agents: [], pageSize: 1000, runningPolls: 2, mus: [1, 2], ...initial };
  const sessions = new Map();
  const jobs = new Map();
  let nextId = 1;
  let log = [];

  const send = (res, status, body, headers = {}) => {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(text);
  };
  const fail = (res, status, message) =>
    send(res, status, { message, status: 200, details: "see message" });
  const readJson = (req) =>
    new Promise((resolve) => {
      let data = "";
      req.setEncoding("utf8");
      req.on("data", (c) => {
        data += c;
      });
      req.on("end", () => {
        try {
          resolve(JSON.parse(data));
        } catch {
          resolve(undefined);
        }
      });
    });
  const session = (req) => {
    const m = /(?:^|;\s*)JSESSIONID=([^;]+)/.exec(req.headers.cookie ?? "");
    const s = m && sessions.get(m[1]);
    if (!s) return undefined;
    s.calls += 1;
    if (o.expireAfterCalls !== undefined && s.calls > o.expireAfterCalls) {
      sessions.delete(m[1]);
      return undefined;
    }
    return s;
  };

  async function handle(req, res, url) {
    const path = url.pathname;
    if (!path.startsWith(BASE)) return false;
    log.push(`${req.method} ${path.slice(BASE.length)}`);
    if (path === `${BASE}/users/v1/login` && req.method === "POST") {
      const b = await readJson(req);
      if (
        !b ||
        b.customerId !== IEX_LOGIN.customerId ||
        b.userName !== IEX_LOGIN.userName ||
        b.password !== IEX_LOGIN.password
      ) {
        fail(res, 401, "Invalid credentials");
        return true;
      }
      const id = `s${nextId++}${Math.random().toString(36).slice(2, 8)}`;
      sessions.set(id, { calls: 0 });
      send(
        res,
        200,
        { JSESSIONID: id },
        { "set-cookie": `JSESSIONID=${id}; Path=/SMARTSync; HttpOnly` },
      );
      return true;
    }
    if (!session(req)) {
      fail(res, 401, "Session expired or missing");
      return true;
    }

    if (path === `${BASE}/entities/v1/mus` && req.method === "GET") {
      send(
        res,
        200,
        o.mus.map((id) => ({ id, name: `MU ${id}` })),
      );
      return true;
    }
    if (path === `${BASE}/exporters/v1/agent-export` && req.method === "POST") {
      const b = await readJson(req);
      if (
        !b ||
        b.outputFormat !== "JSON" ||
        !Array.isArray(b.muIds) ||
        b.muIds.length === 0 ||
        !/^\d{4}-\d\d-\d\d$/.test(b.startDate ?? "") ||
        !/^\d{4}-\d\d-\d\d$/.test(b.endDate ?? "")
      ) {
        fail(res, 400, "Invalid export request");
        return true;
      }
      const id = String(nextId++);
      const tooLarge = o.maxMus !== undefined && b.muIds.length > o.maxMus;
      jobs.set(id, {
        polls: 0,
        failed: tooLarge ? "Result too large: request fewer MU ids" : o.failJob,
      });
      send(res, 200, { jobId: id });
      return true;
    }
    const status = new RegExp(`^${BASE}/exporters/v1/status/(.+)$`).exec(path);
    if (status && req.method === "GET") {
      const job = jobs.get(status[1]);
      if (!job) {
        fail(res, 404, "No such job");
        return true;
      }
      job.polls += 1;
      const state =
        job.polls === 1
          ? "WAITING"
          : job.polls <= o.runningPolls
            ? "RUNNING"
            : job.failed
              ? "FAILED"
              : "COMPLETED_SUCCESFULLY";
      job.done = state === "COMPLETED_SUCCESFULLY";
      send(res, 200, {
        status: state,
        ...(state === "FAILED" ? { errorDetails: job.failed } : {}),
      });
      return true;
    }
    const result = new RegExp(`^${BASE}/exporters/v1/result/(.+)$`).exec(path);
    if (result && req.method === "GET") {
      const job = jobs.get(result[1]);
      if (!job) {
        fail(res, 404, "No such job");
        return true;
      }
      if (!job.done) {
        send(res, 206, { message: "Job not finished", status: 206 });
        return true;
      }
      const start = Number(url.searchParams.get("startRecord") ?? 0);
      const asked = Number(url.searchParams.get("numRecords") ?? 1000);
      const end = Math.min(o.agents.length, start + Math.min(asked, o.pageSize));
      const page = gzipSync(JSON.stringify(o.agents.slice(start, end)));
      res.writeHead(200, {
        "content-type": "application/gzip",
        ...(end < o.agents.length ? { "x-next-record": String(end) } : {}),
      });
      res.end(page);
      return true;
    }
    fail(res, 404, "Not found");
    return true;
  }

  return {
    handle,
    set: (changes) => {
      o = { ...o, ...changes };
    },
    calls: () => [...log],
    resetCalls: () => {
      log = [];
    },
  };
}

export async function startIexServer(options = {}) {
  const iex = createIexHandler(options);
  const server = http.createServer((req, res) => {
    iex
      .handle(req, res, new URL(req.url, "http://127.0.0.1"))
      .then((done) => {
        if (!done) {
          res.writeHead(404);
          res.end();
        }
      })
      .catch(() => res.destroy());
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    ...iex,
    ...IEX_LOGIN,
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
