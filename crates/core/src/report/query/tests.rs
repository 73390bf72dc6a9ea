use super::*;
use crate::civil::{self, Date};

fn pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.replace("%20", " "))
        })
        .collect()
}

fn today() -> Date {
    civil::parse_date("2026-11-30").unwrap()
}

fn ny() -> Zone {
    Zone::named("America/New_York").unwrap()
}

#[test]
fn reads_list_requests() {
    // (query string, what is wrong, or None when it is accepted)
    let table: &[(&str, Option<&str>)] = &[
        ("", None),
        (
            "from=2026-11-01&to=2026-11-30&channel=paid%20search&status=answered",
            None,
        ),
        (
            "first_time=true&number_kind=static&min_confidence=0.5&limit=500",
            None,
        ),
        ("format=csv&cursor=312e4341", None),
        ("kind=text", None),
        ("kind=call&status=missed", None),
        ("kind=fax", Some("kind must be call or text")),
        ("lead_status=spam&tag=Quote%20given", None),
        ("lead_status=none", None),
        (
            "lead_status=maybe",
            Some("lead_status must be good, bad, spam or none"),
        ),
        (
            "lead_status=None",
            Some("lead_status must be good, bad, spam or none"),
        ),
        (
            "tag=a;b",
            Some("tag: a tag has letters, digits, '-', '_' and spaces only"),
        ),
        ("channel=Television", Some("unknown channel: Television")),
        ("status=maybe", Some("status must be answered or missed")),
        ("first_time=yes", Some("first_time must be true or false")),
        (
            "number_kind=mobile",
            Some("number_kind must be pool, static or unknown"),
        ),
        (
            "min_confidence=1.5",
            Some("min_confidence is out of range or not a number"),
        ),
        ("limit=0", Some("limit is out of range or not a number")),
        ("limit=501", Some("limit is out of range or not a number")),
        ("cursor=zz", Some("bad cursor")),
        ("format=xml", Some("format must be json or csv")),
        (
            "from=2026-12-01&to=2026-11-01",
            Some("from must not be after to"),
        ),
        (
            "from=2024-01-01",
            Some("the date range is longer than 400 days"),
        ),
        ("from=11/01/2026", Some("from must be a date, YYYY-MM-DD")),
        ("colour=red", Some("unknown parameter: colour")),
        ("test=only", None),
        ("test=yes", Some("test must be exclude, include or only")),
    ];
    for (q, want) in table {
        let got = list_query(&pairs(q), &ny(), today()).err().map(|e| e.0);
        assert_eq!(got.as_deref(), *want, "{q}");
    }
    let long = ["campaign=", &"x".repeat(MAX_VALUE + 1)].concat();
    assert_eq!(
        list_query(&pairs(&long), &ny(), today()).err().map(|e| e.0),
        Some("campaign is too long".to_owned())
    );
}

#[test]
fn default_range_is_the_last_30_local_days() {
    let q = list_query(&[], &ny(), today()).unwrap();
    assert_eq!(
        (q.filter.from.as_str(), q.filter.to.as_str()),
        ("2026-11-01", "2026-11-30")
    );
    // Midnight in New York, EDT on Nov 1st, EST on Dec 1st.
    assert_eq!(q.filter.range, (1_793_505_600_000, 1_796_101_200_000));
    assert_eq!((q.limit, q.csv), (DEFAULT_PAGE, false));
}

#[test]
fn writes_the_list_query_with_bound_parameters() {
    let q = list_query(
        &pairs("from=2026-11-01&to=2026-11-01&channel=Paid%20Search&campaign=x'%20OR%201=1&status=missed&first_time=false&min_confidence=0.5&limit=10&cursor=312e4341"),
        &Zone::utc(),
        today(),
    )
    .unwrap();
    let sql = list_sql(&q);
    assert_eq!(
        sql.text,
        "SELECT call_sid, started_at, record FROM calls WHERE started_at >= ? AND started_at < ? \
         AND r_channel = ? AND r_campaign = ? AND r_status = ? AND r_first_time = ? \
         AND r_confidence >= ? AND (started_at < ? OR (started_at = ? AND call_sid > ?)) \
         ORDER BY started_at DESC, call_sid ASC LIMIT ?"
    );
    assert_eq!(
        sql.params,
        vec![
            Param::Int(1_793_491_200_000),
            Param::Int(1_793_577_600_000),
            Param::Text("Paid Search".into()),
            Param::Text("x' OR 1=1".into()),
            Param::Text("missed".into()),
            Param::Int(0),
            Param::Real(0.5),
            Param::Int(1),
            Param::Int(1),
            Param::Text("CA".into()),
            Param::Int(11),
        ]
    );
    assert_eq!(sql.text.matches('?').count(), sql.params.len());
}

