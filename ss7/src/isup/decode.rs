//! Human-readable one-line-per-parameter decoding for `trunkctl decode isup`.

use super::message::MessageRepr;
use super::names::{calling_party_category_name, cause_name, message_name, param_name};
use super::param::ParamRepr;
use super::Variant;
use std::fmt::Write;

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn param_line(p: &ParamRepr, variant: Variant) -> String {
    use ParamRepr as P;
    let detail = match p {
        P::CallingPartysCategory(v) => {
            format!("{v} ({})", calling_party_category_name(*v, variant))
        }
        P::CauseIndicators(c) => format!(
            "cause {} ({}), location {}, coding standard {}{}",
            c.cause_value,
            cause_name(c.cause_value),
            c.location,
            c.coding_standard,
            if c.diagnostics.is_empty() {
                String::new()
            } else {
                format!(", diagnostics {}", hex(&c.diagnostics))
            }
        ),
        P::SubsequentNumber(s) => format!("digits {}", s.digits),
        P::RangeAndStatus(r) => format!("range {}, status {}", r.range, hex(&r.status)),
        P::GenericNumber(d)
        | P::CircuitStateIndicator(d)
        | P::UserServiceInformation(d)
        | P::AccessTransport(d)
        | P::Raw { data: d, .. } => hex(d),
        other => match other.number() {
            Some(n) => format!(
                "digits {}, nature of address {}, numbering plan {}, indicator {}, presentation {}, screening {}",
                n.digits, n.nature_of_address, n.numbering_plan, u8::from(n.indicator), n.presentation, n.screening
            ),
            None => format!("{other:?}"),
        },
    };
    format!("{}: {}", param_name(p.code(), variant), detail)
}

/// Decode an ISUP message (CIC first) into text: a header line with the
/// message type and CIC, then one line per parameter. Undecodable input gives
/// one line with the error.
pub fn describe(buf: &[u8], variant: Variant) -> String {
    let m = match MessageRepr::parse(buf, variant) {
        Ok(m) => m,
        Err(e) => return format!("malformed ISUP message: {e}\n"),
    };
    let mut s = String::new();
    let t = m.message_type;
    let _ = writeln!(s, "{} (0x{:02x}) CIC {}", message_name(t), t.code(), m.cic);
    for p in m.params() {
        let _ = writeln!(s, "  {}", param_line(p, variant));
    }
    if !m.raw_body.is_empty() {
        let _ = writeln!(s, "  body: {}", hex(&m.raw_body));
    }
    s
}
