//! Wireshark must decode the captures `trunkctl capture` writes: these
//! tests write real LAPD/Q.931 frames with [`LapdPcapWriter`] and have
//! tshark decode them. They need tshark (`apt-get install tshark`) and fail
//! without it, so that CI cannot pass without having checked the format.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use trunk_tools::pcap::LapdPcapWriter;

/// SABME, P=1, SAPI 0 TEI 0, C/R=0 (a command when the user side sends it).
const SABME: &[u8] = &[0x00, 0x01, 0x7f];
/// UA, F=1, C/R=0 (a response when the network side sends it).
const UA: &[u8] = &[0x00, 0x01, 0x73];
/// I frame N(S)=0 N(R)=0 carrying a Q.931 SETUP: call reference 1,
/// sending complete, bearer capability speech/64k/A-law, channel
/// identification PRI exclusive B-channel 1, called party number 1234.
const SETUP: &[u8] = &[
    0x00, 0x01, 0x00, 0x00, // LAPD address, I control
    0x08, 0x02, 0x00, 0x01, 0x05, // Q.931 PD, CR length 2, CR 1, SETUP
    0xa1, // sending complete
    0x04, 0x03, 0x80, 0x90, 0xa3, // bearer capability
    0x18, 0x03, 0xa9, 0x83, 0x81, // channel identification
    0x70, 0x05, 0x80, 0x31, 0x32, 0x33, 0x34, // called party number
];
/// RR N(R)=1, F=0, C/R=0 (a response from the network side).
const RR: &[u8] = &[0x00, 0x01, 0x01, 0x02];

fn temp_pcap(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "trunk-tools-tshark-{}-{tag}.pcap",
        std::process::id()
    ))
}

/// Writes the user side's view of link setup and a SETUP (the capture point
/// is `network_side` or not; the user side sends SABME and SETUP).
fn write_capture(path: &Path, network_side: bool) {
    let file = std::fs::File::create(path).expect("create capture");
    let mut w = LapdPcapWriter::new(std::io::BufWriter::new(file), network_side).expect("header");
    let t0 = 1_700_000_000_000_000;
    let user_sends = !network_side;
    for (i, (from_user, frame)) in [(true, SABME), (false, UA), (true, SETUP), (false, RR)]
        .into_iter()
        .enumerate()
    {
        let sent = from_user == user_sends;
        w.write_frame(sent, t0 + 1000 * i as u64, frame)
            .expect("write frame");
    }
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
             decodes trunkctl's captures: apt-get install tshark"
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

/// Decodes the capture and checks every frame; `user` and `network` are
/// the names tshark should give the two sides (`Local User`, `Remote
/// Network`, ...), which shows it read the pseudo-header's direction and side.
fn check_capture(path: &Path, user: &str, network: &str) {
    let text = tshark(
        path,
        &[
            "-T",
            "fields",
            "-E",
            "separator=|",
            "-e",
            "frame.protocols",
            "-e",
            "q931.message_type",
            "-e",
            "_ws.col.Source",
            "-e",
            "_ws.col.Destination",
            "-e",
            "lapd.control.u_modifier_cmd",
            "-e",
            "lapd.control.u_modifier_resp",
            "-e",
            "q931.called_party_number.digits",
        ],
    );
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('|').collect()).collect();
    assert_eq!(rows.len(), 4, "expected 4 frames:\n{text}");
    for row in &rows {
        assert_eq!(row.len(), 7, "{row:?}");
        assert!(row[0].contains("lapd"), "not decoded as LAPD: {row:?}");
    }
    // Who sent what: the user sends SABME and SETUP, the network UA and RR.
    for (i, row) in rows.iter().enumerate() {
        let (src, dst) = if i % 2 == 0 {
            (user, network)
        } else {
            (network, user)
        };
        assert_eq!(
            (row[2], row[3]),
            (src, dst),
            "direction of frame {}: {row:?}",
            i + 1
        );
    }
    // SABME is a command and UA a response: the C/R bit was read with the
    // right side in mind (Wireshark shows U modifiers as (control & 0xec) >> 2:
    // SABME 0x6f -> 0x1b, UA 0x73 -> 0x18).
    assert_eq!(
        rows[0][4], "0x1b",
        "SABME not decoded as a command: {:?}",
        rows[0]
    );
    assert_eq!(rows[0][5], "", "{:?}", rows[0]);
    assert_eq!(
        rows[1][5], "0x18",
        "UA not decoded as a response: {:?}",
        rows[1]
    );
    assert_eq!(rows[1][4], "", "{:?}", rows[1]);
    // The I frame carries Q.931 SETUP (0x05) to 1234.
    assert!(
        rows[2][0].contains("q931"),
        "no Q.931 in the I frame: {:?}",
        rows[2]
    );
    assert_eq!(rows[2][1], "0x05", "not a SETUP: {:?}", rows[2]);
    assert_eq!(rows[2][6], "1234", "{:?}", rows[2]);
    for i in [0, 1, 3] {
        assert!(!rows[i][0].contains("q931"), "{:?}", rows[i]);
    }
    // Nothing malformed, no expert warnings or errors.
    for filter in [
        "_ws.malformed",
        "_ws.expert.severity >= warning",
        "_ws.expert",
    ] {
        let bad = tshark(path, &["-Y", filter]);
        assert!(
            bad.trim().is_empty(),
            "tshark -Y '{filter}' matched:\n{bad}"
        );
    }
}

#[test]
fn tshark_decodes_user_side_capture() {
    let path = temp_pcap("user");
    write_capture(&path, false);
    check_capture(&path, "Local User", "Remote Network");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn tshark_decodes_network_side_capture() {
    let path = temp_pcap("net");
    write_capture(&path, true);
    check_capture(&path, "Remote User", "Local Network");
    let _ = std::fs::remove_file(&path);
}
