#![allow(unsafe_code)] // This module is one of the two places that touch raw memory.

//! Safe access to a mapped register file or DMA area.
//!
//! The same [`Mapping`] type serves the host driver (map 0 and map 1 of a UIO
//! device, or of the simulator's shared file) and the simulator itself (the
//! board side of that shared file). All register accesses are 32-bit atomic
//! loads and stores with acquire/release ordering, which on x86-64 and AArch64
//! compile to plain naturally-aligned MMIO loads and stores, and which give the
//! ring protocol its ordering across processes: the producer copies a chunk,
//! then release-stores the head pointer; the consumer acquire-loads the head,
//! then copies the chunk.
//!
//! Out-of-range accesses never touch memory: reads return all ones (as a PCI
//! master abort would) and writes are dropped.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

use memmap2::{MmapOptions, MmapRaw};

use crate::abi;

/// One mapped region: map 0 (registers) or map 1 (DMA memory).
#[derive(Debug)]
pub struct Mapping {
    map: MmapRaw,
}

impl Mapping {
    /// Map `len` bytes of `file` at byte `offset` (must be page aligned), shared
    /// and writable.
    pub fn map(file: &File, offset: u64, len: usize) -> io::Result<Mapping> {
        let map = MmapOptions::new().offset(offset).len(len).map_raw(file)?;
        Ok(Mapping { map })
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when the mapping is empty.
    pub fn is_empty(&self) -> bool {
        self.map.len() == 0
    }

    fn word(&self, off: usize) -> Option<&AtomicU32> {
        if off % 4 != 0 || off.checked_add(4)? > self.map.len() {
            return None;
        }
        // SAFETY: `off` is 4-aligned and `off + 4 <= len`, and the mapping is
        // page aligned, so the pointer is in bounds and aligned for a u32. The
        // mapping lives as long as `self`, so the reference cannot dangle. The
        // memory is shared with another agent (hardware or the simulator) that
        // only ever accesses it with aligned 32-bit operations, so treating the
        // word as an AtomicU32 is sound.
        Some(unsafe { &*(self.map.as_mut_ptr().add(off) as *const AtomicU32) })
    }

    /// Read the 32-bit register at byte offset `off` (acquire).
    #[inline]
    pub fn read32(&self, off: usize) -> u32 {
        match self.word(off) {
            Some(w) => w.load(Ordering::Acquire),
            None => u32::MAX,
        }
    }

    /// Write the 32-bit register at byte offset `off` (release).
    #[inline]
    pub fn write32(&self, off: usize, value: u32) {
        if let Some(w) = self.word(off) {
            w.store(value, Ordering::Release);
        }
    }

    /// Atomically OR `bits` into the register at `off`; returns the old value.
    /// Used by the simulator to latch write-1-to-clear status bits.
    #[inline]
    pub fn or32(&self, off: usize, bits: u32) -> u32 {
        match self.word(off) {
            Some(w) => w.fetch_or(bits, Ordering::AcqRel),
            None => u32::MAX,
        }
    }

    /// Atomically clear `bits` in the register at `off` (the board side of a
    /// write-1-to-clear register); returns the old value.
    #[inline]
    pub fn clear32(&self, off: usize, bits: u32) -> u32 {
        match self.word(off) {
            Some(w) => w.fetch_and(!bits, Ordering::AcqRel),
            None => u32::MAX,
        }
    }

    /// Copy `dst.len()` bytes starting at `off` out of the mapping. Returns
    /// false (and leaves `dst` untouched) when the range is out of bounds.
    #[inline]
    pub fn copy_out(&self, off: usize, dst: &mut [u8]) -> bool {
        match off.checked_add(dst.len()) {
            Some(end) if end <= self.map.len() => {}
            _ => return false,
        }
        std::sync::atomic::fence(Ordering::Acquire);
        // SAFETY: the source range [off, off + len) was checked to lie inside
        // the mapping, which outlives this call; `dst` is a distinct Rust
        // buffer, so the ranges cannot overlap. The ring protocol guarantees
        // the other agent is not writing this slot while we read it (it only
        // writes slots the head pointers have not yet published).
        unsafe {
            std::ptr::copy_nonoverlapping(self.map.as_ptr().add(off), dst.as_mut_ptr(), dst.len());
        }
        true
    }

    /// Copy `src` into the mapping at `off`. Returns false (writing nothing)
    /// when the range is out of bounds.
    #[inline]
    pub fn copy_in(&self, off: usize, src: &[u8]) -> bool {
        match off.checked_add(src.len()) {
            Some(end) if end <= self.map.len() => {}
            _ => return false,
        }
        // SAFETY: the destination range was checked to lie inside the mapping,
        // which is writable (MAP_SHARED, opened read-write) and outlives this
        // call; `src` is a distinct Rust buffer so the ranges cannot overlap.
        // The other agent does not read this slot until the head pointer is
        // published with a release store after this copy.
        unsafe {
            std::ptr::copy_nonoverlapping(src.as_ptr(), self.map.as_mut_ptr().add(off), src.len());
        }
        std::sync::atomic::fence(Ordering::Release);
        true
    }

    /// Fill `len` bytes at `off` with `byte`. Returns false when out of bounds.
    pub fn fill(&self, off: usize, len: usize, byte: u8) -> bool {
        match off.checked_add(len) {
            Some(end) if end <= self.map.len() => {}
            _ => return false,
        }
        // SAFETY: range checked against the mapping as in `copy_in`.
        unsafe {
            std::ptr::write_bytes(self.map.as_mut_ptr().add(off), byte, len);
        }
        std::sync::atomic::fence(Ordering::Release);
        true
    }
}

/// The simulator's board file: map 0 at offset 0, map 1 at offset
/// [`abi::MAP0_SIZE`], in one regular file.
pub struct SharedBoardFile {
    /// Map 0: the register file.
    pub regs: Mapping,
    /// Map 1: DMA memory.
    pub dma: Mapping,
}

impl SharedBoardFile {
    /// Create (or truncate) the board file for `spans` spans and map it.
    pub fn create(path: &Path, spans: usize) -> io::Result<SharedBoardFile> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        let dma_len = abi::map1_size(spans);
        file.set_len((abi::MAP0_SIZE + dma_len) as u64)?;
        Self::map_file(&file, dma_len)
    }

