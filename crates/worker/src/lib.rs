//! The edge worker: the imperative shell around `dni-core` on Cloudflare Workers.
//!
//! It routes requests, reads site configuration from KV, asks the pool Durable Object for leases,
//! checks provider webhooks, writes call records to the site's call log Durable Object, and answers.
//! Every decision (validation, classification, attribution, lease rules, signatures, markup) is a
//! core function; this crate only moves bytes between them and the platform.

use worker::{event, Context, Env, Request, Response, Result};

mod api;
mod calls_object;
mod clock;
mod config_store;
mod drain_guard;
mod error;
mod operators_object;
mod outbox;
mod pool_object;
mod protocol;
mod recordings;
mod replay;
mod retention;
pub mod router;
mod routes;
pub mod rows;
mod sql;

pub use calls_object::CallLog;
pub use operators_object::Operators;
pub use pool_object::PoolObject;

/// KV namespace with site configurations and number routes.
pub const CONFIG_KV: &str = "CONFIG";
/// Durable Object namespace of the pools.
pub const POOLS: &str = "POOLS";
/// Durable Object namespace of the sites' call logs.
pub const CALL_LOGS: &str = "CALL_LOGS";
/// Durable Object namespace of the operators object (operator keys, the history of changes).
pub const OPERATORS: &str = "OPERATORS";

/// Body types a Twilio webhook has.
const FORM: &str = "application/x-www-form-urlencoded";
/// Body type of a provider's JSON events (Telnyx's messaging webhooks).
const JSON: &str = "application/json";

/// Every endpoint, one line each: `METHOD "pattern" => handler`, with `[body "type", ...]` when the
/// endpoint takes only those body types. A path's methods here are its `Allow` header; a path
/// not here is a 404, a method not listed for it a 405, both with a JSON body
/// (see `router`). A new endpoint is a new line.
fn routes() -> Vec<router::Route> {
    route_table![
        Get "/v1/health" => routes::health,
        Get "/v1/sites/:site/public" => routes::leases::public_config,
        Options "/v1/sites/:site/leases" => routes::leases::preflight,
        Post "/v1/sites/:site/leases" => routes::leases::lease,
        Options "/v1/sites/:site/numbers" => routes::leases::preflight,
        Post "/v1/sites/:site/numbers" => routes::leases::numbers,
        Options "/v1/sites/:site/leases/:lease/heartbeat" => routes::leases::preflight,
        Post "/v1/sites/:site/leases/:lease/heartbeat" => routes::leases::heartbeat,
        Options "/v1/sites/:site/leases/:lease/release" => routes::leases::preflight,
        Post "/v1/sites/:site/leases/:lease/release" => routes::leases::release,
        Post "/v1/:provider/voice" [body FORM] => routes::calls::voice,
        Post "/v1/:provider/status" [body FORM] => routes::calls::status,
        Post "/v1/:provider/dial" [body FORM] => routes::calls::dial,
        Post "/v1/:provider/recording" [body FORM] => routes::calls::recording,
        Post "/v1/:provider/transcript" [body FORM] => routes::calls::transcript,
        Post "/v1/:provider/whisper" [body FORM] => routes::calls::whisper_leg,
        Post "/v1/:provider/screen" [body FORM] => routes::calls::screen,
        Post "/v1/:provider/answered" [body FORM] => routes::calls::answered,
        Post "/v1/:provider/sms" [body FORM, JSON] => routes::texts::sms,
        Get "/v1/sites/:site/calls/:call/recording" => routes::admin::recording,
        Get "/v1/sites/:site/calls" => routes::reports::calls,
        Get "/v1/sites/:site/leads" => routes::reports::leads,
        Get "/v1/sites/:site/calls/:call" => routes::reports::call,
        Post "/v1/sites/:site/test-calls" => routes::test_calls::place,
        Post "/v1/sites/:site/calls/import" => routes::report_tokens::import,
        Get "/v1/sites/:site/reports/:by" => routes::reports::report,
        Get "/v1/sites/:site/report-tokens" => routes::report_tokens::list,
        Post "/v1/sites/:site/report-tokens" => routes::report_tokens::create,
        Delete "/v1/sites/:site/report-tokens/:id" => routes::report_tokens::revoke,
        Get "/v1/sites/:site/pools" => routes::reports::pools,
        Get "/v1/sites/:site/config" => routes::admin::get_config,
        Put "/v1/sites/:site/config" => routes::admin::put_config,
        Get "/v1/sites/:site/secrets" => routes::secrets::names,
        Get "/v1/sites/:site/config/history" => routes::config_history::list,
        Get "/v1/sites/:site/config/history/:version" => routes::config_history::get,
        Post "/v1/sites/:site/config/rollback" => routes::config_history::rollback,
        Get "/v1/operator-keys" => routes::operator_keys::list,
        Post "/v1/operator-keys" => routes::operator_keys::create,
        Delete "/v1/operator-keys/:id" => routes::operator_keys::revoke,
        Get "/v1/sites/:site/pools/:pool" => routes::admin::pool_stats,
        Get "/v1/sites/:site/pools/:pool/history" => routes::pool_history::history,
        Post "/v1/sites/:site/pools/:pool/history/import" => routes::pool_history::import,
        Delete "/v1/sites/:site/callers/:caller" => routes::admin::erase_caller,
        Get "/v1/sites/:site/calls/:call/deliveries" => routes::deliveries::of_call,
        Put "/v1/sites/:site/calls/:call/qualification" => routes::qualification::put,
        Post "/v1/sites/:site/deliveries/:id/retry" => routes::deliveries::retry,
        Get "/v1/sites/:site/conversions.csv" => routes::deliveries::conversions_csv,
    ]
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    clock::follow(&env);
    match router::serve(routes(), req, env).await {
        Ok(response) => Ok(response),
        Err(e) => {
            // Whatever failed inside (a binding, a Durable Object), the caller gets a clean 503 with
            // no internal detail; the detail goes to the log.
            worker::console_error!("internal error: {e}");
            error::ApiError::Unavailable.response()
        }
    }
}

#[cfg(test)]
mod tests {
    use worker::Method;

    /// Every line of the table uses a method the router registers, and no two lines are the same
    /// method and pattern.
    #[test]
    fn route_table_is_well_formed() {
        let table = super::routes();
        let registered = [
            Method::Get,
            Method::Post,
            Method::Put,
            Method::Patch,
            Method::Delete,
            Method::Options,
            Method::Head,
        ];
        for (i, r) in table.iter().enumerate() {
            assert!(registered.contains(&r.method), "{}", r.pattern);
            assert!(r.pattern.starts_with('/'), "{}", r.pattern);
            for other in &table[..i] {
                assert!(
                    !(other.method == r.method && other.pattern == r.pattern),
                    "{:?} {} twice",
                    r.method,
                    r.pattern
                );
            }
        }
    }
}
