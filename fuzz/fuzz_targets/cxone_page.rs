//! CXone agents pages, with an arbitrary profile lookup and an arbitrary tally before it:
//! any body decodes to records or a typed error, never a panic; the next offset is always
//! past what has arrived, and an empty page never continues.
#![no_main]

use libfuzzer_sys::fuzz_target;
use usersync::core::directory::cxone::{self, ProfileIndex, ProfilePermissions};
use usersync::core::directory::{NextPage, Tally};

fuzz_target!(
    |input: (u32, u64, Option<u64>, Vec<(String, Vec<String>)>, &[u8])| {
        let (page, received, total, profiles, body) = input;
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
        if let Ok(p) = cxone::decode_page(page, body, &index) {
            assert_eq!(p.received, p.records.len() as u64);
            let mut tally = Tally {
                pages: page.saturating_sub(1),
                received,
                total,
            };
            tally.add(&p);
            match cxone::next_step(page, &tally, &p) {
                Ok(NextPage::Skip(n)) => {
                    assert!(
                        p.received > 0 && n == tally.received,
                        "skip {n} is not what arrived"
                    )
                }
                Ok(NextPage::Page(_)) => panic!("CXone pages by offset or link"),
                Ok(_) => {}
                Err(e) => assert_eq!(p.received, 0, "only an empty page ends early: {e}"),
            }
        }
    }
);
