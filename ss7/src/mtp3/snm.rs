//! Signalling network management messages (Q.704 §15; T1.111.4 §15),
//! service indicator 0.
//!
//! After the routing label comes the heading octet: H0 (message group) in
//! the low four bits, H1 (message) in the high four bits, then the fields.
//!
//! Where the variants differ:
//!
//! * The signalling link code (SLC) of changeover, changeback, emergency
//!   changeover and link management messages travels in the label's SLS in ITU
//!   and China; ANSI puts it in a 4-bit field after the heading.
//! * Destination fields are 14 bits plus 2 spare bits in ITU, 24 bits in ANSI
//!   and China.
//! * ANSI adds the cluster messages TCP/TCR/TCA and TRW.

use super::label::{Mtp3Error, PointCode, RoutingLabel, Variant};

/// A signalling network management message.
///
/// `slc` fields are 0..=15; `fsn` fields of COO/COA are 7 bits, of XCO/XCA
/// 24 bits. `dest` is the affected destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SnmMessage {
    /// Changeover order, with the FSN of the last accepted MSU.
    Coo {
        /// Signalling link code of the failed link.
        slc: u8,
        /// FSN of the last MSU accepted on that link (7 bits).
        fsn: u8,
    },
    /// Changeover acknowledgement.
    Coa {
        /// Signalling link code of the failed link.
        slc: u8,
        /// FSN of the last MSU accepted on that link (7 bits).
        fsn: u8,
    },
    /// Extended changeover order (24-bit FSN, high-speed links).
    Xco {
        /// Signalling link code.
        slc: u8,
        /// FSN of the last accepted MSU (24 bits).
        fsn: u32,
    },
    /// Extended changeover acknowledgement.
    Xca {
        /// Signalling link code.
        slc: u8,
        /// FSN of the last accepted MSU (24 bits).
        fsn: u32,
    },
    /// Changeback declaration.
    Cbd {
        /// Signalling link code of the link traffic returns to.
        slc: u8,
        /// Changeback code identifying this changeback.
        code: u8,
    },
    /// Changeback acknowledgement.
    Cba {
        /// Signalling link code.
        slc: u8,
        /// Changeback code copied from the CBD.
        code: u8,
    },
    /// Emergency changeover order (FSN not known).
    Eco {
        /// Signalling link code.
        slc: u8,
    },
    /// Emergency changeover acknowledgement.
    Eca {
        /// Signalling link code.
        slc: u8,
    },
    /// Signalling-route-set-congestion-test.
    Rct,
    /// Transfer controlled (congestion towards `dest`).
    Tfc {
        /// Congested destination.
        dest: PointCode,
        /// Congestion status 0-3 (national option in ITU).
        status: u8,
    },
    /// Transfer prohibited.
    Tfp {
        /// Destination.
        dest: PointCode,
    },
    /// Transfer restricted.
    Tfr {
        /// Destination.
        dest: PointCode,
    },
    /// Transfer allowed.
    Tfa {
        /// Destination.
        dest: PointCode,
    },
    /// Transfer cluster prohibited (ANSI).
    Tcp {
        /// Cluster (member octet 0).
        dest: PointCode,
    },
    /// Transfer cluster restricted (ANSI).
    Tcr {
        /// Cluster.
        dest: PointCode,
    },
    /// Transfer cluster allowed (ANSI).
    Tca {
        /// Cluster.
        dest: PointCode,
    },
    /// Signalling-route-set-test for a prohibited destination (RST / RSP).
    Rst {
        /// Destination.
        dest: PointCode,
    },
    /// Signalling-route-set-test for a restricted destination.
    Rsr {
        /// Destination.
        dest: PointCode,
    },
    /// Link inhibit.
    Lin {
        /// Signalling link code.
        slc: u8,
    },
    /// Link uninhibit.
    Lun {
        /// Signalling link code.
        slc: u8,
    },
    /// Link inhibit acknowledgement.
    Lia {
        /// Signalling link code.
        slc: u8,
    },
    /// Link uninhibit acknowledgement.
    Lua {
        /// Signalling link code.
        slc: u8,
    },
    /// Link inhibit denied.
    Lid {
        /// Signalling link code.
        slc: u8,
    },
    /// Link forced uninhibit.
    Lfu {
        /// Signalling link code.
        slc: u8,
    },
    /// Link local inhibit test.
    Llt {
        /// Signalling link code.
        slc: u8,
    },
    /// Link remote inhibit test.
    Lrt {
        /// Signalling link code.
        slc: u8,
    },
    /// Traffic restart allowed.
    Tra,
    /// Traffic restart waiting (ANSI).
    Trw,
    /// User part unavailable.
    Upu {
        /// Point code where the user part is unavailable.
        dest: PointCode,
        /// User part identity (a service indicator value, 0-15).
        user_part: u8,
        /// Unavailability cause (see [`upu_cause`]).
        cause: u8,
    },
}

