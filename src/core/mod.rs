//! The pure core: validation, normalisation, deduplication, matching and every state
//! transition. Nothing here names wasm-bindgen, js-sys, web-sys or gloo.

pub mod bulk;
pub mod directory;
pub mod email_key;
pub mod engine;
pub mod error;
pub mod intake;
pub mod mapping;
pub(crate) mod matching;
pub mod records;
pub mod schedule;
pub mod search;
pub mod snapshot;
pub mod wfm;

pub use error::{Error, ErrorCode, Result};
