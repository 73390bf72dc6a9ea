//! Who is asking, and what they may do: the operator (the `ADMIN_TOKEN`), an operator key scoped to
//! some sites and some [`Scope`]s, or the holder of one of a site's read-only report tokens. The
//! worker decides the [`Viewer`] once per request and asks [`Viewer::may`] with what the route
//! needs ([`Need`]); everything that shows or hides something (the caller's number) asks the
//! viewer too.
//!
//! An operator key is `dni_ok_<id>_<secret>`, of the same shape as a report token; only the
//! SHA-256 of its secret is stored. A fast hash is right here: the secret is 32 random characters
//! (about 190 bits), so no dictionary or brute force can reach it whatever the hash costs, and a
//! slow hash (bcrypt, scrypt, Argon2) would spend tens of milliseconds of the worker's CPU on every
//! request it authorises. Slow hashes protect passwords people choose, which these are not.
//!
//! A report token is `dni_rt_<id>_<secret>`: the id finds the token's row (one per token, in the
//! site's own call log), the secret is checked against the SHA-256 hash stored there, in constant
//! time. Only the hash is ever stored; the token itself is shown once, when it is created. A token
//! belongs to one site: its row lives in that site's call log, and the row names the site too.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::constant_time_eq;

/// The prefix of every report token (so a leaked one is recognisable, e.g. by secret scanners).
pub const TOKEN_PREFIX: &str = "dni_rt_";

/// The prefix of every operator key.
pub const KEY_PREFIX: &str = "dni_ok_";

/// What an operator key may do on its sites, besides reading their reports (callers masked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Read and change the configuration, its history and rollback; report tokens; imports.
    Configure,
    /// Read calls with the callers' full numbers, and the conversions file (the converting calls'
    /// click ids, for Google Ads' import). What was sent about a call is read with the call.
    Calls,
    /// Play recordings and voicemails.
    Recordings,
    /// Qualify calls (the qualification route: a lead, a sale, a value).
    Qualify,
    /// Erase a caller's calls on request.
    Erase,
}

impl Scope {
    /// Every scope, in the order the API lists them.
    pub const ALL: [Scope; 5] = [
        Scope::Configure,
        Scope::Calls,
        Scope::Recordings,
        Scope::Qualify,
        Scope::Erase,
    ];

    /// The scope's name in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Configure => "configure",
            Scope::Calls => "calls",
            Scope::Recordings => "recordings",
            Scope::Qualify => "qualify",
            Scope::Erase => "erase",
        }
    }
}

/// What a route needs of its caller. Each operator route names one (the worker's
/// `routes::access::allow`); the table in this module's tests holds the whole model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Reading a site's reports, calls list, a call's detail and deliveries, and pool figures
    /// (callers as the viewer may see them).
    Read,
    /// One of a key's scopes, on the route's site.
    Scope(Scope),
    /// The global admin only (`ADMIN_TOKEN`): operator keys, which span sites.
    Admin,
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    /// The operator: every site, configuration, tokens, full caller numbers, operator keys.
    Operator,
    /// An operator key: its sites, its scopes.
    Key {
        /// The key's id (not the secret), for the history and for revoking it.
        id: String,
        /// The sites it opens.
        sites: Vec<String>,
        /// What it may do there beyond reading reports.
        scopes: Vec<Scope>,
    },
    /// A report token of one site: that site's reports only, read-only unless the operator gave
    /// it the `qualify` scope (an agency's client qualifying its own leads).
    Report {
        /// The site the token belongs to.
        site: String,
        /// The token's id (not the secret), for logs and for revoking it.
        token_id: String,
        /// Whether it may qualify the site's calls (the `qualify` scope).
        qualify: bool,
    },
}

/// The scopes a report token may be given besides reading; the one today: `qualify`.
pub const SCOPES: &[&str] = &["qualify"];

