//! The OAuth 2.0 refresh-token grant (RFC 6749 §6) both ad platforms use: a long-lived refresh
//! token, kept as a worker secret, is exchanged for a short-lived access token before an upload.

#[allow(unused_imports)]
use crate::prelude::*;

use serde_json::Value;

use super::HttpRequest;
use crate::url::percent_encoded;

/// The refresh request: a form `POST` to the token endpoint. `scope` is Microsoft's (empty for
/// Google, whose refresh token carries its scope); `client_secret` may be empty (Microsoft's public
/// clients have none).
pub fn refresh_request(
    token_url: &str,
    client_id: &str,
    client_secret: &str,
    refresh_token: &str,
    scope: &str,
) -> HttpRequest {
    let mut body = [
        "grant_type=refresh_token&client_id=",
        &percent_encoded(client_id),
        "&refresh_token=",
        &percent_encoded(refresh_token),
    ]
    .concat();
    if !client_secret.is_empty() {
        body.push_str("&client_secret=");
        body.push_str(&percent_encoded(client_secret));
    }
    if !scope.is_empty() {
        body.push_str("&scope=");
        body.push_str(&percent_encoded(scope));
    }
    HttpRequest {
        method: super::Method::Post,
        url: token_url.to_owned(),
        headers: vec![(
            "content-type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        )],
        body,
    }
}

/// The access token and its lifetime in seconds, from the token endpoint's JSON answer.
pub fn read_token(answer: &str) -> Option<(String, u64)> {
    let v: Value = serde_json::from_str(answer).ok()?;
    let token = v.get("access_token")?.as_str()?;
    if token.is_empty() {
        return None;
    }
    let expires = v.get("expires_in").and_then(Value::as_u64).unwrap_or(3600);
    Some((token.to_owned(), expires))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_reads() {
        let r = refresh_request(
            "https://oauth2.googleapis.com/token",
            "id.apps",
            "sec ret",
            "1//tok",
            "",
        );
        assert_eq!(r.body, "grant_type=refresh_token&client_id=id.apps&refresh_token=1%2F%2Ftok&client_secret=sec%20ret");
        let m = refresh_request(
            "http://127.0.0.1:9/t",
            "cid",
            "",
            "rt",
            "https://ads.microsoft.com/msads.manage offline_access",
        );
        assert_eq!(m.body, "grant_type=refresh_token&client_id=cid&refresh_token=rt&scope=https%3A%2F%2Fads.microsoft.com%2Fmsads.manage%20offline_access");
        let table = [
            (
                r#"{"access_token":"ya29.x","expires_in":3599,"token_type":"Bearer"}"#,
                Some(("ya29.x".to_owned(), 3599)),
            ),
            (r#"{"access_token":"a"}"#, Some(("a".to_owned(), 3600))),
            (r#"{"access_token":""}"#, None),
            (r#"{"error":"invalid_grant"}"#, None),
            ("nope", None),
        ];
        for (answer, want) in table {
            assert_eq!(read_token(answer), want, "{answer}");
        }
    }
}
