//! Offline decoding of SS7 signal units given as hex: `trunkctl decode isup
//! HEX`, `trunkctl decode mtp3 HEX` and `trunkctl decode mtp2 HEX`, each with
//! `--variant itu|ansi|china`.
//!
//! Unlike the Q.931 decoder, which describes a bad message in its output,
//! these return an `Err` naming what is wrong, so that `trunkctl` can print it
//! and exit with status 2.
//!
//! * ISUP: the octets from the CIC on (the MTP3 payload of SI 5).
//! * MTP3: an MSU from its SIO: SIO, routing label, then the SNM, SNT or ISUP
//!   payload described (other user parts as hex).
//! * MTP2: a signal unit from its BSN octet, without flags and FCS: BSN, BIB,
//!   FSN, FIB and LI, the status of an LSSU, and an MSU decoded as MTP3.

use std::fmt::Write;
use std::str::FromStr;

use trunk_ss7::isup;
use trunk_ss7::mtp2::{SignalUnit, SuKind};
use trunk_ss7::mtp3::{self, si, NetworkIndicator, RoutingLabel, Sio, SltKind, SnmMessage};

/// The SS7 variant a signal unit is decoded with: it decides the routing
/// label layout (14- or 24-bit point codes) and the ISUP parameter set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ss7Variant {
    /// ITU-T Q.704 / Q.763.
    #[default]
    Itu,
    /// ANSI T1.111 / T1.113.
    Ansi,
    /// China: ITU formats with 24-bit point codes.
    China,
}

impl Ss7Variant {
    /// The MTP3 variant.
    pub fn mtp3(self) -> mtp3::Variant {
        match self {
            Ss7Variant::Itu => mtp3::Variant::Itu,
            Ss7Variant::Ansi => mtp3::Variant::Ansi,
            Ss7Variant::China => mtp3::Variant::China,
        }
    }

    /// The ISUP variant.
    pub fn isup(self) -> isup::Variant {
        match self {
            Ss7Variant::Itu => isup::Variant::Itu,
            Ss7Variant::Ansi => isup::Variant::Ansi,
            Ss7Variant::China => isup::Variant::China,
        }
    }
}

impl Ss7Variant {
    /// The variant's name as `--variant` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Ss7Variant::Itu => "itu",
            Ss7Variant::Ansi => "ansi",
            Ss7Variant::China => "china",
        }
    }
}

impl FromStr for Ss7Variant {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "itu" => Ok(Ss7Variant::Itu),
            "ansi" => Ok(Ss7Variant::Ansi),
            "china" => Ok(Ss7Variant::China),
            _ => Err(format!(
                "unknown SS7 variant `{s}`: expected itu, ansi or china"
            )),
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Indents every line of `text` by `n` spaces.
fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines().fold(String::new(), |mut s, l| {
        let _ = writeln!(s, "{pad}{l}");
        s
    })
}

/// Human-readable decode of one ISUP message (from the CIC on).
pub fn isup(bytes: &[u8], variant: Ss7Variant) -> Result<String, String> {
    isup::MessageRepr::parse(bytes, variant.isup())
        .map_err(|e| format!("malformed ISUP message: {e}"))?;
    Ok(isup::describe(bytes, variant.isup()))
}

fn si_name(si_value: u8) -> &'static str {
    match si_value {
        si::SNM => "SNM",
        si::SNT => "SNT",
        si::SNT_SPECIAL => "SNT special",
        si::SCCP => "SCCP",
        si::TUP => "TUP",
        si::ISUP => "ISUP",
        si::DUP_CALL => "DUP call",
        si::DUP_FACILITY => "DUP facility",
        si::MTP_TEST => "MTP test",
        si::BISUP => "B-ISUP",
        si::SISUP => "satellite ISUP",
        _ => "spare",
    }
}

fn ni_name(ni: NetworkIndicator) -> &'static str {
    match ni {
        NetworkIndicator::International => "international",
        NetworkIndicator::InternationalSpare => "international spare",
        NetworkIndicator::National => "national",
        NetworkIndicator::NationalSpare => "national spare",
    }
}

/// The fields of an SNM message after its name.
fn snm_fields(m: &SnmMessage, v: mtp3::Variant) -> String {
    use SnmMessage::*;
    let pc = |p: &mtp3::PointCode| format!("{} ({})", p.display(v), p.value());
    match m {
        Coo { slc, fsn } | Coa { slc, fsn } => format!("SLC {slc}, FSN {fsn}"),
        Xco { slc, fsn } | Xca { slc, fsn } => format!("SLC {slc}, FSN {fsn}"),
        Cbd { slc, code } | Cba { slc, code } => format!("SLC {slc}, changeback code {code}"),
        Tfc { dest, status } => format!("destination {}, congestion status {status}", pc(dest)),
        Tfp { dest } | Tfr { dest } | Tfa { dest } | Rst { dest } | Rsr { dest } => {
            format!("destination {}", pc(dest))
        }
        Tcp { dest } | Tcr { dest } | Tca { dest } => format!("cluster {}", pc(dest)),
        Upu {
            dest,
            user_part,
            cause,
        } => format!(
            "destination {}, user part {user_part} ({}), cause {cause} ({})",
            pc(dest),
            si_name(*user_part),
            match *cause {
                mtp3::snm::upu_cause::UNKNOWN => "unknown",
                mtp3::snm::upu_cause::UNEQUIPPED => "unequipped remote user",
                mtp3::snm::upu_cause::INACCESSIBLE => "inaccessible remote user",
                _ => "spare",
            }
        ),
        other => match other.slc() {
            Some(slc) => format!("SLC {slc}"),
            None => String::new(),
        },
    }
}