/// The list shows test calls by default, the reports leave them out; `?test=` says otherwise.
#[test]
fn test_calls_in_lists_and_reports() {
    // (a report (true) or the list, query string, the clause on the test mark, if any)
    let table = [
        (false, "", None),
        (false, "test=include", None),
        (false, "test=exclude", Some(" AND test = 0")),
        (false, "test=only", Some(" AND test = 1")),
        (false, "format=csv", Some(" AND test = 0")),
        (false, "format=csv&test=include", None),
        (true, "", Some(" AND test = 0")),
        (true, "test=exclude", Some(" AND test = 0")),
        (true, "test=include", None),
        (true, "test=only", Some(" AND test = 1")),
    ];
    for (report, q, want) in table {
        let sql = if report {
            report_sql(
                &report_query("channel", &pairs(q), &ny(), today()).unwrap(),
                &ny(),
            )
        } else {
            list_sql(&list_query(&pairs(q), &ny(), today()).unwrap())
        };
        let got = [" AND test = 0", " AND test = 1"]
            .into_iter()
            .find(|c| sql.text.contains(c));
        assert_eq!(got, want, "report={report} {q}: {}", sql.text);
    }
    // The pool's history reads no calls: no such filter there.
    assert!(range_query(&pairs("test=include"), &ny(), today()).is_err());
}

#[test]
fn writes_report_queries() {
    // (report, what its SQL must contain, how it ends)
    let table = [
        ("summary", "SELECT '' AS key", "started_at < ? AND test = 0"),
        (
            "channel",
            "SELECT COALESCE(r_channel, '') AS key",
            "ORDER BY calls DESC, key LIMIT ?",
        ),
        (
            "source_medium",
            "COALESCE(r_source, '') || ' / ' || COALESCE(r_medium, '')",
            "LIMIT ?",
        ),
        ("keyword", "COALESCE(r_keyword, '') AS key", "LIMIT ?"),
        (
            "landing_page",
            "COALESCE(r_landing_page, '') AS key",
            "LIMIT ?",
        ),
        (
            "tracking_number",
            "COALESCE(r_tracking_number, '') AS key",
            "LIMIT ?",
        ),
        (
            "confidence",
            "CASE WHEN r_confidence >= 1 THEN '1'",
            "GROUP BY key ORDER BY key",
        ),
        // The clocks go back on Nov 1st in New York: two offsets over the range.
        (
            "day",
            "CAST((started_at + CASE WHEN started_at < ? THEN ? ELSE ? END) / 86400000 AS INTEGER) AS key",
            "GROUP BY key ORDER BY key",
        ),
    ];
    for (by, contains, ends) in table {
        let q = report_query(by, &pairs("from=2026-10-20&to=2026-11-10"), &ny(), today()).unwrap();
        let sql = report_sql(&q, &ny());
        assert!(sql.text.contains(contains), "{by}: {}", sql.text);
        assert!(sql.text.ends_with(ends), "{by}: {}", sql.text);
        assert_eq!(sql.text.matches('?').count(), sql.params.len(), "{by}");
    }
    // Without a daylight-saving change in the range, one offset.
    let q = report_query(
        "day",
        &pairs("from=2026-11-10&to=2026-11-20"),
        &ny(),
        today(),
    )
    .unwrap();
    let sql = report_sql(&q, &ny());
    assert!(
        sql.text
            .starts_with("SELECT CAST((started_at + ?) / 86400000 AS INTEGER) AS key"),
        "{}",
        sql.text
    );
    assert_eq!(sql.params[0], Param::Int(-5 * 3_600_000));
    assert_eq!(
        report_query("weather", &[], &ny(), today())
            .err()
            .map(|e| e.0),
        Some("unknown report: weather".to_owned())
    );
}

#[test]
fn shapes_reports() {
    let q = report_query(
        "day",
        &pairs("from=2026-11-01&to=2026-11-03"),
        &ny(),
        today(),
    )
    .unwrap();
    let day2 = civil::day_of_date(civil::parse_date("2026-11-02").unwrap()).unwrap();
    let rows = [GroupRow {
        key: day2.into(),
        calls: 4,
        answered: 3,
        missed: 1,
        talk_s: 300,
        texts: 0,
    }];
    let got: Vec<(String, i64, f64, f64)> = shape(&q, &rows)
        .into_iter()
        .map(|r| (r.key, r.calls, r.answered_rate, r.avg_talk_s))
        .collect();
    assert_eq!(
        got,
        vec![
            ("2026-11-01".to_owned(), 0, 0.0, 0.0),
            ("2026-11-02".to_owned(), 4, 0.75, 100.0),
            ("2026-11-03".to_owned(), 0, 0.0, 0.0),
        ]
    );
    let summary = report_query("summary", &[], &ny(), today()).unwrap();
    assert_eq!(shape(&summary, &[]).len(), 1);
    let channel = report_query("channel", &[], &ny(), today()).unwrap();
    let rows = [GroupRow {
        key: serde_json::Value::Null,
        calls: 1,
        answered: 0,
        missed: 0,
        talk_s: 0,
        texts: 1,
    }];
    assert_eq!(shape(&channel, &rows)[0].key, "");
    assert_eq!(shape(&channel, &rows)[0].texts, 1);
}

