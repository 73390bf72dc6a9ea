//! The whisper: a short sentence the answering team hears before the caller is connected ("Call
//! from Paid Search, spring sale"), from a template the site owner writes. The values come from
//! the call's attribution, which a visitor's link can set (`utm_campaign`): they are cut short and
//! stripped of control characters here, and escaped by the markup, never trusted.

#[allow(unused_imports)]
use crate::prelude::*;

/// The template when the target does not give one.
pub const DEFAULT_TEMPLATE: &str = "Call from {channel}, {campaign}";

/// Longest whisper spoken.
pub const MAX_WHISPER: usize = 200;

/// Longest value put into a template.
const MAX_VALUE: usize = 60;

/// What a template may name.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fields<'a> {
    /// `{channel}`.
    pub channel: &'a str,
    /// `{source}`.
    pub source: &'a str,
    /// `{medium}`.
    pub medium: &'a str,
    /// `{campaign}`.
    pub campaign: &'a str,
    /// `{keyword}`.
    pub keyword: &'a str,
    /// `{number}`: the tracking number dialed.
    pub number: &'a str,
}

/// The template with its placeholders filled. Empty values leave no dangling commas.
pub fn render(template: &str, f: &Fields<'_>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        let value = match &after[..close] {
            "channel" => f.channel,
            "source" => f.source,
            "medium" => f.medium,
            "campaign" => f.campaign,
            "keyword" => f.keyword,
            "number" => f.number,
            _ => "",
        };
        out.extend(value.chars().filter(|c| !c.is_control()).take(MAX_VALUE));
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    tidy(&out)
}

/// Drops the separators an empty value left behind (", ," and a trailing ",").
fn tidy(text: &str) -> String {
    let parts: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let mut out = parts.join(", ");
    if out.len() > MAX_WHISPER {
        let mut cut = MAX_WHISPER;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_templates() {
        let full = Fields {
            channel: "Paid Search",
            source: "google",
            medium: "cpc",
            campaign: "spring sale",
            keyword: "plumber",
            number: "+12125550101",
        };
        let none = Fields {
            channel: "Direct",
            ..Fields::default()
        };
        let hostile = Fields {
            channel: "Paid Search",
            campaign: "<Say>free\u{7}</Say>&",
            ..Fields::default()
        };
        // (template, fields, spoken)
        let table = [
            (
                DEFAULT_TEMPLATE,
                &full,
                "Call from Paid Search, spring sale",
            ),
            (DEFAULT_TEMPLATE, &none, "Call from Direct"),
            (
                "{source} / {keyword} on {number}",
                &full,
                "google / plumber on +12125550101",
            ),
            ("{campaign}, {channel}, {nope}", &none, "Direct"),
            ("Unclosed {channel", &full, "Unclosed {channel"),
            (
                DEFAULT_TEMPLATE,
                &hostile,
                "Call from Paid Search, <Say>free</Say>&",
            ),
        ];
        for (template, fields, want) in table {
            assert_eq!(render(template, fields), want, "{template}");
        }
        let long = "x".repeat(500);
        let f = Fields {
            campaign: &long,
            ..full
        };
        assert!(render("{campaign}{campaign}{campaign}{campaign}", &f).len() <= MAX_WHISPER);
    }
}
