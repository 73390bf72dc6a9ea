//! The tables of known sources: search engines, social networks, video and shopping sites, webmail
//! and AI assistants, recognised by referrer host (and path) or by `utm_source` name.
//!
//! The tables are generated (`sources/table.rs`, by `scripts/referrer-tables`) from two snapshots
//! in `crates/core/data/`: Matomo's searchengine-and-social-list (CC0 1.0: search engines with
//! their term parameters, social networks, AI assistants), and our own rows (`ours.tsv`: the GA4
//! source categories we keep, video and shopping sites, webmail hosts and dereferrers, the
//! engines of Matomo's list that must count without a search term, link-in-bio pages, names; each
//! row added since sources were recorded names its source, never a GPL-licensed list).
//! `docs/classification.md` says which list decides what.
//!
//! A lookup is a handful of binary searches over one sorted slice (the host, the host with its
//! first label or its country domain as a placeholder, then its parent domains), so it stays well
//! under a microsecond with about a thousand patterns. The tables stay in the worker and `dni
//! classify`: the browser runs the table-free [`super::kind`].

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

use Category::Webmail;

/// The generated tables. (Not formatted: the generator writes them, and a test compares.)
#[rustfmt::skip]
mod table;

/// One host pattern: (host, path, index into the sources, flags). The host is lower-case, without
/// a leading `www.` or `m.`; `{}` stands for its first label or its country domain (`google.{}`,
/// `{}.search.yahoo.com`). A row with a path matches a referrer whose path starts with it.
type Host = (&'static str, &'static str, u16, u8);

/// The row covers the host's subdomains too (social networks, AI assistants, webmail, and our
/// rows); without it, only the host itself, after a leading `www.` or `m.`.
const SUB: u8 = 1;
/// The row counts for a `utm_source` written as a host: GA4 reads tagged links against its own
/// lists, so only the rows cut from GA4's list count, and our webmail and AI rows (our documented
/// departures hold for tags as for referrers).
const TAGS: u8 = 2;
/// A search engine in Matomo's list that counts only when the referrer carries a search term
/// (the list says which engines refer without one: those do not need it).
const NEEDS_TERM: u8 = 4;

fn known(&(name, category, term_param): &(&'static str, Category, &'static str)) -> KnownSource {
    KnownSource {
        name,
        category,
        term_param,
    }
}

/// The known source for a referrer: its host (lower-case, as [`Url`] gives it) and what follows
/// the host (path and query), if any. Most specific first: the host itself, then with its first
/// label or its country domain as a placeholder, then its parent domains (rows that cover
/// subdomains), then a webmail host by its conventional name (`webmail.`, `mail.`...).
///
/// [`Url`]: crate::url::Url
pub fn lookup(host: &str, rest: &str) -> Option<KnownSource> {
    let path = match rest.find(['?', '#']) {
        Some(at) => rest.get(..at).unwrap_or_default(),
        None => rest,
    };
    find(host, path, crate::url::query_of(rest), 0)
}

/// [`lookup`] over the rows whose flags include `need`.
fn find(host: &str, path: &str, query: &str, need: u8) -> Option<KnownSource> {
    let full = host;
    let host = host
        .strip_prefix("www.")
        .or_else(|| host.strip_prefix("m."))
        .unwrap_or(host);
    if host.is_empty() {
        return None;
    }
    if let Some(found) = group(host, path, query, need) {
        return Some(found);
    }
    // `{}.search.yahoo.com`: the first label is a country or any subdomain.
    if let Some((_, tail)) = host.split_once('.') {
        if tail.contains('.') {
            if let Some(found) = Key::new(&["{}.", tail]).and_then(|k| k.group(path, query, need)) {
                return Some(found);
            }
        }
    }
    // `google.{}`: one or two short labels at the end are a country domain (`de`, `co.uk`,
    // `com.br`, `cat`).
    if let Some((head, last)) = host.rsplit_once('.') {
        if is_short(last) {
            if let Some(found) = Key::new(&[head, ".{}"]).and_then(|k| k.group(path, query, need)) {
                return Some(found);
            }
            if let Some((head, second)) = head.rsplit_once('.') {
                if is_short(second) {
                    let key = Key::new(&[head, ".{}"]);
                    if let Some(found) = key.and_then(|k| k.group(path, query, need)) {
                        return Some(found);
                    }
                }
            }
        }
    }
    // Parent domains, longest first, for the rows that cover their subdomains.
    let mut suffix = host;
    while let Some((_, parent)) = suffix.split_once('.') {
        if !parent.contains('.') {
            break;
        }
        if let Some(found) = group(parent, path, query, need | SUB) {
            return Some(found);
        }
        suffix = parent;
    }
    // `webmail.`, `mail.`, `mail2.`, `email.`: what hosting providers and companies call their
    // webmail (and email platforms their link trackers); the host is the source.
    let (first, rest) = full.split_once('.')?;
    let mail_label = matches!(first, "webmail" | "mail" | "email")
        || first
            .strip_prefix("mail")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    (mail_label && rest.contains('.')).then_some(KnownSource {
        name: "",
        category: Webmail,
        term_param: "",
    })
}

