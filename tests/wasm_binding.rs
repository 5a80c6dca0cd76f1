//! The binding layer under wasm-bindgen-test (Node): errors arrive as coded JS `Error`s,
//! lone surrogates are caught at the boundary, and bad input never traps the instance.
#![cfg(target_arch = "wasm32")]

use usersync::wasm::{identity, intake};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

fn code_of(err: &JsValue) -> String {
    assert!(
        err.is_instance_of::<js_sys::Error>(),
        "thrown value is an Error"
    );
    js_sys::Reflect::get(err, &"code".into())
        .unwrap()
        .as_string()
        .unwrap()
}

/// A JS string holding a lone surrogate, which Rust's `&str` could not carry.
fn lone_surrogate_email() -> JsValue {
    js_sys::JsString::from_char_code(&[0x61, 0xD800, 0x40, 0x78, 0x2E, 0x63, 0x6F]).into()
}

#[wasm_bindgen_test]
fn email_key_errors_are_coded_errors_and_the_instance_keeps_answering() {
    let err = identity::email_key_js("a\u{200B}b@example.com".into(), None).unwrap_err();
    assert_eq!(code_of(&err), "invalid_email");
    assert!(usersync::wasm::errors::is_usersync_error(&err));
    let err = identity::email_key_js(lone_surrogate_email(), None).unwrap_err();
    assert_eq!(code_of(&err), "invalid_email");
    let err = identity::email_key_js(JsValue::from_f64(42.0), None).unwrap_err();
    assert_eq!(code_of(&err), "invalid_input");
    let ok = identity::email_key_js(" Ann@Bücher.de ".into(), None).unwrap();
    let key = js_sys::Reflect::get(&ok.into(), &"key".into()).unwrap();
    assert_eq!(key.as_string().unwrap(), "ann@xn--bcher-kva.de");
}

#[wasm_bindgen_test]
fn a_lone_surrogate_id_is_rejected_not_merged() {
    let batch = js_sys::Array::new();
    for id in [
        JsValue::from(js_sys::JsString::from_char_code(&[0x75, 0xD800])),
        "u\u{FFFD}".into(),
    ] {
        let rec = js_sys::Object::new();
        js_sys::Reflect::set(&rec, &"id".into(), &id).unwrap();
        batch.push(&rec);
    }
    let out: JsValue = intake::intake_source_users(batch.into()).unwrap().into();
    let report = js_sys::Reflect::get(&out, &"report".into()).unwrap();
    let accepted = js_sys::Reflect::get(&report, &"accepted".into()).unwrap();
    assert_eq!(
        accepted.as_f64(),
        Some(1.0),
        "only the well-formed id is accepted"
    );
    let rejected: js_sys::Array = js_sys::Reflect::get(&report, &"rejected".into())
        .unwrap()
        .unchecked_into();
    let field = js_sys::Reflect::get(&rejected.get(0), &"field".into()).unwrap();
    assert_eq!(field.as_string().as_deref(), Some("id"));
}

#[wasm_bindgen_test]
fn garbage_in_every_intake_export_gives_errors_not_traps() {
    for garbage in [
        JsValue::NULL,
        JsValue::UNDEFINED,
        "x".into(),
        JsValue::from_f64(1.0),
    ] {
        assert_eq!(
            code_of(&intake::intake_source_users(garbage.clone()).unwrap_err()),
            "invalid_input"
        );
        assert_eq!(
            code_of(&intake::intake_external_users(garbage).unwrap_err()),
            "invalid_input"
        );
    }
    // The same instance still answers.
    let ok = identity::email_key_js("bob@example.com".into(), None);
    assert!(ok.is_ok());
}

/// The Presence Sync scenario through the binding: first pass, retry with a
/// refreshed directory mapping one user, a manual map through search, and a snapshot
/// restored into a fresh instance giving the same Status view.
mod scenario {
    use super::*;
    use serde_json::json;
    use tsify::Ts;
    use usersync::wasm::engine::Engine;

    fn js(v: serde_json::Value) -> JsValue {
        v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .unwrap()
    }
    use serde::Serialize;

    fn get(v: &JsValue, key: &str) -> JsValue {
        js_sys::Reflect::get(v, &key.into()).unwrap()
    }

