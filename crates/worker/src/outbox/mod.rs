//! The durable outbox: every message to GA4, the ad platforms and the owner's webhooks, stored in
//! the site's call log Durable Object (its own `deliveries` table, beside the calls) and sent by
//! the object's alarm, with retries. Why a Durable Object and not a Queue: ARCHITECTURE.md.
//!
//! A call's deliveries are written in the same turn as the status that ends the call (so "the call
//! ended" and "its messages are queued" are one durable write), once (the delivery id is the
//! primary key), and each message is built when it is sent, from the record as it is then.

mod send;
mod store;

pub(crate) use send::send_now;
pub use send::{Outcome, Sender};
pub use store::{due, enqueue, get, list, load_settings, migrate, next_due, put, save_settings};

use dni_core::integrations::retry::Policy;
use dni_core::{Millis, SECOND};
use worker::Env;

use crate::routes::secret;

/// How the outbox sends, from the worker's variables (defaults in brackets): `OUTBOX_TIMEOUT_MS`
/// (10 000) per request, `OUTBOX_RETRY_BASE_MS` (5 000), `OUTBOX_RETRY_MAX_MS` (900 000),
/// `OUTBOX_MAX_ATTEMPTS` (40), `OUTBOX_SETTLE_MS` (0: how long after the call's end its messages
/// wait, for late callbacks), `OUTBOX_BATCH` (25 messages sent at once per alarm).
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Per-request timeout.
    pub timeout: Millis,
    /// Retries.
    pub policy: Policy,
    /// Delay after a call's end.
    pub settle: Millis,
    /// Messages per alarm run.
    pub batch: u32,
}

fn number(env: &Env, name: &str, default: u64) -> u64 {
    secret(env, name).trim().parse().unwrap_or(default)
}

impl Tuning {
    /// Reads the variables.
    pub fn from_env(env: &Env) -> Tuning {
        let d = Policy::default();
        Tuning {
            timeout: number(env, "OUTBOX_TIMEOUT_MS", 10 * SECOND),
            policy: Policy {
                base: number(env, "OUTBOX_RETRY_BASE_MS", d.base),
                max_delay: number(env, "OUTBOX_RETRY_MAX_MS", d.max_delay),
                max_attempts: number(env, "OUTBOX_MAX_ATTEMPTS", u64::from(d.max_attempts))
                    .clamp(1, 1000) as u32,
            },
            settle: number(env, "OUTBOX_SETTLE_MS", 0),
            batch: number(env, "OUTBOX_BATCH", 25).clamp(1, 200) as u32,
        }
    }
}
