//! Wire format tests: known byte vectors from the Q.704/T1.111/Q.707 bit
//! layouts, round trips for every message and variant, and arbitrary input.

use super::label::{parse_msu, si, NetworkIndicator, PointCode, RoutingLabel, Sio, Variant};
use super::snm::{upu_cause, SnmMessage};
use super::snt::{SltKind, SltMessage};
use super::Mtp3Error;
use proptest::prelude::*;

const VARIANTS: [Variant; 3] = [Variant::Itu, Variant::Ansi, Variant::China];

fn label(v: Variant) -> RoutingLabel {
    match v {
        Variant::Itu => RoutingLabel {
            dpc: PointCode(0x2AB),
            opc: PointCode(0x1234),
            sls: 0xA,
        },
        _ => RoutingLabel {
            dpc: PointCode::ansi(1, 2, 3),
            opc: PointCode::ansi(4, 5, 6),
            sls: 0x9,
        },
    }
}

#[test]
fn itu_label_packs_dpc_opc_sls_little_endian() {
    let mut out = Vec::new();
    label(Variant::Itu).emit(Variant::Itu, &mut out).unwrap();
    assert_eq!(out, [0xAB, 0x02, 0x8D, 0xA4]);
    let (l, rest) = RoutingLabel::parse(Variant::Itu, &[0xAB, 0x02, 0x8D, 0xA4, 0x77]).unwrap();
    assert_eq!(l, label(Variant::Itu));
    assert_eq!(rest, [0x77]);
}

#[test]
fn ansi_label_sends_member_cluster_network_then_sls_octet() {
    let mut l = label(Variant::Ansi);
    l.sls = 0xE5;
    let mut out = Vec::new();
    l.emit(Variant::Ansi, &mut out).unwrap();
    assert_eq!(out, [3, 2, 1, 6, 5, 4, 0xE5]);
    assert_eq!(RoutingLabel::parse(Variant::Ansi, &out).unwrap().0, l);
}

#[test]
fn china_label_keeps_four_bit_sls_and_ignores_spare_half() {
    let (l, _) = RoutingLabel::parse(Variant::China, &[3, 2, 1, 6, 5, 4, 0xF9]).unwrap();
    assert_eq!(l, label(Variant::China));
    let mut bad = label(Variant::China);
    bad.sls = 16;
    assert_eq!(
        bad.emit(Variant::China, &mut Vec::new()),
        Err(Mtp3Error::FieldOutOfRange)
    );
}

#[test]
fn itu_point_code_over_14_bits_is_refused() {
    let mut l = label(Variant::Itu);
    l.dpc = PointCode(0x4000);
    assert_eq!(
        l.emit(Variant::Itu, &mut Vec::new()),
        Err(Mtp3Error::FieldOutOfRange)
    );
    assert!(PointCode::new(Variant::Itu, 0x3FFF).is_ok());
    assert!(PointCode::new(Variant::Ansi, 0x100_0000).is_err());
}

#[test]
fn point_codes_display_and_parse_per_variant() {
    let pc = PointCode::itu(2, 171, 5).unwrap();
    assert_eq!(pc.value(), (2 << 11) | (171 << 3) | 5);
    assert_eq!(pc.display(Variant::Itu).to_string(), "2-171-5");
    assert_eq!(PointCode::parse_str(Variant::Itu, "2-171-5").unwrap(), pc);
    assert_eq!(
        PointCode::parse_str(Variant::Itu, "8-1-1"),
        Err(Mtp3Error::FieldOutOfRange)
    );
    let a = PointCode::ansi(250, 6, 17);
    assert_eq!(a.display(Variant::Ansi).to_string(), "250-6-17");
    assert_eq!(PointCode::parse_str(Variant::China, "250-6-17").unwrap(), a);
    assert_eq!(
        PointCode::parse_str(Variant::Ansi, "1234").unwrap(),
        PointCode(1234)
    );
}

#[test]
fn sio_fields_are_si_priority_ni() {
    let sio = Sio::from_octet(0x85);
    assert_eq!(sio.si, si::ISUP);
    assert_eq!(sio.ni, NetworkIndicator::National);
    assert_eq!(sio.priority, 0);
    let ansi = Sio {
        si: si::ISUP,
        priority: 1,
        ni: NetworkIndicator::National,
    };
    assert_eq!(ansi.to_octet().unwrap(), 0x95);
    assert_eq!(Sio::from_octet(0x95), ansi);
    let bad = Sio { si: 16, ..ansi };
    assert!(bad.to_octet().is_err());
}

