//! `trunkctl decode isup|mtp3|mtp2`: known signal units decoded line by
//! line, and bad input rejected with a message naming the fault and exit
//! status 2.

use std::process::{Command, Output};

use trunk_tools::decode::parse_hex;
use trunk_tools::decode_ss7::{self, Ss7Variant};

/// ITU IAM, CIC 1: NCI 00, FCI 2001 (ISUP all the way, ISDN access),
/// calling party's category 0a (ordinary), TMR 00 (speech); called party
/// national 0101234 (ISDN plan); optional: calling party national
/// 0201234567 screening 3, access transport (HLC telephony), end.
const IAM: &str = "01 00 01 00 20 01 0a 00 02 08 06 83 10 10 10 32 04 \
                   0a 07 03 13 20 10 32 54 76 03 04 7d 02 91 81 00";
/// ITU REL, CIC 1, cause 16 (normal call clearing) from the public network
/// serving the local user (location 2), no optional part.
const REL: &str = "01 00 0c 02 00 02 82 90";
/// MTP3 SNM COO, national, DPC 4660 (2-70-4), OPC 291 (0-36-3), SLC 3 in
/// the SLS, FSN 45.
const COO: &str = "80 34 d2 48 30 11 2d";
/// MTP3 SNT SLTM, same label with SLC 0, test pattern 11 22 33 44.
const SLTM: &str = "81 34 d2 48 00 11 40 11 22 33 44";
/// MTP2 FISU, BSN 127 BIB 1, FSN 127 FIB 1.
const FISU: &str = "ff ff 00";
/// MTP2 LSSU SIOS, BSN 0 BIB 1, FSN 0 FIB 1.
const SIOS: &str = "80 80 01 03";
/// MTP2 MSU BSN 5 BIB 0, FSN 6 FIB 1, carrying the REL above on SI 5.
const MSU_REL: &str = "05 86 0d 85 34 d2 48 00 01 00 0c 02 00 02 82 90";

