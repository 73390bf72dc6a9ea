//! Where each reported field is inside a stored call record (`calls.record`, JSON text), in one
//! place. The call log exposes each as a stored generated column (`r_<name>`), which the queries
//! use and the report index covers; [`MIGRATION`] declares them. When the stored row's layout
//! changes (a version wrapper adds a prefix to every path), change the paths here and add a
//! migration step that drops and re-adds the columns.

/// A field of a call record that reports filter or group on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The generated column's name.
    pub column: &'static str,
    /// The JSON path inside the record (`$.a.b`).
    pub path: &'static str,
}

macro_rules! fields {
    ($($name:ident = $column:literal, $path:literal, $ty:literal;)*) => {
        $(
            #[doc = concat!("`", $column, "`: `", $path, "`.")]
            pub const $name: Field = Field { column: $column, path: $path };
        )*
        /// Every field.
        pub const ALL: &[Field] = &[$($name),*];
        /// The call log's migration step that rebuilds the table with the reported fields as
        /// stored generated columns (SQLite adds only virtual ones to an existing table, and a
        /// virtual column parses the record's JSON again on every read: measured in
        /// bench/reports.py, a year's report at 10k calls took seconds), and adds the report index.
        pub const MIGRATION: &[&str] = &[
            concat!(
                "CREATE TABLE calls_v2 (call_sid TEXT PRIMARY KEY, started_at INTEGER NOT NULL, \
                 webhook_seen INTEGER NOT NULL, record TEXT NOT NULL"
                $(, ", ", $column, " ", $ty,
                " GENERATED ALWAYS AS (json_extract(record, '", $path, "')) STORED")*,
                ")"
            ),
            "INSERT INTO calls_v2 (call_sid, started_at, webhook_seen, record) \
             SELECT call_sid, started_at, webhook_seen, record FROM calls",
            "DROP TABLE calls",
            "ALTER TABLE calls_v2 RENAME TO calls",
            // The list and the reports read calls of a date range: this index serves both (it
            // replaces the index on `started_at` alone, which the planner would otherwise prefer),
            // and holds every field the reports filter, group and count by, so that a report
            // reads the index only, never the records (measured: a report on a field outside the
            // index took seconds at 100k calls, the same report from the index milliseconds).
            "CREATE INDEX calls_report ON calls (started_at, r_status, r_channel, r_duration_s, \
             r_confidence, r_number_kind, r_first_time, r_source, r_medium, r_campaign, r_keyword, \
             r_tracking_number, r_landing_page)",
        ];
    };
}

fields! {
    CHANNEL = "r_channel", "$.channel", "TEXT";
    SOURCE = "r_source", "$.source", "TEXT";
    MEDIUM = "r_medium", "$.medium", "TEXT";
    CAMPAIGN = "r_campaign", "$.campaign", "TEXT";
    KEYWORD = "r_keyword", "$.term", "TEXT";
    LANDING_PAGE = "r_landing_page", "$.landing_page", "TEXT";
    TRACKING_NUMBER = "r_tracking_number", "$.tracking_number", "TEXT";
    STATUS = "r_status", "$.status", "TEXT";
    DURATION = "r_duration_s", "$.duration_s", "INTEGER";
    NUMBER_KIND = "r_number_kind", "$.number_kind", "TEXT";
    CONFIDENCE = "r_confidence", "$.confidence", "REAL";
    // Written by the incoming-call webhook once the call records whether the caller is new
    // (`first_time`: true or false); calls recorded before that have neither value.
    FIRST_TIME = "r_first_time", "$.first_time", "INTEGER";
    // The forwarded leg's result (`dial.status`: completed, busy, no-answer, failed, canceled),
    // once call records carry it.
    DIAL_STATUS = "r_dial_status", "$.dial.status", "TEXT";
}

/// `r_kind`: `call` or `text` (`$.kind`; a record written before texts has none and is a call).
/// Added after [`MIGRATION`], by [`KIND_MIGRATION`].
pub const KIND: Field = Field {
    column: "r_kind",
    path: "$.kind",
};

/// The call log's migration step that adds the lead's kind: a virtual generated column (SQLite
/// adds a generated column to an existing table only as a virtual one; rebuilding the table as
/// [`MIGRATION`] did would rewrite every record), and the report index rebuilt with it, so that a
/// report filtered or grouped by kind still reads the index only (an index stores a virtual
/// column's value, computed once when the index is built or a row written).
pub const KIND_MIGRATION: &[&str] = &[
    "ALTER TABLE calls ADD COLUMN r_kind TEXT GENERATED ALWAYS AS \
     (COALESCE(json_extract(record, '$.kind'), 'call')) VIRTUAL",
    "DROP INDEX IF EXISTS calls_report",
    "CREATE INDEX calls_report ON calls (started_at, r_status, r_channel, r_duration_s, \
     r_confidence, r_number_kind, r_first_time, r_source, r_medium, r_campaign, r_keyword, \
     r_tracking_number, r_landing_page, r_kind)",
];

/// The call log's column that marks a test call (1; else 0). A plain column, written with the
/// record by the call log (every write goes through one function), not a generated one: SQLite
/// adds a stored generated column only by rebuilding the table, which [`MIGRATION`] did once
/// for a whole log, whereas adding a plain column with a default is instant. Reports leave test
/// calls out by default, so the report index ends with it and a report still reads the index only.
pub const TEST: &str = "test";

