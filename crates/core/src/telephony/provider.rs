//! Which carrier owns a number and sends its webhooks ([`Provider`], stored with numbers and
//! calls), and what each one is to the worker ([`Carrier`]): the secret its webhooks are checked
//! with, its signature, the names its webhooks give their fields, where its recordings are.
//!
//! A third provider is a new module beside `twilio` and `telnyx` that implements [`Carrier`]
//! (the TwiML-style readers are its defaults), and one variant here: the compiler then lists the
//! few `match`es in this file that name it. Nothing outside `telephony` names a provider.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use super::markup::Dialect;

/// Which carrier owns a number and sends its webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// Twilio: TwiML, `X-Twilio-Signature` (HMAC-SHA1 with the auth token).
    #[default]
    Twilio,
    /// Telnyx: TeXML, `telnyx-signature-ed25519` (Ed25519 with the account's public key).
    Telnyx,
}

impl Provider {
    /// The name in URLs (`/v1/{provider}/voice`) and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Twilio => "twilio",
            Provider::Telnyx => "telnyx",
        }
    }

    /// The provider a URL segment names.
    pub fn from_name(name: &str) -> Option<Provider> {
        match name {
            "twilio" => Some(Provider::Twilio),
            "telnyx" => Some(Provider::Telnyx),
            _ => None,
        }
    }

    /// The markup it reads.
    pub fn dialect(self) -> Dialect {
        match self {
            Provider::Twilio => Dialect::TwiML,
            Provider::Telnyx => Dialect::TeXML,
        }
    }

    /// Whether the default value (for `skip_serializing_if`).
    pub fn is_default(&self) -> bool {
        *self == Provider::Twilio
    }

    /// Whether the provider's webhook signature covers the URL it was sent to, query included.
    /// When it does not, our callback URLs carry a seal of their own (`callback`).
    pub fn signs_url(self) -> bool {
        match self {
            Provider::Twilio => true,
            Provider::Telnyx => false,
        }
    }

    /// What the provider is to the worker: its webhooks' secret, signature and fields.
    #[cfg(feature = "provider")]
    pub fn carrier(self) -> &'static dyn Carrier {
        match self {
            Provider::Twilio => &super::twilio::Twilio,
            Provider::Telnyx => &super::telnyx::Telnyx,
        }
    }
}

#[cfg(feature = "provider")]
pub use carrier::*;

#[cfg(feature = "provider")]
mod carrier {
    use super::*;
    use crate::phone::E164;
    use crate::telephony::event::{
        AnsweredLeg, CallRef, DialCallback, IncomingCall, Recording, RecordingKind, StatusUpdate,
        Transcript, Utterance,
    };
    use crate::telephony::form::{FieldError, Form};
    use crate::telephony::markup;
    use crate::telephony::message::InboundMessage;
    use crate::telephony::signature::{Replay, Signed, WebhookError};
    use crate::telephony::twiml_form;

    /// A provider's webhooks and recordings, read into the provider-neutral model. The readers'
    /// defaults are the TwiML-style names ([`twiml_form`]); a provider overrides what it names
    /// otherwise.
    pub trait Carrier: Sync {
        /// The worker secret its webhooks are checked with.
        fn webhook_secret(&self) -> &'static str;

        /// The error when that secret is not set.
        fn webhooks_disabled(&self) -> &'static str;

        /// The request headers its signature check reads (lower case).
        fn signature_headers(&self) -> &'static [&'static str];

        /// Checks a webhook's signature at `now`: refused, or genuine with what a replay of it
        /// would carry (for a signature over a timestamp).
        fn verify(
            &self,
            secret: &str,
            req: &Signed<'_>,
            now: crate::Millis,
        ) -> Result<Option<Replay>, WebhookError>;

        /// Reads an incoming-call webhook.
        fn incoming(&self, form: &Form) -> Result<IncomingCall, FieldError> {
            twiml_form::incoming(form)
        }

        /// Reads the call a callback is about.
        fn call(&self, form: &Form) -> Result<CallRef, FieldError> {
            twiml_form::call(form)
        }

