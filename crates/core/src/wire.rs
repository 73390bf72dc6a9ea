//! The page-worker wire format, the page's half: every limit, default and name both sides must
//! agree on, and the builders of the bodies the browser module sends. `no_std` (the browser module
//! uses it); the worker reads the same bodies with the serde types of [`crate::api`], which
//! re-exports these limits. The tests below build with these builders and parse with those types,
//! so a change on one side that the other does not follow fails here.
//!
//! The loader (`crates/client/js/loader.js`) sends the first lease request before the module is
//! compiled, so it writes some of these names too (the storage keys, the field names); the client
//! crate's tests check that it uses exactly the ones below.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::attribution::RawTouch;
use crate::json::Object;
use crate::{Millis, MINUTE, SECOND};

/// Longest URL accepted (landing page, referrer).
pub const MAX_URL: usize = 2048;
/// Longest session id.
pub const MAX_SESSION: usize = 64;
/// Most swap targets in one request (and most leases a page holds).
pub const MAX_TARGETS: usize = 8;
/// Longest GA cookie value.
pub const MAX_COOKIE: usize = 128;
/// Longest lease id: a pool id (32), a shard (2), a random id (64) and two dots.
pub const MAX_LEASE: usize = 100;
/// Largest request body, in bytes.
pub const MAX_BODY: usize = 32 * 1024;
/// Most page views a page keeps for the worker to fold into its journey (`views`).
pub const MAX_VIEWS: usize = 3;

/// Whether a page view may be a touch (a source other than Direct) and so must be kept for the
/// worker, which classifies: its landing URL has a query string, or its referrer another origin.
/// Cheap and generous (the worker's full classifier decides), so that the page carries no
/// classifier: a view without either is Direct for every classifier.
pub fn may_be_touch(view: &RawTouch) -> bool {
    crate::text::has(&view.landing, b'?')
        || (!view.referrer.is_empty()
            && crate::url::origin_of(&view.referrer) != crate::url::origin_of(&view.landing))
}

/// How many trailing digits of a long run of digits on the page the loader's first request carries
/// (`tails`), for the worker to find which of the site's numbers the page shows before the module
/// has looked: the subscriber number in most numbering plans, so that two targets that differ only
/// in their area code are still told apart, and never the whole run.
pub const TAIL_DIGITS: usize = 7;
/// Most tails in one request.
pub const MAX_TAILS: usize = 16;

/// The heartbeat interval when the worker names none, and the longest it ever names.
pub const HEARTBEAT_MS: Millis = 60 * SECOND;
/// The shortest heartbeat interval the page accepts.
pub const MIN_HEARTBEAT_MS: Millis = SECOND;

/// Heartbeats often enough that two may be lost before the idle timeout ends the lease.
pub fn heartbeat_interval(idle_timeout: Millis) -> Millis {
    (idle_timeout / 3).clamp(MIN_HEARTBEAT_MS, HEARTBEAT_MS)
}

/// A session ends after this long without a page view (GA4's session timeout).
pub const SESSION_IDLE_MS: Millis = 30 * MINUTE;

/// The page's storage keys (`localStorage` or `sessionStorage`, by consent tier). The session is
/// `<id>|<last page view, ms>`; the journey [`journey_json`]; the leases a JSON array of answer
/// entries with a lease; the configuration the site's public configuration as last received.
pub const SESSION_KEY: &str = "dni.session";
/// See [`SESSION_KEY`].
pub const JOURNEY_KEY: &str = "dni.journey";
/// See [`SESSION_KEY`].
pub const LEASES_KEY: &str = "dni.leases";
/// See [`SESSION_KEY`].
pub const CONFIG_KEY: &str = "dni.config";

/// A lease id: `<pool>.<shard>.<random>` (see [`crate::api::lease_shard`], which reads it).
pub fn lease_id(pool: &str, shard: u32, random: &str) -> String {
    let mut id = String::with_capacity(pool.len() + random.len() + 4);
    id.push_str(pool);
    id.push('.');
    crate::json::push_u64(&mut id, u64::from(shard));
    id.push('.');
    id.push_str(random);
    id
}

/// The trailing [`TAIL_DIGITS`] digits of a number's digits (all of them when shorter).
pub fn tail(digits: &str) -> &str {
    digits
        .get(digits.len().saturating_sub(TAIL_DIGITS)..)
        .unwrap_or(digits)
}

