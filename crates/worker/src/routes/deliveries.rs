//! The outbox's endpoints: a call's deliveries, replaying one, and the Google Ads conversion
//! import file. The file is for Google Ads' scheduled import, which fetches it with a user name and
//! password (any user name, the `CONVERSION_FEED_TOKEN` secret as password); the operator, and an
//! operator key with the `calls` scope, may fetch it too.

use dni_core::access::{Need, Scope};
use dni_core::auth::constant_time_eq;
use dni_core::call::CallRecord;
use dni_core::civil::Zone;
use dni_core::integrations::csv_feed;
use dni_core::integrations::facts::facts_of;
use dni_core::integrations::outbox::Delivery;
use dni_core::integrations::rules;
use dni_core::{Millis, DAY};
use worker::{Request, Response, Result, RouteContext};

use super::access::allow_site;
use super::{ask, secret};
use crate::api;
use crate::api::deliveries::{self as api_deliveries, Deliveries, Retried};
use crate::config_store::{self, Freshness};
use crate::error::{respond, ApiError, ApiResult};
use crate::protocol::CallOp;
use crate::{clock, CALL_LOGS};

/// How far back the import file reaches (Google Ads takes clicks up to 90 days old).
const FEED_WINDOW: Millis = 90 * DAY;

fn param(ctx: &RouteContext<()>, name: &str) -> ApiResult<String> {
    let value = ctx.param(name).cloned().unwrap_or_default();
    if value.is_empty() || value.len() > 200 {
        return Err(ApiError::BadRequest(
            [name, " is missing or too long"].concat(),
        ));
    }
    Ok(value)
}

/// `GET /v1/sites/{site}/calls/{call}/deliveries`: what was sent about a call. Whoever reads the
/// call's detail reads them (it shows the same deliveries): they carry no caller's number (the
/// messages never do), only where each went, its state and the receiver's answer.
pub async fn of_call(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            let (site, _) = allow_site(&req, &ctx, Need::Read).await?;
            let config = config_store::site(&ctx.env, &site, Freshness::Latest).await?;
            let call_sid = param(&ctx, "call")?;
            let deliveries: Vec<Delivery> = ask(
                &ctx.env,
                CALL_LOGS,
                &config.id,
                &CallOp::Deliveries { call_sid },
            )
            .await?;
            Ok(api::json(&Deliveries {
                deliveries: deliveries
                    .iter()
                    .map(api_deliveries::Delivery::from)
                    .collect(),
            })?)
        }
        .await,
    )
}

/// `POST /v1/sites/{site}/deliveries/{id}/retry`: sends one delivery again, now.
pub async fn retry(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            let (site, _) = allow_site(&req, &ctx, Need::Scope(Scope::Configure)).await?;
            let config = config_store::site(&ctx.env, &site, Freshness::Latest).await?;
            let id = param(&ctx, "id")?;
            let found: Option<Delivery> = ask(
                &ctx.env,
                CALL_LOGS,
                &config.id,
                &CallOp::RetryDelivery { id },
            )
            .await?;
            match found {
                Some(d) => Ok(api::json(&Retried {
                    delivery: api_deliveries::Delivery::from(&d),
                })?
                .with_status(202)),
                None => Err(ApiError::NotFound("no such delivery")),
            }
        }
        .await,
    )
}

/// The feed opens to the operator, an operator key with the `calls` scope on the site, or the
/// feed's own password (HTTP Basic, which Google Ads' scheduled import sends).
async fn feed_allowed(req: &Request, ctx: &RouteContext<()>) -> ApiResult<()> {
    let header = req.headers().get("Authorization")?;
    if dni_core::access::bearer(header.as_deref()).is_some() {
        return allow_site(req, ctx, Need::Scope(Scope::Calls))
            .await
            .map(|_| ());
    }
    let feed = secret(&ctx.env, "CONVERSION_FEED_TOKEN");
    let password = header.as_deref().and_then(csv_feed::basic_password);
    match password {
        Some(p) if !feed.is_empty() && constant_time_eq(p.as_bytes(), feed.as_bytes()) => Ok(()),
        _ => Err(ApiError::Unauthorized),
    }
}

/// `GET /v1/sites/{site}/conversions.csv`: the converting calls with a gclid of the last 90 days
/// (of the latest 500 calls), in Google Ads' offline-conversion import format.
pub async fn conversions_csv(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            feed_allowed(&req, &ctx).await?;
            let site = param(&ctx, "site")?;
            let config = config_store::site(&ctx.env, &site, Freshness::Latest).await?;
            let calls: Vec<CallRecord> = ask(
                &ctx.env,
                CALL_LOGS,
                &config.id,
                &CallOp::Recent { limit: 500 },
            )
            .await?;
            let since = clock::now().saturating_sub(FEED_WINDOW);
            let settings = &config.integrations;
            let facts: Vec<_> = calls
                .iter()
                .filter(|c| c.started_at >= since)
                .map(facts_of)
                .collect();
            let rows = facts
                .iter()
                .filter_map(|f| Some((f, rules::evaluate(f, &settings.conversions).ok()?)));
            let zone = Zone::of(config.time_zone.as_deref(), settings.utc_offset_minutes);
            let text = csv_feed::feed(rows, &zone);
            let mut response = Response::ok(text)?;
            response
                .headers_mut()
                .set("Content-Type", "text/csv; charset=utf-8")?;
            Ok(response)
        }
        .await,
    )
}
