//! The IEX SmartSync read-back as a Promise-returning JS function (Node: browsers forbid the
//! `Cookie` header the session needs). The options are data (read with `arg`) plus `signal`,
//! read as a property.

use super::convert::{arg, out, property, set_property};
use super::errors::{invalid_input, to_js};
use crate::connectors::iex::{Iex, IexLogin, Polling};
use crate::core::directory::iex::{export_dates, IexAgent, DEFAULT_LOCALE};
use crate::core::directory::redact;
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

#[wasm_bindgen(typescript_custom_section)]
const IEX_TS: &'static str = r#"
/** Options of `fetchIexAgents`. */
export type IexOptions = IexSettings & { signal?: AbortSignal };
"#;

/// Where and how to read what an IEX customer holds.
#[derive(Deserialize, tsify::Tsify)]
#[serde(rename_all = "camelCase")]
pub struct IexSettings {
    /// The SmartSync host, e.g. `https://iex.example.com` (the API paths are added).
    pub base_url: String,
    pub customer_id: String,
    pub user_name: String,
    /// Sent in the login body only; never appears in errors.
    pub password: String,
    /// Default `en_US`.
    #[tsify(optional)]
    pub locale: Option<String>,
    /// The management units to export; default every unit the user may view.
    #[tsify(optional)]
    pub mu_ids: Option<Vec<String>>,
    /// `YYYY-MM-DD`; default `2000-01-01`.
    #[tsify(optional)]
    pub start_date: Option<String>,
    /// `YYYY-MM-DD`; default today (UTC).
    #[tsify(optional)]
    pub end_date: Option<String>,
    /// First wait between status checks, in ms (default 1000; doubles up to `maxPollMs`).
    #[tsify(optional)]
    pub poll_ms: Option<u32>,
    /// Default 15000.
    #[tsify(optional)]
    pub max_poll_ms: Option<u32>,
    /// Status checks before giving up (default 120).
    #[tsify(optional)]
    pub max_polls: Option<u32>,
}

/// Every agent IEX holds (the SmartSync agent export), for `Engine.wfmReadBack`. Logs in
/// (and again once if the session expires), submits the export job, waits for it with
/// backoff, pages the gzip result by `X-Next-Record`.
///
/// Throws a `UsersyncError`: `http_error` for a refused login, a failed or cancelled job
/// (`vendorCode` is its status; a result too large says to export fewer management units)
/// or a job that never finishes; `rate_limited` on 429; `invalid_input` for a bad option or
/// an answer not in the expected shape; `aborted` when `signal` fires.
#[wasm_bindgen(js_name = "fetchIexAgents", unchecked_return_type = "IexAgent[]")]
pub async fn fetch_iex_agents(
    #[wasm_bindgen(unchecked_param_type = "IexOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    if !options.is_object() {
        return Err(invalid_input("options must be an object"));
    }
    let password = property(&options, "password")
        .ok()
        .and_then(|p| p.as_string())
        .unwrap_or_default();
    let s: IexSettings = arg(options.clone(), "options").map_err(|e| redacted_js(e, &password))?;
    let signal = property(&options, "signal")
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
        .map(|v| v.dyn_into::<AbortSignal>())
        .transpose()
        .map_err(|_| invalid_input("options.signal must be an AbortSignal"))?;
    let today: String = js_sys::Date::new_0()
        .to_iso_string()
        .as_string()
        .unwrap_or_default()
        .chars()
        .take(10)
        .collect();
    let polling = Polling {
        first_ms: s.poll_ms.unwrap_or(Polling::default().first_ms),
        max_ms: s.max_poll_ms.unwrap_or(Polling::default().max_ms),
        max_polls: s.max_polls.unwrap_or(Polling::default().max_polls),
    };
    let iex = Iex::new(
        IexLogin {
            base_url: s.base_url,
            customer_id: s.customer_id,
            user_name: s.user_name,
            password: s.password,
            locale: s.locale.unwrap_or_else(|| DEFAULT_LOCALE.into()),
        },
        signal,
    )
    .map_err(|e| to_js(redacted(e, &password)))?;
    let (start, end) = export_dates(s.start_date.as_deref(), s.end_date.as_deref(), &today);
    let agents: Vec<IexAgent> = iex
        .agents(s.mu_ids.unwrap_or_default(), &start, &end, polling)
        .await
        .map_err(|e| to_js(redacted(e, &password)))?;
    out(&agents)
}

/// A conversion error's message without the password (a misplaced one would be quoted).
fn redacted_js(e: JsValue, password: &str) -> JsValue {
    if let Some(message) = property(&e, "message").ok().and_then(|m| m.as_string()) {
        set_property(
            &e,
            "message",
            &JsValue::from_str(&redact(&message, password)),
        );
    }
    e
}

fn redacted(mut e: crate::core::Error, password: &str) -> crate::core::Error {
    e.message = redact(&e.message, password);
    e
}
