//! Tests for the typed IEs of `ie_types_more`, part 1: subaddresses,
//! sending complete, date/time, keypad facility, signal. Part 2 (LLC, HLC,
//! notification indicator, facility, party numbers, message types) is in
//! `tests_ies2.rs` and shares the helpers here.

use super::*;

pub(super) fn hdr(cr: u16, flag: bool, mt: u8) -> Vec<u8> {
    let f = if flag { 0x80 } else { 0 };
    vec![0x08, 0x02, f | (cr >> 8) as u8, cr as u8, mt]
}

/// A message of type `mt` with the given IE octets appended.
pub(super) fn msg(mt: u8, ies: &[u8]) -> Vec<u8> {
    let mut f = hdr(0x0101, false, mt);
    f.extend_from_slice(ies);
    f
}

/// Parse, check it is accepted, and check emit reproduces the bytes exactly.
pub(super) fn roundtrip(frame: &[u8]) -> MessageRepr {
    let repr = MessageRepr::parse_bytes(frame).expect("parse");
    assert_eq!(repr.buffer_len(), frame.len());
    assert_eq!(repr.to_bytes().expect("emit"), frame);
    repr
}

/// Round trip a message with one IE and return that IE.
pub(super) fn one_ie(mt: u8, ie: &[u8]) -> IeRepr {
    let r = roundtrip(&msg(mt, ie));
    assert_eq!(r.ies.len(), 1, "{:?}", r.ies);
    r.ies.into_iter().next().unwrap()
}

/// The parse error of a message with one IE.
pub(super) fn ie_error(mt: u8, ie: &[u8]) -> (u8, &'static str) {
    match MessageRepr::parse_bytes(&msg(mt, ie)) {
        Err(Error::InvalidIe {
            codeset: 0,
            id,
            reason,
        }) => (id, reason),
        other => panic!("{ie:02x?}: expected InvalidIe, got {other:?}"),
    }
}

pub(super) fn assert_describe(frame: &[u8], needles: &[&str]) {
    let d = describe(frame);
    for n in needles {
        assert!(d.contains(n), "missing {n:?} in\n{d}");
    }
}

// Subaddresses. NSAP in local IA5 format (AFI 0x50) is what libpri / Asterisk
// send; user-specified BCD with the odd indicator is the X.25-style form.
pub(super) const CALLING_SUB_NSAP: &[u8] = &[0x6d, 0x04, 0x80, 0x50, b'1', b'2'];
pub(super) const CALLED_SUB_USER_ODD: &[u8] = &[0x71, 0x03, 0xa8, 0x12, 0x30];

#[test]
fn calling_subaddress_nsap_ia5() {
    let ie = one_ie(0x05, CALLING_SUB_NSAP);
    assert_eq!(ie, IeRepr::CallingSubaddress(Subaddress::nsap_ia5("12")));
    let IeRepr::CallingSubaddress(a) = ie else {
        unreachable!()
    };
    assert_eq!(a.ia5_text().as_deref(), Some("12"));
    assert_describe(
        &msg(0x05, CALLING_SUB_NSAP),
        &[
            "Calling party subaddress (0x6d",
            "Calling party subaddress: NSAP (X.213/ISO 8348 AD2) (0), even, information [50 31 32] (IA5 '12')",
        ],
    );
}

#[test]
fn called_subaddress_user_specified_odd() {
    let ie = one_ie(0x05, CALLED_SUB_USER_ODD);
    let want = Subaddress {
        kind: Subaddress::USER_SPECIFIED,
        odd: true,
        info: vec![0x12, 0x30],
    };
    assert_eq!(ie, IeRepr::CalledSubaddress(want.clone()));
    assert_eq!(want.ia5_text(), None);
    assert_describe(
        &msg(0x05, CALLED_SUB_USER_ODD),
        &["Called party subaddress: user specified (2), odd, information [12 30]"],
    );
}

