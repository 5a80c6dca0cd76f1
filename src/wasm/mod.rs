//! The binding layer: one uniform shape per export, `fn x(input) -> Result<Output, JsValue>`,
//! where the error is a coded JS `Error` made by [`errors`]. No rule lives here: every export
//! converts, calls the core, converts back.

pub mod bulk;
pub mod connectors;
pub mod convert;
pub mod engine;
pub mod errors;
pub mod identity;
pub mod intake;
pub mod params;
pub mod undo;

use wasm_bindgen::prelude::*;

/// The package version (the crate's), for logs and bug reports.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
