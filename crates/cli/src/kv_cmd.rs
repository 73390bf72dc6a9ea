//! `dni kv`: a site configuration checked by the core and written as KV entries.

use std::io::Write;

use dni_core::config::SiteConfig;

/// Prints `[{"key": ..., "value": ...}, ...]` for `wrangler kv bulk put`.
pub fn run(args: &[String], out: &mut dyn Write) -> Result<(), String> {
    let [path] = args else {
        return Err(super::USAGE.to_owned());
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let config: SiteConfig = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    config.validate().map_err(|e| format!("{path}: {}", e.0))?;
    let entries: Vec<serde_json::Value> = config
        .kv_entries()
        .map_err(|e| e.0)?
        .into_iter()
        .map(|(key, value)| serde_json::json!({ "key": key, "value": value }))
        .collect();
    let json = serde_json::to_string_pretty(&entries).map_err(|e| e.to_string())?;
    writeln!(out, "{json}").map_err(|e| format!("writing stdout: {e}"))
}
