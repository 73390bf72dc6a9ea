//! Which worker secrets a site's configuration needs, and why: what `dni doctor` checks against
//! the names the worker says are set (`GET /v1/sites/{site}/secrets`, names only, never values).
//!
//! A configuration names its secrets rather than holding them (integrations name theirs; a
//! provider implies its own), so the list follows from the document alone.

use crate::config::SiteConfig;
#[allow(unused_imports)]
use crate::prelude::*;
use crate::telephony::Provider;
use serde::{Deserialize, Serialize};

/// One secret the configuration needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Need {
    /// The worker secret's name (`wrangler secret put NAME`).
    pub name: String,
    /// What stops working without it, in the owner's words.
    pub why: String,
}

/// Secrets every worker has a use for, needed or not by a given site: the names the secrets route
/// reports on besides the ones a configuration names.
pub const KNOWN: &[&str] = &[
    "ADMIN_TOKEN",
    "CALLBACK_SECRET",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TELNYX_API_KEY",
    "TELNYX_PUBLIC_KEY",
    "PUBLIC_BASE_URL",
    "FALLBACK_FORWARD_TO",
    "CONVERSION_FEED_TOKEN",
];

fn need(out: &mut Vec<Need>, name: &str, why: &str) {
    if !out.iter().any(|n| n.name == name) {
        out.push(Need {
            name: name.to_owned(),
            why: why.to_owned(),
        });
    }
}

/// The providers whose numbers the site uses.
pub fn providers(config: &SiteConfig) -> Vec<Provider> {
    let mut out = Vec::new();
    let used = config
        .pools
        .iter()
        .filter(|p| !p.numbers.is_empty())
        .map(|p| p.provider)
        .chain(config.static_numbers.iter().map(|s| s.provider));
    for p in used {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// Whether any call of the site may be recorded (a recording is fetched with the provider's API
/// credentials).
fn records(config: &SiteConfig) -> bool {
    config.recording.record
        || config.recording.transcribe
        || config.targets.iter().any(|t| t.record)
}

/// The secrets `config` needs, in a stable order: the operator's, each provider's, then each
/// integration's. (`CALLBACK_SECRET` seals the callback URLs of a provider that does not sign the
/// URL, Telnyx; Twilio's signature covers the URL.)
pub fn needed(config: &SiteConfig) -> Vec<Need> {
    let mut out = Vec::new();
    need(
        &mut out,
        "ADMIN_TOKEN",
        "the operator's API (configuration, calls, reports) is closed without it",
    );
    for p in providers(config) {
        match p {
            Provider::Twilio => {
                need(
                    &mut out,
                    "TWILIO_AUTH_TOKEN",
                    "Twilio's webhooks are refused without it: calls are not recorded",
                );
                if records(config) {
                    need(
                        &mut out,
                        "TWILIO_ACCOUNT_SID",
                        "recordings cannot be fetched from Twilio without it",
                    );
                }
            }
            Provider::Telnyx => {
                need(
                    &mut out,
                    "TELNYX_PUBLIC_KEY",
                    "Telnyx's webhooks are refused without it: calls are not recorded",
                );
                // Telnyx signs the body, not the URL: the worker seals its callback URLs itself.
                need(
                    &mut out,
                    "CALLBACK_SECRET",
                    "Telnyx's callbacks after the first step of a call (dial result, recording, screening) are refused without it",
                );
                if records(config) {
                    need(
                        &mut out,
                        "TELNYX_API_KEY",
                        "recordings cannot be fetched from Telnyx without it",
                    );
                }
            }
        }
    }
    let i = &config.integrations;
    if let Some(ga4) = &i.ga4 {
        need(
            &mut out,
            &ga4.api_secret,
            "conversions cannot be sent to GA4 without it",
        );
    }
    if let Some(g) = &i.google_ads {
        for suffix in [
            "_CLIENT_ID",
            "_CLIENT_SECRET",
            "_REFRESH_TOKEN",
            "_DEVELOPER_TOKEN",
        ] {
            need(
                &mut out,
                &[g.secrets.as_str(), suffix].concat(),
                "conversions cannot be sent to Google Ads without it",
            );
        }
    }
    if let Some(m) = &i.microsoft_ads {
        for suffix in ["_CLIENT_ID", "_REFRESH_TOKEN", "_DEVELOPER_TOKEN"] {
            need(
                &mut out,
                &[m.secrets.as_str(), suffix].concat(),
                "conversions cannot be sent to Microsoft Advertising without it",
            );
        }
    }
    for w in &i.webhooks {
        need(
            &mut out,
            &w.secret,
            "the webhook endpoint's deliveries cannot be signed without it",
        );
    }
    out
}

/// Every name the secrets route reports on for `config`: the known ones and the ones it names.
pub fn candidates(config: &SiteConfig) -> Vec<String> {
    let mut names: Vec<String> = KNOWN.iter().map(|s| (*s).to_owned()).collect();
    for n in needed(config) {
        if !names.contains(&n.name) {
            names.push(n.name);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(extra: &str) -> SiteConfig {
        let text = [
            r#"{"id":"s","origins":["https://example.com"],"targets":[{"number":"+12125550100","pool":"p"}],"pools":[{"id":"p","numbers":["+12125550101"]"#,
            extra,
        ]
        .concat();
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    }

    #[test]
    fn a_configuration_names_the_secrets_it_needs() {
        // (case, the rest of the document, the secrets needed)
        let table: [(&str, &str, &[&str]); 5] = [
            (
                "a Twilio pool",
                "}]}",
                &["ADMIN_TOKEN", "TWILIO_AUTH_TOKEN"],
            ),
            (
                "a Telnyx pool",
                r#","provider":"telnyx"}]}"#,
                &["ADMIN_TOKEN", "TELNYX_PUBLIC_KEY", "CALLBACK_SECRET"],
            ),
            (
                "recording fetches with the account's credentials",
                r#"}],"recording":{"record":true}}"#,
                &["ADMIN_TOKEN", "TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID"],
            ),
            (
                "a Telnyx static number beside a Twilio pool",
                r#"}],"static_numbers":[{"number":"+12125550111","target":"+12125550100","channel":"Email","provider":"telnyx"}]}"#,
                &[
                    "ADMIN_TOKEN",
                    "TWILIO_AUTH_TOKEN",
                    "TELNYX_PUBLIC_KEY",
                    "CALLBACK_SECRET",
                ],
            ),
            (
                "integrations name theirs",
                r#"}],"integrations":{"ga4":{"measurement_id":"G-ABC"},"webhooks":[{"id":"crm","url":"https://crm.example.com/hook","secret":"CRM_WEBHOOK_SECRET","events":["call.completed"]}]}}"#,
                &[
                    "ADMIN_TOKEN",
                    "TWILIO_AUTH_TOKEN",
                    "GA4_API_SECRET",
                    "CRM_WEBHOOK_SECRET",
                ],
            ),
        ];
        for (case, extra, want) in table {
            let names: Vec<String> = needed(&site(extra)).into_iter().map(|n| n.name).collect();
            assert_eq!(names, want, "{case}");
        }
        let all = candidates(&site(
            r#"}],"integrations":{"ga4":{"measurement_id":"G-ABC"}}}"#,
        ));
        assert!(
            all.contains(&"GA4_API_SECRET".to_owned())
                && all.contains(&"TELNYX_API_KEY".to_owned())
        );
    }
}
