//! `dni test-call <worker URL> --site ID [--number N] [--channel C] [--source S] [--medium M]
//! [--campaign C] [--caller N]`: places a test call on a site through the worker's
//! `POST /v1/sites/{site}/test-calls`, and says which number was called, what the call was
//! credited to and where to see it.
//!
//! The admin token is read from the environment (`DNI_ADMIN_TOKEN`), never from the command line
//! (which shells keep in their history). For a worker on this machine (a loopback host), without
//! that variable, it is `ADMIN_TOKEN` in `./.dev.vars`: the local worker's own secrets, which
//! `scripts/demo` writes, so that the demo's test call needs no setup.
//!
//! [`place`] is what `dni doctor` calls too: its [`Failure`] tells "this worker has no test-call
//! route" ([`Failure::NotAvailable`]) from a refusal.

use std::io::Write;

use serde_json::{Map, Value};

use crate::worker_api::Worker;

const USAGE: &str = "usage: dni test-call WORKER_URL --site ID [--number +E164] [--channel NAME] \
[--source S] [--medium M] [--campaign C] [--caller +E164|anonymous]
  the admin token comes from DNI_ADMIN_TOKEN (or, for a worker on 127.0.0.1/localhost, from ADMIN_TOKEN in ./.dev.vars)";

/// The variable the admin token is read from.
pub const TOKEN_VAR: &str = "DNI_ADMIN_TOKEN";

/// What the worker said about a placed test call.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// The call's id (`test-…`).
    pub call_id: String,
    /// The tracking number called.
    pub number: String,
    /// `answered` or `missed`.
    pub status: String,
    /// The credited channel, source, medium and campaign.
    pub channel: String,
    /// See `channel`.
    pub source: String,
    /// See `channel`.
    pub medium: String,
    /// See `channel`.
    pub campaign: String,
    /// `pool` or `static`.
    pub number_kind: String,
    /// The attribution's confidence.
    pub confidence: f64,
    /// The call's record at the worker.
    pub call_url: String,
    /// The dashboard.
    pub dashboard: String,
}

/// Why a test call was not placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The worker has no test-call route (an older release): 404 from its router.
    NotAvailable,
    /// The worker refused the request (the site, the token, the body): its status and message.
    Refused(u16, String),
    /// The worker could not be reached, or its answer could not be read: why, in a sentence
    /// that names the worker.
    Unreachable(String),
}

impl Failure {
    /// What the operator is told.
    pub fn message(&self) -> String {
        match self {
            Failure::NotAvailable => {
                "this worker has no test-call route (deploy this release first)".to_owned()
            }
            Failure::Refused(401, m) => {
                format!("the worker refused the admin token ({m}); set {TOKEN_VAR}")
            }
            Failure::Refused(status, m) => format!("the worker said {status}: {m}"),
            Failure::Unreachable(m) => m.clone(),
        }
    }
}

/// Places a test call on `site` through `worker` (the body: `number`, `channel`, `source`,
/// `medium`, `campaign`, `caller`, each optional).
pub fn place(worker: &Worker, site: &str, body: &Value) -> Result<Placed, Failure> {
    let path = ["/v1/sites/", site, "/test-calls"].concat();
    let (status, answer) = worker
        .call("POST", &path, Some(&body.to_string()))
        .map_err(Failure::Unreachable)?;
    read(&worker.base, status, &answer)
}

/// What the worker at `base` said, with `status` and the JSON `answer`.
fn read(base: &str, status: u16, answer: &Value) -> Result<Placed, Failure> {
    if !answer.is_object() {
        return Err(Failure::Unreachable(format!(
            "the worker at {base} answered HTTP {status}, not a JSON object"
        )));
    }
    let field =
        |v: &Value, name: &str| v.get(name).and_then(Value::as_str).unwrap_or("").to_owned();
    if status != 201 {
        let message = field(answer, "error");
        // The router's own 404 (no such endpoint), not the route's (an unknown site).
        if status == 404 && message == "no such endpoint" {
            return Err(Failure::NotAvailable);
        }
        return Err(Failure::Refused(status, message));
    }
    let a = answer.get("attribution").cloned().unwrap_or(Value::Null);
    Ok(Placed {
        call_id: field(answer, "call_id"),
        number: field(answer, "number"),
        status: field(answer, "status"),
        channel: field(&a, "channel"),
        source: field(&a, "source"),
        medium: field(&a, "medium"),
        campaign: field(&a, "campaign"),
        number_kind: field(&a, "number_kind"),
        confidence: a.get("confidence").and_then(Value::as_f64).unwrap_or(0.0),
        call_url: field(answer, "call"),
        dashboard: field(answer, "dashboard"),
    })
}

