//! The filters of the calls list and the reports, read from the query string, and the SQL they
//! become: a `WHERE` over the call log's generated columns with every value a bound parameter.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use super::cursor::Cursor;
use super::fields::{self, Field};
use super::{Param, QueryError, Sql};
use crate::call::{LeadKind, NumberKind};
use crate::civil::{self, Date, Zone};
use crate::classify::Channel;
use crate::Millis;

/// Longest date range a report or a list covers, in days.
pub const MAX_DAYS: i64 = 400;

/// Longest filter value accepted.
pub const MAX_VALUE: usize = 256;
/// Calls per page: default and most.
pub const DEFAULT_PAGE: u32 = 50;
/// See [`DEFAULT_PAGE`].
pub const MAX_PAGE: u32 = 500;
/// Rows of a grouped report: default and most.
pub const DEFAULT_ROWS: u32 = 50;
/// See [`DEFAULT_ROWS`].
pub const MAX_ROWS: u32 = 500;

/// Answered or missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The business answered.
    Answered,
    /// It did not.
    Missed,
}

/// Which calls a request reads, as to test calls (`?test=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TestCalls {
    /// Real calls only: the reports' default (a test call is no customer's call).
    #[default]
    Exclude,
    /// Both: the calls list's default (as JSON), where each test call carries its mark.
    Include,
    /// Test calls only.
    Only,
}

/// What a request filters on (the calls list and every report share it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    /// First local date, inclusive (`YYYY-MM-DD`).
    pub from: String,
    /// Last local date, inclusive.
    pub to: String,
    /// `[from, to)` in UTC milliseconds.
    pub range: (Millis, Millis),
    /// GA4 channel.
    pub channel: Option<Channel>,
    /// Source, exactly.
    pub source: Option<String>,
    /// Medium, exactly.
    pub medium: Option<String>,
    /// Campaign, exactly.
    pub campaign: Option<String>,
    /// Keyword, exactly.
    pub keyword: Option<String>,
    /// Tracking number dialed, exactly (E.164).
    pub tracking_number: Option<String>,
    /// Answered or missed.
    pub outcome: Option<Outcome>,
    /// First-time callers only (`true`) or returning callers only (`false`).
    pub first_time: Option<bool>,
    /// Pool, static or unknown number.
    pub number_kind: Option<NumberKind>,
    /// Attribution confidence at least this (0 to 1).
    pub min_confidence: Option<f64>,
    /// Calls or texts.
    pub kind: Option<LeadKind>,
    /// Test calls left out, in, or alone.
    pub test: TestCalls,
    /// Calls qualified with this lead status (`good`, `bad`, `spam`), or without one (`none`).
    pub lead_status: Option<LeadStatusFilter>,
    /// Calls qualified with this tag.
    pub tag: Option<String>,
}

/// Which calls the lead status filter keeps (`?lead_status=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadStatusFilter {
    /// Those qualified with this status.
    Status(crate::qualification::LeadStatus),
    /// Those without a status (`none`): not qualified yet, or qualified with tags only. The
    /// owner's list of calls still to qualify, and the lead status report's `none` group.
    None,
}

/// The lead status report's group of the calls without a status, and the filter's name for them.
pub const NO_LEAD_STATUS: &str = "none";

/// A calls list request.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    /// The filters.
    pub filter: Filter,
    /// Calls per page.
    pub limit: u32,
    /// Where the page starts.
    pub cursor: Option<Cursor>,
    /// CSV rather than JSON.
    pub csv: bool,
}

/// What a report groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// No grouping: the totals.
    Summary,
    /// Local day.
    Day,
    /// GA4 channel.
    Channel,
    /// `source / medium`.
    SourceMedium,
    /// Campaign.
    Campaign,
    /// Keyword.
    Keyword,
    /// Landing page.
    LandingPage,
    /// Tracking number.
    TrackingNumber,
    /// Attribution confidence, in four buckets.
    Confidence,
    /// Calls and texts.
    Kind,
    /// The lead status: `good`, `bad`, `spam`, or `none` (see [`NO_LEAD_STATUS`]).
    LeadStatus,
    /// Each tag: a call with two tags counts in both groups (so the groups may add up to more
    /// than the calls), a call without any in the group `""`.
    Tag,
}

