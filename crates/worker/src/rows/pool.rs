//! The pool object's rows: one slot row per number (`slots.slot`), the meta rows `settings`,
//! `counters` and `refusals` (`meta.value`), and one sample of the pool's figures per quarter hour
//! (`samples.sample`, see `dni_core::report::pool_history`).

use dni_core::drain::Refusals;
use dni_core::lease::{Counters, Exhausted, Holding, Lease, Settings, Slot};
use dni_core::report::pool_history::Sample;
use dni_core::Millis;
use serde::{Deserialize, Serialize};

use super::{e164, fields, open, seal, unknown_version, RowError};

const SLOT: &str = "slot";
const SETTINGS: &str = "settings";
const COUNTERS: &str = "counters";
const REFUSALS: &str = "refusals";
const SAMPLE: &str = "pool sample";

/// A slot row, version 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotV1 {
    /// The tracking number (E.164).
    pub number: String,
    /// Its live lease.
    pub lease: Option<LeaseV1>,
    /// When its last lease ended.
    pub free_since: Millis,
    /// Ended holdings, oldest first.
    pub history: Vec<HoldingV1>,
    /// Removed from the configuration.
    pub retired: bool,
}

/// A live lease inside a slot row, version 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseV1 {
    /// The lease id.
    pub id: String,
    /// The visitor session.
    pub session: String,
    /// The swap target (E.164).
    pub target: String,
    /// When it started.
    pub started: Millis,
    /// The last heartbeat.
    pub last_seen: Millis,
    /// Handed over by the reuse policy.
    pub ambiguous: bool,
}

/// A past holding inside a slot row, version 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoldingV1 {
    /// The visitor session.
    pub session: String,
    /// The lease id it held.
    pub lease: String,
    /// The swap target (E.164).
    pub target: String,
    /// From when.
    pub from: Millis,
    /// Until when.
    pub to: Millis,
    /// Handed over by the reuse policy.
    pub ambiguous: bool,
}

/// The `settings` meta row, version 1. Every field is written; a missing one reads as the
/// engine's default (as it did before rows had types of their own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingsV1 {
    /// Idle timeout, ms.
    pub idle_timeout: Millis,
    /// Cap, ms.
    pub max_hold: Millis,
    /// Cool-down, ms.
    pub cooldown: Millis,
    /// Exhaustion policy.
    pub on_exhausted: ExhaustedV1,
}

impl Default for SettingsV1 {
    fn default() -> Self {
        SettingsV1::from(&Settings::default())
    }
}

/// The exhaustion policy as stored: `"original"`, `{"overflow": "+1..."}`, `"reuse_least_recent"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExhaustedV1 {
    /// The site's own number.
    Original,
    /// An overflow number (E.164).
    Overflow(String),
    /// Reuse the least recently active number.
    ReuseLeastRecent,
}

/// The `counters` meta row, version 1 (a missing counter reads as 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
#[allow(missing_docs)]
pub struct CountersV1 {
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

/// The `refusals` meta row, version 1: lease requests the pool-drain limits refused a new number,
/// by reason (a missing count reads as 0). The release that introduced the limits wrote the core's
/// `Refusals` as plain JSON, untagged: the same fields, read here as version 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RefusalsV1 {
    /// Over the per-address limit.
    pub address: u64,
    /// Over the per-network limit.
    pub network: u64,
    /// Over the per-pool limit.
    pub pool: u64,
    /// Automated clients.
    pub automated: u64,
}

/// Reads a slot row.
pub fn read_slot(text: &str) -> Result<Slot, RowError> {
    match open(SLOT, text)? {
        (1, f) => fields::<SlotV1>(SLOT, f)?.try_into(),
        (v, _) => Err(unknown_version(SLOT, v)),
    }
}

/// Writes a slot row (the newest version).
pub fn write_slot(slot: &Slot) -> Result<String, RowError> {
    seal(SLOT, 1, &SlotV1::from(slot))
}

/// Reads the `settings` meta row.
pub fn read_settings(text: &str) -> Result<Settings, RowError> {
    match open(SETTINGS, text)? {
        (1, f) => fields::<SettingsV1>(SETTINGS, f)?.try_into(),
        (v, _) => Err(unknown_version(SETTINGS, v)),
    }
}

