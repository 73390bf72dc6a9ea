//! The reporting API: the calls list (filters, pages, CSV), one call's detail, and grouped reports.
//! The core writes the SQL (`dni_core::report`); the site's call log object runs it where the calls
//! are; this module only decides who is asking, and shapes and masks what goes back.

use dni_core::access::Viewer;
use dni_core::call::LeadKind;
use dni_core::civil::Zone;
use dni_core::report::cursor::Cursor;
use dni_core::report::query::{self, GroupRow};
use dni_core::report::{csv, QueryError};
use worker::{Request, Response, Result, RouteContext};

use super::access::allow_site;
use super::ask;
use crate::api::calls::{Call, CallDetail, CallWithDeliveries, CallsPage, LeadsPage};
use crate::api::pool::{PoolSummary, Pools};
use crate::api::reports::Report;
use crate::api::{self, deliveries};
use crate::clock;
use crate::config_store::{self, Freshness};
use crate::error::{respond, ApiError, ApiResult};
use crate::protocol::{CallOp, ListRow};
use crate::CALL_LOGS;

/// Most rows one CSV export carries (in pages of the list's largest page).
const MAX_CSV_ROWS: usize = 10_000;

/// The site, its zone and the viewer, or the error answer.
pub(super) struct Context {
    pub(super) site: String,
    pub(super) config: dni_core::config::SiteConfig,
    pub(super) zone: Zone,
    viewer: Viewer,
}

pub(super) async fn context(req: &Request, ctx: &RouteContext<()>) -> ApiResult<Context> {
    let (site, viewer) = allow_site(req, ctx, dni_core::access::Need::Read).await?;
    let config = config_store::site(&ctx.env, &site, Freshness::Latest).await?;
    let zone = config
        .time_zone
        .as_deref()
        .and_then(Zone::named)
        .unwrap_or_else(Zone::utc);
    Ok(Context {
        site: config.id.clone(),
        config,
        zone,
        viewer,
    })
}

pub(super) fn pairs(req: &Request) -> ApiResult<Vec<(String, String)>> {
    Ok(req
        .url()?
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect())
}

pub(super) fn today(zone: &Zone) -> ApiResult<dni_core::civil::Date> {
    zone.date_at(clock::now()).ok_or(ApiError::Unavailable)
}

pub(super) fn bad(e: QueryError) -> ApiError {
    ApiError::BadRequest(e.0)
}

/// A stored record as this viewer may see it. A row that cannot be read is an error, never
/// skipped.
fn present(row: &ListRow, viewer: &Viewer, digits: u8) -> ApiResult<Call> {
    let record = crate::rows::call::read_call(&row.record).map_err(|e| {
        worker::console_error!("call {} cannot be read: {e}", row.call_sid);
        ApiError::Unavailable
    })?;
    let mut call = Call::from(&record);
    call.caller = viewer.caller(&call.caller, digits);
    Ok(call)
}

/// Which list: the calls (what `/calls` always listed: calls only, unless `kind` says
/// otherwise) or every lead, calls and texts (`/leads`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Listing {
    Calls,
    Leads,
}

impl Listing {
    /// The list's key in the JSON answer, and the CSV file's name.
    fn name(self) -> &'static str {
        match self {
            Listing::Calls => "calls",
            Listing::Leads => "leads",
        }
    }
}

/// `GET /v1/sites/{site}/calls`: calls newest first, filtered, a page at a time (`cursor`), or
/// as CSV (`format=csv`, every matching call up to 10,000). Texts only with `kind=text`: a client
/// of this list from before texts keeps seeing calls.
pub async fn calls(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    list(req, ctx, Listing::Calls).await
}

/// `GET /v1/sites/{site}/leads`: the same list with calls and texts (`kind` filters).
pub async fn leads(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    list(req, ctx, Listing::Leads).await
}

async fn list(req: Request, ctx: RouteContext<()>, listing: Listing) -> Result<Response> {
    respond(
        async {
            let c = context(&req, &ctx).await?;
            let mut q = query::list_query(&pairs(&req)?, &c.zone, today(&c.zone)?).map_err(bad)?;
            if listing == Listing::Calls && q.filter.kind.is_none() {
                q.filter.kind = Some(LeadKind::Call);
            }
            if q.csv {
                return export(&ctx, &c, q, listing).await;
            }
            let limit = q.limit as usize;
            let rows = page(&ctx, &c, &q).await?;
            let next = rows
                .get(limit.wrapping_sub(1))
                .filter(|_| rows.len() > limit)
                .map(cursor_after);
            let calls = rows
                .iter()
                .take(limit)
                .map(|r| present(r, &c.viewer, c.config.report_caller_digits))
                .collect::<ApiResult<Vec<Call>>>()?;
            q.cursor = None;
            let time_zone = c.zone.name().to_owned();
            match listing {
                Listing::Calls => Ok(api::json(&CallsPage {
                    site: c.site,
                    time_zone,
                    from: q.filter.from,
                    to: q.filter.to,
                    calls,
                    next_cursor: next,
                })?),
                Listing::Leads => Ok(api::json(&LeadsPage {
                    site: c.site,
                    time_zone,
                    from: q.filter.from,
                    to: q.filter.to,
                    leads: calls,
                    next_cursor: next,
                })?),
            }
        }
        .await,
    )
}

