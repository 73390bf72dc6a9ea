//! `dni simulate`: drives the real lease engine with simulated traffic and says how many numbers a
//! pool needs.
//!
//! For each pool size in a range it prints, for the engine and for two naive strategies (a fixed
//! hold counted from assignment with no cool-down; round-robin reuse), the share of calls
//! attributed to the right session with confidence 1.0, the share ambiguous, the share attributed
//! to the wrong session, the share not attributed, the exhaustion events and the utilisation; and
//! the pool size Erlang-B gives for 1 % blocking at the offered load the engine measured. Seeded:
//! the same arguments print the same figures. `--svg` also draws the curve; `--sweep` compares
//! settings (idle timeout, cap, cool-down) by the pool each needs.

mod strategy;
mod svg;
pub mod traffic;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use dni_core::lease::{Exhausted, Settings};
use dni_core::phone::E164;
use dni_core::{Millis, MINUTE, SECOND};

use strategy::{Figures, Which};
use traffic::{Scenario, Traffic};

/// The command's options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The traffic.
    pub scenario: Scenario,
    /// Pool sizes: from, to (inclusive), step.
    pub sizes: (usize, usize, usize),
    /// The traffic's seed.
    pub seed: u64,
    /// The engine's settings.
    pub settings: Settings,
    /// The fixed hold of the naive strategy.
    pub naive_hold: Millis,
    /// Where to write the chart.
    pub svg: Option<String>,
    /// Compare settings instead of printing the size table.
    pub sweep: bool,
    /// Worker threads.
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            scenario: Scenario::default(),
            sizes: (180, 260, 5),
            seed: 1,
            settings: Settings::default(),
            naive_hold: 15 * MINUTE,
            svg: None,
            sweep: false,
            threads: 2,
        }
    }
}

const HELP: &str = "dni simulate [options]
  --visitors-per-hour N     visitors arriving in the busy hour (the daily curve scales the others) [600]
  --median-session-min M    median visit length, minutes [4]
  --call-share P            share of visitors who call, 0..1 or N% [5%]
  --call-within-min W       callers call within W minutes of their last activity [10]
  --tap-share P             share of callers who tap the number (call seconds after the page hides) [50%]
  --return-share P          share of visitors who come back later in the same session [15%]
  --lost-release P          share of page-hide releases that never arrive [20%]
  --lost-heartbeat P        share of heartbeats that never arrive [2%]
  --days D                  days simulated [14]
  --seed S                  traffic seed [1]
  --sizes A..B[:STEP]       pool sizes [180..260:5]
  --idle-timeout-s S        engine: idle timeout, seconds [default setting]
  --max-hold-min M          engine: cap on a lease, minutes [default setting]
  --cooldown-min M          engine: cool-down and attribution window, minutes [default setting]
  --on-exhausted original|overflow|reuse   engine: exhaustion policy [original]
  --naive-hold-min H        the fixed-hold strategy's hold, minutes [15]
  --svg PATH                also draw the curve as an SVG chart
  --sweep                   compare engine settings by the pool each needs, instead of the table
  --threads N               worker threads [2]";

fn parse_share(flag: &str, value: &str) -> Result<f64, String> {
    let (text, scale) = match value.strip_suffix('%') {
        Some(percent) => (percent, 100.0),
        None => (value, 1.0),
    };
    let share = text
        .parse::<f64>()
        .ok()
        .map(|v| v / scale)
        .filter(|v| (0.0..=1.0).contains(v))
        .ok_or_else(|| {
            format!("{flag}: expected a share between 0 and 1 (or 0% to 100%), got {value:?}")
        })?;
    Ok(share)
}

fn parse_number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag}: expected a number, got {value:?}"))
}

fn parse_positive(flag: &str, value: &str) -> Result<f64, String> {
    value
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0)
        .ok_or_else(|| format!("{flag}: expected a positive number, got {value:?}"))
}

fn minutes(m: f64) -> Millis {
    (m * MINUTE as f64).round() as Millis
}