/// Human-readable decode of one MSU from its SIO octet: SIO, routing label,
/// and the SNM, SNT or ISUP message (other user parts as hex).
pub fn mtp3(bytes: &[u8], variant: Ss7Variant) -> Result<String, String> {
    let v = variant.mtp3();
    let Some((&sio_octet, sif)) = bytes.split_first() else {
        return Err("malformed MTP3 message: no SIO octet".into());
    };
    let sio = Sio::from_octet(sio_octet);
    let (label, payload) = RoutingLabel::parse(v, sif).map_err(|e| {
        format!(
            "malformed MTP3 message: routing label: {e} ({} octets after the SIO, the {} label needs {})",
            sif.len(),
            variant.name(),
            v.label_len()
        )
    })?;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "SIO 0x{sio_octet:02x}: SI {} ({}), NI {} ({}), priority {}",
        sio.si,
        si_name(sio.si),
        sio.ni.bits(),
        ni_name(sio.ni),
        sio.priority
    );
    let _ = writeln!(
        s,
        "label: DPC {} ({}), OPC {} ({}), SLS {}",
        label.dpc.display(v),
        label.dpc.value(),
        label.opc.display(v),
        label.opc.value(),
        label.sls
    );
    match sio.si {
        si::SNM => {
            let m = SnmMessage::parse(v, label.sls, payload)
                .map_err(|e| format!("malformed SNM message: {e}"))?;
            let (h0, h1) = m.heading();
            let fields = snm_fields(&m, v);
            let sep = if fields.is_empty() { "" } else { ": " };
            let _ = writeln!(s, "SNM {} (H0={h0} H1={h1}){sep}{fields}", m.name());
        }
        si::SNT | si::SNT_SPECIAL => {
            let m = mtp3::SltMessage::parse(v, label.sls, payload)
                .map_err(|e| format!("malformed SNT message: {e}"))?;
            let kind = match m.kind {
                SltKind::Sltm => "SLTM",
                SltKind::Slta => "SLTA",
            };
            let _ = writeln!(
                s,
                "SNT {kind}: SLC {}, test pattern ({} octets) {}",
                m.slc,
                m.pattern.len(),
                hex(&m.pattern)
            );
        }
        si::ISUP => {
            let text = isup(payload, variant)?;
            s += "ISUP: ";
            let mut lines = text.lines();
            if let Some(first) = lines.next() {
                let _ = writeln!(s, "{first}");
            }
            for l in lines {
                let _ = writeln!(s, "  {l}");
            }
        }
        other => {
            let _ = writeln!(
                s,
                "{} payload ({} octets): {}",
                si_name(other),
                payload.len(),
                hex(payload)
            );
        }
    }
    Ok(s)
}

/// Human-readable decode of one MTP2 signal unit from its BSN octet (no
/// flags, no FCS): the header, an LSSU's status, an MSU decoded as MTP3.
pub fn mtp2(bytes: &[u8], variant: Ss7Variant) -> Result<String, String> {
    let su = SignalUnit::parse(bytes).map_err(|e| format!("malformed MTP2 signal unit: {e}"))?;
    let li = bytes.get(2).map_or(0, |b| b & 0x3f);
    let mut s = format!(
        "MTP2: BSN {} BIB {}, FSN {} FIB {}, LI {li}",
        su.bsn,
        u8::from(su.bib),
        su.fsn,
        u8::from(su.fib)
    );
    match su.kind {
        SuKind::Fisu => s += ": FISU\n",
        SuKind::Lssu { status, .. } => {
            let meaning = match status.code() {
                0 => "out of alignment",
                1 => "normal alignment",
                2 => "emergency alignment",
                3 => "out of service",
                4 => "processor outage",
                _ => "busy",
            };
            let _ = writeln!(s, ": LSSU {status} ({meaning})");
        }
        SuKind::Msu { .. } => {
            let _ = writeln!(s, ": MSU ({} octets of SIO and SIF)", bytes.len() - 3);
            s += &indent(&mtp3(&bytes[3..], variant)?, 2);
        }
    }
    Ok(s)
}

/// Decodes `bytes` as `protocol` (`isup`, `mtp3` or `mtp2`).
pub fn decode(protocol: &str, bytes: &[u8], variant: Ss7Variant) -> Result<String, String> {
    match protocol {
        "isup" => isup(bytes, variant),
        "mtp3" => mtp3(bytes, variant),
        "mtp2" => mtp2(bytes, variant),
        other => Err(format!(
            "`{other}` is not an SS7 protocol (isup, mtp3, mtp2)"
        )),
    }
}
