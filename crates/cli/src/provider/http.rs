//! The one HTTP layer of the providers' APIs: a blocking client (ureq), the provider's
//! authorization, and `--dry-run`, under which every call is printed and only reads are sent.

use std::io::Read;
use std::time::Duration;

use base64::Engine;
use serde_json::Value;

/// A request to a provider's API.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// `GET`, `POST`, `PATCH` or `DELETE`.
    pub method: &'static str,
    /// The path and query, from the API's base.
    pub path: String,
    /// A form body (Twilio).
    pub form: Vec<(String, String)>,
    /// A JSON body (Telnyx).
    pub json: Option<Value>,
}

impl Call {
    /// A call without a body.
    pub fn new(method: &'static str, path: String) -> Call {
        Call {
            method,
            path,
            form: Vec::new(),
            json: None,
        }
    }

    /// Whether it changes nothing at the provider.
    pub fn reads(&self) -> bool {
        self.method == "GET"
    }
}

/// The client of one provider's API.
pub struct Http {
    base: String,
    auth: String,
    dry_run: bool,
    agent: ureq::Agent,
}

/// The API's base URL: the real one, or an override whose host is this machine (a stand-in for
/// tests); any other override is refused, so a stray variable cannot send credentials elsewhere.
pub fn base_url(overridden: &str, real: &str) -> Result<String, String> {
    if overridden.is_empty() {
        return Ok(real.to_owned());
    }
    let host = dni_core::url::host_of(overridden).unwrap_or_default();
    if overridden.starts_with("http://") && matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
        Ok(overridden.trim_end_matches('/').to_owned())
    } else {
        Err(format!(
            "an API base override must be http://127.0.0.1:PORT (a local stand-in), not {overridden}"
        ))
    }
}

/// HTTP Basic authorization.
pub fn basic(user: &str, password: &str) -> String {
    let pair = format!("{user}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// Appends `name=value` to a query string being built (`?` or `&` first).
pub fn push_query(path: &mut String, name: &str, value: &str) {
    path.push(if path.contains('?') { '&' } else { '?' });
    dni_core::url::push_percent_encoded(path, name);
    path.push('=');
    dni_core::url::push_percent_encoded(path, value);
}

impl Http {
    /// A client of the API at `base` with this `Authorization` header.
    pub fn new(base: String, auth: String, dry_run: bool) -> Http {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Http {
            base,
            auth,
            dry_run,
            agent,
        }
    }

    /// Sends a call and returns the status and the body's JSON; under `--dry-run` a call that
    /// changes something is printed and not sent (`None`).
    pub fn send(&self, call: &Call) -> Result<Option<(u16, Value)>, String> {
        if self.dry_run {
            eprintln!("{}", describe(call));
            if !call.reads() {
                return Ok(None);
            }
        }
        let url = [self.base.as_str(), call.path.as_str()].concat();
        let auth = self.auth.as_str();
        let sent = match (call.method, &call.json) {
            ("GET", _) => self.agent.get(&url).header("Authorization", auth).call(),
            ("DELETE", _) => self.agent.delete(&url).header("Authorization", auth).call(),
            (m, Some(json)) => {
                let body = json.to_string();
                let req = if m == "PATCH" {
                    self.agent.patch(&url)
                } else {
                    self.agent.post(&url)
                };
                req.header("Authorization", auth)
                    .header("Content-Type", "application/json")
                    .send(body)
            }
            (_, None) => {
                let pairs = call.form.iter().map(|(k, v)| (k.as_str(), v.as_str()));
                self.agent
                    .post(&url)
                    .header("Authorization", auth)
                    .send_form(pairs)
            }
        };
        let mut response = sent.map_err(|e| format!("{} {}: {e}", call.method, url))?;
        let status = response.status().as_u16();
        let mut text = String::new();
        response
            .body_mut()
            .as_reader()
            .read_to_string(&mut text)
            .map_err(|e| format!("{} {}: reading the answer: {e}", call.method, url))?;
        let json = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Ok(Some((status, json)))
    }
}

/// A call as `--dry-run` prints it: method, path, and each field.
pub fn describe(call: &Call) -> String {
    let mut out = format!("would {} {}", call.method, call.path);
    for (k, v) in &call.form {
        out.push_str(&format!("\n    {k}={v}"));
    }
    if let Some(json) = &call.json {
        out.push_str(&format!("\n    {json}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_loopback_base_overrides_the_api() {
        // (override, accepted)
        let table = [
            ("", Some("https://api.twilio.com")),
            ("http://127.0.0.1:4010", Some("http://127.0.0.1:4010")),
            ("http://127.0.0.1:4010/", Some("http://127.0.0.1:4010")),
            ("http://localhost:9", Some("http://localhost:9")),
            ("https://evil.example.com", None),
            ("http://127.0.0.1.evil.example.com", None),
            ("http://10.0.0.1:80", None),
        ];
        for (given, want) in table {
            let got = base_url(given, "https://api.twilio.com").ok();
            assert_eq!(got.as_deref(), want, "{given}");
        }
    }

    #[test]
    fn queries_are_encoded() {
        let mut p = "/v2/x".to_owned();
        push_query(&mut p, "filter[limit]", "2");
        push_query(&mut p, "a", "b c");
        assert_eq!(p, "/v2/x?filter%5Blimit%5D=2&a=b%20c");
    }
}
