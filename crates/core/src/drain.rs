//! Pool-drain protection: who may take a *new* number from a pool.
//!
//! A pool has a few dozen or a few hundred numbers; a script that asks for a lease with a fresh
//! session id each time would take all of them in seconds, and real visitors would then see the
//! site's own number. Two defences, both decided here and applied by the pool's Durable Object in
//! the same turn as the lease itself:
//!
//! - **Limits** on new leases per client address, per network and per pool ([`Limits`],
//!   [`decide`]). An address (or network) may hold, or have taken within the rule's window, at most
//!   `max` numbers: a lease counts against its address while it is live *or* younger than the
//!   window ([`counts`]), so heartbeating does not let a client pile up numbers, and releasing does
//!   not let it churn through them (a released number cools down before anyone else gets it).
//!   Renewing the session's own lease, heartbeats and releases never count.
//! - **Automated clients** ([`automated`]): a crawler's user agent, a request whose user agent
//!   claims a browser that always sends `Sec-Fetch-Site` but came without it, or Cloudflare's bot
//!   score below the site's threshold.
//!
//! A refused request is answered with the site's source-level number for the visit's channel (or
//! its own number), never with an error: a false positive costs a visit's attribution, not the page.
//!
//! IPv4 clients are keyed by address (/32) and network (/24); IPv6 clients by their /64 (one
//! subscriber's LAN: a host picks any address in it at will, so the full address means nothing)
//! and by their /48 (one customer site).
//!
//! The limits only compare these keys, never read them, so the pool object keeps a keyed hash of
//! each ([`Client::keyed`], HMAC-SHA256 with a key derived from a worker secret) rather than the
//! address: a copy of its storage shows which leases came from one client, not who the client is.

#[allow(unused_imports)]
use crate::prelude::*;

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::{Millis, MINUTE};

type HmacSha256 = Hmac<Sha256>;

/// The prefix of a keyed client key (version 1: HMAC-SHA256, the first 16 bytes in hex). A stored
/// key without it is an address or network in clear, written before keys were hashed.
pub const KEYED_PREFIX: &str = "k1:";

/// HMAC-SHA256 of `data` under `key`. (HMAC takes a key of any length, so this is `None` never in
/// practice; the type says what the library's signature says.)
fn hmac_sha256(key: &[u8], data: &[u8]) -> Option<[u8; 32]> {
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    mac.update(data);
    Some(mac.finalize().into_bytes().into())
}

/// The ledger's key, derived from a worker secret: HMAC-SHA256 of a fixed label under the secret,
/// so the secret itself serves no second purpose.
#[derive(Clone, PartialEq, Eq)]
pub struct LedgerKey([u8; 32]);

impl core::fmt::Debug for LedgerKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("LedgerKey(..)")
    }
}

impl LedgerKey {
    /// The key derived from `secret`.
    pub fn derive(secret: &str) -> Option<LedgerKey> {
        hmac_sha256(secret.as_bytes(), b"dni pool-drain ledger v1").map(LedgerKey)
    }

    /// A client key (an address or a network) as the ledger keeps it. A key already keyed is
    /// answered as it is, so converting a stored row twice changes nothing.
    pub fn keyed(&self, client_key: &str) -> Option<String> {
        if client_key.starts_with(KEYED_PREFIX) {
            return Some(client_key.to_owned());
        }
        let digest = hmac_sha256(&self.0, client_key.as_bytes())?;
        let mut out = String::from(KEYED_PREFIX);
        out.push_str(&crate::text::hex(&digest[..16]));
        Some(out)
    }
}

/// At most `max` numbers taken within `window` (milliseconds) or still held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// How many.
    pub max: u32,
    /// Over how long, in milliseconds.
    pub window: Millis,
}

/// A site's limits on new leases, and its bot-signal settings. Every field has a default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Per client address (IPv4 /32, IPv6 /64): numbers held or taken within the window.
    pub per_address: Rule,
    /// Per network (IPv4 /24, IPv6 /48): numbers held or taken within the window.
    pub per_network: Rule,
    /// Per pool (per shard of a split pool), all clients together: numbers taken within the window
    /// (a rate; what the pool holds is bounded by its size).
    pub per_pool: Rule,
    /// Refuse a request whose Cloudflare bot score (1 automated .. 99 human) is below this; 0 reads
    /// no score. Cloudflare calls scores under 30 "likely automated".
    pub bot_score_below: u32,
    /// Refuse a request whose user agent claims a browser that always sends `Sec-Fetch-Site`
    /// (Chrome 80+, Firefox 90+, Safari 17+) but came without it.
    pub require_fetch_metadata: bool,
}

