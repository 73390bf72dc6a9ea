//! The referrer corpus: real-shaped referrers of search engines, social networks and webmail,
//! each with the channel it must get, counted as a hit rate per medium so that a table change
//! shows how much of the corpus it wins or loses.
//!
//! The corpus (`referrer_corpus.tsv`, its format and sources at its top) is ours, built from
//! non-GPL sources named per case; `docs/classification.md` says why and records the figures.
//! The test prints the rate per medium and overall and every miss, and fails when
//!
//! - the rate over the search, social and email cases drops under [`MIN_RATE`];
//! - a case misses that is not marked `miss` (a regression: the printed list names it), or a case
//!   marked `miss` now hits (remove the mark, so the list of known misses stays true);
//! - a `referral` case (a referrer we decided is rightly a referral, with the reason) is not one.
//!
//! `DNI_REFERRER_CORPUS=PATH` runs the same test over another file in the same format (an export
//! of a site's own referrers, say): then only the rate counts, not the `miss` marks.

use dni_core::classify::{classify, Channel, Options};

const CORPUS: &str = include_str!("referrer_corpus.tsv");
/// The landing page every case lands on; no case's referrer is on this site.
const LANDING: &str = "https://www.example.com/";
/// Hits over the search, social and email cases must reach this share.
const MIN_RATE: f64 = 0.90;
/// The corpus must keep at least this many counted cases.
const MIN_CASES: usize = 60;
const MEDIA: [&str; 3] = ["search", "social", "email"];

fn expected_channel(medium: &str) -> Option<Channel> {
    match medium {
        "search" => Some(Channel::OrganicSearch),
        "social" => Some(Channel::OrganicSocial),
        "email" => Some(Channel::Email),
        "referral" => Some(Channel::Referral),
        _ => None,
    }
}

/// One case of the corpus.
struct Case<'a> {
    line: usize,
    medium: &'a str,
    referrer: &'a str,
    source: &'a str,
    /// `Some(reason)` for a known miss.
    miss: Option<&'a str>,
}

/// Reads the corpus: `source` rows declare where cases come from, every other row is a case.
fn parse(text: &str) -> Result<Vec<Case<'_>>, String> {
    let mut sources = Vec::new();
    let mut cases = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        if cells[0] == "source" {
            let [_, key, licence, origin] = cells[..] else {
                return Err(format!("line {number}: a source row has 4 cells"));
            };
            if key.is_empty() || licence.is_empty() || origin.is_empty() {
                return Err(format!("line {number}: empty cell in a source row"));
            }
            if licence.to_ascii_lowercase().contains("gpl") {
                return Err(format!("line {number}: no GPL source may feed the corpus"));
            }
            sources.push(key);
            continue;
        }
        let (medium, referrer, source, miss) = match cells[..] {
            [m, r, s] => (m, r, s, None),
            [m, r, s, mark] => match mark.strip_prefix("miss: ") {
                Some(reason) if !reason.trim().is_empty() => (m, r, s, Some(reason)),
                _ => return Err(format!("line {number}: a 4th cell is `miss: <reason>`")),
            },
            _ => return Err(format!("line {number}: a case has 3 or 4 cells")),
        };
        if expected_channel(medium).is_none() {
            return Err(format!("line {number}: unknown medium {medium:?}"));
        }
        if !sources.contains(&source) {
            return Err(format!(
                "line {number}: source {source:?} is not declared above"
            ));
        }
        if medium == "referral" && miss.is_some() {
            return Err(format!(
                "line {number}: a referral case cannot be a known miss"
            ));
        }
        cases.push(Case {
            line: number,
            medium,
            referrer,
            source,
            miss,
        });
    }
    Ok(cases)
}

