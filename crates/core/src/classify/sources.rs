//! The tables of known sources: search engines, social networks, video and shopping sites, webmail
//! and AI assistants, recognised by referrer host or by `utm_source` name.
//!
//! Search, social, video and shopping follow GA4's source category list (the list GA4's "source
//! matches a list of search/social/video/shopping sites" rules use), cut down to the sources that
//! matter for a call-tracking site, with a few additions GA4's list lacks (marked "not in GA4's
//! list"). Webmail and AI assistants are ours: GA4 files both as Referral (and a referral from
//! `mail.google.com` even as Organic Search, because its list names that host a search site).
//!
//! The tables are static string slices kept sorted, so a lookup is a binary search per host suffix:
//! they cost the browser module a few kilobytes and a classification well under a microsecond.

#[allow(unused_imports)]
use crate::prelude::*;

/// What kind of site a source is. Search, social, video and shopping follow GA4's source lists;
/// webmail and AI assistants are ours (GA4 files both as Referral).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum Category {
    /// A search engine.
    Search,
    /// A social network.
    Social,
    /// A video site.
    Video,
    /// A shopping site.
    Shopping,
    /// A webmail client: the visitor clicked a link in an email.
    Webmail,
    /// An AI assistant.
    Ai,
}

impl Category {
    /// The medium a referral from such a site gets when no UTM tag says otherwise: `organic` for a
    /// search engine (as GA4 does), `email` for webmail (GA4 says `referral`), `referral` otherwise.
    pub fn medium(self) -> &'static str {
        match self {
            Category::Search => "organic",
            Category::Webmail => "email",
            Category::Social | Category::Video | Category::Shopping | Category::Ai => "referral",
        }
    }

    /// The name used in tables and reports (`search`, `webmail`, `ai`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Search => "search",
            Category::Social => "social",
            Category::Video => "video",
            Category::Shopping => "shopping",
            Category::Webmail => "webmail",
            Category::Ai => "ai",
        }
    }
}

/// One known source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownSource {
    /// The source name reported (`google`, `facebook`, `chatgpt`...). Empty for a platform whose
    /// pages belong to their authors (`wordpress.com` blogs): the referrer host is reported then.
    pub name: &'static str,
    /// What it is.
    pub category: Category,
    /// The referrer's query parameters that carry the search term, space-separated, if the site
    /// still sends one (`q`, `p`, `wd word`).
    pub term_param: &'static str,
}

use Category::{Ai, Search, Shopping, Social, Video, Webmail};