impl Dimension {
    /// Every dimension, by its name in the URL.
    pub const ALL: [(&'static str, Dimension); 12] = [
        ("summary", Dimension::Summary),
        ("day", Dimension::Day),
        ("channel", Dimension::Channel),
        ("source_medium", Dimension::SourceMedium),
        ("campaign", Dimension::Campaign),
        ("keyword", Dimension::Keyword),
        ("landing_page", Dimension::LandingPage),
        ("tracking_number", Dimension::TrackingNumber),
        ("confidence", Dimension::Confidence),
        ("kind", Dimension::Kind),
        ("lead_status", Dimension::LeadStatus),
        ("tag", Dimension::Tag),
    ];

    /// The dimension of a URL segment.
    pub fn parse(name: &str) -> Option<Dimension> {
        Dimension::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, d)| *d)
    }

    /// Its name in the URL.
    pub fn name(self) -> &'static str {
        Dimension::ALL
            .iter()
            .find(|(_, d)| *d == self)
            .map_or("summary", |(n, _)| n)
    }
}

/// A grouped report request.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportQuery {
    /// The filters.
    pub filter: Filter,
    /// The grouping.
    pub by: Dimension,
    /// Most rows (the busiest first), for the open-ended dimensions.
    pub limit: u32,
}

fn value<'a>(name: &str, v: &'a str) -> Result<&'a str, QueryError> {
    if v.len() > MAX_VALUE {
        return Err(QueryError::new(&[name, " is too long"]));
    }
    Ok(v)
}

fn number<T: core::str::FromStr + PartialOrd>(
    name: &str,
    v: &str,
    min: T,
    max: T,
) -> Result<T, QueryError> {
    match v.parse::<T>() {
        Ok(n) if n >= min && n <= max => Ok(n),
        _ => Err(QueryError::new(&[name, " is out of range or not a number"])),
    }
}

