//! A small URL reader: exactly the parts classification needs (scheme, host, path, query parameters)
//! and the form decoding webhooks need.
//!
//! Why not the `url` crate: it carries IDNA and Unicode tables that add about 80 KB gzip to the browser
//! module, and the browser already has a full URL parser. Classification needs only a lenient reader
//! that never fails hard: a malformed landing page or referrer must still classify (as Direct or
//! Unassigned), never panic.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::text;

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
        let (scheme, host, after) = parts(input)?;
        let (before_fragment, fragment) = text::split_once(after, b'#').unwrap_or((after, ""));
        let (path, query) =
            text::split_once(before_fragment, b'?').unwrap_or((before_fragment, ""));
        Some(Url {
            scheme,
            host: normalize_host(host),
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

/// Splits `scheme://authority/rest` into the scheme, the host as written (no user info, port or
/// trailing dot) and what follows the authority. `None` without a scheme or a host. Byte-level on
/// purpose: it runs for every referrer, landing page and own host a classification looks at.
pub fn parts(input: &str) -> Option<(&str, &str, &str)> {
    // ASCII whitespace only: it is all a URL can carry at its ends, and it is cheaper to check.
    let (scheme, rest) = text::split_once(input.trim_ascii(), b':')?;
    let rest = rest.strip_prefix("//")?;
    // Plain loops: see `text`.
    let mut at = 0;
    while let Some(&b) = scheme.as_bytes().get(at) {
        if !(b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.') {
            return None;
        }
        at += 1;
    }
    if scheme.is_empty() {
        return None;
    }
    let mut authority_end = 0;
    while let Some(&b) = rest.as_bytes().get(authority_end) {
        if matches!(b, b'/' | b'?' | b'#' | b'\\') {
            break;
        }
        authority_end += 1;
    }
    // `get`, not `split_at`: the split is at an ASCII byte, but a slice that cannot panic keeps the
    // panic message formatting out of the browser module.
    let authority = rest.get(..authority_end).unwrap_or(rest);
    let after = rest.get(authority_end..).unwrap_or_default();
    let host_port = match text::rfind_byte(authority, b'@') {
        Some(at) => authority.get(at + 1..).unwrap_or_default(),
        None => authority,
    };
    let host = text::trim_end_byte(strip_port(host_port), b'.');
    if host.is_empty() {
        return None;
    }
    Some((scheme, host, after))
}

/// Where the authority of an absolute URL ends: the offset in `input` of what [`parts`] returns
/// third, `None` exactly where it is `None`. The same reading without the parts, for the
/// redaction, which runs on the page and only needs where the path starts (a property test holds
/// the two together).
pub fn authority_end(input: &str) -> Option<usize> {
    let b = input.as_bytes();
    // ASCII white space at either end is not the URL's (`trim_ascii`).
    let mut end = b.len();
    while end > 0 && b.get(end - 1).is_some_and(u8::is_ascii_whitespace) {
        end -= 1;
    }
    let mut i = 0;
    while i < end && b.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    // The scheme: up to the first `:`, not empty, of letters, digits, `+`, `-` and `.`.
    let start = i;
    loop {
        match b.get(i) {
            Some(b':') if i < end && i > start => break,
            Some(&c)
                if i < end && (c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')) =>
            {
                i += 1
            }
            _ => return None,
        }
    }
    if end < i + 3 || b.get(i + 1..i + 3) != Some(b"//") {
        return None;
    }
    // The authority: to the first `/`, `?`, `#` or `\`; the host after its last `@`, without its
    // port (or, in brackets, an IPv6 literal) and trailing dots, must not be empty.
    let mut host = i + 3;
    let mut stop = host;
    while stop < end && !matches!(b.get(stop), Some(b'/' | b'?' | b'#' | b'\\')) {
        if b.get(stop) == Some(&b'@') {
            host = stop + 1;
        }
        stop += 1;
    }
    let mut host_end = stop;
    if b.get(host) == Some(&b'[') {
        host += 1;
        host_end = host;
        while host_end < stop && b.get(host_end) != Some(&b']') {
            host_end += 1;
        }
    } else {
        let mut k = stop;
        while k > host {
            k -= 1;
            if b.get(k) == Some(&b':') {
                host_end = k;
                break;
            }
        }
    }
    while host_end > host && b.get(host_end - 1) == Some(&b'.') {
        host_end -= 1;
    }
    (host_end > host).then_some(stop)
}

/// The host of an absolute URL exactly as written (not lower-cased), without allocating: for
/// comparisons that ignore case anyway.
pub fn host_of(input: &str) -> Option<&str> {
    parts(input).map(|(_, host, _)| host)
}

/// `scheme://host/` of a URL (the host as written, port dropped), or empty when it has none: a
/// referrer reduced to the site it names, for visitors who allow no identifiers.
pub fn origin_of(input: &str) -> String {
    match parts(input) {
        Some((scheme, host, _)) => {
            let mut origin = String::with_capacity(scheme.len() + host.len() + 4);
            for part in &[scheme, "://", host, "/"] {
                origin.push_str(part);
            }
            origin
        }
        None => String::new(),
    }
}

/// The query string of a URL without `?` and fragment, or empty. Lenient on purpose: it also reads
/// `example.com/?utm_source=x`, which people paste, and which a strict reader would refuse.
pub fn query_of(input: &str) -> &str {
    match text::split_once(text::before(input, b'#'), b'?') {
        Some((_, query)) => text::trim_end(query),
        None => "",
    }
}

/// A host as classification compares it when case does not matter: an IDN host written in
/// Unicode in its ASCII (`xn--`) form with the `idn` feature, any other host as it is (without the
/// feature, every host as it is).
pub fn ascii_host(host: &str) -> alloc::borrow::Cow<'_, str> {
    if cfg!(feature = "idn") && !host.is_ascii() {
        alloc::borrow::Cow::Owned(normalize_host(host))
    } else {
        alloc::borrow::Cow::Borrowed(host)
    }
}

/// [`normalize_host`] without allocating when the host is already lower-case ASCII, as browsers
/// send it.
pub fn lower_host(host: &str) -> alloc::borrow::Cow<'_, str> {
    if host
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        alloc::borrow::Cow::Borrowed(host)
    } else {
        alloc::borrow::Cow::Owned(normalize_host(host))
    }
}

