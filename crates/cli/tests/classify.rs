//! `dni classify` as a marketer runs it: JSON lines in, JSON lines out, from the real binary.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

/// Runs `dni classify` with `args`, feeding `input` on stdin; returns stdout's lines as JSON.
fn run(args: &[&str], input: &str) -> Vec<Value> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dni"))
        .arg("classify")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dni runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("dni finishes");
    assert!(
        out.status.success(),
        "dni classify failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

#[test]
fn classifies_json_lines() {
    let input = r#"{"url":"https://example.com/?utm_source=Google&utm_medium=CPC&utm_campaign=spring&utm_id=42","referrer":""}

{"url":"https://www.example.com/","referrer":"https://mail.google.com/"}
not json
{"url":"https://www.example.com/?gclid=Cj0KCQ"}
{"url":"https://www.example.com/?utm_source=newsletter&utm_medium=emails","referrer":""}
{"url":"https://www.example.com/","referrer":"https://shop.example.com/cart"}
"#;
    let out = run(&[], input);
    assert_eq!(out.len(), 6, "{out:?}");

    let tagged = &out[0];
    assert_eq!(tagged["channel"], "Paid Search");
    assert_eq!(tagged["source"], "Google");
    assert_eq!(tagged["medium"], "CPC");
    assert_eq!(tagged["campaign"], "spring");
    assert_eq!(tagged["campaign_id"], "42");
    assert_eq!(tagged["category"], "search");
    assert!(tagged["rule"].as_str().unwrap().contains("paid medium"));

    let webmail = &out[1];
    assert_eq!(webmail["channel"], "Email");
    assert_eq!(webmail["source"], "gmail");
    assert_eq!(webmail["category"], "webmail");

    assert!(out[2]["error"].as_str().unwrap().contains("expected"));

    let ads = &out[3];
    assert_eq!(ads["channel"], "Paid Search");
    assert_eq!(ads["click_id"]["kind"], "gclid");
    assert_eq!(ads["click_id"]["value"], "Cj0KCQ");
    assert_eq!(ads["referrer"], "");

    let typo = &out[4];
    assert_eq!(typo["channel"], "Unassigned");
    assert!(typo["rule"].as_str().unwrap().contains("utm_medium"));

    // The landing page's own site is never a source, configured or not.
    assert_eq!(out[5]["channel"], "Direct");
    assert_eq!(out[5]["self_referral"], true);
}

#[test]
fn own_hosts_make_self_referrals() {
    let line = r#"{"url":"https://www.example.com/","referrer":"https://pay.partner.net/return"}"#;
    assert_eq!(run(&[], line)[0]["channel"], "Referral");
    let out = run(&["--own-host", "partner.net"], line);
    assert_eq!(out[0]["channel"], "Direct");
    assert_eq!(out[0]["self_referral"], true);
}

#[test]
fn refuses_unknown_arguments() {
    let out = Command::new(env!("CARGO_BIN_EXE_dni"))
        .args(["classify", "--bogus"])
        .stdin(Stdio::null())
        .output()
        .expect("dni runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown argument"));
}
