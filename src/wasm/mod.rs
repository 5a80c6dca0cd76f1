//! The binding layer: one uniform shape per export, `fn x(input) -> Result<Output, JsValue>`,
//! where the error is a coded JS `Error` made by [`errors`]. No rule lives here: every export
//! converts, calls the core, converts back.

// Without the `engine` feature only email keys and intake are bound: the small wasm behind
// the package's `usersync/identity` entry point.
#[cfg(feature = "engine")]
pub mod bulk;
#[cfg(feature = "engine")]
pub mod connectors;
pub mod convert;
#[cfg(feature = "engine")]
pub mod engine;
pub mod errors;
pub mod identity;
#[cfg(feature = "engine")]
pub mod iex;
pub mod intake;
#[cfg(feature = "engine")]
pub mod params;
#[cfg(feature = "engine")]
pub mod undo;
#[cfg(feature = "engine")]
pub mod wfm;

use wasm_bindgen::prelude::*;

/// The package version (the crate's), for logs and bug reports.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
