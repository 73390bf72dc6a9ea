//! Talking to the worker: the lease request with a bounded wait, heartbeats while the page is
//! visible, a fresh lease when the worker says one is gone, and a release on `pagehide`.

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::rc::Rc;
use core::cell::RefCell;

use dni_core::phone::E164;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Document, RequestInit, Response, Window};

use crate::{config, dom, swaps_from, Assigned};

/// Answers from the worker: status and body text.
pub struct Answer {
    status: u16,
    text: String,
}

impl Answer {
    /// The body, if the status is 200.
    pub fn ok(self) -> Option<String> {
        (self.status == 200).then_some(self.text)
    }
}

/// POSTs `body` (as `text/plain`, which needs no CORS preflight) and waits at most `timeout_ms`.
pub async fn post(window: &Window, url: &str, body: &str, timeout_ms: u32) -> Option<Answer> {
    let controller = AbortController::new().ok()?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    init.set_signal(Some(&controller.signal()));
    let abort: Function = Reflect::get(&controller, &JsValue::from_str("abort"))
        .ok()?
        .dyn_into()
        .ok()?;
    let timer = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            &abort.bind0(&controller),
            timeout_ms as i32,
        )
        .ok();
    let result = async {
        let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
            .await
            .ok()?
            .dyn_into()
            .ok()?;
        let text = JsFuture::from(response.text().ok()?)
            .await
            .ok()?
            .as_string()?;
        Some(Answer {
            status: response.status(),
            text,
        })
    }
    .await;
    if let Some(timer) = timer {
        window.clear_timeout_with_handle(timer);
    }
    result
}

/// Waits `ms` milliseconds.
async fn sleep(window: &Window, ms: u64) {
    let promise = Promise::new(&mut |resolve, _| {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            &resolve,
            ms.min(i32::MAX as u64) as i32,
        );
    });
    let _ = JsFuture::from(promise).await;
}

/// The leases of one page, kept alive.
pub struct Leasing {
    /// The window.
    pub window: Window,
    /// The document.
    pub document: Document,
    /// `.../v1/sites/{site}/leases`.
    pub leases_url: String,
    /// The lease request, to ask again when a lease is gone.
    pub body: String,
    /// How often to heartbeat.
    pub heartbeat_ms: u64,
}

impl Leasing {
    fn lease_url(&self, lease: &str, action: &str) -> String {
        [self.leases_url.as_str(), "/", lease, "/", action].concat()
    }

    /// Heartbeats while the page is visible; asks again when a lease is gone; releases every lease
    /// when the page is hidden for good (`pagehide`, sent with `sendBeacon`).
    pub async fn keep_alive(self, mut current: Vec<Assigned>) {
        let release = self.release_on_pagehide();
        *release.borrow_mut() = self.release_urls(&current);
        loop {
            sleep(&self.window, self.heartbeat_ms.max(1000)).await;
            if self.document.hidden() {
                continue;
            }
            let mut gone = false;
            for lease in current.iter().filter_map(|a| a.lease.as_deref()) {
                if let Some(answer) = post(
                    &self.window,
                    &self.lease_url(lease, "heartbeat"),
                    "",
                    crate::LEASE_TIMEOUT_MS,
                )
                .await
                {
                    gone |= answer.status == 410;
                }
            }
            if gone {
                let Some((fresh, _)) = post(
                    &self.window,
                    &self.leases_url,
                    &self.body,
                    crate::LEASE_TIMEOUT_MS,
                )
                .await
                .and_then(Answer::ok)
                .and_then(|text| config::parse_leases(&text)) else {
                    continue;
                };
                let shown: Vec<E164> = current.iter().map(|a| a.number.clone()).collect();
                dom::swap(&self.document, &swaps_from(&shown, &fresh));
                current = fresh;
                *release.borrow_mut() = self.release_urls(&current);
            }
        }
    }

    /// Registers the `pagehide` listener once; it releases whatever leases are current then.
    fn release_on_pagehide(&self) -> Rc<RefCell<Vec<String>>> {
        let urls: Rc<RefCell<Vec<String>>> = Rc::default();
        let navigator = self.window.navigator();
        let pending = urls.clone();
        let listener = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            // A page kept in the back/forward cache may come back: keep its leases then.
            if Reflect::get(&event, &JsValue::from_str("persisted"))
                .ok()
                .and_then(|p| p.as_bool())
                == Some(true)
            {
                return;
            }
            for url in pending.borrow().iter() {
                let _ = navigator.send_beacon(url);
            }
        });
        let _ = self
            .window
            .add_event_listener_with_callback("pagehide", listener.as_ref().unchecked_ref());
        listener.forget();
        urls
    }

    fn release_urls(&self, current: &[Assigned]) -> Vec<String> {
        current
            .iter()
            .filter_map(|a| a.lease.as_deref())
            .map(|l| self.lease_url(l, "release"))
            .collect()
    }
}
