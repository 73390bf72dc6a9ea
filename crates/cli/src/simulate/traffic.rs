//! Simulated visitors: a seeded random number generator and the traffic model that turns a scenario
//! into a time-ordered list of what browsers and callers do.
//!
//! The simulated browser behaves like the real client: it asks for a number when a page loads,
//! heartbeats every 30 seconds while the page is visible, and releases the lease with sendBeacon
//! when the page is hidden (navigation, tab closed, or a phone visitor tapping the number, which
//! hides the page just before the call). Some of those releases never arrive, some heartbeats are
//! lost or late, some visitors come back later in the same session, and a share of visitors call
//! the number they were last shown, some time after their last activity.

use dni_core::{Millis, DAY, HOUR, MINUTE, SECOND};

/// splitmix64: a tiny, fast, seeded generator with good statistical quality for simulations
/// (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", 2014).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose whole sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Exponential with this mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit();
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Log-normal with this median and shape.
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }
}

/// The share of the busy hour's visitors arriving in each hour of the day (local time): a business
/// site's day, quiet at night, busiest late morning and mid-afternoon.
pub const DAILY_CURVE: [f64; 24] = [
    0.08, 0.05, 0.04, 0.03, 0.03, 0.05, 0.12, 0.30, 0.55, 0.80, 0.95, 1.00, 0.90, 0.85, 0.95, 1.00,
    0.95, 0.85, 0.70, 0.60, 0.55, 0.45, 0.30, 0.15,
];

/// The hour of the day a simulated time falls in (simulated time 0 is midnight).
pub fn hour_of_day(at: Millis) -> usize {
    ((at % DAY) / HOUR) as usize
}

/// Whether a simulated time falls in one of the busiest hours of the curve.
pub fn busy_hour(at: Millis) -> bool {
    DAILY_CURVE.get(hour_of_day(at)).is_some_and(|&w| w >= 1.0)
}

/// The scenario: who visits, how they browse, who calls and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Visitors arriving per hour at the busy hour; other hours follow [`DAILY_CURVE`].
    pub visitors_per_hour: f64,
    /// Median length of a visit (first page load to the page being hidden for good), minutes.
    pub median_session_min: f64,
    /// Spread of visit lengths (the log-normal's sigma).
    pub session_sigma: f64,
    /// Mean time between page loads within a visit, minutes.
    pub page_view_min: f64,
    /// Share of visitors who call.
    pub call_share: f64,
    /// Callers call within this many minutes of their last activity.
    pub call_within_min: f64,
    /// Share of callers who tap the number on a phone: the page hides and the call comes a few
    /// seconds later.
    pub tap_share: f64,
    /// Share of visitors who come back later in the same session.
    pub return_share: f64,
    /// Mean time before a returning visitor comes back, minutes.
    pub return_after_min: f64,
    /// Share of releases (sendBeacon on page hide) that never reach the worker.
    pub lost_release: f64,
    /// Share of heartbeats that never reach the worker.
    pub lost_heartbeat: f64,
    /// Mean network delay of a heartbeat, milliseconds (exponential: a few are seconds late).
    pub heartbeat_delay_ms: f64,
    /// Days simulated.
    pub days: u32,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            visitors_per_hour: 600.0,
            median_session_min: 4.0,
            session_sigma: 1.0,
            page_view_min: 2.0,
            call_share: 0.05,
            call_within_min: 10.0,
            tap_share: 0.5,
            return_share: 0.15,
            return_after_min: 30.0,
            lost_release: 0.2,
            lost_heartbeat: 0.02,
            heartbeat_delay_ms: 300.0,
            days: 14,
        }
    }
}

/// The heartbeat interval of the client.
pub const HEARTBEAT: Millis = 30 * SECOND;

/// What happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A page loads (or shows again) and asks for a number.
    Show,
    /// A heartbeat arrives.
    Beat,
    /// The page is hidden: the browser sends the release, which may be lost.
    Hide {
        /// The release never arrives.
        lost: bool,
    },
    /// The visitor calls the number last shown.
    Call,
}

/// One thing a visitor's browser or phone does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    /// Simulated time (0 is midnight of the first day).
    pub at: Millis,
    /// The visitor (and session).
    pub visitor: u32,
    /// What.
    pub kind: Kind,
}

/// The whole simulated traffic, in time order.
#[derive(Debug, Clone)]
pub struct Traffic {
    /// Every event, ordered by time (ties in the order they were generated).
    pub events: Vec<Event>,
    /// Visitors generated.
    pub visitors: u32,
    /// Of them, callers.
    pub callers: u32,
}

fn ms(minutes: f64) -> Millis {
    (minutes * MINUTE as f64).max(0.0) as Millis
}

