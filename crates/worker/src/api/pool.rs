//! A pool's figures: `GET /v1/sites/{site}/pools` (the site's pools), `GET .../pools/{pool}` (its
//! counters, usage and sizing advice; each shard's too when the pool is split), `GET
//! .../pools/{pool}/history` (one point per quarter hour), and the history import's body and
//! answer. Converted from the pool object's reply (`protocol::StatsReply`), the core's
//! `report::pool::Advice` and `report::pool_history::{Point, Sample}`.

use dni_core::report::pool as core_pool;
use dni_core::report::pool_history as core_history;
use dni_core::Millis;
use serde::{Deserialize, Serialize};

use crate::protocol::StatsReply;

/// One pool of the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolSummary {
    /// The pool's id.
    pub id: String,
    /// Numbers in it.
    pub size: usize,
    /// Shards (Durable Objects) it is split into, 1 at least.
    pub shards: u32,
}

/// `GET /v1/sites/{site}/pools`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pools {
    /// The site.
    pub site: String,
    /// Its pools.
    pub pools: Vec<PoolSummary>,
}

/// A pool's (or a shard's) figures now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[allow(missing_docs)] // the fields are documented in www/v1/openapi.json (`PoolStats`)
pub struct Figures {
    pub counters: Counters,
    pub size: usize,
    pub leased: usize,
    pub cooling: usize,
    pub next_deadline: Option<Millis>,
    pub limited: u64,
    pub refused: Refused,
    pub needed: Vec<Needed>,
}

/// A number still needed (leased or cooling down), and the earliest time it may be free.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub struct Needed {
    pub number: String,
    pub until: Millis,
}

/// The pool's running counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub struct Counters {
    pub granted: u64,
    pub renewed: u64,
    pub heartbeats: u64,
    pub released: u64,
    pub expired: u64,
    pub exhausted: u64,
    pub overflow: u64,
    pub original: u64,
    pub reused: u64,
}

/// Lease requests refused a new number by the pool-drain limits, by reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub struct Refused {
    pub address: u64,
    pub network: u64,
    pub pool: u64,
    pub automated: u64,
}

/// "You need about N numbers", and what it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[allow(missing_docs)]
pub struct Advice {
    pub size: usize,
    pub hours: usize,
    pub busiest_at: Option<Millis>,
    pub busy: f64,
    pub turned_away: u64,
    pub exhausted_share: f64,
    pub load: f64,
    pub numbers: Option<usize>,
    pub add: usize,
}

/// `GET /v1/sites/{site}/pools/{pool}`: the pool's figures (the sum of its shards'), the advice,
/// and each shard's figures when it is split.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolStats {
    /// The pool's figures.
    #[serde(flatten)]
    pub total: Figures,
    /// The sizing advice.
    pub advice: Advice,
    /// Each shard's figures (absent for a pool of one shard).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<Figures>,
}

/// One quarter hour of a pool's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[allow(missing_docs)] // the fields are documented in www/v1/openapi.json (`PoolHistory`)
pub struct Point {
    pub at: Millis,
    pub size: u64,
    pub leased: u64,
    pub cooling: u64,
    pub free: u64,
    pub exhausted: u64,
    pub limited: u64,
}

/// `GET /v1/sites/{site}/pools/{pool}/history`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolHistory {
    /// The site.
    pub site: String,
    /// The pool.
    pub pool: String,
    /// The site's time zone, which `from` and `to` are dates in.
    pub time_zone: String,
    /// The first day.
    pub from: String,
    /// The last day.
    pub to: String,
    /// Seconds between points.
    pub every_s: u64,
    /// The sizing advice for the range's busiest hours.
    pub advice: Advice,
    /// The sampled quarter hours.
    pub points: Vec<Point>,
}

/// One sample of `POST /v1/sites/{site}/pools/{pool}/history/import`'s body (the body is an
/// array of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[allow(missing_docs)] // documented in www/v1/openapi.json (`PoolSample`)
pub struct Sample {
    pub at: Millis,
    pub size: u64,
    pub leased: u64,
    pub cooling: u64,
    pub exhausted: u64,
    pub limited: u64,
}

/// The answer to the history import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SamplesImported {
    /// Samples added (a quarter hour that had one keeps it).
    pub imported: usize,
}

impl From<&StatsReply> for Figures {
    fn from(s: &StatsReply) -> Self {
        let StatsReply {
            counters,
            size,
            leased,
            cooling,
            next_deadline,
            limited,
            refused,
            needed,
        } = s;
        let dni_core::lease::Counters {
            granted,
            renewed,
            heartbeats,
            released,
            expired,
            exhausted,
            overflow,
            original,
            reused,
        } = *counters;
        let dni_core::drain::Refusals {
            address,
            network,
            pool,
            automated,
        } = *refused;
        Figures {
            counters: Counters {
                granted,
                renewed,
                heartbeats,
                released,
                expired,
                exhausted,
                overflow,
                original,
                reused,
            },
            size: *size,
            leased: *leased,
            cooling: *cooling,
            next_deadline: *next_deadline,
            limited: *limited,
            refused: Refused {
                address,
                network,
                pool,
                automated,
            },
            needed: needed
                .iter()
                .map(|n| Needed {
                    number: n.number.as_str().to_owned(),
                    until: n.until,
                })
                .collect(),
        }
    }
}

impl From<&core_pool::Advice> for Advice {
    fn from(a: &core_pool::Advice) -> Self {
        let core_pool::Advice {
            size,
            hours,
            busiest_at,
            busy,
            turned_away,
            exhausted_share,
            load,
            numbers,
            add,
        } = *a;
        Advice {
            size,
            hours,
            busiest_at,
            busy,
            turned_away,
            exhausted_share,
            load,
            numbers,
            add,
        }
    }
}

impl PoolStats {
    /// The answer for a pool whose shards answered `shards`, added up in `total`.
    pub fn of(total: &StatsReply, advice: &core_pool::Advice, shards: &[StatsReply]) -> Self {
        PoolStats {
            total: total.into(),
            advice: advice.into(),
            shards: if shards.len() > 1 {
                shards.iter().map(Figures::from).collect()
            } else {
                Vec::new()
            },
        }
    }
}

impl From<&core_history::Point> for Point {
    fn from(p: &core_history::Point) -> Self {
        let core_history::Point {
            at,
            size,
            leased,
            cooling,
            free,
            exhausted,
            limited,
        } = *p;
        Point {
            at,
            size,
            leased,
            cooling,
            free,
            exhausted,
            limited,
        }
    }
}

impl From<Sample> for core_history::Sample {
    fn from(s: Sample) -> Self {
        let Sample {
            at,
            size,
            leased,
            cooling,
            exhausted,
            limited,
        } = s;
        core_history::Sample {
            at,
            size,
            leased,
            cooling,
            exhausted,
            limited,
        }
    }
}
