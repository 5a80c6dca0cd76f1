//! Reads a connector's options object without ever letting a JS exception through: every
//! property is read with `Reflect.get` (`convert::property`, which reports a throwing getter
//! or a revoked Proxy as an error) and checked for its type here, one level at a time, so no
//! value is walked recursively and the promise always settles with a coded error naming the
//! option.

use crate::core::Error;
use crate::wasm::convert::{item_of, property};
use crate::wasm::errors::to_js;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

/// Longest list an option may hold (profiles, hosts, types): far above any real one.
const MAX_ENTRIES: u32 = 100_000;

/// An options object, or one of its nested objects, with the path used in messages.
pub struct Options {
    value: JsValue,
    path: String,
}

fn bad(path: &str, field: &str, what: &str) -> JsValue {
    // Paths of options start with "." ("options.retry.maxRetries"); other arguments name
    // themselves ("emails[3]").
    let whole = if path.starts_with('.') {
        format!("options{path}")
    } else {
        path.to_string()
    };
    to_js(Error::invalid_input(format!("{whole} {what}")).with_field(field))
}

impl Options {
    pub fn root(value: &JsValue) -> Result<Self, JsValue> {
        if !value.is_object() {
            return Err(to_js(Error::invalid_input("options must be an object")));
        }
        Ok(Options {
            value: value.clone(),
            path: String::new(),
        })
    }

    fn path(&self, name: &str) -> String {
        format!("{}.{name}", self.path)
    }

    /// The property, `None` when undefined or null.
    fn get(&self, name: &str) -> Result<Option<JsValue>, JsValue> {
        let v = property(&self.value, name).map_err(|_| {
            bad(
                &self.path(name),
                name,
                "cannot be read (its getter threw, or the object is a revoked Proxy)",
            )
        })?;
        Ok((!v.is_undefined() && !v.is_null()).then_some(v))
    }

    pub fn string(&self, name: &str) -> Result<Option<String>, JsValue> {
        self.get(name)?
            .map(|v| as_string(&v).ok_or_else(|| bad(&self.path(name), name, "must be a string")))
            .transpose()
    }

    pub fn required_string(&self, name: &str) -> Result<String, JsValue> {
        self.string(name)?
            .ok_or_else(|| bad(&self.path(name), name, "is required (a string)"))
    }

    pub fn u32(&self, name: &str) -> Result<Option<u32>, JsValue> {
        let Some(v) = self.get(name)? else {
            return Ok(None);
        };
        match v.as_f64() {
            Some(n) if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) => {
                Ok(Some(n as u32))
            }
            _ => Err(bad(
                &self.path(name),
                name,
                "must be a whole number from 0 to 4294967295",
            )),
        }
    }

    /// A nested plain object.
    pub fn object(&self, name: &str) -> Result<Option<Options>, JsValue> {
        let Some(v) = self.get(name)? else {
            return Ok(None);
        };
        if !v.is_object() || v.is_function() {
            return Err(bad(&self.path(name), name, "must be an object"));
        }
        Ok(Some(Options {
            value: v,
            path: self.path(name),
        }))
    }

    /// A list, as its entries (read one by one, each read checked).
    pub fn list(&self, name: &str) -> Result<Option<Vec<(String, JsValue)>>, JsValue> {
        match self.get(name)? {
            Some(v) => list_of(&v, &self.path(name), name).map(Some),
            None => Ok(None),
        }
    }

    pub fn strings(&self, name: &str) -> Result<Option<Vec<String>>, JsValue> {
        match self.get(name)? {
            Some(v) => strings_of(&v, &self.path(name), name).map(Some),
            None => Ok(None),
        }
    }

    pub fn function(&self, name: &str) -> Result<Option<js_sys::Function>, JsValue> {
        self.get(name)?
            .map(|v| {
                if v.is_function() {
                    Ok(v.unchecked_into::<js_sys::Function>())
                } else {
                    Err(bad(&self.path(name), name, "must be a function"))
                }
            })
            .transpose()
    }

    pub fn signal(&self, name: &str) -> Result<Option<AbortSignal>, JsValue> {
        let Some(v) = self.get(name)? else {
            return Ok(None);
        };
        // A real AbortSignal answers `aborted` with a boolean; a look-alike or a Proxy of one
        // (whose getter would throw later, outside any check) is refused now.
        let genuine = v.dyn_ref::<AbortSignal>().is_some()
            && property(&v, "aborted").is_ok_and(|a| a.as_bool().is_some());
        if genuine {
            Ok(Some(v.unchecked_into()))
        } else {
            Err(bad(&self.path(name), name, "must be an AbortSignal"))
        }
    }

    /// Wraps an entry of a list as an object to read fields from.
    pub fn entry(path: String, value: JsValue, field: &str) -> Result<Options, JsValue> {
        if !value.is_object() || value.is_function() {
            return Err(bad(&path, field, "must be an object"));
        }
        Ok(Options { value, path })
    }

    /// A string or a number (ids), as a string; numbers must be whole to stay exact.
    pub fn id(&self, name: &str) -> Result<Option<String>, JsValue> {
        let Some(v) = self.get(name)? else {
            return Ok(None);
        };
        if let Some(s) = as_string(&v) {
            return Ok(Some(s));
        }
        match v.as_f64() {
            Some(n) if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 => {
                Ok(Some(format!("{}", n as i64)))
            }
            _ => Err(bad(
                &self.path(name),
                name,
                "must be a string or a whole number",
            )),
        }
    }
}

/// The entries of a JS array, each read checked; `path` names it in messages.
pub fn list_of(v: &JsValue, path: &str, field: &str) -> Result<Vec<(String, JsValue)>, JsValue> {
    // `instanceof` through wasm-bindgen's guarded check: false, not a throw, for a revoked Proxy.
    if v.dyn_ref::<js_sys::Array>().is_none() {
        return Err(bad(path, field, "must be an array"));
    }
    let len = property(v, "length")
        .ok()
        .and_then(|l| l.as_f64())
        .ok_or_else(|| bad(path, field, "cannot be read (its length is unreadable)"))?;
    if !(0.0..=f64::from(MAX_ENTRIES)).contains(&len) {
        return Err(bad(
            path,
            field,
            &format!("has more than {MAX_ENTRIES} entries"),
        ));
    }
    let mut out = Vec::new();
    for i in 0..len as u32 {
        let item = item_of(v, i).map_err(|_| {
            bad(
                &format!("{path}[{i}]"),
                field,
                "cannot be read (its getter threw)",
            )
        })?;
        out.push((format!("{path}[{i}]"), item));
    }
    Ok(out)
}

/// A JS array of strings.
pub fn strings_of(v: &JsValue, path: &str, field: &str) -> Result<Vec<String>, JsValue> {
    list_of(v, path, field)?
        .into_iter()
        .map(|(p, item)| as_string(&item).ok_or_else(|| bad(&p, field, "must be a string")))
        .collect()
}

fn as_string(v: &JsValue) -> Option<String> {
    let s = v.dyn_ref::<js_sys::JsString>()?;
    // A lone surrogate would silently become U+FFFD: refuse rather than change the value.
    s.is_valid_utf16().then(|| String::from(s))
}
