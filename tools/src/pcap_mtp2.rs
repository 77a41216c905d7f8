//! Writing SS7 signalling link captures as pcap files that Wireshark and
//! tshark decode (MTP2, MTP3 and ISUP).
//!
//! The link type is `LINKTYPE_MTP2_WITH_PHDR` (139): each packet is a 4-byte
//! pseudo-header followed by the signal unit from its BSN octet, without
//! flags and without the FCS. The pseudo-header is
//!
//! | byte | field | value |
//! |------|-------|-------|
//! | 0    | sent  | 1 when the capture point sent the signal unit, 0 when it received it |
//! | 1    | Annex A used | 0: basic Q.703 format (7-bit sequence numbers) |
//! | 2-3  | link number | big-endian, the signalling link the unit was seen on |
//!
//! Whether MTP3 is decoded as ITU, ANSI or China is a Wireshark preference
//! (`-o mtp3.standard:ANSI`), not part of the file.

use std::io::{self, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::{DataLink, Endianness, PcapError, TsResolution};

use crate::pcap::Shared;

/// The pcap link type of MTP2 signal units with a pseudo-header.
pub const LINKTYPE_MTP2_WITH_PHDR: u32 = 139;

/// Length of the pseudo-header in front of each signal unit.
pub const MTP2_PSEUDO_HEADER_LEN: usize = 4;

/// Largest packet written; longer ones are truncated (snap length).
const SNAPLEN: u32 = 65_535;

/// The `LINKTYPE_MTP2_WITH_PHDR` pseudo-header of a signal unit that the
/// capture point `sent` (or received) on signalling link `link`.
pub fn mtp2_pseudo_header(sent: bool, link: u16) -> [u8; MTP2_PSEUDO_HEADER_LEN] {
    let [hi, lo] = link.to_be_bytes();
    [u8::from(sent), 0, hi, lo]
}

/// Writes MTP2 signal units to a pcap stream with link type
/// [`LINKTYPE_MTP2_WITH_PHDR`] and microsecond timestamps.
///
/// The file header is written by [`Mtp2PcapWriter::new`], so a capture that
/// saw nothing is a valid (empty) pcap file. Wrap a file in a
/// [`std::io::BufWriter`] and call [`Mtp2PcapWriter::flush`] when a reader
/// should see the units so far; [`Mtp2PcapWriter::finish`] flushes the rest.
#[derive(Debug)]
pub struct Mtp2PcapWriter<W: Write> {
    writer: PcapWriter<Shared<W>>,
    out: Shared<W>,
    units: u64,
    buf: Vec<u8>,
}

impl<W: Write> Mtp2PcapWriter<W> {
    /// Writes the pcap file header to `out`.
    pub fn new(out: W) -> Result<Self, PcapError> {
        let header = PcapHeader {
            snaplen: SNAPLEN,
            datalink: DataLink::from(LINKTYPE_MTP2_WITH_PHDR),
            ts_resolution: TsResolution::MicroSecond,
            endianness: Endianness::native(),
            ..PcapHeader::default()
        };
        let out = Arc::new(Mutex::new(out));
        Ok(Mtp2PcapWriter {
            writer: PcapWriter::with_header(Shared(out.clone()), header)?,
            out: Shared(out),
            units: 0,
            buf: Vec::with_capacity(MTP2_PSEUDO_HEADER_LEN + 280),
        })
    }

    /// Appends one signal unit (from its BSN octet, without the FCS) that the
    /// capture point `sent` (or received) on signalling link `link` at
    /// `unix_us` microseconds since the Unix epoch.
    pub fn write_su(
        &mut self,
        sent: bool,
        link: u16,
        unix_us: u64,
        su: &[u8],
    ) -> Result<(), PcapError> {
        self.buf.clear();
        self.buf.extend_from_slice(&mtp2_pseudo_header(sent, link));
        self.buf.extend_from_slice(su);
        let keep = self.buf.len().min(SNAPLEN as usize);
        let orig_len = u32::try_from(self.buf.len()).unwrap_or(u32::MAX);
        let packet = PcapPacket::new(Duration::from_micros(unix_us), orig_len, &self.buf[..keep]);
        self.writer.write_packet(&packet)?;
        self.units += 1;
        Ok(())
    }

    /// Signal units written so far.
    pub fn units(&self) -> u64 {
        self.units
    }

    /// Flushes buffered output to the underlying writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(self) -> io::Result<W> {
        let Mtp2PcapWriter { writer, out, .. } = self;
        drop(writer.into_writer());
        let mutex =
            Arc::try_unwrap(out.0).map_err(|_| io::Error::other("pcap writer still shared"))?;
        let mut w = mutex.into_inner().unwrap_or_else(PoisonError::into_inner);
        w.flush()?;
        Ok(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pcap_file::pcap::PcapReader;

    #[test]
    fn pseudo_header_bytes() {
        assert_eq!(mtp2_pseudo_header(true, 0x0102), [1, 0, 1, 2]);
        assert_eq!(mtp2_pseudo_header(false, 7), [0, 0, 0, 7]);
    }

    #[test]
    fn writes_units_that_read_back() {
        let mut w = Mtp2PcapWriter::new(Vec::new()).expect("header");
        let fisu = [0xff, 0xff, 0x00];
        let sios = [0x80, 0x80, 0x01, 0x03];
        w.write_su(true, 3, 1_700_000_000_000_001, &fisu)
            .expect("unit 1");
        w.write_su(false, 3, 1_700_000_000_000_002, &sios)
            .expect("unit 2");
        assert_eq!(w.units(), 2);
        let bytes = w.finish().expect("finish");
        let mut r = PcapReader::new(&bytes[..]).expect("pcap header");
        assert_eq!(u32::from(r.header().datalink), LINKTYPE_MTP2_WITH_PHDR);
        let p1 = r.next_packet().expect("packet 1").expect("valid 1");
        assert_eq!(p1.timestamp, Duration::from_micros(1_700_000_000_000_001));
        assert_eq!(&p1.data[..], &[1, 0, 0, 3, 0xff, 0xff, 0x00]);
        let p2 = r.next_packet().expect("packet 2").expect("valid 2");
        assert_eq!(&p2.data[..], &[0, 0, 0, 3, 0x80, 0x80, 0x01, 0x03]);
        assert_eq!(p2.orig_len, 8);
        assert!(r.next_packet().is_none(), "exactly two packets");
    }

    #[test]
    fn empty_capture_is_a_valid_file() {
        let bytes = Mtp2PcapWriter::new(Vec::new())
            .expect("header")
            .finish()
            .expect("finish");
        assert_eq!(bytes.len(), 24);
        let r = PcapReader::new(&bytes[..]).expect("pcap header");
        assert_eq!(u32::from(r.header().datalink), LINKTYPE_MTP2_WITH_PHDR);
    }
}