/// A host as classification compares it: ASCII lower-cased, and an internationalised (IDN) host in
/// its ASCII form (`bücher.example` becomes `xn--bcher-kva.example`), which is what browsers send in
/// `document.referrer`, so a site configured with either spelling recognises itself.
pub fn normalize_host(host: &str) -> String {
    if host.is_ascii() || cfg!(not(feature = "idn")) {
        return host.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(host.len() + 8);
    for (i, label) in host.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        if label.is_ascii() {
            out.push_str(&label.to_ascii_lowercase());
        } else if !punycode_label(label, &mut out) {
            // Not encodable (absurdly long): keep it as written; it will simply match nothing.
            return host.to_ascii_lowercase();
        }
    }
    out
}

#[cfg_attr(not(feature = "idn"), allow(dead_code))]
/// Appends `xn--` and the RFC 3492 (Punycode) encoding of one non-ASCII label. ASCII letters are
/// lower-cased; other characters are kept as they are (browsers have already case-folded them).
/// Returns false on arithmetic overflow, which only absurdly long labels reach.
fn punycode_label(label: &str, out: &mut String) -> bool {
    const BASE: u32 = 36;
    const T_MIN: u32 = 1;
    const T_MAX: u32 = 26;
    const SKEW: u32 = 38;
    const DAMP: u32 = 700;
    fn digit(d: u32) -> char {
        // 0..=25 are a..=z, 26..=35 are 0..=9.
        let byte = if d < 26 {
            b'a' + d as u8
        } else {
            b'0' + (d - 26) as u8
        };
        char::from(byte)
    }
    fn adapt(mut delta: u32, points: u32, first: bool) -> u32 {
        delta /= if first { DAMP } else { 2 };
        delta += delta / points.max(1);
        let mut k = 0;
        while delta > ((BASE - T_MIN) * T_MAX) / 2 {
            delta /= BASE - T_MIN;
            k += BASE;
        }
        k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
    }
    let chars: Vec<u32> = label
        .chars()
        .map(|c| u32::from(c.to_ascii_lowercase()))
        .collect();
    out.push_str("xn--");
    let basic = chars.iter().filter(|&&c| c < 0x80).count();
    for &c in chars.iter().filter(|&&c| c < 0x80) {
        out.extend(char::from_u32(c));
    }
    if basic > 0 {
        out.push('-');
    }
    let (mut n, mut delta, mut bias) = (0x80_u32, 0_u32, 72_u32);
    let mut handled = basic as u32;
    let total = chars.len() as u32;
    while handled < total {
        let Some(m) = chars.iter().copied().filter(|&c| c >= n).min() else {
            return false;
        };
        let Some(next) = (m - n)
            .checked_mul(handled + 1)
            .and_then(|d| delta.checked_add(d))
        else {
            return false;
        };
        delta = next;
        n = m;
        for &c in &chars {
            if c < n {
                let Some(next) = delta.checked_add(1) else {
                    return false;
                };
                delta = next;
            } else if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        T_MIN
                    } else if k >= bias + T_MAX {
                        T_MAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic as u32);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.saturating_add(1);
        n += 1;
    }
    true
}

