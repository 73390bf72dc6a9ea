//! Runs the classification table in `classification.txt`: every row is a visit (landing URL,
//! referrer, the visitor's earlier touches) and the touch that must be credited for it. All failing
//! rows are reported at once, with their line numbers, so one run shows everything that is off.
//!
//! The table's format is described at its top.

use dni_core::attribution::{attribute, observe, Journey, Model, RawTouch, Settings};
use dni_core::classify::{classify, Category, Channel, Options, Touch};
use dni_core::{Millis, DAY, HOUR, MINUTE, SECOND};

const TABLE: &str = include_str!("classification.txt");
/// The site every row is on unless the row says `own=`.
const OWN: &str = "example.com";
/// Landing URLs written as a path (`/?utm_source=...`) are on this site.
const SITE: &str = "https://www.example.com";
/// The time of each row's visit; earlier touches are given relative to it.
const NOW: Millis = 1_700_000_000_000;
/// The table must keep at least this many cases.
const MIN_CASES: usize = 200;

/// One row, parsed.
struct Case<'a> {
    line: usize,
    landing: String,
    referrer: &'a str,
    prior: Vec<RawTouch>,
    want: Want<'a>,
    own: Vec<String>,
    settings: Settings,
}

/// What a row expects.
#[derive(Default)]
struct Want<'a> {
    channel: Option<Channel>,
    source: &'a str,
    medium: &'a str,
    campaign: &'a str,
    term: &'a str,
    click: &'a str,
    /// `None`: not checked; `Some(None)`: no category.
    category: Option<Option<Category>>,
    self_referral: bool,
    content: Option<&'a str>,
    campaign_id: Option<&'a str>,
    first: Option<Option<Channel>>,
    last: Option<Option<Channel>>,
}

#[test]
fn classification_table() {
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut covered = Vec::new();
    for (index, text) in TABLE.lines().enumerate() {
        let line = index + 1;
        let text = text.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        cases += 1;
        let case = match parse(line, text) {
            Ok(case) => case,
            Err(e) => {
                failures.push(format!("line {line}: malformed row: {e}\n    {text}"));
                continue;
            }
        };
        covered.extend(case.want.channel);
        if let Err(e) = run(&case) {
            failures.push(format!("line {line}: {e}\n    {text}"));
        }
    }
    for channel in Channel::ALL {
        if !covered.contains(&channel) {
            failures.push(format!("no row expects {}", channel.as_str()));
        }
    }
    if cases < MIN_CASES {
        failures.push(format!(
            "only {cases} cases; the table keeps at least {MIN_CASES}"
        ));
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} rows failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

fn run(case: &Case<'_>) -> Result<(), String> {
    let options = Options {
        own_hosts: &case.own,
    };
    let view = RawTouch {
        landing: case.landing.clone(),
        referrer: case.referrer.to_owned(),
        at: NOW,
    };
    // Without earlier touches the row tests classification alone; with them, the attribution.
    let touch: Touch =
        if case.prior.is_empty() && case.want.first.is_none() && case.want.last.is_none() {
            let touch = classify(&view.landing, &view.referrer, options);
            let again = classify(&view.landing, &view.referrer, options);
            if touch != again {
                return Err("not deterministic".to_owned());
            }
            touch
        } else {
            let journey = case.prior.iter().fold(Journey::default(), |j, raw| {
                observe(&j, raw.clone(), &case.settings, options)
            });
            let a = attribute(&journey, view, &case.settings, options);
            let mut errors = Vec::new();
            for (what, want, got) in [
                ("first", case.want.first, a.first.as_ref()),
                ("last", case.want.last, a.last.as_ref()),
            ] {
                let got = got.map(|c| c.touch.channel);
                if let Some(want) = want {
                    if want != got {
                        errors.push(format!("{what} touch: want {want:?}, got {got:?}"));
                    }
                }
            }
            if !errors.is_empty() {
                return Err(errors.join("; "));
            }
            a.credited.touch
        };
    check(&case.want, &touch)
}

fn check(want: &Want<'_>, got: &Touch) -> Result<(), String> {
    let click = got
        .click_id
        .as_ref()
        .map(|c| format!("{}={}", c.kind, c.value))
        .unwrap_or_default();
    let mut diffs = Vec::new();
    let mut compare = |what: &str, want: &str, got: &str| {
        if want != got {
            diffs.push(format!("{what}: want {want:?}, got {got:?}"));
        }
    };
    compare(
        "channel",
        want.channel.map(Channel::as_str).unwrap_or_default(),
        got.channel.as_str(),
    );
    compare("source", want.source, &got.source);
    compare("medium", want.medium, &got.medium);
    compare("campaign", want.campaign, &got.campaign);
    compare("term", want.term, &got.term);
    compare("click id", want.click, &click);
    if let Some(content) = want.content {
        compare("content", content, &got.content);
    }
    if let Some(id) = want.campaign_id {
        compare("campaign id", id, &got.campaign_id);
    }
    if let Some(category) = want.category {
        compare(
            "category",
            category.map_or("none", Category::as_str),
            got.category.map_or("none", Category::as_str),
        );
    }
    if want.self_referral != got.self_referral {
        diffs.push(format!(
            "self-referral: want {}, got {}",
            want.self_referral, got.self_referral
        ));
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join("; "))
    }
}

