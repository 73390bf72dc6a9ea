//! Redaction: personal data taken out of a URL before it is kept or sent.
//!
//! Mailing tools append the subscriber's address to their links (`?email=jane%40example.com`), forms
//! that submit by `GET` leave names and numbers in the next page's URL, and referrers carry what
//! the page before had. None of it helps classification, which reads only the UTM tags, the click
//! ids and the referrer's host. [`redact`] replaces it with [`MARKER`]:
//!
//! - an email address anywhere after the host (path, query names and values, fragment), written
//!   plainly, percent-encoded (`jane%40example.com`) or encoded twice (`%2540`): the whole piece
//!   of the URL that holds it (between `/`, `?`, `&`, `=`, `;` and `#`) goes, so that an address
//!   inside another URL's parameter goes with that parameter;
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
/// [`MARKER`]. Anything that is not a URL is still searched for addresses. (The worker's entry to
/// [`redact_listed`].)
pub fn redact(url: &str, params: &[String]) -> String {
    redact_listed(url, &listed(params).join("|"))
}

/// Every parameter name whose value is redacted: [`DEFAULT_PARAMS`], then the site's own. Apart
/// from [`redact_listed`] so that a caller can get the defaults as data: the page, which runs the
/// redaction itself, receives this list with the site's public configuration rather than carry
/// the defaults in its module (docs/page.md).
pub fn listed(site: &[String]) -> Vec<String> {
    let mut names = Vec::new();
    for name in text::split(DEFAULT_PARAMS, b'|') {
        names.push(name.to_owned());
    }
    names.extend_from_slice(site);
    names
}

/// [`redact`] with every listed name (see [`listed`]) `|`-separated in one string (a name never
/// holds a `|`: `SiteConfig::validate`).
///
/// The page and the worker run this same function. On the page it is weighed by the byte
/// (`bench/size.mjs`), so it works on bytes throughout: what it decodes is only searched for
/// ASCII (an `@`, digits, names), so it is never read as UTF-8; what it writes is either a piece of
/// its input, cut at an ASCII separator, or the marker.
pub fn redact_listed(url: &str, params: &str) -> String {
    let mut out = String::new();
    // The scheme and authority, as written, as the URL reader finds them (an `@` there separates
    // user info from the host, which classification reads): after them, or all of a string that is
    // not an absolute URL.
    let head = url::authority_end(url).unwrap_or(0);
    out.push_str(url.get(..head).unwrap_or_default());
    let rest = url.get(head..).unwrap_or_default();
    let (before, fragment) = text::split_once(rest, b'#').unwrap_or((rest, ""));
    let (path, query) = text::split_once(before, b'?').unwrap_or((before, ""));
    pieces(path, &mut out);
    if path.len() < before.len() {
        let mut separator = "?";
        for pair in text::split(query, b'&') {
            out.push_str(separator);
            separator = "&";
            redact_pair(pair, params, &mut out);
        }
    }
    if before.len() < rest.len() {
        out.push('#');
        pieces(fragment, &mut out);
    }
    out
}

/// Redacts every URL a lease request carries: the page view's, and the journey's touches'. The
/// worker runs it on what it receives before anything is classified, stored or forwarded.
#[cfg(feature = "serde")]
pub fn redact_lease(request: &mut crate::api::LeaseRequest, params: &[String]) {
    redact_page(&mut request.page, params);
    let journey = &mut request.journey;
    // (And the views the page kept for the worker to classify: `LeaseRequest::views`.)
    for touch in [&mut journey.first, &mut journey.last]
        .into_iter()
        .flatten()
        .chain(&mut request.views)
    {
        touch.landing = redact(&touch.landing, params);
        touch.referrer = redact(&touch.referrer, params);
    }
}

/// Redacts a page view's URL and referrer (the lease request's, and the no-consent `/numbers`
/// request's).
#[cfg(feature = "serde")]
pub fn redact_page(page: &mut crate::api::Page, params: &[String]) {
    page.url = redact(&page.url, params);
    page.referrer = redact(&page.referrer, params);
}

/// Whether a query parameter is never redacted: a UTM tag or a click id (the name decoded).
pub fn is_exempt(name: &[u8]) -> bool {
    name.starts_with(b"utm_") || classify::is_click_id(name)
}

