//! Operator keys (`/v1/operator-keys`): a new key (`POST`, the only answer that carries the key),
//! the list (`GET`) and a revocation (`DELETE .../{id}`). Converted from the operators object's
//! stored `dni_core::access::OperatorKey`, whose secret's hash never reaches an answer.

use dni_core::access::OperatorKey;
use serde::Serialize;

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