/// UPU unavailability causes (Q.704 §15.17.5).
pub mod upu_cause {
    /// Unknown.
    pub const UNKNOWN: u8 = 0;
    /// Unequipped remote user.
    pub const UNEQUIPPED: u8 = 1;
    /// Inaccessible remote user.
    pub const INACCESSIBLE: u8 = 2;
}

/// Which fields follow the heading.
#[derive(Clone, Copy)]
enum Shape {
    None,
    Slc,
    Fsn7,
    Fsn24,
    Cbc,
    Dest,
    DestStatus,
    DestUpu,
}

fn shape(h0: u8, h1: u8, variant: Variant) -> Option<Shape> {
    let ansi = variant == Variant::Ansi;
    Some(match (h0, h1) {
        (1, 1 | 2) => Shape::Fsn7,
        (1, 3 | 4) => Shape::Fsn24,
        (1, 5 | 6) => Shape::Cbc,
        (2, 1 | 2) | (6, 1..=8) => Shape::Slc,
        (3, 1) | (7, 1) => Shape::None,
        (7, 2) if ansi => Shape::None,
        (3, 2) => Shape::DestStatus,
        (4, 1 | 3 | 5) | (5, 1 | 2) => Shape::Dest,
        (4, 2 | 4 | 6) if ansi => Shape::Dest,
        (0xA, 1) => Shape::DestUpu,
        _ => return None,
    })
}

impl SnmMessage {
    /// H0 and H1 of the message.
    pub const fn heading(&self) -> (u8, u8) {
        use SnmMessage::*;
        match self {
            Coo { .. } => (1, 1),
            Coa { .. } => (1, 2),
            Xco { .. } => (1, 3),
            Xca { .. } => (1, 4),
            Cbd { .. } => (1, 5),
            Cba { .. } => (1, 6),
            Eco { .. } => (2, 1),
            Eca { .. } => (2, 2),
            Rct => (3, 1),
            Tfc { .. } => (3, 2),
            Tfp { .. } => (4, 1),
            Tcp { .. } => (4, 2),
            Tfr { .. } => (4, 3),
            Tcr { .. } => (4, 4),
            Tfa { .. } => (4, 5),
            Tca { .. } => (4, 6),
            Rst { .. } => (5, 1),
            Rsr { .. } => (5, 2),
            Lin { .. } => (6, 1),
            Lun { .. } => (6, 2),
            Lia { .. } => (6, 3),
            Lua { .. } => (6, 4),
            Lid { .. } => (6, 5),
            Lfu { .. } => (6, 6),
            Llt { .. } => (6, 7),
            Lrt { .. } => (6, 8),
            Tra => (7, 1),
            Trw => (7, 2),
            Upu { .. } => (0xA, 1),
        }
    }

