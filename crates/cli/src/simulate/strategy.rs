//! The strategies the simulator compares: the real lease engine, and two naive ones, driven by the
//! same traffic and scored the same way.

use std::collections::HashMap;

use dni_core::lease::{Outcome, Pool, Settings};
use dni_core::phone::E164;
use dni_core::{Millis, MINUTE};

use super::traffic::{busy_hour, Kind, Traffic};

/// Simulated time 0 is this instant (a Tuesday's midnight, UTC): the engine never sees small times.
const EPOCH: Millis = 1_700_006_400_000;

/// A way of handing out numbers and attributing calls.
pub trait Strategy {
    /// A page of `visitor` asks for a number: the pool number to show, or none (the original).
    fn lease(&mut self, visitor: u32, now: Millis) -> Option<u32>;
    /// A heartbeat; false when the lease is gone (the page then asks again). The naive strategies
    /// ignore activity: their leases never go.
    fn heartbeat(&mut self, _visitor: u32, _now: Millis) -> bool {
        true
    }
    /// The page was hidden; `lost`: the release never arrived. Ignored by the naive strategies.
    fn hide(&mut self, _visitor: u32, _lost: bool, _now: Millis) {}
    /// A call to pool number `number` at `at`: the visitor it is attributed to, and the confidence.
    fn attribute(&mut self, number: u32, at: Millis) -> (Option<u32>, f64);
    /// Numbers not available to a new visitor at `now`, if the strategy has such a notion.
    fn busy(&mut self, now: Millis) -> Option<usize>;
    /// Lease requests that found no number.
    fn exhausted(&self) -> u64;
}

/// Which strategy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Which {
    /// The lease engine with these settings.
    Engine,
    /// A number held for a fixed time from assignment, no cool-down, activity ignored.
    FixedHold(Millis),
    /// Numbers handed to new visitors in turn, whoever has them.
    RoundRobin,
}

/// How one strategy did at one pool size.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Figures {
    /// Calls made.
    pub calls: u64,
    /// Attributed to the caller's session with confidence 1.0.
    pub right: u64,
    /// Attributed with confidence below 1.0 (several candidates, or the last holder after the
    /// window).
    pub ambiguous: u64,
    /// Of those, naming the caller's session first.
    pub ambiguous_right: u64,
    /// Attributed to another session with confidence 1.0.
    pub wrong: u64,
    /// Not attributed to a session: the caller was shown the original number (or the number was
    /// never leased).
    pub none: u64,
    /// Lease requests that found no number.
    pub exhausted: u64,
    /// Time-averaged share of the pool not available to a new visitor, if meaningful.
    pub utilisation: Option<f64>,
    /// Time-averaged numbers busy during the busiest hours, if meaningful.
    pub busy_hour_load: Option<f64>,
    /// Lease requests made (page loads and re-asks after a lost lease).
    pub requests: u64,
    /// Heartbeats answered "gone" (the lease had ended while the page was visible).
    pub gone: u64,
}

impl Figures {
    /// A count as a percentage of calls.
    pub fn share(&self, count: u64) -> f64 {
        if self.calls == 0 {
            0.0
        } else {
            100.0 * count as f64 / self.calls as f64
        }
    }
}

/// Runs `strategy` over the traffic.
pub fn simulate(traffic: &Traffic, strategy: &mut dyn Strategy, size: usize) -> Figures {
    let visitors = traffic.visitors as usize;
    let mut shown: Vec<Option<u32>> = vec![None; visitors];
    let mut f = Figures::default();
    // Utilisation, sampled every simulated minute.
    let (mut next_sample, mut samples, mut busy_sum) = (0, 0u64, 0usize);
    let (mut peak_samples, mut peak_sum) = (0u64, 0usize);
    let mut sampled = true;
    for e in &traffic.events {
        while next_sample <= e.at {
            match strategy.busy(next_sample) {
                Some(b) => {
                    busy_sum += b;
                    samples += 1;
                    if busy_hour(next_sample) {
                        peak_sum += b;
                        peak_samples += 1;
                    }
                }
                None => sampled = false,
            }
            next_sample += MINUTE;
        }
        let v = e.visitor;
        let Some(slot) = shown.get_mut(v as usize) else {
            continue;
        };
        match e.kind {
            Kind::Show => {
                f.requests += 1;
                *slot = strategy.lease(v, e.at);
            }
            Kind::Beat => {
                if slot.is_some() && !strategy.heartbeat(v, e.at) {
                    // The lease is gone: the page asks again and shows what it gets.
                    f.gone += 1;
                    f.requests += 1;
                    *slot = strategy.lease(v, e.at);
                }
            }
            Kind::Hide { lost } => strategy.hide(v, lost, e.at),
            Kind::Call => {
                f.calls += 1;
                match *slot {
                    None => f.none += 1,
                    Some(number) => match strategy.attribute(number, e.at) {
                        (Some(who), c) if c >= 1.0 && who == v => f.right += 1,
                        (Some(_), c) if c >= 1.0 => f.wrong += 1,
                        (Some(who), _) => {
                            f.ambiguous += 1;
                            f.ambiguous_right += u64::from(who == v);
                        }
                        (None, _) => f.none += 1,
                    },
                }
            }
        }
    }
    f.exhausted = strategy.exhausted();
    if sampled && samples > 0 && size > 0 {
        f.utilisation = Some(busy_sum as f64 / samples as f64 / size as f64);
        f.busy_hour_load = (peak_samples > 0).then(|| peak_sum as f64 / peak_samples as f64);
    }
    f
}

