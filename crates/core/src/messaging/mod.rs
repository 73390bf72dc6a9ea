//! Texts to tracking numbers, sans I/O like call control: a text is a lead as a call to the same
//! number is, attributed by the same functions, and what it does besides is decided here from its
//! record, the number's route, the site's configuration and the time. The worker reads KV, the
//! pool and the call log, calls these, writes what they return and sends what they say.
//!
//! A text's life:
//! 1. [`incoming`]: the provider's keywords (`STOP`, `HELP`..., [`keywords`]) are the provider's
//!    to answer and never a lead; a text to a number that cannot be routed is dropped (logged);
//!    any other is routed by `call_control::incoming`, exactly as a call to that number: attributed
//!    already for a static number, with the pool shard to ask whose it is for a pool number
//!    (`Routed::credit_pool`, the same read-only question a call asks: a text extends no lease).
//! 2. [`lead`]: the record of a new conversation (`kind: text`), its first message, the routing
//!    the rules gave it. The call log then keeps it, or adds the message to the sender's open
//!    conversation ([`conversation`]).
//! 3. [`handling`]: from the conversation's record as the call log holds it, what the text does:
//!    forwarded to a mobile number with its source ("From Paid Search/spring: ..."), answered with
//!    an automatic reply (the conversation's first text only), or only kept. The target says which
//!    (`texts`); the first routing rule that matches (the same rules as calls: hours in the site's
//!    zone, channel, blocklist) may say otherwise, and a `reject` rule keeps a blocked sender's
//!    text without forwarding or answering it.
//!
//! How a text goes out (markup in the webhook's answer, or the provider's API) is the provider's
//! (`telephony::Carrier::send_text`).

#[allow(unused_imports)]
use crate::prelude::*;

pub mod conversation;
pub mod keywords;

#[cfg(test)]
mod tests;

use crate::call::{CallRecord, LeadKind, RoutingInfo, TextMessage};
use crate::call_control::{self, Attributed, Fallback, Lookup, Routed};
use crate::config::SiteConfig;
use crate::phone::E164;
use crate::telephony::message::MAX_BODY;
use crate::telephony::routing::{Action, TextAction};
use crate::telephony::{CallStatus, InboundMessage, IncomingCall, Provider};
use crate::Millis;

pub use keywords::Keyword;

/// The first decision on a text.
#[derive(Debug)]
pub enum Incoming<'a> {
    /// One of the providers' keywords: the provider answers it; nothing is recorded or sent.
    Keyword(Keyword),
    /// A number that cannot be routed: nothing is recorded or sent (logged).
    Unrouted(Fallback),
    /// A lead: ask the pool whose it is (when `Routed::pool_shard` says), then [`lead`].
    Lead(Box<Routed<'a>>),
}

/// A text reaching one of our numbers, with what the worker could read about the number.
pub fn incoming<'a>(
    message: &InboundMessage,
    provider: Provider,
    lookup: Lookup<'a>,
    now: Millis,
) -> Incoming<'a> {
    if let Some(k) = keywords::of(&message.body) {
        return Incoming::Keyword(k);
    }
    let as_call = IncomingCall {
        call_id: message.message_id.clone(),
        from: message.from.as_str().to_owned(),
        to: message.to.clone(),
    };
    match call_control::incoming(&as_call, provider, lookup, now) {
        call_control::Incoming::Answer { fallback, .. } => Incoming::Unrouted(fallback),
        call_control::Incoming::Route(routed) => Incoming::Lead(routed),
    }
}

/// A text lead, attributed: the record a new conversation starts with, and what the number
/// stands for.
#[derive(Debug)]
pub struct Lead<'a> {
    /// The record of a new conversation with this one message.
    pub record: CallRecord,
    attributed: Attributed<'a>,
}

