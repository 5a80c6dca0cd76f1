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

/// Longest skeleton of one ASCII character the byte table holds.
const MAX_PIECE: usize = 7;

/// The table as bytes (`None` when a skeleton is longer than `MAX_PIECE`, never seen).
/// Per ASCII byte: its skeleton's length and bytes.
type ByteTable = [(u8, [u8; MAX_PIECE]); 128];

fn byte_table() -> Option<&'static ByteTable> {
    static TABLE: OnceLock<Option<ByteTable>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let t = table();
            let mut out = [(0u8, [0u8; MAX_PIECE]); 128];
            for (slot, m) in out.iter_mut().zip(t.iter()) {
                let b = m.as_bytes();
                let piece = slot.1.get_mut(..b.len())?;
                piece.copy_from_slice(b);
                slot.0 = u8::try_from(b.len()).ok()?;
            }
            Some(out)
        })
        .as_ref()
}

/// `hash_str` of the skeleton of an ASCII key, built as bytes from a byte table into a
/// reused buffer (the hot path keys millions of addresses, and `push_str` per character was
/// a tenth of the WebAssembly profile).
pub(crate) fn ascii_skeleton_hash(s: &str, out: &mut Vec<u8>) -> u64 {
    let Some(t) = byte_table() else {
        let mut buf = String::new();
        ascii_skeleton(s, &mut buf);
        return hash_str(&buf);
    };
    out.clear();
    for b in s.bytes() {
        match t.get(usize::from(b)) {
            Some((1, piece)) => out.push(piece[0]),
            Some((len, piece)) => {
                out.extend_from_slice(piece.get(..usize::from(*len)).unwrap_or_default())
            }
            None => out.push(b),
        }
    }
    hash_bytes(out)
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
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Keyed::Missing;
    }
    if let Some(key) = fast_key(raw, trimmed, opts) {
        return Keyed::Valid {
            skel: ascii_skeleton_hash(&key, buf),
            key,
            confusable: false,
            unusual: None,
        };
    }
    match email_key(trimmed, opts) {
        Err(_) => Keyed::Invalid,
        Ok(k) => Keyed::Valid {
            skel: hash_str(&k.skeleton),
            confusable: k.confusable.is_some(),
            unusual: Some(Box::new(Unusual {
                skeleton: k.skeleton,
                nfkc: k.nfkc_key,
            })),
            key: Cow::Owned(k.key),
        },
    }
}

/// Local-part bytes that need no further thought: letters, digits and RFC 5322 atext
/// symbols other than `+` (handled separately) and `.` (dot rules).
fn plain_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*-/=?^_`{|}~".contains(&b)
}

/// The key of a plain ASCII address, or `None` to let `email_key` decide. Only addresses
/// whose key is certain take this path: no white space or controls inside, one `@`, a dot-atom
/// local part, an LDH domain without punycode or reserved `--` labels, within the lengths.
fn fast_key<'a>(raw: &Cow<'a, str>, trimmed: &str, opts: &KeyOptions) -> Option<Cow<'a, str>> {
    if !trimmed.is_ascii() || trimmed.len() > MAX_ADDRESS {
        return None;
    }
    let (local, domain) = trimmed.split_once('@')?;
    let body = match local.split_once('+') {
        Some((body, _)) if opts.strip_plus_tag => body,
        _ => local,
    };
    let plus_ok = |b: u8| b == b'+' && !opts.strip_plus_tag;
    if body.is_empty()
        || local.len() > MAX_LOCAL
        || !local
            .bytes()
            .all(|b| plain_local(b) || b == b'.' || b == b'+')
        || !body
            .bytes()
            .all(|b| plain_local(b) || b == b'.' || plus_ok(b))
        || body.starts_with('.')
        || body.ends_with('.')
        || body.contains("..")
    {
        return None;
    }
    if !crate::core::email_key::is_plain_ldh_domain(domain) {
        return None;
    }
    let lower_local = !opts.case_sensitive_local_part;
    let needs_change = body.len() != local.len()
        || domain.bytes().any(|b| b.is_ascii_uppercase())
        || (lower_local && body.bytes().any(|b| b.is_ascii_uppercase()));
    if !needs_change {
        // Borrow from the input when it is already the key (trim keeps the borrow).
        return Some(match raw {
            Cow::Borrowed(r) => Cow::Borrowed(r.trim()),
            Cow::Owned(_) => Cow::Owned(trimmed.to_owned()),
        });
    }
    let mut key = String::with_capacity(body.len() + 1 + domain.len());
    if lower_local {
        key.extend(body.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        key.push_str(body);
    }
    key.push('@');
    key.extend(domain.chars().map(|c| c.to_ascii_lowercase()));
    if key.len() > MAX_ADDRESS {
        return None;
    }
    Some(Cow::Owned(key))
}
