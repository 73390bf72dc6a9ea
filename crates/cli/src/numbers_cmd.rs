//! `dni numbers`: a site's tracking numbers on day two.
//!
//! - `list WORKER --site ID`: each number with its pool, provider, where its webhooks point and
//!   whether that is this worker.
//! - `add WORKER --site ID --pool P [N]`: buys N more numbers (default: the pool advice's figure,
//!   from the pool's history) in the pool's area code, points them here, adds them to the pool.
//! - `attach WORKER --site ID --pool P NUMBER...`: repoints numbers the account owns (shows where
//!   they point first; one that points at another worker needs `--force`) and adds them.
//! - `release WORKER --site ID NUMBER...`: takes numbers out of their pool and gives them back,
//!   only when no live lease, cool-down or attribution window needs them (the pool's figures list
//!   the numbers still needed); otherwise it changes nothing and says when to run it again.
//!
//! Every command is idempotent and takes `--dry-run` (prints each call that would change something,
//! changes nothing). Credentials come from the environment: `DNI_ADMIN_TOKEN`, and the provider's
//! (`TWILIO_ACCOUNT_SID`/`TWILIO_AUTH_TOKEN`, `TELNYX_API_KEY`).

use std::io::Write;

use dni_core::config::SiteConfig;
use dni_core::phone::E164;
use dni_core::telephony::Provider;

use crate::provider::{self, Hooks, Numbers, Owned, Want};
use crate::worker_api::Worker;

/// What the command line says.
#[derive(Debug, Default)]
struct Options {
    action: String,
    worker: String,
    site: String,
    pool: Option<String>,
    count: Option<usize>,
    numbers: Vec<String>,
    area_code: Option<String>,
    toll_free: bool,
    dry_run: bool,
    force: bool,
}

const USAGE: &str = "usage: dni numbers list|add|attach|release WORKER_URL --site ID [--pool P] [N | NUMBER...] [--area-code A] [--toll-free] [--force] [--dry-run]";

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        action: args.first().cloned().ok_or(USAGE)?,
        ..Options::default()
    };
    let mut it = args[1..].iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--site" => o.site = value()?,
            "--pool" => o.pool = Some(value()?),
            "--area-code" => o.area_code = Some(value()?),
            "--toll-free" => o.toll_free = true,
            "--dry-run" => o.dry_run = true,
            "--force" => o.force = true,
            s if s.starts_with("--") => return Err(format!("unknown option {s}\n{USAGE}")),
            s if o.worker.is_empty() => o.worker = s.to_owned(),
            s if o.action == "add" => {
                o.count = Some(s.parse().map_err(|_| format!("not a count: {s}"))?)
            }
            s => o.numbers.push(s.to_owned()),
        }
    }
    if o.worker.is_empty() || o.site.is_empty() {
        return Err(USAGE.to_owned());
    }
    Ok(o)
}

/// The area code of a North American number (`+1AAA...`).
pub fn area_code(number: &E164) -> Option<String> {
    let s = number.as_str();
    (s.len() == 12 && s.starts_with("+1")).then(|| s[2..5].to_owned())
}

/// Every number the configuration uses, with where it belongs (`pool P` or `static (channel)`)
/// and its provider.
pub fn configured(config: &SiteConfig) -> Vec<(String, String, Provider)> {
    let mut out = Vec::new();
    for p in &config.pools {
        for n in &p.numbers {
            out.push((n.to_string(), format!("pool {}", p.id), p.provider));
        }
    }
    for s in &config.static_numbers {
        out.push((
            s.number.to_string(),
            format!("static ({:?})", s.channel),
            s.provider,
        ));
    }
    out
}

