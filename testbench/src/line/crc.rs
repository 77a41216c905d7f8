//! CRC-4 (ITU-T G.704 §2.3.3.5) and CRC-6 (ITU-T G.704 §2.1.3.1.3, ANSI T1.403 ESF).
//!
//! Both CRCs are plain MSB-first polynomial divisions with a zero initial
//! register and no final inversion: the check bits are the remainder of
//! `M(x)·x^w` divided by the generator (`x^4 + x + 1` for CRC-4, `x^6 + x + 1`
//! for CRC-6), the first transmitted check bit (C1) being the coefficient of
//! `x^(w-1)`, i.e. the most significant bit of the returned value.
//!
//! Three implementations of the same function live here:
//! * [`crc4_update_bit`] / [`crc6_update_bit`]: one bit at a time (used for
//!   the odd F bit of a T1 frame and as the specification of the others);
//! * [`crc4_update`] / [`crc6_update`]: byte-wise with a 256-entry table;
//! * [`crc4_e1_frame`] / [`crc6_t1_frame`]: one whole frame at a time,
//!   "sliced" per byte position (the CRC is linear, so the remainder of a frame
//!   is the XOR of per-position contributions; the incoming register is folded
//!   into the first bits of the frame).  This is what the framers use on the
//!   hot path: 32 (E1) or 24 (T1) independent table look-ups per frame.

/// Low-order terms of the CRC-4 generator `x^4 + x + 1` (the `x^4` term is implicit).
pub const CRC4_POLY: u8 = 0b0011;
/// Low-order terms of the CRC-6 generator `x^6 + x + 1` (the `x^6` term is implicit).
pub const CRC6_POLY: u8 = 0b00_0011;

const fn step_bit(reg: u8, bit: u8, width: u32, poly: u8) -> u8 {
    let mask = ((1u16 << width) - 1) as u8;
    let fb = ((reg >> (width - 1)) ^ bit) & 1;
    let reg = (reg << 1) & mask;
    if fb != 0 {
        reg ^ poly
    } else {
        reg
    }
}

const fn byte_table(width: u32, poly: u8) -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut v = 0;
    while v < 256 {
        let mut reg = 0u8;
        let mut i = 0;
        while i < 8 {
            reg = step_bit(reg, ((v >> (7 - i)) & 1) as u8, width, poly);
            i += 1;
        }
        t[v] = reg;
        v += 1;
    }
    t
}

static CRC4_TABLE: [u8; 256] = byte_table(4, CRC4_POLY);
static CRC6_TABLE: [u8; 256] = byte_table(6, CRC6_POLY);

/// `T[i][b]`: remainder of a block of `N` bytes that is all zero except byte
/// `i`, which is `b`.
const fn sliced<const N: usize>(table: &[u8; 256], width: u32) -> [[u8; 256]; N] {
    let mut t = [[0u8; 256]; N];
    let mut i = 0;
    while i < N {
        let mut b = 0;
        while b < 256 {
            let mut reg = table[b];
            let mut k = i + 1;
            while k < N {
                // Feed one zero byte.
                reg = table[(reg << (8 - width)) as usize];
                k += 1;
            }
            t[i][b] = reg;
            b += 1;
        }
        i += 1;
    }
    t
}

static CRC4_SLICED: [[u8; 256]; 32] = sliced::<32>(&CRC4_TABLE, 4);
static CRC6_SLICED: [[u8; 256]; 24] = sliced::<24>(&CRC6_TABLE, 6);

/// CRC-6 contribution of a single 1 bit followed by 192 zero bits (the F bit
/// position of a T1 frame, set to 1 for the CRC computation).
const CRC6_F_ONE: u8 = {
    let mut reg = step_bit(0, 1, 6, CRC6_POLY);
    let mut k = 0;
    while k < 24 {
        reg = CRC6_TABLE[(reg << 2) as usize];
        k += 1;
    }
    reg
};

/// Advance a CRC-4 register (low 4 bits) by one message bit.
pub fn crc4_update_bit(crc: u8, bit: bool) -> u8 {
    step_bit(crc & 0x0F, bit as u8, 4, CRC4_POLY)
}

/// Advance a CRC-4 register (low 4 bits) by whole octets, MSB first (byte-wise table).
pub fn crc4_update(crc: u8, data: &[u8]) -> u8 {
    data.iter()
        .fold(crc & 0x0F, |r, &b| CRC4_TABLE[((r << 4) ^ b) as usize])
}

/// CRC-4 (G.704 §2.3.3.5.2) of `data`, MSB first, zero initial register.
/// Returns `C1 C2 C3 C4` in bits 3..0.
pub fn crc4(data: &[u8]) -> u8 {
    crc4_update(0, data)
}

/// Advance a CRC-4 register over one 256-bit E1 frame whose TS0 octet is
/// `ts0` (it replaces `frame[0]`, so the caller can zero the C bit without a
/// copy) and whose time slots 1..31 are `frame[1..32]`.
#[inline]
pub fn crc4_e1_frame(crc: u8, ts0: u8, frame: &[u8; 32]) -> u8 {
    let mut r = CRC4_SLICED[0][(ts0 ^ ((crc & 0x0F) << 4)) as usize];
    for (t, &b) in CRC4_SLICED[1..].iter().zip(&frame[1..]) {
        r ^= t[b as usize];
    }
    r
}

