//! The local half of the key: NFC, then locale-free lower case unless case-sensitive. Never
//! NFKC, never case folding (`ß` stays `ß`), never accent stripping: those would merge
//! addresses that mail servers keep apart. NFKC is computed only to flag look-alikes.

use std::iter::once;

use unicode_normalization::{is_nfc, is_nfkc, UnicodeNormalization};

use super::confusable::mixed_scripts;
use super::KeyOptions;

/// Longest local part, in UTF-8 bytes after normalisation (RFC 5321 4.5.3.1.1, RFC 6531).
pub(super) const MAX_LOCAL: usize = 64;

pub(super) struct Local {
    /// The normalised local part: the part of the key before `@`.
    pub key: String,
    /// `key` under NFKC (and lower case unless case-sensitive).
    pub nfkc: String,
    /// Confusable reasons found in this local part alone.
    pub reasons: Vec<String>,
}

pub(super) fn normalise(raw: &str, opts: &KeyOptions) -> Result<Local, String> {
    check_specials(raw, "")?;
    let (body, stripped) = match raw.split_once('+') {
        Some((body, _)) if opts.strip_plus_tag => (body, true),
        _ => (raw, false),
    };
    if body.is_empty() {
        return Err("the local part is empty once the +tag is removed".to_string());
    }
    let mut reasons = Vec::new();
    let key = if body.is_ascii() {
        // The fast path: ASCII is already NFC and NFKC, and lower-cases to ASCII.
        if opts.case_sensitive_local_part {
            body.to_string()
        } else {
            body.to_ascii_lowercase()
        }
    } else {
        let nfc = nfc_of(body);
        for c in body.chars().filter(|c| !c.is_ascii()) {
            let mapped: String = once(c).nfc().collect();
            if mapped.chars().any(|m| m.is_ascii()) {
                reasons.push(format!(
                    "U+{:04X} '{c}' becomes '{mapped}' under NFC",
                    c as u32
                ));
            }
        }
        if opts.case_sensitive_local_part {
            nfc
        } else {
            for c in nfc.chars().filter(|c| !c.is_ascii()) {
                let mapped: String = c.to_lowercase().collect();
                if mapped.chars().any(|m| m.is_ascii()) {
                    reasons.push(format!(
                        "U+{:04X} '{c}' becomes '{mapped}' under lower-casing",
                        c as u32
                    ));
                }
            }
            // Lower-casing can leave a sequence NFC would compose; NFC again keeps the key
            // a fixed point (the key of a key is the key).
            nfc_of(&nfc.to_lowercase())
        }
    };
    check_specials(&key, " after normalisation")?;
    check_dots(&key, stripped)?;
    if key.len() > MAX_LOCAL {
        return Err(format!(
            "the local part is {} bytes long in UTF-8 after normalisation; the limit is {MAX_LOCAL}",
            key.len()
        ));
    }
    let nfkc = if key.is_ascii() {
        key.clone()
    } else {
        nfkc_of(&key, opts)
    };
    if nfkc != key {
        reasons.push(format!(
            "the local part has compatibility characters: under NFKC it reads '{nfkc}'"
        ));
    }
    if !key.is_ascii() {
        if let Some(why) = mixed_scripts(&key) {
            reasons.push(format!("the local part {why}"));
        }
    }
    Ok(Local { key, nfkc, reasons })
}

fn nfc_of(s: &str) -> String {
    if is_nfc(s) {
        s.to_string()
    } else {
        s.nfc().collect()
    }
}

fn nfkc_of(key: &str, opts: &KeyOptions) -> String {
    let n: String = key.nfkc().collect();
    if opts.case_sensitive_local_part {
        return n;
    }
    let lower = n.to_lowercase();
    if is_nfkc(&lower) {
        lower
    } else {
        lower.nfkc().collect()
    }
}

/// ASCII characters RFC 5322 allows only inside a quoted local part. Quoted local parts and
/// comments are not supported for matching: no directory uses them, and their equality rules
/// (escapes, which quotes are redundant) would need a second normal form.
fn check_specials(local: &str, when: &str) -> Result<(), String> {
    let Some(c) = local.chars().find(|c| "\"(),:;<>@[\\]".contains(*c)) else {
        return Ok(());
    };
    Err(match c {
        '"' => format!("quoted local parts are not supported (found '\"'{when})"),
        '(' | ')' => format!("comments '(...)' are not supported (found '{c}'{when})"),
        _ => format!("character '{c}' is not allowed in the local part{when}"),
    })
}

/// RFC 5321's dot-string: a dot only between two atoms. `a..b@` and `.a@` are rejected
/// rather than matched, because no server delivers to them, so a directory holding one
/// holds a typo, and matching it (say, to `a.b@`) would pick a person on a guess.
fn check_dots(key: &str, stripped: bool) -> Result<(), String> {
    let after = if stripped {
        " once the +tag is removed"
    } else {
        ""
    };
    if key.starts_with('.') {
        Err(format!("the local part starts with '.'{after}"))
    } else if key.ends_with('.') {
        Err(format!("the local part ends with '.'{after}"))
    } else if key.contains("..") {
        Err(format!("the local part has two dots in a row{after}"))
    } else {
        Ok(())
    }
}