/// Makes sure `count` numbers for the pool are bought (or found bought by an interrupted run, by
/// their marker) and point at `hooks`; returns them. Nothing is bought when the search finds fewer
/// than needed (an unknown area code changes nothing). A refusal half-way says what was bought and
/// that the same command finishes the job.
pub fn acquire(
    api: &mut dyn Numbers,
    config: &SiteConfig,
    pool: &str,
    count: usize,
    want: &Want,
    hooks: &Hooks,
    out: &mut dyn Write,
) -> Result<Vec<String>, String> {
    let mark = provider::marker(&config.id, pool);
    let used: Vec<String> = configured(config).into_iter().map(|c| c.0).collect();
    let owned = api.list()?;
    let mut got: Vec<String> = Vec::new();
    for o in owned
        .iter()
        .filter(|o| o.marker == mark && !used.contains(&o.number))
    {
        if got.len() == count {
            break;
        }
        if !hooks.points_here(o) {
            api.point(o, hooks, &mark)?;
        }
        let _ = writeln!(
            out,
            "found {} (bought earlier for {mark}): not bought again",
            o.number
        );
        got.push(o.number.clone());
    }
    let need = count - got.len();
    if need == 0 {
        return Ok(got);
    }
    let found = api.search(&Want {
        count: need,
        ..want.clone()
    })?;
    if found.len() < need {
        let place = if want.toll_free {
            "toll-free".to_owned()
        } else {
            format!(
                "in area code {}",
                want.area_code.as_deref().unwrap_or("(any)")
            )
        };
        return Err(format!(
            "{} has {} numbers {place} available, {need} needed: nothing bought. Try another --area-code or --toll-free.",
            api.provider().as_str(),
            found.len()
        ));
    }
    for number in found {
        match api.buy(&number, hooks, &mark) {
            Ok(Some(_)) => {
                let _ = writeln!(
                    out,
                    "bought {number} ({mark}), voice and status pointing at this worker"
                );
                got.push(number);
            }
            Ok(None) => got.push(number),
            Err(e) => {
                let done = if got.is_empty() {
                    "nothing bought".to_owned()
                } else {
                    format!("bought or found so far: {}", got.join(", "))
                };
                return Err(format!(
                    "{e}\n{done}. Run the same command again once that is fixed: it finds what was bought by its marker ({mark}) and buys only what is missing."
                ));
            }
        }
    }
    Ok(got)
}

fn pool_provider(config: &SiteConfig, pool: &str) -> Result<Provider, String> {
    config
        .pool(pool)
        .map(|p| p.provider)
        .ok_or_else(|| format!("the site has no pool {pool}"))
}

/// The default area code for a pool: its first number's, else the site's first number's.
fn default_area(config: &SiteConfig, pool: &str) -> Option<String> {
    config
        .pool(pool)
        .and_then(|p| p.numbers.first())
        .or(config.targets.first().map(|t| &t.number))
        .and_then(area_code)
}

fn the_pool(o: &Options, config: &SiteConfig) -> Result<String, String> {
    match (&o.pool, config.pools.as_slice()) {
        (Some(p), _) => Ok(p.clone()),
        (None, [only]) => Ok(only.id.clone()),
        _ => Err("name the pool: --pool P".into()),
    }
}

fn list(
    o: &Options,
    worker: &Worker,
    config: &SiteConfig,
    out: &mut dyn Write,
) -> Result<(), String> {
    let rows = configured(config);
    let mut providers: Vec<Provider> = rows.iter().map(|r| r.2).collect();
    providers.dedup();
    let mut owned: Vec<(Provider, Owned)> = Vec::new();
    for p in providers {
        let mut api = provider::from_env(p, o.dry_run)?;
        owned.extend(api.list()?.into_iter().map(|n| (p, n)));
    }
    let mut w = |line: String| writeln!(out, "{line}").map_err(|e| e.to_string());
    w(format!(
        "{:<14} {:<22} {:<8} {:<5} voice URL",
        "number", "where", "provider", "here"
    ))?;
    for (number, place, p) in &rows {
        let hooks = Hooks::of(&worker.base, *p);
        let found = owned.iter().find(|(q, n)| q == p && &n.number == number);
        let (here, voice) = match found {
            Some((_, n)) if hooks.points_here(n) => ("yes", n.voice_url.clone()),
            Some((_, n)) => ("NO", n.voice_url.clone()),
            None => ("NO", format!("(not in this {} account)", p.as_str())),
        };
        w(format!(
            "{number:<14} {place:<22} {:<8} {here:<5} {voice}",
            p.as_str()
        ))?;
    }
    Ok(())
}

