//! Wireshark must decode the SS7 captures [`Mtp2PcapWriter`] writes: these
//! tests write signal units (FISU, LSSU, MSUs with SNM and ISUP) and have
//! tshark decode them, ITU and (with `-o mtp3.standard:ANSI`) ANSI. They
//! need tshark (`apt-get install tshark`) and fail without it, so that CI
//! cannot pass without having checked the format.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use trunk_tools::decode::parse_hex;
use trunk_tools::pcap_mtp2::Mtp2PcapWriter;

/// ITU IAM, CIC 1 (see tests/decode_ss7.rs).
const ITU_IAM: &str = "01 00 01 00 20 01 0a 00 02 08 06 83 10 10 10 32 04 \
                       0a 07 03 13 20 10 32 54 76 03 04 7d 02 91 81 00";
/// ANSI IAM, CIC 1: the ITU one with user service information (speech,
/// mu-law) as a mandatory variable parameter and no TMR.
const ANSI_IAM: &str = "01 00 01 00 20 01 0a 03 06 0c 03 80 90 a2 06 83 10 10 10 32 04 \
                        0a 07 03 13 20 10 32 54 76 03 04 7d 02 91 81 00";
/// REL, CIC 1, cause 16 (the same octets in ITU and ANSI).
const REL: &str = "01 00 0c 02 00 02 82 90";

/// ITU label: DPC 4660, OPC 291, SLS 0.
const ITU_LABEL: &str = "34 d2 48 00";
/// ITU label of a COO: the same point codes, SLC 3 in the SLS.
const ITU_LABEL_SLC3: &str = "34 d2 48 30";
/// ANSI label: DPC 1-2-3 (66051), OPC 4-5-6 (263430), SLS 3.
const ANSI_LABEL: &str = "03 02 01 06 05 04 03";

fn hex(s: &str) -> Vec<u8> {
    parse_hex(s).expect("test vector hex")
}

/// An MSU with BSN `bsn`, FSN `fsn` (both indicator bits 1) carrying SIO
/// `sio` and the SIF `label` + `payload`.
fn msu(bsn: u8, fsn: u8, sio: u8, label: &str, payload: &str) -> Vec<u8> {
    let mut body = vec![sio];
    body.extend(hex(label));
    body.extend(hex(payload));
    let li = u8::try_from(body.len()).unwrap_or(63).min(63);
    let mut su = vec![0x80 | bsn, 0x80 | fsn, li];
    su.extend(body);
    su
}

fn temp_pcap(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "trunk-tools-tshark-mtp2-{}-{tag}.pcap",
        std::process::id()
    ))
}

fn write_capture(path: &Path, units: &[(bool, Vec<u8>)]) {
    let file = std::fs::File::create(path).expect("create capture");
    let mut w = Mtp2PcapWriter::new(std::io::BufWriter::new(file)).expect("header");
    let t0 = 1_700_000_000_000_000;
    for (i, (sent, su)) in units.iter().enumerate() {
        w.write_su(*sent, 2, t0 + 1000 * i as u64, su)
            .expect("write unit");
    }
    assert_eq!(w.units(), units.len() as u64);
    w.finish().expect("finish");
}

/// Runs tshark on `path` with `args`; panics (the test fails) when tshark is
/// missing or fails.
fn tshark(path: &Path, args: &[&str]) -> String {
    let out: Output = match Command::new("tshark")
        .arg("-r")
        .arg(path)
        .args(args)
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == ErrorKind::NotFound => panic!(
            "tshark is not installed, and these tests need it to check that Wireshark \
             decodes the MTP2 captures: apt-get install tshark"
        ),
        Err(e) => panic!("cannot run tshark: {e}"),
    };
    assert!(
        out.status.success(),
        "tshark {args:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("tshark output is UTF-8")
}