/// The simulated pool's `i`th number (the site's own number is `number(0)`, which the pool never
/// includes).
fn number(i: usize) -> Result<E164, String> {
    let text = format!("+1555{:07}", 1 + i);
    E164::parse(&text).map_err(|e| format!("{text}: {e}"))
}

/// The lease engine, as the pool's Durable Object drives it.
pub struct Engine {
    pool: Pool,
    numbers: Vec<E164>,
    index: HashMap<E164, u32>,
    target: E164,
    sessions: Vec<String>,
    leases: Vec<Option<String>>,
    next_id: u64,
}

impl Engine {
    /// A pool of `size` numbers with these settings, for `visitors` sessions.
    pub fn new(settings: Settings, size: usize, visitors: u32) -> Result<Engine, String> {
        let numbers = (1..=size)
            .map(number)
            .collect::<Result<Vec<E164>, String>>()?;
        // The site's own number, which the pool's numbers stand in for.
        let target = number(0)?;
        let index = numbers
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i as u32))
            .collect();
        Ok(Engine {
            pool: Pool::new(settings, &numbers),
            numbers,
            index,
            target,
            sessions: (0..visitors).map(|v| format!("v{v}")).collect(),
            leases: vec![None; visitors as usize],
            next_id: 0,
        })
    }
}

impl Strategy for Engine {
    fn lease(&mut self, visitor: u32, now: Millis) -> Option<u32> {
        let session = self.sessions.get(visitor as usize)?;
        self.next_id += 1;
        let id = format!("l{}", self.next_id);
        let out = self.pool.lease(session, &self.target, &id, EPOCH + now);
        let lease = self.leases.get_mut(visitor as usize)?;
        match out {
            Outcome::Leased(g) => {
                *lease = Some(g.lease);
                self.index.get(&g.number).copied()
            }
            Outcome::Overflow { .. } | Outcome::Original => {
                *lease = None;
                None
            }
        }
    }

    fn heartbeat(&mut self, visitor: u32, now: Millis) -> bool {
        match self.leases.get(visitor as usize) {
            Some(Some(id)) => self.pool.heartbeat(id, EPOCH + now).is_ok(),
            _ => true,
        }
    }

    fn hide(&mut self, visitor: u32, lost: bool, now: Millis) {
        if let Some(lease) = self.leases.get_mut(visitor as usize) {
            if let Some(id) = lease.take() {
                if !lost {
                    let _ = self.pool.release(&id, EPOCH + now);
                }
            }
        }
    }

    fn attribute(&mut self, number: u32, at: Millis) -> (Option<u32>, f64) {
        let Some(n) = self.numbers.get(number as usize) else {
            return (None, 0.0);
        };
        // As the worker does on the provider's webhook: apply expiry, then ask.
        self.pool.expire(EPOCH + at);
        let a = self.pool.attribute(n, EPOCH + at);
        let who = a
            .best
            .and_then(|c| c.session.strip_prefix('v').and_then(|v| v.parse().ok()));
        (who, a.confidence)
    }

    fn busy(&mut self, now: Millis) -> Option<usize> {
        let (leased, cooling) = self.pool.usage(EPOCH + now);
        Some(leased + cooling)
    }

    fn exhausted(&self) -> u64 {
        self.pool.counters().exhausted
    }
}

/// Who was given a number when: the naive strategies attribute a call to the latest.
#[derive(Default, Clone)]
struct Assignments(Vec<(Millis, u32)>);

impl Assignments {
    fn latest(&self, at: Millis) -> Option<u32> {
        let i = self.0.partition_point(|&(t, _)| t <= at);
        i.checked_sub(1)
            .and_then(|i| self.0.get(i))
            .map(|&(_, v)| v)
    }

