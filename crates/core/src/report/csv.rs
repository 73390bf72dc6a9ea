//! The calls list as CSV (RFC 4180: CRLF line ends, a header row, fields with a comma, quote or
//! line break quoted, quotes doubled), safe to open in a spreadsheet: a cell that starts with
//! `=`, `+`, `-`, `@`, a tab or a carriage return is a formula there, so it gets a leading `'`
//! (OWASP's advice), unless it is a plain number such as `+12125550100` or `-1.5`, which a
//! spreadsheet cannot run.

#[allow(unused_imports)]
use crate::prelude::*;

use serde_json::Value;

use super::fields::{self, Field};
use crate::civil::Zone;

/// One cell, escaped.
pub fn cell(value: &str) -> String {
    let risky = matches!(
        value.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    ) && !plain_number(value);
    let mut text = String::with_capacity(value.len() + 3);
    if risky {
        text.push('\'');
    }
    text.push_str(value);
    if text.contains([',', '"', '\r', '\n']) {
        ["\"", &text.replace('"', "\"\""), "\""].concat()
    } else {
        text
    }
}

fn plain_number(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|&b| b == b'.').count() <= 1
}

/// One line of cells, CRLF-terminated.
pub fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = String::new();
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&cell(c.as_ref()));
    }
    out.push_str("\r\n");
    out
}

/// A column of the export: its header and where its value is.
enum Source {
    Field(Field),
    Pointer(&'static str),
    LocalStart,
    /// The lead's kind (`call` for a record written before texts).
    Kind,
    /// A list of strings, one cell, `; ` between them.
    List(Field),
}

const COLUMNS: &[(&str, Source)] = &[
    ("started_at", Source::LocalStart),
    ("call_sid", Source::Pointer("/call_sid")),
    ("kind", Source::Kind),
    ("caller", Source::Pointer("/caller")),
    ("tracking_number", Source::Field(fields::TRACKING_NUMBER)),
    ("number_kind", Source::Field(fields::NUMBER_KIND)),
    ("status", Source::Field(fields::STATUS)),
    ("duration_s", Source::Field(fields::DURATION)),
    ("channel", Source::Field(fields::CHANNEL)),
    ("source", Source::Field(fields::SOURCE)),
    ("medium", Source::Field(fields::MEDIUM)),
    ("campaign", Source::Field(fields::CAMPAIGN)),
    ("keyword", Source::Field(fields::KEYWORD)),
    ("landing_page", Source::Field(fields::LANDING_PAGE)),
    ("confidence", Source::Field(fields::CONFIDENCE)),
    ("first_time", Source::Field(fields::FIRST_TIME)),
    ("dial_status", Source::Field(fields::DIAL_STATUS)),
    ("gclid", Source::Pointer("/gclid")),
    ("lead_status", Source::Field(fields::LEAD_STATUS)),
    ("tags", Source::List(fields::TAGS)),
    ("lead_value", Source::Pointer("/qualification/value")),
];

/// The header row.
pub fn header() -> String {
    let names: Vec<&str> = COLUMNS.iter().map(|(h, _)| *h).collect();
    line(&names)
}

/// One call's row (the record as the viewer may see it; its start in the site's zone).
pub fn row(record: &Value, started_at: crate::Millis, zone: &Zone) -> String {
    let cells: Vec<String> = COLUMNS
        .iter()
        .map(|(_, source)| match source {
            Source::LocalStart => zone.local_time(started_at),
            Source::Field(f) => text(record.pointer(&f.pointer())),
            Source::Pointer(p) => text(record.pointer(p)),
            Source::Kind => match text(record.pointer("/kind")) {
                k if k.is_empty() => "call".to_owned(),
                k => k,
            },
            Source::List(f) => record
                .pointer(&f.pointer())
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default(),
        })
        .collect();
    line(&cells)
}

fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_cells() {
        let table = [
            ("plain", "plain"),
            ("", ""),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\r\nlines", "\"two\r\nlines\""),
            (
                "=HYPERLINK(\"http://x\")",
                "\"'=HYPERLINK(\"\"http://x\"\")\"",
            ),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("+12125550100", "+12125550100"),
            ("-1.5", "-1.5"),
            ("1.0", "1.0"),
            ("+", "'+"),
            ("-1.2.3", "'-1.2.3"),
        ];
        for (value, want) in table {
            assert_eq!(cell(value), want, "{value:?}");
        }
    }

    #[test]
    fn writes_rows_in_the_sites_zone() {
        let record = serde_json::json!({
            "call_sid": "CA1", "caller": "+13105550199", "tracking_number": "+12125550101",
            "number_kind": "pool", "status": "answered", "duration_s": 42,
            "channel": "Paid Search", "source": "google", "medium": "cpc",
            "campaign": "spring, \"sale\"", "term": "=1+1", "landing_page": "https://ex.com/",
            "confidence": 1.0, "gclid": null
        });
        let zone = Zone::named("America/New_York").unwrap();
        let got = row(&record, 1_764_600_000_000, &zone);
        assert_eq!(
            got,
            "2025-12-01 09:40:00,CA1,call,+13105550199,+12125550101,pool,answered,42,Paid Search,\
             google,cpc,\"spring, \"\"sale\"\"\",'=1+1,https://ex.com/,1.0,,,,,,\r\n"
        );
        assert!(header().starts_with("started_at,call_sid,kind,caller,"));
        assert!(header().ends_with(",gclid,lead_status,tags,lead_value\r\n"));
        let mut text = record.clone();
        text["kind"] = "text".into();
        text["status"] = "received".into();
        assert!(row(&text, 1_764_600_000_000, &zone).starts_with("2025-12-01 09:40:00,CA1,text,"));
        assert_eq!(header().matches(',').count(), got.matches(',').count() - 1);
        // A qualified call: its status, tags and value.
        let mut qualified = record.clone();
        qualified["qualification"] = serde_json::json!({"tags": ["booked", "quote, given"], "status": "good", "value": 250.0});
        let got = row(&qualified, 1_764_600_000_000, &zone);
        assert!(
            got.ends_with(",good,\"booked; quote, given\",250.0\r\n"),
            "{got}"
        );
    }
}
