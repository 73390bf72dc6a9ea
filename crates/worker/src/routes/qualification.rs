//! `PUT /v1/sites/{site}/calls/{call}/qualification`: an operator (or a report token with the
//! `qualify` scope) qualifies a call: tags, lead status, value. The site's rules no longer change
//! it; conversions that waited for it are sent then, once.

use worker::{Request, Response, Result, RouteContext};

use dni_core::access::{Need, Scope};

use super::access::allow_site;
use super::{ask, parse_json, read_body};
use crate::api;
use crate::api::qualification::{Input, Qualification, Qualified};
use crate::clock;
use crate::config_store::{self, Freshness};
use crate::error::{respond, ApiError};
use crate::protocol::CallOp;
use crate::CALL_LOGS;

/// Largest qualification body.
const MAX_BODY: usize = 4 * 1024;

/// `PUT /v1/sites/{site}/calls/{call}/qualification` `{"tags": [...], "status": "good" | "bad" |
/// "spam" | null, "value": n | null}`: replaces the call's qualification; answers the call's new
/// qualification.
pub async fn put(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    // The `qualify` scope: the operator, a key with it, or a report token given it (a read-only
    // token is refused like any viewer without the scope).
    let who = allow_site(&req, &ctx, Need::Scope(Scope::Qualify)).await;
    respond(
        async {
            let (site, _) = who?;
            let config = config_store::site(&ctx.env, &site, Freshness::Latest).await?;
            let call_sid = ctx.param("call").cloned().unwrap_or_default();
            if call_sid.is_empty() || call_sid.len() > 128 {
                return Err(ApiError::NotFound("unknown call"));
            }
            let body = read_body(&mut req, MAX_BODY).await?;
            let input: Input = parse_json(&body)?;
            let input = dni_core::qualification::Input::from(input);
            let qualification = input
                .qualification(clock::now())
                .map_err(|e| ApiError::BadRequest(e.0.to_owned()))?;
            let record: Option<dni_core::call::CallRecord> = ask(
                &ctx.env,
                CALL_LOGS,
                &config.id,
                &CallOp::Qualify {
                    call_sid,
                    qualification,
                },
            )
            .await?;
            let record = record.ok_or(ApiError::NotFound("unknown call"))?;
            Ok(api::json(&Qualified {
                site: config.id,
                call_sid: record.call_sid,
                qualification: record.qualification.as_ref().map(Qualification::from),
            })?)
        }
        .await,
    )
}
