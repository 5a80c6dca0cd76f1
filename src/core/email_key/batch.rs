//! Keys for a batch of addresses at once, with the addresses of the batch that collide with
//! another one (look-alike characters, or the same NFKC form) flagged.

use super::{email_key, ConfusableIndex, EmailKey, KeyOptions};
use crate::core::error::Error;
use serde::{Deserialize, Serialize};

/// The outcome for one address of a batch: its key, or why it is invalid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct EmailKeyOutcome {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<EmailKey>,
    /// Set when the address collides with another address of the batch (skeleton or NFKC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collision: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
}

/// One outcome per address, in order. An address the caller could not read (`Err`, such as
/// a value that is not a string) is an outcome with that error, like an invalid address: a
/// batch never fails as a whole.
pub fn email_keys(
    addresses: Vec<Result<String, Error>>,
    opts: &KeyOptions,
) -> Vec<EmailKeyOutcome> {
    let mut outcomes: Vec<EmailKeyOutcome> = addresses
        .into_iter()
        .enumerate()
        .map(
            |(index, address)| match address.and_then(|a| email_key(&a, opts)) {
                Ok(key) => EmailKeyOutcome {
                    index,
                    key: Some(key),
                    collision: None,
                    error: None,
                },
                Err(e) => EmailKeyOutcome {
                    index,
                    key: None,
                    collision: None,
                    error: Some(e.at(index)),
                },
            },
        )
        .collect();
    let index = ConfusableIndex::new(outcomes.iter().filter_map(|o| o.key.as_ref()));
    for o in &mut outcomes {
        if let Some(k) = &o.key {
            o.collision = index.conflict(k);
        }
    }
    outcomes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ErrorCode;

    #[test]
    fn a_batch_keys_each_address_flags_look_alikes_and_keeps_bad_ones_in_place() {
        let opts = KeyOptions::default();
        let out = email_keys(
            vec![
                Ok("paypal@example.com".into()),
                Err(Error::invalid_input("email: expected a string").with_field("email")),
                Ok("pаypal@example.com".into()), // Cyrillic "а"
                Ok("not an address".into()),
            ],
            &opts,
        );
        assert_eq!(out.len(), 4);
        assert_eq!(
            out[0].key.as_ref().map(|k| k.key.as_str()),
            Some("paypal@example.com")
        );
        assert!(out[0].collision.is_some(), "{:?}", out[0]);
        let unread = out[1].error.as_ref().unwrap();
        assert_eq!(
            (unread.code, unread.index),
            (ErrorCode::InvalidInput, Some(1))
        );
        assert!(
            out[2].collision.is_some() || out[2].error.is_some(),
            "{:?}",
            out[2]
        );
        let bad = out[3].error.as_ref().unwrap();
        assert_eq!((bad.code, bad.index), (ErrorCode::InvalidEmail, Some(3)));
    }
}