fn add(
    o: &Options,
    worker: &Worker,
    mut config: SiteConfig,
    out: &mut dyn Write,
) -> Result<(), String> {
    let pool = the_pool(o, &config)?;
    let p = pool_provider(&config, &pool)?;
    let count = match o.count {
        Some(n) => n,
        None => {
            // The advice's figure, from the pool's history (the last 30 days' busiest hours).
            let answer = worker.call(
                "GET",
                &format!("/v1/sites/{}/pools/{pool}", config.id),
                None,
            )?;
            if answer.0 != 200 {
                return Err(format!(
                    "reading the pool's advice: {}",
                    Worker::error(&answer)
                ));
            }
            let add = answer.1["advice"]["add"].as_u64().unwrap_or(0) as usize;
            let _ = writeln!(
                out,
                "the pool's advice (last 30 days' busiest hours): add {add}"
            );
            add
        }
    };
    if count == 0 {
        let _ = writeln!(out, "nothing to add");
        return Ok(());
    }
    let want = Want {
        toll_free: o.toll_free,
        area_code: o.area_code.clone().or_else(|| default_area(&config, &pool)),
        count,
    };
    let hooks = Hooks::of(&worker.base, p);
    let mut api = provider::from_env(p, o.dry_run)?;
    let got = acquire(api.as_mut(), &config, &pool, count, &want, &hooks, out)?;
    add_to_pool(o, worker, &mut config, &pool, &got, out)
}

fn add_to_pool(
    o: &Options,
    worker: &Worker,
    config: &mut SiteConfig,
    pool: &str,
    numbers: &[String],
    out: &mut dyn Write,
) -> Result<(), String> {
    let Some(p) = config.pools.iter_mut().find(|p| p.id == pool) else {
        return Err(format!("the site has no pool {pool}"));
    };
    for n in numbers {
        let e = E164::parse(n).map_err(|e| format!("{n}: {e}"))?;
        if !p.numbers.contains(&e) {
            p.numbers.push(e);
        }
    }
    if o.dry_run {
        let _ = writeln!(
            out,
            "would PUT /v1/sites/{}/config with pool {pool} of {} numbers",
            config.id,
            p.numbers.len()
        );
        return Ok(());
    }
    let size = p.numbers.len();
    worker.put_config(config)?;
    let _ = writeln!(
        out,
        "pool {pool} has {size} numbers; changes reach every location within a minute"
    );
    Ok(())
}

fn attach(
    o: &Options,
    worker: &Worker,
    mut config: SiteConfig,
    out: &mut dyn Write,
) -> Result<(), String> {
    let pool = the_pool(o, &config)?;
    let p = pool_provider(&config, &pool)?;
    if o.numbers.is_empty() {
        return Err("name the numbers to attach".into());
    }
    let hooks = Hooks::of(&worker.base, p);
    let mut api = provider::from_env(p, o.dry_run)?;
    let owned = api.list()?;
    let mut chosen = Vec::new();
    for n in &o.numbers {
        let e = E164::parse(n).map_err(|e| format!("{n}: {e}"))?;
        let found = owned
            .iter()
            .find(|x| x.number == e.as_str())
            .ok_or(format!(
                "the {} account does not own {e}: nothing changed",
                p.as_str()
            ))?;
        let now = if found.voice_url.is_empty() {
            "nowhere"
        } else {
            found.voice_url.as_str()
        };
        let _ = writeln!(out, "{e} points at {now} now");
        let elsewhere = !found.voice_url.is_empty()
            && crate::worker_api::web_origin(&found.voice_url)
                != crate::worker_api::web_origin(&hooks.voice);
        if elsewhere && !o.force {
            return Err(format!(
                "{e} is attached to another worker ({}): nothing changed. Repoint it anyway with --force.",
                found.voice_url
            ));
        }
        chosen.push(found.clone());
    }
    let mark = provider::marker(&config.id, &pool);
    for found in &chosen {
        if !hooks.points_here(found) || found.marker != mark {
            api.point(found, &hooks, &mark)?;
            let _ = writeln!(out, "{} now points at {}", found.number, hooks.voice);
        }
    }
    let numbers: Vec<String> = chosen.into_iter().map(|c| c.number).collect();
    add_to_pool(o, worker, &mut config, &pool, &numbers, out)
}

