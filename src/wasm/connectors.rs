//! The directory fetches as Promise-returning JS functions. Options are read property by
//! property (`options.rs`), never handed to serde whole: they hold callbacks and a signal,
//! and each bad option is named in its error (`field`); a getter that throws or a revoked
//! Proxy must reject the promise, not escape from inside it. Results go out through `out`.
//! The TS type is the generated settings type (the structs below describe it; serde
//! derives only feed tsify the names) joined with `FetchControls`.

mod options;

use super::convert::{out, set_property};
use super::errors::{invalid_input, to_js};
use crate::connectors::cxone::{Cxone, CxoneQuery};
use crate::connectors::http::{Controls, FetchError};
use crate::connectors::ringcentral::RingCentral;
use crate::core::directory::cxone::{
    ProfileIndex, ProfilePermissions, SinceParam, DEFAULT_API_VERSION,
};
use crate::core::directory::ringcentral::PersonType;
use crate::core::directory::{cxone, redact, ringcentral, FetchProgress, RetryPolicy};
use crate::core::Error;
use options::Options;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const CONNECTORS_TS: &'static str = r#"
/** Cancellation, progress and waiting for a directory fetch. */
export interface FetchControls {
  /** Aborting it ends the fetch with an `aborted` error; no partial directory is returned. */
  signal?: AbortSignal;
  /**
   * Called after each page with running totals, and before each wait with `waitingMs` and
   * `reason` too (e.g. `{ waitingMs: 60000, reason: "rate_limited" }`: say "waiting 60 s
   * for the vendor's rate limit"). Exceptions it throws are ignored.
   */
  onProgress?: (progress: FetchProgress) => void;
  /**
   * Performs every wait instead of a timer (tests make them instant; an app may log them).
   * The fetch goes on when the returned promise settles; a rejection fails the fetch.
   */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void> | void;
}

/** Options of `fetchRingCentralUsers` / `fetchRingCentralUsersByEmail`. */
export type RingCentralOptions = RingCentralSettings & FetchControls;

/** Options of `fetchCxoneUsers`. */
export type CxoneOptions = CxoneSettings & FetchControls;

/**
 * An `http_error` from a connector: `status` is the HTTP status of the last response
 * (missing when no response came: a network error).
 */
export interface UsersyncHttpError extends UsersyncError {
  code: "http_error";
  status?: number;
}
"#;

/// Where and how to read a RingCentral account's users.
#[derive(Deserialize, tsify::Tsify)]
#[serde(rename_all = "camelCase")]
pub struct RingCentralSettings {
    /// The platform's base URL, e.g. `https://platform.ringcentral.com` (no path needed).
    pub base_url: String,
    /// A bearer token with `ReadAccounts`. Never appears in errors or logs.
    pub token: String,
    /// Records per page, 1 to 1000 (default 100).
    #[tsify(optional)]
    pub per_page: Option<u32>,
    /// Extension types read as people besides `User` (none by default). Departments, IVR
    /// menus, rooms, bots and the like are never read, whatever the server sends.
    #[tsify(optional)]
    pub extra_user_types: Option<Vec<PersonType>>,
    /// Retry and rate-limit tuning; unset fields keep their defaults.
    #[tsify(optional, type = "Partial<RetryPolicy>")]
    pub retry: Option<RetryPolicy>,
}

/// Where and how to read a CXone business unit's agents (Admin API).
#[derive(Deserialize, tsify::Tsify)]
#[serde(rename_all = "camelCase")]
pub struct CxoneSettings {
    /// The API host's base URL, e.g. `https://api-na1.niceincontact.com` (host discovery
    /// is the caller's business).
    pub base_url: String,
    /// A bearer access token. Never appears in errors or logs.
    pub token: String,
    /// The Admin API version segment (default `v23.0`, an assumption).
    #[tsify(optional)]
    pub api_version: Option<String>,
    /// Agents asked for per page (`top`), 1 to 1000 (default 100). A server may send fewer:
    /// pages are counted by the agents that arrive.
    #[tsify(optional)]
    pub per_page: Option<u32>,
    /// Only agents changed since this RFC 3339 time (the WFM delta); all agents if unset.
    #[tsify(optional)]
    pub updated_since: Option<String>,
    /// The query parameter spelling for `updatedSince` (default `updateSince`).
    #[tsify(optional)]
    pub since_param: Option<SinceParam>,
    /// Permissions per security profile, to resolve each agent's `profileId`. An agent whose
    /// profile is not listed gets no `permissions` (missing, not empty).
    #[tsify(optional)]
    pub profile_permissions: Option<Vec<ProfilePermissions>>,
    /// Hosts a `_links.next` may lead to besides the base URL's: host names or `*.domain`.
    /// Default: the base URL's CXone cluster siblings (`*.niceincontact.com` for an
    /// `api-xx.niceincontact.com` base). Other hosts must use https and the base URL's port.
    #[tsify(optional)]
    pub allowed_hosts: Option<Vec<String>>,
    /// Retry and rate-limit tuning; unset fields keep their defaults.
    #[tsify(optional, type = "Partial<RetryPolicy>")]
    pub retry: Option<RetryPolicy>,
}

