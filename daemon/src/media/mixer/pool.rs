//! A fixed set of conferences with generation-checked ids.

use std::fmt;

use super::{Conference, MixError, Role, FRAME};

/// Names a conference of a [`ConferencePool`]. It carries the slot's
/// generation, so an id kept after [`ConferencePool::remove`] never reaches
/// the conference that later reuses the slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConfId {
    index: u32,
    generation: u32,
}

impl ConfId {
    /// The pool slot this id refers to.
    pub fn index(&self) -> usize {
        self.index as usize
    }

    /// The generation of the slot when the conference was created.
    pub fn generation(&self) -> u32 {
        self.generation
    }
}

impl fmt::Display for ConfId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.index, self.generation)
    }
}

#[derive(Clone, Debug)]
struct Slot {
    generation: u32,
    live: bool,
    conf: Conference,
}

/// A fixed number of conferences, allocated once by
/// [`ConferencePool::new`]; afterwards no operation allocates.
///
/// Join through the pool ([`ConferencePool::join`]) to keep a channel in
/// at most one conference, which is what lets [`ConferencePool::mix_all`]
/// give each channel's tx a single writer. [`ConferencePool::get_mut`] is
/// for roles, mute, deaf and gain; joining through it bypasses that check.
#[derive(Clone, Debug)]
pub struct ConferencePool {
    slots: Box<[Slot]>,
    /// Free slot indices; capacity = number of slots, so pushes never grow.
    free: Vec<u32>,
}

impl ConferencePool {
    /// A pool of `n` conferences (at most `u32::MAX`), all free.
    pub fn new(n: usize) -> Self {
        let n = n.min(u32::MAX as usize);
        let slots = (0..n)
            .map(|_| Slot {
                generation: 0,
                live: false,
                conf: Conference::new(),
            })
            .collect();
        // Pop order hands out slot 0 first.
        let free = (0..n as u32).rev().collect();
        Self { slots, free }
    }

    /// How many conferences the pool holds.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// How many conferences are in use.
    pub fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// Whether no conference is in use.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes a free conference (empty); [`MixError::PoolFull`] if none.
    pub fn create(&mut self) -> Result<ConfId, MixError> {
        let index = self.free.pop().ok_or(MixError::PoolFull)?;
        let Some(slot) = self.slots.get_mut(index as usize) else {
            return Err(MixError::PoolFull);
        };
        slot.live = true;
        Ok(ConfId {
            index,
            generation: slot.generation,
        })
    }

    fn slot(&self, id: ConfId) -> Option<&Slot> {
        self.slots
            .get(id.index as usize)
            .filter(|s| s.live && s.generation == id.generation)
    }

    fn slot_mut(&mut self, id: ConfId) -> Option<&mut Slot> {
        self.slots
            .get_mut(id.index as usize)
            .filter(|s| s.live && s.generation == id.generation)
    }

    /// The live conference `id`, or `None` for a stale or unknown id.
    pub fn get(&self, id: ConfId) -> Option<&Conference> {
        self.slot(id).map(|s| &s.conf)
    }

    /// The live conference `id` for changing roles, mute, deaf or gain.
    pub fn get_mut(&mut self, id: ConfId) -> Option<&mut Conference> {
        self.slot_mut(id).map(|s| &mut s.conf)
    }

    /// Ends conference `id`: all its members leave and the id becomes stale.
    pub fn remove(&mut self, id: ConfId) -> Result<(), MixError> {
        let slot = self.slot_mut(id).ok_or(MixError::NoSuchConference(id))?;
        slot.live = false;
        slot.conf = Conference::new();
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(id.index);
        Ok(())
    }

    /// The live conference that channel `ch` is a member of. Scans the
    /// live conferences (O(members)); meant for control operations, not
    /// for every tick.
    pub fn conference_of(&self, ch: usize) -> Option<ConfId> {
        self.slots.iter().enumerate().find_map(|(i, s)| {
            (s.live && s.conf.is_member(ch)).then_some(ConfId {
                index: i as u32,
                generation: s.generation,
            })
        })
    }

    /// Adds channel `ch` to conference `id` ([`Conference::join`]), unless
    /// it is already in another conference of the pool
    /// ([`MixError::InOtherConference`]).
    pub fn join(&mut self, id: ConfId, ch: usize, role: Role) -> Result<(), MixError> {
        if self.slot(id).is_none() {
            return Err(MixError::NoSuchConference(id));
        }
        match self.conference_of(ch) {
            Some(other) if other == id => return Err(MixError::AlreadyMember(ch)),
            Some(other) => return Err(MixError::InOtherConference(ch, other)),
            None => {}
        }
        let slot = self.slot_mut(id).ok_or(MixError::NoSuchConference(id))?;
        slot.conf.join(ch, role)
    }

    /// Removes channel `ch` from conference `id` ([`Conference::leave`]).
    /// The conference stays, even when empty, until [`ConferencePool::remove`].
    pub fn leave(&mut self, id: ConfId, ch: usize) -> Result<(), MixError> {
        let slot = self.slot_mut(id).ok_or(MixError::NoSuchConference(id))?;
        slot.conf.leave(ch)
    }

    #[cfg(test)]
    pub(super) fn free_capacity(&self) -> usize {
        self.free.capacity()
    }

    /// Mixes every live conference for one tick ([`Conference::mix`]).
    pub fn mix_all(&self, rx: &[[i16; FRAME]], tx: &mut [[i16; FRAME]]) {
        for s in self.slots.iter().filter(|s| s.live) {
            s.conf.mix(rx, tx);
        }
    }
}
