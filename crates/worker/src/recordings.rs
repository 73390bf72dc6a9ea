//! Recordings stay at the provider. The report links them through the worker, which fetches them
//! with the account's credentials so that no credential ever reaches a browser, and streams them
//! through (a long recording is never held whole in the worker's memory).
//!
//! Where a recording is and with which credentials is the provider's module's in the core
//! (`Carrier::recording_source`): Twilio's own URL, on Twilio's host only (plus
//! `RECORDING_ORIGINS`, for a local stand-in in tests), with the account SID and auth token;
//! Telnyx's looked up by id through its API (the webhook's link expires ten minutes after the
//! call), whose answer holds a fresh pre-signed link fetched without credentials.

use dni_core::telephony::{Provider, Recording, RecordingRefusal, RecordingSource};
use worker::{Env, Fetch, Headers, Method, Request, RequestInit, Response, ResponseBody};

use crate::error::{ApiError, ApiResult};
use crate::routes::secret;

/// The recording, as the provider serves it.
pub async fn fetch(env: &Env, provider: Provider, recording: &Recording) -> ApiResult<Response> {
    let secrets = |name: &str| secret(env, name);
    let source = provider
        .carrier()
        .recording_source(recording, &secrets)
        .map_err(|refusal| match refusal {
            RecordingRefusal::HostNotAllowed => {
                worker::console_error!("recording URL outside the provider's hosts refused");
                ApiError::Forbidden("recording host not allowed")
            }
            RecordingRefusal::Disabled(why) => ApiError::Forbidden(why),
            RecordingRefusal::Unknown => ApiError::NotFound("no recording for this call"),
        })?;
    let upstream = match source {
        RecordingSource::Direct { url, authorization } => {
            get(&url, authorization.as_deref()).await?
        }
        RecordingSource::Lookup {
            api_url,
            authorization,
            link,
        } => {
            let text = get(&api_url, Some(&authorization)).await?.text().await?;
            let link = link(&text).ok_or_else(|| {
                worker::console_error!("the provider's recording answer has no download link");
                ApiError::Unavailable
            })?;
            // A pre-signed link: the credentials stay here.
            get(&link, None).await?
        }
    };
    pass_through(upstream)
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
