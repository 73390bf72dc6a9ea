//! Taking a conversion back: a call marked `bad` or `spam` after its Google Ads conversion was sent.
//!
//! Only Google Ads' legacy API can retract: `ConversionAdjustmentUploadService`
//! (`adjustmentType: RETRACTION`, the conversion found by the `orderId` our upload set, the call
//! id). Google's Data Manager API can restate a conversion's value or add user data through
//! `events:ingest` with the same `transactionId`, but it cannot retract one (its "Upgrade from
//! the Google Ads API" guide says so): such a call gets a skipped delivery that says why. GA4's
//! Measurement Protocol and Meta's Conversions API cannot take an event back at all.
//!
//! One retraction per call (its delivery id is fixed), queued when the qualification turns bad
//! or spam while the conversion is delivered or still on its way ([`queue`]), and decided again
//! when it is sent, from the call as it is then ([`decide`]): a call qualified good again in the
//! meantime, or whose conversion was never taken, sends nothing.

#[allow(unused_imports)]
use crate::prelude::*;

use super::outbox::{Destination, State};
use super::settings::{GoogleAdsApi, Integrations};
use crate::qualification::LeadStatus;

/// Why no retraction is sent (shown on the delivery).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoRetraction {
    /// The call is no longer `bad` or `spam` (an operator or a transcript changed it).
    NoLongerBad,
    /// Google never took a conversion for the call (skipped, refused, or none queued).
    NothingSent,
    /// The conversion went through the Data Manager API, which cannot retract.
    DataManagerCannot,
    /// Google Ads is no longer configured.
    NotConfigured,
}

impl NoRetraction {
    /// A short reason for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            NoRetraction::NoLongerBad => "no longer qualified bad or spam: nothing to take back",
            NoRetraction::NothingSent => {
                "no conversion was taken by Google Ads: nothing to take back"
            }
            NoRetraction::DataManagerCannot => {
                "Google's Data Manager API cannot retract a conversion (it can only restate its \
                 value): the conversion stays in Google Ads; the call.qualified webhook tells the \
                 owner's systems"
            }
            NoRetraction::NotConfigured => "Google Ads is no longer configured",
        }
    }
}

/// What to do with a retraction when its turn comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Send `RETRACTION` through the legacy API.
    Send,
    /// The conversion's own delivery has not finished: ask again later.
    Wait,
    /// Nothing to send, and why.
    Skip(NoRetraction),
}

/// Shown while a retraction waits for its conversion's delivery.
pub const WAITING: &str = "waiting for the conversion's own delivery to finish";

/// The destination a call's retraction goes to when its qualification changes to `status`: some
/// only when the site sends to Google Ads, the call is no test call, the status is `bad` or
/// `spam`, and the call's conversion (`conversion`: its Google Ads delivery's state) was delivered
/// or may still be. Queued once: its delivery id is the same every time.
pub fn queue(
    settings: &Integrations,
    status: Option<LeadStatus>,
    test: bool,
    conversion: Option<State>,
) -> Option<Destination> {
    let bad = status.is_some_and(LeadStatus::retracts);
    let sent_or_sending = matches!(conversion, Some(State::Delivered | State::Pending));
    (settings.google_ads.is_some() && !test && bad && sent_or_sending)
        .then_some(Destination::GoogleAdsRetraction)
}

/// Whether a queued retraction is sent now: `status` is the call's lead status as it is now,
/// `api` the site's Google Ads API (`None`: no longer configured), `conversion` the state of the
/// call's Google Ads delivery.
pub fn decide(
    status: Option<LeadStatus>,
    api: Option<GoogleAdsApi>,
    conversion: Option<State>,
) -> Verdict {
    let Some(api) = api else {
        return Verdict::Skip(NoRetraction::NotConfigured);
    };
    if !status.is_some_and(LeadStatus::retracts) {
        return Verdict::Skip(NoRetraction::NoLongerBad);
    }
    match conversion {
        Some(State::Pending) => Verdict::Wait,
        Some(State::Delivered) => match api {
            GoogleAdsApi::GoogleAdsLegacy => Verdict::Send,
            GoogleAdsApi::DataManager => Verdict::Skip(NoRetraction::DataManagerCannot),
        },
        Some(State::Failed | State::Skipped) | None => Verdict::Skip(NoRetraction::NothingSent),
    }
}