/// Reads the filters; `today` is the site's local date now (the default range is the 30 days
/// that end today). Unknown parameters are refused, so that a typo is not a silent "no filter".
fn filter(
    pairs: &[(String, String)],
    zone: &Zone,
    today: Date,
    extra: &[&str],
    test: TestCalls,
) -> Result<Filter, QueryError> {
    let mut f = Filter {
        test,
        ..Filter::default()
    };
    let (mut from, mut to) = (None, None);
    for (k, v) in pairs {
        let v = value(k, v)?;
        match k.as_str() {
            "from" | "to" => {
                let d = civil::parse_date(v)
                    .ok_or_else(|| QueryError::new(&[k, " must be a date, YYYY-MM-DD"]))?;
                if k == "from" {
                    from = Some(d);
                } else {
                    to = Some(d);
                }
            }
            "channel" => {
                f.channel = Some(
                    Channel::parse(v).ok_or_else(|| QueryError::new(&["unknown channel: ", v]))?,
                )
            }
            "source" => f.source = Some(v.to_owned()),
            "medium" => f.medium = Some(v.to_owned()),
            "campaign" => f.campaign = Some(v.to_owned()),
            "keyword" => f.keyword = Some(v.to_owned()),
            "tracking_number" => f.tracking_number = Some(v.to_owned()),
            "status" => {
                f.outcome = Some(match v {
                    "answered" => Outcome::Answered,
                    "missed" => Outcome::Missed,
                    _ => return Err(QueryError::new(&["status must be answered or missed"])),
                })
            }
            "first_time" => {
                f.first_time = Some(match v {
                    "true" => true,
                    "false" => false,
                    _ => return Err(QueryError::new(&["first_time must be true or false"])),
                })
            }
            "number_kind" => {
                f.number_kind = Some(match v {
                    "pool" => NumberKind::Pool,
                    "static" => NumberKind::Static,
                    "unknown" => NumberKind::Unknown,
                    _ => {
                        return Err(QueryError::new(&[
                            "number_kind must be pool, static or unknown",
                        ]))
                    }
                })
            }
            "kind" => {
                f.kind = Some(
                    LeadKind::from_name(v)
                        .ok_or_else(|| QueryError::new(&["kind must be call or text"]))?,
                )
            }
            "min_confidence" => {
                f.min_confidence = Some(number::<f64>("min_confidence", v, 0.0, 1.0)?)
            }
            "test" => {
                f.test = match v {
                    "exclude" => TestCalls::Exclude,
                    "include" => TestCalls::Include,
                    "only" => TestCalls::Only,
                    _ => return Err(QueryError::new(&["test must be exclude, include or only"])),
                }
            }
            "lead_status" => {
                f.lead_status = Some(match crate::qualification::LeadStatus::parse(v) {
                    Some(s) => LeadStatusFilter::Status(s),
                    None if v == NO_LEAD_STATUS => LeadStatusFilter::None,
                    None => {
                        return Err(QueryError::new(&[
                            "lead_status must be good, bad, spam or none",
                        ]))
                    }
                })
            }
            "tag" => {
                let tags = crate::qualification::normalize_tags(&[v.to_owned()])
                    .map_err(|e| QueryError::new(&["tag: ", e.0]))?;
                f.tag = tags.into_iter().next();
            }
            other if extra.contains(&other) => {}
            other => return Err(QueryError::new(&["unknown parameter: ", other])),
        }
    }
    let to = to.unwrap_or(today);
    let from = match from {
        Some(d) => d,
        None => to
            .checked_sub(jiff::Span::new().days(29))
            .map_err(|_| QueryError::new(&["to is out of range"]))?,
    };
    let days = civil::day_of_date(to).zip(civil::day_of_date(from));
    match days {
        Some((t, f)) if t < f => return Err(QueryError::new(&["from must not be after to"])),
        Some((t, f)) if t - f >= MAX_DAYS => {
            return Err(QueryError::new(&["the date range is longer than 400 days"]))
        }
        Some(_) => {}
        None => return Err(QueryError::new(&["the dates are out of range"])),
    }
    let start = zone.start_of(from);
    let end = to.tomorrow().ok().and_then(|d| zone.start_of(d));
    let (Some(start), Some(end)) = (start, end) else {
        return Err(QueryError::new(&["the dates are out of range"]));
    };
    f.from = from.to_string();
    f.to = to.to_string();
    f.range = (start, end);
    Ok(f)
}

/// Reads a request that takes a date range only (`from`, `to`; the pool's history): any other
/// parameter is refused, since the call filters do not apply to it.
pub fn range_query(
    pairs: &[(String, String)],
    zone: &Zone,
    today: Date,
) -> Result<Filter, QueryError> {
    if let Some((k, _)) = pairs.iter().find(|(k, _)| k != "from" && k != "to") {
        return Err(QueryError::new(&["unknown parameter: ", k]));
    }
    filter(pairs, zone, today, &[], TestCalls::Exclude)
}

/// Reads a calls list request.
pub fn list_query(
    pairs: &[(String, String)],
    zone: &Zone,
    today: Date,
) -> Result<ListQuery, QueryError> {
    // The list shows test calls (each with its mark) unless asked otherwise.
    let f = filter(
        pairs,
        zone,
        today,
        &["limit", "cursor", "format"],
        TestCalls::Include,
    )?;
    let mut q = ListQuery {
        filter: f,
        limit: DEFAULT_PAGE,
        cursor: None,
        csv: false,
    };
    for (k, v) in pairs {
        match k.as_str() {
            "limit" => q.limit = number("limit", v, 1, MAX_PAGE)?,
            "cursor" => {
                q.cursor = Some(Cursor::decode(v).ok_or_else(|| QueryError::new(&["bad cursor"]))?)
            }
            "format" => {
                q.csv = match v.as_str() {
                    "csv" => true,
                    "json" => false,
                    _ => return Err(QueryError::new(&["format must be json or csv"])),
                }
            }
            _ => {}
        }
    }
    // An export feeds other tools, which would take a test call for a customer's (the CSV has
    // no column for the mark): left out unless asked.
    if q.csv && !pairs.iter().any(|(k, _)| k == "test") {
        q.filter.test = TestCalls::Exclude;
    }
    Ok(q)
}

