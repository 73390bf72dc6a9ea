//! `dni setup`: from nothing to a live site, in one command. It asks (or takes from flags, `--yes`
//! for no questions) the site id and origins, the business number, the provider (credentials from
//! the environment only), how many numbers (offering the sizing model's figure for the visitors
//! an hour expected), local or toll-free and the area code; then it deploys the worker, sets the
//! secrets, buys or attaches the numbers, writes `sites/<id>.json`, stores it, and prints the tag,
//! the dashboard's URL and a fresh report token.
//!
//! Idempotent and resumable: each step finds what exists and does only what is missing (numbers
//! carry a marker at the provider, so a resumed run never buys twice); a failure says what was
//! done and which command finishes the job; `--dry-run` prints every call and changes nothing.
//!
//! The deploy and secret commands default to `npx wrangler deploy` and `npx wrangler secret put
//! NAME` (the value on stdin); `DNI_DEPLOY_COMMAND` and `DNI_SECRET_COMMAND` replace them (a
//! worker deployed some other way, or a local `wrangler dev` in tests).

use std::io::{BufRead, Write};
use std::process::{Command, Stdio};

use dni_core::config::SiteConfig;
use dni_core::phone::E164;
use dni_core::report::pool::{erlang_b_numbers, TARGET_BLOCKING};
use dni_core::telephony::Provider;

use crate::numbers_cmd::{acquire, area_code};
use crate::provider::{self, Hooks, Want};
use crate::worker_api::Worker;

const USAGE: &str = "usage: dni setup [--site ID] [--origin URL]... [--business-number E164] [--provider twilio|telnyx]
  [--numbers-count N | --visitors-per-hour V] [--toll-free] [--area-code A] [--numbers E164,...]
  [--force] [--worker-url URL] [--yes] [--dry-run]";

/// The answers.
#[derive(Debug, Default, Clone)]
pub struct Answers {
    site: Option<String>,
    origins: Vec<String>,
    business: Option<String>,
    provider: Option<String>,
    count: Option<usize>,
    visitors: Option<f64>,
    toll_free: bool,
    area_code: Option<String>,
    attach: Vec<String>,
    worker_url: Option<String>,
    yes: bool,
    dry_run: bool,
    force: bool,
}

fn parse(args: &[String]) -> Result<Answers, String> {
    let mut a = Answers::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--site" => a.site = Some(value()?),
            "--origin" => a.origins.push(value()?),
            "--business-number" => a.business = Some(value()?),
            "--provider" => a.provider = Some(value()?),
            "--numbers-count" => {
                a.count = Some(
                    value()?
                        .parse()
                        .map_err(|_| "--numbers-count takes a number")?,
                )
            }
            "--visitors-per-hour" => {
                a.visitors = Some(
                    value()?
                        .parse()
                        .map_err(|_| "--visitors-per-hour takes a number")?,
                )
            }
            "--toll-free" => a.toll_free = true,
            "--area-code" => a.area_code = Some(value()?),
            "--numbers" => a
                .attach
                .extend(value()?.split(',').map(|s| s.trim().to_owned())),
            "--worker-url" => a.worker_url = Some(value()?),
            "--yes" => a.yes = true,
            "--force" => a.force = true,
            "--dry-run" => a.dry_run = true,
            _ => return Err(USAGE.into()),
        }
    }
    Ok(a)
}

/// The pool size the sizing model suggests for `visitors` an hour: Erlang-B at 1 % for a hold of
/// the default cool-down plus idle timeout per visitor.
pub fn suggested(visitors: f64) -> usize {
    let s = dni_core::lease::Settings::default();
    let hold_h = (s.cooldown + s.idle_timeout) as f64 / dni_core::HOUR as f64;
    erlang_b_numbers(visitors * hold_h, TARGET_BLOCKING)
}

/// Asks on the terminal (or takes the default under `--yes`).
struct Asker<'a> {
    yes: bool,
    input: &'a mut dyn BufRead,
}

