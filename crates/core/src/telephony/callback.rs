//! Our own callback URLs (`/v1/{provider}/{action}?...`), what their query carries ([`Callback`]),
//! and the seal that makes their query ours.
//!
//! The markup we answer with names callback URLs whose query carries state the next webhook needs:
//! the site, the rule and the step of a fallback chain, the whisper's text. Twilio's signature
//! covers the whole URL, query included, so that state cannot be changed without breaking it.
//! Telnyx's covers only `timestamp|body`: whoever holds one signed webhook could send it to the
//! same path with another query (another step, another site) inside the timestamp's window, or
//! send another call's signed webhook to this call's URL. For such a provider every callback URL
//! we write carries a seal, an HMAC-SHA256 keyed with a secret of the worker's own
//! (`CALLBACK_SECRET`) over the path, the query before it and the id of the call it was written
//! for, and a webhook with a query is refused unless its seal is ours for the call its body names
//! ([`check`]): the caller's call, which a request made on a forwarded leg names as its parent
//! ([`Action::on_leg`]).
//!
//! The seal is computed over a canonical form (each name and value decoded, then encoded again
//! the one way `crate::url::push_percent_encoded` does), so that a provider which re-encodes the URL it was given (`%20`
//! for `+`, upper- or lower-case hex) still presents a query the seal accepts, while any change to
//! a name, a value, their order, the path or the call does not.

#[allow(unused_imports)]
use crate::prelude::*;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::event::RecordingKind;
use super::form::{FieldError, Form};
use super::provider::Provider;
use super::signature::WebhookError;

type HmacSha256 = Hmac<Sha256>;

/// The query parameter that carries the seal (always the last).
pub const SEAL: &str = "seal";

/// Which callback: the last segment of its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `dial`: a forwarding step ended (`<Dial action>`).
    Dial,
    /// `recording`: a recording is ready.
    Recording,
    /// `transcript`: a transcript, or an utterance of the conversation.
    Transcript,
    /// `answered`: one of the lines a step rang picked up.
    Answered,
    /// `whisper`: what the business hears before it is connected.
    Whisper,
    /// `screen`: the key the business pressed at the screening.
    Screen,
}

impl Action {
    /// The path segment.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Dial => "dial",
            Action::Recording => "recording",
            Action::Transcript => "transcript",
            Action::Answered => "answered",
            Action::Whisper => "whisper",
            Action::Screen => "screen",
        }
    }

    /// Whether the provider makes this request on a forwarded leg: then the caller's call, which
    /// the seal names, is the leg's parent.
    pub fn on_leg(self) -> bool {
        matches!(self, Action::Answered | Action::Whisper | Action::Screen)
    }
}

/// What one of our callback URLs carries in its query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    /// A forwarding step ended: the site, the rule whose action it was (`None`: no rule matched,
    /// the business line rang) and the step.
    Dial {
        /// The site (empty when a URL did not say: the route names it).
        site: String,
        /// The rule's position in its list.
        rule: Option<u32>,
        /// The step of the rule's action.
        step: u32,
    },
    /// A recording of the call or of a voicemail.
    Recording {
        /// The site.
        site: String,
        /// Of what.
        kind: RecordingKind,
    },
    /// The voicemail's transcript, or (`conversation`) an utterance of the call's.
    Transcript {
        /// The site.
        site: String,
        /// Whether of the conversation.
        conversation: bool,
    },
    /// A line that step `step` rang picked up.
    Answered {
        /// The site.
        site: String,
        /// The step.
        step: u32,
    },
    /// The whisper to say, and whether to screen.
    Whisper {
        /// The site.
        site: String,
        /// The words.
        say: String,
        /// Whether the business must press 1.
        screen: bool,
    },
    /// The screening's key.
    Screen {
        /// The site.
        site: String,
    },
}