/// Reads a report request.
pub fn report_query(
    by: &str,
    pairs: &[(String, String)],
    zone: &Zone,
    today: Date,
) -> Result<ReportQuery, QueryError> {
    let by = Dimension::parse(by).ok_or_else(|| QueryError::new(&["unknown report: ", by]))?;
    // Totals leave test calls out unless asked (`?test=include`).
    let filter = filter(pairs, zone, today, &["limit"], TestCalls::Exclude)?;
    let mut q = ReportQuery {
        filter,
        by,
        limit: DEFAULT_ROWS,
    };
    for (k, v) in pairs {
        if k == "limit" {
            q.limit = number("limit", v, 1, MAX_ROWS)?;
        }
    }
    Ok(q)
}

fn text(s: &str) -> Param {
    Param::Text(s.to_owned())
}

fn millis(ms: Millis) -> Param {
    Param::Int(i64::try_from(ms).unwrap_or(i64::MAX))
}

/// The `WHERE` clause of a filter (and its parameters).
fn where_clause(f: &Filter, sql: &mut String, params: &mut Vec<Param>) {
    sql.push_str(" WHERE started_at >= ? AND started_at < ?");
    params.push(millis(f.range.0));
    params.push(millis(f.range.1));
    let mut eq = |field: Field, p: Param| {
        sql.push_str(" AND ");
        sql.push_str(field.column);
        sql.push_str(" = ?");
        params.push(p);
    };
    if let Some(c) = f.channel {
        eq(fields::CHANNEL, text(c.as_str()));
    }
    for (field, v) in [
        (fields::SOURCE, &f.source),
        (fields::MEDIUM, &f.medium),
        (fields::CAMPAIGN, &f.campaign),
        (fields::KEYWORD, &f.keyword),
        (fields::TRACKING_NUMBER, &f.tracking_number),
    ] {
        if let Some(v) = v {
            eq(field, text(v));
        }
    }
    if let Some(o) = f.outcome {
        eq(
            fields::STATUS,
            text(match o {
                Outcome::Answered => "answered",
                Outcome::Missed => "missed",
            }),
        );
    }
    if let Some(t) = f.first_time {
        eq(fields::FIRST_TIME, Param::Int(i64::from(t)));
    }
    if let Some(k) = f.number_kind {
        eq(
            fields::NUMBER_KIND,
            text(match k {
                NumberKind::Pool => "pool",
                NumberKind::Static => "static",
                NumberKind::Unknown => "unknown",
            }),
        );
    }
    if let Some(k) = f.kind {
        eq(fields::KIND, text(k.as_str()));
    }
    if let Some(c) = f.min_confidence {
        sql.push_str(" AND ");
        sql.push_str(fields::CONFIDENCE.column);
        sql.push_str(" >= ?");
        params.push(Param::Real(c));
    }
    let test = match f.test {
        TestCalls::Exclude => Some(" = 0"),
        TestCalls::Only => Some(" = 1"),
        TestCalls::Include => None,
    };
    if let Some(test) = test {
        sql.push_str(" AND ");
        sql.push_str(fields::TEST);
        sql.push_str(test);
    }
    // The lead's columns (`fields::LEAD_MIGRATION`), in the report index: no record is read.
    match f.lead_status {
        Some(LeadStatusFilter::Status(s)) => {
            sql.push_str(" AND ");
            sql.push_str(fields::LEAD_STATUS.column);
            sql.push_str(" = ?");
            params.push(text(s.as_str()));
        }
        Some(LeadStatusFilter::None) => {
            sql.push_str(" AND ");
            sql.push_str(fields::LEAD_STATUS.column);
            sql.push_str(" IS NULL");
        }
        None => {}
    }
    if let Some(t) = &f.tag {
        sql.push_str(" AND EXISTS (SELECT 1 FROM json_each(");
        sql.push_str(fields::TAGS.column);
        sql.push_str(") WHERE value = ?)");
        params.push(text(t));
    }
}

