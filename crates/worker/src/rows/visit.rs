//! The visits a pool object keeps (`visits.visit`): what a session's visit said when it last asked
//! for a number, so that its calls can be attributed.

use dni_core::api::GaCookies;
use serde::{Deserialize, Serialize};

use super::attribution::AttributionV1;
use super::{fields, open, seal, unknown_version, RowError};
use crate::protocol::Visit;

const VISIT: &str = "visit";

/// A visit row, version 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitV1 {
    /// The attribution when the session last asked.
    pub attribution: AttributionV1,
    /// The page that asked.
    pub page: String,
    /// GA ids, when the visitor allowed analytics storage.
    #[serde(default)]
    pub ga: Option<GaV1>,
    /// The consent tier the page declared (`session`, `full`; absent: unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<String>,
    /// Meta's `_fbp` cookie (full tier only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fbp: Option<String>,
}

/// The GA cookies, version 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GaV1 {
    /// `_ga`.
    #[serde(default)]
    pub client: String,
    /// `_ga_<stream>`.
    #[serde(default)]
    pub session: String,
}

/// Reads a visit row.
pub fn read_visit(text: &str) -> Result<Visit, RowError> {
    match open(VISIT, text)? {
        (1, f) => {
            let row: VisitV1 = fields(VISIT, f)?;
            Ok(Visit {
                attribution: row.attribution.into_domain(VISIT)?,
                page: row.page,
                ga: row.ga.map(|g| GaCookies {
                    client: g.client,
                    session: g.session,
                }),
                consent: row
                    .consent
                    .map(|t| super::call::tier(VISIT, &t))
                    .transpose()?,
                fbp: row.fbp,
            })
        }
        (v, _) => Err(unknown_version(VISIT, v)),
    }
}

/// Writes a visit row.
pub fn write_visit(visit: &Visit) -> Result<String, RowError> {
    let Visit {
        attribution,
        page,
        ga,
        consent,
        fbp,
    } = visit;
    let row = VisitV1 {
        attribution: attribution.into(),
        page: page.clone(),
        ga: ga.as_ref().map(|g| GaV1 {
            client: g.client.clone(),
            session: g.session.clone(),
        }),
        consent: consent.map(super::call::tier_name),
        fbp: fbp.clone(),
    };
    seal(VISIT, 1, &row)
}