fn cursor_after(row: &ListRow) -> String {
    Cursor {
        started_at: u64::try_from(row.started_at).unwrap_or(0),
        call_sid: row.call_sid.clone(),
    }
    .encode()
}

async fn page(
    ctx: &RouteContext<()>,
    c: &Context,
    q: &query::ListQuery,
) -> ApiResult<Vec<ListRow>> {
    let sql = query::list_sql(q);
    ask(&ctx.env, CALL_LOGS, &c.site, &CallOp::List { sql }).await
}

async fn export(
    ctx: &RouteContext<()>,
    c: &Context,
    mut q: query::ListQuery,
    listing: Listing,
) -> ApiResult<Response> {
    let mut body = csv::header();
    let mut written = 0;
    q.limit = query::MAX_PAGE;
    let mut truncated = None;
    loop {
        let rows = page(ctx, c, &q).await?;
        let more = rows.len() > q.limit as usize;
        for row in rows.iter().take(q.limit as usize) {
            let call = present(row, &c.viewer, c.config.report_caller_digits)?;
            // The CSV's columns are read from the call as the API shows it.
            let record = serde_json::to_value(&call).map_err(|e| {
                worker::console_error!("call {} cannot be written: {e}", row.call_sid);
                ApiError::Unavailable
            })?;
            body.push_str(&csv::row(
                &record,
                u64::try_from(row.started_at).unwrap_or(0),
                &c.zone,
            ));
            written += 1;
        }
        let Some(last) = rows.get(q.limit as usize - 1).filter(|_| more) else {
            break;
        };
        if written >= MAX_CSV_ROWS {
            truncated = Some(cursor_after(last));
            break;
        }
        q.cursor = Cursor::decode(&cursor_after(last));
    }
    let mut response = Response::ok(body)?;
    let headers = response.headers_mut();
    headers.set("Content-Type", "text/csv; charset=utf-8; header=present")?;
    let name = [
        listing.name(),
        "-",
        &c.site,
        "-",
        &q.filter.from,
        "-",
        &q.filter.to,
        ".csv",
    ]
    .concat();
    headers.set(
        "Content-Disposition",
        &["attachment; filename=\"", &name, "\""].concat(),
    )?;
    if let Some(next) = truncated {
        headers.set("X-Next-Cursor", &next)?;
    }
    Ok(response)
}

/// `GET /v1/sites/{site}/calls/{call}`: one call, with its journey and whatever the record holds
/// (routing, dial result, recording, transcript, deliveries, once calls carry them).
pub async fn call(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            let c = context(&req, &ctx).await?;
            let call_sid = ctx.param("call").cloned().unwrap_or_default();
            if call_sid.is_empty() || call_sid.len() > 128 {
                return Err(ApiError::NotFound("unknown call"));
            }
            let row: Option<ListRow> = ask(
                &ctx.env,
                CALL_LOGS,
                &c.site,
                &CallOp::GetRow {
                    call_sid: call_sid.clone(),
                },
            )
            .await?;
            let row = row.ok_or(ApiError::NotFound("unknown call"))?;
            let call = present(&row, &c.viewer, c.config.report_caller_digits)?;
            // What was sent about the call (the outbox keeps it beside the record).
            let sent: Vec<dni_core::integrations::outbox::Delivery> = ask(
                &ctx.env,
                CALL_LOGS,
                &c.site,
                &CallOp::Deliveries { call_sid },
            )
            .await?;
            Ok(api::json(&CallDetail {
                site: c.site,
                time_zone: c.zone.name().to_owned(),
                call: CallWithDeliveries {
                    call,
                    deliveries: sent.iter().map(deliveries::Delivery::from).collect(),
                },
            })?)
        }
        .await,
    )
}

/// `GET /v1/sites/{site}/reports/{by}`: calls, answered, missed and talk time grouped by `by`
/// (summary, day, channel, source_medium, campaign, keyword, landing_page, tracking_number,
/// confidence, kind, lead_status, tag) over the filters' date range.
pub async fn report(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            let c = context(&req, &ctx).await?;
            let by = ctx.param("by").cloned().unwrap_or_default();
            let q =
                query::report_query(&by, &pairs(&req)?, &c.zone, today(&c.zone)?).map_err(|e| {
                    match query::Dimension::parse(&by) {
                        None => ApiError::NotFound("unknown report"),
                        Some(_) => bad(e),
                    }
                })?;
            let sql = query::report_sql(&q, &c.zone);
            let rows: Vec<GroupRow> =
                ask(&ctx.env, CALL_LOGS, &c.site, &CallOp::Report { sql }).await?;
            Ok(api::json(&Report {
                site: c.site,
                time_zone: c.zone.name().to_owned(),
                report: q.by.name().to_owned(),
                rows: query::shape(&q, &rows).iter().map(Into::into).collect(),
                from: q.filter.from,
                to: q.filter.to,
            })?)
        }
        .await,
    )
}

/// `GET /v1/sites/{site}/pools`: the site's pools (id, size, shards), for the pool panel.
pub async fn pools(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    respond(
        async {
            let c = context(&req, &ctx).await?;
            let pools = c
                .config
                .pools
                .iter()
                .map(|p| PoolSummary {
                    id: p.id.clone(),
                    size: p.numbers.len(),
                    shards: p.shards.max(1),
                })
                .collect();
            Ok(api::json(&Pools {
                site: c.site,
                pools,
            })?)
        }
        .await,
    )
}