    /// Open an existing board file; the DMA size is taken from the file size.
    pub fn open(path: &Path) -> io::Result<SharedBoardFile> {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        let len = file.metadata()?.len() as usize;
        if len < abi::MAP0_SIZE + abi::SPAN_DMA_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{}: {len} bytes is too small for a board file",
                    path.display()
                ),
            ));
        }
        Self::map_file(&file, len - abi::MAP0_SIZE)
    }

    fn map_file(file: &File, dma_len: usize) -> io::Result<SharedBoardFile> {
        Ok(SharedBoardFile {
            regs: Mapping::map(file, 0, abi::MAP0_SIZE)?,
            dma: Mapping::map(file, abi::MAP0_SIZE as u64, dma_len)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_is_harmless() {
        let dir = std::env::temp_dir().join(format!("trunk-mem-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let b = SharedBoardFile::create(&dir.join("board"), 1).unwrap();
        assert_eq!(b.regs.read32(abi::MAP0_SIZE), u32::MAX);
        assert_eq!(b.regs.read32(3), u32::MAX);
        b.regs.write32(abi::MAP0_SIZE, 7);
        b.regs.write32(abi::REG_CONTROL, 5);
        assert_eq!(b.regs.read32(abi::REG_CONTROL), 5);
        let mut buf = [0u8; 8];
        assert!(!b.dma.copy_out(b.dma.len() - 4, &mut buf));
        assert!(b.dma.copy_in(0, &[1, 2, 3, 4, 5, 6, 7, 8]));
        assert!(b.dma.copy_out(0, &mut buf));
        assert_eq!(buf, [1, 2, 3, 4, 5, 6, 7, 8]);
        let other = SharedBoardFile::open(&dir.join("board")).unwrap();
        assert_eq!(other.regs.read32(abi::REG_CONTROL), 5);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
