//! The calls' answers and the import's body: `GET /v1/sites/{site}/calls` (a page of calls),
//! `GET .../calls/{call}` (one call with what was sent about it), `POST .../calls/import` (calls
//! made elsewhere, in the shape the detail shows).
//!
//! [`Call`] is the public shape of a call. It is converted from `dni_core::call::CallRecord` field
//! by field, one struct literal per direction, each naming every field of the struct it builds:
//! `From<&CallRecord>` builds a [`Call`] and [`Call::into_record`] a record, so a field added to
//! either fails to build until the other direction gives it its place (a field added to the record
//! does not reach the API until it is added here, in `www/v1/openapi.json` and in the golden
//! answers). Its enums are the API's own, matched exhaustively.

use dni_core::attribution as core_attribution;
use dni_core::call::{self as core_call, CallRecord};
use dni_core::classify::{self as core_classify, Channel};
use dni_core::phone::E164;
use dni_core::telephony as core_telephony;
use dni_core::Millis;
use serde::{Deserialize, Serialize};

use super::deliveries::Delivery;
use super::qualification::Qualification;

/// One call: who called which number, when, what happened, and where the caller came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)] // the fields are documented in www/v1/openapi.json (`Call`)
pub struct Call {
    pub call_sid: String,
    pub site: String,
    /// In full for the operator, masked for a report token.
    pub caller: String,
    pub tracking_number: String,
    /// E.164.
    pub forwarded_to: Option<String>,
    pub started_at: Millis,
    pub status: CallStatus,
    pub duration_s: Option<u32>,
    pub ended_at: Option<Millis>,
    pub number_kind: NumberKind,
    /// GA4's channel group name.
    pub channel: String,
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub term: String,
    pub content: String,
    pub gclid: Option<String>,
    pub click_id: Option<ClickId>,
    pub landing_page: String,
    pub session: Option<String>,
    pub confidence: f64,
    pub candidates: Vec<String>,
    pub attribution: Option<Attribution>,
    pub ga_client_id: Option<String>,
    pub ga_session_id: Option<String>,
    #[serde(default)]
    pub provider: Provider,
    #[serde(default)]
    pub routing: Option<Routing>,
    #[serde(default)]
    pub dial: Option<Dial>,
    #[serde(default)]
    pub recording: Option<Recording>,
    #[serde(default)]
    pub voicemail: Option<Recording>,
    #[serde(default)]
    pub transcript: Option<Transcript>,
    #[serde(default)]
    pub first_time: Option<bool>,
    #[serde(default)]
    pub answered_legs: Vec<AnsweredLeg>,
    #[serde(default)]
    pub conversation: Vec<Utterance>,
    /// The consent tier the page declared for the credited visit (`none`, `session`, `full`).
    #[serde(default)]
    pub consent: Option<Consent>,
    /// The visit's `_fbp` cookie (Meta's browser id).
    #[serde(default)]
    pub fbp: Option<String>,
    /// The operator's or the site's rules' qualification of the lead.
    #[serde(default)]
    pub qualification: Option<Qualification>,
    /// Talk time as the core reads it (the dial result's, the business's side); none for a
    /// call that was not answered. Derived from the record, ignored in an import.
    #[serde(default)]
    pub talk_s: Option<u32>,
    #[serde(default)]
    pub kind: LeadKind,
    #[serde(default)]
    pub messages: Vec<TextMessage>,
    #[serde(default)]
    pub last_message_at: Option<Millis>,
    /// Present (true) only on a test call.
    #[serde(default, skip_serializing_if = "is_false")]
    pub test: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The consent tier a page declared: `none` (nothing stored, no identifiers sent), `session`
/// (session storage only, no analytics ids), `full` (local storage and analytics ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Consent {
    None,
    Session,
    Full,
}

/// A call or a text conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum LeadKind {
    #[default]
    Call,
    Text,
}

/// One text of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)] // documented in www/v1/openapi.json (`TextMessage`)
pub struct TextMessage {
    pub id: String,
    pub at: Millis,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub media: u32,
}

/// Where a call is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum CallStatus {
    Ringing,
    InProgress,
    Answered,
    Missed,
    Received,
}

/// How the dialed number was known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum NumberKind {
    Pool,
    Static,
    Unknown,
}