        /// The caller's call of a request made on a forwarded leg (a whisper, a screening, a
        /// line's status).
        fn parent_call<'f>(&self, form: &'f Form) -> Option<&'f str> {
            twiml_form::parent_call(form)
        }

        /// Reads a status callback.
        fn status(&self, form: &Form) -> Result<StatusUpdate, FieldError> {
            twiml_form::status(form)
        }

        /// Reads a `<Dial action>` callback.
        fn dial(&self, form: &Form) -> Result<DialCallback, FieldError> {
            twiml_form::dial(form)
        }

        /// Reads a recording status callback.
        fn recording(
            &self,
            form: &Form,
            kind: RecordingKind,
        ) -> Result<Option<Recording>, FieldError> {
            twiml_form::recording(form, kind)
        }

        /// Reads a voicemail transcription callback.
        fn transcript(&self, form: &Form) -> Result<Transcript, FieldError> {
            twiml_form::transcript(form)
        }

        /// Reads a real-time transcription callback of the conversation: one final utterance,
        /// or `None` for what is not one (started and stopped events, interim results, empty
        /// text).
        fn utterance(&self, form: &Form) -> Result<Option<Utterance>, FieldError>;

        /// Reads a forwarded leg's status callback: the parent call and the leg, if it picked up.
        fn answered_leg(
            &self,
            form: &Form,
            step: u32,
        ) -> Result<Option<(String, AnsweredLeg)>, FieldError> {
            twiml_form::answered_leg(form, step)
        }

        /// Whether the answering party accepted the call at the screening.
        fn screen_accepted(&self, form: &Form) -> bool {
            twiml_form::screen_accepted(form)
        }

        /// Reads a messaging webhook (its raw body, and the body as a form): the text, or `None`
        /// for an event that is not an incoming text (a delivery report).
        fn message(&self, _body: &str, form: &Form) -> Result<Option<InboundMessage>, FieldError> {
            twiml_form::message(form).map(Some)
        }

        /// How a text goes out in answer to a messaging webhook (a forward, or an automatic
        /// reply; `None`: nothing to send), with the worker's secrets (`secret(name)`, empty when
        /// unset). The default is the webhook's answer, TwiML's `<Message>`.
        fn send_text(
            &self,
            text: Option<&OutgoingText<'_>>,
            _secret: &dyn Fn(&str) -> String,
        ) -> TextAnswer {
            TextAnswer::Markup(markup::message(
                Dialect::TwiML,
                text.map(|t| (t.to, t.text)),
            ))
        }

        /// How to fetch a recording, with the worker's secrets (`secret(name)`, empty when
        /// unset).
        fn recording_source(
            &self,
            recording: &Recording,
            secret: &dyn Fn(&str) -> String,
        ) -> Result<RecordingSource, RecordingRefusal>;
    }

    /// Where a recording is fetched from (the worker streams the answer through).
    #[derive(Debug, Clone)]
    pub enum RecordingSource {
        /// Fetch this URL, with this `Authorization` if any.
        Direct {
            /// The recording's URL.
            url: String,
            /// The `Authorization` header's value.
            authorization: Option<String>,
        },
        /// Ask the provider's API for a fresh link (`GET`, with this `Authorization`), read it
        /// from the answer with `link`, and fetch it without credentials (a pre-signed link).
        Lookup {
            /// The API's URL for the recording.
            api_url: String,
            /// The `Authorization` header's value.
            authorization: String,
            /// Reads the download link from the API's answer.
            link: fn(&str) -> Option<String>,
        },
    }

    /// A text to send in answer to an incoming one.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct OutgoingText<'a> {
        /// The tracking number that was texted: the text goes out from it.
        pub from: &'a E164,
        /// Who gets it: the business's mobile (a forward) or the sender (an automatic reply).
        pub to: &'a E164,
        /// The text.
        pub text: &'a str,
    }

    /// How the worker answers a messaging webhook and sends a text.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum TextAnswer {
        /// Answer the webhook with this markup (the provider sends what it says).
        Markup(String),
        /// Answer the webhook with no content, and send this request to the provider's API.
        Api {
            /// The API's URL.
            url: String,
            /// The `Authorization` header's value.
            authorization: String,
            /// The JSON body.
            body: String,
        },
        /// Nothing can be sent: the credentials it needs are not set (the message names them).
        Disabled(&'static str),
    }

    /// Why a recording is not fetched.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum RecordingRefusal {
        /// The credentials it needs are not set (the message names them).
        Disabled(&'static str),
        /// The recording's URL is not on the provider's hosts: no credential goes there.
        HostNotAllowed,
        /// The recording's id is not one the provider writes.
        Unknown,
    }
}

