//! The providers' number APIs, as the operator's commands use them: search, buy, list, point the
//! webhooks at the worker, release. One module per provider ([`twilio`], [`telnyx`]) behind one
//! trait ([`Numbers`]); one HTTP layer ([`http`]) that prints every call under `--dry-run` and
//! sends nothing that changes anything.
//!
//! Each number the commands buy or attach carries a marker at the provider (Twilio's friendly name,
//! Telnyx's customer reference): `dni:<site>:<pool>`. A resumed run lists the account's numbers and
//! finds what an interrupted one bought by its marker, so it never buys twice.

pub mod http;
pub mod telnyx;
pub mod twilio;

use dni_core::telephony::Provider;

pub use http::Http;

/// A number the account owns, as the provider describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owned {
    /// The provider's id for it (Twilio `PN...`, Telnyx's numeric id).
    pub id: String,
    /// The number, E.164.
    pub number: String,
    /// Where calls to it go now (empty: nowhere).
    pub voice_url: String,
    /// Where its status callbacks go now.
    pub status_url: String,
    /// The marker it carries (`dni:<site>:<pool>` when this tool bought or attached it).
    pub marker: String,
}

/// The worker's webhook URLs for a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hooks {
    /// `https://<worker>/v1/<provider>/voice`.
    pub voice: String,
    /// `https://<worker>/v1/<provider>/status`.
    pub status: String,
}

impl Hooks {
    /// The hooks of the worker at `base` (no trailing slash) for `provider`.
    pub fn of(base: &str, provider: Provider) -> Hooks {
        let base = base.trim_end_matches('/');
        let p = provider.as_str();
        Hooks {
            voice: format!("{base}/v1/{p}/voice"),
            status: format!("{base}/v1/{p}/status"),
        }
    }

    /// Whether a number's webhooks are these.
    pub fn points_here(&self, owned: &Owned) -> bool {
        owned.voice_url == self.voice && owned.status_url == self.status
    }
}

/// The marker of a pool's numbers.
pub fn marker(site: &str, pool: &str) -> String {
    format!("dni:{site}:{pool}")
}

/// What kind of number to buy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Want {
    /// Toll-free rather than local.
    pub toll_free: bool,
    /// The area code (local numbers; ignored for toll-free).
    pub area_code: Option<String>,
    /// How many.
    pub count: usize,
}

/// A provider's number API.
pub trait Numbers {
    /// The provider.
    fn provider(&self) -> Provider;
    /// Numbers available to buy (E.164), at most `want.count`.
    fn search(&mut self, want: &Want) -> Result<Vec<String>, String>;
    /// Buys `number` with its webhooks pointing at `hooks`, marked `marker`; `None` under
    /// `--dry-run`.
    fn buy(&mut self, number: &str, hooks: &Hooks, marker: &str) -> Result<Option<Owned>, String>;
    /// Every number the account owns.
    fn list(&mut self) -> Result<Vec<Owned>, String>;
    /// Points a number's webhooks at `hooks` and marks it.
    fn point(&mut self, owned: &Owned, hooks: &Hooks, marker: &str) -> Result<(), String>;
    /// Gives a number back to the provider.
    fn release(&mut self, owned: &Owned) -> Result<(), String>;
}

/// The provider's API from the environment's credentials (never from the command line), at its
/// real address or, for tests, a stand-in on this machine (`DNI_TWILIO_API_BASE`,
/// `DNI_TELNYX_API_BASE`: loopback hosts only).
pub fn from_env(provider: Provider, dry_run: bool) -> Result<Box<dyn Numbers>, String> {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    match provider {
        Provider::Twilio => {
            let (sid, token) = (var("TWILIO_ACCOUNT_SID"), var("TWILIO_AUTH_TOKEN"));
            if sid.is_empty() || token.is_empty() {
                return Err("set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN in the environment (never on the command line)".into());
            }
            let base = http::base_url(&var("DNI_TWILIO_API_BASE"), "https://api.twilio.com")?;
            let auth = http::basic(&sid, &token);
            Ok(Box::new(twilio::Twilio::new(
                Http::new(base, auth, dry_run),
                sid,
            )))
        }
        Provider::Telnyx => {
            let key = var("TELNYX_API_KEY");
            if key.is_empty() {
                return Err(
                    "set TELNYX_API_KEY in the environment (never on the command line)".into(),
                );
            }
            let base = http::base_url(&var("DNI_TELNYX_API_BASE"), "https://api.telnyx.com")?;
            Ok(Box::new(telnyx::Telnyx::new(Http::new(
                base,
                format!("Bearer {key}"),
                dry_run,
            ))))
        }
    }
}
