//! Messages between the worker and its Durable Objects. Both ends are this crate, so the messages
//! are plain serde types; the objects still validate what they need, because a stored state must
//! never be corrupted by a malformed message.

use dni_core::api::GaCookies;
use dni_core::attribution::Attribution;
use dni_core::call::{CallRecord, CallUpdate};
use dni_core::lease::{self, Granted, Outcome};
use dni_core::phone::E164;
use dni_core::report::Sql;
use dni_core::telephony::CallStatus;
use dni_core::Millis;
use serde::{Deserialize, Serialize};

/// What a pool is, as the configuration says now. Sent with every request, so that the object
/// follows configuration changes without reading KV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolSpec {
    /// Its numbers.
    pub numbers: Vec<E164>,
    /// Its settings.
    pub settings: lease::Settings,
    /// The site's retention in days: the object deletes visits this old (`retention`).
    #[serde(default = "default_retention_days")]
    pub retention_days: u32,
}

fn default_retention_days() -> u32 {
    dni_core::retention::DEFAULT_DAYS
}

/// What the pool remembers about a session's visit, to attribute its calls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    /// The attribution computed when the session last asked for a number.
    pub attribution: Attribution,
    /// The page that asked.
    pub page: String,
    /// GA ids, when the visitor allowed analytics storage.
    #[serde(default)]
    pub ga: Option<GaCookies>,
    /// The consent tier the page declared.
    #[serde(default)]
    pub consent: Option<dni_core::consent::Tier>,
    /// Meta's `_fbp` cookie (full tier only).
    #[serde(default)]
    pub fbp: Option<String>,
}

/// A request to a pool object.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PoolOp {
    /// Lease (or renew) a number for a session's target.
    Lease {
        /// The pool now.
        pool: PoolSpec,
        /// The visitor session.
        session: String,
        /// The swap target.
        target: E164,
        /// The id a new lease gets.
        lease_id: String,
        /// The visit to remember for the session.
        visit: Box<Visit>,
        /// Only a free number (or the session's own): when there is none, answer `None` and
        /// change nothing, so that the worker can ask the pool's next shard before any shard
        /// applies its exhaustion policy.
        #[serde(default)]
        free_only: bool,
        /// The request's client and signals, for the pool-drain limits (`None`: not limited).
        #[serde(default)]
        guard: Option<crate::drain_guard::Guard>,
    },
    /// Extend a lease.
    Heartbeat {
        /// The pool now.
        pool: PoolSpec,
        /// The lease id.
        lease: String,
    },
    /// End a lease.
    Release {
        /// The pool now.
        pool: PoolSpec,
        /// The lease id.
        lease: String,
    },
    /// Whose call is this.
    Attribute {
        /// The pool now.
        pool: PoolSpec,
        /// The dialed number.
        number: E164,
        /// When the call came in.
        at: Millis,
    },
    /// Counters and usage, for the operator.
    Stats {
        /// The pool now.
        pool: PoolSpec,
    },
    /// The stored samples of `[from, to)`, and the one before `from` (see
    /// `dni_core::report::pool_history::series`), in time order.
    History {
        /// The pool now.
        pool: PoolSpec,
        /// From when.
        from: Millis,
        /// Until when.
        to: Millis,
    },
    /// Adds samples (the demo's history, a pool moved from elsewhere); existing quarter hours
    /// keep what they have.
    ImportHistory {
        /// The pool now.
        pool: PoolSpec,
        /// The samples.
        samples: Vec<dni_core::report::pool_history::Sample>,
    },
}

/// The answer to [`PoolOp::Lease`]: `Ok(None)` only when it asked for a free number and there was
/// none; `Err` when the pool-drain limits refused a new lease (then no other shard is asked).
pub type LeaseReply = Result<Option<Outcome>, dni_core::drain::Refusal>;

/// The answer to [`PoolOp::Heartbeat`]: the lease, or `None` when it is gone.
pub type HeartbeatReply = Option<Granted>;

/// The answer to [`PoolOp::Release`]: whether there was a lease to end.
pub type ReleaseReply = bool;

/// The answer to [`PoolOp::Attribute`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeReply {
    /// Who held the number.
    pub attribution: lease::Attribution,
    /// The most likely session's visit, if it is still known.
    pub visit: Option<Visit>,
}

