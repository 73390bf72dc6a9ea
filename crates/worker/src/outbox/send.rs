//! Sending one message: the core builds the request from the record as it is now, this module
//! makes the HTTP request (with a timeout) and hands the answer back to the core's retry policy.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

use dni_core::call::CallRecord;
use dni_core::civil::Zone;
use dni_core::integrations::data_manager::{self, Diagnostics};
use dni_core::integrations::facts::facts_of;
use dni_core::integrations::outbox::{self, Delivery, Destination, SendSettings, MAX_CHECKS};
use dni_core::integrations::retry::{self, Answer, Next};
use dni_core::integrations::settings::{ConversionRule, GoogleAdsApi, WebhookEvent};
use dni_core::integrations::{
    ga4, google_ads, meta, microsoft_ads, oauth, qualify, retraction, rules, webhooks, HttpRequest,
    Method as HttpMethod,
};
use dni_core::{Millis, SECOND};
use futures_util::future::{select, Either};
use worker::{AbortController, Delay, Env, Fetch, Headers, Method, Request, RequestInit};

use super::Tuning;
use crate::clock;
use crate::routes::secret;

/// Where the receivers are (the worker's variables point them elsewhere, e.g. at local capture
/// servers in the tests).
fn endpoint(env: &Env, name: &str, default: &str) -> String {
    let v = secret(env, name);
    if v.is_empty() {
        default.to_owned()
    } else {
        v
    }
}

/// What became of a message.
pub enum Outcome {
    /// Nothing to send, and why.
    Skip(String),
    /// It was tried: the policy's decision and the receiver's answer.
    Tried(Next, String),
    /// The receiver took it under a request id and processes it later: read its diagnostics back
    /// at the given time.
    Accepted(String, Millis),
    /// Not decided yet (the qualification may still change): try again at that time, and why.
    Waiting(Millis, String),
}

/// What the receiver answered, in the form the policy reads.
struct Reply {
    status: Option<u16>,
    retry_after: Option<String>,
    body: String,
    timed_out: bool,
}

impl Reply {
    fn answer(&self) -> Answer<'_> {
        match self.status {
            Some(s) => Answer::Status(s, self.retry_after.as_deref()),
            None if self.timed_out => Answer::Timeout,
            None => Answer::Unreachable,
        }
    }

    fn describe(&self) -> String {
        match self.status {
            Some(s) => {
                let body: String = self.body.chars().take(200).collect();
                [s.to_string(), ": ".to_owned(), body].concat()
            }
            None if self.timed_out => "timeout".to_owned(),
            None => ["unreachable: ", &self.body].concat(),
        }
    }
}

async fn post(request: &HttpRequest, timeout: Millis) -> Reply {
    let failed = |why: String, timed_out| Reply {
        status: None,
        retry_after: None,
        body: why,
        timed_out,
    };
    let headers = Headers::new();
    for (k, v) in &request.headers {
        if headers.set(k, v).is_err() {
            return failed("bad header".to_owned(), false);
        }
    }
    let mut init = RequestInit::new();
    match request.method {
        HttpMethod::Post => init
            .with_method(Method::Post)
            .with_body(Some(request.body.as_str().into())),
        HttpMethod::Get => init.with_method(Method::Get),
    };
    init.with_headers(headers);
    let req = match Request::new_with_init(&request.url, &init) {
        Ok(r) => r,
        Err(_) => return failed("bad url".to_owned(), false),
    };
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(req);
    let sending = Box::pin(fetch.send_with_signal(&signal));
    let timer = Box::pin(Delay::from(Duration::from_millis(timeout)));
    let reply = match select(sending, timer).await {
        Either::Left((Ok(mut response), _)) => {
            let status = response.status_code();
            let retry_after = response.headers().get("Retry-After").ok().flatten();
            let body = response.text().await.unwrap_or_default();
            Reply {
                status: Some(status),
                retry_after,
                body,
                timed_out: false,
            }
        }
        Either::Left((Err(e), _)) => failed(e.to_string().chars().take(120).collect(), false),
        Either::Right(_) => {
            controller.abort();
            failed(String::new(), true)
        }
    };
    reply
}

