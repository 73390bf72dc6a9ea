//! Report tokens: the list (`GET /v1/sites/{site}/report-tokens`), a new token (`POST`: its body,
//! and the only answer that carries the token) and a revocation (`DELETE .../{id}`). Converted from the call
//! log's stored `protocol::TokenRow`, whose secret's hash never reaches an answer.

use serde::{Deserialize, Serialize};

use crate::protocol::TokenRow;

/// `POST /v1/sites/{site}/report-tokens`'s body (an empty body is a token without a name).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the operator calls it (at most 100 printable characters).
    #[serde(default)]
    pub name: String,
    /// A token chosen by the operator (the local demo's fixed token, or one carried over from
    /// another installation); well-formed or refused. Drawn at random when absent.
    #[serde(default)]
    pub token: Option<String>,
    /// Scopes besides reading: `["qualify"]` lets the token qualify the site's calls.
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// A token as the list shows it: never its secret nor the secret's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    /// The token's id.
    pub id: String,
    /// The site it opens.
    pub site: String,
    /// What the operator called it.
    pub name: String,
    /// When it was created (milliseconds since the epoch).
    pub created_at: i64,
    /// Its scopes besides reading, space-separated (`qualify`); empty: read-only.
    pub scopes: String,
}

/// `GET /v1/sites/{site}/report-tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tokens {
    /// The site.
    pub site: String,
    /// Its tokens.
    pub tokens: Vec<Token>,
}

/// `POST /v1/sites/{site}/report-tokens` (201): the token, in this answer only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Created {
    /// The token's id.
    pub id: String,
    /// The site it opens.
    pub site: String,
    /// What the operator called it.
    pub name: String,
    /// When it was created (milliseconds since the epoch).
    pub created_at: i64,
    /// Its scopes besides reading (`qualify`); empty: read-only.
    pub scopes: Vec<String>,
    /// `dni_rt_<id>_<secret>`.
    #[serde(rename = "token")]
    pub secret_token: String,
}

/// `DELETE /v1/sites/{site}/report-tokens/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revoked {
    /// Always true.
    pub ok: bool,
    /// The token's id.
    pub revoked: String,
}

impl Created {
    /// The answer for a stored row and the token itself.
    pub fn of(row: &TokenRow, secret_token: String) -> Self {
        Created {
            id: row.id.clone(),
            site: row.site.clone(),
            name: row.name.clone(),
            created_at: row.created_at,
            scopes: row.scopes.split_whitespace().map(str::to_owned).collect(),
            secret_token,
        }
    }
}

impl From<&TokenRow> for Token {
    fn from(row: &TokenRow) -> Self {
        Token {
            id: row.id.clone(),
            site: row.site.clone(),
            name: row.name.clone(),
            created_at: row.created_at,
            scopes: row.scopes.clone(),
        }
    }
}
