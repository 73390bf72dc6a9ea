//! `dni history`: realistic call history for a site, as call records (a JSON array) that
//! `POST /v1/sites/{site}/calls/import` takes. The demo seeds its dashboard with it, and the report
//! benchmark builds its large call logs from it. Visits are classified and attributed by the core,
//! as the worker would; times, channels, outcomes and durations come from a seeded generator, so
//! the same arguments always print the same history.

use std::io::Write;

use dni_core::attribution::{attribute, Journey, RawTouch, Settings};
use dni_core::call::{CallRecord, NumberKind};
use dni_core::classify::Options;
use dni_core::config::SiteConfig;
use dni_core::telephony::CallStatus;
use dni_core::{Millis, DAY, MINUTE};

const USAGE: &str = "usage: dni history SITE.json [--days N] [--calls N] [--seed N] [--end MILLIS]
  prints N calls (default 400) over the N days (default 30) before --end (default now) as JSON";

/// A small deterministic generator (xorshift64*), so the history is the same for the same seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Where the visits come from: (weight, landing query, referrer).
const VISITS: &[(u64, &str, &str)] = &[
    (22, "?utm_source=google&utm_medium=cpc&utm_campaign=spring-sale&utm_term=emergency+plumber&gclid=G", ""),
    (10, "?utm_source=google&utm_medium=cpc&utm_campaign=brand&utm_term=demo+plumbing&gclid=G", ""),
    (6, "?utm_source=google&utm_medium=cpc&utm_campaign=spring-sale&utm_term=water+heater+repair&gclid=G", ""),
    (5, "?utm_source=bing&utm_medium=cpc&utm_campaign=spring-sale&utm_term=plumber+near+me&msclkid=M", ""),
    (20, "", "https://www.google.com/"),
    (4, "", "https://www.bing.com/"),
    (12, "", ""),
    (7, "?utm_source=facebook&utm_medium=paid_social&utm_campaign=fall-promo&fbclid=F", ""),
    (4, "", "https://m.facebook.com/"),
    (5, "?utm_source=newsletter&utm_medium=email&utm_campaign=november", ""),
    (5, "", "https://www.yelp.com/biz/demo-plumbing"),
];

const PAGES: &[&str] = &[
    "/",
    "/",
    "/",
    "/services/emergency",
    "/services/water-heaters",
    "/contact",
];

pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), String> {
    let mut file = None;
    let (mut days, mut calls, mut seed) = (30u64, 400u64, 1u64);
    let mut end: Millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_millis() as Millis;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut num = |name: &str| -> Result<u64, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a number\n{USAGE}"))
        };
        match a.as_str() {
            "--days" => days = num("--days")?.max(1),
            "--calls" => calls = num("--calls")?,
            "--seed" => seed = num("--seed")?,
            "--end" => end = num("--end")?,
            s if !s.starts_with("--") && file.is_none() => file = Some(s.to_owned()),
            _ => return Err(USAGE.to_owned()),
        }
    }
    let file = file.ok_or_else(|| USAGE.to_owned())?;
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
    let config: SiteConfig = serde_json::from_str(&text).map_err(|e| format!("{file}: {e}"))?;
    let records = history(&config, days, calls, seed, end);
    serde_json::to_writer(&mut *out, &records).map_err(|e| e.to_string())?;
    writeln!(out).map_err(|e| e.to_string())
}