/// What the page asks for: the body of `POST /v1/sites/{site}/leases` (with a session) or of
/// `POST /v1/sites/{site}/numbers` (without: the no-consent tier, whose page the caller has
/// already reduced).
pub struct Ask<'a> {
    /// The visitor session; `None` in the no-consent tier.
    pub session: Option<&'a str>,
    /// The site's numbers the page shows and has no number for, in E.164.
    pub targets: &'a [&'a str],
    /// The landing URL and the referrer.
    pub url: &'a str,
    /// See `url`.
    pub referrer: &'a str,
    /// The visitor's first page view (`journey.first`), and the later views that may be touches.
    pub journey: Option<(&'a Option<RawTouch>, &'a [RawTouch])>,
    /// The leases the page holds.
    pub leases: &'a [&'a str],
    /// The GA cookies (`_ga`, `_ga_<stream>`), in the full tier; empty otherwise.
    pub ga: (&'a str, &'a str),
    /// Whether the page runs at the full consent tier (else the session tier): the worker tells
    /// the ad platforms about consent from it.
    pub full: bool,
}

impl Ask<'_> {
    /// The path (`leases` or `numbers`) and the body.
    pub fn build(&self) -> (&'static str, String) {
        let page = Object::new()
            .string("url", self.url)
            .string("referrer", self.referrer)
            .finish();
        let mut body = Object::new();
        if let Some(session) = self.session {
            body.string("session", session);
        }
        body.strings("targets", self.targets).raw("page", &page);
        let Some(_) = self.session else {
            return ("numbers", body.finish());
        };
        if let Some((first, views)) = self.journey {
            body.raw("journey", &journey_json(first, &[]));
            if !views.is_empty() {
                body.raw("views", &touches_json(views));
            }
        }
        if !self.leases.is_empty() {
            body.strings("leases", self.leases);
        }
        body.string("consent", if self.full { "full" } else { "session" });
        if !(self.ga.0.is_empty() && self.ga.1.is_empty()) {
            body.raw(
                "ga",
                &Object::new()
                    .string("client", self.ga.0)
                    .string("session", self.ga.1)
                    .finish(),
            );
        }
        ("leases", body.finish())
    }
}

fn touch_json(t: &RawTouch) -> String {
    Object::new()
        .string("landing", &t.landing)
        .string("referrer", &t.referrer)
        .number("at", t.at)
        .finish()
}

/// A list of touches as JSON.
pub fn touches_json(views: &[RawTouch]) -> String {
    let mut out = String::from("[");
    for view in views {
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(&touch_json(view));
    }
    out.push(']');
    out
}

