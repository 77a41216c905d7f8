//! Every ISUP message type this crate emits decodes in tshark as the right
//! message type with no malformed packets, for ITU, ANSI and China.
//!
//! The capture is LINKTYPE_MTP2_WITH_PHDR (139): per packet a 4-byte
//! pseudo-header (sent flag, Annex A flag 0, big-endian link number), then the
//! MTP2 signal unit from its BSN octet (BSN/BIB, FSN/FIB, LI, SIO, SIF; no
//! FCS). The MTP3 routing label is built here by hand. This test fails if
//! tshark is missing (install it with `apt-get install tshark`).

use std::process::Command;
use trunk_ss7::isup::{samples, MessageRepr, Variant};

fn pcap(frames: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&65535u32.to_le_bytes());
    out.extend_from_slice(&139u32.to_le_bytes());
    for (i, f) in frames.iter().enumerate() {
        out.extend_from_slice(&(i as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(f.len() as u32).to_le_bytes());
        out.extend_from_slice(&(f.len() as u32).to_le_bytes());
        out.extend_from_slice(f);
    }
    out
}

/// Routing label DPC 2, OPC 1, SLS 5 in the variant's layout.
fn label(variant: Variant) -> Vec<u8> {
    match variant {
        Variant::Itu => {
            let (dpc, opc, sls) = (2u32, 1u32, 5u32);
            (dpc | (opc << 14) | (sls << 28)).to_le_bytes().to_vec()
        }
        // DPC and OPC as three octets each (member, cluster, network), then SLS.
        Variant::Ansi | Variant::China => vec![2, 0, 0, 1, 0, 0, 5],
    }
}

fn frame(seq: u8, variant: Variant, isup: &[u8]) -> Vec<u8> {
    let mut sif = label(variant);
    sif.extend_from_slice(isup);
    let li = (1 + sif.len()).min(63) as u8;
    let mut f = vec![0, 0, 0, 1]; // received, no Annex A, link 1
    f.push(0x80 | seq.wrapping_sub(1) & 0x7f); // BSN, BIB 1
    f.push(0x80 | seq & 0x7f); // FSN, FIB 1
    f.push(li);
    f.push(0x85); // SIO: national network, ISUP
    f.extend_from_slice(&sif);
    f
}

fn check(variant: Variant, standard: &str) {
    let msgs = samples::all(17, variant);
    let frames: Vec<Vec<u8>> = msgs
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let isup = m.to_bytes(variant).expect("emit");
            assert_eq!(MessageRepr::parse(&isup, variant).as_ref(), Ok(m));
            frame(i as u8 + 1, variant, &isup)
        })
        .collect();
    let dir = std::env::temp_dir().join(format!("isup_tshark_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{standard}.pcap").replace(' ', "_"));
    std::fs::write(&path, pcap(&frames)).unwrap();
    let out = Command::new("tshark")
        .arg("-r")
        .arg(&path)
        .args(["-o", &format!("mtp3.standard:{standard}")])
        .args(["-T", "fields", "-e", "isup.message_type", "-e", "isup.cic"])
        .args(["-e", "_ws.malformed", "-e", "_ws.expert.severity"])
        .output()
        .expect("tshark must be installed (apt-get install tshark)");
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_dir(&dir);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), msgs.len(), "one line per frame:\n{text}");
    for (m, line) in msgs.iter().zip(&lines) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            cols[0].parse::<u32>().ok(),
            Some(u32::from(m.message_type.code())),
            "{standard} {:?}: {line}",
            m.message_type
        );
        assert_eq!(cols[1], "17", "{standard} {:?} CIC: {line}", m.message_type);
        assert_eq!(
            cols[2], "",
            "{standard} {:?} malformed: {line}",
            m.message_type
        );
        // Expert severity 8388608 = error (e.g. a length mismatch).
        assert!(
            !cols.get(3).unwrap_or(&"").contains("8388608"),
            "{standard} {:?} expert error: {line}",
            m.message_type
        );
    }
}

#[test]
fn tshark_decodes_every_itu_message_type() {
    check(Variant::Itu, "ITU");
}

#[test]
fn tshark_decodes_every_ansi_message_type() {
    check(Variant::Ansi, "ANSI");
}

#[test]
fn tshark_decodes_every_china_message_type() {
    check(Variant::China, "Chinese ITU");
}