impl Viewer {
    /// Whether this viewer may do what a route `need`s on `site`.
    pub fn may(&self, need: Need, site: &str) -> bool {
        match (self, need) {
            (Viewer::Operator, _) => true,
            (Viewer::Key { sites, scopes, .. }, need) => {
                let on_site = sites.iter().any(|s| s == site);
                on_site
                    && match need {
                        Need::Read => true,
                        Need::Scope(scope) => scopes.contains(&scope),
                        Need::Admin => false,
                    }
            }
            (Viewer::Report { site: own, .. }, Need::Read) => own == site,
            (
                Viewer::Report {
                    site: own, qualify, ..
                },
                Need::Scope(Scope::Qualify),
            ) => own == site && *qualify,
            (Viewer::Report { .. }, _) => false,
        }
    }

    /// Whether a configuration of `site` written by this viewer may route a number that is now
    /// `owner`'s (`None`: no site's). The operator may move any number; a key may not take a number
    /// from a site it cannot configure, which would send that site's calls to its own.
    pub fn may_route_number(&self, site: &str, owner: Option<&str>) -> bool {
        match owner {
            None => true,
            Some(owner) if owner == site => true,
            Some(owner) => self.may(Need::Scope(Scope::Configure), owner),
        }
    }

    /// Whether this viewer may read `site`'s reports.
    pub fn may_read(&self, site: &str) -> bool {
        self.may(Need::Read, site)
    }

    /// Whether this viewer may qualify `site`'s calls: the operator, a key with the `qualify`
    /// scope there, or a report token of that site given the `qualify` scope.
    pub fn may_qualify(&self, site: &str) -> bool {
        self.may(Need::Scope(Scope::Qualify), site)
    }

    /// Who this is in the history of changes: `admin`, or `key:<id>` (a report token changes
    /// nothing, but is named the same way, `token:<id>`).
    pub fn who(&self) -> String {
        match self {
            Viewer::Operator => "admin".to_owned(),
            Viewer::Key { id, .. } => ["key:", id].concat(),
            Viewer::Report { token_id, .. } => ["token:", token_id].concat(),
        }
    }

    /// Whether this viewer sees callers' numbers whole: the operator, and keys with the `calls`
    /// scope. Others see them masked, to the site's `report_caller_digits` (see
    /// [`crate::privacy::mask_caller`]).
    pub fn sees_full_caller(&self) -> bool {
        match self {
            Viewer::Operator => true,
            Viewer::Key { scopes, .. } => scopes.contains(&Scope::Calls),
            Viewer::Report { .. } => false,
        }
    }

    /// The caller's number as this viewer may see it: whole for the operator; for a report
    /// token, every digit but the last `digits` (the site's `report_caller_digits`) masked.
    pub fn caller(&self, caller: &str, digits: u8) -> String {
        if self.sees_full_caller() {
            caller.to_owned()
        } else {
            crate::privacy::mask_caller(caller, digits)
        }
    }
}

/// A report token split into its id and secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenParts<'a> {
    /// The id, which finds the stored row.
    pub id: &'a str,
    /// The secret, whose hash the row holds.
    pub secret: &'a str,
}

/// Length of a token id and of a token secret (characters of `[A-Za-z0-9-]`).
pub const ID_LEN: usize = 12;
/// See [`ID_LEN`].
pub const SECRET_LEN: usize = 32;

fn token_chars(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn parse_prefixed<'a>(prefix: &str, token: &'a str) -> Option<TokenParts<'a>> {
    let rest = token.strip_prefix(prefix)?;
    let (id, secret) = rest.split_once('_')?;
    (token_chars(id, ID_LEN) && token_chars(secret, SECRET_LEN))
        .then_some(TokenParts { id, secret })
}

fn make_prefixed(prefix: &str, id: &str, secret: &str) -> Option<String> {
    (token_chars(id, ID_LEN) && token_chars(secret, SECRET_LEN))
        .then(|| [prefix, id, "_", secret].concat())
}

/// Reads a report token; `None` when it is not one (the operator's token, or garbage).
pub fn parse_token(token: &str) -> Option<TokenParts<'_>> {
    parse_prefixed(TOKEN_PREFIX, token)
}

