//! The lease API's request and response bodies, and their validation: the worker's first line of
//! defence against bad input, kept here so that it is tested natively and exhaustively.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::attribution::{Journey, RawTouch};
use crate::phone::{PhoneError, E164};

// The limits are the page's as much as the worker's: their home is `wire`.
pub use crate::wire::{
    MAX_BODY, MAX_COOKIE, MAX_LEASE, MAX_SESSION, MAX_TAILS, MAX_TARGETS, MAX_URL, MAX_VIEWS,
    TAIL_DIGITS,
};

/// `POST /v1/sites/{site}/leases`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaseRequest {
    /// The visitor session: random, chosen by the browser, 16 to 64 of `[A-Za-z0-9_-]`.
    pub session: String,
    /// The site's numbers found on the page, in E.164 (the module's requests).
    #[serde(default)]
    pub targets: Vec<String>,
    /// Instead of `targets`, before the module has looked at the page (the loader's first request):
    /// the last [`TAIL_DIGITS`] digits of the long runs of digits the page shows; the worker leases
    /// for the site's numbers that end so ([`targets_showing`]).
    #[serde(default)]
    pub tails: Vec<String>,
    /// The page view asking.
    pub page: Page,
    /// The visitor's stored touches (absent when the visitor allows no storage): today's pages send
    /// their first view only, and the later views that may be touches as `views`.
    #[serde(default)]
    pub journey: Journey,
    /// Page views since, oldest first, that may be touches: the worker folds them into `journey`
    /// with the full classifier ([`crate::attribution::fold`]) before it credits the current one.
    #[serde(default)]
    pub views: Vec<RawTouch>,
    /// GA cookies, when the visitor allows analytics storage.
    #[serde(default)]
    pub ga: Option<GaCookies>,
    /// The leases the page holds (ids), so that a session whose number came from another shard
    /// of a split pool is asked for there first and keeps its number.
    #[serde(default)]
    pub leases: Vec<String>,
    /// The consent tier the page runs at (`session` or `full`; absent from older pages: unknown).
    /// What the ad platforms are told about the visitor's consent comes from it.
    #[serde(default)]
    pub consent: Option<crate::consent::Tier>,
    /// Meta's `_fbp` cookie, sent by the page at the full consent tier only (and kept only with
    /// `consent: full`).
    #[serde(default)]
    pub fbp: Option<String>,
}

impl LeaseRequest {
    /// The `_fbp` cookie to keep: only from a page that declared the full tier.
    pub fn fbp_kept(&self) -> Option<String> {
        self.fbp
            .clone()
            .filter(|f| !f.is_empty() && self.consent == Some(crate::consent::Tier::Full))
    }
}

/// `POST /v1/sites/{site}/numbers`: source-level numbers for a visitor who allows no identifiers.
/// No session, no stored touches; the page reduced to what classification reads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumbersRequest {
    /// The site's numbers found on the page, in E.164 (the page's client's requests).
    #[serde(default)]
    pub targets: Vec<String>,
    /// Instead of `targets`, the loader's first request: the tails of the page's long runs of
    /// digits, as in [`LeaseRequest::tails`] (the worker answers for the site's numbers that end so).
    #[serde(default)]
    pub tails: Vec<String>,
    /// The page view asking (reduced by the browser).
    pub page: Page,
}

impl NumbersRequest {
    /// Checks every field; returns the targets, parsed (empty when the request names `tails`).
    pub fn validate(&self) -> Result<Vec<E164>, Invalid> {
        let targets = targets_or_tails(&self.targets, &self.tails)?;
        if self.page.url.len() > MAX_URL || self.page.referrer.len() > MAX_URL {
            return Err(Invalid::UrlTooLong);
        }
        Ok(targets)
    }
}