/// Generates the traffic of a scenario; the same seed gives the same traffic.
pub fn generate(scenario: &Scenario, seed: u64) -> Traffic {
    let mut rng = Rng::new(seed);
    let mut events = Vec::new();
    let mut visitors = 0u32;
    let mut callers = 0u32;
    let horizon = u64::from(scenario.days) * DAY;
    let mut hour_start = 0;
    while hour_start < horizon {
        let weight = DAILY_CURVE
            .get(hour_of_day(hour_start))
            .copied()
            .unwrap_or(1.0);
        let per_ms = scenario.visitors_per_hour * weight / HOUR as f64;
        let mut t = hour_start as f64;
        if per_ms > 0.0 {
            loop {
                t += rng.exponential(1.0 / per_ms);
                if t >= (hour_start + HOUR) as f64 {
                    break;
                }
                let caller = visitor(scenario, &mut rng, visitors, t as Millis, &mut events);
                callers += u32::from(caller);
                visitors += 1;
            }
        }
        hour_start += HOUR;
    }
    // A stable sort keeps each visitor's own events in the order they were generated.
    events.sort_by_key(|e| e.at);
    Traffic {
        events,
        visitors,
        callers,
    }
}

/// One visitor's events from `arrival`; returns whether the visitor calls.
fn visitor(s: &Scenario, rng: &mut Rng, id: u32, arrival: Millis, out: &mut Vec<Event>) -> bool {
    let mut end = visit(s, rng, id, arrival, out);
    if rng.chance(s.return_share) {
        let back = end + ms(rng.exponential(s.return_after_min)).max(MINUTE);
        end = visit(s, rng, id, back, out);
    }
    let calls = rng.chance(s.call_share);
    if calls {
        let delay = if rng.chance(s.tap_share) {
            // Tapping the number hides the page (its release goes out) and the call follows.
            ms(rng.uniform(2.0, 20.0) / 60.0)
        } else {
            ms(rng.uniform(0.0, s.call_within_min))
        };
        out.push(Event {
            at: end + delay,
            visitor: id,
            kind: Kind::Call,
        });
    }
    calls
}

/// One visit from `start`: page loads, heartbeats while visible, a hide at each navigation and at
/// the end. Returns the time of the last activity (the final hide).
fn visit(s: &Scenario, rng: &mut Rng, id: u32, start: Millis, out: &mut Vec<Event>) -> Millis {
    let length =
        ms(rng.lognormal(s.median_session_min, s.session_sigma)).clamp(10 * SECOND, 6 * HOUR);
    let end = start + length;
    let mut page = start;
    loop {
        out.push(Event {
            at: page,
            visitor: id,
            kind: Kind::Show,
        });
        let next = page + ms(rng.exponential(s.page_view_min)).max(5 * SECOND);
        let hidden = next.min(end);
        let mut beat = page + HEARTBEAT;
        while beat < hidden {
            let delay = rng.exponential(s.heartbeat_delay_ms) as Millis;
            if !rng.chance(s.lost_heartbeat) && beat + delay < hidden {
                out.push(Event {
                    at: beat + delay,
                    visitor: id,
                    kind: Kind::Beat,
                });
            }
            beat += HEARTBEAT;
        }
        out.push(Event {
            at: hidden,
            visitor: id,
            kind: Kind::Hide {
                lost: rng.chance(s.lost_release),
            },
        });
        if hidden >= end {
            return end;
        }
        // The next page of the visit loads a moment after the previous one was hidden.
        page = hidden + SECOND;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic_and_spread() {
        let a: Vec<u64> = {
            let mut r = Rng::new(42);
            (0..5).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::new(42);
            (0..5).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, {
            let mut r = Rng::new(43);
            (0..5).map(|_| r.next_u64()).collect::<Vec<_>>()
        });
        // splitmix64's published first output for seed 0.
        assert_eq!(Rng::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
        let mut r = Rng::new(7);
        let n = 100_000;
        let mean = (0..n).map(|_| r.unit()).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
        let mut r = Rng::new(7);
        let mut sizes: Vec<f64> = (0..n).map(|_| r.lognormal(4.0, 1.0)).collect();
        sizes.sort_by(f64::total_cmp);
        let median = sizes[n / 2];
        assert!((median - 4.0).abs() < 0.1, "{median}");
        let mut r = Rng::new(9);
        let mean = (0..n).map(|_| r.exponential(3.0)).sum::<f64>() / n as f64;
        assert!((mean - 3.0).abs() < 0.05, "{mean}");
    }

    #[test]
    fn traffic_follows_the_scenario() {
        let s = Scenario {
            days: 2,
            ..Scenario::default()
        };
        let t = generate(&s, 1);
        assert_eq!(t.events, generate(&s, 1).events, "same seed, same traffic");
        // 600 an hour at the busy hour, the curve's sum of hours a day.
        let expected = 600.0 * DAILY_CURVE.iter().sum::<f64>() * 2.0;
        let share = f64::from(t.visitors) / expected;
        assert!((0.95..1.05).contains(&share), "{} visitors", t.visitors);
        let calls = f64::from(t.callers) / f64::from(t.visitors);
        assert!((0.04..0.06).contains(&calls), "{calls}");
        assert!(t.events.windows(2).all(|w| w[0].at <= w[1].at));
        // Every visitor's first event is a page load, and each hide follows a page load.
        let mut shown = vec![false; t.visitors as usize];
        for e in &t.events {
            match e.kind {
                Kind::Show => shown[e.visitor as usize] = true,
                _ => assert!(shown[e.visitor as usize], "{e:?} before any page"),
            }
        }
    }
}
