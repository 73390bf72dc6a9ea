//! Call control's tables: every fallback, rule, step and outcome, each step rendered from the
//! record as the call log holds it after the previous step's result.

use super::*;
use crate::call::CallUpdate;
use crate::fixtures::{held_by, n, paid_visit, route, site, CLOSED, OPEN};
use crate::telephony::callback;
use crate::telephony::{DialCallStatus, Provider};

const TWILIO: Callbacks<'static> = Callbacks {
    provider: Provider::Twilio,
    seal_key: "",
    origin: "https://calls.example",
};

fn call(sid: &str, from: &str, to: &str) -> IncomingCall {
    IncomingCall {
        call_id: sid.into(),
        from: from.into(),
        to: n(to),
    }
}

/// How the worker answers an incoming call, with the pool's answer when it asks.
fn answer_call(
    config: &SiteConfig,
    incoming: &IncomingCall,
    visit: Option<Attribution>,
    now: Millis,
    callbacks: &Callbacks<'_>,
) -> Answer {
    let route = route(config, incoming.to.as_str());
    match super::incoming(
        incoming,
        callbacks.provider,
        Lookup::Site(&route, config),
        now,
    ) {
        Incoming::Route(mut routed) => {
            if routed.pool_shard().is_some() {
                let ga = GaCookies {
                    client: "GA1.1.111.222".into(),
                    session: "GS1.1.1772808000.1.1.1772808060.0.0.0".into(),
                };
                let visit = visit.map(|attribution| Visit {
                    attribution,
                    ga: Some(&ga),
                    consent: Some(crate::consent::Tier::Full),
                    fbp: None,
                });
                routed.credit_pool(&held_by("session-aaaaaaaaaaaaaa"), visit);
            }
            routed.answer(callbacks, now)
        }
        Incoming::Answer { fallback, .. } => panic!("routed expected, got {fallback:?}"),
    }
}

/// The value of attribute `name` of the first `tag` element, unescaped.
fn attr(xml: &str, tag: &str, name: &str) -> Option<String> {
    let start = xml.find(&["<", tag, " "].concat())?;
    let element = &xml[start..start + xml[start..].find('>')?];
    let at = element.find(&[" ", name, "=\""].concat())? + name.len() + 3;
    let value = &element[at..at + element[at..].find('"')?];
    Some(value.replace("&amp;", "&"))
}

/// The lines a `<Dial>` rings.
fn numbers(xml: &str) -> Vec<String> {
    xml.split("<Number")
        .skip(1)
        .filter_map(|s| Some(s[s.find('>')? + 1..s.find("</Number>")?].to_owned()))
        .collect()
}

