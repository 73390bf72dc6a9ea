//! Operator keys: created, listed and revoked by the global admin (`ADMIN_TOKEN`) only. A key opens
//! the sites it names with the scopes it carries (`dni_core::access`); it is shown once, when it is
//! created, and only the hash of its secret is kept (in the operators object). Revoking it takes
//! effect on its next request: the object is strongly consistent.

use dni_core::access::{self, Need, OperatorKey};
use worker::{Request, Response, Result, RouteContext};

use super::access::allow;
use super::{ask, parse_json, read_body};
use crate::api;
use crate::api::keys::{Created, Key, Keys, NewKey};
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
            let new = access::NewKey::from(new)
                .validate()
                .map_err(ApiError::BadRequest)?;
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
            Ok(api::json(&Created {
                shown: Key::from(&row),
                key,
            })?
            .with_status(201))
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
            Ok(api::json(&Keys {
                keys: keys.iter().map(Key::from).collect(),
            })?)
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
            Ok(api::json_as_declared(&Key::from(&key))?)
        }
        .await,
    )
}
