//! Throughput of the lease engine: lease, renew, heartbeat and release operations per second at pool
//! sizes of 10, 100 and 1000 numbers, and a mixed workload driven the way the pool's Durable Object
//! drives it (every operation followed by `take_changes`).
//!
//! Run with `cargo bench -p dni-core --bench lease`; `DNI_BENCH_SHORT=1` runs a short version.
//! No benchmark framework: `std::time::Instant` around batches of real operations, and the figures
//! are printed as operations per second.

use std::hint::black_box;
use std::time::{Duration, Instant};

use dni_core::lease::{Exhausted, Outcome, Pool, Settings};
use dni_core::phone::E164;
use dni_core::{Millis, HOUR, MINUTE, SECOND};

const T0: Millis = 1_700_000_000_000;

/// xorshift64*: enough randomness to pick sessions, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn number(i: usize) -> E164 {
    E164::parse(&format!("+1212{:07}", 1_000_000 + i)).unwrap()
}

fn settings() -> Settings {
    Settings {
        idle_timeout: 2 * MINUTE,
        // Long enough that no lease reaches its cap during a run: the cap is not what is measured.
        max_hold: 48 * HOUR,
        cooldown: 10 * MINUTE,
        on_exhausted: Exhausted::Original,
    }
}

struct Fixture {
    numbers: Vec<E164>,
    sessions: Vec<String>,
    target: E164,
}

impl Fixture {
    fn new(size: usize) -> Fixture {
        Fixture {
            numbers: (0..size).map(number).collect(),
            sessions: (0..size).map(|i| format!("session-{i:016}")).collect(),
            target: E164::parse("+12125550100").unwrap(),
        }
    }
}

fn lease_id(round: usize, session: usize) -> String {
    format!("lease-{round:08}-{session:08}")
}

fn rate(ops: u64, elapsed: Duration) -> f64 {
    ops as f64 / elapsed.as_secs_f64()
}

/// Operations per second for each kind, at one pool size.
struct Figures {
    new: f64,
    renew: f64,
    heartbeat: f64,
    release: f64,
    mixed: f64,
}

fn measure(size: usize, budget: Duration) -> Figures {
    let f = Fixture::new(size);
    let began = Instant::now();
    let mut pool = Pool::new(settings(), &f.numbers);
    let mut now = T0;
    let (mut t_new, mut t_renew, mut t_heartbeat, mut t_release) = (
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
    );
    let (mut n_new, mut n_renew, mut n_heartbeat, mut n_release) = (0u64, 0u64, 0u64, 0u64);
    // Rounds until the budget is spent (at least three).
    let mut round = 0;
    while round < 3 || began.elapsed() < budget {
        // Every session takes a number: the pool fills up, each lease picks the free number idle
        // longest.
        let ids: Vec<String> = (0..size).map(|s| lease_id(round, s)).collect();
        let start = Instant::now();
        for (s, id) in ids.iter().enumerate() {
            now += 1;
            let out = pool.lease(&f.sessions[s], &f.target, id, now);
            black_box(&out);
        }
        t_new += start.elapsed();
        n_new += size as u64;
        // Every session asks again (a page navigation): renewals.
        let start = Instant::now();
        for (s, id) in ids.iter().enumerate() {
            now += 1;
            let out = pool.lease(&f.sessions[s], &f.target, id, now);
            black_box(&out);
        }
        t_renew += start.elapsed();
        n_renew += size as u64;
        // Heartbeats, in random order, ten per lease.
        let order: Vec<usize> = {
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ round as u64);
            (0..size * 10).map(|_| rng.below(size)).collect()
        };
        let start = Instant::now();
        for &s in &order {
            now += 1;
            let out = pool.heartbeat(&ids[s], now);
            black_box(&out);
        }
        t_heartbeat += start.elapsed();
        n_heartbeat += order.len() as u64;
        // Everyone leaves.
        let start = Instant::now();
        for id in &ids {
            now += 1;
            let out = pool.release(id, now);
            black_box(&out);
        }
        t_release += start.elapsed();
        n_release += size as u64;
        // Let the numbers cool down (and the sessions lose their claim on them: new sessions next
        // round would be more realistic, but the same ones exercise the own-number path too).
        now += 11 * MINUTE;
        round += 1;
    }
    assert_eq!(
        pool.counters().granted,
        n_new,
        "every new lease was granted"
    );

    // The mixed workload: visitors arrive, navigate, heartbeat and leave at random; each operation is
    // followed by `take_changes`, as the Durable Object writes what changed after every request.
    let mut mixed = Mixed::new(&f, now);
    let mut elapsed = Duration::ZERO;
    let mut ops = 0u64;
    while ops == 0 || elapsed < budget {
        // Ids are made outside the timed part: they come from the shell.
        let ids: Vec<String> = (0..1000)
            .map(|i| format!("mixed-{:016}", ops + i))
            .collect();
        let start = Instant::now();
        for id in &ids {
            mixed.op(id);
        }
        elapsed += start.elapsed();
        ops += ids.len() as u64;
    }
    Figures {
        new: rate(n_new, t_new),
        renew: rate(n_renew, t_renew),
        heartbeat: rate(n_heartbeat, t_heartbeat),
        release: rate(n_release, t_release),
        mixed: rate(ops, elapsed),
    }
}

