//! When to try a delivery again: on timeouts, unreachable receivers, 408, 429 and 5xx, with
//! exponential backoff and jitter (the jitter is an argument, drawn by the shell), honouring a
//! receiver's `Retry-After`; never on other 4xx, which a retry would only repeat.

use crate::civil;
use crate::{Millis, SECOND};

/// How retries are spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The first retry's delay before jitter.
    pub base: Millis,
    /// The longest delay between two attempts (also caps `Retry-After`).
    pub max_delay: Millis,
    /// Attempts in all before the delivery is marked failed (it can still be replayed).
    pub max_attempts: u32,
}

impl Default for Policy {
    /// 5 s doubling to 15 min, 40 attempts: about 8 hours of trying, so a receiver down for hours
    /// still gets its message.
    fn default() -> Self {
        Policy {
            base: 5 * SECOND,
            max_delay: 15 * 60 * SECOND,
            max_attempts: 40,
        }
    }
}

/// What the receiver did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer<'a> {
    /// It answered with this status (and maybe a `Retry-After`).
    Status(u16, Option<&'a str>),
    /// No answer within the time allowed.
    Timeout,
    /// No connection.
    Unreachable,
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Done.
    Delivered,
    /// Try again at this time.
    RetryAt(Millis),
    /// Give up: the receiver refused it, or every attempt was used.
    Failed,
}

/// The delay before the next attempt after `attempts` (≥ 1) failed ones: `base · 2^(attempts-1)`,
/// capped, then the upper half of it picked by `jitter` in `[0, 1)` ("equal jitter"), so that many
/// deliveries failing together do not retry together.
pub fn backoff(policy: &Policy, attempts: u32, jitter: f64) -> Millis {
    let exp = attempts.saturating_sub(1).min(40);
    let delay = policy
        .base
        .saturating_mul(1u64 << exp.min(62))
        .min(policy.max_delay);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    delay / 2 + ((delay / 2) as f64 * jitter) as Millis
}

/// The time a `Retry-After` value (seconds, or an HTTP date) names.
pub fn retry_after(value: &str, now: Millis) -> Option<Millis> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(now.saturating_add(seconds.saturating_mul(SECOND)));
    }
    civil::parse_http_date(value)
}

/// Decides after attempt number `attempts` (counting this one).
pub fn next(policy: &Policy, answer: Answer<'_>, attempts: u32, now: Millis, jitter: f64) -> Next {
    let retry_after_at = match answer {
        Answer::Status(200..=299, _) => return Next::Delivered,
        Answer::Status(408 | 425 | 429 | 500..=599, header) => {
            header.and_then(|h| retry_after(h, now))
        }
        Answer::Status(_, _) => return Next::Failed,
        Answer::Timeout | Answer::Unreachable => None,
    };
    if attempts >= policy.max_attempts {
        return Next::Failed;
    }
    let at = match retry_after_at {
        Some(at) => at.clamp(now, now + policy.max_delay),
        None => now + backoff(policy, attempts, jitter),
    };
    Next::RetryAt(at)
}

/// Decides for a receiver that cannot deduplicate (GA4's Measurement Protocol, which answers 2xx
/// to every request it receives and has no key that drops a repeated custom event): a retry is
/// made only after an answer that says the message was not taken (a refused connection, 408, 429,
/// 5xx). After a timeout the request may have been recorded, and a retry could count the call
/// twice: the delivery fails instead, for the operator to replay if the event is missing.
pub fn next_without_dedupe(
    policy: &Policy,
    answer: Answer<'_>,
    attempts: u32,
    now: Millis,
    jitter: f64,
) -> Next {
    match answer {
        Answer::Timeout => Next::Failed,
        _ => next(policy, answer, attempts, now, jitter),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Millis = 1_772_370_309_000;

    #[test]
    fn decides_by_the_answer() {
        let p = Policy {
            base: 1000,
            max_delay: 60_000,
            max_attempts: 5,
        };
        use Answer::*;
        // (answer, attempts so far, jitter, expected)
        let table = [
            (Status(200, None), 1, 0.0, Next::Delivered),
            (Status(204, None), 5, 0.0, Next::Delivered),
            (Status(400, None), 1, 0.0, Next::Failed),
            (Status(401, None), 1, 0.0, Next::Failed),
            (Status(404, Some("5")), 1, 0.0, Next::Failed),
            (Status(500, None), 1, 0.0, Next::RetryAt(NOW + 500)),
            (Status(503, None), 1, 0.999_999, Next::RetryAt(NOW + 999)),
            (Status(502, None), 3, 0.0, Next::RetryAt(NOW + 2000)),
            (Status(429, Some("7")), 1, 0.5, Next::RetryAt(NOW + 7000)),
            (
                Status(429, Some("3600")),
                1,
                0.5,
                Next::RetryAt(NOW + 60_000),
            ),
            (
                Status(429, Some("Sun, 01 Mar 2026 13:05:19 GMT")),
                1,
                0.5,
                Next::RetryAt(NOW + 10_000),
            ),
            (
                Status(429, Some("Sun, 01 Mar 2025 13:05:19 GMT")),
                1,
                0.5,
                Next::RetryAt(NOW),
            ),
            (Status(429, Some("soon")), 2, 0.0, Next::RetryAt(NOW + 1000)),
            (Status(408, None), 1, 0.0, Next::RetryAt(NOW + 500)),
            (Timeout, 2, 1.0, Next::RetryAt(NOW + 2000)),
            (Unreachable, 4, 0.0, Next::RetryAt(NOW + 4000)),
            (Unreachable, 5, 0.0, Next::Failed),
            (Status(500, None), 5, 0.0, Next::Failed),
        ];
        for (answer, attempts, jitter, want) in table {
            assert_eq!(
                next(&p, answer, attempts, NOW, jitter),
                want,
                "{answer:?} {attempts}"
            );
        }
    }

    #[test]
    fn without_a_dedupe_key_only_sure_failures_are_retried() {
        let p = Policy {
            base: 1000,
            max_delay: 60_000,
            max_attempts: 5,
        };
        use Answer::*;
        // (answer, attempts so far, expected)
        let table = [
            (Status(204, None), 1, Next::Delivered),
            (Status(500, None), 1, Next::RetryAt(NOW + 500)),
            (Status(429, Some("7")), 1, Next::RetryAt(NOW + 7000)),
            (Unreachable, 2, Next::RetryAt(NOW + 1000)),
            (Timeout, 1, Next::Failed),
            (Status(400, None), 1, Next::Failed),
            (Status(503, None), 5, Next::Failed),
        ];
        for (answer, attempts, want) in table {
            assert_eq!(
                next_without_dedupe(&p, answer, attempts, NOW, 0.0),
                want,
                "{answer:?} {attempts}"
            );
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = Policy::default();
        let delays: Vec<Millis> = (1..=10).map(|a| backoff(&p, a, 0.0)).collect();
        assert_eq!(
            delays,
            [2500, 5000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 450_000, 450_000]
        );
        assert_eq!(backoff(&p, 1000, 1.0), p.max_delay);
        assert_eq!(backoff(&p, 1, f64::NAN), 2500);
        // The default policy keeps trying for hours.
        let total: Millis = (1..p.max_attempts).map(|a| backoff(&p, a, 0.0)).sum();
        assert!(total > 4 * crate::HOUR, "{total}");
    }
}
