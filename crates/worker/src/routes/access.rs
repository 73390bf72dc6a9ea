//! Who is asking: the one place the worker decides a request's [`Viewer`]. The operator's
//! `ADMIN_TOKEN` opens every site; a report token opens its own site's reports, read-only. The
//! token's row is in the site's call log (the object named by the URL's site), so a token of
//! another site is simply not found there.

use dni_core::access::{self, Viewer};
use dni_core::auth::constant_time_eq;
use worker::{Env, Request};

use super::{ask, secret};
use crate::error::{ApiError, ApiResult};
use crate::protocol::{CallOp, TokenRow};
use crate::CALL_LOGS;

/// The viewer of a request for `site`'s reports: the operator or one of the site's report tokens.
pub async fn viewer(req: &Request, env: &Env, site: &str) -> ApiResult<Viewer> {
    let header = req.headers().get("Authorization")?;
    let token = access::bearer(header.as_deref()).ok_or(ApiError::Unauthorized)?;
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

/// The operator only (configuration, tokens, imports).
pub fn operator_only(req: &Request, env: &Env) -> ApiResult<Viewer> {
    let header = req.headers().get("Authorization")?;
    let token = access::bearer(header.as_deref()).unwrap_or("");
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