/// One `name=value` of a query string.
fn redact_pair(pair: &str, params: &str, out: &mut String) {
    let (key, value) = text::split_once(pair, b'=').unwrap_or((pair, ""));
    let name = url::decode_bytes(key.as_bytes());
    if is_exempt(&name) {
        out.push_str(pair);
        return;
    }
    let listed = text::one_of_ci_bytes(&name, params);
    if !value.is_empty() && (listed || phone_like(&url::decode_bytes(value.as_bytes()))) {
        pieces(key, out);
        out.push('=');
        out.push_str(MARKER);
    } else {
        pieces(pair, out);
    }
}

/// Copies `s` to `out` piece by piece (pieces end at `/`, `?`, `&`, `=` and `;`, which are
/// copied), each piece that holds an email address once decoded (once or twice: a URL inside a
/// parameter) replaced by [`MARKER`] as a whole.
fn pieces(s: &str, out: &mut String) {
    let mut start = 0;
    let mut i = 0;
    while i <= s.len() {
        if !s
            .as_bytes()
            .get(i)
            .is_some_and(|c| !matches!(c, b'/' | b'?' | b'&' | b'=' | b';'))
        {
            let piece = s.get(start..i).unwrap_or_default();
            let once = url::decode_bytes(piece.as_bytes());
            let email = has_email(&once) || has_email(&url::decode_bytes(&once));
            out.push_str(if email { MARKER } else { piece });
            // The separator (nothing at the end).
            out.push_str(s.get(i..i + 1).unwrap_or_default());
            start = i + 1;
        }
        i += 1;
    }
}

/// Whether decoded text holds an email address: a local part character, `@`, and a mail domain
/// (letters, digits, `-` and `.`; a name, a dot, and a top-level name of two letters or more that
/// is not an image's: `icon@2x.png` names a file).
fn has_email(b: &[u8]) -> bool {
    let mut i = 1;
    while let Some(&c) = b.get(i) {
        i += 1;
        let local = b
            .get(i - 2)
            .is_some_and(|&l| l.is_ascii_alphanumeric() || matches!(l, b'.' | b'_' | b'+' | b'-'));
        if c != b'@' || !local {
            continue;
        }
        // The domain's end, and where its last label starts (trailing dots aside).
        let (mut end, mut last) = (i, i);
        let mut j = i;
        while let Some(&d) = b.get(j) {
            if d.is_ascii_alphanumeric() || d == b'-' {
                if b.get(j - 1) == Some(&b'.') {
                    last = j;
                }
                end = j + 1;
            } else if d != b'.' {
                break;
            }
            j += 1;
        }
        let tld = b.get(last..end).unwrap_or_default();
        let mut letters = tld.len() >= 2 && last > i + 1;
        for c in tld {
            letters &= c.is_ascii_alphabetic();
        }
        if letters && !text::one_of_ci_bytes(tld, "png|jpg|jpeg|gif|svg|webp") {
            return true;
        }
    }
    false
}

/// Whether a decoded query value is written as a phone number: 9 to 15 digits, with a leading `+`
/// (or the space an unencoded `+` decodes to) or a `(`, or with two separators or more between
/// groups of digits (space, `-`, `.`, `)`, `+`). A bare run of digits (an id, a timestamp), a
/// date, a decimal or a coordinate is not.
fn phone_like(v: &[u8]) -> bool {
    let (mut digits, mut marks) = (0, 0);
    let mut after_digit = false;
    let mut first = true;
    for &c in v {
        match c {
            b'0'..=b'9' => digits += 1,
            b'+' | b' ' if first => marks += 2,
            b'(' => marks += 2,
            b' ' | b'-' | b'.' | b')' | b'+' => marks += usize::from(after_digit),
            _ => return false,
        }
        after_digit = c.is_ascii_digit();
        first = false;
    }
    (9..=15).contains(&digits) && marks >= 2
}

/// How many of a caller's last digits a read-only report shows by default.
pub const REPORT_CALLER_DIGITS: u8 = 4;

