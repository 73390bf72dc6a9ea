//! Twilio's webhook signature (`X-Twilio-Signature`): HMAC-SHA1, keyed with the account's auth token,
//! over the full URL followed by the POST parameters sorted by name, each name followed by its value;
//! base64-encoded. Checked in constant time.
//!
//! Twilio's webhooks use the field names of [`super::twiml_form`] (its [`Carrier`]'s defaults);
//! its markup is TwiML ([`super::markup::Dialect::TwiML`]). Its recordings are fetched from its
//! own host with the account SID and auth token.

#[allow(unused_imports)]
use crate::prelude::*;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

type HmacSha1 = Hmac<Sha1>;

use super::event::{Recording, Speaker, Utterance};
use super::form::{FieldError, Form, MAX_UTTERANCE};
use super::provider::{Carrier, RecordingRefusal, RecordingSource};
use super::signature::{Replay, Signed, WebhookError as SignatureError};

/// Twilio, as the worker sees it.
pub struct Twilio;

impl Carrier for Twilio {
    fn webhook_secret(&self) -> &'static str {
        "TWILIO_AUTH_TOKEN"
    }

    fn webhooks_disabled(&self) -> &'static str {
        "webhooks are disabled: TWILIO_AUTH_TOKEN is not set"
    }

    fn signature_headers(&self) -> &'static [&'static str] {
        &["x-twilio-signature"]
    }

    fn verify(
        &self,
        secret: &str,
        req: &Signed<'_>,
        _now: crate::Millis,
    ) -> Result<Option<Replay>, SignatureError> {
        verify_webhook(secret, req)
    }

    fn utterance(&self, form: &Form) -> Result<Option<Utterance>, FieldError> {
        utterance(form)
    }

    /// The recording's own URL, with the account's credentials, and only on Twilio's host (or an
    /// origin of `RECORDING_ORIGINS`, a comma-separated list, for a local stand-in in tests): the
    /// URL came from a webhook, and the credentials must go nowhere else.
    fn recording_source(
        &self,
        recording: &Recording,
        secret: &dyn Fn(&str) -> String,
    ) -> Result<RecordingSource, RecordingRefusal> {
        if !recording_host_allowed(&recording.url, &secret("RECORDING_ORIGINS")) {
            return Err(RecordingRefusal::HostNotAllowed);
        }
        let (sid, token) = (secret("TWILIO_ACCOUNT_SID"), secret("TWILIO_AUTH_TOKEN"));
        if sid.is_empty() || token.is_empty() {
            return Err(RecordingRefusal::Disabled(
                "recordings are disabled: TWILIO_ACCOUNT_SID is not set",
            ));
        }
        Ok(RecordingSource::Direct {
            url: recording.url.clone(),
            authorization: Some(basic_auth(&sid, &token)),
        })
    }
}

/// Whether a recording URL is on Twilio's API host, or under one of `extra_origins`
/// (comma-separated).
pub fn recording_host_allowed(url: &str, extra_origins: &str) -> bool {
    url.starts_with("https://api.twilio.com/")
        || extra_origins
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .any(|o| url.starts_with(&[o.trim_end_matches('/'), "/"].concat()))
}

fn mac(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
) -> Result<HmacSha1, SignatureError> {
    let mut mac =
        HmacSha1::new_from_slice(auth_token.as_bytes()).map_err(|_| SignatureError::NoSecret)?;
    mac.update(url.as_bytes());
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    Ok(mac)
}

/// The signature Twilio sends for this request. The worker never needs it; the command line uses it
/// to play the provider locally.
pub fn sign(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    match mac(auth_token, url, params) {
        Ok(mac) => STANDARD.encode(mac.finalize().into_bytes()),
        Err(_) => String::new(),
    }
}

