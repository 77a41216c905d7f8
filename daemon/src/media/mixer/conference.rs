//! One conference: membership, roles and the O(n) mix.

use super::{MixError, Role, FRAME, MAX_PARTIES};

/// Lowest gain accepted by [`Conference::set_gain`], in dB.
pub const MIN_GAIN_DB: f32 = -40.0;
/// Highest gain accepted by [`Conference::set_gain`], in dB.
pub const MAX_GAIN_DB: f32 = 20.0;

/// Fraction bits of the fixed-point gain factors.
pub(super) const GAIN_SHIFT: u32 = 16;
/// Gain factor of 0 dB. A unity gain is never multiplied, so 0 dB paths are
/// bit-exact.
const UNITY: i32 = 1 << GAIN_SHIFT;

/// Saturates to the 16-bit linear range, the load capacity of the G.711
/// linear scale (ITU-T G.711, +3.14 dBm0): too loud clips, it never wraps.
#[inline]
fn saturate(x: i32) -> i16 {
    x.clamp(i16::MIN as i32, i16::MAX as i32) as i16
}

/// Applies a fixed-point gain factor, rounding to nearest.
#[inline]
fn scale(x: i32, factor: i32) -> i32 {
    if factor == UNITY {
        x
    } else {
        // |x| <= 64 * 32768 and factor <= 10 * UNITY: the product fits in
        // i64 and the shifted result in i32.
        ((i64::from(x) * i64::from(factor) + (1 << (GAIN_SHIFT - 1))) >> GAIN_SHIFT) as i32
    }
}

/// Converts a gain in dB to a fixed-point factor, or `None` if out of range.
pub(super) fn gain_factor(db: f32) -> Option<i32> {
    if !(MIN_GAIN_DB..=MAX_GAIN_DB).contains(&db) {
        return None;
    }
    Some((f64::from(UNITY) * 10f64.powf(f64::from(db) / 20.0)).round() as i32)
}

/// One member of a [`Conference`]: its channel, role and settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Party {
    ch: usize,
    role: Role,
    muted: bool,
    deaf: bool,
    rx_gain_db: f32,
    tx_gain_db: f32,
    rx_factor: i32,
    tx_factor: i32,
    /// For a whisperer: the slot of its target in `parties`.
    target: u8,
    /// How many whisperers (muted or not) target this member.
    whispered_by: u8,
}

impl Party {
    const EMPTY: Party = Party {
        ch: usize::MAX,
        role: Role::Talker,
        muted: false,
        deaf: false,
        rx_gain_db: 0.0,
        tx_gain_db: 0.0,
        rx_factor: UNITY,
        tx_factor: UNITY,
        target: 0,
        whispered_by: 0,
    };

    /// The member's channel index.
    pub fn channel(&self) -> usize {
        self.ch
    }

    /// The member's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Whether the member is muted (nobody hears it).
    pub fn is_muted(&self) -> bool {
        self.muted
    }

    /// Whether the member is deaf (it hears nothing; its tx is silence).
    pub fn is_deaf(&self) -> bool {
        self.deaf
    }

    /// Gain in dB applied to the member's voice before others hear it.
    pub fn rx_gain_db(&self) -> f32 {
        self.rx_gain_db
    }

    /// Gain in dB applied to what the member hears before it is sent on
    /// its line.
    pub fn tx_gain_db(&self) -> f32 {
        self.tx_gain_db
    }

    /// The member's voice as it enters the mix: its received frame (silence
    /// if `rx` has no slot for the channel) times its rx gain.
    #[inline]
    fn contribution(&self, rx: &[[i16; FRAME]]) -> [i32; FRAME] {
        let mut out = [0i32; FRAME];
        if let Some(frame) = rx.get(self.ch) {
            for (o, &s) in out.iter_mut().zip(frame) {
                *o = i32::from(saturate(scale(i32::from(s), self.rx_factor)));
            }
        }
        out
    }

    /// Whether every other member hears this one.
    #[inline]
    fn heard_by_all(&self) -> bool {
        !self.muted && self.role == Role::Talker
    }
}

