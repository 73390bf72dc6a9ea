//! The tables of known sources: search engines, social networks, video and shopping sites, webmail
//! and AI assistants, recognised by referrer host or by `utm_source` name.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::url::Url;

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
    /// The medium a referral from such a site gets when no UTM tag says otherwise.
    pub fn medium(self) -> &'static str {
        match self {
            Category::Search => "organic",
            Category::Webmail => "email",
            Category::Social | Category::Video | Category::Shopping | Category::Ai => "referral",
        }
    }
}

/// One known source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownSource {
    /// The source name reported (`google`, `facebook`, `chatgpt`...).
    pub name: &'static str,
    /// What it is.
    pub category: Category,
    /// The referrer's query parameter that carries the search term, if the site sends one.
    pub term_param: &'static str,
}

/// How an entry matches a host.
#[derive(Clone, Copy)]
enum Pattern {
    /// The domain and its subdomains: `duckduckgo.com` matches `html.duckduckgo.com`.
    Domain(&'static str),
    /// A brand under any country domain: `google` matches `www.google.co.uk` and `google.de`.
    Brand(&'static str),
}

use Category::{Ai, Search, Shopping, Social, Video, Webmail};
use Pattern::{Brand, Domain};

/// Most specific first: `mail.google.com` and `gemini.google.com` come before Google Search.
const TABLE: &[(Pattern, &str, Category, &str)] = &[
    // Webmail.
    (Domain("mail.google.com"), "gmail", Webmail, ""),
    (Domain("outlook.live.com"), "outlook.com", Webmail, ""),
    (Domain("outlook.office.com"), "outlook.com", Webmail, ""),
    (Domain("outlook.office365.com"), "outlook.com", Webmail, ""),
    (Domain("mail.yahoo.com"), "yahoo mail", Webmail, ""),
    (Domain("mail.aol.com"), "aol mail", Webmail, ""),
    (Domain("mail.proton.me"), "proton mail", Webmail, ""),
    (Domain("mail.zoho.com"), "zoho mail", Webmail, ""),
    (Domain("com.google.android.gm"), "gmail", Webmail, ""),
    // AI assistants.
    (Domain("chatgpt.com"), "chatgpt", Ai, ""),
    (Domain("chat.openai.com"), "chatgpt", Ai, ""),
    (Domain("perplexity.ai"), "perplexity", Ai, ""),
    (Domain("gemini.google.com"), "gemini", Ai, ""),
    (Domain("bard.google.com"), "gemini", Ai, ""),
    (Domain("copilot.microsoft.com"), "copilot", Ai, ""),
    (Domain("claude.ai"), "claude", Ai, ""),
    (Domain("chat.mistral.ai"), "mistral", Ai, ""),
    (Domain("chat.deepseek.com"), "deepseek", Ai, ""),
    (Domain("you.com"), "you.com", Ai, "q"),
    // Video before search: youtube.com is a Google property but a video site.
    (Domain("youtube.com"), "youtube", Video, ""),
    (Domain("youtu.be"), "youtube", Video, ""),
    (Domain("vimeo.com"), "vimeo", Video, ""),
    (Domain("twitch.tv"), "twitch", Video, ""),
    (Domain("dailymotion.com"), "dailymotion", Video, ""),
    // Shopping.
    (Brand("amazon"), "amazon", Shopping, ""),
    (Brand("ebay"), "ebay", Shopping, ""),
    (
        Domain("shopping.google.com"),
        "google shopping",
        Shopping,
        "",
    ),
    (Domain("etsy.com"), "etsy", Shopping, ""),
    (Domain("walmart.com"), "walmart", Shopping, ""),
    (Domain("shopify.com"), "shopify", Shopping, ""),
    // Search engines.
    (Brand("google"), "google", Search, "q"),
    (Domain("bing.com"), "bing", Search, "q"),
    (Domain("search.yahoo.com"), "yahoo", Search, "p"),
    (Brand("yahoo"), "yahoo", Search, "p"),
    (Domain("duckduckgo.com"), "duckduckgo", Search, "q"),
    (Brand("yandex"), "yandex", Search, "text"),
    (Domain("ya.ru"), "yandex", Search, "text"),
    (Domain("baidu.com"), "baidu", Search, "wd"),
    (Domain("naver.com"), "naver", Search, "query"),
    (Domain("ecosia.org"), "ecosia", Search, "q"),
    (Domain("search.brave.com"), "brave", Search, "q"),
    (Domain("startpage.com"), "startpage", Search, "query"),
    (Domain("qwant.com"), "qwant", Search, "q"),
    (Domain("seznam.cz"), "seznam", Search, "q"),
    (Domain("ask.com"), "ask", Search, "q"),
    (Domain("aol.com"), "aol", Search, "q"),
    // Social networks.
    (Domain("facebook.com"), "facebook", Social, ""),
    (Domain("fb.com"), "facebook", Social, ""),
    (Domain("instagram.com"), "instagram", Social, ""),
    (Domain("linkedin.com"), "linkedin", Social, ""),
    (Domain("lnkd.in"), "linkedin", Social, ""),
    (Domain("t.co"), "twitter", Social, ""),
    (Domain("twitter.com"), "twitter", Social, ""),
    (Domain("x.com"), "twitter", Social, ""),
    (Domain("pinterest.com"), "pinterest", Social, ""),
    (Domain("reddit.com"), "reddit", Social, ""),
    (Domain("tiktok.com"), "tiktok", Social, ""),
    (Domain("snapchat.com"), "snapchat", Social, ""),
    (Domain("threads.net"), "threads", Social, ""),
    (Domain("nextdoor.com"), "nextdoor", Social, ""),
    (Domain("yelp.com"), "yelp", Social, ""),
];

/// `utm_source` names that stand for a known source without being a host.
const NAMES: &[(&str, Category)] = &[
    ("google", Search),
    ("bing", Search),
    ("yahoo", Search),
    ("duckduckgo", Search),
    ("yandex", Search),
    ("baidu", Search),
    ("naver", Search),
    ("ecosia", Search),
    ("facebook", Social),
    ("fb", Social),
    ("instagram", Social),
    ("ig", Social),
    ("linkedin", Social),
    ("twitter", Social),
    ("x", Social),
    ("pinterest", Social),
    ("reddit", Social),
    ("tiktok", Social),
    ("snapchat", Social),
    ("meta", Social),
    ("youtube", Video),
    ("vimeo", Video),
    ("twitch", Video),
    ("amazon", Shopping),
    ("ebay", Shopping),
    ("etsy", Shopping),
    ("google shopping", Shopping),
];

/// The known source for a referrer host (lower-case), if any.
pub fn lookup(host: &str) -> Option<KnownSource> {
    if host.is_empty() {
        return None;
    }
    TABLE
        .iter()
        .find(|(pattern, ..)| matches(*pattern, host))
        .map(|&(_, name, category, term_param)| KnownSource {
            name,
            category,
            term_param,
        })
}

/// The known source for a `utm_source` value (lower-case): a name from the list, or a host.
pub fn lookup_name(source: &str) -> Option<KnownSource> {
    if let Some(&(name, category)) = NAMES.iter().find(|(name, _)| *name == source) {
        return Some(KnownSource {
            name,
            category,
            term_param: "",
        });
    }
    if source.contains('.') {
        return lookup(source);
    }
    None
}

fn matches(pattern: Pattern, host: &str) -> bool {
    match pattern {
        Domain(domain) => {
            host == domain || host.strip_suffix(domain).is_some_and(|p| p.ends_with('.'))
        }
        Brand(brand) => host.split('.').enumerate().any(|(i, label)| {
            // The brand label followed by a country or generic domain of one or two short labels.
            label == brand && {
                let rest: Vec<&str> = host.split('.').skip(i + 1).collect();
                !rest.is_empty()
                    && rest.len() <= 2
                    && rest.iter().all(|l| (2..=3).contains(&l.len()))
            }
        }),
    }
}

/// The search term the referrer carries, for engines that still send one.
pub fn search_term(referrer: &Url<'_>, known: KnownSource) -> Option<String> {
    if known.term_param.is_empty() {
        return None;
    }
    referrer
        .param(known.term_param)
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}
