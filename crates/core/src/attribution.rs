//! The attribution model: which of a visitor's touches gets the credit for a call.
//!
//! The browser keeps a visitor's touches as raw facts (landing URL, referrer, time), not as
//! classifications, so that every reader (browser, worker, command line) classifies them with the
//! same function, and a better classifier improves old touches too. This module decides which raw
//! touches to keep, and which one is credited.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::classify::{classify, Kind, Options, Touch};
use crate::{Millis, DAY, MINUTE};

/// One page view's facts, as the browser saw them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RawTouch {
    /// The landing page URL, with its query string.
    pub landing: String,
    /// `document.referrer` (may be empty).
    #[cfg_attr(feature = "serde", serde(default))]
    pub referrer: String,
    /// When, in milliseconds since the epoch.
    pub at: Millis,
}

/// What the browser remembers about a visitor's sources.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Journey {
    /// The first touch within the lookback window (may be Direct).
    #[cfg_attr(feature = "serde", serde(default))]
    pub first: Option<RawTouch>,
    /// The last non-direct touch within the lookback window.
    #[cfg_attr(feature = "serde", serde(default))]
    pub last: Option<RawTouch>,
}

/// The attribution settings of a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Settings {
    /// Touches older than this are forgotten (GA4's default lookback for acquisition is 90 days).
    pub lookback: Millis,
    /// GA4's session timeout: a non-paid touch inside a paid click's session does not replace it.
    pub session_timeout: Millis,
    /// Which touch gets the credit.
    pub model: Model,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            lookback: 90 * DAY,
            session_timeout: 30 * MINUTE,
            model: Model::LastNonDirect,
        }
    }
}

/// Which touch is credited with a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum Model {
    /// GA4's default: the last touch that was not Direct; Direct only when there never was another.
    #[default]
    LastNonDirect,
    /// The first touch within the lookback window.
    FirstTouch,
}

impl Model {
    /// The name shown in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Model::LastNonDirect => "last_non_direct",
            Model::FirstTouch => "first_touch",
        }
    }
}

/// Adds a page view to a journey: what the browser stores after each page load.
///
/// - touches older than the lookback window are forgotten;
/// - the first touch is set once (a Direct first visit counts as the first touch);
/// - a Direct visit or a self-referral never replaces the last non-direct touch;
/// - a paid click always replaces it; an unpaid touch does too, except within the session of a
///   paid click (the visitor who clicked an ad and then an organic result is still the ad's visitor).
///
/// The session is GA4's 30 minutes ([`Settings::session_timeout`]), counted from the paid click:
/// the journey keeps touches, not every page view, so a visitor active for longer than that without
/// a new touch is taken to have started a new session (GA4 counts 30 minutes of inactivity).
pub fn observe(
    journey: &Journey,
    view: RawTouch,
    settings: &Settings,
    options: Options<'_>,
) -> Journey {
    let kind = crate::classify::kind(&view.landing, &view.referrer, options);
    step(journey, view, kind, settings, options)
}

/// [`observe`] with the view's kind taken from the full, table-driven [`classify`]
/// rather than its table-free part. The two agree (a property test
/// holds them to it); this one is what the page would run if it shipped the tables, and is how the
/// size benchmark measures what they would weigh there.
pub fn observe_classified(
    journey: &Journey,
    view: RawTouch,
    settings: &Settings,
    options: Options<'_>,
) -> Journey {
    let kind = Kind::of(&classify(&view.landing, &view.referrer, options));
    step(journey, view, kind, settings, options)
}

/// Folds the page views a browser kept, oldest first, into its journey, with the full classifier:
/// the worker's side of what the page once decided itself. The page keeps its first view and the
/// last few that may be touches ([`crate::wire::may_be_touch`]); folding them here gives the journey
/// the page would have kept by observing every view, as long as no touch fell out of that list.
pub fn fold(
    journey: &Journey,
    views: &[RawTouch],
    settings: &Settings,
    options: Options<'_>,
) -> Journey {
    let mut journey = journey.clone();
    for view in views {
        journey = observe_classified(&journey, view.clone(), settings, options);
    }
    journey
}

/// [`observe`] with the view's kind already known.
fn step(
    journey: &Journey,
    view: RawTouch,
    kind: Kind,
    settings: &Settings,
    options: Options<'_>,
) -> Journey {
    let now = view.at;
    let fresh = |t: &Option<RawTouch>| match t {
        Some(t) if now.saturating_sub(t.at) <= settings.lookback => Some(t.clone()),
        _ => None,
    };
    let mut next = Journey {
        first: fresh(&journey.first),
        last: fresh(&journey.last),
    };
    if let Kind::Direct { self_referral } = kind {
        if next.first.is_none() && !self_referral {
            next.first = Some(view);
        }
        return next;
    }
    // The session test first: it is cheap, and it spares reading the stored touch again.
    let keep_last = kind != Kind::Paid
        && next.last.as_ref().is_some_and(|last| {
            now.saturating_sub(last.at) <= settings.session_timeout
                && crate::classify::kind(&last.landing, &last.referrer, options) == Kind::Paid
        });
    if next.first.is_none() {
        next.first = Some(view.clone());
    }
    if !keep_last {
        next.last = Some(view);
    }
    next
}

