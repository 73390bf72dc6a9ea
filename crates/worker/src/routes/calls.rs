//! The telephony providers' webhooks, one set of handlers for every provider (`/v1/{provider}/...`):
//! the I/O around `dni_core::call_control`. Each handler is given the webhook verified
//! ([`webhook`]), reads what call control needs (KV, the pool, the call log), asks it, writes what
//! it returns, and answers with its markup. No handler reads a field of the provider's form or of
//! our callback URL's query by name: the provider's module in the core reads the form
//! (`Carrier`), and `Callback` the query.
//!
//! Never lose a call: once a webhook is genuine, a failure to attribute or record it is logged and
//! the call still rings the business line.

use std::future::Future;

use dni_core::call::{CallRecord, CallUpdate};
use dni_core::call_control::{
    self, Callbacks, Fallback, Handling, Incoming, Lookup, Routed, Visit,
};
use dni_core::config::{NumberRoute, SiteConfig};
use dni_core::phone::E164;
use dni_core::telephony::callback::{self, Action, Callback};
use dni_core::telephony::{
    Carrier, DialCallback, DialResult, FieldError, Form, Headers, IncomingCall, Provider, Replay,
    Signed, StatusUpdate, WebhookError,
};
use dni_core::{url, Millis};
use worker::{Env, Request, Response, Result, RouteContext};

use super::{ask, read_body, secret, shard, Shard};
use crate::config_store::{self, Freshness};
use crate::error::{respond, ApiError, ApiResult};
use crate::protocol::{Applied, AttributeReply, CallOp, PoolOp, SeenSignatureReply, StatusReply};
use crate::{clock, replay, CALL_LOGS, POOLS};

/// Largest webhook body accepted.
const MAX_FORM: usize = 32 * 1024;

/// A verified webhook: its provider, form, and what the callback URL it was sent to carries
/// (written by us in an earlier answer, and covered by the provider's signature or, for a
/// provider whose signature does not cover the URL, by our own seal: see
/// `dni_core::telephony::callback`).
pub(super) struct Hook {
    pub(super) provider: Provider,
    /// The body as a form (empty for a JSON body).
    pub(super) form: Form,
    /// The raw body (a provider's JSON event is read from it).
    pub(super) body: String,
    /// What our callback URL carries (`None` for the URLs the owner configures at the provider).
    callback: Option<Callback>,
    /// The caller's call the webhook is about (a forwarded leg's parent), as its body says.
    call: String,
    /// The key our callback URLs are sealed with (`CALLBACK_SECRET`).
    seal_key: String,
    /// The worker's origin as the provider sees it (`PUBLIC_BASE_URL`, or the request's own).
    origin: String,
}

impl Hook {
    pub(super) fn carrier(&self) -> &'static dyn Carrier {
        self.provider.carrier()
    }

    fn callbacks(&self) -> Callbacks<'_> {
        Callbacks {
            provider: self.provider,
            seal_key: &self.seal_key,
            origin: &self.origin,
        }
    }

    fn callback(&self) -> ApiResult<&Callback> {
        self.callback
            .as_ref()
            .ok_or_else(|| ApiError::BadRequest("not a callback URL".to_owned()))
    }
}

pub(super) fn bad(e: FieldError) -> ApiError {
    ApiError::BadRequest(e.message())
}

pub(super) fn xml(body: String) -> ApiResult<Response> {
    let mut response = Response::ok(body)?;
    response
        .headers_mut()
        .set("Content-Type", "text/xml; charset=utf-8")?;
    Ok(response)
}

pub(super) fn no_content() -> ApiResult<Response> {
    Ok(Response::empty()?.with_status(204))
}

/// Runs `handler` on the webhook once it is verified (`action`: the callback it must be, `None`
/// for the voice and status URLs the owner configures at the provider, whose query is never
/// read); a webhook that is not genuine gets its 4xx and reaches no handler.
pub(super) async fn webhook<F, Fut>(
    mut req: Request,
    ctx: RouteContext<()>,
    action: Option<Action>,
    handler: F,
) -> Result<Response>
where
    F: FnOnce(Env, Hook) -> Fut,
    Fut: Future<Output = ApiResult<Response>>,
{
    match verified(&mut req, &ctx, action).await {
        Ok(hook) => respond(handler(ctx.env, hook).await),
        Err(e) => e.response(),
    }
}

