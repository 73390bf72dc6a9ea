//! Pool-drain protection, the shell's part. The worker reads a lease request's signals and client
//! address into a [`Guard`]; the pool's Durable Object counts, in a [`Ledger`], the new leases each
//! address and network took, and refuses a new lease when `dni_core::drain` says so. Every decision
//! is the core's; this module only gathers the inputs and keeps the counts.
//!
//! The counts live in the pool object (not in the platform's rate-limiting binding, not in another
//! object) because only the pool knows, in the turn that grants it, whether a request renews the
//! session's own lease (never counted) or takes a new number, and whether an earlier lease is still
//! held; there it costs no extra round trip and cannot race (ARCHITECTURE.md, "Pool-drain
//! protection", has the measured reasons). The ledger is the object's memory of its `drain` table:
//! each new lease's [`Entry`] is written in the same synchronous turn as the lease (the output gate
//! holds the answer until both are durable) and read back with the pool, so a restart or an
//! eviction of the object forgets nothing a limit still needs.

use std::collections::{HashMap, VecDeque};

use dni_core::drain::{self, Automated, Client, LedgerKey, Limits, Refusal, Refusals, Rule, Usage};
use dni_core::lease::Pool;
use dni_core::phone::E164;
use dni_core::Millis;
use serde::{Deserialize, Serialize};
use worker::{Env, Request};

/// The key the ledger's client keys are hashed with, derived from the worker's `CALLBACK_SECRET`
/// (or, where that is not set, the `ADMIN_TOKEN`): a secret kept outside the objects' storage, so
/// a copy of that storage cannot be turned back into addresses by trying all of them. Rotating the
/// secret makes the ledger forget what it counted, for at most the limits' window.
pub fn ledger_key(env: &Env) -> Option<LedgerKey> {
    let mut secret = crate::routes::secret(env, "CALLBACK_SECRET");
    if secret.is_empty() {
        secret = crate::routes::secret(env, "ADMIN_TOKEN");
    }
    LedgerKey::derive(&secret)
}

/// What the pool object needs, with a lease request, to refuse a new lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guard {
    /// The client's address and network keys, keyed ([`ledger_key`]: the pool object never sees
    /// the address), or `None` without a readable `CF-Connecting-IP` (then only the per-pool limit
    /// applies; Cloudflare always sets it).
    pub client: Option<Client>,
    /// The site's limits.
    pub limits: Limits,
    /// Set when the request comes from an automated client: it never takes a new number.
    pub automated: Option<Automated>,
}

impl Guard {
    /// The guard of a lease request: its client address (keyed with `key`), user agent, fetch
    /// metadata and, when the zone has bot management, Cloudflare's bot score.
    pub fn of(req: &Request, limits: &Limits, key: &LedgerKey) -> worker::Result<Guard> {
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
            .and_then(|ip| drain::client(&ip))
            .and_then(|c| c.keyed(key));
        Ok(Guard {
            client,
            limits: *limits,
            automated: drain::automated(&signals, limits),
        })
    }
}

