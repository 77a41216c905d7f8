//! Conferences and bridges as the control side keeps them: which board
//! mixes each conference ("home"), which slot it has there, and for each
//! party on another board the remote-leg pair that carries its audio.
//!
//! Every change is decided here and sent to the board threads as
//! [`ConfCmd`]s; the boards never disagree with this book unless a request
//! queue overflowed, which the API reports as `busy`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Value};
use trunkd::media::engine::{Chan, ConfCmd, MediaCmd, PartyRef, RoleRef, CONFERENCES, PSEUDO};
use trunkd::media::mixer::{remote_pair, MAX_PARTIES};

use crate::registry::Registry;

/// Frames (ms) a remote leg holds: two boards' threads tick independently
/// and a loaded host runs a late board's missed ticks in a burst, so the
/// queue absorbs up to 32 ms of it before frames are dropped.
const LEG_FRAMES: usize = 32;

/// How a party takes part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Hears and is heard.
    Talker,
    /// Supervisor listen: hears everyone, heard by no one.
    Listen,
    /// Supervisor whisper: hears everyone, heard only by this channel.
    Whisper((u32, u8)),
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Talker => "talker",
            Mode::Listen => "listen",
            Mode::Whisper(_) => "whisper",
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Remote {
    home_pseudo: u8,
    far_slot: u16,
    far_pseudo: u8,
}

#[derive(Clone, Copy, Debug)]
struct Member {
    board: usize,
    chan: Chan,
    mode: Mode,
    muted: bool,
    deaf: bool,
    remote: Option<Remote>,
}

#[derive(Debug)]
struct Conf {
    home: usize,
    slot: u16,
    members: BTreeMap<(u32, u8), Member>,
}

/// Per-board free conference slots and pseudo-channels.
#[derive(Debug)]
struct BoardSlots {
    confs: BTreeSet<u16>,
    pseudo: BTreeSet<u8>,
}

impl Default for BoardSlots {
    fn default() -> Self {
        BoardSlots {
            confs: (0..CONFERENCES as u16).collect(),
            pseudo: (0..PSEUDO as u8).collect(),
        }
    }
}

/// The conference book (one per daemon, in the registry).
#[derive(Debug, Default)]
pub struct ConfBook {
    confs: BTreeMap<String, Conf>,
    by_chan: HashMap<(u32, u8), String>,
    slots: HashMap<usize, BoardSlots>,
    next_bridge: u64,
}

/// A channel as the book needs it: global (span, ts), board index, board channel.
#[derive(Clone, Copy, Debug)]
pub struct Where {
    /// Global span number and timeslot.
    pub id: (u32, u8),
    /// Index of the board in the registry's board list.
    pub board: usize,
    /// The channel on that board.
    pub chan: Chan,
}

fn send(reg: &Registry, board: usize, c: ConfCmd) -> Result<(), String> {
    let boards = reg.boards();
    let b = boards
        .get(board)
        .ok_or_else(|| "the board is gone".to_string())?;
    b.media
        .try_send(MediaCmd::Conf(c))
        .map_err(|_| format!("board {} is not keeping up", b.name))
}

impl ConfBook {
    /// A name for a new bridge.
    pub fn bridge_name(&mut self) -> String {
        self.next_bridge += 1;
        format!("bridge-{}", self.next_bridge)
    }

    /// The conference a channel is in.
    pub fn conference_of(&self, id: (u32, u8)) -> Option<&str> {
        self.by_chan.get(&id).map(String::as_str)
    }

