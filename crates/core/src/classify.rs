//! Source classification: from a landing URL and a referrer to GA4's default channel group, with
//! source, medium, campaign, keyword and click id.
//!
//! The rules follow GA4's documented default channel group definitions, evaluated in GA4's order and
//! case-insensitively, so that a call report and the site's GA4 reports agree on where a visit came
//! from. Source and medium come from UTM tags when present; otherwise they are inferred from click ids
//! (the ad platforms' auto-tagging) and then from the referrer (see [`sources`] for the tables).

#[allow(unused_imports)]
use crate::prelude::*;

mod sources;

pub use sources::{Category, KnownSource};

use crate::url::{self, Url};

/// GA4's default channel groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub enum Channel {
    /// No source: typed in, bookmarked, or the referrer was withheld.
    #[default]
    Direct,
    /// Campaigns that run across networks (Performance Max, Demand Gen, Smart Shopping).
    CrossNetwork,
    /// Paid clicks on shopping surfaces.
    PaidShopping,
    /// Paid clicks on search engines.
    PaidSearch,
    /// Paid clicks on social networks.
    PaidSocial,
    /// Paid clicks on video sites.
    PaidVideo,
    /// Display advertising (banners, interstitials, CPM buys).
    Display,
    /// Paid traffic that fits no other paid group.
    PaidOther,
    /// Unpaid shopping surfaces.
    OrganicShopping,
    /// Unpaid social networks.
    OrganicSocial,
    /// Unpaid video sites.
    OrganicVideo,
    /// Unpaid search results.
    OrganicSearch,
    /// Email, including webmail referrers.
    Email,
    /// Affiliate links.
    Affiliates,
    /// Links from other sites.
    Referral,
    /// Audio ads.
    Audio,
    /// Text messages.
    Sms,
    /// Mobile push notifications.
    MobilePush,
    /// Tagged traffic that matches no rule.
    Unassigned,
}

impl Channel {
    /// Every channel, in GA4's evaluation order.
    pub const ALL: [Channel; 19] = [
        Channel::Direct,
        Channel::CrossNetwork,
        Channel::PaidShopping,
        Channel::PaidSearch,
        Channel::PaidSocial,
        Channel::PaidVideo,
        Channel::Display,
        Channel::PaidOther,
        Channel::OrganicShopping,
        Channel::OrganicSocial,
        Channel::OrganicVideo,
        Channel::OrganicSearch,
        Channel::Email,
        Channel::Affiliates,
        Channel::Referral,
        Channel::Audio,
        Channel::Sms,
        Channel::MobilePush,
        Channel::Unassigned,
    ];

    /// The name GA4 shows.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Direct => "Direct",
            Channel::CrossNetwork => "Cross-network",
            Channel::PaidShopping => "Paid Shopping",
            Channel::PaidSearch => "Paid Search",
            Channel::PaidSocial => "Paid Social",
            Channel::PaidVideo => "Paid Video",
            Channel::Display => "Display",
            Channel::PaidOther => "Paid Other",
            Channel::OrganicShopping => "Organic Shopping",
            Channel::OrganicSocial => "Organic Social",
            Channel::OrganicVideo => "Organic Video",
            Channel::OrganicSearch => "Organic Search",
            Channel::Email => "Email",
            Channel::Affiliates => "Affiliates",
            Channel::Referral => "Referral",
            Channel::Audio => "Audio",
            Channel::Sms => "SMS",
            Channel::MobilePush => "Mobile Push Notifications",
            Channel::Unassigned => "Unassigned",
        }
    }

    /// Reads a GA4 channel name (case-insensitive).
    pub fn parse(name: &str) -> Option<Channel> {
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// Whether a click in this channel was paid for: such a touch overrides an older one.
    pub fn is_paid(self) -> bool {
        matches!(
            self,
            Channel::CrossNetwork
                | Channel::PaidShopping
                | Channel::PaidSearch
                | Channel::PaidSocial
                | Channel::PaidVideo
                | Channel::Display
                | Channel::PaidOther
        )
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Channel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Channel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = <String as serde::Deserialize>::deserialize(d)?;
        Channel::parse(&name).ok_or_else(|| serde::de::Error::custom("unknown channel"))
    }
}

/// An ad platform's click id found on the landing page.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ClickId {
    /// The parameter name (`gclid`, `msclkid`, ...).
    pub kind: String,
    /// Its value, as sent.
    pub value: String,
}