fn decode(protocol: &str, hex: &str, variant: Ss7Variant) -> Result<String, String> {
    let bytes = parse_hex(hex).expect("test vector hex");
    decode_ss7::decode(protocol, &bytes, variant)
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

#[test]
fn iam_names_type_cic_category_and_both_numbers() {
    let text = decode("isup", IAM, Ss7Variant::Itu).expect("IAM decodes");
    let l = lines(&text);
    assert_eq!(l[0], "Initial address (0x01) CIC 1", "{text}");
    assert!(
        l.contains(&"  Calling party's category: 10 (ordinary calling subscriber)"),
        "{text}"
    );
    assert!(
        l.contains(&"  Called party number: digits 0101234, nature of address 3, numbering plan 1, indicator 0, presentation 0, screening 0"),
        "{text}"
    );
    assert!(
        l.iter().any(
            |x| x.starts_with("  Calling party number: digits 0201234567,")
                && x.ends_with("screening 3")
        ),
        "{text}"
    );
    assert!(l.contains(&"  Access transport: 7d029181"), "{text}");
    assert_eq!(l.len(), 8, "header and seven parameters: {text}");
}

#[test]
fn rel_gives_cause_value_name_and_location() {
    let text = decode("isup", REL, Ss7Variant::Itu).expect("REL decodes");
    assert_eq!(
        lines(&text),
        [
            "Release (0x0c) CIC 1",
            "  Cause indicators: cause 16 (normal call clearing), location 2, coding standard 0",
        ]
    );
}

#[test]
fn coo_gives_label_slc_and_fsn() {
    let text = decode("mtp3", COO, Ss7Variant::Itu).expect("COO decodes");
    assert_eq!(
        lines(&text),
        [
            "SIO 0x80: SI 0 (SNM), NI 2 (national), priority 0",
            "label: DPC 2-70-4 (4660), OPC 0-36-3 (291), SLS 3",
            "SNM COO (H0=1 H1=1): SLC 3, FSN 45",
        ]
    );
}

#[test]
fn sltm_gives_slc_and_test_pattern() {
    let text = decode("mtp3", SLTM, Ss7Variant::Itu).expect("SLTM decodes");
    assert_eq!(
        lines(&text),
        [
            "SIO 0x81: SI 1 (SNT), NI 2 (national), priority 0",
            "label: DPC 2-70-4 (4660), OPC 0-36-3 (291), SLS 0",
            "SNT SLTM: SLC 0, test pattern (4 octets) 11 22 33 44",
        ]
    );
}

#[test]
fn ansi_label_has_24_bit_point_codes() {
    // TFP for 1-2-3 from 4-5-6 to 1-2-3 with SLS 3.
    let text = decode(
        "mtp3",
        "80 03 02 01 06 05 04 03 14 03 02 01",
        Ss7Variant::Ansi,
    )
    .expect("ANSI TFP decodes");
    assert_eq!(
        lines(&text),
        [
            "SIO 0x80: SI 0 (SNM), NI 2 (national), priority 0",
            "label: DPC 1-2-3 (66051), OPC 4-5-6 (263430), SLS 3",
            "SNM TFP (H0=4 H1=1): destination 1-2-3 (66051)",
        ]
    );
    // The same octets read as ITU give a different (14-bit) label.
    let itu = decode(
        "mtp3",
        "80 03 02 01 06 05 04 03 14 03 02 01",
        Ss7Variant::Itu,
    );
    assert!(
        !itu.unwrap_or_default().contains("1-2-3"),
        "ITU must not see 24-bit point codes"
    );
}

#[test]
fn china_label_has_24_bit_point_codes_and_4_bit_sls() {
    // COO from 4-5-6 to 1-2-3, SLC 3 in the SLS octet's low half (the high
    // half is spare and ignored), FSN 45.
    let text = decode("mtp3", "80 03 02 01 06 05 04 a3 11 2d", Ss7Variant::China)
        .expect("China COO decodes");
    assert_eq!(
        lines(&text),
        [
            "SIO 0x80: SI 0 (SNM), NI 2 (national), priority 0",
            "label: DPC 1-2-3 (66051), OPC 4-5-6 (263430), SLS 3",
            "SNM COO (H0=1 H1=1): SLC 3, FSN 45",
        ]
    );
}

#[test]
fn fisu_and_sios_show_sequence_numbers_and_status() {
    let text = decode("mtp2", FISU, Ss7Variant::Itu).expect("FISU decodes");
    assert_eq!(
        lines(&text),
        ["MTP2: BSN 127 BIB 1, FSN 127 FIB 1, LI 0: FISU"]
    );
    let text = decode("mtp2", SIOS, Ss7Variant::Itu).expect("SIOS decodes");
    assert_eq!(
        lines(&text),
        ["MTP2: BSN 0 BIB 1, FSN 0 FIB 1, LI 1: LSSU SIOS (out of service)"]
    );
}

#[test]
fn msu_is_decoded_down_to_isup() {
    let text = decode("mtp2", MSU_REL, Ss7Variant::Itu).expect("MSU decodes");
    assert_eq!(
        lines(&text),
        [
            "MTP2: BSN 5 BIB 0, FSN 6 FIB 1, LI 13: MSU (13 octets of SIO and SIF)",
            "  SIO 0x85: SI 5 (ISUP), NI 2 (national), priority 0",
            "  label: DPC 2-70-4 (4660), OPC 0-36-3 (291), SLS 0",
            "  ISUP: Release (0x0c) CIC 1",
            "      Cause indicators: cause 16 (normal call clearing), location 2, coding standard 0",
        ]
    );
}

#[test]
fn malformed_input_names_the_fault() {
    let err = |p, h| decode(p, h, Ss7Variant::Itu).expect_err(h);
    let e = err("mtp2", "05 86 0e 85 34 d2 48");
    assert!(
        e.contains("MTP2") && e.contains("length indicator 14"),
        "{e}"
    );
    let e = err("mtp2", "80 80 01 07");
    assert!(e.contains("link status code 7"), "{e}");
    let e = err("mtp2", "80 80");
    assert!(e.contains("shorter than its 3-octet header"), "{e}");
    let e = err("mtp3", "81 34 d2");
    assert!(e.contains("routing label") && e.contains("needs 4"), "{e}");
    let e = decode("mtp3", "81 34 d2 48 00 11", Ss7Variant::China).expect_err("china");
    assert!(e.contains("china label needs 7"), "{e}");
    let e = err("mtp3", "81 34 d2 48 00 11 40 11");
    assert!(e.contains("SNT") && e.contains("length"), "{e}");
    let e = err("mtp3", "80 34 d2 48 00 ff");
    assert!(e.contains("SNM") && e.contains("H0=15"), "{e}");
    let e = err("isup", "01 00 0c 02 00 05 82");
    assert!(e.contains("ISUP") && e.contains("truncated"), "{e}");
    // An MSU whose ISUP payload is bad fails as a whole.
    let e = err("mtp3", "85 34 d2 48 00 01 00 0c 02 00 05 82");
    assert!(e.contains("malformed ISUP message"), "{e}");
    assert!("mars".parse::<Ss7Variant>().is_err());
    assert_eq!("ANSI".parse::<Ss7Variant>(), Ok(Ss7Variant::Ansi));
}

fn trunkctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trunkctl"))
        .args(args)
        .output()
        .expect("run trunkctl")
}

#[test]
fn cli_decodes_and_exits_0() {
    let out = trunkctl(&["decode", "mtp2", MSU_REL]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ISUP: Release (0x0c) CIC 1"), "{text}");
    let out = trunkctl(&[
        "decode",
        "mtp3",
        "--variant",
        "ansi",
        "80 03 02 01 06 05 04 03 14 03 02 01",
    ]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("DPC 1-2-3"));
    let out = trunkctl(&["--json", "decode", "mtp2", FISU]);
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["protocol"], "mtp2");
    assert_eq!(v["octets"], 3);
    assert_eq!(
        v["decode"],
        "MTP2: BSN 127 BIB 1, FSN 127 FIB 1, LI 0: FISU\n"
    );
}

#[test]
fn cli_rejects_bad_input_with_status_2() {
    for (args, needle) in [
        (&["decode", "isup", "01 0g"][..], "not a hex digit"),
        (&["decode", "mtp3", "81 34 d2"], "routing label"),
        (&["decode", "mtp2", "80 80 01 07"], "link status code 7"),
        (&["decode", "isup", "--variant", "mars", "01"], "mars"),
    ] {
        let out = trunkctl(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing on stdout");
    }
}
