//! Email identity: the match key built from an address, and the confusable
//! checks that keep look-alike addresses from ever matching automatically.
//!
//! The key is made here, once; the JS side never normalises emails itself (its `trim()` and
//! `toLocaleLowerCase` disagree with Rust's). Invalid characters are rejected rather than
//! removed, so two different inputs never become one key by accident.

mod batch;
mod chars;
mod confusable;
mod domain;
mod local;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use super::error::{Error, ErrorCode, Result};

pub use batch::{email_keys, EmailKeyOutcome};
pub use confusable::ConfusableIndex;
pub(crate) use domain::is_plain_ldh_domain;

/// Longest address (RFC 5321's 256-byte path minus the angle brackets), in UTF-8 bytes of the key.
const MAX_ADDRESS: usize = 254;

/// How local parts compare. Both default to false.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct KeyOptions {
    /// Compare local parts case-sensitively (default false: case-insensitive).
    pub case_sensitive_local_part: bool,
    /// Strip a `+tag` from the local part (default false: `a+x@` and `a@` differ).
    pub strip_plus_tag: bool,
}

/// A validated address and the forms matching compares.
///
/// @example
/// `" Bücher@BÜCHER.de "` gives `{ key: "bücher@xn--bcher-kva.de", ... }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct EmailKey {
    /// The match key: `local@domain` normalised (what matching compares). The local part is
    /// NFC and lower case (unless case-sensitive); the domain is its UTS #46 ASCII form.
    pub key: String,
    /// UTS #39 skeleton of the key, with the domain in its Unicode form so that a punycode
    /// domain is compared by how it looks (for cross-side confusable checks).
    pub skeleton: String,
    /// The key with its local part under NFKC (+ lowercase unless case-sensitive): two
    /// addresses with equal `nfkc_key` but different `key` differ only by compatibility forms.
    pub nfkc_key: String,
    /// Why this address alone is confusable (non-ASCII turning ASCII under NFC/lowercase,
    /// compatibility characters, mixed scripts in the local part or a domain label), or None.
    /// A confusable address is still keyed, but must never be matched automatically.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confusable: Option<String>,
}

/// Validates and normalises one address.
///
/// Fails with code `invalid_email`, field `"email"`, and a message saying exactly what is
/// wrong (positions count characters from 1 in the trimmed address), e.g.
/// `"zero-width character U+200B at position 3"`. The caller adds the record's index and id.
///
/// The key of a key is the key: `email_key(k.key)` gives the same `key`, `skeleton` and
/// `nfkc_key` (it may lose a `confusable` reason that only the original spelling had, such
/// as a Kelvin sign that NFC turned into `k`).
pub fn email_key(raw: &str, opts: &KeyOptions) -> Result<EmailKey> {
    build(raw, opts).map_err(|msg| Error::new(ErrorCode::InvalidEmail, msg).with_field("email"))
}

fn build(raw: &str, opts: &KeyOptions) -> std::result::Result<EmailKey, String> {
    let addr = raw.trim();
    if addr.is_empty() {
        return Err("the address is empty".to_string());
    }
    chars::check(addr)?;
    let Some((local_raw, domain_raw)) = addr.split_once('@') else {
        return Err("the address has no '@'".to_string());
    };
    if domain_raw.contains('@') {
        return Err(if local_raw.starts_with('"') {
            "quoted local parts are not supported".to_string()
        } else {
            "the address has more than one '@'".to_string()
        });
    }
    if local_raw.is_empty() {
        return Err("the local part (before '@') is empty".to_string());
    }
    if domain_raw.is_empty() {
        return Err("the domain (after '@') is empty".to_string());
    }
    let local = local::normalise(local_raw, opts)?;
    let domain = domain::normalise(domain_raw)?;
    let key = format!("{}@{}", local.key, domain.ascii);
    if key.len() > MAX_ADDRESS {
        return Err(format!(
            "the address is {} bytes long once normalised; the limit is {MAX_ADDRESS}",
            key.len()
        ));
    }
    let skeleton = if domain.unicode.is_none() {
        unicode_security::skeleton(&key).collect()
    } else {
        let shown = format!("{}@{}", local.key, domain::display_form(&domain));
        unicode_security::skeleton(&shown).collect()
    };
    let nfkc_key = if local.nfkc == local.key {
        key.clone()
    } else {
        format!("{}@{}", local.nfkc, domain.ascii)
    };
    let reasons: Vec<String> = local.reasons.into_iter().chain(domain.reasons).collect();
    let confusable = (!reasons.is_empty()).then(|| reasons.join("; "));
    Ok(EmailKey {
        key,
        skeleton,
        nfkc_key,
        confusable,
    })
}
