//! `dni doctor WORKER_URL --site ID [--page URL]`: is everything wired? Each check prints its
//! result in the owner's words and, when it fails, how to fix it:
//!
//! - the worker answers;
//! - the site's configuration is valid;
//! - every secret the configuration needs is set (the worker's secrets route: names only);
//! - every number's voice and status URLs at the provider point at this worker;
//! - `--page URL`: the page carries the tag for this site, shows a number the site swaps, and its
//!   origin is in the site's `origins`;
//! - a test call goes through (the worker's test-call route; "not available" on a worker without it).
//!
//! The exit status is 0 only when every check passed.

use std::io::Write;

use dni_core::config::SiteConfig;

use crate::numbers_cmd::configured;
use crate::provider::{self, Hooks, Owned};
use crate::test_call_cmd::{self, Failure};
use crate::worker_api::{fetch_page, Worker};

const USAGE: &str = "usage: dni doctor WORKER_URL --site ID [--page URL]";

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It holds.
    Pass(String),
    /// It does not: what is wrong, and how to fix it.
    Fail(String, String),
    /// It could not be checked here (not a failure of the wiring).
    Skip(String),
}

/// The phone numbers written in a page's text: each run of digits and the separators numbers are
/// written with, as its digits.
pub fn numbers_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut digits = String::new();
    for c in text.chars().chain(std::iter::once('x')) {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if !matches!(c, ' ' | '(' | ')' | '-' | '.' | '+' | '\u{a0}') {
            if digits.len() >= 7 {
                out.push(std::mem::take(&mut digits));
            }
            digits.clear();
        }
    }
    out
}

/// Whether a page's HTML (from `page_origin`) carries the tag for `site` from the worker at `base`
/// (a page the worker serves itself may say `/dni.js`), and which of the site's numbers it shows.
pub fn page_findings(
    html: &str,
    page_origin: &str,
    base: &str,
    site: &str,
    config: &SiteConfig,
) -> (bool, Vec<String>) {
    let script = html.contains(&format!("{base}/dni.js"))
        || (crate::worker_api::web_origin(base) == page_origin && html.contains("src=\"/dni.js\""));
    let tag = script && html.contains(&format!("data-site=\"{site}\""));
    let written = numbers_in(html);
    let shown = config
        .targets
        .iter()
        .map(|t| t.number.as_str().to_owned())
        .filter(|n| {
            let d: String = n.chars().filter(char::is_ascii_digit).collect();
            written
                .iter()
                .any(|w| d.ends_with(w.as_str()) && w.len() >= 10 || *w == d)
        })
        .collect();
    (tag, shown)
}