fn release(
    o: &Options,
    worker: &Worker,
    mut config: SiteConfig,
    out: &mut dyn Write,
) -> Result<(), String> {
    if o.numbers.is_empty() {
        return Err("name the numbers to release".into());
    }
    let mut targets = Vec::new();
    for n in &o.numbers {
        let e = E164::parse(n).map_err(|e| format!("{n}: {e}"))?;
        let pool = config
            .pools
            .iter()
            .find(|p| p.numbers.contains(&e))
            .ok_or(format!("{e} is in no pool of {}", config.id))?;
        targets.push((e, pool.id.clone(), pool.provider));
    }
    // A number may be released only when no lease, cool-down or attribution window needs it: the
    // pool's figures list the numbers still needed and until when.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    for (e, pool, _) in &targets {
        let answer = worker.call(
            "GET",
            &format!("/v1/sites/{}/pools/{pool}", config.id),
            None,
        )?;
        if answer.0 != 200 {
            return Err(format!("reading pool {pool}: {}", Worker::error(&answer)));
        }
        let Some(needed) = answer.1["needed"].as_array() else {
            return Err(format!(
                "the worker does not say which numbers of pool {pool} are still needed (an older version): nothing released; upgrade it first"
            ));
        };
        let until = needed
            .iter()
            .find(|n| n["number"].as_str() == Some(e.as_str()))
            .and_then(|n| n["until"].as_u64());
        if let Some(until) = until {
            let minutes = until.saturating_sub(now_ms).div_ceil(60_000);
            return Err(format!(
                "{e} is still needed by a visitor's lease, its cool-down or an open attribution window: nothing changed. It is free in about {minutes} minutes at the earliest; run this again then."
            ));
        }
    }
    for (e, pool, _) in &targets {
        if let Some(p) = config.pools.iter_mut().find(|p| &p.id == pool) {
            p.numbers.retain(|n| n != e);
        }
    }
    if o.dry_run {
        let _ = writeln!(
            out,
            "would PUT /v1/sites/{}/config without {}",
            config.id,
            o.numbers.join(", ")
        );
    } else {
        worker.put_config(&config)?;
    }
    for (e, _, p) in &targets {
        let mut api = provider::from_env(*p, o.dry_run)?;
        let owned = api.list()?;
        match owned.iter().find(|x| x.number == e.as_str()) {
            Some(x) => {
                api.release(x)?;
                let _ = writeln!(out, "released {e}");
            }
            None => {
                let _ = writeln!(out, "{e} is no longer in the account (released earlier)");
            }
        }
    }
    Ok(())
}

/// Runs `dni numbers ...`.
pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), String> {
    let o = parse(args)?;
    let worker = Worker::from_env(&o.worker)?;
    let config = worker
        .config(&o.site)?
        .ok_or(format!("the worker has no site {} (run dni setup)", o.site))?;
    match o.action.as_str() {
        "list" => list(&o, &worker, &config, out),
        "add" => add(&o, &worker, config, out),
        "attach" => attach(&o, &worker, config, out),
        "release" => release(&o, &worker, config, out),
        _ => Err(USAGE.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_command_line() {
        let args = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
        let o = parse(&args(
            "add https://w.example --site demo --pool visitors 3 --dry-run",
        ))
        .unwrap_or_default();
        assert_eq!(
            (o.count, o.pool.as_deref(), o.dry_run),
            (Some(3), Some("visitors"), true)
        );
        let o =
            parse(&args("attach https://w --site s +12125550101 +12125550102")).unwrap_or_default();
        assert_eq!(o.numbers, ["+12125550101", "+12125550102"]);
        // (command line, refused)
        for bad in [
            "add",
            "add https://w",
            "add https://w --site s x",
            "list https://w --site s --bogus",
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad}");
        }
        let n = E164::parse("+12125550100").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(area_code(&n).as_deref(), Some("212"));
    }
}