impl Asker<'_> {
    fn ask(
        &mut self,
        out: &mut dyn Write,
        question: &str,
        default: Option<&str>,
    ) -> Result<String, String> {
        if self.yes {
            return default.map(str::to_owned).ok_or(format!(
                "{question}: no answer (give it as a flag; see dni setup --help)"
            ));
        }
        let _ = write!(
            out,
            "{question}{}: ",
            default.map(|d| format!(" [{d}]")).unwrap_or_default()
        );
        let _ = out.flush();
        let mut line = String::new();
        self.input.read_line(&mut line).map_err(|e| e.to_string())?;
        let line = line.trim();
        match (line.is_empty(), default) {
            (true, Some(d)) => Ok(d.to_owned()),
            (true, None) => Err(format!("{question}: no answer")),
            _ => Ok(line.to_owned()),
        }
    }
}

/// 32 random bytes as 64 hex digits, from the operating system.
fn random_secret() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    Ok(dni_core::text::hex(&bytes))
}

fn shell(command: &str, stdin: Option<&str>) -> Result<String, String> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{command}: {e}"))?;
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(text.as_bytes())
            .map_err(|e| format!("{command}: {e}"))?;
    }
    let done = child
        .wait_with_output()
        .map_err(|e| format!("{command}: {e}"))?;
    let text = String::from_utf8_lossy(&done.stdout).into_owned();
    if done.status.success() {
        Ok(text)
    } else {
        Err(format!("{command} failed ({})", done.status))
    }
}

/// The first `https://...workers.dev` URL in wrangler's output.
pub fn deployed_url(output: &str) -> Option<String> {
    output
        .split_whitespace()
        .find(|w| w.starts_with("https://") && w.contains(".workers.dev"))
        .map(|w| w.trim_end_matches(['/', ',', '.']).to_owned())
}

/// The placeholder KV id the repository's `wrangler.toml` carries.
const PLACEHOLDER_KV: &str = "id = \"00000000000000000000000000000000\"";

/// What the deploy needs done about the configuration namespace first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KvPlan {
    /// The binding has a real id, or none (wrangler provisions it): nothing.
    Nothing,
    /// wrangler 4.45 or later provisions a KV binding without an id at deploy: drop the
    /// placeholder (the new `wrangler.toml`).
    Provision(String),
    /// An older wrangler: create the namespace and write its id.
    Create,
}

/// The plan for `wrangler.toml`'s text with the pinned wrangler's `version` (major, minor).
pub fn kv_plan(toml: &str, version: Option<(u32, u32)>) -> KvPlan {
    if !toml.lines().any(|l| l.trim() == PLACEHOLDER_KV) {
        return KvPlan::Nothing;
    }
    match version {
        Some(v) if v >= (4, 45) => KvPlan::Provision(
            toml.lines()
                .filter(|l| l.trim() != PLACEHOLDER_KV)
                .map(|l| format!("{l}\n"))
                .collect(),
        ),
        _ => KvPlan::Create,
    }
}

/// `wrangler.toml` with the namespace id `wrangler kv namespace create` printed in place of the
/// placeholder (its first 32-hex-digit word), or `None` when the output has none.
pub fn with_namespace_id(toml: &str, output: &str) -> Option<String> {
    let id = output
        .split(|c: char| !c.is_ascii_hexdigit())
        .find(|w| w.len() == 32 && *w != "00000000000000000000000000000000")?;
    Some(toml.replace(PLACEHOLDER_KV, &format!("id = \"{id}\"")))
}

/// `(major, minor)` from `wrangler --version`'s output.
pub fn wrangler_version(output: &str) -> Option<(u32, u32)> {
    let word = output
        .split_whitespace()
        .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()) && w.contains('.'))?;
    let mut parts = word.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}

/// Makes the configuration namespace ready for `wrangler deploy` (in the current directory).
fn prepare_kv(dry: bool, out: &mut dyn Write) -> Result<Option<String>, String> {
    let Ok(toml) = std::fs::read_to_string("wrangler.toml") else {
        return Ok(None);
    };
    let version = shell("npx wrangler --version", None)
        .ok()
        .and_then(|o| wrangler_version(&o));
    match kv_plan(&toml, version) {
        KvPlan::Nothing => Ok(None),
        KvPlan::Provision(new) => {
            if dry {
                let _ = writeln!(out, "would drop the placeholder KV id from wrangler.toml (wrangler provisions the namespace at deploy)");
            } else {
                std::fs::write("wrangler.toml", new).map_err(|e| format!("wrangler.toml: {e}"))?;
            }
            Ok(Some(
                "wrangler.toml: the configuration namespace is provisioned at deploy".into(),
            ))
        }
        KvPlan::Create => {
            let command = "npx wrangler kv namespace create CONFIG";
            if dry {
                let _ = writeln!(out, "would run: {command}");
                return Ok(None);
            }
            let output = shell(command, None)?;
            let new = with_namespace_id(&toml, &output)
                .ok_or(format!("{command} printed no namespace id"))?;
            std::fs::write("wrangler.toml", new).map_err(|e| format!("wrangler.toml: {e}"))?;
            Ok(Some(
                "the configuration namespace created and its id written into wrangler.toml".into(),
            ))
        }
    }
}