    fn status_of(engine: &Engine, unit: &JsValue, user: &str) -> (String, Option<String>) {
        let rows: js_sys::Array = engine
            .status(Ts::new_unchecked(unit.clone()))
            .unwrap()
            .unchecked_into();
        let row = rows
            .iter()
            .find(|r| get(r, "userId").as_string().as_deref() == Some(user))
            .unwrap();
        (
            get(&row, "status").as_string().unwrap(),
            get(&row, "reason").as_string(),
        )
    }

    #[wasm_bindgen_test]
    fn auto_sync_with_retry_then_manual_map_then_snapshot() {
        let unit = js(json!({"businessUnitId": "bu-1", "platform": "ringcentral"}));
        let u = || Ts::new_unchecked(unit.clone());
        let perm = json!(["UserMapping.Map"]);
        let mut engine = Engine::new(None).unwrap();
        engine
            .load_source_users(u(), js(json!([
                {"id": "ann", "email": "Ann@Example.com", "permissions": perm},
                {"id": "carl", "email": "carl@example.com", "permissions": perm},
                {"id": "jo", "email": "jose@example.com", "firstName": "José", "lastName": "Álvarez", "permissions": perm},
                {"id": "gus", "email": "gus@example.com"},
            ])))
            .unwrap();
        engine
            .load_external_users(
                u(),
                js(json!([
                    {"id": "x-ann", "email": "ann@example.com"},
                    {"id": "x-jo", "email": "jalvarez@example.com", "displayName": "José Álvarez"},
                ])),
            )
            .unwrap();
        let now = "2026-11-23T10:00:00Z";
        let plan: JsValue = engine
            .plan_auto_sync(u(), now, Some("r1".into()))
            .unwrap()
            .into();
        let retry_users: js_sys::Array = get(&get(&plan, "retry"), "userIds").unchecked_into();
        assert_eq!(
            retry_users.length(),
            2,
            "carl and jo found nothing on the first pass"
        );
        engine
            .retry_auto_sync(
                "r1",
                js(json!([{"id": "x-carl", "email": "carl@example.com"}])),
                now,
            )
            .unwrap();
        let admin_json = json!({"id": "admin", "permissions": ["UserMapping.Map"]});
        // A bare string actor says nothing about permissions: refused, nothing applied.
        let err = engine
            .apply_plan(
                JsValue::from_str("r1"),
                JsValue::from_str("auto_sync"),
                JsValue::from_str(now),
                JsValue::UNDEFINED,
            )
            .err()
            .unwrap();
        assert_eq!(code_of(&err), "permission_denied");
        // An actor without the permission: refused too.
        let viewer =
            json!({"runId": "r1", "actor": {"id": "viewer", "permissions": []}, "now": now});
        let err = engine
            .apply_plan(
                js(viewer),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            )
            .err()
            .unwrap();
        assert_eq!(code_of(&err), "permission_denied");
        assert_eq!(status_of(&engine, &unit, "ann").0, "unmapped");
        engine
            .apply_plan(
                js(json!({"runId": "r1", "actor": admin_json, "now": now})),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            )
            .unwrap();
        assert_eq!(status_of(&engine, &unit, "ann").0, "mapped");
        assert_eq!(
            status_of(&engine, &unit, "carl").0,
            "mapped",
            "the retry mapped carl"
        );
        assert_eq!(
            status_of(&engine, &unit, "jo"),
            ("unmapped".into(), Some("no_match".into()))
        );
        assert_eq!(
            status_of(&engine, &unit, "gus"),
            ("skipped".into(), Some("no_permission".into()))
        );

        let hits: js_sys::Array = engine
            .search_external(u(), "alvarez", None)
            .unwrap()
            .unchecked_into();
        let ext = get(&hits.get(0), "externalId").as_string().unwrap();
        // The deprecated positional form still maps, with an Actor.
        engine
            .map(
                unit.clone(),
                js(admin_json.clone()),
                JsValue::from_str("jo"),
                JsValue::from_str(&ext),
                JsValue::from_str(now),
                JsValue::UNDEFINED,
            )
            .unwrap();
        assert_eq!(status_of(&engine, &unit, "jo").0, "mapped");
        let change = json!({"unit": {"businessUnitId": "bu-1", "platform": "ringcentral"},
            "actor": admin_json, "userId": "jo", "now": now});
        let none = || JsValue::UNDEFINED;
        engine
            .unmap(js(change.clone()), none(), none(), none())
            .unwrap();
        assert_eq!(status_of(&engine, &unit, "jo").0, "unmapped");
        let params = json!({"unit": {"businessUnitId": "bu-1", "platform": "ringcentral"},
            "actor": admin_json, "userId": "jo", "externalId": ext, "now": now});
        engine
            .map(js(params), none(), none(), none(), none(), none())
            .unwrap();
        assert_eq!(status_of(&engine, &unit, "jo").0, "mapped");

        let snap = engine.save_snapshot().unwrap();
        let restored = Engine::from_snapshot(&snap).unwrap();
        assert_eq!(restored.save_snapshot().unwrap(), snap);
        let err = Engine::from_snapshot("{\"format\":\"usersync-snapshot\",\"version\":7}")
            .err()
            .unwrap();
        assert_eq!(code_of(&err), "unsupported_version");
    }
}

