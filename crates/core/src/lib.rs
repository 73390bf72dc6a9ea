//! The pure core of the call tracker.
//!
//! Everything here is a function of its arguments: no I/O, no clock (time is a `Millis` argument), no
//! randomness (identifiers come in from the shell), no wasm-bindgen or worker types. The browser module,
//! the edge worker and the `dni` command are thin shells around it, so the rules that matter (which
//! channel a visit belongs to, which session a call belongs to, whether a webhook is genuine) are
//! tested natively, quickly, and in one place.
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

extern crate alloc;

/// The `alloc` names every module uses, so that the crate reads the same with and without `std`.
#[allow(unused_imports)]
mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec;
    pub use alloc::vec::Vec;
}

#[cfg(feature = "serde")]
pub mod access;
pub mod attribution;
pub mod auth;
pub mod bots;
pub mod classify;
pub mod consent;
pub mod ga;
pub mod json;
#[cfg(feature = "std")]
pub mod lease;
pub mod phone;
pub mod privacy;
pub mod text;
pub mod url;
pub mod wire;

#[cfg(feature = "serde")]
pub mod api;
#[cfg(feature = "serde")]
pub mod call;
#[cfg(feature = "provider")]
pub mod call_control;
#[cfg(feature = "serde")]
pub mod civil;
#[cfg(feature = "serde")]
pub mod config;
#[cfg(feature = "serde")]
pub mod drain;
#[cfg(all(test, feature = "provider"))]
mod fixtures;
#[cfg(feature = "serde")]
pub mod history;
#[cfg(feature = "serde")]
pub mod integrations;
#[cfg(feature = "provider")]
pub mod messaging;
#[cfg(feature = "serde")]
pub mod qualification;
#[cfg(feature = "serde")]
pub mod report;
#[cfg(feature = "serde")]
pub mod retention;
#[cfg(feature = "serde")]
pub mod telephony;

/// Milliseconds since the Unix epoch. Every time in the core is one of these, passed in by the shell.
pub type Millis = u64;

/// One second, one minute, one hour and one day in [`Millis`].
pub const SECOND: Millis = 1_000;
/// See [`SECOND`].
pub const MINUTE: Millis = 60 * SECOND;
/// See [`SECOND`].
pub const HOUR: Millis = 60 * MINUTE;
/// See [`SECOND`].
pub const DAY: Millis = 24 * HOUR;

/// Whether `id` is a valid session or lease token: 16 to 64 of `[A-Za-z0-9_-]` (the browser and the
/// worker make them from 16 random bytes, base64url: 22 characters).
pub fn valid_id(id: &str) -> bool {
    let mut ok = (16..=64).contains(&id.len());
    for &b in id.as_bytes() {
        ok &= b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    }
    ok
}
