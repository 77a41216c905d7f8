//! Address parameters (Q.763 clauses 3.9, 3.10, 3.39, 3.43, 3.44, 3.45,
//! 3.46, 3.51): digits as BCD, first digit in the low nibble, with the
//! odd/even indicator. Digits are kept as a string of hex digits: `0`-`9`,
//! `B` (code 11), `C` (code 12), `F` (ST, end of pulsing) and the spare codes
//! `A`, `D`, `E`.

use super::{Error, Result};

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Decode BCD digits; `odd` drops the filler nibble of the last octet.
pub(crate) fn decode_digits(data: &[u8], odd: bool) -> String {
    let mut s = String::with_capacity(data.len() * 2);
    for (i, &b) in data.iter().enumerate() {
        s.push(HEX[usize::from(b & 0x0f)] as char);
        if !(odd && i + 1 == data.len()) {
            s.push(HEX[usize::from(b >> 4)] as char);
        }
    }
    s
}

fn nibble(c: char, code: u8) -> Result<u8> {
    c.to_digit(16).map(|d| d as u8).ok_or(Error::BadParameter {
        code,
        reason: "digit is not 0-9 or A-F",
    })
}

/// Encode digits as BCD (filler 0); returns whether the count is odd.
pub(crate) fn encode_digits(digits: &str, out: &mut Vec<u8>, code: u8) -> bool {
    let mut chars = digits.chars();
    let mut count = 0;
    while let Some(lo) = chars.next() {
        let lo = nibble(lo, code).unwrap_or(0);
        count += 1;
        let hi = match chars.next() {
            Some(h) => {
                count += 1;
                nibble(h, code).unwrap_or(0)
            }
            None => 0,
        };
        out.push(lo | (hi << 4));
    }
    count % 2 == 1
}

/// Check every character is a hex digit.
pub(crate) fn check_digits(digits: &str, code: u8) -> Result<()> {
    digits.chars().try_for_each(|c| nibble(c, code).map(|_| ()))
}

/// Nature of address indicator values (Q.763 3.9 c).
pub mod nature {
    /// Subscriber number (national use).
    pub const SUBSCRIBER: u8 = 1;
    /// Unknown (national use).
    pub const UNKNOWN: u8 = 2;
    /// National (significant) number.
    pub const NATIONAL: u8 = 3;
    /// International number.
    pub const INTERNATIONAL: u8 = 4;
}

/// A party number: called, calling, connected, redirecting, redirection,
/// original called or location number.
///
/// Octet 1 is the odd/even indicator and the nature of address; octet 2 is
/// one bit (`indicator`), the numbering plan and four low bits whose meaning
/// depends on the parameter (`presentation` = bits 4-3, `screening` = bits
/// 2-1). All bits are kept, so round trips are exact.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PartyNumber {
    /// Nature of address indicator (7 bits), see [`nature`].
    pub nature_of_address: u8,
    /// Octet 2 bit 8: internal network number indicator (INN, called party
    /// and redirection number: `true` = routing to internal network number
    /// not allowed) or number incomplete indicator (NI, calling party and
    /// location number: `true` = incomplete); spare in the others.
    pub indicator: bool,
    /// Numbering plan indicator (3 bits): 1 = ISDN (E.164), 3 = data, 4 = telex.
    pub numbering_plan: u8,
    /// Address presentation restricted indicator (bits 4-3): 0 allowed,
    /// 1 restricted, 2 address not available; spare in called party number.
    pub presentation: u8,
    /// Screening indicator (bits 2-1): 1 user provided verified and passed,
    /// 3 network provided; spare in called and redirecting numbers.
    pub screening: u8,
    /// Address signals (hex digits; `F` is ST).
    pub digits: String,
}

impl PartyNumber {
    /// An E.164 number with the given nature of address, all else zero.
    pub fn e164(nature_of_address: u8, digits: &str) -> PartyNumber {
        PartyNumber {
            nature_of_address,
            numbering_plan: 1,
            digits: digits.to_string(),
            ..PartyNumber::default()
        }
    }

    /// Parse the parameter contents.
    pub fn parse(code: u8, data: &[u8]) -> Result<PartyNumber> {
        if data.len() < 2 {
            return Err(Error::BadParameter {
                code,
                reason: "number shorter than 2 octets",
            });
        }
        let odd = data[0] & 0x80 != 0;
        Ok(PartyNumber {
            nature_of_address: data[0] & 0x7f,
            indicator: data[1] & 0x80 != 0,
            numbering_plan: (data[1] >> 4) & 0x07,
            presentation: (data[1] >> 2) & 0x03,
            screening: data[1] & 0x03,
            digits: decode_digits(&data[2..], odd),
        })
    }

    /// Contents length in octets.
    pub fn content_len(&self) -> usize {
        2 + self.digits.chars().count().div_ceil(2)
    }

    /// Append the contents to `out`.
    pub fn emit(&self, code: u8, out: &mut Vec<u8>) {
        let at = out.len();
        out.push(self.nature_of_address & 0x7f);
        out.push(
            (u8::from(self.indicator) << 7)
                | ((self.numbering_plan & 0x07) << 4)
                | ((self.presentation & 0x03) << 2)
                | (self.screening & 0x03),
        );
        if encode_digits(&self.digits, out, code) {
            out[at] |= 0x80;
        }
    }
}

/// Subsequent number (Q.763 3.51): odd/even indicator and digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SubsequentNumber {
    /// Address signals (hex digits; `F` is ST).
    pub digits: String,
}

impl SubsequentNumber {
    /// Parse the parameter contents.
    pub fn parse(code: u8, data: &[u8]) -> Result<SubsequentNumber> {
        let Some((&first, rest)) = data.split_first() else {
            return Err(Error::BadParameter {
                code,
                reason: "subsequent number empty",
            });
        };
        Ok(SubsequentNumber {
            digits: decode_digits(rest, first & 0x80 != 0),
        })
    }

    /// Contents length in octets.
    pub fn content_len(&self) -> usize {
        1 + self.digits.chars().count().div_ceil(2)
    }

    /// Append the contents to `out`.
    pub fn emit(&self, code: u8, out: &mut Vec<u8>) {
        let at = out.len();
        out.push(0);
        if encode_digits(&self.digits, out, code) {
            out[at] = 0x80;
        }
    }
}