/// The carrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Provider {
    #[default]
    Twilio,
    Telnyx,
}

/// A click id: the parameter's name and its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct ClickId {
    pub kind: String,
    pub value: String,
}

/// The attribution model, the credited touch and both touches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct Attribution {
    pub model: Model,
    pub credited: Touch,
    pub first: Option<Touch>,
    pub last: Option<Touch>,
}

/// The attribution model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Model {
    LastNonDirect,
    FirstTouch,
}

/// One touch: its classification, landing page and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct Touch {
    /// GA4's channel group name.
    pub channel: String,
    pub source: String,
    pub medium: String,
    pub campaign: String,
    pub term: String,
    pub content: String,
    pub campaign_id: String,
    pub click_id: Option<ClickId>,
    pub category: Option<Category>,
    pub self_referral: bool,
    pub landing: String,
    pub at: Millis,
}

/// What kind of site a known source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Category {
    Search,
    Social,
    Video,
    Shopping,
    Webmail,
    Ai,
}

/// Which routing rule decided the call, and what it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct Routing {
    #[serde(default)]
    pub rule: Option<u32>,
    #[serde(default)]
    pub name: String,
    pub action: String,
    #[serde(default)]
    pub fallback: Option<String>,
}

/// How a forwarding step ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct Dial {
    pub status: DialStatus,
    #[serde(default)]
    pub duration_s: u32,
    #[serde(default)]
    pub leg: Option<String>,
    /// E.164.
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub step: u32,
}

/// What happened on the business's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum DialStatus {
    Completed,
    Answered,
    Busy,
    NoAnswer,
    Failed,
    Canceled,
}

/// A recording kept at the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct Recording {
    pub id: String,
    pub url: String,
    #[serde(default)]
    pub duration_s: u32,
    #[serde(default)]
    pub channels: u32,
    #[serde(default)]
    pub kind: RecordingKind,
}

/// What a recording is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum RecordingKind {
    #[default]
    Call,
    Voicemail,
}

/// The provider's transcript of the voicemail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct Transcript {
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub text: String,
}

/// A forwarded leg that picked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct AnsweredLeg {
    pub leg: String,
    /// E.164.
    pub number: String,
    #[serde(default)]
    pub step: u32,
}

/// One utterance of the conversation's transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct Utterance {
    #[serde(default)]
    pub seq: Option<u32>,
    #[serde(default)]
    pub speaker: Speaker,
    pub text: String,
}

/// Who is speaking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Speaker {
    Caller,
    Business,
    #[default]
    Unknown,
}

/// `GET /v1/sites/{site}/calls`: one page of calls, newest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallsPage {
    /// The site.
    pub site: String,
    /// The site's time zone, which `from` and `to` are dates in.
    pub time_zone: String,
    /// The first day of the range.
    pub from: String,
    /// The last day of the range.
    pub to: String,
    /// The page's calls.
    pub calls: Vec<Call>,
    /// The next page's `cursor`, or null on the last page.
    pub next_cursor: Option<String>,
}

/// `GET /v1/sites/{site}/leads`: the same page with calls and texts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadsPage {
    /// The site.
    pub site: String,
    /// The site's time zone, which `from` and `to` are dates in.
    pub time_zone: String,
    /// The first day of the range.
    pub from: String,
    /// The last day of the range.
    pub to: String,
    /// The page's leads, calls and texts.
    pub leads: Vec<Call>,
    /// The next page's `cursor`, or null on the last page.
    pub next_cursor: Option<String>,
}

/// `GET /v1/sites/{site}/calls/{call}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallDetail {
    /// The site.
    pub site: String,
    /// The site's time zone.
    pub time_zone: String,
    /// The call, with its deliveries.
    pub call: CallWithDeliveries,
}

/// A call and what was sent about it (the outbox keeps that beside the record).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallWithDeliveries {
    /// The call.
    #[serde(flatten)]
    pub call: Call,
    /// Its deliveries.
    pub deliveries: Vec<Delivery>,
}

/// The answer to `POST /v1/sites/{site}/calls/import`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Imported {
    /// Records added (ids already in the log are not counted).
    pub imported: u32,
}

