#![allow(unsafe_code)] // Adopting the descriptor accept4(2) returns.

//! `SOCK_SEQPACKET` Unix sockets: the transport of the simulator's interrupt
//! line and of its external far-end sockets (one HDLC frame or one block of
//! G.711 octets per datagram). The standard library only offers stream and
//! datagram Unix sockets, so this small module provides the listener side
//! and the connecting side, handing out plain `File`s for `read`/`write`.

use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;

use nix::sys::socket::{self, AddressFamily, Backlog, SockFlag, SockType, UnixAddr};

/// A listening `SOCK_SEQPACKET` socket bound to a path.
#[derive(Debug)]
pub struct SeqpacketListener {
    fd: OwnedFd,
}

impl SeqpacketListener {
    /// Bind (replacing a stale socket file) and listen. The listener is
    /// non-blocking: [`SeqpacketListener::accept`] never waits.
    pub fn bind(path: &Path) -> io::Result<SeqpacketListener> {
        let _ = std::fs::remove_file(path);
        let fd = socket::socket(
            AddressFamily::Unix,
            SockType::SeqPacket,
            SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
            None,
        )?;
        let addr = UnixAddr::new(path)?;
        socket::bind(fd.as_raw_fd(), &addr)?;
        socket::listen(&fd, Backlog::new(8).unwrap_or(Backlog::MAXCONN))?;
        Ok(SeqpacketListener { fd })
    }

    /// Accept one pending connection, if any, as a non-blocking `File`.
    pub fn accept(&self) -> Option<File> {
        let raw = socket::accept4(
            self.fd.as_raw_fd(),
            SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
        )
        .ok()?;
        // SAFETY: accept4 succeeded, so `raw` is a freshly created descriptor
        // that nothing else in this process owns; the OwnedFd takes sole
        // ownership and closes it on drop.
        let owned = unsafe { OwnedFd::from_raw_fd(raw) };
        Some(File::from(owned))
    }

    /// The listening descriptor, for poll(2)/mio registration.
    pub fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        std::os::fd::AsFd::as_fd(&self.fd)
    }
}

/// Connect to a `SOCK_SEQPACKET` socket at `path`; the returned `File` is
/// blocking unless `nonblocking` is set.
pub fn connect(path: &Path, nonblocking: bool) -> io::Result<File> {
    let mut flags = SockFlag::SOCK_CLOEXEC;
    if nonblocking {
        flags |= SockFlag::SOCK_NONBLOCK;
    }
    let fd = socket::socket(AddressFamily::Unix, SockType::SeqPacket, flags, None)?;
    let addr = UnixAddr::new(path)?;
    match socket::connect(fd.as_raw_fd(), &addr) {
        Ok(()) | Err(nix::errno::Errno::EINPROGRESS) => Ok(File::from(fd)),
        Err(e) => Err(e.into()),
    }
}