/// The record a conversation starts with, from the routed text (after the pool's credit): kind
/// `text`, its first message (its body only where the site keeps bodies), and the routing the
/// rules give it at `now`.
pub fn lead<'a>(routed: Routed<'a>, message: &InboundMessage, now: Millis) -> Lead<'a> {
    let attributed = routed.into_attributed();
    let mut record = attributed.record.clone();
    record.kind = LeadKind::Text;
    record.status = CallStatus::Received;
    record.forwarded_to = None;
    record.ended_at = Some(now);
    record.add_message(text_message(
        message,
        attributed.config.keep_text_bodies,
        now,
    ));
    let lead = Lead { record, attributed };
    let handling = lead.handling(&lead.record, message, true, now);
    let mut record = lead.record;
    record.routing = Some(handling.routing);
    if let TextAction::Forward(to) = &handling.action {
        record.forwarded_to = Some(to.clone());
    }
    Lead { record, ..lead }
}

/// A message as a conversation's record keeps it.
pub fn text_message(message: &InboundMessage, keep_body: bool, now: Millis) -> TextMessage {
    TextMessage {
        id: message.message_id.clone(),
        at: now,
        body: keep_body.then(|| message.body.clone()),
        media: message.media,
    }
}

/// What a text does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handling {
    /// The action that applies.
    pub action: TextAction,
    /// Which rule decided (its `action` is the text action's name).
    pub routing: RoutingInfo,
    /// What to send, and to whom: the forward, or the automatic reply.
    pub send: Option<(E164, String)>,
}

impl<'a> Lead<'a> {
    /// The site.
    pub fn config(&self) -> &'a SiteConfig {
        self.attributed.config
    }

    /// The site's attribution window: how long a conversation takes new texts.
    pub fn window(&self) -> Millis {
        self.attributed.config.attribution.lookback
    }

    /// What `message` does in the conversation whose record (as the call log holds it) this is,
    /// at `now`; `first`: whether it began the conversation.
    pub fn handling(
        &self,
        conversation: &CallRecord,
        message: &InboundMessage,
        first: bool,
        now: Millis,
    ) -> Handling {
        handling(&self.attributed, conversation, message, first, now)
    }
}

/// What `message` does in the conversation whose record this is, at `now` (`first`: whether it
/// began it): the first matching rule's `texts`, keep under a `reject` rule, else the target's.
pub fn handling(
    lead: &Attributed<'_>,
    conversation: &CallRecord,
    message: &InboundMessage,
    first: bool,
    now: Millis,
) -> Handling {
    let rules = lead.config.rules_for(lead.route);
    let (rule, fallback) =
        match call_control::matching_rule(lead.config, lead.route, conversation, now) {
            Ok(rule) => (rule.and_then(|i| Some((i, rules.get(i)?))), None),
            Err(why) => (None, Some(why)),
        };
    let action = match rule {
        Some((_, r)) => match (&r.texts, &r.then) {
            (Some(t), _) => t.clone(),
            (None, Action::Reject) => TextAction::Keep,
            (None, _) => lead.target.texts.clone(),
        },
        None => lead.target.texts.clone(),
    };
    let routing = RoutingInfo {
        rule: rule.and_then(|(i, _)| u32::try_from(i).ok()),
        name: rule.map(|(_, r)| r.name.clone()).unwrap_or_default(),
        action: action.kind().to_owned(),
        fallback,
    };
    let send = match &action {
        TextAction::Forward(to) => Some((to.clone(), forwarded(conversation, message))),
        TextAction::Reply(text) if first => Some((message.from.clone(), text.clone())),
        TextAction::Reply(_) | TextAction::Keep => None,
    };
    Handling {
        action,
        routing,
        send,
    }
}

/// The forward of `message`: its source first ("From Paid Search/spring: "), then the text, and
/// how many media it carried (they stay at the provider); at most [`MAX_BODY`] characters.
pub fn forwarded(conversation: &CallRecord, message: &InboundMessage) -> String {
    let mut out = String::from("From ");
    out.push_str(conversation.channel.as_str());
    if !conversation.campaign.is_empty() {
        out.push('/');
        out.push_str(&conversation.campaign);
    } else if !conversation.source.is_empty() {
        out.push('/');
        out.push_str(&conversation.source);
    }
    out.push_str(": ");
    out.push_str(message.body.trim());
    if message.media > 0 {
        if !message.body.trim().is_empty() {
            out.push(' ');
        }
        out.push('[');
        out.push_str(&message.media.to_string());
        out.push_str(if message.media == 1 {
            " attachment]"
        } else {
            " attachments]"
        });
    }
    out.chars().take(MAX_BODY).collect()
}