/// Checks the provider's signature, our seal on a callback URL's query (for a provider whose
/// signature does not cover the URL), and that the webhook is not a replay (for a provider whose
/// signature covers a timestamp); reads what the callback URL carries.
async fn verified(
    req: &mut Request,
    ctx: &RouteContext<()>,
    action: Option<Action>,
) -> ApiResult<Hook> {
    let provider = ctx
        .param("provider")
        .and_then(|p| Provider::from_name(p))
        .ok_or(ApiError::NotFound("no such provider"))?;
    let env = &ctx.env;
    let (form, body, replay, origin) = genuine(req, env, provider).await?;
    let url = req.url()?;
    // The query of the URLs the owner configures (voice, status) is never read, so never sealed.
    let query: Vec<(String, String)> = match action {
        Some(_) => url
            .query_pairs()
            .map(|(k, v)| (k.into(), v.into()))
            .collect(),
        None => Vec::new(),
    };
    let call = caller_call(provider.carrier(), &form, action);
    let seal_key = secret(env, "CALLBACK_SECRET");
    if !provider.signs_url() {
        // Checked before the webhook is remembered: a genuine one sent on with another query, or
        // to another call's URL, first does not use up the genuine one.
        check_seal(&seal_key, url.path(), &query, &call)?;
    }
    refuse_replay(env, replay).await?;
    let callback = action.map(|a| Callback::read(a, &query));
    Ok(Hook {
        callback: callback.transpose().map_err(bad)?,
        provider,
        form,
        body,
        call,
        seal_key,
        origin,
    })
}

/// The caller's call a webhook is about, as its body says: the parent of a forwarded leg's.
fn caller_call(carrier: &dyn Carrier, form: &Form, action: Option<Action>) -> String {
    let call = match action {
        Some(a) if a.on_leg() => carrier.parent_call(form).map(str::to_owned),
        _ => carrier.call(form).ok().map(|c| c.call_id),
    };
    call.unwrap_or_default()
}

/// Reads the form and checks the provider's signature with its secret: the form, what a replay
/// would carry, and the worker's origin as the provider sees it.
async fn genuine(
    req: &mut Request,
    env: &Env,
    provider: Provider,
) -> ApiResult<(Form, String, Option<Replay>, String)> {
    let carrier = provider.carrier();
    let key = secret(env, carrier.webhook_secret());
    if key.is_empty() {
        return Err(ApiError::Forbidden(carrier.webhooks_disabled()));
    }
    let body = read_body(req, MAX_FORM).await?;
    let form = Form(url::form_pairs(&body).collect());
    let (origin, full_url) = as_sent(env, &req.url()?);
    let headers = signature_headers(req, carrier)?;
    let signed = Signed {
        url: &full_url,
        body: &body,
        form: &form,
        headers: &headers,
    };
    let replay = carrier
        .verify(&key, &signed, clock::now())
        .map_err(|e| ApiError::Forbidden(e.as_str()))?;
    Ok((form, body, replay, origin))
}

/// The worker's origin and the request's URL as the provider sent it: the request's own, unless
/// `PUBLIC_BASE_URL` says what the world sees (behind a proxy).
fn as_sent(env: &Env, url: &worker::Url) -> (String, String) {
    let base = secret(env, "PUBLIC_BASE_URL");
    let base = base.trim_end_matches('/');
    if base.is_empty() {
        return (url.origin().ascii_serialization(), url.to_string());
    }
    let query = url.query().map(|q| ["?", q].concat()).unwrap_or_default();
    (base.to_owned(), [base, url.path(), &query].concat())
}

/// The request headers the provider's signature check reads.
fn signature_headers(req: &Request, carrier: &dyn Carrier) -> ApiResult<Headers> {
    let mut headers = Headers::default();
    for name in carrier.signature_headers() {
        if let Some(v) = req.headers().get(name)? {
            headers.0.push(((*name).to_owned(), v));
        }
    }
    Ok(headers)
}

/// Our seal on a callback URL's query, for the call the webhook's body names.
fn check_seal(key: &str, path: &str, query: &[(String, String)], call: &str) -> ApiResult<()> {
    callback::check(key, path, query, call).map_err(|e| {
        ApiError::Forbidden(match e {
            WebhookError::NoSecret => "callbacks are disabled: CALLBACK_SECRET is not set",
            _ => "callback URL not written by this worker",
        })
    })
}

/// A webhook whose signature was seen before its window closed is refused.
async fn refuse_replay(env: &Env, replay: Option<Replay>) -> ApiResult<()> {
    let Some(Replay { key, expires_at }) = replay else {
        return Ok(());
    };
    let object = replay::object_name(&key);
    let op = CallOp::SeenSignature { key, expires_at };
    let reply: SeenSignatureReply = ask(env, CALL_LOGS, &object, &op).await?;
    if reply.first {
        Ok(())
    } else {
        Err(ApiError::Forbidden("webhook replayed"))
    }
}

