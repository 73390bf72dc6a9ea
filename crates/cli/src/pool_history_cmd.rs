//! `dni pool-history`: a pool's figures per quarter hour over the last days, as the samples
//! (a JSON array) that `POST /v1/sites/{site}/pools/{pool}/history/import` takes. The demo seeds
//! the dashboard's pool chart with it. The figures are the lease engine's own: the simulator's
//! visitors (`dni simulate`'s traffic model, with a daily curve) lease, heartbeat and release
//! numbers of the site's pool, and the pool is sampled every quarter hour as its object samples
//! itself (`dni_core::report::pool_history`), so the same arguments always print the same history.

use std::collections::HashMap;
use std::io::Write;

use dni_core::civil::Zone;
use dni_core::lease::{Outcome, Pool};
use dni_core::report::pool_history::{self, Sample};
use dni_core::{Millis, DAY};

use crate::simulate::traffic::{generate, Kind, Scenario};

const USAGE: &str = "usage: dni pool-history SITE.json [--pool ID] [--days N] [--visitors-per-hour V] [--seed N] [--end MILLIS]
  prints the pool's samples (one per quarter hour) over the N days (default 30) before --end
  (default now), with V visitors at the busy hour (default 16)";

pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), String> {
    let mut file = None;
    let mut pool_id = None;
    let (mut days, mut seed, mut per_hour) = (30u64, 1u64, 16.0f64);
    let mut end: Millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_millis() as Millis;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| -> Result<String, String> {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        let number = |name: &str, v: String| -> Result<u64, String> {
            v.parse()
                .map_err(|_| format!("{name} needs a number\n{USAGE}"))
        };
        match a.as_str() {
            "--pool" => pool_id = Some(value("--pool")?),
            "--days" => days = number("--days", value("--days")?)?.clamp(1, 35),
            "--seed" => seed = number("--seed", value("--seed")?)?,
            "--end" => end = number("--end", value("--end")?)?,
            "--visitors-per-hour" => {
                per_hour = value("--visitors-per-hour")?
                    .parse()
                    .ok()
                    .filter(|v: &f64| v.is_finite() && *v > 0.0)
                    .ok_or_else(|| {
                        format!("--visitors-per-hour needs a positive number\n{USAGE}")
                    })?
            }
            s if !s.starts_with("--") && file.is_none() => file = Some(s.to_owned()),
            _ => return Err(USAGE.to_owned()),
        }
    }
    let file = file.ok_or_else(|| USAGE.to_owned())?;
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    let config: dni_core::config::SiteConfig =
        serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
    let pool = match &pool_id {
        Some(id) => config.pool(id),
        None => config.pools.first(),
    }
    .ok_or_else(|| format!("{file}: no such pool"))?;
    let target = config
        .targets
        .iter()
        .find(|t| t.pool.as_deref() == Some(pool.id.as_str()))
        .or(config.targets.first())
        .map(|t| t.number.clone())
        .ok_or_else(|| format!("{file}: no target number"))?;
    // Local midnight `days` days before the end, so that the daily curve's hours are the site's.
    let zone = config
        .time_zone
        .as_deref()
        .and_then(Zone::named)
        .unwrap_or_else(Zone::utc);
    let start = zone
        .date_at(end.saturating_sub(days * DAY))
        .and_then(|d| zone.start_of(d))
        .ok_or("the dates are out of range")?;
    let samples = history(pool, &target, per_hour, days, seed, start, end);
    serde_json::to_writer(&mut *out, &samples).map_err(|e| e.to_string())?;
    writeln!(out).map_err(|e| e.to_string())
}

/// The samples of `[start, end)` (pure: everything comes in as arguments).
pub fn history(
    pool: &dni_core::config::PoolConfig,
    target: &dni_core::phone::E164,
    per_hour: f64,
    days: u64,
    seed: u64,
    start: Millis,
    end: Millis,
) -> Vec<Sample> {
    let scenario = Scenario {
        visitors_per_hour: per_hour,
        days: days as u32 + 1,
        ..Scenario::default()
    };
    let traffic = generate(&scenario, seed);
    let mut engine = Pool::new(pool.settings.clone(), &pool.numbers);
    let mut leases: HashMap<u32, String> = HashMap::new();
    let mut samples = Vec::new();
    let mut next = pool_history::slot(start) + pool_history::EVERY;
    let mut ids = 0u64;
    let size = pool.numbers.len() as u64;
    let take = |engine: &mut Pool, at: Millis, samples: &mut Vec<Sample>| {
        // As the object's alarm does: leases past their deadline end first.
        engine.expire(at);
        let (leased, cooling) = engine.usage(at);
        samples.push(Sample {
            at,
            size,
            leased: leased as u64,
            cooling: cooling as u64,
            exhausted: engine.counters().exhausted,
            limited: 0,
        });
    };
    for e in &traffic.events {
        let now = start + e.at;
        while next <= now && next < end {
            take(&mut engine, next, &mut samples);
            next += pool_history::EVERY;
        }
        if now >= end {
            break;
        }
        let session = format!("visitor-{:08}", e.visitor);
        let mut lease = |engine: &mut Pool, leases: &mut HashMap<u32, String>| {
            ids += 1;
            let id = format!("lease-{ids:010}");
            match engine.lease(&session, target, &id, now) {
                Outcome::Leased(g) => {
                    leases.insert(e.visitor, g.lease);
                }
                _ => {
                    leases.remove(&e.visitor);
                }
            }
        };
        match e.kind {
            Kind::Show => lease(&mut engine, &mut leases),
            Kind::Beat => {
                if let Some(id) = leases.get(&e.visitor) {
                    if engine.heartbeat(id, now).is_err() {
                        lease(&mut engine, &mut leases);
                    }
                }
            }
            Kind::Hide { lost } => {
                if let Some(id) = leases.remove(&e.visitor) {
                    if !lost {
                        let _ = engine.release(&id, now);
                    }
                }
            }
            Kind::Call => {}
        }
    }
    while next < end {
        take(&mut engine, next, &mut samples);
        next += pool_history::EVERY;
    }
    samples
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> dni_core::config::SiteConfig {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../sites/demo.json"
        ))
        .unwrap();
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn the_pool_is_sampled_every_quarter_hour_and_runs_dry_at_the_busy_hours() {
        let config = demo();
        let pool = &config.pools[0];
        let target = config.targets[0].number.clone();
        let start = 1_796_101_200_000 - 7 * DAY;
        let end = start + 7 * DAY;
        let samples = history(pool, &target, 24.0, 7, 1, start, end);
        assert_eq!(samples.len() as u64, 7 * DAY / pool_history::EVERY - 1);
        assert!(samples
            .windows(2)
            .all(|w| w[1].at == w[0].at + pool_history::EVERY));
        assert!(samples.iter().all(|s| s.leased + s.cooling <= s.size));
        let peak = samples.iter().map(|s| s.leased + s.cooling).max().unwrap();
        assert_eq!(
            peak,
            pool.numbers.len() as u64,
            "the busy hours fill the pool"
        );
        assert!(
            samples.iter().any(|s| s.leased + s.cooling == 0),
            "the nights are quiet"
        );
        let last = samples.last().unwrap();
        assert!(last.exhausted > 0, "some visitors found it full");
        assert_eq!(samples, history(pool, &target, 24.0, 7, 1, start, end));
        // A quiet site never runs dry.
        let quiet = history(pool, &target, 2.0, 7, 1, start, end);
        assert_eq!(quiet.last().unwrap().exhausted, 0);
    }
}