/// Sends one request at once, outside the outbox, with a timeout: the receiver's status when it
/// took the request (2xx), else what it answered or why there is no answer. For a text forwarded
/// through a provider's API while its webhook waits (`routes::texts`): the text is not kept where
/// the site keeps no bodies, so it cannot wait in the outbox for a later attempt.
pub(crate) async fn send_now(request: &HttpRequest, timeout: Millis) -> Result<u16, String> {
    let reply = post(request, timeout).await;
    match reply.status {
        Some(s) if (200..300).contains(&s) => Ok(s),
        _ => Err(reply.describe()),
    }
}

/// A GA4 request that timed out: it may have been recorded, and GA4 cannot drop a repeat.
const GA4_TIMEOUT: &str =
    "timeout: not retried, GA4 may have recorded it and has no key to drop a \
     repeat; replay it if the event is missing (find it by its call_id param)";

/// Sends messages; keeps the ad platforms' access tokens for their lifetime.
#[derive(Default)]
pub struct Sender {
    tokens: RefCell<HashMap<String, (String, Millis)>>,
}

enum Platform {
    Google,
    Microsoft,
}

impl Sender {
    /// Sends one delivery of `record` (the record as it is now; `None` if it is gone). `follows`:
    /// the call's delivery this one depends on (`Destination::follows`), as it is now.
    pub async fn deliver(
        &self,
        env: &Env,
        tuning: &Tuning,
        sending: &SendSettings,
        delivery: &Delivery,
        record: Option<&CallRecord>,
        follows: Option<&Delivery>,
    ) -> Outcome {
        let settings = &sending.integrations;
        let Some(record) = record else {
            return Outcome::Skip("the call record is gone".to_owned());
        };
        // Asked again where it is sent (the settings may have changed since it was queued).
        if record.test && !outbox::takes_test_calls(settings, &delivery.destination) {
            return Outcome::Skip(
                "a test call is sent only to endpoints that list test".to_owned(),
            );
        }
        let facts = facts_of(record);
        let now = clock::now();
        // A conversion that needs a qualification is decided once the qualification can no longer
        // change without an operator: a voicemail's transcript still on its way is waited for.
        let is_conversion_message = !matches!(
            &delivery.destination,
            Destination::Webhook { event, .. } if *event != WebhookEvent::Conversion
        ) && !matches!(
            &delivery.destination,
            Destination::Qualified { .. } | Destination::GoogleAdsRetraction
        );
        if is_conversion_message && delivery.request_id.is_none() {
            if let Some(until) = qualify::wait_until(&facts, settings, now) {
                return Outcome::Waiting(until, qualify::WAITING.to_owned());
            }
        }
        let sent =
            rules::evaluate(&facts, &settings.conversions).map(|r| rules::as_sent(&facts, r));
        let conversion = sent.as_ref().map_err(|e| *e);
        let tried = |reply: &Reply, attempts: u32| {
            let next = retry::next(
                &tuning.policy,
                reply.answer(),
                attempts,
                clock::now(),
                clock::jitter(),
            );
            Outcome::Tried(next, reply.describe())
        };
        let attempts = delivery.attempts + 1;
        match &delivery.destination {
            Destination::Ga4 => {
                let Some(ga) = &settings.ga4 else {
                    return Outcome::Skip("GA4 is no longer configured".to_owned());
                };
                let rule = match conversion {
                    Ok(rule) => rule,
                    Err(why) => return Outcome::Skip(why.as_str().to_owned()),
                };
                let api_secret = secret(env, &ga.api_secret);
                if api_secret.is_empty() {
                    return Outcome::Tried(
                        Next::Failed,
                        ["secret ", &ga.api_secret, " is not set"].concat(),
                    );
                }
                let base = endpoint(env, "GA4_ENDPOINT", "https://www.google-analytics.com");
                let fresh = [&clock::random_digits(10), ".", &(now / SECOND).to_string()].concat();
                let request = match ga4::request(&base, ga, &api_secret, &facts, rule, &fresh, now)
                {
                    Ok(r) => r,
                    Err(why) => return Outcome::Skip(why.as_str().to_owned()),
                };
                let reply = post(&request, tuning.timeout).await;
                if reply.timed_out {
                    // GA4 has no key that would drop a repeat: no retry when it may have landed.
                    return Outcome::Tried(
                        retry::next_without_dedupe(
                            &tuning.policy,
                            reply.answer(),
                            attempts,
                            now,
                            0.0,
                        ),
                        GA4_TIMEOUT.to_owned(),
                    );
                }
                if ga.validate_only && reply.status == Some(200) {
                    let messages = ga4::validation_messages(&reply.body).unwrap_or_default();
                    let text = if messages.is_empty() {
                        "200: valid (validation endpoint)".to_owned()
                    } else {
                        ["200: invalid: ", &messages.join("; ")].concat()
                    };
                    let next = if messages.is_empty() {
                        Next::Delivered
                    } else {
                        Next::Failed
                    };
                    return Outcome::Tried(next, text);
                }
                let next = retry::next_without_dedupe(
                    &tuning.policy,
                    reply.answer(),
                    attempts,
                    clock::now(),
                    clock::jitter(),
                );
                Outcome::Tried(next, reply.describe())
            }
            Destination::GoogleAds => {
                let Some(g) = &settings.google_ads else {
                    return Outcome::Skip("Google Ads is no longer configured".to_owned());
                };
                if g.api == GoogleAdsApi::DataManager {
                    return self
                        .data_manager(env, tuning, sending, delivery, &facts, conversion)
                        .await;
                }
                let rule = match conversion {
                    Ok(rule) => rule,
                    Err(why) => return Outcome::Skip(why.as_str().to_owned()),
                };
                if facts.google_click.is_none() {
                    return Outcome::Skip(google_ads::AdsSkip::NoClick.as_str().to_owned());
                }
                let access = match self.google_ads_access(env, tuning, &g.secrets).await {
                    Ok(a) => a,
                    Err(reply) => return reply_outcome(reply, tuning, attempts, "token: "),
                };
                let request = match google_ads::upload_request(
                    &access.base,
                    &access.version,
                    g,
                    &access.credentials(),
                    &access.token,
                    &facts,
                    rule,
                    &Zone::of(sending.time_zone.as_deref(), settings.utc_offset_minutes),
                ) {
                    Ok(r) => r,
                    Err(why) => return Outcome::Skip(why.as_str().to_owned()),
                };
                let reply = post(&request, tuning.timeout).await;
                if reply.status == Some(401) {
                    self.tokens.borrow_mut().remove(&g.secrets);
                }
                read_platform(reply, tuning, attempts, google_ads::read_answer)
            }
            Destination::GoogleAdsRetraction => {
                let status = record.qualification.as_ref().and_then(|q| q.status);
                let api = settings.google_ads.as_ref().map(|g| g.api);
                match retraction::decide(status, api, follows.map(|d| d.state)) {
                    retraction::Verdict::Skip(why) => {
                        return Outcome::Skip(why.as_str().to_owned())
                    }
                    retraction::Verdict::Wait => {
                        // Asked again just after the conversion's own next attempt.
                        let after = follows.map_or(now, |d| d.next_at).max(now);
                        let at = after + tuning.policy.base;
                        return Outcome::Waiting(at, retraction::WAITING.to_owned());
                    }
                    retraction::Verdict::Send => {}
                }
                let (Some(g), Some(q)) = (&settings.google_ads, &record.qualification) else {
                    return Outcome::Skip(
                        retraction::NoRetraction::NotConfigured.as_str().to_owned(),
                    );
                };
                let access = match self.google_ads_access(env, tuning, &g.secrets).await {
                    Ok(a) => a,
                    Err(reply) => return reply_outcome(reply, tuning, attempts, "token: "),
                };
                let request = match google_ads::retraction_request(
                    &access.base,
                    &access.version,
                    g,
                    &access.credentials(),
                    &access.token,
                    &record.call_sid,
                    record.started_at,
                    q.at,
                    &Zone::of(sending.time_zone.as_deref(), settings.utc_offset_minutes),
                ) {
                    Ok(r) => r,
                    Err(why) => return Outcome::Skip(why.as_str().to_owned()),
                };
                let reply = post(&request, tuning.timeout).await;
                if reply.status == Some(401) {
                    self.tokens.borrow_mut().remove(&g.secrets);
                }
                read_platform(reply, tuning, attempts, google_ads::read_answer)
            }
            Destination::MicrosoftAds => {
                let Some(m) = &settings.microsoft_ads else {
                    return Outcome::Skip("Microsoft Ads is no longer configured".to_owned());
                };
                let rule = match conversion {
                    Ok(rule) => rule,
                    Err(why) => return Outcome::Skip(why.as_str().to_owned()),
                };
                if facts.msclkid.is_none() {
                    return Outcome::Skip(google_ads::AdsSkip::NoClick.as_str().to_owned());
                }
                let token = match self
                    .token(env, tuning, Platform::Microsoft, &m.secrets)
                    .await
                {
                    Ok(t) => t,
                    Err(reply) => return reply_outcome(reply, tuning, attempts, "token: "),
                };
                let developer = secret(env, &[&m.secrets, "_DEVELOPER_TOKEN"].concat());
                let base = endpoint(
                    env,
                    "MICROSOFT_ADS_ENDPOINT",
                    "https://campaign.api.bingads.microsoft.com",
                );
                let request = match microsoft_ads::apply_request(
                    &base, m, &developer, &token, &facts, rule,
                ) {
                    Ok(r) => r,
                    Err(why) => return Outcome::Skip(why.as_str().to_owned()),
                };
                let reply = post(&request, tuning.timeout).await;
                if reply.status == Some(401) {
                    self.tokens.borrow_mut().remove(&m.secrets);
                }
                read_platform(reply, tuning, attempts, microsoft_ads::read_answer)
            }
            Destination::Meta => {
                let Some(m) = &settings.meta else {
                    return Outcome::Skip("Meta is no longer configured".to_owned());
                };
                let rule = match conversion {
                    Ok(rule) => rule,
                    Err(why) => return Outcome::Skip(why.as_str().to_owned()),
                };
                let token = secret(env, &m.access_token);
                let base = endpoint(env, "META_GRAPH_ENDPOINT", "https://graph.facebook.com");
                let version = endpoint(env, "META_GRAPH_API_VERSION", meta::API_VERSION);
                let request =
                    match meta::events_request(&base, &version, m, &token, &facts, rule, now) {
                        Ok(r) => r,
                        Err(why) => return Outcome::Skip(why.as_str().to_owned()),
                    };
                if token.is_empty() {
                    return Outcome::Tried(
                        Next::Failed,
                        ["secret ", &m.access_token, " is not set"].concat(),
                    );
                }
                let reply = post(&request, tuning.timeout).await;
                read_platform(reply, tuning, attempts, meta::read_answer)
            }
            Destination::Qualified { endpoint: id, .. } => {
                let Some(w) = settings.webhooks.iter().find(|w| &w.id == id) else {
                    return Outcome::Skip("the endpoint is no longer configured".to_owned());
                };
                let secrets = secret(env, &w.secret);
                let event = WebhookEvent::CallQualified;
                let body = webhooks::payload(event, &facts, conversion.ok(), now);
                let request = match webhooks::request(&w.url, &secrets, &delivery.id, body, now) {
                    Ok(r) => r,
                    Err(_) => {
                        return Outcome::Tried(
                            Next::Failed,
                            ["secret ", &w.secret, " is not set or not a whsec_ secret"].concat(),
                        )
                    }
                };
                tried(&post(&request, tuning.timeout).await, attempts)
            }
            Destination::Webhook {
                endpoint: id,
                event,
            } => {
                let Some(w) = settings.webhooks.iter().find(|w| &w.id == id) else {
                    return Outcome::Skip("the endpoint is no longer configured".to_owned());
                };
                if let (WebhookEvent::Conversion, Err(why)) = (event, &conversion) {
                    return Outcome::Skip(why.as_str().to_owned());
                }
                let conversion: Option<&ConversionRule> = conversion.ok();
                let secrets = secret(env, &w.secret);
                let body = webhooks::payload(*event, &facts, conversion, now);
                let request = match webhooks::request(&w.url, &secrets, &delivery.id, body, now) {
                    Ok(r) => r,
                    Err(_) => {
                        return Outcome::Tried(
                            Next::Failed,
                            ["secret ", &w.secret, " is not set or not a whsec_ secret"].concat(),
                        )
                    }
                };
                tried(&post(&request, tuning.timeout).await, attempts)
            }
        }
    }

