//! The telephony providers' webhooks, one set of handlers for every provider (`/v1/{provider}/...`):
//! the shell around `dni_core::telephony`. The incoming call is forwarded at once along the site's
//! routing rules and recorded against the visit; the dial action, status, recording and transcript
//! callbacks complete the record once; the whisper and the screening answer the business's leg.
//!
//! Never lose a call: once a webhook is genuine, a failure to attribute, route or record it is
//! logged and the call still rings the business line.

use dni_core::call::{CallRecord, CallUpdate, NumberKind, RoutingInfo};
use dni_core::config::{NumberRoute, SiteConfig, Target};
use dni_core::phone::E164;
use dni_core::telephony::markup::{self, Dialect};
use dni_core::telephony::routing::{self, Action, Facts, Plan, Rule};
use dni_core::telephony::{
    callback, whisper, Delivery, FieldError, Form, Headers, Provider, RecordingKind, Signed,
};
use dni_core::{ga, url};
use worker::{Env, Request, Response, Result, RouteContext};

use super::{ask, read_body, secret, shard, Shard};
use crate::config_store::{self, Freshness};
use crate::error::{respond, ApiError, ApiResult};
use crate::protocol::{AttributeReply, CallOp, DeliveryReply, PoolOp, StatusReply};
use crate::{clock, deliveries, CALL_LOGS, POOLS};

/// Largest webhook body accepted.
const MAX_FORM: usize = 32 * 1024;

/// The headers a provider's signature check may read.
const SIGNATURE_HEADERS: [&str; 3] = [
    "x-twilio-signature",
    "telnyx-signature-ed25519",
    "telnyx-timestamp",
];

/// A verified webhook: its provider, form, and the query of the URL it was sent to (written by us
/// in an earlier answer, and covered by the provider's signature or, for a provider whose
/// signature does not cover the URL, by our own seal: see `dni_core::telephony::callback`).
struct Hook {
    provider: Provider,
    form: Form,
    query: Vec<(String, String)>,
    /// The key our callback URLs are sealed with (`CALLBACK_SECRET`).
    seal_key: String,
    /// The worker's origin as the provider sees it (`PUBLIC_BASE_URL`, or the request's own), for
    /// the one callback a provider wants absolute.
    origin: String,
}

impl Hook {
    fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn dialect(&self) -> Dialect {
        self.provider.dialect()
    }
}

fn bad(e: FieldError) -> ApiError {
    ApiError::BadRequest(e.message())
}

/// The secret a provider's signatures are checked with.
fn provider_secret(env: &Env, provider: Provider) -> String {
    match provider {
        Provider::Twilio => secret(env, "TWILIO_AUTH_TOKEN"),
        Provider::Telnyx => secret(env, "TELNYX_PUBLIC_KEY"),
    }
}

/// Reads the form and checks the provider's signature (and, for a provider whose signature covers
/// a timestamp, that the delivery is not a replay). The URL is the request's own, unless
/// `PUBLIC_BASE_URL` says what the world sees (behind a proxy).
/// Whether a handler reads the query of the URL it was sent to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Query {
    /// A callback URL we wrote: its query is state, and must be ours (sealed, for a provider whose
    /// signature does not cover the URL).
    Read,
    /// A URL the owner configured at the provider (voice, status): any query is ignored, never
    /// read, so none needs a seal.
    Ignored,
}

