//! The routing table's machinery: one list of routes (in `lib.rs`) from which both the platform's
//! router and the answers for requests no route takes are made, so that every answer is JSON.
//!
//! The `worker` crate's router answers a method it has no handler for with a plain-text 405 before
//! any fallback of ours runs. So the worker looks the request up in the table first: no pattern
//! matches the path → 404; patterns match but none for this method → 405 with `Allow` (the
//! methods of the patterns that matched); a body of a type the route does not take → 415. Only
//! then does the router dispatch, and it always finds a handler.

use std::future::Future;
use std::pin::Pin;

use worker::{Env, Method, Request, Response, Result, RouteContext, Router};

use crate::error::ApiError;

/// A handler, boxed so that one table holds handlers with different futures.
pub type Handler = fn(Request, RouteContext<()>) -> Pin<Box<dyn Future<Output = Result<Response>>>>;

/// One line of the routing table.
pub struct Route {
    /// The method.
    pub method: Method,
    /// The path, with `:name` for one segment.
    pub pattern: &'static str,
    /// The content types (the part before `;`, lowercase) a request body may have, when the route
    /// insists; `None` takes any (or none).
    pub body: Option<&'static [&'static str]>,
    /// The handler.
    pub handler: Handler,
}

/// Builds a routing table: `METHOD "pattern" => handler,` lines, optionally
/// `METHOD "pattern" [body "type", ...] => handler,` for a route that takes only those body types.
#[macro_export]
macro_rules! route_table {
    ($($method:ident $pattern:literal $([body $($ty:expr),+])? => $handler:path,)*) => {
        vec![$(
            $crate::router::Route {
                method: worker::Method::$method,
                pattern: $pattern,
                body: $crate::route_table!(@body $($($ty),+)?),
                handler: |req, ctx| Box::pin($handler(req, ctx)),
            },
        )*]
    };
    (@body) => { None };
    (@body $($ty:expr),+) => { Some(&[$($ty),+]) };
}

/// Whether `path` matches `pattern` (`:name` matches one non-empty segment).
pub fn matches(pattern: &str, path: &str) -> bool {
    let mut want = pattern.split('/');
    let mut have = path.split('/');
    loop {
        match (want.next(), have.next()) {
            (None, None) => return true,
            (Some(w), Some(h)) if w.starts_with(':') => {
                if h.is_empty() {
                    return false;
                }
            }
            (Some(w), Some(h)) if w == h => {}
            _ => return false,
        }
    }
}

/// What the table says of a request, before any handler runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A route takes it.
    Dispatch,
    /// No route has this path.
    NotFound,
    /// Routes have this path, for these other methods.
    MethodNotAllowed(Vec<&'static str>),
    /// The route does not take a body of this type.
    UnsupportedType(&'static [&'static str]),
}

/// Looks a request up in the table.
pub fn verdict(
    table: &[Route],
    method: &Method,
    path: &str,
    content_type: Option<&str>,
) -> Verdict {
    let on_path: Vec<&Route> = table.iter().filter(|r| matches(r.pattern, path)).collect();
    if on_path.is_empty() {
        return Verdict::NotFound;
    }
    let Some(route) = on_path.iter().find(|r| r.method == *method) else {
        let mut allow: Vec<&'static str> = on_path.iter().map(|r| name(&r.method)).collect();
        allow.sort_unstable();
        allow.dedup();
        return Verdict::MethodNotAllowed(allow);
    };
    if let Some(types) = route.body {
        let given = content_type
            .and_then(|t| t.split(';').next())
            .map(|t| t.trim().to_ascii_lowercase())
            .unwrap_or_default();
        if !types.contains(&given.as_str()) {
            return Verdict::UnsupportedType(types);
        }
    }
    Verdict::Dispatch
}

fn name(method: &Method) -> &'static str {
    match method {
        Method::Head => "HEAD",
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
        Method::Options => "OPTIONS",
        Method::Connect => "CONNECT",
        Method::Trace => "TRACE",
        Method::Report => "REPORT",
    }
}

