//! The providers' keywords: a text that is only `STOP`, `HELP` or another opt-out, opt-in or help
//! word is the provider's to answer (Twilio and Telnyx keep the opt-out list and send the
//! carriers' required replies). It is never a lead: never recorded, forwarded or answered by us.

#[allow(unused_imports)]
use crate::prelude::*;

/// What a keyword asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    /// Stop texting me (the carriers' opt-out words, and CTIA's `OPTOUT` and `REVOKE`).
    OptOut,
    /// Start again after an opt-out.
    OptIn,
    /// Who is this, how do I stop.
    Help,
}

impl Keyword {
    /// For the log.
    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::OptOut => "opt-out",
            Keyword::OptIn => "opt-in",
            Keyword::Help => "help",
        }
    }
}

/// The words, as the providers match them: the whole message, in any case.
const WORDS: &[(&str, Keyword)] = &[
    ("STOP", Keyword::OptOut),
    ("STOPALL", Keyword::OptOut),
    ("STOP ALL", Keyword::OptOut),
    ("UNSUBSCRIBE", Keyword::OptOut),
    ("CANCEL", Keyword::OptOut),
    ("END", Keyword::OptOut),
    ("QUIT", Keyword::OptOut),
    ("OPTOUT", Keyword::OptOut),
    ("OPT OUT", Keyword::OptOut),
    ("OPT-OUT", Keyword::OptOut),
    ("REVOKE", Keyword::OptOut),
    ("START", Keyword::OptIn),
    ("UNSTOP", Keyword::OptIn),
    ("YES", Keyword::OptIn),
    ("HELP", Keyword::Help),
    ("INFO", Keyword::Help),
];

/// The keyword a text is, if it is one: its whole body, trimmed of white space and of trailing
/// punctuation (`Stop.`, `STOP!`), in any case.
pub fn of(body: &str) -> Option<Keyword> {
    let word = body.trim().trim_end_matches(['.', '!', '?']).trim_end();
    WORDS
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(word))
        .map(|(_, k)| *k)
}
