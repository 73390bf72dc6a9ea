//! Our own callback URLs (`/v1/{provider}/{action}?...`) and the seal that makes their query ours.
//!
//! The markup we answer with names callback URLs whose query carries state the next webhook needs:
//! the site, the rule and the step of a fallback chain, the whisper's text. Twilio's signature
//! covers the whole URL, query included, so that state cannot be changed without breaking it.
//! Telnyx's covers only `timestamp|body`: whoever holds one signed delivery could send it to the
//! same path with another query (another step, another site) inside the timestamp's window. For
//! such a provider every callback URL we write carries a seal, an HMAC-SHA256 keyed with a secret
//! of the worker's own (`CALLBACK_SECRET`) over the path and the query before it, and a webhook
//! with a query is refused unless its seal is ours ([`check`]).
//!
//! The seal is computed over a canonical form (each name and value decoded, then encoded again
//! the one way [`encode`] does), so that a provider which re-encodes the URL it was given (`%20`
//! for `+`, upper- or lower-case hex) still presents a query the seal accepts, while any change to
//! a name, a value, their order or the path does not.

#[allow(unused_imports)]
use crate::prelude::*;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::{Provider, WebhookError};

type HmacSha256 = Hmac<Sha256>;

/// The query parameter that carries the seal (always the last).
pub const SEAL: &str = "seal";

/// A callback URL of ours, relative (the provider resolves it against the document's URL), its
/// query encoded; sealed with `key` when the provider's signature does not cover the URL. An empty
/// `key` writes no seal (the webhook will then be refused, see [`check`]).
pub fn url(provider: Provider, action: &str, query: &[(&str, &str)], key: &str) -> String {
    let path = ["/v1/", provider.as_str(), "/", action].concat();
    let mut out = path.clone();
    push_query(&mut out, query.iter().copied());
    if !provider.signs_url() && !key.is_empty() && !query.is_empty() {
        let seal = seal(key, &path, query.iter().copied());
        out.push_str("&seal=");
        out.push_str(&seal);
    }
    out
}

/// The seal of `path` with `query` (the query without the seal itself).
pub fn seal<'a>(key: &str, path: &str, query: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut canonical = String::from(path);
    push_query(&mut canonical, query);
    // HMAC takes keys of any length: `new_from_slice` cannot fail for it.
    let mut mac = match HmacSha256::new_from_slice(key.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(canonical.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Checks the query of a webhook sent to `path` (decoded pairs, in their order). A query without
/// parameters needs no seal (the handlers then read nothing from it); any other must end with the
/// seal of everything before it, compared in constant time.
pub fn check(key: &str, path: &str, query: &[(String, String)]) -> Result<(), WebhookError> {
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
    let mut canonical = String::from(path);
    push_query(
        &mut canonical,
        rest.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let mut mac = HmacSha256::new_from_slice(key.as_bytes()).map_err(|_| WebhookError::NoSecret)?;
    mac.update(canonical.as_bytes());
    // verify_slice compares in constant time.
    mac.verify_slice(&given).map_err(|_| WebhookError::Mismatch)
}

fn push_query<'a>(out: &mut String, query: impl Iterator<Item = (&'a str, &'a str)>) {
    for (i, (k, v)) in query.enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        encode(out, k);
        out.push('=');
        encode(out, v);
    }
}

/// Percent-encodes a query name or value (everything but the unreserved characters).
pub fn encode(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "worker-callback-secret";

    type Query = Vec<(String, String)>;
    /// (what, path, query, key, verdict)
    type Row<'a> = (&'a str, &'a str, Query, &'a str, Result<(), WebhookError>);

    fn pairs(url: &str) -> (String, Vec<(String, String)>) {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        (path.to_owned(), crate::url::form_pairs(query).collect())
    }

    #[test]
    fn twilio_urls_are_plain_and_telnyx_urls_are_sealed() {
        let q = [("site", "calls"), ("rule", "1"), ("step", "0")];
        assert_eq!(
            url(Provider::Twilio, "dial", &q, KEY),
            "/v1/twilio/dial?site=calls&rule=1&step=0"
        );
        let sealed = url(Provider::Telnyx, "dial", &q, KEY);
        assert!(
            sealed.starts_with("/v1/telnyx/dial?site=calls&rule=1&step=0&seal="),
            "{sealed}"
        );
        assert_eq!(url(Provider::Telnyx, "dial", &[], KEY), "/v1/telnyx/dial");
        assert_eq!(
            url(
                Provider::Telnyx,
                "whisper",
                &[("say", "Call from A & B")],
                ""
            ),
            "/v1/telnyx/whisper?say=Call%20from%20A%20%26%20B",
            "no key, no seal"
        );
    }

    #[test]
    fn a_changed_query_is_refused() {
        let q = [
            ("site", "calls"),
            ("say", "Call from Paid Search, spring <sale>"),
        ];
        let sealed = url(Provider::Telnyx, "whisper", &q, KEY);
        let (path, good) = pairs(&sealed);
        let with = |f: &dyn Fn(&mut Query)| {
            let mut q = good.clone();
            f(&mut q);
            q
        };
        let table: Vec<Row<'_>> = vec![
            ("as written", &path, good.clone(), KEY, Ok(())),
            (
                "a value changed",
                &path,
                with(&|q| q[0].1 = "other".into()),
                KEY,
                Err(WebhookError::Mismatch),
            ),
            (
                "a parameter added before the seal",
                &path,
                with(&|q| q.insert(1, ("screen".into(), "0".into()))),
                KEY,
                Err(WebhookError::Mismatch),
            ),
            (
                "parameters swapped",
                &path,
                with(&|q| q.swap(0, 1)),
                KEY,
                Err(WebhookError::Mismatch),
            ),
            (
                "another path",
                "/v1/telnyx/screen",
                good.clone(),
                KEY,
                Err(WebhookError::Mismatch),
            ),
            (
                "another key",
                &path,
                good.clone(),
                "other-secret",
                Err(WebhookError::Mismatch),
            ),
            (
                "no seal",
                &path,
                with(&|q| {
                    q.pop();
                }),
                KEY,
                Err(WebhookError::Missing),
            ),
            (
                "a parameter after the seal",
                &path,
                with(&|q| q.push(("step".into(), "1".into()))),
                KEY,
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
                Err(WebhookError::Malformed),
            ),
            ("no query at all", &path, Vec::new(), KEY, Ok(())),
            (
                "no key",
                &path,
                good.clone(),
                "",
                Err(WebhookError::NoSecret),
            ),
        ];
        for (what, path, query, key, want) in table {
            assert_eq!(check(key, path, &query), want, "{what}");
        }
    }

    #[test]
    fn a_reencoded_query_keeps_its_seal() {
        let sealed = url(
            Provider::Telnyx,
            "whisper",
            &[("say", "Call from A+B, ünïcode")],
            KEY,
        );
        // The same query written with `+` for spaces and lower-case hex.
        let reencoded = sealed
            .replace("%20", "+")
            .replace("%2B", "%2b")
            .replace("%C3%BC", "%c3%bc");
        assert_ne!(reencoded, sealed);
        let (path, query) = pairs(&reencoded);
        assert_eq!(check(KEY, &path, &query), Ok(()));
    }
}