async fn verified(req: &mut Request, ctx: &RouteContext<()>, reads: Query) -> ApiResult<Hook> {
    let provider = ctx
        .param("provider")
        .and_then(|p| Provider::from_name(p))
        .ok_or(ApiError::NotFound("no such provider"))?;
    let env = &ctx.env;
    let key = provider_secret(env, provider);
    if key.is_empty() {
        return Err(ApiError::Forbidden(match provider {
            Provider::Twilio => "webhooks are disabled: TWILIO_AUTH_TOKEN is not set",
            Provider::Telnyx => "webhooks are disabled: TELNYX_PUBLIC_KEY is not set",
        }));
    }
    let body = read_body(req, MAX_FORM).await?;
    let form = Form(url::form_pairs(&body).collect());
    let request_url = req.url()?;
    let query: Vec<(String, String)> = match reads {
        Query::Read => request_url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        Query::Ignored => Vec::new(),
    };
    let base = secret(env, "PUBLIC_BASE_URL");
    let origin = if base.is_empty() {
        request_url.origin().ascii_serialization()
    } else {
        base.trim_end_matches('/').to_owned()
    };
    let full_url = if base.is_empty() {
        request_url.to_string()
    } else {
        let q = request_url
            .query()
            .map(|q| ["?", q].concat())
            .unwrap_or_default();
        [base.trim_end_matches('/'), request_url.path(), &q].concat()
    };
    let mut headers = Headers::default();
    for name in SIGNATURE_HEADERS {
        if let Some(v) = req.headers().get(name)? {
            headers.0.push((name.to_owned(), v));
        }
    }
    let signed = Signed {
        url: &full_url,
        body: &body,
        form: &form,
        headers: &headers,
    };
    let delivery = provider
        .verify(&key, &signed, clock::now())
        .map_err(|e| ApiError::Forbidden(e.as_str()))?;
    let seal_key = secret(env, "CALLBACK_SECRET");
    if !provider.signs_url() {
        // Checked before the delivery is remembered: a genuine delivery sent on with another query
        // first does not use up the genuine one.
        callback::check(&seal_key, request_url.path(), &query).map_err(|e| {
            ApiError::Forbidden(match e {
                dni_core::telephony::WebhookError::NoSecret => {
                    "callbacks are disabled: CALLBACK_SECRET is not set"
                }
                _ => "callback URL not written by this worker",
            })
        })?;
    }
    refuse_replay(env, &delivery).await?;
    Ok(Hook {
        provider,
        form,
        query,
        seal_key,
        origin,
    })
}

/// A delivery whose signature was seen before its window closed is refused.
async fn refuse_replay(env: &Env, delivery: &Delivery) -> ApiResult<()> {
    let Some(key) = &delivery.replay_key else {
        return Ok(());
    };
    let op = CallOp::Delivery {
        key: key.clone(),
        expires_at: delivery.expires_at,
    };
    let reply: DeliveryReply = ask(env, CALL_LOGS, &deliveries::object_name(key), &op).await?;
    if reply.fresh {
        Ok(())
    } else {
        Err(ApiError::Forbidden("webhook replayed"))
    }
}

fn xml(body: String) -> Result<Response> {
    let mut response = Response::ok(body)?;
    response
        .headers_mut()
        .set("Content-Type", "text/xml; charset=utf-8")?;
    Ok(response)
}

fn no_content() -> Result<Response> {
    Ok(Response::empty()?.with_status(204))
}

/// `POST /v1/{provider}/voice`: route the call and record whose it is.
pub async fn voice(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let hook = match verified(&mut req, &ctx, Query::Ignored).await {
        Ok(hook) => hook,
        Err(e) => return e.response(),
    };
    respond(answer_call(&ctx.env, &hook).await)
}

