//! Snapshot restore over arbitrary text (seeded with a real snapshot): never panics; a
//! refusal is `invalid_snapshot` or `unsupported_version`; whatever is accepted validates,
//! and saves and restores to the same engine.
#![no_main]

use libfuzzer_sys::fuzz_target;
use usersync::core::snapshot::{restore, save};
use usersync::core::ErrorCode;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    match restore(json) {
        Ok(engine) => {
            engine.validate().expect("a restored engine validates");
            let saved = save(&engine).expect("a restored engine saves");
            let again = restore(&saved).expect("a saved engine restores");
            assert!(again == engine, "save/restore is not a round trip");
            assert_eq!(
                save(&again).expect("save"),
                saved,
                "saving is not deterministic"
            );
        }
        Err(e) => assert!(
            matches!(
                e.code,
                ErrorCode::InvalidSnapshot | ErrorCode::UnsupportedVersion
            ),
            "restore failed with {:?}: {}",
            e.code,
            e.message
        ),
    }
});
