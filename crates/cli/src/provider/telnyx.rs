//! Telnyx's number API (v2): available numbers, a number order, and a TeXML application that
//! carries the worker's voice URL and status callback (a Telnyx number points at an application,
//! not at URLs). The number order's and the number's customer reference carry the marker; the
//! application is named after the worker.

use serde_json::{json, Value};

use super::http::{push_query, Call, Http};
use super::{Hooks, Numbers, Owned, Want};
use dni_core::telephony::Provider;

/// Telnyx's API for one account.
pub struct Telnyx {
    http: Http,
    /// TeXML applications: (id, name, voice URL, status callback), read once.
    apps: Option<Vec<(String, String, String, String)>>,
}

/// The TeXML application's name for the worker whose hooks these are.
pub fn app_name(hooks: &Hooks) -> String {
    let host = dni_core::url::host_of(&hooks.voice).unwrap_or("worker");
    format!("dni {host}")
}

/// The calls of each operation (public for the proof that Telnyx's own library sends the same).
pub mod calls {
    use super::*;

    /// Available numbers.
    pub fn search(want: &Want) -> Call {
        let mut path = "/v2/available_phone_numbers".to_owned();
        push_query(&mut path, "filter[country_code]", "US");
        if want.toll_free {
            push_query(&mut path, "filter[phone_number_type]", "toll_free");
        } else {
            push_query(&mut path, "filter[phone_number_type]", "local");
            if let Some(area) = &want.area_code {
                push_query(&mut path, "filter[national_destination_code]", area);
            }
        }
        push_query(&mut path, "filter[limit]", &want.count.to_string());
        Call::new("GET", path)
    }

    /// A TeXML application carrying the hooks.
    pub fn create_app(hooks: &Hooks) -> Call {
        let mut call = Call::new("POST", "/v2/texml_applications".to_owned());
        call.json = Some(app_body(hooks));
        call
    }

    /// Repointing an application.
    pub fn update_app(id: &str, hooks: &Hooks) -> Call {
        let mut call = Call::new("PATCH", format!("/v2/texml_applications/{id}"));
        call.json = Some(app_body(hooks));
        call
    }

    fn app_body(hooks: &Hooks) -> Value {
        json!({
            "friendly_name": app_name(hooks),
            "voice_url": hooks.voice,
            "voice_method": "post",
            "status_callback": hooks.status,
            "status_callback_method": "post",
        })
    }

    /// A page of the applications.
    pub fn list_apps(page: u32) -> Call {
        let mut path = "/v2/texml_applications".to_owned();
        push_query(&mut path, "page[number]", &page.to_string());
        push_query(&mut path, "page[size]", "250");
        Call::new("GET", path)
    }

    /// A number order.
    pub fn order(number: &str, app: &str, marker: &str) -> Call {
        let mut call = Call::new("POST", "/v2/number_orders".to_owned());
        call.json = Some(json!({
            "phone_numbers": [{ "phone_number": number }],
            "connection_id": app,
            "customer_reference": marker,
        }));
        call
    }

    /// A page of the account's numbers.
    pub fn list(page: u32) -> Call {
        let mut path = "/v2/phone_numbers".to_owned();
        push_query(&mut path, "page[number]", &page.to_string());
        push_query(&mut path, "page[size]", "250");
        Call::new("GET", path)
    }

    /// Pointing a number at an application.
    pub fn point(id: &str, app: &str, marker: &str) -> Call {
        let mut call = Call::new("PATCH", format!("/v2/phone_numbers/{id}"));
        call.json = Some(json!({ "connection_id": app, "customer_reference": marker }));
        call
    }

    /// Releasing a number.
    pub fn release(id: &str) -> Call {
        Call::new("DELETE", format!("/v2/phone_numbers/{id}"))
    }
}

fn pages(body: &Value) -> u64 {
    body["meta"]["total_pages"].as_u64().unwrap_or(1)
}

impl Telnyx {
    /// The API through `http`.
    pub fn new(http: Http) -> Telnyx {
        Telnyx { http, apps: None }
    }

    fn send(&self, call: &Call, what: &str) -> Result<Option<Value>, String> {
        match self.http.send(call)? {
            None => Ok(None),
            Some((status, body)) if status < 400 => Ok(Some(body)),
            Some((status, body)) => {
                let e = &body["errors"][0];
                let detail = e["detail"].as_str().or(e["title"].as_str());
                let code = e["code"].as_str().unwrap_or("?");
                Err(format!(
                    "Telnyx refused to {what} (HTTP {status}, error {code}): {}",
                    detail.unwrap_or("no message")
                ))
            }
        }
    }

