//! Twilio's webhooks: the incoming call (forward it at once, record whose it is) and the status
//! callback (complete the record once).

use dni_core::call::{CallRecord, CallStatus, NumberKind};
use dni_core::config::{NumberRoute, SiteConfig};
use dni_core::phone::E164;
use dni_core::{ga, twilio, twiml, url};
use worker::{Env, Request, Response, Result, RouteContext};

use super::{ask, read_body, secret, shard, Shard};
use crate::config_store::{self, Freshness};
use crate::error::{respond, ApiError, ApiResult};
use crate::protocol::{AttributeReply, CallOp, PoolOp, StatusReply};
use crate::{clock, CALL_LOGS, POOLS};

/// Largest webhook body accepted.
const MAX_FORM: usize = 32 * 1024;
/// Longest field value kept from a webhook.
const MAX_FIELD: usize = 128;

/// A webhook's parameters, after its signature was checked.
struct Form(Vec<(String, String)>);

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn required(&self, name: &'static str) -> ApiResult<&str> {
        match self.get(name) {
            Some(v) if !v.is_empty() && v.len() <= MAX_FIELD => Ok(v),
            _ => Err(ApiError::BadRequest(
                ["missing or oversize parameter ", name].concat(),
            )),
        }
    }
}

/// Reads the form and checks `X-Twilio-Signature` against the URL Twilio requested. The URL is the
/// request's own, unless `PUBLIC_BASE_URL` says what the world sees (behind a proxy).
async fn verified(req: &mut Request, env: &Env) -> ApiResult<Form> {
    let token = secret(env, "TWILIO_AUTH_TOKEN");
    if token.is_empty() {
        return Err(ApiError::Forbidden(
            "webhooks are disabled: TWILIO_AUTH_TOKEN is not set",
        ));
    }
    let body = read_body(req, MAX_FORM).await?;
    let params: Vec<(String, String)> = url::form_pairs(&body).collect();
    let request_url = req.url()?;
    let base = secret(env, "PUBLIC_BASE_URL");
    let url = if base.is_empty() {
        request_url.to_string()
    } else {
        let query = request_url
            .query()
            .map(|q| ["?", q].concat())
            .unwrap_or_default();
        [base.trim_end_matches('/'), request_url.path(), &query].concat()
    };
    let signature = req.headers().get("X-Twilio-Signature")?;
    twilio::verify(&token, &url, &params, signature.as_deref())
        .map_err(|e| ApiError::Forbidden(e.as_str()))?;
    Ok(Form(params))
}

fn twiml(xml: String) -> Result<Response> {
    let mut response = Response::ok(xml)?;
    response
        .headers_mut()
        .set("Content-Type", "text/xml; charset=utf-8")?;
    Ok(response)
}

/// `POST /v1/twilio/voice`: forward the call to the business at once, and record whose call it is.
///
/// Never lose a call: once the request is genuine, a failure to attribute or record it is logged
/// and the call is forwarded all the same.
pub async fn voice(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let form = match verified(&mut req, &ctx.env).await {
        Ok(form) => form,
        Err(e) => return e.response(),
    };
    respond(answer_call(&ctx.env, &form).await)
}

