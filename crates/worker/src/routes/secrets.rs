//! `GET /v1/sites/{site}/secrets`: which worker secrets are set, by name only, and which of the
//! ones the site's configuration needs are missing (`dni doctor` reads it). Global operator only:
//! a secret's value never leaves the worker, and this route never reads one into its answer.

use dni_core::config::secrets;
use worker::{Request, Response, Result, RouteContext};

use dni_core::access::Need;

use super::access::allow;
use super::secret;
use crate::api;
use crate::api::secrets::{NeededSecret, Secrets};
use crate::config_store::{self, Freshness};
use crate::error::respond;

/// `GET /v1/sites/{site}/secrets`.
pub async fn names(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            allow(&req, &ctx.env, "", Need::Admin).await?;
            let site = ctx.param("site").cloned().unwrap_or_default();
            let config = config_store::site(&ctx.env, &site, Freshness::Latest).await?;
            let is_set = |name: &str| !secret(&ctx.env, name).is_empty();
            let present: Vec<String> = secrets::candidates(&config)
                .into_iter()
                .filter(|n| is_set(n))
                .collect();
            let needed = secrets::needed(&config)
                .iter()
                .map(|n| NeededSecret::of(n, present.contains(&n.name)))
                .collect();
            Ok(api::json(&Secrets {
                site: config.id.clone(),
                present,
                needed,
            })?)
        }
        .await,
    )
}
