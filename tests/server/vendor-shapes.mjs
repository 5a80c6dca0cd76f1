// What the two vendors' answers look like beyond the happy path, for the local API server:
// error bodies, rate-limit headers and the extension types, as their published specs give
// them (RingCentral's OpenAPI spec; the CXone client generated from NICE's specs). Facts the
// specs leave open are marked "unconfirmed".

import http from "node:http";

/** Every RingCentral extension type; only User (and, by setting, the three below it) are people. */
export const RC_EXTENSION_TYPES = [
  "User",
  "DigitalUser",
  "VirtualUser",
  "FlexibleUser",
  "FaxUser",
  "Department",
  "Announcement",
  "Voicemail",
  "SharedLinesGroup",
  "PagingOnly",
  "IvrMenu",
  "ApplicationExtension",
  "ParkLocation",
  "Limited",
  "Bot",
  "Room",
  "Site",
  "ProxyAdmin",
  "DelegatedLinesGroup",
  "GroupCallPickup",
  "RoomConnector",
  "TieLine",
  "Unknown",
];

/** Every RingCentral extension status. */
export const RC_STATUSES = ["Enabled", "Disabled", "Frozen", "NotActivated", "Unassigned"];

/** RingCentral's error body: `{errorCode, message, errors[{errorCode, message, ...}]}`. */
export function ringcentralError(status, parameterName) {
  const one = (errorCode, message, extra = {}) => ({
    errorCode,
    message,
    errors: [{ errorCode, message, ...extra }],
  });
  switch (status) {
    case 400:
      return one("CMN-101", `Parameter [${parameterName ?? "perPage"}] value is invalid`, {
        parameterName: parameterName ?? "perPage",
      });
    case 401:
      return one("TokenInvalid", "Token is expired");
    case 403:
      return {
        ...one(
          "CMN-401",
          "In order to call this API endpoint, user needs to have [ReadAccounts] permission for requested resource.",
          { permissionName: "ReadAccounts" },
        ),
        permissionName: "ReadAccounts",
      };
    case 404:
      return one("CMN-102", "Resource for parameter [accountId] is not found", {
        parameterName: "accountId",
      });
    case 429:
      return one("CMN-301", "Request rate exceeded");
    case 503:
      return one("CMN-211", "Service Temporary Unavailable");
    default:
      return one(`CMN-${status}`, http.STATUS_CODES[status] ?? "Error");
  }
}

/** CXone's error body: `{error, error_description}` (the codes per status are unconfirmed). */
export function cxoneError(status) {
  switch (status) {
    case 400:
      return {
        error: "invalid_request",
        error_description: "The request is missing a required parameter or is otherwise malformed",
      };
    case 401:
      return { error: "invalid_token", error_description: "The access token expired" };
    case 403:
      return {
        error: "access_denied",
        error_description: "The security profile does not allow viewing agents",
      };
    case 429:
      return { error: "rate_limited", error_description: "Too many requests" };
    default:
      return {
        error: (http.STATUS_CODES[status] ?? "error").toLowerCase().replace(/\W+/g, "_"),
        error_description: `HTTP ${status}`,
      };
  }
}

/**
 * A sliding-window rate limiter on a clock the tests can move (`advance`), so a minute's
 * penalty passes in no time. RingCentral's Medium group: 40 requests a minute, then 60 s of
 * 429s.
 */
export function rateLimiter({ limit = 1000, window = 60, penalty = 60 } = {}) {
  let offset = 0;
  let hits = [];
  let blockedUntil = 0;
  const now = () => Date.now() + offset;
  return {
    advance: (ms) => {
      offset += Math.max(0, Number(ms) || 0);
    },
    now,
    /** Counts one request; returns its headers, and `retryAfter` (s) when it is refused. */
    hit() {
      const t = now();
      hits = hits.filter((h) => h > t - window * 1000);
      const base = {
        "x-rate-limit-group": "medium",
        "x-rate-limit-limit": String(limit),
        "x-rate-limit-window": String(window),
      };
      if (t < blockedUntil) {
        return {
          headers: { ...base, "x-rate-limit-remaining": "0" },
          retryAfter: Math.ceil((blockedUntil - t) / 1000),
        };
      }
      if (hits.length >= limit) {
        blockedUntil = t + penalty * 1000;
        return { headers: { ...base, "x-rate-limit-remaining": "0" }, retryAfter: penalty };
      }
      hits.push(t);
      return { headers: { ...base, "x-rate-limit-remaining": String(limit - hits.length) } };
    },
  };
}

/** JSON text in which `{ "$int64": "123..." }` values are written as bare (exact) numbers. */
export function jsonWithInt64(value) {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `__int64:${v}` : v)).replace(
    /"__int64:(-?\d+)"/g,
    "$1",
  );
}