/// A conference of up to [`MAX_PARTIES`] channels; a bridge is a two-party
/// conference.
///
/// Fixed-size (no heap); membership changes cost O([`MAX_PARTIES`]) and
/// [`Conference::mix`] costs O(n) per sample.
#[derive(Clone, Debug)]
pub struct Conference {
    /// Members in join order; `parties[..len]` are live.
    parties: [Party; MAX_PARTIES],
    len: usize,
}

impl Default for Conference {
    fn default() -> Self {
        Self::new()
    }
}

impl Conference {
    /// An empty conference.
    pub const fn new() -> Self {
        Self {
            parties: [Party::EMPTY; MAX_PARTIES],
            len: 0,
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the conference has no members.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether channel `ch` is a member.
    pub fn is_member(&self, ch: usize) -> bool {
        self.slot_of(ch).is_some()
    }

    /// The members, in join order.
    pub fn members(&self) -> impl Iterator<Item = &Party> + '_ {
        self.live().iter()
    }

    /// The member on channel `ch`, if any.
    pub fn party(&self, ch: usize) -> Option<&Party> {
        self.slot_of(ch).map(|i| &self.parties[i])
    }

    fn live(&self) -> &[Party] {
        &self.parties[..self.len.min(MAX_PARTIES)]
    }

    fn slot_of(&self, ch: usize) -> Option<usize> {
        self.live().iter().position(|p| p.ch == ch)
    }

    fn slot_or_err(&self, ch: usize) -> Result<usize, MixError> {
        self.slot_of(ch).ok_or(MixError::NotMember(ch))
    }

    /// Checks that `role` is valid for channel `ch` and returns the slot of
    /// its whisper target (0 for other roles).
    fn check_role(&self, ch: usize, role: Role) -> Result<u8, MixError> {
        match role {
            Role::Whisper { to } if to == ch => Err(MixError::WhisperToSelf(ch)),
            Role::Whisper { to } => self
                .slot_of(to)
                .map(|i| i as u8)
                .ok_or(MixError::WhisperTargetNotMember(to)),
            Role::Talker | Role::Listen => Ok(0),
        }
    }

    /// Recomputes every member's whisperer count.
    fn recount_whispers(&mut self) {
        let len = self.len.min(MAX_PARTIES);
        for p in &mut self.parties[..len] {
            p.whispered_by = 0;
        }
        for i in 0..len {
            if let Role::Whisper { .. } = self.parties[i].role {
                let t = usize::from(self.parties[i].target);
                if let Some(target) = self.parties[..len].get_mut(t) {
                    target.whispered_by = target.whispered_by.saturating_add(1);
                }
            }
        }
    }

    /// Adds channel `ch` with `role` (not muted, not deaf, 0 dB gains).
    ///
    /// Errors: [`MixError::AlreadyMember`], [`MixError::ConferenceFull`],
    /// and for a whisper [`MixError::WhisperToSelf`] or
    /// [`MixError::WhisperTargetNotMember`].
    pub fn join(&mut self, ch: usize, role: Role) -> Result<(), MixError> {
        if self.is_member(ch) {
            return Err(MixError::AlreadyMember(ch));
        }
        if self.len >= MAX_PARTIES {
            return Err(MixError::ConferenceFull);
        }
        let target = self.check_role(ch, role)?;
        self.parties[self.len] = Party {
            ch,
            role,
            target,
            ..Party::EMPTY
        };
        self.len += 1;
        self.recount_whispers();
        Ok(())
    }

    /// Removes channel `ch` (also how a party is kicked). Members that were
    /// whispering to it become [`Role::Listen`]: they keep monitoring but
    /// are heard by no one.
    pub fn leave(&mut self, ch: usize) -> Result<(), MixError> {
        let slot = self.slot_or_err(ch)?;
        let len = self.len.min(MAX_PARTIES);
        self.parties.copy_within(slot + 1..len, slot);
        self.parties[len - 1] = Party::EMPTY;
        self.len = len - 1;
        let slot = slot as u8;
        for p in &mut self.parties[..len - 1] {
            if let Role::Whisper { .. } = p.role {
                if p.target == slot {
                    p.role = Role::Listen;
                    p.target = 0;
                } else if p.target > slot {
                    p.target -= 1;
                }
            }
        }
        self.recount_whispers();
        Ok(())
    }

    /// Changes a member's role; `Talker` on a listener or whisperer is a
    /// barge-in.
    pub fn set_role(&mut self, ch: usize, role: Role) -> Result<(), MixError> {
        let slot = self.slot_or_err(ch)?;
        let target = self.check_role(ch, role)?;
        self.parties[slot].role = role;
        self.parties[slot].target = target;
        self.recount_whispers();
        Ok(())
    }

    /// Mutes or unmutes a member; nobody hears a muted member.
    pub fn set_mute(&mut self, ch: usize, muted: bool) -> Result<(), MixError> {
        let slot = self.slot_or_err(ch)?;
        self.parties[slot].muted = muted;
        Ok(())
    }

    /// Makes a member deaf or not; a deaf member's tx is silence.
    pub fn set_deaf(&mut self, ch: usize, deaf: bool) -> Result<(), MixError> {
        let slot = self.slot_or_err(ch)?;
        self.parties[slot].deaf = deaf;
        Ok(())
    }

    /// Sets a member's gains in dB: `rx_db` on its voice as the others hear
    /// it, `tx_db` on what it hears. Each must be within
    /// [`MIN_GAIN_DB`]..=[`MAX_GAIN_DB`]; 0 dB is exact (no multiply).
    pub fn set_gain(&mut self, ch: usize, rx_db: f32, tx_db: f32) -> Result<(), MixError> {
        let slot = self.slot_or_err(ch)?;
        let rx = gain_factor(rx_db).ok_or(MixError::InvalidGain)?;
        let tx = gain_factor(tx_db).ok_or(MixError::InvalidGain)?;
        let p = &mut self.parties[slot];
        p.rx_gain_db = rx_db;
        p.tx_gain_db = tx_db;
        p.rx_factor = rx;
        p.tx_factor = tx;
        Ok(())
    }

    /// Mixes one tick: for each member, `tx[ch]` becomes the sum of the
    /// `rx` frames of every other member it hears (see [`Role`] for the
    /// rule); never its own voice. Deaf members get silence. Channels that
    /// are not members are not touched.
    ///
    /// Cost: all audible talkers are summed once in i32, then each member's
    /// own contribution is subtracted, so it is O(n) per sample; members
    /// being whispered to add their whisperers' voices (O(n) for each such
    /// member, and there are rarely more than one or two).
    ///
    /// Levels: the sum is not scaled; it saturates at the 16-bit limits
    /// (ITU-T G.711 load capacity, +3.14 dBm0) instead of wrapping. In a
    /// two-party conference each side hears exactly the other's samples
    /// (bit-exact bridge); with more parties, only simultaneous talkers
    /// add up, and speech rarely has several loud talkers at once, so
    /// clipping is rare. Scaling by the party count would instead make
    /// every conference quieter than a bridge; per-member gains
    /// ([`Conference::set_gain`]) are the tool for a loud line.
    ///
    /// A member whose channel has no slot in `rx` contributes silence; one
    /// with no slot in `tx` is skipped. Never allocates or panics.
    pub fn mix(&self, rx: &[[i16; FRAME]], tx: &mut [[i16; FRAME]]) {
        let members = self.live();
        let mut total = [0i32; FRAME];
        for p in members.iter().filter(|p| p.heard_by_all()) {
            for (t, c) in total.iter_mut().zip(p.contribution(rx)) {
                *t += c;
            }
        }
        for (slot, p) in members.iter().enumerate() {
            let Some(out) = tx.get_mut(p.ch) else {
                continue;
            };
            if p.deaf {
                *out = [0; FRAME];
                continue;
            }
            let mut heard = total;
            if p.heard_by_all() {
                for (h, c) in heard.iter_mut().zip(p.contribution(rx)) {
                    *h -= c;
                }
            }
            if p.whispered_by > 0 {
                for q in members {
                    if !q.muted
                        && matches!(q.role, Role::Whisper { .. })
                        && q.target as usize == slot
                    {
                        for (h, c) in heard.iter_mut().zip(q.contribution(rx)) {
                            *h += c;
                        }
                    }
                }
            }
            for (o, h) in out.iter_mut().zip(heard) {
                *o = saturate(scale(h, p.tx_factor));
            }
        }
    }
}
