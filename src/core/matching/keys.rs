//! Email match keys for millions of records: a fast path for the plain ASCII address (most of
//! any directory) that gives exactly what `email_key` gives, and `email_key` itself for
//! everything else. Skeletons of ASCII keys come from a 128-entry table (UTS #39 maps a few
//! ASCII characters too: `m` looks like `rn`, `1` like `l`, `0` like `O`), hashed rather than
//! stored; the rare non-ASCII key keeps its skeleton and NFKC form.

use crate::core::email_key::{email_key, KeyOptions};
use std::borrow::Cow;
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

/// The longest key (`email_key`'s limit).
const MAX_ADDRESS: usize = 254;
const MAX_LOCAL: usize = 64;

/// A key that is not the plain ASCII kind: its look-alike forms, as `email_key` made them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unusual {
    pub skeleton: String,
    pub nfkc: String,
}

/// An email's key for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Keyed<'a> {
    Missing,
    Invalid,
    Valid {
        key: Cow<'a, str>,
        /// Hash of the UTS #39 skeleton (the cross-side index buckets by it).
        skel: u64,
        /// `hash_str` of the key, made while its bytes are at hand (interning the keys
        /// of both sides then never reads a key to hash it).
        hash: u64,
        /// Confusable on its own (`email_key`'s `confusable` is set).
        confusable: bool,
        /// `None` for an ASCII key made on the fast path (skeleton from the table, NFKC
        /// form = the key).
        unusual: Option<Box<Unusual>>,
    },
}

impl Keyed<'_> {
    pub fn key(&self) -> Option<&str> {
        match self {
            Keyed::Valid { key, .. } => Some(key),
            _ => None,
        }
    }
}

/// The skeleton of each ASCII character (UTS #39 prototypes are all starters, so the
/// skeleton of an ASCII string is the concatenation; a test checks it).
fn table() -> &'static [String; 128] {
    static TABLE: OnceLock<[String; 128]> = OnceLock::new();
    TABLE.get_or_init(|| {
        std::array::from_fn(|i| {
            let c = char::from(i as u8);
            unicode_security::skeleton(c.encode_utf8(&mut [0; 4])).collect()
        })
    })
}

/// The skeleton of an ASCII string, into `out`.
pub(crate) fn ascii_skeleton(s: &str, out: &mut String) {
    let t = table();
    out.clear();
    for b in s.bytes() {
        match t.get(usize::from(b)) {
            Some(m) => out.push_str(m),
            None => out.push(char::from(b)),
        }
    }
}

/// Longest skeleton of one ASCII character the byte table holds (one word).
const MAX_PIECE: usize = 8;

/// Per ASCII byte: its skeleton's length, and its bytes as a little-endian word (zero
/// padded), so a piece is copied as one 8-byte store whatever its length.
type ByteTable = [(u8, u64); 128];

/// The table as words (`None` when a skeleton is longer than `MAX_PIECE`, never seen).
fn byte_table() -> Option<&'static ByteTable> {
    static TABLE: OnceLock<Option<ByteTable>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let t = table();
            let mut out = [(0u8, 0u64); 128];
            for (slot, m) in out.iter_mut().zip(t.iter()) {
                let b = m.as_bytes();
                let mut word = [0u8; MAX_PIECE];
                word.get_mut(..b.len())?.copy_from_slice(b);
                *slot = (u8::try_from(b.len()).ok()?, u64::from_le_bytes(word));
            }
            Some(out)
        })
        .as_ref()
}

/// `hash_str` of the skeleton of an ASCII key, built from the word table into a reused
/// buffer: one unconditional 8-byte store per character, then the cursor moves by the
/// piece's length (the hot path keys millions of addresses; `push_str`, then `push` with
/// its capacity check, per character were a tenth of the profile).
pub(crate) fn ascii_skeleton_hash(s: &str, out: &mut Vec<u8>) -> u64 {
    let Some(t) = byte_table() else {
        let mut buf = String::new();
        ascii_skeleton(s, &mut buf);
        return hash_str(&buf);
    };
    let need = s.len().saturating_mul(MAX_PIECE).saturating_add(MAX_PIECE);
    if out.len() < need {
        out.resize(need, 0);
    }
    let mut n = 0usize;
    for b in s.bytes() {
        let (len, word) = t.get(usize::from(b)).copied().unwrap_or((1, u64::from(b)));
        if let Some(dst) = out.get_mut(n..n + MAX_PIECE) {
            dst.copy_from_slice(&word.to_le_bytes());
        }
        n += usize::from(len);
    }
    hash_bytes(out.get(..n).unwrap_or_default())
}

fn hash_bytes(b: &[u8]) -> u64 {
    let mut h = foldhash::fast::FixedState::default().build_hasher();
    h.write(b);
    h.finish()
}

pub(crate) fn hash_str(s: &str) -> u64 {
    let mut h = foldhash::fast::FixedState::default().build_hasher();
    h.write(s.as_bytes());
    h.finish()
}

