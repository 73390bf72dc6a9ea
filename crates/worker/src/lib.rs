//! The edge worker: the imperative shell around `dni-core` on Cloudflare Workers.
//!
//! It routes requests, reads site configuration from KV, asks the pool Durable Object for leases,
//! checks provider webhooks, writes call records to the site's call log Durable Object, and answers.
//! Every decision (validation, classification, attribution, lease rules, signatures, markup) is a
//! core function; this crate only moves bytes between them and the platform.

use worker::{event, Context, Env, Request, Response, Result, Router};

mod calls_object;
mod clock;
mod config_store;
mod drain_guard;
mod error;
mod pool_object;
mod protocol;
mod routes;
mod sql;

pub use calls_object::CallLog;
pub use pool_object::PoolObject;

/// KV namespace with site configurations and number routes.
pub const CONFIG_KV: &str = "CONFIG";
/// Durable Object namespace of the pools.
pub const POOLS: &str = "POOLS";
/// Durable Object namespace of the sites' call logs.
pub const CALL_LOGS: &str = "CALL_LOGS";

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let router = Router::new()
        .get_async("/v1/sites/:site/public", routes::leases::public_config)
        .options_async("/v1/sites/:site/leases", routes::leases::preflight)
        .post_async("/v1/sites/:site/leases", routes::leases::lease)
        .options_async("/v1/sites/:site/numbers", routes::leases::preflight)
        .post_async("/v1/sites/:site/numbers", routes::leases::numbers)
        .options_async(
            "/v1/sites/:site/leases/:lease/:action",
            routes::leases::preflight,
        )
        .post_async(
            "/v1/sites/:site/leases/:lease/heartbeat",
            routes::leases::heartbeat,
        )
        .post_async(
            "/v1/sites/:site/leases/:lease/release",
            routes::leases::release,
        )
        .post_async("/v1/twilio/voice", routes::twilio::voice)
        .post_async("/v1/twilio/status", routes::twilio::status)
        .get_async("/v1/sites/:site/calls", routes::admin::calls)
        .get_async("/v1/sites/:site/config", routes::admin::get_config)
        .put_async("/v1/sites/:site/config", routes::admin::put_config)
        .get_async("/v1/sites/:site/pools/:pool", routes::admin::pool_stats)
        .get("/v1/health", |_, _| {
            Response::from_json(&serde_json::json!({ "ok": true }))
        })
        .or_else_any_method("/*rest", |_, _| {
            error::ApiError::NotFound("no such endpoint").response()
        });
    match router.run(req, env).await {
        Ok(response) => Ok(response),
        Err(e) => {
            // Whatever failed inside (a binding, a Durable Object), the caller gets a clean 503 with
            // no internal detail; the detail goes to the log.
            worker::console_error!("internal error: {e}");
            error::ApiError::Unavailable.response()
        }
    }
}