/// Advance a CRC-6 register (low 6 bits) by one message bit.
pub fn crc6_update_bit(crc: u8, bit: bool) -> u8 {
    step_bit(crc & 0x3F, bit as u8, 6, CRC6_POLY)
}

/// Advance a CRC-6 register (low 6 bits) by whole octets, MSB first (byte-wise table).
pub fn crc6_update(crc: u8, data: &[u8]) -> u8 {
    data.iter()
        .fold(crc & 0x3F, |r, &b| CRC6_TABLE[((r << 2) ^ b) as usize])
}

/// CRC-6 (x^6 + x + 1) of `data`, MSB first, zero initial register.
/// Returns `C1..C6` in bits 5..0.
pub fn crc6(data: &[u8]) -> u8 {
    crc6_update(0, data)
}

/// Advance a CRC-6 register over one 193-bit T1 frame for the ESF CRC
/// (G.704 §2.1.3.1.3): the F bit counted as 1, then the 24 channel octets.
#[inline]
pub fn crc6_t1_frame(crc: u8, channels: &[u8; 24]) -> u8 {
    let crc = crc & 0x3F;
    // The register is folded into the first six message bits: F and the top
    // five bits of channel 1.
    let f = 1 ^ (crc >> 5);
    let mut r = if f != 0 { CRC6_F_ONE } else { 0 };
    r ^= CRC6_SLICED[0][(channels[0] ^ ((crc & 0x1F) << 3)) as usize];
    for (t, &b) in CRC6_SLICED[1..].iter().zip(&channels[1..]) {
        r ^= t[b as usize];
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference: polynomial long division of M(x)·x^w by the generator,
    /// written independently of the register form above.
    fn long_division(bits: &[u8], width: usize, gen: u32) -> u8 {
        let mut m: Vec<u8> = bits.to_vec();
        m.resize(m.len() + width, 0);
        for i in 0..bits.len() {
            if m[i] == 1 {
                for k in 0..=width {
                    m[i + k] ^= ((gen >> (width - k)) & 1) as u8;
                }
            }
        }
        m[bits.len()..].iter().fold(0, |a, &b| (a << 1) | b)
    }

    fn to_bits(data: &[u8]) -> Vec<u8> {
        data.iter()
            .flat_map(|&b| (0..8).rev().map(move |i| (b >> i) & 1))
            .collect()
    }

    #[test]
    fn hand_worked_vectors() {
        // 0x80 = x^7.  CRC-4: x^11 mod (x^4+x+1).  x^4 = x+1, x^8 = x^2+1,
        // x^11 = x^5 + x^3 = x^2 + x + x^3  ->  1110b.
        assert_eq!(crc4(&[0x80]), 0b1110);
        // CRC-6: x^13 mod (x^6+x+1).  x^6 = x+1, x^12 = x^2+1, x^13 = x^3+x -> 001010b.
        assert_eq!(crc6(&[0x80]), 0b00_1010);
        // 0x01 = 1: remainder of x^4 is x+1, of x^6 is x+1.
        assert_eq!(crc4(&[0x01]), 0b0011);
        assert_eq!(crc6(&[0x01]), 0b00_0011);
        assert_eq!(crc4(&[]), 0);
        assert_eq!(crc4(&[0, 0, 0]), 0);
    }

    #[test]
    fn table_matches_long_division() {
        let mut x: u32 = 0x1234_5678;
        for len in 0..80 {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (x >> 24) as u8
                })
                .collect();
            let bits = to_bits(&data);
            assert_eq!(crc4(&data), long_division(&bits, 4, 0b1_0011), "len {len}");
            assert_eq!(
                crc6(&data),
                long_division(&bits, 6, 0b100_0011),
                "len {len}"
            );
            let bw4 = bits.iter().fold(0, |r, &b| crc4_update_bit(r, b == 1));
            let bw6 = bits.iter().fold(0, |r, &b| crc6_update_bit(r, b == 1));
            assert_eq!(bw4, crc4(&data));
            assert_eq!(bw6, crc6(&data));
        }
    }

    #[test]
    fn sliced_e1_frame_matches_bytewise() {
        let mut x: u32 = 7;
        for _ in 0..500 {
            let mut f = [0u8; 32];
            for b in f.iter_mut() {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                *b = (x >> 16) as u8;
            }
            let init = (x >> 3) as u8 & 0x0F;
            let ts0 = (x >> 9) as u8;
            let mut g = f;
            g[0] = ts0;
            assert_eq!(crc4_e1_frame(init, ts0, &f), crc4_update(init, &g));
        }
    }

    #[test]
    fn sliced_t1_frame_matches_bitwise() {
        let mut x: u32 = 99;
        for _ in 0..500 {
            let mut ch = [0u8; 24];
            for b in ch.iter_mut() {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                *b = (x >> 16) as u8;
            }
            let init = (x >> 5) as u8 & 0x3F;
            let expect = crc6_update(crc6_update_bit(init, true), &ch);
            assert_eq!(crc6_t1_frame(init, &ch), expect);
        }
    }
}