/// The command's arguments: the worker, the site and the request's body.
#[derive(Debug, Clone, PartialEq)]
pub struct Args {
    /// The worker's URL.
    pub worker: String,
    /// The site.
    pub site: String,
    /// The body.
    pub body: Value,
}

/// Reads the arguments.
pub fn parse(args: &[String]) -> Result<Args, String> {
    let mut it = args.iter();
    let worker = it
        .next()
        .filter(|w| !w.starts_with("--"))
        .ok_or(USAGE)?
        .clone();
    if !(worker.starts_with("http://") || worker.starts_with("https://")) {
        return Err(format!(
            "the worker's URL must start with https:// or http://\n{USAGE}"
        ));
    }
    let (mut site, mut body) = (None, Map::new());
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--site" => site = Some(value.clone()),
            "--number" | "--channel" | "--source" | "--medium" | "--campaign" | "--caller" => {
                body.insert(flag[2..].to_owned(), Value::String(value.clone()));
            }
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    Ok(Args {
        worker,
        site: site.ok_or_else(|| format!("--site is required\n{USAGE}"))?,
        body: Value::Object(body),
    })
}

/// Whether the URL's host is this machine.
fn is_loopback(worker: &str) -> bool {
    let rest = worker.split_once("://").map_or(worker, |(_, r)| r);
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The admin token: `DNI_ADMIN_TOKEN` (`env`), else, for a worker on this machine, `ADMIN_TOKEN`
/// in the local worker's `.dev.vars` (`dev_vars`: the file's text, when there is one).
pub fn token(worker: &str, env: Option<String>, dev_vars: Option<&str>) -> Result<String, String> {
    if let Some(t) = env.filter(|t| !t.trim().is_empty()) {
        return Ok(t.trim().to_owned());
    }
    let local = is_loopback(worker)
        .then_some(dev_vars)
        .flatten()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.trim().strip_prefix("ADMIN_TOKEN="))
                .map(|v| v.trim().trim_matches('"').to_owned())
        })
        .filter(|t| !t.is_empty());
    local.ok_or_else(|| format!("set {TOKEN_VAR} to the worker's admin token (ADMIN_TOKEN)"))
}

/// `dni test-call`.
pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), String> {
    let args = parse(args)?;
    let dev_vars = std::fs::read_to_string(".dev.vars").ok();
    let token = token(
        &args.worker,
        std::env::var(TOKEN_VAR).ok(),
        dev_vars.as_deref(),
    )?;
    let worker = Worker::new(&args.worker, token);
    let placed = place(&worker, &args.site, &args.body).map_err(|f| f.message())?;
    write(out, &args.site, &placed).map_err(|e| e.to_string())
}