impl Callback {
    /// Its action.
    pub fn action(&self) -> Action {
        match self {
            Callback::Dial { .. } => Action::Dial,
            Callback::Recording { .. } => Action::Recording,
            Callback::Transcript { .. } => Action::Transcript,
            Callback::Answered { .. } => Action::Answered,
            Callback::Whisper { .. } => Action::Whisper,
            Callback::Screen { .. } => Action::Screen,
        }
    }

    /// The site it names.
    pub fn site(&self) -> &str {
        match self {
            Callback::Dial { site, .. }
            | Callback::Recording { site, .. }
            | Callback::Transcript { site, .. }
            | Callback::Answered { site, .. }
            | Callback::Whisper { site, .. }
            | Callback::Screen { site } => site,
        }
    }

    /// Its URL for `provider`, relative, written for the caller's call `call_id` (sealed with
    /// `key` when the provider's signature does not cover the URL; an empty `key` writes no seal,
    /// and the webhook will then be refused, see [`check`]).
    pub fn url(&self, provider: Provider, key: &str, call_id: &str) -> String {
        let (rule, step) = match self {
            Callback::Dial { rule, step, .. } => (
                rule.map_or_else(|| "-".to_owned(), |r| r.to_string()),
                step.to_string(),
            ),
            Callback::Answered { step, .. } => (String::new(), step.to_string()),
            _ => (String::new(), String::new()),
        };
        let site = ("site", self.site());
        let query: Vec<(&str, &str)> = match self {
            Callback::Dial { .. } => vec![site, ("rule", &rule), ("step", &step)],
            Callback::Recording { kind, .. } => vec![
                site,
                (
                    "kind",
                    match kind {
                        RecordingKind::Call => "call",
                        RecordingKind::Voicemail => "voicemail",
                    },
                ),
            ],
            Callback::Transcript {
                conversation: true, ..
            } => vec![site, ("kind", "call")],
            Callback::Transcript { .. } | Callback::Screen { .. } => vec![site],
            Callback::Answered { .. } => vec![site, ("step", &step)],
            Callback::Whisper { say, screen, .. } => vec![
                site,
                ("say", say.as_str()),
                ("screen", if *screen { "1" } else { "0" }),
            ],
        };
        url(provider, self.action().as_str(), &query, key, call_id)
    }

    /// Reads the query of a webhook sent to `action`'s URL (after its seal, if it needs one, was
    /// checked). What a handler does not need is not required: a URL of an earlier release, or
    /// the provider's own retry, still reads.
    pub fn read(action: Action, query: &[(String, String)]) -> Result<Callback, FieldError> {
        let q = Form(query.to_vec());
        let site = |required: bool| -> Result<String, FieldError> {
            match q.required("site") {
                Ok(s) => Ok(s.to_owned()),
                Err(e) if required => Err(e),
                Err(_) => Ok(String::new()),
            }
        };
        let number = |name: &str| q.get(name).and_then(|v| v.parse::<u32>().ok());
        Ok(match action {
            Action::Dial => Callback::Dial {
                site: site(false)?,
                rule: number("rule"),
                step: number("step").ok_or(FieldError::Invalid("step"))?,
            },
            Action::Recording => Callback::Recording {
                site: site(true)?,
                kind: match q.get("kind") {
                    Some("voicemail") => RecordingKind::Voicemail,
                    _ => RecordingKind::Call,
                },
            },
            Action::Transcript => Callback::Transcript {
                site: site(true)?,
                conversation: q.get("kind") == Some("call"),
            },
            Action::Answered => Callback::Answered {
                site: site(true)?,
                step: number("step").unwrap_or(0),
            },
            Action::Whisper => Callback::Whisper {
                site: site(false)?,
                say: q.get("say").unwrap_or_default().to_owned(),
                screen: q.get("screen") == Some("1"),
            },
            Action::Screen => Callback::Screen { site: site(false)? },
        })
    }
}

