//! ITU-T O.151 2^15-1 pseudo-random bit sequence, for bit error ratio tests
//! (BERT) over a 64 kbit/s timeslot.
//!
//! # The sequence
//!
//! O.151 section 2.1: a 15-stage shift register whose 14th and 15th stage
//! outputs are added modulo two and fed back to the input of the first stage
//! (polynomial x^15 + x^14 + 1), period 2^15 - 1 = 32767 bits. For this
//! pattern O.151 specifies the *inverted* signal, so the longest run of zeros
//! on the line is 15 and the longest run of ones is 14.
//!
//! Internally the register holds the uninverted sequence `s`, with
//! `s[n] = s[n-14] ^ s[n-15]`; the line carries `!s`. The inversion matters
//! for synchronisation: the one register state that reproduces itself, the
//! all-zeros lock-up state of the uninverted register, corresponds to a line
//! of *all ones*. A naive checker that loaded 15 ones from an idle (all ones,
//! "AIS") timeslot would predict ones forever and report "in sync, no errors"
//! on a dead line. [`PrbsCheck`] refuses to synchronise on that state. An
//! all-zeros line is the uninverted all-ones state, which predicts a one and
//! so fails verification immediately.
//!
//! # Bit order
//!
//! The first bit on the line is the most significant bit of each timeslot
//! octet (G.704 bit 1), so [`PrbsGen::fill`] produces, and
//! [`PrbsCheck::push`] consumes, the bit stream MSB first.
//!
//! Because the recurrence looks back at least 14 bits, eight new bits can be
//! computed at once from the register, so both generator and checker work an
//! octet at a time. Neither allocates.

/// Number of register stages.
const STAGES: u32 = 15;
/// Mask for the 15-bit register.
const MASK: u16 = (1 << STAGES) - 1;

/// Bits that must be predicted correctly in a row (after loading the
/// register) before the checker declares synchronisation.
pub const SYNC_VERIFY_BITS: u32 = 48;
/// Length of the error-ratio window used for loss-of-sync detection (bits).
pub const LOSS_WINDOW_BITS: u32 = 1000;
/// Bit errors within one window at which sync is declared lost (20%).
pub const LOSS_THRESHOLD_ERRORS: u32 = LOSS_WINDOW_BITS / 5;

/// Advances the (uninverted) register by eight bits and returns them, first
/// bit in the most significant position.
///
/// `reg` bit `i` holds `s[n-1-i]` (bit 0 is the newest bit). For `k` in
/// `0..8`, `s[n+k] = s[n+k-14] ^ s[n+k-15]` = register bits `13-k` and
/// `14-k`, which lands in output bit `7-k`.
#[inline(always)]
fn next_octet(reg: &mut u16) -> u8 {
    let s = ((*reg >> 6) ^ (*reg >> 7)) as u8;
    *reg = ((*reg << 8) | u16::from(s)) & MASK;
    s
}

/// Generator of the O.151 2^15-1 sequence (inverted, MSB first on the line).
#[derive(Clone, Debug)]
pub struct PrbsGen {
    /// Uninverted register, never zero.
    reg: u16,
}

impl PrbsGen {
    /// A generator starting from the all-ones register state (the line starts
    /// with the run of 15 zeros).
    #[must_use]
    pub fn new() -> Self {
        PrbsGen { reg: MASK }
    }

    /// Fills `out` with the next octets of the sequence.
    pub fn fill(&mut self, out: &mut [u8]) {
        for o in out {
            *o = !next_octet(&mut self.reg);
        }
    }
}

impl Default for PrbsGen {
    fn default() -> Self {
        Self::new()
    }
}

/// Counters of a [`PrbsCheck`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PrbsStats {
    /// Bits compared while in sync.
    pub bits: u64,
    /// Bit errors counted while in sync (each errored bit counted once).
    pub errors: u64,
    /// Whether the checker is currently synchronised.
    pub in_sync: bool,
    /// Number of times synchronisation was lost (each followed by a new
    /// search).
    pub resyncs: u64,
}

/// Receiver side of a BERT: synchronises on the O.151 2^15-1 sequence and
/// counts bit errors.
///
/// Synchronisation: the last 15 received bits are loaded into the register
/// and the following bits are predicted from it; after
/// [`SYNC_VERIFY_BITS`] correct predictions in a row (and never from the
/// all-ones line state, see the module docs) the checker is in sync. Bits
/// received before that are not counted. In sync the local register runs
/// free, so each errored bit is counted exactly once (a self-synchronising
/// checker would count each error three times). If [`LOSS_THRESHOLD_ERRORS`]
/// errors (20%) accumulate within a [`LOSS_WINDOW_BITS`] window, sync is
/// lost, [`PrbsStats::resyncs`] is incremented and the search restarts; the
/// errors already counted stay counted.
#[derive(Clone, Debug)]
pub struct PrbsCheck {
    /// Uninverted register: received bits while searching, the free-running
    /// local sequence while in sync.
    reg: u16,
    /// Received bits loaded into `reg` while searching (saturates at 16).
    loaded: u32,
    /// Correct predictions in a row while searching.
    verified: u32,
    /// Bits in the current loss-of-sync window.
    window_bits: u32,
    /// Errors in the current loss-of-sync window.
    window_errors: u32,
    stats: PrbsStats,
}

