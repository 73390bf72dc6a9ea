//! Scenario tables for the lease engine: each row is an operation at a time and what it must answer.
//! The random interleavings live in `tests/lease_properties.rs`.

use super::*;

const T: Millis = 1_700_000_000_000;
const S: Millis = crate::SECOND;
const M: Millis = MINUTE;

fn n(i: u32) -> E164 {
    E164::parse(&format!("+1212555{:04}", 100 + i)).unwrap()
}

fn target() -> E164 {
    E164::parse("+12125550100").unwrap()
}

fn pool(size: u32, on_exhausted: Exhausted) -> Pool {
    let numbers: Vec<E164> = (1..=size).map(n).collect();
    let settings = Settings {
        idle_timeout: 2 * M,
        max_hold: 30 * M,
        cooldown: 10 * M,
        on_exhausted,
    };
    Pool::new(settings, &numbers)
}

/// One step of a scenario.
enum Op {
    /// session, at → the number it must get (0 = the original number, 99 = the overflow number).
    Lease(&'static str, Millis, u32),
    /// lease of session, at → Ok or Gone.
    Heartbeat(&'static str, Millis, bool),
    /// lease of session, at → Ok or Gone.
    Release(&'static str, Millis, bool),
    /// number, at → best session ("" = none) and confidence.
    Call(u32, Millis, &'static str, f64),
    /// at → next deadline.
    Deadline(Millis, Option<Millis>),
}
use Op::*;

fn run(mut pool: Pool, ops: &[Op]) {
    let mut ids: HashMap<&str, String> = HashMap::new();
    for (step, op) in ops.iter().enumerate() {
        match op {
            Lease(session, at, want) => {
                let id = format!("{session}-{step}");
                let got = match pool.lease(session, &target(), &id, *at) {
                    Outcome::Leased(g) => {
                        ids.insert(session, g.lease.clone());
                        g.number
                    }
                    Outcome::Overflow { number } => {
                        assert_eq!(number, n(99));
                        n(99)
                    }
                    Outcome::Original => target(),
                };
                let want = if *want == 0 { target() } else { n(*want) };
                assert_eq!(
                    got,
                    want,
                    "step {step}: lease for {session} at +{}s",
                    at.saturating_sub(T) / S
                );
            }
            Heartbeat(session, at, ok) => {
                let id = ids.get(session).cloned().unwrap_or_default();
                assert_eq!(
                    pool.heartbeat(&id, *at).is_ok(),
                    *ok,
                    "step {step}: heartbeat of {session}"
                );
            }
            Release(session, at, ok) => {
                let id = ids.get(session).cloned().unwrap_or_default();
                assert_eq!(
                    pool.release(&id, *at).is_ok(),
                    *ok,
                    "step {step}: release of {session}"
                );
            }
            Call(number, at, session, confidence) => {
                pool.expire(*at);
                let a = pool.attribute(&n(*number), *at);
                let best = a.best.map(|c| c.session).unwrap_or_default();
                assert_eq!(
                    (best.as_str(), a.confidence),
                    (*session, *confidence),
                    "step {step}: call to {number}"
                );
            }
            Deadline(at, want) => {
                pool.expire(*at);
                assert_eq!(pool.next_deadline(), *want, "step {step}: deadline");
            }
        }
        // Every step must survive a restart from what was written.
        let restored = Pool::restore(
            pool.settings().clone(),
            pool.slots().to_vec(),
            pool.counters(),
        );
        assert_eq!(restored.slots(), pool.slots(), "step {step}: restore");
    }
}

#[test]
fn two_visitors_get_two_numbers_and_keep_them() {
    run(
        pool(3, Exhausted::Original),
        &[
            Lease("a", T, 1),
            Lease("b", T, 2),
            Lease("a", T + 30 * S, 1),
            Heartbeat("b", T + 60 * S, true),
            Call(1, T + 90 * S, "a", 1.0),
            Call(2, T + 90 * S, "b", 1.0),
            Call(3, T + 90 * S, "", 0.0),
        ],
    );
}

#[test]
fn leases_expire_without_heartbeats_and_cool_down() {
    run(
        pool(1, Exhausted::Original),
        &[
            Lease("a", T, 1),
            Deadline(T, Some(T + 2 * M)),
            Heartbeat("a", T + M, true),
            Deadline(T + M, Some(T + 3 * M)),
            // No heartbeat for two minutes: gone at T+3m.
            Heartbeat("a", T + 3 * M + S, false),
            Deadline(T + 4 * M, None),
            // Cooling down until T+13m: b gets the original number, a late call still finds a.
            Lease("b", T + 5 * M, 0),
            Call(1, T + 12 * M, "a", 1.0),
            Lease("b", T + 13 * M, 1),
            Call(1, T + 14 * M, "b", 1.0),
        ],
    );
}

#[test]
fn a_lease_never_outlives_its_cap() {
    let mut ops = vec![Lease("a", T, 1)];
    for minute in 1..=29 {
        ops.push(Heartbeat("a", T + minute * M, true));
    }
    ops.push(Deadline(T + 29 * M, Some(T + 30 * M)));
    ops.push(Heartbeat("a", T + 30 * M, false));
    run(pool(1, Exhausted::Original), &ops);
}

#[test]
fn a_returning_session_gets_its_number_back() {
    run(
        pool(2, Exhausted::Original),
        &[
            Lease("a", T, 1),
            Release("a", T + M, true),
            Release("a", T + M, false),
            Lease("b", T + 2 * M, 2),
            // Number 1 is cooling, but it is still a's.
            Lease("a", T + 3 * M, 1),
            Call(1, T + 4 * M, "a", 1.0),
        ],
    );
}

#[test]
fn the_free_number_idle_longest_goes_first() {
    run(
        pool(3, Exhausted::Original),
        &[
            Lease("a", T, 1),
            Lease("b", T, 2),
            Lease("c", T, 3),
            Release("c", T + 30 * S, true),
            Release("a", T + 60 * S, true),
            Release("b", T + 90 * S, true),
            // All cooled by T+14m; 3 ended first.
            Lease("d", T + 14 * M, 3),
            Lease("e", T + 14 * M, 1),
        ],
    );
}

#[test]
fn exhaustion_follows_the_policy() {
    run(
        pool(1, Exhausted::Original),
        &[Lease("a", T, 1), Lease("b", T, 0)],
    );
    run(
        pool(1, Exhausted::Overflow(n(99))),
        &[Lease("a", T, 1), Lease("b", T, 99)],
    );
    run(
        pool(2, Exhausted::ReuseLeastRecent),
        &[
            Lease("a", T, 1),
            Lease("b", T + S, 2),
            Heartbeat("a", T + 30 * S, true),
            // b is the least recently active: its number goes to c, and both are ambiguous.
            Lease("c", T + M, 2),
            Heartbeat("b", T + M + S, false),
            Call(2, T + M + 2 * S, "c", 0.5),
            Call(1, T + M + 2 * S, "a", 1.0),
        ],
    );
}

#[test]
fn counts_what_happened() {
    let mut p = pool(1, Exhausted::Original);
    let t = target();
    assert!(matches!(p.lease("a", &t, "l1", T), Outcome::Leased(_)));
    assert!(matches!(
        p.lease("a", &t, "l2", T + S),
        Outcome::Leased(Granted { renewed: true, .. })
    ));
    assert_eq!(p.lease("b", &t, "l3", T + S), Outcome::Original);
    assert!(p.heartbeat("l1", T + 2 * S).is_ok());
    p.expire(T + 10 * M);
    let c = p.counters();
    assert_eq!(
        (
            c.granted,
            c.renewed,
            c.exhausted,
            c.original,
            c.heartbeats,
            c.expired
        ),
        (1, 1, 1, 1, 1, 1)
    );
}

#[test]
fn reconfiguring_retires_and_adds_numbers() {
    let mut p = pool(2, Exhausted::Original);
    let t = target();
    assert!(
        matches!(p.lease("a", &t, "l1", T), Outcome::Leased(Granted { ref number, .. }) if *number == n(1))
    );
    p.take_changes();
    p.set_numbers(&[n(2), n(3)]);
    // Number 1 keeps its lease but gets no new one; number 3 is new.
    assert!(p
        .slot(&n(1))
        .is_some_and(|s| s.retired && s.lease.is_some()));
    assert!(
        matches!(p.lease("b", &t, "l2", T), Outcome::Leased(Granted { ref number, .. }) if *number == n(2))
    );
    assert!(
        matches!(p.lease("c", &t, "l3", T), Outcome::Leased(Granted { ref number, .. }) if *number == n(3))
    );
    assert!(p.release("l1", T + M).is_ok());
    p.expire(T + 20 * M);
    assert!(p.slot(&n(1)).is_none());
    assert!(p.take_changes().removed.contains(&n(1)));
}

#[test]
fn the_window_closes_when_the_number_may_go_to_someone_else() {
    // The cool-down and the attribution window are the same span: at the instant a number becomes
    // free for another session, its previous holder stops being a candidate for calls to it.
    run(
        pool(1, Exhausted::Original),
        &[
            Lease("a", T, 1),
            Release("a", T + M, true),
            Call(1, T + 11 * M - 1, "a", 1.0),
            Lease("b", T + 11 * M, 1),
            Call(1, T + 11 * M, "b", 1.0),
        ],
    );
}

#[test]
fn a_number_used_at_time_zero_still_cools_down() {
    // Time is an argument; nothing special may happen at the epoch (a pool in a test, or a shell
    // with a clock of its own).
    run(
        pool(1, Exhausted::Original),
        &[
            Lease("a", 0, 1),
            Release("a", 0, true),
            Lease("b", S, 0),
            Call(1, S, "a", 1.0),
            Lease("b", 10 * M, 1),
        ],
    );
    let mut p = pool(1, Exhausted::Original);
    assert!(matches!(
        p.lease("a", &target(), "l1", 0),
        Outcome::Leased(_)
    ));
    assert!(p.release("l1", 0).is_ok());
    assert_eq!(p.usage(S), (0, 1), "the number is cooling down");
}

#[test]
fn a_call_at_the_instant_of_a_takeover_goes_to_the_taker() {
    run(
        pool(1, Exhausted::ReuseLeastRecent),
        &[
            Lease("a", T, 1),
            Lease("b", T + M, 1),
            // a's lease ended as b's began: b is the one who sees the number now.
            Call(1, T + M, "b", 0.5),
        ],
    );
}

#[test]
fn a_session_whose_lease_expired_gets_its_number_back() {
    run(
        pool(2, Exhausted::Original),
        &[
            Lease("a", T, 1),
            Lease("b", T, 2),
            // a stops heartbeating: its lease ends at T+2m; its heartbeat at T+3m finds it gone and
            // the page asks again.
            Heartbeat("a", T + 3 * M, false),
            Lease("a", T + 3 * M, 1),
            Heartbeat("a", T + 4 * M, true),
            Call(1, T + 4 * M, "a", 1.0),
        ],
    );
}

#[test]
fn a_restored_pool_does_not_depend_on_the_order_of_its_rows() {
    // Storage gives the rows back in its own order (by number, say); the pool must behave the same.
    let mut p = pool(0, Exhausted::Original);
    p.set_numbers(&[n(2), n(3)]);
    p.set_numbers(&[n(1), n(2), n(3)]);
    let mut rows = p.slots().to_vec();
    rows.sort_by(|a, b| b.number.cmp(&a.number));
    let mut q = Pool::restore(p.settings().clone(), rows, p.counters());
    for (i, session) in ["a", "b", "c"].into_iter().enumerate() {
        let id = format!("l{i}");
        assert_eq!(
            p.lease(session, &target(), &id, T),
            q.lease(session, &target(), &id, T),
            "lease for {session}"
        );
    }
    assert_eq!(p.slots(), q.slots());
}

#[test]
fn a_number_given_back_while_its_takeover_is_in_the_window_stays_ambiguous() {
    // b takes a's number by the reuse policy, b's lease expires, b asks again: b gets its number
    // back, but a left it less than a cool-down ago, so the grant must say it is ambiguous (a call
    // now has two candidates).
    let mut p = pool(1, Exhausted::ReuseLeastRecent);
    let t = target();
    assert!(matches!(p.lease("a", &t, "l1", T), Outcome::Leased(_)));
    assert!(matches!(
        p.lease("b", &t, "l2", T),
        Outcome::Leased(Granted {
            ambiguous: true,
            ..
        })
    ));
    p.expire(T + 2 * M);
    assert!(matches!(
        p.lease("b", &t, "l3", T + 2 * M),
        Outcome::Leased(Granted {
            ambiguous: true,
            renewed: false,
            ..
        })
    ));
    assert!(p.attribute(&n(1), T + 2 * M).confidence < 1.0);
    // Once a is out of the window, b's next lease is b's alone, and so is a call: b is the only
    // session that held the number over the window, whatever the way it came to hold it.
    assert!(p.release("l3", T + 3 * M).is_ok());
    assert!(matches!(
        p.lease("b", &t, "l4", T + 10 * M),
        Outcome::Leased(Granted {
            ambiguous: false,
            ..
        })
    ));
    let a = p.attribute(&n(1), T + 10 * M);
    assert_eq!((a.candidates.len(), a.confidence), (1, 1.0));
}

#[test]
fn a_late_call_to_a_number_nobody_took_since_names_its_last_holder_with_less_confidence() {
    // The window is the cool-down (10 minutes here). A call after it, to a number no one else has
    // had since, most likely still comes from its last holder: named, but not with certainty, and
    // less so the longer ago the holding ended (half at the window's end, halving as the time
    // since the holding doubles).
    run(
        pool(2, Exhausted::Original),
        &[
            Lease("z", T, 1),
            Lease("a", T, 2),
            Release("a", T + M, true),
            Call(2, T + 11 * M - 1, "a", 1.0),
            Call(2, T + 11 * M, "a", 0.5),
            Call(2, T + 21 * M, "a", 0.25),
        ],
    );
    run(
        pool(1, Exhausted::Original),
        &[
            Lease("a", T, 1),
            Release("a", T + M, true),
            Call(1, T + 11 * M - 1, "a", 1.0),
            Call(1, T + 11 * M, "a", 0.5),
            Call(1, T + 21 * M, "a", 0.25),
            // Once someone else has the number, the call is theirs.
            Lease("b", T + 21 * M, 1),
            Call(1, T + 22 * M, "b", 1.0),
        ],
    );
    // A number never leased names no one.
    run(pool(1, Exhausted::Original), &[Call(1, T, "", 0.0)]);
}

#[test]
fn a_visit_is_needed_while_its_session_can_still_be_credited() {
    let mut p = pool(2, Exhausted::Original);
    assert!(matches!(
        p.lease("a", &target(), "la", T),
        Outcome::Leased(_)
    ));
    assert!(matches!(
        p.lease("b", &target(), "lb", T),
        Outcome::Leased(_)
    ));
    p.release("lb", T + M).unwrap();
    // (at, session, needed): a's lease is live until its idle deadline (T + 2 min), b's ended
    // at its release (T + 1 min); each is needed for the cool-down (10 min) after that.
    let table = [
        (T + M, "a", true),
        (T + 2 * M + 10 * M, "a", true),
        (T + 2 * M + 10 * M + 1, "a", false),
        (T + 5 * M, "b", true),
        (T + M + 10 * M, "b", true),
        (T + M + 10 * M + 1, "b", false),
        (T + 5 * M, "nobody", false),
    ];
    for (at, session, needed) in table {
        let mut q = p.clone();
        q.expire(at);
        assert_eq!(
            q.needs_visit(session, at),
            needed,
            "{session} at +{}",
            at - T
        );
    }
    // (now, the horizon before which a visit may be forgotten): the cool-down (10 min) back.
    let table = [(T + 30 * M, T + 20 * M), (T + 10 * M, T), (5 * M, 0)];
    for (now, horizon) in table {
        assert_eq!(p.visit_horizon(now), horizon, "at {now}");
    }
}

#[test]
fn a_number_is_needed_while_leased_or_cooling() {
    let mut p = pool(3, Exhausted::Original);
    let Outcome::Leased(g) = p.lease("s1", &target(), "L1", T) else {
        panic!("no lease");
    };
    let held = g.number.clone();
    // (case, the time asked, needed until)
    let idle = n(3);
    let table = [(
        "a live lease: its deadline plus the cool-down",
        T + S,
        Some(T + 2 * M + 10 * M),
    )];
    for (case, at, want) in table {
        assert_eq!(p.needed_until(&held, at), want, "{case}");
    }
    assert_eq!(p.needed_until(&idle, T), None, "never leased: free");
    assert_eq!(
        p.needed_until(&n(99), T),
        None,
        "not in the pool: nothing needs it"
    );
    p.release("L1", T + M).unwrap();
    // (case, the time asked, needed until)
    let table = [
        (
            "cooling down: until the cool-down ends",
            T + M + S,
            Some(T + M + 10 * M),
        ),
        (
            "the last instant of the window",
            T + 11 * M - 1,
            Some(T + 11 * M),
        ),
        ("cooled: free", T + 11 * M, None),
    ];
    for (case, at, want) in table {
        assert_eq!(p.needed_until(&held, at), want, "{case}");
    }
}
