//! Snapshot restore with its numbers tampered: a real snapshot (the committed seed) has one
//! of its integers replaced by a value the fuzzer picks, anywhere in the file. Restore never
//! panics; it refuses every integer outside the JS safe range with `invalid_snapshot`; and
//! whatever it accepts saves back with every integer inside that range and an event counter
//! that leaves room below it, so no later change can mint an id JavaScript cannot hold.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use usersync::core::snapshot::{restore, save, EVENT_ID_CEILING, MAX_SAFE_INTEGER};
use usersync::core::ErrorCode;

const SEED: &str = include_str!("../seeds/snapshot/engine.json");

/// The JSON pointer of every number in `v`.
fn numbers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Number(_) => out.push(at),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                numbers(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                let key = k.replace('~', "~0").replace('/', "~1");
                numbers(item, format!("{at}/{key}"), out);
            }
        }
        _ => {}
    }
}

fn all_safe(v: &Value) -> bool {
    match v {
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => u <= MAX_SAFE_INTEGER,
            (None, Some(i)) => i.unsigned_abs() <= MAX_SAFE_INTEGER,
            (None, None) => true,
        },
        Value::Array(items) => items.iter().all(all_safe),
        Value::Object(map) => map.values().all(all_safe),
        _ => true,
    }
}

fuzz_target!(|data: &[u8]| {
    let [pick, sign, rest @ ..] = data else {
        return;
    };
    let mut raw = [0u8; 8];
    for (slot, byte) in raw.iter_mut().zip(rest) {
        *slot = *byte;
    }
    let magnitude = u64::from_le_bytes(raw);
    let Ok(mut snapshot) = serde_json::from_str::<Value>(SEED) else {
        return;
    };
    let mut slots = Vec::new();
    numbers(&snapshot, String::new(), &mut slots);
    let Some(pointer) = slots.get(usize::from(*pick) % slots.len().max(1)) else {
        return;
    };
    let replacement = if sign & 1 == 1 {
        Value::from(-(i64::try_from(magnitude >> 1).unwrap_or(i64::MAX)))
    } else {
        Value::from(magnitude)
    };
    if let Some(slot) = snapshot.pointer_mut(pointer) {
        *slot = replacement.clone();
    }
    let text = snapshot.to_string();
    let unsafe_value = !all_safe(&replacement);
    match restore(&text) {
        Ok(engine) => {
            assert!(!unsafe_value, "restored a snapshot holding {replacement}");
            let saved: Value = serde_json::from_str(&save(&engine).expect("saves")).expect("JSON");
            assert!(all_safe(&saved), "saved an integer outside the JS range");
            let next = saved["presence"]["nextEvent"].as_u64().unwrap_or(0);
            assert!(
                next <= EVENT_ID_CEILING,
                "event counter {next} without headroom"
            );
        }
        // The version is read first: another number there is damage or a version this
        // build lacks.
        Err(e) if pointer == "/version" => assert!(matches!(
            e.code,
            ErrorCode::InvalidSnapshot | ErrorCode::UnsupportedVersion
        )),
        Err(e) => assert_eq!(e.code, ErrorCode::InvalidSnapshot, "{}", e.message),
    }
});
