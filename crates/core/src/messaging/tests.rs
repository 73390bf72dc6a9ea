//! Texts' tables: keywords, attribution as for a call to the same number, conversations, and what
//! each text does under the target's setting and the routing rules.

#![allow(clippy::type_complexity)]

use super::*;
use crate::call_control::Visit;
use crate::classify::Channel;
use crate::config::{NumberRoute, SiteConfig};
use crate::fixtures::{held_by, n, paid_visit, route, site, CLOSED, OPEN, SITE};
use crate::telephony::routing::TextAction;
use crate::telephony::{twiml_form, Form};

fn text(id: &str, from: &str, to: &str, body: &str) -> InboundMessage {
    InboundMessage {
        message_id: id.into(),
        from: n(from),
        to: n(to),
        body: body.into(),
        media: 0,
    }
}

/// What the worker does with a text: route it, credit the pool's answer, and make its lead.
fn receive<'a>(
    config: &'a SiteConfig,
    route: &'a NumberRoute,
    message: &InboundMessage,
    now: Millis,
) -> Result<Lead<'a>, String> {
    match incoming(message, Provider::Twilio, Lookup::Site(route, config), now) {
        Incoming::Keyword(k) => Err(k.as_str().to_owned()),
        Incoming::Unrouted(f) => Err(f.as_str().to_owned()),
        Incoming::Lead(mut routed) => {
            if routed.pool_shard().is_some() {
                routed.credit_pool(
                    &held_by("s-1"),
                    Some(Visit {
                        attribution: paid_visit(now),
                        ga: None,
                        consent: None,
                        fbp: None,
                    }),
                );
            }
            Ok(lead(*routed, message, now))
        }
    }
}

#[test]
fn keywords_are_the_providers() {
    // (body, keyword)
    let table = [
        ("STOP", Some(Keyword::OptOut)),
        ("stop", Some(Keyword::OptOut)),
        ("  Stop. ", Some(Keyword::OptOut)),
        ("STOP!", Some(Keyword::OptOut)),
        ("stopall", Some(Keyword::OptOut)),
        ("Unsubscribe", Some(Keyword::OptOut)),
        ("cancel", Some(Keyword::OptOut)),
        ("END", Some(Keyword::OptOut)),
        ("quit", Some(Keyword::OptOut)),
        ("OPTOUT", Some(Keyword::OptOut)),
        ("revoke", Some(Keyword::OptOut)),
        ("START", Some(Keyword::OptIn)),
        ("unstop", Some(Keyword::OptIn)),
        ("yes", Some(Keyword::OptIn)),
        ("HELP", Some(Keyword::Help)),
        ("info?", Some(Keyword::Help)),
        ("please stop by tomorrow", None),
        ("Can you help with a leak?", None),
        ("STOPPED", None),
        ("", None),
    ];
    for (body, want) in table {
        assert_eq!(keywords::of(body), want, "{body:?}");
    }
}

#[test]
fn keywords_are_never_leads() {
    let config = site();
    let r = route(&config, "+13125550121");
    for body in ["STOP", "help", "Start"] {
        let m = text("SM1", "+13105550199", "+13125550121", body);
        assert!(
            matches!(
                incoming(&m, Provider::Twilio, Lookup::Site(&r, &config), OPEN),
                Incoming::Keyword(_)
            ),
            "{body}"
        );
    }
    // Even to a number we cannot route.
    let m = text("SM1", "+13105550199", "+13125550999", "STOP");
    assert!(matches!(
        incoming(&m, Provider::Twilio, Lookup::Unrouted(None), OPEN),
        Incoming::Keyword(Keyword::OptOut)
    ));
    assert!(matches!(
        incoming(
            &text("SM1", "+13105550199", "+13125550999", "hello"),
            Provider::Twilio,
            Lookup::Unrouted(None),
            OPEN
        ),
        Incoming::Unrouted(Fallback::Unrouted)
    ));
}