#[test]
fn reads_date_range_requests() {
    // (query, the range's local dates or the error)
    type Expected = Result<(&'static str, &'static str), &'static str>;
    let table: &[(&str, Expected)] = &[
        ("", Ok(("2026-11-01", "2026-11-30"))),
        (
            "from=2026-11-20&to=2026-11-22",
            Ok(("2026-11-20", "2026-11-22")),
        ),
        ("channel=Direct", Err("unknown parameter: channel")),
        ("limit=5", Err("unknown parameter: limit")),
        (
            "from=2026-11-22&to=2026-11-20",
            Err("from must not be after to"),
        ),
        ("from=yesterday", Err("from must be a date, YYYY-MM-DD")),
    ];
    for (q, want) in table {
        let got = range_query(&pairs(q), &ny(), today());
        let got = got
            .as_ref()
            .map(|f| (f.from.as_str(), f.to.as_str()))
            .map_err(|e| e.0.as_str());
        assert_eq!(got, *want, "{q}");
    }
}

/// Calls and texts: the kind filter and the kind report read the kind column (a record without a
/// kind is a call).
#[test]
fn kinds() {
    let q = list_query(&pairs("kind=text"), &ny(), today()).unwrap();
    assert_eq!(q.filter.kind, Some(LeadKind::Text));
    let sql = list_sql(&q);
    assert!(sql.text.contains(" AND r_kind = ?"), "{}", sql.text);
    assert!(sql.params.contains(&Param::Text("text".to_owned())));
    assert_eq!(list_query(&[], &ny(), today()).unwrap().filter.kind, None);
    let by_kind = report_query("kind", &[], &ny(), today()).unwrap();
    let sql = report_sql(&by_kind, &ny());
    assert!(
        sql.text.starts_with("SELECT r_kind AS key,"),
        "{}",
        sql.text
    );
    assert!(
        sql.text.contains("SUM(r_kind = 'text'), 0) AS texts"),
        "{}",
        sql.text
    );
    assert!(fields::KIND_MIGRATION[0].contains("COALESCE(json_extract(record, '$.kind'), 'call')"));
    assert!(fields::KIND_MIGRATION[2].contains("r_kind)"));
}

/// The lead's filters read the lead's columns (in the report index), never the record's JSON.
#[test]
fn filters_by_lead_status_and_tag() {
    // (query string, the clauses after the date range)
    let table: &[(&str, &str)] = &[
        ("", ""),
        ("lead_status=good", " AND r_lead_status = ?"),
        ("lead_status=spam", " AND r_lead_status = ?"),
        ("lead_status=none", " AND r_lead_status IS NULL"),
        (
            "tag=Booked",
            " AND EXISTS (SELECT 1 FROM json_each(r_tags) WHERE value = ?)",
        ),
        (
            "lead_status=bad&tag=%20Quote%20Given%20",
            " AND r_lead_status = ? AND EXISTS (SELECT 1 FROM json_each(r_tags) WHERE value = ?)",
        ),
        (
            "lead_status=none&tag=x",
            " AND r_lead_status IS NULL AND EXISTS (SELECT 1 FROM json_each(r_tags) WHERE value = ?)",
        ),
    ];
    // The parameters each row binds after the range's two.
    let bound = |q: &str| -> Vec<Param> {
        let mut p = Vec::new();
        for (k, v) in pairs(q) {
            match (k.as_str(), v.as_str()) {
                ("lead_status", "none") => {}
                ("lead_status", s) => p.push(Param::Text(s.to_owned())),
                // Tags are matched as stored: trimmed, lower case.
                ("tag", t) => p.push(Param::Text(t.trim().to_lowercase())),
                _ => {}
            }
        }
        p
    };
    for (q, clauses) in table {
        let full = ["from=2026-11-01&to=2026-11-01&", q].concat();
        let list = list_sql(&list_query(&pairs(&full), &Zone::utc(), today()).unwrap());
        let want = [
            "SELECT call_sid, started_at, record FROM calls WHERE started_at >= ? AND started_at < ?",
            clauses,
            " ORDER BY started_at DESC, call_sid ASC LIMIT ?",
        ]
        .concat();
        assert_eq!(list.text, want, "{q}");
        let mut params = vec![Param::Int(1_793_491_200_000), Param::Int(1_793_577_600_000)];
        params.extend(bound(q));
        params.push(Param::Int(i64::from(DEFAULT_PAGE) + 1));
        assert_eq!(list.params, params, "{q}");
        assert!(!list.text.contains("json_extract"), "{q}");
        // The reports write the same clauses (after the test mark's).
        let report = report_sql(
            &report_query("channel", &pairs(&full), &Zone::utc(), today()).unwrap(),
            &Zone::utc(),
        );
        let want = [" AND test = 0", clauses, " GROUP BY key"].concat();
        assert!(report.text.contains(&want), "{q}: {}", report.text);
        assert_eq!(report.text.matches('?').count(), report.params.len(), "{q}");
    }
}