impl PrbsCheck {
    /// A checker searching for sync.
    #[must_use]
    pub fn new() -> Self {
        PrbsCheck {
            reg: 0,
            loaded: 0,
            verified: 0,
            window_bits: 0,
            window_errors: 0,
            stats: PrbsStats::default(),
        }
    }

    /// Feeds received timeslot octets (any number, any split).
    pub fn push(&mut self, bytes: &[u8]) {
        for &b in bytes {
            let s = !b;
            if self.stats.in_sync {
                self.check_octet(s);
            } else {
                self.search_octet(s);
            }
        }
    }

    /// Current counters.
    #[must_use]
    pub fn stats(&self) -> PrbsStats {
        self.stats
    }

    /// Drops sync and restarts the search; counters are kept.
    pub fn reset(&mut self) {
        self.stats.in_sync = false;
        self.restart_search();
    }

    fn restart_search(&mut self) {
        self.reg = 0;
        self.loaded = 0;
        self.verified = 0;
    }

    /// Searching: predict the octet from the last 15 received bits, then
    /// load the received octet regardless (self-synchronising search).
    fn search_octet(&mut self, s: u8) {
        if self.loaded < STAGES {
            self.reg = ((self.reg << 8) | u16::from(s)) & MASK;
            self.loaded += 8;
            return;
        }
        let mut predicted = self.reg;
        // A zero register is the lock-up state (line all ones): never trust it.
        let ok = self.reg != 0 && next_octet(&mut predicted) == s;
        self.reg = ((self.reg << 8) | u16::from(s)) & MASK;
        if !ok {
            self.verified = 0;
            return;
        }
        self.verified += 8;
        if self.verified >= SYNC_VERIFY_BITS {
            self.stats.in_sync = true;
            self.window_bits = 0;
            self.window_errors = 0;
        }
    }

    /// In sync: compare with the free-running local sequence.
    fn check_octet(&mut self, s: u8) {
        let errors = (next_octet(&mut self.reg) ^ s).count_ones();
        self.stats.bits += 8;
        self.stats.errors += u64::from(errors);
        self.window_bits += 8;
        self.window_errors += errors;
        if self.window_errors >= LOSS_THRESHOLD_ERRORS {
            self.stats.in_sync = false;
            self.stats.resyncs += 1;
            self.restart_search();
        } else if self.window_bits >= LOSS_WINDOW_BITS {
            self.window_bits = 0;
            self.window_errors = 0;
        }
    }
}

impl Default for PrbsCheck {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_pcg::Pcg64;

    const PERIOD: usize = 32767;

    fn bits_of(bytes: &[u8]) -> Vec<u8> {
        bytes
            .iter()
            .flat_map(|&b| (0..8).rev().map(move |i| (b >> i) & 1))
            .collect()
    }

    fn bytes_of(bits: &[u8]) -> Vec<u8> {
        bits.chunks(8)
            .map(|c| {
                c.iter()
                    .enumerate()
                    .fold(0u8, |a, (i, &b)| a | (b << (7 - i)))
            })
            .collect()
    }

    fn gen_bits(n_bytes: usize) -> Vec<u8> {
        let mut out = vec![0u8; n_bytes];
        PrbsGen::new().fill(&mut out);
        bits_of(&out)
    }

    fn feed_random_split(chk: &mut PrbsCheck, data: &[u8], rng: &mut Pcg64) {
        let mut i = 0;
        while i < data.len() {
            let n = rng.gen_range(1..=17).min(data.len() - i);
            chk.push(&data[i..i + n]);
            i += n;
        }
    }

    #[test]
    fn period_is_32767() {
        let bits = gen_bits(3 * PERIOD / 8 + 8);
        for i in 0..2 * PERIOD {
            assert_eq!(bits[i], bits[i + PERIOD]);
        }
        // No shorter period: 32767 = 7 * 31 * 151.
        for p in [PERIOD / 7, PERIOD / 31, PERIOD / 151] {
            assert!((0..PERIOD).any(|i| bits[i] != bits[i + p]), "period {p}");
        }
        let ones = bits[..PERIOD].iter().filter(|&&b| b == 1).count();
        // Inverted m-sequence: one more zero than ones.
        assert_eq!(ones, 16383);
    }

