//! Core errors become real JS `Error`s (with a stack) named `UsersyncError`, carrying the
//! stable `code` and, where it applies, `index`, `id` and `field`.

use super::convert::{property, set_property};
use crate::core::{Error, ErrorCode};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const ERRORS_TS: &'static str = include_str!("errors.d.ts");

pub fn to_js(err: Error) -> JsValue {
    let js = js_sys::Error::new(&err.message);
    js.set_name("UsersyncError");
    let obj: &JsValue = js.as_ref();
    set_property(obj, "code", &err.code.as_str().into());
    if let Some(i) = err.index {
        set_property(obj, "index", &(i as f64).into());
    }
    if let Some(id) = &err.id {
        set_property(obj, "id", &id.into());
    }
    if let Some(field) = &err.field {
        set_property(obj, "field", &field.into());
    }
    if let Some(vendor) = &err.vendor_code {
        set_property(obj, "vendorCode", &vendor.into());
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
    property(value, "code").is_ok_and(|c| c.is_string())
}
