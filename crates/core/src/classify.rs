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

use alloc::borrow::Cow;

use crate::text::{self, contains_ci, starts_with_ci};
use crate::url;

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

/// A platform's click id found on the landing page: an ad click id (`gclid`, `msclkid`, ...), or the
/// id an email or affiliate platform appends to its links (`mc_cid`, `irclickid`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ClickId {
    /// The parameter name (`gclid`, `msclkid`, ...), spelled as in [`CLICK_IDS`].
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
    /// `utm_medium` or the inferred medium (`cpc`, `organic`, `referral`, `(none)`); `(not set)`
    /// when the link is tagged with a source but no medium, as GA4 reports it.
    pub medium: String,
    /// `utm_campaign`; empty when absent.
    pub campaign: String,
    /// `utm_term`, or the search term a search engine still sends in its referrer.
    pub term: String,
    /// `utm_content`.
    pub content: String,
    /// `utm_id`.
    pub campaign_id: String,
    /// The highest-priority click id on the landing page (see [`CLICK_IDS`]).
    pub click_id: Option<ClickId>,
    /// What kind of site the source is, when it is a known one (search, social, webmail, AI
    /// assistant...): from the `utm_source` name for a tagged link, else from the click id's
    /// platform or the referrer.
    pub category: Option<Category>,
    /// True when the referrer is one of the site's own hosts: the visit carries no new source, so the
    /// attribution keeps the visitor's earlier touch.
    pub self_referral: bool,
}

impl Touch {
    /// Direct (a self-referral is Direct too): a visit that tells nothing about where the visitor
    /// came from, and so never replaces a known source.
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
/// implies: (parameter, source, medium). Parameter names are matched ignoring ASCII case.
///
/// Google's ids read as GA4 reads them without the Google Ads link (google / cpc); `gad_source`,
/// which Google Ads appends to every ad click, stands in when the click id itself was dropped. The
/// other ad platforms' ids read as their auto-tagging's UTM values would. Email and affiliate
/// platforms' ids imply their medium. Facebook appends `fbclid` to organic links too, so it implies
/// no medium: the referrer decides, and without one the visit is a referral from Facebook.
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
    ("rdt_cid", "reddit", "cpc"),
    ("yclid", "yandex", "cpc"),
    ("irclickid", "impact", "affiliate"),
    ("awc", "awin", "affiliate"),
    ("cjevent", "cj", "affiliate"),
    ("mc_cid", "mailchimp", "email"),
    ("_hsenc", "hubspot", "email"),
    ("_kx", "klaviyo", "email"),
    ("fbclid", "facebook", ""),
    ("gad_source", "google", "cpc"),
];

/// The parameter names of [`CLICK_IDS`], in order, and their mediums: the browser reads these, not
/// the table (a table of strings costs the browser module a pointer and a length per string).
/// A test checks that they say what the table says.
pub const CLICK_ID_NAMES: &str =
    "gclid|gbraid|wbraid|dclid|msclkid|ttclid|li_fat_id|twclid|sccid|epik|\
rdt_cid|yclid|irclickid|awc|cjevent|mc_cid|_hsenc|_kx|fbclid|gad_source";
/// See [`CLICK_ID_NAMES`].
const CLICK_ID_MEDIUMS: &str =
    "cpc|cpc|cpc|cpm|cpc|cpc|cpc|cpc|cpc|cpc|cpc|cpc|affiliate|affiliate|affiliate|email|email|email||cpc";

/// The row of [`CLICK_IDS`] of the parameter `key` (ignoring ASCII case).
#[allow(clippy::explicit_counter_loop)] // a counter, not `enumerate`: see `text` on adapters
fn click_id(key: &str) -> Option<usize> {
    click_id_row(key.as_bytes())
}

/// [`click_id`] of a name that may not be UTF-8 (a percent-decoded one).
#[allow(clippy::explicit_counter_loop)] // see `click_id`
fn click_id_row(key: &[u8]) -> Option<usize> {
    let mut row = 0;
    for name in text::split(CLICK_ID_NAMES, b'|') {
        if name.as_bytes().eq_ignore_ascii_case(key) {
            return Some(row);
        }
        row += 1;
    }
    None
}

/// Whether `name` is a click id's parameter (ignoring ASCII case): never redacted. Bytes, because
/// redaction asks about names it has percent-decoded, which need not be UTF-8.
pub fn is_click_id(name: &[u8]) -> bool {
    click_id_row(name).is_some()
}

