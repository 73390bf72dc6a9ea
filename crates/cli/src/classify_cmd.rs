//! `dni classify`: the command-line face of the core classifier.

use std::io::{BufRead, Write};

use dni_core::classify::{classify, Channel, Options};
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
    #[serde(skip_serializing_if = "String::is_empty")]
    campaign_id: String,
    click_id: Option<dni_core::classify::ClickId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<dni_core::classify::Category>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    self_referral: bool,
    /// Why: the rule that picked the channel, in words, for whoever is checking their tags.
    rule: &'static str,
}

/// GA4's rule for each channel in plain words (with our additions in brackets). Kept here, not in
/// the core: the browser module needs the channel, not the explanation.
fn rule(channel: Channel) -> &'static str {
    match channel {
        Channel::Direct => "no tags, no click id, and no referrer (or one of the site's own pages): (direct) / (none)",
        Channel::CrossNetwork => "the campaign name contains \"cross-network\"",
        Channel::PaidShopping => "a shopping site or a shopping campaign name, with a paid medium",
        Channel::PaidSearch => "a search engine as source, with a paid medium",
        Channel::PaidSocial => "a social network as source, with a paid medium",
        Channel::PaidVideo => "a video site as source, with a paid medium",
        Channel::Display => "medium is display, banner, expandable, interstitial or cpm",
        Channel::PaidOther => "a paid medium (cpc, ppc, retargeting, paid..., anything containing \"cp\"), from a source in no list",
        Channel::OrganicShopping => "a shopping site as source, or a shopping campaign name",
        Channel::OrganicSocial => "a social network as source, or medium social, social-network, social-media, sm, social network or social media",
        Channel::OrganicVideo => "a video site as source, or a medium containing \"video\"",
        Channel::OrganicSearch => "a search engine as source, or medium organic",
        Channel::Email => "source or medium is email, e-mail, e_mail or e mail (or a webmail referrer)",
        Channel::Affiliates => "medium is affiliate",
        Channel::Referral => "medium is referral, app or link, or a link from another site (or an AI assistant)",
        Channel::Audio => "medium is audio",
        Channel::Sms => "source or medium is sms",
        Channel::MobilePush => "medium ends with push or contains mobile or notification, or source is firebase",
        Channel::Unassigned => "tagged, but no rule matches: check utm_medium against the other rules",
    }
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
                    campaign_id: t.campaign_id,
                    click_id: t.click_id,
                    category: t.category,
                    self_referral: t.self_referral,
                    rule: rule(t.channel),
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
