//! Google Ads' offline-conversion import file, for owners who will not hand out API credentials:
//! Google Ads' scheduled import fetches it over HTTPS. The first line gives the time zone of the
//! times below it; then the header row and one row per converting call with a `gclid` (the file
//! format has no column for gbraid or wbraid).

#[allow(unused_imports)]
use crate::prelude::*;

use super::facts::{CallFacts, GoogleClick};
use super::settings::ConversionRule;
use crate::civil;

/// The header row.
pub const HEADER: &str =
    "Google Click ID,Conversion Name,Conversion Time,Conversion Value,Conversion Currency";

/// A CSV field, quoted when it has to be (RFC 4180).
fn field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        ["\"", &value.replace('"', "\"\""), "\""].concat()
    } else {
        value.to_owned()
    }
}

/// The file, with CRLF line ends. Calls without a gclid are left out. The times are local times in
/// the site's zone, which the first line names (Google takes an IANA zone id or a `±hhmm` offset).
pub fn feed<'a>(
    conversions: impl IntoIterator<Item = (&'a CallFacts, &'a ConversionRule)>,
    zone: &civil::Zone,
) -> String {
    let mut out = ["Parameters:TimeZone=", zone.label(), "\r\n", HEADER, "\r\n"].concat();
    for (facts, rule) in conversions {
        let Some(GoogleClick::Gclid(gclid)) = &facts.google_click else {
            continue;
        };
        let row = [
            field(gclid),
            field(&rule.name),
            zone.local_time(facts.started_at),
            rule.value.to_string(),
            field(&rule.currency),
        ]
        .join(",");
        out.push_str(&row);
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::CallRecord;
    use crate::integrations::facts::facts_of;

    #[test]
    fn writes_googles_format() {
        let rule: ConversionRule =
            serde_json::from_str(r#"{"name":"Call, qualified","value":49.5}"#).unwrap();
        let mut a = facts_of(&CallRecord::new(
            "CA1",
            "demo",
            "+1",
            "+12125550101",
            1_772_370_309_000,
        ));
        a.google_click = Some(GoogleClick::Gclid("G1".into()));
        let mut b = a.clone();
        b.google_click = Some(GoogleClick::Gbraid("B1".into()));
        let mut c = a.clone();
        c.google_click = None;
        // A call in summer, in the same file: its own local time (EDT), under the same zone line.
        let mut d = a.clone();
        d.started_at = 1_783_180_800_000; // 2026-07-04 16:00:00 UTC
        let ny = civil::Zone::of(Some("America/New_York"), None);
        let text = feed([(&a, &rule), (&b, &rule), (&c, &rule), (&d, &rule)], &ny);
        assert_eq!(
            text,
            "Parameters:TimeZone=America/New_York\r\nGoogle Click ID,Conversion Name,Conversion Time,Conversion Value,Conversion Currency\r\n\
             G1,\"Call, qualified\",2026-03-01 08:05:09,49.5,USD\r\n\
             G1,\"Call, qualified\",2026-07-04 12:00:00,49.5,USD\r\n"
        );
        // An old configuration with a fixed offset only.
        assert_eq!(
            feed([(&a, &rule)], &civil::Zone::of(None, Some(60))),
            [
                "Parameters:TimeZone=+0100\r\n",
                HEADER,
                "\r\nG1,\"Call, qualified\",2026-03-01 14:05:09,49.5,USD\r\n"
            ]
            .concat()
        );
    }
}

/// The password of an `Authorization: Basic` header (Google Ads' scheduled import fetches a file
/// with a user name and password over HTTPS); the user name is not checked.
#[cfg(feature = "provider")]
pub fn basic_password(header: &str) -> Option<String> {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    let encoded = header.trim().strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    decoded.split_once(':').map(|(_, p)| p.to_owned())
}

#[cfg(all(test, feature = "provider"))]
mod auth_tests {
    #[test]
    fn reads_basic_passwords() {
        // "google:feed-secret", "x:" and "nocolon" in base64.
        let table = [
            ("Basic Z29vZ2xlOmZlZWQtc2VjcmV0", Some("feed-secret")),
            ("Basic eDo=", Some("")),
            ("Basic bm9jb2xvbg==", None),
            ("Basic !!!", None),
            ("Bearer Z29vZ2xlOmZlZWQtc2VjcmV0", None),
        ];
        for (header, want) in table {
            assert_eq!(super::basic_password(header).as_deref(), want, "{header}");
        }
    }
}