#[test]
fn subaddress_errors_and_non_canonical() {
    assert_eq!(ie_error(0x05, &[0x6d, 0x00]), (0x6d, "subaddress is empty"));
    assert_eq!(ie_error(0x05, &[0x71, 0x00]), (0x71, "subaddress is empty"));
    // Spare bits set: kept as bytes.
    assert_eq!(
        one_ie(0x05, &[0x71, 0x02, 0x81, 0x50]),
        IeRepr::Opaque {
            id: 0x71,
            data: vec![0x81, 0x50]
        }
    );
    // Type only, no information octets: typed.
    assert_eq!(
        one_ie(0x05, &[0x6d, 0x01, 0xa0]),
        IeRepr::CallingSubaddress(Subaddress {
            kind: 2,
            odd: false,
            info: vec![]
        })
    );
}

#[test]
fn sending_complete_is_typed() {
    // Overlap sending: INFORMATION with the last digit and sending complete.
    let f = msg(0x7b, &[0xa1, 0x70, 0x02, 0x81, b'9']);
    let r = roundtrip(&f);
    assert_eq!(r.msg_type, MessageType::Information);
    assert_eq!(r.ies[0], IeRepr::SendingComplete);
    assert_eq!(r.ies[0].id(), ie_id::SENDING_COMPLETE);
    assert_eq!(r.ies[0].buffer_len(), 1);
    assert_eq!(ie_name(0, 0xa1), Some("Sending complete"));
    assert_describe(&f, &["[a1] Sending complete", "INFORMATION (0x7b)"]);
    // Sending complete in another codeset is not sending complete.
    let r = roundtrip(&msg(0x7b, &[0x9e, 0xa1]));
    assert_eq!(
        r.ies[1],
        IeRepr::Unknown {
            codeset: 6,
            id: 0xa1,
            data: vec![]
        }
    );
}

#[test]
fn date_time_forms() {
    // CONNECT carrying the network's date and time (ETSI: to the minute).
    let minute: &[u8] = &[0x29, 0x05, 26, 11, 22, 14, 3];
    assert_eq!(
        one_ie(0x07, minute),
        IeRepr::DateTime(DateTime::new(26, 11, 22, 14, 3))
    );
    assert_describe(&msg(0x07, minute), &["Date/time: 2026-11-22 14:03\n"]);
    let second: &[u8] = &[0x29, 0x06, 9, 1, 2, 0, 0, 59];
    assert_eq!(
        one_ie(0x07, second),
        IeRepr::DateTime(DateTime {
            second: Some(59),
            ..DateTime::new(9, 1, 2, 0, 0)
        })
    );
    assert_describe(&msg(0x07, second), &["Date/time: 2009-01-02 00:00:59"]);
    let date: &[u8] = &[0x29, 0x03, 0, 12, 31];
    let d = DateTime {
        year: 0,
        month: 12,
        day: 31,
        hour: None,
        minute: None,
        second: None,
    };
    assert_eq!(one_ie(0x07, date), IeRepr::DateTime(d));
    assert_eq!(d.to_string(), "2000-12-31");
    assert_eq!(d.full_year(), 2000);
    let hour: &[u8] = &[0x29, 0x04, 99, 6, 15, 23];
    assert_eq!(one_ie(0x07, hour).contents(), Some(Ok(hour[2..].to_vec())));
}