/// A touch with its classification.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Classified {
    /// Where it came from.
    #[cfg_attr(feature = "serde", serde(flatten))]
    pub touch: Touch,
    /// The landing page.
    pub landing: String,
    /// When.
    pub at: Millis,
}

/// The credited touch and both touches, as a call report shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Attribution {
    /// The model that picked the credited touch.
    pub model: Model,
    /// The credited touch.
    pub credited: Classified,
    /// The first touch.
    pub first: Option<Classified>,
    /// The last non-direct touch.
    pub last: Option<Classified>,
}

/// Applies the current page view to the journey and picks the credited touch.
pub fn attribute(
    journey: &Journey,
    view: RawTouch,
    settings: &Settings,
    options: Options<'_>,
) -> Attribution {
    let touch = classify(&view.landing, &view.referrer, options);
    let current = view.clone();
    let journey = step(journey, view, Kind::of(&touch), settings, options);
    // The current view is classified once; stored touches are classified afresh, so a better
    // classifier improves them too.
    let classified = |raw: &RawTouch| Classified {
        touch: if *raw == current {
            touch.clone()
        } else {
            classify(&raw.landing, &raw.referrer, options)
        },
        landing: raw.landing.clone(),
        at: raw.at,
    };
    let first = journey.first.as_ref().map(classified);
    let last = journey.last.as_ref().map(classified);
    let credited = match settings.model {
        Model::LastNonDirect => last.clone().or_else(|| first.clone()),
        Model::FirstTouch => first.clone().or_else(|| last.clone()),
    }
    .unwrap_or(Classified {
        touch,
        landing: current.landing,
        at: current.at,
    });
    Attribution {
        model: settings.model,
        credited,
        first,
        last,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Channel;
    use crate::HOUR;

    const T0: Millis = 1_700_000_000_000;

    fn view(landing: &str, referrer: &str, at: Millis) -> RawTouch {
        RawTouch {
            landing: landing.to_owned(),
            referrer: referrer.to_owned(),
            at,
        }
    }

    const PAID: &str = "https://ex.com/?utm_source=google&utm_medium=cpc&utm_campaign=spring";
    const PLAIN: &str = "https://ex.com/";
    const GOOGLE: &str = "https://www.google.com/";
    const BLOG: &str = "https://blog.org/";

    /// Replays page views and returns the credited channel after each.
    fn replay(views: &[(&str, &str, Millis)]) -> Vec<Channel> {
        let settings = Settings::default();
        let own = ["ex.com".to_owned()];
        let options = Options { own_hosts: &own };
        let mut journey = Journey::default();
        views
            .iter()
            .map(|(landing, referrer, at)| {
                let v = view(landing, referrer, *at);
                let credited = attribute(&journey, v.clone(), &settings, options)
                    .credited
                    .touch
                    .channel;
                journey = observe(&journey, v, &settings, options);
                credited
            })
            .collect()
    }

    #[test]
    fn follows_the_model() {
        use Channel::*;
        // (page views as (landing, referrer, time), credited channel after each)
        type Views<'a> = &'a [(&'a str, &'a str, Millis)];
        let table: &[(Views<'_>, &[Channel])] = &[
            (&[(PLAIN, "", T0)], &[Direct]),
            (
                &[(PAID, "", T0), (PLAIN, "", T0 + HOUR)],
                &[PaidSearch, PaidSearch],
            ),
            (
                &[(PLAIN, GOOGLE, T0), (PAID, "", T0 + DAY)],
                &[OrganicSearch, PaidSearch],
            ),
            (
                &[(PAID, "", T0), (PLAIN, GOOGLE, T0 + 5 * MINUTE)],
                &[PaidSearch, PaidSearch],
            ),
            (
                &[(PAID, "", T0), (PLAIN, GOOGLE, T0 + 2 * HOUR)],
                &[PaidSearch, OrganicSearch],
            ),
            (
                &[(PAID, "", T0), (PLAIN, "https://ex.com/page", T0 + DAY)],
                &[PaidSearch, PaidSearch],
            ),
            (
                &[(PAID, "", T0), (PLAIN, "", T0 + 91 * DAY)],
                &[PaidSearch, Direct],
            ),
            (
                &[(PLAIN, BLOG, T0), (PLAIN, GOOGLE, T0 + DAY)],
                &[Referral, OrganicSearch],
            ),
        ];
        for (views, want) in table {
            assert_eq!(replay(views), *want, "{views:?}");
        }
    }

    #[test]
    fn first_touch_model_credits_the_first() {
        let settings = Settings {
            model: Model::FirstTouch,
            ..Settings::default()
        };
        let journey = Journey {
            first: Some(view(PLAIN, BLOG, T0)),
            last: None,
        };
        let a = attribute(
            &journey,
            view(PAID, "", T0 + DAY),
            &settings,
            Options::default(),
        );
        assert_eq!(a.credited.touch.channel, Channel::Referral);
        assert_eq!(a.last.map(|l| l.touch.channel), Some(Channel::PaidSearch));
        assert_eq!(a.model, Model::FirstTouch);
    }
}