/// One new lease, as the limits count it: stored one row per lease in the pool object's `drain`
/// table, until it counts against nothing (`dni_core::drain::forgotten`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The lease id.
    pub lease: String,
    /// The client's address key, keyed (`None` without a readable `CF-Connecting-IP`).
    pub address: Option<String>,
    /// The client's network key.
    pub network: Option<String>,
    /// When the lease was granted.
    pub started: Millis,
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

    /// A ledger that starts from stored refusal counts and the stored entries of new leases.
    pub fn restore(refusals: Refusals, mut entries: Vec<Entry>) -> Ledger {
        let mut ledger = Ledger::new(refusals);
        entries.sort_by_key(|e| e.started);
        for e in entries {
            ledger.add(e);
        }
        ledger
    }

    fn add(&mut self, entry: Entry) {
        self.pool.push_back(entry.started);
        for key in [entry.address, entry.network].into_iter().flatten() {
            self.by_key
                .entry(key)
                .or_default()
                .push((entry.lease.clone(), entry.started));
        }
    }

    /// `None` when the request may go ahead: it renews the session's live lease for the target,
    /// or the limits allow a new one. Else the refusal, counted when it is the request's answer
    /// (`last`: no other shard of the pool is asked after this one; [`Refusal::is_final`]).
    pub fn check(
        &mut self,
        pool: &mut Pool,
        guard: &Guard,
        (session, target): (&str, &E164),
        last: bool,
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
        if refusal.is_final(last) {
            self.refusals.count(refusal);
        }
        Some(refusal)
    }

    /// Counts a new lease against its client and the pool; answers the entry to store.
    pub fn record(&mut self, pool: &Pool, guard: &Guard, lease: &str, now: Millis) -> Entry {
        let entry = Entry {
            lease: lease.to_owned(),
            address: guard.client.as_ref().map(|c| c.address.clone()),
            network: guard.client.as_ref().map(|c| c.network.clone()),
            started: now,
        };
        self.add(entry.clone());
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
        entry
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

#[cfg(test)]
mod tests {
    use super::*;
    use dni_core::lease::{Outcome, Settings};
    use dni_core::SECOND;

    const T: Millis = 1_700_000_000_000;

    fn e164(s: &str) -> E164 {
        E164::parse(s).expect("a test number")
    }

    /// A ledger read back from the entries another one wrote refuses exactly what the writer
    /// refuses; an empty one (what a restart used to leave) refuses nothing, so the table can fail.
    #[test]
    fn a_restored_ledger_refuses_what_the_one_that_wrote_it_does() {
        let window = 60 * SECOND;
        let limits = Limits {
            per_address: Rule { max: 2, window },
            per_network: Rule { max: 3, window },
            ..Limits::default()
        };
        let guard = |ip: &str| Guard {
            client: drain::client(ip),
            limits,
            automated: None,
        };
        let target = e164("+12125550100");
        let numbers: Vec<E164> = (1..=10)
            .map(|i| e164(&format!("+1212555{:04}", 100 + i)))
            .collect();
        let mut pool = Pool::new(Settings::default(), &numbers);
        let mut writer = Ledger::new(Refusals::default());
        let mut stored = Vec::new();
        // Two new leases of one address, one of its neighbour, one without an address.
        for (i, ip) in ["203.0.113.1", "203.0.113.1", "203.0.113.2", "none"]
            .into_iter()
            .enumerate()
        {
            let session = format!("s{i}");
            let g = guard(ip);
            let asked = (session.as_str(), &target);
            assert_eq!(writer.check(&mut pool, &g, asked, true, T), None, "{ip}");
            let Outcome::Leased(granted) = pool.lease(&session, &target, &format!("l{i}"), T)
            else {
                panic!("the pool has numbers");
            };
            stored.push(writer.record(&pool, &g, &granted.lease, T));
        }
        assert_eq!(stored[3].address, None);
        // (client, session, at, refusal)
        let table = [
            ("203.0.113.1", "new", T + SECOND, Some(Refusal::Address)),
            ("203.0.113.2", "new", T + SECOND, Some(Refusal::Network)),
            ("203.0.113.77", "new", T + SECOND, Some(Refusal::Network)),
            // The session's own live lease is a renewal, never refused.
            ("203.0.113.1", "s0", T + SECOND, None),
            ("198.51.100.1", "new", T + SECOND, None),
        ];
        for (ip, session, at, want) in table {
            let asked = (session, &target);
            let g = guard(ip);
            let mut restored = Ledger::restore(Refusals::default(), stored.clone());
            assert_eq!(
                writer.check(&mut pool.clone(), &g, asked, true, at),
                want,
                "writer {ip}"
            );
            assert_eq!(
                restored.check(&mut pool.clone(), &g, asked, true, at),
                want,
                "restored {ip}"
            );
            if want.is_some() {
                let mut forgot = Ledger::new(Refusals::default());
                assert_eq!(forgot.check(&mut pool.clone(), &g, asked, true, at), None);
            }
        }
        // The pool's rate counts the stored leases too, the address-less one included.
        let mut restored = Ledger::restore(Refusals::default(), stored);
        let one_a_minute = Limits {
            per_pool: Rule { max: 4, window },
            ..limits
        };
        let g = Guard {
            limits: one_a_minute,
            ..guard("198.51.100.1")
        };
        let asked = ("new", &target);
        assert_eq!(
            restored.check(&mut pool.clone(), &g, asked, true, T + SECOND),
            Some(Refusal::Pool)
        );
    }

    /// A refusal by a shard other than the last one asked is not counted: the next shard answers.
    #[test]
    fn only_the_final_refusal_is_counted() {
        let limits = Limits {
            per_address: Rule {
                max: 1,
                window: 60 * SECOND,
            },
            ..Limits::default()
        };
        let g = Guard {
            client: drain::client("203.0.113.1"),
            limits,
            automated: None,
        };
        let target = e164("+12125550100");
        let mut pool = Pool::new(
            Settings::default(),
            &[e164("+12125550101"), e164("+12125550102")],
        );
        let mut ledger = Ledger::new(Refusals::default());
        let Outcome::Leased(granted) = pool.lease("s0", &target, "l0", T) else {
            panic!("the pool has numbers");
        };
        ledger.record(&pool, &g, &granted.lease, T);
        // (last, automated, refusals counted after)
        let table = [
            (false, None, 0),
            (true, None, 1),
            (false, Some(Automated::UserAgent), 2),
            (true, Some(Automated::UserAgent), 3),
        ];
        for (last, automated, counted) in table {
            let g = Guard {
                automated,
                ..g.clone()
            };
            assert!(ledger
                .check(&mut pool, &g, ("new", &target), last, T + SECOND)
                .is_some());
            assert_eq!(ledger.refusals.total(), counted, "{last} {automated:?}");
        }
    }
}
