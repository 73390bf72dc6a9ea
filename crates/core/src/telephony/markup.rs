//! Call-control markup: TwiML for Twilio, TeXML for Telnyx (which follows TwiML's verbs and
//! attributes, and names a few differently). Every text and URL is escaped: nothing a caller or a
//! visitor's link can carry reaches the markup unescaped.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::phone::E164;

/// Which markup language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Twilio's.
    TwiML,
    /// Telnyx's.
    TeXML,
}

impl Dialect {
    /// How `<Dial>` records both legs from the answer, on two channels.
    fn dial_record(self) -> &'static str {
        match self {
            Dialect::TwiML => r#" record="record-from-answer-dual""#,
            Dialect::TeXML => r#" record="record-from-answer" recordingChannels="dual""#,
        }
    }

    /// `<Start><Transcription>`: the provider's real-time transcription of both sides of the
    /// conversation, each final utterance sent to `url`.
    fn start_transcription(self, out: &mut String, url: &str) {
        out.push_str("<Start><Transcription");
        match self {
            Dialect::TwiML => {
                out.push_str(r#" track="both_tracks""#);
                push_attr(out, "statusCallbackUrl", url);
            }
            Dialect::TeXML => {
                out.push_str(r#" transcriptionTracks="both""#);
                push_attr(out, "transcriptionCallback", url);
            }
        }
        out.push_str("/></Start>");
    }

    /// The `<Record>` attributes that ask for the provider's transcription.
    fn transcribe(self) -> (&'static str, &'static str) {
        match self {
            Dialect::TwiML => (" transcribe=\"true\"", " transcribeCallback=\""),
            Dialect::TeXML => (" transcription=\"true\"", " transcriptionCallback=\""),
        }
    }
}

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response>"#;
const TAIL: &str = "</Response>";

/// How to forward a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dial<'a> {
    /// The lines to ring, all at once (the first to answer takes the call).
    pub to: &'a [E164],
    /// Seconds to ring before giving up.
    pub timeout_s: u32,
    /// Record from the answer, both parties on their own channel.
    pub record: bool,
    /// Said to the caller before ringing (a recording notice), if any.
    pub announcement: Option<&'a str>,
    /// Where the provider sends the recording when it is ready.
    pub recording_callback: Option<&'a str>,
    /// A URL that returns the whisper played to the business before it is connected, if any.
    pub whisper_url: Option<&'a str>,
    /// A URL the provider calls when the forwarded leg ends (with `DialCallStatus`), if any.
    pub action_url: Option<&'a str>,
    /// A URL the provider calls when one of the lines picks up (each `<Number>`'s status
    /// callback for the `answered` event: which line it was), if any.
    pub leg_callback: Option<&'a str>,
    /// Where the provider sends its real-time transcription of the conversation, if any.
    pub transcription_callback: Option<&'a str>,
}