    /// Google Ads through the Data Manager API: the ingest, then (while the delivery carries the
    /// request id Google answered with) its diagnostics, read back until they are final.
    async fn data_manager(
        &self,
        env: &Env,
        tuning: &Tuning,
        sending: &SendSettings,
        delivery: &Delivery,
        facts: &dni_core::integrations::facts::CallFacts,
        conversion: Result<&ConversionRule, rules::NotConverted>,
    ) -> Outcome {
        let settings = &sending.integrations;
        let Some(g) = &settings.google_ads else {
            return Outcome::Skip("Google Ads is no longer configured".to_owned());
        };
        let attempts = delivery.attempts + 1;
        let base = endpoint(
            env,
            "GOOGLE_DATA_MANAGER_ENDPOINT",
            "https://datamanager.googleapis.com",
        );
        if let Some(request_id) = &delivery.request_id {
            let token = match self.token(env, tuning, Platform::Google, &g.secrets).await {
                Ok(t) => t,
                Err(reply) => return reply_outcome(reply, tuning, attempts, "diagnostics token: "),
            };
            let request = data_manager::status_request(&base, request_id, &token);
            let reply = post(&request, tuning.timeout).await;
            let checks = delivery.attempts;
            let said = |what: &str| ["request ", request_id, ": ", what].concat();
            if reply.status != Some(200) {
                if checks >= MAX_CHECKS {
                    return Outcome::Tried(
                        Next::Delivered,
                        said(&["accepted; diagnostics unreadable: ", &reply.describe()].concat()),
                    );
                }
                let at = clock::now() + retry::backoff(&tuning.policy, checks, clock::jitter());
                return Outcome::Tried(Next::RetryAt(at), said(&reply.describe()));
            }
            return match data_manager::read_status(&reply.body) {
                Ok(Diagnostics::Success(text)) => Outcome::Tried(Next::Delivered, said(&text)),
                Ok(Diagnostics::Refused(text)) => Outcome::Tried(Next::Failed, said(&text)),
                Ok(Diagnostics::Processing) if checks >= MAX_CHECKS => Outcome::Tried(
                    Next::Delivered,
                    said("accepted; diagnostics still processing, no longer asked"),
                ),
                Ok(Diagnostics::Processing) => {
                    let at = clock::now() + retry::backoff(&tuning.policy, checks, clock::jitter());
                    Outcome::Tried(Next::RetryAt(at), said("accepted; processing"))
                }
                Err(why) => Outcome::Tried(Next::Delivered, said(&["accepted; ", &why].concat())),
            };
        }
        let rule = match conversion {
            Ok(rule) => rule,
            Err(why) => return Outcome::Skip(why.as_str().to_owned()),
        };
        let login = secret(env, &[&g.secrets, "_LOGIN_CUSTOMER_ID"].concat());
        let zone = Zone::of(sending.time_zone.as_deref(), settings.utc_offset_minutes);
        // Nothing to send is known before the token is asked for.
        if let Err(why) = data_manager::ingest_request(&base, g, &login, "", facts, rule, &zone) {
            return Outcome::Skip(why.as_str().to_owned());
        }
        let token = match self.token(env, tuning, Platform::Google, &g.secrets).await {
            Ok(t) => t,
            Err(reply) => return reply_outcome(reply, tuning, attempts, "token: "),
        };
        let request =
            match data_manager::ingest_request(&base, g, &login, &token, facts, rule, &zone) {
                Ok(r) => r,
                Err(why) => return Outcome::Skip(why.as_str().to_owned()),
            };
        let reply = post(&request, tuning.timeout).await;
        if reply.status == Some(401) {
            self.tokens.borrow_mut().remove(&g.secrets);
        }
        if reply.status != Some(200) {
            return reply_outcome(reply, tuning, attempts, "");
        }
        match data_manager::read_ingest_answer(&reply.body) {
            Ok(Some(request_id)) if !g.validate_only => {
                let at = clock::now() + retry::backoff(&tuning.policy, 0, clock::jitter());
                Outcome::Accepted(request_id, at)
            }
            Ok(_) if g.validate_only => {
                Outcome::Tried(Next::Delivered, "200: valid (validateOnly)".to_owned())
            }
            Ok(_) => Outcome::Tried(Next::Delivered, "200: accepted (no request id)".to_owned()),
            Err(why) => Outcome::Tried(Next::Failed, ["200: ", &why].concat()),
        }
    }

