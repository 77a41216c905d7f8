//! Writing D-channel captures as pcap files that Wireshark and tshark decode.
//!
//! The link type is `LINKTYPE_LINUX_LAPD` (177): each packet is a 16-byte
//! pseudo-header followed by the LAPD frame from its address field, without
//! the FCS. The pseudo-header (all fields big-endian) is
//!
//! | bytes | field | value |
//! |-------|-------|-------|
//! | 0-1   | packet type | 4 (`PACKET_OUTGOING`) when the capture point sent the frame, 0 (`PACKET_HOST`) when it received it |
//! | 2-3   | ARPHRD type | 0 |
//! | 4-5   | address length | 1 |
//! | 6-13  | address | byte 6: 1 when the capture point is the network side, 0 for the user side; the rest 0 |
//! | 14-15 | protocol | `ETH_P_LAPD` (0x0030) |
//!
//! Direction and side together let Wireshark tell commands from responses
//! (the meaning of the C/R bit depends on which side sent the frame).

use std::io::{self, Write};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use pcap_file::pcap::{PcapHeader, PcapPacket, PcapWriter};
use pcap_file::{DataLink, Endianness, PcapError, TsResolution};

/// The pcap link type of LAPD frames with a Linux "cooked" pseudo-header.
pub const LINKTYPE_LINUX_LAPD: u32 = 177;

/// Length of the pseudo-header in front of each frame.
pub const PSEUDO_HEADER_LEN: usize = 16;

/// `ETH_P_LAPD`, the protocol field of the pseudo-header.
const ETH_P_LAPD: u16 = 0x0030;

/// Packet type of a frame the capture point received (`PACKET_HOST`).
const PACKET_HOST: u16 = 0;

/// Packet type of a frame the capture point sent (`PACKET_OUTGOING`).
const PACKET_OUTGOING: u16 = 4;

/// Largest frame written; longer ones are truncated (snap length).
const SNAPLEN: u32 = 65_535;

/// The `LINKTYPE_LINUX_LAPD` pseudo-header of a frame that the capture point
/// `sent` (or received), when it is the network side or not.
pub fn pseudo_header(sent: bool, network_side: bool) -> [u8; PSEUDO_HEADER_LEN] {
    let mut h = [0u8; PSEUDO_HEADER_LEN];
    let pkttype = if sent { PACKET_OUTGOING } else { PACKET_HOST };
    h[0..2].copy_from_slice(&pkttype.to_be_bytes());
    // bytes 2-3: ARPHRD type 0
    h[4..6].copy_from_slice(&1u16.to_be_bytes());
    h[6] = u8::from(network_side);
    h[14..16].copy_from_slice(&ETH_P_LAPD.to_be_bytes());
    h
}

/// A writer shared between [`PcapWriter`] (which owns its writer and has no
/// way to reach it) and [`LapdPcapWriter`] (or the MTP2 writer), which must
/// flush it mid-stream.
#[derive(Debug)]
pub(crate) struct Shared<W>(pub(crate) Arc<Mutex<W>>);

impl<W> Shared<W> {
    pub(crate) fn lock(&self) -> MutexGuard<'_, W> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<W: Write> Write for Shared<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.lock().write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.lock().write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.lock().flush()
    }
}

/// Writes LAPD frames to a pcap stream with link type
/// [`LINKTYPE_LINUX_LAPD`] and microsecond timestamps.
///
/// The file header is written by [`LapdPcapWriter::new`], so even a capture
/// that saw no frame is a valid (empty) pcap file. Wrap a file in a
/// [`std::io::BufWriter`] and call [`LapdPcapWriter::flush`] when a reader
/// should see the frames so far; [`LapdPcapWriter::finish`] flushes the rest.
#[derive(Debug)]
pub struct LapdPcapWriter<W: Write> {
    writer: PcapWriter<Shared<W>>,
    out: Shared<W>,
    network_side: bool,
    frames: u64,
    buf: Vec<u8>,
}

