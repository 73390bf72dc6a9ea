//! The shell's clock and randomness: the only places the worker reads either.
//!
//! **The test clock.** End-to-end tests must show what happens days later (retention) without
//! waiting days. The variable [`TEST_SKEW_VAR`] (milliseconds, may be negative) moves this
//! worker's clock by that much: every `now()` the worker and its Durable Objects read, and the
//! alarms they set, which the platform keeps in its own time ([`to_platform`], [`from_platform`]).
//! It is for tests only: no configuration of the project sets it (`wrangler.toml` does not
//! list it), the test harness passes it with `--var` when it restarts the runtime, and unset (or
//! unreadable) it is 0, the platform's time.

use std::cell::Cell;

use dni_core::Millis;
use wasm_bindgen::prelude::wasm_bindgen;
use worker::Env;

/// The variable that moves the clock in tests (see the module's documentation).
pub const TEST_SKEW_VAR: &str = "DNI_TEST_CLOCK_SKEW_MS";

thread_local! {
    /// The test clock's skew, in ms (0 outside tests). One isolate runs one worker: the value is
    /// the same for every request and object of it.
    static SKEW: Cell<i64> = const { Cell::new(0) };
}

/// Reads the test clock's skew from the environment (a request's or a Durable Object's).
pub fn follow(env: &Env) {
    let skew = env
        .var(TEST_SKEW_VAR)
        .ok()
        .and_then(|v| v.to_string().trim().parse::<i64>().ok())
        .unwrap_or(0);
    SKEW.with(|s| s.set(skew));
}

fn shift(at: Millis, by: i64) -> Millis {
    if by >= 0 {
        at.saturating_add(by.unsigned_abs())
    } else {
        at.saturating_sub(by.unsigned_abs())
    }
}

/// Milliseconds since the epoch, from the platform (moved by the test clock's skew, if any).
pub fn now() -> Millis {
    shift(worker::Date::now().as_millis(), SKEW.with(Cell::get))
}

/// A time of this worker's clock as the platform's (to set an alarm at it).
pub fn to_platform(at: Millis) -> Millis {
    shift(at, SKEW.with(Cell::get).saturating_neg())
}

/// A time of the platform's (an alarm's) as this worker's clock reads it.
pub fn from_platform(at: Millis) -> Millis {
    shift(at, SKEW.with(Cell::get))
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buf: &mut [u8]);
}

/// A random id: 16 bytes from the platform's CSPRNG, base64url (22 characters).
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    get_random_values(&mut bytes);
    base64url(&bytes)
}

/// `n` random characters of `[A-Za-z0-9]`, from the platform's CSPRNG (unbiased: bytes past the
/// last whole multiple of 62 are drawn again).
pub fn random_alnum(n: usize) -> String {
    const ALNUM: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(n);
    while out.len() < n {
        let mut bytes = [0u8; 64];
        get_random_values(&mut bytes);
        for b in bytes {
            if out.len() < n && b < 248 {
                out.push(char::from(ALNUM[usize::from(b % 62)]));
            }
        }
    }
    out
}

/// A number in `[0, 1)` from the CSPRNG: the jitter of the outbox's retries.
pub fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    get_random_values(&mut bytes);
    f64::from(u32::from_le_bytes(bytes)) / 4_294_967_296.0
}

/// `n` random decimal digits (a GA4 client id for a call with none).
pub fn random_digits(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    get_random_values(&mut bytes);
    bytes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            // No leading zero; `b % 10` is near enough uniform for an id.
            let d = if i == 0 { 1 + b % 9 } else { b % 10 };
            char::from(b'0' + d)
        })
        .collect()
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 2);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(
                ALPHABET.get(index as usize).copied().unwrap_or(b'A'),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_test_clock_moves_alarms_back_to_the_platform() {
        // (skew, a time, as the platform's)
        let table: &[(i64, u64, u64)] = &[
            (0, 1_000, 1_000),
            (500, 1_000, 500),
            (-500, 1_000, 1_500),
            (2_000, 1_000, 0),
            (-2_000, u64::MAX - 1_000, u64::MAX),
        ];
        for &(skew, at, platform) in table {
            super::SKEW.with(|s| s.set(skew));
            assert_eq!(super::to_platform(at), platform, "skew {skew}");
            if platform != 0 && platform != u64::MAX {
                assert_eq!(super::from_platform(platform), at, "skew {skew}");
            }
        }
        super::SKEW.with(|s| s.set(0));
    }

    #[test]
    fn encodes_base64url_without_padding() {
        assert_eq!(super::base64url(&[0xfb, 0xff, 0xbf, 0x00]), "-_-_AA");
        assert_eq!(super::base64url(&[0u8; 16]).len(), 22);
    }
}
