//! A small URL reader: exactly the parts classification needs (scheme, host, path, query parameters)
//! and the form decoding webhooks need.
//!
//! Why not the `url` crate: it carries IDNA and Unicode tables that add about 80 KB gzip to the browser
//! module, and the browser already has a full URL parser. Classification needs only a lenient reader
//! that never fails hard: a malformed landing page or referrer must still classify (as Direct or
//! Unassigned), never panic.

#[allow(unused_imports)]
use crate::prelude::*;

/// The parts of an absolute URL. The host is lower-cased, without port, user info or trailing dot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url<'a> {
    /// The scheme, as written (`https`, `http`, `android-app`, ...).
    pub scheme: &'a str,
    /// The host, lower-cased (ASCII only; IDN hosts stay as written, in either form).
    pub host: String,
    /// The path, as written (may be empty).
    pub path: &'a str,
    /// The query string without `?`, as written (may be empty).
    pub query: &'a str,
    /// The fragment without `#`, as written (may be empty).
    pub fragment: &'a str,
}

impl<'a> Url<'a> {
    /// Reads an absolute URL (`scheme://host/...`). Returns `None` for anything without a scheme and a
    /// host; surrounding whitespace is ignored.
    pub fn parse(input: &'a str) -> Option<Url<'a>> {
        let input = input.trim();
        let (scheme, rest) = input.split_once("://")?;
        if scheme.is_empty()
            || !scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
        {
            return None;
        }
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, after) = rest.split_at(authority_end);
        let host_port = match authority.rfind('@') {
            Some(at) => &authority[at + 1..],
            None => authority,
        };
        let host = strip_port(host_port).trim_end_matches('.');
        if host.is_empty() {
            return None;
        }
        let (before_fragment, fragment) = match after.split_once('#') {
            Some((b, f)) => (b, f),
            None => (after, ""),
        };
        let (path, query) = match before_fragment.split_once('?') {
            Some((p, q)) => (p, q),
            None => (before_fragment, ""),
        };
        Some(Url {
            scheme,
            host: host.to_ascii_lowercase(),
            path,
            query,
            fragment,
        })
    }

    /// The first value of query parameter `name` (exact name), percent-decoded, `+` read as a space.
    pub fn param(&self, name: &str) -> Option<String> {
        param(self.query, name)
    }
}

fn strip_port(host_port: &str) -> &str {
    if let Some(rest) = host_port.strip_prefix('[') {
        // IPv6 literal: keep the brackets' content.
        return match rest.find(']') {
            Some(end) => &rest[..end],
            None => rest,
        };
    }
    match host_port.rfind(':') {
        Some(colon) => &host_port[..colon],
        None => host_port,
    }
}

/// Splits an `application/x-www-form-urlencoded` string (a query string or a form body) into
/// decoded pairs, in order. Empty segments are skipped; a key without `=` has an empty value.
pub fn form_pairs(input: &str) -> impl Iterator<Item = (String, String)> + '_ {
    input.split('&').filter(|s| !s.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode_component(k), decode_component(v))
    })
}

/// The first value of `name` in a query string, decoded.
pub fn param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == name || (k.contains('%') && decode_component(k) == name) {
            Some(decode_component(v))
        } else {
            None
        }
    })
}

/// Percent-decodes a form component, reading `+` as a space. Invalid escapes stay as written and
/// invalid UTF-8 becomes U+FFFD: a lenient reader, because its input comes from anyone.
pub fn decode_component(input: &str) -> String {
    if !input.bytes().any(|b| b == b'%' || b == b'+') {
        return input.to_owned();
    }
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = match (b, bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) => hex(h).zip(hex(l)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        match (b, escaped) {
            (_, Some(byte)) => {
                out.push(byte);
                i += 2;
            }
            (b'+', None) => out.push(b' '),
            (b, None) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_parts_classification_needs() {
        // (input, scheme, host, path, query)
        let table: &[(&str, &str, &str, &str, &str)] = &[
            (
                "https://www.Google.com/search?q=x",
                "https",
                "www.google.com",
                "/search",
                "q=x",
            ),
            (
                "http://user:pw@Example.org:8080/a/b?c=d#e",
                "http",
                "example.org",
                "/a/b",
                "c=d",
            ),
            ("https://example.com.", "https", "example.com", "", ""),
            (
                "  https://example.com/?a  ",
                "https",
                "example.com",
                "/",
                "a",
            ),
            (
                "android-app://com.google.android.gm/",
                "android-app",
                "com.google.android.gm",
                "/",
                "",
            ),
            ("http://[::1]:8787/x", "http", "::1", "/x", ""),
            (
                "https://xn--bcher-kva.example/",
                "https",
                "xn--bcher-kva.example",
                "/",
                "",
            ),
            (
                "https://bücher.example/",
                "https",
                "bücher.example",
                "/",
                "",
            ),
            (
                "https://example.com#frag?notquery",
                "https",
                "example.com",
                "",
                "",
            ),
        ];
        for (input, scheme, host, path, query) in table {
            let url = Url::parse(input).unwrap_or_else(|| panic!("{input} should parse"));
            assert_eq!(
                (url.scheme, url.host.as_str(), url.path, url.query),
                (*scheme, *host, *path, *query),
                "{input}"
            );
        }
    }

    #[test]
    fn rejects_what_is_not_an_absolute_url() {
        for input in [
            "",
            "example.com",
            "/path?q=1",
            "https://",
            "https:///path",
            "ht tp://x.com",
            "://x.com",
        ] {
            assert_eq!(Url::parse(input), None, "{input:?}");
        }
    }

    #[test]
    fn decodes_components_leniently() {
        let table = [
            ("a+b", "a b"),
            ("a%20b", "a b"),
            ("%E2%82%AC", "€"),
            ("100%", "100%"),
            ("%zz", "%zz"),
            ("%4", "%4"),
            ("%ff", "\u{FFFD}"),
            ("plain", "plain"),
        ];
        for (input, want) in table {
            assert_eq!(decode_component(input), want, "{input}");
        }
    }

    #[test]
    fn finds_parameters_and_form_pairs() {
        assert_eq!(
            param("utm_source=google&utm_medium=cpc", "utm_medium").as_deref(),
            Some("cpc")
        );
        assert_eq!(param("utm%5Fsource=x", "utm_source").as_deref(), Some("x"));
        assert_eq!(param("a=1&a=2", "a").as_deref(), Some("1"));
        assert_eq!(param("flag&x=1", "flag").as_deref(), Some(""));
        assert_eq!(param("x=1", "y"), None);
        let pairs: Vec<_> = form_pairs("To=%2B12125550101&From=%2B13105550199&&Empty=").collect();
        assert_eq!(
            pairs,
            vec![
                ("To".to_owned(), "+12125550101".to_owned()),
                ("From".to_owned(), "+13105550199".to_owned()),
                ("Empty".to_owned(), String::new()),
            ]
        );
    }
}
