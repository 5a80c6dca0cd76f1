//! usersync: keep user accounts in step between NiCE CXone and the platforms beside it.
//!
//! Layers, each using only the ones below it:
//! - [`core`]: pure Rust, no wasm types; every rule of the product lives here.
//! - `connectors` (wasm32 only): RingCentral and CXone clients over the host's `fetch`.
//! - `wasm` (wasm32 only): the thin `#[wasm_bindgen]` layer the npm package exposes.

// A panic traps the wasm instance and leaves it unusable, so the library code (not its
// tests) may not unwrap, expect, panic or index unchecked.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod core;

// The connectors serve the engine's exports only; the identity-only build (no `engine`
// feature) leaves them out.
#[cfg(all(target_arch = "wasm32", feature = "engine"))]
pub mod connectors;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
