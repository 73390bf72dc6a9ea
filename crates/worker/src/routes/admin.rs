//! The operator's endpoints: configuration, pool figures, erasure, recordings (calls and reports:
//! `reports`). Each names what it needs of its caller (`access::allow_site`).

use dni_core::access::{Need, Scope};
use dni_core::config::SiteConfig;
use worker::{Request, Response, Result, RouteContext};

use super::access::allow_site;
use super::{ask, ask_shards, parse_json, read_body};
use crate::api;
use crate::api::admin::{CallerErased, ConfigStored};
use crate::api::pool::PoolStats;
use crate::config_store::{self, Freshness};
use crate::error::{respond, ApiError};
use crate::protocol::{CallOp, EraseReply, PoolOp, StatsReply};
use crate::CALL_LOGS;

/// Largest configuration accepted.
const MAX_CONFIG: usize = 256 * 1024;

/// `GET /v1/sites/{site}/config`. The body is the configuration document itself
/// (`docs/configuration.md`), the same format `PUT` takes and `dni kv` reads from a file.
pub async fn get_config(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            let (site, _) = allow_site(&req, &ctx, Need::Scope(Scope::Configure)).await?;
            let config = config_store::site(&ctx.env, &site, Freshness::Latest).await?;
            Ok(Response::from_json(&config)?)
        }
        .await,
    )
}

/// `PUT /v1/sites/{site}/config`: validates and stores a configuration and its number routes.
pub async fn put_config(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let authorized = allow_site(&req, &ctx, Need::Scope(Scope::Configure)).await;
    respond(
        async {
            let (site, viewer) = authorized?;
            let body = read_body(&mut req, MAX_CONFIG).await?;
            let config: SiteConfig = parse_json(&body)?;
            if config.id != site {
                return Err(ApiError::BadRequest(
                    "the configuration's id must match the URL".to_owned(),
                ));
            }
            config.validate().map_err(|e| ApiError::BadRequest(e.0))?;
            if config_store::number_taken(&ctx.env, &config, &viewer)
                .await?
                .is_some()
            {
                return Err(ApiError::Forbidden(
                    "a number of this configuration is routed to another site; only the operator can move it",
                ));
            }
            let previous = config_store::site(&ctx.env, &site, Freshness::Latest)
                .await
                .ok();
            config_store::put_site(&ctx.env, &config, previous.as_ref()).await?;
            let change = dni_core::history::Change::Config {
                config: Box::new(config.clone()),
            };
            let version =
                super::config_history::record(&ctx.env, &site, previous, change, &viewer).await?;
            Ok(api::json(&ConfigStored {
                ok: true,
                site: config.id,
                version,
            })?)
        }
        .await,
    )
}

/// `GET /v1/sites/{site}/pools/{pool}`: the pool's counters and usage, and the sizing advice
/// (`dni_core::report::pool`). The operator and the site's report tokens may read it.
pub async fn pool_stats(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            let (site, _) = allow_site(&req, &ctx, Need::Read).await?;
            let config = config_store::site(&ctx.env, &site, Freshness::Latest).await?;
            let pool_id = ctx.param("pool").cloned().unwrap_or_default();
            let pool = config
                .pool(&pool_id)
                .ok_or(ApiError::NotFound("unknown pool"))?;
            // Every shard's figures, and their sum.
            let shards: Vec<StatsReply> =
                ask_shards(&ctx.env, &config, pool, |pool| PoolOp::Stats { pool }).await?;
            let total = sum(&shards);
            // The advice is for the busiest hours of the dashboard's default range (the last 30
            // days in the site's zone), as the history route gives it for that range.
            let zone = config
                .time_zone
                .as_deref()
                .and_then(dni_core::civil::Zone::named)
                .unwrap_or_else(dni_core::civil::Zone::utc);
            let today = super::reports::today(&zone)?;
            let range = dni_core::report::query::range_query(&[], &zone, today)
                .map_err(super::reports::bad)?;
            let (from, to) = range.range;
            let history = super::pool_history::points(&ctx.env, &config, pool, from, to).await?;
            let advice = super::pool_history::advice(&history, pool);
            Ok(api::json(&PoolStats::of(&total, &advice, &shards))?)
        }
        .await,
    )
}