fn strip_port(host_port: &str) -> &str {
    if host_port.as_bytes().first() == Some(&b'[') {
        let rest = host_port.get(1..).unwrap_or_default();
        // IPv6 literal: keep the brackets' content.
        return match text::find_byte(rest, b']') {
            Some(end) => rest.get(..end).unwrap_or_default(),
            None => rest,
        };
    }
    match text::rfind_byte(host_port, b':') {
        Some(colon) => host_port.get(..colon).unwrap_or_default(),
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
    if !text::has(input, b'%') && !text::has(input, b'+') {
        return input.to_owned();
    }
    from_utf8_lossy(&decode_bytes(input.as_bytes()))
}

/// [`decode_component`]'s bytes, before they are read as UTF-8: for code that looks only for
/// ASCII in what it decodes (redaction), which then carries no UTF-8 reader.
pub fn decode_bytes(input: &[u8]) -> Vec<u8> {
    // In place: the decoded bytes are never more than the written ones.
    let mut out = input.to_vec();
    let (mut i, mut len) = (0, 0);
    while let Some(&b) = input.get(i) {
        let escaped = match (b, input.get(i + 1), input.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) => hex(h).zip(hex(l)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        if let Some(slot) = out.get_mut(len) {
            *slot = match escaped {
                Some(byte) => {
                    i += 2;
                    byte
                }
                None if b == b'+' => b' ',
                None => b,
            };
        }
        len += 1;
        i += 1;
    }
    out.truncate(len);
    out
}

/// `String::from_utf8_lossy`: valid UTF-8 as it is, and each maximal invalid subsequence (the
/// longest start of a valid sequence, or one byte) as U+FFFD. Written out because the standard one
/// brings a chunk iterator and the validator into the browser module.
fn from_utf8_lossy(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&lead) = bytes.get(i) {
        // The sequence's length and the range of its second byte (the only one narrower than
        // 0x80..=0xBF: it excludes overlong forms, surrogates and code points past U+10FFFF).
        let (len, low, high) = match lead {
            0x00..=0x7F => {
                out.push(char::from(lead));
                i += 1;
                continue;
            }
            0xC2..=0xDF => (2, 0x80, 0xBF),
            0xE0 => (3, 0xA0, 0xBF),
            0xE1..=0xEC | 0xEE | 0xEF => (3, 0x80, 0xBF),
            0xED => (3, 0x80, 0x9F),
            0xF0 => (4, 0x90, 0xBF),
            0xF1..=0xF3 => (4, 0x80, 0xBF),
            0xF4 => (4, 0x80, 0x8F),
            _ => (1, 0, 0),
        };
        let mut code = u32::from(lead) & (0x7F >> len);
        let mut n = 1;
        while n < len {
            let range = if n == 1 { low..=high } else { 0x80..=0xBF };
            match bytes.get(i + n) {
                Some(&b) if range.contains(&b) => code = code << 6 | u32::from(b & 0x3F),
                _ => break,
            }
            n += 1;
        }
        let valid = n == len && len > 1;
        out.push(
            char::from_u32(code)
                .filter(|_| valid)
                .unwrap_or(char::REPLACEMENT_CHARACTER),
        );
        i += n;
    }
    out
}

/// The value of a hexadecimal digit.
pub(crate) fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Appends `value` percent-encoded: every byte but RFC 3986's unreserved characters (letters,
/// digits, `-_.~`) as `%XX`. For query values and form fields we write.
pub fn push_percent_encoded(out: &mut String, value: &str) {
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            text::push_hex(out, b, text::HEX_UPPER);
        }
    }
}