impl From<&CallRecord> for Call {
    fn from(r: &CallRecord) -> Self {
        Call {
            call_sid: r.call_sid.clone(),
            site: r.site.clone(),
            caller: r.caller.clone(),
            tracking_number: r.tracking_number.clone(),
            forwarded_to: r.forwarded_to.as_ref().map(|n| n.as_str().to_owned()),
            started_at: r.started_at,
            status: r.status.into(),
            duration_s: r.duration_s,
            ended_at: r.ended_at,
            number_kind: r.number_kind.into(),
            channel: r.channel.as_str().to_owned(),
            source: r.source.clone(),
            medium: r.medium.clone(),
            campaign: r.campaign.clone(),
            term: r.term.clone(),
            content: r.content.clone(),
            gclid: r.gclid.clone(),
            click_id: r.click_id.as_ref().map(ClickId::from),
            landing_page: r.landing_page.clone(),
            session: r.session.clone(),
            confidence: r.confidence,
            candidates: r.candidates.clone(),
            attribution: r.attribution.as_ref().map(Attribution::from),
            ga_client_id: r.ga_client_id.clone(),
            ga_session_id: r.ga_session_id.clone(),
            provider: r.provider.into(),
            routing: r.routing.as_ref().map(Routing::from),
            dial: r.dial.as_ref().map(Dial::from),
            recording: r.recording.as_ref().map(Recording::from),
            voicemail: r.voicemail.as_ref().map(Recording::from),
            transcript: r.transcript.as_ref().map(Transcript::from),
            first_time: r.first_time,
            answered_legs: r.answered_legs.iter().map(AnsweredLeg::from).collect(),
            conversation: r.conversation.iter().map(Utterance::from).collect(),
            consent: r.consent.map(Into::into),
            fbp: r.fbp.clone(),
            qualification: r.qualification.as_ref().map(Qualification::from),
            talk_s: match r.outcome() {
                core_call::Outcome::Answered { talk_s } => Some(talk_s),
                _ => None,
            },
            kind: r.kind.into(),
            messages: r.messages.iter().map(TextMessage::from).collect(),
            last_message_at: r.last_message_at,
            test: r.test,
        }
    }
}

/// Why an imported call cannot be a record: `record <id>: <field> <what> <value>`.
fn refused(call_sid: &str, field: &str, what: &str, value: &str) -> String {
    let call_sid: String = call_sid.chars().take(64).collect();
    let value: String = value.chars().take(64).collect();
    ["record ", &call_sid, ": ", field, " ", what, " ", &value].concat()
}

fn number(call_sid: &str, field: &str, value: &str) -> Result<E164, String> {
    E164::parse(value).map_err(|_| refused(call_sid, field, "is not an E.164 number:", value))
}

fn channel(call_sid: &str, field: &str, name: &str) -> Result<Channel, String> {
    Channel::parse(name)
        .ok_or_else(|| refused(call_sid, field, "is not a GA4 channel group:", name))
}

impl Call {
    /// The record an imported call becomes; why not, naming the record, when a number is not
    /// E.164 or a channel is not one of GA4's.
    pub fn into_record(self) -> Result<CallRecord, String> {
        let sid = self.call_sid.as_str();
        Ok(CallRecord {
            forwarded_to: self
                .forwarded_to
                .map(|n| number(sid, "forwarded_to", &n))
                .transpose()?,
            started_at: self.started_at,
            status: self.status.into(),
            duration_s: self.duration_s,
            ended_at: self.ended_at,
            number_kind: self.number_kind.into(),
            channel: channel(sid, "channel", &self.channel)?,
            source: self.source,
            medium: self.medium,
            campaign: self.campaign,
            term: self.term,
            content: self.content,
            gclid: self.gclid,
            click_id: self.click_id.map(Into::into),
            landing_page: self.landing_page,
            session: self.session,
            confidence: self.confidence,
            candidates: self.candidates,
            attribution: self.attribution.map(|a| a.into_domain(sid)).transpose()?,
            ga_client_id: self.ga_client_id,
            ga_session_id: self.ga_session_id,
            provider: self.provider.into(),
            routing: self.routing.map(Into::into),
            dial: self.dial.map(|d| d.into_domain(sid)).transpose()?,
            recording: self.recording.map(Into::into),
            voicemail: self.voicemail.map(Into::into),
            transcript: self.transcript.map(Into::into),
            first_time: self.first_time,
            answered_legs: self
                .answered_legs
                .into_iter()
                .map(|l| l.into_domain(sid))
                .collect::<Result<_, _>>()?,
            conversation: self.conversation.into_iter().map(Into::into).collect(),
            consent: self.consent.map(Into::into),
            fbp: self.fbp,
            qualification: self.qualification.map(Into::into),
            kind: self.kind.into(),
            messages: self.messages.into_iter().map(Into::into).collect(),
            last_message_at: self.last_message_at,
            test: self.test,
            call_sid: self.call_sid,
            site: self.site,
            caller: self.caller,
            tracking_number: self.tracking_number,
        })
    }
}

