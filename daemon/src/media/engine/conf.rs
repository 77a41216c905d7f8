//! Conferences and bridges on the board thread.
//!
//! The control side decides everything (which conference slot, which
//! parties, which remote legs); the engine only applies it and mixes. A
//! bridge is a two-party conference. A party on another board is a
//! *pseudo-channel* here: its audio comes from and goes to a [`RemoteLeg`]
//! pair shared with the other board's engine, which in turn runs a
//! two-party conference of the real channel and its end of the leg.

use crate::media::mixer::{Conference, MixError, RemoteLeg, Role};

use super::{Chan, FRAME, SLOTS};

/// Conference slots per board: enough for every channel of a full board
/// to be in a two-party bridge.
pub const CONFERENCES: usize = SLOTS / 2;
/// Pseudo-channels (remote parties) per board.
pub const PSEUDO: usize = 128;

/// A party of a conference as the control side names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartyRef {
    /// A channel of this board.
    Chan(Chan),
    /// Pseudo-channel `n` (a party on another board, through a remote leg).
    Pseudo(u8),
}

/// How a party takes part, with the whisper target named like a party.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleRef {
    /// Hears and is heard.
    Talker,
    /// Hears all, heard by none (supervisor listen).
    Listen,
    /// Hears all, heard only by the target (supervisor whisper / coach).
    Whisper(PartyRef),
}

/// A conference change, applied by the board thread.
#[derive(Debug)]
pub enum ConfCmd {
    /// Put a party into conference slot `conf`.
    Join {
        /// Conference slot on this board.
        conf: u16,
        /// Who.
        party: PartyRef,
        /// How.
        role: RoleRef,
    },
    /// Take a party out of whatever conference it is in.
    Leave(PartyRef),
    /// Change a party's role, mute or deaf setting.
    Set {
        /// Who.
        party: PartyRef,
        /// New role.
        role: Option<RoleRef>,
        /// Nobody hears it.
        mute: Option<bool>,
        /// It hears nothing.
        deaf: Option<bool>,
    },
    /// Give pseudo-channel `n` its remote leg (replacing any before).
    Attach {
        /// Pseudo-channel.
        n: u8,
        /// This board's end of the pair.
        leg: Box<RemoteLeg>,
    },
    /// Take pseudo-channel `n`'s leg away (handed back in a report).
    Detach(u8),
}

/// Conference state of one board.
pub struct Confs {
    confs: Vec<Conference>,
    /// Conference slot of each channel and pseudo-channel.
    member_of: Vec<Option<u16>>,
    legs: Vec<Option<Box<RemoteLeg>>>,
    /// Whether any conference has members (skip all work when not).
    active: usize,
}

impl Default for Confs {
    fn default() -> Self {
        Confs {
            confs: (0..CONFERENCES).map(|_| Conference::new()).collect(),
            member_of: vec![None; SLOTS + PSEUDO],
            legs: (0..PSEUDO).map(|_| None).collect(),
            active: 0,
        }
    }
}

/// Index in the engine's rx/tx arrays of a party (`None`: out of range).
pub fn index(p: PartyRef) -> Option<usize> {
    match p {
        PartyRef::Chan(c) if (c.pos as usize) < trunk_driver_sys::abi::MAX_SPANS => {
            Some(c.pos as usize * trunk_driver_sys::abi::TIMESLOTS + c.ts as usize)
        }
        PartyRef::Chan(_) => None,
        PartyRef::Pseudo(n) if (n as usize) < PSEUDO => Some(SLOTS + n as usize),
        PartyRef::Pseudo(_) => None,
    }
}

fn role(r: RoleRef) -> Option<Role> {
    Some(match r {
        RoleRef::Talker => Role::Talker,
        RoleRef::Listen => Role::Listen,
        RoleRef::Whisper(to) => Role::Whisper { to: index(to)? },
    })
}

impl Confs {
    /// Apply a change. Errors leave everything as it was; a detached leg is
    /// returned for dropping off the board thread.
    pub fn apply(&mut self, cmd: ConfCmd) -> Result<Option<Box<RemoteLeg>>, MixError> {
        match cmd {
            ConfCmd::Join {
                conf,
                party,
                role: r,
            } => {
                let i = index(party).ok_or(MixError::NotMember(usize::MAX))?;
                let c = conf as usize;
                if c >= CONFERENCES {
                    return Err(MixError::PoolFull);
                }
                if self.member_of[i].is_some() {
                    self.leave(i)?;
                }
                let r = role(r).ok_or(MixError::NotMember(usize::MAX))?;
                self.confs[c].join(i, r)?;
                self.member_of[i] = Some(conf);
                if self.confs[c].len() == 1 {
                    self.active += 1;
                }
                Ok(None)
            }
            ConfCmd::Leave(party) => {
                let i = index(party).ok_or(MixError::NotMember(usize::MAX))?;
                self.leave(i).map(|_| None)
            }
            ConfCmd::Set {
                party,
                role: r,
                mute,
                deaf,
            } => {
                let i = index(party).ok_or(MixError::NotMember(usize::MAX))?;
                let c = self.member_of[i].ok_or(MixError::NotMember(i))? as usize;
                let conf = &mut self.confs[c];
                if let Some(r) = r {
                    conf.set_role(i, role(r).ok_or(MixError::NotMember(usize::MAX))?)?;
                }
                if let Some(m) = mute {
                    conf.set_mute(i, m)?;
                }
                if let Some(d) = deaf {
                    conf.set_deaf(i, d)?;
                }
                Ok(None)
            }
            ConfCmd::Attach { n, leg } => {
                let k = n as usize;
                if k >= PSEUDO {
                    return Ok(Some(leg));
                }
                Ok(self.legs[k].replace(leg))
            }
            ConfCmd::Detach(n) => {
                let k = n as usize;
                if k >= PSEUDO {
                    return Ok(None);
                }
                if self.member_of[SLOTS + k].is_some() {
                    self.leave(SLOTS + k)?;
                }
                Ok(self.legs[k].take())
            }
        }
    }

    /// Take channel or pseudo-channel `i` out of its conference, if any.
    pub fn leave(&mut self, i: usize) -> Result<(), MixError> {
        let Some(c) = self.member_of.get(i).copied().flatten() else {
            return Ok(());
        };
        self.confs[c as usize].leave(i)?;
        self.member_of[i] = None;
        if self.confs[c as usize].is_empty() {
            self.active -= 1;
        }
        Ok(())
    }

    /// One tick: pull the remote legs, mix every conference, push the legs.
    /// Members' `tx` is written; `live[i]` is set for each member written.
    pub fn mix(&mut self, rx: &mut [[i16; FRAME]], tx: &mut [[i16; FRAME]], live: &mut [bool]) {
        if self.active == 0 {
            return;
        }
        for (k, leg) in self.legs.iter_mut().enumerate() {
            if let Some(leg) = leg {
                leg.pull(&mut rx[SLOTS + k]);
            }
        }
        for c in self.confs.iter().filter(|c| !c.is_empty()) {
            c.mix(rx, tx);
            for p in c.members() {
                if let Some(l) = live.get_mut(p.channel()) {
                    *l = true;
                }
            }
        }
        for (k, leg) in self.legs.iter_mut().enumerate() {
            if let Some(leg) = leg {
                leg.push(&tx[SLOTS + k]);
            }
        }
    }
}
