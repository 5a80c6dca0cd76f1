//! Crossing the boundary. JS values become `serde_json` values here, with one check the
//! stock conversions skip: a JS string that is not well-formed UTF-16 (a lone surrogate)
//! would silently become U+FFFD in Rust, making different inputs equal, so such fields are
//! named in `RawRecord::ill_formed` for the core to reject or invalidate.

use crate::core::intake::RawRecord;
use serde::Serialize;
use serde_json::{Map, Number, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Records are flat (strings, booleans, lists of strings); anything nested deeper than this
/// is not a record of ours, and stopping here keeps hostile input from recursing far.
const MAX_DEPTH: u32 = 8;

/// What one element of an input array turned out to be.
pub enum Element {
    Record(RawRecord),
    /// Not an object: the message says what it was.
    NotARecord(String),
}

/// Walk a JS array of records. `Err` when `value` is not an array at all.
pub fn records_from_js(value: &JsValue) -> Result<Vec<(usize, Element)>, String> {
    let array: &js_sys::Array = value
        .dyn_ref::<js_sys::Array>()
        .ok_or_else(|| format!("expected an array of records, got {}", js_type(value)))?;
    let mut out = Vec::with_capacity(array.length() as usize);
    for (index, item) in array.iter().enumerate() {
        out.push((index, element(index, &item)));
    }
    Ok(out)
}

fn element(index: usize, item: &JsValue) -> Element {
    if !item.is_object() || js_sys::Array::is_array(item) {
        return Element::NotARecord(format!("expected an object, got {}", js_type(item)));
    }
    let mut fields = Map::new();
    let mut ill_formed = Vec::new();
    for entry in js_sys::Object::entries(item.unchecked_ref()).iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        let Some(key) = pair.get(0).as_string() else {
            continue;
        };
        let mut bad = false;
        let value = to_json(&pair.get(1), 0, &mut bad);
        if bad {
            ill_formed.push(key.clone());
        }
        fields.insert(key, value);
    }
    Element::Record(RawRecord {
        position: index,
        fields,
        ill_formed,
    })
}

fn to_json(v: &JsValue, depth: u32, ill_formed: &mut bool) -> Value {
    if let Some(s) = v.dyn_ref::<js_sys::JsString>() {
        if !s.is_valid_utf16() {
            *ill_formed = true;
        }
        return Value::String(String::from(s));
    }
    if let Some(b) = v.as_bool() {
        return Value::Bool(b);
    }
    if let Some(n) = v.as_f64() {
        return number(n);
    }
    if v.is_null() || v.is_undefined() || depth >= MAX_DEPTH {
        return Value::Null;
    }
    if let Some(array) = v.dyn_ref::<js_sys::Array>() {
        return Value::Array(
            array
                .iter()
                .map(|x| to_json(&x, depth + 1, ill_formed))
                .collect(),
        );
    }
    if v.is_object() {
        let mut map = Map::new();
        for entry in js_sys::Object::entries(v.unchecked_ref()).iter() {
            let pair: js_sys::Array = entry.unchecked_into();
            if let Some(key) = pair.get(0).as_string() {
                map.insert(key, to_json(&pair.get(1), depth + 1, ill_formed));
            }
        }
        return Value::Object(map);
    }
    // Symbols, bigints, functions: not data a record can hold.
    Value::Null
}

fn number(n: f64) -> Value {
    // Integral values that fit stay integers so an int64-like id keeps its digits.
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        return Value::Number(Number::from(n as i64));
    }
    Number::from_f64(n)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

fn js_type(v: &JsValue) -> String {
    if v.is_null() {
        "null".into()
    } else if js_sys::Array::is_array(v) {
        "an array".into()
    } else {
        v.js_typeof()
            .as_string()
            .unwrap_or_else(|| "a value".into())
    }
}

/// Rust to JS through one shared serializer: plain objects for structs, `undefined` left out.
/// Nothing we serialise is a map keyed by outside data (see CONVENTIONS: `__proto__`).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value
        .serialize(&serializer)
        .map_err(super::errors::invalid_input)
}

/// A JS string as Rust, refusing the lone surrogates that would make two inputs equal.
pub fn well_formed_string(value: &JsValue, what: &str) -> Result<String, JsValue> {
    let s = value
        .dyn_ref::<js_sys::JsString>()
        .ok_or_else(|| super::errors::invalid_input(format!("{what}: expected a string")))?;
    if !s.is_valid_utf16() {
        return Err(super::errors::invalid_input(format!(
            "{what}: not well-formed UTF-16 (a lone surrogate)"
        )));
    }
    Ok(String::from(s))
}
