//! Redaction: personal data taken out of a URL before it is kept or sent.
//!
//! Mailing tools append the subscriber's address to their links (`?email=jane%40example.com`), forms
//! that submit by `GET` leave names and numbers in the next page's URL, and referrers carry what
//! the page before had. None of it helps classification, which reads only the UTM tags, the click
//! ids and the referrer's host. [`redact`] replaces it with [`MARKER`]:
//!
//! - an email address anywhere after the host (path, query names and values, fragment), written
//!   plainly, percent-encoded (`jane%40example.com`) or encoded twice (`%2540`);
//! - the value of a query parameter that looks like a phone number (9 to 15 digits written as
//!   numbers are: `+1 212 555 0100`, `(212) 555-0100`, `212.555.0100`; a bare run of digits is an
//!   id or a time as often as a number, and is left alone);
//! - the value of a query parameter named in [`DEFAULT_PARAMS`] or in the site's own list.
//!
//! UTM tags and click ids are never touched: they are what attribution reads, and a site cannot
//! list them. The scheme and host are kept as written (an `@` there separates user info from the
//! host, which classification reads).
//!
//! The page runs this before a touch is stored or sent, and the worker runs it again on whatever
//! it receives (a page with an older loader is not trusted to have done it). It is on the page's
//! path, so it keeps the rules of `text`: byte loops, `get` rather than indexing, no patterns.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::{classify, text, url};

/// What stands in for a redacted address, number or value: GA4's marker. It holds nothing
/// [`redact`] would redact again, so redacting twice changes nothing.
pub const MARKER: &str = "(redacted)";

/// Query parameters whose values are always redacted, whatever the site lists (names compared
/// ignoring ASCII case): the names forms and mailing tools give personal data.
pub const DEFAULT_PARAMS: &str = "email|e|e-mail|mail|name|first_name|last_name|firstname|\
lastname|fname|lname|phone|tel|mobile|token|password|pass|pwd";

/// `url` with email addresses, phone-number-like query values and the values of the listed query
/// parameters ([`DEFAULT_PARAMS`] and `params`, the site's `redact_params`) replaced by
/// [`MARKER`]. Anything that is not a URL is still searched for addresses.
pub fn redact(url: &str, params: &[String]) -> String {
    let mut out = String::with_capacity(url.len());
    let head = authority_end(url);
    out.push_str(url.get(..head).unwrap_or_default());
    let rest = url.get(head..).unwrap_or_default();
    let (before, fragment) = match text::split_once(rest, b'#') {
        Some((before, fragment)) => (before, Some(fragment)),
        None => (rest, None),
    };
    let (path, query) = match text::split_once(before, b'?') {
        Some((path, query)) => (path, Some(query)),
        None => (before, None),
    };
    emails(path, &mut out);
    if let Some(query) = query {
        out.push('?');
        let mut first = true;
        for pair in text::split(query, b'&') {
            if !first {
                out.push('&');
            }
            first = false;
            redact_pair(pair, params, &mut out);
        }
    }
    if let Some(fragment) = fragment {
        out.push('#');
        emails(fragment, &mut out);
    }
    out
}

/// Whether a query parameter is never redacted: a UTM tag or a click id (the name decoded).
pub fn is_exempt(name: &str) -> bool {
    name.starts_with("utm_") || classify::is_click_id(name)
}

/// One `name=value` of a query string.
fn redact_pair(pair: &str, params: &[String], out: &mut String) {
    let (key, value) = text::split_once(pair, b'=').unwrap_or((pair, ""));
    let name = url::decode_component(key);
    if is_exempt(&name) {
        out.push_str(pair);
        return;
    }
    let mut listed = text::one_of_ci(&name, DEFAULT_PARAMS);
    for p in params {
        listed |= p.eq_ignore_ascii_case(&name);
    }
    if !value.is_empty() && (listed || phone_like(value)) {
        emails(key, out);
        out.push('=');
        out.push_str(MARKER);
    } else {
        emails(pair, out);
    }
}

/// The length of `scheme://authority` at the start of `s`, or 0 when it has none.
fn authority_end(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if !(c.is_ascii_alphanumeric() || c == b'+' || c == b'-' || c == b'.') {
            break;
        }
        i += 1;
    }
    if i == 0 || b.get(i..i + 3) != Some(b"://".as_slice()) {
        return 0;
    }
    i += 3;
    while let Some(&c) = b.get(i) {
        if matches!(c, b'/' | b'?' | b'#' | b'\\') {
            break;
        }
        i += 1;
    }
    i
}

/// The length of the `@` that `s` starts with: plain, percent-encoded, or encoded twice (a URL
/// inside a URL's parameter); 0 when it starts with none.
fn at_len(s: &[u8]) -> usize {
    match s {
        [b'@', ..] => 1,
        [b'%', b'4', b'0', ..] => 3,
        [b'%', b'2', b'5', b'4', b'0', ..] => 5,
        _ => 0,
    }
}