/// `value` percent-encoded (see [`push_percent_encoded`]).
pub fn percent_encoded(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    push_percent_encoded(&mut out, value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encodes_all_but_the_unreserved() {
        let table = [
            ("G-ABC123", "G-ABC123"),
            ("a b/c+d=é", "a%20b%2Fc%2Bd%3D%C3%A9"),
            ("~._-", "~._-"),
            ("\u{1}&", "%01%26"),
        ];
        for (raw, want) in table {
            assert_eq!(percent_encoded(raw), want);
        }
    }

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
                "xn--bcher-kva.example",
                "/",
                "",
            ),
            (
                "https://www.example.com\\path?x=1",
                "https",
                "www.example.com",
                "\\path",
                "x=1",
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
    fn writes_idn_hosts_in_ascii() {
        // Known IDN spellings (RFC 3492 section 7.1 and registries' published examples).
        let table = [
            ("bücher.example", "xn--bcher-kva.example"),
            ("München.DE", "xn--mnchen-3ya.de"),
            ("яндекс.рф", "xn--d1acpjx3f.xn--p1ai"),
            ("例え.テスト", "xn--r8jz45g.xn--zckzah"),
            ("ليهمابتكلموشعربي؟", "xn--egbpdaj6bu4bxfgehfvwxn"),
            ("他们为什么不说中文", "xn--ihqwcrb4cv8a8dqg056pqjye"),
            ("Example.COM", "example.com"),
            ("", ""),
        ];
        for (input, want) in table {
            assert_eq!(normalize_host(input), want, "{input}");
        }
        assert_eq!(host_of(" https://Üx.example:443/a"), Some("Üx.example"));
        assert_eq!(query_of("example.com/?utm_source=a#b?c"), "utm_source=a");
        assert_eq!(query_of("https://example.com/#/x?utm_source=a"), "");
    }

    #[test]
    fn reduces_a_url_to_its_origin() {
        let table = [
            (
                "https://www.google.com/search?q=private+words",
                "https://www.google.com/",
            ),
            (
                "http://user:pw@example.org:8080/a?b#c",
                "http://example.org/",
            ),
            (
                "android-app://com.google.android.gm/",
                "android-app://com.google.android.gm/",
            ),
            ("", ""),
            ("not a url", ""),
        ];
        for (input, want) in table {
            assert_eq!(origin_of(input), want, "{input:?}");
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
    fn replaces_invalid_utf8_as_the_standard_library_does() {
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                let bytes = [a, b, b'x'];
                assert_eq!(
                    from_utf8_lossy(&bytes),
                    String::from_utf8_lossy(&bytes),
                    "{bytes:x?}"
                );
            }
        }
    }

    proptest::proptest! {
        /// `authority_end` reads a URL as `parts` does.
        #[test]
        fn authority_end_is_where_parts_ends_the_authority(
            s in "[ \\t]{0,2}([a-zA-Z0-9+.-]{0,3}|[hH]ttps?|x y|%)(:|://|:/|)([^ /?#]{0,3}[@:\\[\\].a]{0,3}){0,3}[a:@.\\[\\] ]{0,2}([/?#\\\\][a-z@:/.]{0,4})?[ \\t\\n]{0,2}"
        ) {
            let want = parts(&s).map(|(_, _, after)| after.as_ptr() as usize - s.as_ptr() as usize);
            proptest::prop_assert_eq!(authority_end(&s), want, "{:?}", s);
        }

        #[test]
        fn replaces_invalid_utf8_in_any_sequence(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::prelude::any::<u8>(),
                    0x80..=0xBFu8,
                    0xC2..=0xF4u8,
                    proptest::sample::select(vec![0xE0u8, 0xED, 0xF0, 0xF4, 0x9F, 0xA0, 0x8F, 0x90]),
                ],
                0..12,
            )
        ) {
            proptest::prop_assert_eq!(from_utf8_lossy(&bytes), String::from_utf8_lossy(&bytes));
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