/// One table row: the host (it also covers its subdomains), the source name, the category and the
/// search term parameters.
type Row = (&'static str, &'static str, Category, &'static str);

/// Hosts, sorted by host (a unit test keeps them sorted: the lookup is a binary search). A longer
/// host wins over its parent: `mail.google.com` is webmail, `gemini.google.com` an AI assistant,
/// whatever `google.com` is. Android app referrers (`android-app://com.google.android.gm/`) are
/// listed by package name.
const HOSTS: &[Row] = &[
    ("360.cn", "360", Search, "q"),
    ("alibaba.com", "alibaba", Shopping, ""),
    ("ask.com", "ask", Search, "q"),
    ("baidu.com", "baidu", Search, "wd word"),
    ("bard.google.com", "gemini", Ai, ""),
    ("bing.com", "bing", Search, "q"),
    ("blog.naver.com", "naver", Social, ""),
    ("blogger.com", "blogger", Social, ""),
    ("blogspot.com", "", Social, ""),
    // Not in GA4's list: Bluesky.
    ("bsky.app", "bluesky", Social, ""),
    ("cafe.naver.com", "naver", Social, ""),
    ("centrum.cz", "centrum", Search, "q"),
    ("chat.deepseek.com", "deepseek", Ai, ""),
    ("chat.mistral.ai", "mistral", Ai, ""),
    ("chat.openai.com", "chatgpt", Ai, ""),
    ("chatgpt.com", "chatgpt", Ai, ""),
    ("claude.ai", "claude", Ai, ""),
    ("com.facebook.katana", "facebook", Social, ""),
    ("com.google.android.gm", "gmail", Webmail, ""),
    (
        "com.google.android.googlequicksearchbox",
        "google",
        Search,
        "",
    ),
    ("com.google.android.youtube", "youtube", Video, ""),
    ("com.linkedin.android", "linkedin", Social, ""),
    ("com.microsoft.office.outlook", "outlook", Webmail, ""),
    ("com.pinterest", "pinterest", Social, ""),
    ("com.reddit.frontpage", "reddit", Social, ""),
    ("com.twitter.android", "twitter", Social, ""),
    ("copilot.cloud.microsoft", "copilot", Ai, ""),
    ("copilot.microsoft.com", "copilot", Ai, ""),
    ("cse.google.com", "google", Search, "q"),
    ("dailymotion.com", "dailymotion", Video, ""),
    ("daum.net", "daum", Search, "q"),
    ("disneyplus.com", "disneyplus", Video, ""),
    ("duckduckgo.com", "duckduckgo", Search, "q"),
    ("e.mail.ru", "mail.ru", Webmail, ""),
    ("ecosia.org", "ecosia", Search, "q"),
    ("email.seznam.cz", "seznam email", Webmail, ""),
    ("etsy.com", "etsy", Shopping, ""),
    ("facebook.com", "facebook", Social, ""),
    ("fb.com", "facebook", Social, ""),
    ("fb.me", "facebook", Social, ""),
    ("flickr.com", "flickr", Social, ""),
    ("gemini.google.com", "gemini", Ai, ""),
    ("go.mail.ru", "mail.ru", Search, "q"),
    ("grok.com", "grok", Ai, ""),
    ("groups.google.com", "google groups", Social, ""),
    ("hulu.com", "hulu", Video, ""),
    ("instagram.com", "instagram", Social, ""),
    ("iqiyi.com", "iqiyi", Video, ""),
    // Not in GA4's list: Kagi, Mojeek (privacy search engines).
    ("kagi.com", "kagi", Search, "q"),
    ("kin.naver.com", "naver", Social, ""),
    ("line.me", "line", Social, ""),
    ("linkedin.com", "linkedin", Social, ""),
    ("lnkd.in", "linkedin", Social, ""),
    ("mail.163.com", "163 mail", Webmail, ""),
    ("mail.aol.com", "aol mail", Webmail, ""),
    ("mail.google.com", "gmail", Webmail, ""),
    ("mail.proton.me", "proton mail", Webmail, ""),
    ("mail.qq.com", "qq mail", Webmail, ""),
    ("mail.rambler.ru", "rambler mail", Webmail, ""),
    ("mail.yahoo.co.jp", "yahoo mail", Webmail, ""),
    ("mail.yahoo.com", "yahoo mail", Webmail, ""),
    ("mail.yandex.com", "yandex mail", Webmail, ""),
    ("mail.yandex.ru", "yandex mail", Webmail, ""),
    ("mail.zoho.com", "zoho mail", Webmail, ""),
    ("mail.zoho.eu", "zoho mail", Webmail, ""),
    // Not in GA4's list: mastodon.social (the largest Mastodon server).
    ("mastodon.social", "mastodon", Social, ""),
    ("medium.com", "medium", Social, ""),
    ("meetup.com", "meetup", Social, ""),
    ("messenger.com", "messenger", Social, ""),
    ("meta.ai", "meta ai", Ai, ""),
    ("mojeek.com", "mojeek", Search, "q"),
    ("msn.com", "msn", Search, "q"),
    ("naver.com", "naver", Search, "query"),
    ("netflix.com", "netflix", Video, ""),
    ("news.google.com", "google", Search, ""),
    ("news.ycombinator.com", "hacker news", Social, ""),
    // Not in GA4's list: Nextdoor (neighbourhood network, common for local businesses).
    ("nextdoor.com", "nextdoor", Social, ""),
    ("ok.ru", "odnoklassniki", Social, ""),
    ("onet.pl", "onet", Search, "qt q"),
    ("org.telegram.messenger", "telegram", Social, ""),
    ("outlook.live.com", "outlook", Webmail, ""),
    ("outlook.office.com", "outlook", Webmail, ""),
    ("outlook.office365.com", "outlook", Webmail, ""),
    ("perplexity.ai", "perplexity", Ai, ""),
    ("phind.com", "phind", Ai, ""),
    ("pinterest.com", "pinterest", Social, ""),
    ("poe.com", "poe", Ai, ""),
    ("quora.com", "quora", Social, ""),
    ("qwant.com", "qwant", Search, "q"),
    ("rambler.ru", "rambler", Search, "query"),
    ("reddit.com", "reddit", Social, ""),
    ("search.aol.com", "aol", Search, "q query"),
    // Not in GA4's list: Brave Search.
    ("search.brave.com", "brave", Search, "q"),
    ("search.google.com", "google", Search, "q"),
    ("search.naver.com", "naver", Search, "query"),
    ("search.yahoo.co.jp", "yahoo", Search, "p"),
    ("search.yahoo.com", "yahoo", Search, "p"),
    ("seznam.cz", "seznam", Search, "q"),
    ("shop.app", "shop", Shopping, ""),
    ("shopify.com", "shopify", Shopping, ""),
    ("shopping.google.com", "google shopping", Shopping, ""),
    ("shopping.naver.com", "naver shopping", Shopping, ""),
    ("shopping.yahoo.co.jp", "yahoo shopping", Shopping, ""),
    ("shopping.yahoo.com", "yahoo shopping", Shopping, ""),
    ("sites.google.com", "", Social, ""),
    ("snapchat.com", "snapchat", Social, ""),
    ("so.com", "360", Search, "q"),
    ("sogou.com", "sogou", Search, "query keyword"),
    ("stackexchange.com", "stackexchange", Social, ""),
    ("stackoverflow.com", "stackoverflow", Social, ""),
    // Not in GA4's list: Startpage.
    ("startpage.com", "startpage", Search, "query q"),
    ("t.co", "twitter", Social, ""),
    ("t.me", "telegram", Social, ""),
    ("ted.com", "ted", Video, ""),
    ("threads.com", "threads", Social, ""),
    ("threads.net", "threads", Social, ""),
    ("tiktok.com", "tiktok", Social, ""),
    ("tripadvisor.com", "tripadvisor", Social, ""),
    ("tumblr.com", "tumblr", Social, ""),
    ("twitch.tv", "twitch", Video, ""),
    ("twitter.com", "twitter", Social, ""),
    ("vimeo.com", "vimeo", Video, ""),
    ("vk.com", "vk", Social, ""),
    ("walmart.com", "walmart", Shopping, ""),
    ("weibo.com", "weibo", Social, ""),
    ("whatsapp.com", "whatsapp", Social, ""),
    ("wistia.com", "wistia", Video, ""),
    ("wistia.net", "wistia", Video, ""),
    ("wordpress.com", "", Social, ""),
    // Not in GA4's list (x.com is newer than it; GA4 lists twitter.com and t.co).
    ("x.com", "twitter", Social, ""),
    ("xing.com", "xing", Social, ""),
    ("ya.ru", "yandex", Search, "text"),
    ("yelp.com", "yelp", Social, ""),
    ("you.com", "you.com", Ai, "q"),
    ("youku.com", "youku", Video, ""),
    ("youtu.be", "youtube", Video, ""),
    ("youtube.com", "youtube", Video, ""),
];

/// Brands under any country domain: `google` matches `google.de`, `www.google.co.uk` and
/// `m.google.com.br`, but not `docs.google.com` (a brand's other subdomains are other products,
/// listed in [`HOSTS`] when they matter). Sorted by brand.
const BRANDS: &[Row] = &[
    ("amazon", "amazon", Shopping, ""),
    ("aol", "aol", Search, "q query"),
    ("ebay", "ebay", Shopping, ""),
    ("google", "google", Search, "q"),
    ("mercadolibre", "mercadolibre", Shopping, ""),
    ("pinterest", "pinterest", Social, ""),
    ("yahoo", "yahoo", Search, "p"),
    ("yandex", "yandex", Search, "text"),
    ("yelp", "yelp", Social, ""),
];

/// Subdomains a brand's main site is served under.
const BRAND_PREFIXES: &[&str] = &["m", "search", "www"];

/// `utm_source` names that stand for a known source without being a host, sorted. From GA4's
/// list, plus webmail and AI assistant names (ours) and `x` and `meta` (newer than GA4's list).
const NAMES: &[(&str, Category)] = &[
    ("alibaba", Shopping),
    ("amazon", Shopping),
    ("aol", Search),
    ("ask", Search),
    ("baidu", Search),
    ("bing", Search),
    ("brave", Search),
    ("chatgpt", Ai),
    ("claude", Ai),
    ("copilot", Ai),
    ("dailymotion", Video),
    ("daum", Search),
    ("duckduckgo", Search),
    ("ebay", Shopping),
    ("ecosia", Search),
    ("etsy", Shopping),
    ("facebook", Social),
    ("fb", Social),
    ("gemini", Ai),
    ("gmail", Webmail),
    ("google", Search),
    ("google shopping", Shopping),
    ("google-play", Search),
    ("googlemybusiness", Search),
    ("hulu", Video),
    ("ig", Social),
    ("igshopping", Shopping),
    ("instagram", Social),
    ("line", Social),
    ("linkedin", Social),
    ("mercadolibre", Shopping),
    ("messenger", Social),
    ("meta", Social),
    ("msn", Search),
    ("naver", Search),
    ("netflix", Video),
    ("outlook", Webmail),
    ("perplexity", Ai),
    ("pinterest", Social),
    ("quora", Social),
    ("qwant", Search),
    ("reddit", Social),
    ("seznam", Search),
    ("shopify", Shopping),
    ("snapchat", Social),
    ("sogou", Search),
    ("startpage", Search),
    ("ted", Video),
    ("threads", Social),
    ("tiktok", Social),
    ("tumblr", Social),
    ("twitch", Video),
    ("twitter", Social),
    ("vimeo", Video),
    ("vk", Social),
    ("walmart", Shopping),
    ("wechat", Social),
    ("weibo", Social),
    ("whatsapp", Social),
    ("wistia", Video),
    ("x", Social),
    ("yahoo", Search),
    ("yandex", Search),
    ("yelp", Social),
    ("youtube", Video),
];

fn known(&(_, name, category, term_param): &Row) -> KnownSource {
    KnownSource {
        name,
        category,
        term_param,
    }
}

/// The known source for a referrer host (lower-case, as [`Url`] gives it), if any: the longest
/// listed suffix of the host, then a brand under a country domain, then a webmail host by its
/// conventional `webmail.` name.
pub fn lookup(host: &str) -> Option<KnownSource> {
    if host.is_empty() {
        return None;
    }
    let mut suffix = host;
    loop {
        if let Ok(i) = HOSTS.binary_search_by(|row| row.0.cmp(suffix)) {
            return HOSTS.get(i).map(known);
        }
        match suffix.split_once('.') {
            Some((_, parent)) => suffix = parent,
            None => break,
        }
    }
    if let Some(row) = brand(host) {
        return Some(known(row));
    }
    // `webmail.<provider>` is what hosting providers call their webmail; the host is the source.
    host.starts_with("webmail.").then_some(KnownSource {
        name: "",
        category: Webmail,
        term_param: "",
    })
}

/// A brand row if `host` is `[www.|m.|search.]<brand>.<country or generic domain>`.
fn brand(host: &str) -> Option<&'static Row> {
    let (mut first, mut rest) = host.split_once('.')?;
    if BRAND_PREFIXES.contains(&first) {
        (first, rest) = rest.split_once('.')?;
    }
    // One or two short labels after the brand: `com`, `de`, `co.uk`, `com.br`.
    let mut labels = 0;
    for label in rest.split('.') {
        labels += 1;
        if labels > 2 || !(2..=3).contains(&label.len()) {
            return None;
        }
    }
    let i = BRANDS.binary_search_by(|row| row.0.cmp(first)).ok()?;
    BRANDS.get(i)
}

