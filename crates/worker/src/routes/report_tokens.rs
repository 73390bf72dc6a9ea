//! Report tokens, managed by the operator (or a key with the `configure` scope): `POST` creates one for a site (the token is in that
//! answer only; the site's call log keeps the hash of its secret), `GET` lists them, `DELETE`
//! revokes one at once. And the operator's import of call history into a site's log.

use dni_core::access::{self, Need, Scope};
use worker::{Request, Response, Result, RouteContext};

use super::access::allow_site;
use super::{ask, parse_json, read_body};
use crate::api;
use crate::api::calls::{Call, Imported};
use crate::api::tokens::{Created, NewToken, Revoked, Token, Tokens};
use crate::calls_object::MAX_IMPORT;
use crate::clock;
use crate::config_store::{self, Freshness};
use crate::error::{respond, ApiError, ApiResult};
use crate::protocol::{CallOp, ImportReply, TokenRow};
use crate::CALL_LOGS;

/// Largest token request and import accepted.
const MAX_TOKEN_BODY: usize = 4 * 1024;
const MAX_IMPORT_BODY: usize = 4 * 1024 * 1024;
/// Longest token name.
const MAX_NAME: usize = 100;

async fn operator_site(req: &Request, ctx: &RouteContext<()>) -> ApiResult<String> {
    let (site, _) = allow_site(req, ctx, Need::Scope(Scope::Configure)).await?;
    Ok(config_store::site(&ctx.env, &site, Freshness::Latest)
        .await?
        .id)
}

/// `POST /v1/sites/{site}/report-tokens` `{"name": "..."}`: a new read-only token for the site.
pub async fn create(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let site = operator_site(&req, &ctx).await;
    respond(
        async {
            let site = site?;
            let body = read_body(&mut req, MAX_TOKEN_BODY).await?;
            let new: NewToken = if body.trim().is_empty() {
                NewToken {
                    name: String::new(),
                    token: None,
                    scopes: Vec::new(),
                }
            } else {
                parse_json(&body)?
            };
            if new.name.chars().count() > MAX_NAME || new.name.chars().any(char::is_control) {
                return Err(ApiError::BadRequest(
                    "name must be at most 100 printable characters".to_owned(),
                ));
            }
            if new
                .scopes
                .iter()
                .any(|s| !access::SCOPES.contains(&s.as_str()))
            {
                return Err(ApiError::BadRequest(
                    "scopes: only \"qualify\" (a token reads the site's reports either way)"
                        .to_owned(),
                ));
            }
            let mut scopes: Vec<&str> = access::SCOPES
                .iter()
                .copied()
                .filter(|s| new.scopes.iter().any(|n| n == s))
                .collect();
            scopes.dedup();
            let (id, secret) = match &new.token {
                Some(chosen) => {
                    let parts = access::parse_token(chosen).ok_or_else(|| {
                        ApiError::BadRequest(
                            "token must be dni_rt_ + 12 + _ + 32 characters of A-Z a-z 0-9 -"
                                .to_owned(),
                        )
                    })?;
                    (parts.id.to_owned(), parts.secret.to_owned())
                }
                None => (
                    clock::random_alnum(access::ID_LEN),
                    clock::random_alnum(access::SECRET_LEN),
                ),
            };
            let token = access::make_token(&id, &secret).ok_or(ApiError::Unavailable)?;
            let row = TokenRow {
                id,
                site: site.clone(),
                name: new.name,
                hash: access::hash_secret(&secret),
                created_at: i64::try_from(clock::now()).unwrap_or(0),
                scopes: scopes.join(" "),
            };
            let _: bool = ask(
                &ctx.env,
                CALL_LOGS,
                &site,
                &CallOp::TokenCreate { token: row.clone() },
            )
            .await?;
            Ok(api::json(&Created::of(&row, token))?.with_status(201))
        }
        .await,
    )
}

/// `GET /v1/sites/{site}/report-tokens`: the site's tokens (ids and names, never secrets).
pub async fn list(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            let site = operator_site(&req, &ctx).await?;
            let tokens: Vec<TokenRow> = ask(&ctx.env, CALL_LOGS, &site, &CallOp::TokenList).await?;
            Ok(api::json(&Tokens {
                tokens: tokens.iter().map(Token::from).collect(),
                site,
            })?)
        }
        .await,
    )
}

/// `DELETE /v1/sites/{site}/report-tokens/{id}`: revokes a token; it stops working at once.
pub async fn revoke(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            let site = operator_site(&req, &ctx).await?;
            let id = ctx.param("id").cloned().unwrap_or_default();
            if id.len() != access::ID_LEN {
                return Err(ApiError::NotFound("unknown token"));
            }
            let gone: bool = ask(
                &ctx.env,
                CALL_LOGS,
                &site,
                &CallOp::TokenRevoke { id: id.clone() },
            )
            .await?;
            if !gone {
                return Err(ApiError::NotFound("unknown token"));
            }
            Ok(api::json(&Revoked {
                ok: true,
                revoked: id,
            })?)
        }
        .await,
    )
}

/// `POST /v1/sites/{site}/calls/import`: adds call records made elsewhere (another tool's
/// history, the demo's), up to 1,000 a request; a call id already in the log is left alone.
pub async fn import(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let site = operator_site(&req, &ctx).await;
    respond(
        async {
            let site = site?;
            let body = read_body(&mut req, MAX_IMPORT_BODY).await?;
            let calls: Vec<Call> = parse_json(&body)?;
            if calls.len() > MAX_IMPORT {
                return Err(ApiError::BadRequest(
                    "at most 1000 records a request".to_owned(),
                ));
            }
            let records = calls
                .into_iter()
                .map(Call::into_record)
                .collect::<Result<Vec<_>, _>>()
                .map_err(ApiError::BadRequest)?;
            if let Some(r) = records
                .iter()
                .find(|r| r.site != site || r.call_sid.is_empty() || r.call_sid.len() > 128)
            {
                return Err(ApiError::BadRequest(
                    [
                        "record ",
                        &r.call_sid.chars().take(64).collect::<String>(),
                        " must name this site and have a call id of 1 to 128 characters",
                    ]
                    .concat(),
                ));
            }
            // The site's retention goes with the records: history older than it is deleted by
            // the call log's next alarm, as a call that old would be.
            let config = config_store::site(&ctx.env, &site, Freshness::Latest).await?;
            let op = CallOp::Import {
                records,
                retention_days: Some(config.retention_days),
            };
            let reply: ImportReply = ask(&ctx.env, CALL_LOGS, &site, &op).await?;
            Ok(api::json(&Imported {
                imported: reply.imported,
            })?)
        }
        .await,
    )
}