#[test]
fn msu_splits_into_sio_label_payload() {
    let msu = [0x85, 0xAB, 0x02, 0x8D, 0xA4, 0x01, 0x02];
    let (sio, l, payload) = parse_msu(Variant::Itu, &msu).unwrap();
    assert_eq!(sio.si, 5);
    assert_eq!(l, label(Variant::Itu));
    assert_eq!(payload, [1, 2]);
    assert_eq!(
        parse_msu(Variant::Itu, &msu[..4]).unwrap_err(),
        Mtp3Error::TooShort
    );
    assert_eq!(
        parse_msu(Variant::Itu, &[]).unwrap_err(),
        Mtp3Error::TooShort
    );
}

fn all_messages(v: Variant) -> Vec<SnmMessage> {
    use SnmMessage::*;
    let dest = if v == Variant::Itu {
        PointCode(0x3ABC)
    } else {
        PointCode::ansi(0xC1, 0xB2, 0xA3)
    };
    let mut m = vec![
        Coo { slc: 5, fsn: 0x55 },
        Coa { slc: 7, fsn: 0x7F },
        Xco {
            slc: 2,
            fsn: 0xAB_CDEF,
        },
        Xca { slc: 3, fsn: 1 },
        Cbd { slc: 4, code: 0xC3 },
        Cba { slc: 4, code: 0xC3 },
        Eco { slc: 15 },
        Eca { slc: 1 },
        Rct,
        Tfc { dest, status: 2 },
        Tfp { dest },
        Tfr { dest },
        Tfa { dest },
        Rst { dest },
        Rsr { dest },
        Lin { slc: 1 },
        Lun { slc: 2 },
        Lia { slc: 3 },
        Lua { slc: 4 },
        Lid { slc: 5 },
        Lfu { slc: 6 },
        Llt { slc: 7 },
        Lrt { slc: 8 },
        Tra,
        Upu {
            dest,
            user_part: si::ISUP,
            cause: upu_cause::INACCESSIBLE,
        },
    ];
    if v == Variant::Ansi {
        m.extend([Tcp { dest }, Tcr { dest }, Tca { dest }, Trw]);
    }
    m
}

#[test]
fn every_snm_message_round_trips_in_every_variant() {
    for v in VARIANTS {
        for msg in all_messages(v) {
            let sif = msg.to_sif(v, label(v)).unwrap();
            let (l, back) = SnmMessage::from_sif(v, &sif).unwrap();
            assert_eq!(back, msg, "{v:?} {}", msg.name());
            assert_eq!(l.dpc, label(v).dpc);
            assert_eq!(back.to_sif(v, l).unwrap(), sif, "{v:?} {}", msg.name());
        }
    }
}

#[test]
fn ansi_only_messages_are_refused_in_itu() {
    let tcp = SnmMessage::Tcp { dest: PointCode(1) };
    assert_eq!(
        tcp.to_sif(Variant::Itu, label(Variant::Itu)),
        Err(Mtp3Error::UnknownHeading { h0: 4, h1: 2 })
    );
    let sif = [0xAB, 0x02, 0x8D, 0xA4, 0x24, 0x01, 0x00];
    assert!(SnmMessage::from_sif(Variant::Itu, &sif).is_err());
}

#[test]
fn itu_snm_known_bytes() {
    let l = label(Variant::Itu);
    let coo = SnmMessage::Coo { slc: 5, fsn: 0x55 };
    // SLC 5 replaces the label's SLS: word 0x548D02AB.
    assert_eq!(
        coo.to_sif(Variant::Itu, l).unwrap(),
        [0xAB, 0x02, 0x8D, 0x54, 0x11, 0x55]
    );
    let tfp = SnmMessage::Tfp {
        dest: PointCode(0x2AB),
    };
    assert_eq!(
        tfp.to_sif(Variant::Itu, l).unwrap()[4..],
        [0x14, 0xAB, 0x02]
    );
    let upu = SnmMessage::Upu {
        dest: PointCode(0x100),
        user_part: 5,
        cause: 2,
    };
    assert_eq!(
        upu.to_sif(Variant::Itu, l).unwrap()[4..],
        [0x1A, 0x00, 0x01, 0x25]
    );
    let cbd = SnmMessage::Cbd { slc: 1, code: 0x42 };
    assert_eq!(
        cbd.to_sif(Variant::Itu, l).unwrap()[3..],
        [0x14, 0x51, 0x42]
    );
    let tra = SnmMessage::Tra;
    assert_eq!(tra.to_sif(Variant::Itu, l).unwrap()[4..], [0x17]);
}