/// The answer to [`PoolOp::Stats`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatsReply {
    /// The pool's counters.
    pub counters: lease::Counters,
    /// Numbers in the pool.
    pub size: usize,
    /// Numbers leased now.
    pub leased: usize,
    /// Numbers cooling down now.
    pub cooling: usize,
    /// The next alarm.
    pub next_deadline: Option<Millis>,
    /// Lease requests refused a new number by the pool-drain limits, in all.
    #[serde(default)]
    pub limited: u64,
    /// The same, by reason.
    #[serde(default)]
    pub refused: dni_core::drain::Refusals,
    /// The numbers a lease, a cool-down or an attribution window still needs, each with the
    /// earliest time it may be free (`dni numbers release` waits for it).
    #[serde(default)]
    pub needed: Vec<Needed>,
}

/// A number still needed, and until when at the earliest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Needed {
    /// The tracking number.
    pub number: dni_core::phone::E164,
    /// Not free before this time (ms since the epoch).
    pub until: Millis,
}

/// A request to a site's call log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum CallOp {
    /// Write the record the incoming-call webhook built (once per call id).
    Record {
        /// The record.
        record: Box<CallRecord>,
        /// The site's retention in days, which the call log keeps for its alarm (`retention`).
        #[serde(default)]
        retention_days: Option<u32>,
        /// The site's integration settings: a `call.started` webhook is queued in the same write.
        #[serde(default)]
        integrations: Option<Box<dni_core::integrations::settings::Integrations>>,
        /// The site's IANA time zone, kept with the settings the outbox sends with.
        #[serde(default)]
        time_zone: Option<String>,
    },
    /// A text: a new conversation's record with its one message. The call log adds the message
    /// to the sender's open conversation to the same number (begun within `window`), or keeps the
    /// record as a new one; a message it already holds changes nothing. A new conversation queues
    /// its `text.received` messages in the same write.
    Text {
        /// The lead as `dni_core::messaging::lead` made it.
        record: Box<CallRecord>,
        /// The site's attribution window.
        window: Millis,
        /// The site's retention in days.
        #[serde(default)]
        retention_days: Option<u32>,
        /// The site's integration settings.
        #[serde(default)]
        integrations: Option<Box<dni_core::integrations::settings::Integrations>>,
        /// The site's IANA time zone.
        #[serde(default)]
        time_zone: Option<String>,
    },
    /// Apply a status callback.
    Status {
        /// The provider's call id.
        call_sid: String,
        /// The site, in case the webhook's record is not there yet.
        site: String,
        /// The caller, in case the webhook's record is not there yet.
        caller: String,
        /// The dialed number, likewise.
        tracking_number: String,
        /// The new status.
        status: CallStatus,
        /// The duration, when final.
        duration_s: Option<u32>,
        /// The site's integration settings: a call that this callback ends queues its messages.
        #[serde(default)]
        integrations: Option<Box<dni_core::integrations::settings::Integrations>>,
        /// The site's IANA time zone (Google Ads' local times).
        #[serde(default)]
        time_zone: Option<String>,
    },
    /// An operator's qualification of a call (replaces the rules' or an earlier one).
    Qualify {
        /// The provider's call id.
        call_sid: String,
        /// The qualification.
        qualification: dni_core::qualification::Qualification,
    },
    /// A call's deliveries (outbox messages).
    Deliveries {
        /// The provider's call id.
        call_sid: String,
    },
    /// Queue one delivery again, due now (the operator's replay).
    RetryDelivery {
        /// The delivery id.
        id: String,
    },
    /// A page of the calls list: the query the core wrote (`report::query::list_sql`).
    List {
        /// The statement and its parameters.
        sql: Sql,
    },
    /// Delete every call from this caller (an erasure request).
    EraseCaller {
        /// The caller's number (E.164).
        caller: E164,
    },
    /// Apply a dial result, recording or transcript (once, in any order). Answered with the
    /// record as it is then ([`Applied`]): a dial result's next step is rendered from it.
    Apply {
        /// The provider's call id.
        call_sid: String,
        /// The site, in case the webhook's record is not there yet.
        site: String,
        /// The caller, likewise (may be empty when the callback does not say).
        caller: String,
        /// The dialed number, likewise.
        tracking_number: String,
        /// What to apply.
        update: CallUpdate,
    },
    /// The latest calls, newest first (the conversion feed).
    Recent {
        /// How many (at most [`crate::calls_object::MAX_RECENT`]).
        limit: u32,
    },
    /// A grouped report: the query the core wrote (`report::query::report_sql`).
    Report {
        /// The statement and its parameters.
        sql: Sql,
    },
    /// One call's record.
    Get {
        /// The provider's call id.
        call_sid: String,
    },
    /// One call's stored row, as text (the report's call detail reads it through the row types).
    GetRow {
        /// The provider's call id.
        call_sid: String,
    },
    /// Whether a webhook's signature is seen for the first time (a provider whose signature
    /// covers a timestamp: a signature seen before its window closes is a replay).
    SeenSignature {
        /// What identifies the webhook (its signature).
        key: String,
        /// When its window closes.
        expires_at: Millis,
    },
    /// Adds calls recorded elsewhere (history from another tool, the demo's); a call id already
    /// there is left as it is.
    Import {
        /// The records.
        records: Vec<CallRecord>,
        /// The site's retention in days (records older than that are deleted by the next alarm).
        #[serde(default)]
        retention_days: Option<u32>,
    },
    /// Stores a new report token (its hash only).
    TokenCreate {
        /// The token's row.
        token: TokenRow,
    },
    /// The site's report tokens.
    TokenList,
    /// One report token's row, to check a secret against.
    TokenGet {
        /// The token's id.
        id: String,
    },
    /// Revokes a report token.
    TokenRevoke {
        /// The token's id.
        id: String,
    },
}