    #[test]
    fn inverted_runs_and_recurrence() {
        let bits = gen_bits(2 * PERIOD / 8 + 8);
        let longest = |v: u8| {
            let (mut best, mut cur) = (0, 0);
            for &b in &bits[..2 * PERIOD] {
                cur = if b == v { cur + 1 } else { 0 };
                best = best.max(cur);
            }
            best
        };
        // O.151: "longest sequence of zeros: 15 (inverted signal)".
        assert_eq!(longest(0), 15);
        assert_eq!(longest(1), 14);
        // Taps at stages 14 and 15 on the uninverted sequence.
        for n in 15..1000 {
            let s = |k: usize| 1 - bits[k];
            assert_eq!(s(n), s(n - 14) ^ s(n - 15));
        }
    }

    #[test]
    fn clean_sequence_has_no_errors() {
        let mut gen = PrbsGen::new();
        let mut chk = PrbsCheck::new();
        let mut buf = [0u8; 8];
        for _ in 0..10_000 {
            gen.fill(&mut buf);
            chk.push(&buf);
        }
        let st = chk.stats();
        assert!(st.in_sync);
        assert_eq!(st.errors, 0);
        assert_eq!(st.resyncs, 0);
        assert!(st.bits >= 80_000 * 8 - 128);
    }

    #[test]
    fn random_offset_and_split() {
        let mut rng = Pcg64::seed_from_u64(7);
        for _ in 0..50 {
            let off = rng.gen_range(0..PERIOD);
            let bits = gen_bits(PERIOD / 8 + 2000);
            let data = bytes_of(&bits[off..off + 8 * 1500]);
            let mut chk = PrbsCheck::new();
            feed_random_split(&mut chk, &data, &mut rng);
            let st = chk.stats();
            assert!(st.in_sync);
            assert_eq!(st.errors, 0);
            // Sync takes 2 octets to load and SYNC_VERIFY_BITS to verify.
            assert_eq!(st.bits, 8 * 1500 - 16 - u64::from(SYNC_VERIFY_BITS));
        }
    }

    #[test]
    fn each_error_counted_once() {
        let mut rng = Pcg64::seed_from_u64(11);
        for k in [1usize, 2, 5, 20, 60] {
            let mut bits = gen_bits(4000);
            let off = rng.gen_range(0..8);
            let mut pos = 200;
            for _ in 0..k {
                pos += rng.gen_range(40..400);
                bits[pos] ^= 1;
            }
            assert!(pos < bits.len() - 64);
            let data = bytes_of(&bits[off..off + 8 * 3990]);
            let mut chk = PrbsCheck::new();
            feed_random_split(&mut chk, &data, &mut rng);
            let st = chk.stats();
            assert!(st.in_sync);
            assert_eq!(st.errors, k as u64);
            assert_eq!(st.resyncs, 0);
        }
    }

    #[test]
    fn constant_lines_never_look_in_sync() {
        for fill in [0x00u8, 0xFF, 0x55, 0xAA, 0x7E] {
            let mut chk = PrbsCheck::new();
            chk.push(&[fill; 4096]);
            let st = chk.stats();
            assert!(!st.in_sync, "fill {fill:#x}");
            assert_eq!((st.bits, st.errors), (0, 0));
        }
    }

    #[test]
    fn loss_of_sync_and_resync() {
        let mut gen = PrbsGen::new();
        let mut chk = PrbsCheck::new();
        let mut buf = [0u8; 256];
        gen.fill(&mut buf);
        chk.push(&buf);
        assert!(chk.stats().in_sync);
        // The line goes to all ones (AIS): ~50% errors, sync lost, no resync.
        chk.push(&[0xFF; 1000]);
        let st = chk.stats();
        assert!(!st.in_sync);
        assert_eq!(st.resyncs, 1);
        assert!(st.errors >= u64::from(LOSS_THRESHOLD_ERRORS));
        let errors_at_loss = st.errors;
        // Pattern comes back (at a different phase): resynchronises.
        gen.fill(&mut buf[..77]);
        for _ in 0..4 {
            gen.fill(&mut buf);
            chk.push(&buf);
        }
        let st = chk.stats();
        assert!(st.in_sync);
        assert_eq!(st.errors, errors_at_loss);
    }

    #[test]
    fn moderate_error_rate_keeps_sync() {
        // 1e-2 bit error ratio is bad but plausible: stay in sync, count all.
        let mut rng = Pcg64::seed_from_u64(3);
        let mut bits = gen_bits(20_000);
        let mut injected = 0u64;
        for b in bits.iter_mut().skip(256) {
            if rng.gen_bool(0.01) {
                *b ^= 1;
                injected += 1;
            }
        }
        let mut chk = PrbsCheck::new();
        chk.push(&bytes_of(&bits));
        let st = chk.stats();
        assert!(st.in_sync);
        assert_eq!(st.resyncs, 0);
        assert_eq!(st.errors, injected);
    }
}