/// Builds a token from an id and a secret the shell drew at random (each of `[A-Za-z0-9-]`, of
/// [`ID_LEN`] and [`SECRET_LEN`] characters); `None` if they are not.
pub fn make_token(id: &str, secret: &str) -> Option<String> {
    make_prefixed(TOKEN_PREFIX, id, secret)
}

/// Reads an operator key; `None` when it is not one.
pub fn parse_key(key: &str) -> Option<TokenParts<'_>> {
    parse_prefixed(KEY_PREFIX, key)
}

/// Builds an operator key from an id and a secret drawn at random (as [`make_token`]).
pub fn make_key(id: &str, secret: &str) -> Option<String> {
    make_prefixed(KEY_PREFIX, id, secret)
}

/// An operator key as it is kept: never the key itself, the hash of its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorKey {
    /// The id (the part of the key that finds this row).
    pub id: String,
    /// A label for people.
    pub name: String,
    /// The sites it opens.
    pub sites: Vec<String>,
    /// Its scopes.
    pub scopes: Vec<Scope>,
    /// SHA-256 of its secret, hex ([`hash_secret`]). Never shown: see [`OperatorKey::shown`].
    pub hash: String,
    /// When it was created.
    pub created_at: crate::Millis,
    /// Who created it ([`Viewer::who`]; always `admin` today).
    pub created_by: String,
    /// When it was revoked: from then on it opens nothing.
    pub revoked_at: Option<crate::Millis>,
    /// Who revoked it.
    pub revoked_by: Option<String>,
}

/// An operator key as the API shows it: everything but the hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyShown<'a> {
    /// The id.
    pub id: &'a str,
    /// The label.
    pub name: &'a str,
    /// The sites.
    pub sites: &'a [String],
    /// The scopes.
    pub scopes: &'a [Scope],
    /// When it was created.
    pub created_at: crate::Millis,
    /// Who created it.
    pub created_by: &'a str,
    /// When it was revoked.
    pub revoked_at: Option<crate::Millis>,
    /// Who revoked it.
    pub revoked_by: Option<&'a str>,
}

impl OperatorKey {
    /// What the API shows of the key (never its hash).
    pub fn shown(&self) -> KeyShown<'_> {
        KeyShown {
            id: &self.id,
            name: &self.name,
            sites: &self.sites,
            scopes: &self.scopes,
            created_at: self.created_at,
            created_by: &self.created_by,
            revoked_at: self.revoked_at,
            revoked_by: self.revoked_by.as_deref(),
        }
    }
    /// The viewer a request carrying this key's `secret` is: `None` when the secret does not match
    /// (compared in constant time) or the key is revoked. `None` for a missing row too, on the same
    /// path, so an unknown id and a wrong secret cost the same.
    pub fn viewer(key: Option<&OperatorKey>, secret: &str) -> Option<Viewer> {
        let stored = key.map_or("", |k| k.hash.as_str());
        let matches = secret_matches(secret, stored);
        let key = key?;
        (matches && key.revoked_at.is_none()).then(|| Viewer::Key {
            id: key.id.clone(),
            sites: key.sites.clone(),
            scopes: key.scopes.clone(),
        })
    }
}

/// Most sites one operator key names.
pub const MAX_KEY_SITES: usize = 100;

/// What an operator asks for when creating a key: checked by [`NewKey::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    /// A label for people (who holds it), at most 100 characters.
    #[serde(default)]
    pub name: String,
    /// The sites it opens: one at least, each a valid site id, no repeats.
    pub sites: Vec<String>,
    /// Its scopes (none: it reads reports, callers masked).
    #[serde(default)]
    pub scopes: Vec<Scope>,
}

impl NewKey {
    /// Checks the request; sorts and dedupes the scopes.
    pub fn validate(mut self) -> Result<NewKey, String> {
        if self.name.chars().count() > 100 {
            return Err("a key's name is at most 100 characters".to_owned());
        }
        if self.sites.is_empty() || self.sites.len() > MAX_KEY_SITES {
            return Err("a key names between 1 and 100 sites".to_owned());
        }
        for (i, site) in self.sites.iter().enumerate() {
            if !crate::config::valid_name(site) {
                return Err(["not a site id: ", site].concat());
            }
            if self.sites[..i].contains(site) {
                return Err(["a site named twice: ", site].concat());
            }
        }
        self.scopes.sort();
        self.scopes.dedup();
        Ok(self)
    }
}