#[cfg(all(test, feature = "provider"))]
mod tests {
    use super::*;
    use crate::telephony::event::{Speaker, Utterance};
    use crate::telephony::form::{FieldError, Form};

    fn form(pairs: &[(&str, &str)]) -> Form {
        Form(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn names_and_secrets() {
        // (provider, name, signs the URL, secret, headers)
        let table = [
            (
                Provider::Twilio,
                "twilio",
                true,
                "TWILIO_AUTH_TOKEN",
                &["x-twilio-signature"][..],
            ),
            (
                Provider::Telnyx,
                "telnyx",
                false,
                "TELNYX_PUBLIC_KEY",
                &["telnyx-signature-ed25519", "telnyx-timestamp"][..],
            ),
        ];
        for (p, name, signs_url, secret, headers) in table {
            let c = p.carrier();
            assert_eq!(
                (
                    p.as_str(),
                    p.signs_url(),
                    c.webhook_secret(),
                    c.signature_headers()
                ),
                (name, signs_url, secret, headers)
            );
            assert_eq!(Provider::from_name(name), Some(p));
            assert!(c.webhooks_disabled().contains(secret));
        }
        assert_eq!(Provider::from_name("Twilio"), None);
    }

    #[test]
    fn reads_utterances() {
        let twilio_form = |event: &str, fin: &str, data: &str, track: &str| {
            form(&[
                ("TranscriptionEvent", event),
                ("Final", fin),
                ("TranscriptionData", data),
                ("Track", track),
                ("SequenceId", "4"),
            ])
        };
        let said = |seq, speaker, text: &str| {
            Some(Utterance {
                seq,
                speaker,
                text: text.into(),
            })
        };
        // (provider, form, utterance or error)
        let table = [
            (
                Provider::Twilio,
                twilio_form(
                    "transcription-content",
                    "true",
                    r#"{"transcript":" Hello, I have a leak. ","confidence":0.93}"#,
                    "inbound_track",
                ),
                Ok(said(Some(4), Speaker::Caller, "Hello, I have a leak.")),
            ),
            (
                Provider::Twilio,
                twilio_form(
                    "transcription-content",
                    "true",
                    r#"{"transcript":"Plumbing, how can I help?"}"#,
                    "outbound_track",
                ),
                Ok(said(
                    Some(4),
                    Speaker::Business,
                    "Plumbing, how can I help?",
                )),
            ),
            (
                Provider::Twilio,
                twilio_form(
                    "transcription-content",
                    "false",
                    r#"{"transcript":"Hel"}"#,
                    "inbound_track",
                ),
                Ok(None),
            ),
            (
                Provider::Twilio,
                twilio_form("transcription-started", "", "", ""),
                Ok(None),
            ),
            (
                Provider::Twilio,
                twilio_form(
                    "transcription-content",
                    "true",
                    r#"{"transcript":"  "}"#,
                    "inbound_track",
                ),
                Ok(None),
            ),
            (
                Provider::Twilio,
                twilio_form("transcription-content", "true", "not json", "inbound_track"),
                Err(FieldError::Invalid("TranscriptionData")),
            ),
            (
                Provider::Telnyx,
                form(&[
                    ("CallSid", "v3:x"),
                    ("Transcript", "Hello there"),
                    ("IsFinal", "true"),
                ]),
                Ok(said(None, Speaker::Unknown, "Hello there")),
            ),
            (
                Provider::Telnyx,
                form(&[("CallSid", "v3:x"), ("Transcript", "Hello there")]),
                Ok(said(None, Speaker::Unknown, "Hello there")),
            ),
            (
                Provider::Telnyx,
                form(&[
                    ("CallSid", "v3:x"),
                    ("Transcript", "Hel"),
                    ("IsFinal", "false"),
                ]),
                Ok(None),
            ),
        ];
        for (provider, f, want) in table {
            assert_eq!(provider.carrier().utterance(&f), want, "{provider:?} {f:?}");
        }
    }
}