/// A request's targets, parsed, or, when it names tails instead (never both), none once the tails
/// are checked: at most [`MAX_TAILS`], each [`TAIL_DIGITS`] digits.
fn targets_or_tails(targets: &[String], tails: &[String]) -> Result<Vec<E164>, Invalid> {
    if tails.is_empty() {
        return parse_targets(targets);
    }
    let digits = |t: &String| t.len() == TAIL_DIGITS && t.bytes().all(|b| b.is_ascii_digit());
    if !targets.is_empty() || tails.len() > MAX_TAILS || !tails.iter().all(digits) {
        return Err(Invalid::Tails);
    }
    Ok(Vec::new())
}

fn parse_targets(raw: &[String]) -> Result<Vec<E164>, Invalid> {
    if raw.is_empty() || raw.len() > MAX_TARGETS {
        return Err(Invalid::TargetCount);
    }
    let mut targets = Vec::with_capacity(raw.len());
    for t in raw {
        let e = E164::parse(t).map_err(Invalid::Target)?;
        if !targets.contains(&e) {
            targets.push(e);
        }
    }
    Ok(targets)
}

/// The page view asking for numbers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// `location.href`.
    pub url: String,
    /// `document.referrer`.
    #[serde(default)]
    pub referrer: String,
}

/// The raw GA cookie values.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct GaCookies {
    /// The `_ga` cookie.
    #[serde(default)]
    pub client: String,
    /// The `_ga_<stream>` cookie.
    #[serde(default)]
    pub session: String,
}

/// Why a request is refused; each becomes a 400 with this text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// The session id is missing, too long, or has other characters.
    Session,
    /// No targets, or too many.
    TargetCount,
    /// A target is not E.164.
    Target(PhoneError),
    /// A URL is longer than [`MAX_URL`].
    UrlTooLong,
    /// A GA cookie is longer than [`MAX_COOKIE`].
    CookieTooLong,
    /// More leases than targets allow, or one longer than [`MAX_LEASE`].
    Leases,
    /// More than [`MAX_VIEWS`] views.
    Views,
    /// More than [`MAX_TAILS`] tails, one that is not [`TAIL_DIGITS`] digits, or tails with
    /// targets.
    Tails,
}

impl Invalid {
    /// The message for the error body.
    pub fn message(&self) -> String {
        match self {
            Invalid::Session => {
                format!("session must be 16 to {MAX_SESSION} characters of A-Z a-z 0-9 _ -")
            }
            Invalid::TargetCount => format!("targets must list 1 to {MAX_TARGETS} numbers"),
            Invalid::Target(e) => format!("targets: {e}"),
            Invalid::UrlTooLong => format!("URLs are limited to {MAX_URL} bytes"),
            Invalid::CookieTooLong => format!("GA cookies are limited to {MAX_COOKIE} bytes"),
            Invalid::Leases => {
                format!("leases must list at most {MAX_TARGETS} ids of at most {MAX_LEASE} bytes")
            }
            Invalid::Views => format!("views must list at most {MAX_VIEWS} page views"),
            Invalid::Tails => format!(
                "tails must list at most {MAX_TAILS} runs of {TAIL_DIGITS} digits, without targets"
            ),
        }
    }
}

/// The pool and shard a lease id names: ids are `<pool>.<shard>.<random>`, the random part a
/// valid id ([`valid_id`]). `None` for anything else.
pub fn lease_shard(lease: &str) -> Option<(&str, u32)> {
    let mut parts = lease.splitn(3, '.');
    let (pool, shard, token) = (parts.next()?, parts.next()?, parts.next()?);
    // Digits only: `parse` would also take a sign.
    if pool.is_empty()
        || shard.is_empty()
        || shard.len() > 2
        || !shard.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let shard = shard.parse().ok()?;
    valid_id(token).then_some((pool, shard))
}