/// Grouped by the lead's status and by tag: the key each writes, how a call without either is
/// grouped, and the tag report's one row per (call, tag).
#[test]
fn groups_by_lead_status_and_tag() {
    // (report, its SQL exactly, minus the common SELECT list)
    let common = "COUNT(*) AS calls, COALESCE(SUM(r_status = 'answered'), 0) AS answered, \
                  COALESCE(SUM(r_status = 'missed'), 0) AS missed, COALESCE(SUM(CASE WHEN \
                  r_status = 'answered' THEN r_duration_s ELSE 0 END), 0) AS talk_s, \
                  COALESCE(SUM(r_kind = 'text'), 0) AS texts FROM calls";
    let range = " WHERE started_at >= ? AND started_at < ? AND test = 0";
    let table: &[(&str, &str, String)] = &[
        (
            "lead_status",
            "",
            [
                "SELECT COALESCE(r_lead_status, 'none') AS key, ",
                common,
                range,
                " GROUP BY key ORDER BY calls DESC, key LIMIT ?",
            ]
            .concat(),
        ),
        (
            "tag",
            "",
            [
                "SELECT COALESCE(tag.value, '') AS key, ",
                common,
                " LEFT JOIN json_each(calls.r_tags) AS tag",
                range,
                " GROUP BY 1 ORDER BY calls DESC, key LIMIT ?",
            ]
            .concat(),
        ),
        // Grouped by tag among the calls of one tag: the tags they carry with it.
        (
            "tag",
            "&tag=booked",
            [
                "SELECT COALESCE(tag.value, '') AS key, ",
                common,
                " LEFT JOIN json_each(calls.r_tags) AS tag",
                range,
                " AND EXISTS (SELECT 1 FROM json_each(r_tags) WHERE value = ?)",
                " GROUP BY 1 ORDER BY calls DESC, key LIMIT ?",
            ]
            .concat(),
        ),
        (
            "lead_status",
            "&lead_status=none&limit=3",
            [
                "SELECT COALESCE(r_lead_status, 'none') AS key, ",
                common,
                range,
                " AND r_lead_status IS NULL GROUP BY key ORDER BY calls DESC, key LIMIT ?",
            ]
            .concat(),
        ),
    ];
    for (by, more, want) in table {
        let q = report_query(
            by,
            &pairs(&["from=2026-11-01&to=2026-11-01", more].concat()),
            &Zone::utc(),
            today(),
        )
        .unwrap();
        let sql = report_sql(&q, &Zone::utc());
        assert_eq!(&sql.text, want, "{by}{more}");
        assert_eq!(
            sql.text.matches('?').count(),
            sql.params.len(),
            "{by}{more}"
        );
        assert_eq!(
            sql.params.last(),
            Some(&Param::Int(if more.contains("limit=3") { 3 } else { 50 })),
            "{by}{more}"
        );
        assert_eq!(q.by.name(), *by);
    }
    // Both are report names of their own, and shaped as any open-ended report (keys as given).
    for (name, by) in [
        ("lead_status", Dimension::LeadStatus),
        ("tag", Dimension::Tag),
    ] {
        assert_eq!(Dimension::parse(name), Some(by));
    }
    let tag = report_query("tag", &[], &ny(), today()).unwrap();
    let row = |key: &str, calls| GroupRow {
        key: key.into(),
        calls,
        answered: calls,
        missed: 0,
        talk_s: 60 * calls,
        texts: 0,
    };
    let shaped: Vec<(String, i64)> = shape(&tag, &[row("booked", 2), row("", 1)])
        .into_iter()
        .map(|r| (r.key, r.calls))
        .collect();
    assert_eq!(shaped, [("booked".to_owned(), 2), (String::new(), 1)]);
}