/// The defaults: a household or a small office shares an address; a network is a street of them.
/// The 15-minute window outlasts the default 12-minute cool-down, so a client that releases its
/// numbers to take others cannot keep more than `max` of them out of use at once.
impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_address: Rule {
                max: 4,
                window: 15 * MINUTE,
            },
            per_network: Rule {
                max: 16,
                window: 15 * MINUTE,
            },
            per_pool: Rule {
                max: 600,
                window: MINUTE,
            },
            bot_score_below: 30,
            require_fetch_metadata: true,
        }
    }
}

impl Limits {
    /// Checks the settings: every rule allows at least one number, over 1 second to 1 day.
    pub fn validate(&self) -> Result<(), String> {
        for (name, rule) in [
            ("per_address", self.per_address),
            ("per_network", self.per_network),
            ("per_pool", self.per_pool),
        ] {
            if rule.max == 0 || !(crate::SECOND..=crate::DAY).contains(&rule.window) {
                return Err(format!(
                    "limits.{name}: max must be at least 1 and window 1000 to 86400000 ms"
                ));
            }
        }
        if self.bot_score_below > 100 {
            return Err("limits.bot_score_below must be 0 to 100".into());
        }
        Ok(())
    }

    /// The limits one shard of a pool split over `shards` objects enforces: its share,
    /// `ceil(max / shards)`, of the per-address and per-network limits. A client's sessions land
    /// on different shards and no shard sees another's leases, so with the whole limit on each an
    /// address could hold `shards` times it; with the share it holds at most
    /// `shards * ceil(max / shards)`, which is `max` when `shards` divides it and always below
    /// `max + shards`. Rounding up keeps every share at least 1 (a client of a pool with more
    /// shards than its limit still gets a number). The per-pool rule is already per shard.
    pub fn per_shard(&self, shards: u32) -> Limits {
        let shards = shards.max(1);
        let share = |rule: Rule| Rule {
            max: rule.max.div_ceil(shards),
            ..rule
        };
        Limits {
            per_address: share(self.per_address),
            per_network: share(self.per_network),
            ..*self
        }
    }

    /// The longest window of the three rules: a new lease older than this counts against nothing
    /// once it is no longer live ([`counts`]), so its record may go.
    pub fn longest_window(&self) -> Millis {
        self.per_address
            .window
            .max(self.per_network.window)
            .max(self.per_pool.window)
    }
}

/// Where a request comes from, as the keys its limits are counted under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    /// `203.0.113.9` or `2001:db8:1:2::/64`.
    pub address: String,
    /// `203.0.113.0/24` or `2001:db8:1::/48`.
    pub network: String,
}

impl Client {
    /// The client's keys as the ledger keeps them (see [`LedgerKey::keyed`]).
    pub fn keyed(&self, key: &LedgerKey) -> Option<Client> {
        Some(Client {
            address: key.keyed(&self.address)?,
            network: key.keyed(&self.network)?,
        })
    }
}

/// The keys of a client address (the `CF-Connecting-IP` header); `None` when it is not an IP
/// address. An IPv4-mapped IPv6 address is the IPv4 address.
pub fn client(ip: &str) -> Option<Client> {
    let ip: IpAddr = ip.trim().parse().ok()?;
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    Some(match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            Client {
                address: v4.to_string(),
                network: format!("{}/24", Ipv4Addr::new(a, b, c, 0)),
            }
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let prefix = |n: usize| {
                let mut p = [0u16; 8];
                p[..n].copy_from_slice(&s[..n]);
                Ipv6Addr::from(p)
            };
            Client {
                address: format!("{}/64", prefix(4)),
                network: format!("{}/48", prefix(3)),
            }
        }
    })
}