impl<W: Write> LapdPcapWriter<W> {
    /// Writes the pcap file header to `out`. `network_side` says whether
    /// the capture point (trunkd) is the network side of the link.
    pub fn new(out: W, network_side: bool) -> Result<Self, PcapError> {
        let header = PcapHeader {
            snaplen: SNAPLEN,
            datalink: DataLink::from(LINKTYPE_LINUX_LAPD),
            ts_resolution: TsResolution::MicroSecond,
            endianness: Endianness::native(),
            ..PcapHeader::default()
        };
        let out = Arc::new(Mutex::new(out));
        Ok(LapdPcapWriter {
            writer: PcapWriter::with_header(Shared(out.clone()), header)?,
            out: Shared(out),
            network_side,
            frames: 0,
            buf: Vec::with_capacity(PSEUDO_HEADER_LEN + 300),
        })
    }

    /// Appends one frame (from its address field, without the FCS) that the
    /// capture point `sent` (or received) at `unix_us` microseconds since
    /// the Unix epoch. Frames longer than the snap length are truncated.
    pub fn write_frame(&mut self, sent: bool, unix_us: u64, frame: &[u8]) -> Result<(), PcapError> {
        self.buf.clear();
        self.buf
            .extend_from_slice(&pseudo_header(sent, self.network_side));
        self.buf.extend_from_slice(frame);
        let keep = self.buf.len().min(SNAPLEN as usize);
        let orig_len = u32::try_from(self.buf.len()).unwrap_or(u32::MAX);
        let packet = PcapPacket::new(Duration::from_micros(unix_us), orig_len, &self.buf[..keep]);
        self.writer.write_packet(&packet)?;
        self.frames += 1;
        Ok(())
    }

    /// Frames written so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Whether the capture point is the network side.
    pub fn network_side(&self) -> bool {
        self.network_side
    }

    /// Flushes buffered output to the underlying writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(self) -> io::Result<W> {
        let LapdPcapWriter { writer, out, .. } = self;
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
    use std::fs::File;
    use std::io::BufWriter;

    #[test]
    fn pseudo_header_bytes() {
        assert_eq!(
            pseudo_header(true, false),
            [0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x30]
        );
        assert_eq!(
            pseudo_header(false, true),
            [0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x30]
        );
    }

    #[test]
    fn writes_two_frames_that_read_back() {
        let path = std::env::temp_dir().join(format!(
            "trunk-tools-pcap-{}-{:?}.pcap",
            std::process::id(),
            std::thread::current().id()
        ));
        let file = BufWriter::new(File::create(&path).expect("create"));
        let mut w = LapdPcapWriter::new(file, true).expect("header");
        let sabme = [0x02, 0x01, 0x7f];
        let ua = [0x00, 0x01, 0x73];
        w.write_frame(true, 1_700_000_000_123_456, &sabme)
            .expect("frame 1");
        w.write_frame(false, 1_700_000_001_000_001, &ua)
            .expect("frame 2");
        assert_eq!(w.frames(), 2);
        drop(w.finish().expect("finish"));

        let mut r = PcapReader::new(File::open(&path).expect("open")).expect("pcap header");
        let header = r.header();
        assert_eq!(u32::from(header.datalink), LINKTYPE_LINUX_LAPD);
        assert_eq!(header.ts_resolution, TsResolution::MicroSecond);
        let p1 = r.next_packet().expect("packet 1").expect("valid packet 1");
        assert_eq!(p1.timestamp, Duration::from_micros(1_700_000_000_123_456));
        assert_eq!(p1.orig_len, 19);
        assert_eq!(
            &p1.data[..16],
            &[0, 4, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x30],
            "sent by the (network side) capture point"
        );
        assert_eq!(&p1.data[16..], &sabme);
        let p1_len = p1.data.len();
        assert_eq!(p1_len, 19);
        let p2 = r.next_packet().expect("packet 2").expect("valid packet 2");
        assert_eq!(p2.timestamp, Duration::from_micros(1_700_000_001_000_001));
        assert_eq!(
            &p2.data[..16],
            &[0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x30],
            "received by the (network side) capture point"
        );
        assert_eq!(&p2.data[16..], &ua);
        assert!(r.next_packet().is_none(), "exactly two packets");
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn empty_capture_is_a_valid_file() {
        let w = LapdPcapWriter::new(Vec::new(), false).expect("header");
        let bytes = w.finish().expect("finish");
        assert_eq!(bytes.len(), 24);
        let r = PcapReader::new(&bytes[..]).expect("pcap header");
        assert_eq!(r.header().datalink, DataLink::LINUX_LAPD);
    }
}