/// Markup that forwards the call: the caller hears ringing until the business answers
/// (`answerOnBridge`), never a prompt (unless a recording announcement is configured).
pub fn dial(dialect: Dialect, d: &Dial<'_>) -> String {
    let mut out = String::from(HEAD);
    if let Some(text) = d.announcement.filter(|t| !t.is_empty()) {
        push_say(&mut out, text);
    }
    if let Some(url) = d.transcription_callback {
        dialect.start_transcription(&mut out, url);
    }
    out.push_str(r#"<Dial answerOnBridge="true" timeout=""#);
    crate::json::push_u64(&mut out, u64::from(d.timeout_s));
    out.push('"');
    if d.record {
        out.push_str(dialect.dial_record());
        if let Some(url) = d.recording_callback {
            push_attr(&mut out, "recordingStatusCallback", url);
            out.push_str(r#" recordingStatusCallbackEvent="completed""#);
        }
    }
    if let Some(action) = d.action_url {
        push_attr(&mut out, "action", action);
    }
    out.push('>');
    for to in d.to {
        out.push_str("<Number");
        if let Some(url) = d.whisper_url {
            push_attr(&mut out, "url", url);
        }
        if let Some(url) = d.leg_callback {
            out.push_str(r#" statusCallbackEvent="answered""#);
            push_attr(&mut out, "statusCallback", url);
        }
        out.push('>');
        push_escaped(&mut out, to.as_str());
        out.push_str("</Number>");
    }
    out.push_str("</Dial>");
    out.push_str(TAIL);
    out
}

/// A voicemail: the greeting (text, or a recording to play), then `<Record>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voicemail<'a> {
    /// Said to the caller.
    pub greeting: Option<&'a str>,
    /// Played to the caller (instead of `greeting`).
    pub greeting_url: Option<&'a str>,
    /// Longest message, in seconds.
    pub max_length_s: u32,
    /// Where the provider sends the message when it is ready.
    pub recording_callback: &'a str,
    /// Where the provider sends its transcript, when transcription is on.
    pub transcript_callback: Option<&'a str>,
}

/// Markup that takes a message.
pub fn voicemail(dialect: Dialect, v: &Voicemail<'_>) -> String {
    let mut out = String::from(HEAD);
    match (v.greeting_url, v.greeting) {
        (Some(url), _) => {
            out.push_str("<Play>");
            push_escaped(&mut out, url);
            out.push_str("</Play>");
        }
        (None, Some(text)) => push_say(&mut out, text),
        (None, None) => {}
    }
    out.push_str(r#"<Record playBeep="true" maxLength=""#);
    crate::json::push_u64(&mut out, u64::from(v.max_length_s));
    out.push('"');
    push_attr(&mut out, "recordingStatusCallback", v.recording_callback);
    out.push_str(r#" recordingStatusCallbackEvent="completed""#);
    if let Some(url) = v.transcript_callback {
        let (on, attr) = dialect.transcribe();
        out.push_str(on);
        out.push_str(attr);
        push_escaped(&mut out, url);
        out.push('"');
    }
    out.push_str("/><Hangup/>");
    out.push_str(TAIL);
    out
}

/// What the answering party hears before the caller is connected. With `screen_action`, the
/// whisper asks for a key: `1` accepts (the action answers [`accept`]); anything else, or nothing,
/// hangs up this leg ([`hangup`]) and the caller's call goes on to the next step.
pub fn whisper(_dialect: Dialect, text: &str, screen_action: Option<&str>) -> String {
    let mut out = String::from(HEAD);
    match screen_action {
        Some(action) => {
            out.push_str(r#"<Gather numDigits="1" timeout="5""#);
            push_attr(&mut out, "action", action);
            out.push('>');
            push_say(&mut out, text);
            push_say(&mut out, "Press 1 to accept the call.");
            out.push_str("</Gather><Hangup/>");
        }
        None => push_say(&mut out, text),
    }
    out.push_str(TAIL);
    out
}

/// An empty answer: the whisper is over, connect the caller.
pub fn accept(_dialect: Dialect) -> String {
    [HEAD, TAIL].concat()
}

/// Ends the call (or, on a whisper leg, refuses it).
pub fn hangup(_dialect: Dialect) -> String {
    [HEAD, "<Hangup/>", TAIL].concat()
}

/// The answer to a Messaging webhook (TwiML): send `text` to `to` from the number that was
/// texted (`<Message to>`: a forward to the business's mobile, or a reply to the sender), or, with
/// nothing to send, an empty answer.
pub fn message(_dialect: Dialect, send: Option<(&E164, &str)>) -> String {
    let Some((to, text)) = send else {
        return [HEAD, TAIL].concat();
    };
    let mut out = String::from(HEAD);
    out.push_str("<Message");
    push_attr(&mut out, "to", to.as_str());
    out.push('>');
    push_escaped(&mut out, text);
    out.push_str("</Message>");
    out.push_str(TAIL);
    out
}

/// Refuses the call without answering it (a blocked caller hears it as busy).
pub fn reject(_dialect: Dialect) -> String {
    [HEAD, r#"<Reject reason="busy"/>"#, TAIL].concat()
}

/// Says `text` and hangs up (a number that is not in service).
pub fn say(_dialect: Dialect, text: &str) -> String {
    let mut out = String::from(HEAD);
    push_say(&mut out, text);
    out.push_str(TAIL);
    out
}

fn push_say(out: &mut String, text: &str) {
    out.push_str("<Say>");
    push_escaped(out, text);
    out.push_str("</Say>");
}

fn push_attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    push_escaped(out, value);
    out.push('"');
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
        let to = [E164::parse("+12125550100").unwrap()];
        let two = [to[0].clone(), E164::parse("+12125550199").unwrap()];
        let plain = Dial {
            to: &to,
            timeout_s: 30,
            record: false,
            announcement: None,
            recording_callback: None,
            whisper_url: None,
            action_url: None,
            leg_callback: None,
            transcription_callback: None,
        };
        let full = Dial {
            to: &two,
            record: true,
            announcement: Some("This call is recorded."),
            recording_callback: Some("/rec"),
            whisper_url: Some("/w?a=1&b=2"),
            action_url: Some("/done"),
            leg_callback: Some("/leg?s=1&t=2"),
            transcription_callback: Some("/tr?k=call&x=1"),
            ..plain.clone()
        };
        // (dialect, dial, markup)
        let table = [
            (
                Dialect::TwiML,
                &plain,
                r#"<?xml version="1.0" encoding="UTF-8"?><Response><Dial answerOnBridge="true" timeout="30"><Number>+12125550100</Number></Dial></Response>"#,
            ),
            (
                Dialect::TeXML,
                &plain,
                r#"<?xml version="1.0" encoding="UTF-8"?><Response><Dial answerOnBridge="true" timeout="30"><Number>+12125550100</Number></Dial></Response>"#,
            ),
            (
                Dialect::TwiML,
                &full,
                r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say>This call is recorded.</Say><Start><Transcription track="both_tracks" statusCallbackUrl="/tr?k=call&amp;x=1"/></Start><Dial answerOnBridge="true" timeout="30" record="record-from-answer-dual" recordingStatusCallback="/rec" recordingStatusCallbackEvent="completed" action="/done"><Number url="/w?a=1&amp;b=2" statusCallbackEvent="answered" statusCallback="/leg?s=1&amp;t=2">+12125550100</Number><Number url="/w?a=1&amp;b=2" statusCallbackEvent="answered" statusCallback="/leg?s=1&amp;t=2">+12125550199</Number></Dial></Response>"#,
            ),
            (
                Dialect::TeXML,
                &full,
                r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say>This call is recorded.</Say><Start><Transcription transcriptionTracks="both" transcriptionCallback="/tr?k=call&amp;x=1"/></Start><Dial answerOnBridge="true" timeout="30" record="record-from-answer" recordingChannels="dual" recordingStatusCallback="/rec" recordingStatusCallbackEvent="completed" action="/done"><Number url="/w?a=1&amp;b=2" statusCallbackEvent="answered" statusCallback="/leg?s=1&amp;t=2">+12125550100</Number><Number url="/w?a=1&amp;b=2" statusCallbackEvent="answered" statusCallback="/leg?s=1&amp;t=2">+12125550199</Number></Dial></Response>"#,
            ),
        ];
        for (dialect, d, want) in table {
            assert_eq!(dial(dialect, d), want, "{dialect:?}");
        }
    }

    #[test]
    fn takes_a_message() {
        let v = Voicemail {
            greeting: Some("We're closed & away."),
            greeting_url: None,
            max_length_s: 120,
            recording_callback: "/rec?kind=voicemail",
            transcript_callback: Some("/tr"),
        };
        let table = [
            (
                Dialect::TwiML,
                r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say>We&apos;re closed &amp; away.</Say><Record playBeep="true" maxLength="120" recordingStatusCallback="/rec?kind=voicemail" recordingStatusCallbackEvent="completed" transcribe="true" transcribeCallback="/tr"/><Hangup/></Response>"#,
            ),
            (
                Dialect::TeXML,
                r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say>We&apos;re closed &amp; away.</Say><Record playBeep="true" maxLength="120" recordingStatusCallback="/rec?kind=voicemail" recordingStatusCallbackEvent="completed" transcription="true" transcriptionCallback="/tr"/><Hangup/></Response>"#,
            ),
        ];
        for (dialect, want) in table {
            assert_eq!(voicemail(dialect, &v), want, "{dialect:?}");
        }
        let played = Voicemail {
            greeting_url: Some("https://example.com/closed.mp3"),
            transcript_callback: None,
            ..v
        };
        assert_eq!(
            voicemail(Dialect::TwiML, &played),
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Play>https://example.com/closed.mp3</Play><Record playBeep="true" maxLength="120" recordingStatusCallback="/rec?kind=voicemail" recordingStatusCallbackEvent="completed"/><Hangup/></Response>"#
        );
    }

    #[test]
    fn whispers_and_screens() {
        let table = [
            (
                None,
                r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say>Call from Paid Search, &lt;spring&gt;</Say></Response>"#,
            ),
            (
                Some("/screen?x=1&y=2"),
                r#"<?xml version="1.0" encoding="UTF-8"?><Response><Gather numDigits="1" timeout="5" action="/screen?x=1&amp;y=2"><Say>Call from Paid Search, &lt;spring&gt;</Say><Say>Press 1 to accept the call.</Say></Gather><Hangup/></Response>"#,
            ),
        ];
        for (screen, want) in table {
            assert_eq!(
                whisper(Dialect::TwiML, "Call from Paid Search, <spring>", screen),
                want
            );
        }
    }

    #[test]
    fn escapes_what_it_says() {
        assert_eq!(
            say(Dialect::TwiML, "Call from <Google> & \"friends\"\u{1}"),
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say>Call from &lt;Google&gt; &amp; &quot;friends&quot;</Say></Response>"#
        );
    }
}
