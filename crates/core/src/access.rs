//! Who is reading a site's reports: the operator (the `ADMIN_TOKEN`) or the holder of one of the
//! site's read-only report tokens. The worker decides the [`Viewer`] once per request; everything
//! that shows or hides something (the caller's number, the admin routes) asks the viewer.
//!
//! A report token is `dni_rt_<id>_<secret>`: the id finds the token's row (one per token, in the
//! site's own call log), the secret is checked against the SHA-256 hash stored there, in constant
//! time. Only the hash is ever stored; the token itself is shown once, when it is created. A token
//! belongs to one site: its row lives in that site's call log, and the row names the site too.

#[allow(unused_imports)]
use crate::prelude::*;

use sha2::{Digest, Sha256};

use crate::auth::constant_time_eq;

/// The prefix of every report token (so a leaked one is recognisable, e.g. by secret scanners).
pub const TOKEN_PREFIX: &str = "dni_rt_";

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    /// The operator: every site, configuration, tokens, full caller numbers.
    Operator,
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
    /// Whether this viewer may read `site`'s reports.
    pub fn may_read(&self, site: &str) -> bool {
        match self {
            Viewer::Operator => true,
            Viewer::Report { site: own, .. } => own == site,
        }
    }

    /// Whether this viewer may qualify `site`'s calls: the operator, or a report token of that
    /// site with the `qualify` scope.
    pub fn may_qualify(&self, site: &str) -> bool {
        match self {
            Viewer::Operator => true,
            Viewer::Report {
                site: own, qualify, ..
            } => own == site && *qualify,
        }
    }

    /// Whether this viewer sees callers' numbers whole. Report tokens see them masked, to the
    /// site's `report_caller_digits` (see [`crate::privacy::mask_caller`]).
    pub fn sees_full_caller(&self) -> bool {
        matches!(self, Viewer::Operator)
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

/// Reads a report token; `None` when it is not one (the operator's token, or garbage).
pub fn parse_token(token: &str) -> Option<TokenParts<'_>> {
    let rest = token.strip_prefix(TOKEN_PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    (token_chars(id, ID_LEN) && token_chars(secret, SECRET_LEN))
        .then_some(TokenParts { id, secret })
}

/// Builds a token from an id and a secret the shell drew at random (each of `[A-Za-z0-9-]`, of
/// [`ID_LEN`] and [`SECRET_LEN`] characters); `None` if they are not.
pub fn make_token(id: &str, secret: &str) -> Option<String> {
    (token_chars(id, ID_LEN) && token_chars(secret, SECRET_LEN))
        .then(|| [TOKEN_PREFIX, id, "_", secret].concat())
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
        }
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