/// Whether a retraction skipped because the call was no longer bad is queued again when the
/// qualification turns bad or spam once more (one that was sent, or skipped for another reason,
/// never is).
pub fn again(skipped_answer: Option<&str>, status: Option<LeadStatus>) -> bool {
    status.is_some_and(LeadStatus::retracts)
        && skipped_answer == Some(NoRetraction::NoLongerBad.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use LeadStatus::*;

    fn settings(google: bool) -> Integrations {
        let text = if google {
            r#"{"google_ads":{"customer_id":"123-456-7890","conversion_action":"987"}}"#
        } else {
            r#"{"ga4":{"measurement_id":"G-1"}}"#
        };
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn queued_when_a_sent_conversion_turns_bad_or_spam() {
        // (Google Ads configured, status, test call, conversion's state, queued)
        let table = [
            (true, Some(Spam), false, Some(State::Delivered), true),
            (true, Some(Bad), false, Some(State::Delivered), true),
            (true, Some(Spam), false, Some(State::Pending), true),
            (true, Some(Good), false, Some(State::Delivered), false),
            (true, None, false, Some(State::Delivered), false),
            (true, Some(Spam), false, Some(State::Skipped), false),
            (true, Some(Spam), false, Some(State::Failed), false),
            (true, Some(Spam), false, None, false),
            (true, Some(Spam), true, Some(State::Delivered), false),
            (false, Some(Spam), false, Some(State::Delivered), false),
        ];
        for (google, status, test, conversion, want) in table {
            let got = queue(&settings(google), status, test, conversion);
            assert_eq!(
                got,
                want.then_some(Destination::GoogleAdsRetraction),
                "{google} {status:?} {test} {conversion:?}"
            );
        }
    }

    #[test]
    fn decided_from_the_call_as_it_is_when_sent() {
        use GoogleAdsApi::*;
        use NoRetraction::*;
        // (status now, the site's API, conversion's state, verdict)
        let table = [
            (
                Some(Spam),
                Some(GoogleAdsLegacy),
                Some(State::Delivered),
                Verdict::Send,
            ),
            (
                Some(Bad),
                Some(GoogleAdsLegacy),
                Some(State::Delivered),
                Verdict::Send,
            ),
            (
                Some(Spam),
                Some(GoogleAdsLegacy),
                Some(State::Pending),
                Verdict::Wait,
            ),
            (
                Some(Spam),
                Some(DataManager),
                Some(State::Pending),
                Verdict::Wait,
            ),
            (
                Some(Spam),
                Some(DataManager),
                Some(State::Delivered),
                Verdict::Skip(DataManagerCannot),
            ),
            (
                Some(Good),
                Some(GoogleAdsLegacy),
                Some(State::Delivered),
                Verdict::Skip(NoLongerBad),
            ),
            (
                None,
                Some(GoogleAdsLegacy),
                Some(State::Delivered),
                Verdict::Skip(NoLongerBad),
            ),
            (
                Some(Spam),
                Some(GoogleAdsLegacy),
                Some(State::Failed),
                Verdict::Skip(NothingSent),
            ),
            (
                Some(Spam),
                Some(GoogleAdsLegacy),
                Some(State::Skipped),
                Verdict::Skip(NothingSent),
            ),
            (
                Some(Spam),
                Some(GoogleAdsLegacy),
                None,
                Verdict::Skip(NothingSent),
            ),
            (
                Some(Spam),
                None,
                Some(State::Delivered),
                Verdict::Skip(NotConfigured),
            ),
        ];
        for (status, api, conversion, want) in table {
            assert_eq!(
                decide(status, api, conversion),
                want,
                "{status:?} {api:?} {conversion:?}"
            );
        }
    }

    #[test]
    fn queued_again_only_after_it_was_skipped_as_no_longer_bad() {
        let no_longer = Some(NoRetraction::NoLongerBad.as_str());
        // (the skipped delivery's answer, the new status, queued again)
        let table = [
            (no_longer, Some(Spam), true),
            (no_longer, Some(Bad), true),
            (no_longer, Some(Good), false),
            (no_longer, None, false),
            (Some(NoRetraction::NothingSent.as_str()), Some(Spam), false),
            (
                Some(NoRetraction::DataManagerCannot.as_str()),
                Some(Spam),
                false,
            ),
            (Some("200"), Some(Spam), false),
            (None, Some(Spam), false),
        ];
        for (answer, status, want) in table {
            assert_eq!(again(answer, status), want, "{answer:?} {status:?}");
        }
    }
}