fn parse_sizes(value: &str) -> Result<(usize, usize, usize), String> {
    let bad = || format!("--sizes: expected A..B or A..B:STEP (A <= B, STEP > 0), got {value:?}");
    let (range, step) = match value.split_once(':') {
        Some((range, step)) => (range, step.parse::<usize>().map_err(|_| bad())?),
        None => (value, 0),
    };
    let (from, to) = range.split_once("..").ok_or_else(bad)?;
    let from: usize = from.parse().map_err(|_| bad())?;
    let to: usize = to.parse().map_err(|_| bad())?;
    if from > to || from == 0 || to > 100_000 {
        return Err(bad());
    }
    // Without a step: about fifteen rows.
    let step = if step == 0 {
        ((to - from) / 15).max(1)
    } else {
        step
    };
    Ok((from, to, step))
}

/// Reads the command line.
pub fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options::default();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let flag = flag.as_str();
        if flag == "--sweep" {
            o.sweep = true;
            continue;
        }
        if flag == "--help" || flag == "-h" {
            return Err(HELP.to_owned());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{HELP}"))?;
        let s = &mut o.scenario;
        match flag {
            "--visitors-per-hour" => s.visitors_per_hour = parse_positive(flag, value)?,
            "--median-session-min" => s.median_session_min = parse_positive(flag, value)?,
            "--call-share" => s.call_share = parse_share(flag, value)?,
            "--call-within-min" => s.call_within_min = parse_positive(flag, value)?,
            "--tap-share" => s.tap_share = parse_share(flag, value)?,
            "--return-share" => s.return_share = parse_share(flag, value)?,
            "--lost-release" => s.lost_release = parse_share(flag, value)?,
            "--lost-heartbeat" => s.lost_heartbeat = parse_share(flag, value)?,
            "--days" => {
                s.days = parse_number(flag, value)?;
                if s.days == 0 || s.days > 366 {
                    return Err(format!("{flag}: expected 1 to 366 days"));
                }
            }
            "--seed" => o.seed = parse_number(flag, value)?,
            "--sizes" => o.sizes = parse_sizes(value)?,
            "--idle-timeout-s" => {
                o.settings.idle_timeout = (parse_positive(flag, value)? * SECOND as f64) as Millis
            }
            "--max-hold-min" => o.settings.max_hold = minutes(parse_positive(flag, value)?),
            "--cooldown-min" => o.settings.cooldown = minutes(parse_positive(flag, value)?),
            "--on-exhausted" => {
                o.settings.on_exhausted = match value.as_str() {
                    "original" => Exhausted::Original,
                    "overflow" => {
                        Exhausted::Overflow(E164::parse("+15559999999").map_err(|e| e.to_string())?)
                    }
                    "reuse" => Exhausted::ReuseLeastRecent,
                    _ => return Err(format!("{flag}: original, overflow or reuse")),
                }
            }
            "--naive-hold-min" => o.naive_hold = minutes(parse_positive(flag, value)?),
            "--svg" => o.svg = Some(value.clone()),
            "--threads" => {
                o.threads = parse_number::<usize>(flag, value)?.clamp(1, 64);
            }
            _ => return Err(format!("unknown argument {flag:?}\n{HELP}")),
        }
    }
    if o.settings.idle_timeout == 0 || o.settings.max_hold < o.settings.idle_timeout {
        return Err("the cap (--max-hold-min) must be at least the idle timeout".to_owned());
    }
    Ok(o)
}

/// Erlang-B: the probability that a request finds all `lines` busy when `load` erlangs are
/// offered (requests that find none free are lost). Computed with the stable recurrence
/// B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)).
pub fn erlang_b(load: f64, lines: usize) -> f64 {
    let mut b = 1.0;
    for n in 1..=lines {
        b = load * b / (n as f64 + load * b);
    }
    b
}

/// The fewest lines for which Erlang-B blocking is at most `target`.
pub fn erlang_b_lines(load: f64, target: f64) -> usize {
    if load <= 0.0 {
        return 0;
    }
    let (mut b, mut n) = (1.0, 0usize);
    while b > target && n < 10_000_000 {
        n += 1;
        b = load * b / (n as f64 + load * b);
    }
    n
}