/// Every people extension of a RingCentral account (`type=User`, plus `extraUserTypes`), all
/// pages, mapped to `ExternalUser` (`status` Enabled → active; anything else inactive).
///
/// Throws a `UsersyncError`: `http_error` (with `status`, and the vendor's `vendorCode` such
/// as `CMN-401`) for 401/403 at once and for 5xx or network errors after retries;
/// `rate_limited` when the vendor asks for a longer wait than `retry.maxRetryAfterMs` or
/// keeps refusing; `incomplete_directory` when the pages end before the declared total;
/// `invalid_input` for a bad option (naming it) or a page that is not the documented JSON
/// (naming the page); `aborted` when `signal` fires. The promise always settles.
///
/// @example
/// const users = await fetchRingCentralUsers({
///   baseUrl: "https://platform.ringcentral.com", token, perPage: 1000,
///   onProgress: (p) => p.waitingMs
///     ? console.log(`waiting ${Math.round(p.waitingMs / 1000)} s (${p.reason})`)
///     : console.log(`${p.pagesFetched}/${p.totalPages ?? "?"}`),
/// });
#[wasm_bindgen(
    js_name = "fetchRingCentralUsers",
    unchecked_return_type = "ExternalUser[]"
)]
pub async fn fetch_ring_central_users(
    #[wasm_bindgen(unchecked_param_type = "RingCentralOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let (rc, on_progress) = ring_central(&options)?;
    let users = rc
        .users(&|p| report(on_progress.as_ref(), p))
        .await
        .map_err(fail)?;
    out(&users)
}

/// The people extensions with any of `emails` (the Auto Sync retry pass's targeted
/// re-fetch), each user once. Blank and repeated emails are skipped; no emails, no request.
/// Throws as `fetchRingCentralUsers` does.
#[wasm_bindgen(
    js_name = "fetchRingCentralUsersByEmail",
    unchecked_return_type = "ExternalUser[]"
)]
pub async fn fetch_ring_central_users_by_email(
    #[wasm_bindgen(unchecked_param_type = "RingCentralOptions")] options: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string[]")] emails: JsValue,
) -> Result<JsValue, JsValue> {
    let (rc, on_progress) = ring_central(&options)?;
    let emails = options::strings_of(&emails, "emails", "emails")?;
    let users = rc
        .users_by_email(&emails, &|p| report(on_progress.as_ref(), p))
        .await
        .map_err(fail)?;
    out(&users)
}

/// Every CXone agent (or those changed since `updatedSince`), all pages, mapped to
/// `SourceUser`; `permissions` come from `profilePermissions`. Either every agent comes
/// back or an error: `incomplete_directory` when the pages end before `totalRecords`.
///
/// Throws as `fetchRingCentralUsers` does (`vendorCode` from CXone's `error`).
///
/// @example
/// const agents = await fetchCxoneUsers({
///   baseUrl, token, updatedSince: lastRun,
///   profilePermissions: [{ profileId: "11", permissions: ["UserMapping.Map"] }],
/// });
#[wasm_bindgen(js_name = "fetchCxoneUsers", unchecked_return_type = "SourceUser[]")]
pub async fn fetch_cxone_users(
    #[wasm_bindgen(unchecked_param_type = "CxoneOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let o = Options::root(&options)?;
    let s = read_cxone(&o)?;
    let (controls, on_progress) = read_controls(&o)?;
    let redact_all = |e: FetchError| fail(redacted(e, &s.token));
    let profiles = ProfileIndex::new(s.profile_permissions.as_deref().unwrap_or_default())
        .map_err(|e| redact_all(e.into()))?;
    let query = CxoneQuery::new(
        s.api_version.as_deref().unwrap_or(DEFAULT_API_VERSION),
        s.per_page.unwrap_or(cxone::DEFAULT_PER_PAGE),
        s.updated_since.as_deref(),
        s.since_param.unwrap_or_default(),
        profiles,
    )
    .map_err(redact_all)?;
    let cx = Cxone::new(
        &s.base_url,
        s.token.clone(),
        s.retry.unwrap_or_default(),
        s.allowed_hosts.as_deref(),
        controls,
    )
    .map_err(redact_all)?;
    let users = cx
        .users(&query, &|p| report(on_progress.as_ref(), p))
        .await
        .map_err(fail)?;
    out(&users)
}