/// A callback URL of ours, relative (the provider resolves it against the document's URL), its
/// query encoded; sealed with `key`, for the call `call_id`, when the provider's signature does
/// not cover the URL.
fn url(
    provider: Provider,
    action: &str,
    query: &[(&str, &str)],
    key: &str,
    call_id: &str,
) -> String {
    let path = ["/v1/", provider.as_str(), "/", action].concat();
    let mut out = path.clone();
    push_query(&mut out, query.iter().copied());
    if !provider.signs_url() && !key.is_empty() && !query.is_empty() {
        let seal = seal(key, &path, query.iter().copied(), call_id);
        out.push_str("&seal=");
        out.push_str(&seal);
    }
    out
}

/// The MAC of `path` with `query` (the query without the seal itself) for the call `call_id`.
fn mac<'a>(
    key: &str,
    path: &str,
    query: impl Iterator<Item = (&'a str, &'a str)>,
    call_id: &str,
) -> Option<HmacSha256> {
    let mut canonical = String::from(path);
    push_query(&mut canonical, query);
    // HMAC takes keys of any length: `new_from_slice` cannot fail for it.
    let mut mac = HmacSha256::new_from_slice(key.as_bytes()).ok()?;
    mac.update(canonical.as_bytes());
    // The canonical form is percent-encoded: a NUL cannot occur in it, so path and query end
    // here, and the call id cannot be moved into them.
    mac.update(b"\0");
    mac.update(call_id.as_bytes());
    Some(mac)
}

/// The seal of `path` with `query` (the query without the seal itself), for the call `call_id`.
pub fn seal<'a>(
    key: &str,
    path: &str,
    query: impl Iterator<Item = (&'a str, &'a str)>,
    call_id: &str,
) -> String {
    match mac(key, path, query, call_id) {
        Some(mac) => URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()),
        None => String::new(),
    }
}

/// Checks the query of a webhook sent to `path` (decoded pairs, in their order) about the call
/// `call_id` (as the webhook's signed body names it). A query without parameters needs no seal
/// (the handlers then read nothing from it); any other must end with the seal of everything
/// before it for that call, compared in constant time.
pub fn check(
    key: &str,
    path: &str,
    query: &[(String, String)],
    call_id: &str,
) -> Result<(), WebhookError> {
    if query.is_empty() {
        return Ok(());
    }
    if key.is_empty() {
        return Err(WebhookError::NoSecret);
    }
    let Some(((name, given), rest)) = query.split_last() else {
        return Err(WebhookError::Missing);
    };
    if name != SEAL {
        return Err(WebhookError::Missing);
    }
    if rest.iter().any(|(k, _)| k == SEAL) {
        return Err(WebhookError::Malformed);
    }
    let given = URL_SAFE_NO_PAD
        .decode(given.trim())
        .map_err(|_| WebhookError::Malformed)?;
    let pairs = rest.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let mac = mac(key, path, pairs, call_id).ok_or(WebhookError::NoSecret)?;
    // verify_slice compares in constant time.
    mac.verify_slice(&given).map_err(|_| WebhookError::Mismatch)
}

