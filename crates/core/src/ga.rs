//! Google Analytics cookies: the client id from `_ga` and the session id from `_ga_<stream>`, so that a
//! call can later be sent to GA4 in the visitor's own session.

#[allow(unused_imports)]
use crate::prelude::*;

/// The GA4 client id (`<random>.<timestamp>`) from a `_ga` cookie value such as `GA1.1.123.456`.
pub fn client_id(ga_cookie: &str) -> Option<String> {
    let mut parts = ga_cookie.trim().splitn(3, '.');
    let version = parts.next()?;
    let _depth = parts.next()?;
    let id = parts.next()?;
    let valid = version.starts_with("GA")
        && id.split('.').count() == 2
        && id
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    valid.then(|| id.to_owned())
}

/// The session id from a `_ga_<stream>` cookie value, in either format:
/// GS1 `GS1.1.<session id>.<session number>.<engaged>.<timestamp>...` or
/// GS2 `GS2.1.s<session id>$o<session number>$g<engaged>$t<timestamp>...`.
pub fn session_id(ga_stream_cookie: &str) -> Option<String> {
    let value = ga_stream_cookie.trim();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = value.strip_prefix("GS1.") {
        let sid = rest.split('.').nth(1)?;
        return digits(sid).then(|| sid.to_owned());
    }
    if let Some(rest) = value.strip_prefix("GS2.") {
        let fields = rest.split_once('.')?.1;
        let sid = fields.split('$').find_map(|f| f.strip_prefix('s'))?;
        return digits(sid).then(|| sid.to_owned());
    }
    None
}

/// The raw `_ga` and first `_ga_<stream>` values from a `Cookie` header or `document.cookie` (empty
/// when absent; values longer than 128 bytes are ignored).
pub fn cookies(header: &str) -> (String, String) {
    let (mut client, mut session) = (String::new(), String::new());
    for pair in crate::text::split(header, b';') {
        let Some((name, value)) = crate::text::split_once(pair, b'=') else {
            continue;
        };
        let (name, value) = (crate::text::trim(name), crate::text::trim(value));
        if value.len() > 128 {
            continue;
        }
        if name == "_ga" && client.is_empty() {
            client = value.to_owned();
        } else if name.starts_with("_ga_") && session.is_empty() {
            session = value.to_owned();
        }
    }
    (client, session)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_client_ids() {
        let table = [
            ("GA1.1.1234567890.1700000000", Some("1234567890.1700000000")),
            ("GA1.2.99.88", Some("99.88")),
            (" GA1.1.1.2 ", Some("1.2")),
            ("GA1.1.abc.1700000000", None),
            ("GA1.1.123", None),
            ("", None),
            ("XX1.1.1.2", None),
        ];
        for (cookie, want) in table {
            assert_eq!(client_id(cookie).as_deref(), want, "{cookie:?}");
        }
    }

    #[test]
    fn finds_the_ga_cookies() {
        let table = [
            (
                "_ga=GA1.1.1.2; _ga_ABC=GS2.1.s9$o1; other=x",
                ("GA1.1.1.2", "GS2.1.s9$o1"),
            ),
            (
                "other=x;_ga_X1=GS1.1.5.1;  _ga=GA1.2.3.4",
                ("GA1.2.3.4", "GS1.1.5.1"),
            ),
            ("_gat=1; _gid=GA1.1.9.9", ("", "")),
            ("", ("", "")),
        ];
        for (header, (client, session)) in table {
            assert_eq!(
                cookies(header),
                (client.to_owned(), session.to_owned()),
                "{header}"
            );
        }
    }

    #[test]
    fn reads_session_ids_in_both_formats() {
        let table = [
            ("GS1.1.1700000123.3.1.1700000456.0.0.0", Some("1700000123")),
            (
                "GS2.1.s1700000123$o3$g1$t1700000456$j60$l0$h0",
                Some("1700000123"),
            ),
            ("GS2.1.o3$s1700000999$g1", Some("1700000999")),
            ("GS1.1.x.3", None),
            ("GS2.1.sabc$o1", None),
            ("GS3.1.s1$o1", None),
            ("", None),
        ];
        for (cookie, want) in table {
            assert_eq!(session_id(cookie).as_deref(), want, "{cookie:?}");
        }
    }
}