fn ring_central(options: &JsValue) -> Result<(RingCentral, Option<js_sys::Function>), JsValue> {
    let o = Options::root(options)?;
    let s = read_ring_central(&o)?;
    let (controls, on_progress) = read_controls(&o)?;
    let rc = RingCentral::new(
        &s.base_url,
        s.token.clone(),
        s.per_page.unwrap_or(ringcentral::DEFAULT_PER_PAGE),
        s.extra_user_types.unwrap_or_default(),
        s.retry.unwrap_or_default(),
        controls,
    )
    .map_err(|e| fail(redacted(e, &s.token)))?;
    Ok((rc, on_progress))
}

fn read_ring_central(o: &Options) -> Result<RingCentralSettings, JsValue> {
    let extra_user_types = o
        .strings("extraUserTypes")?
        .map(|names| {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    PersonType::parse(n).ok_or_else(|| {
                        to_js(
                            Error::invalid_input(format!(
                                "options.extraUserTypes[{i}] must be one of User, DigitalUser, VirtualUser, FlexibleUser, got {}",
                                crate::core::error::quote(n)
                            ))
                            .at(i)
                            .with_field("extraUserTypes"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    Ok(RingCentralSettings {
        base_url: o.required_string("baseUrl")?,
        token: o.required_string("token")?,
        per_page: o.u32("perPage")?,
        extra_user_types,
        retry: read_retry(o)?,
    })
}

fn read_cxone(o: &Options) -> Result<CxoneSettings, JsValue> {
    let since_param = match o.string("sinceParam")?.as_deref() {
        None => None,
        Some("updateSince") => Some(SinceParam::UpdateSince),
        Some("updatedSince") => Some(SinceParam::UpdatedSince),
        Some(_) => {
            return Err(to_js(
                Error::invalid_input(
                    "options.sinceParam must be \"updateSince\" or \"updatedSince\"",
                )
                .with_field("sinceParam"),
            ))
        }
    };
    let profile_permissions = o
        .list("profilePermissions")?
        .map(|items| {
            items
                .into_iter()
                .map(|(path, v)| {
                    let p = Options::entry(path, v, "profilePermissions")?;
                    Ok(ProfilePermissions {
                        profile_id: p.id("profileId")?.ok_or_else(|| {
                            invalid_input("options.profilePermissions: an entry has no profileId")
                        })?,
                        permissions: p.strings("permissions")?.unwrap_or_default(),
                    })
                })
                .collect::<Result<Vec<_>, JsValue>>()
        })
        .transpose()?;
    Ok(CxoneSettings {
        base_url: o.required_string("baseUrl")?,
        token: o.required_string("token")?,
        api_version: o.string("apiVersion")?,
        per_page: o.u32("perPage")?,
        updated_since: o.string("updatedSince")?,
        since_param,
        profile_permissions,
        allowed_hosts: o.strings("allowedHosts")?,
        retry: read_retry(o)?,
    })
}

fn read_retry(o: &Options) -> Result<Option<RetryPolicy>, JsValue> {
    let Some(r) = o.object("retry")? else {
        return Ok(None);
    };
    let d = RetryPolicy::default();
    Ok(Some(RetryPolicy {
        max_retries: r.u32("maxRetries")?.unwrap_or(d.max_retries),
        base_delay_ms: r.u32("baseDelayMs")?.unwrap_or(d.base_delay_ms),
        max_delay_ms: r.u32("maxDelayMs")?.unwrap_or(d.max_delay_ms),
        max_retry_after_ms: r.u32("maxRetryAfterMs")?.unwrap_or(d.max_retry_after_ms),
        rate_limit_wait_ms: r.u32("rateLimitWaitMs")?.unwrap_or(d.rate_limit_wait_ms),
        max_rate_limit_retries: r
            .u32("maxRateLimitRetries")?
            .unwrap_or(d.max_rate_limit_retries),
    }))
}

fn read_controls(o: &Options) -> Result<(Controls, Option<js_sys::Function>), JsValue> {
    Ok((
        Controls {
            signal: o.signal("signal")?,
            sleep: o.function("sleep")?,
        },
        o.function("onProgress")?,
    ))
}

fn report(on_progress: Option<&js_sys::Function>, p: &FetchProgress) {
    if let (Some(f), Ok(v)) = (on_progress, out(p)) {
        // The callback's failures are its own: a progress bar must not fail a fetch.
        let _ = f.call1(&JsValue::NULL, &v);
    }
}

fn redacted(mut e: FetchError, token: &str) -> FetchError {
    e.error.message = redact(&e.error.message, token);
    e
}

fn fail(e: FetchError) -> JsValue {
    let js = to_js(e.error);
    if let Some(status) = e.status {
        set_property(&js, "status", &JsValue::from(status));
    }
    js
}