    fn apps(&mut self) -> Result<&Vec<(String, String, String, String)>, String> {
        if self.apps.is_none() {
            let mut apps = Vec::new();
            let mut page = 1;
            while let Some(body) = self.send(&calls::list_apps(page), "list TeXML applications")? {
                for a in body["data"].as_array().into_iter().flatten() {
                    let s = |k: &str| a[k].as_str().unwrap_or_default().to_owned();
                    let id = a["id"]
                        .as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| a["id"].to_string());
                    apps.push((id, s("friendly_name"), s("voice_url"), s("status_callback")));
                }
                if u64::from(page) >= pages(&body) || page >= 100 {
                    break;
                }
                page += 1;
            }
            self.apps = Some(apps);
        }
        Ok(self.apps.get_or_insert_with(Vec::new))
    }

    /// The application carrying `hooks`: found by its name (and repointed when its URLs differ),
    /// or created. Under `--dry-run`, a placeholder id.
    fn app(&mut self, hooks: &Hooks) -> Result<String, String> {
        let name = app_name(hooks);
        let found = self.apps()?.iter().find(|a| a.1 == name).cloned();
        match found {
            Some((id, _, voice, status)) if voice == hooks.voice && status == hooks.status => {
                Ok(id)
            }
            Some((id, ..)) => {
                self.send(
                    &calls::update_app(&id, hooks),
                    "repoint the TeXML application",
                )?;
                self.apps = None;
                Ok(id)
            }
            None => {
                let body = self.send(&calls::create_app(hooks), "create a TeXML application")?;
                self.apps = None;
                Ok(body
                    .and_then(|b| b["data"]["id"].as_str().map(str::to_owned))
                    .unwrap_or_else(|| "(the new application)".to_owned()))
            }
        }
    }
}

impl Numbers for Telnyx {
    fn provider(&self) -> Provider {
        Provider::Telnyx
    }

    fn search(&mut self, want: &Want) -> Result<Vec<String>, String> {
        let body = self.send(&calls::search(want), "search numbers")?;
        let found: Vec<String> = body
            .as_ref()
            .and_then(|b| b["data"].as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|n| n["phone_number"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        Ok(found.into_iter().take(want.count).collect())
    }

    fn buy(&mut self, number: &str, hooks: &Hooks, marker: &str) -> Result<Option<Owned>, String> {
        let app = self.app(hooks)?;
        let what = format!("buy {number}");
        let body = self.send(&calls::order(number, &app, marker), &what)?;
        Ok(body.map(|_| Owned {
            id: String::new(),
            number: number.to_owned(),
            voice_url: hooks.voice.clone(),
            status_url: hooks.status.clone(),
            marker: marker.to_owned(),
        }))
    }

    fn list(&mut self) -> Result<Vec<Owned>, String> {
        let apps = self.apps()?.clone();
        let mut out = Vec::new();
        let mut page = 1;
        while let Some(body) = self.send(&calls::list(page), "list the account's numbers")? {
            for n in body["data"].as_array().into_iter().flatten() {
                let s = |k: &str| n[k].as_str().unwrap_or_default().to_owned();
                let app = apps.iter().find(|a| a.0 == s("connection_id"));
                out.push(Owned {
                    id: s("id"),
                    number: s("phone_number"),
                    voice_url: app.map(|a| a.2.clone()).unwrap_or_default(),
                    status_url: app.map(|a| a.3.clone()).unwrap_or_default(),
                    marker: s("customer_reference"),
                });
            }
            if u64::from(page) >= pages(&body) || page >= 100 {
                break;
            }
            page += 1;
        }
        Ok(out)
    }

    fn point(&mut self, o: &Owned, hooks: &Hooks, marker: &str) -> Result<(), String> {
        let app = self.app(hooks)?;
        let what = format!("repoint {}", o.number);
        self.send(&calls::point(&o.id, &app, marker), &what)?;
        Ok(())
    }

    fn release(&mut self, o: &Owned) -> Result<(), String> {
        let what = format!("release {}", o.number);
        self.send(&calls::release(&o.id), &what)?;
        Ok(())
    }
}