/// The known source for a `utm_source` value (any case, surrounding spaces ignored): a name from the
/// list, or a host.
pub fn lookup_name(source: &str) -> Option<KnownSource> {
    let source = source.trim();
    if let Ok(i) = NAMES.binary_search_by(|(name, _)| cmp_lower(name, source)) {
        return NAMES.get(i).map(|&(name, category)| KnownSource {
            name,
            category,
            term_param: "",
        });
    }
    if !source.contains('.') {
        return None;
    }
    if source.bytes().any(|b| b.is_ascii_uppercase()) {
        return lookup(&source.to_ascii_lowercase());
    }
    lookup(source)
}

/// Compares a lower-case table key with `value` as if `value` were lower-cased, without allocating.
fn cmp_lower(key: &str, value: &str) -> core::cmp::Ordering {
    key.bytes()
        .cmp(value.bytes().map(|b| b.to_ascii_lowercase()))
}

/// The search term in a referrer's query string, for engines that still send one. A value that is itself a
/// URL (Google's `/url?q=https://...` redirects) is not a search term.
pub fn search_term(query: &str, known: KnownSource) -> Option<String> {
    known.term_param.split(' ').find_map(|name| {
        if name.is_empty() {
            return None;
        }
        crate::url::param(query, name)
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty() && !t.starts_with("http://") && !t.starts_with("https://"))
    })
}