/// `POST /v1/{provider}/voice`: route the call and record whose it is.
pub async fn voice(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    webhook(req, ctx, None, answer_call).await
}

async fn answer_call(env: Env, hook: Hook) -> ApiResult<Response> {
    let call = hook.carrier().incoming(&hook.form).map_err(bad)?;
    match take_call(&env, hook.provider, &hook.callbacks(), &call, false).await {
        Taken::Fallback { markup, .. } | Taken::Routed { markup, .. } => xml(markup),
    }
}

/// What became of an incoming call.
pub(crate) enum Taken {
    /// Answered without the site's rules (the number or its site could not be read); nothing
    /// recorded.
    Fallback {
        /// The markup.
        markup: String,
        /// Why.
        fallback: Fallback,
    },
    /// Routed by the site's rules and recorded (unless the write failed: `recorded`).
    Routed {
        /// The record as written.
        record: Box<CallRecord>,
        /// The first step's markup.
        markup: String,
        /// Whether the call log took the record.
        recorded: bool,
    },
}

/// An incoming call, for the voice webhook and a test call alike (`test`: marked as one, see
/// `routes::test_calls`): the number's route and site read, call control asked, the pool asked
/// whose call it is, the rule's answer recorded. Never fails: a call that cannot be routed gets
/// its fallback, and a failure to attribute or record is logged while the call still rings.
pub(crate) async fn take_call(
    env: &Env,
    provider: Provider,
    callbacks: &Callbacks<'_>,
    call: &IncomingCall,
    test: bool,
) -> Taken {
    let now = clock::now();
    // A route that cannot be read is a number without one: the call still goes somewhere.
    let route = config_store::route(env, &call.to).await.ok().flatten();
    let config = site_of(env, route.as_ref()).await;
    let fallback_line = E164::parse(&secret(env, "FALLBACK_FORWARD_TO")).ok();
    let lookup = Lookup::of(route.as_ref(), config.as_ref(), fallback_line.as_ref());
    let mut routed = match call_control::incoming(call, provider, lookup, now) {
        Incoming::Route(routed) => routed,
        Incoming::Answer { markup, fallback } => {
            let why = fallback.as_str();
            worker::console_warn!("call {} to {}: {why}", call.call_id, call.to);
            return Taken::Fallback { markup, fallback };
        }
    };
    if test {
        routed.mark_test();
    }
    if let Some(owner) = routed.provider_mismatch() {
        let (from, owner) = (provider.as_str(), owner.as_str());
        worker::console_warn!(
            "call {} from {from}, but {owner} owns the number",
            call.call_id
        );
    }
    attribute(env, &mut routed, &call.to, now).await;
    let site = routed.config();
    let answer = routed.answer(callbacks, now);
    if let Some(why) = &answer.rules_error {
        worker::console_error!("call {}: rules not evaluated ({why})", call.call_id);
    }
    let recorded = record_call(env, site, answer.record.clone()).await;
    Taken::Routed {
        record: Box::new(answer.record),
        markup: answer.markup,
        recorded,
    }
}

/// The site a number's route names, if its configuration can be read.
pub(super) async fn site_of(env: &Env, route: Option<&NumberRoute>) -> Option<SiteConfig> {
    let route = route?;
    config_store::site(env, &route.site, Freshness::Cached)
        .await
        .ok()
}

/// Writes an incoming call's record, with the site's settings: a `call.started` webhook is queued
/// in the same write and sent by the call log's alarm, after the answer. A failure is logged (and
/// `false`): the call is forwarded anyway.
async fn record_call(env: &Env, site: &SiteConfig, record: CallRecord) -> bool {
    let call_sid = record.call_sid.clone();
    let op = CallOp::Record {
        record: Box::new(record),
        retention_days: Some(site.retention_days),
        integrations: Some(Box::new(site.integrations.clone())),
        time_zone: site.time_zone.clone(),
    };
    let written = ask::<serde_json::Value>(env, CALL_LOGS, &site.id, &op)
        .await
        .is_ok();
    if !written {
        worker::console_error!("call {call_sid}: the record could not be written");
    }
    written
}

