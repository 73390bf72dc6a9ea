//! Site configuration and number routes in KV.

use std::cell::RefCell;
use std::collections::HashMap;

use dni_core::config::{number_key, site_key, NumberRoute, SiteConfig};
use dni_core::phone::E164;
use worker::Env;

use crate::error::{ApiError, ApiResult};
use crate::rows::{kv, RowError};

/// How long an edge location may serve a cached configuration read on the hot paths (leases,
/// webhooks). Configuration changes reach every location within this time.
const CACHE_TTL_S: u64 = 60;

/// Whether to read through the edge cache.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// The hot paths: a cached copy up to [`CACHE_TTL_S`] old is fine.
    Cached,
    /// The admin API: read the latest.
    Latest,
}

/// Reads a KV value through its row reader: a value that cannot be read is logged and answers 503
/// (never "unknown site", which would invite an operator to overwrite it).
async fn get_row<T>(
    env: &Env,
    key: &str,
    freshness: Freshness,
    read: fn(&str) -> Result<T, RowError>,
) -> ApiResult<Option<T>> {
    let kv = env.kv(crate::CONFIG_KV)?;
    let mut get = kv.get(key);
    if freshness == Freshness::Cached {
        get = get.cache_ttl(CACHE_TTL_S);
    }
    match get.text().await? {
        None => Ok(None),
        Some(text) => read(&text).map(Some).map_err(|e| {
            worker::console_error!("KV value at {key}: {e}");
            ApiError::Unavailable
        }),
    }
}

/// How long this isolate keeps a site's configuration in memory on the hot paths. KV itself may
/// serve a copy up to a minute old in other locations, so this adds no staleness the platform does
/// not already have there, and it spares a KV read and a JSON parse on every lease and heartbeat.
/// The isolate that writes a configuration keeps the new one at once ([`put_site`]), so an owner
/// who changes a rule and tries it sees the new rule from the next request.
const MEMORY_TTL_MS: u64 = 15_000;

thread_local! {
    static SITES: RefCell<HashMap<String, (u64, SiteConfig)>> = RefCell::new(HashMap::new());
}

/// The site's configuration, or 404.
pub async fn site(env: &Env, site: &str, freshness: Freshness) -> ApiResult<SiteConfig> {
    if site.len() > 32 {
        return Err(ApiError::NotFound("unknown site"));
    }
    let now = crate::clock::now();
    if freshness == Freshness::Cached {
        let hit = SITES.with(|m| {
            m.borrow()
                .get(site)
                .filter(|(at, _)| now.saturating_sub(*at) < MEMORY_TTL_MS)
                .map(|(_, c)| c.clone())
        });
        if let Some(config) = hit {
            return Ok(config);
        }
    }
    let config: SiteConfig = get_row(env, &site_key(site), freshness, kv::read_site)
        .await?
        .ok_or(ApiError::NotFound("unknown site"))?;
    remember(&config, now);
    Ok(config)
}

/// Keeps `config` in this isolate's memory as read at `now`.
fn remember(config: &SiteConfig, now: u64) {
    SITES.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() > 1000 {
            m.clear();
        }
        m.insert(config.id.clone(), (now, config.clone()));
    });
}

/// The route of a tracking number, if it is one of ours.
pub async fn route(env: &Env, number: &E164) -> ApiResult<Option<NumberRoute>> {
    get_row(env, &number_key(number), Freshness::Cached, kv::read_route).await
}

/// The first of `config`'s numbers that `viewer` may not route to it because another site routes
/// it now (`Viewer::may_route_number`), with that site; read from KV (the latest, not the edge's
/// cache). The operator may move any number, so nothing is read for it.
pub async fn number_taken(
    env: &Env,
    config: &SiteConfig,
    viewer: &dni_core::access::Viewer,
) -> ApiResult<Option<(E164, String)>> {
    if matches!(viewer, dni_core::access::Viewer::Operator) {
        return Ok(None);
    }
    for (number, _) in config.routes() {
        let owner = get_row(env, &number_key(&number), Freshness::Latest, kv::read_route).await?;
        let owner = owner.map(|r| r.site);
        if !viewer.may_route_number(&config.id, owner.as_deref()) {
            return Ok(Some((number, owner.unwrap_or_default())));
        }
    }
    Ok(None)
}

/// Writes a configuration and its number routes, and deletes the routes the previous one had.
pub async fn put_site(
    env: &Env,
    config: &SiteConfig,
    previous: Option<&SiteConfig>,
) -> ApiResult<()> {
    let kv = env.kv(crate::CONFIG_KV)?;
    let entries = config.kv_entries().map_err(|e| ApiError::BadRequest(e.0))?;
    // Routes first, site last: a reader never finds a site whose numbers are not routed yet.
    for (key, value) in entries.iter().rev() {
        kv.put(key, value.as_str())?.execute().await?;
    }
    if let Some(previous) = previous {
        for key in config.stale_number_keys(previous) {
            kv.delete(&key).await?;
        }
    }
    // This isolate serves the new configuration from the next request on, rather than the copy it
    // read before (other isolates and locations follow within KV's propagation, about a minute).
    remember(config, crate::clock::now());
    Ok(())
}
