//! Offline decoding of signalling frames given as hex, like libpri's pridump:
//! `trunkctl decode q931 HEX` and `trunkctl decode lapd HEX`.

use trunk_isdn::lapd::{Control, Frame};
use trunk_isdn::q931;

/// Parse hex octets: pairs of hex digits, optionally separated by spaces,
/// colons, commas or dashes, with an optional `0x` prefix on the whole string.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let t = text.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    let digits: String = t
        .chars()
        .filter(|c| !matches!(c, ' ' | ':' | ',' | '-' | '\t' | '\n'))
        .collect();
    if digits.is_empty() {
        return Err("no hex octets given".into());
    }
    if let Some((i, c)) = digits.char_indices().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(format!("`{c}` at position {} is not a hex digit", i + 1));
    }
    if digits.len() % 2 != 0 {
        return Err(format!(
            "{} hex digits: octets need an even number",
            digits.len()
        ));
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).map_err(|e| e.to_string()))
        .collect()
}

/// Human-readable decode of one Q.931 message (never fails: a bad message
/// is described as such).
pub fn q931(bytes: &[u8]) -> String {
    q931::describe(bytes)
}

/// The control field as Q.921 writes it, e.g. `I N(S)=3 N(R)=5 P=0`.
fn control_name(c: &Control) -> String {
    let b = |x: bool| u8::from(x);
    match *c {
        Control::I { ns, nr, p } => format!("I N(S)={ns} N(R)={nr} P={}", b(p)),
        Control::Rr { nr, pf } => format!("RR N(R)={nr} P/F={}", b(pf)),
        Control::Rnr { nr, pf } => format!("RNR N(R)={nr} P/F={}", b(pf)),
        Control::Rej { nr, pf } => format!("REJ N(R)={nr} P/F={}", b(pf)),
        Control::Sabme { p } => format!("SABME P={}", b(p)),
        Control::Dm { f } => format!("DM F={}", b(f)),
        Control::Ui { p } => format!("UI P={}", b(p)),
        Control::Disc { p } => format!("DISC P={}", b(p)),
        Control::Ua { f } => format!("UA F={}", b(f)),
        Control::Frmr { f } => format!("FRMR F={}", b(f)),
        Control::Xid { pf } => format!("XID P/F={}", b(pf)),
    }
}

/// Human-readable decode of one LAPD frame (address, control, and the Q.931
/// message in an I or UI frame on SAPI 0).
pub fn lapd(bytes: &[u8]) -> String {
    match Frame::parse(bytes) {
        Err(e) => format!("Invalid LAPD frame: {e}\n  raw: {}\n", hex(bytes)),
        Ok(f) => {
            let mut s = format!(
                "LAPD: SAPI {}, TEI {}, C/R {}\n  control: {}\n",
                f.sapi,
                f.tei,
                u8::from(f.cr),
                control_name(&f.control)
            );
            if !f.info.is_empty() {
                if f.sapi == 0 && matches!(f.control, Control::I { .. } | Control::Ui { .. }) {
                    s += &format!("  information ({} octets), Q.931:\n", f.info.len());
                    for line in q931::describe(f.info).lines() {
                        s += "    ";
                        s += line;
                        s += "\n";
                    }
                } else {
                    s += &format!("  information: {}\n", hex(f.info));
                }
            }
            s
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_forms() {
        assert_eq!(parse_hex("08 02 00 01 05").unwrap(), vec![8, 2, 0, 1, 5]);
        assert_eq!(parse_hex("0x0802:0001-05").unwrap(), vec![8, 2, 0, 1, 5]);
        assert!(parse_hex("08 0").unwrap_err().contains("even"));
        assert!(parse_hex("zz").unwrap_err().contains("not a hex digit"));
        assert!(parse_hex("  ").is_err());
    }

    #[test]
    fn decodes_a_setup_and_a_disconnect() {
        // SETUP, CR 1, bearer speech A-law, channel B1 exclusive, called 1234.
        let setup =
            parse_hex("08 02 00 01 05 04 03 80 90 a3 18 03 a9 83 81 70 05 81 31 32 33 34").unwrap();
        let text = q931(&setup);
        assert!(text.contains("SETUP"), "{text}");
        assert!(text.contains("1234"), "{text}");
        let disc = parse_hex("08 02 80 01 45 08 02 80 90").unwrap();
        let text = q931(&disc);
        assert!(text.contains("DISCONNECT"), "{text}");
        assert!(
            text.to_lowercase().contains("normal call clearing")
                || text.to_lowercase().contains("normal clearing"),
            "{text}"
        );
        assert!(q931(&[0x55, 0x00]).contains("Invalid"));
    }

    #[test]
    fn decodes_lapd_with_q931_inside() {
        // SAPI 0, C/R 0, TEI 0; I frame N(S)=0 N(R)=0; then a DISCONNECT.
        let f = parse_hex("00 01 00 00 08 02 80 01 45 08 02 80 90").unwrap();
        let text = lapd(&f);
        assert!(text.contains("SAPI 0"), "{text}");
        assert!(text.contains("I N(S)=0 N(R)=0 P=0"), "{text}");
        assert!(text.contains("DISCONNECT"), "{text}");
        assert!(lapd(&[0x01]).contains("Invalid"));
    }
}