/// A text is attributed exactly as a call to the same number: the static number's channel with
/// full confidence, the pool's session and its visit for a pool number.
#[test]
fn attributed_like_a_call() {
    let config = site();
    // (to, channel, source, campaign, confidence, session)
    let table = [
        (
            "+13125550121",
            Channel::PaidSearch,
            "google",
            "spring",
            1.0,
            None,
        ),
        (
            "+13125550111",
            Channel::PaidSearch,
            "google",
            "spring-sale",
            1.0,
            Some("s-1"),
        ),
        ("+13125550221", Channel::Email, "newsletter", "", 1.0, None),
    ];
    for (to, channel, source, campaign, confidence, session) in table {
        let r = route(&config, to);
        let m = text("SM1", "+13105550199", to, "Do you fix boilers?");
        let lead = receive(&config, &r, &m, OPEN).unwrap();
        let rec = &lead.record;
        // The same record a call to the number gets, but for its kind and messages.
        let as_call = IncomingCall {
            call_id: "SM1".into(),
            from: "+13105550199".into(),
            to: n(to),
        };
        let call_control::Incoming::Route(mut call) =
            call_control::incoming(&as_call, Provider::Twilio, Lookup::Site(&r, &config), OPEN)
        else {
            panic!("{to}: not routed");
        };
        if call.pool_shard().is_some() {
            call.credit_pool(
                &held_by("s-1"),
                Some(Visit {
                    attribution: paid_visit(OPEN),
                    ga: None,
                    consent: None,
                    fbp: None,
                }),
            );
        }
        let call = call.record();
        assert_eq!(
            (
                rec.channel,
                rec.source.as_str(),
                rec.campaign.as_str(),
                rec.confidence,
                rec.session.as_deref()
            ),
            (channel, source, campaign, confidence, session),
            "{to}"
        );
        assert_eq!(
            (
                &rec.attribution,
                &rec.candidates,
                rec.number_kind,
                &rec.gclid
            ),
            (
                &call.attribution,
                &call.candidates,
                call.number_kind,
                &call.gclid
            ),
            "{to}"
        );
        assert_eq!(rec.kind, LeadKind::Text);
        assert_eq!(rec.status, CallStatus::Received);
        assert_eq!(rec.started_at, OPEN);
        assert_eq!(rec.last_message_at, Some(OPEN));
        assert_eq!(
            rec.messages,
            vec![TextMessage {
                id: "SM1".into(),
                at: OPEN,
                body: Some("Do you fix boilers?".into()),
                media: 0
            }]
        );
    }
}

#[test]
fn bodies_only_where_the_site_keeps_them() {
    let mut config = site();
    config.keep_text_bodies = false;
    let r = route(&config, "+13125550121");
    let lead = receive(
        &config,
        &r,
        &text("SM1", "+13105550199", "+13125550121", "Hi"),
        OPEN,
    )
    .unwrap();
    assert_eq!(lead.record.messages[0].body, None);
    // The forward still carries the words: they pass through, they are not kept.
    let h = lead.handling(
        &lead.record,
        &text("SM1", "+13105550199", "+13125550121", "Hi"),
        true,
        OPEN,
    );
    assert_eq!(
        h.send,
        Some((n("+13125550188"), "From Paid Search/spring: Hi".into()))
    );
}

/// What each text does: the target's setting, a matching rule's, keep under a reject rule, the
/// reply to a conversation's first text only.
#[test]
fn what_a_text_does() {
    let config = site();
    // (to, from, at, first, action, rule, send)
    let table: &[(
        &str,
        &str,
        Millis,
        bool,
        TextAction,
        Option<u32>,
        Option<(&str, &str)>,
    )] = &[
        (
            "+13125550121",
            "+13105550199",
            OPEN,
            true,
            TextAction::Forward(n("+13125550188")),
            Some(1),
            Some((
                "+13125550188",
                "From Paid Search/spring: Do you fix boilers?",
            )),
        ),
        (
            "+13125550121",
            "+13105550199",
            CLOSED,
            true,
            TextAction::Reply("Thanks! We open at 9.".into()),
            Some(2),
            Some(("+13105550199", "Thanks! We open at 9.")),
        ),
        (
            "+13125550121",
            "+13105550199",
            CLOSED,
            false,
            TextAction::Reply("Thanks! We open at 9.".into()),
            Some(2),
            None,
        ),
        (
            "+13125550121",
            "+19005550100",
            OPEN,
            true,
            TextAction::Keep,
            Some(0),
            None,
        ),
        (
            "+13125550221",
            "+13105550199",
            OPEN,
            true,
            TextAction::Keep,
            None,
            None,
        ),
    ];
    for (to, from, at, first, action, rule, send) in table {
        let r = route(&config, to);
        let m = text("SM1", from, to, "Do you fix boilers?");
        let lead = receive(&config, &r, &m, *at).unwrap();
        let h = lead.handling(&lead.record, &m, *first, *at);
        let what = format!("{to} {from} {at} {first}");
        assert_eq!(&h.action, action, "{what}");
        assert_eq!(h.routing.rule, *rule, "{what}");
        assert_eq!(h.routing.action, action.kind(), "{what}");
        assert_eq!(h.send, send.map(|(to, t)| (n(to), t.to_owned())), "{what}");
        if *first {
            assert_eq!(lead.record.routing.as_ref(), Some(&h.routing), "{what}");
        }
    }
}

