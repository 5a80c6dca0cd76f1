//! Email identity exports (docs/identity.md). Keys are made here, in Rust, once: the JS side never
//! normalises emails itself.

use super::convert::{arg, out};
use super::errors::{to_js as error_to_js, JsResult};
use crate::core::email_key::{email_key, email_keys, KeyOptions};
use crate::core::{Error, ErrorCode};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

fn key_options(value: Option<tsify::Ts<KeyOptions>>) -> JsResult<KeyOptions> {
    match value {
        Some(v) => arg(v.into(), "options"),
        None => Ok(KeyOptions::default()),
    }
}

/// An address from JS. A lone surrogate would reach Rust as U+FFFD and could equal another
/// address: invalid.
fn address(value: &JsValue) -> Result<String, Error> {
    let s = value
        .dyn_ref::<js_sys::JsString>()
        .ok_or_else(|| Error::invalid_input("email: expected a string").with_field("email"))?;
    if !s.is_valid_utf16() {
        return Err(Error::new(
            ErrorCode::InvalidEmail,
            "not well-formed UTF-16 (a lone surrogate)",
        )
        .with_field("email"));
    }
    Ok(String::from(s))
}

/// The match key of one address: validated, trimmed, domain through UTS #46, local part NFC
/// and lower case (unless `caseSensitiveLocalPart`). Throws `invalid_email` naming what is
/// wrong. A `confusable` reason means Auto Sync will never match it automatically.
///
/// @example
/// emailKey("  Ann.Lee@Bücher.de ").key // "ann.lee@xn--bcher-kva.de"
#[wasm_bindgen(js_name = "emailKey", unchecked_return_type = "EmailKey")]
pub fn email_key_js(
    #[wasm_bindgen(unchecked_param_type = "string")] email: JsValue,
    options: Option<tsify::Ts<KeyOptions>>,
) -> JsResult<JsValue> {
    let opts = key_options(options)?;
    let key = address(&email)
        .and_then(|a| email_key(&a, &opts))
        .map_err(error_to_js)?;
    out(&key)
}

/// Keys for many addresses in one call (fewer boundary crossings), with collisions between
/// addresses of the batch flagged. Never throws for a bad address: its outcome carries the
/// error.
#[wasm_bindgen(js_name = "emailKeys", unchecked_return_type = "EmailKeyOutcome[]")]
pub fn email_keys_js(
    #[wasm_bindgen(unchecked_param_type = "readonly string[]")] emails: JsValue,
    options: Option<tsify::Ts<KeyOptions>>,
) -> JsResult<JsValue> {
    let opts = key_options(options)?;
    let list = emails
        .dyn_ref::<js_sys::Array>()
        .ok_or_else(|| super::errors::invalid_input("emails: expected an array of strings"))?;
    let addresses = list.iter().map(|v| address(&v)).collect();
    out(&email_keys(addresses, &opts))
}
