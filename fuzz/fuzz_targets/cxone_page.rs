//! CXone agents pages, with an arbitrary profile lookup: any body decodes to records or a
//! typed error, never a panic; a next page is always after this one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use usersync::core::directory::cxone::{self, ProfileIndex, ProfilePermissions};
use usersync::core::directory::NextPage;

fuzz_target!(|input: (u32, u32, Vec<(String, Vec<String>)>, &[u8])| {
    let (page, per_page, profiles, body) = input;
    let list: Vec<ProfilePermissions> = profiles
        .into_iter()
        .map(|(profile_id, permissions)| ProfilePermissions {
            profile_id,
            permissions,
        })
        .collect();
    let Ok(index) = ProfileIndex::new(&list) else {
        return;
    };
    if let Ok(p) = cxone::decode_page(page, per_page, body, &index) {
        if let NextPage::Page(n) = p.next {
            assert!(
                n > page || page == u32::MAX,
                "next page {n} is not after {page}"
            );
        }
    }
});
