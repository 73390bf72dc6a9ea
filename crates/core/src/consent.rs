//! Consent: what the browser may store and send, from the site's consent signals.
//!
//! Three tiers. **None**: nothing stored, no identifiers sent; the page gets source-level numbers
//! only. **Session**: a session id and the touches in `sessionStorage` (gone when the tab closes), a
//! pool number leased to that session; no analytics ids. **Full**: `localStorage` (the visitor's touches
//! across visits) and the GA client and session ids, so a call can join the visitor's GA4 session.

/// What the browser may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum Tier {
    /// Nothing stored, no identifiers sent.
    None,
    /// Session storage only, no analytics ids.
    Session,
    /// Local storage and analytics ids.
    Full,
}

impl Tier {
    /// Reads a tier's name (`none`, `session`, `full`; also `denied` and `granted`), ignoring
    /// ASCII case and surrounding white space.
    pub fn parse(name: &str) -> Option<Tier> {
        let name = crate::text::trim(name);
        if crate::text::one_of_ci(name, "none|denied|0|false") {
            Some(Tier::None)
        } else if name.eq_ignore_ascii_case("session") {
            Some(Tier::Session)
        } else if crate::text::one_of_ci(name, "full|granted|1|true") {
            Some(Tier::Full)
        } else {
            None
        }
    }

    /// The tier as a number (for the browser module's interface).
    pub fn as_u8(self) -> u8 {
        match self {
            Tier::None => 0,
            Tier::Session => 1,
            Tier::Full => 2,
        }
    }

    /// The tier from its number.
    pub fn from_u8(n: u8) -> Tier {
        match n {
            0 => Tier::None,
            1 => Tier::Session,
            _ => Tier::Full,
        }
    }
}

/// The signals a page gives.
#[derive(Debug, Clone, Copy, Default)]
pub struct Signals<'a> {
    /// What the site says: the script tag's `data-consent`, or its latest `dni.consent(...)` call.
    /// A site that says nothing has not asked for a consent banner: full.
    pub site: Option<&'a str>,
    /// The browser's Global Privacy Control (`navigator.globalPrivacyControl`): the visitor asks not
    /// to be followed across visits; at most session storage.
    pub gpc: bool,
    /// Google Consent Mode's latest `analytics_storage` (`granted` or `denied`), when the page uses it.
    pub analytics_storage: Option<&'a str>,
}

/// The tier the signals allow: the site's choice, lowered by the visitor's signals. Consent Mode's
/// `denied` means no storage at all; its `granted` stands in for a site that said nothing.
pub fn tier(signals: Signals<'_>) -> Tier {
    let consent_mode = signals.analytics_storage.and_then(Tier::parse);
    let site = signals
        .site
        .and_then(Tier::parse)
        .or(consent_mode)
        .unwrap_or(Tier::Full);
    let mut tier = site;
    if consent_mode == Some(Tier::None) {
        tier = Tier::None;
    }
    if signals.gpc {
        tier = tier.min(Tier::Session);
    }
    tier
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowers_the_sites_choice_by_the_visitors_signals() {
        // (site's choice, GPC, Consent Mode analytics_storage, tier)
        let table: &[(Option<&str>, bool, Option<&str>, Tier)] = &[
            (None, false, None, Tier::Full),
            (Some("full"), false, None, Tier::Full),
            (Some("session"), false, None, Tier::Session),
            (Some("none"), false, None, Tier::None),
            (Some(" NONE "), false, None, Tier::None),
            (Some("nonsense"), false, None, Tier::Full),
            (None, true, None, Tier::Session),
            (Some("none"), true, None, Tier::None),
            (None, false, Some("denied"), Tier::None),
            (Some("full"), false, Some("denied"), Tier::None),
            (None, false, Some("granted"), Tier::Full),
            (Some("session"), false, Some("granted"), Tier::Session),
            (None, true, Some("granted"), Tier::Session),
        ];
        for (site, gpc, analytics_storage, want) in table {
            let signals = Signals {
                site: *site,
                gpc: *gpc,
                analytics_storage: *analytics_storage,
            };
            assert_eq!(
                tier(signals),
                *want,
                "{site:?} gpc={gpc} consent mode={analytics_storage:?}"
            );
        }
    }
}