/// The medium of [`CLICK_IDS`]' row `row` (empty when its platform implies none).
fn click_id_medium(row: usize) -> &'static str {
    let mut mediums = text::split(CLICK_ID_MEDIUMS, b'|');
    for _ in 0..row {
        mediums.next();
    }
    mediums.next().unwrap_or_default()
}

/// A landing URL reduced to what classification reads, for visitors who allow no identifiers: the
/// origin, the UTM tags, and the click ids' names (with `1` for their values: a click id is an
/// identifier; that there was one is not). Everything else (path, other parameters) is dropped.
pub fn anonymous_landing(landing: &str) -> String {
    let mut out = url::origin_of(landing);
    if out.is_empty() {
        return out;
    }
    let mut separator = '?';
    for pair in text::split(url::query_of(landing), b'&') {
        let (key, value) = text::split_once(pair, b'=').unwrap_or((pair, ""));
        let value = if key.starts_with("utm_") {
            value
        } else if click_id(key).is_some() && !text::trim(value).is_empty() {
            "1"
        } else {
            continue;
        };
        out.push(separator);
        separator = '&';
        out.push_str(key);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// Options a site sets for classification.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// The site's own hosts; each also covers its subdomains, and may be written in either IDN form.
    /// A referrer from one of them is a self-referral, never a source. The landing page's own host
    /// (without `www.`) and its subdomains always count, listed or not.
    pub own_hosts: &'a [String],
}

/// Longest value kept from any parameter: longer values are cut (at a character boundary).
pub const MAX_FIELD: usize = 256;

/// The landing page's UTM tags and click id, read in one pass over its query string, still
/// percent-encoded.
#[derive(Default)]
struct Tags<'q> {
    source: Option<&'q str>,
    medium: Option<&'q str>,
    campaign: Option<&'q str>,
    term: Option<&'q str>,
    content: Option<&'q str>,
    id: Option<&'q str>,
    /// Index into [`CLICK_IDS`] and the raw value of the highest-priority click id.
    click: Option<(usize, &'q str)>,
}

impl<'q> Tags<'q> {
    /// Reads the parameters that matter. The first occurrence of a name wins (as the browser's
    /// `URLSearchParams.get` does); UTM names must be lower-case, as GA4 reads them.
    fn read(query: &'q str) -> Tags<'q> {
        let mut tags = Tags::default();
        for pair in text::split(query, b'&') {
            let (key, value) = text::split_once(pair, b'=').unwrap_or((pair, ""));
            if text::has(key, b'%') {
                tags.set(&url::decode_component(key), value);
            } else {
                tags.set(key, value);
            }
        }
        tags
    }

    fn set(&mut self, key: &str, value: &'q str) {
        let slot = match key {
            "utm_source" => &mut self.source,
            "utm_medium" => &mut self.medium,
            "utm_campaign" => &mut self.campaign,
            "utm_term" => &mut self.term,
            "utm_content" => &mut self.content,
            "utm_id" => &mut self.id,
            _ => {
                if let Some(i) = click_id(key) {
                    let better = self.click.is_none_or(|(held, _)| i < held);
                    if better && !text::trim(value).is_empty() {
                        self.click = Some((i, value));
                    }
                }
                return;
            }
        };
        slot.get_or_insert(value);
    }
}

/// A parameter value as reported: decoded, trimmed, clipped; `None` when empty.
fn field(raw: Option<&str>) -> Option<String> {
    let raw = raw?;
    let decoded;
    let value = if text::has(raw, b'%') || text::has(raw, b'+') {
        decoded = url::decode_component(raw);
        text::trim(&decoded)
    } else {
        text::trim(raw)
    };
    if value.is_empty() {
        return None;
    }
    Some(clip(value))
}

/// Classifies one visit from its landing URL and `document.referrer` (either may be empty or
/// malformed: the answer is then Direct, or what the other one says).
///
/// Source and medium come from the UTM tags when the link has `utm_source` or `utm_medium`; else
/// from a click id's platform; else from the referrer (a known search engine, social network,
/// video or shopping site, webmail or AI assistant by name, any other site as a referral from its
/// host); else the visit is Direct. The channel then follows GA4's rules ([`channel`]).
pub fn classify(landing: &str, referrer: &str, options: Options<'_>) -> Touch {
    let tags = Tags::read(url::query_of(landing));
    // The click id's parameter names its platform even when its value is blank once decoded
    // (`fbclid=++`): the page's reduction (`anonymous_landing`) keeps the name without reading the
    // value, and both must classify alike. Only a value that says something is kept as the id.
    let platform = tags.click.and_then(|(i, _)| CLICK_IDS.get(i));
    let mut touch = Touch {
        campaign: field(tags.campaign).unwrap_or_default(),
        term: field(tags.term).unwrap_or_default(),
        content: field(tags.content).unwrap_or_default(),
        campaign_id: field(tags.id).unwrap_or_default(),
        click_id: platform.zip(tags.click).and_then(|((kind, ..), (_, raw))| {
            Some(ClickId {
                kind: (*kind).to_owned(),
                value: field(Some(raw))?,
            })
        }),
        ..Touch::default()
    };

    let (host, referrer_rest) = url::parts(referrer)
        .filter(|(scheme, ..)| text::one_of_ci(scheme, REFERRING_SCHEMES))
        .map_or((Cow::Borrowed(""), ""), |(_, host, rest)| {
            (url::lower_host(host), rest)
        });
    let host = host.as_ref();
    let own = !host.is_empty()
        && (is_own_host(host, options.own_hosts) || is_landing_host(host, landing));
    let known = if own {
        None
    } else {
        sources::lookup(host, referrer_rest)
    };

    let (source, medium, category) = match (field(tags.source), field(tags.medium)) {
        (None, None) => match platform {
            Some((_, source, medium)) if !medium.is_empty() => {
                // A click from a video site was a video ad (Google Ads on YouTube is Paid Video, as
                // GA4 reports it from the Ads network); else the platform's own kind.
                let category = known
                    .map(|k| k.category)
                    .filter(|c| *c == Category::Video)
                    .or_else(|| sources::lookup_name(source).map(|k| k.category));
                ((*source).to_owned(), (*medium).to_owned(), category)
            }
            _ if own || host.is_empty() => {
                // A click id that survived an internal navigation still names where the visitor
                // came from: only a visit with nothing else to go on is a self-referral.
                touch.self_referral = own && platform.is_none();
                match platform {
                    // A click id with no implied medium (fbclid) still names its platform.
                    Some((_, source, _)) => (
                        (*source).to_owned(),
                        "referral".to_owned(),
                        sources::lookup_name(source).map(|k| k.category),
                    ),
                    None => ("(direct)".to_owned(), "(none)".to_owned(), None),
                }
            }
            _ => match known {
                Some(k) => {
                    if touch.term.is_empty() {
                        if let Some(term) = sources::search_term(url::query_of(referrer_rest), k) {
                            touch.term = clip(&term);
                        }
                    }
                    let name = if k.name.is_empty() {
                        without_www(host).to_owned()
                    } else {
                        k.name.to_owned()
                    };
                    (name, k.category.medium().to_owned(), Some(k.category))
                }
                None => (without_www(host).to_owned(), "referral".to_owned(), None),
            },
        },
        (source, medium) => {
            let source = source.unwrap_or_else(|| NOT_SET.to_owned());
            let category = sources::lookup_name(&source).map(|k| k.category);
            (
                source,
                medium.unwrap_or_else(|| NOT_SET.to_owned()),
                category,
            )
        }
    };
    touch.channel = rules(&source, &medium, &touch.campaign, category);
    touch.category = category;
    touch.source = source;
    touch.medium = medium;
    touch
}

/// What a page view tells a visitor's journey, without the source tables.
///
/// The browser keeps the visitor's touches as raw facts and only needs to know whether a page view
/// is a new source, a paid click, or nothing new; the full classification (names, categories,
/// channels) happens in the worker. This function answers that question with the same tag reader
/// and rules as [`classify`], but without the tables, so the tables never ship to the page. It
/// agrees with [`classify`] on every input (`tests/classify_props.rs` checks it):
/// `Direct` exactly when the touch is Direct, `Paid` exactly when its channel is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Nothing to go on; `self_referral` when the referrer was the site itself.
    Direct {
        /// The referrer is one of the site's own hosts.
        self_referral: bool,
    },
    /// A paid click (Cross-network, Display, or any paid medium).
    Paid,
    /// Any other source.
    Other,
}

impl Kind {
    /// The kind of an already classified touch.
    pub fn of(touch: &Touch) -> Kind {
        if touch.is_direct() {
            Kind::Direct {
                self_referral: touch.self_referral,
            }
        } else if touch.channel.is_paid() {
            Kind::Paid
        } else {
            Kind::Other
        }
    }
}

/// The [`Kind`] of a page view: [`classify`] without the tables (see [`Kind`]).
pub fn kind(landing: &str, referrer: &str, options: Options<'_>) -> Kind {
    let tags = Tags::read(url::query_of(landing));
    let campaign = field(tags.campaign).unwrap_or_default();
    // The platform's medium (its source is never `(direct)`: only the medium decides).
    let platform = tags.click.map(|(i, _)| click_id_medium(i));
    let (source, medium) = match (field(tags.source), field(tags.medium)) {
        (None, None) => match platform {
            Some(medium) if !medium.is_empty() => (String::new(), medium.to_owned()),
            _ => {
                let host = url::parts(referrer)
                    .filter(|(scheme, ..)| text::one_of_ci(scheme, REFERRING_SCHEMES))
                    .map_or(Cow::Borrowed(""), |(_, host, _)| url::ascii_host(host));
                let host = host.as_ref();
                let own = !host.is_empty()
                    && (is_own_host(host, options.own_hosts) || is_landing_host(host, landing));
                if (own || host.is_empty()) && platform.is_none() {
                    return Kind::Direct { self_referral: own };
                }
                // A referrer or a click id without a medium: organic, referral or email, never
                // paid, unless the campaign runs across networks.
                return if contains_ci(&campaign, "cross-network") {
                    Kind::Paid
                } else {
                    Kind::Other
                };
            }
        },
        (source, medium) => (
            source.unwrap_or_else(|| NOT_SET.to_owned()),
            medium.unwrap_or_else(|| NOT_SET.to_owned()),
        ),
    };
    let (source, medium) = (text::trim(&source), text::trim(&medium));
    if source.eq_ignore_ascii_case("(direct)") && text::one_of_ci(medium, DIRECT_MEDIUMS) {
        Kind::Direct {
            self_referral: false,
        }
    } else if contains_ci(&campaign, "cross-network")
        || is_paid_medium(medium)
        || text::one_of_ci(medium, DISPLAY)
    {
        Kind::Paid
    } else {
        Kind::Other
    }
}

/// GA4's Display mediums.
const DISPLAY: &str = "display|banner|expandable|interstitial|cpm";

/// The mediums of a Direct visit (with the source `(direct)`).
const DIRECT_MEDIUMS: &str = "(not set)|(none)";

/// Web pages and mobile apps refer; `about:`, `file:`, extensions and the like tell nothing.
const REFERRING_SCHEMES: &str = "http|https|android-app|ios-app";

/// GA4's value for a tag that is missing while another is present.
const NOT_SET: &str = "(not set)";

fn clip(value: &str) -> String {
    let mut end = value.len().min(MAX_FIELD);
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    value.get(..end).unwrap_or_default().to_owned()
}

fn without_www(host: &str) -> &str {
    host.strip_prefix("www.").unwrap_or(host)
}

/// Whether `host` (lower-case ASCII, as [`Url`] gives it) is one of `own` or a subdomain of one.
/// Entries are read leniently: any case, surrounding spaces, a leading `www.`, a port, a trailing
/// dot, a whole URL, or an IDN host in Unicode form all work.
pub fn is_own_host(host: &str, own: &[String]) -> bool {
    own.iter().any(|entry| {
        let entry = text::trim(entry);
        let entry = url::host_of(entry).unwrap_or(entry);
        under(host, &url::ascii_host(text::before(entry, b':')))
    })
}

/// Whether the referrer is the landing page's own site: its host without `www.`, or a subdomain.
fn is_landing_host(host: &str, landing: &str) -> bool {
    url::host_of(landing).is_some_and(|own| under(host, &url::ascii_host(own)))
}

/// `host` equals `domain` (ignoring ASCII case, a leading `www.` and a trailing dot of `domain`) or
/// is a subdomain of it.
fn under(host: &str, domain: &str) -> bool {
    let domain = text::trim_end_byte(domain, b'.');
    let domain = match domain.get(..4) {
        Some(www) if www.eq_ignore_ascii_case("www.") => domain.get(4..).unwrap_or_default(),
        _ => domain,
    };
    if domain.is_empty() || host.len() < domain.len() {
        return false;
    }
    let at = host.len() - domain.len();
    host.get(at..)
        .is_some_and(|tail| tail.eq_ignore_ascii_case(domain))
        && (at == 0 || host.as_bytes().get(at - 1) == Some(&b'.'))
}

/// GA4's channel rules, in GA4's order, for a source, medium and campaign as reported (any case,
/// surrounding spaces ignored). `category` is what the source is known to be when the caller knows
/// it (a referrer's kind); otherwise it is looked up from the source name in the source tables.
pub fn channel(source: &str, medium: &str, campaign: &str, category: Option<Category>) -> Channel {
    let category = category.or_else(|| sources::lookup_name(source).map(|k| k.category));
    rules(source, medium, campaign, category)
}

/// The rules themselves, with the source's category already known. Case-insensitive without
/// allocating: every comparison ignores ASCII case.
fn rules(source: &str, medium: &str, campaign: &str, category: Option<Category>) -> Channel {
    let (source, medium, campaign) = (text::trim(source), text::trim(medium), text::trim(campaign));
    let is = |c: Category| category == Some(c);
    let medium_is = |names: &[&str]| names.iter().any(|n| medium.eq_ignore_ascii_case(n));
    let paid = is_paid_medium(medium);
    let shopping = is(Category::Shopping) || is_shopping_campaign(campaign);
    const EMAIL: &[&str] = &["email", "e-mail", "e_mail", "e mail"];

    if source.eq_ignore_ascii_case("(direct)") && medium_is(&["(not set)", "(none)"]) {
        Channel::Direct
    } else if contains_ci(campaign, "cross-network") {
        Channel::CrossNetwork
    } else if shopping && paid {
        Channel::PaidShopping
    } else if is(Category::Search) && paid {
        Channel::PaidSearch
    } else if is(Category::Social) && paid {
        Channel::PaidSocial
    } else if is(Category::Video) && paid {
        Channel::PaidVideo
    } else if text::one_of_ci(medium, DISPLAY) {
        Channel::Display
    } else if paid {
        Channel::PaidOther
    } else if shopping {
        Channel::OrganicShopping
    } else if is(Category::Social)
        || medium_is(&[
            "social",
            "social-network",
            "social-media",
            "sm",
            "social network",
            "social media",
        ])
    {
        Channel::OrganicSocial
    } else if is(Category::Video) || contains_ci(medium, "video") {
        Channel::OrganicVideo
    } else if is(Category::Search) || medium_is(&["organic"]) {
        Channel::OrganicSearch
    } else if medium_is(EMAIL)
        || EMAIL.iter().any(|n| source.eq_ignore_ascii_case(n))
        || is(Category::Webmail)
    {
        // Webmail is ours: GA4 has no webmail list and files such visits as Referral.
        Channel::Email
    } else if medium_is(&["affiliate"]) {
        Channel::Affiliates
    } else if medium_is(&["referral", "app", "link"]) || is(Category::Ai) {
        // An AI assistant tagged only with its name (`utm_source=chatgpt.com`) is ours: GA4 says
        // Unassigned for a source with no medium.
        Channel::Referral
    } else if medium_is(&["audio"]) {
        Channel::Audio
    } else if source.eq_ignore_ascii_case("sms") || medium_is(&["sms"]) {
        Channel::Sms
    } else if ends_with_ci(medium, "push")
        || contains_ci(medium, "mobile")
        || contains_ci(medium, "notification")
        || source.eq_ignore_ascii_case("firebase")
    {
        Channel::MobilePush
    } else {
        Channel::Unassigned
    }
}

/// GA4's paid medium pattern `^(.*cp.*|ppc|retargeting|paid.*)$`.
fn is_paid_medium(medium: &str) -> bool {
    contains_ci(medium, "cp")
        || text::one_of_ci(medium, "ppc|retargeting")
        || starts_with_ci(medium.as_bytes(), b"paid")
}

/// GA4's shopping campaign pattern `^(.*(([^a-df-z]|^)shop|shopping).*)$`: "shopping" anywhere, or
/// "shop" at the start or after a character that is not a letter a-d or f-z (so "eshop", "e-shop"
/// and "spring_shop" count, "bishop" and "workshop" do not). Case-insensitive, as GA4 is.
fn is_shopping_campaign(campaign: &str) -> bool {
    let bytes = campaign.as_bytes();
    (0..bytes.len()).any(|at| {
        let rest = bytes.get(at..).unwrap_or_default();
        if !starts_with_ci(rest, b"shop") {
            return false;
        }
        if starts_with_ci(rest, b"shopping") {
            return true;
        }
        match at.checked_sub(1).and_then(|i| bytes.get(i)) {
            None => true,
            Some(&b) => {
                let b = b.to_ascii_lowercase();
                !(b.is_ascii_lowercase() && b != b'e')
            }
        }
    })
}

fn ends_with_ci(hay: &str, needle: &str) -> bool {
    hay.len() >= needle.len()
        && hay
            .as_bytes()
            .get(hay.len() - needle.len()..)
            .is_some_and(|tail| tail.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests;
