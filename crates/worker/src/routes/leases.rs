//! The browser's endpoints: the site's public configuration, and leases (ask, heartbeat, release).

use dni_core::api::{
    self, Assigned, Kind, LeaseRequest, LeaseResponse, PublicConfig, PublicStatic,
};
use dni_core::attribution::{attribute, fold, RawTouch};
use dni_core::classify::{Channel, Options};
use dni_core::config::{PoolConfig, SiteConfig};
use dni_core::lease::Outcome;
use dni_core::phone::E164;
use dni_core::{privacy, wire, Millis};
use worker::{Env, Request, Response, Result, RouteContext};

use super::{ask, own_origin, parse_json, read_body, shard, with_cors, Shard};
use crate::config_store::{self, Freshness};
use crate::drain_guard::Guard;
use crate::error::{respond, ApiError, ApiResult};
use crate::protocol::{HeartbeatReply, LeaseReply, PoolOp, ReleaseReply, Visit};
use crate::{clock, POOLS};

/// `GET /v1/sites/{site}/public`: what the browser needs before it asks for numbers. Public (the
/// numbers are on the site's pages anyway) and cacheable.
pub async fn public_config(_req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let site = ctx.param("site").cloned().unwrap_or_default();
    let config = match config_store::site(&ctx.env, &site, Freshness::Cached).await {
        Ok(config) => config,
        Err(e) => return with_cors(e.response()?, "*"),
    };
    let public = public_of(&config);
    let mut response = Response::from_json(&public)?;
    response
        .headers_mut()
        .set("Cache-Control", "public, max-age=60")?;
    with_cors(response, "*")
}

/// The public part of a site's configuration: `GET /public`, and every lease answer.
fn public_of(config: &SiteConfig) -> PublicConfig {
    PublicConfig {
        targets: config.targets.iter().map(|t| t.number.clone()).collect(),
        // In ASCII form, as browsers write hosts: the page then needs no IDN conversion.
        own_hosts: config
            .own_hosts
            .iter()
            .map(|h| {
                let h = h.trim();
                dni_core::url::normalize_host(dni_core::url::host_of(h).unwrap_or(h))
            })
            .collect(),
        static_numbers: config
            .static_numbers
            .iter()
            .map(|s| PublicStatic {
                number: s.number.clone(),
                target: s.target.clone(),
                channel: s.channel,
            })
            .collect(),
        lookback_ms: config.attribution.lookback,
        session_timeout_ms: config.attribution.session_timeout,
        // The defaults with the site's own: the page's redaction carries no list of its own.
        redact_params: privacy::listed(&config.redact_params),
    }
}

/// `OPTIONS` for the lease endpoints. The browser module sends `text/plain` bodies, which need no
/// preflight; this answers clients that send `application/json`.
pub async fn preflight(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let site = ctx.param("site").cloned().unwrap_or_default();
    let checked = async {
        let config = config_store::site(&ctx.env, &site, Freshness::Cached).await?;
        allowed_origin(&req, &config)
    };
    match checked.await {
        Ok(origin) => {
            let mut response = Response::empty()?.with_status(204);
            let headers = response.headers_mut();
            headers.set("Access-Control-Allow-Methods", "POST")?;
            headers.set("Access-Control-Allow-Headers", "Content-Type")?;
            headers.set("Access-Control-Max-Age", "86400")?;
            with_cors(response, &origin)
        }
        Err(e) => e.response(),
    }
}

/// The request's origin, if the site lists it (or it is the worker's own, for the demo page).
fn allowed_origin(req: &Request, config: &SiteConfig) -> ApiResult<String> {
    let origin = req
        .headers()
        .get("Origin")?
        .ok_or(ApiError::Forbidden("an Origin header is required"))?;
    let listed = config
        .origins
        .iter()
        .any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(&origin));
    if listed || origin == own_origin(req)? {
        Ok(origin)
    } else {
        Err(ApiError::Forbidden(
            "this origin is not allowed for this site",
        ))
    }
}