/// At least the longest host pattern in the table (checked at compile time): a longer key
/// cannot match.
const MAX_KEY: usize = 128;
const _: () = assert!(max_key(table::HOSTS) <= MAX_KEY && table::HOSTS.len() < u16::MAX as usize);

const fn max_key(hosts: &[Host]) -> usize {
    let (mut i, mut max) = (0, 0);
    while i < hosts.len() {
        if hosts[i].0.len() > max {
            max = hosts[i].0.len();
        }
        i += 1;
    }
    max
}

/// A host pattern built on the stack (a lookup allocates nothing): a key longer than any row's
/// cannot match and is not built.
struct Key {
    bytes: [u8; MAX_KEY],
    len: usize,
}

impl Key {
    fn new(parts: &[&str]) -> Option<Key> {
        let mut key = Key {
            bytes: [0; MAX_KEY],
            len: 0,
        };
        for part in parts {
            let end = key.len + part.len();
            key.bytes
                .get_mut(key.len..end)?
                .copy_from_slice(part.as_bytes());
            key.len = end;
        }
        Some(key)
    }

    fn group(&self, path: &str, query: &str, need: u8) -> Option<KnownSource> {
        let key = core::str::from_utf8(self.bytes.get(..self.len)?).ok()?;
        group(key, path, query, need)
    }
}

/// Where the rows of each first byte start in [`table::HOSTS`]: the rows of `b` are
/// `FIRST[b]..FIRST[b + 1]`, so a search starts in a range of tens of rows, not a thousand.
static FIRST: [u16; 257] = first_index(table::HOSTS);

#[allow(clippy::cast_possible_truncation)] // checked above: fewer rows than u16::MAX
const fn first_index(hosts: &[Host]) -> [u16; 257] {
    let mut out = [0u16; 257];
    let (mut byte, mut i) = (0, 0);
    while byte < 256 {
        while i < hosts.len() && (first_byte(hosts[i].0) as usize) < byte {
            i += 1;
        }
        out[byte] = i as u16;
        byte += 1;
    }
    out[256] = hosts.len() as u16;
    out
}

const fn first_byte(key: &str) -> u8 {
    match key.as_bytes() {
        [b, ..] => *b,
        [] => 0,
    }
}

/// The rows whose host pattern starts with `key`'s first byte.
fn rows_of(key: &str) -> &'static [Host] {
    let b = usize::from(first_byte(key));
    match (FIRST.get(b), FIRST.get(b + 1)) {
        (Some(&from), Some(&to)) => table::HOSTS
            .get(usize::from(from)..usize::from(to))
            .unwrap_or_default(),
        _ => &[],
    }
}

/// A label that may be (part of) a country domain: two or three letters.
fn is_short(label: &str) -> bool {
    (2..=3).contains(&label.len()) && label.bytes().all(|b| b.is_ascii_lowercase())
}