/// The call log's migration step that adds [`TEST`] and rebuilds the report index with it (the
/// index of [`MIGRATION`] and [`KIND_MIGRATION`], and the test mark last). It runs after
/// [`KIND_MIGRATION`], whose column it indexes.
pub const TEST_MIGRATION: &[&str] = &[
    "ALTER TABLE calls ADD COLUMN test INTEGER NOT NULL DEFAULT 0",
    "DROP INDEX IF EXISTS calls_report",
    "CREATE INDEX calls_report ON calls (started_at, r_status, r_channel, r_duration_s, \
     r_confidence, r_number_kind, r_first_time, r_source, r_medium, r_campaign, r_keyword, \
     r_tracking_number, r_landing_page, r_kind, test)",
];

/// `r_lead_status`: the call's lead status (`good`, `bad`, `spam`; none when the call is not
/// qualified, or its qualification has no status). Added by [`LEAD_MIGRATION`].
pub const LEAD_STATUS: Field = Field {
    column: "r_lead_status",
    path: "$.qualification.status",
};

/// `r_tags`: the call's tags, the JSON array as the record holds it (none when the call is not
/// qualified). A list, so not a value to group on directly: the tag report and the tag filter
/// expand it with `json_each`, one row per (call, tag). Added by [`LEAD_MIGRATION`].
pub const TAGS: Field = Field {
    column: "r_tags",
    path: "$.qualification.tags",
};

/// The call log's migration step that adds the lead status and the tags as virtual generated
/// columns (instant: no table rebuild, no record rewritten; a row stored before it reads as it
/// did, its qualification, if any, read into the new columns) and rebuilds the report index with
/// both last, after the index of [`TEST_MIGRATION`]. The index stores each virtual column's value
/// (computed once when the index is built or a row written), so the lead status and tag reports
/// and filters read the index only, never the records.
///
/// Why the tags are a column of the index rather than a side table `call_tags` (one row per call
/// and tag, kept in step with every write of a record and every deletion) or `json_each` over
/// each record: measured by `bench/reports.py --tags` at 10k and 100k calls, the tag report and
/// the tag filter over the index's column were 1.3 to 7.5 times faster than through the side
/// table and 5 to 33 times faster than over the records (docs/figures.md). And the column needs
/// no writes of its own, so it cannot drift from the record (a qualification changed, a caller
/// erased, retention's deletions), which a side table could.
pub const LEAD_MIGRATION: &[&str] = &[
    "ALTER TABLE calls ADD COLUMN r_lead_status TEXT GENERATED ALWAYS AS \
     (json_extract(record, '$.qualification.status')) VIRTUAL",
    "ALTER TABLE calls ADD COLUMN r_tags TEXT GENERATED ALWAYS AS \
     (json_extract(record, '$.qualification.tags')) VIRTUAL",
    "DROP INDEX IF EXISTS calls_report",
    "CREATE INDEX calls_report ON calls (started_at, r_status, r_channel, r_duration_s, \
     r_confidence, r_number_kind, r_first_time, r_source, r_medium, r_campaign, r_keyword, \
     r_tracking_number, r_landing_page, r_kind, test, r_lead_status, r_tags)",
];

impl Field {
    /// The path as a JSON pointer (`/a/b`), to read the field from a parsed record.
    pub fn pointer(&self) -> alloc::string::String {
        self.path.trim_start_matches('$').replace('.', "/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_its_column() {
        let create = MIGRATION[0];
        for f in ALL {
            let column = [f.column, " "].concat();
            let path = ["json_extract(record, '", f.path, "')) STORED"].concat();
            assert!(
                create.contains(&column) && create.contains(&path),
                "{create}"
            );
        }
        assert_eq!(DIAL_STATUS.pointer(), "/dial/status");
        // The rebuilt report index is the kind's with the test mark last.
        let first = KIND_MIGRATION
            .iter()
            .find(|s| s.starts_with("CREATE INDEX"))
            .unwrap();
        let rebuilt = TEST_MIGRATION
            .iter()
            .find(|s| s.starts_with("CREATE INDEX"))
            .unwrap();
        assert_eq!(first.replace(")", ", test)"), *rebuilt);
        // ... and the lead's after it: the status and the tags, last.
        let lead = LEAD_MIGRATION
            .iter()
            .find(|s| s.starts_with("CREATE INDEX"))
            .unwrap();
        assert_eq!(rebuilt.replace(")", ", r_lead_status, r_tags)"), *lead);
        for f in [LEAD_STATUS, TAGS] {
            let column = ["ADD COLUMN ", f.column, " TEXT GENERATED ALWAYS AS"].concat();
            let path = ["(json_extract(record, '", f.path, "')) VIRTUAL"].concat();
            assert!(
                LEAD_MIGRATION
                    .iter()
                    .any(|s| s.contains(&column) && s.contains(&path)),
                "{}",
                f.column
            );
        }
        assert_eq!(LEAD_STATUS.pointer(), "/qualification/status");
        assert_eq!(KEYWORD.pointer(), "/term");
    }
}
