//! Crossing the boundary, in one place. Every export reads its data arguments with [`arg`]
//! and writes its data results with [`out`]; nothing else in the binding converts.
//!
//! Both go through JSON text: `JSON.stringify` then `serde_json` one way, `serde_json` then
//! `JSON.parse` the other. Each type then has one deserializer and one serializer in the
//! wasm, the very ones the snapshot uses, instead of a second pair for JS values; and the two
//! helpers are generic only in their last step, so each export's shim stays a call. The
//! text route also refuses what a value-by-value copy would let through silently: a string
//! that is not well-formed UTF-16 (a lone surrogate, which would otherwise become U+FFFD and
//! make two inputs equal) comes out of `JSON.stringify` as a `\udXXX` escape that `serde_json`
//! rejects; a BigInt, or a cycle, makes `JSON.stringify` throw. Both become `invalid_input`
//! naming the parameter.
//!
//! Besides the pair: the record walker for user arrays ([`records_from_js`]), which keeps a
//! record whose field is ill-formed so intake can report it instead of failing the batch, and
//! the property reads and writes of the few objects that are not data (options holding
//! callbacks and signals, error objects).

use super::errors::JsResult;
use crate::core::intake::RawRecord;
use crate::core::Error;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Number, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A data argument from JS as `T`, or `invalid_input` saying which (`what`) and why.
/// `undefined` reads as `null` (an absent optional argument). Never inlined: one copy per
/// type however many exports take it.
#[inline(never)]
pub fn arg<T: DeserializeOwned>(value: JsValue, what: &str) -> JsResult<T> {
    let json = json_of(&value, what)?;
    serde_json::from_value(json).map_err(|e| not_read(what, &e))
}

/// A result for JS: plain objects and arrays (absent optional fields left out). Never
/// inlined, as [`arg`].
#[inline(never)]
pub fn out<T: Serialize + ?Sized>(value: &T) -> JsResult<JsValue> {
    let text = serde_json::to_string(value).map_err(|e| unwritable(&e))?;
    parse(&text)
}

/// The argument as JSON, before it becomes a type: the part of [`arg`] that does not depend
/// on the type, kept out of line so every export shares it.
#[inline(never)]
fn json_of(value: &JsValue, what: &str) -> JsResult<Value> {
    if value.is_undefined() {
        return Ok(Value::Null);
    }
    // `JSON.stringify` writes NaN and the infinities as `null`, which an optional field would
    // read as "absent": the replacer refuses them instead, naming the key.
    let finite = Closure::<dyn FnMut(JsValue, JsValue) -> Result<JsValue, JsValue>>::new(
        |key: JsValue, v: JsValue| match v.as_f64() {
            Some(n) if !n.is_finite() => {
                let key = key.as_string().unwrap_or_default();
                let at = if key.is_empty() {
                    String::new()
                } else {
                    format!("{key:?} ")
                };
                let n = if n.is_nan() {
                    "NaN"
                } else if n > 0.0 {
                    "Infinity"
                } else {
                    "-Infinity"
                };
                Err(js_sys::Error::new(&format!("{at}is {n}, not a finite number")).into())
            }
            _ => Ok(v),
        },
    );
    let text = js_sys::JSON::stringify_with_replacer(value, finite.as_ref()).map_err(|thrown| {
        // A BigInt, a cycle, a non-finite number or a getter that threw: say so, in the
        // thrower's words.
        let why = thrown
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| "it cannot be written as JSON".into());
        invalid(what, &format!("is not plain data ({why})"))
    })?;
    // `JSON.stringify` answers `undefined` for a function or a symbol.
    let text = text
        .as_string()
        .ok_or_else(|| invalid(what, &format!("expected data, got {}", js_type(value))))?;
    serde_json::from_str(&text).map_err(|e| {
        // `JSON.stringify` writes a lone surrogate as a `\udXXX` escape: the only escape it
        // writes that serde_json refuses.
        if e.to_string().contains("hex escape") {
            invalid(
                what,
                "holds a string that is not well-formed UTF-16 (a lone surrogate)",
            )
        } else {
            invalid(what, &e.to_string())
        }
    })
}

#[inline(never)]
fn not_read(what: &str, e: &serde_json::Error) -> JsValue {
    invalid(what, &e.to_string())
}

#[inline(never)]
fn unwritable(e: &serde_json::Error) -> JsValue {
    super::errors::invalid_input(format!("result conversion: {e}"))
}

#[inline(never)]
fn parse(text: &str) -> JsResult<JsValue> {
    js_sys::JSON::parse(text)
        .map_err(|_| super::errors::invalid_input("result conversion: not JSON"))
}

fn invalid(what: &str, why: &str) -> JsValue {
    super::errors::to_js(Error::invalid_input(format!("{what}: {why}")))
}

/// A property of an object that is not data (options with callbacks, an error), read with
/// `Reflect.get`: `Err` when the read throws (a getter, a revoked Proxy).
pub fn property(object: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    js_sys::Reflect::get(object, &JsValue::from_str(name))
}

/// An element of an array that is not data, read as [`property`] reads.
pub fn item_of(array: &JsValue, index: u32) -> Result<JsValue, JsValue> {
    js_sys::Reflect::get_u32(array, index)
}

/// Sets a property of an object we made (an error): cannot fail on our own objects, so the
/// outcome is not reported.
pub fn set_property(object: &JsValue, name: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(object, &JsValue::from_str(name), value);
}

/// Whether an object has a property (own or inherited); false for what is not an object.
pub fn has_property(object: &JsValue, name: &str) -> bool {
    object.is_object() && js_sys::Reflect::has(object, &JsValue::from_str(name)).unwrap_or(false)
}

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