/// Asks the pool whose session held a pool number, and credits its answer. A failure is logged:
/// the call goes on.
pub(super) async fn attribute(env: &Env, routed: &mut Routed<'_>, to: &E164, now: Millis) {
    let Some((pool, k)) = routed.pool_shard() else {
        return;
    };
    let Shard { name, spec } = shard(routed.config(), pool, k);
    let op = PoolOp::Attribute {
        pool: spec,
        number: to.clone(),
        at: now,
    };
    match ask::<AttributeReply>(env, POOLS, &name, &op).await {
        Ok(AttributeReply { attribution, visit }) => {
            let (credit, ga, consent, fbp) = visit.map_or((None, None, None, None), |v| {
                (Some(v.attribution), v.ga, v.consent, v.fbp)
            });
            let visit = credit.map(|attribution| Visit {
                attribution,
                ga: ga.as_ref(),
                consent,
                fbp: fbp.as_deref(),
            });
            routed.credit_pool(&attribution, visit);
        }
        Err(_) => worker::console_error!(
            "call {}: attribution failed, forwarding anyway",
            routed.record().call_sid
        ),
    }
}

/// `POST /v1/{provider}/dial?site&rule&step`: how a forwarding step ended. Stores the dial result
/// and answers with the next step (the next line of a chain, the voicemail) or hangs up.
pub async fn dial(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    webhook(req, ctx, Some(Action::Dial), dial_done).await
}

async fn dial_done(env: Env, hook: Hook) -> ApiResult<Response> {
    let Callback::Dial { site, rule, step } = hook.callback()? else {
        return Err(ApiError::BadRequest("not a dial callback".to_owned()));
    };
    let dialed = hook.carrier().dial(&hook.form).map_err(bad)?;
    let callbacks = hook.callbacks();
    let (_, markup) = dial_ended(&env, &callbacks, (site, *rule, *step), &dialed).await?;
    xml(markup)
}

/// A forwarding step ended, for the dial callback and a test call alike: the result stored, and
/// the next step's markup (or a hang-up). `step` is what the callback URL carries: the site (used
/// when the number no longer routes), the rule and the step.
pub(crate) async fn dial_ended(
    env: &Env,
    callbacks: &Callbacks<'_>,
    (site, rule, step): (&str, Option<u32>, u32),
    dialed: &DialCallback,
) -> ApiResult<(DialResult, String)> {
    let route = config_store::route(env, &dialed.to).await?;
    let config = site_of(env, route.as_ref()).await;
    let site = match &route {
        Some(r) => r.site.clone(),
        None if !site.is_empty() => site.to_owned(),
        None => return Err(ApiError::NotFound("unknown number")),
    };
    // What this step rang and what comes next: the rule the URL names, re-read.
    let handling = route
        .as_ref()
        .zip(config.as_ref())
        .and_then(|(r, c)| Handling::of(r, c, rule));
    let result = call_control::dial_result(dialed, step, handling.as_ref());
    // The next step is rendered from the record as the call log holds it: the caller's
    // attribution, for the whisper.
    let record = store_dial(env, &site, dialed, &result).await;
    let markup = call_control::next_step(handling.as_ref(), &record, &result, callbacks);
    Ok((result, markup))
}

/// Stores a dial result; the record as the call log then holds it (or, when the call log cannot
/// be asked, what the callback says: the next step rings anyway).
async fn store_dial(
    env: &Env,
    site: &str,
    dialed: &DialCallback,
    result: &DialResult,
) -> CallRecord {
    let op = CallOp::Apply {
        call_sid: dialed.call.call_id.clone(),
        site: site.to_owned(),
        caller: dialed.call.caller.clone(),
        tracking_number: dialed.to.as_str().to_owned(),
        update: CallUpdate::Dial(result.clone()),
    };
    match ask::<Applied>(env, CALL_LOGS, site, &op).await {
        Ok(applied) => applied.record,
        Err(_) => {
            worker::console_error!(
                "call {}: the dial result could not be stored",
                dialed.call.call_id
            );
            call_control::unstored(dialed, site)
        }
    }
}

/// `POST /v1/{provider}/status`: the caller's call's progress and end. Applied once, in any order.
pub async fn status(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    webhook(req, ctx, None, apply_status).await
}

async fn apply_status(env: Env, hook: Hook) -> ApiResult<Response> {
    let update = hook.carrier().status(&hook.form).map_err(bad)?;
    status_changed(&env, update).await?;
    no_content()
}

