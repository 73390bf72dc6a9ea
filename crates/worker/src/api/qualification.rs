//! A call's qualification as the API shows and takes it: the `qualification` of a call (the
//! calls' pages, the detail, the import), `PUT /v1/sites/{site}/calls/{call}/qualification`'s body
//! and its answer. Converted from `dni_core::qualification` field by field, enums matched
//! exhaustively, so a change of the core's types cannot change the public JSON silently.

use dni_core::qualification as core_q;
use dni_core::Millis;
use serde::{Deserialize, Serialize};

/// What the lead was: an operator's qualification, or the site's automatic rules'.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Qualification {
    /// Tags, lower case, each once.
    #[serde(default)]
    pub tags: Vec<String>,
    /// `good`, `bad`, `spam`, or null: not decided.
    #[serde(default)]
    pub status: Option<LeadStatus>,
    /// What the lead is worth, when known.
    #[serde(default)]
    pub value: Option<f64>,
    /// Who set it.
    pub by: QualifiedBy,
    /// When (ms).
    pub at: Millis,
}

/// A lead status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum LeadStatus {
    Good,
    Bad,
    Spam,
}

/// Who qualified the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QualifiedBy {
    /// The site's automatic rule at this position (0-based) of its `qualify` list.
    Rule {
        /// Its position.
        index: u32,
    },
    /// An operator, or a key or report token allowed to qualify.
    Operator,
}

/// `PUT /v1/sites/{site}/calls/{call}/qualification`'s body: every field is replaced; an empty
/// body clears tags, status and value.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Tags (at most 16, each 1 to 40 characters).
    #[serde(default)]
    pub tags: Vec<String>,
    /// `good`, `bad`, `spam`, or null.
    #[serde(default)]
    pub status: Option<LeadStatus>,
    /// A value >= 0, or null.
    #[serde(default)]
    pub value: Option<f64>,
}

/// The answer to the `PUT`: the call's qualification as it is now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Qualified {
    /// The site.
    pub site: String,
    /// The call.
    pub call_sid: String,
    /// Its qualification.
    pub qualification: Option<Qualification>,
}

impl From<core_q::LeadStatus> for LeadStatus {
    fn from(s: core_q::LeadStatus) -> Self {
        match s {
            core_q::LeadStatus::Good => LeadStatus::Good,
            core_q::LeadStatus::Bad => LeadStatus::Bad,
            core_q::LeadStatus::Spam => LeadStatus::Spam,
        }
    }
}

impl From<LeadStatus> for core_q::LeadStatus {
    fn from(s: LeadStatus) -> Self {
        match s {
            LeadStatus::Good => core_q::LeadStatus::Good,
            LeadStatus::Bad => core_q::LeadStatus::Bad,
            LeadStatus::Spam => core_q::LeadStatus::Spam,
        }
    }
}

impl From<&core_q::Qualification> for Qualification {
    fn from(q: &core_q::Qualification) -> Self {
        let core_q::Qualification {
            tags,
            status,
            value,
            by,
            at,
        } = q;
        Qualification {
            tags: tags.clone(),
            status: status.map(Into::into),
            value: *value,
            by: match by {
                core_q::QualifiedBy::Rule { index } => QualifiedBy::Rule { index: *index },
                core_q::QualifiedBy::Operator => QualifiedBy::Operator,
            },
            at: *at,
        }
    }
}

impl From<Qualification> for core_q::Qualification {
    fn from(q: Qualification) -> Self {
        let Qualification {
            tags,
            status,
            value,
            by,
            at,
        } = q;
        core_q::Qualification {
            tags,
            status: status.map(Into::into),
            value,
            by: match by {
                QualifiedBy::Rule { index } => core_q::QualifiedBy::Rule { index },
                QualifiedBy::Operator => core_q::QualifiedBy::Operator,
            },
            at,
        }
    }
}

impl From<Input> for core_q::Input {
    fn from(i: Input) -> Self {
        let Input {
            tags,
            status,
            value,
        } = i;
        core_q::Input {
            tags,
            status: status.map(Into::into),
            value,
        }
    }
}