/// Writes the `settings` meta row.
pub fn write_settings(settings: &Settings) -> Result<String, RowError> {
    seal(SETTINGS, 1, &SettingsV1::from(settings))
}

/// Reads the `counters` meta row.
pub fn read_counters(text: &str) -> Result<Counters, RowError> {
    match open(COUNTERS, text)? {
        (1, f) => Ok(fields::<CountersV1>(COUNTERS, f)?.into()),
        (v, _) => Err(unknown_version(COUNTERS, v)),
    }
}

/// Writes the `counters` meta row.
pub fn write_counters(counters: &Counters) -> Result<String, RowError> {
    seal(COUNTERS, 1, &CountersV1::from(*counters))
}

/// Reads the `refusals` meta row.
pub fn read_refusals(text: &str) -> Result<Refusals, RowError> {
    match open(REFUSALS, text)? {
        (1, f) => Ok(fields::<RefusalsV1>(REFUSALS, f)?.into()),
        (v, _) => Err(unknown_version(REFUSALS, v)),
    }
}

/// Writes the `refusals` meta row.
pub fn write_refusals(refusals: &Refusals) -> Result<String, RowError> {
    seal(REFUSALS, 1, &RefusalsV1::from(*refusals))
}

impl From<Refusals> for RefusalsV1 {
    fn from(r: Refusals) -> Self {
        let Refusals {
            address,
            network,
            pool,
            automated,
        } = r;
        RefusalsV1 {
            address,
            network,
            pool,
            automated,
        }
    }
}

impl From<RefusalsV1> for Refusals {
    fn from(r: RefusalsV1) -> Self {
        let RefusalsV1 {
            address,
            network,
            pool,
            automated,
        } = r;
        Refusals {
            address,
            network,
            pool,
            automated,
        }
    }
}

/// A sample row, version 1: the pool's figures in one quarter hour (its start is the row's key,
/// `samples.at`, and is repeated here so that a row reads on its own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleV1 {
    /// The start of the quarter hour.
    pub at: Millis,
    /// Numbers in the pool.
    pub size: u64,
    /// Numbers leased.
    pub leased: u64,
    /// Numbers cooling down.
    pub cooling: u64,
    /// Running count of lease requests that found no free number.
    pub exhausted: u64,
    /// Running count of lease requests refused by the pool-drain limits.
    pub limited: u64,
}

/// Reads a sample row.
pub fn read_sample(text: &str) -> Result<Sample, RowError> {
    match open(SAMPLE, text)? {
        (1, f) => Ok(fields::<SampleV1>(SAMPLE, f)?.into()),
        (v, _) => Err(unknown_version(SAMPLE, v)),
    }
}

/// Writes a sample row.
pub fn write_sample(sample: &Sample) -> Result<String, RowError> {
    seal(SAMPLE, 1, &SampleV1::from(*sample))
}

impl From<Sample> for SampleV1 {
    fn from(s: Sample) -> Self {
        let Sample {
            at,
            size,
            leased,
            cooling,
            exhausted,
            limited,
        } = s;
        SampleV1 {
            at,
            size,
            leased,
            cooling,
            exhausted,
            limited,
        }
    }
}

impl From<SampleV1> for Sample {
    fn from(s: SampleV1) -> Self {
        let SampleV1 {
            at,
            size,
            leased,
            cooling,
            exhausted,
            limited,
        } = s;
        Sample {
            at,
            size,
            leased,
            cooling,
            exhausted,
            limited,
        }
    }
}

impl From<&Slot> for SlotV1 {
    fn from(slot: &Slot) -> Self {
        let Slot {
            number,
            lease,
            free_since,
            history,
            retired,
        } = slot;
        SlotV1 {
            number: number.as_str().to_owned(),
            lease: lease.as_ref().map(LeaseV1::from),
            free_since: *free_since,
            history: history.iter().map(HoldingV1::from).collect(),
            retired: *retired,
        }
    }
}