#[test]
fn forwards_say_the_source() {
    let config = site();
    let r = route(&config, "+13125550121");
    let lead = receive(
        &config,
        &r,
        &text("SM1", "+13105550199", "+13125550121", "x"),
        OPEN,
    )
    .unwrap();
    let mut m = text(
        "SM2",
        "+13105550199",
        "+13125550121",
        "  Here is the leak  ",
    );
    // (media, body, forward)
    let table = [
        (
            0,
            "  Here is the leak  ",
            "From Paid Search/spring: Here is the leak",
        ),
        (1, "Here", "From Paid Search/spring: Here [1 attachment]"),
        (3, "", "From Paid Search/spring: [3 attachments]"),
    ];
    for (media, body, want) in table {
        m.media = media;
        m.body = body.into();
        assert_eq!(forwarded(&lead.record, &m), want);
    }
    let mut email = lead.record.clone();
    email.channel = Channel::Email;
    email.campaign.clear();
    email.source = "newsletter".into();
    m.media = 0;
    m.body = "hi".into();
    assert_eq!(forwarded(&email, &m), "From Email/newsletter: hi");
    m.body = "é".repeat(MAX_BODY);
    assert_eq!(forwarded(&email, &m).chars().count(), MAX_BODY);
}

/// Several texts from one sender to one number within the attribution window are one lead.
#[test]
fn conversations() {
    let config = site();
    let r = route(&config, "+13125550121");
    let first = text("SM1", "+13105550199", "+13125550121", "Hi");
    let lead = receive(&config, &r, &first, OPEN).unwrap();
    let window = lead.window();
    assert_eq!(window, config.attribution.lookback);
    let record = lead.record;
    let day = 24 * 3600 * 1000;
    // (from, to, at, joins)
    let table = [
        ("+13105550199", "+13125550121", OPEN + 60_000, true),
        ("+13105550199", "+13125550121", OPEN + 89 * day, true),
        ("+13105550199", "+13125550121", OPEN + window, false),
        ("+13105550199", "+13125550221", OPEN + 60_000, false),
        ("+13105550198", "+13125550121", OPEN + 60_000, false),
        ("+13105550199", "+13125550121", OPEN - 1, false),
    ];
    for (from, to, at, joins) in table {
        let m = text("SM2", from, to, "again");
        let later = receive(&config, &route(&config, to), &m, at)
            .unwrap()
            .record;
        assert_eq!(
            conversation::joins(&record, &later, window),
            joins,
            "{from} {to} {at}"
        );
    }
    let m = text("SM2", "+13105550199", "+13125550121", "again");
    let next = receive(&config, &r, &m, OPEN + 2 * day).unwrap().record;
    // A call from the same number is no conversation.
    let mut call = record.clone();
    call.kind = LeadKind::Call;
    assert!(!conversation::joins(&call, &next, window));
    // The latest open conversation is the one joined.
    let mut later = record.clone();
    later.call_sid = "SM9".into();
    later.started_at = OPEN + day;
    let records = [record.clone(), later.clone(), call];
    assert_eq!(
        conversation::open(&records, &next, window).map(|r| r.call_sid.as_str()),
        Some("SM9")
    );
    assert_eq!(
        conversation::earliest_start(OPEN + 2 * day, window),
        OPEN + 2 * day - window
    );
    // Its messages: each once, in time order.
    let mut conv = record;
    for (id, at, added) in [
        ("SM3", OPEN + 3, true),
        ("SM2", OPEN + 2, true),
        ("SM3", OPEN + 3, false),
        ("SM1", OPEN, false),
    ] {
        let m = TextMessage {
            id: id.into(),
            at,
            body: None,
            media: 0,
        };
        assert_eq!(conv.add_message(m), added, "{id}");
    }
    let ids: Vec<&str> = conv.messages.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["SM1", "SM2", "SM3"]);
    assert_eq!(conv.last_message_at, Some(OPEN + 3));
}

