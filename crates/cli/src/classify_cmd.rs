//! `dni classify`: the command-line face of the core classifier.

use std::io::{BufRead, Write};

use dni_core::classify::{classify, Options};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Input {
    url: String,
    #[serde(default)]
    referrer: String,
}

#[derive(Serialize)]
struct Output<'a> {
    url: &'a str,
    referrer: &'a str,
    channel: &'static str,
    source: String,
    medium: String,
    campaign: String,
    term: String,
    content: String,
    click_id: Option<dni_core::classify::ClickId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<dni_core::classify::Category>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    self_referral: bool,
}

/// Classifies each input line; a line that is not valid input gets `{"error": ...}` and the run goes
/// on, so one bad row does not hide the others.
pub fn run(args: &[String], input: &mut dyn BufRead, out: &mut dyn Write) -> Result<(), String> {
    let mut own_hosts = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--own-host", Some(host)) => own_hosts.push(host.clone()),
            _ => return Err(format!("unknown argument {arg:?}\n{}", super::USAGE)),
        }
    }
    let options = Options {
        own_hosts: &own_hosts,
    };
    for line in super::lines(input) {
        let line = line?;
        let json = match serde_json::from_str::<Input>(&line) {
            Ok(input) => {
                let t = classify(&input.url, &input.referrer, options);
                serde_json::to_string(&Output {
                    url: &input.url,
                    referrer: &input.referrer,
                    channel: t.channel.as_str(),
                    source: t.source,
                    medium: t.medium,
                    campaign: t.campaign,
                    term: t.term,
                    content: t.content,
                    click_id: t.click_id,
                    category: t.category,
                    self_referral: t.self_referral,
                })
            }
            Err(e) => serde_json::to_string(&serde_json::json!({
                "error": format!("expected {{\"url\": ..., \"referrer\": ...}}: {e}")
            })),
        }
        .map_err(|e| format!("encoding output: {e}"))?;
        writeln!(out, "{json}").map_err(|e| format!("writing stdout: {e}"))?;
    }
    Ok(())
}