async fn answer_call(env: &Env, hook: &Hook) -> ApiResult<Response> {
    let call = hook.provider.incoming(&hook.form).map_err(bad)?;
    let now = clock::now();
    let dialect = hook.dialect();
    let Some(route) = config_store::route(env, &call.to).await.ok().flatten() else {
        // Not one of our numbers (or its route is gone): forward to the operator's fallback line
        // if there is one, else say so.
        worker::console_warn!("call {} to unrouted number {}", call.call_id, call.to);
        return Ok(xml(
            match E164::parse(&secret(env, "FALLBACK_FORWARD_TO")) {
                Ok(line) => plain_dial(dialect, &line),
                Err(_) => markup::say(dialect, "The number you have called is not in service."),
            },
        )?);
    };
    if route.provider != hook.provider {
        worker::console_warn!(
            "call {} to {} came from {}, but the site says {} owns the number",
            call.call_id,
            call.to,
            hook.provider.as_str(),
            route.provider.as_str()
        );
    }
    let config = match config_store::site(env, &route.site, Freshness::Cached).await {
        Ok(config) => config,
        Err(_) => {
            // The site's configuration (and its rules) cannot be read: the number's route still
            // knows the business line.
            worker::console_error!(
                "call {}: site {} unreadable, forwarding",
                call.call_id,
                route.site
            );
            return Ok(xml(match &route.forward_to {
                Some(line) => plain_dial(dialect, line),
                None => markup::say(dialect, "The number you have called is not in service."),
            })?);
        }
    };
    let Some(target) = target_of(&route, &config) else {
        worker::console_error!(
            "number {} routes to site {} but matches no target",
            call.to,
            config.id
        );
        return Ok(xml(markup::say(
            dialect,
            "The number you have called is not in service.",
        ))?);
    };

    let mut record = CallRecord::new(&call.call_id, &config.id, &call.from, call.to.as_str(), now);
    record.provider = hook.provider;
    record.forwarded_to = Some(target.forward_to().clone());
    attribute(env, &route, &config, &call.to, now, &mut record).await;

    let (rule, action, info) = decide(&config, &route, target, &record, now);
    record.routing = Some(info);
    // The site's settings go with the record: a `call.started` webhook is queued in the same write
    // and sent by the call log's alarm, after this answer.
    let op = CallOp::Record {
        record: Box::new(record.clone()),
        retention_days: Some(config.retention_days),
        integrations: Some(Box::new(config.integrations.clone())),
        time_zone: config.time_zone.clone(),
    };
    if ask::<CallRecord>(env, CALL_LOGS, &config.id, &op)
        .await
        .is_err()
    {
        worker::console_error!(
            "call {}: the call record could not be written, forwarding anyway",
            call.call_id
        );
    }
    let ctx = StepContext {
        provider: hook.provider,
        seal_key: &hook.seal_key,
        origin: &hook.origin,
        config: &config,
        target,
        record: &record,
        rules: config.rules_for(&route),
        rule,
    };
    Ok(xml(render_step(&ctx, &action, 0))?)
}