#[test]
fn ansi_snm_known_bytes_carry_slc_in_the_message() {
    let l = label(Variant::Ansi);
    let coo = SnmMessage::Coo { slc: 5, fsn: 0x55 };
    let sif = coo.to_sif(Variant::Ansi, l).unwrap();
    assert_eq!(sif, [3, 2, 1, 6, 5, 4, 0x09, 0x11, 0x55, 0x05]);
    let cba = SnmMessage::Cba {
        slc: 0xA,
        code: 0xFF,
    };
    assert_eq!(
        cba.to_sif(Variant::Ansi, l).unwrap()[7..],
        [0x61, 0xFA, 0x0F]
    );
    let eco = SnmMessage::Eco { slc: 3 };
    assert_eq!(eco.to_sif(Variant::Ansi, l).unwrap()[7..], [0x12, 0x03]);
    let tfa = SnmMessage::Tfa {
        dest: PointCode::ansi(7, 8, 9),
    };
    assert_eq!(tfa.to_sif(Variant::Ansi, l).unwrap()[7..], [0x54, 9, 8, 7]);
}

#[test]
fn truncated_snm_is_too_short() {
    let l = label(Variant::Ansi);
    let sif = SnmMessage::Tfp {
        dest: PointCode::ansi(7, 8, 9),
    }
    .to_sif(Variant::Ansi, l)
    .unwrap();
    for cut in 7..sif.len() {
        assert_eq!(
            SnmMessage::from_sif(Variant::Ansi, &sif[..cut]),
            Err(Mtp3Error::TooShort),
            "cut at {cut}"
        );
    }
}

#[test]
fn slt_known_bytes_and_round_trip() {
    let m = SltMessage {
        kind: SltKind::Sltm,
        slc: 3,
        pattern: vec![0x11, 0x22],
    };
    let itu = m.to_sif(Variant::Itu, label(Variant::Itu)).unwrap();
    assert_eq!(itu, [0xAB, 0x02, 0x8D, 0x34, 0x11, 0x20, 0x11, 0x22]);
    let ansi = m.to_sif(Variant::Ansi, label(Variant::Ansi)).unwrap();
    assert_eq!(ansi[7..], [0x11, 0x23, 0x11, 0x22]);
    for v in VARIANTS {
        for kind in [SltKind::Sltm, SltKind::Slta] {
            let m = SltMessage {
                kind,
                slc: 9,
                pattern: (0..15).collect(),
            };
            let sif = m.to_sif(v, label(v)).unwrap();
            assert_eq!(SltMessage::from_sif(v, &sif).unwrap().1, m);
        }
    }
}

#[test]
fn slt_length_beyond_message_is_bad_length() {
    let sif = [0xAB, 0x02, 0x8D, 0x34, 0x11, 0x30, 0x11, 0x22];
    assert_eq!(
        SltMessage::from_sif(Variant::Itu, &sif),
        Err(Mtp3Error::BadLength)
    );
    let long = SltMessage {
        kind: SltKind::Slta,
        slc: 0,
        pattern: vec![0; 16],
    };
    assert!(long.to_sif(Variant::Itu, label(Variant::Itu)).is_err());
}

fn variant() -> impl Strategy<Value = Variant> {
    prop_oneof![
        Just(Variant::Itu),
        Just(Variant::Ansi),
        Just(Variant::China)
    ]
}

proptest! {
    #[test]
    fn arbitrary_sif_never_panics_and_reparses(v in variant(), bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_msu(v, &bytes);
        if let Ok((l, m)) = SnmMessage::from_sif(v, &bytes) {
            let sif = m.to_sif(v, l).unwrap();
            prop_assert_eq!(SnmMessage::from_sif(v, &sif).unwrap().1, m);
        }
        if let Ok((l, m)) = SltMessage::from_sif(v, &bytes) {
            let sif = m.to_sif(v, l).unwrap();
            prop_assert_eq!(SltMessage::from_sif(v, &sif).unwrap().1, m);
        }
    }

    #[test]
    fn label_round_trips(v in variant(), dpc in any::<u32>(), opc in any::<u32>(), sls in any::<u8>()) {
        let mask = (1u32 << v.point_code_bits()) - 1;
        let l = RoutingLabel { dpc: PointCode(dpc & mask), opc: PointCode(opc & mask), sls: sls & v.max_sls() };
        let sif = l.emit_sif(v, &[1, 2, 3]).unwrap();
        let (back, rest) = RoutingLabel::parse(v, &sif).unwrap();
        prop_assert_eq!(back, l);
        prop_assert_eq!(rest, &[1u8, 2, 3][..]);
    }
}