/// Checks a request's signature. `url` is the full URL Twilio requested, query string included.
/// Like Twilio's own helpers, the URL is also tried with its default port added or removed, because
/// proxies differ in what they pass on.
pub fn verify(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    signature: Option<&str>,
) -> Result<(), SignatureError> {
    if auth_token.is_empty() {
        return Err(SignatureError::NoSecret);
    }
    let signature = signature.ok_or(SignatureError::Missing)?;
    let expected = STANDARD
        .decode(signature.trim())
        .map_err(|_| SignatureError::Malformed)?;
    if expected.len() != 20 {
        return Err(SignatureError::Malformed);
    }
    let mut ok = false;
    for candidate in url_variants(url) {
        // verify_slice compares in constant time.
        ok |= mac(auth_token, &candidate, params)?
            .verify_slice(&expected)
            .is_ok();
    }
    if ok {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// Checks a Twilio webhook (the provider-neutral entry point). Twilio's signature covers no
/// timestamp, so there is no replay window: a webhook sent again is harmless because every callback
/// is applied once by call id.
pub fn verify_webhook(
    auth_token: &str,
    req: &Signed<'_>,
) -> Result<Option<Replay>, SignatureError> {
    verify(
        auth_token,
        req.url,
        &req.form.0,
        req.headers.get("x-twilio-signature"),
    )?;
    Ok(None)
}

/// Reads a real-time transcription callback (`<Start><Transcription statusCallbackUrl>`): only
/// the final result of a `transcription-content` event is an utterance. `TranscriptionData` is
/// JSON (`{"transcript": ..., "confidence": ...}`); `SequenceId` numbers the events of one
/// transcription, `Track` says whose audio it was (`inbound_track`: the caller).
pub fn utterance(form: &Form) -> Result<Option<Utterance>, FieldError> {
    if form.get("TranscriptionEvent") != Some("transcription-content")
        || form.get("Final") != Some("true")
    {
        return Ok(None);
    }
    #[derive(serde::Deserialize)]
    struct Data {
        #[serde(default)]
        transcript: String,
    }
    let data: Data = serde_json::from_str(form.get("TranscriptionData").unwrap_or_default())
        .map_err(|_| FieldError::Invalid("TranscriptionData"))?;
    let text: String = data.transcript.trim().chars().take(MAX_UTTERANCE).collect();
    if text.is_empty() {
        return Ok(None);
    }
    Ok(Some(Utterance {
        seq: form.seconds("SequenceId")?,
        speaker: match form.get("Track") {
            Some("inbound_track") => Speaker::Caller,
            Some("outbound_track") => Speaker::Business,
            _ => Speaker::Unknown,
        },
        text,
    }))
}

/// An HTTP Basic `Authorization` value (the REST API's credentials: account SID and auth token).
pub fn basic_auth(user: &str, password: &str) -> String {
    ["Basic ", &STANDARD.encode([user, ":", password].concat())].concat()
}

/// The URL as given, and with the scheme's default port removed or added.
fn url_variants(url: &str) -> Vec<String> {
    let mut variants = vec![url.to_owned()];
    let Some((scheme, rest)) = url.split_once("://") else {
        return variants;
    };
    let default_port = match scheme {
        "https" => "443",
        "http" => "80",
        _ => return variants,
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let with_port = [":", default_port].concat();
    let other = match authority.strip_suffix(with_port.as_str()) {
        Some(host) => [scheme, "://", host, tail].concat(),
        None if !authority.contains(':') => [scheme, "://", authority, &with_port, tail].concat(),
        None => return variants,
    };
    variants.push(other);
    variants
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// The example from Twilio's security documentation; the expected value is what Twilio's own
    /// helper library (`twilio.getExpectedTwilioSignature`, npm) computes for it.
    #[test]
    fn matches_twilios_documented_example() {
        let token = "12345";
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let p = params(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]);
        assert_eq!(sign(token, url, &p), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
        assert_eq!(
            verify(token, url, &p, Some("0/KCTR6DLpKmkAf8muzZqo1nDgQ=")),
            Ok(())
        );
    }

    #[test]
    fn refuses_what_is_not_signed_right() {
        let url = "https://example.com/v1/twilio/voice";
        let p = params(&[("To", "+12125550101"), ("From", "+13105550199")]);
        let good = sign("secret", url, &p);
        let tampered = params(&[("To", "+12125550102"), ("From", "+13105550199")]);
        // (token, url, params, signature, expected)
        type Row<'a> = (
            &'a str,
            &'a str,
            &'a [(String, String)],
            Option<&'a str>,
            Result<(), SignatureError>,
        );
        let table: Vec<Row<'_>> = vec![
            ("secret", url, &p, Some(&good), Ok(())),
            (
                "secret",
                "https://example.com:443/v1/twilio/voice",
                &p,
                Some(&good),
                Ok(()),
            ),
            (
                "secret",
                url,
                &tampered,
                Some(&good),
                Err(SignatureError::Mismatch),
            ),
            ("other", url, &p, Some(&good), Err(SignatureError::Mismatch)),
            (
                "secret",
                "https://example.com/v1/twilio/status",
                &p,
                Some(&good),
                Err(SignatureError::Mismatch),
            ),
            ("secret", url, &p, None, Err(SignatureError::Missing)),
            (
                "secret",
                url,
                &p,
                Some("not base64!"),
                Err(SignatureError::Malformed),
            ),
            (
                "secret",
                url,
                &p,
                Some("AAAA"),
                Err(SignatureError::Malformed),
            ),
            ("", url, &p, Some(&good), Err(SignatureError::NoSecret)),
        ];
        for (token, url, p, sig, want) in table {
            assert_eq!(verify(token, url, p, sig), want, "{token} {url} {sig:?}");
        }
    }

    #[test]
    fn fetches_recordings_from_its_own_host_only() {
        let secrets = |sid: &'static str| {
            move |name: &str| match name {
                "TWILIO_ACCOUNT_SID" => sid.to_owned(),
                "TWILIO_AUTH_TOKEN" => "token".to_owned(),
                "RECORDING_ORIGINS" => " http://127.0.0.1:4000/ , ".to_owned(),
                _ => String::new(),
            }
        };
        let rec = |url: &str| Recording {
            id: "RE1".into(),
            url: url.into(),
            duration_s: 1,
            channels: 1,
            kind: Default::default(),
        };
        // (recording URL, account SID, source or refusal)
        let table = [
            (
                "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
                "AC1",
                Ok(Some(basic_auth("AC1", "token"))),
            ),
            (
                "http://127.0.0.1:4000/rec/RE1",
                "AC1",
                Ok(Some(basic_auth("AC1", "token"))),
            ),
            (
                "http://127.0.0.1:4001/rec/RE1",
                "AC1",
                Err(RecordingRefusal::HostNotAllowed),
            ),
            (
                "https://api.twilio.com.evil.example/x",
                "AC1",
                Err(RecordingRefusal::HostNotAllowed),
            ),
            (
                "https://api.twilio.com/x",
                "",
                Err(RecordingRefusal::Disabled(
                    "recordings are disabled: TWILIO_ACCOUNT_SID is not set",
                )),
            ),
        ];
        for (url, sid, want) in table {
            let got = Twilio
                .recording_source(&rec(url), &secrets(sid))
                .map(|s| match s {
                    RecordingSource::Direct {
                        url: u,
                        authorization,
                    } => {
                        assert_eq!(u, url);
                        authorization
                    }
                    RecordingSource::Lookup { .. } => panic!("Twilio serves recordings directly"),
                });
            assert_eq!(got, want, "{url}");
        }
    }

    #[test]
    fn tries_the_default_port_both_ways() {
        let table = [
            (
                "https://a.com/x",
                vec!["https://a.com/x", "https://a.com:443/x"],
            ),
            (
                "https://a.com:443/x?y=1",
                vec!["https://a.com:443/x?y=1", "https://a.com/x?y=1"],
            ),
            ("http://127.0.0.1:8787/x", vec!["http://127.0.0.1:8787/x"]),
            ("http://a.com", vec!["http://a.com", "http://a.com:80"]),
        ];
        for (url, want) in table {
            assert_eq!(url_variants(url), want, "{url}");
        }
    }
}
