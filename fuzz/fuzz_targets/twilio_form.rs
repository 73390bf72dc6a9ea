//! A provider webhook's body: Twilio's form, read as the worker reads it (form pairs, the signature
//! check, every webhook's reader, the numbers; the messaging readers, Twilio's form and Telnyx's JSON
//! event). Any bytes, no panic.
#![no_main]

use dni_core::phone::E164;
use dni_core::telephony::{message, twilio, twiml_form, Form, Provider, RecordingKind};
use dni_core::url;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    let params: Vec<(String, String)> = url::form_pairs(body).collect();
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let endpoint = "https://dni.example/v1/twilio/voice";
    let signature = twilio::sign("token", endpoint, &params);
    assert_eq!(
        twilio::verify("token", endpoint, &params, Some(&signature)),
        Ok(())
    );
    let _ = twilio::verify("token", endpoint, &params, get("Signature"));
    let _ = twiml_form::call_status(get("CallStatus").unwrap_or(""), get("DialCallStatus"));
    let form = Form(params.clone());
    let carrier = Provider::Twilio.carrier();
    let _ = carrier.incoming(&form);
    let _ = carrier.call(&form);
    let _ = carrier.status(&form);
    let _ = carrier.dial(&form);
    let _ = carrier.recording(&form, RecordingKind::Call);
    let _ = carrier.transcript(&form);
    let _ = carrier.utterance(&form);
    let _ = carrier.answered_leg(&form, 0);
    // A text: Twilio's Messaging form, and the same bytes as a Telnyx messaging event.
    for provider in [Provider::Twilio, Provider::Telnyx] {
        if let Ok(Some(m)) = provider.carrier().message(body, &form) {
            assert!(m.body.chars().count() <= message::MAX_BODY);
            assert!(m.media <= message::MAX_MEDIA);
        }
    }
    for field in ["From", "To", "Called", "Caller"] {
        if let Some(Ok(n)) = get(field).map(E164::parse) {
            assert_eq!(
                E164::parse(n.as_str()).as_ref(),
                Ok(&n),
                "E.164 reads its own output"
            );
        }
    }
});