/// Whether `id` is a valid session or lease id: 16 to 64 of `[A-Za-z0-9_-]`.
pub fn valid_id(id: &str) -> bool {
    (16..=MAX_SESSION).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The site's numbers (`site_targets`) that end with one of `tails`: those the page shows, as far as
/// the loader could tell before the module looked (at most [`MAX_TARGETS`], in the site's order).
/// The module releases at once a lease for a number its own look does not find.
pub fn targets_showing(site_targets: &[E164], tails: &[String]) -> Vec<E164> {
    site_targets
        .iter()
        .filter(|t| {
            tails
                .iter()
                .any(|tail| crate::wire::tail(t.digits()) == tail)
        })
        .take(MAX_TARGETS)
        .cloned()
        .collect()
}

impl LeaseRequest {
    /// Checks every field; returns the targets, parsed (empty when the request names `tails`).
    pub fn validate(&self) -> Result<Vec<E164>, Invalid> {
        if !valid_id(&self.session) {
            return Err(Invalid::Session);
        }
        let targets = targets_or_tails(&self.targets, &self.tails)?;
        if self.views.len() > MAX_VIEWS {
            return Err(Invalid::Views);
        }
        let touches = [self.journey.first.as_ref(), self.journey.last.as_ref()];
        let urls = [&self.page.url, &self.page.referrer].into_iter().chain(
            touches
                .into_iter()
                .flatten()
                .chain(&self.views)
                .flat_map(|t: &RawTouch| [&t.landing, &t.referrer]),
        );
        for url in urls {
            if url.len() > MAX_URL {
                return Err(Invalid::UrlTooLong);
            }
        }
        if let Some(ga) = &self.ga {
            if ga.client.len() > MAX_COOKIE || ga.session.len() > MAX_COOKIE {
                return Err(Invalid::CookieTooLong);
            }
        }
        if self.fbp.as_ref().is_some_and(|f| f.len() > MAX_COOKIE) {
            return Err(Invalid::CookieTooLong);
        }
        if self.leases.len() > MAX_TARGETS || self.leases.iter().any(|l| l.len() > MAX_LEASE) {
            return Err(Invalid::Leases);
        }
        Ok(targets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: &str) -> Result<Vec<E164>, String> {
        let req: LeaseRequest = serde_json::from_str(json).map_err(|_| "malformed".to_owned())?;
        req.validate().map_err(|e| e.message())
    }

    #[test]
    fn reads_the_pool_and_shard_of_a_lease_id() {
        let table = [
            ("visitors.0.abcdefghijklmnopqrstuv", Some(("visitors", 0))),
            ("visitors.12.abcdefghijklmnop-_AZ09", Some(("visitors", 12))),
            ("visitors.1.short", None),
            ("visitors.+1.abcdefghijklmnopqrstuv", None),
            ("visitors.123.abcdefghijklmnopqrstuv", None),
            ("visitors..abcdefghijklmnopqrstuv", None),
            (".1.abcdefghijklmnopqrstuv", None),
            ("visitors.1.abcdefghijklmnop.rstuv", None),
            ("visitors.1", None),
            ("", None),
        ];
        for (id, want) in table {
            assert_eq!(lease_shard(id), want, "{id:?}");
        }
    }

    #[test]
    fn finds_the_targets_a_page_shows_from_its_tails() {
        let site: Vec<E164> = ["+12125550100", "+13125550100", "+442079460000"]
            .iter()
            .map(|t| E164::parse(t).unwrap())
            .collect();
        let tails = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // (tails the page shows, the targets leased)
        let table: [(&[&str], &[usize]); 5] = [
            (&["5550100"], &[0, 1]),
            (&["9460000", "1234567"], &[2]),
            (&["1234567"], &[]),
            (&["2125550"], &[]),
            (&["9460000", "5550100"], &[0, 1, 2]),
        ];
        for (shown, want) in table {
            let want: Vec<E164> = want.iter().map(|&i| site[i].clone()).collect();
            assert_eq!(targets_showing(&site, &tails(shown)), want, "{shown:?}");
        }
    }

    #[test]
    fn validates_lease_requests() {
        let long = "x".repeat(MAX_URL + 1);
        let ok = r#"{"session":"abcdefghijklmnop","targets":["+12125550100"],"page":{"url":"https://a.com/","referrer":""}}"#;
        // (body, Ok(number of targets) or the error message's start)
        let table: Vec<(String, Result<usize, &str>)> = vec![
            (ok.to_owned(), Ok(1)),
            (ok.replace("]", r#","+12125550100"]"#), Ok(1)),
            (ok.replace("abcdefghijklmnop", "short"), Err("session")),
            (
                ok.replace("abcdefghijklmnop", "abcdefghijklmnop<script>"),
                Err("session"),
            ),
            (ok.replace(r#"["+12125550100"]"#, "[]"), Err("targets must")),
            (
                ok.replace("+12125550100", "(212) 555-0100"),
                Err("targets: a phone"),
            ),
            (ok.replace("https://a.com/", &long), Err("URLs")),
            (
                ok.replace(
                    "}}",
                    r#"},"ga":{"client":"GA1.1.1.2","session":"GS2.1.s1"}}"#,
                ),
                Ok(1),
            ),
            (ok.replace("}}", r#"},"extra":1}"#), Err("malformed")),
            (
                ok.replace("}}", r#"},"leases":["visitors.1.abcdefghijklmnopqrstuv"]}"#),
                Ok(1),
            ),
            (
                ok.replace(
                    "}}",
                    &format!(r#"}},"leases":["{}"]}}"#, "x".repeat(MAX_LEASE + 1)),
                ),
                Err("leases"),
            ),
            (
                ok.replace(
                    "}}",
                    &format!(r#"}},"leases":[{}"x"]}}"#, r#""x","#.repeat(MAX_TARGETS)),
                ),
                Err("leases"),
            ),
            (
                ok.replace(
                    r#""targets":["+12125550100"]"#,
                    r#""tails":["5550100","1234567"]"#,
                ),
                Ok(0),
            ),
            (
                ok.replace(r#""]"#, r#""],"tails":["5550100"]"#),
                Err("tails"),
            ),
            (
                ok.replace(r#""targets":["+12125550100"]"#, r#""tails":["555010"]"#),
                Err("tails"),
            ),
            (
                ok.replace(r#""targets":["+12125550100"]"#, r#""tails":["555010x"]"#),
                Err("tails"),
            ),
            (
                ok.replace(
                    r#""targets":["+12125550100"]"#,
                    &format!(
                        r#""tails":[{}"5550100"]"#,
                        r#""5550100","#.repeat(MAX_TAILS)
                    ),
                ),
                Err("tails"),
            ),
            (
                ok.replace(r#""targets":["+12125550100"],"#, ""),
                Err("targets must"),
            ),
            (
                ok.replace(
                    "}}",
                    r#"},"views":[{"landing":"https://a.com/?utm_source=x","at":1}]}"#,
                ),
                Ok(1),
            ),
            (
                ok.replace(
                    "}}",
                    &format!(
                        r#"}},"views":[{}{{"landing":"https://a.com/","at":1}}]}}"#,
                        r#"{"landing":"https://a.com/","at":1},"#.repeat(MAX_VIEWS)
                    ),
                ),
                Err("views"),
            ),
            (
                ok.replace(
                    "}}",
                    &format!(r#"}},"views":[{{"landing":"{long}","at":1}}]}}"#),
                ),
                Err("URLs"),
            ),
            ("{".to_owned(), Err("malformed")),
            ("[]".to_owned(), Err("malformed")),
        ];
        for (body, want) in table {
            let got = request(&body);
            match (&got, want) {
                (Ok(targets), Ok(count)) => assert_eq!(targets.len(), count, "{body}"),
                (Err(message), Err(start)) => {
                    assert!(message.starts_with(start), "{body}: {message}")
                }
                _ => panic!("{body}: got {got:?}"),
            }
        }
    }

    #[test]
    fn validates_numbers_requests() {
        let ok =
            r#"{"targets":["+12125550100"],"page":{"url":"https://a.com/?gclid=1","referrer":""}}"#;
        let tails = ok.replace(r#""targets":["+12125550100"]"#, r#""tails":["5550100"]"#);
        // (body, Ok(number of targets) or the error message's start): the no-consent request
        // names targets (the page's client) or tails (the loader's first request), never both,
        // and carries no session or other identifier.
        let table: Vec<(String, Result<usize, &str>)> = vec![
            (ok.to_owned(), Ok(1)),
            (tails.clone(), Ok(0)),
            (tails.replace("5550100", "555010"), Err("tails")),
            (
                tails.replace(
                    r#"["5550100"]"#,
                    &format!("[{}]", [r#""5550100""#; MAX_TAILS + 1].join(",")),
                ),
                Err("tails"),
            ),
            (
                ok.replace(r#""]"#, r#""],"tails":["5550100"]"#),
                Err("tails"),
            ),
            (
                ok.replace(r#""targets":["+12125550100"],"#, ""),
                Err("targets must"),
            ),
            (
                ok.replace("{\"targets", "{\"session\":\"abcdefghijklmnop\",\"targets"),
                Err("malformed"),
            ),
            (
                ok.replace("}}", r#"},"ga":{"client":"GA1.1.1.2"}}"#),
                Err("malformed"),
            ),
            (
                ok.replace("https://a.com/?gclid=1", &"x".repeat(MAX_URL + 1)),
                Err("URLs"),
            ),
        ];
        for (body, want) in table {
            let got = serde_json::from_str::<NumbersRequest>(&body)
                .map_err(|_| "malformed".to_owned())
                .and_then(|r| r.validate().map_err(|e| e.message()));
            match (&got, want) {
                (Ok(targets), Ok(count)) => assert_eq!(targets.len(), count, "{body}"),
                (Err(message), Err(start)) => {
                    assert!(message.starts_with(start), "{body}: {message}")
                }
                _ => panic!("{body}: got {got:?}"),
            }
        }
    }
}

/// What a tracking number stands for, in a lease response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A pool number leased to this session.
    Pool,
    /// A source-level number for the visit's channel.
    Static,
    /// The pool's overflow number (the pool is exhausted).
    Overflow,
    /// The site's own number: nothing to swap.
    Original,
}

/// One target's number, in a lease response.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Assigned {
    /// The site's number on the page.
    pub target: E164,
    /// The number to show instead (the target itself for `Original`).
    pub number: E164,
    /// What it is.
    pub kind: Kind,
    /// The lease id, for heartbeats and release (pool numbers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<String>,
    /// When the lease ends without a heartbeat (pool numbers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<crate::Millis>,
}

/// The answer to `POST /v1/sites/{site}/leases`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LeaseResponse {
    /// One entry per requested target, in request order.
    pub numbers: Vec<Assigned>,
    /// How often the browser should send heartbeats while the page is visible.
    pub heartbeat_ms: crate::Millis,
    /// The site's public configuration: the page keeps it, and needs no request of its own for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<PublicConfig>,
}

/// A source-level number, as the browser needs it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PublicStatic {
    /// The tracking number.
    pub number: E164,
    /// The site number it replaces.
    pub target: E164,
    /// The channel it serves.
    pub channel: crate::classify::Channel,
}

/// The public part of a site's configuration (`GET /v1/sites/{site}/public`): what the browser needs
/// before it asks for numbers. Everything here is visible on the site's pages anyway.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PublicConfig {
    /// The site's numbers to look for on the page.
    pub targets: Vec<E164>,
    /// The site's own hosts: never a source.
    pub own_hosts: Vec<String>,
    /// Source-level numbers, for visitors who allow no storage.
    pub static_numbers: Vec<PublicStatic>,
    /// Touches older than this are forgotten.
    pub lookback_ms: crate::Millis,
    /// GA4's session timeout.
    pub session_timeout_ms: crate::Millis,
    /// Every query parameter whose value is redacted: [`crate::privacy::DEFAULT_PARAMS`], then the
    /// site's own (`SiteConfig::redact_params`), as [`crate::privacy::listed`] gives them. The page
    /// passes them to [`crate::privacy::redact_listed`] with every URL it keeps or sends: it
    /// receives the defaults here rather than carrying them in its module.
    #[serde(default)]
    pub redact_params: Vec<String>,
}