/// Fills the record's attribution from the pool (whose session held the number) or the static
/// number's channel. A failure is logged: the call goes on.
async fn attribute(
    env: &Env,
    route: &NumberRoute,
    config: &SiteConfig,
    to: &E164,
    now: u64,
    record: &mut CallRecord,
) {
    if let Some(pool_id) = &route.pool {
        record.number_kind = NumberKind::Pool;
        let Some((pool, k)) = config
            .pool(pool_id)
            .and_then(|p| Some((p, p.shard_of_number(to)?)))
        else {
            return;
        };
        let Shard { name, spec } = shard(config, pool, k);
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
            Err(_) => worker::console_error!(
                "call {}: attribution failed, forwarding anyway",
                record.call_sid
            ),
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
}

/// The routing decision for a call: the rule that matched (its position), its action, and what
/// the record says about it. Rules that cannot be evaluated ring the business line.
fn decide(
    config: &SiteConfig,
    route: &NumberRoute,
    target: &Target,
    record: &CallRecord,
    at: u64,
) -> (Option<usize>, Action, RoutingInfo) {
    let rules = config.rules_for(route);
    let static_number = route
        .static_number
        .and_then(|i| config.static_numbers.get(i))
        .map(|s| &s.number);
    let facts = Facts {
        caller: &record.caller,
        channel: record.channel,
        source: &record.source,
        campaign: &record.campaign,
        pool: route.pool.as_deref(),
        static_number,
    };
    let fallback = routing::fallback(target.forward_to());
    if rules.is_empty() {
        let info = RoutingInfo {
            rule: None,
            name: String::new(),
            action: fallback.kind().to_owned(),
            fallback: None,
        };
        return (None, fallback, info);
    }
    let tz = config.time_zone.as_deref().unwrap_or("UTC");
    match routing::local_time(tz, at) {
        Ok(local) => match routing::decide(rules, &facts, &local) {
            Some((i, rule)) => {
                let info = RoutingInfo {
                    rule: u32::try_from(i).ok(),
                    name: rule.name.clone(),
                    action: rule.then.kind().to_owned(),
                    fallback: None,
                };
                (Some(i), rule.then.clone(), info)
            }
            None => {
                let info = RoutingInfo {
                    rule: None,
                    name: String::new(),
                    action: fallback.kind().to_owned(),
                    fallback: Some("no rule matched".to_owned()),
                };
                (None, fallback, info)
            }
        },
        Err(e) => {
            worker::console_error!(
                "call {}: rules not evaluated ({e}), ringing the business",
                record.call_sid
            );
            let info = RoutingInfo {
                rule: None,
                name: String::new(),
                action: fallback.kind().to_owned(),
                fallback: Some(e.to_string()),
            };
            (None, fallback, info)
        }
    }
}

/// What rendering a step needs.
struct StepContext<'a> {
    provider: Provider,
    seal_key: &'a str,
    origin: &'a str,
    config: &'a SiteConfig,
    target: &'a Target,
    record: &'a CallRecord,
    rules: &'a [Rule],
    rule: Option<usize>,
}

/// The markup for step `step` of `action`.
fn render_step(c: &StepContext<'_>, action: &Action, step: u32) -> String {
    let dialect = c.provider.dialect();
    let site = c.config.id.as_str();
    let rule = c
        .rule
        .map(|r| r.to_string())
        .unwrap_or_else(|| "-".to_owned());
    let step_s = step.to_string();
    let callback =
        |action: &str, query: &[(&str, &str)]| callback::url(c.provider, action, query, c.seal_key);
    match action.plan(step) {
        Plan::Ring { step: s, .. } => {
            let record = c
                .rule
                .and_then(|i| c.rules.get(i))
                .and_then(|r| r.record)
                .unwrap_or(c.target.record || c.config.recording.record);
            let whisper_url = c.target.whisper.then(|| {
                let text = whisper::render(
                    c.target
                        .whisper_template
                        .as_deref()
                        .unwrap_or(whisper::DEFAULT_TEMPLATE),
                    &whisper::Fields {
                        channel: c.record.channel.as_str(),
                        source: &c.record.source,
                        medium: &c.record.medium,
                        campaign: &c.record.campaign,
                        keyword: &c.record.term,
                        number: &c.record.tracking_number,
                    },
                );
                let screen = if c.target.screen { "1" } else { "0" };
                callback(
                    "whisper",
                    &[("site", site), ("say", &text), ("screen", screen)],
                )
            });
            let recording_callback = callback("recording", &[("site", site), ("kind", "call")]);
            let action_url = callback(
                "dial",
                &[("site", site), ("rule", &rule), ("step", &step_s)],
            );
            // Which line picks up: each line's `answered` event, with the step that rang it.
            let leg_callback = callback("answered", &[("site", site), ("step", &step_s)]);
            // The conversation's transcript: started once, with the first step, where the site
            // transcribes and this call is recorded (the recording notice covers both).
            let transcribe = record && step == 0 && c.config.recording.transcribe;
            // Absolute: Twilio's real-time transcription does not resolve a relative callback.
            let transcription_callback = transcribe.then(|| {
                [
                    c.origin,
                    &callback("transcript", &[("site", site), ("kind", "call")]),
                ]
                .concat()
            });
            markup::dial(
                dialect,
                &markup::Dial {
                    to: &s.numbers,
                    timeout_s: s.timeout_s,
                    record,
                    announcement: if record && step == 0 {
                        c.config.recording.announcement.as_deref()
                    } else {
                        None
                    },
                    recording_callback: record.then_some(recording_callback.as_str()),
                    whisper_url: whisper_url.as_deref(),
                    action_url: Some(&action_url),
                    leg_callback: Some(&leg_callback),
                    transcription_callback: transcription_callback.as_deref(),
                },
            )
        }
        Plan::Voicemail(vm) => {
            let recording_callback =
                callback("recording", &[("site", site), ("kind", "voicemail")]);
            let transcript_callback = callback("transcript", &[("site", site)]);
            markup::voicemail(
                dialect,
                &markup::Voicemail {
                    greeting: vm.greeting.as_deref(),
                    greeting_url: vm.greeting_url.as_deref(),
                    max_length_s: vm.max_length_s,
                    recording_callback: &recording_callback,
                    transcript_callback: c
                        .config
                        .recording
                        .transcribe
                        .then_some(transcript_callback.as_str()),
                },
            )
        }
        Plan::Reject => markup::reject(dialect),
        Plan::Hangup => markup::hangup(dialect),
    }
}