    /// What every Google Ads API request carries (uploads and retractions alike): the access
    /// token, the developer token and manager account from the site's secrets (named by
    /// `prefix`), and the API's base URL and version.
    async fn google_ads_access(
        &self,
        env: &Env,
        tuning: &Tuning,
        prefix: &str,
    ) -> Result<GoogleAdsAccess, Reply> {
        let token = self.token(env, tuning, Platform::Google, prefix).await?;
        Ok(GoogleAdsAccess {
            token,
            developer: secret(env, &[prefix, "_DEVELOPER_TOKEN"].concat()),
            login: secret(env, &[prefix, "_LOGIN_CUSTOMER_ID"].concat()),
            base: endpoint(
                env,
                "GOOGLE_ADS_ENDPOINT",
                "https://googleads.googleapis.com",
            ),
            version: endpoint(env, "GOOGLE_ADS_API_VERSION", google_ads::API_VERSION),
        })
    }

    /// An access token for the platform, from the cache or the refresh-token grant.
    async fn token(
        &self,
        env: &Env,
        tuning: &Tuning,
        platform: Platform,
        prefix: &str,
    ) -> Result<String, Reply> {
        let now = clock::now();
        if let Some((token, until)) = self.tokens.borrow().get(prefix) {
            if *until > now {
                return Ok(token.clone());
            }
        }
        let name = |suffix: &str| secret(env, &[prefix, suffix].concat());
        let (url, scope) = match platform {
            Platform::Google => (
                endpoint(
                    env,
                    "GOOGLE_OAUTH_TOKEN_URL",
                    "https://oauth2.googleapis.com/token",
                ),
                "",
            ),
            Platform::Microsoft => (
                endpoint(
                    env,
                    "MICROSOFT_OAUTH_TOKEN_URL",
                    "https://login.microsoftonline.com/common/oauth2/v2.0/token",
                ),
                microsoft_ads::SCOPE,
            ),
        };
        let (client_id, refresh) = (name("_CLIENT_ID"), name("_REFRESH_TOKEN"));
        if client_id.is_empty() || refresh.is_empty() {
            return Err(Reply {
                status: Some(400),
                retry_after: None,
                body: [prefix, "_CLIENT_ID or _REFRESH_TOKEN is not set"].concat(),
                timed_out: false,
            });
        }
        let request =
            oauth::refresh_request(&url, &client_id, &name("_CLIENT_SECRET"), &refresh, scope);
        let reply = post(&request, tuning.timeout).await;
        if reply.status != Some(200) {
            return Err(reply);
        }
        match oauth::read_token(&reply.body) {
            Some((token, expires_in)) => {
                // Renewed a minute before it expires.
                let until = now + expires_in.saturating_sub(60) * SECOND;
                self.tokens
                    .borrow_mut()
                    .insert(prefix.to_owned(), (token.clone(), until));
                Ok(token)
            }
            None => Err(Reply {
                status: Some(502),
                retry_after: None,
                body: "unreadable token answer".to_owned(),
                timed_out: false,
            }),
        }
    }
}