    /// The abbreviation a telco engineer uses (COO, TFP, UPU...).
    pub const fn name(&self) -> &'static str {
        use SnmMessage::*;
        match self {
            Coo { .. } => "COO",
            Coa { .. } => "COA",
            Xco { .. } => "XCO",
            Xca { .. } => "XCA",
            Cbd { .. } => "CBD",
            Cba { .. } => "CBA",
            Eco { .. } => "ECO",
            Eca { .. } => "ECA",
            Rct => "RCT",
            Tfc { .. } => "TFC",
            Tfp { .. } => "TFP",
            Tcp { .. } => "TCP",
            Tfr { .. } => "TFR",
            Tcr { .. } => "TCR",
            Tfa { .. } => "TFA",
            Tca { .. } => "TCA",
            Rst { .. } => "RST",
            Rsr { .. } => "RSR",
            Lin { .. } => "LIN",
            Lun { .. } => "LUN",
            Lia { .. } => "LIA",
            Lua { .. } => "LUA",
            Lid { .. } => "LID",
            Lfu { .. } => "LFU",
            Llt { .. } => "LLT",
            Lrt { .. } => "LRT",
            Tra => "TRA",
            Trw => "TRW",
            Upu { .. } => "UPU",
        }
    }

    /// The signalling link code the message concerns, if it has one.
    pub const fn slc(&self) -> Option<u8> {
        use SnmMessage::*;
        match *self {
            Coo { slc, .. } | Coa { slc, .. } | Xco { slc, .. } | Xca { slc, .. } => Some(slc),
            Cbd { slc, .. } | Cba { slc, .. } | Eco { slc } | Eca { slc } => Some(slc),
            Lin { slc } | Lun { slc } | Lia { slc } | Lua { slc } => Some(slc),
            Lid { slc } | Lfu { slc } | Llt { slc } | Lrt { slc } => Some(slc),
            _ => None,
        }
    }

    /// Parses the part of a SNM SIF after the routing label. `label_sls` is
    /// the label's SLS, which carries the SLC in ITU and China.
    pub fn parse(variant: Variant, label_sls: u8, payload: &[u8]) -> Result<Self, Mtp3Error> {
        use SnmMessage::*;
        let (&heading, body) = payload.split_first().ok_or(Mtp3Error::TooShort)?;
        let (h0, h1) = (heading & 0x0F, heading >> 4);
        let shape = shape(h0, h1, variant).ok_or(Mtp3Error::UnknownHeading { h0, h1 })?;
        let ansi = variant == Variant::Ansi;
        let get = |i: usize| body.get(i).copied().ok_or(Mtp3Error::TooShort);
        let mut slc = label_sls & 0x0F;
        let mut fsn = 0u32;
        let mut code = 0u8;
        let mut dest = PointCode(0);
        let mut status = 0u8;
        let mut user_part = 0u8;
        let mut cause = 0u8;
        match shape {
            Shape::None => {}
            Shape::Slc => {
                if ansi {
                    slc = get(0)? & 0x0F;
                }
            }
            Shape::Fsn7 => {
                if ansi {
                    let w = u16::from_le_bytes([get(0)?, get(1)?]);
                    slc = (w & 0x0F) as u8;
                    fsn = u32::from((w >> 4) & 0x7F);
                } else {
                    fsn = u32::from(get(0)? & 0x7F);
                }
            }
            Shape::Fsn24 => {
                if ansi {
                    let w = u32::from_le_bytes([get(0)?, get(1)?, get(2)?, get(3)?]);
                    slc = (w & 0x0F) as u8;
                    fsn = (w >> 4) & 0xFF_FFFF;
                } else {
                    fsn = u32::from_le_bytes([get(0)?, get(1)?, get(2)?, 0]);
                }
            }
            Shape::Cbc => {
                if ansi {
                    let w = u16::from_le_bytes([get(0)?, get(1)?]);
                    slc = (w & 0x0F) as u8;
                    code = (w >> 4) as u8;
                } else {
                    code = get(0)?;
                }
            }
            Shape::Dest | Shape::DestStatus | Shape::DestUpu => {
                let (pc, spare) = PointCode::read_field(variant, body)?;
                dest = pc;
                let n = variant.pc_octets();
                match shape {
                    Shape::DestStatus => {
                        status = if variant == Variant::Itu {
                            spare
                        } else {
                            get(n)? & 3
                        };
                    }
                    Shape::DestUpu => {
                        let o = get(n)?;
                        user_part = o & 0x0F;
                        cause = o >> 4;
                    }
                    _ => {}
                }
            }
        }
        let fsn7 = fsn as u8;
        Ok(match (h0, h1) {
            (1, 1) => Coo { slc, fsn: fsn7 },
            (1, 2) => Coa { slc, fsn: fsn7 },
            (1, 3) => Xco { slc, fsn },
            (1, 4) => Xca { slc, fsn },
            (1, 5) => Cbd { slc, code },
            (1, 6) => Cba { slc, code },
            (2, 1) => Eco { slc },
            (2, 2) => Eca { slc },
            (3, 1) => Rct,
            (3, 2) => Tfc { dest, status },
            (4, 1) => Tfp { dest },
            (4, 2) => Tcp { dest },
            (4, 3) => Tfr { dest },
            (4, 4) => Tcr { dest },
            (4, 5) => Tfa { dest },
            (4, 6) => Tca { dest },
            (5, 1) => Rst { dest },
            (5, 2) => Rsr { dest },
            (6, 1) => Lin { slc },
            (6, 2) => Lun { slc },
            (6, 3) => Lia { slc },
            (6, 4) => Lua { slc },
            (6, 5) => Lid { slc },
            (6, 6) => Lfu { slc },
            (6, 7) => Llt { slc },
            (6, 8) => Lrt { slc },
            (7, 1) => Tra,
            (7, 2) => Trw,
            _ => Upu {
                dest,
                user_part,
                cause,
            },
        })
    }

    /// Appends the heading and fields (the part after the label) to `out`.
    pub fn emit(&self, variant: Variant, out: &mut Vec<u8>) -> Result<(), Mtp3Error> {
        use SnmMessage::*;
        let (h0, h1) = self.heading();
        if shape(h0, h1, variant).is_none() {
            return Err(Mtp3Error::UnknownHeading { h0, h1 });
        }
        let ansi = variant == Variant::Ansi;
        let slc = self.slc().unwrap_or(0);
        if slc > 15 {
            return Err(Mtp3Error::FieldOutOfRange);
        }
        out.push(h0 | (h1 << 4));
        match *self {
            Coo { fsn, .. } | Coa { fsn, .. } => {
                if fsn > 0x7F {
                    return Err(Mtp3Error::FieldOutOfRange);
                }
                if ansi {
                    let w = u16::from(slc) | (u16::from(fsn) << 4);
                    out.extend_from_slice(&w.to_le_bytes());
                } else {
                    out.push(fsn);
                }
            }
            Xco { fsn, .. } | Xca { fsn, .. } => {
                if fsn > 0xFF_FFFF {
                    return Err(Mtp3Error::FieldOutOfRange);
                }
                if ansi {
                    out.extend_from_slice(&(u32::from(slc) | (fsn << 4)).to_le_bytes());
                } else {
                    out.extend_from_slice(&fsn.to_le_bytes()[..3]);
                }
            }
            Cbd { code, .. } | Cba { code, .. } => {
                if ansi {
                    let w = u16::from(slc) | (u16::from(code) << 4);
                    out.extend_from_slice(&w.to_le_bytes());
                } else {
                    out.push(code);
                }
            }
            Eco { .. } | Eca { .. } | Lin { .. } | Lun { .. } | Lia { .. } | Lua { .. } => {
                if ansi {
                    out.push(slc);
                }
            }
            Lid { .. } | Lfu { .. } | Llt { .. } | Lrt { .. } => {
                if ansi {
                    out.push(slc);
                }
            }
            Rct | Tra | Trw => {}
            Tfc { dest, status } => {
                if status > 3 {
                    return Err(Mtp3Error::FieldOutOfRange);
                }
                if variant == Variant::Itu {
                    dest.write_field(variant, status, out)?;
                } else {
                    dest.write_field(variant, 0, out)?;
                    out.push(status);
                }
            }
            Tfp { dest } | Tfr { dest } | Tfa { dest } | Tcp { dest } | Tcr { dest } => {
                dest.write_field(variant, 0, out)?;
            }
            Tca { dest } | Rst { dest } | Rsr { dest } => dest.write_field(variant, 0, out)?,
            Upu {
                dest,
                user_part,
                cause,
            } => {
                if user_part > 15 || cause > 15 {
                    return Err(Mtp3Error::FieldOutOfRange);
                }
                dest.write_field(variant, 0, out)?;
                out.push(user_part | (cause << 4));
            }
        }
        Ok(())
    }

    /// Builds a whole SIF (label + message). In ITU and China the label's SLS
    /// is replaced by the message's SLC when the message has one.
    pub fn to_sif(&self, variant: Variant, label: RoutingLabel) -> Result<Vec<u8>, Mtp3Error> {
        let mut label = label;
        if variant != Variant::Ansi {
            if let Some(slc) = self.slc() {
                label.sls = slc;
            }
        }
        let mut out = Vec::with_capacity(16);
        label.emit(variant, &mut out)?;
        self.emit(variant, &mut out)?;
        Ok(out)
    }

    /// Parses a whole SNM SIF into its label and message.
    pub fn from_sif(variant: Variant, sif: &[u8]) -> Result<(RoutingLabel, Self), Mtp3Error> {
        let (label, payload) = RoutingLabel::parse(variant, sif)?;
        Ok((label, SnmMessage::parse(variant, label.sls, payload)?))
    }
}