/// The business line, rung for 30 seconds, nothing else (when nothing more is known).
fn plain_dial(dialect: Dialect, to: &E164) -> String {
    markup::dial(
        dialect,
        &markup::Dial {
            to: core::slice::from_ref(to),
            timeout_s: routing::DEFAULT_TIMEOUT_S,
            record: false,
            announcement: None,
            recording_callback: None,
            whisper_url: None,
            action_url: None,
            leg_callback: None,
            transcription_callback: None,
        },
    )
}

fn target_of<'c>(route: &NumberRoute, config: &'c SiteConfig) -> Option<&'c Target> {
    match (&route.pool, route.static_number) {
        (Some(pool), _) => config.target_of_pool(pool),
        (None, Some(i)) => config
            .static_numbers
            .get(i)
            .and_then(|s| config.target(&s.target)),
        (None, None) => None,
    }
}

/// `POST /v1/{provider}/dial?site&rule&step`: how a forwarding step ended. Stores the dial result
/// and answers with the next step (the next line of a chain, the voicemail) or hangs up.
pub async fn dial(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let hook = match verified(&mut req, &ctx, Query::Read).await {
        Ok(hook) => hook,
        Err(e) => return e.response(),
    };
    respond(dial_done(&ctx.env, &hook).await)
}

async fn dial_done(env: &Env, hook: &Hook) -> ApiResult<Response> {
    let dialect = hook.dialect();
    let call_sid = hook.form.required("CallSid").map_err(bad)?.to_owned();
    let to = hook.form.number("To").map_err(bad)?;
    let step: u32 = hook
        .query("step")
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| ApiError::BadRequest("step must be a number".to_owned()))?;
    let rule: Option<usize> = hook.query("rule").and_then(|r| r.parse().ok());
    let route = config_store::route(env, &to).await?;
    let config = match &route {
        Some(route) => config_store::site(env, &route.site, Freshness::Cached)
            .await
            .ok(),
        None => None,
    };
    let site = route
        .as_ref()
        .map(|r| r.site.clone())
        .or_else(|| hook.query("site").map(str::to_owned))
        .ok_or(ApiError::NotFound("unknown number"))?;
    // What this step rang and what comes next, from the same rule (re-read from the
    // configuration).
    let found = match (&route, &config) {
        (Some(route), Some(config)) => target_of(route, config).map(|t| {
            let rules = config.rules_for(route);
            let action = match rule.and_then(|i| rules.get(i)) {
                Some(r) => r.then.clone(),
                None => routing::fallback(t.forward_to()),
            };
            (config, t, rules, action)
        }),
        _ => None,
    };
    let rang: Vec<E164> = match &found {
        Some((_, _, _, action)) => match action.plan(step) {
            Plan::Ring { step: s, .. } => s.numbers.clone(),
            _ => Vec::new(),
        },
        None => Vec::new(),
    };
    let result = hook
        .provider
        .dial_result(&hook.form, step, &rang)
        .map_err(bad)?;
    let answered = result.status.answered();
    let op = CallOp::Apply {
        call_sid: call_sid.clone(),
        site: site.clone(),
        caller: hook.form.text("From", 128).unwrap_or_default(),
        tracking_number: to.as_str().to_owned(),
        update: CallUpdate::Dial(result),
    };
    if ask::<StatusReply>(env, CALL_LOGS, &site, &op)
        .await
        .is_err()
    {
        worker::console_error!("call {call_sid}: the dial result could not be stored");
    }
    if answered {
        return Ok(xml(markup::hangup(dialect))?);
    }
    let Some((config, target, rules, action)) = found else {
        return Ok(xml(markup::hangup(dialect))?);
    };
    let record = CallRecord::new(&call_sid, &config.id, "", to.as_str(), clock::now());
    let ctx = StepContext {
        provider: hook.provider,
        seal_key: &hook.seal_key,
        origin: &hook.origin,
        config,
        target,
        record: &record,
        rules,
        rule,
    };
    Ok(xml(render_step(&ctx, &action, step + 1))?)
}