    /// How the naive strategies attribute a call to `number`: to whoever was last given it, with
    /// full confidence.
    fn attribute(assigned: &[Assignments], number: u32, at: Millis) -> (Option<u32>, f64) {
        let who = assigned.get(number as usize).and_then(|a| a.latest(at));
        (who, if who.is_some() { 1.0 } else { 0.0 })
    }
}

/// A number is held for a fixed time from assignment, then free at once (the first free number in
/// the pool's order is handed out); activity and releases are ignored; a call goes to whoever was
/// last given the number, with full confidence.
pub struct FixedHold {
    hold: Millis,
    /// Per number: its current holder and when it was assigned.
    holder: Vec<Option<(u32, Millis)>>,
    assigned: Vec<Assignments>,
    /// Per visitor: the number it holds.
    holds: Vec<Option<u32>>,
    exhausted: u64,
}

impl FixedHold {
    /// `size` numbers held `hold` each, for `visitors` sessions.
    pub fn new(hold: Millis, size: usize, visitors: u32) -> FixedHold {
        FixedHold {
            hold,
            holder: vec![None; size],
            assigned: vec![Assignments::default(); size],
            holds: vec![None; visitors as usize],
            exhausted: 0,
        }
    }
}

impl Strategy for FixedHold {
    fn lease(&mut self, visitor: u32, now: Millis) -> Option<u32> {
        let hold = self.hold;
        if let Some(Some(k)) = self.holds.get(visitor as usize) {
            if let Some(Some((v, since))) = self.holder.get(*k as usize) {
                if *v == visitor && since + hold > now {
                    return Some(*k);
                }
            }
        }
        // The first free number in the pool's order: no cool-down, so a number whose hold just
        // ended is as good as any (picking the one free longest would be a cool-down in disguise).
        let free = self
            .holder
            .iter()
            .position(|h| h.is_none_or(|(_, since)| since + hold <= now));
        let Some(k) = free else {
            self.exhausted += 1;
            return None;
        };
        if let Some(h) = self.holder.get_mut(k) {
            *h = Some((visitor, now));
        }
        if let Some(a) = self.assigned.get_mut(k) {
            a.0.push((now, visitor));
        }
        if let Some(h) = self.holds.get_mut(visitor as usize) {
            *h = Some(k as u32);
        }
        Some(k as u32)
    }

    fn attribute(&mut self, number: u32, at: Millis) -> (Option<u32>, f64) {
        Assignments::attribute(&self.assigned, number, at)
    }

    fn busy(&mut self, now: Millis) -> Option<usize> {
        Some(
            self.holder
                .iter()
                .filter(|h| h.is_some_and(|(_, since)| since + self.hold > now))
                .count(),
        )
    }

    fn exhausted(&self) -> u64 {
        self.exhausted
    }
}

/// Each new visitor gets the next number in turn, whoever else has it; a returning visitor keeps
/// its number (a cookie); a call goes to whoever was last given the number, with full confidence.
pub struct RoundRobin {
    next: usize,
    assigned: Vec<Assignments>,
    holds: Vec<Option<u32>>,
}

impl RoundRobin {
    /// `size` numbers for `visitors` sessions.
    pub fn new(size: usize, visitors: u32) -> RoundRobin {
        RoundRobin {
            next: 0,
            assigned: vec![Assignments::default(); size],
            holds: vec![None; visitors as usize],
        }
    }
}

impl Strategy for RoundRobin {
    fn lease(&mut self, visitor: u32, now: Millis) -> Option<u32> {
        if self.assigned.is_empty() {
            return None;
        }
        let held = self.holds.get_mut(visitor as usize)?;
        if let Some(k) = *held {
            return Some(k);
        }
        let k = self.next % self.assigned.len();
        self.next += 1;
        if let Some(a) = self.assigned.get_mut(k) {
            a.0.push((now, visitor));
        }
        *held = Some(k as u32);
        Some(k as u32)
    }

    fn attribute(&mut self, number: u32, at: Millis) -> (Option<u32>, f64) {
        Assignments::attribute(&self.assigned, number, at)
    }

    fn busy(&mut self, _now: Millis) -> Option<usize> {
        None
    }

    fn exhausted(&self) -> u64 {
        0
    }
}

/// Builds a strategy and runs it.
pub fn run(
    traffic: &Traffic,
    which: Which,
    settings: &Settings,
    size: usize,
) -> Result<Figures, String> {
    let visitors = traffic.visitors;
    let mut strategy: Box<dyn Strategy> = match which {
        Which::Engine => Box::new(Engine::new(settings.clone(), size, visitors)?),
        Which::FixedHold(hold) => Box::new(FixedHold::new(hold, size, visitors)),
        Which::RoundRobin => Box::new(RoundRobin::new(size, visitors)),
    };
    Ok(simulate(traffic, strategy.as_mut(), size))
}
