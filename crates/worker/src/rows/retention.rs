//! The retention row (`retention.row`, in the pool object and in the call log alike): how many days
//! the object keeps its data, as the site's configuration said when it last told the object. The
//! object's alarm reads it, since an alarm comes with no request and so with no configuration.

use serde::{Deserialize, Serialize};

use super::{fields, open, seal, unknown_version, RowError};

const RETENTION: &str = "retention";

/// The retention row, version 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionV1 {
    /// Days kept (1 to `dni_core::retention::MAX_DAYS`).
    pub days: u32,
}

/// Reads the retention row; a period the configuration could not have set is an error, not a
/// guess (deleting on a wrong period cannot be undone).
pub fn read_retention(text: &str) -> Result<u32, RowError> {
    match open(RETENTION, text)? {
        (1, f) => {
            let RetentionV1 { days } = fields(RETENTION, f)?;
            dni_core::retention::validate(days).map_err(|e| RowError::new(RETENTION, e))?;
            Ok(days)
        }
        (v, _) => Err(unknown_version(RETENTION, v)),
    }
}

/// Writes the retention row.
pub fn write_retention(days: u32) -> Result<String, RowError> {
    seal(RETENTION, 1, &RetentionV1 { days })
}
