//! The HTTP endpoints, and the plumbing they share: bodies with a size limit, origins, CORS, secrets,
//! and requests to the Durable Objects.

pub mod access;
pub mod admin;
pub mod calls;
pub mod config_history;
pub mod deliveries;
pub mod leases;
pub mod operator_keys;
pub mod pool_history;
pub mod qualification;
pub mod report_tokens;
pub mod reports;
pub mod secrets;
pub mod test_calls;
pub mod texts;

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;
use worker::{Env, Method, Request, RequestInit, Response};

use crate::error::{ApiError, ApiResult};

/// `GET /v1/health`: the worker is up (the test harness waits for it).
pub async fn health(_req: Request, _ctx: worker::RouteContext<()>) -> worker::Result<Response> {
    crate::api::json(&crate::api::admin::Health { ok: true })
}

/// Reads a request body, refusing more than `max` bytes (by header first, then by what arrives).
pub async fn read_body(req: &mut Request, max: usize) -> ApiResult<String> {
    let declared = req
        .headers()
        .get("Content-Length")?
        .and_then(|v| v.trim().parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(ApiError::TooLarge);
    }
    let bytes = req
        .bytes()
        .await
        .map_err(|_| ApiError::BadRequest("unreadable body".to_owned()))?;
    if bytes.len() > max {
        return Err(ApiError::TooLarge);
    }
    String::from_utf8(bytes).map_err(|_| ApiError::BadRequest("body is not UTF-8".to_owned()))
}

/// Parses a JSON body into `T`, with a 400 that says what is wrong.
pub fn parse_json<T: DeserializeOwned>(body: &str) -> ApiResult<T> {
    serde_json::from_str(body).map_err(|e| {
        let mut message = ["malformed JSON: ", &e.to_string()].concat();
        message.truncate(200);
        ApiError::BadRequest(message)
    })
}

/// The origin (`scheme://host[:port]`) the worker itself is served from.
pub fn own_origin(req: &Request) -> ApiResult<String> {
    let url = req.url()?;
    Ok(url.origin().ascii_serialization())
}

/// A secret (or a plain variable of that name in local development), empty when unset.
pub fn secret(env: &Env, name: &str) -> String {
    env.secret(name)
        .map(|s| s.to_string())
        .or_else(|_| env.var(name).map(|v| v.to_string()))
        .unwrap_or_default()
}

/// Adds the CORS headers that let `origin` read the response.
pub fn with_cors(mut response: Response, origin: &str) -> worker::Result<Response> {
    let headers = response.headers_mut();
    headers.set("Access-Control-Allow-Origin", origin)?;
    headers.set("Vary", "Origin")?;
    Ok(response)
}

/// One Durable Object of a pool: its name and what it holds now.
pub struct Shard {
    /// `<site>/<pool>`, or `<site>/<pool>#<k>` when the pool is split.
    pub name: String,
    /// Its numbers and settings.
    pub spec: crate::protocol::PoolSpec,
}

/// Shard `k` of a pool. (A call log's object is named by the site alone.)
pub fn shard(
    site: &dni_core::config::SiteConfig,
    pool: &dni_core::config::PoolConfig,
    k: u32,
) -> Shard {
    let mut name = [site.id.as_str(), "/", pool.id.as_str()].concat();
    if pool.shards > 1 {
        name.push('#');
        name.push_str(&k.to_string());
    }
    let spec = crate::protocol::PoolSpec {
        numbers: pool.shard_numbers(k),
        settings: pool.settings.clone(),
        retention_days: site.retention_days,
    };
    Shard { name, spec }
}

/// Asks every shard of `pool`, in order, the request `op` builds from the shard's spec, and reads
/// each one's answer: a pool's figures and its history are both its shards' answers, added up.
pub async fn ask_shards<R: DeserializeOwned, O: Serialize>(
    env: &Env,
    site: &dni_core::config::SiteConfig,
    pool: &dni_core::config::PoolConfig,
    op: impl Fn(crate::protocol::PoolSpec) -> O,
) -> ApiResult<Vec<R>> {
    let mut answers = Vec::new();
    for k in 0..pool.shards.max(1) {
        let Shard { name, spec } = shard(site, pool, k);
        answers.push(ask(env, crate::POOLS, &name, &op(spec)).await?);
    }
    Ok(answers)
}

/// Sends one request to a Durable Object and reads its JSON answer.
pub async fn ask<R: DeserializeOwned>(
    env: &Env,
    namespace: &str,
    name: &str,
    op: &impl Serialize,
) -> ApiResult<R> {
    let stub = env
        .durable_object(namespace)?
        .id_from_name(name)?
        .get_stub()?;
    let body = serde_json::to_string(op).map_err(|e| worker::Error::RustError(e.to_string()))?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(JsValue::from_str(&body)));
    let request = Request::new_with_init("https://object.internal/", &init)?;
    let mut response = stub.fetch_with_request(request).await?;
    if response.status_code() != 200 {
        worker::console_error!("{namespace} {name} answered {}", response.status_code());
        return Err(ApiError::Unavailable);
    }
    Ok(response.json().await?)
}