/// Whether a lease taken at `started` still counts against its address or network at `now`: while
/// it is live, and for the rule's window after it started.
pub fn counts(started: Millis, live: bool, rule: &Rule, now: Millis) -> bool {
    live || now.saturating_sub(started) < rule.window
}

/// Until when the record of a new lease taken at `started` is kept: the longest window of the
/// limits it was taken under ([`Limits::longest_window`]); after that it counts against nothing
/// once its lease is no longer live ([`forgotten`]).
pub fn keep_until(started: Millis, limits: &Limits) -> Millis {
    started.saturating_add(limits.longest_window())
}

/// Whether the record of a new lease, kept until `until` ([`keep_until`]), may go at `now`: past
/// that time and no longer live (a live lease counts against its client whatever its age).
pub fn forgotten(until: Millis, live: bool, now: Millis) -> bool {
    !live && now >= until
}

/// What counts against a request's client now (see [`counts`]), and the pool's new leases within
/// its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    /// Leases of the client's address that count.
    pub address: u32,
    /// Leases of the client's network that count.
    pub network: u32,
    /// New leases of the pool within `per_pool.window`.
    pub pool: u32,
}

/// Why a request got no pool number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Its address holds or took its share.
    Address,
    /// Its network did.
    Network,
    /// The pool gave out its share of new numbers within the window.
    Pool,
    /// An automated client.
    Automated(Automated),
}

impl Refusal {
    /// Whether this refusal is the request's answer, so the pool counts it. A shard of a split
    /// pool enforces only its share of a client's limits ([`Limits::per_shard`]): when a shard
    /// other than the last one asked (`last`) refuses by a limit, the worker asks the next shard,
    /// and an honest household whose sessions happen to land on one shard still gets its whole
    /// limit. An automated client is refused by every shard alike: that ends the request at once.
    pub fn is_final(self, last: bool) -> bool {
        last || matches!(self, Refusal::Automated(_))
    }
}

/// May a request with this usage take a new number? The narrowest scope over its limit is named.
pub fn decide(limits: &Limits, usage: Usage) -> Result<(), Refusal> {
    if usage.address >= limits.per_address.max {
        Err(Refusal::Address)
    } else if usage.network >= limits.per_network.max {
        Err(Refusal::Network)
    } else if usage.pool >= limits.per_pool.max {
        Err(Refusal::Pool)
    } else {
        Ok(())
    }
}

/// The request headers and Cloudflare properties that tell an automated client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Signals<'a> {
    /// `User-Agent`.
    pub user_agent: &'a str,
    /// Whether `Sec-Fetch-Site` was sent.
    pub fetch_metadata: bool,
    /// `request.cf.botManagement.score`, when the zone has bot management.
    pub bot_score: Option<u32>,
    /// `request.cf.botManagement.verifiedBot`: a known crawler (still not a visitor).
    pub verified_bot: bool,
}

/// Which signal told an automated client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Automated {
    /// A crawler, monitor, previewer, headless browser or HTTP library ([`crate::bots::is_bot`]).
    UserAgent,
    /// Claims a browser that sends fetch metadata, sent none.
    NoFetchMetadata,
    /// Cloudflare's bot score, or a verified bot.
    BotScore,
}

/// Whether the request comes from an automated client, and by which signal.
pub fn automated(signals: &Signals, limits: &Limits) -> Option<Automated> {
    if crate::bots::is_bot(signals.user_agent) {
        return Some(Automated::UserAgent);
    }
    if signals.verified_bot
        || signals
            .bot_score
            .is_some_and(|s| s > 0 && s < limits.bot_score_below)
    {
        return Some(Automated::BotScore);
    }
    if limits.require_fetch_metadata
        && !signals.fetch_metadata
        && claims_fetch_metadata(signals.user_agent)
    {
        return Some(Automated::NoFetchMetadata);
    }
    None
}

