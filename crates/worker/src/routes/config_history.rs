//! The history of a site's configuration and keys, and rollback to an earlier version. The
//! history lives in the operators object (`operators_object`); every change of a configuration
//! (`PUT .../config`, a rollback) and of the keys that open the site is recorded there with who
//! made it (`admin` or `key:<id>`) and when.

use dni_core::access::{Need, Scope, Viewer};
use dni_core::config::SiteConfig;
use dni_core::history::{self, Change, Entry, RollbackError};
use serde::Deserialize;
use worker::{Env, Request, Response, Result, RouteContext};

use super::access::allow_site;
use super::{ask, parse_json, read_body};
use crate::config_store::{self, Freshness};
use crate::error::{respond, ApiError, ApiResult};
use crate::operators_object::NAME;
use crate::protocol::OperatorsOp;
use crate::{clock, OPERATORS};

/// Most entries the history answers.
const MAX_HISTORY: u32 = 200;

/// Records a change of `site` by `viewer`; answers the change's version.
pub async fn record(
    env: &Env,
    site: &str,
    previous: Option<SiteConfig>,
    change: Change,
    viewer: &Viewer,
) -> ApiResult<u64> {
    let added: Vec<Entry> = ask(
        env,
        OPERATORS,
        NAME,
        &OperatorsOp::Record {
            site: site.to_owned(),
            previous: previous.map(Box::new),
            change,
            by: viewer.who(),
            at: clock::now(),
        },
    )
    .await?;
    added.last().map(|e| e.version).ok_or(ApiError::Unavailable)
}

/// An entry as the history lists it: everything but the configuration (`config: true` says it
/// has one, to read with `GET .../config/history/{version}`).
fn listed(entry: &Entry) -> ApiResult<serde_json::Value> {
    let mut value =
        serde_json::to_value(entry).map_err(|e| worker::Error::RustError(e.to_string()))?;
    if let Some(fields) = value.as_object_mut() {
        let has = fields.remove("config").is_some();
        fields.insert("config".to_owned(), serde_json::Value::Bool(has));
    }
    Ok(value)
}

/// `GET /v1/sites/{site}/config/history`: the site's changes, newest first (at most 200).
pub async fn list(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            let (site, _) = allow_site(&req, &ctx, Need::Scope(Scope::Configure)).await?;
            let entries: Vec<Entry> = ask(
                &ctx.env,
                OPERATORS,
                NAME,
                &OperatorsOp::History {
                    site: site.clone(),
                    limit: MAX_HISTORY,
                },
            )
            .await?;
            let entries = entries.iter().map(listed).collect::<ApiResult<Vec<_>>>()?;
            Ok(Response::from_json(
                &serde_json::json!({ "site": site, "history": entries }),
            )?)
        }
        .await,
    )
}

/// The largest version asked of the store: SQLite's integers reach JavaScript as numbers, which
/// hold integers exactly only up to 2^53 - 1, and no site records that many changes. A larger one
/// is "no such version" here rather than a failed conversion (a 5xx) in the object.
const MAX_VERSION: u64 = (1 << 53) - 1;

async fn version(env: &Env, site: &str, version: u64) -> ApiResult<Option<Entry>> {
    if version > MAX_VERSION {
        return Ok(None);
    }
    ask(
        env,
        OPERATORS,
        NAME,
        &OperatorsOp::Version {
            site: site.to_owned(),
            version,
        },
    )
    .await
}

/// `GET /v1/sites/{site}/config/history/{version}`: one change, with the configuration it wrote.
pub async fn get(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            let (site, _) = allow_site(&req, &ctx, Need::Scope(Scope::Configure)).await?;
            let n = ctx
                .param("version")
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or(ApiError::NotFound("no such version"))?;
            let entry = version(&ctx.env, &site, n)
                .await?
                .ok_or(ApiError::NotFound("no such version"))?;
            Ok(Response::from_json(&entry)?)
        }
        .await,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RollbackRequest {
    version: u64,
}

/// `POST /v1/sites/{site}/config/rollback` `{"version": N}`: writes version N's configuration
/// again (its rules and its number routes, the routes it does not have deleted), as a new version.
pub async fn rollback(mut req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let allowed = allow_site(&req, &ctx, Need::Scope(Scope::Configure)).await;
    respond(
        async {
            let (site, viewer) = allowed?;
            let body = read_body(&mut req, 1024).await?;
            let RollbackRequest { version: n } = parse_json(&body)?;
            let entry = version(&ctx.env, &site, n).await?;
            let config = match history::rollback(entry.as_ref()) {
                Ok(config) => config.clone(),
                Err(RollbackError::NoSuchVersion) => {
                    return Err(ApiError::NotFound("no such version"))
                }
                Err(RollbackError::NotAConfiguration) => {
                    return Err(ApiError::BadRequest(
                        "that version is a change of keys, not of the configuration".to_owned(),
                    ))
                }
            };
            // Checked again: what was valid then must be valid now (a rule may have tightened).
            config.validate().map_err(|e| ApiError::BadRequest(e.0))?;
            if config_store::number_taken(&ctx.env, &config, &viewer)
                .await?
                .is_some()
            {
                return Err(ApiError::Forbidden(
                    "a number of this configuration is routed to another site; only the operator can move it",
                ));
            }
            let previous = config_store::site(&ctx.env, &site, Freshness::Latest)
                .await
                .ok();
            config_store::put_site(&ctx.env, &config, previous.as_ref()).await?;
            let change = Change::Rollback {
                from: n,
                config: Box::new(config),
            };
            let version = record(&ctx.env, &site, previous, change, &viewer).await?;
            Ok(Response::from_json(&serde_json::json!({
                "ok": true,
                "site": site,
                "version": version,
                "restored": n,
            }))?)
        }
        .await,
    )
}
