//! The fast JSON record reader: one pass of serde_json over an object, strings borrowed from
//! the input, every known field type-checked the way intake checks it. Anything intake would
//! reject or treat specially (a wrong type, a repeated key, an id that is not a string or an
//! integer, a bad timestamp, a value that is not an object) comes out as [`Fast::Slow`], and
//! the caller hands that record to intake itself, so the report is intake's, word for word.

use super::record::{Col, Parts};
use crate::core::intake::FieldKind;
use crate::core::records::PERM_USER_MAPPING_MAP;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::sync::OnceLock;

/// A record read the fast way, or a record intake must judge.
pub(crate) enum Fast<'a, const SOURCE: bool> {
    Rec(Parts<'a>),
    Slow,
}

impl<'de, const SOURCE: bool> Deserialize<'de> for Fast<'de, SOURCE> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FastVisitor::<SOURCE>)
    }
}

/// Index of a known field of the side (bit position for repeat detection), and what it is.
fn field_index(source: bool, k: &str) -> Option<(u32, Col)> {
    static COLS: OnceLock<[Vec<Col>; 2]> = OnceLock::new();
    let fields = if source {
        crate::core::intake::SOURCE_FIELDS
    } else {
        crate::core::intake::EXTERNAL_FIELDS
    };
    let i = fields.iter().position(|f| *f == k)?;
    let cols = COLS.get_or_init(|| {
        let of = |f: &[&str]| f.iter().map(|n| Col::of(n)).collect();
        [
            of(crate::core::intake::EXTERNAL_FIELDS),
            of(crate::core::intake::SOURCE_FIELDS),
        ]
    });
    let col = cols.get(usize::from(source))?.get(i)?;
    Some((i as u32, *col))
}

struct FastVisitor<const SOURCE: bool>;

impl<'de, const SOURCE: bool> Visitor<'de> for FastVisitor<SOURCE> {
    type Value = Fast<'de, SOURCE>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a user object")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Fast::Slow)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Fast::Slow)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Fast::Slow)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Fast::Slow)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Fast::Slow)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Fast::Slow)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Fast::Slow)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut parts = Parts::default();
        let mut seen: u32 = 0;
        let mut unknown: Vec<Cow<'de, str>> = Vec::new();
        let mut slow = false;
        while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
            if slow {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let Some((i, col)) = field_index(SOURCE, &key) else {
                // Unknown fields are ignored, but a repeated one still rejects the record.
                if unknown.contains(&key) {
                    slow = true;
                } else {
                    unknown.push(key);
                }
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if seen & (1 << i) != 0 {
                slow = true;
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            seen |= 1 << i;
            let ok = match col {
                Col::Id => match map.next_value::<Val<'de>>()? {
                    Val::Str(s) => {
                        let t = trim_cow(s);
                        let ok = !t.is_empty();
                        parts.id = Some(t);
                        ok
                    }
                    Val::Int(n) => {
                        parts.id = Some(Cow::Owned(n));
                        true
                    }
                    _ => false,
                },
                col => match col.kind() {
                    FieldKind::Text => match map.next_value::<Val<'de>>()? {
                        Val::Null => true,
                        Val::Str(s) => {
                            match col {
                                Col::Email => parts.email = Some(s),
                                Col::UserName => parts.user_name = Some(s),
                                Col::EmployeeId => parts.employee_id = Some(s),
                                Col::BusinessUnit => parts.business_unit = Some(s),
                                _ => {}
                            }
                            true
                        }
                        _ => false,
                    },
                    FieldKind::Timestamp => match map.next_value::<Val<'de>>()? {
                        Val::Null => true,
                        Val::Str(s) => s.trim().parse::<jiff::Timestamp>().is_ok(),
                        _ => false,
                    },
                    FieldKind::Flag => match map.next_value::<Val<'de>>()? {
                        Val::Null => true,
                        Val::Bool(b) => {
                            parts.active = Some(b);
                            true
                        }
                        _ => false,
                    },
                    FieldKind::List => match map.next_value::<List>()? {
                        List::Null => true,
                        List::Strings { has_perm } => {
                            if matches!(col, Col::Permissions) {
                                parts.perm = Some(has_perm);
                            }
                            true
                        }
                        List::Bad => false,
                    },
                },
            };
            slow |= !ok;
        }
        if slow || parts.id.is_none() {
            return Ok(Fast::Slow);
        }
        Ok(Fast::Rec(parts))
    }
}

/// Surrounding white space trimmed without copying a borrowed string.
fn trim_cow(s: Cow<'_, str>) -> Cow<'_, str> {
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
        Cow::Owned(o) if o.trim().len() == o.len() => Cow::Owned(o),
        Cow::Owned(o) => Cow::Owned(o.trim().to_owned()),
    }
}

/// A string borrowed from the input when it has no escapes, owned otherwise.
struct Str<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// One field value, as far as intake's type checks care.
enum Val<'de> {
    Null,
    Bool(bool),
    Str(Cow<'de, str>),
    /// An integer, as its decimal string (ids only).
    Int(String),
    Other,
}

impl<'de> Deserialize<'de> for Val<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValVisitor(PhantomData))
    }
}

struct ValVisitor<'de>(PhantomData<&'de ()>);

impl<'de> Visitor<'de> for ValVisitor<'de> {
    type Value = Val<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Val<'de>, E> {
        Ok(Val::Null)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Val<'de>, E> {
        Ok(Val::Bool(b))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Val<'de>, E> {
        Ok(Val::Int(n.to_string()))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Val<'de>, E> {
        Ok(Val::Int(n.to_string()))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Val<'de>, E> {
        Ok(Val::Other)
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Val<'de>, E> {
        Ok(Val::Str(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Val<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Val::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Val<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Val::Other)
    }
}

/// A list field: `null`, an array of strings (noting `UserMapping.Map`), or anything else.
enum List {
    Null,
    Strings { has_perm: bool },
    Bad,
}

impl<'de> Deserialize<'de> for List {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = List;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of strings")
            }
            fn visit_unit<E: de::Error>(self) -> Result<List, E> {
                Ok(List::Null)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<List, E> {
                Ok(List::Bad)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<List, E> {
                Ok(List::Bad)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<List, E> {
                Ok(List::Bad)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<List, E> {
                Ok(List::Bad)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<List, E> {
                Ok(List::Bad)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<List, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(List::Bad)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List, A::Error> {
                let mut has_perm = false;
                let mut bad = false;
                while let Some(v) = seq.next_element::<Val<'de>>()? {
                    match v {
                        Val::Str(s) => has_perm |= s == PERM_USER_MAPPING_MAP,
                        _ => bad = true,
                    }
                }
                Ok(if bad {
                    List::Bad
                } else {
                    List::Strings { has_perm }
                })
            }
        }
        d.deserialize_any(V)
    }
}
