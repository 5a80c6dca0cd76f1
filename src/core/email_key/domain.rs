//! The domain half of the key: UTS #46 ToASCII (non-transitional, STD3, CheckHyphens,
//! VerifyDnsLength), lower case. The UTS #46 mapping is authoritative for domains, so a
//! domain that maps (fullwidth letters, upper case, `。`) is not confusable by itself; only a
//! label that mixes scripts is.

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

/// Longest domain in ASCII form (RFC 1035, without the root dot).
pub(super) const MAX_DOMAIN: usize = 253;
const MAX_LABEL: usize = 63;

/// A validated domain.
pub(super) struct Domain {
    /// ASCII (punycode) form, lower case: the part of the key after `@`.
    pub ascii: String,
    /// Unicode form when some label is punycode (`xn--`), for skeletons and script checks.
    pub unicode: Option<String>,
    /// Confusable reasons (mixed-script labels).
    pub reasons: Vec<String>,
}

/// Characters UTS #46 maps to `.` before splitting labels; treated as dots here too so the
/// messages about empty labels and trailing dots name the real problem.
fn is_dot(c: char) -> bool {
    matches!(c, '.' | '\u{3002}' | '\u{FF0E}' | '\u{FF61}')
}

pub(super) fn normalise(raw: &str) -> Result<Domain, String> {
    let shown = clip(raw);
    if raw.starts_with('[') {
        return Err(format!(
            "IP-address literals are not supported (domain '{shown}')"
        ));
    }
    if raw.contains(['(', ')']) {
        return Err(format!(
            "comments '(...)' are not supported (domain '{shown}')"
        ));
    }
    if raw.ends_with(is_dot) {
        return Err(format!("the domain '{shown}' ends with a dot"));
    }
    let mut labels = raw.split(is_dot);
    if labels.any(str::is_empty) {
        return Err(format!(
            "the domain '{shown}' has an empty label (a leading dot or two dots in a row)"
        ));
    }
    for label in raw.split(is_dot).filter(|l| l.is_ascii()) {
        check_ascii_label(label)?;
    }
    if let Some(ascii) = ldh_fast_path(raw) {
        return Ok(Domain {
            ascii,
            unicode: None,
            reasons: Vec::new(),
        });
    }
    let ascii = Uts46::new()
        .to_ascii(
            raw.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::Check,
            DnsLength::Verify,
        )
        .map_err(|_| diagnose(raw))?
        .to_ascii_lowercase();
    let has_punycode = ascii.split('.').any(|l| l.starts_with("xn--"));
    if !has_punycode {
        return Ok(Domain {
            ascii,
            unicode: None,
            reasons: Vec::new(),
        });
    }
    let (unicode, _) =
        Uts46::new().to_unicode(ascii.as_bytes(), AsciiDenyList::STD3, Hyphens::Check);
    let unicode = unicode.into_owned();
    let reasons = unicode
        .split('.')
        .filter(|l| !l.is_ascii())
        .filter_map(|l| {
            super::confusable::mixed_scripts(l).map(|why| format!("domain label '{l}' {why}"))
        })
        .collect();
    Ok(Domain {
        ascii,
        unicode: Some(unicode),
        reasons,
    })
}

/// Precise messages for the ASCII rules idna would only report as "invalid".
fn check_ascii_label(label: &str) -> Result<(), String> {
    if let Some(c) = label
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(format!(
            "character '{c}' is not allowed in a domain (letters, digits and hyphens only)"
        ));
    }
    let shown = clip(label);
    if label.starts_with('-') || label.ends_with('-') {
        return Err(format!(
            "the domain label '{shown}' starts or ends with a hyphen"
        ));
    }
    let reserved = label.get(2..4) == Some("--");
    if reserved && !label.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("xn")) {
        return Err(format!(
            "the domain label '{shown}' has '--' in positions 3-4, which is reserved for 'xn--' (punycode)"
        ));
    }
    if label.len() > MAX_LABEL {
        return Err(format!(
            "the domain label '{shown}' is longer than {MAX_LABEL} characters"
        ));
    }
    Ok(())
}