/// Runs every check and returns them in order.
pub fn checks(worker: &Worker, site: &str, page: Option<&str>) -> Vec<Outcome> {
    let mut out = Vec::new();
    let base = worker.base.clone();
    match worker.call("GET", "/v1/health", None) {
        Ok((200, _)) => out.push(Outcome::Pass(format!("the worker answers at {base}"))),
        Ok(a) => {
            out.push(Outcome::Fail(
                format!("the worker at {base} answers {}", Worker::error(&a)),
                "deploy it: dni setup (or npx wrangler deploy)".into(),
            ));
            return out;
        }
        Err(e) => {
            out.push(Outcome::Fail(
                e,
                "check the URL, or deploy the worker: dni setup".into(),
            ));
            return out;
        }
    }
    let config = match worker.config(site) {
        Ok(Some(c)) => match c.validate() {
            Ok(()) => {
                out.push(Outcome::Pass(format!(
                    "the configuration of {site} is valid"
                )));
                c
            }
            Err(e) => {
                out.push(Outcome::Fail(
                    format!("the configuration of {site} is not valid: {}", e.0),
                    format!("fix sites/{site}.json and run dni setup again"),
                ));
                return out;
            }
        },
        Ok(None) => {
            out.push(Outcome::Fail(
                format!("the worker has no configuration for {site}"),
                format!("run dni setup --site {site}"),
            ));
            return out;
        }
        Err(e) => {
            out.push(Outcome::Fail(
                e,
                "check DNI_ADMIN_TOKEN: it must be the worker's ADMIN_TOKEN".into(),
            ));
            return out;
        }
    };
    // Secrets.
    match worker.call("GET", &format!("/v1/sites/{site}/secrets"), None) {
        Ok((200, body)) => {
            let missing: Vec<(String, String)> = body["needed"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|n| n["present"] != true)
                .map(|n| {
                    (
                        n["name"].as_str().unwrap_or("?").to_owned(),
                        n["why"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect();
            if missing.is_empty() {
                out.push(Outcome::Pass("every secret the configuration needs is set".into()));
            } else {
                let what = missing
                    .iter()
                    .map(|(n, why)| format!("{n} ({why})"))
                    .collect::<Vec<_>>()
                    .join("; ");
                let fix = missing
                    .iter()
                    .map(|(n, _)| format!("npx wrangler secret put {n}"))
                    .collect::<Vec<_>>()
                    .join(" && ");
                out.push(Outcome::Fail(format!("secrets not set: {what}"), fix));
            }
        }
        Ok((404, _)) => out.push(Outcome::Skip(
            "this worker cannot list its secrets' names (an older version): upgrade it with dni setup".into(),
        )),
        Ok(a) => out.push(Outcome::Fail(format!("reading the secrets' names: {}", Worker::error(&a)), "check DNI_ADMIN_TOKEN".into())),
        Err(e) => out.push(Outcome::Fail(e, "try again".into())),
    }
    // Numbers at the provider.
    let rows = configured(&config);
    let mut providers: Vec<_> = rows.iter().map(|r| r.2).collect();
    providers.sort_by_key(|p| p.as_str());
    providers.dedup();
    for p in providers {
        let owned: Vec<Owned> = match provider::from_env(p, false).and_then(|mut api| api.list()) {
            Ok(o) => o,
            Err(e) => {
                out.push(Outcome::Skip(format!(
                    "{}'s numbers not checked: {e}",
                    p.as_str()
                )));
                continue;
            }
        };
        let hooks = Hooks::of(&base, p);
        let mut wrong = Vec::new();
        let mut count = 0;
        for (number, place, _) in rows.iter().filter(|r| r.2 == p) {
            count += 1;
            match owned.iter().find(|o| &o.number == number) {
                Some(o) if hooks.points_here(o) => {}
                Some(o) => wrong.push(format!(
                    "{number} ({place}) points at {}",
                    if o.voice_url.is_empty() {
                        "nowhere"
                    } else {
                        &o.voice_url
                    }
                )),
                None => wrong.push(format!(
                    "{number} ({place}) is not in this {} account",
                    p.as_str()
                )),
            }
        }
        if wrong.is_empty() {
            out.push(Outcome::Pass(format!(
                "all {count} {} numbers' voice and status URLs point at this worker",
                p.as_str()
            )));
        } else {
            let numbers: Vec<&str> = rows
                .iter()
                .filter(|r| r.2 == p)
                .map(|r| r.0.as_str())
                .collect();
            out.push(Outcome::Fail(
                format!("calls to these numbers do not reach this worker: {}", wrong.join("; ")),
                format!(
                    "dni numbers attach {base} --site {site} --pool <pool> {} (--force for a number attached to another worker)",
                    numbers.first().copied().unwrap_or("NUMBER")
                ),
            ));
        }
    }
    // The page.
    if let Some(url) = page {
        match fetch_page(url, 4 * 1024 * 1024) {
            Err(e) => out.push(Outcome::Fail(
                format!("the page does not load: {e}"),
                "check the URL".into(),
            )),
            Ok(html) => {
                let origin = crate::worker_api::web_origin(url);
                let (tag, shown) = page_findings(&html, &origin, &base, site, &config);
                if tag {
                    out.push(Outcome::Pass(format!("{url} carries the tag for {site}")));
                } else {
                    out.push(Outcome::Fail(
                        format!("{url} does not carry the tag for {site}"),
                        format!("paste <script src=\"{base}/dni.js\" data-site=\"{site}\" async></script> into the page"),
                    ));
                }
                if shown.is_empty() {
                    out.push(Outcome::Fail(
                        format!("{url} shows none of the numbers the site swaps"),
                        "write the business number on the page as it is in the configuration's targets".into(),
                    ));
                } else {
                    out.push(Outcome::Pass(format!(
                        "{url} shows {} (swapped for visitors)",
                        shown.join(", ")
                    )));
                }
                if config
                    .origins
                    .iter()
                    .any(|o| o.trim_end_matches('/') == origin)
                {
                    out.push(Outcome::Pass(format!(
                        "{origin} is one of the site's origins"
                    )));
                } else {
                    out.push(Outcome::Fail(
                        format!("{origin} is not one of the site's origins: the worker refuses its visitors"),
                        format!("add \"{origin}\" to origins in sites/{site}.json and run dni setup again"),
                    ));
                }
            }
        }
    }
    // A test call, placed as `dni test-call` places one.
    match test_call_cmd::place(worker, site, &serde_json::json!({})) {
        Ok(placed) => out.push(Outcome::Pass(
            format!(
                "a test call went through and was recorded {}",
                placed.call_id
            )
            .trim_end()
            .to_owned(),
        )),
        Err(Failure::NotAvailable) => out.push(Outcome::Skip(
            "a test call: not available on this worker (upgrade it to place one)".into(),
        )),
        Err(Failure::Unreachable(e)) => out.push(Outcome::Fail(e, "try again".into())),
        Err(refused) => out.push(Outcome::Fail(
            format!("a test call did not go through: {}", refused.message()),
            "fix the checks above, then run dni doctor again".into(),
        )),
    }
    out
}

/// Prints the checks; an error when any failed.
pub fn report(outcomes: &[Outcome], out: &mut dyn Write) -> Result<(), String> {
    let mut failed = 0;
    for o in outcomes {
        let line = match o {
            Outcome::Pass(s) => format!("ok    {s}"),
            Outcome::Skip(s) => format!("skip  {s}"),
            Outcome::Fail(s, fix) => {
                failed += 1;
                format!("FAIL  {s}\n      fix: {fix}")
            }
        };
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    writeln!(out, "Changes reach every location within a minute: a check that failed right after a change may pass a minute later.")
        .map_err(|e| e.to_string())?;
    if failed > 0 {
        Err(format!("{failed} checks failed"))
    } else {
        Ok(())
    }
}

/// Runs `dni doctor`.
pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), String> {
    let (mut base, mut site, mut page) = (None, None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--site" => site = it.next().cloned(),
            "--page" => page = it.next().cloned(),
            s if !s.starts_with("--") && base.is_none() => base = Some(s.to_owned()),
            _ => return Err(USAGE.into()),
        }
    }
    let (Some(base), Some(site)) = (base, site) else {
        return Err(USAGE.into());
    };
    let worker = Worker::from_env(&base)?;
    report(&checks(&worker, &site, page.as_deref()), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_numbers_a_page_writes() {
        // (text, numbers found)
        let table: [(&str, &[&str]); 5] = [
            ("Call (212) 555-0100 today", &["2125550100"]),
            (
                "<a href=\"tel:+12125550100\">212.555.0100</a>",
                &["12125550100", "2125550100"],
            ),
            ("+1 212 555 0100", &["12125550100"]),
            ("open 9-17, since 1998", &[]),
            ("", &[]),
        ];
        for (text, want) in table {
            assert_eq!(numbers_in(text), want, "{text}");
        }
    }

    #[test]
    fn a_page_carries_the_tag_and_a_number() {
        let config: SiteConfig = serde_json::from_str(
            r#"{"id":"s","origins":["https://example.com"],"targets":[{"number":"+12125550100"}]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let w = "https://w.example";
        // (page, tag found, numbers shown)
        let table: [(&str, bool, &[&str]); 5] = [
            // A relative tag on another origin than the worker's loads nothing from it.
            (
                r#"<script src="/dni.js" data-site="s"></script>"#,
                false,
                &[],
            ),
            (
                r#"<script src="https://w.example/dni.js" data-site="s" async></script> (212) 555-0100"#,
                true,
                &["+12125550100"],
            ),
            (
                r#"<script src="https://w.example/dni.js" data-site="other" async></script>"#,
                false,
                &[],
            ),
            (
                r#"<script src="https://elsewhere.example/dni.js" data-site="s"></script> 212-555-0101"#,
                false,
                &[],
            ),
            ("call 1 212 555 0100", false, &["+12125550100"]),
        ];
        for (html, tag, shown) in table {
            assert_eq!(
                page_findings(html, "https://example.com", w, "s", &config),
                (tag, shown.iter().map(|s| (*s).to_owned()).collect()),
                "{html}"
            );
        }
    }
}