/// Runs a browser endpoint: site and origin first (their errors carry no CORS headers: a page of
/// another origin has no business reading them), then the handler, whose answer the page may read.
async fn for_site<'a, F, Fut>(
    req: &'a mut Request,
    ctx: &'a RouteContext<()>,
    handler: F,
) -> Result<Response>
where
    F: FnOnce(&'a mut Request, &'a RouteContext<()>, SiteConfig) -> Fut,
    Fut: std::future::Future<Output = ApiResult<Response>> + 'a,
{
    let site = ctx.param("site").cloned().unwrap_or_default();
    let config = match config_store::site(&ctx.env, &site, Freshness::Cached).await {
        Ok(config) => config,
        Err(e) => return e.response(),
    };
    let origin = match allowed_origin(req, &config) {
        Ok(origin) => origin,
        Err(e) => return e.response(),
    };
    with_cors(respond(handler(req, ctx, config).await)?, &origin)
}

/// `POST /v1/sites/{site}/leases`: a number for each target the page shows.
pub async fn lease(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    for_site(&mut req, &ctx, lease_numbers).await
}

async fn lease_numbers(
    req: &mut Request,
    ctx: &RouteContext<()>,
    config: SiteConfig,
) -> ApiResult<Response> {
    let body = read_body(req, api::MAX_BODY).await?;
    let mut request: LeaseRequest = parse_json(&body)?;
    let mut targets = request
        .validate()
        .map_err(|e| ApiError::BadRequest(e.message()))?;
    if !request.tails.is_empty() {
        // The loader's first request: which of the site's numbers the page shows, by their tails.
        let site: Vec<E164> = config.targets.iter().map(|t| t.number.clone()).collect();
        targets = api::targets_showing(&site, &request.tails);
    }
    // A page with an older loader is not trusted to have redacted its URLs.
    privacy::redact_lease(&mut request, &config.redact_params);
    let key = crate::drain_guard::ledger_key(&ctx.env).ok_or(ApiError::Unavailable)?;
    let guard = Guard::of(req, &config.limits, &key)?;
    let now = clock::now();
    let options = Options {
        own_hosts: &config.own_hosts,
    };
    let view = RawTouch {
        landing: request.page.url.clone(),
        referrer: request.page.referrer.clone(),
        at: now,
    };
    // The page keeps the views that may be touches; the worker classifies them (the page carries
    // no classifier) and folds them into the journey before it credits the current view.
    let journey = fold(
        &request.journey,
        &request.views,
        &config.attribution,
        options,
    );
    let attribution = attribute(&journey, view, &config.attribution, options);
    let channel = attribution.credited.touch.channel;
    let visit = Visit {
        attribution,
        page: request.page.url.clone(),
        ga: request.ga.clone(),
        consent: request.consent,
        fbp: request.fbp_kept(),
    };

    let mut numbers = Vec::with_capacity(targets.len());
    let mut heartbeat_ms: Millis = wire::HEARTBEAT_MS;
    for target in targets {
        let pool = config
            .target(&target)
            .and_then(|t| t.pool.as_deref())
            .and_then(|p| config.pool(p));
        let assigned = match pool {
            // Automated or over-limit clients take no new number from a pool (the pool object
            // decides, since only it knows a renewal from a new lease): they get the channel's.
            Some(pool) => {
                heartbeat_ms =
                    heartbeat_ms.min(wire::heartbeat_interval(pool.settings.idle_timeout));
                let asked = (&request, &target, &visit, &guard);
                match lease_from_shards(&ctx.env, &config, pool, asked).await {
                    Some(assigned) => assigned,
                    None => static_or_original(&config, &target, channel),
                }
            }
            None => static_or_original(&config, &target, channel),
        };
        numbers.push(assigned);
    }
    Ok(Response::from_json(&LeaseResponse {
        numbers,
        heartbeat_ms,
        config: Some(public_of(&config)),
    })?)
}