/// `POST /v1/{provider}/status`: the caller's call's progress and end. Applied once, in any order.
pub async fn status(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let hook = match verified(&mut req, &ctx, Query::Ignored).await {
        Ok(hook) => hook,
        Err(e) => return e.response(),
    };
    respond(apply_status(&ctx.env, &hook).await)
}

async fn apply_status(env: &Env, hook: &Hook) -> ApiResult<Response> {
    let update = hook.provider.status(&hook.form).map_err(bad)?;
    let Some(route) = config_store::route(env, &update.to).await? else {
        // A number we no longer track: nothing to complete.
        return Ok(no_content()?);
    };
    // The site's integrations go with the callback: the one that ends the call queues its messages.
    let config = config_store::site(env, &route.site, Freshness::Cached).await?;
    let op = CallOp::Status {
        call_sid: update.call_id,
        site: route.site.clone(),
        caller: update.from,
        tracking_number: update.to.as_str().to_owned(),
        status: update.status,
        duration_s: update.duration_s,
        integrations: Some(Box::new(config.integrations)),
        time_zone: config.time_zone,
    };
    let _reply: StatusReply = ask(env, CALL_LOGS, &route.site, &op).await?;
    Ok(no_content()?)
}

/// The site a callback URL names (we wrote it; the provider's signature covers it).
async fn site_of(env: &Env, hook: &Hook) -> ApiResult<SiteConfig> {
    let site = hook
        .query("site")
        .ok_or_else(|| ApiError::BadRequest("missing site".to_owned()))?;
    config_store::site(env, site, Freshness::Cached).await
}

/// `POST /v1/{provider}/recording?site&kind`: a recording is ready. Stored once.
pub async fn recording(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let hook = match verified(&mut req, &ctx, Query::Read).await {
        Ok(hook) => hook,
        Err(e) => return e.response(),
    };
    respond(
        async {
            let config = site_of(&ctx.env, &hook).await?;
            let kind = match hook.query("kind") {
                Some("voicemail") => RecordingKind::Voicemail,
                _ => RecordingKind::Call,
            };
            let Some(rec) = hook.provider.recording(&hook.form, kind).map_err(bad)? else {
                return Ok(no_content()?);
            };
            apply(&ctx.env, &hook, &config, CallUpdate::Recording(rec)).await
        }
        .await,
    )
}