/// Arguments cross as JSON text: what JSON cannot carry faithfully is refused, naming the
/// parameter, and the instance keeps answering.
mod conversion {
    use super::*;
    use tsify::Ts;
    use usersync::wasm::engine::Engine;

    fn object(pairs: &[(&str, JsValue)]) -> JsValue {
        let o = js_sys::Object::new();
        for (k, v) in pairs {
            js_sys::Reflect::set(&o, &(*k).into(), v).unwrap();
        }
        o.into()
    }

    fn message_of(err: &JsValue) -> String {
        js_sys::Reflect::get(err, &"message".into())
            .unwrap()
            .as_string()
            .unwrap()
    }

    fn unit_with(bu: JsValue) -> Ts<usersync::core::mapping::UnitRef> {
        Ts::new_unchecked(object(&[
            ("businessUnitId", bu),
            ("platform", "ringcentral".into()),
        ]))
    }

    #[wasm_bindgen_test]
    fn what_json_cannot_carry_is_refused_naming_the_parameter() {
        let engine = Engine::new(None).unwrap();
        let lone: JsValue = js_sys::JsString::from_char_code(&[0x62, 0xD800]).into();
        let cycle = object(&[("platform", "ringcentral".into())]);
        js_sys::Reflect::set(&cycle, &"businessUnitId".into(), &cycle).unwrap();
        let function: JsValue = js_sys::Function::new_no_args("return 1").into();
        for (what, unit, says) in [
            ("a lone surrogate", unit_with(lone), "lone surrogate"),
            (
                "a BigInt",
                unit_with(js_sys::BigInt::from(10).into()),
                "not plain data",
            ),
            ("a cycle", Ts::new_unchecked(cycle), "not plain data"),
            ("a function", Ts::new_unchecked(function), "got function"),
            (
                "NaN",
                unit_with(f64::NAN.into()),
                "\"businessUnitId\" is NaN, not a finite number",
            ),
            (
                "an infinity",
                unit_with(f64::NEG_INFINITY.into()),
                "is -Infinity, not a finite number",
            ),
        ] {
            let err = engine.status(unit).unwrap_err();
            assert_eq!(code_of(&err), "invalid_input", "{what}");
            let message = message_of(&err);
            assert!(message.starts_with("unit: "), "{what}: {message}");
            assert!(message.contains(says), "{what}: {message}");
        }
        let ok = engine.status(unit_with("bu-1".into())).unwrap_err();
        assert_eq!(code_of(&ok), "not_found", "the engine still answers");
    }

    #[wasm_bindgen_test]
    fn absent_optional_fields_stay_absent_in_results() {
        let engine = Engine::new(None).unwrap();
        let entry = engine.schedule(unit_with("bu-1".into())).unwrap();
        let unit = js_sys::Reflect::get(&entry, &"unit".into()).unwrap();
        assert_eq!(
            js_sys::Reflect::get(&unit, &"businessUnitId".into())
                .unwrap()
                .as_string()
                .as_deref(),
            Some("bu-1")
        );
        for key in ["schedule", "savedBy", "lastRun"] {
            assert!(
                !js_sys::Reflect::has(&entry, &key.into()).unwrap(),
                "{key} is absent, not null"
            );
        }
    }
}
