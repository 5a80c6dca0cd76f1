//! The one place the mapping engine reaches email identity (SPEC 2).

pub(crate) use crate::core::email_key::{email_key, KeyOptions};