    /// Put channel `w` into conference `name` (created if new) as `mode`;
    /// a channel in another conference leaves it first.
    pub fn join(&mut self, reg: &Registry, name: &str, w: Where, mode: Mode) -> Result<(), String> {
        if let Mode::Whisper(to) = mode {
            if self.by_chan.get(&to).map(String::as_str) != Some(name) {
                return Err(format!(
                    "whisper target {}/{} is not in conference `{name}`",
                    to.0, to.1
                ));
            }
            if to == w.id {
                return Err("a party cannot whisper to itself".into());
            }
        }
        if let Some(c) = self.confs.get(name) {
            if c.members.len() >= MAX_PARTIES && !c.members.contains_key(&w.id) {
                return Err(format!(
                    "conference `{name}` is full ({MAX_PARTIES} parties)"
                ));
            }
        }
        if self.by_chan.contains_key(&w.id) {
            self.leave(reg, w.id)?;
        }
        if !self.confs.contains_key(name) {
            let slot = self
                .slots
                .entry(w.board)
                .or_default()
                .confs
                .pop_first()
                .ok_or("no free conference slot on the board")?;
            self.confs.insert(
                name.to_owned(),
                Conf {
                    home: w.board,
                    slot,
                    members: BTreeMap::new(),
                },
            );
        }
        let (home, slot) = {
            let c = &self.confs[name];
            (c.home, c.slot)
        };
        let role = self.role_ref(name, mode);
        let mut m = Member {
            board: w.board,
            chan: w.chan,
            mode,
            muted: false,
            deaf: false,
            remote: None,
        };
        let r = if w.board == home {
            send(
                reg,
                home,
                ConfCmd::Join {
                    conf: slot,
                    party: PartyRef::Chan(w.chan),
                    role,
                },
            )
        } else {
            self.join_remote(reg, home, slot, &mut m, role)
        };
        if let Err(e) = r {
            self.drop_if_empty(name);
            return Err(e);
        }
        if let Some(c) = self.confs.get_mut(name) {
            c.members.insert(w.id, m);
        }
        self.by_chan.insert(w.id, name.to_owned());
        Ok(())
    }

    fn join_remote(
        &mut self,
        reg: &Registry,
        home: usize,
        slot: u16,
        m: &mut Member,
        role: RoleRef,
    ) -> Result<(), String> {
        let home_pseudo = self
            .slots
            .entry(home)
            .or_default()
            .pseudo
            .pop_first()
            .ok_or("no free remote party slot on the conference's board")?;
        let far = self.slots.entry(m.board).or_default();
        let (Some(far_slot), Some(far_pseudo)) = (far.confs.pop_first(), far.pseudo.pop_first())
        else {
            self.slots
                .entry(home)
                .or_default()
                .pseudo
                .insert(home_pseudo);
            return Err("no free conference slot on the party's board".into());
        };
        let (leg_home, leg_far) = remote_pair(LEG_FRAMES);
        m.remote = Some(Remote {
            home_pseudo,
            far_slot,
            far_pseudo,
        });
        let far_cmds = [
            ConfCmd::Attach {
                n: far_pseudo,
                leg: Box::new(leg_far),
            },
            ConfCmd::Join {
                conf: far_slot,
                party: PartyRef::Chan(m.chan),
                role: RoleRef::Talker,
            },
            ConfCmd::Join {
                conf: far_slot,
                party: PartyRef::Pseudo(far_pseudo),
                role: RoleRef::Talker,
            },
        ];
        for c in far_cmds {
            send(reg, m.board, c)?;
        }
        send(
            reg,
            home,
            ConfCmd::Attach {
                n: home_pseudo,
                leg: Box::new(leg_home),
            },
        )?;
        send(
            reg,
            home,
            ConfCmd::Join {
                conf: slot,
                party: PartyRef::Pseudo(home_pseudo),
                role,
            },
        )
    }

    /// How the home board names a member of `name`.
    fn party_in_home(&self, name: &str, id: (u32, u8)) -> Option<PartyRef> {
        let m = self.confs.get(name)?.members.get(&id)?;
        Some(match m.remote {
            Some(r) => PartyRef::Pseudo(r.home_pseudo),
            None => PartyRef::Chan(m.chan),
        })
    }

    fn role_ref(&self, name: &str, mode: Mode) -> RoleRef {
        match mode {
            Mode::Talker => RoleRef::Talker,
            Mode::Listen => RoleRef::Listen,
            Mode::Whisper(to) => match self.party_in_home(name, to) {
                Some(p) => RoleRef::Whisper(p),
                None => RoleRef::Listen,
            },
        }
    }

    fn drop_if_empty(&mut self, name: &str) {
        if self.confs.get(name).is_some_and(|c| c.members.is_empty()) {
            if let Some(c) = self.confs.remove(name) {
                self.slots.entry(c.home).or_default().confs.insert(c.slot);
            }
        }
    }