#[test]
fn date_time_errors() {
    let cases: &[(&[u8], &str)] = &[
        (&[0x29, 0x00], "date/time shorter than 3 octets"),
        (&[0x29, 0x02, 26, 11], "date/time shorter than 3 octets"),
        (
            &[0x29, 0x07, 26, 11, 22, 14, 3, 0, 0],
            "date/time longer than 6 octets",
        ),
        (
            &[0x29, 0x03, 100, 1, 1],
            "date/time year out of range (0..=99)",
        ),
        (
            &[0x29, 0x03, 26, 13, 1],
            "date/time month out of range (1..=12)",
        ),
        (
            &[0x29, 0x03, 26, 0, 1],
            "date/time month out of range (1..=12)",
        ),
        (
            &[0x29, 0x03, 26, 1, 0],
            "date/time day out of range (1..=31)",
        ),
        (
            &[0x29, 0x03, 26, 1, 32],
            "date/time day out of range (1..=31)",
        ),
        (
            &[0x29, 0x04, 26, 1, 1, 24],
            "date/time hour out of range (0..=23)",
        ),
        (
            &[0x29, 0x05, 26, 1, 1, 0, 60],
            "date/time minute out of range (0..=59)",
        ),
        (
            &[0x29, 0x06, 26, 1, 1, 0, 0, 60],
            "date/time second out of range (0..=59)",
        ),
    ];
    for (ie, reason) in cases {
        assert_eq!(ie_error(0x07, ie), (0x29, *reason), "{ie:02x?}");
    }
    assert!(describe(&msg(0x07, &[0x29, 0x03, 26, 13, 1])).contains("month out of range"));
    // Building an invalid date/time is an emit error, not garbage on the wire.
    let bad = MessageRepr {
        call_ref: CallRef::pri(1, false),
        msg_type: MessageType::Connect,
        ies: vec![IeRepr::DateTime(DateTime {
            minute: Some(5),
            hour: None,
            ..DateTime::new(26, 1, 1, 0, 0)
        })],
    };
    assert_eq!(
        bad.to_bytes(),
        Err(Error::Unencodable {
            id: 0x29,
            reason: "date/time minute without hour"
        })
    );
}

#[test]
fn keypad_facility() {
    let ie: &[u8] = &[0x2c, 0x04, b'1', b'2', b'3', b'#'];
    assert_eq!(
        one_ie(0x7b, ie),
        IeRepr::KeypadFacility(KeypadFacility::new("123#"))
    );
    assert_describe(&msg(0x7b, ie), &["Keypad facility: '123#'"]);
    // Supplementary service code in a SETUP (e.g. *21#).
    assert_eq!(
        one_ie(0x05, &[0x2c, 0x04, b'*', b'2', b'1', b'#']),
        IeRepr::KeypadFacility(KeypadFacility::new("*21#"))
    );
    assert_eq!(
        ie_error(0x7b, &[0x2c, 0x00]),
        (0x2c, "keypad facility is empty")
    );
    assert_eq!(
        ie_error(0x7b, &[0x2c, 0x02, b'1', 0xb1]),
        (0x2c, "keypad facility octet is not IA5 (bit 8 set)")
    );
    assert!(KeypadFacility::new("").contents().is_err());
}

#[test]
fn signal_values() {
    let cases: &[(u8, &str)] = &[
        (0x00, "dial tone on"),
        (0x01, "ring back tone on"),
        (0x04, "busy tone on"),
        (0x3f, "tones off"),
        (0x40, "alerting on - pattern 0"),
        (0x47, "alerting on - pattern 7"),
        (0x4f, "alerting off"),
        (0x20, "reserved"),
    ];
    for &(v, name) in cases {
        let ie = [0x34, 0x01, v];
        assert_eq!(one_ie(0x01, &ie), IeRepr::Signal(Signal { value: v }));
        assert_eq!(Signal { value: v }.name(), name);
        assert_describe(&msg(0x01, &ie), &[&format!("Signal: {name} (0x{v:02x})")]);
    }
    assert_describe(
        &msg(0x01, &[0x34, 0x01, 0x04]),
        &["Signal: busy tone on (0x04)"],
    );
    assert_eq!(ie_error(0x01, &[0x34, 0x00]), (0x34, "signal is empty"));
    // Signal is one octet: a longer one is kept as bytes.
    assert_eq!(
        one_ie(0x01, &[0x34, 0x02, 0x01, 0x00]),
        IeRepr::Opaque {
            id: 0x34,
            data: vec![0x01, 0x00]
        }
    );
}
