//! RingCentral extension-list pages: any response body decodes to records or a typed
//! error, never a panic; a next page is always after this one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use usersync::core::directory::{ringcentral, NextPage};

fuzz_target!(|input: (u32, &[u8])| {
    let (page, body) = input;
    if let Ok(p) = ringcentral::decode_page(page, body) {
        if let NextPage::Page(n) = p.next {
            assert!(
                n > page || page == u32::MAX,
                "next page {n} is not after {page}"
            );
        }
        assert!(
            p.records.iter().all(|r| !r.id.is_empty()),
            "a record without an id"
        );
    }
});
