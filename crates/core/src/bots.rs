//! Automated visitors never take a number from a pool: a crawler that "visits" a page would hold a
//! number that no human will ever call, and pools are sized for people.

#[allow(unused_imports)]
use crate::prelude::*;

/// Substrings (lower-case, `|`-separated) of the user agents of crawlers, monitors, previewers and
/// headless browsers. One string rather than a table: see [`crate::text::one_of_ci`].
const MARKERS: &str = "bot|crawl|spider|slurp|headless|lighthouse|pingdom|uptime|monitor|preview|\
facebookexternalhit|embedly|curl/|wget/|python-|go-http-client|java/|okhttp|axios/|node-fetch|\
phantomjs|selenium|puppeteer|playwright|httpclient|scrapy|bingpreview|mediapartners-google|adsbot|\
google-inspectiontool";

/// Whether a user agent is an automated one. An empty user agent counts as automated: every browser
/// sends one.
pub fn is_bot(user_agent: &str) -> bool {
    let ua = crate::text::trim(user_agent);
    if ua.is_empty() {
        return true;
    }
    // A byte search of our own, ignoring ASCII case: `str::contains` would bring the standard
    // searcher and its panic formatting into the browser module.
    crate::text::split(MARKERS, b'|').any(|m| crate::text::contains_ci(ua, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_people_from_programs() {
        let table = [
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36", false),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1", false),
            ("Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0", false),
            ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", true),
            ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", true),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36", true),
            ("facebookexternalhit/1.1", true),
            ("curl/8.5.0", true),
            ("AdsBot-Google (+http://www.google.com/adsbot.html)", true),
            ("", true),
        ];
        for (ua, bot) in table {
            assert_eq!(is_bot(ua), bot, "{ua}");
        }
    }
}