/// Every table, for the tests that keep them sorted and for the size report.
#[cfg(test)]
pub(crate) fn tables() -> (
    &'static [Row],
    &'static [Row],
    &'static [(&'static str, Category)],
) {
    (HOSTS, BRANDS, NAMES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_lower_case_and_unique() {
        let (hosts, brands, names) = tables();
        for keys in [
            hosts.iter().map(|r| r.0).collect::<Vec<_>>(),
            brands.iter().map(|r| r.0).collect(),
            names.iter().map(|r| r.0).collect(),
        ] {
            for pair in keys.windows(2) {
                assert!(pair[0] < pair[1], "not sorted or duplicated: {pair:?}");
            }
            for key in keys {
                assert_eq!(key, key.to_ascii_lowercase().trim(), "{key}");
            }
        }
    }

    #[test]
    fn finds_hosts_by_longest_suffix_then_brand() {
        // (host, name, category)
        let table: &[(&str, Option<(&str, Category)>)] = &[
            ("www.google.com", Some(("google", Search))),
            ("google.co.uk", Some(("google", Search))),
            ("m.google.com.br", Some(("google", Search))),
            ("mail.google.com", Some(("gmail", Webmail))),
            ("gemini.google.com", Some(("gemini", Ai))),
            ("docs.google.com", None),
            ("google.example.com", None),
            ("notgoogle.com", None),
            ("l.facebook.com", Some(("facebook", Social))),
            ("facebook.com.evil.org", None),
            ("uk.search.yahoo.com", Some(("yahoo", Search))),
            ("mail.yahoo.com", Some(("yahoo mail", Webmail))),
            ("www.amazon.co.uk", Some(("amazon", Shopping))),
            ("aws.amazon.com", None),
            ("ar.pinterest.com", Some(("pinterest", Social))),
            ("webmail.example.net", Some(("", Webmail))),
            ("x.com", Some(("twitter", Social))),
            ("box.com", None),
            ("", None),
        ];
        for (host, want) in table {
            let got = lookup(host).map(|k| (k.name, k.category));
            assert_eq!(got, *want, "{host}");
        }
    }

    #[test]
    fn finds_names_in_any_case() {
        assert_eq!(lookup_name("Google").map(|k| k.category), Some(Search));
        assert_eq!(lookup_name(" IG ").map(|k| k.category), Some(Social));
        assert_eq!(
            lookup_name("M.Facebook.com").map(|k| k.name),
            Some("facebook")
        );
        assert_eq!(lookup_name("newsletter"), None);
        assert_eq!(lookup_name(""), None);
    }
}
