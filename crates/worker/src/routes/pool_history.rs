//! The pool panel's history: numbers leased and cooling down per quarter hour, and exhaustion
//! events, over a date range (`GET`, the operator or the site's report tokens); and the operator's
//! import of samples (`POST`, the demo's history). Each shard's object keeps its own samples
//! (`pool_object`); the core adds them up into one line (`dni_core::report::pool_history`).

use dni_core::access::{Need, Scope};
use dni_core::config::{PoolConfig, SiteConfig};
use dni_core::report::pool;
use dni_core::report::pool_history::{self, Point, Sample};
use dni_core::report::query;
use dni_core::Millis;
use worker::{Request, Response, Result, RouteContext};

use super::access::allow_site;
use super::reports::{bad, context, pairs, today};
use super::{ask, ask_shards, parse_json, read_body, shard, Shard};
use crate::api;
use crate::api::pool::{self as api_pool, PoolHistory, SamplesImported};
use crate::config_store::{self, Freshness};
use crate::error::{respond, ApiError, ApiResult};
use crate::protocol::PoolOp;
use crate::POOLS;

/// Most samples one import carries: 35 days of quarter hours fit.
const MAX_IMPORT: usize = 4_000;
const MAX_IMPORT_BODY: usize = 1024 * 1024;

/// `GET /v1/sites/{site}/pools/{pool}/history?from=&to=`: one point per sampled quarter hour of
/// the range (dates in the site's time zone, the last 30 days by default).
pub async fn history(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            let c = context(&req, &ctx).await?;
            let pool_id = ctx.param("pool").cloned().unwrap_or_default();
            let pool = c
                .config
                .pool(&pool_id)
                .ok_or(ApiError::NotFound("unknown pool"))?;
            let range = query::range_query(&pairs(&req)?, &c.zone, today(&c.zone)?).map_err(bad)?;
            let (from, to) = range.range;
            let points = points(&ctx.env, &c.config, pool, from, to).await?;
            Ok(api::json(&PoolHistory {
                site: c.site.clone(),
                pool: pool.id.clone(),
                time_zone: c.zone.name().to_owned(),
                from: range.from,
                to: range.to,
                every_s: pool_history::EVERY / 1000,
                advice: (&advice(&points, pool)).into(),
                points: points.iter().map(Into::into).collect(),
            })?)
        }
        .await,
    )
}

/// The whole pool's points over `[from, to)`: every shard's samples, added up.
pub(crate) async fn points(
    env: &worker::Env,
    config: &SiteConfig,
    pool: &PoolConfig,
    from: Millis,
    to: Millis,
) -> ApiResult<Vec<Point>> {
    let shards: Vec<Vec<Sample>> =
        ask_shards(env, config, pool, |pool| PoolOp::History { pool, from, to }).await?;
    Ok(pool_history::series(&shards, from, to))
}

/// The sizing advice from a range's points: for its busiest hours, not for the moment of reading
/// (`dni_core::report::pool`).
pub(crate) fn advice(points: &[Point], pool: &PoolConfig) -> pool::Advice {
    let hold = pool.settings.cooldown + pool.settings.idle_timeout;
    pool::advice(points, pool.numbers.len(), hold)
}

/// `POST /v1/sites/{site}/pools/{pool}/history/import`: samples made elsewhere (the demo's
/// history), into the pool's first shard; a quarter hour that has a sample keeps it.
pub async fn import(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let allowed = allow_site(&req, &ctx, Need::Scope(Scope::Configure)).await;
    respond(
        async {
            allowed?;
            let site = ctx.param("site").cloned().unwrap_or_default();
            let config = config_store::site(&ctx.env, &site, Freshness::Latest).await?;
            let pool_id = ctx.param("pool").cloned().unwrap_or_default();
            let pool = config
                .pool(&pool_id)
                .ok_or(ApiError::NotFound("unknown pool"))?;
            let body = read_body(&mut req, MAX_IMPORT_BODY).await?;
            let samples: Vec<api_pool::Sample> = parse_json(&body)?;
            let samples: Vec<Sample> = samples.into_iter().map(Into::into).collect();
            if samples.len() > MAX_IMPORT {
                return Err(ApiError::BadRequest(
                    "at most 4000 samples a request".to_owned(),
                ));
            }
            if samples
                .iter()
                .any(|s| s.leased.saturating_add(s.cooling) > s.size)
            {
                return Err(ApiError::BadRequest(
                    "a sample has more numbers leased and cooling than its size".to_owned(),
                ));
            }
            let Shard { name, spec } = shard(&config, pool, 0);
            let imported: usize = ask(
                &ctx.env,
                POOLS,
                &name,
                &PoolOp::ImportHistory {
                    pool: spec,
                    samples,
                },
            )
            .await?;
            Ok(api::json(&SamplesImported { imported })?)
        }
        .await,
    )
}