/// Characters of an address's local part, as URLs carry them (not `=`, `&`, `/` or `?`, which
/// separate the parts of a URL).
fn is_local(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'+' | b'-')
}

/// Where the local part of an address whose `@` is at `at` starts: back over local characters and
/// over percent-escapes of them (`%2B`, and `%25`, a `%` encoded twice), never before `floor`.
fn local_start(b: &[u8], floor: usize, at: usize) -> usize {
    let mut start = at;
    while start > floor {
        let escaped = match b.get(start.saturating_sub(3)..start) {
            Some(&[b'%', h, l]) if start >= floor + 3 => {
                url::hex(h).zip(url::hex(l)).map(|(h, l)| h << 4 | l)
            }
            _ => None,
        };
        match escaped {
            Some(c) if c == b'%' || is_local(c) => start -= 3,
            Some(_) => break,
            None if b.get(start - 1).is_some_and(|&c| is_local(c)) => start -= 1,
            None => break,
        }
    }
    start
}

/// Copies `s` to `out` with every email address in it replaced by [`MARKER`].
fn emails(s: &str, out: &mut String) {
    let b = s.as_bytes();
    // `copied`: how much of `s` is in `out` already.
    let (mut copied, mut i) = (0, 0);
    while let Some(rest) = b.get(i..) {
        if rest.is_empty() {
            break;
        }
        let at = at_len(rest);
        if at == 0 {
            i += 1;
            continue;
        }
        let start = local_start(b, copied, i);
        let host = i + at;
        let mut end = host;
        while b
            .get(end)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
        {
            end += 1;
        }
        while end > host && b.get(end - 1) == Some(&b'.') {
            end -= 1;
        }
        if start < i && is_domain(s.get(host..end).unwrap_or_default()) {
            out.push_str(s.get(copied..start).unwrap_or_default());
            out.push_str(MARKER);
            copied = end;
            i = end;
        } else {
            i += at;
        }
    }
    out.push_str(s.get(copied..).unwrap_or_default());
}

/// Whether `d` (letters, digits, `-` and `.`) is a mail domain: a name, a dot, and a top-level
/// name of two letters or more that is not an image's (`icon@2x.png` names a file).
fn is_domain(d: &str) -> bool {
    let Some(dot) = text::rfind_byte(d, b'.') else {
        return false;
    };
    let tld = d.get(dot + 1..).unwrap_or_default();
    let mut letters = tld.len() >= 2 && dot > 0;
    for &c in tld.as_bytes() {
        letters &= c.is_ascii_alphabetic();
    }
    letters && !text::one_of_ci(tld, "png|jpg|jpeg|gif|svg|webp")
}