/// Answers a request from the table: a JSON error for what no route takes, else its handler.
pub async fn serve(table: Vec<Route>, req: Request, env: Env) -> Result<Response> {
    let content_type = req.headers().get("Content-Type")?;
    match verdict(&table, &req.method(), &req.path(), content_type.as_deref()) {
        Verdict::Dispatch => {}
        Verdict::NotFound => return ApiError::NotFound("no such endpoint").response(),
        Verdict::MethodNotAllowed(allow) => {
            let mut response = ApiError::MethodNotAllowed.response()?;
            response.headers_mut().set("Allow", &allow.join(", "))?;
            return Ok(response);
        }
        Verdict::UnsupportedType(types) => {
            return ApiError::UnsupportedType(types.join(", ")).response()
        }
    }
    let mut router = Router::new();
    for route in table {
        let (pattern, handler) = (route.pattern, route.handler);
        router = match route.method {
            Method::Get => router.get_async(pattern, handler),
            Method::Post => router.post_async(pattern, handler),
            Method::Put => router.put_async(pattern, handler),
            Method::Patch => router.patch_async(pattern, handler),
            Method::Delete => router.delete_async(pattern, handler),
            Method::Options => router.options_async(pattern, handler),
            Method::Head => router.head_async(pattern, handler),
            // No route of ours uses the others; the table test holds every line to these.
            _ => router,
        };
    }
    router.run(req, env).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stub(_: Request, _: RouteContext<()>) -> Pin<Box<dyn Future<Output = Result<Response>>>> {
        Box::pin(async { Response::empty() })
    }

    fn table() -> Vec<Route> {
        let line = |method, pattern, body| Route {
            method,
            pattern,
            body,
            handler: stub,
        };
        vec![
            line(Method::Get, "/v1/sites/:site/public", None),
            line(Method::Options, "/v1/sites/:site/leases", None),
            line(Method::Post, "/v1/sites/:site/leases", None),
            line(
                Method::Post,
                "/v1/twilio/voice",
                Some(&["application/x-www-form-urlencoded"]),
            ),
        ]
    }

    #[test]
    fn verdicts() {
        use Verdict::*;
        const FORM: &[&str] = &["application/x-www-form-urlencoded"];
        // (method, path, content type, verdict)
        let cases: Vec<(Method, &str, Option<&str>, Verdict)> = vec![
            (Method::Get, "/v1/sites/demo/public", None, Dispatch),
            (
                Method::Post,
                "/v1/sites/demo/leases",
                Some("text/plain"),
                Dispatch,
            ),
            (
                Method::Delete,
                "/v1/sites/demo/leases",
                None,
                MethodNotAllowed(vec!["OPTIONS", "POST"]),
            ),
            (
                Method::Patch,
                "/v1/sites/demo/public",
                None,
                MethodNotAllowed(vec!["GET"]),
            ),
            (Method::Get, "/v1/sites//public", None, NotFound),
            (Method::Get, "/v1/sites/demo/public/", None, NotFound),
            (Method::Get, "/v1/sites/demo", None, NotFound),
            (Method::Get, "/nope", None, NotFound),
            (
                Method::Post,
                "/v1/twilio/voice",
                Some("application/x-www-form-urlencoded; charset=utf-8"),
                Dispatch,
            ),
            (
                Method::Post,
                "/v1/twilio/voice",
                Some("Application/X-WWW-Form-Urlencoded"),
                Dispatch,
            ),
            (
                Method::Post,
                "/v1/twilio/voice",
                Some("application/json"),
                UnsupportedType(FORM),
            ),
            (
                Method::Post,
                "/v1/twilio/voice",
                None,
                UnsupportedType(FORM),
            ),
            (
                Method::Get,
                "/v1/twilio/voice",
                None,
                MethodNotAllowed(vec!["POST"]),
            ),
        ];
        let table = table();
        for (method, path, content_type, expected) in cases {
            assert_eq!(
                verdict(&table, &method, path, content_type),
                expected,
                "{method:?} {path} {content_type:?}"
            );
        }
    }
}
