//! Human-readable decode of Q.931 messages (in the spirit of pridump).

use std::fmt::Write;

use super::ie::{ie_name, IeRepr, RawIe};
use super::ie_types::ChannelSpec;
use super::ie_types_more::Subaddress;
use super::message::{CallRef, Message};
use super::names::*;

fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 3);
    for (i, x) in b.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let _ = write!(s, "{x:02x}");
    }
    s
}

/// Decode one Q.931 message into a multi-line, human-readable description:
/// message type, call reference and flag, then every IE with its decoded
/// fields. Never panics; malformed input is described as such.
pub fn describe(frame: &[u8]) -> String {
    let mut s = String::new();
    let msg = match Message::new_checked(frame) {
        Ok(m) => m,
        Err(e) => {
            let _ = writeln!(s, "Invalid Q.931 message: {e}");
            let _ = writeln!(s, "  raw: [{}]", hex(frame));
            return s;
        }
    };
    let _ = writeln!(
        s,
        "Protocol discriminator: Q.931 (0x08), {} octets",
        frame.len()
    );
    let cr = msg.call_ref();
    match cr {
        CallRef::Dummy => {
            let _ = writeln!(s, "Call reference: dummy (length 0)");
        }
        _ => {
            let side = if cr.flag() {
                "to the side that allocated the CR"
            } else {
                "from the side that allocated the CR"
            };
            let global = if cr.is_global() { " (global)" } else { "" };
            let _ = writeln!(
                s,
                "Call reference: length {}, value {} (0x{:x}){global}, flag {} ({side})",
                cr.len(),
                cr.value(),
                cr.value(),
                u8::from(cr.flag())
            );
        }
    }
    let mt = msg.msg_type();
    let _ = writeln!(
        s,
        "Message type: {} (0x{:02x})",
        mt.name().unwrap_or("UNKNOWN"),
        u8::from(mt)
    );
    let mut consumed = 0usize;
    for raw in msg.ies() {
        match raw {
            Ok(raw) => {
                consumed += raw.wire.len();
                describe_ie(&mut s, &raw);
            }
            Err(e) => {
                let rest = msg.ie_bytes().get(consumed..).unwrap_or(&[]);
                let _ = writeln!(s, "  !! {e}");
                let _ = writeln!(s, "     remaining octets: [{}]", hex(rest));
            }
        }
    }
    s
}

