//! A pool's shard topology: which Durable Object holds which of its numbers, and which shards a
//! visitor's request asks in turn.

#[allow(unused_imports)]
use crate::prelude::*;

use super::schema::PoolConfig;
use crate::phone::E164;

/// The most shards one lease request asks: each is a round trip to a Durable Object, and a full
/// pool is when visitors arrive fastest, so a request asks a few shards rather than all of them.
pub const MAX_SHARDS_ASKED: usize = 4;

impl PoolConfig {
    /// The numbers of shard `k`.
    pub fn shard_numbers(&self, k: u32) -> Vec<E164> {
        let shards = self.shards.max(1) as usize;
        self.numbers
            .iter()
            .enumerate()
            .filter(|(i, _)| i % shards == k as usize)
            .map(|(_, n)| n.clone())
            .collect()
    }

    /// The shard a tracking number belongs to.
    pub fn shard_of_number(&self, number: &E164) -> Option<u32> {
        let i = self.numbers.iter().position(|n| n == number)?;
        u32::try_from(i % self.shards.max(1) as usize).ok()
    }

    /// The shard a visitor session belongs to: FNV-1a of its id, so it is stable and spread evenly.
    pub fn shard_of_session(&self, session: &str) -> u32 {
        let hash = session.bytes().fold(0x811c_9dc5_u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
        hash % self.shards.max(1)
    }

    /// The shards to ask, in turn, for a session's number: the shard of a lease the page already
    /// holds from this pool (so that it keeps its number), then the session's own shard, then the
    /// others after it, [`MAX_SHARDS_ASKED`] at most. Each but the last is asked for a free number
    /// only; the last applies the exhaustion policy, so that a pool of up to that many shards runs
    /// dry only when every shard has.
    pub fn shard_order(&self, session: &str, leases: &[String]) -> Vec<u32> {
        let shards = self.shards.max(1);
        let held = leases
            .iter()
            .filter_map(|l| crate::api::lease_shard(l))
            .find(|&(pool, k)| pool == self.id && k < shards)
            .map(|(_, k)| k);
        let home = self.shard_of_session(session);
        let mut order = Vec::with_capacity(shards as usize);
        order.extend(held);
        for k in (0..shards).map(|i| (home + i) % shards) {
            if !order.contains(&k) {
                order.push(k);
            }
        }
        order.truncate(MAX_SHARDS_ASKED);
        order
    }
}