/// The capture's fields, one row per packet: BSN, DPC, ISUP message type,
/// LSSU status field, FSN, direction (0 sent, 1 received) and link number.
fn fields(path: &Path, extra: &[&str]) -> Vec<Vec<String>> {
    let mut args = extra.to_vec();
    args.extend([
        "-T",
        "fields",
        "-E",
        "separator=|",
        "-e",
        "mtp2.bsn",
        "-e",
        "mtp3.dpc",
        "-e",
        "isup.message_type",
        "-e",
        "mtp2.sf",
        "-e",
        "mtp2.fsn",
        "-e",
        "frame.p2p_dir",
        "-e",
        "frame.link_nr",
    ]);
    let text = tshark(path, &args);
    text.lines()
        .map(|l| l.split('|').map(str::to_owned).collect())
        .collect()
}

/// One expected row of [`fields`]; every unit is on link 2.
fn row(bsn: &str, dpc: &str, isup: &str, sf: &str, fsn: &str, sent: bool) -> Vec<String> {
    let dir = if sent { "0" } else { "1" };
    [bsn, dpc, isup, sf, fsn, dir, "2"]
        .map(str::to_owned)
        .to_vec()
}

/// Frames tshark flags as malformed or as bad MTP2 (length, FCS).
fn complaints(path: &Path, extra: &[&str]) -> String {
    let mut args = extra.to_vec();
    args.extend([
        "-Y",
        "_ws.malformed || mtp2.li.bad || mtp2.fcs_16 || mtp2.unexpected_end",
    ]);
    tshark(path, &args)
}

#[test]
fn tshark_decodes_an_itu_capture() {
    let path = temp_pcap("itu");
    let units = [
        (true, hex("80 80 01 03")), // SIOS
        (false, hex("ff ff 00")),   // FISU
        (true, msu(127, 1, 0x85, ITU_LABEL, ITU_IAM)),
        (false, msu(1, 127, 0x85, ITU_LABEL, REL)),
        (true, msu(2, 2, 0x80, ITU_LABEL_SLC3, "11 2d")), // COO
    ];
    write_capture(&path, &units);
    let rows = fields(&path, &[]);
    let bad = complaints(&path, &[]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(bad, "", "tshark complains about these frames");
    assert_eq!(
        rows,
        [
            row("0", "", "", "3", "0", true),
            row("127", "", "", "", "127", false),
            row("127", "4660", "1", "", "1", true),
            row("1", "4660", "12", "", "127", false),
            row("2", "4660", "", "", "2", true),
        ]
    );
}

#[test]
fn tshark_decodes_an_ansi_capture() {
    let path = temp_pcap("ansi");
    let units = [
        (true, msu(3, 4, 0x85, ANSI_LABEL, ANSI_IAM)),
        (false, msu(4, 4, 0x85, ANSI_LABEL, REL)),
    ];
    write_capture(&path, &units);
    let ansi = ["-o", "mtp3.standard:ANSI"];
    let rows = fields(&path, &ansi);
    let bad = complaints(&path, &ansi);
    let _ = std::fs::remove_file(&path);
    assert_eq!(bad, "", "tshark complains about these frames");
    assert_eq!(
        rows,
        [
            row("3", "66051", "1", "", "4", true),
            row("4", "66051", "12", "", "4", false)
        ]
    );
}

#[test]
fn tshark_decodes_a_china_capture() {
    // China: the ANSI label layout (24-bit point codes), ITU ISUP.
    let path = temp_pcap("china");
    let units = [
        (true, msu(5, 6, 0x85, ANSI_LABEL, ITU_IAM)),
        (false, msu(6, 6, 0x85, ANSI_LABEL, REL)),
    ];
    write_capture(&path, &units);
    let china = ["-o", "mtp3.standard:Chinese-ITU"];
    let rows = fields(&path, &china);
    let bad = complaints(&path, &china);
    let _ = std::fs::remove_file(&path);
    assert_eq!(bad, "", "tshark complains about these frames");
    assert_eq!(
        rows,
        [
            row("5", "66051", "1", "", "6", true),
            row("6", "66051", "12", "", "6", false)
        ]
    );
}
