//! `POST /v1/{provider}/sms`: texts to our numbers (Twilio's Messaging webhook, Telnyx's
//! `message.received` event), verified by the same wrapper as the voice webhooks. I/O only around
//! `dni_core::messaging`: read the number's route and the site (KV), ask the pool whose the text
//! is (as for a call), keep it in the call log (a new conversation or the sender's open one), and
//! send what messaging says (a forward, an automatic reply) the provider's way: in the webhook's
//! answer (TwiML `<Message>`) or through its API.
//!
//! Never lose a text: once the webhook is genuine, a failure to attribute or keep it is logged and
//! the forward still goes out. A repeated delivery is kept once and forwarded once.

use dni_core::call_control::Lookup;
use dni_core::integrations::HttpRequest;
use dni_core::messaging::{self, Incoming};
use dni_core::telephony::{OutgoingText, TextAnswer};
use dni_core::SECOND;
use worker::{Env, Request, Response, Result, RouteContext};

use super::calls::{attribute, bad, no_content, site_of, webhook, xml, Hook};
use super::{ask, secret};
use crate::config_store;
use crate::error::ApiResult;
use crate::protocol::{CallOp, TextReply};
use crate::{clock, outbox, CALL_LOGS};

/// How long the provider's messaging API is given to take a text (the webhook waits for it).
const SEND_TIMEOUT: dni_core::Millis = 5 * SECOND;

/// `POST /v1/{provider}/sms`: a text to one of our numbers.
pub async fn sms(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    webhook(req, ctx, None, receive).await
}

async fn receive(env: Env, hook: Hook) -> ApiResult<Response> {
    let carrier = hook.carrier();
    let Some(message) = carrier.message(&hook.body, &hook.form).map_err(bad)? else {
        // Another event (a delivery report of a text we sent): nothing to do.
        return no_content();
    };
    let now = clock::now();
    let route = config_store::route(&env, &message.to).await.ok().flatten();
    let config = site_of(&env, route.as_ref()).await;
    let lookup = Lookup::of(route.as_ref(), config.as_ref(), None);
    let mut routed = match messaging::incoming(&message, hook.provider, lookup, now) {
        Incoming::Lead(routed) => routed,
        Incoming::Keyword(k) => {
            worker::console_log!(
                "text {}: {} keyword, left to the provider",
                message.message_id,
                k.as_str()
            );
            return send(&env, &hook, None).await;
        }
        Incoming::Unrouted(why) => {
            let why = why.as_str();
            worker::console_warn!("text {} to {}: {why}", message.message_id, message.to);
            return send(&env, &hook, None).await;
        }
    };
    attribute(&env, &mut routed, &message.to, now).await;
    let site = routed.config();
    let lead = messaging::lead(*routed, &message, now);
    let op = CallOp::Text {
        record: Box::new(lead.record.clone()),
        window: lead.window(),
        retention_days: Some(site.retention_days),
        integrations: Some(Box::new(site.integrations.clone())),
        time_zone: site.time_zone.clone(),
    };
    let reply = match ask::<TextReply>(&env, CALL_LOGS, &site.id, &op).await {
        Ok(reply) => reply,
        Err(_) => {
            worker::console_error!(
                "text {}: could not be kept, forwarding anyway",
                message.message_id
            );
            TextReply {
                record: lead.record.clone(),
                new: true,
                added: true,
            }
        }
    };
    if !reply.added {
        // A repeated delivery: kept and sent on the first time.
        return send(&env, &hook, None).await;
    }
    let handling = lead.handling(&reply.record, &message, reply.new, now);
    let out = handling.send.as_ref().map(|(to, text)| OutgoingText {
        from: &message.to,
        to,
        text,
    });
    send(&env, &hook, out.as_ref()).await
}

/// Answers the webhook, sending `text` the provider's way.
async fn send(env: &Env, hook: &Hook, text: Option<&OutgoingText<'_>>) -> ApiResult<Response> {
    let secrets = |name: &str| secret(env, name);
    match hook.carrier().send_text(text, &secrets) {
        TextAnswer::Markup(markup) if markup.is_empty() => no_content(),
        TextAnswer::Markup(markup) => xml(markup),
        TextAnswer::Api {
            url,
            authorization,
            body,
        } => {
            let mut request = HttpRequest::json(url, body);
            request
                .headers
                .push(("authorization".to_owned(), authorization));
            if let Err(why) = outbox::send_now(&request, SEND_TIMEOUT).await {
                worker::console_error!("a text could not be sent: {why}");
            }
            no_content()
        }
        TextAnswer::Disabled(why) => {
            worker::console_warn!("{why}");
            no_content()
        }
    }
}