fn push_query<'a>(out: &mut String, query: impl Iterator<Item = (&'a str, &'a str)>) {
    for (i, (k, v)) in query.enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        crate::url::push_percent_encoded(out, k);
        out.push('=');
        crate::url::push_percent_encoded(out, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "worker-callback-secret";
    const CALL: &str = "v3:call-a";

    type Query = Vec<(String, String)>;
    /// (what, path, query, key, call, verdict)
    type Row<'a> = (
        &'a str,
        &'a str,
        Query,
        &'a str,
        &'a str,
        Result<(), WebhookError>,
    );

    fn pairs(url: &str) -> (String, Vec<(String, String)>) {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        (path.to_owned(), crate::url::form_pairs(query).collect())
    }

    fn dial(rule: Option<u32>, step: u32) -> Callback {
        Callback::Dial {
            site: "calls".into(),
            rule,
            step,
        }
    }

    #[test]
    fn twilio_urls_are_plain_and_telnyx_urls_are_sealed() {
        // (callback, provider, key, URL or its start)
        let table = [
            (
                dial(Some(1), 0),
                Provider::Twilio,
                KEY,
                "/v1/twilio/dial?site=calls&rule=1&step=0",
            ),
            (
                dial(None, 2),
                Provider::Twilio,
                KEY,
                "/v1/twilio/dial?site=calls&rule=-&step=2",
            ),
            (
                dial(Some(1), 0),
                Provider::Telnyx,
                KEY,
                "/v1/telnyx/dial?site=calls&rule=1&step=0&seal=",
            ),
            (
                Callback::Recording {
                    site: "calls".into(),
                    kind: RecordingKind::Voicemail,
                },
                Provider::Twilio,
                KEY,
                "/v1/twilio/recording?site=calls&kind=voicemail",
            ),
            (
                Callback::Transcript {
                    site: "calls".into(),
                    conversation: false,
                },
                Provider::Twilio,
                KEY,
                "/v1/twilio/transcript?site=calls",
            ),
            (
                Callback::Transcript {
                    site: "calls".into(),
                    conversation: true,
                },
                Provider::Twilio,
                KEY,
                "/v1/twilio/transcript?site=calls&kind=call",
            ),
            (
                Callback::Answered {
                    site: "calls".into(),
                    step: 1,
                },
                Provider::Twilio,
                KEY,
                "/v1/twilio/answered?site=calls&step=1",
            ),
            (
                Callback::Whisper {
                    site: "calls".into(),
                    say: "Call from A & B".into(),
                    screen: true,
                },
                Provider::Telnyx,
                "",
                "/v1/telnyx/whisper?site=calls&say=Call%20from%20A%20%26%20B&screen=1",
            ),
            (
                Callback::Screen {
                    site: "calls".into(),
                },
                Provider::Twilio,
                KEY,
                "/v1/twilio/screen?site=calls",
            ),
        ];
        for (callback, provider, key, want) in table {
            let got = callback.url(provider, key, CALL);
            if want.ends_with("seal=") {
                assert!(got.starts_with(want), "{got}");
                assert!(got.len() > want.len() + 40, "{got}");
            } else {
                assert_eq!(got, want);
            }
            // What a URL carries reads back as it was written.
            let (_, query) = pairs(&got);
            let query: Query = query.into_iter().filter(|(k, _)| k != SEAL).collect();
            assert_eq!(Callback::read(callback.action(), &query), Ok(callback));
        }
    }

    #[test]
    fn reads_what_a_handler_needs_and_refuses_the_rest() {
        let q = |s: &str| -> Query { crate::url::form_pairs(s).collect() };
        // (action, query, callback or error)
        let table = [
            (
                Action::Dial,
                "rule=x&step=3",
                Ok(Callback::Dial {
                    site: String::new(),
                    rule: None,
                    step: 3,
                }),
            ),
            (
                Action::Dial,
                "site=calls&rule=1&step=x",
                Err(FieldError::Invalid("step")),
            ),
            (
                Action::Recording,
                "kind=call",
                Err(FieldError::Missing("site")),
            ),
            (
                Action::Recording,
                "site=calls",
                Ok(Callback::Recording {
                    site: "calls".into(),
                    kind: RecordingKind::Call,
                }),
            ),
            (
                Action::Answered,
                "site=calls",
                Ok(Callback::Answered {
                    site: "calls".into(),
                    step: 0,
                }),
            ),
            (Action::Transcript, "", Err(FieldError::Missing("site"))),
            (
                Action::Whisper,
                "",
                Ok(Callback::Whisper {
                    site: String::new(),
                    say: String::new(),
                    screen: false,
                }),
            ),
        ];
        for (action, query, want) in table {
            assert_eq!(
                Callback::read(action, &q(query)),
                want,
                "{action:?} {query}"
            );
        }
        let on_leg: Vec<bool> = [
            Action::Dial,
            Action::Recording,
            Action::Transcript,
            Action::Answered,
            Action::Whisper,
            Action::Screen,
        ]
        .map(Action::on_leg)
        .to_vec();
        assert_eq!(on_leg, [false, false, false, true, true, true]);
    }

    #[test]
    fn a_changed_query_or_another_call_is_refused() {
        let sealed = Callback::Whisper {
            site: "calls".into(),
            say: "Call from Paid Search, spring <sale>".into(),
            screen: false,
        }
        .url(Provider::Telnyx, KEY, CALL);
        let (path, good) = pairs(&sealed);
        let with = |f: &dyn Fn(&mut Query)| {
            let mut q = good.clone();
            f(&mut q);
            q
        };
        let table: Vec<Row<'_>> = vec![
            ("as written", &path, good.clone(), KEY, CALL, Ok(())),
            (
                "another call's webhook",
                &path,
                good.clone(),
                KEY,
                "v3:call-b",
                Err(WebhookError::Mismatch),
            ),
            (
                "no call named",
                &path,
                good.clone(),
                KEY,
                "",
                Err(WebhookError::Mismatch),
            ),
            (
                "a value changed",
                &path,
                with(&|q| q[0].1 = "other".into()),
                KEY,
                CALL,
                Err(WebhookError::Mismatch),
            ),
            (
                "a parameter added before the seal",
                &path,
                with(&|q| q.insert(1, ("screen".into(), "0".into()))),
                KEY,
                CALL,
                Err(WebhookError::Mismatch),
            ),
            (
                "parameters swapped",
                &path,
                with(&|q| q.swap(0, 1)),
                KEY,
                CALL,
                Err(WebhookError::Mismatch),
            ),
            (
                "another path",
                "/v1/telnyx/screen",
                good.clone(),
                KEY,
                CALL,
                Err(WebhookError::Mismatch),
            ),
            (
                "another key",
                &path,
                good.clone(),
                "other-secret",
                CALL,
                Err(WebhookError::Mismatch),
            ),
            (
                "no seal",
                &path,
                with(&|q| {
                    q.pop();
                }),
                KEY,
                CALL,
                Err(WebhookError::Missing),
            ),
            (
                "a parameter after the seal",
                &path,
                with(&|q| q.push(("step".into(), "1".into()))),
                KEY,
                CALL,
                Err(WebhookError::Missing),
            ),
            (
                "two seals",
                &path,
                with(&|q| {
                    let last = q[q.len() - 1].clone();
                    q.insert(0, last);
                }),
                KEY,
                CALL,
                Err(WebhookError::Malformed),
            ),
            (
                "seal not base64",
                &path,
                with(&|q| {
                    let n = q.len() - 1;
                    q[n].1 = "!!".into();
                }),
                KEY,
                CALL,
                Err(WebhookError::Malformed),
            ),
            ("no query at all", &path, Vec::new(), KEY, CALL, Ok(())),
            (
                "no key",
                &path,
                good.clone(),
                "",
                CALL,
                Err(WebhookError::NoSecret),
            ),
        ];
        for (what, path, query, key, call, want) in table {
            assert_eq!(check(key, path, &query, call), want, "{what}");
        }
        // The call id cannot be moved into the query's last value, or the query into the call id.
        let a = seal(KEY, "/v1/telnyx/dial", [("step", "1")].into_iter(), "2");
        let b = seal(KEY, "/v1/telnyx/dial", [("step", "12")].into_iter(), "");
        assert_ne!(a, b);
    }

    #[test]
    fn a_reencoded_query_keeps_its_seal() {
        let sealed = Callback::Whisper {
            site: "calls".into(),
            say: "Call from A+B, ünïcode".into(),
            screen: false,
        }
        .url(Provider::Telnyx, KEY, CALL);
        // The same query written with `+` for spaces and lower-case hex.
        let reencoded = sealed
            .replace("%20", "+")
            .replace("%2B", "%2b")
            .replace("%C3%BC", "%c3%bc");
        assert_ne!(reencoded, sealed);
        let (path, query) = pairs(&reencoded);
        assert_eq!(check(KEY, &path, &query, CALL), Ok(()));
    }
}
