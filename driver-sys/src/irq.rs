//! The board interrupt, with Linux UIO semantics, as a `mio` event source.
//!
//! * A `read` of 4 bytes returns the total number of interrupts delivered so far
//!   (a native-endian u32). It blocks (or reports `WouldBlock` on a
//!   non-blocking fd) until an interrupt is pending.
//! * A `write` of the u32 value 1 re-arms the interrupt. The board delivers no
//!   further interrupt until it is re-armed; a tick that happens while disarmed
//!   is delivered as soon as the host re-arms (level semantics).
//!
//! On a real board the fd is `/dev/uioN`. On the simulator it is a
//! `SOCK_SEQPACKET` Unix socket connected to `DIR/irq`, carrying exactly the
//! same 4-byte messages in both directions. In lockstep mode the simulator
//! does not start the next tick until the host re-arms, so "re-arm" doubles as
//! "I have finished this tick".

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::path::Path;

use mio::unix::SourceFd;
use mio::{event, Interest, Registry, Token};

/// A board's interrupt line.
#[derive(Debug)]
pub struct Interrupt {
    file: File,
    last_count: Option<u32>,
}

/// What one [`Interrupt::poll`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IrqPoll {
    /// Interrupts delivered since the previous poll that returned a count
    /// (1 normally; more means interrupts were coalesced).
    pub new: u32,
    /// The total count reported by the board.
    pub total: u32,
}

impl Interrupt {
    /// Wrap an opened, non-blocking UIO device file.
    pub fn from_uio(file: File) -> Interrupt {
        Interrupt {
            file,
            last_count: None,
        }
    }

    /// Connect to a simulator's interrupt socket (`DIR/irq`).
    pub fn connect_sim(path: &Path) -> io::Result<Interrupt> {
        let file = crate::seqpacket::connect(path, true)?;
        Ok(Interrupt {
            file,
            last_count: None,
        })
    }

    /// Read the pending interrupt count without blocking. `Ok(None)` when no
    /// interrupt is pending. An end-of-file (the simulator went away) is an
    /// error of kind `UnexpectedEof`.
    pub fn poll(&mut self) -> io::Result<Option<IrqPoll>> {
        let mut buf = [0u8; 4];
        match self.file.read(&mut buf) {
            Ok(4) => {
                let total = u32::from_ne_bytes(buf);
                let new = match self.last_count {
                    Some(prev) => total.wrapping_sub(prev),
                    None => 1,
                };
                self.last_count = Some(total);
                Ok(Some(IrqPoll { new, total }))
            }
            Ok(0) => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "board interrupt closed",
            )),
            Ok(n) => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("interrupt read returned {n} bytes, expected 4"),
            )),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Re-arm the interrupt (write the u32 1).
    pub fn rearm(&mut self) -> io::Result<()> {
        loop {
            match self.file.write(&1u32.to_ne_bytes()) {
                Ok(4) => return Ok(()),
                Ok(n) => {
                    return Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        format!("interrupt re-arm wrote {n} bytes"),
                    ))
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Make the fd blocking or not; blocking reads are handy in simple tools.
    pub fn set_nonblocking(&self, nonblocking: bool) -> io::Result<()> {
        let fd = self.file.as_raw_fd();
        let flags =
            nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_GETFL).map_err(io::Error::from)?;
        let mut flags = nix::fcntl::OFlag::from_bits_retain(flags);
        flags.set(nix::fcntl::OFlag::O_NONBLOCK, nonblocking);
        nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_SETFL(flags)).map_err(io::Error::from)?;
        Ok(())
    }
}

impl event::Source for Interrupt {
    fn register(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        SourceFd(&self.file.as_raw_fd()).register(registry, token, interests)
    }

    fn reregister(
        &mut self,
        registry: &Registry,
        token: Token,
        interests: Interest,
    ) -> io::Result<()> {
        SourceFd(&self.file.as_raw_fd()).reregister(registry, token, interests)
    }

    fn deregister(&mut self, registry: &Registry) -> io::Result<()> {
        SourceFd(&self.file.as_raw_fd()).deregister(registry)
    }
}
