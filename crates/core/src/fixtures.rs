//! What the core's tables share: one site that takes both calls and texts, the two times its
//! rules are read at, a visit from a paid click and the pool's answer for it. Call control's and
//! messaging's tables play the same site, so that a text is shown attributed and routed as a call
//! to the same number is, from one configuration rather than two copies that could drift apart.

use crate::attribution::{self, Attribution, Journey, RawTouch};
use crate::config::{NumberRoute, SiteConfig};
use crate::lease;
use crate::phone::E164;
use crate::Millis;

/// Friday 6 March 2026, 10:00 in New York (EST): office hours.
pub const OPEN: Millis = 1_772_809_200_000;
/// The same Friday, 22:00 in New York: after hours.
pub const CLOSED: Millis = 1_772_852_400_000;

/// The site: a business line (`+13125550100`) with a pool, the whisper, screening, recording, a
/// blocklist, a chain in office hours and voicemail after (with an automatic reply to texts),
/// texts forwarded to a mobile; a second line (`+13125550200`) with no settings; static numbers
/// for a paid campaign, a newsletter with its own rule, and the second line's newsletter.
pub const SITE: &str = r#"{
  "id": "site",
  "time_zone": "America/New_York",
  "keep_text_bodies": true,
  "recording": { "announcement": "This call may be recorded.", "transcribe": true },
  "targets": [{
    "number": "+13125550100", "pool": "visitors", "whisper": true, "screen": true, "record": true,
    "texts": { "forward": "+13125550188" },
    "routing": [
      { "name": "blocked", "when": { "callers": ["+1900"] }, "then": "reject" },
      { "name": "office hours", "when": { "hours": "09:00-17:00" }, "then": { "chain": {
          "steps": [
            { "numbers": ["+13125550101"], "timeout_s": 15 },
            { "numbers": ["+13125550102", "+13125550103"], "timeout_s": 20 }
          ],
          "voicemail": { "greeting": "Please leave a message." } } } },
      { "name": "after hours", "then": { "voicemail": { "greeting": "We are closed." } },
        "texts": { "reply": "Thanks! We open at 9." } }
    ]
  }, {
    "number": "+13125550200"
  }],
  "pools": [{ "id": "visitors", "numbers": ["+13125550111", "+13125550112"] }],
  "static_numbers": [
    { "number": "+13125550121", "target": "+13125550100", "channel": "Paid Search",
      "source": "google", "medium": "cpc", "campaign": "spring" },
    { "number": "+13125550122", "target": "+13125550100", "channel": "Email", "source": "newsletter",
      "routing": [{ "name": "front desk", "then": { "ring": { "numbers": ["+13125550109"] } } }] },
    { "number": "+13125550221", "target": "+13125550200", "channel": "Email",
      "source": "newsletter" }
  ]
}"#;

pub fn n(s: &str) -> E164 {
    E164::parse(s).unwrap()
}

/// A configuration read and validated as the worker would before storing it.
pub fn config(json: &str) -> SiteConfig {
    let config: SiteConfig = serde_json::from_str(json).unwrap();
    config.validate().unwrap();
    config
}

/// [`SITE`], read.
pub fn site() -> SiteConfig {
    config(SITE)
}

/// The route KV keeps for `number` of `config`.
pub fn route(config: &SiteConfig, number: &str) -> NumberRoute {
    config
        .routes()
        .into_iter()
        .find(|(k, _)| *k == n(number))
        .map(|(_, r)| r)
        .unwrap()
}

/// A visit that came from Google Ads' "spring-sale" campaign a minute before `at`.
pub fn paid_visit(at: Millis) -> Attribution {
    let view = RawTouch {
        landing: "https://site.example/?utm_source=google&utm_medium=cpc&utm_campaign=spring-sale&gclid=abc".into(),
        referrer: String::new(),
        at: at - 60_000,
    };
    attribution::attribute(
        &Journey::default(),
        view,
        &attribution::Settings::default(),
        crate::classify::Options::default(),
    )
}

/// The pool's answer: one live session held the number, for the first line.
pub fn held_by(session: &str) -> lease::Attribution {
    let c = lease::Candidate {
        session: session.into(),
        target: n("+13125550100"),
        live: true,
    };
    lease::Attribution {
        best: Some(c.clone()),
        confidence: 1.0,
        candidates: vec![c],
    }
}