/// An all-ASCII letter-digit-hyphen domain needs no UTS #46 mapping: ToASCII only lowers its
/// case and checks the rules below. Labels with `--` in positions 3-4 (`xn--` punycode and
/// the reserved forms) go to idna, which decodes and validates them.
pub(super) fn ldh_fast_path(raw: &str) -> Option<String> {
    is_plain_ldh_domain(raw).then(|| raw.to_ascii_lowercase())
}

/// Whether `raw` is an ASCII letter-digit-hyphen domain that UTS #46 would accept unchanged
/// but for case (the condition of the fast paths here and in bulk matching).
pub(crate) fn is_plain_ldh_domain(raw: &str) -> bool {
    if raw.is_empty() || raw.len() > MAX_DOMAIN {
        return false;
    }
    raw.split('.').all(|label| {
        let b = label.as_bytes();
        let ldh = b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-');
        let hyphen_edge = b.first() == Some(&b'-') || b.last() == Some(&b'-');
        let reserved = b.get(2..4) == Some(b"--");
        !(b.is_empty() || b.len() > MAX_LABEL || !ldh || hyphen_edge || reserved)
    })
}

/// Names which UTS #46 rule a domain broke by retrying with one check relaxed at a time
/// (error path only, so the extra passes cost nothing on valid data).
fn diagnose(raw: &str) -> String {
    let uts46 = Uts46::new();
    let passes = |deny, hyphens, len| uts46.to_ascii(raw.as_bytes(), deny, hyphens, len).is_ok();
    let why = if passes(AsciiDenyList::STD3, Hyphens::Allow, DnsLength::Verify) {
        "a label starts or ends with a hyphen, or has '--' in positions 3-4"
    } else if passes(AsciiDenyList::EMPTY, Hyphens::Check, DnsLength::Verify) {
        "after UTS #46 mapping it has a character other than letters, digits and hyphens"
    } else if passes(AsciiDenyList::STD3, Hyphens::Check, DnsLength::Ignore) {
        "in ASCII form a label is longer than 63 bytes or the domain longer than 253"
    } else {
        "it has a disallowed character, invalid punycode, or breaks the bidi or joiner rules"
    };
    format!(
        "the domain '{}' is not a valid domain name under UTS #46: {why}",
        clip(raw)
    )
}

/// Longest piece of a domain quoted in a message, in characters.
const SHOWN: usize = 80;

/// `s` as quoted in a message: hostile input can be megabytes long, and every message is
/// copied into reports and JS errors, so only the start is shown.
fn clip(s: &str) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{}... ({} bytes)", &s[..end], s.len()).into(),
        None => s.into(),
    }
}

/// The Unicode form of a key's domain (for the skeleton), which is the ASCII form unless a
/// label is punycode.
pub(super) fn display_form(d: &Domain) -> &str {
    d.unicode.as_deref().unwrap_or(&d.ascii)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_quote_at_most_the_start_of_a_huge_domain() {
        // Found by the hardening suite: a 10 MB label came back inside a 10 MB message.
        let huge = "a".repeat(1 << 20);
        for raw in [
            huge.clone(),
            format!("{huge}."),
            format!("[{huge}"),
            format!("-{huge}"),
            format!("{huge}\u{0430}"),
        ] {
            let err = normalise(&raw).err().expect("invalid");
            assert!(err.len() < 300, "a {}-byte message", err.len());
            assert!(err.contains("bytes)"), "{err}");
        }
        assert_eq!(clip("short.example"), "short.example");
        assert_eq!(
            clip(&"\u{00FC}".repeat(100))
                .chars()
                .filter(|c| *c == '\u{00FC}')
                .count(),
            SHOWN
        );
    }
}
