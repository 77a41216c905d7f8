//! Line codes (ITU-T G.703 §6.1 / §9 and Annex A: AMI, HDB3; ANSI T1.102 /
//! T1.403: B8ZS) and the impaired symbol channel of one line direction.
//!
//! The line is a stream of ternary symbols (-1, 0, +1).
//! * AMI: a 1 is a mark of alternating polarity, a 0 is no pulse.
//! * HDB3: four zeros are replaced by `000V` when an odd number of marks
//!   was sent since the last V, else by `B00V`, so that successive V pulses
//!   alternate (G.703 Annex A).  At most three consecutive zero symbols.
//! * B8ZS: eight zeros are replaced by `000VB0VB`.  At most seven
//!   consecutive zero symbols.
//!
//! The decoder removes substitutions that are valid and counts code
//! violations: a bipolar violation (a mark with the polarity of the previous
//! mark) that is not part of a valid substitution; for HDB3 a substitution
//! whose V has the polarity of the previous V is invalid too (O.161 style).
//! Excessive zeros are not counted as code violations.
//!
//! The impaired line direction that uses these codecs is in `path.rs`.

use super::LineCode;

/// Streaming line encoder; substitutions may straddle calls.
#[derive(Clone, Debug)]
pub(crate) struct Encoder {
    code: LineCode,
    /// Polarity of the last mark sent.
    pol: i8,
    /// Marks sent since the last V (HDB3).
    marks: u32,
    carry: [i8; 8],
    carry_len: usize,
}

impl Encoder {
    pub(crate) fn new(code: LineCode) -> Self {
        Self {
            code,
            pol: -1,
            marks: 0,
            carry: [0; 8],
            carry_len: 0,
        }
    }

    /// Encode `bits[0..n]` (one bit per element) into `out[0..n]`; `bits`
    /// must extend to `n + 7` (lookahead).  Symbols of a substitution that runs past `n` are
    /// kept and emitted at the start of the next call.
    pub(crate) fn encode(&mut self, n: usize, bits: &[u8], out: &mut [i8]) {
        out[..self.carry_len].copy_from_slice(&self.carry[..self.carry_len]);
        let mut i = self.carry_len;
        while i < n {
            if bits[i] == 1 {
                self.pol = -self.pol;
                out[i] = self.pol;
                self.marks += 1;
                i += 1;
                continue;
            }
            match self.code {
                LineCode::Hdb3 if bits[i + 1..i + 4] == [0, 0, 0] => {
                    if self.marks % 2 == 1 {
                        out[i..i + 3].fill(0);
                    } else {
                        self.pol = -self.pol;
                        out[i] = self.pol;
                        out[i + 1] = 0;
                        out[i + 2] = 0;
                    }
                    out[i + 3] = self.pol;
                    self.marks = 0;
                    i += 4;
                }
                LineCode::B8zs if bits[i + 1..i + 8] == [0; 7] => {
                    let p = self.pol;
                    out[i..i + 8].copy_from_slice(&[0, 0, 0, p, -p, 0, -p, p]);
                    i += 8;
                }
                _ => {
                    out[i] = 0;
                    i += 1;
                }
            }
        }
        self.carry_len = i - n;
        self.carry[..self.carry_len].copy_from_slice(&out[n..i]);
    }
}

/// Streaming line decoder with code violation counting.
#[derive(Clone, Debug)]
pub(crate) struct Decoder {
    code: LineCode,
    /// Polarity of the last mark received.
    pol: i8,
    /// Polarity of the last HDB3 V received (0: none yet).
    last_v: i8,
    /// Zero symbols since the last mark.
    zeros: u32,
    /// Symbols at the start of the next call already consumed by a substitution.
    skip: usize,
    /// Code violations counted by this decoder.
    pub(crate) cv: u64,
}

impl Decoder {
    pub(crate) fn new(code: LineCode) -> Self {
        Self {
            code,
            pol: -1,
            last_v: 0,
            zeros: 0,
            skip: 0,
            cv: 0,
        }
    }

    /// Decode `s[0..n]` (with `s[n..n + 8]` as lookahead) and call `one(i)`
    /// for every decoded 1 bit at position `i < n`.
    pub(crate) fn decode(&mut self, n: usize, s: &[i8], mut one: impl FnMut(usize)) {
        let mut i = self.skip;
        while i < n {
            let x = s[i];
            if x == 0 {
                let p = self.pol;
                if self.code == LineCode::B8zs && s[i + 1..i + 8] == [0, 0, p, -p, 0, -p, p] {
                    i += 8;
                    self.zeros = 0;
                } else {
                    self.zeros += 1;
                    i += 1;
                }
                continue;
            }
            let violation = x == self.pol;
            self.pol = x;
            match self.code {
                LineCode::Hdb3 if violation && self.zeros >= 3 => {
                    // 000V
                    if self.last_v == x {
                        self.cv += 1;
                    }
                    self.last_v = x;
                    i += 1;
                }
                LineCode::Hdb3 if !violation && s[i + 1] == 0 && s[i + 2] == 0 && s[i + 3] == x => {
                    // B00V
                    if self.last_v == x {
                        self.cv += 1;
                    }
                    self.last_v = x;
                    i += 4;
                }
                _ => {
                    if violation {
                        self.cv += 1;
                    }
                    one(i);
                    i += 1;
                }
            }
            self.zeros = 0;
        }
        self.skip = i - n;
    }
}