/// Runs jobs on `threads` threads; results in job order.
fn parallel<J: Sync, R: Send>(jobs: &[J], threads: usize, work: impl Fn(&J) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(jobs.len()));
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, jobs.len().max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let r = work(job);
                if let Ok(mut results) = results.lock() {
                    results.push((i, r));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

fn duration(ms: Millis) -> String {
    if ms.is_multiple_of(MINUTE) {
        format!("{} min", ms / MINUTE)
    } else {
        format!("{} s", ms / SECOND)
    }
}

fn policy(e: &Exhausted) -> &'static str {
    match e {
        Exhausted::Original => "original number",
        Exhausted::Overflow(_) => "overflow number",
        Exhausted::ReuseLeastRecent => "reuse least recent",
    }
}

/// The offered load at the busy hour: the numbers the engine keeps busy (leased or cooling) in a
/// pool too large to run out, averaged over the busiest hours.
fn offered_load(traffic: &Traffic, settings: &Settings, largest: usize) -> Result<f64, String> {
    let size = (largest * 3).max(200);
    let f = strategy::run(traffic, Which::Engine, settings, size)?;
    if f.exhausted > 0 {
        return Err(format!(
            "a pool of {size} numbers ran out: the traffic is too heavy for the sizes given"
        ));
    }
    Ok(f.busy_hour_load.unwrap_or(0.0))
}