impl From<core_telephony::CallStatus> for CallStatus {
    fn from(s: core_telephony::CallStatus) -> Self {
        use core_telephony::CallStatus as C;
        match s {
            C::Ringing => CallStatus::Ringing,
            C::InProgress => CallStatus::InProgress,
            C::Answered => CallStatus::Answered,
            C::Missed => CallStatus::Missed,
            C::Received => CallStatus::Received,
        }
    }
}

impl From<CallStatus> for core_telephony::CallStatus {
    fn from(s: CallStatus) -> Self {
        use core_telephony::CallStatus as C;
        match s {
            CallStatus::Ringing => C::Ringing,
            CallStatus::InProgress => C::InProgress,
            CallStatus::Answered => C::Answered,
            CallStatus::Missed => C::Missed,
            CallStatus::Received => C::Received,
        }
    }
}

impl From<dni_core::consent::Tier> for Consent {
    fn from(t: dni_core::consent::Tier) -> Self {
        use dni_core::consent::Tier;
        match t {
            Tier::None => Consent::None,
            Tier::Session => Consent::Session,
            Tier::Full => Consent::Full,
        }
    }
}

impl From<Consent> for dni_core::consent::Tier {
    fn from(c: Consent) -> Self {
        use dni_core::consent::Tier;
        match c {
            Consent::None => Tier::None,
            Consent::Session => Tier::Session,
            Consent::Full => Tier::Full,
        }
    }
}

impl From<core_call::LeadKind> for LeadKind {
    fn from(k: core_call::LeadKind) -> Self {
        match k {
            core_call::LeadKind::Call => LeadKind::Call,
            core_call::LeadKind::Text => LeadKind::Text,
        }
    }
}

impl From<LeadKind> for core_call::LeadKind {
    fn from(k: LeadKind) -> Self {
        match k {
            LeadKind::Call => core_call::LeadKind::Call,
            LeadKind::Text => core_call::LeadKind::Text,
        }
    }
}

impl From<&core_call::TextMessage> for TextMessage {
    fn from(m: &core_call::TextMessage) -> Self {
        let core_call::TextMessage {
            id,
            at,
            body,
            media,
        } = m;
        TextMessage {
            id: id.clone(),
            at: *at,
            body: body.clone(),
            media: *media,
        }
    }
}

impl From<TextMessage> for core_call::TextMessage {
    fn from(m: TextMessage) -> Self {
        let TextMessage {
            id,
            at,
            body,
            media,
        } = m;
        core_call::TextMessage {
            id,
            at,
            body,
            media,
        }
    }
}

impl From<core_call::NumberKind> for NumberKind {
    fn from(k: core_call::NumberKind) -> Self {
        use core_call::NumberKind as K;
        match k {
            K::Pool => NumberKind::Pool,
            K::Static => NumberKind::Static,
            K::Unknown => NumberKind::Unknown,
        }
    }
}

impl From<NumberKind> for core_call::NumberKind {
    fn from(k: NumberKind) -> Self {
        use core_call::NumberKind as K;
        match k {
            NumberKind::Pool => K::Pool,
            NumberKind::Static => K::Static,
            NumberKind::Unknown => K::Unknown,
        }
    }
}

impl From<core_telephony::Provider> for Provider {
    fn from(p: core_telephony::Provider) -> Self {
        match p {
            core_telephony::Provider::Twilio => Provider::Twilio,
            core_telephony::Provider::Telnyx => Provider::Telnyx,
        }
    }
}

impl From<Provider> for core_telephony::Provider {
    fn from(p: Provider) -> Self {
        match p {
            Provider::Twilio => core_telephony::Provider::Twilio,
            Provider::Telnyx => core_telephony::Provider::Telnyx,
        }
    }
}

