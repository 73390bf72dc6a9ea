//! Recordings stay at the provider. The report links them through the worker, which fetches them
//! with the account's credentials (Twilio: the account SID and auth token, HTTP Basic; Telnyx: the
//! API key, Bearer) so that no credential ever reaches a browser. Only the provider's own hosts
//! are fetched (plus `RECORDING_ORIGINS`, a comma-separated list of extra origins, for a local
//! stand-in of the provider in tests): a recording URL is data a webhook gave us, and the worker
//! must not be made to send credentials anywhere else.

use dni_core::telephony::{twilio, Provider};
use worker::{Env, Fetch, Headers, Method, Request, RequestInit, Response};

use crate::error::{ApiError, ApiResult};
use crate::routes::secret;

fn allowed(env: &Env, provider: Provider, url: &str) -> bool {
    let own = match provider {
        Provider::Twilio => "https://api.twilio.com/",
        Provider::Telnyx => "https://api.telnyx.com/",
    };
    url.starts_with(own)
        || secret(env, "RECORDING_ORIGINS")
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .any(|o| url.starts_with(&[o.trim_end_matches('/'), "/"].concat()))
}

/// The recording at `url`, as the provider serves it.
pub async fn fetch(env: &Env, provider: Provider, url: &str) -> ApiResult<Response> {
    if !allowed(env, provider, url) {
        worker::console_error!("recording URL outside the provider's hosts refused");
        return Err(ApiError::Forbidden("recording host not allowed"));
    }
    let authorization = match provider {
        Provider::Twilio => {
            let (sid, token) = (
                secret(env, "TWILIO_ACCOUNT_SID"),
                secret(env, "TWILIO_AUTH_TOKEN"),
            );
            if sid.is_empty() || token.is_empty() {
                return Err(ApiError::Forbidden(
                    "recordings are disabled: TWILIO_ACCOUNT_SID is not set",
                ));
            }
            twilio::basic_auth(&sid, &token)
        }
        Provider::Telnyx => {
            let key = secret(env, "TELNYX_API_KEY");
            if key.is_empty() {
                return Err(ApiError::Forbidden(
                    "recordings are disabled: TELNYX_API_KEY is not set",
                ));
            }
            ["Bearer ", &key].concat()
        }
    };
    let headers = Headers::new();
    headers.set("Authorization", &authorization)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let request = Request::new_with_init(url, &init)?;
    let mut upstream = Fetch::Request(request).send().await?;
    if upstream.status_code() != 200 {
        worker::console_error!(
            "provider answered {} for a recording",
            upstream.status_code()
        );
        return Err(ApiError::Unavailable);
    }
    let content_type = upstream
        .headers()
        .get("Content-Type")?
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    let body = upstream.bytes().await?;
    let mut response = Response::from_bytes(body)?;
    let h = response.headers_mut();
    h.set("Content-Type", &content_type)?;
    h.set("Cache-Control", "private, no-store")?;
    Ok(response)
}
