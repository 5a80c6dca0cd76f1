//! email_key over any string and both options: never panics; a key is bounded and is its own
//! key (normalising is idempotent); an error message stays short however long the
//! input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use usersync::core::email_key::{email_key, KeyOptions};
use usersync::core::ErrorCode;

fuzz_target!(|input: (bool, bool, &str)| {
    let (case_sensitive_local_part, strip_plus_tag, raw) = input;
    let opts = KeyOptions {
        case_sensitive_local_part,
        strip_plus_tag,
    };
    match email_key(raw, &opts) {
        Ok(k) => {
            assert!(
                k.key.len() <= 254,
                "key longer than the address limit: {}",
                k.key.len()
            );
            assert_eq!(
                k.key.matches('@').count(),
                1,
                "key {:?} must have one '@'",
                k.key
            );
            let again = email_key(&k.key, &opts).unwrap_or_else(|e| {
                panic!("the key {:?} of {raw:?} is rejected: {}", k.key, e.message)
            });
            assert_eq!(again.key, k.key, "key of a key differs for {raw:?}");
            assert_eq!(
                again.skeleton, k.skeleton,
                "skeleton of a key differs for {raw:?}"
            );
            assert_eq!(
                again.nfkc_key, k.nfkc_key,
                "nfkc key of a key differs for {raw:?}"
            );
        }
        Err(e) => {
            assert_eq!(e.code, ErrorCode::InvalidEmail);
            assert!(!e.message.is_empty());
            // Messages quote hostile input only in part (they end up in reports and JS errors).
            assert!(e.message.len() < 1024, "a {}-byte message", e.message.len());
        }
    }
});