impl From<&core_classify::ClickId> for ClickId {
    fn from(c: &core_classify::ClickId) -> Self {
        ClickId {
            kind: c.kind.clone(),
            value: c.value.clone(),
        }
    }
}

impl From<ClickId> for core_classify::ClickId {
    fn from(c: ClickId) -> Self {
        core_classify::ClickId {
            kind: c.kind,
            value: c.value,
        }
    }
}

impl From<&core_attribution::Attribution> for Attribution {
    fn from(a: &core_attribution::Attribution) -> Self {
        let core_attribution::Attribution {
            model,
            credited,
            first,
            last,
        } = a;
        Attribution {
            model: match model {
                core_attribution::Model::LastNonDirect => Model::LastNonDirect,
                core_attribution::Model::FirstTouch => Model::FirstTouch,
            },
            credited: credited.into(),
            first: first.as_ref().map(Touch::from),
            last: last.as_ref().map(Touch::from),
        }
    }
}

impl Attribution {
    fn into_domain(self, call_sid: &str) -> Result<core_attribution::Attribution, String> {
        Ok(core_attribution::Attribution {
            model: match self.model {
                Model::LastNonDirect => core_attribution::Model::LastNonDirect,
                Model::FirstTouch => core_attribution::Model::FirstTouch,
            },
            credited: self.credited.into_domain(call_sid)?,
            first: self.first.map(|t| t.into_domain(call_sid)).transpose()?,
            last: self.last.map(|t| t.into_domain(call_sid)).transpose()?,
        })
    }
}

impl From<&core_attribution::Classified> for Touch {
    fn from(c: &core_attribution::Classified) -> Self {
        let core_attribution::Classified { touch, landing, at } = c;
        let core_classify::Touch {
            channel,
            source,
            medium,
            campaign,
            term,
            content,
            campaign_id,
            click_id,
            category,
            self_referral,
        } = touch;
        Touch {
            channel: channel.as_str().to_owned(),
            source: source.clone(),
            medium: medium.clone(),
            campaign: campaign.clone(),
            term: term.clone(),
            content: content.clone(),
            campaign_id: campaign_id.clone(),
            click_id: click_id.as_ref().map(ClickId::from),
            category: category.map(Category::from),
            self_referral: *self_referral,
            landing: landing.clone(),
            at: *at,
        }
    }
}

impl Touch {
    fn into_domain(self, call_sid: &str) -> Result<core_attribution::Classified, String> {
        Ok(core_attribution::Classified {
            touch: core_classify::Touch {
                channel: channel(call_sid, "attribution's channel", &self.channel)?,
                source: self.source,
                medium: self.medium,
                campaign: self.campaign,
                term: self.term,
                content: self.content,
                campaign_id: self.campaign_id,
                click_id: self.click_id.map(Into::into),
                category: self.category.map(Into::into),
                self_referral: self.self_referral,
            },
            landing: self.landing,
            at: self.at,
        })
    }
}

impl From<core_classify::Category> for Category {
    fn from(c: core_classify::Category) -> Self {
        use core_classify::Category as C;
        match c {
            C::Search => Category::Search,
            C::Social => Category::Social,
            C::Video => Category::Video,
            C::Shopping => Category::Shopping,
            C::Webmail => Category::Webmail,
            C::Ai => Category::Ai,
        }
    }
}

impl From<Category> for core_classify::Category {
    fn from(c: Category) -> Self {
        use core_classify::Category as C;
        match c {
            Category::Search => C::Search,
            Category::Social => C::Social,
            Category::Video => C::Video,
            Category::Shopping => C::Shopping,
            Category::Webmail => C::Webmail,
            Category::Ai => C::Ai,
        }
    }
}

impl From<&core_call::RoutingInfo> for Routing {
    fn from(r: &core_call::RoutingInfo) -> Self {
        Routing {
            rule: r.rule,
            name: r.name.clone(),
            action: r.action.clone(),
            fallback: r.fallback.clone(),
        }
    }
}

impl From<Routing> for core_call::RoutingInfo {
    fn from(r: Routing) -> Self {
        core_call::RoutingInfo {
            rule: r.rule,
            name: r.name,
            action: r.action,
            fallback: r.fallback,
        }
    }
}