/// Whether a user agent names a browser release that sends `Sec-Fetch-Site` with every request:
/// Chrome (and Chromium-based browsers) since 76, Firefox since 90, Safari since 16.4. With margin:
/// Chrome 80, Firefox 90, Safari 17. Chrome on iOS (`CriOS`) and Firefox on iOS (`FxiOS`) are
/// Safari underneath and name no `Version/`: they are not claimed.
pub fn claims_fetch_metadata(user_agent: &str) -> bool {
    let major = |marker: &str| -> Option<u32> {
        let at = user_agent.find(marker)? + marker.len();
        let digits = user_agent.get(at..)?;
        let end = digits
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(digits.len());
        digits.get(..end)?.parse().ok()
    };
    if let Some(v) = major("Chrome/") {
        return v >= 80;
    }
    if let Some(v) = major("Firefox/") {
        return v >= 90;
    }
    user_agent.contains("Safari/") && major("Version/").is_some_and(|v| v >= 17)
}

/// A pool's refusals, by reason: the pool's figures show the limiting at work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Refusals {
    /// Over the per-address limit.
    pub address: u64,
    /// Over the per-network limit.
    pub network: u64,
    /// Over the per-pool limit.
    pub pool: u64,
    /// Automated clients.
    pub automated: u64,
}

impl Refusals {
    /// Counts one refusal.
    pub fn count(&mut self, refusal: Refusal) {
        let n = match refusal {
            Refusal::Address => &mut self.address,
            Refusal::Network => &mut self.network,
            Refusal::Pool => &mut self.pool,
            Refusal::Automated(_) => &mut self.automated,
        };
        *n = n.saturating_add(1);
    }

    /// All refusals.
    pub fn total(&self) -> u64 {
        self.address
            .saturating_add(self.network)
            .saturating_add(self.pool)
            .saturating_add(self.automated)
    }

