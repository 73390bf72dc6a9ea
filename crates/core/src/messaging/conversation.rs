//! Conversations: several texts from one sender to one tracking number are one lead, the record
//! of the first with the later ones' messages, while they come within the site's attribution
//! window (`attribution.lookback`, 90 days by default) of the first. A text after that starts a
//! new lead with an attribution of its own, as a call then would.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::call::{CallRecord, LeadKind};
use crate::Millis;

/// The earliest start a conversation may have for a text received at `at` to join it, with the
/// site's attribution window: the call log reads the sender's records from there.
pub fn earliest_start(at: Millis, window: Millis) -> Millis {
    at.saturating_sub(window)
}

/// Whether the text whose new lead this is (`messaging::lead`: one message, started when it
/// arrived) joins the conversation whose record `existing` is: a text record from the same sender
/// to the same number, begun within `window` before it.
pub fn joins(existing: &CallRecord, lead: &CallRecord, window: Millis) -> bool {
    let at = lead.started_at;
    existing.kind == LeadKind::Text
        && lead.kind == LeadKind::Text
        && existing.caller == lead.caller
        && existing.tracking_number == lead.tracking_number
        && existing.started_at <= at
        && at < existing.started_at.saturating_add(window)
}

/// The conversation the text whose new lead this is joins among the sender's records (the latest
/// begun), if any.
pub fn open<'r>(
    records: &'r [CallRecord],
    lead: &CallRecord,
    window: Millis,
) -> Option<&'r CallRecord> {
    records
        .iter()
        .filter(|r| joins(r, lead, window))
        .max_by_key(|r| r.started_at)
}