/// The page's journey as JSON: its first view, and the later views that may be touches (what the
/// page stores; it sends the first as `journey` and the views as `views`).
pub fn journey_json(first: &Option<RawTouch>, views: &[RawTouch]) -> String {
    let mut object = Object::new();
    if let Some(first) = first {
        object.raw("first", &touch_json(first));
    }
    if !views.is_empty() {
        object.raw("views", &touches_json(views));
    }
    object.finish()
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::*;
    use crate::api::{LeaseRequest, NumbersRequest};
    use crate::attribution::Journey;
    use crate::consent::Tier;

    fn touch(landing: &str, referrer: &str, at: u64) -> RawTouch {
        RawTouch {
            landing: landing.into(),
            referrer: referrer.into(),
            at,
        }
    }

    /// (session, journey, leases, ga)
    type Case<'a> = (
        Option<&'a str>,
        Option<(&'a Option<RawTouch>, &'a [RawTouch])>,
        &'a [&'a str],
        (&'a str, &'a str),
    );

    /// The page's builders, read back with the worker's serde types: every field arrives.
    #[test]
    fn what_the_page_builds_the_worker_reads() {
        let first = Some(touch(
            "https://a.com/?gclid=\"é\\",
            "https://www.google.com/",
            1_700_000_000_000,
        ));
        let views = [
            touch("https://a.com/?utm_source=x", "", 1),
            touch("https://a.com/b", "https://b.com/", 2),
        ];
        let none = None;
        let targets = ["+12125550100", "+13125550100"];
        let leases = ["visitors.0.abcdefghijklmnopqrstuv"];
        let table: [Case; 4] = [
            (
                Some("abcdefghijklmnopqrstuv"),
                Some((&first, &views)),
                &leases,
                ("GA1.1.1.2", "GS2.1.s9$o1"),
            ),
            (Some("abcdefghijklmnopqrstuv"), None, &[], ("", "")),
            (
                Some("abcdefghijklmnopqrstuv"),
                Some((&none, &[])),
                &[],
                ("GA1.1.1.2", ""),
            ),
            (None, None, &[], ("", "")),
        ];
        for (session, journey, leases, ga) in table {
            let full = !ga.0.is_empty();
            let ask = Ask {
                session,
                targets: &targets,
                url: "https://a.com/?utm_source=x&q=\u{2028}",
                referrer: "",
                journey,
                leases,
                ga,
                full,
            };
            let (path, body) = ask.build();
            let Some(session) = session else {
                assert_eq!(path, "numbers");
                let read: NumbersRequest = serde_json::from_str(&body).unwrap();
                assert_eq!(read.targets, targets);
                assert_eq!(read.page.url, ask.url);
                read.validate().unwrap();
                continue;
            };
            assert_eq!(path, "leases");
            let read: LeaseRequest = serde_json::from_str(&body).unwrap();
            read.validate().unwrap();
            assert_eq!(read.session, session);
            assert_eq!(read.targets, targets);
            assert_eq!(
                (read.page.url.as_str(), read.page.referrer.as_str()),
                (ask.url, "")
            );
            let (want_first, want_views) = journey.unwrap_or((&None, &[]));
            assert_eq!(
                read.journey,
                Journey {
                    first: want_first.clone(),
                    last: None
                }
            );
            assert_eq!(read.views, want_views);
            assert_eq!(read.leases, leases);
            let want_ga = (!ga.0.is_empty() || !ga.1.is_empty()).then_some((ga.0, ga.1));
            assert_eq!(
                read.ga
                    .as_ref()
                    .map(|g| (g.client.as_str(), g.session.as_str())),
                want_ga
            );
            let tier = if full { Tier::Full } else { Tier::Session };
            assert_eq!(read.consent, Some(tier));
        }
    }

    /// The worker redacts every URL the page kept, the views too.
    #[test]
    fn the_worker_redacts_the_views_the_page_kept() {
        let views = [touch(
            "https://a.com/?utm_source=x&email=jane%40example.com",
            "",
            1,
        )];
        let first = Some(touch("https://a.com/jane@example.com/", "", 0));
        let (_, body) = Ask {
            session: Some("abcdefghijklmnopqrstuv"),
            targets: &["+12125550100"],
            url: "https://a.com/",
            referrer: "",
            journey: Some((&first, &views)),
            leases: &[],
            ga: ("", ""),
            full: false,
        }
        .build();
        let mut read: LeaseRequest = serde_json::from_str(&body).unwrap();
        crate::privacy::redact_lease(&mut read, &[]);
        let text = serde_json::to_string(&(read.journey, read.views)).unwrap();
        assert!(!text.contains("jane"), "{text}");
        assert!(text.contains("utm_source=x"), "{text}");
    }

    /// A lease id made here is one the worker reads back.
    #[test]
    fn lease_ids_round_trip() {
        for (pool, shard) in [("visitors", 0), ("main", 7), ("p", 15)] {
            let id = lease_id(pool, shard, "abcdefghijklmnopqrstuv");
            assert_eq!(crate::api::lease_shard(&id), Some((pool, shard)), "{id}");
            assert!(id.len() <= MAX_LEASE);
        }
    }

    #[test]
    fn which_views_may_be_touches() {
        // (landing, referrer, kept for the worker)
        let table = [
            ("https://a.com/", "", false),
            ("https://a.com/p", "https://a.com/q", false),
            ("https://a.com/p#x", "", false),
            ("https://a.com/?utm_source=x", "", true),
            ("https://a.com/?gclid=1", "https://a.com/", true),
            ("https://a.com/", "https://www.google.com/", true),
            ("https://a.com/", "https://shop.a.com/", true),
        ];
        for (landing, referrer, want) in table {
            assert_eq!(
                may_be_touch(&touch(landing, referrer, 0)),
                want,
                "{landing} {referrer}"
            );
        }
    }

    #[test]
    fn tails_and_heartbeats() {
        assert_eq!(tail("12125550100"), "5550100");
        assert_eq!(tail("5550100"), "5550100");
        assert_eq!(tail("0100"), "0100");
        // (idle timeout, heartbeat interval)
        for (idle, beat) in [
            (2_000, 1_000),
            (30_000, 10_000),
            (120_000, 40_000),
            (600_000, 60_000),
        ] {
            assert_eq!(heartbeat_interval(idle), beat, "{idle}");
        }
    }
}
