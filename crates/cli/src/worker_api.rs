//! The deployed worker's operator API, as the commands call it: the configuration, the secrets'
//! names, a pool's figures, test calls. The operator's token comes from the environment
//! (`DNI_ADMIN_TOKEN`), never from the command line. Every request the commands send to a worker
//! or a page goes through here (the providers' APIs have their own layer, `provider::http`): one
//! client configuration, one way an answer is read.

use std::io::Read;
use std::time::Duration;

use dni_core::config::SiteConfig;
use serde_json::Value;

/// The worker at one URL.
pub struct Worker {
    /// Its base URL, without a trailing slash.
    pub base: String,
    token: String,
    agent: ureq::Agent,
}

/// An answer: status and JSON body (`Null` when empty, a string when not JSON).
pub type Answer = (u16, Value);

impl Worker {
    /// The worker at `base`, with the operator's token from `DNI_ADMIN_TOKEN`.
    pub fn from_env(base: &str) -> Result<Worker, String> {
        let token = std::env::var("DNI_ADMIN_TOKEN").unwrap_or_default();
        if token.is_empty() {
            return Err("set DNI_ADMIN_TOKEN (the worker's ADMIN_TOKEN) in the environment".into());
        }
        Ok(Worker::new(base, token))
    }

    /// The worker at `base` with `token`.
    pub fn new(base: &str, token: String) -> Worker {
        Worker {
            base: base.trim_end_matches('/').to_owned(),
            token,
            agent: agent(Duration::from_secs(30)),
        }
    }

    /// Sends a request; `body` is JSON when given.
    pub fn call(&self, method: &str, path: &str, body: Option<&str>) -> Result<Answer, String> {
        let url = [self.base.as_str(), path].concat();
        let auth = format!("Bearer {}", self.token);
        let sent = match (method, body) {
            ("GET", _) => self.agent.get(&url).header("Authorization", &auth).call(),
            ("PUT", Some(b)) => self
                .agent
                .put(&url)
                .header("Authorization", &auth)
                .header("Content-Type", "application/json")
                .send(b),
            (_, b) => self
                .agent
                .post(&url)
                .header("Authorization", &auth)
                .header("Content-Type", "application/json")
                .send(b.unwrap_or("{}")),
        };
        let mut response =
            sent.map_err(|e| format!("the worker at {} does not answer: {e}", self.base))?;
        let status = response.status().as_u16();
        let mut text = String::new();
        response
            .body_mut()
            .as_reader()
            .read_to_string(&mut text)
            .map_err(|e| format!("reading the worker's answer: {e}"))?;
        let json = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Ok((status, json))
    }

    /// The worker's error message in an answer.
    pub fn error(answer: &Answer) -> String {
        let (status, body) = answer;
        let message = body["error"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| body.to_string());
        format!("HTTP {status}: {message}")
    }

    /// The site's configuration (`None`: the worker has none for it).
    pub fn config(&self, site: &str) -> Result<Option<SiteConfig>, String> {
        let answer = self.call("GET", &format!("/v1/sites/{site}/config"), None)?;
        match answer.0 {
            200 => serde_json::from_value(answer.1)
                .map(Some)
                .map_err(|e| format!("the worker's configuration of {site} does not read: {e}")),
            404 => Ok(None),
            _ => Err(format!(
                "reading {site}'s configuration: {}",
                Worker::error(&answer)
            )),
        }
    }

    /// Stores a configuration (validated here first, then by the worker).
    pub fn put_config(&self, config: &SiteConfig) -> Result<(), String> {
        config
            .validate()
            .map_err(|e| format!("the configuration is not valid: {}", e.0))?;
        let body = serde_json::to_string(config).map_err(|e| e.to_string())?;
        let answer = self.call(
            "PUT",
            &format!("/v1/sites/{}/config", config.id),
            Some(&body),
        )?;
        if answer.0 == 200 {
            Ok(())
        } else {
            Err(format!(
                "storing {}'s configuration: {}",
                config.id,
                Worker::error(&answer)
            ))
        }
    }
}

/// A client that reads every status as an answer (a 4xx is the worker's word, not a transport
/// error) and gives up after `timeout`.
fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into()
}

/// A web page's text (at most `max` bytes of it), unauthenticated: the owner's page, which `dni
/// doctor` reads for the tag and the numbers.
pub fn fetch_page(url: &str, max: u64) -> Result<String, String> {
    let mut r = agent(Duration::from_secs(20))
        .get(url)
        .call()
        .map_err(|e| format!("{url}: {e}"))?;
    if r.status().as_u16() >= 400 {
        return Err(format!("{url} answers HTTP {}", r.status().as_u16()));
    }
    let mut text = String::new();
    r.body_mut()
        .as_reader()
        .take(max)
        .read_to_string(&mut text)
        .map_err(|e| format!("{url}: {e}"))?;
    Ok(text)
}

/// A URL's web origin, `scheme://host[:port]` as browsers compare them (the scheme and host in
/// lower case), or the input when it is not an absolute URL.
pub fn web_origin(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    format!(
        "{}://{}",
        scheme.to_ascii_lowercase(),
        authority.to_ascii_lowercase()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn origins_keep_the_port() {
        // (URL, origin)
        let table = [
            ("http://127.0.0.1:8787/t/shop.html", "http://127.0.0.1:8787"),
            ("HTTPS://Www.Example.com/?q=1", "https://www.example.com"),
            ("https://example.com", "https://example.com"),
            ("https://example.com#x", "https://example.com"),
        ];
        for (url, want) in table {
            assert_eq!(super::web_origin(url), want, "{url}");
        }
    }
}
