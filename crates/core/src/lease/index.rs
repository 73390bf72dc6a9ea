//! The pool's indexes (live leases by id and deadline, free numbers in hand-out order, the slots
//! each session holds, history to prune, retired slots): kept in step with the slots, which alone
//! decide anything.

use std::collections::BTreeSet;

use super::{Pool, Settings, Slot};
use crate::phone::E164;
use crate::Millis;

/// The keys under which a slot appears in the pool's indexes, all read off the slot itself.
pub(super) struct Keys<'a> {
    pub(super) deadline: Option<Millis>,
    pub(super) free: Option<(bool, Millis)>,
    pub(super) prune: Option<Millis>,
    pub(super) retiring: Option<Millis>,
    pub(super) owner: Option<&'a str>,
}

impl Slot {
    pub(super) fn keys(&self, settings: &Settings) -> Keys<'_> {
        let window = settings.cooldown;
        let idle = self.lease.is_none();
        let latest = self.history.len().saturating_sub(1);
        Keys {
            deadline: self.lease.as_ref().map(|l| l.deadline(settings)),
            free: (idle && !self.retired).then_some((!self.history.is_empty(), self.free_since)),
            prune: self
                .history
                .get(..latest)
                .and_then(|older| older.iter().map(|h| h.to.saturating_add(window)).min()),
            retiring: (idle && self.retired).then(|| {
                if self.history.is_empty() {
                    0
                } else {
                    self.free_since.saturating_add(window)
                }
            }),
            owner: match &self.lease {
                Some(l) => Some(l.session.as_str()),
                None => self.history.last().map(|h| h.session.as_str()),
            },
        }
    }
}

/// Marks a number's row to be written, cloning it only the first time.
pub(super) fn mark(dirty: &mut BTreeSet<E164>, number: &E164) {
    if !dirty.contains(number) {
        dirty.insert(number.clone());
    }
}

impl Pool {
    /// Rebuilds every index from the slots.
    pub(super) fn reindex(&mut self) {
        self.by_lease.clear();
        self.by_number.clear();
        self.by_session.clear();
        self.deadlines.clear();
        self.free.clear();
        self.prune.clear();
        self.retiring.clear();
        for i in 0..self.slots.len() {
            if let Some(slot) = self.slots.get(i) {
                self.by_number.insert(slot.number.clone(), i);
                if let Some(lease) = &slot.lease {
                    self.by_lease.insert(lease.id.clone(), i);
                }
            }
            self.attach(i);
        }
    }

    /// Enters slot `i` in the indexes that follow its state (all but by id and by number).
    pub(super) fn attach(&mut self, i: usize) {
        let Some(slot) = self.slots.get(i) else {
            return;
        };
        let keys = slot.keys(&self.settings);
        if let Some(d) = keys.deadline {
            self.deadlines.insert((d, i));
        }
        if let Some((used, since)) = keys.free {
            self.free.insert((used, since, i));
        }
        if let Some(p) = keys.prune {
            self.prune.insert((p, i));
        }
        if let Some(r) = keys.retiring {
            self.retiring.insert((r, i));
        }
        if let Some(owner) = keys.owner {
            match self.by_session.get_mut(owner) {
                Some(held) => held.push(i),
                None => {
                    self.by_session.insert(owner.to_owned(), vec![i]);
                }
            }
        }
    }

    /// Takes slot `i` out of the indexes that follow its state, before that state changes.
    pub(super) fn detach(&mut self, i: usize) {
        let Some(slot) = self.slots.get(i) else {
            return;
        };
        let keys = slot.keys(&self.settings);
        if let Some(d) = keys.deadline {
            self.deadlines.remove(&(d, i));
        }
        if let Some((used, since)) = keys.free {
            self.free.remove(&(used, since, i));
        }
        if let Some(p) = keys.prune {
            self.prune.remove(&(p, i));
        }
        if let Some(r) = keys.retiring {
            self.retiring.remove(&(r, i));
        }
        if let Some(owner) = keys.owner {
            if let Some(held) = self.by_session.get_mut(owner) {
                held.retain(|&j| j != i);
                if held.is_empty() {
                    self.by_session.remove(owner);
                }
            }
        }
    }
}