/// A caller's number with every digit but the last `visible` replaced by `*`, the `+` and any
/// punctuation kept (`+13105550199` becomes `+*******0199`). A provider's word for a withheld
/// number (`anonymous`, `restricted`, ...) is shown as it is; any other letters (a SIP address,
/// a client name) are masked too.
pub fn mask_caller(caller: &str, visible: u8) -> String {
    if text::one_of_ci(caller, "anonymous|restricted|unknown|private|unavailable") {
        return caller.to_owned();
    }
    let mut digits = 0;
    for &b in caller.as_bytes() {
        digits += usize::from(b.is_ascii_digit());
    }
    let hidden = digits.saturating_sub(usize::from(visible));
    let mut seen = 0;
    let mut out = String::with_capacity(caller.len());
    for c in caller.chars() {
        if c.is_ascii_digit() {
            seen += 1;
            out.push(if seen > hidden { c } else { '*' });
        } else if c.is_alphanumeric() || c == '@' {
            out.push('*');
        } else {
            out.push(c);
        }
    }
    out
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
        ("https://example.com/?q=hello+jane.doe@example.org+bye", "https://example.com/?q={M}"),
        ("https://example.com/users/jane@example.com/orders", "https://example.com/users/{M}/orders"),
        ("https://example.com/users/jane%40example.com", "https://example.com/users/{M}"),
        ("https://example.com/p#contact=jane@example.com", "https://example.com/p#contact={M}"),
        ("https://example.com/#/thanks?email=jane%40example.com", "https://example.com/#/thanks?email={M}"),
        ("https://example.com/?jane@example.com", "https://example.com/?{M}"),
        ("https://example.com/?next=https%3A%2F%2Fa.com%2F%3Fe%3Djane%2540example.com", "https://example.com/?next={M}"),
        ("https://example.com/?r=x%3Djane%252Bnews%2540example.com", "https://example.com/?r={M}"),
        ("https://example.com/?a=x@y.com,z@w.org", "https://example.com/?a={M}"),
        ("https://example.com/?email=JANE%40EXAMPLE.COM.", "https://example.com/?email={M}"),
        ("https://example.com/?to=JANE%40EXAMPLE.COM.", "https://example.com/?to={M}"),
        ("https://example.com/a.b@c.d.co..?x=1", "https://example.com/{M}?x=1"),
        ("mailto:jane@example.com", "{M}"),
        ("https://example.com/p;jsessionid=1;u=jane@example.com", "https://example.com/p;jsessionid=1;u={M}"),
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
    fn redacts_every_url_of_a_lease_request() {
        let address = "?utm_source=newsletter&email=jane%40example.com";
        let body = format!(
            r#"{{"session":"abcdefghijklmnop","targets":["+12125550100"],
            "page":{{"url":"https://a.com/{address}","referrer":"https://mail.example/u/jane@example.com"}},
            "journey":{{"first":{{"landing":"https://a.com/p/jane@example.com","referrer":"","at":1}},
            "last":{{"landing":"https://a.com/{address}","referrer":"https://b.com/?e=x","at":2}}}}}}"#
        );
        let mut request: crate::api::LeaseRequest = serde_json::from_str(&body).unwrap();
        redact_lease(&mut request, &[]);
        let text = format!("{request:?}");
        assert!(!text.contains("jane"), "{text}");
        assert_eq!(
            request.page.url,
            "https://a.com/?utm_source=newsletter&email=(redacted)"
        );
        let first = request.journey.first.unwrap();
        assert_eq!(first.landing, "https://a.com/p/(redacted)");
        assert_eq!(
            request.journey.last.unwrap().referrer,
            "https://b.com/?e=(redacted)"
        );
    }

    #[test]
    fn masks_callers_numbers() {
        // (caller, digits shown, what a report shows)
        let table: &[(&str, u8, &str)] = &[
            ("+13105550199", 4, "+*******0199"),
            ("+13105550199", 0, "+***********"),
            ("+13105550199", 6, "+*****550199"),
            ("+13105550199", 15, "+13105550199"),
            ("+442079460958", 4, "+********0958"),
            ("(310) 555-0199", 4, "(***) ***-0199"),
            ("123", 4, "123"),
            ("", 4, ""),
            ("anonymous", 4, "anonymous"),
            ("Restricted", 4, "Restricted"),
            ("client:jane", 4, "******:****"),
            ("sip:jane@example.com", 4, "***:************.***"),
        ];
        for &(caller, digits, want) in table {
            assert_eq!(mask_caller(caller, digits), want, "{caller} {digits}");
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
            assert!(is_exempt(name.as_bytes()), "{name}");
        }
        for name in ["email", "UTM_SOURCE", "utm", "gclid2"] {
            assert!(!is_exempt(name.as_bytes()), "{name}");
        }
    }
}