/// The calls list's query: one more row than the page, to know whether another page follows.
/// Rows: `call_sid`, `started_at`, `record`.
pub fn list_sql(q: &ListQuery) -> Sql {
    let mut text = String::from("SELECT call_sid, started_at, record FROM calls");
    let mut params = Vec::new();
    where_clause(&q.filter, &mut text, &mut params);
    if let Some(c) = &q.cursor {
        text.push_str(" AND (started_at < ? OR (started_at = ? AND call_sid > ?))");
        params.push(millis(c.started_at));
        params.push(millis(c.started_at));
        params.push(Param::Text(c.call_sid.clone()));
    }
    text.push_str(" ORDER BY started_at DESC, call_sid ASC LIMIT ?");
    params.push(Param::Int(i64::from(q.limit) + 1));
    Sql { text, params }
}

/// The grouped report's query. Rows: `key` (text, or the local day number for [`Dimension::Day`]),
/// `calls`, `answered`, `missed`, `talk_s` (seconds of answered calls).
pub fn report_sql(q: &ReportQuery, zone: &Zone) -> Sql {
    let mut params = Vec::new();
    let key = match q.by {
        Dimension::Summary => "''".to_owned(),
        Dimension::Day => {
            // The local day: the offset in force when the call started, piece by piece.
            let pieces = zone.offsets(q.filter.range.0, q.filter.range.1);
            // One offset over the whole range (no daylight-saving change in it): no CASE.
            let mut offset = String::from(if pieces.len() > 1 { "CASE" } else { "" });
            for (until, ms) in &pieces {
                match until {
                    Some(t) => {
                        offset.push_str(" WHEN started_at < ? THEN ?");
                        params.push(millis(*t));
                        params.push(Param::Int(*ms));
                    }
                    None => {
                        offset.push_str(if pieces.len() > 1 { " ELSE ? END" } else { "?" });
                        params.push(Param::Int(*ms));
                    }
                }
            }
            // CAST: the platform may bind the offset as a real, and the day must be whole.
            ["CAST((started_at + ", &offset, ") / 86400000 AS INTEGER)"].concat()
        }
        Dimension::Channel => col(fields::CHANNEL),
        Dimension::SourceMedium => {
            [&col(fields::SOURCE), " || ' / ' || ", &col(fields::MEDIUM)].concat()
        }
        Dimension::Campaign => col(fields::CAMPAIGN),
        Dimension::Keyword => col(fields::KEYWORD),
        Dimension::LandingPage => col(fields::LANDING_PAGE),
        Dimension::TrackingNumber => col(fields::TRACKING_NUMBER),
        Dimension::Kind => fields::KIND.column.to_owned(),
        Dimension::LeadStatus => [
            "COALESCE(",
            fields::LEAD_STATUS.column,
            ", '",
            NO_LEAD_STATUS,
            "')",
        ]
        .concat(),
        Dimension::Tag => ["COALESCE(", TAG, ".value, '')"].concat(),
        Dimension::Confidence => {
            let c = fields::CONFIDENCE.column;
            [
                "CASE WHEN ",
                c,
                " >= 1 THEN '1' WHEN ",
                c,
                " >= 0.5 THEN '0.5-0.99' WHEN ",
                c,
                " > 0 THEN '0.01-0.49' ELSE '0' END",
            ]
            .concat()
        }
    };
    let status = fields::STATUS.column;
    let mut text = [
        "SELECT ",
        &key,
        " AS key, COUNT(*) AS calls, COALESCE(SUM(",
        status,
        " = 'answered'), 0) AS answered, COALESCE(SUM(",
        status,
        " = 'missed'), 0) AS missed, COALESCE(SUM(CASE WHEN ",
        status,
        " = 'answered' THEN ",
        fields::DURATION.column,
        " ELSE 0 END), 0) AS talk_s, COALESCE(SUM(",
        fields::KIND.column,
        " = 'text'), 0) AS texts FROM calls",
    ]
    .concat();
    if q.by == Dimension::Tag {
        // One row per (call, tag), and one row for a call without tags (the left join's NULL).
        text.push_str(" LEFT JOIN json_each(calls.");
        text.push_str(fields::TAGS.column);
        text.push_str(") AS ");
        text.push_str(TAG);
    }
    where_clause(&q.filter, &mut text, &mut params);
    match q.by {
        Dimension::Summary => {}
        Dimension::Day | Dimension::Confidence => text.push_str(" GROUP BY key ORDER BY key"),
        // By position: `json_each` has a column named `key` (the array index), which a `GROUP BY
        // key` would name before the result's alias.
        Dimension::Tag => {
            text.push_str(" GROUP BY 1 ORDER BY calls DESC, key LIMIT ?");
            params.push(Param::Int(i64::from(q.limit)));
        }
        _ => {
            text.push_str(" GROUP BY key ORDER BY calls DESC, key LIMIT ?");
            params.push(Param::Int(i64::from(q.limit)));
        }
    }
    Sql { text, params }
}