/// Twice as many visitors as numbers, each holding at most one lease.
struct Mixed {
    pool: Pool,
    sessions: Vec<String>,
    held: Vec<Option<String>>,
    target: E164,
    rng: Rng,
    now: Millis,
}

impl Mixed {
    fn new(f: &Fixture, now: Millis) -> Mixed {
        let visitors = f.numbers.len() * 2;
        Mixed {
            pool: Pool::new(
                Settings {
                    cooldown: 5 * SECOND,
                    ..settings()
                },
                &f.numbers,
            ),
            sessions: (0..visitors).map(|i| format!("visitor-{i:016}")).collect(),
            held: vec![None; visitors],
            target: f.target.clone(),
            rng: Rng(0xD1B5_4A32_D192_ED03),
            now,
        }
    }

    /// One random operation (a new lease gets `new_id`), then `take_changes`.
    fn op(&mut self, new_id: &str) {
        self.now += 1;
        let v = self.rng.below(self.sessions.len());
        let roll = self.rng.below(100);
        match &self.held[v] {
            Some(id) if roll < 80 => {
                if self.pool.heartbeat(id, self.now).is_err() {
                    self.held[v] = None;
                }
            }
            Some(id) if roll < 90 => {
                let _ = self.pool.release(id, self.now);
                self.held[v] = None;
            }
            _ => {
                let out = self
                    .pool
                    .lease(&self.sessions[v], &self.target, new_id, self.now);
                if let Outcome::Leased(g) = out {
                    self.held[v] = Some(g.lease);
                }
            }
        }
        black_box(self.pool.take_changes());
    }
}

fn main() {
    let short = std::env::var_os("DNI_BENCH_SHORT").is_some();
    // Time per workload and size: enough for a stable figure, a few seconds in all.
    let budget = Duration::from_millis(if short { 100 } else { 1500 });
    println!(
        "lease engine throughput, operations per second{}",
        if short { " (short run)" } else { "" }
    );
    println!(
        "{:>6} {:>12} {:>12} {:>12} {:>12} {:>14}",
        "pool", "lease new", "lease renew", "heartbeat", "release", "mixed+changes"
    );
    for size in [10, 100, 1000] {
        let f = measure(size, budget);
        println!(
            "{:>6} {:>12.0} {:>12.0} {:>12.0} {:>12.0} {:>14.0}",
            size, f.new, f.renew, f.heartbeat, f.release, f.mixed
        );
    }
}
