//! `dni provider twilio|telnyx OPERATION`: one call of a provider's number API, for checking an
//! account by hand and for the proof that each request is the one the provider's own library
//! sends (`tests/provider-rest.test.mjs`). Prints what the provider answered, as JSON lines.
//!
//! Operations: `search [--area-code A] [--toll-free] [--count N]`, `list`,
//! `buy --number N --worker URL --marker M`, `point --id ID --number N --worker URL --marker M`,
//! `release --id ID --number N`. Credentials from the environment; `--dry-run` prints the calls
//! that would change something and sends none of them.

use std::io::Write;

use dni_core::telephony::Provider;

use crate::provider::{self, Hooks, Owned, Want};

const USAGE: &str = "usage: dni provider twilio|telnyx search|list|buy|point|release [--area-code A] [--toll-free] [--count N] [--number N] [--id ID] [--worker URL] [--marker M] [--dry-run]";

/// Runs `dni provider ...`.
pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), String> {
    let which = args
        .first()
        .and_then(|p| Provider::from_name(p))
        .ok_or(USAGE)?;
    let op = args.get(1).ok_or(USAGE)?.as_str();
    let (mut area, mut toll_free, mut count, mut dry_run) = (None, false, 1usize, false);
    let (mut number, mut id, mut worker, mut marker) =
        (String::new(), String::new(), String::new(), String::new());
    let mut it = args[2..].iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--area-code" => area = Some(value()?),
            "--toll-free" => toll_free = true,
            "--count" => count = value()?.parse().map_err(|_| "--count takes a number")?,
            "--number" => number = value()?,
            "--id" => id = value()?,
            "--worker" => worker = value()?,
            "--marker" => marker = value()?,
            "--dry-run" => dry_run = true,
            _ => return Err(USAGE.to_owned()),
        }
    }
    let mut api = provider::from_env(which, dry_run)?;
    let hooks = Hooks::of(&worker, which);
    let owned = Owned {
        id,
        number,
        voice_url: String::new(),
        status_url: String::new(),
        marker: String::new(),
    };
    let line = |out: &mut dyn Write, o: &Owned| {
        let json = serde_json::json!({
            "id": o.id, "number": o.number, "voice_url": o.voice_url,
            "status_url": o.status_url, "marker": o.marker,
        });
        writeln!(out, "{json}").map_err(|e| e.to_string())
    };
    match op {
        "search" => {
            let want = Want {
                toll_free,
                area_code: area,
                count,
            };
            for n in api.search(&want)? {
                writeln!(out, "{}", serde_json::json!({ "number": n }))
                    .map_err(|e| e.to_string())?;
            }
        }
        "list" => {
            for o in api.list()? {
                line(out, &o)?;
            }
        }
        "buy" => {
            if let Some(o) = api.buy(&owned.number, &hooks, &marker)? {
                line(out, &o)?;
            }
        }
        "point" => api.point(&owned, &hooks, &marker)?,
        "release" => api.release(&owned)?,
        _ => return Err(USAGE.to_owned()),
    }
    Ok(())
}