async fn answer_call(env: &Env, form: &Form) -> ApiResult<Response> {
    let call_sid = form.required("CallSid")?;
    let to = E164::parse(form.required("To")?)
        .map_err(|e| ApiError::BadRequest(["To: ", &e.to_string()].concat()))?;
    let caller = form.get("From").unwrap_or_default();
    let caller: String = caller.chars().take(MAX_FIELD).collect();
    let now = clock::now();

    let found = match config_store::route(env, &to).await {
        Ok(Some(route)) => match config_store::site(env, &route.site, Freshness::Cached).await {
            Ok(config) => Some((route, config)),
            Err(_) => None,
        },
        _ => None,
    };
    let Some((route, config)) = found else {
        // Not one of our numbers (or its configuration is gone): forward to the operator's fallback
        // line if there is one, else say so.
        let fallback = E164::parse(&secret(env, "FALLBACK_FORWARD_TO")).ok();
        worker::console_warn!("call {call_sid} to unrouted number {to}");
        return Ok(twiml(match fallback {
            Some(line) => dial(&line, false),
            None => twiml::say("The number you have called is not in service."),
        })?);
    };
    let Some(target) = target_of(&route, &config) else {
        worker::console_error!(
            "number {to} routes to site {} but matches no target",
            config.id
        );
        return Ok(twiml(twiml::say(
            "The number you have called is not in service.",
        ))?);
    };
    let forward_to = target.forward_to().clone();

    let mut record = CallRecord::new(call_sid, &config.id, &caller, to.as_str(), now);
    record.forwarded_to = Some(forward_to.clone());
    if let Some(pool_id) = &route.pool {
        record.number_kind = NumberKind::Pool;
        if let Some((pool, k)) = config
            .pool(pool_id)
            .and_then(|p| Some((p, p.shard_of_number(&to)?)))
        {
            let Shard { name, spec } = shard(&config.id, pool, k);
            let op = PoolOp::Attribute {
                pool: spec,
                number: to.clone(),
                at: now,
            };
            match ask::<AttributeReply>(env, POOLS, &name, &op).await {
                Ok(reply) => {
                    record.confidence = reply.attribution.confidence;
                    record.session = reply.attribution.best.as_ref().map(|c| c.session.clone());
                    record.candidates = reply
                        .attribution
                        .candidates
                        .iter()
                        .map(|c| c.session.clone())
                        .collect();
                    if let Some(visit) = reply.visit {
                        if let Some(cookies) = &visit.ga {
                            record.ga_client_id = ga::client_id(&cookies.client);
                            record.ga_session_id = ga::session_id(&cookies.session);
                        }
                        record.credit(visit.attribution);
                    }
                }
                Err(_) => {
                    worker::console_error!("call {call_sid}: attribution failed, forwarding anyway")
                }
            }
        }
    } else if let Some(s) = route
        .static_number
        .and_then(|i| config.static_numbers.get(i))
    {
        record.number_kind = NumberKind::Static;
        record.channel = s.channel;
        record.source = s.source.clone();
        record.medium = s.medium.clone();
        record.campaign = s.campaign.clone();
        record.confidence = 1.0;
    }
    let op = CallOp::Record {
        record: Box::new(record),
    };
    if ask::<CallRecord>(env, CALL_LOGS, &config.id, &op)
        .await
        .is_err()
    {
        worker::console_error!(
            "call {call_sid}: the call record could not be written, forwarding anyway"
        );
    }
    Ok(twiml(dial(&forward_to, target.record))?)
}

fn dial(to: &E164, record: bool) -> String {
    twiml::dial(&twiml::Dial {
        to,
        timeout_s: 30,
        record,
        whisper_url: None,
        action_url: None,
    })
}

fn target_of<'c>(
    route: &NumberRoute,
    config: &'c SiteConfig,
) -> Option<&'c dni_core::config::Target> {
    match (&route.pool, route.static_number) {
        (Some(pool), _) => config.target_of_pool(pool),
        (None, Some(i)) => config
            .static_numbers
            .get(i)
            .and_then(|s| config.target(&s.target)),
        (None, None) => None,
    }
}

/// `POST /v1/twilio/status`: the call's progress and end. Applied once, in any order.
pub async fn status(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let form = match verified(&mut req, &ctx.env).await {
        Ok(form) => form,
        Err(e) => return e.response(),
    };
    respond(apply_status(&ctx.env, &form).await)
}

async fn apply_status(env: &Env, form: &Form) -> ApiResult<Response> {
    let call_sid = form.required("CallSid")?;
    let status = form.required("CallStatus")?;
    let Some(status) = CallStatus::from_twilio(status, form.get("DialCallStatus")) else {
        return Err(ApiError::BadRequest("unknown CallStatus".to_owned()));
    };
    let duration_s = match form.get("CallDuration") {
        None | Some("") => None,
        Some(d) => Some(
            d.parse::<u32>()
                .map_err(|_| ApiError::BadRequest("CallDuration must be seconds".to_owned()))?,
        ),
    };
    let to = E164::parse(form.required("To")?)
        .map_err(|e| ApiError::BadRequest(["To: ", &e.to_string()].concat()))?;
    let Some(route) = config_store::route(env, &to).await? else {
        // A number we no longer track: nothing to complete.
        return Ok(Response::empty()?.with_status(204));
    };
    // The site's integrations go with the callback: the one that ends the call queues its messages.
    let integrations = config_store::site(env, &route.site, Freshness::Cached)
        .await?
        .integrations;
    let op = CallOp::Status {
        integrations: Some(Box::new(integrations)),
        call_sid: call_sid.to_owned(),
        site: route.site.clone(),
        caller: form
            .get("From")
            .unwrap_or_default()
            .chars()
            .take(MAX_FIELD)
            .collect(),
        tracking_number: to.as_str().to_owned(),
        status,
        duration_s,
    };
    let _reply: StatusReply = ask(env, CALL_LOGS, &route.site, &op).await?;
    Ok(Response::empty()?.with_status(204))
}
