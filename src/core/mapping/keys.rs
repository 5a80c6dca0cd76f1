//! The one place the mapping engine reaches email identity (match keys: docs/identity.md).

pub(crate) use crate::core::email_key::{email_key, KeyOptions};
