//! What the pool answers without changing: who held a number at a moment (a call's attribution),
//! what a session holds, and how busy the pool is.

#[allow(unused_imports)]
use crate::prelude::*;

use super::*;

impl Pool {
    /// Whose call it is: the sessions that held `number` over the attribution window before `at`.
    /// Read-only: the shell calls [`Pool::expire`] first if it wants expiry applied.
    pub fn attribute(&self, number: &E164, at: Millis) -> Attribution {
        let none = Attribution {
            best: None,
            confidence: 0.0,
            candidates: Vec::new(),
        };
        let Some(slot) = self.slot(number) else {
            return none;
        };
        // A holding that ended at `to` is a candidate until `to + cooldown`, excluded: the instant
        // its number may go to another session is the instant it stops being a candidate.
        let window = self.settings.cooldown;
        let in_window = |to: Millis| to.saturating_add(window) > at;
        // (candidate, latest time seen holding the number), one per session.
        let mut held: Vec<(Candidate, Millis)> = Vec::new();
        let mut add = |session: &str, target: &E164, live: bool, until: Millis| match held
            .iter_mut()
            .find(|(c, _)| c.session == session)
        {
            Some((c, u)) => {
                c.live |= live;
                *u = (*u).max(until);
            }
            None => held.push((
                Candidate {
                    session: session.to_owned(),
                    target: target.clone(),
                    live,
                },
                until,
            )),
        };
        // Newest first, so that ties below go to the more recent holder.
        if let Some(l) = &slot.lease {
            let d = l.deadline(&self.settings);
            if l.started <= at && in_window(d) {
                add(&l.session, &l.target, d > at, d.min(at));
            }
        }
        for h in slot.history.iter().rev() {
            if h.from <= at && in_window(h.to) {
                add(&h.session, &h.target, h.to > at, h.to.min(at));
            }
        }
        if held.is_empty() {
            return self.latest_holder(slot, at).unwrap_or(none);
        }
        // Most likely first: live at the time, then the most recent.
        held.sort_by(|a, b| b.0.live.cmp(&a.0.live).then(b.1.cmp(&a.1)));
        // The reuse policy's mark does not lower the confidence by itself: a session the number
        // was taken from is a candidate for as long as any holder would be, and once it is out of
        // the window the remaining session is the only one that can have seen the number.
        let confidence = 1.0 / held.len() as f64;
        let candidates: Vec<Candidate> = held.into_iter().map(|(c, _)| c).collect();
        Attribution {
            best: candidates.first().cloned(),
            confidence,
            candidates,
        }
    }

    /// A call after the window to a number nobody has had since its last holding: most likely
    /// still that holder (a visitor who noted the number and called later), but not certainly, and
    /// less likely the longer ago the holding ended: half at the end of the window, halving each
    /// time the time since the holding doubles.
    pub(super) fn latest_holder(&self, slot: &Slot, at: Millis) -> Option<Attribution> {
        let (session, target, to) = match &slot.lease {
            // Only a lease past its deadline and not yet expired gets here.
            Some(l) if l.started <= at => (&l.session, &l.target, l.deadline(&self.settings)),
            Some(_) => return None,
            None => {
                let h = slot.history.last().filter(|h| h.from <= at)?;
                (&h.session, &h.target, h.to)
            }
        };
        let since = at.saturating_sub(to).max(1);
        let confidence = 0.5 * (self.settings.cooldown.max(1) as f64 / since as f64).min(1.0);
        let candidate = Candidate {
            session: session.clone(),
            target: target.clone(),
            live: false,
        };
        Some(Attribution {
            best: Some(candidate.clone()),
            confidence,
            candidates: vec![candidate],
        })
    }

    /// Whether `session` holds a live lease for `target` (a lease request would renew it). As of the
    /// last expiry: call [`Pool::expire`] first for the answer at `now`.
    pub fn holds(&self, session: &str, target: &E164) -> bool {
        self.by_session.get(session).is_some_and(|slots| {
            slots.iter().any(|&i| {
                self.slots
                    .get(i)
                    .and_then(|s| s.lease.as_ref())
                    .is_some_and(|l| l.target == *target)
            })
        })
    }

    /// The live lease with this id, if any.
    pub fn lease_by_id(&self, lease_id: &str) -> Option<(&E164, &Lease)> {
        let slot = self.slots.get(*self.by_lease.get(lease_id)?)?;
        slot.lease.as_ref().map(|l| (&slot.number, l))
    }

    /// Whether a session's visit may still be needed to attribute a call at `now`: the session
    /// holds a live lease here, or held a number until a time within the attribution window (the
    /// cool-down). The shell forgets the visits of every other session.
    pub fn needs_visit(&self, session: &str, now: Millis) -> bool {
        let horizon = self.visit_horizon(now);
        self.slots.iter().any(|s| {
            s.lease.as_ref().is_some_and(|l| l.session == session)
                || s.history
                    .iter()
                    .any(|h| h.session == session && h.to >= horizon)
        })
    }

    /// The time before which a visit's last write must be for the shell to ask
    /// [`Pool::needs_visit`] about it: a visit younger than the cool-down is always needed (it was
    /// written when its session leased, and that lease is live or ended within the cool-down).
    pub fn visit_horizon(&self, now: Millis) -> Millis {
        now.saturating_sub(self.settings.cooldown)
    }

    /// Numbers with a live lease, and numbers cooling down, at `now`.
    pub fn usage(&self, now: Millis) -> (usize, usize) {
        let leased = self.slots.iter().filter(|s| s.lease.is_some()).count();
        let cooling = self
            .slots
            .iter()
            .filter(|s| s.lease.is_none() && !s.cooled(self.settings.cooldown, now))
            .count();
        (leased, cooling)
    }
}
