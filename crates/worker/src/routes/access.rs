//! Who is asking: the one place the worker decides a request's [`Viewer`], and whether it may do
//! what the route needs (`dni_core::access::Need`, decided by [`Viewer::may`]). The operator's
//! `ADMIN_TOKEN` opens every site; an operator key (`dni_ok_...`) opens its sites with its scopes,
//! its row in the operators object (`operators_object`); a report token (`dni_rt_...`) opens its
//! own site's reports, read-only, its row in the site's call log (the object named by the URL's
//! site), so a token of another site is simply not found there. Both rows hold only the hash of
//! the secret, and both objects are strongly consistent: a revoked key or token fails at once.

use dni_core::access::{self, Need, OperatorKey, Viewer};
use dni_core::auth::constant_time_eq;
use worker::{Env, Request};

use super::{ask, secret};
use crate::error::{ApiError, ApiResult};
use crate::protocol::{CallOp, OperatorsOp, TokenRow};
use crate::{CALL_LOGS, OPERATORS};

/// The viewer of a request, if it may do what the route `need`s on `site` (the URL's site; empty
/// for the routes that name none, which only the admin may use); else 401.
pub async fn allow(req: &Request, env: &Env, site: &str, need: Need) -> ApiResult<Viewer> {
    let viewer = viewer(req, env, site).await?;
    if viewer.may(need, site) {
        Ok(viewer)
    } else {
        Err(ApiError::Unauthorized)
    }
}

/// [`allow`] for the URL's `site`: the site and the viewer.
pub async fn allow_site(
    req: &Request,
    ctx: &worker::RouteContext<()>,
    need: Need,
) -> ApiResult<(String, Viewer)> {
    let site = ctx.param("site").cloned().unwrap_or_default();
    let viewer = allow(req, &ctx.env, &site, need).await?;
    Ok((site, viewer))
}

/// The viewer of a request: the operator, an operator key, or one of `site`'s report tokens.
async fn viewer(req: &Request, env: &Env, site: &str) -> ApiResult<Viewer> {
    let header = req.headers().get("Authorization")?;
    let token = access::bearer(header.as_deref()).unwrap_or("");
    if let Some(parts) = access::parse_key(token) {
        let key: Option<OperatorKey> = ask(
            env,
            OPERATORS,
            crate::operators_object::NAME,
            &OperatorsOp::KeyGet {
                id: parts.id.to_owned(),
            },
        )
        .await?;
        return OperatorKey::viewer(key.as_ref(), parts.secret).ok_or(ApiError::Unauthorized);
    }
    if let Some(parts) = access::parse_token(token) {
        if !dni_core::config::valid_name(site) {
            return Err(ApiError::Unauthorized);
        }
        let row: Option<TokenRow> = ask(
            env,
            CALL_LOGS,
            site,
            &CallOp::TokenGet {
                id: parts.id.to_owned(),
            },
        )
        .await?;
        // A missing row is compared too (against nothing), so a wrong id and a wrong secret
        // take the same path.
        let stored = row.as_ref().map_or("", |r| r.hash.as_str());
        let site_matches = row.as_ref().is_some_and(|r| r.site == site);
        if access::secret_matches(parts.secret, stored) && site_matches {
            let qualify = row
                .as_ref()
                .is_some_and(|r| r.scopes.split(' ').any(|s| s == "qualify"));
            return Ok(Viewer::Report {
                site: site.to_owned(),
                token_id: parts.id.to_owned(),
                qualify,
            });
        }
        return Err(ApiError::Unauthorized);
    }
    operator(token, env)
}

fn operator(token: &str, env: &Env) -> ApiResult<Viewer> {
    let admin = secret(env, "ADMIN_TOKEN");
    if admin.is_empty() {
        return Err(ApiError::Forbidden(
            "the admin API is disabled: ADMIN_TOKEN is not set",
        ));
    }
    if !token.is_empty() && constant_time_eq(token.as_bytes(), admin.as_bytes()) {
        Ok(Viewer::Operator)
    } else {
        Err(ApiError::Unauthorized)
    }
}