fn write(out: &mut dyn Write, site: &str, p: &Placed) -> std::io::Result<()> {
    let how = |s: &str| if s.is_empty() { "(none)" } else { s }.to_owned();
    writeln!(out, "test call {} placed on site {site}", p.call_id)?;
    writeln!(
        out,
        "  called    {} ({} number), {}",
        p.number, p.number_kind, p.status
    )?;
    writeln!(
        out,
        "  credited  {} ({} / {}, campaign {}), confidence {}",
        p.channel,
        how(&p.source),
        how(&p.medium),
        how(&p.campaign),
        p.confidence
    )?;
    writeln!(out, "  see it    {} (marked \"test\")", p.dashboard)?;
    writeln!(out, "            {}", p.call_url)?;
    writeln!(
        out,
        "  a test call counts in no report total (?test=include to see it there) and is never sent \
         to GA4 or the ad platforms"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn reads_its_arguments() {
        let a = parse(&args(
            "http://127.0.0.1:8787 --site demo --channel Paid --number +12125550101",
        ))
        .unwrap();
        assert_eq!(
            (a.worker.as_str(), a.site.as_str()),
            ("http://127.0.0.1:8787", "demo")
        );
        assert_eq!(
            a.body,
            serde_json::json!({"channel": "Paid", "number": "+12125550101"})
        );
        // (arguments, what the error says)
        let table = [
            ("--site demo", "usage"),
            ("127.0.0.1:8787 --site demo", "must start with"),
            ("http://x --site", "--site needs a value"),
            ("http://x --number +1", "--site is required"),
            ("http://x --site demo --token abc", "unknown option --token"),
        ];
        for (a, says) in table {
            let e = parse(&args(a)).unwrap_err();
            assert!(e.contains(says), "{a}: {e}");
        }
    }

    #[test]
    fn finds_the_admin_token() {
        let vars = "# comment\nADMIN_TOKEN=demo-admin-token\nTWILIO_AUTH_TOKEN=x\n";
        // (worker, DNI_ADMIN_TOKEN, .dev.vars, the token or None)
        let table = [
            ("https://w.example", Some("t1"), Some(vars), Some("t1")),
            ("http://127.0.0.1:8787", Some("t1"), Some(vars), Some("t1")),
            (
                "http://127.0.0.1:8787",
                None,
                Some(vars),
                Some("demo-admin-token"),
            ),
            (
                "http://localhost:8787/",
                Some(" "),
                Some(vars),
                Some("demo-admin-token"),
            ),
            (
                "http://[::1]:8787",
                None,
                Some("ADMIN_TOKEN=\"q\""),
                Some("q"),
            ),
            // A remote worker never gets the local file's token.
            ("https://w.example", None, Some(vars), None),
            ("http://127.0.0.1.example.com", None, Some(vars), None),
            ("http://127.0.0.1:8787", None, None, None),
            ("http://127.0.0.1:8787", None, Some("ADMIN_TOKEN=\n"), None),
        ];
        for (worker, env, file, want) in table {
            let got = token(worker, env.map(str::to_owned), file).ok();
            assert_eq!(got.as_deref(), want, "{worker} {env:?}");
        }
    }

    #[test]
    fn reads_the_workers_answer() {
        use serde_json::json;
        let base = "http://127.0.0.1:8787";
        let placed = json!({
            "call_id": "test-1", "number": "+12125550101", "status": "answered",
            "call": "http://127.0.0.1:8787/v1/sites/demo/calls/test-1",
            "dashboard": "http://127.0.0.1:8787/dashboard/",
            "attribution": { "channel": "Paid Search", "source": "google", "medium": "cpc",
              "campaign": "dni-test-call", "number_kind": "pool", "confidence": 1.0 }
        });
        let got = read(base, 201, &placed).unwrap();
        assert_eq!(
            (
                got.call_id.as_str(),
                got.number.as_str(),
                got.channel.as_str(),
                got.campaign.as_str(),
                got.number_kind.as_str(),
                got.confidence,
                got.call_url.as_str(),
            ),
            (
                "test-1",
                "+12125550101",
                "Paid Search",
                "dni-test-call",
                "pool",
                1.0,
                "http://127.0.0.1:8787/v1/sites/demo/calls/test-1",
            )
        );
        // (status, answer, failure)
        let table = [
            (
                404,
                json!({"error": "no such endpoint"}),
                Failure::NotAvailable,
            ),
            (
                404,
                json!({"error": "unknown site"}),
                Failure::Refused(404, "unknown site".into()),
            ),
            (
                401,
                json!({"error": "unauthorized"}),
                Failure::Refused(401, "unauthorized".into()),
            ),
            (
                502,
                json!("<html>bad gateway</html>"),
                Failure::Unreachable(
                    "the worker at http://127.0.0.1:8787 answered HTTP 502, not a JSON object"
                        .into(),
                ),
            ),
            (
                201,
                serde_json::Value::Null,
                Failure::Unreachable(
                    "the worker at http://127.0.0.1:8787 answered HTTP 201, not a JSON object"
                        .into(),
                ),
            ),
        ];
        for (status, answer, want) in table {
            assert_eq!(read(base, status, &answer), Err(want), "{status} {answer}");
        }
    }

    #[test]
    fn says_why_it_failed() {
        assert!(Failure::NotAvailable
            .message()
            .contains("no test-call route"));
        assert!(Failure::Refused(401, "x".into())
            .message()
            .contains(TOKEN_VAR));
        assert!(Failure::Refused(400, "unknown channel".into())
            .message()
            .contains("400: unknown channel"));
    }
}
