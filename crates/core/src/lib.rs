//! The pure core of the call tracker.
//!
//! Everything here is a function of its arguments: no I/O, no clock (time is a `Millis` argument), no
//! randomness (identifiers come in from the shell), no wasm-bindgen or worker types. The browser module,
//! the edge worker and the `dni` command are thin shells around it, so the rules that matter (which
//! channel a visit belongs to, which session a call belongs to, whether a webhook is genuine) are
//! tested natively, quickly, and in one place.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod attribution;
pub mod auth;
pub mod bots;
pub mod classify;
pub mod ga;
pub mod json;
pub mod lease;
pub mod phone;
pub mod url;

#[cfg(feature = "serde")]
pub mod api;
#[cfg(feature = "serde")]
pub mod call;
#[cfg(feature = "serde")]
pub mod config;
#[cfg(feature = "provider")]
pub mod twilio;
pub mod twiml;

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