/// The history itself (pure: everything comes in as arguments).
pub fn history(
    config: &SiteConfig,
    days: u64,
    calls: u64,
    seed: u64,
    end: Millis,
) -> Vec<CallRecord> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let pool: Vec<String> = config
        .pools
        .first()
        .map(|p| p.numbers.iter().map(|n| n.as_str().to_owned()).collect())
        .unwrap_or_default();
    let origin = config
        .origins
        .first()
        .cloned()
        .unwrap_or_else(|| "https://www.example.com".to_owned());
    let own = config.own_hosts.clone();
    let total: u64 = VISITS.iter().map(|v| v.0).sum();
    let start = end.saturating_sub(days * DAY);
    let mut out = Vec::with_capacity(calls as usize);
    for i in 0..calls {
        // Business hours mostly, more calls on weekdays, a slow rise over the period.
        let day = (rng.below(days * 10) + rng.below(days * 10)) / 20;
        let hour = 8 + rng.below(10);
        let at = (start + day * DAY + hour * 3_600_000 + rng.below(60) * MINUTE).min(end);
        let mut roll = rng.below(total);
        let visit = VISITS
            .iter()
            .find(|v| {
                let hit = roll < v.0;
                roll = roll.saturating_sub(v.0);
                hit
            })
            .unwrap_or(&VISITS[0]);
        let page = rng.pick(PAGES);
        let query = visit
            .1
            .replace("=G", &format!("=Cj0K{i:06}"))
            .replace("=M", &format!("=m{i:06}"))
            .replace("=F", &format!("=IwAR{i:06}"));
        let landing = [origin.as_str(), page, &query].concat();
        let landed = at.saturating_sub((1 + rng.below(20)) * MINUTE);
        let mut journey = Journey::default();
        if rng.chance(30) {
            // An earlier organic visit days before: the first touch.
            journey.first = Some(RawTouch {
                landing: [origin.as_str(), "/"].concat(),
                referrer: "https://www.google.com/".to_owned(),
                at: landed.saturating_sub((1 + rng.below(10)) * DAY),
            });
        }
        let view = RawTouch {
            landing,
            referrer: visit.2.to_owned(),
            at: landed,
        };
        let attribution = attribute(
            &journey,
            view,
            &Settings::default(),
            Options { own_hosts: &own },
        );
        let call_sid = format!("CAdemo{seed:04}{i:08}");
        let caller = format!(
            "+1{}555{:04}",
            [212, 646, 718, 917, 347][rng.below(5) as usize],
            rng.below(10_000)
        );
        let number_kind = if pool.is_empty() || rng.chance(8) {
            NumberKind::Static
        } else {
            NumberKind::Pool
        };
        let tracking = match number_kind {
            NumberKind::Pool => rng.pick(&pool).clone(),
            _ => config
                .static_numbers
                .first()
                .map(|s| s.number.as_str().to_owned())
                .unwrap_or_default(),
        };
        let mut r = CallRecord::new(&call_sid, &config.id, &caller, &tracking, at);
        r.number_kind = number_kind;
        r.forwarded_to = config.targets.first().map(|t| t.forward_to().clone());
        r.credit(attribution);
        r.session = (number_kind == NumberKind::Pool).then(|| format!("demo-session-{i:08}"));
        r.confidence = match number_kind {
            NumberKind::Pool if rng.chance(6) => 0.5,
            _ => 1.0,
        };
        let answered = rng.chance(78);
        let duration = if answered {
            20 + rng.below(400) as u32
        } else {
            rng.below(25) as u32
        };
        let status = if answered {
            CallStatus::Answered
        } else {
            CallStatus::Missed
        };
        r.apply_status(status, Some(duration), at + u64::from(duration) * 1000);
        r.qualification = qualification(seed, i, answered, at + u64::from(duration) * 1000);
        out.push(r);
    }
    out.sort_by_key(|r| r.started_at);
    out
}

/// Tags an owner gives calls.
const TAGS: &[&str] = &[
    "booked",
    "quote given",
    "emergency",
    "new customer",
    "existing customer",
];

/// How the owner qualified a call, some minutes after it ended: about half the answered calls
/// (a good, bad or spam lead, or tags only; none, one or two tags), a few missed ones as spam,
/// the rest not qualified. From a generator of its own per call, so that the rest of the history
/// is what it was before calls were qualified.
fn qualification(
    seed: u64,
    i: u64,
    answered: bool,
    ended: Millis,
) -> Option<dni_core::qualification::Qualification> {
    use dni_core::qualification::{LeadStatus, Qualification, QualifiedBy};
    let mut rng =
        Rng((seed ^ i.wrapping_mul(0xD1B5_4A32_D192_ED03)).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    rng.next();
    let at = ended + (5 + rng.below(120)) * MINUTE;
    if !answered {
        return rng.chance(10).then(|| Qualification {
            tags: Vec::new(),
            status: Some(LeadStatus::Spam),
            value: None,
            by: QualifiedBy::Operator,
            at,
        });
    }
    if !rng.chance(50) {
        return None;
    }
    let status = match rng.below(100) {
        0..=59 => Some(LeadStatus::Good),
        60..=79 => Some(LeadStatus::Bad),
        80..=84 => Some(LeadStatus::Spam),
        _ => None,
    };
    let mut tags: Vec<String> = Vec::new();
    for _ in 0..rng.below(3) {
        let t = (*rng.pick(TAGS)).to_owned();
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    let value = (status == Some(LeadStatus::Good)).then(|| (50 + rng.below(20) * 25) as f64);
    Some(Qualification {
        tags,
        status,
        value,
        by: QualifiedBy::Operator,
        at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_history() {
        let config: SiteConfig =
            serde_json::from_str(include_str!("../../../sites/demo.json")).unwrap();
        let end = 1_764_000_000_000;
        let a = history(&config, 30, 300, 1, end);
        assert_eq!(a, history(&config, 30, 300, 1, end));
        assert_eq!(a.len(), 300);
        assert!(a
            .iter()
            .all(|r| r.started_at <= end && r.started_at >= end - 30 * DAY));
        let channels: std::collections::BTreeSet<_> = a.iter().map(|r| r.channel).collect();
        assert!(channels.len() >= 5, "{channels:?}");
        let answered = a
            .iter()
            .filter(|r| r.status == CallStatus::Answered)
            .count();
        assert!((180..280).contains(&answered), "{answered}");
        // Some calls qualified, most of them good leads, some with two tags; most not at all.
        let qualified: Vec<_> = a.iter().filter_map(|r| r.qualification.as_ref()).collect();
        assert!((60..160).contains(&qualified.len()), "{}", qualified.len());
        let good = qualified
            .iter()
            .filter(|q| q.status == Some(dni_core::qualification::LeadStatus::Good))
            .count();
        assert!(good * 3 > qualified.len(), "{good}");
        assert!(qualified.iter().any(|q| q.tags.len() == 2));
        assert!(qualified.iter().all(|q| q.tags.len() <= 2));
    }
}