/// Whether a raw query value is written as a phone number: 9 to 15 digits, with a leading `+` or
/// a `(`, or with two separators or more between groups of digits (spaces, `-`, `.`, `)`, form
/// spaces, and their percent-encodings). A bare run of digits (an id, a timestamp), a date, a
/// decimal or a coordinate is not.
fn phone_like(v: &str) -> bool {
    let b = v.as_bytes();
    let (mut digits, mut marks, mut i) = (0, 0, 0);
    let mut after_digit = false;
    while let Some(rest) = b.get(i..) {
        let (len, strong, separator) = match rest {
            [] => break,
            [b'0'..=b'9', ..] => {
                digits += 1;
                i += 1;
                after_digit = true;
                continue;
            }
            [b'+', ..] => (1, i == 0, true),
            [b'(', ..] => (1, true, false),
            [b'%', b'2', b'B' | b'b', ..] => (3, i == 0, true),
            [b'%', b'2', b'8', ..] => (3, true, false),
            [b' ' | b'-' | b'.' | b')', ..] => (1, false, true),
            [b'%', b'2', b'0' | b'9' | b'D' | b'd' | b'E' | b'e', ..] => (3, false, true),
            _ => return false,
        };
        if strong {
            marks += 2;
        } else if separator && after_digit {
            marks += 1;
        }
        after_digit = false;
        i += len;
    }
    (9..=15).contains(&digits) && marks >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: &str = MARKER;

    /// (input, expected with `{M}` for the marker); the site lists `ref_email`.
    const TABLE: &[(&str, &str)] = &[
        // Emails in every position.
        (
            "https://example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=june&email=jane%40example.com",
            "https://example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=june&email={M}",
        ),
        ("https://example.com/?subscriber=jane@example.com", "https://example.com/?subscriber={M}"),
        ("https://example.com/?to=jane%40example.com&x=1", "https://example.com/?to={M}&x=1"),
        ("https://example.com/?to=Jane.Doe%2Bnews%40Mail.Example.CO.UK", "https://example.com/?to={M}"),
        ("https://example.com/?q=hello+jane.doe@example.org+bye", "https://example.com/?q={M}+bye"),
        ("https://example.com/users/jane@example.com/orders", "https://example.com/users/{M}/orders"),
        ("https://example.com/users/jane%40example.com", "https://example.com/users/{M}"),
        ("https://example.com/p#contact=jane@example.com", "https://example.com/p#contact={M}"),
        ("https://example.com/#/thanks?email=jane%40example.com", "https://example.com/#/thanks?email={M}"),
        ("https://example.com/?jane@example.com", "https://example.com/?{M}"),
        ("https://example.com/?next=https%3A%2F%2Fa.com%2F%3Fe%3Djane%2540example.com", "https://example.com/?next=https%3A%2F%2Fa.com%2F%3Fe%3D{M}"),
        ("https://example.com/?r=x%3Djane%252Bnews%2540example.com", "https://example.com/?r=x%3D{M}"),
        ("https://example.com/?a=x@y.com,z@w.org", "https://example.com/?a={M},{M}"),
        ("https://example.com/?email=JANE%40EXAMPLE.COM.", "https://example.com/?email={M}"),
        ("mailto:jane@example.com", "mailto:{M}"),
        ("/relative?who=jane@example.com", "/relative?who={M}"),
        // Listed parameters: the defaults, any case, and the site's own.
        ("https://example.com/?name=Jane+Doe&e=abc&Phone=5550100", "https://example.com/?name={M}&e={M}&Phone={M}"),
        ("https://example.com/?token=s3cr3t&password=hunter2&ok=1", "https://example.com/?token={M}&password={M}&ok=1"),
        ("https://example.com/?ref_email=abc&REF_EMAIL=def", "https://example.com/?ref_email={M}&REF_EMAIL={M}"),
        ("https://example.com/?%65mail=abc", "https://example.com/?%65mail={M}"),
        ("https://example.com/?email=&name", "https://example.com/?email=&name"),
        // Phone-like values.
        ("https://example.com/?caller=%2B12125550100", "https://example.com/?caller={M}"),
        ("https://example.com/?caller=+12125550100", "https://example.com/?caller={M}"),
        ("https://example.com/?n=(212)%20555-0100", "https://example.com/?n={M}"),
        ("https://example.com/?n=212-555-0100&m=212.555.0100", "https://example.com/?n={M}&m={M}"),
        ("https://example.com/?n=06+12+34+56+78&m=0044%2020%207946%200958", "https://example.com/?n={M}&m={M}"),
        // UTM tags and click ids are never touched, whatever they hold.
        ("https://example.com/?utm_content=jane@example.com&gclid=+12125550100", "https://example.com/?utm_content=jane@example.com&gclid=+12125550100"),
        ("https://example.com/?utm%5Fterm=212-555-0100&MSCLKID=jane%40example.com", "https://example.com/?utm%5Fterm=212-555-0100&MSCLKID=jane%40example.com"),
        ("https://example.com/?fbclid=IwAR1x&mc_cid=abc&_kx=a%40b.co", "https://example.com/?fbclid=IwAR1x&mc_cid=abc&_kx=a%40b.co"),
        // Lookalikes that are not emails or numbers: left alone.
        ("https://jane@example.com/", "https://jane@example.com/"),
        ("https://user:pw@example.com:8080/a?b=1", "https://user:pw@example.com:8080/a?b=1"),
        ("https://medium.com/@jane/post", "https://medium.com/@jane/post"),
        ("https://example.com/img/icon@2x.png?v=1", "https://example.com/img/icon@2x.png?v=1"),
        ("https://example.com/?u=root@localhost&h=a@b&t=x@y.c1", "https://example.com/?u=root@localhost&h=a@b&t=x@y.c1"),
        ("https://example.com/?q=%40home&r=50%25%40x", "https://example.com/?q=%40home&r=50%25%40x"),
        ("https://example.com/?id=2125550100&ts=1717171717&order=12345678901", "https://example.com/?id=2125550100&ts=1717171717&order=12345678901"),
        ("https://example.com/?d=2024-06-01&price=1234.56&v=1.2.3", "https://example.com/?d=2024-06-01&price=1234.56&v=1.2.3"),
        ("https://example.com/?lat=37.7749295&lng=-122.4194155", "https://example.com/?lat=37.7749295&lng=-122.4194155"),
        ("https://example.com/?names=a&emails=b&sku=555-0100", "https://example.com/?names=a&emails=b&sku=555-0100"),
        ("https://example.com/?a=1&&b=2#", "https://example.com/?a=1&&b=2#"),
        ("", ""),
        ("not a url", "not a url"),
    ];

    #[test]
    fn redacts_the_table() {
        let site = ["ref_email".to_owned()];
        for (input, want) in TABLE {
            let want = want.replace("{M}", M);
            assert_eq!(redact(input, &site), want, "{input}");
        }
    }

    #[test]
    fn knows_what_is_exempt() {
        for name in [
            "utm_source",
            "utm_anything",
            "gclid",
            "GCLID",
            "fbclid",
            "_kx",
        ] {
            assert!(is_exempt(name), "{name}");
        }
        for name in ["email", "UTM_SOURCE", "utm", "gclid2"] {
            assert!(!is_exempt(name), "{name}");
        }
    }
}