/// The tag report's name for one of a call's tags (a row of `json_each` over its tags).
const TAG: &str = "tag";

fn col(f: Field) -> String {
    ["COALESCE(", f.column, ", '')"].concat()
}

/// One row as the call log's SQL returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRow {
    /// The group: text, or a local day number.
    pub key: serde_json::Value,
    /// Calls.
    pub calls: i64,
    /// Answered calls.
    pub answered: i64,
    /// Missed calls.
    pub missed: i64,
    /// Seconds of answered calls.
    pub talk_s: i64,
    /// Text conversations among the leads (`calls` counts both).
    #[serde(default)]
    pub texts: i64,
}

/// One row of a report as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRow {
    /// The group (a date for the day report; empty for the summary).
    pub key: String,
    /// Calls.
    pub calls: i64,
    /// Answered calls.
    pub answered: i64,
    /// Missed calls.
    pub missed: i64,
    /// Answered over all calls that ended (answered + missed); 0 without any.
    pub answered_rate: f64,
    /// Seconds of answered calls.
    pub talk_s: i64,
    /// Average seconds of an answered call; 0 without any.
    pub avg_talk_s: f64,
    /// Text conversations among the leads (`calls` counts calls and texts: every lead).
    pub texts: i64,
}

fn shaped(key: String, r: &GroupRow) -> ReportRow {
    let ended = r.answered + r.missed;
    ReportRow {
        key,
        calls: r.calls,
        answered: r.answered,
        missed: r.missed,
        answered_rate: if ended > 0 {
            r.answered as f64 / ended as f64
        } else {
            0.0
        },
        talk_s: r.talk_s,
        avg_talk_s: if r.answered > 0 {
            r.talk_s as f64 / r.answered as f64
        } else {
            0.0
        },
        texts: r.texts,
    }
}

/// The report's rows from the SQL's: days as dates, every day of the range present (zero when
/// no call), the summary as one row even without calls.
pub fn shape(q: &ReportQuery, rows: &[GroupRow]) -> Vec<ReportRow> {
    let zero = |key: serde_json::Value| GroupRow {
        key,
        calls: 0,
        answered: 0,
        missed: 0,
        talk_s: 0,
        texts: 0,
    };
    match q.by {
        Dimension::Summary => {
            let r = rows.first().cloned().unwrap_or_else(|| zero("".into()));
            vec![shaped(String::new(), &r)]
        }
        Dimension::Day => {
            let (Some(from), Some(to)) = (
                civil::parse_date(&q.filter.from).and_then(civil::day_of_date),
                civil::parse_date(&q.filter.to).and_then(civil::day_of_date),
            ) else {
                return Vec::new();
            };
            (from..=to)
                .map(|day| {
                    let key = civil::date_of_day(day)
                        .map(|d| d.to_string())
                        .unwrap_or_default();
                    // SQLite's integer may come back through JavaScript as a float.
                    let found = rows.iter().find(|r| {
                        r.key.as_i64().or_else(|| r.key.as_f64().map(|f| f as i64)) == Some(day)
                    });
                    shaped(key, found.unwrap_or(&zero(day.into())))
                })
                .collect()
        }
        _ => rows
            .iter()
            .map(|r| {
                let key = match &r.key {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                };
                shaped(key, r)
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests;