/// The skeleton of a valid key, exactly.
pub(crate) fn skeleton_of(k: &Keyed<'_>, buf: &mut String) -> Option<String> {
    match k {
        Keyed::Valid {
            unusual: Some(u), ..
        } => Some(u.skeleton.clone()),
        Keyed::Valid {
            key, unusual: None, ..
        } => {
            ascii_skeleton(key, buf);
            Some(buf.clone())
        }
        _ => None,
    }
}

/// Keys one email as the engine's `key_of` does: missing when absent or blank, invalid when
/// `email_key` refuses it.
#[inline(never)]
pub(crate) fn key_of<'a>(
    raw: Option<&Cow<'a, str>>,
    opts: &KeyOptions,
    buf: &mut Vec<u8>,
) -> Keyed<'a> {
    let Some(raw) = raw else {
        return Keyed::Missing;
    };
    let trimmed = trim(raw);
    if trimmed.is_empty() {
        return Keyed::Missing;
    }
    if let Some(key) = fast_key(raw, trimmed, opts) {
        return Keyed::Valid {
            skel: ascii_skeleton_hash(&key, buf),
            hash: hash_str(&key),
            key,
            confusable: false,
            unusual: None,
        };
    }
    match email_key(trimmed, opts) {
        Err(_) => Keyed::Invalid,
        Ok(k) => Keyed::Valid {
            skel: hash_str(&k.skeleton),
            hash: hash_str(&k.key),
            confusable: k.confusable.is_some(),
            unusual: Some(Box::new(Unusual {
                skeleton: k.skeleton,
                nfkc: k.nfkc_key,
            })),
            key: Cow::Owned(k.key),
        },
    }
}

/// `str::trim`, without decoding characters when both ends are printable ASCII (white
/// space in ASCII is all at or below the space).
fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let printable = |c: Option<&u8>| c.is_some_and(|&c| c > b' ' && c < 0x80);
    if printable(b.first()) && printable(b.last()) {
        s
    } else {
        s.trim()
    }
}

/// Local-part bytes that need no further thought: letters, digits and RFC 5322 atext
/// symbols other than `+` (handled separately) and `.` (dot rules).
fn plain_local(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'-'
                | b'/'
                | b'='
                | b'?'
                | b'^'
                | b'_'
                | b'`'
                | b'{'
                | b'|'
                | b'}'
                | b'~'
        )
}

/// The key of a plain ASCII address, or `None` to let `email_key` decide. Only addresses
/// whose key is certain take this path: no white space or controls inside, one `@`, a dot-atom
/// local part, an LDH domain without punycode or reserved `--` labels, within the lengths.
/// One pass over the local part checks it and notes what the key changes (every byte it
/// accepts is ASCII, so no separate ASCII check is needed).
fn fast_key<'a>(raw: &Cow<'a, str>, trimmed: &str, opts: &KeyOptions) -> Option<Cow<'a, str>> {
    let bytes = trimmed.as_bytes();
    if bytes.len() > MAX_ADDRESS {
        return None;
    }
    let at = bytes.iter().position(|&b| b == b'@')?;
    let (local, rest) = bytes.split_at(at);
    let domain = rest.get(1..)?;
    if local.len() > MAX_LOCAL {
        return None;
    }
    // The body: the local part without its `+tag` when tags are stripped.
    let body_len = match opts.strip_plus_tag {
        true => local.iter().position(|&b| b == b'+').unwrap_or(local.len()),
        false => local.len(),
    };
    // The body may not start or end with a dot, nor hold two in a row (`prev_dot` starts
    // set so a leading dot fails); past the body only the characters are checked.
    let mut prev_dot = true;
    let mut upper_body = false;
    for (i, &b) in local.iter().enumerate() {
        if b == b'.' {
            if i < body_len && prev_dot {
                return None;
            }
            prev_dot = true;
        } else {
            if !(plain_local(b) || b == b'+') {
                return None;
            }
            upper_body |= i < body_len && b.is_ascii_uppercase();
            prev_dot = false;
        }
    }
    let body = local.get(..body_len)?;
    if body.is_empty() || body.last() == Some(&b'.') {
        return None;
    }
    let domain_str = std::str::from_utf8(domain).ok()?;
    if !crate::core::email_key::is_plain_ldh_domain(domain_str) {
        return None;
    }
    let lower_local = !opts.case_sensitive_local_part;
    let needs_change = body.len() != local.len()
        || domain.iter().any(u8::is_ascii_uppercase)
        || (lower_local && upper_body);
    if !needs_change {
        // Borrow from the input when it is already the key (trim keeps the borrow).
        return Some(match raw {
            Cow::Borrowed(r) => Cow::Borrowed(trim(r)),
            Cow::Owned(_) => Cow::Owned(trimmed.to_owned()),
        });
    }
    let mut key = Vec::with_capacity(body.len() + 1 + domain.len());
    if lower_local {
        key.extend(body.iter().map(u8::to_ascii_lowercase));
    } else {
        key.extend_from_slice(body);
    }
    key.push(b'@');
    key.extend(domain.iter().map(u8::to_ascii_lowercase));
    if key.len() > MAX_ADDRESS {
        return None;
    }
    String::from_utf8(key).ok().map(Cow::Owned)
}