/// The caller's call's progress or end, for the status callback and a test call alike: applied
/// once; the callback that ends the call queues its messages (with the site's integrations).
/// Nothing happens for a number we no longer track.
pub(crate) async fn status_changed(env: &Env, update: StatusUpdate) -> ApiResult<()> {
    let Some(route) = config_store::route(env, &update.to).await? else {
        // A number we no longer track: nothing to complete.
        return Ok(());
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
    Ok(())
}

/// `POST /v1/{provider}/recording?site&kind`: a recording is ready. Stored once.
pub async fn recording(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    webhook(req, ctx, Some(Action::Recording), store_recording).await
}

async fn store_recording(env: Env, hook: Hook) -> ApiResult<Response> {
    let Callback::Recording { site, kind } = hook.callback()? else {
        return Err(ApiError::BadRequest("not a recording callback".to_owned()));
    };
    let site = config_store::site(&env, site, Freshness::Cached).await?.id;
    match hook.carrier().recording(&hook.form, *kind).map_err(bad)? {
        Some(rec) => apply(&env, &hook, &site, CallUpdate::Recording(rec)).await,
        None => no_content(),
    }
}

/// `POST /v1/{provider}/transcript?site[&kind=call]`: the provider's transcript of a voicemail,
/// or (`kind=call`) one utterance of its real-time transcription of the conversation. Each is
/// stored once.
pub async fn transcript(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    webhook(req, ctx, Some(Action::Transcript), store_transcript).await
}

async fn store_transcript(env: Env, hook: Hook) -> ApiResult<Response> {
    let Callback::Transcript { site, conversation } = hook.callback()? else {
        return Err(ApiError::BadRequest("not a transcript callback".to_owned()));
    };
    let site = config_store::site(&env, site, Freshness::Cached).await?.id;
    let update = if *conversation {
        match hook.carrier().utterance(&hook.form).map_err(bad)? {
            Some(u) => CallUpdate::Utterance(u),
            None => return no_content(),
        }
    } else {
        CallUpdate::Transcript(hook.carrier().transcript(&hook.form).map_err(bad)?)
    };
    apply(&env, &hook, &site, update).await
}

/// `POST /v1/{provider}/answered?site&step`: one of the lines a step rang picked up (each
/// `<Number>`'s status callback, `answered` event). Kept on the record by leg; the leg the dial
/// result names is the line that took the call.
pub async fn answered(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    webhook(req, ctx, Some(Action::Answered), store_answered).await
}

async fn store_answered(env: Env, hook: Hook) -> ApiResult<Response> {
    let Callback::Answered { site, step } = hook.callback()? else {
        return Err(ApiError::BadRequest("not an answered callback".to_owned()));
    };
    let site = config_store::site(&env, site, Freshness::Cached).await?.id;
    let Some((parent, leg)) = hook
        .carrier()
        .answered_leg(&hook.form, *step)
        .map_err(bad)?
    else {
        return no_content();
    };
    let op = CallOp::Apply {
        call_sid: parent,
        site: site.clone(),
        caller: String::new(),
        tracking_number: String::new(),
        update: CallUpdate::Answered(leg),
    };
    let _reply: Applied = ask(&env, CALL_LOGS, &site, &op).await?;
    no_content()
}

/// Applies a callback's update to the call its form names, once.
async fn apply(env: &Env, hook: &Hook, site: &str, update: CallUpdate) -> ApiResult<Response> {
    let call = hook.carrier().call(&hook.form).map_err(bad)?;
    let op = CallOp::Apply {
        call_sid: call.call_id,
        site: site.to_owned(),
        caller: call.caller,
        tracking_number: call.tracking_number,
        update,
    };
    let _reply: Applied = ask(env, CALL_LOGS, site, &op).await?;
    no_content()
}

/// `POST /v1/{provider}/whisper?site&say&screen`: what the business hears when it picks up, before
/// the caller is connected (the caller hears ringing: `answerOnBridge`). The text was written by
/// us into the URL, which the provider's signature (or our seal) covers; the markup escapes it.
pub async fn whisper_leg(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    webhook(req, ctx, Some(Action::Whisper), |_env, hook| async move {
        let Callback::Whisper { site, say, screen } = hook.callback()? else {
            return Err(ApiError::BadRequest("not a whisper callback".to_owned()));
        };
        xml(call_control::whisper(
            &hook.callbacks(),
            site,
            say,
            *screen,
            &hook.call,
        ))
    })
    .await
}

/// `POST /v1/{provider}/screen`: the key the answering party pressed. `1` connects the caller;
/// anything else hangs up this leg (the dial then ends unanswered and a chain goes on).
pub async fn screen(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    webhook(req, ctx, Some(Action::Screen), |_env, hook| async move {
        let accepted = hook.carrier().screen_accepted(&hook.form);
        xml(call_control::screen(hook.provider, accepted))
    })
    .await
}