/// `POST /v1/{provider}/transcript?site[&kind=call]`: the provider's transcript of a voicemail,
/// or (`kind=call`) one utterance of its real-time transcription of the conversation. Each is
/// stored once.
pub async fn transcript(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let hook = match verified(&mut req, &ctx, Query::Read).await {
        Ok(hook) => hook,
        Err(e) => return e.response(),
    };
    respond(
        async {
            let config = site_of(&ctx.env, &hook).await?;
            if hook.query("kind") == Some("call") {
                let Some(u) = hook.provider.utterance(&hook.form).map_err(bad)? else {
                    return Ok(no_content()?);
                };
                return apply(&ctx.env, &hook, &config, CallUpdate::Utterance(u)).await;
            }
            let t = hook.provider.transcript(&hook.form).map_err(bad)?;
            apply(&ctx.env, &hook, &config, CallUpdate::Transcript(t)).await
        }
        .await,
    )
}

/// `POST /v1/{provider}/answered?site&step`: one of the lines a step rang picked up (each
/// `<Number>`'s status callback, `answered` event). Kept on the record by leg; the leg the dial
/// result names is the line that took the call.
pub async fn answered(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let hook = match verified(&mut req, &ctx, Query::Read).await {
        Ok(hook) => hook,
        Err(e) => return e.response(),
    };
    respond(
        async {
            let config = site_of(&ctx.env, &hook).await?;
            let step = hook.query("step").and_then(|s| s.parse().ok()).unwrap_or(0);
            let Some((parent, leg)) = hook.provider.answered_leg(&hook.form, step).map_err(bad)?
            else {
                return Ok(no_content()?);
            };
            let op = CallOp::Apply {
                call_sid: parent,
                site: config.id.clone(),
                caller: String::new(),
                tracking_number: String::new(),
                update: CallUpdate::Answered(leg),
            };
            let _reply: StatusReply = ask(&ctx.env, CALL_LOGS, &config.id, &op).await?;
            Ok(no_content()?)
        }
        .await,
    )
}

async fn apply(
    env: &Env,
    hook: &Hook,
    config: &SiteConfig,
    update: CallUpdate,
) -> ApiResult<Response> {
    let op = CallOp::Apply {
        call_sid: hook.form.required("CallSid").map_err(bad)?.to_owned(),
        site: config.id.clone(),
        caller: hook.form.text("From", 128).unwrap_or_default(),
        tracking_number: hook.form.text("To", 32).unwrap_or_default(),
        update,
    };
    let _reply: StatusReply = ask(env, CALL_LOGS, &config.id, &op).await?;
    Ok(no_content()?)
}

/// `POST /v1/{provider}/whisper?site&say&screen`: what the business hears when it picks up, before
/// the caller is connected (the caller hears ringing: `answerOnBridge`). The text was written by
/// us into the URL, which the provider's signature (or our seal) covers; the markup escapes it.
pub async fn whisper_leg(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let hook = match verified(&mut req, &ctx, Query::Read).await {
        Ok(hook) => hook,
        Err(e) => return e.response(),
    };
    let text: String = hook
        .query("say")
        .unwrap_or_default()
        .chars()
        .take(whisper::MAX_WHISPER)
        .collect();
    let screen = (hook.query("screen") == Some("1")).then(|| {
        callback::url(
            hook.provider,
            "screen",
            &[("site", hook.query("site").unwrap_or_default())],
            &hook.seal_key,
        )
    });
    xml(markup::whisper(hook.dialect(), &text, screen.as_deref()))
}

/// `POST /v1/{provider}/screen`: the key the answering party pressed. `1` connects the caller;
/// anything else hangs up this leg (the dial then ends unanswered and a chain goes on).
pub async fn screen(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let hook = match verified(&mut req, &ctx, Query::Read).await {
        Ok(hook) => hook,
        Err(e) => return e.response(),
    };
    xml(if hook.form.get("Digits") == Some("1") {
        markup::accept(hook.dialect())
    } else {
        markup::hangup(hook.dialect())
    })
}