/// Where one visit came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Touch {
    /// The GA4 default channel group.
    pub channel: Channel,
    /// `utm_source` or the inferred source (`google`, `bing`, `example.org`, `(direct)`).
    pub source: String,
    /// `utm_medium` or the inferred medium (`cpc`, `organic`, `referral`, `(none)`).
    pub medium: String,
    /// `utm_campaign`, or `(not set)`... kept empty when absent.
    pub campaign: String,
    /// `utm_term`, or the search term a search engine still sends in its referrer.
    pub term: String,
    /// `utm_content`.
    pub content: String,
    /// `utm_id`.
    pub campaign_id: String,
    /// The first ad-platform click id on the landing page.
    pub click_id: Option<ClickId>,
    /// What the referrer is, when it is a known kind of site (search, social, webmail, AI assistant...).
    pub category: Option<Category>,
    /// True when the referrer is one of the site's own hosts: the visit carries no new source, so the
    /// attribution keeps the visitor's earlier touch.
    pub self_referral: bool,
}

impl Touch {
    /// Direct, and not a self-referral: a visit that tells nothing about where the visitor came from.
    pub fn is_direct(&self) -> bool {
        self.channel == Channel::Direct
    }

    /// The click id's value if it is of the given kind.
    pub fn click(&self, kind: &str) -> Option<&str> {
        self.click_id
            .as_ref()
            .filter(|c| c.kind == kind)
            .map(|c| c.value.as_str())
    }
}

/// Click id parameters, in priority order, with the source and medium their platform's auto-tagging
/// implies. Google's ids are read as GA4 reads them (google / cpc); a platform that appends its id to
/// organic links too (Facebook's fbclid) implies no medium: the referrer then decides.
pub const CLICK_IDS: &[(&str, &str, &str)] = &[
    ("gclid", "google", "cpc"),
    ("gbraid", "google", "cpc"),
    ("wbraid", "google", "cpc"),
    ("dclid", "dv360", "cpm"),
    ("msclkid", "bing", "cpc"),
    ("ttclid", "tiktok", "cpc"),
    ("li_fat_id", "linkedin", "cpc"),
    ("twclid", "twitter", "cpc"),
    ("sccid", "snapchat", "cpc"),
    ("epik", "pinterest", "cpc"),
    ("yclid", "yandex", "cpc"),
    ("rdt_cid", "reddit", "cpc"),
    ("irclickid", "impact", "affiliate"),
    ("fbclid", "facebook", ""),
];

/// Options a site sets for classification.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// The site's own hosts; each also covers its subdomains. A referrer from one of them is a
    /// self-referral, never a source.
    pub own_hosts: &'a [String],
}

/// Longest value kept from any parameter: longer values are cut (at a character boundary).
pub const MAX_FIELD: usize = 256;

/// Classifies one visit from its landing URL and `document.referrer` (either may be empty or
/// malformed: the answer is then Direct, or what the other one says).
pub fn classify(landing: &str, referrer: &str, options: Options<'_>) -> Touch {
    let landing_url = Url::parse(landing);
    let query = landing_url.as_ref().map(|u| u.query).unwrap_or("");
    let get = |name: &str| {
        url::param(query, name)
            .map(|v| clip(v.trim()))
            .filter(|v| !v.is_empty())
    };

    let mut touch = Touch {
        campaign: get("utm_campaign").unwrap_or_default(),
        term: get("utm_term").unwrap_or_default(),
        content: get("utm_content").unwrap_or_default(),
        campaign_id: get("utm_id").unwrap_or_default(),
        click_id: CLICK_IDS.iter().find_map(|(kind, _, _)| {
            get(kind).map(|value| ClickId {
                kind: (*kind).to_owned(),
                value,
            })
        }),
        ..Touch::default()
    };

    let referrer_url = Url::parse(referrer).filter(|u| u.scheme != "about" && u.scheme != "data");
    let referrer_host = referrer_url.as_ref().map(|u| u.host.as_str()).unwrap_or("");
    let own = !referrer_host.is_empty() && is_own_host(referrer_host, options.own_hosts);
    let known = if own {
        None
    } else {
        sources::lookup(referrer_host)
    };
    touch.category = known.map(|k| k.category);

    let (utm_source, utm_medium) = (get("utm_source"), get("utm_medium"));
    let click = touch
        .click_id
        .as_ref()
        .and_then(|c| CLICK_IDS.iter().find(|(kind, _, _)| *kind == c.kind));

    let (source, medium) = if utm_source.is_some() || utm_medium.is_some() {
        (
            utm_source.unwrap_or_else(|| "(not set)".to_owned()),
            utm_medium.unwrap_or_else(|| "(not set)".to_owned()),
        )
    } else if let Some((_, source, medium)) = click.filter(|(_, _, m)| !m.is_empty()) {
        ((*source).to_owned(), (*medium).to_owned())
    } else if own || referrer_host.is_empty() {
        touch.self_referral = own;
        match click {
            // A click id with no implied medium (fbclid) still names its platform.
            Some((_, source, _)) => ((*source).to_owned(), "referral".to_owned()),
            None => ("(direct)".to_owned(), "(none)".to_owned()),
        }
    } else if let Some(k) = known {
        if let Some(term) = referrer_url
            .as_ref()
            .and_then(|u| sources::search_term(u, k))
        {
            if touch.term.is_empty() {
                touch.term = clip(&term);
            }
        }
        (k.name.to_owned(), k.category.medium().to_owned())
    } else {
        (referrer_host.to_owned(), "referral".to_owned())
    };
    touch.channel = channel(&source, &medium, &touch.campaign, known.map(|k| k.category));
    touch.source = source;
    touch.medium = medium;
    touch
}