/// Encode a bit sequence (one bit per element, 0 or 1) into ternary symbols
/// with a fresh encoder (last mark negative, even mark count for HDB3).  A
/// substitution is only used if it fits entirely inside the input.
pub fn encode_bits(code: LineCode, bits: &[u8]) -> Vec<i8> {
    let mut enc = Encoder::new(code);
    let mut out = vec![0i8; bits.len() + 8];
    // Ones after the end: no substitution runs past the input.
    let padded: Vec<u8> = bits.iter().map(|&b| b & 1).chain([1; 8]).collect();
    enc.encode(bits.len(), &padded, &mut out);
    out.truncate(bits.len());
    out
}

/// Decode ternary symbols with a fresh decoder (last mark taken as negative).
/// Returns the bits (one per element) and the number of code violations.
pub fn decode_symbols(code: LineCode, syms: &[i8]) -> (Vec<u8>, u64) {
    let mut dec = Decoder::new(code);
    let mut s = syms.to_vec();
    s.extend_from_slice(&[0; 8]);
    let mut bits = vec![0u8; syms.len()];
    dec.decode(syms.len(), &s, |i| bits[i] = 1);
    (bits, dec.cv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn max_zero_run(s: &[i8]) -> usize {
        s.split(|&x| x != 0).map(|r| r.len()).max().unwrap_or(0)
    }

    fn lcg_bits(n: usize, seed: u32, ones_per_256: u32) -> Vec<u8> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                ((x >> 24) < ones_per_256) as u8
            })
            .collect()
    }

    #[test]
    fn substitutions_bound_zero_runs_and_roundtrip() {
        for (code, bound) in [(LineCode::Hdb3, 3), (LineCode::B8zs, 7)] {
            let zeros = vec![0u8; 1000];
            let s = encode_bits(code, &zeros);
            // The tail may be unsubstituted (substitutions must fit); check the body.
            assert!(max_zero_run(&s[..990]) <= bound, "{code:?}");
            let (b, cv) = decode_symbols(code, &s);
            assert_eq!(b, zeros);
            assert_eq!(cv, 0);
            for density in [0, 10, 40, 128, 250] {
                let bits = lcg_bits(5000, density + 1, density);
                let s = encode_bits(code, &bits);
                let (b, cv) = decode_symbols(code, &s);
                assert_eq!(b, bits, "{code:?} density {density}");
                assert_eq!(cv, 0);
            }
        }
        let bits = lcg_bits(3000, 5, 100);
        let (b, cv) = decode_symbols(LineCode::Ami, &encode_bits(LineCode::Ami, &bits));
        assert_eq!((b, cv), (bits, 0));
    }

    #[test]
    fn hdb3_known_sequence() {
        // 1 0000 1 0000 0000 with last mark negative:
        // 1 -> +; 0000 after 1 mark (odd) -> 000V(+); 1 -> -; 0000 after 1 mark -> 000V(-);
        // 0000 after 0 marks (even) -> B00V = +00+.
        let bits = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        let s = encode_bits(LineCode::Hdb3, &bits);
        assert_eq!(s, vec![1, 0, 0, 0, 1, -1, 0, 0, 0, -1, 1, 0, 0, 1]);
        // B8ZS: 1 then eight zeros with last mark + -> 000+-0-+
        let bits = [1, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        let s = encode_bits(LineCode::B8zs, &bits);
        assert_eq!(s, vec![1, 0, 0, 0, 1, -1, 0, -1, 1, -1]);
    }

    #[test]
    fn single_symbol_error_gives_code_violation() {
        for code in [LineCode::Ami, LineCode::Hdb3, LineCode::B8zs] {
            let bits = lcg_bits(2000, 3, 128);
            let mut s = encode_bits(code, &bits);
            // Invert a mark that is preceded by a mark (not by three zeros).
            let k = (100..s.len())
                .find(|&k| s[k] != 0 && s[k - 1] != 0)
                .unwrap();
            s[k] = -s[k];
            let (_, cv) = decode_symbols(code, &s);
            assert!(cv >= 1, "{code:?}");
            // A mark inserted right after a mark, with that mark's polarity.
            let mut s = encode_bits(code, &bits);
            let k = (100..s.len() - 1)
                .find(|&k| s[k] != 0 && s[k + 1] == 0)
                .unwrap();
            s[k + 1] = s[k];
            let (_, cv) = decode_symbols(code, &s);
            assert!(cv >= 1, "{code:?}");
        }
    }
}