    /// Two pools' (or shards') refusals added up.
    pub fn add(&mut self, other: &Refusals) {
        self.address = self.address.saturating_add(other.address);
        self.network = self.network.saturating_add(other.network);
        self.pool = self.pool.saturating_add(other.pool);
        self.automated = self.automated.saturating_add(other.automated);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SECOND;

    #[test]
    fn client_keys() {
        let table = [
            ("203.0.113.9", Some(("203.0.113.9", "203.0.113.0/24"))),
            (" 10.1.2.3 ", Some(("10.1.2.3", "10.1.2.0/24"))),
            (
                "::ffff:198.51.100.7",
                Some(("198.51.100.7", "198.51.100.0/24")),
            ),
            (
                "2001:db8:1:2:3:4:5:6",
                Some(("2001:db8:1:2::/64", "2001:db8:1::/48")),
            ),
            (
                "2001:db8:1:2::ffff",
                Some(("2001:db8:1:2::/64", "2001:db8:1::/48")),
            ),
            ("::1", Some(("::/64", "::/48"))),
            ("", None),
            ("unknown", None),
            ("203.0.113.9, 10.0.0.1", None),
            ("999.1.1.1", None),
        ];
        for (ip, want) in table {
            let got = client(ip);
            let got = got
                .as_ref()
                .map(|c| (c.address.as_str(), c.network.as_str()));
            assert_eq!(got, want, "{ip:?}");
        }
    }

    /// Keyed client keys: the value Python's `hmac` gives for the same secret and label (so the
    /// derivation is the documented one), stable, different under another secret, idempotent, and
    /// never the address itself.
    #[test]
    fn client_keys_are_kept_keyed() {
        let key = LedgerKey::derive("test-secret").unwrap();
        let other = LedgerKey::derive("another-secret").unwrap();
        let c = client("203.0.113.9").unwrap().keyed(&key).unwrap();
        assert_eq!(c.address, "k1:093596014f4da5d8983b0136245de2c0");
        assert_eq!(c.network, "k1:3d222c3050ee215d4d1e3d477f14db46");
        // (clear key, keyed under `key` equals keyed under `other`)
        let table = ["203.0.113.9", "203.0.113.0/24", "2001:db8:1:2::/64", ""];
        for clear in table {
            let k = key.keyed(clear).unwrap();
            assert!(k.starts_with(KEYED_PREFIX) && k.len() == 35, "{clear}");
            assert!(clear.is_empty() || !k.contains(clear), "{clear}");
            assert_eq!(key.keyed(&k).unwrap(), k, "keying twice changes nothing");
            assert_ne!(other.keyed(clear).unwrap(), k, "{clear}");
        }
        assert_ne!(key.keyed("203.0.113.9"), key.keyed("203.0.113.8"));
        assert_eq!(format!("{key:?}"), "LedgerKey(..)");
    }

    #[test]
    fn a_lease_counts_while_live_or_within_the_window() {
        let rule = Rule {
            max: 4,
            window: 10 * SECOND,
        };
        // (started, live, now, counts)
        let table = [
            (0, false, 0, true),
            (0, false, 9_999, true),
            (0, false, 10_000, false),
            (0, true, 10_000, true),
            (0, true, 1_000_000, true),
            (5_000, false, 14_999, true),
            (u64::MAX, false, u64::MAX, true),
        ];
        for (started, live, now, want) in table {
            assert_eq!(
                counts(started, live, &rule, now),
                want,
                "{started} {live} {now}"
            );
        }
    }

    #[test]
    fn decides_the_narrowest_scope_first() {
        let limits = Limits::default();
        let u = |address, network, pool| Usage {
            address,
            network,
            pool,
        };
        let table = [
            (u(0, 0, 0), Ok(())),
            (u(3, 15, 599), Ok(())),
            (u(4, 0, 0), Err(Refusal::Address)),
            (u(4, 16, 600), Err(Refusal::Address)),
            (u(0, 16, 0), Err(Refusal::Network)),
            (u(3, 16, 600), Err(Refusal::Network)),
            (u(0, 0, 600), Err(Refusal::Pool)),
        ];
        for (usage, want) in table {
            assert_eq!(decide(&limits, usage), want, "{usage:?}");
        }
    }

    const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
    const OLD_CHROME: &str = "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.77 Safari/537.36";
    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";
    const SAFARI_18: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
    const SAFARI_16: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.3 Safari/605.1.15";
    const CHROME_IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1";

    #[test]
    fn tells_automated_clients() {
        let limits = Limits::default();
        let s = |user_agent, fetch_metadata, bot_score, verified_bot| Signals {
            user_agent,
            fetch_metadata,
            bot_score,
            verified_bot,
        };
        use Automated::*;
        let table = [
            (s(CHROME, true, None, false), None),
            (s(CHROME, false, None, false), Some(NoFetchMetadata)),
            (s(OLD_CHROME, false, None, false), None),
            (s(FIREFOX, false, None, false), Some(NoFetchMetadata)),
            (s(FIREFOX, true, Some(99), false), None),
            (s(SAFARI_18, false, None, false), Some(NoFetchMetadata)),
            (s(SAFARI_16, false, None, false), None),
            (s(CHROME_IOS, false, None, false), None),
            (s(CHROME, true, Some(29), false), Some(BotScore)),
            (s(CHROME, true, Some(30), false), None),
            (s(CHROME, true, Some(1), false), Some(BotScore)),
            // No score is not a low score.
            (s(CHROME, true, Some(0), false), None),
            (s(CHROME, true, Some(99), true), Some(BotScore)),
            (s("curl/8.5.0", false, None, false), Some(UserAgent)),
            (s("", true, None, false), Some(UserAgent)),
            (
                s(
                    "Mozilla/5.0 (compatible; Googlebot/2.1)",
                    true,
                    Some(99),
                    false,
                ),
                Some(UserAgent),
            ),
            // A user agent that claims nothing we know sends no metadata: not refused for it.
            (s("SomeBrowser/1.0", false, None, false), None),
            (s("Chrome/", false, None, false), None),
            (s("Chrome/99999999999999999999", false, None, false), None),
        ];
        for (signals, want) in table {
            assert_eq!(automated(&signals, &limits), want, "{signals:?}");
        }
        let lenient = Limits {
            bot_score_below: 0,
            require_fetch_metadata: false,
            ..limits
        };
        assert_eq!(automated(&s(CHROME, false, Some(1), false), &lenient), None);
    }

    #[test]
    fn limits_validate() {
        assert_eq!(Limits::default().validate(), Ok(()));
        let bad = [
            Limits {
                per_address: Rule {
                    max: 0,
                    window: MINUTE,
                },
                ..Limits::default()
            },
            Limits {
                per_pool: Rule { max: 1, window: 0 },
                ..Limits::default()
            },
            Limits {
                bot_score_below: 101,
                ..Limits::default()
            },
        ];
        for limits in bad {
            assert!(limits.validate().is_err(), "{limits:?}");
        }
        let parsed: Limits =
            serde_json::from_str(r#"{"per_address":{"max":2,"window":60000}}"#).unwrap();
        assert_eq!(parsed.per_address.max, 2);
        assert_eq!(parsed.per_network, Limits::default().per_network);
    }

    #[test]
    fn a_shard_enforces_its_share() {
        let limits = Limits::default();
        // (per-address max, per-network max, shards, per-address share, per-network share)
        let table = [
            (4, 16, 0, 4, 16),
            (4, 16, 1, 4, 16),
            (4, 16, 2, 2, 8),
            (3, 5, 2, 2, 3),
            (4, 16, 3, 2, 6),
            (4, 16, 8, 1, 2),
            (1, 1, 64, 1, 1),
            (u32::MAX, u32::MAX, 2, u32::MAX / 2 + 1, u32::MAX / 2 + 1),
        ];
        for (address, network, shards, want_address, want_network) in table {
            let mut l = limits;
            l.per_address.max = address;
            l.per_network.max = network;
            let share = l.per_shard(shards);
            assert_eq!(
                (share.per_address.max, share.per_network.max),
                (want_address, want_network),
                "{address} {network} over {shards}"
            );
            // What a client can hold over all shards: the limit, or less than limit + shards.
            let n = shards.max(1) as u64;
            assert!(n * share.per_address.max as u64 >= address as u64);
            assert!(n * (share.per_address.max as u64) < address as u64 + n);
            assert_eq!(
                share.per_pool, l.per_pool,
                "the pool's rule is per shard already"
            );
            assert_eq!(share.per_address.window, l.per_address.window);
        }
    }

    #[test]
    fn a_limit_refusal_on_an_earlier_shard_lets_the_next_one_answer() {
        use Refusal::*;
        // (refusal, last shard asked, final)
        let table = [
            (Address, false, false),
            (Network, false, false),
            (Pool, false, false),
            (Automated(self::Automated::UserAgent), false, true),
            (Address, true, true),
            (Network, true, true),
            (Pool, true, true),
            (Automated(self::Automated::BotScore), true, true),
        ];
        for (refusal, last, want) in table {
            assert_eq!(refusal.is_final(last), want, "{refusal:?} {last}");
        }
    }

    #[test]
    fn a_record_is_kept_for_the_longest_window_or_while_live() {
        let limits = Limits::default();
        assert_eq!(keep_until(1_000, &limits), 1_000 + 15 * MINUTE);
        assert_eq!(keep_until(u64::MAX, &limits), u64::MAX);
        // (until, live, now, forgotten)
        let table = [
            (10_000, false, 9_999, false),
            (10_000, false, 10_000, true),
            (10_000, true, 10_000, false),
            (10_000, true, u64::MAX, false),
            (10_000, false, u64::MAX, true),
        ];
        for (until, live, now, want) in table {
            assert_eq!(forgotten(until, live, now), want, "{until} {live} {now}");
        }
        // Kept at least as long as any rule counts it.
        for (rule, started) in [(limits.per_address, 5), (limits.per_network, 7)] {
            let until = keep_until(started, &limits);
            for now in [started, until - 1, until] {
                assert!(!counts(started, false, &rule, now) || !forgotten(until, false, now));
            }
        }
    }

    #[test]
    fn the_longest_window_is_the_longest_rule() {
        let mut l = Limits::default();
        assert_eq!(l.longest_window(), 15 * MINUTE);
        l.per_pool.window = crate::DAY;
        assert_eq!(l.longest_window(), crate::DAY);
        l.per_pool.window = SECOND;
        l.per_network.window = 20 * MINUTE;
        assert_eq!(l.longest_window(), 20 * MINUTE);
    }

    #[test]
    fn refusals_add_up() {
        let mut r = Refusals::default();
        for x in [
            Refusal::Address,
            Refusal::Address,
            Refusal::Network,
            Refusal::Pool,
            Refusal::Automated(Automated::BotScore),
        ] {
            r.count(x);
        }
        assert_eq!(
            (r.address, r.network, r.pool, r.automated, r.total()),
            (2, 1, 1, 1, 5)
        );
        let mut sum = r;
        sum.add(&r);
        assert_eq!(sum.total(), 10);
    }
}