/// Asks a pool's shards in turn ([`PoolConfig::shard_order`]) for a number for the session: each
/// but the last for a free one only, the last with its exhaustion policy. An unsplit pool is one
/// request. `None` when the pool-drain limits refused the request a new number.
///
/// Each shard enforces only its share of the client's limits (`Limits::per_shard`), so that the
/// shards together allow what one object would; a shard that refuses by a limit lets the next one
/// answer (`Refusal::is_final`).
async fn lease_from_shards(
    env: &Env,
    site: &SiteConfig,
    pool: &PoolConfig,
    (request, target, visit, guard): (&LeaseRequest, &E164, &Visit, &Guard),
) -> Option<Assigned> {
    let session = (request.session.as_str(), request.leases.as_slice());
    lease_in_pool(env, site, pool, session, target, visit, Some(guard)).await
}

/// A lease for a test call's synthetic visit (`routes::test_calls`): the same shards, engine and
/// exhaustion policy as a visitor's, without the pool-drain limits (the operator asks, not a
/// page). What a visitor would be shown: a pool number with its lease, or the site's own number
/// when none was free.
pub(crate) async fn lease_for_test_call(
    env: &Env,
    site: &SiteConfig,
    pool: &PoolConfig,
    (session, target, visit): (&str, &E164, &Visit),
) -> Assigned {
    lease_in_pool(env, site, pool, (session, &[]), target, visit, None)
        .await
        .unwrap_or_else(|| original(target))
}

/// See [`lease_from_shards`]: `session` is the session's id and the leases its page holds.
async fn lease_in_pool(
    env: &Env,
    site: &SiteConfig,
    pool: &PoolConfig,
    (session, leases): (&str, &[String]),
    target: &E164,
    visit: &Visit,
    guard: Option<&Guard>,
) -> Option<Assigned> {
    let order = pool.shard_order(session, leases);
    let guard = guard.map(|g| Guard {
        limits: g.limits.per_shard(pool.shards),
        ..g.clone()
    });
    for (i, &k) in order.iter().enumerate() {
        let last = i + 1 == order.len();
        let Shard { name, spec } = shard(site, pool, k);
        let lease_id = wire::lease_id(&pool.id, k, &clock::random_id());
        let op = PoolOp::Lease {
            pool: spec,
            session: session.to_owned(),
            target: target.clone(),
            lease_id,
            visit: Box::new(visit.clone()),
            free_only: !last,
            guard: guard.clone(),
        };
        match ask::<LeaseReply>(env, POOLS, &name, &op).await {
            Ok(Ok(Some(outcome))) => return Some(from_outcome(target, outcome)),
            Ok(Ok(None)) => continue,
            Ok(Err(refused)) if refused.is_final(last) => return None,
            Ok(Err(_)) => continue,
            // The page keeps its own number rather than wait or break.
            Err(_) => return Some(original(target)),
        }
    }
    Some(original(target))
}

/// Ends a lease (a test call's, once its call is recorded), as the page's release does.
pub(crate) async fn release_lease(env: &Env, site: &SiteConfig, lease: &str) -> ApiResult<bool> {
    let Shard { name, spec } = shard_of_lease(site, lease)?;
    let op = PoolOp::Release {
        pool: spec,
        lease: lease.to_owned(),
    };
    ask::<ReleaseReply>(env, POOLS, &name, &op).await
}