impl From<&core_telephony::DialResult> for Dial {
    fn from(d: &core_telephony::DialResult) -> Self {
        use core_telephony::DialCallStatus as S;
        Dial {
            status: match d.status {
                S::Completed => DialStatus::Completed,
                S::Answered => DialStatus::Answered,
                S::Busy => DialStatus::Busy,
                S::NoAnswer => DialStatus::NoAnswer,
                S::Failed => DialStatus::Failed,
                S::Canceled => DialStatus::Canceled,
            },
            duration_s: d.duration_s,
            leg: d.leg.clone(),
            number: d.number.as_ref().map(|n| n.as_str().to_owned()),
            step: d.step,
        }
    }
}

impl Dial {
    fn into_domain(self, call_sid: &str) -> Result<core_telephony::DialResult, String> {
        use core_telephony::DialCallStatus as S;
        Ok(core_telephony::DialResult {
            status: match self.status {
                DialStatus::Completed => S::Completed,
                DialStatus::Answered => S::Answered,
                DialStatus::Busy => S::Busy,
                DialStatus::NoAnswer => S::NoAnswer,
                DialStatus::Failed => S::Failed,
                DialStatus::Canceled => S::Canceled,
            },
            duration_s: self.duration_s,
            leg: self.leg,
            number: self
                .number
                .map(|n| number(call_sid, "dial.number", &n))
                .transpose()?,
            step: self.step,
        })
    }
}

impl From<&core_telephony::Recording> for Recording {
    fn from(r: &core_telephony::Recording) -> Self {
        Recording {
            id: r.id.clone(),
            url: r.url.clone(),
            duration_s: r.duration_s,
            channels: r.channels,
            kind: match r.kind {
                core_telephony::RecordingKind::Call => RecordingKind::Call,
                core_telephony::RecordingKind::Voicemail => RecordingKind::Voicemail,
            },
        }
    }
}

impl From<Recording> for core_telephony::Recording {
    fn from(r: Recording) -> Self {
        core_telephony::Recording {
            id: r.id,
            url: r.url,
            duration_s: r.duration_s,
            channels: r.channels,
            kind: match r.kind {
                RecordingKind::Call => core_telephony::RecordingKind::Call,
                RecordingKind::Voicemail => core_telephony::RecordingKind::Voicemail,
            },
        }
    }
}

impl From<&core_telephony::Transcript> for Transcript {
    fn from(t: &core_telephony::Transcript) -> Self {
        Transcript {
            id: t.id.clone(),
            status: t.status.clone(),
            text: t.text.clone(),
        }
    }
}

impl From<Transcript> for core_telephony::Transcript {
    fn from(t: Transcript) -> Self {
        core_telephony::Transcript {
            id: t.id,
            status: t.status,
            text: t.text,
        }
    }
}

impl From<&core_telephony::AnsweredLeg> for AnsweredLeg {
    fn from(l: &core_telephony::AnsweredLeg) -> Self {
        AnsweredLeg {
            leg: l.leg.clone(),
            number: l.number.as_str().to_owned(),
            step: l.step,
        }
    }
}

impl AnsweredLeg {
    fn into_domain(self, call_sid: &str) -> Result<core_telephony::AnsweredLeg, String> {
        Ok(core_telephony::AnsweredLeg {
            number: number(call_sid, "answered_legs' number", &self.number)?,
            leg: self.leg,
            step: self.step,
        })
    }
}

impl From<&core_telephony::Utterance> for Utterance {
    fn from(u: &core_telephony::Utterance) -> Self {
        use core_telephony::Speaker as S;
        Utterance {
            seq: u.seq,
            speaker: match u.speaker {
                S::Caller => Speaker::Caller,
                S::Business => Speaker::Business,
                S::Unknown => Speaker::Unknown,
            },
            text: u.text.clone(),
        }
    }
}

impl From<Utterance> for core_telephony::Utterance {
    fn from(u: Utterance) -> Self {
        use core_telephony::Speaker as S;
        core_telephony::Utterance {
            seq: u.seq,
            speaker: match u.speaker {
                Speaker::Caller => S::Caller,
                Speaker::Business => S::Business,
                Speaker::Unknown => S::Unknown,
            },
            text: u.text,
        }
    }
}
