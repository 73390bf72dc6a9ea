//! Twilio's number API (REST 2010-04-01): available numbers by area code or toll-free, buying one
//! with its voice URL and status callback, listing the account's numbers, repointing and releasing
//! one. The friendly name carries the marker.

use serde_json::Value;

use super::http::{push_query, Call, Http};
use super::{Hooks, Numbers, Owned, Want};
use dni_core::telephony::Provider;

/// Twilio's API for one account.
pub struct Twilio {
    http: Http,
    account: String,
}

impl Twilio {
    /// The API of the account `account` (its SID) through `http`.
    pub fn new(http: Http, account: String) -> Twilio {
        Twilio { http, account }
    }

    fn send(&self, call: &Call, what: &str) -> Result<Option<Value>, String> {
        match self.http.send(call)? {
            None => Ok(None),
            Some((status, body)) if status < 400 => Ok(Some(body)),
            Some((status, body)) => {
                let message = body["message"].as_str().unwrap_or("no message");
                let code = body["code"].as_i64().unwrap_or(0);
                Err(format!(
                    "Twilio refused to {what} (HTTP {status}, error {code}): {message}"
                ))
            }
        }
    }
}

/// The form fields that point a number at the worker.
pub fn hook_fields(hooks: &Hooks, marker: &str) -> Vec<(String, String)> {
    [
        ("VoiceUrl", hooks.voice.as_str()),
        ("VoiceMethod", "POST"),
        ("StatusCallback", hooks.status.as_str()),
        ("StatusCallbackMethod", "POST"),
        ("FriendlyName", marker),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

fn owned(n: &Value) -> Owned {
    let s = |k: &str| n[k].as_str().unwrap_or_default().to_owned();
    Owned {
        id: s("sid"),
        number: s("phone_number"),
        voice_url: s("voice_url"),
        status_url: s("status_callback"),
        marker: s("friendly_name"),
    }
}

/// The calls of each operation (public for the proof that Twilio's own library sends the same).
pub mod calls {
    use super::*;

    /// Available numbers.
    pub fn search(account: &str, want: &Want) -> Call {
        let kind = if want.toll_free { "TollFree" } else { "Local" };
        let mut path =
            format!("/2010-04-01/Accounts/{account}/AvailablePhoneNumbers/US/{kind}.json");
        if let Some(area) = want.area_code.as_deref().filter(|_| !want.toll_free) {
            push_query(&mut path, "AreaCode", area);
        }
        push_query(&mut path, "PageSize", &want.count.to_string());
        Call::new("GET", path)
    }

    /// Buying a number.
    pub fn buy(account: &str, number: &str, hooks: &Hooks, marker: &str) -> Call {
        let mut call = Call::new(
            "POST",
            format!("/2010-04-01/Accounts/{account}/IncomingPhoneNumbers.json"),
        );
        call.form
            .push(("PhoneNumber".to_owned(), number.to_owned()));
        call.form.extend(hook_fields(hooks, marker));
        call
    }

    /// A page of the account's numbers.
    pub fn list(account: &str) -> Call {
        let mut path = format!("/2010-04-01/Accounts/{account}/IncomingPhoneNumbers.json");
        push_query(&mut path, "PageSize", "1000");
        Call::new("GET", path)
    }

    /// Repointing a number.
    pub fn point(account: &str, id: &str, hooks: &Hooks, marker: &str) -> Call {
        let mut call = Call::new(
            "POST",
            format!("/2010-04-01/Accounts/{account}/IncomingPhoneNumbers/{id}.json"),
        );
        call.form = hook_fields(hooks, marker);
        call
    }

    /// Releasing a number.
    pub fn release(account: &str, id: &str) -> Call {
        Call::new(
            "DELETE",
            format!("/2010-04-01/Accounts/{account}/IncomingPhoneNumbers/{id}.json"),
        )
    }
}

impl Numbers for Twilio {
    fn provider(&self) -> Provider {
        Provider::Twilio
    }

    fn search(&mut self, want: &Want) -> Result<Vec<String>, String> {
        let body = self.send(&calls::search(&self.account, want), "search numbers")?;
        let found: Vec<String> = body
            .as_ref()
            .and_then(|b| b["available_phone_numbers"].as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|n| n["phone_number"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        Ok(found.into_iter().take(want.count).collect())
    }

    fn buy(&mut self, number: &str, hooks: &Hooks, marker: &str) -> Result<Option<Owned>, String> {
        let what = format!("buy {number}");
        let body = self.send(&calls::buy(&self.account, number, hooks, marker), &what)?;
        Ok(body.map(|b| owned(&b)))
    }

    fn list(&mut self) -> Result<Vec<Owned>, String> {
        let mut out = Vec::new();
        let mut call = calls::list(&self.account);
        // Follow the pages (`next_page_uri` is a path from the API's root).
        for _ in 0..100 {
            let Some(body) = self.send(&call, "list the account's numbers")? else {
                break;
            };
            if let Some(items) = body["incoming_phone_numbers"].as_array() {
                out.extend(items.iter().map(owned));
            }
            match body["next_page_uri"].as_str() {
                Some(next) if !next.is_empty() => call = Call::new("GET", next.to_owned()),
                _ => break,
            }
        }
        Ok(out)
    }

    fn point(&mut self, o: &Owned, hooks: &Hooks, marker: &str) -> Result<(), String> {
        let what = format!("repoint {}", o.number);
        self.send(&calls::point(&self.account, &o.id, hooks, marker), &what)?;
        Ok(())
    }

    fn release(&mut self, o: &Owned) -> Result<(), String> {
        let what = format!("release {}", o.number);
        self.send(&calls::release(&self.account, &o.id), &what)?;
        Ok(())
    }
}
