//! Integrations: what a finished call sends to the tools its owner already uses. GA4's Measurement
//! Protocol (`ga4`), Google Ads conversions (`data_manager`, Google's Data Manager API, the default;
//! `google_ads`, the legacy `UploadClickConversions`; both with `oauth`; and the import file,
//! `csv_feed`), Microsoft Advertising offline conversions (`microsoft_ads`), the owner's signed
//! webhooks (`webhooks`); which calls are conversions (`rules`, from the call's `facts`); taking a
//! Google Ads conversion back when the call turns out bad or spam (`retraction`); and the outbox's
//! messages and their retries (`outbox`, `retry`).
//!
//! All of it is pure: each function builds a request (URL, headers, body) or reads an answer; time,
//! random ids and jitter are arguments. The worker's outbox stores, sends and schedules.

#[allow(unused_imports)]
use crate::prelude::*;

pub mod csv_feed;
pub mod data_manager;
pub mod facts;
pub mod ga4;
pub mod google_ads;
pub mod google_ads_ids;
pub mod meta;
pub mod microsoft_ads;
pub mod oauth;
pub mod outbox;
pub mod qualify;
pub mod retraction;
pub mod retry;
pub mod rules;
pub mod settings;
#[cfg(feature = "provider")]
pub mod webhooks;

/// An HTTP method we use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `POST` (every send).
    Post,
    /// `GET` (reading back a platform's diagnostics).
    Get,
}

/// An HTTP request to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// `POST` or `GET`.
    pub method: Method,
    /// The full URL.
    pub url: String,
    /// Header names (lower case) and values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

impl HttpRequest {
    /// A JSON body.
    pub fn json(url: String, body: String) -> HttpRequest {
        HttpRequest {
            method: Method::Post,
            url,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body,
        }
    }

    /// A `GET` without a body.
    pub fn get(url: String) -> HttpRequest {
        HttpRequest {
            method: Method::Get,
            url,
            headers: Vec::new(),
            body: String::new(),
        }
    }

    /// Adds a header.
    pub fn header(&mut self, name: &str, value: &str) {
        self.headers.push((name.to_owned(), value.to_owned()));
    }
}