/// `POST /v1/sites/{site}/numbers`: source-level numbers for a visitor who allows no identifiers.
/// The worker classifies the (reduced) page view and answers with the site's static number for its
/// channel, or the site's own number; nothing is leased, nothing is stored.
pub async fn numbers(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    for_site(&mut req, &ctx, |req, _, config| async move {
        let body = read_body(req, api::MAX_BODY).await?;
        let mut request: api::NumbersRequest = parse_json(&body)?;
        let mut targets = request
            .validate()
            .map_err(|e| ApiError::BadRequest(e.message()))?;
        if !request.tails.is_empty() {
            // The loader's first request at this tier: the site's numbers the page shows, by their
            // tails, as for a lease.
            let site: Vec<E164> = config.targets.iter().map(|t| t.number.clone()).collect();
            targets = api::targets_showing(&site, &request.tails);
        }
        privacy::redact_page(&mut request.page, &config.redact_params);
        let options = Options {
            own_hosts: &config.own_hosts,
        };
        let channel =
            dni_core::classify::classify(&request.page.url, &request.page.referrer, options)
                .channel;
        let numbers = targets
            .iter()
            .map(|t| static_or_original(&config, t, channel))
            .collect();
        Ok(Response::from_json(&LeaseResponse {
            numbers,
            heartbeat_ms: wire::HEARTBEAT_MS,
            config: Some(public_of(&config)),
        })?)
    })
    .await
}

fn from_outcome(target: &E164, outcome: Outcome) -> Assigned {
    match outcome {
        Outcome::Leased(g) => Assigned {
            target: target.clone(),
            number: g.number,
            kind: Kind::Pool,
            lease: Some(g.lease),
            expires_at: Some(g.expires_at),
        },
        Outcome::Overflow { number } => Assigned {
            target: target.clone(),
            number,
            kind: Kind::Overflow,
            lease: None,
            expires_at: None,
        },
        Outcome::Original => original(target),
    }
}

fn original(target: &E164) -> Assigned {
    Assigned {
        target: target.clone(),
        number: target.clone(),
        kind: Kind::Original,
        lease: None,
        expires_at: None,
    }
}

/// A source-level number for the visit's channel, if the site has one for this target.
fn static_or_original(config: &SiteConfig, target: &E164, channel: Channel) -> Assigned {
    config
        .static_numbers
        .iter()
        .find(|s| s.target == *target && s.channel == channel)
        .map(|s| Assigned {
            target: target.clone(),
            number: s.number.clone(),
            kind: Kind::Static,
            lease: None,
            expires_at: None,
        })
        .unwrap_or_else(|| original(target))
}

/// The pool shard a lease id belongs to: ids are `<pool>.<shard>.<random>`.
fn shard_of_lease(config: &SiteConfig, lease: &str) -> ApiResult<Shard> {
    let (pool, k) = api::lease_shard(lease).ok_or(ApiError::Gone)?;
    let pool = config.pool(pool).ok_or(ApiError::Gone)?;
    if k >= pool.shards {
        return Err(ApiError::Gone);
    }
    Ok(shard(config, pool, k))
}

/// `POST /v1/sites/{site}/leases/{lease}/heartbeat`: the visitor is still here.
pub async fn heartbeat(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    for_site(&mut req, &ctx, |_, ctx, config| async move {
        let lease = ctx.param("lease").cloned().unwrap_or_default();
        let Shard { name, spec } = shard_of_lease(&config, &lease)?;
        let op = PoolOp::Heartbeat { pool: spec, lease };
        let reply: HeartbeatReply = ask(&ctx.env, POOLS, &name, &op).await?;
        let granted = reply.ok_or(ApiError::Gone)?;
        Ok(Response::from_json(&serde_json::json!({
            "number": granted.number,
            "expires_at": granted.expires_at,
        }))?)
    })
    .await
}

/// `POST /v1/sites/{site}/leases/{lease}/release`: the visitor left (sent with `sendBeacon`).
pub async fn release(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    for_site(&mut req, &ctx, |_, ctx, config| async move {
        let lease = ctx.param("lease").cloned().unwrap_or_default();
        if release_lease(&ctx.env, &config, &lease).await? {
            Ok(Response::empty()?.with_status(204))
        } else {
            Err(ApiError::Gone)
        }
    })
    .await
}