fn describe_ie(s: &mut String, raw: &RawIe<'_>) {
    let name = ie_name(raw.codeset, raw.id).unwrap_or("Unknown IE");
    if raw.is_single_octet() {
        let _ = write!(s, "  [{:02x}] {name}", raw.id);
    } else {
        let _ = write!(
            s,
            "  [{}] {name} (0x{:02x}, codeset {}), length {}",
            hex(raw.wire),
            raw.id,
            raw.codeset,
            raw.data.len()
        );
    }
    let repr = match IeRepr::parse(raw) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(s, "\n      !! {e}");
            return;
        }
    };
    let mut lines: Vec<String> = Vec::new();
    match &repr {
        IeRepr::Shift { locking, codeset } => {
            let kind = if *locking { "locking" } else { "non-locking" };
            let _ = write!(s, ": {kind} shift to codeset {codeset}");
        }
        IeRepr::CongestionLevel(l) => {
            let _ = write!(s, ": level {l}");
        }
        IeRepr::RepeatIndicator(r) => {
            let _ = write!(s, ": indication {r}");
        }
        IeRepr::BearerCapability(b) => {
            lines.push(format!(
                "coding standard: {} ({})",
                coding_name(b.coding_standard),
                b.coding_standard
            ));
            lines.push(format!(
                "information transfer capability: {} (0x{:02x})",
                capability_name(b.transfer_capability),
                b.transfer_capability
            ));
            lines.push(format!(
                "transfer mode: {} ({}), rate: {} (0x{:02x})",
                if b.transfer_mode == 0 {
                    "circuit"
                } else {
                    "packet/other"
                },
                b.transfer_mode,
                rate_name(b.transfer_rate),
                b.transfer_rate
            ));
            if let Some(m) = b.rate_multiplier {
                lines.push(format!("rate multiplier: {m}"));
            }
            if let Some(l1) = b.layer1 {
                lines.push(format!("user info layer 1: {} ({l1})", layer1_name(l1)));
            }
            if !b.layer1_ext.is_empty() {
                lines.push(format!(
                    "layer 1 extension octets: [{}]",
                    hex(&b.layer1_ext)
                ));
            }
            if !b.rest.is_empty() {
                lines.push(format!("further octets: [{}]", hex(&b.rest)));
            }
        }
        IeRepr::Cause(c) => {
            lines.push(format!(
                "coding standard: {} ({}), location: {} ({})",
                coding_name(c.coding_standard),
                c.coding_standard,
                location_name(c.location),
                c.location
            ));
            if let Some(r) = c.recommendation {
                lines.push(format!("recommendation: {r}"));
            }
            lines.push(format!("cause: {} ({})", cause_name(c.value), c.value));
            if !c.diagnostics.is_empty() {
                lines.push(format!("diagnostics: [{}]", hex(&c.diagnostics)));
            }
        }
        IeRepr::CallState(c) => {
            lines.push(format!(
                "coding standard: {} ({}), state: {}",
                coding_name(c.coding_standard),
                c.coding_standard,
                call_state_name(c.value)
            ));
        }
        IeRepr::ChannelId(c) => {
            lines.push(format!(
                "interface: {}{}, {}, D-channel: {}, selection: {}",
                if c.primary {
                    "primary rate"
                } else {
                    "basic rate"
                },
                match &c.interface_id {
                    Some(i) => format!(" (explicit id [{}])", hex(i)),
                    None => " (implicit)".to_string(),
                },
                if c.exclusive {
                    "exclusive"
                } else {
                    "preferred"
                },
                if c.d_channel { "yes" } else { "no" },
                c.selection
            ));
            if let Some((coding, ty, spec)) = &c.channels {
                let ty = if *ty == 3 {
                    "B-channel units".to_string()
                } else {
                    format!("type {ty}")
                };
                match spec {
                    ChannelSpec::Numbers(n) => lines.push(format!(
                        "coding standard: {}, {ty}, channel number(s): {:?}",
                        coding_name(*coding),
                        n
                    )),
                    ChannelSpec::Map(m) => lines.push(format!(
                        "coding standard: {}, {ty}, slot map: [{}]",
                        coding_name(*coding),
                        hex(m)
                    )),
                }
            }
        }
        IeRepr::ProgressIndicator(p) => {
            lines.push(format!(
                "coding standard: {} ({}), location: {} ({})",
                coding_name(p.coding_standard),
                p.coding_standard,
                location_name(p.location),
                p.location
            ));
            lines.push(format!(
                "description: {} ({})",
                progress_name(p.description),
                p.description
            ));
        }
        IeRepr::Display(d) => lines.push(format!("text: '{}'", d.text())),
        IeRepr::ConnectedNumber(n)
        | IeRepr::CallingNumber(n)
        | IeRepr::CalledNumber(n)
        | IeRepr::RedirectingNumber(n) => {
            lines.push(format!(
                "type of number: {} ({}), numbering plan: {} ({})",
                ton_name(n.type_of_number),
                n.type_of_number,
                plan_name(n.numbering_plan),
                n.numbering_plan
            ));
            if let Some(p) = n.presentation {
                lines.push(format!(
                    "presentation: {} ({}), screening: {} ({})",
                    presentation_name(p.presentation),
                    p.presentation,
                    screening_name(p.screening),
                    p.screening
                ));
            }
            if let Some(r) = n.redirection_reason {
                lines.push(format!(
                    "reason for redirection: {} ({r})",
                    redirection_reason_name(r)
                ));
            }
            lines.push(format!("digits: '{}'", n.digits_str()));
        }
        IeRepr::RestartIndicator(r) => lines.push(format!(
            "class: {} ({})",
            restart_class_name(r.class),
            r.class
        )),
        IeRepr::Facility(f) => {
            lines.push(format!(
                "Facility: {} (0x{:02x}), {} octets of components",
                facility_profile_name(f.protocol_profile),
                f.protocol_profile,
                f.components.len()
            ));
            if !f.components.is_empty() {
                lines.push(format!("components: [{}]", hex(&f.components)));
            }
        }
        IeRepr::NotificationIndicator(n) => {
            lines.push(format!(
                "Notification indicator: {} (0x{:02x})",
                n.name(),
                n.description
            ));
            if !n.extension.is_empty() {
                lines.push(format!("extension octets: [{}]", hex(&n.extension)));
            }
        }
        IeRepr::DateTime(d) => lines.push(format!("Date/time: {d}")),
        IeRepr::KeypadFacility(k) => lines.push(format!("Keypad facility: '{}'", k.text())),
        IeRepr::Signal(g) => lines.push(format!("Signal: {} (0x{:02x})", g.name(), g.value)),
        IeRepr::CallingSubaddress(a) => lines.push(subaddress_line("Calling", a)),
        IeRepr::CalledSubaddress(a) => lines.push(subaddress_line("Called", a)),
        IeRepr::LowLayerCompatibility(l) => {
            lines.push(format!(
                "Low layer compatibility: {} (0x{:02x}), {} ({}), {} (0x{:02x})",
                capability_name(l.transfer_capability),
                l.transfer_capability,
                if l.transfer_mode == 0 {
                    "circuit mode"
                } else {
                    "packet/other mode"
                },
                l.transfer_mode,
                rate_name(l.transfer_rate),
                l.transfer_rate
            ));
            lines.push(format!(
                "coding standard: {} ({})",
                coding_name(l.coding_standard),
                l.coding_standard
            ));
            if let Some(n) = l.out_band_negotiation {
                lines.push(format!(
                    "out-band negotiation: {}",
                    if n { "possible" } else { "not possible" }
                ));
            }
            if let Some(m) = l.rate_multiplier {
                lines.push(format!("rate multiplier: {m}"));
            }
            if !l.rest.is_empty() {
                lines.push(format!("layer 1/2/3 octets: [{}]", hex(&l.rest)));
            }
        }
        IeRepr::HighLayerCompatibility(h) => {
            lines.push(format!(
                "High layer compatibility: {} (0x{:02x})",
                hlc_name(h.characteristics),
                h.characteristics
            ));
            lines.push(format!(
                "coding standard: {} ({}), interpretation: {} ({}), presentation: {} ({})",
                coding_name(h.coding_standard),
                h.coding_standard,
                hlc_interpretation_name(h.interpretation),
                h.interpretation,
                hlc_presentation_name(h.presentation),
                h.presentation
            ));
            if let Some(e) = h.extended {
                lines.push(format!(
                    "extended characteristics: {} (0x{e:02x})",
                    hlc_name(e)
                ));
            }
        }
        IeRepr::Opaque { id, .. } => {
            if ie_name(0, *id).is_some() && is_typed_id(*id) {
                lines.push("(encoding not covered by the typed decoder; kept as bytes)".into());
            }
        }
        IeRepr::MoreData | IeRepr::SendingComplete | IeRepr::Unknown { .. } => {}
    }
    s.push('\n');
    for l in lines {
        let _ = writeln!(s, "      {l}");
    }
}

fn subaddress_line(side: &str, a: &Subaddress) -> String {
    let ia5 = match a.ia5_text() {
        Some(t) => format!(" (IA5 '{t}')"),
        None => String::new(),
    };
    format!(
        "{side} party subaddress: {} ({}), {}, information [{}]{ia5}",
        subaddress_type_name(a.kind),
        a.kind,
        if a.odd { "odd" } else { "even" },
        hex(&a.info)
    )
}

fn is_typed_id(id: u8) -> bool {
    matches!(
        id,
        0x04 | 0x08
            | 0x14
            | 0x18
            | 0x1c
            | 0x1e
            | 0x27
            | 0x28
            | 0x29
            | 0x2c
            | 0x34
            | 0x4c
            | 0x6c
            | 0x6d
            | 0x70
            | 0x71
            | 0x74
            | 0x79
            | 0x7c
            | 0x7d
    )
}
