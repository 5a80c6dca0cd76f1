//! The directory fetches as Promise-returning JS functions. The options object mixes data
//! (read with serde) and two JS objects serde cannot carry, `signal` and `onProgress` (read
//! with `Reflect`); the TS type is the generated settings type joined with `FetchControls`.

use super::errors::{invalid_input, to_js};
use crate::connectors::cxone::{Cxone, CxoneQuery};
use crate::connectors::http::FetchError;
use crate::connectors::ringcentral::RingCentral;
use crate::core::directory::cxone::{
    ProfileIndex, ProfilePermissions, SinceParam, DEFAULT_API_VERSION,
};
use crate::core::directory::{cxone, redact, ringcentral, FetchProgress, RetryPolicy};
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

#[wasm_bindgen(typescript_custom_section)]
const CONNECTORS_TS: &'static str = r#"
/** Cancellation and progress for a directory fetch. */
export interface FetchControls {
  /** Aborting it ends the fetch with an `aborted` error; no partial directory is returned. */
  signal?: AbortSignal;
  /** Called after each page with running totals. Exceptions it throws are ignored. */
  onProgress?: (progress: FetchProgress) => void;
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
    /// Retry tuning; unset fields keep their defaults.
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
    /// Agents per page (`top`), 1 to 1000 (default 500).
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
    /// Retry tuning; unset fields keep their defaults.
    #[tsify(optional, type = "Partial<RetryPolicy>")]
    pub retry: Option<RetryPolicy>,
}

/// Every user extension of a RingCentral account (`type=User`), all pages, mapped to
/// `ExternalUser` (`status` Enabled → active; anything else inactive).
///
/// Throws a `UsersyncError`: `http_error` (with `status`) for 401/403 at once and for 5xx or
/// network errors after retries; `rate_limited` after repeated 429s; `invalid_input` for a
/// bad option or a page that is not the documented JSON (the message names the page);
/// `aborted` when `signal` fires.
///
/// @example
/// const users = await fetchRingCentralUsers({
///   baseUrl: "https://platform.ringcentral.com", token, perPage: 1000,
///   onProgress: (p) => console.log(`${p.pagesFetched}/${p.totalPages ?? "?"}`),
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
    to_js_value(&users)
}

/// The user extensions with any of `emails` (the Auto Sync retry pass's targeted
/// re-fetch), each user once. Blank and repeated emails are skipped; no emails, no request.
/// Throws as `fetchRingCentralUsers` does.
#[wasm_bindgen(
    js_name = "fetchRingCentralUsersByEmail",
    unchecked_return_type = "ExternalUser[]"
)]
pub async fn fetch_ring_central_users_by_email(
    #[wasm_bindgen(unchecked_param_type = "RingCentralOptions")] options: JsValue,
    emails: Vec<String>,
) -> Result<JsValue, JsValue> {
    let (rc, on_progress) = ring_central(&options)?;
    let users = rc
        .users_by_email(&emails, &|p| report(on_progress.as_ref(), p))
        .await
        .map_err(fail)?;
    to_js_value(&users)
}

/// Every CXone agent (or those changed since `updatedSince`), all pages, mapped to
/// `SourceUser`; `permissions` come from `profilePermissions`.
///
/// Throws as `fetchRingCentralUsers` does.
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
    let (settings, signal, on_progress) = read_options::<CxoneSettings>(&options)?;
    let redact_all = |e: FetchError| fail(redacted(e, &settings.token));
    let profiles = ProfileIndex::new(settings.profile_permissions.as_deref().unwrap_or_default())
        .map_err(|e| redact_all(e.into()))?;
    let query = CxoneQuery::new(
        settings
            .api_version
            .as_deref()
            .unwrap_or(DEFAULT_API_VERSION),
        settings.per_page.unwrap_or(cxone::DEFAULT_PER_PAGE),
        settings.updated_since.as_deref(),
        settings.since_param.unwrap_or_default(),
        profiles,
    )
    .map_err(redact_all)?;
    let cx = Cxone::new(
        &settings.base_url,
        settings.token.clone(),
        settings.retry.unwrap_or_default(),
        signal,
    )
    .map_err(redact_all)?;
    let users = cx
        .users(&query, &|p| report(on_progress.as_ref(), p))
        .await
        .map_err(fail)?;
    to_js_value(&users)
}

fn ring_central(options: &JsValue) -> Result<(RingCentral, Option<js_sys::Function>), JsValue> {
    let (s, signal, on_progress) = read_options::<RingCentralSettings>(options)?;
    let rc = RingCentral::new(
        &s.base_url,
        s.token.clone(),
        s.per_page.unwrap_or(ringcentral::DEFAULT_PER_PAGE),
        s.retry.unwrap_or_default(),
        signal,
    )
    .map_err(|e| fail(redacted(e, &s.token)))?;
    Ok((rc, on_progress))
}

type Controls = (Option<AbortSignal>, Option<js_sys::Function>);

/// Reads the serde part of the options and the two JS objects beside it.
fn read_options<T: serde::de::DeserializeOwned>(
    options: &JsValue,
) -> Result<(T, Option<AbortSignal>, Option<js_sys::Function>), JsValue> {
    if !options.is_object() {
        return Err(invalid_input("options must be an object"));
    }
    let settings = serde_wasm_bindgen::from_value::<T>(options.clone()).map_err(|e| {
        // A serde message may quote a value; make sure it is never the token.
        let token = js_sys::Reflect::get(options, &"token".into())
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default();
        invalid_input(redact(&format!("options: {e}"), &token))
    })?;
    let (signal, on_progress): Controls = (
        field(options, "signal", "an AbortSignal")?,
        field(options, "onProgress", "a function")?,
    );
    Ok((settings, signal, on_progress))
}

fn field<T: JsCast>(options: &JsValue, name: &str, what: &str) -> Result<Option<T>, JsValue> {
    let value = js_sys::Reflect::get(options, &name.into())
        .map_err(|_| invalid_input(format!("options.{name} cannot be read")))?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .dyn_into::<T>()
        .map(Some)
        .map_err(|_| invalid_input(format!("options.{name} must be {what}")))
}

fn report(on_progress: Option<&js_sys::Function>, p: &FetchProgress) {
    if let (Some(f), Ok(v)) = (on_progress, serde_wasm_bindgen::to_value(p)) {
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
        let _ = js_sys::Reflect::set(&js, &"status".into(), &JsValue::from(status));
    }
    js
}

fn to_js_value<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    serde_wasm_bindgen::to_value(value)
        .map_err(|e| invalid_input(format!("result conversion: {e}")))
}
