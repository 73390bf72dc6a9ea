//! Call-control markup (TwiML): the answer that forwards a call at once.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::phone::E164;

/// How to forward a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dial<'a> {
    /// The business line.
    pub to: &'a E164,
    /// Seconds to ring the business before giving up.
    pub timeout_s: u32,
    /// Record the call from when the business answers.
    pub record: bool,
    /// A URL that returns the whisper played to the business before it is connected, if any.
    pub whisper_url: Option<&'a str>,
    /// A URL Twilio calls when the forwarded leg ends (with `DialCallStatus`), if any.
    pub action_url: Option<&'a str>,
}

/// TwiML that forwards the call: the caller hears ringing until the business answers
/// (`answerOnBridge`), never a prompt.
pub fn dial(d: &Dial<'_>) -> String {
    let mut out = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Response><Dial answerOnBridge="true" timeout=""#,
    );
    crate::json::push_u64(&mut out, u64::from(d.timeout_s));
    out.push('"');
    if d.record {
        out.push_str(r#" record="record-from-answer-dual""#);
    }
    if let Some(action) = d.action_url {
        out.push_str(r#" action=""#);
        push_escaped(&mut out, action);
        out.push('"');
    }
    out.push_str("><Number");
    if let Some(url) = d.whisper_url {
        out.push_str(r#" url=""#);
        push_escaped(&mut out, url);
        out.push('"');
    }
    out.push('>');
    push_escaped(&mut out, d.to.as_str());
    out.push_str("</Number></Dial></Response>");
    out
}

/// TwiML that says `text` and hangs up (the whisper, or a number that is not in service).
pub fn say(text: &str) -> String {
    let mut out = String::from(r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say>"#);
    push_escaped(&mut out, text);
    out.push_str("</Say></Response>");
    out
}

/// Escapes text for XML content and attribute values.
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwards_at_once() {
        let to = E164::parse("+12125550100").unwrap();
        let plain = Dial {
            to: &to,
            timeout_s: 30,
            record: false,
            whisper_url: None,
            action_url: None,
        };
        assert_eq!(
            dial(&plain),
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Dial answerOnBridge="true" timeout="30"><Number>+12125550100</Number></Dial></Response>"#
        );
        let full = Dial {
            record: true,
            whisper_url: Some("/w?a=1&b=2"),
            action_url: Some("/done"),
            ..plain
        };
        assert_eq!(
            dial(&full),
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Dial answerOnBridge="true" timeout="30" record="record-from-answer-dual" action="/done"><Number url="/w?a=1&amp;b=2">+12125550100</Number></Dial></Response>"#
        );
    }

    #[test]
    fn escapes_what_it_says() {
        assert_eq!(
            say("Call from <Google> & \"friends\"\u{1}"),
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say>Call from &lt;Google&gt; &amp; &quot;friends&quot;</Say></Response>"#
        );
    }
}