/// The stored form of a secret: SHA-256, lowercase hex.
pub fn hash_secret(secret: &str) -> String {
    crate::text::hex(&Sha256::digest(secret.as_bytes()))
}

/// Whether `secret` matches the stored hash, compared in constant time.
pub fn secret_matches(secret: &str, stored_hash: &str) -> bool {
    constant_time_eq(hash_secret(secret).as_bytes(), stored_hash.as_bytes())
}

/// The bearer token of an `Authorization` header, if there is one.
pub fn bearer(header: Option<&str>) -> Option<&str> {
    let (scheme, token) = header?.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "AbCdEf012345";
    const SECRET: &str = "0123456789abcdefghijABCDEFGHIJ-_";

    #[test]
    fn reads_tokens() {
        let good = make_token(ID, "0123456789abcdefghijABCDEFGHIJ-x").unwrap();
        let table: &[(&str, Option<(&str, &str)>)] = &[
            (&good, Some((ID, "0123456789abcdefghijABCDEFGHIJ-x"))),
            ("dni_rt_short_0123456789abcdefghijABCDEFGHIJ-x", None),
            ("dni_rt_AbCdEf012345_tooshort", None),
            ("dni_rt_AbCdEf012345", None),
            ("xx_rt_AbCdEf012345_0123456789abcdefghijABCDEFGHIJ-x", None),
            ("dni_rt_AbCdEf01234!_0123456789abcdefghijABCDEFGHIJ-x", None),
            ("demo-admin-token", None),
            ("", None),
        ];
        for (token, want) in table {
            let got = parse_token(token).map(|p| (p.id, p.secret));
            assert_eq!(got, *want, "{token}");
        }
        // An underscore is not a token character, so a secret with one is refused when made.
        assert_eq!(make_token(ID, SECRET), None);
    }

    #[test]
    fn hashes_and_compares() {
        // SHA-256("abc"), the standard test vector.
        assert_eq!(
            hash_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let stored = hash_secret("right");
        assert!(secret_matches("right", &stored));
        assert!(!secret_matches("wrong", &stored));
        assert!(!secret_matches("right", "")); // a missing row never matches
    }

    #[test]
    fn viewers_read_their_own_site_only() {
        let report = Viewer::Report {
            site: "demo".into(),
            token_id: ID.into(),
            qualify: false,
        };
        let table = [
            (&Viewer::Operator, "demo", true),
            (&Viewer::Operator, "other", true),
            (&report, "demo", true),
            (&report, "other", false),
            (&report, "demo2", false),
        ];
        for (viewer, site, want) in table {
            assert_eq!(viewer.may_read(site), want, "{viewer:?} {site}");
        }
        let qualifier = Viewer::Report {
            site: "demo".into(),
            token_id: ID.into(),
            qualify: true,
        };
        // (viewer, site, may qualify): read-only tokens stay read-only.
        let table = [
            (&Viewer::Operator, "demo", true),
            (&report, "demo", false),
            (&qualifier, "demo", true),
            (&qualifier, "other", false),
        ];
        for (viewer, site, want) in table {
            assert_eq!(viewer.may_qualify(site), want, "{viewer:?} {site}");
            assert!(!viewer.may(Need::Scope(Scope::Calls), site) || *viewer == Viewer::Operator);
        }
    }

    /// The access model, whole: (viewer, need, site, allowed). Every viewer against every need on
    /// its own site and another.
    #[test]
    fn who_may_do_what_where() {
        use Need::{Admin, Read};
        let key = |sites: &[&str], scopes: &[Scope]| Viewer::Key {
            id: ID.into(),
            sites: sites.iter().map(|s| s.to_string()).collect(),
            scopes: scopes.to_vec(),
        };
        let configure = key(&["a"], &[Scope::Configure]);
        let everything = key(&["a"], &Scope::ALL);
        let two_sites = key(&["a", "b"], &[Scope::Calls, Scope::Recordings]);
        let read_only = key(&["a"], &[]);
        let report = Viewer::Report {
            site: "a".into(),
            token_id: ID.into(),
            qualify: false,
        };
        let sc = Need::Scope;
        use Scope::*;
        let table: &[(&Viewer, Need, &str, bool)] = &[
            (&Viewer::Operator, Admin, "a", true),
            (&Viewer::Operator, sc(Erase), "z", true),
            (&Viewer::Operator, Read, "z", true),
            (&configure, Read, "a", true),
            (&configure, sc(Configure), "a", true),
            (&configure, sc(Calls), "a", false),
            (&configure, sc(Recordings), "a", false),
            (&configure, sc(Qualify), "a", false),
            (&configure, sc(Erase), "a", false),
            (&configure, Admin, "a", false),
            (&configure, Read, "b", false),
            (&configure, sc(Configure), "b", false),
            (&everything, sc(Configure), "a", true),
            (&everything, sc(Calls), "a", true),
            (&everything, sc(Recordings), "a", true),
            (&everything, sc(Qualify), "a", true),
            (&everything, sc(Erase), "a", true),
            (&everything, Admin, "a", false),
            (&everything, Read, "b", false),
            (&everything, sc(Erase), "b", false),
            (&everything, sc(Configure), "a2", false),
            (&two_sites, sc(Calls), "a", true),
            (&two_sites, sc(Recordings), "b", true),
            (&two_sites, Read, "b", true),
            (&two_sites, sc(Configure), "b", false),
            (&two_sites, sc(Calls), "c", false),
            (&read_only, Read, "a", true),
            (&read_only, sc(Calls), "a", false),
            (&report, Read, "a", true),
            (&report, Read, "b", false),
            (&report, sc(Configure), "a", false),
            (&report, sc(Calls), "a", false),
            (&report, Admin, "a", false),
        ];
        for (viewer, need, site, want) in table {
            assert_eq!(viewer.may(*need, site), *want, "{viewer:?} {need:?} {site}");
        }
        // A number another site routes: (viewer, the configuration's site, the number's owner).
        let table: &[(&Viewer, &str, Option<&str>, bool)] = &[
            (&Viewer::Operator, "a", Some("b"), true),
            (&configure, "a", None, true),
            (&configure, "a", Some("a"), true),
            (&configure, "a", Some("b"), false),
            (&everything, "a", Some("b"), false),
            (&two_sites, "a", Some("b"), false),
            (&key(&["a", "b"], &[Scope::Configure]), "a", Some("b"), true),
        ];
        for (viewer, site, owner, want) in table {
            assert_eq!(
                viewer.may_route_number(site, *owner),
                *want,
                "{viewer:?} {site} {owner:?}"
            );
        }
        // Full numbers: the operator and keys with `calls`.
        let table = [
            (&Viewer::Operator, true),
            (&everything, true),
            (&two_sites, true),
            (&configure, false),
            (&read_only, false),
            (&report, false),
        ];
        for (viewer, want) in table {
            assert_eq!(viewer.sees_full_caller(), want, "{viewer:?}");
        }
        let table = [
            (&Viewer::Operator, "admin"),
            (&configure, "key:AbCdEf012345"),
            (&report, "token:AbCdEf012345"),
        ];
        for (viewer, want) in table {
            assert_eq!(viewer.who(), want);
        }
    }

    #[test]
    fn reads_operator_keys_and_their_requests() {
        let key = make_key(ID, "0123456789abcdefghijABCDEFGHIJ-x").unwrap();
        assert_eq!(
            parse_key(&key).map(|p| (p.id, p.secret)),
            Some((ID, "0123456789abcdefghijABCDEFGHIJ-x"))
        );
        // A key is not a report token, nor the other way round.
        assert_eq!(parse_token(&key), None);
        let token = make_token(ID, "0123456789abcdefghijABCDEFGHIJ-x").unwrap();
        assert_eq!(parse_key(&token), None);
        // (request JSON, the sites and scopes it gives, or the error's start)
        type Row<'a> = (&'a str, Result<(&'a [&'a str], &'a [Scope]), &'a str>);
        let table: &[Row] = &[
            (
                r#"{"sites":["a"],"scopes":["erase","configure","erase"]}"#,
                Ok((&["a"], &[Scope::Configure, Scope::Erase])),
            ),
            (
                r#"{"name":"agency","sites":["a","b"]}"#,
                Ok((&["a", "b"], &[])),
            ),
            (r#"{"sites":[]}"#, Err("a key names between")),
            (r#"{"sites":["A"]}"#, Err("not a site id")),
            (r#"{"sites":["a","a"]}"#, Err("a site named twice")),
        ];
        for (json, want) in table {
            let request: NewKey = serde_json::from_str(json).unwrap();
            match (request.validate(), want) {
                (Ok(got), Ok((sites, scopes))) => {
                    assert_eq!(got.sites, *sites, "{json}");
                    assert_eq!(got.scopes, *scopes, "{json}");
                }
                (Err(e), Err(start)) => assert!(e.starts_with(start), "{json}: {e}"),
                (got, _) => panic!("{json}: {got:?}"),
            }
        }
        // Unknown scopes and fields are refused by the reader.
        for json in [
            r#"{"sites":["a"],"scopes":["root"]}"#,
            r#"{"sites":["a"],"admin":true}"#,
        ] {
            assert!(serde_json::from_str::<NewKey>(json).is_err(), "{json}");
        }
        let names: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
        let serialized = serde_json::to_string(&Scope::ALL).unwrap();
        assert_eq!(serialized, format!("{names:?}").replace(", ", ","));
    }

    #[test]
    fn a_key_opens_with_its_secret_until_revoked() {
        let key = OperatorKey {
            id: ID.into(),
            name: "agency".into(),
            sites: vec!["a".into()],
            scopes: vec![Scope::Calls],
            hash: hash_secret("right"),
            created_at: 1,
            created_by: "admin".into(),
            revoked_at: None,
            revoked_by: None,
        };
        let revoked = OperatorKey {
            revoked_at: Some(2),
            revoked_by: Some("admin".into()),
            ..key.clone()
        };
        let viewer = Viewer::Key {
            id: ID.into(),
            sites: vec!["a".into()],
            scopes: vec![Scope::Calls],
        };
        let table = [
            (Some(&key), "right", Some(viewer)),
            (Some(&key), "wrong", None),
            (Some(&revoked), "right", None),
            (None, "right", None),
            (None, "", None),
        ];
        for (k, secret, want) in table {
            assert_eq!(OperatorKey::viewer(k, secret), want, "{k:?} {secret}");
        }
        // The hash is never shown.
        let shown = serde_json::to_string(&key.shown()).unwrap();
        assert!(
            !shown.contains(&key.hash) && !shown.contains("hash"),
            "{shown}"
        );
    }

    #[test]
    fn masks_callers_for_report_tokens() {
        let report = Viewer::Report {
            site: "demo".into(),
            token_id: ID.into(),
            qualify: false,
        };
        let table = [
            ("+13105550199", 4, "+*******0199"),
            ("+13105550199", 15, "+13105550199"),
            ("anonymous", 4, "anonymous"),
            ("+123", 4, "+123"),
            ("", 4, ""),
        ];
        for (caller, digits, want) in table {
            assert_eq!(report.caller(caller, digits), want, "{caller}");
            assert_eq!(Viewer::Operator.caller(caller, digits), caller);
        }
    }

    #[test]
    fn reads_bearer_headers() {
        let table = [
            (Some("Bearer abc"), Some("abc")),
            (Some("bearer  abc "), Some("abc")),
            (Some("Basic abc"), None),
            (Some("Bearer "), None),
            (None, None),
        ];
        for (header, want) in table {
            assert_eq!(bearer(header), want, "{header:?}");
        }
    }
}
