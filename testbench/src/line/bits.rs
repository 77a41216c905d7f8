//! Packed frame bit buffers shared by the framers and the line.
//!
//! A frame on the line is a run of `n` bits (256 for E1, 193 for T1) stored
//! MSB first in a [`FrameBits`] buffer (bit `i` is bit `7 - i % 8` of byte
//! `i / 8`); bits past `n` are zero.  A T1 frame is the F bit followed by the
//! 24 channel octets, so the octets are not byte aligned in this form.

/// One frame's bits, packed MSB first (E1 uses 32 bytes, T1 25 bytes).
pub(crate) type FrameBits = [u8; 33];

/// Number of bits in an E1 frame.
pub(crate) const E1_BITS: usize = 256;
/// Number of bits in a T1 frame.
pub(crate) const T1_BITS: usize = 193;

#[inline]
pub(crate) fn get_bit(buf: &[u8], i: usize) -> u8 {
    (buf[i >> 3] >> (7 - (i & 7))) & 1
}

#[inline]
pub(crate) fn set_bit(buf: &mut [u8], i: usize, v: u8) {
    let m = 0x80 >> (i & 7);
    if v != 0 {
        buf[i >> 3] |= m;
    } else {
        buf[i >> 3] &= !m;
    }
}

/// Bit `i` (0..2n) of the concatenation `prev ++ cur` of two n-bit frames.
#[inline]
pub(crate) fn get_bit2(prev: &FrameBits, cur: &FrameBits, n: usize, i: usize) -> u8 {
    if i < n {
        get_bit(prev, i)
    } else {
        get_bit(cur, i - n)
    }
}

/// The n-bit window that ends `lag` bits before the end of `cur`: the last
/// `lag` bits of `prev` followed by the first `n - lag` bits of `cur`.
pub(crate) fn window(prev: &FrameBits, cur: &FrameBits, n: usize, lag: usize, out: &mut FrameBits) {
    *out = [0; 33];
    if lag == 0 {
        out.copy_from_slice(cur);
        return;
    }
    let start = n - lag;
    if n % 8 == 0 && lag % 8 == 0 {
        let (s, l) = (start / 8, lag / 8);
        out[..l].copy_from_slice(&prev[s..s + l]);
        out[l..n / 8].copy_from_slice(&cur[..n / 8 - l]);
        return;
    }
    for i in 0..n {
        set_bit(out, i, get_bit2(prev, cur, n, start + i));
    }
}

/// Number of zero bits among the first `n` bits.
#[inline]
pub(crate) fn count_zeros(buf: &FrameBits, n: usize) -> u32 {
    let full = n / 8;
    let mut ones: u32 = buf[..full].iter().map(|b| b.count_ones()).sum();
    if n % 8 != 0 {
        let mask = 0xFFu8 << (8 - n % 8);
        ones += (buf[full] & mask).count_ones();
    }
    n as u32 - ones
}

/// Pack a T1 frame (F bit + 24 channel octets) into line order.
#[inline]
pub(crate) fn pack_t1(f: u8, ch: &[u8; 24], out: &mut FrameBits) {
    out[0] = (f << 7) | (ch[0] >> 1);
    for k in 1..24 {
        out[k] = (ch[k - 1] << 7) | (ch[k] >> 1);
    }
    out[24] = ch[23] << 7;
    out[25..].fill(0);
}

/// Unpack a T1 frame in line order into its F bit and 24 channel octets.
#[inline]
pub(crate) fn unpack_t1(bits: &FrameBits, ch: &mut [u8; 24]) -> u8 {
    for k in 0..24 {
        ch[k] = (bits[k] << 1) | (bits[k + 1] >> 7);
    }
    bits[0] >> 7
}

/// An all-ones (unframed AIS) frame of `n` bits.
pub(crate) fn all_ones(n: usize, out: &mut FrameBits) {
    *out = [0; 33];
    out[..n / 8].fill(0xFF);
    if n % 8 != 0 {
        out[n / 8] = 0xFFu8 << (8 - n % 8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t1_pack_roundtrip() {
        let mut ch = [0u8; 24];
        for (i, c) in ch.iter_mut().enumerate() {
            *c = (i as u8).wrapping_mul(37) ^ 0xA5;
        }
        let mut b = [0u8; 33];
        pack_t1(1, &ch, &mut b);
        assert_eq!(get_bit(&b, 0), 1);
        assert_eq!(get_bit(&b, 1), ch[0] >> 7);
        assert_eq!(get_bit(&b, 192), ch[23] & 1);
        let mut back = [0u8; 24];
        assert_eq!(unpack_t1(&b, &mut back), 1);
        assert_eq!(back, ch);
        assert_eq!(
            count_zeros(&b, T1_BITS),
            193 - 1 - ch.iter().map(|c| c.count_ones()).sum::<u32>()
        );
    }

    #[test]
    fn window_matches_bitwise() {
        let mut prev = [0u8; 33];
        let mut cur = [0u8; 33];
        for i in 0..32 {
            prev[i] = (i as u8).wrapping_mul(91) ^ 0x3C;
            cur[i] = (i as u8).wrapping_mul(17) ^ 0xC3;
        }
        prev[24] &= 0x80;
        for &n in &[E1_BITS, T1_BITS] {
            for lag in [0usize, 1, 7, 8, 16, 100, n - 1] {
                let mut w = [0u8; 33];
                window(&prev, &cur, n, lag, &mut w);
                for i in 0..n {
                    assert_eq!(
                        get_bit(&w, i),
                        get_bit2(&prev, &cur, n, n - lag + i),
                        "n {n} lag {lag} bit {i}"
                    );
                }
            }
        }
        let mut ones = [0u8; 33];
        all_ones(T1_BITS, &mut ones);
        assert_eq!(count_zeros(&ones, T1_BITS), 0);
        all_ones(E1_BITS, &mut ones);
        assert_eq!(count_zeros(&ones, E1_BITS), 0);
    }
}