/// See [`Sender::google_ads_access`].
struct GoogleAdsAccess {
    token: String,
    developer: String,
    login: String,
    base: String,
    version: String,
}

impl GoogleAdsAccess {
    fn credentials(&self) -> google_ads::Credentials<'_> {
        google_ads::Credentials {
            developer_token: &self.developer,
            login_customer_id: &self.login,
        }
    }
}

fn reply_outcome(reply: Reply, tuning: &Tuning, attempts: u32, prefix: &str) -> Outcome {
    let next = retry::next(
        &tuning.policy,
        reply.answer(),
        attempts,
        clock::now(),
        clock::jitter(),
    );
    Outcome::Tried(next, [prefix, &reply.describe()].concat())
}

/// An ad platform's answer: a 200 may still carry a refused conversion (partial failure).
fn read_platform(
    reply: Reply,
    tuning: &Tuning,
    attempts: u32,
    read: fn(&str) -> Result<(), String>,
) -> Outcome {
    if reply.status == Some(200) {
        return match read(&reply.body) {
            Ok(()) => Outcome::Tried(Next::Delivered, "200".to_owned()),
            Err(message) => Outcome::Tried(Next::Failed, ["200: refused: ", &message].concat()),
        };
    }
    reply_outcome(reply, tuning, attempts, "")
}