fn clip(value: &str) -> String {
    let mut end = value.len().min(MAX_FIELD);
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    value.get(..end).unwrap_or_default().to_owned()
}

/// Whether `host` is one of `own` or a subdomain of one.
pub fn is_own_host(host: &str, own: &[String]) -> bool {
    own.iter().any(|o| {
        let o = o.trim().trim_start_matches("www.").to_ascii_lowercase();
        !o.is_empty()
            && (host == o
                || host
                    .strip_suffix(o.as_str())
                    .is_some_and(|prefix| prefix.ends_with('.')))
    })
}

/// GA4's channel rules, in GA4's order. `category` is what the source is known to be, from the
/// source tables (GA4's lists of search, social, video and shopping sites).
pub fn channel(source: &str, medium: &str, campaign: &str, category: Option<Category>) -> Channel {
    let source = source.trim().to_ascii_lowercase();
    let medium = medium.trim().to_ascii_lowercase();
    let campaign = campaign.trim().to_ascii_lowercase();
    let category = category.or_else(|| sources::lookup_name(&source).map(|k| k.category));
    let is = |c: Category| category == Some(c);
    let paid = is_paid_medium(&medium);
    let shopping_campaign = is_shopping_campaign(&campaign);

    if source == "(direct)" && (medium == "(none)" || medium == "(not set)") {
        Channel::Direct
    } else if campaign.contains("cross-network") {
        Channel::CrossNetwork
    } else if (is(Category::Shopping) || shopping_campaign) && paid {
        Channel::PaidShopping
    } else if is(Category::Search) && paid {
        Channel::PaidSearch
    } else if is(Category::Social) && paid {
        Channel::PaidSocial
    } else if is(Category::Video) && paid {
        Channel::PaidVideo
    } else if matches!(
        medium.as_str(),
        "display" | "banner" | "expandable" | "interstitial" | "cpm"
    ) {
        Channel::Display
    } else if paid {
        Channel::PaidOther
    } else if is(Category::Shopping) || shopping_campaign {
        Channel::OrganicShopping
    } else if is(Category::Social)
        || matches!(
            medium.as_str(),
            "social" | "social-network" | "social-media" | "sm" | "social network" | "social media"
        )
    {
        Channel::OrganicSocial
    } else if is(Category::Video) || medium.contains("video") {
        Channel::OrganicVideo
    } else if is(Category::Search) || medium == "organic" {
        Channel::OrganicSearch
    } else if is_email(&source) || is_email(&medium) || is(Category::Webmail) {
        Channel::Email
    } else if medium == "affiliate" {
        Channel::Affiliates
    } else if matches!(medium.as_str(), "referral" | "app" | "link") {
        Channel::Referral
    } else if medium == "audio" {
        Channel::Audio
    } else if source == "sms" || medium == "sms" {
        Channel::Sms
    } else if medium.ends_with("push")
        || medium.contains("mobile")
        || medium.contains("notification")
        || source == "firebase"
    {
        Channel::MobilePush
    } else {
        Channel::Unassigned
    }
}

/// GA4's paid medium pattern `^(.*cp.*|ppc|retargeting|paid.*)$`.
fn is_paid_medium(medium: &str) -> bool {
    medium.contains("cp")
        || medium == "ppc"
        || medium == "retargeting"
        || medium.starts_with("paid")
}

/// GA4's shopping campaign pattern `^(.*(([^a-df-z]|^)shop|shopping).*)$`: "shop" at the start or
/// after a character that is not a letter a-d or f-z (so "eshop" and "e-shop" count, "bishop" not).
fn is_shopping_campaign(campaign: &str) -> bool {
    campaign.contains("shopping")
        || campaign.match_indices("shop").any(|(at, _)| {
            campaign
                .get(..at)
                .unwrap_or_default()
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_ascii_lowercase() && c != 'e'))
        })
}

fn is_email(value: &str) -> bool {
    matches!(value, "email" | "e-mail" | "e_mail" | "e mail")
}

#[cfg(test)]
mod tests;