    /// Take channel `id` out of its conference (kick). A conference left
    /// empty is removed; whisperers to it become listeners.
    pub fn leave(&mut self, reg: &Registry, id: (u32, u8)) -> Result<(), String> {
        let Some(name) = self.by_chan.remove(&id) else {
            return Err(format!("{}/{} is in no conference", id.0, id.1));
        };
        let Some(c) = self.confs.get_mut(&name) else {
            return Ok(());
        };
        let (home, Some(m)) = (c.home, c.members.remove(&id)) else {
            return Ok(());
        };
        for w in c.members.values_mut() {
            if w.mode == Mode::Whisper(id) {
                w.mode = Mode::Listen;
            }
        }
        let mut r = Ok(());
        match m.remote {
            None => r = send(reg, home, ConfCmd::Leave(PartyRef::Chan(m.chan))),
            Some(rm) => {
                for (b, cmd) in [
                    (home, ConfCmd::Detach(rm.home_pseudo)),
                    (m.board, ConfCmd::Leave(PartyRef::Chan(m.chan))),
                    (m.board, ConfCmd::Detach(rm.far_pseudo)),
                ] {
                    if let Err(e) = send(reg, b, cmd) {
                        r = Err(e);
                    }
                }
                self.slots
                    .entry(home)
                    .or_default()
                    .pseudo
                    .insert(rm.home_pseudo);
                let far = self.slots.entry(m.board).or_default();
                far.confs.insert(rm.far_slot);
                far.pseudo.insert(rm.far_pseudo);
            }
        }
        self.drop_if_empty(&name);
        r
    }

    /// Change a member's mode, mute or deaf setting.
    pub fn set(
        &mut self,
        reg: &Registry,
        id: (u32, u8),
        mode: Option<Mode>,
        mute: Option<bool>,
        deaf: Option<bool>,
    ) -> Result<(), String> {
        let name = self
            .by_chan
            .get(&id)
            .cloned()
            .ok_or_else(|| format!("{}/{} is in no conference", id.0, id.1))?;
        if let Some(Mode::Whisper(to)) = mode {
            if self.by_chan.get(&to) != Some(&name) || to == id {
                return Err(format!(
                    "whisper target {}/{} is not another party of `{name}`",
                    to.0, to.1
                ));
            }
        }
        let party = self
            .party_in_home(&name, id)
            .ok_or("conference book out of step")?;
        let role = mode.map(|m| self.role_ref(&name, m));
        let home = self.confs[&name].home;
        send(
            reg,
            home,
            ConfCmd::Set {
                party,
                role,
                mute,
                deaf,
            },
        )?;
        if let Some(m) = self
            .confs
            .get_mut(&name)
            .and_then(|c| c.members.get_mut(&id))
        {
            if let Some(x) = mode {
                m.mode = x;
            }
            if let Some(x) = mute {
                m.muted = x;
            }
            if let Some(x) = deaf {
                m.deaf = x;
            }
        }
        Ok(())
    }

    /// Remove a whole conference (every member leaves).
    pub fn dissolve(&mut self, reg: &Registry, name: &str) -> Result<usize, String> {
        let ids: Vec<(u32, u8)> = self
            .confs
            .get(name)
            .ok_or_else(|| format!("no conference `{name}`"))?
            .members
            .keys()
            .copied()
            .collect();
        for id in &ids {
            self.leave(reg, *id)?;
        }
        Ok(ids.len())
    }

    /// Conferences and their members, for the API.
    pub fn to_json(&self) -> Value {
        let list: Vec<Value> = self
            .confs
            .iter()
            .map(|(name, c)| {
                let members: Vec<Value> = c
                    .members
                    .iter()
                    .map(|(id, m)| {
                        let mut v = json!({
                            "span": id.0, "timeslot": id.1, "mode": m.mode.name(),
                            "muted": m.muted, "deaf": m.deaf, "remote": m.remote.is_some(),
                        });
                        if let Mode::Whisper(to) = m.mode {
                            v["whisper_to"] = json!({"span": to.0, "timeslot": to.1});
                        }
                        v
                    })
                    .collect();
                json!({"name": name, "parties": members.len(), "members": members})
            })
            .collect();
        json!({ "conferences": list })
    }
}
