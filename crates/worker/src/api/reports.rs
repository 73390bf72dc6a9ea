//! `GET /v1/sites/{site}/reports/{by}`: calls, answered, missed, talk time and texts grouped by one
//! dimension. Converted from the core's `report::query::ReportRow`.

use dni_core::report::query as core_query;
use serde::Serialize;

/// One group of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[allow(missing_docs)] // the fields are documented in www/v1/openapi.json (`ReportRow`)
pub struct ReportRow {
    pub key: String,
    pub calls: i64,
    pub answered: i64,
    pub missed: i64,
    pub answered_rate: f64,
    pub talk_s: i64,
    pub avg_talk_s: f64,
    pub texts: i64,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The site.
    pub site: String,
    /// The site's time zone, which `from` and `to` are dates in.
    pub time_zone: String,
    /// The dimension (`summary`, `day`, `channel`...).
    pub report: String,
    /// The first day.
    pub from: String,
    /// The last day.
    pub to: String,
    /// One row per group.
    pub rows: Vec<ReportRow>,
}

impl From<&core_query::ReportRow> for ReportRow {
    fn from(r: &core_query::ReportRow) -> Self {
        let core_query::ReportRow {
            key,
            calls,
            answered,
            missed,
            answered_rate,
            talk_s,
            avg_talk_s,
            texts,
        } = r;
        ReportRow {
            key: key.clone(),
            calls: *calls,
            answered: *answered,
            missed: *missed,
            answered_rate: *answered_rate,
            talk_s: *talk_s,
            avg_talk_s: *avg_talk_s,
            texts: *texts,
        }
    }
}