/// The answer to [`CallOp::EraseCaller`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EraseReply {
    /// How many call records were deleted.
    pub erased: u32,
}

/// The answer to [`CallOp::SeenSignature`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenSignatureReply {
    /// False when the same signature was seen before: a replay.
    pub first: bool,
}

/// A row of [`CallOp::List`]'s answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListRow {
    /// The provider's call id.
    pub call_sid: String,
    /// When the call reached us.
    pub started_at: i64,
    /// The stored record (JSON text).
    pub record: String,
}

/// A report token as the call log stores it: never the token, only its secret's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    /// The token's id (the part before the secret).
    pub id: String,
    /// The site it opens.
    pub site: String,
    /// What the operator called it ("Agency X").
    pub name: String,
    /// SHA-256 of the secret, hex.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hash: String,
    /// When it was created.
    pub created_at: i64,
    /// Its scopes besides reading, space-separated (`qualify`); empty: read-only.
    #[serde(default)]
    pub scopes: String,
}

/// The answer to [`CallOp::Import`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReply {
    /// Records added (ids already there are not counted).
    pub imported: u32,
}

/// The answer to [`CallOp::Apply`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Applied {
    /// Whether the record changed.
    pub changed: bool,
    /// The record as stored after the update (or as it was, when nothing changed).
    pub record: CallRecord,
}

/// The answer to [`CallOp::Text`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextReply {
    /// The conversation's record as stored.
    pub record: CallRecord,
    /// Whether the text began the conversation.
    pub new: bool,
    /// Whether the message was added (`false`: a repeated delivery).
    pub added: bool,
}

/// The answer to [`CallOp::Status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReply {
    /// Whether the record changed.
    pub changed: bool,
}

/// A request to the operators object (one for the worker: operator keys and the history of every
/// site's configuration and keys). Externally tagged, unlike the other objects' messages: an
/// internally tagged enum is read through a buffer, and reading the configurations these messages
/// carry that way put a second copy of the configuration's reader into the module.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperatorsOp {
    /// Stores a new key (its hash only), and a `key_created` entry in each of its sites' history,
    /// in one turn. Answers the entries added.
    KeyCreate {
        /// The key.
        key: dni_core::access::OperatorKey,
    },
    /// One key, to check a secret against.
    KeyGet {
        /// Its id.
        id: String,
    },
    /// Every key, revoked ones too.
    KeyList,
    /// Revokes a key, and adds a `key_revoked` entry to each of its sites' history. Answers the
    /// key as it is now (`None`: unknown).
    KeyRevoke {
        /// Its id.
        id: String,
        /// Who revokes it.
        by: String,
        /// When.
        at: Millis,
    },
    /// Adds a change to a site's history (preceded by the site's configuration before it, the
    /// first time: `dni_core::history::first_entries`). Answers the entries added.
    Record {
        /// The site.
        site: String,
        /// Its configuration before the change.
        previous: Option<Box<dni_core::config::SiteConfig>>,
        /// The change.
        change: dni_core::history::Change,
        /// Who made it.
        by: String,
        /// When.
        at: Millis,
    },
    /// A site's history, newest first, at most `limit` entries.
    History {
        /// The site.
        site: String,
        /// Most entries answered.
        limit: u32,
    },
    /// One version of a site's history.
    Version {
        /// The site.
        site: String,
        /// The version.
        version: u64,
    },
}
