//! Pool-drain protection, the shell's part. The worker reads a lease request's signals and client
//! address into a [`Guard`]; the pool's Durable Object counts, in a [`Ledger`], the new leases each
//! address and network took, and refuses a new lease when `dni_core::drain` says so. Every decision
//! is the core's; this module only gathers the inputs and keeps the counts.
//!
//! The counts live in the pool object (not in the platform's rate-limiting binding, not in another
//! object) because only the pool knows, in the turn that grants it, whether a request renews the
//! session's own lease (never counted) or takes a new number, and whether an earlier lease is still
//! held; there it costs no extra round trip and cannot race (ARCHITECTURE.md, "Pool-drain
//! protection", has the measured reasons). They are kept in memory: an object that restarts
//! forgets them, which lets a client take its few numbers once more, no more.

use std::collections::{HashMap, VecDeque};

use dni_core::drain::{self, Automated, Client, Limits, Refusal, Refusals, Rule, Usage};
use dni_core::lease::Pool;
use dni_core::phone::E164;
use dni_core::Millis;
use serde::{Deserialize, Serialize};
use worker::Request;

/// What the pool object needs, with a lease request, to refuse a new lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guard {
    /// The client's address and network keys (`None` without a readable `CF-Connecting-IP`:
    /// then only the per-pool limit applies; Cloudflare always sets it).
    pub client: Option<Client>,
    /// The site's limits.
    pub limits: Limits,
    /// Set when the request comes from an automated client: it never takes a new number.
    pub automated: Option<Automated>,
}

impl Guard {
    /// The guard of a lease request: its client address, user agent, fetch metadata and, when the
    /// zone has bot management, Cloudflare's bot score.
    pub fn of(req: &Request, limits: &Limits) -> worker::Result<Guard> {
        let headers = req.headers();
        let user_agent = headers.get("User-Agent")?.unwrap_or_default();
        let bot = req.cf().and_then(|cf| cf.bot_management());
        let signals = drain::Signals {
            user_agent: &user_agent,
            fetch_metadata: headers.get("Sec-Fetch-Site")?.is_some(),
            // A missing score reads as 0, which the core takes as "no score".
            bot_score: bot.as_ref().map(|b| b.score()),
            verified_bot: bot.as_ref().is_some_and(|b| b.verified_bot()),
        };
        let client = headers
            .get("CF-Connecting-IP")?
            .and_then(|ip| drain::client(&ip));
        Ok(Guard {
            client,
            limits: *limits,
            automated: drain::automated(&signals, limits),
        })
    }
}

/// A pool object's counts of new leases: by client key (address or network), the leases that may
/// still count against it, and the pool's new leases within its window. Plus the refusals, which
/// the object stores with its figures.
#[derive(Debug, Default)]
pub struct Ledger {
    by_key: HashMap<String, Vec<(String, Millis)>>,
    pool: VecDeque<Millis>,
    sweep_at: usize,
    /// Refusals so far, by reason.
    pub refusals: Refusals,
}

/// Keys kept before the first sweep of keys no request asked about again.
const SWEEP_FLOOR: usize = 1024;

impl Ledger {
    /// A ledger that starts from stored refusal counts.
    pub fn new(refusals: Refusals) -> Ledger {
        Ledger {
            refusals,
            sweep_at: SWEEP_FLOOR,
            ..Ledger::default()
        }
    }

    /// `None` when the request may go ahead: it renews the session's live lease for the target,
    /// or the limits allow a new one. Else the refusal, counted.
    pub fn check(
        &mut self,
        pool: &mut Pool,
        guard: &Guard,
        session: &str,
        target: &E164,
        now: Millis,
    ) -> Option<Refusal> {
        pool.expire(now);
        if pool.holds(session, target) {
            return None;
        }
        let verdict = match guard.automated {
            Some(a) => Err(Refusal::Automated(a)),
            None => drain::decide(&guard.limits, self.usage(pool, guard, now)),
        };
        let refusal = verdict.err()?;
        self.refusals.count(refusal);
        Some(refusal)
    }

    /// Counts a new lease against its client and the pool.
    pub fn record(&mut self, pool: &Pool, guard: &Guard, lease: &str, now: Millis) {
        self.pool.push_back(now);
        if let Some(client) = &guard.client {
            for key in [&client.address, &client.network] {
                self.by_key
                    .entry(key.clone())
                    .or_default()
                    .push((lease.to_owned(), now));
            }
        }
        if self.by_key.len() >= self.sweep_at.max(SWEEP_FLOOR) {
            // Clients that never came back (an attacker rotating addresses): forget what no longer
            // counts under either rule (the longer window keeps what either might still count).
            let window = guard
                .limits
                .per_address
                .window
                .max(guard.limits.per_network.window);
            let rule = Rule { max: 0, window };
            self.by_key.retain(|_, leases| {
                leases.retain(|(id, started)| {
                    drain::counts(*started, pool.lease_by_id(id).is_some(), &rule, now)
                });
                !leases.is_empty()
            });
            self.sweep_at = self.by_key.len().saturating_mul(2);
        }
    }

    fn usage(&mut self, pool: &Pool, guard: &Guard, now: Millis) -> Usage {
        let per_pool = &guard.limits.per_pool;
        while self
            .pool
            .front()
            .is_some_and(|&t| !drain::counts(t, false, per_pool, now))
        {
            self.pool.pop_front();
        }
        let mut usage = Usage {
            pool: u32::try_from(self.pool.len()).unwrap_or(u32::MAX),
            ..Usage::default()
        };
        if let Some(client) = &guard.client {
            usage.address = self.count(pool, &client.address, &guard.limits.per_address, now);
            usage.network = self.count(pool, &client.network, &guard.limits.per_network, now);
        }
        usage
    }

    fn count(&mut self, pool: &Pool, key: &str, rule: &Rule, now: Millis) -> u32 {
        let Some(leases) = self.by_key.get_mut(key) else {
            return 0;
        };
        leases.retain(|(id, started)| {
            drain::counts(*started, pool.lease_by_id(id).is_some(), rule, now)
        });
        let n = leases.len();
        if n == 0 {
            self.by_key.remove(key);
        }
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}
