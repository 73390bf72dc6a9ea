//! `dni`: the operator's command.
//!
//! - `dni classify`: JSON lines `{"url": ..., "referrer": ...}` on stdin, one classification per line
//!   on stdout. For marketers checking their UTM tags, and for scripts.
//! - `dni kv <site.json>`: validates a site configuration and prints the KV entries that store it, in
//!   the format `wrangler kv bulk put` reads.
//! - `dni history SITE.json`: seeded, realistic call history as call records, for the demo's
//!   dashboard and the report benchmark.
//! - `dni pool-history SITE.json`: a pool's samples per quarter hour from the lease engine under
//!   simulated traffic, for the demo's pool chart.
//! - `dni test-call WORKER_URL --site ID`: places a test call on a site through the worker and
//!   says what it was credited to and where to see it (see `test_call_cmd`).
//! - `dni simulate`: drives the lease engine with simulated visitors and callers, and prints how
//!   many numbers a pool needs (see `simulate`).
//! - `dni numbers list|add|attach|release`: a site's tracking numbers at the provider and in its
//!   pools (see `numbers_cmd`).
//! - `dni setup`: from nothing to a live site (`setup_cmd`).
//! - `dni doctor WORKER_URL --site ID`: checks the whole chain (`doctor_cmd`).
//! - `dni provider twilio|telnyx OPERATION`: one call of a provider's number API (`provider_cmd`).

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

mod classify_cmd;
mod doctor_cmd;
mod history_cmd;
mod kv_cmd;
mod numbers_cmd;
mod pool_history_cmd;
mod provider;
mod provider_cmd;
mod report_sql_cmd;
mod setup_cmd;
mod simulate;
mod test_call_cmd;
mod worker_api;

const USAGE: &str = "usage:
  dni classify [--own-host HOST]...   read {\"url\",\"referrer\"} JSON lines on stdin, write classifications
  dni kv SITE.json                    validate a site configuration, print its KV entries (wrangler kv bulk put)
  dni history SITE.json [options]     realistic call history (JSON call records) for the demo and benchmarks
  dni pool-history SITE.json [options]  a pool's samples per quarter hour (JSON) for the demo's pool chart
  dni report-sql --zone Z --from D --to D   the report schema and queries as JSON (bench/reports.py)
  dni simulate [--help] [options]     simulate a number pool under traffic; print the pool size it needs
  dni test-call WORKER_URL --site ID [--number N] [--channel NAME]   place a test call (token: DNI_ADMIN_TOKEN)
  dni numbers list|add|attach|release WORKER_URL --site ID [...]   a site's tracking numbers at the provider
  dni setup [--yes] [--dry-run] [options]   from nothing to a live site: deploy, secrets, numbers, configuration
  dni doctor WORKER_URL --site ID [--page URL]   is everything wired? each check, and how to fix it
  dni provider twilio|telnyx OPERATION [...]   one call of the provider's number API (search, list, buy, point, release)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stdin = io::stdin();
    let stdout = io::stdout();
    let result = match args.first().map(String::as_str) {
        Some("classify") => classify_cmd::run(&args[1..], &mut stdin.lock(), &mut stdout.lock()),
        Some("kv") => kv_cmd::run(&args[1..], &mut stdout.lock()),
        Some("history") => history_cmd::run(&args[1..], &mut stdout.lock()),
        Some("pool-history") => pool_history_cmd::run(&args[1..], &mut stdout.lock()),
        Some("report-sql") => report_sql_cmd::run(&args[1..], &mut stdout.lock()),
        Some("simulate") => simulate::run(&args[1..], &mut stdout.lock()),
        Some("test-call") => test_call_cmd::run(&args[1..], &mut stdout.lock()),
        Some("numbers") => numbers_cmd::run(&args[1..], &mut stdout.lock()),
        Some("provider") => provider_cmd::run(&args[1..], &mut stdout.lock()),
        Some("doctor") => doctor_cmd::run(&args[1..], &mut stdout.lock()),
        Some("setup") => setup_cmd::run(&args[1..], &mut stdin.lock(), &mut stdout.lock()),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            let _ = writeln!(io::stderr(), "dni: {message}");
            ExitCode::from(2)
        }
    }
}

/// Reads lines, skipping blank ones; an I/O error ends the run with a message.
fn lines(input: &mut dyn BufRead) -> impl Iterator<Item = Result<String, String>> + '_ {
    input
        .lines()
        .map(|l| l.map_err(|e| format!("reading stdin: {e}")))
        .filter(|l| l.as_ref().map_or(true, |s| !s.trim().is_empty()))
}
