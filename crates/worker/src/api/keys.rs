//! Operator keys (`/v1/operator-keys`): a new key (`POST`, the only answer that carries the key),
//! the list (`GET`) and a revocation (`DELETE .../{id}`). Converted from the operators object's
//! stored `dni_core::access::OperatorKey`, whose secret's hash never reaches an answer.

use dni_core::access::{self as core_access, OperatorKey};
use serde::{Deserialize, Serialize};

/// `POST /v1/operator-keys`' body: `{"name", "sites": [...], "scopes": [...]}`, checked by the
/// core (`NewKey::validate`) once converted.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    /// A label for people (who holds it), at most 100 characters.
    #[serde(default)]
    pub name: String,
    /// The sites it opens: one at least, each a site id, no repeats.
    pub sites: Vec<String>,
    /// Its scopes (none: it reads reports, callers masked).
    #[serde(default)]
    pub scopes: Vec<Scope>,
}

/// What a key may do on its sites besides reading their reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Scope {
    Configure,
    Calls,
    Recordings,
    Qualify,
    Erase,
}

impl From<Scope> for core_access::Scope {
    fn from(s: Scope) -> Self {
        match s {
            Scope::Configure => core_access::Scope::Configure,
            Scope::Calls => core_access::Scope::Calls,
            Scope::Recordings => core_access::Scope::Recordings,
            Scope::Qualify => core_access::Scope::Qualify,
            Scope::Erase => core_access::Scope::Erase,
        }
    }
}

impl From<NewKey> for core_access::NewKey {
    fn from(k: NewKey) -> Self {
        let NewKey {
            name,
            sites,
            scopes,
        } = k;
        core_access::NewKey {
            name,
            sites,
            scopes: scopes.into_iter().map(Into::into).collect(),
        }
    }
}

/// A key as the API shows it: everything but the hash of its secret. The fields are declared in
/// the order the revocation's answer writes them ([`super::json_as_declared`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Key {
    /// The id (the part of the key that finds it).
    pub id: String,
    /// A label for people.
    pub name: String,
    /// The sites it opens.
    pub sites: Vec<String>,
    /// Its scopes (`configure`, `calls`, `recordings`, `qualify`, `erase`).
    pub scopes: Vec<String>,
    /// When it was created (milliseconds since the epoch).
    pub created_at: u64,
    /// Who created it (`admin`).
    pub created_by: String,
    /// When it was revoked.
    pub revoked_at: Option<u64>,
    /// Who revoked it.
    pub revoked_by: Option<String>,
}

impl From<&OperatorKey> for Key {
    fn from(k: &OperatorKey) -> Self {
        let OperatorKey {
            id,
            name,
            sites,
            scopes,
            hash: _,
            created_at,
            created_by,
            revoked_at,
            revoked_by,
        } = k;
        Key {
            id: id.clone(),
            name: name.clone(),
            sites: sites.clone(),
            scopes: scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            created_at: *created_at,
            created_by: created_by.clone(),
            revoked_at: *revoked_at,
            revoked_by: revoked_by.clone(),
        }
    }
}

/// `POST /v1/operator-keys` (201): the key, in this answer only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Created {
    /// The key's id, name, sites, scopes and times.
    #[serde(flatten)]
    pub shown: Key,
    /// `dni_ok_<id>_<secret>`.
    pub key: String,
}

/// `GET /v1/operator-keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Keys {
    /// Every key, revoked ones included.
    pub keys: Vec<Key>,
}
