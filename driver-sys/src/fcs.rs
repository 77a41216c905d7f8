//! HDLC frame check sequence: FCS-16 as specified in RFC 1662 (appendix C)
//! and ISO/IEC 13239.
//!
//! This is the CRC known as CRC-16/X.25 (also CRC-16/IBM-SDLC): generator
//! polynomial x^16 + x^12 + x^5 + 1, processed least significant bit first
//! (the reflected form of the polynomial is `0x8408`), initial value
//! [`FCS_INIT`] (`0xFFFF`), final ones' complement.
//!
//! HDLC sends every octet least significant bit first, and the FCS is sent
//! the same way: the complemented register value goes on the wire low byte
//! first, which is what [`fcs16`] returns. A receiver that runs the register
//! over a frame *including* its FCS ends with the constant residue
//! [`FCS_GOOD`] (`0xF0B8`) when the frame is intact.
//!
//! The implementation is table driven ("slice-by-8": eight 256-entry tables,
//! built at compile time by a `const fn`), so a 260-octet frame costs well
//! under a nanosecond per octet. It never allocates and never panics.

/// Initial value of the FCS-16 register (RFC 1662 `PPPINITFCS16`).
pub const FCS_INIT: u16 = 0xFFFF;

/// Register value after running [`fcs16_update`] from [`FCS_INIT`] over a
/// frame followed by its correct FCS (RFC 1662 `PPPGOODFCS16`).
pub const FCS_GOOD: u16 = 0xF0B8;

/// The generator polynomial x^16 + x^12 + x^5 + 1 in reflected (LSB-first)
/// form.
const POLY_REFLECTED: u16 = 0x8408;

/// Builds the slice-by-8 tables. `t[0][b]` is the classic byte table of
/// RFC 1662; `t[k][b]` is the contribution of byte `b` followed by `k` zero
/// octets.
const fn make_tables() -> [[u16; 256]; 8] {
    let mut t = [[0u16; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u16;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ POLY_REFLECTED
            } else {
                c >> 1
            };
            bit += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xFF) as usize];
            i += 1;
        }
        k += 1;
    }
    t
}

/// The slice-by-8 tables (8 KiB, in read-only data).
static TABLES: [[u16; 256]; 8] = make_tables();

/// Advances the raw FCS register over one octet.
#[inline(always)]
fn step(fcs: u16, byte: u8) -> u16 {
    (fcs >> 8) ^ TABLES[0][usize::from((fcs as u8) ^ byte)]
}

/// Runs the raw FCS-16 register over `data`.
///
/// Start from [`FCS_INIT`]; the result is the uncomplemented register (RFC
/// 1662 `pppfcs16()`), so calls can be chained over a frame delivered in
/// pieces. Over a frame plus its transmitted FCS the result is [`FCS_GOOD`].
#[must_use]
pub fn fcs16_update(mut fcs: u16, data: &[u8]) -> u16 {
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let [b0, b1, b2, b3, b4, b5, b6, b7] = [c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]];
        let lo = (fcs as u8) ^ b0;
        let hi = ((fcs >> 8) as u8) ^ b1;
        fcs = TABLES[7][usize::from(lo)]
            ^ TABLES[6][usize::from(hi)]
            ^ TABLES[5][usize::from(b2)]
            ^ TABLES[4][usize::from(b3)]
            ^ TABLES[3][usize::from(b4)]
            ^ TABLES[2][usize::from(b5)]
            ^ TABLES[1][usize::from(b6)]
            ^ TABLES[0][usize::from(b7)];
    }
    for &b in chunks.remainder() {
        fcs = step(fcs, b);
    }
    fcs
}

/// Computes the FCS to transmit after `data`: send `fcs as u8` first, then
/// `(fcs >> 8) as u8`.
#[must_use]
pub fn fcs16(data: &[u8]) -> u16 {
    !fcs16_update(FCS_INIT, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit-at-a-time reference, straight from the definition.
    fn reference(data: &[u8]) -> u16 {
        let mut crc = FCS_INIT;
        for &b in data {
            for i in 0..8 {
                let inbit = u16::from((b >> i) & 1);
                let fb = (crc ^ inbit) & 1;
                crc >>= 1;
                if fb != 0 {
                    crc ^= POLY_REFLECTED;
                }
            }
        }
        !crc
    }

    #[test]
    fn check_value() {
        assert_eq!(fcs16(b"123456789"), 0x906E);
    }

    #[test]
    fn empty_input() {
        assert_eq!(fcs16(&[]), 0x0000);
        assert_eq!(fcs16_update(FCS_INIT, &[]), FCS_INIT);
    }

    #[test]
    fn independent_vectors() {
        // Values computed independently with Python's binascii.crc_hqx
        // (the non-reflected CCITT CRC) over bit-reversed octets, with the
        // result bit-reversed and complemented.
        assert_eq!(fcs16(&[0x00]), 0xF078);
        assert_eq!(fcs16(&[0xFF]), 0xFF00);
        assert_eq!(fcs16(b"A"), 0xA3F5);
        assert_eq!(fcs16(&[0x03, 0x3F]), 0xEC5B);
        assert_eq!(
            fcs16(b"The quick brown fox jumps over the lazy dog"),
            0x9358
        );
    }

    #[test]
    fn residue_is_good() {
        for len in 0..300usize {
            let frame: Vec<u8> = (0..len).map(|i| (i * 37 + len) as u8).collect();
            let f = fcs16(&frame);
            let mut wire = frame.clone();
            wire.push(f as u8);
            wire.push((f >> 8) as u8);
            assert_eq!(fcs16_update(FCS_INIT, &wire), FCS_GOOD, "len {len}");
            // Any single bit error breaks the residue.
            let bit = (len * 13) % (wire.len() * 8);
            wire[bit / 8] ^= 1 << (bit % 8);
            assert_ne!(fcs16_update(FCS_INIT, &wire), FCS_GOOD);
        }
    }

    #[test]
    fn slice_by_8_matches_reference_and_chains() {
        let data: Vec<u8> = (0..1000u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        for len in 0..64 {
            assert_eq!(fcs16(&data[..len]), reference(&data[..len]));
        }
        assert_eq!(fcs16(&data), reference(&data));
        for split in [0, 1, 7, 8, 9, 500, 999, 1000] {
            let a = fcs16_update(FCS_INIT, &data[..split]);
            assert_eq!(!fcs16_update(a, &data[split..]), reference(&data));
        }
    }
}