impl TryFrom<SlotV1> for Slot {
    type Error = RowError;
    fn try_from(row: SlotV1) -> Result<Self, RowError> {
        Ok(Slot {
            number: e164(SLOT, &row.number)?,
            lease: row.lease.map(Lease::try_from).transpose()?,
            free_since: row.free_since,
            history: row
                .history
                .into_iter()
                .map(Holding::try_from)
                .collect::<Result<_, _>>()?,
            retired: row.retired,
        })
    }
}

impl From<&Lease> for LeaseV1 {
    fn from(lease: &Lease) -> Self {
        let Lease {
            id,
            session,
            target,
            started,
            last_seen,
            ambiguous,
        } = lease;
        LeaseV1 {
            id: id.clone(),
            session: session.clone(),
            target: target.as_str().to_owned(),
            started: *started,
            last_seen: *last_seen,
            ambiguous: *ambiguous,
        }
    }
}

impl TryFrom<LeaseV1> for Lease {
    type Error = RowError;
    fn try_from(row: LeaseV1) -> Result<Self, RowError> {
        Ok(Lease {
            id: row.id,
            session: row.session,
            target: e164(SLOT, &row.target)?,
            started: row.started,
            last_seen: row.last_seen,
            ambiguous: row.ambiguous,
        })
    }
}

impl From<&Holding> for HoldingV1 {
    fn from(holding: &Holding) -> Self {
        let Holding {
            session,
            lease,
            target,
            from,
            to,
            ambiguous,
        } = holding;
        HoldingV1 {
            session: session.clone(),
            lease: lease.clone(),
            target: target.as_str().to_owned(),
            from: *from,
            to: *to,
            ambiguous: *ambiguous,
        }
    }
}

impl TryFrom<HoldingV1> for Holding {
    type Error = RowError;
    fn try_from(row: HoldingV1) -> Result<Self, RowError> {
        Ok(Holding {
            session: row.session,
            lease: row.lease,
            target: e164(SLOT, &row.target)?,
            from: row.from,
            to: row.to,
            ambiguous: row.ambiguous,
        })
    }
}

impl From<&Settings> for SettingsV1 {
    fn from(settings: &Settings) -> Self {
        let Settings {
            idle_timeout,
            max_hold,
            cooldown,
            on_exhausted,
        } = settings;
        SettingsV1 {
            idle_timeout: *idle_timeout,
            max_hold: *max_hold,
            cooldown: *cooldown,
            on_exhausted: match on_exhausted {
                Exhausted::Original => ExhaustedV1::Original,
                Exhausted::Overflow(n) => ExhaustedV1::Overflow(n.as_str().to_owned()),
                Exhausted::ReuseLeastRecent => ExhaustedV1::ReuseLeastRecent,
            },
        }
    }
}

impl TryFrom<SettingsV1> for Settings {
    type Error = RowError;
    fn try_from(row: SettingsV1) -> Result<Self, RowError> {
        Ok(Settings {
            idle_timeout: row.idle_timeout,
            max_hold: row.max_hold,
            cooldown: row.cooldown,
            on_exhausted: match row.on_exhausted {
                ExhaustedV1::Original => Exhausted::Original,
                ExhaustedV1::Overflow(n) => Exhausted::Overflow(e164(SETTINGS, &n)?),
                ExhaustedV1::ReuseLeastRecent => Exhausted::ReuseLeastRecent,
            },
        })
    }
}

impl From<Counters> for CountersV1 {
    fn from(c: Counters) -> Self {
        let Counters {
            granted,
            renewed,
            heartbeats,
            released,
            expired,
            exhausted,
            overflow,
            original,
            reused,
        } = c;
        CountersV1 {
            granted,
            renewed,
            heartbeats,
            released,
            expired,
            exhausted,
            overflow,
            original,
            reused,
        }
    }
}

impl From<CountersV1> for Counters {
    fn from(c: CountersV1) -> Self {
        Counters {
            granted: c.granted,
            renewed: c.renewed,
            heartbeats: c.heartbeats,
            released: c.released,
            expired: c.expired,
            exhausted: c.exhausted,
            overflow: c.overflow,
            original: c.original,
            reused: c.reused,
        }
    }
}
