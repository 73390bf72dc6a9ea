//! Recordings stay at the provider. The report links them through the worker, which fetches them
//! with the account's credentials so that no credential ever reaches a browser, and streams them
//! through (a long recording is never held whole in the worker's memory).
//!
//! Twilio: the recording's URL (from the webhook) with the account SID and auth token, HTTP Basic.
//! Only Twilio's own host is fetched (plus `RECORDING_ORIGINS`, a comma-separated list of extra
//! origins, for a local stand-in of the provider in tests): a recording URL is data a webhook gave
//! us, and the worker must not be made to send credentials anywhere else.
//!
//! Telnyx: the link in the webhook expires ten minutes after the call, so the recording is looked
//! up by its id through Telnyx's API (`GET /v2/recordings/{id}`, Bearer API key), whose answer
//! holds a fresh, pre-signed download link; that link is fetched without credentials. The API's
//! base is Telnyx's own (`TELNYX_API_BASE` may name a loopback stand-in for tests, nothing else:
//! see `dni_core::telephony::telnyx::api_base`).

use dni_core::telephony::{telnyx, twilio, Provider, Recording};
use worker::{Env, Fetch, Headers, Method, Request, RequestInit, Response, ResponseBody};

use crate::error::{ApiError, ApiResult};
use crate::routes::secret;

fn allowed(env: &Env, url: &str) -> bool {
    url.starts_with("https://api.twilio.com/")
        || secret(env, "RECORDING_ORIGINS")
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .any(|o| url.starts_with(&[o.trim_end_matches('/'), "/"].concat()))
}

/// The recording, as the provider serves it.
pub async fn fetch(env: &Env, provider: Provider, recording: &Recording) -> ApiResult<Response> {
    match provider {
        Provider::Twilio => {
            if !allowed(env, &recording.url) {
                worker::console_error!("recording URL outside the provider's hosts refused");
                return Err(ApiError::Forbidden("recording host not allowed"));
            }
            let (sid, token) = (
                secret(env, "TWILIO_ACCOUNT_SID"),
                secret(env, "TWILIO_AUTH_TOKEN"),
            );
            if sid.is_empty() || token.is_empty() {
                return Err(ApiError::Forbidden(
                    "recordings are disabled: TWILIO_ACCOUNT_SID is not set",
                ));
            }
            let upstream = get(&recording.url, Some(&twilio::basic_auth(&sid, &token))).await?;
            pass_through(upstream)
        }
        Provider::Telnyx => {
            let key = secret(env, "TELNYX_API_KEY");
            if key.is_empty() {
                return Err(ApiError::Forbidden(
                    "recordings are disabled: TELNYX_API_KEY is not set",
                ));
            }
            let api = telnyx::recording_api_url(&secret(env, "TELNYX_API_BASE"), &recording.id)
                .ok_or(ApiError::NotFound("no recording for this call"))?;
            let mut answer = get(&api, Some(&["Bearer ", &key].concat())).await?;
            let text = answer.text().await?;
            let link = telnyx::download_url(&text).ok_or_else(|| {
                worker::console_error!("Telnyx's recording answer has no download link");
                ApiError::Unavailable
            })?;
            // A pre-signed link: the API key stays here.
            let upstream = get(&link, None).await?;
            pass_through(upstream)
        }
    }
}

/// A GET with an optional `Authorization`; anything but a 200 is the provider's failure.
async fn get(url: &str, authorization: Option<&str>) -> ApiResult<Response> {
    let headers = Headers::new();
    if let Some(value) = authorization {
        headers.set("Authorization", value)?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let request = Request::new_with_init(url, &init)?;
    let upstream = Fetch::Request(request).send().await?;
    if upstream.status_code() != 200 {
        worker::console_error!(
            "provider answered {} for a recording",
            upstream.status_code()
        );
        return Err(ApiError::Unavailable);
    }
    Ok(upstream)
}

/// The provider's answer as ours: its body streamed, its type, never cached.
fn pass_through(upstream: Response) -> ApiResult<Response> {
    let content_type = upstream
        .headers()
        .get("Content-Type")?
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    let body = match upstream.body() {
        ResponseBody::Stream(stream) => ResponseBody::Stream(stream.clone()),
        ResponseBody::Body(bytes) => ResponseBody::Body(bytes.clone()),
        ResponseBody::Empty => ResponseBody::Empty,
    };
    let mut response = Response::from_body(body)?;
    let h = response.headers_mut();
    h.set("Content-Type", &content_type)?;
    h.set("Cache-Control", "private, no-store")?;
    Ok(response)
}