fn parse(line: usize, text: &str) -> Result<Case<'_>, String> {
    let cells: Vec<&str> = text.split('|').map(str::trim).collect();
    let [landing, referrer, prior, channel, source, medium, campaign, term, click, rest @ ..] =
        cells.as_slice()
    else {
        return Err(format!("{} columns, want 9 or 10", cells.len()));
    };
    if rest.len() > 1 {
        return Err(format!("{} columns, want 9 or 10", cells.len()));
    }
    let mut case = Case {
        line,
        landing: on_site(landing),
        referrer,
        prior: Vec::new(),
        want: Want {
            channel: Some(
                Channel::parse(channel).ok_or_else(|| format!("unknown channel {channel:?}"))?,
            ),
            source,
            medium,
            campaign,
            term,
            click,
            ..Want::default()
        },
        own: vec![OWN.to_owned()],
        settings: Settings::default(),
    };
    for word in rest.first().copied().unwrap_or_default().split_whitespace() {
        let (key, value) = word.split_once('=').unwrap_or((word, ""));
        match key {
            "self" => case.want.self_referral = true,
            "category" => case.want.category = Some(category(value)?),
            "content" => case.want.content = Some(value),
            "id" => case.want.campaign_id = Some(value),
            "own" => {
                case.own = value
                    .split(',')
                    .filter(|h| !h.is_empty())
                    .map(str::to_owned)
                    .collect()
            }
            "model" => {
                case.settings.model = match value {
                    "first_touch" => Model::FirstTouch,
                    "last_non_direct" => Model::LastNonDirect,
                    _ => return Err(format!("unknown model {value:?}")),
                }
            }
            "lookback" => case.settings.lookback = duration(value)?,
            "first" => case.want.first = Some(channel_or_none(value)?),
            "last" => case.want.last = Some(channel_or_none(value)?),
            _ => return Err(format!("unknown setting {word:?}")),
        }
    }
    for spec in prior.split(" ; ").map(str::trim).filter(|s| !s.is_empty()) {
        let mut words = spec.split_whitespace();
        let (Some(offset), Some(landing)) = (words.next(), words.next()) else {
            return Err(format!(
                "earlier touch {spec:?}: want `<offset> <landing> [<referrer>]`"
            ));
        };
        let referrer = words.next().unwrap_or_default();
        let back = duration(offset.trim_start_matches('-'))?;
        case.prior.push(RawTouch {
            landing: on_site(landing),
            referrer: referrer.to_owned(),
            at: NOW - back,
        });
    }
    Ok(case)
}

fn on_site(landing: &str) -> String {
    if landing.starts_with('/') {
        format!("{SITE}{landing}")
    } else {
        landing.to_owned()
    }
}

fn duration(text: &str) -> Result<Millis, String> {
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let n: Millis = digits
        .parse()
        .map_err(|_| format!("bad duration {text:?}"))?;
    let unit = match &text[digits.len()..] {
        "" | "ms" => 1,
        "s" => SECOND,
        "m" => MINUTE,
        "h" => HOUR,
        "d" => DAY,
        other => return Err(format!("bad unit {other:?} in {text:?}")),
    };
    Ok(n * unit)
}

fn category(name: &str) -> Result<Option<Category>, String> {
    Ok(Some(match name {
        "none" => return Ok(None),
        "search" => Category::Search,
        "social" => Category::Social,
        "video" => Category::Video,
        "shopping" => Category::Shopping,
        "webmail" => Category::Webmail,
        "ai" => Category::Ai,
        _ => return Err(format!("unknown category {name:?}")),
    }))
}

fn channel_or_none(name: &str) -> Result<Option<Channel>, String> {
    if name == "none" {
        return Ok(None);
    }
    let name = name.replace('_', " ");
    Channel::parse(&name)
        .map(Some)
        .ok_or_else(|| format!("unknown channel {name:?}"))
}

#[test]
fn the_runner_reports_what_differs() {
    // A row that cannot pass must fail, with every difference named.
    let case = parse(
        1,
        "/?utm_source=google&utm_medium=cpc | | | Direct | x | y | | | |",
    )
    .unwrap();
    let err = run(&case).unwrap_err();
    for what in ["channel", "source", "medium"] {
        assert!(err.contains(what), "{err}");
    }
    assert!(parse(1, "a | b | c").is_err());
    assert!(parse(1, "/ | | | Nowhere | | | | | |").is_err());
    assert_eq!(case.line, 1);
}
