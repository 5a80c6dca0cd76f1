//! Email identity exports (docs/identity.md). Keys are made here, in Rust, once: the JS side never
//! normalises emails itself.

use super::convert::{arg, out};
use super::errors::{to_js as error_to_js, JsResult};
use crate::core::email_key::{email_key, ConfusableIndex, EmailKey, KeyOptions};
use crate::core::{Error, ErrorCode};
use serde::{Deserialize, Serialize};
use tsify::Tsify;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

fn key_options(value: Option<tsify::Ts<KeyOptions>>) -> JsResult<KeyOptions> {
    match value {
        Some(v) => arg(v.into(), "options"),
        None => Ok(KeyOptions::default()),
    }
}

/// A lone surrogate would reach Rust as U+FFFD and could equal another address: invalid.
fn key_of(value: &JsValue, opts: &KeyOptions) -> Result<EmailKey, Error> {
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
    email_key(&String::from(s), opts)
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
    let key = key_of(&email, &opts).map_err(error_to_js)?;
    out(&key)
}

/// The outcome for one address of a batch: its key, or why it is invalid.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct EmailKeyOutcome {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<EmailKey>,
    /// Set when the address collides with another address of the batch (skeleton or NFKC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collision: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
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
    let mut outcomes: Vec<EmailKeyOutcome> = list
        .iter()
        .enumerate()
        .map(|(index, v)| match key_of(&v, &opts) {
            Ok(key) => EmailKeyOutcome {
                index,
                key: Some(key),
                collision: None,
                error: None,
            },
            Err(e) => EmailKeyOutcome {
                index,
                key: None,
                collision: None,
                error: Some(e.at(index)),
            },
        })
        .collect();
    let index = ConfusableIndex::new(outcomes.iter().filter_map(|o| o.key.as_ref()));
    for o in &mut outcomes {
        if let Some(k) = &o.key {
            o.collision = index.conflict(k);
        }
    }
    out(&outcomes)
}
