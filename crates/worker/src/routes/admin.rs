//! The operator's endpoints: call reports, configuration, pool figures. All need the bearer token.

use dni_core::auth::{check_bearer, Denied};
use dni_core::config::SiteConfig;
use worker::{Request, Response, Result, RouteContext};

use super::{ask, parse_json, pool_object_name, read_body, secret};
use crate::config_store::{self, Freshness};
use crate::error::{respond, ApiError, ApiResult};
use crate::protocol::{CallOp, PoolOp, PoolSpec, StatsReply};
use crate::{CALL_LOGS, POOLS};

/// Largest configuration accepted.
const MAX_CONFIG: usize = 256 * 1024;

fn authorize(req: &Request, ctx: &RouteContext<()>) -> ApiResult<String> {
    let header = req.headers().get("Authorization")?;
    match check_bearer(header.as_deref(), &secret(&ctx.env, "ADMIN_TOKEN")) {
        Ok(()) => Ok(ctx.param("site").cloned().unwrap_or_default()),
        Err(Denied::NoSecret) => Err(ApiError::Forbidden(
            "the admin API is disabled: ADMIN_TOKEN is not set",
        )),
        Err(Denied::BadToken) => Err(ApiError::Unauthorized),
    }
}

/// `GET /v1/sites/{site}/calls[?limit=N]`: the latest calls, newest first.
pub async fn calls(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            let site = authorize(&req, &ctx)?;
            let config = config_store::site(&ctx.env, &site, Freshness::Latest).await?;
            let limit = req
                .url()?
                .query_pairs()
                .find(|(k, _)| k == "limit")
                .map(|(_, v)| {
                    v.parse::<u32>()
                        .map_err(|_| ApiError::BadRequest("limit must be a number".to_owned()))
                })
                .transpose()?
                .unwrap_or(100);
            let calls: Vec<dni_core::call::CallRecord> =
                ask(&ctx.env, CALL_LOGS, &config.id, &CallOp::List { limit }).await?;
            Ok(Response::from_json(
                &serde_json::json!({ "site": config.id, "calls": calls }),
            )?)
        }
        .await,
    )
}

/// `GET /v1/sites/{site}/config`.
pub async fn get_config(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            let site = authorize(&req, &ctx)?;
            let config = config_store::site(&ctx.env, &site, Freshness::Latest).await?;
            Ok(Response::from_json(&config)?)
        }
        .await,
    )
}

/// `PUT /v1/sites/{site}/config`: validates and stores a configuration and its number routes.
pub async fn put_config(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let authorized = authorize(&req, &ctx);
    respond(
        async {
            let site = authorized?;
            let body = read_body(&mut req, MAX_CONFIG).await?;
            let config: SiteConfig = parse_json(&body)?;
            if config.id != site {
                return Err(ApiError::BadRequest(
                    "the configuration's id must match the URL".to_owned(),
                ));
            }
            config.validate().map_err(|e| ApiError::BadRequest(e.0))?;
            let previous = config_store::site(&ctx.env, &site, Freshness::Latest)
                .await
                .ok();
            config_store::put_site(&ctx.env, &config, previous.as_ref()).await?;
            Ok(Response::from_json(
                &serde_json::json!({ "ok": true, "site": config.id }),
            )?)
        }
        .await,
    )
}

/// `GET /v1/sites/{site}/pools/{pool}`: the pool's counters and usage.
pub async fn pool_stats(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            let site = authorize(&req, &ctx)?;
            let config = config_store::site(&ctx.env, &site, Freshness::Latest).await?;
            let pool_id = ctx.param("pool").cloned().unwrap_or_default();
            let pool = config
                .pool(&pool_id)
                .ok_or(ApiError::NotFound("unknown pool"))?;
            let op = PoolOp::Stats {
                pool: PoolSpec {
                    numbers: pool.numbers.clone(),
                    settings: pool.settings.clone(),
                },
            };
            let stats: StatsReply = ask(
                &ctx.env,
                POOLS,
                &pool_object_name(&config.id, &pool.id),
                &op,
            )
            .await?;
            Ok(Response::from_json(&stats)?)
        }
        .await,
    )
}