/// Runs `dni setup`.
pub fn run(args: &[String], input: &mut dyn BufRead, out: &mut dyn Write) -> Result<(), String> {
    let a = parse(args)?;
    let dry = a.dry_run;
    let mut asker = Asker { yes: a.yes, input };
    let mut done: Vec<String> = Vec::new();
    let fail = |done: &[String], e: String| -> String {
        let so_far = if done.is_empty() {
            "nothing".to_owned()
        } else {
            done.join("; ")
        };
        format!("{e}\ndone so far: {so_far}.\nFix that and run the same dni setup command again: it finds what exists and does only what is missing.")
    };

    // The answers.
    let site = match &a.site {
        Some(s) => s.clone(),
        None => asker.ask(out, "site id ([a-z0-9-])", None)?,
    };
    let origins = if a.origins.is_empty() {
        asker
            .ask(
                out,
                "your pages' origins, comma-separated (https://www.example.com)",
                None,
            )?
            .split(',')
            .map(|s| s.trim().to_owned())
            .collect()
    } else {
        a.origins.clone()
    };
    let business = match &a.business {
        Some(b) => b.clone(),
        None => asker.ask(
            out,
            "the business number your pages show (E.164, +1...)",
            None,
        )?,
    };
    let business =
        E164::parse(&business).map_err(|e| format!("the business number {business}: {e}"))?;
    let provider_name = match &a.provider {
        Some(p) => p.clone(),
        None => asker.ask(out, "provider (twilio or telnyx)", Some("twilio"))?,
    };
    let which = Provider::from_name(&provider_name).ok_or(format!(
        "unknown provider {provider_name}: twilio or telnyx"
    ))?;
    let count = match (a.count, a.attach.is_empty()) {
        (Some(n), _) => n,
        (None, false) => a.attach.len(),
        (None, true) => {
            let v = a.visitors.unwrap_or(100.0);
            let s = suggested(v);
            let _ = writeln!(out, "for {v} visitors an hour at the busiest hour, the sizing model suggests {s} numbers (at most 1 % of visitors without one)");
            asker
                .ask(out, "how many numbers", Some(&s.to_string()))?
                .parse()
                .map_err(|_| "not a number".to_owned())?
        }
    };
    let area = match (&a.area_code, a.toll_free) {
        (_, true) => None,
        (Some(given), false) => Some(given.clone()),
        (None, false) => {
            let default = area_code(&business);
            Some(asker.ask(out, "area code", default.as_deref())?)
        }
    };

    // Deploy: the configuration namespace first (wrangler's own deploy only), then the worker
    // with its Durable Object migrations (wrangler applies `[[migrations]]` at deploy).
    let deploy = match std::env::var("DNI_DEPLOY_COMMAND") {
        Ok(command) => command,
        Err(_) => {
            if let Some(step) = prepare_kv(dry, out).map_err(|e| fail(&done, e))? {
                done.push(step);
            }
            "npx wrangler deploy".into()
        }
    };
    let base = if dry {
        let _ = writeln!(out, "would run: {deploy}");
        a.worker_url
            .clone()
            .unwrap_or_else(|| "https://<worker>.workers.dev".into())
    } else {
        let output = shell(&deploy, None).map_err(|e| fail(&done, e))?;
        let url = a
            .worker_url
            .clone()
            .or_else(|| deployed_url(&output))
            .ok_or_else(|| {
                fail(
                    &done,
                    "the deploy did not print the worker's URL: give it with --worker-url".into(),
                )
            })?;
        done.push(format!("deployed ({url})"));
        url
    };
    let base = base.trim_end_matches('/').to_owned();

    // Secrets.
    let secret_cmd =
        std::env::var("DNI_SECRET_COMMAND").unwrap_or_else(|_| "npx wrangler secret put".into());
    let existing_token = std::env::var("DNI_ADMIN_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());
    let token = match &existing_token {
        Some(t) => t.clone(),
        None => random_secret()?,
    };
    let worker = Worker::new(&base, token.clone());
    let present: Vec<String> = match (&existing_token, dry) {
        (Some(_), false) => match worker.call("GET", &format!("/v1/sites/{site}/secrets"), None) {
            Ok((200, body)) => body["present"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let mut secrets: Vec<(String, String, bool)> = Vec::new(); // (name, value, shown once)
    if existing_token.is_none() {
        secrets.push(("ADMIN_TOKEN".into(), token.clone(), true));
    }
    if !present.iter().any(|n| n == "CALLBACK_SECRET") {
        secrets.push(("CALLBACK_SECRET".into(), random_secret()?, false));
    }
    let env = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
    let provider_secrets: &[&str] = match which {
        Provider::Twilio => &["TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID"],
        Provider::Telnyx => &["TELNYX_PUBLIC_KEY", "TELNYX_API_KEY"],
    };
    for name in provider_secrets {
        match env(name) {
            Some(v) if !present.iter().any(|p| p == name) => {
                secrets.push(((*name).into(), v, false))
            }
            Some(_) => {}
            None => {
                return Err(fail(
                    &done,
                    format!("set {name} in the environment (never on the command line)"),
                ))
            }
        }
    }
    for (name, value, shown) in &secrets {
        let command = format!("{secret_cmd} {name}");
        if dry {
            let _ = writeln!(out, "would run: {command} (value on stdin)");
            continue;
        }
        shell(&command, Some(value)).map_err(|e| fail(&done, e))?;
        done.push(format!("secret {name} set"));
        if *shown {
            let _ = writeln!(out, "ADMIN_TOKEN (shown once; keep it, and set DNI_ADMIN_TOKEN to it for dni numbers and dni doctor): {value}");
        }
    }

    // The configuration so far: the file if there is one, else the worker's, else a new one.
    let path = format!("sites/{site}.json");
    let mut config: SiteConfig = match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?,
        Err(_) => match (dry, existing_token.is_some()) {
            (false, true) => worker.config(&site).ok().flatten(),
            _ => None,
        }
        .map(Ok)
        .unwrap_or_else(|| new_site(&site, &origins, &business, which))?,
    };
    for o in &origins {
        if !config.origins.contains(o) {
            config.origins.push(o.clone());
        }
    }
    let _ = writeln!(out, "{}", static_by_channel(&config));
    let pool_id = config
        .pools
        .first()
        .map(|p| p.id.clone())
        .unwrap_or_else(|| "visitors".into());

    // Numbers.
    let hooks = Hooks::of(&base, which);
    let mut api = provider::from_env(which, dry).map_err(|e| fail(&done, e))?;
    let have = config.pool(&pool_id).map(|p| p.numbers.len()).unwrap_or(0);
    let numbers: Vec<String> = if !a.attach.is_empty() {
        let owned = api.list().map_err(|e| fail(&done, e))?;
        let mark = provider::marker(&site, &pool_id);
        // Every number checked before any is repointed: a refusal changes nothing.
        let mut chosen = Vec::new();
        for n in &a.attach {
            let o = owned.iter().find(|o| &o.number == n).ok_or_else(|| {
                fail(
                    &done,
                    format!("the {} account does not own {n}", which.as_str()),
                )
            })?;
            let now = if o.voice_url.is_empty() {
                "nowhere"
            } else {
                o.voice_url.as_str()
            };
            let _ = writeln!(out, "{n} points at {now} now");
            let elsewhere = !o.voice_url.is_empty()
                && crate::worker_api::web_origin(&o.voice_url)
                    != crate::worker_api::web_origin(&hooks.voice);
            if elsewhere && !a.force {
                return Err(fail(
                    &done,
                    format!(
                        "{n} is attached to another worker ({now}): repoint it anyway with --force"
                    ),
                ));
            }
            chosen.push(o.clone());
        }
        for o in &chosen {
            if !hooks.points_here(o) {
                api.point(o, &hooks, &mark).map_err(|e| fail(&done, e))?;
            }
        }
        chosen.into_iter().map(|o| o.number).collect()
    } else if count > have {
        let want = Want {
            toll_free: a.toll_free,
            area_code: area.clone(),
            count: count - have,
        };
        acquire(
            api.as_mut(),
            &config,
            &pool_id,
            count - have,
            &want,
            &hooks,
            out,
        )
        .map_err(|e| fail(&done, e))?
    } else {
        Vec::new()
    };
    if let Some(p) = config.pools.iter_mut().find(|p| p.id == pool_id) {
        for n in &numbers {
            let e = E164::parse(n).map_err(|e| format!("{n}: {e}"))?;
            if !p.numbers.contains(&e) {
                p.numbers.push(e);
            }
        }
    }
    if !numbers.is_empty() && !dry {
        done.push(format!(
            "numbers {} point at the worker",
            numbers.join(", ")
        ));
    }

    // The configuration: written, validated, stored.
    config
        .validate()
        .map_err(|e| fail(&done, format!("the configuration is not valid: {}", e.0)))?;
    let text = serde_json::to_string_pretty(&config).map_err(|e| e.to_string())?;
    if dry {
        let _ = writeln!(
            out,
            "would write {path} and PUT {base}/v1/sites/{site}/config:\n{text}"
        );
        return Ok(());
    }
    std::fs::write(&path, format!("{text}\n")).map_err(|e| fail(&done, format!("{path}: {e}")))?;
    done.push(format!("{path} written"));
    worker.put_config(&config).map_err(|e| fail(&done, e))?;
    done.push("configuration stored".into());

    // A site added to a worker that already runs (its ADMIN_TOKEN given): the site's own operator
    // key, so that whoever runs this site needs no global token. One per site, found by its name on
    // a second run (its secret was shown when it was made).
    if existing_token.is_some() {
        match site_key(&worker, &site) {
            Ok(line) => {
                let _ = writeln!(out, "{line}");
                done.push("the site's operator key".into());
            }
            Err(e) => return Err(fail(&done, e)),
        }
    }

    // A fresh report token, the tag, the dashboard.
    let answer = worker
        .call(
            "POST",
            &format!("/v1/sites/{site}/report-tokens"),
            Some(r#"{"name":"dni setup"}"#),
        )
        .map_err(|e| fail(&done, e))?;
    let report_token = answer.1["token"]
        .as_str()
        .unwrap_or("(none: create one with POST /v1/sites/{site}/report-tokens)")
        .to_owned();
    let _ = writeln!(out, "\nDone. Paste this tag into your pages:\n  <script src=\"{base}/dni.js\" data-site=\"{site}\" async></script>");
    let _ = writeln!(
        out,
        "Dashboard: {base}/dashboard/ (site {site}, report token {report_token})"
    );
    let _ = writeln!(
        out,
        "Check the whole chain: dni doctor {base} --site {site} --page <a page of yours>"
    );
    let _ = writeln!(out, "Changes reach every location within a minute.");
    Ok(())
}

/// The name of the operator key `dni setup` makes for a site.
fn key_name(site: &str) -> String {
    format!("dni setup: {site}")
}

/// Finds the site's operator key or creates it (every scope, this site only); what to print.
fn site_key(worker: &Worker, site: &str) -> Result<String, String> {
    let listed = worker.call("GET", "/v1/operator-keys", None)?;
    match listed.0 {
        200 => {}
        404 | 405 => {
            return Ok("operator keys: not available on this worker (upgrade it to give each site its own key)".into())
        }
        _ => return Err(format!("listing operator keys: {}", Worker::error(&listed))),
    }
    let name = key_name(site);
    let existing = listed.1["keys"].as_array().into_iter().flatten().find(|k| {
        k["name"].as_str() == Some(name.as_str())
            && k["revoked_at"].is_null()
            && k["sites"]
                .as_array()
                .is_some_and(|s| s.len() == 1 && s[0].as_str() == Some(site))
    });
    if let Some(k) = existing {
        return Ok(format!(
            "the site's operator key exists ({}; its secret was shown when it was made)",
            k["id"].as_str().unwrap_or("?")
        ));
    }
    let body = serde_json::json!({
        "name": name,
        "sites": [site],
        "scopes": ["configure", "calls", "recordings", "qualify", "erase"],
    })
    .to_string();
    let made = worker.call("POST", "/v1/operator-keys", Some(&body))?;
    if made.0 != 201 && made.0 != 200 {
        return Err(format!(
            "creating the site's operator key: {}",
            Worker::error(&made)
        ));
    }
    Ok(format!(
        "the site's operator key (shown once; it opens {site} only, every scope): {}",
        made.1["key"].as_str().unwrap_or("?")
    ))
}

/// The site's static numbers, counted by channel, as `dni setup` shows them.
pub fn static_by_channel(config: &SiteConfig) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for s in &config.static_numbers {
        let channel = serde_json::to_value(s.channel)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("{:?}", s.channel));
        match counts.iter_mut().find(|c| c.0 == channel) {
            Some(c) => c.1 += 1,
            None => counts.push((channel, 1)),
        }
    }
    if counts.is_empty() {
        return format!(
            "static numbers by channel: none (add them to sites/{}.json: docs/configuration.md)",
            config.id
        );
    }
    let list: Vec<String> = counts.iter().map(|(c, n)| format!("{c} {n}")).collect();
    format!("static numbers by channel: {}", list.join(", "))
}

/// A new site: its origins, its business number swapped from the pool `visitors`.
fn new_site(
    site: &str,
    origins: &[String],
    business: &E164,
    which: Provider,
) -> Result<SiteConfig, String> {
    let mut pool = serde_json::json!({ "id": "visitors", "numbers": [] });
    if which != Provider::default() {
        pool["provider"] = which.as_str().into();
    }
    serde_json::from_value(serde_json::json!({
        "id": site,
        "origins": origins,
        "targets": [{ "number": business.as_str(), "pool": "visitors" }],
        "pools": [pool],
    }))
    .map_err(|e| format!("the site's answers do not make a configuration: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_namespace_is_provisioned_or_created() {
        let toml =
            "[[kv_namespaces]]\nbinding = \"CONFIG\"\nid = \"00000000000000000000000000000000\"\n";
        let real =
            "[[kv_namespaces]]\nbinding = \"CONFIG\"\nid = \"0123456789abcdef0123456789abcdef\"\n";
        // (wrangler.toml, wrangler's version, plan)
        let table = [
            (
                toml,
                Some((4, 86)),
                KvPlan::Provision("[[kv_namespaces]]\nbinding = \"CONFIG\"\n".into()),
            ),
            (
                toml,
                Some((4, 45)),
                KvPlan::Provision("[[kv_namespaces]]\nbinding = \"CONFIG\"\n".into()),
            ),
            (toml, Some((4, 44)), KvPlan::Create),
            (toml, None, KvPlan::Create),
            (real, Some((4, 86)), KvPlan::Nothing),
        ];
        for (text, version, want) in table {
            assert_eq!(kv_plan(text, version), want, "{version:?}");
        }
        let printed = "Add the following to your configuration file:\n{\"kv_namespaces\": [{\"binding\": \"CONFIG\", \"id\": \"0123456789abcdef0123456789abcdef\"}]}";
        assert_eq!(with_namespace_id(toml, printed).as_deref(), Some(real));
        assert_eq!(with_namespace_id(toml, "no id here"), None);
        assert_eq!(wrangler_version("\n ⛅️ wrangler 4.86.0\n"), Some((4, 86)));
        assert_eq!(wrangler_version("4.164.0"), Some((4, 164)));
        assert_eq!(suggested(0.0), 1);
        let demo: SiteConfig = serde_json::from_str(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../sites/demo.json"
            ))
            .unwrap_or_default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            static_by_channel(&demo),
            "static numbers by channel: Paid Search 1, Email 1"
        );
        // 600 visitors an hour holding a number 14 minutes: 140 Erlangs.
        assert_eq!(suggested(600.0), erlang_b_numbers(140.0, 0.01));
        assert_eq!(
            deployed_url(
                "Deployed dni triggers\n  https://dni.acme.workers.dev\nCurrent Version ID: x"
            )
            .as_deref(),
            Some("https://dni.acme.workers.dev")
        );
    }
}
