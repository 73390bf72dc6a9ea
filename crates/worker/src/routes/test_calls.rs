//! `POST /v1/sites/{site}/test-calls` (operator): a test call, run through the very handlers a
//! provider's webhooks reach (`routes::calls`: the incoming call, the dial result, the final
//! status) with the events `dni_core::call_control::test_call` builds in their place. With a
//! channel, a pool number is first leased for a synthetic visit, as a page's lease would be, and
//! released once the call has ended (it then cools down like any number a visitor left).
//!
//! Nothing is recorded when the request is refused: the plan is checked, the number leased and
//! its route read before the call is taken.

use dni_core::access::{Need, Scope};
use dni_core::call::CallRecord;
use dni_core::call_control::test_call::{self, Placement, TestCallRequest};
use dni_core::call_control::{Callbacks, Handling};
use dni_core::config::SiteConfig;
use worker::{Request, Response, Result, RouteContext};

use super::access::allow_site;
use super::calls::{dial_ended, status_changed, take_call, Taken};
use super::leases::{lease_for_test_call, release_lease};
use super::{ask, own_origin, parse_json, read_body, secret};
use crate::api;
use crate::api::test_calls::{NewTestCall, TestCall};
use crate::config_store::{self, Freshness};
use crate::error::{respond, ApiError, ApiResult};
use crate::protocol::{CallOp, Visit};
use crate::{clock, CALL_LOGS};

/// Largest request body accepted.
const MAX_BODY: usize = 4 * 1024;

/// `POST /v1/sites/{site}/test-calls`: places a test call and answers with its record.
pub async fn place(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let allowed = allow_site(&req, &ctx, Need::Scope(Scope::Configure)).await;
    respond(
        async {
            let (site, _) = allowed?;
            let config = config_store::site(&ctx.env, &site, Freshness::Latest).await?;
            let body = read_body(&mut req, MAX_BODY).await?;
            let request: TestCallRequest = if body.trim().is_empty() {
                TestCallRequest::default()
            } else {
                parse_json::<NewTestCall>(&body)?.into()
            };
            let origin = own_origin(&req)?;
            let record = place_call(&ctx.env, &config, &request, &origin).await?;
            Ok(api::json(&TestCall::of(&record, &origin))?.with_status(201))
        }
        .await,
    )
}

/// The call itself: planned, its number leased (for a visit) and its route checked, then taken,
/// dialed and ended as a provider's webhooks would have it. The record as the call log holds it
/// at the end.
async fn place_call(
    env: &worker::Env,
    config: &SiteConfig,
    request: &TestCallRequest,
    origin: &str,
) -> ApiResult<CallRecord> {
    // The synthetic visit lands on the site's own page (its first origin), as a visitor's would.
    let page_origin = config.origins.first().map_or(origin, String::as_str);
    let plan = test_call::plan(request, config, page_origin, clock::now())
        .map_err(|e| ApiError::BadRequest(e.message()))?;
    let random = clock::random_id();
    let (to, lease) =
        match &plan.placement {
            Placement::Number(n) => (n.clone(), None),
            Placement::Visit {
                pool,
                target,
                page,
                attribution,
            } => {
                let visit = Visit {
                    attribution: (**attribution).clone(),
                    page: page.clone(),
                    ga: None,
                    // No page declared one: a test call goes to no ad platform anyway.
                    consent: None,
                    fbp: None,
                };
                let session = test_call::session_id(&random);
                let got = lease_for_test_call(env, config, pool, (&session, target, &visit)).await;
                match got.lease {
                    Some(lease) => (got.number, Some(lease)),
                    None => return Err(ApiError::Conflict(
                        "the pool has no free number for a visit now: try again when one is, or \
                         call a number without a channel",
                    )),
                }
            }
        };
    let result = call(env, config, &plan.caller, &to, origin, &random).await;
    if let Some(lease) = lease {
        if release_lease(env, config, &lease).await.is_err() {
            worker::console_warn!("test call: lease {lease} not released (it will expire)");
        }
    }
    result
}

/// Takes, dials and ends the test call to `to`.
async fn call(
    env: &worker::Env,
    config: &SiteConfig,
    caller: &str,
    to: &dni_core::phone::E164,
    origin: &str,
    random: &str,
) -> ApiResult<CallRecord> {
    let call_id = test_call::call_id(random);
    // The number must route to this site, as the provider's webhook will find it.
    let route = config_store::route(env, to)
        .await?
        .filter(|r| r.site == config.id)
        .ok_or(ApiError::Conflict(
            "this number does not route to the site yet: PUT the site's configuration again",
        ))?;
    let seal_key = secret(env, "CALLBACK_SECRET");
    let callbacks = Callbacks {
        provider: route.provider,
        seal_key: &seal_key,
        origin,
    };
    let incoming = test_call::incoming(&call_id, caller, to);
    let record = match take_call(env, route.provider, &callbacks, &incoming, true).await {
        Taken::Routed {
            record,
            recorded: true,
            ..
        } => record,
        Taken::Routed { .. } => return Err(ApiError::Unavailable),
        Taken::Fallback { fallback, .. } => {
            worker::console_warn!("test call to {to}: {}", fallback.as_str());
            return Err(ApiError::Conflict(
                "the number does not reach the site's rules (see the worker's log)",
            ));
        }
    };
    // The first step: a line answers when the rule rings one (a voicemail or a rejection has no
    // dial result; the call then ends unanswered, as it would).
    let rule = record.routing.as_ref().and_then(|r| r.rule);
    let rings = Handling::of(&route, config, rule).is_some_and(|h| !h.rang(0).is_empty());
    let answered = if rings {
        let dialed = test_call::answered(&call_id, caller, to);
        let step = (config.id.as_str(), rule, 0);
        let (result, _) = dial_ended(env, &callbacks, step, &dialed).await?;
        result.status.answered()
    } else {
        false
    };
    status_changed(env, test_call::ended(&call_id, caller, to, answered)).await?;
    let op = CallOp::Get { call_sid: call_id };
    let stored: Option<CallRecord> = ask(env, CALL_LOGS, &config.id, &op).await?;
    stored.ok_or(ApiError::Unavailable)
}