fn form(pairs: &[(&str, &str)]) -> Form {
    Form(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

/// Twilio's Messaging form, and what is refused in it.
#[test]
fn reads_twilio_messages() {
    use crate::telephony::FieldError;
    let base = [
        ("MessageSid", "SM1"),
        ("AccountSid", "AC1"),
        ("From", "+13105550199"),
        ("To", "+13125550121"),
        ("Body", "Hi there"),
        ("NumMedia", "0"),
        ("FromCity", "CHICAGO"),
    ];
    let with = |changes: &[(&'static str, Option<&'static str>)]| {
        let mut pairs: Vec<(&str, &str)> = base.to_vec();
        for (k, v) in changes {
            pairs.retain(|(name, _)| name != k);
            if let Some(v) = v {
                pairs.push((k, v));
            }
        }
        form(&pairs)
    };
    let long = "x".repeat(MAX_BODY + 1);
    let long: &'static str = Box::leak(long.into_boxed_str());
    let fits: &'static str = Box::leak("é".repeat(MAX_BODY).into_boxed_str());
    // (changes, Ok((body, media)) or the error)
    let table: Vec<(
        Vec<(&'static str, Option<&'static str>)>,
        Result<(&str, u32), FieldError>,
    )> = vec![
        (vec![], Ok(("Hi there", 0))),
        (vec![("NumMedia", None)], Ok(("Hi there", 0))),
        (
            vec![
                ("NumMedia", Some("2")),
                ("MediaUrl0", Some("https://api.twilio.com/m0")),
                ("MediaContentType0", Some("image/jpeg")),
                ("MediaUrl1", Some("https://api.twilio.com/m1")),
            ],
            Ok(("Hi there", 2)),
        ),
        (vec![("Body", Some(fits))], Ok((fits, 0))),
        (
            vec![
                ("Body", None),
                ("NumMedia", Some("1")),
                ("MediaUrl0", Some("https://x")),
            ],
            Ok(("", 1)),
        ),
        (vec![("From", None)], Err(FieldError::Missing("From"))),
        (
            vec![("From", Some("anonymous"))],
            Err(FieldError::Invalid("From")),
        ),
        (vec![("To", None)], Err(FieldError::Missing("To"))),
        (
            vec![("MessageSid", None)],
            Err(FieldError::Missing("MessageSid")),
        ),
        (vec![("Body", Some(long))], Err(FieldError::TooLong("Body"))),
        (
            vec![("NumMedia", Some("many"))],
            Err(FieldError::Invalid("NumMedia")),
        ),
        (
            vec![("NumMedia", Some("11"))],
            Err(FieldError::Invalid("NumMedia")),
        ),
        (
            vec![("MediaUrl0", Some("https://x"))],
            Err(FieldError::Invalid("NumMedia")),
        ),
        (
            vec![
                ("NumMedia", Some("1")),
                ("MediaUrl0", Some("https://x")),
                ("MediaUrl7", Some("https://y")),
            ],
            Err(FieldError::Invalid("NumMedia")),
        ),
        (
            vec![("MediaContentTypeX", Some("image/png"))],
            Err(FieldError::Invalid("NumMedia")),
        ),
    ];
    for (changes, want) in table {
        let got = twiml_form::message(&with(&changes)).map(|m| (m.body, m.media));
        let want = want.map(|(b, m)| (b.to_owned(), m));
        assert_eq!(got, want, "{changes:?}");
    }
    let m = twiml_form::message(&with(&[])).unwrap();
    assert_eq!(m, text("SM1", "+13105550199", "+13125550121", "Hi there"));
}

/// Telnyx's `message.received` event, and what is refused in it.
#[test]
fn reads_telnyx_messages() {
    use crate::telephony::telnyx;
    use crate::telephony::FieldError;
    let event = |payload: &str| {
        format!(
            r#"{{"data":{{"event_type":"message.received","id":"ev-1","occurred_at":"2026-03-06T15:00:00Z","payload":{payload},"record_type":"event"}},"meta":{{"attempt":1}}}}"#
        )
    };
    let ok = r#"{"id":"msg-1","record_type":"message","direction":"inbound","from":{"phone_number":"+13105550199","carrier":"T-Mobile"},"to":[{"phone_number":"+13125550123","status":"webhook_delivered"}],"text":"Hi there","media":[],"type":"SMS"}"#;
    let mms = r#"{"id":"msg-2","from":{"phone_number":"+13105550199"},"to":[{"phone_number":"+13125550123"}],"text":"","media":[{"url":"https://m/1","content_type":"image/jpeg","sha256":null},{"url":"https://m/2"}]}"#;
    let ten_plus: String = format!(
        r#"{{"id":"msg-3","from":{{"phone_number":"+13105550199"}},"to":[{{"phone_number":"+13125550123"}}],"media":[{}]}}"#,
        [r#"{"url":"https://m"}"#; 11].join(",")
    );
    let long = format!(
        r#"{{"id":"msg-4","from":{{"phone_number":"+13105550199"}},"to":[{{"phone_number":"+13125550123"}}],"text":"{}"}}"#,
        "x".repeat(MAX_BODY + 1)
    );
    // (body, Ok(Some((id, text, media))) / Ok(None) / the error)
    let table: Vec<(String, Result<Option<(&str, &str, u32)>, FieldError>)> = vec![
        (event(ok), Ok(Some(("msg-1", "Hi there", 0)))),
        (event(mms), Ok(Some(("msg-2", "", 2)))),
        (
            event(
                r#"{"id":"m","from":{"phone_number":"+13105550199"},"to":[{"phone_number":"+13125550123"}],"text":null}"#,
            ),
            Ok(Some(("m", "", 0))),
        ),
        (
            r#"{"data":{"event_type":"message.finalized","payload":{"id":"out-1"}}}"#.to_owned(),
            Ok(None),
        ),
        (
            event(r#"{"id":"m","to":[{"phone_number":"+13125550123"}],"text":"hi"}"#),
            Err(FieldError::Missing("from")),
        ),
        (
            event(r#"{"id":"m","from":{},"to":[{"phone_number":"+13125550123"}]}"#),
            Err(FieldError::Invalid("from")),
        ),
        (
            event(
                r#"{"id":"m","from":{"phone_number":"nobody"},"to":[{"phone_number":"+13125550123"}]}"#,
            ),
            Err(FieldError::Invalid("from")),
        ),
        (
            event(r#"{"id":"m","from":{"phone_number":"+13105550199"},"to":[]}"#),
            Err(FieldError::Missing("to")),
        ),
        (
            event(
                r#"{"from":{"phone_number":"+13105550199"},"to":[{"phone_number":"+13125550123"}]}"#,
            ),
            Err(FieldError::Missing("id")),
        ),
        (event(&long), Err(FieldError::TooLong("text"))),
        (event(&ten_plus), Err(FieldError::Invalid("media"))),
        (
            event(
                r#"{"id":"m","from":{"phone_number":"+13105550199"},"to":[{"phone_number":"+13125550123"}],"media":[{"kind":"x"}]}"#,
            ),
            Err(FieldError::Invalid("media")),
        ),
        (
            event(
                r#"{"id":"m","from":{"phone_number":"+13105550199"},"to":[{"phone_number":"+13125550123"}],"media":"x"}"#,
            ),
            Err(FieldError::Invalid("media")),
        ),
        (
            r#"{"data":{"event_type":"message.received"}}"#.to_owned(),
            Err(FieldError::Missing("payload")),
        ),
        (
            "MessageSid=SM1".to_owned(),
            Err(FieldError::Invalid("data")),
        ),
    ];
    for (body, want) in table {
        let got = telnyx::message(&body).map(|m| m.map(|m| (m.message_id, m.body, m.media)));
        let want = want.map(|m| m.map(|(i, b, n)| (i.to_owned(), b.to_owned(), n)));
        assert_eq!(got, want, "{body}");
    }
}

/// How a text goes out: TwiML's `<Message>` in Twilio's answer; Telnyx's messaging API.
#[test]
fn sending_texts() {
    use crate::telephony::{OutgoingText, TextAnswer};
    let secrets = |name: &str| match name {
        "TELNYX_API_KEY" => "KEY1".to_owned(),
        "TELNYX_API_BASE" => "http://127.0.0.1:9".to_owned(),
        _ => String::new(),
    };
    let none = |_: &str| String::new();
    let (from, to) = (n("+13125550121"), n("+13125550188"));
    let out = OutgoingText {
        from: &from,
        to: &to,
        text: "From Paid Search/spring: <b>&",
    };
    let twilio = Provider::Twilio.carrier();
    assert_eq!(
        twilio.send_text(Some(&out), &secrets),
        TextAnswer::Markup(r#"<?xml version="1.0" encoding="UTF-8"?><Response><Message to="+13125550188">From Paid Search/spring: &lt;b&gt;&amp;</Message></Response>"#.into())
    );
    assert_eq!(
        twilio.send_text(None, &secrets),
        TextAnswer::Markup(r#"<?xml version="1.0" encoding="UTF-8"?><Response></Response>"#.into())
    );
    let telnyx = Provider::Telnyx.carrier();
    assert_eq!(
        telnyx.send_text(Some(&out), &secrets),
        TextAnswer::Api {
            url: "http://127.0.0.1:9/v2/messages".into(),
            authorization: "Bearer KEY1".into(),
            body: r#"{"from":"+13125550121","text":"From Paid Search/spring: <b>&","to":"+13125550188"}"#.into(),
        }
    );
    assert_eq!(
        telnyx.send_text(None, &secrets),
        TextAnswer::Markup(String::new())
    );
    assert!(matches!(
        telnyx.send_text(Some(&out), &none),
        TextAnswer::Disabled(_)
    ));
    // Another host for the API is never used: the key goes to Telnyx only.
    let elsewhere = |name: &str| match name {
        "TELNYX_API_KEY" => "KEY1".to_owned(),
        "TELNYX_API_BASE" => "https://evil.example".to_owned(),
        _ => String::new(),
    };
    let TextAnswer::Api { url, .. } = telnyx.send_text(Some(&out), &elsewhere) else {
        panic!("not an API call");
    };
    assert_eq!(url, "https://api.telnyx.com/v2/messages");
}

#[test]
fn reply_settings_are_checked() {
    let bad = [
        (r#"{"reply": ""}"#, "empty"),
        (r#"{"reply": "   "}"#, "empty"),
    ];
    for (texts, why) in bad {
        let json = SITE.replace(r#"{ "forward": "+13125550188" }"#, texts);
        let config: SiteConfig = serde_json::from_str(&json).unwrap();
        let err = config.validate().unwrap_err();
        assert!(err.0.contains(why), "{texts}: {}", err.0);
    }
    let long = format!(r#"{{"reply": "{}"}}"#, "x".repeat(481));
    let config: SiteConfig =
        serde_json::from_str(&SITE.replace(r#"{ "forward": "+13125550188" }"#, &long)).unwrap();
    assert!(config.validate().unwrap_err().0.contains("480"));
    let config: SiteConfig =
        serde_json::from_str(&SITE.replace(r#"{ "forward": "+13125550188" }"#, r#""keep""#))
            .unwrap();
    config.validate().unwrap();
    assert!(serde_json::from_str::<SiteConfig>(
        &SITE.replace(r#"{ "forward": "+13125550188" }"#, r#"{"forward": "nope"}"#)
    )
    .is_err());
    // A rule's reply is checked too.
    let json = SITE.replace("Thanks! We open at 9.", "");
    let config: SiteConfig = serde_json::from_str(&json).unwrap();
    assert!(config.validate().unwrap_err().0.contains("after hours"));
}
