//! One exported function per kind of data the email keys and schedules consult, so the linker
//! keeps exactly those tables. Each variant reads its input as UTF-8 and returns a number that
//! depends on the whole result (so nothing is optimised away).

#[cfg(any(
    feature = "nfc",
    feature = "skeleton",
    feature = "idna",
    feature = "tz"
))]
fn input<'a>(ptr: *const u8, len: usize) -> &'a str {
    // SAFETY: the floor is only ever built and measured, never called.
    unsafe { core::str::from_utf8_unchecked(core::slice::from_raw_parts(ptr, len)) }
}

#[cfg(any(
    feature = "nfc",
    feature = "skeleton",
    feature = "idna",
    feature = "tz"
))]
fn digest(s: &str) -> u32 {
    s.bytes().fold(s.len() as u32, |h, b| {
        h.wrapping_mul(31).wrapping_add(b as u32)
    })
}

/// NFC and NFKC of the local part.
#[cfg(feature = "nfc")]
#[no_mangle]
pub extern "C" fn normalize(ptr: *const u8, len: usize, compat: bool) -> u32 {
    use unicode_normalization::UnicodeNormalization;
    let s = input(ptr, len);
    if compat {
        digest(&s.nfkc().collect::<String>())
    } else {
        digest(&s.nfc().collect::<String>())
    }
}

/// UTS #39 skeletons and mixed-script detection (the look-alike rules).
#[cfg(feature = "skeleton")]
#[no_mangle]
pub extern "C" fn skeleton(ptr: *const u8, len: usize) -> u32 {
    use unicode_security::MixedScript;
    let s = input(ptr, len);
    digest(&unicode_security::skeleton(s).collect::<String>()) + s.is_single_script() as u32
}

/// UTS #46 for the domain.
#[cfg(feature = "idna")]
#[no_mangle]
pub extern "C" fn domain(ptr: *const u8, len: usize) -> u32 {
    digest(&idna::domain_to_ascii(input(ptr, len)).unwrap_or_default())
}

/// An IANA zone by name, and a local time in it (the schedules).
#[cfg(feature = "tz")]
#[no_mangle]
pub extern "C" fn zone(ptr: *const u8, len: usize, second: i64) -> u32 {
    let Ok(tz) = jiff::tz::TimeZone::get(input(ptr, len)) else {
        return 0;
    };
    let Ok(ts) = jiff::Timestamp::from_second(second) else {
        return 0;
    };
    digest(&ts.to_zoned(tz).to_string())
}
