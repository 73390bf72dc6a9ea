//! Operator keys: created, listed and revoked by the global admin (`ADMIN_TOKEN`) only. A key opens
//! the sites it names with the scopes it carries (`dni_core::access`); it is shown once, when it is
//! created, and only the hash of its secret is kept (in the operators object). Revoking it takes
//! effect on its next request: the object is strongly consistent.

use dni_core::access::{self, Need, NewKey, OperatorKey};
use worker::{Request, Response, Result, RouteContext};

use super::access::allow;
use super::{ask, parse_json, read_body};
use crate::error::{respond, ApiError};
use crate::operators_object::NAME;
use crate::protocol::OperatorsOp;
use crate::{clock, OPERATORS};

/// Largest key request accepted.
const MAX_KEY_BODY: usize = 16 * 1024;

/// `POST /v1/operator-keys` `{"name", "sites": [...], "scopes": [...]}`: a new key, shown once.
pub async fn create(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let allowed = allow(&req, &ctx.env, "", Need::Admin).await;
    respond(
        async {
            let viewer = allowed?;
            let body = read_body(&mut req, MAX_KEY_BODY).await?;
            let new: NewKey = parse_json(&body)?;
            let new = new.validate().map_err(ApiError::BadRequest)?;
            let id = clock::random_alnum(access::ID_LEN);
            let secret = clock::random_alnum(access::SECRET_LEN);
            let key = access::make_key(&id, &secret).ok_or(ApiError::Unavailable)?;
            let row = OperatorKey {
                id,
                name: new.name,
                sites: new.sites,
                scopes: new.scopes,
                hash: access::hash_secret(&secret),
                created_at: clock::now(),
                created_by: viewer.who(),
                revoked_at: None,
                revoked_by: None,
            };
            let _: Vec<dni_core::history::Entry> = ask(
                &ctx.env,
                OPERATORS,
                NAME,
                &OperatorsOp::KeyCreate { key: row.clone() },
            )
            .await?;
            let mut shown = serde_json::to_value(row.shown())
                .map_err(|e| worker::Error::RustError(e.to_string()))?;
            shown["key"] = serde_json::Value::String(key);
            Ok(Response::from_json(&shown)?.with_status(201))
        }
        .await,
    )
}

/// `GET /v1/operator-keys`: every key (ids, names, sites, scopes; never a secret or a hash).
pub async fn list(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            allow(&req, &ctx.env, "", Need::Admin).await?;
            let keys: Vec<OperatorKey> =
                ask(&ctx.env, OPERATORS, NAME, &OperatorsOp::KeyList).await?;
            let shown: Vec<_> = keys.iter().map(OperatorKey::shown).collect();
            Ok(Response::from_json(&serde_json::json!({ "keys": shown }))?)
        }
        .await,
    )
}

/// `DELETE /v1/operator-keys/{id}`: revokes a key; its next request is refused.
pub async fn revoke(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            let viewer = allow(&req, &ctx.env, "", Need::Admin).await?;
            let id = ctx.param("id").cloned().unwrap_or_default();
            if id.len() != access::ID_LEN {
                return Err(ApiError::NotFound("unknown key"));
            }
            let key: Option<OperatorKey> = ask(
                &ctx.env,
                OPERATORS,
                NAME,
                &OperatorsOp::KeyRevoke {
                    id,
                    by: viewer.who(),
                    at: clock::now(),
                },
            )
            .await?;
            let key = key.ok_or(ApiError::NotFound("unknown key"))?;
            Ok(Response::from_json(&key.shown())?)
        }
        .await,
    )
}