/// The best row for the host pattern `key`: among its rows with the flags `need` whose path the
/// referrer's is under (and, for an engine that needs one, whose search term it carries), the one
/// with the longest path.
fn group(key: &str, path: &str, query: &str, need: u8) -> Option<KnownSource> {
    let rows = rows_of(key);
    let start = rows.partition_point(|row| row.0 < key);
    let mut best: Option<(&str, KnownSource)> = None;
    for &(host, row_path, source, flags) in rows.get(start..)? {
        if host != key {
            break;
        }
        if flags & need != need || !under_path(path, row_path) {
            continue;
        }
        let Some(found) = table::SOURCES.get(usize::from(source)).map(known) else {
            continue;
        };
        if flags & NEEDS_TERM != 0 && search_term(query, found).is_none() {
            continue;
        }
        if best.is_none_or(|(p, _)| row_path.len() > p.len()) {
            best = Some((row_path, found));
        }
    }
    best.map(|(_, found)| found)
}

/// Whether `path` is `prefix` or below it (`/imgres` covers `/imgres` and `/imgres/x`, not
/// `/imgresx`); an empty prefix covers every path.
fn under_path(path: &str, prefix: &str) -> bool {
    prefix.is_empty()
        || (path.starts_with(prefix)
            && (prefix.ends_with('/')
                || matches!(path.as_bytes().get(prefix.len()), None | Some(b'/'))))
}