/// The smallest size in `lo..=hi` at which the engine attributes at least `target` % of calls to
/// the right session with confidence 1.0 (binary search: the share grows with the size), with its
/// figures; `None` if even `hi` falls short.
fn smallest_size(
    traffic: &Traffic,
    settings: &Settings,
    target: f64,
    lo: usize,
    hi: usize,
) -> Result<Option<(usize, Figures)>, String> {
    let top = strategy::run(traffic, Which::Engine, settings, hi)?;
    if top.share(top.right) < target {
        return Ok(None);
    }
    let (mut lo, mut best) = (lo, (hi, top));
    let mut hi = hi;
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let f = strategy::run(traffic, Which::Engine, settings, mid)?;
        if f.share(f.right) >= target {
            best = (mid, f);
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(Some(best))
}

fn header(out: &mut dyn Write, o: &Options, traffic: &Traffic) -> Result<(), String> {
    let s = &o.scenario;
    let st = &o.settings;
    writeln!(
        out,
        "dni simulate: {} visitors/h at the busy hour ({} visitors, {} callers, over {} days), median visit {} min, \
         {}% call within {} min of their last activity ({}% tap to call), {}% come back, \
         {}% of releases and {}% of heartbeats lost; seed {}",
        s.visitors_per_hour,
        traffic.visitors,
        traffic.callers,
        s.days,
        s.median_session_min,
        s.call_share * 100.0,
        s.call_within_min,
        s.tap_share * 100.0,
        s.return_share * 100.0,
        s.lost_release * 100.0,
        s.lost_heartbeat * 100.0,
        o.seed
    )
    .map_err(|e| e.to_string())?;
    writeln!(
        out,
        "engine settings: idle timeout {}, cap {}, cool-down {}, when exhausted: {}",
        duration(st.idle_timeout),
        duration(st.max_hold),
        duration(st.cooldown),
        policy(&st.on_exhausted)
    )
    .map_err(|e| e.to_string())
}

/// The figures of one strategy at one size, as table cells.
fn cells(f: &Figures) -> String {
    let util = f
        .utilisation
        .map_or_else(|| "-".to_owned(), |u| format!("{:.1}", u * 100.0));
    format!(
        "{:>7.2} {:>6.2} {:>6.2} {:>6.2} {:>6} {:>5}",
        f.share(f.right),
        f.share(f.ambiguous),
        f.share(f.wrong),
        f.share(f.none),
        f.exhausted,
        util
    )
}

/// One row of the size table.
#[derive(Debug, Clone)]
pub struct Row {
    /// Pool size.
    pub size: usize,
    /// The engine's figures.
    pub engine: Figures,
    /// The fixed hold's.
    pub fixed: Figures,
    /// Round-robin's.
    pub round_robin: Figures,
}

fn table(out: &mut dyn Write, o: &Options, traffic: &Traffic) -> Result<(), String> {
    header(out, o, traffic)?;
    let (from, to, step) = o.sizes;
    let sizes: Vec<usize> = (from..=to).step_by(step.max(1)).collect();
    let strategies = [
        Which::Engine,
        Which::FixedHold(o.naive_hold),
        Which::RoundRobin,
    ];
    let mut jobs: Vec<(usize, Which)> = sizes
        .iter()
        .flat_map(|&size| strategies.iter().map(move |&w| (size, w)))
        .collect();
    // The unblocked run that measures the offered load goes first (it is the longest).
    jobs.insert(0, (0, Which::Engine));
    let results = parallel(&jobs, o.threads, |&(size, which)| {
        if size == 0 {
            offered_load(traffic, &o.settings, to).map(|load| Figures {
                busy_hour_load: Some(load),
                ..Figures::default()
            })
        } else {
            strategy::run(traffic, which, &o.settings, size)
        }
    });
    let results = results
        .into_iter()
        .collect::<Result<Vec<Figures>, String>>()?;
    let load = results
        .first()
        .and_then(|f| f.busy_hour_load)
        .unwrap_or(0.0);
    let erlang = erlang_b_lines(load, 0.01);
    let rows: Vec<Row> = sizes
        .iter()
        .zip(results.get(1..).unwrap_or_default().chunks(3))
        .filter_map(|(&size, chunk)| match chunk {
            [engine, fixed, round_robin] => Some(Row {
                size,
                engine: *engine,
                fixed: *fixed,
                round_robin: *round_robin,
            }),
            _ => None,
        })
        .collect();
    let calls = rows.first().map_or(0, |r| r.engine.calls);
    let w = |r: std::io::Result<()>| r.map_err(|e| e.to_string());
    w(writeln!(
        out,
        "calls: {calls}; offered load at the busy hour (engine, leased + cooling): {load:.1} erlangs; \
         Erlang-B for 1% blocking: {erlang} numbers"
    ))?;
    w(writeln!(out))?;
    w(writeln!(
        out,
        "{:>5} {:>5} | {:^40} | {:^40} | {:^40}",
        "",
        "",
        "engine",
        format!("fixed hold {}, no cool-down", duration(o.naive_hold)),
        "round-robin reuse"
    ))?;
    let cols = format!(
        "{:>7} {:>6} {:>6} {:>6} {:>6} {:>5}",
        "right%", "ambig%", "wrong%", "none%", "exh", "util%"
    );
    w(writeln!(
        out,
        "{:>5} {:>5} | {cols} | {cols} | {cols}",
        "size", "B%"
    ))?;
    let erlang_row = rows.iter().find(|r| r.size >= erlang).map(|r| r.size);
    for r in &rows {
        let mark = if Some(r.size) == erlang_row {
            format!("< Erlang-B {erlang}")
        } else {
            String::new()
        };
        w(writeln!(
            out,
            "{:>5} {:>5.2} | {} | {} | {} {mark}",
            r.size,
            erlang_b(load, r.size) * 100.0,
            cells(&r.engine),
            cells(&r.fixed),
            cells(&r.round_robin)
        ))?;
    }
    w(writeln!(out))?;
    w(writeln!(
        out,
        "right%: calls attributed to the caller's session with confidence 1.0; ambig%: confidence \
         below 1.0 (several sessions in the window, or the last holder named after it); wrong%: \
         another session with confidence 1.0; none%: no session (the original number was shown); \
         exh: lease requests that found no number; \
         util%: time-averaged share of the pool not available to a new visitor (leased or cooling; \
         held); B%: Erlang-B blocking at the busy hour for that size; < marks the first size at or above the \
         Erlang-B size"
    ))?;
    let first = |f: &dyn Fn(&Row) -> &Figures| {
        rows.iter()
            .find(|r| f(r).share(f(r).right) >= 99.0)
            .map_or_else(|| "none in range".to_owned(), |r| r.size.to_string())
    };
    let engine_99 = first(&|r| &r.engine);
    let margin = rows
        .iter()
        .find(|r| r.engine.share(r.engine.right) >= 99.0)
        .map(|r| format!(" (Erlang-B {erlang}, {:+})", r.size as i64 - erlang as i64))
        .unwrap_or_default();
    w(writeln!(
        out,
        "smallest size with right% >= 99: engine {engine_99}{margin}; fixed hold {}; round-robin {}",
        first(&|r| &r.fixed),
        first(&|r| &r.round_robin)
    ))?;
    let (ambiguous, named) = rows.iter().fold((0, 0), |(a, n), r| {
        (a + r.engine.ambiguous, n + r.engine.ambiguous_right)
    });
    if ambiguous > 0 {
        w(writeln!(
            out,
            "engine, all sizes: {named} of {ambiguous} ambiguous calls name the caller first"
        ))?;
    }
    let worse = rows.iter().all(|r| {
        let e = r.engine.share(r.engine.right);
        e > r.fixed.share(r.fixed.right) && e > r.round_robin.share(r.round_robin.right)
    });
    w(writeln!(
        out,
        "engine ahead of both naive strategies at every size: {}",
        if worse { "yes" } else { "no" }
    ))?;
    if let Some(path) = &o.svg {
        let chart = svg::chart(
            &rows,
            erlang,
            &svg::Labels {
                fixed: format!("fixed hold {}, no cool-down", duration(o.naive_hold)),
                title: format!(
                    "{} visitors/h, median visit {} min, {}% call within {} min",
                    o.scenario.visitors_per_hour,
                    o.scenario.median_session_min,
                    o.scenario.call_share * 100.0,
                    o.scenario.call_within_min
                ),
            },
        );
        std::fs::write(path, chart).map_err(|e| format!("{path}: {e}"))?;
        w(writeln!(out, "chart written to {path}"))?;
    }
    Ok(())
}

/// The settings compared by `--sweep`: one thing changed at a time from the defaults.
fn variants(base: &Settings) -> Vec<Settings> {
    let mut v = Vec::new();
    let mut push = |s: Settings| {
        if !v.contains(&s) {
            v.push(s);
        }
    };
    for idle in [30 * SECOND, 45 * SECOND, MINUTE, 2 * MINUTE, 5 * MINUTE] {
        push(Settings {
            idle_timeout: idle,
            ..base.clone()
        });
    }
    for cooldown in [5, 8, 10, 12, 15, 20] {
        push(Settings {
            cooldown: cooldown * MINUTE,
            ..base.clone()
        });
    }
    for cap in [10, 30, 60, 120] {
        push(Settings {
            max_hold: cap * MINUTE,
            ..base.clone()
        });
    }
    v
}

fn sweep(out: &mut dyn Write, o: &Options, traffic: &Traffic) -> Result<(), String> {
    header(out, o, traffic)?;
    let settings = variants(&o.settings);
    let rows = parallel(&settings, o.threads, |s| {
        let load = offered_load(traffic, s, o.sizes.1)?;
        let erlang = erlang_b_lines(load, 0.01);
        let at_erlang = strategy::run(traffic, Which::Engine, s, erlang.max(1))?;
        let smallest = smallest_size(traffic, s, 99.0, erlang / 2 + 1, erlang * 2 + 10)?;
        Ok::<_, String>((load, erlang, at_erlang, smallest))
    });
    let w = |r: std::io::Result<()>| r.map_err(|e| e.to_string());
    w(writeln!(
        out,
        "each row changes one setting from the defaults above; sizes are numbers in the pool"
    ))?;
    w(writeln!(out))?;
    w(writeln!(
        out,
        "{:>7} {:>7} {:>9} | {:>8} {:>8} | {:>7} {:>7} {:>7} {:>7} | {:>9} {:>7} | {:>8} {:>8}",
        "idle",
        "cap",
        "cool-down",
        "load E",
        "Erlang-B",
        "right%",
        "ambig%",
        "wrong%",
        "none%",
        "99% size",
        "right%",
        "req/vis",
        "gone/1k"
    ))?;
    for (s, row) in settings.iter().zip(rows) {
        let (load, erlang, at, smallest) = row?;
        let (size99, right99) = match smallest {
            Some((size, f)) => (size.to_string(), format!("{:.2}", f.share(f.right))),
            None => ("-".to_owned(), "-".to_owned()),
        };
        let beats = at.requests.max(1);
        w(writeln!(
            out,
            "{:>7} {:>7} {:>9} | {:>8.1} {:>8} | {:>7.2} {:>7.2} {:>7.2} {:>7.2} | {:>9} {:>7} | {:>8.2} {:>8.2}",
            duration(s.idle_timeout),
            duration(s.max_hold),
            duration(s.cooldown),
            load,
            erlang,
            at.share(at.right),
            at.share(at.ambiguous),
            at.share(at.wrong),
            at.share(at.none),
            size99,
            right99,
            at.requests as f64 / f64::from(traffic.visitors.max(1)),
            at.gone as f64 * 1000.0 / beats as f64,
        ))?;
    }
    w(writeln!(out))?;
    w(writeln!(
        out,
        "load E: busy-hour offered load (numbers leased or cooling, pool never exhausted); Erlang-B: \
         size for 1% blocking at that load; right%/ambig%/wrong%/none%: calls at the Erlang-B size; 99% size: \
         smallest pool with right% >= 99 (and its right%); req/vis: lease requests per visitor; \
         gone/1k: lease requests answered after a lease ended while the page was visible, per 1000 \
         requests"
    ))
}

/// `dni simulate [options]`.
pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), String> {
    let o = parse(args)?;
    let traffic = traffic::generate(&o.scenario, o.seed);
    if o.sweep {
        sweep(out, &o, &traffic)
    } else {
        table(out, &o, &traffic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_b_matches_the_tables() {
        // Textbook values: B(1 erlang, 1 line) = 1/2, B(2, 2) = 2/5.
        assert!((erlang_b(1.0, 1) - 0.5).abs() < 1e-12);
        assert!((erlang_b(2.0, 2) - 0.4).abs() < 1e-12);
        // Published Erlang-B tables, 1% grade of service: 5 lines carry 1.36 erlangs, 10 lines
        // 4.46, 20 lines 12.0, 50 lines 37.9, 100 lines 84.1.
        for (lines, load) in [(5, 1.36), (10, 4.46), (20, 12.0), (50, 37.9), (100, 84.1)] {
            let b = erlang_b(load, lines);
            assert!(
                (0.0095..0.0105).contains(&b),
                "{lines} lines, {load} E: {b}"
            );
            assert_eq!(erlang_b_lines(load, 0.0105), lines);
        }
        assert_eq!(erlang_b_lines(0.0, 0.01), 0);
        assert!(erlang_b_lines(170.0, 0.01) > 170);
    }

    #[test]
    fn reads_the_command_line() {
        let args: Vec<String> = [
            "--visitors-per-hour",
            "300",
            "--call-share",
            "7%",
            "--sizes",
            "10..40:5",
            "--cooldown-min",
            "12",
            "--on-exhausted",
            "reuse",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let o = parse(&args).unwrap();
        assert_eq!(o.scenario.visitors_per_hour, 300.0);
        assert!((o.scenario.call_share - 0.07).abs() < 1e-12);
        assert_eq!(o.sizes, (10, 40, 5));
        assert_eq!(o.settings.cooldown, 12 * MINUTE);
        assert_eq!(o.settings.on_exhausted, Exhausted::ReuseLeastRecent);
        assert_eq!(parse_sizes("100..250").unwrap(), (100, 250, 10));
        for bad in [
            &["--call-share", "2"][..],
            &["--sizes", "9..3"],
            &["--days"],
            &["--bogus", "1"],
        ] {
            let args: Vec<String> = bad.iter().map(|s| s.to_string()).collect();
            assert!(parse(&args).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_short_simulation_is_reproducible_and_the_engine_wins() {
        let o = Options {
            scenario: Scenario {
                visitors_per_hour: 120.0,
                days: 2,
                ..Scenario::default()
            },
            ..Options::default()
        };
        let traffic = traffic::generate(&o.scenario, 5);
        let again = traffic::generate(&o.scenario, 5);
        let run = |t: &Traffic, w| strategy::run(t, w, &o.settings, 60).unwrap();
        let engine = run(&traffic, Which::Engine);
        assert_eq!(
            engine,
            run(&again, Which::Engine),
            "same seed, same figures"
        );
        assert!(engine.calls > 50, "{engine:?}");
        assert_eq!(
            engine.calls,
            engine.right + engine.ambiguous + engine.wrong + engine.none
        );
        assert_eq!(
            engine.wrong, 0,
            "the engine never names the wrong session with 1.0"
        );
        let fixed = run(&traffic, Which::FixedHold(15 * MINUTE));
        let rr = run(&traffic, Which::RoundRobin);
        assert!(engine.right > fixed.right, "{engine:?} {fixed:?}");
        assert!(engine.right > rr.right, "{engine:?} {rr:?}");
        let other = traffic::generate(&o.scenario, 6);
        assert_ne!(traffic.events, other.events, "another seed, other traffic");
    }
}
