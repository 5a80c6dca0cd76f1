//! RingCentral extension-list pages: any response body decodes to records or a typed
//! error, never a panic; a next page is always after this one; only people are kept.
#![no_main]

use libfuzzer_sys::fuzz_target;
use usersync::core::directory::ringcentral::{self, PersonType};
use usersync::core::directory::{NextPage, Tally};

fuzz_target!(|input: (u32, bool, &[u8])| {
    let (page, all_people, body) = input;
    let extra: &[PersonType] = if all_people { PersonType::ALL } else { &[] };
    if let Ok(p) = ringcentral::decode_page_with(page, body, extra) {
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
        assert!(p.records.len() as u64 <= p.received);
        let mut tally = Tally::default();
        tally.add(&p);
        let _ = ringcentral::next_step(page, &tally, &p);
    }
});