/// The figures of a split pool, added up.
pub(crate) fn sum(shards: &[StatsReply]) -> StatsReply {
    let mut total = StatsReply {
        counters: Default::default(),
        size: 0,
        leased: 0,
        cooling: 0,
        next_deadline: None,
        limited: 0,
        refused: Default::default(),
        needed: Vec::new(),
    };
    for s in shards {
        total.needed.extend(s.needed.iter().cloned());
        total.limited += s.limited;
        total.refused.add(&s.refused);
        let (t, c) = (&mut total.counters, &s.counters);
        t.granted += c.granted;
        t.renewed += c.renewed;
        t.heartbeats += c.heartbeats;
        t.released += c.released;
        t.expired += c.expired;
        t.exhausted += c.exhausted;
        t.overflow += c.overflow;
        t.original += c.original;
        t.reused += c.reused;
        total.size += s.size;
        total.leased += s.leased;
        total.cooling += s.cooling;
        total.next_deadline = match (total.next_deadline, s.next_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    total
}

/// `DELETE /v1/sites/{site}/callers/{e164}`: erases one caller's data on request. Every call
/// record from that number is deleted (not blanked: a record also holds the visit's session,
/// click and analytics ids, which identify the same person elsewhere).
pub async fn erase_caller(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            let (site, _) = allow_site(&req, &ctx, Need::Scope(Scope::Erase)).await?;
            let config = config_store::site(&ctx.env, &site, Freshness::Latest).await?;
            let raw = ctx.param("caller").cloned().unwrap_or_default();
            // `+` may arrive percent-encoded.
            let text = raw.strip_prefix("%2B").or_else(|| raw.strip_prefix("%2b"));
            let text = text.map_or(raw.clone(), |rest| ["+", rest].concat());
            let caller = dni_core::phone::E164::parse(&text).map_err(|e| {
                ApiError::BadRequest(
                    ["the caller must be an E.164 number: ", &e.to_string()].concat(),
                )
            })?;
            let reply: EraseReply = ask(
                &ctx.env,
                CALL_LOGS,
                &config.id,
                &CallOp::EraseCaller {
                    caller: caller.clone(),
                },
            )
            .await?;
            Ok(api::json(&CallerErased::new(
                &config.id,
                &caller,
                u64::from(reply.erased),
            ))?)
        }
        .await,
    )
}

/// `GET /v1/sites/{site}/calls/{call}/recording[?kind=voicemail]`: a call's recording (or its
/// voicemail), fetched from the provider with the account's credentials, which never leave the
/// worker.
pub async fn recording(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            let (site, _) = allow_site(&req, &ctx, Need::Scope(Scope::Recordings)).await?;
            let config = config_store::site(&ctx.env, &site, Freshness::Latest).await?;
            let call_sid = ctx.param("call").cloned().unwrap_or_default();
            if call_sid.is_empty() || call_sid.len() > 128 {
                return Err(ApiError::BadRequest("bad call id".to_owned()));
            }
            let voicemail = req
                .url()?
                .query_pairs()
                .any(|(k, v)| k == "kind" && v == "voicemail");
            let record: Option<dni_core::call::CallRecord> =
                ask(&ctx.env, CALL_LOGS, &config.id, &CallOp::Get { call_sid }).await?;
            let record = record.ok_or(ApiError::NotFound("no such call"))?;
            let found = if voicemail {
                record.voicemail
            } else {
                record.recording
            };
            let found = found.ok_or(ApiError::NotFound("no recording for this call"))?;
            crate::recordings::fetch(&ctx.env, record.provider, &found).await
        }
        .await,
    )
}