/// The known source for a `utm_source` value (any case, surrounding spaces ignored): a name from the
/// list, or a host on the lists that count for tags (see [`TAGS`]).
pub fn lookup_name(source: &str) -> Option<KnownSource> {
    let source = source.trim();
    if let Ok(i) = table::NAMES.binary_search_by(|(name, _)| cmp_lower(name, source)) {
        return table::NAMES.get(i).map(|&(name, category)| KnownSource {
            name,
            category,
            term_param: "",
        });
    }
    if !source.contains('.') {
        return None;
    }
    if source.bytes().any(|b| b.is_ascii_uppercase()) {
        return find(&source.to_ascii_lowercase(), "", "", TAGS);
    }
    find(source, "", "", TAGS)
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

#[cfg(test)]
mod tests {
    use super::*;
    use Category::{Ai, Search, Shopping, Social, Video};

    #[test]
    fn tables_are_sorted_lower_case_and_unique() {
        for pair in table::HOSTS.windows(2) {
            assert!(
                (pair[0].0, pair[0].1) < (pair[1].0, pair[1].1),
                "not sorted or duplicated: {pair:?}"
            );
        }
        for pair in table::NAMES.windows(2) {
            assert!(pair[0].0 < pair[1].0, "not sorted or duplicated: {pair:?}");
        }
        for key in table::HOSTS
            .iter()
            .map(|r| r.0)
            .chain(table::NAMES.iter().map(|r| r.0))
        {
            assert_eq!(key, key.to_ascii_lowercase().trim(), "{key}");
        }
        for row in table::HOSTS {
            assert!(usize::from(row.2) < table::SOURCES.len(), "{row:?}");
            assert!(
                rows_of(row.0).contains(row),
                "{row:?} not in its first byte's range"
            );
        }
    }

    #[test]
    fn finds_hosts_by_pattern_then_parent_domain() {
        // (host, rest of the referrer, name and category)
        type Case = (&'static str, &'static str, Option<(&'static str, Category)>);
        let table: &[Case] = &[
            ("www.google.com", "/", Some(("google", Search))),
            ("google.co.uk", "", Some(("google", Search))),
            ("m.google.com.br", "", Some(("google", Search))),
            ("www.google.cat", "", Some(("google", Search))),
            (
                "www.google.de",
                "/imgres?imgurl=x",
                Some(("google images", Search)),
            ),
            ("www.google.de", "/imgresx", Some(("google", Search))),
            ("images.google.co.uk", "", Some(("google images", Search))),
            ("mail.google.com", "", Some(("gmail", Webmail))),
            ("gemini.google.com", "", Some(("gemini", Ai))),
            ("docs.google.com", "", None),
            ("google.example.com", "", None),
            ("notgoogle.com", "", None),
            ("l.facebook.com", "", Some(("facebook", Social))),
            ("facebook.com.evil.org", "", None),
            ("uk.search.yahoo.com", "", Some(("yahoo", Search))),
            ("mail.yahoo.com", "", Some(("yahoo mail", Webmail))),
            ("www.amazon.co.uk", "", Some(("amazon", Shopping))),
            ("aws.amazon.com", "", None),
            ("ar.pinterest.com", "", Some(("pinterest", Social))),
            ("m.youtube.com", "", Some(("youtube", Video))),
            // Matomo's list: a search engine by its term, a social network by any subdomain.
            (
                "images.yandex.ru",
                "/yandsearch?text=x",
                Some(("yandex images", Search)),
            ),
            ("images.yandex.ru", "/", None),
            ("meta.ua", "/search.asp?q=x", Some(("meta.ua", Search))),
            ("www.cnn.com", "/search?query=x", Some(("google", Search))),
            ("www.cnn.com", "/2026/article", None),
            ("lm.workplace.com", "", Some(("workplace", Social))),
            // Ours for engines that must count without a term; `exact` leaves subdomains alone.
            ("suche.aol.de", "", Some(("aol", Search))),
            ("meta.ua", "", Some(("meta.ua", Search))),
            ("mail.meta.ua", "", Some(("", Webmail))),
            (
                "s3-us3.ixquick.com",
                "/do/search",
                Some(("ixquick", Search)),
            ),
            ("isearch.babylon.com", "", None),
            // Link-in-bio pages are social.
            ("linktr.ee", "/someone", Some(("linktree", Social))),
            ("x.com", "/i/grok?conversation=1", Some(("grok", Ai))),
            ("x.com", "/someone", Some(("twitter", Social))),
            // Webmail: ours, with subdomains; the conventional names.
            (
                "co106w.col106.mail.live.com",
                "",
                Some(("outlook", Webmail)),
            ),
            (
                "deref-gmx.net",
                "/mail/client/x/dereferrer/",
                Some(("gmx", Webmail)),
            ),
            // A country placeholder; a dereferrer on a portal's path, not the rest of the portal.
            (
                "deref-gmx.at",
                "/mail/client/x/dereferrer/",
                Some(("gmx", Webmail)),
            ),
            (
                "www.gmx.com",
                "/dereferrer/?target=x",
                Some(("gmx", Webmail)),
            ),
            ("www.gmx.com", "/news/", None),
            ("webmail.example.net", "", Some(("", Webmail))),
            ("mail3.example.net", "", Some(("", Webmail))),
            ("mail.ru", "", None),
            ("mailer.example.net", "", None),
            ("x.com", "", Some(("twitter", Social))),
            ("box.com", "", None),
            ("", "", None),
        ];
        for (host, rest, want) in table {
            let got = lookup(host, rest).map(|k| (k.name, k.category));
            assert_eq!(got, *want, "{host}{rest}");
        }
    }

    #[test]
    fn finds_names_in_any_case_and_only_tag_rows_for_hosts() {
        assert_eq!(lookup_name("Google").map(|k| k.category), Some(Search));
        assert_eq!(lookup_name(" IG ").map(|k| k.category), Some(Social));
        assert_eq!(
            lookup_name("M.Facebook.com").map(|k| k.name),
            Some("facebook")
        );
        assert_eq!(lookup_name("google.de").map(|k| k.name), Some("google"));
        assert_eq!(
            lookup_name("search.yahoo.de").map(|k| k.name),
            Some("yahoo")
        );
        assert_eq!(
            lookup_name("deref-web.de").map(|k| k.category),
            Some(Webmail)
        );
        // Matomo's search and social rows count for referrers, not for tags (GA4's lists do).
        assert_eq!(lookup_name("meta.ua"), None);
        assert_eq!(lookup_name("github.com"), None);
        // Nor do our rows flagged `referrer` (not cut from GA4's lists).
        assert_eq!(lookup_name("suche.aol.de"), None);
        assert_eq!(lookup_name("linktr.ee"), None);
        assert_eq!(lookup_name("newsletter"), None);
        assert_eq!(lookup_name(""), None);
    }
}
