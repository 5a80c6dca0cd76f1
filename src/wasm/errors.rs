//! Core errors become real JS `Error`s (with a stack) named `UsersyncError`, carrying the
//! stable `code` and, where it applies, `index`, `id` and `field`.

use crate::core::{Error, ErrorCode};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const ERRORS_TS: &'static str = include_str!("errors.d.ts");

pub fn to_js(err: Error) -> JsValue {
    let js = js_sys::Error::new(&err.message);
    js.set_name("UsersyncError");
    let obj: &JsValue = js.as_ref();
    // Reflect::set on a fresh Error with string keys cannot fail; ignoring the Result keeps
    // this path panic-free.
    let _ = js_sys::Reflect::set(obj, &"code".into(), &err.code.as_str().into());
    if let Some(i) = err.index {
        let _ = js_sys::Reflect::set(obj, &"index".into(), &(i as f64).into());
    }
    if let Some(id) = &err.id {
        let _ = js_sys::Reflect::set(obj, &"id".into(), &id.into());
    }
    if let Some(field) = &err.field {
        let _ = js_sys::Reflect::set(obj, &"field".into(), &field.into());
    }
    if let Some(vendor) = &err.vendor_code {
        let _ = js_sys::Reflect::set(obj, &"vendorCode".into(), &vendor.into());
    }
    js.into()
}

/// A failure of the boundary itself (a value of the wrong shape from JS).
pub fn invalid_input(message: impl std::fmt::Display) -> JsValue {
    to_js(Error::new(ErrorCode::InvalidInput, message.to_string()))
}

pub type JsResult<T> = Result<T, JsValue>;

/// Whether `value` is an error thrown by usersync.
#[wasm_bindgen(
    js_name = "isUsersyncError",
    unchecked_return_type = "value is UsersyncError"
)]
pub fn is_usersync_error(
    #[wasm_bindgen(unchecked_param_type = "unknown")] value: &JsValue,
) -> bool {
    let Some(err) = value.dyn_ref::<js_sys::Error>() else {
        return false;
    };
    if err.name() != "UsersyncError" {
        return false;
    }
    js_sys::Reflect::get(value, &"code".into())
        .map(|c| c.is_string())
        .unwrap_or(false)
}
