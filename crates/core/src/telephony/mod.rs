//! Telephony, provider-neutral. Each provider's webhooks, verified and read into one model:
//! - `provider`: which carrier ([`Provider`], stored with numbers and calls) and what each is to
//!   the worker ([`Carrier`]: its secret, signature, field names, recordings);
//! - `twilio`, `telnyx`: one module per provider, its signature and what it names its own way;
//! - `twiml_form`: the field names of TwiML-style webhooks, which both providers send;
//! - `form`: the form reader and the limits on what is kept;
//! - `event`: the model (an incoming call, the caller's call's status, a dial result, an answered
//!   line, a recording, a transcript, an utterance);
//! - `message`: a text to one of our numbers ([`InboundMessage`]), read from Twilio's Messaging
//!   form or Telnyx's `message.received` event;
//! - `signature`: a webhook as it arrived, for its signature check, and the verdict;
//! - `callback`: our callback URLs, what their query carries, and the seal that makes it ours;
//! - `markup`: the call-control markup each provider reads (TwiML; Telnyx's TeXML follows it);
//! - `routing`: the site's routing rules; `whisper`: the sentence the answering team hears.
//!
//! What a call does with these (which rule, which step, what the markup says) is call control's
//! (`crate::call_control`).

#[allow(unused_imports)]
use crate::prelude::*;

#[cfg(feature = "provider")]
pub mod callback;
pub mod event;
pub mod form;
pub mod markup;
pub mod message;
pub mod provider;
pub mod routing;
pub mod signature;
#[cfg(feature = "provider")]
pub mod telnyx;
#[cfg(feature = "provider")]
pub mod twilio;
pub mod twiml_form;
#[cfg(feature = "provider")]
pub mod whisper;

pub use event::{
    AnsweredLeg, CallRef, CallStatus, DialCallStatus, DialCallback, DialResult, IncomingCall,
    Recording, RecordingKind, Speaker, StatusUpdate, Transcript, Utterance,
};
pub use form::{FieldError, Form};
pub use message::InboundMessage;
pub use provider::Provider;
#[cfg(feature = "provider")]
pub use provider::{Carrier, OutgoingText, RecordingRefusal, RecordingSource, TextAnswer};
pub use signature::{Headers, Replay, Signed, WebhookError};