/// A query value of a relative callback URL.
fn query_value(url: &str, name: &str) -> Option<String> {
    let (_, query) = url.split_once('?')?;
    crate::url::form_pairs(query)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// What one step of a call does, as the tables below expect it.
#[derive(Debug, PartialEq)]
enum Step {
    /// The lines, what the whisper says, whether recorded, whether announced, whether the
    /// conversation's transcription starts.
    Ring {
        lines: Vec<String>,
        whisper: Option<String>,
        recorded: bool,
        announced: bool,
        transcribed: bool,
    },
    /// The greeting.
    Voicemail(String),
    Reject,
    Hangup,
}

fn step_of(xml: &str) -> Step {
    if xml.contains("<Reject") {
        return Step::Reject;
    }
    if xml.contains("<Record ") {
        let greeting = xml
            .split("<Say>")
            .nth(1)
            .and_then(|s| s.split("</Say>").next())
            .unwrap_or_default();
        return Step::Voicemail(greeting.to_owned());
    }
    if xml.contains("<Dial ") {
        let whisper = attr(xml, "Number", "url").map(|u| query_value(&u, "say").unwrap());
        return Step::Ring {
            lines: numbers(xml),
            whisper,
            recorded: attr(xml, "Dial", "record").is_some(),
            announced: xml.contains("<Say>This call may be recorded.</Say>"),
            transcribed: xml.contains("<Transcription"),
        };
    }
    assert_eq!(xml, markup::hangup(Dialect::TwiML), "unexpected markup");
    Step::Hangup
}

/// Plays a call through: the incoming call's answer, then for every step that rings, a dial
/// result that says nobody answered, applied to the record the call log holds, and the next
/// step rendered from that record; until the call is over.
fn play(
    config: &SiteConfig,
    incoming: &IncomingCall,
    visit: Option<Attribution>,
    now: Millis,
) -> Vec<Step> {
    let answer = answer_call(config, incoming, visit, now, &TWILIO);
    let mut stored = answer.record;
    let mut steps = vec![step_of(&answer.markup)];
    let mut xml = answer.markup;
    let route = route(config, incoming.to.as_str());
    while let Some(action) = attr(&xml, "Dial", "action") {
        let Some(Callback::Dial { rule, step, .. }) = Callback::read(
            callback::Action::Dial,
            &crate::url::form_pairs(action.split_once('?').unwrap().1).collect::<Vec<_>>(),
        )
        .ok() else {
            panic!("{action}")
        };
        let handling = Handling::of(&route, config, rule);
        let dialed = DialCallback {
            call: crate::telephony::CallRef {
                call_id: incoming.call_id.clone(),
                ..Default::default()
            },
            to: incoming.to.clone(),
            status: DialCallStatus::NoAnswer,
            duration_s: None,
            leg: Some(["CAleg", &step.to_string()].concat()),
        };
        let result = dial_result(&dialed, step, handling.as_ref());
        stored.apply(CallUpdate::Dial(result.clone()));
        xml = next_step(handling.as_ref(), &stored, &result, &TWILIO);
        steps.push(step_of(&xml));
    }
    steps
}

fn ring(lines: &[&str], whisper: Option<&str>, recorded: bool, first: bool) -> Step {
    Step::Ring {
        lines: lines.iter().map(|s| (*s).to_owned()).collect(),
        whisper: whisper.map(str::to_owned),
        recorded,
        announced: recorded && first,
        transcribed: recorded && first,
    }
}

#[test]
fn every_rule_step_and_outcome() {
    let config = site();
    let chain = |whisper| {
        vec![
            ring(&["+13125550101"], Some(whisper), true, true),
            ring(
                &["+13125550102", "+13125550103"],
                Some(whisper),
                true,
                false,
            ),
            Step::Voicemail("Please leave a message.".into()),
        ]
    };
    // (what, caller, number dialed, the pool's visit, time, steps)
    type Row = (
        &'static str,
        &'static str,
        &'static str,
        Option<Attribution>,
        Millis,
        Vec<Step>,
    );
    let table: Vec<Row> = vec![
        (
            "a static number's channel and campaign, whispered on every step of the chain",
            "+13105550199",
            "+13125550121",
            None,
            OPEN,
            chain("Call from Paid Search, spring"),
        ),
        (
            "a pool number: the visit's attribution, whispered on every step of the chain",
            "+13105550199",
            "+13125550111",
            Some(paid_visit(OPEN)),
            OPEN,
            chain("Call from Paid Search, spring-sale"),
        ),
        (
            "a pool number whose visit is not known any more: Direct on every step",
            "+13105550199",
            "+13125550112",
            None,
            OPEN,
            chain("Call from Direct"),
        ),
        (
            "after hours: voicemail at once",
            "+13105550199",
            "+13125550121",
            None,
            CLOSED,
            vec![Step::Voicemail("We are closed.".into())],
        ),
        (
            "a blocked caller, in office hours",
            "+19005550100",
            "+13125550121",
            None,
            OPEN,
            vec![Step::Reject],
        ),
        (
            "a number's own rule: one step, then nothing more",
            "+13105550199",
            "+13125550122",
            None,
            CLOSED,
            vec![
                ring(&["+13125550109"], Some("Call from Email"), true, true),
                Step::Hangup,
            ],
        ),
    ];
    for (what, caller, number, visit, now, want) in table {
        let got = play(&config, &call("CA1", caller, number), visit, now);
        assert_eq!(got, want, "{what}");
    }
}

#[test]
fn the_record_says_which_rule_and_whose_call() {
    let config = site();
    // (number, caller, time, rule, name, action, fallback)
    type Row = (
        &'static str,
        &'static str,
        Millis,
        Option<u32>,
        &'static str,
        &'static str,
    );
    let table: [Row; 4] = [
        (
            "+13125550121",
            "+13105550199",
            OPEN,
            Some(1),
            "office hours",
            "chain",
        ),
        (
            "+13125550121",
            "+13105550199",
            CLOSED,
            Some(2),
            "after hours",
            "voicemail",
        ),
        (
            "+13125550121",
            "+19005550100",
            OPEN,
            Some(0),
            "blocked",
            "reject",
        ),
        (
            "+13125550122",
            "+13105550199",
            OPEN,
            Some(0),
            "front desk",
            "ring",
        ),
    ];
    for (number, caller, now, rule, name, action) in table {
        let a = answer_call(&config, &call("CA1", caller, number), None, now, &TWILIO);
        assert_eq!(
            a.record.routing,
            Some(RoutingInfo {
                rule,
                name: name.into(),
                action: action.into(),
                fallback: None
            }),
            "{number} {caller}"
        );
        assert_eq!(a.rules_error, None);
        assert_eq!(
            (a.record.number_kind, a.record.confidence, a.record.provider),
            (NumberKind::Static, 1.0, Provider::Twilio)
        );
        assert_eq!(a.record.forwarded_to, Some(n("+13125550100")));
    }
    let pool = answer_call(
        &config,
        &call("CA2", "+13105550199", "+13125550111"),
        Some(paid_visit(OPEN)),
        OPEN,
        &TWILIO,
    )
    .record;
    assert_eq!(
        (
            pool.number_kind,
            pool.session.as_deref(),
            pool.channel.as_str(),
            pool.campaign.as_str(),
            pool.gclid.as_deref(),
            pool.ga_client_id.as_deref(),
        ),
        (
            NumberKind::Pool,
            Some("session-aaaaaaaaaaaaaa"),
            "Paid Search",
            "spring-sale",
            Some("abc"),
            Some("111.222"),
        )
    );
}

#[test]
fn fallbacks_when_the_configuration_cannot_be_read() {
    let config = site();
    let route = route(&config, "+13125550121");
    let mut bare_route = route.clone();
    bare_route.forward_to = None;
    let mut nowhere = route.clone();
    nowhere.static_number = Some(99);
    let line = n("+13125550190");
    let dial_to = |to: &str| {
        [
            r#"<?xml version="1.0" encoding="UTF-8"?><Response><Dial answerOnBridge="true" timeout="30"><Number>"#,
            to,
            "</Number></Dial></Response>",
        ]
        .concat()
    };
    let not_in_service = markup::say(Dialect::TwiML, NOT_IN_SERVICE);
    // (what, lookup, fallback, markup)
    let table = [
        (
            "unrouted, with the operator's fallback line",
            Lookup::Unrouted(Some(&line)),
            Fallback::Unrouted,
            dial_to("+13125550190"),
        ),
        (
            "unrouted, no fallback line",
            Lookup::Unrouted(None),
            Fallback::Unrouted,
            not_in_service.clone(),
        ),
        (
            "the site unreadable: the route's business line",
            Lookup::SiteUnreadable(&route),
            Fallback::SiteUnreadable,
            dial_to("+13125550100"),
        ),
        (
            "the site unreadable, a route without a line",
            Lookup::SiteUnreadable(&bare_route),
            Fallback::SiteUnreadable,
            not_in_service.clone(),
        ),
        (
            "a route to no target",
            Lookup::Site(&nowhere, &config),
            Fallback::NoTarget,
            not_in_service.clone(),
        ),
    ];
    // What the worker read becomes the lookup.
    assert!(matches!(
        Lookup::of(None, Some(&config), Some(&line)),
        Lookup::Unrouted(Some(_))
    ));
    assert!(matches!(
        Lookup::of(Some(&route), None, None),
        Lookup::SiteUnreadable(_)
    ));
    assert!(matches!(
        Lookup::of(Some(&route), Some(&config), None),
        Lookup::Site(..)
    ));
    let incoming = call("CA1", "+13105550199", "+13125550121");
    for (what, lookup, want_fallback, want) in table {
        match super::incoming(&incoming, Provider::Twilio, lookup, OPEN) {
            Incoming::Answer { markup, fallback } => {
                assert_eq!((fallback, markup), (want_fallback, want), "{what}");
            }
            Incoming::Route(_) => panic!("{what}: routed"),
        }
    }

    // Rules that cannot be evaluated (a zone the database does not know): the business line,
    // and the record says why.
    let mut lost = site();
    lost.time_zone = Some("Mars/Olympus".into());
    let a = answer_call(&lost, &incoming, None, OPEN, &TWILIO);
    assert_eq!(numbers(&a.markup), ["+13125550100"]);
    assert_eq!(
        a.rules_error.as_deref(),
        Some(r#"unknown time zone "Mars/Olympus""#)
    );
    let info = a.record.routing.unwrap();
    assert_eq!(
        (info.rule, info.action.as_str(), info.fallback.as_deref()),
        (None, "ring", Some(r#"unknown time zone "Mars/Olympus""#))
    );
    // A step whose rule is gone from the configuration rings the business line.
    let gone = Handling::of(&route, &config, Some(40)).unwrap();
    assert_eq!(gone.rang(0), [n("+13125550100")]);
    assert!(Handling::of(&nowhere, &config, Some(1)).is_none());
}

#[test]
fn recording_goes_by_the_rule_then_the_target_then_the_site() {
    // (rule's record, target's record, site's record, recorded)
    let table = [
        (Some(false), true, true, false),
        (Some(true), false, false, true),
        (None, true, false, true),
        (None, false, true, true),
        (None, false, false, false),
    ];
    for (rule, target, site_wide, want) in table {
        let mut config = site();
        config.recording.record = site_wide;
        config.targets[0].record = target;
        config.targets[0].routing[1].record = rule;
        let a = answer_call(
            &config,
            &call("CA1", "+13105550199", "+13125550121"),
            None,
            OPEN,
            &TWILIO,
        );
        let Step::Ring {
            recorded,
            announced,
            transcribed,
            ..
        } = step_of(&a.markup)
        else {
            panic!("rings")
        };
        assert_eq!(
            (recorded, announced, transcribed),
            (want, want, want),
            "rule {rule:?} target {target} site {site_wide}"
        );
    }
}

#[test]
fn an_answered_step_hangs_up() {
    let config = site();
    let r = route(&config, "+13125550121");
    let a = answer_call(
        &config,
        &call("CA1", "+13105550199", "+13125550121"),
        None,
        OPEN,
        &TWILIO,
    );
    let handling = Handling::of(&r, &config, Some(1));
    // (status, duration, lines known, markup)
    let table = [
        (
            DialCallStatus::Completed,
            Some(33),
            Some(n("+13125550101")),
            Step::Hangup,
        ),
        (
            DialCallStatus::Answered,
            Some(5),
            Some(n("+13125550101")),
            Step::Hangup,
        ),
        (
            DialCallStatus::Busy,
            None,
            None,
            ring(
                &["+13125550102", "+13125550103"],
                Some("Call from Paid Search, spring"),
                true,
                false,
            ),
        ),
    ];
    for (status, duration_s, number, want) in table {
        let cb = DialCallback {
            call: Default::default(),
            to: n("+13125550121"),
            status,
            duration_s,
            leg: None,
        };
        let result = dial_result(&cb, 0, handling.as_ref());
        assert_eq!(result.number, number, "{status:?}");
        let mut stored = a.record.clone();
        stored.apply(CallUpdate::Dial(result.clone()));
        assert_eq!(
            step_of(&next_step(handling.as_ref(), &stored, &result, &TWILIO)),
            want,
            "{status:?}"
        );
        // Without the site's configuration, nothing more is known: hang up.
        assert_eq!(
            next_step(None, &stored, &result, &TWILIO),
            markup::hangup(Dialect::TwiML)
        );
    }
}

#[test]
fn the_whisper_leg_and_a_refused_screening() {
    let head = r#"<?xml version="1.0" encoding="UTF-8"?><Response>"#;
    // (say, screen, markup)
    let table = [
        (
            "Call from Paid Search, spring",
            false,
            [head, "<Say>Call from Paid Search, spring</Say></Response>"].concat(),
        ),
        (
            "Call from Email",
            true,
            [
                head,
                r#"<Gather numDigits="1" timeout="5" action="/v1/twilio/screen?site=calls">"#,
                "<Say>Call from Email</Say><Say>Press 1 to accept the call.</Say></Gather><Hangup/></Response>",
            ]
            .concat(),
        ),
    ];
    for (say, screen, want) in table {
        assert_eq!(whisper(&TWILIO, "calls", say, screen, "CA1"), want);
    }
    let long = "x".repeat(1000);
    assert!(whisper(&TWILIO, "calls", &long, false, "CA1").len() < 300);
    // A refused screening hangs up the business's leg; the step then ends unanswered, and the
    // chain goes on (`every_rule_step_and_outcome`).
    assert_eq!(
        screen(Provider::Twilio, false),
        markup::hangup(Dialect::TwiML)
    );
    assert_eq!(
        screen(Provider::Twilio, true),
        markup::accept(Dialect::TwiML)
    );
}

#[test]
fn telnyx_callbacks_are_sealed_for_this_call_only() {
    let config = site();
    let key = "worker-callback-secret";
    let telnyx = Callbacks {
        provider: Provider::Telnyx,
        seal_key: key,
        origin: "https://calls.example",
    };
    let a = answer_call(
        &config,
        &call("v3:call-a", "+13105550199", "+13125550121"),
        None,
        OPEN,
        &telnyx,
    );
    let urls = [
        attr(&a.markup, "Dial", "action"),
        attr(&a.markup, "Dial", "recordingStatusCallback"),
        attr(&a.markup, "Number", "url"),
        attr(&a.markup, "Number", "statusCallback"),
        attr(&a.markup, "Transcription", "transcriptionCallback")
            .map(|u| u.trim_start_matches("https://calls.example").to_owned()),
    ];
    for url in urls {
        let url = url.unwrap();
        let (path, query) = url.split_once('?').unwrap();
        let query: Vec<(String, String)> = crate::url::form_pairs(query).collect();
        assert_eq!(query.last().map(|(k, _)| k.as_str()), Some("seal"), "{url}");
        // (call the webhook's body names, verdict)
        for (call_id, ok) in [("v3:call-a", true), ("v3:call-b", false)] {
            assert_eq!(
                callback::check(key, path, &query, call_id).is_ok(),
                ok,
                "{url} for {call_id}"
            );
        }
    }
}