#[test]
fn referrer_corpus_hit_rate() {
    let other = std::env::var("DNI_REFERRER_CORPUS").ok();
    let text = match &other {
        Some(path) => std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}")),
        None => CORPUS.to_owned(),
    };
    let cases = parse(&text).unwrap_or_else(|e| panic!("referrer_corpus.tsv: {e}"));
    let options = Options { own_hosts: &[] };

    let mut hits = [0usize; 3];
    let mut totals = [0usize; 3];
    let mut misses = Vec::new();
    let mut failures = Vec::new();
    for case in &cases {
        let touch = classify(LANDING, case.referrer, options);
        let want = expected_channel(case.medium);
        let hit = want == Some(touch.channel);
        let got = format!(
            "{} ({} / {})",
            touch.channel.as_str(),
            touch.source,
            touch.medium
        );
        if case.medium == "referral" {
            if !hit {
                failures.push(format!(
                    "line {}: {} must stay a referral, got {got}",
                    case.line, case.referrer
                ));
            }
            continue;
        }
        let Some(m) = MEDIA.iter().position(|m| *m == case.medium) else {
            continue;
        };
        totals[m] += 1;
        if hit {
            hits[m] += 1;
            if case.miss.is_some() && other.is_none() {
                failures.push(format!(
                    "line {}: {} is marked `miss` but now hits: remove the mark",
                    case.line, case.referrer
                ));
            }
        } else {
            misses.push(format!(
                "  line {:>3}  {:<6} {}  -> {got}  [{}]{}",
                case.line,
                case.medium,
                case.referrer,
                case.source,
                case.miss
                    .map(|r| format!(" known: {r}"))
                    .unwrap_or_default()
            ));
            if case.miss.is_none() && other.is_none() {
                failures.push(format!(
                    "line {}: {} ({}) is not {} (got {got}): a regression, or mark it `miss: <why>`",
                    case.line,
                    case.referrer,
                    case.medium,
                    expected_channel(case.medium).map_or("?", Channel::as_str)
                ));
            }
        }
    }

    let (hit, total) = (hits.iter().sum::<usize>(), totals.iter().sum::<usize>());
    #[allow(clippy::cast_precision_loss)] // counts of a few hundred
    let rate = |h: usize, t: usize| if t == 0 { 0.0 } else { h as f64 / t as f64 };
    eprintln!("referrer corpus: {} cases", cases.len());
    for (m, medium) in MEDIA.iter().enumerate() {
        eprintln!(
            "  {medium:<7} {:>3} / {:>3}  {:5.1} %",
            hits[m],
            totals[m],
            100.0 * rate(hits[m], totals[m])
        );
    }
    eprintln!(
        "  overall {hit:>3} / {total:>3}  {:5.1} %",
        100.0 * rate(hit, total)
    );
    if misses.is_empty() {
        eprintln!("misses: none");
    } else {
        eprintln!("misses ({}):\n{}", misses.len(), misses.join("\n"));
    }

    if other.is_none() && total < MIN_CASES {
        failures.push(format!(
            "only {total} counted cases, want at least {MIN_CASES}"
        ));
    }
    if rate(hit, total) < MIN_RATE {
        failures.push(format!(
            "hit rate {:.1} % is under {:.0} %",
            100.0 * rate(hit, total),
            100.0 * MIN_RATE
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn corpus_format_is_checked() {
    let table: &[(&str, bool)] = &[
        (
            "source\tk\tMIT\thttps://example.org\nsearch\thttps://a.example/\tk",
            true,
        ),
        ("search\thttps://a.example/\tk", false),
        ("source\tk\tGPL-3.0\thttps://example.org", false),
        (
            "source\tk\tMIT\thttps://example.org\nvideo\thttps://a.example/\tk",
            false,
        ),
        (
            "source\tk\tMIT\thttps://example.org\nemail\thttps://a.example/\tk\tmiss: new host",
            true,
        ),
        (
            "source\tk\tMIT\thttps://example.org\nemail\thttps://a.example/\tk\tmiss:",
            false,
        ),
        (
            "source\tk\tMIT\thttps://example.org\nreferral\thttps://a.example/\tk\tmiss: x",
            false,
        ),
    ];
    for (text, ok) in table {
        assert_eq!(parse(text).is_ok(), *ok, "{text:?}");
    }
}
