//! Synchronous client of trunkd's control socket.
//!
//! # Protocol (API version 1)
//!
//! trunkd listens on a Unix stream socket (default
//! [`DEFAULT_SOCKET`](crate::api::DEFAULT_SOCKET)) and speaks JSON lines:
//!
//! * on connect the server sends
//!   `{"event":"hello","api":1,"server":"trunkd 0.1.0"}`;
//! * a request is one JSON object per line,
//!   `{"id": <any JSON>, "cmd": "<name>", ...arguments}`;
//! * a reply echoes the id: `{"id":..,"ok":true,"result":{...}}` or
//!   `{"id":..,"ok":false,"error":{"code":"..","message":".."}}`;
//! * a line with an `"event"` key and no `"id"` is an asynchronous event.
//!
//! [`Client::request`] sends one request and waits for the reply with the
//! same id, queueing any events that arrive meanwhile; [`Client::next_event`]
//! hands them out later. Every wait is bounded by the client's timeout so a
//! hung daemon produces [`ClientError::Timeout`] instead of a hung tool.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::api;

/// Default bound on every wait for the daemon.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Longest line accepted from the server (bytes, without the newline).
pub const MAX_LINE: usize = 8 * 1024 * 1024;

/// Smallest timeout honoured; shorter ones are rounded up to this.
const MIN_TIMEOUT: Duration = Duration::from_millis(1);

/// How much of an offending line to quote in protocol errors.
const QUOTE_LEN: usize = 120;

/// Errors from [`Client`].
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The socket could not be connected to.
    #[error(
        "cannot connect to trunkd at {}: {source}{hint}; use --socket PATH (or TRUNKD_SOCKET) to choose another socket",
        path.display()
    )]
    Connect {
        /// The socket path tried.
        path: PathBuf,
        /// Why the connection failed.
        source: io::Error,
        /// A short explanation of the likely cause, starting with ` (` or empty.
        hint: &'static str,
    },
    /// Reading from or writing to the socket failed.
    #[error("I/O error talking to trunkd: {0}")]
    Io(#[from] io::Error),
    /// The daemon did not answer in time.
    #[error("timed out after {:.1} s waiting for trunkd {waiting_for}", after.as_secs_f64())]
    Timeout {
        /// What was being waited for (`"hello"`, `"reply to 'spans'"`, …).
        waiting_for: String,
        /// The timeout that expired.
        after: Duration,
    },
    /// The daemon closed the connection.
    #[error("trunkd closed the connection while we were waiting for {waiting_for}")]
    Disconnected {
        /// What was being waited for.
        waiting_for: String,
    },
    /// The daemon sent something that is not valid protocol (bad JSON, a
    /// reply without `ok`, a result of the wrong shape, …).
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The daemon speaks a different API version.
    #[error("trunkd ({server_name}) speaks socket API version {server}, but this client speaks version {client}; use a trunkctl built for the running daemon")]
    ApiMismatch {
        /// The version announced by the server.
        server: u64,
        /// The version this client speaks ([`api::API_VERSION`]).
        client: u64,
        /// The server's name string from its hello.
        server_name: String,
    },
    /// The caller passed arguments that cannot form a request.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The daemon answered the request with an error.
    #[error("trunkd refused '{cmd}': {code}: {message}")]
    Server {
        /// The command that failed.
        cmd: String,
        /// Error code (`bad_json`, `bad_request`, `unknown_command`,
        /// `line_too_long`, `not_found`, `invalid_argument`, `busy`,
        /// `internal`, or a newer one).
        code: String,
        /// Human-readable message from the daemon.
        message: String,
    },
}

impl ClientError {
    /// The server's error code when this is a [`ClientError::Server`].
    pub fn server_code(&self) -> Option<&str> {
        match self {
            ClientError::Server { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// Picks a hint for a failed `connect()`.
fn connect_hint(err: &io::Error) -> &'static str {
    match err.kind() {
        io::ErrorKind::NotFound => " (no such socket: is trunkd running?)",
        io::ErrorKind::ConnectionRefused => " (nobody is listening: is trunkd running?)",
        io::ErrorKind::PermissionDenied => " (are you in the trunkd group?)",
        _ => "",
    }
}

/// Shortens a server line for inclusion in an error message.
fn quote(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    let mut out: String = text.chars().take(QUOTE_LEN).collect();
    if text.chars().count() > QUOTE_LEN {
        out.push('…');
    }
    out
}

/// A connection to trunkd.
#[derive(Debug)]
pub struct Client {
    stream: UnixStream,
    socket: PathBuf,
    /// Bytes received but not yet split into lines.
    pending: Vec<u8>,
    /// How much of `pending` is known to contain no newline.
    scanned: usize,
    events: VecDeque<Value>,
    next_id: u64,
    timeout: Duration,
    server: String,
    api: u64,
}

impl Client {
    /// Connects to the daemon at `path` with the [`DEFAULT_TIMEOUT`], reads
    /// its hello line and checks the API version.
    pub fn connect(path: impl AsRef<Path>) -> Result<Client, ClientError> {
        Client::connect_with_timeout(path, DEFAULT_TIMEOUT)
    }

    /// Like [`Client::connect`], with an explicit timeout for this and all
    /// later waits (see [`Client::set_timeout`]).
    pub fn connect_with_timeout(
        path: impl AsRef<Path>,
        timeout: Duration,
    ) -> Result<Client, ClientError> {
        let path = path.as_ref();
        let stream = UnixStream::connect(path).map_err(|source| ClientError::Connect {
            path: path.to_path_buf(),
            hint: connect_hint(&source),
            source,
        })?;
        let mut client = Client {
            stream,
            socket: path.to_path_buf(),
            pending: Vec::new(),
            scanned: 0,
            events: VecDeque::new(),
            next_id: 1,
            timeout: timeout.max(MIN_TIMEOUT),
            server: String::new(),
            api: 0,
        };
        client.read_hello()?;
        Ok(client)
    }

    fn read_hello(&mut self) -> Result<(), ClientError> {
        let deadline = Instant::now() + self.timeout;
        let line = self
            .read_line(deadline, "hello")?
            .ok_or_else(|| ClientError::Timeout {
                waiting_for: "hello".into(),
                after: self.timeout,
            })?;
        let msg = parse_object(&line)?;
        if msg.get("event").and_then(Value::as_str) != Some("hello") {
            return Err(ClientError::Protocol(format!(
                "expected a hello event first, got: {}",
                quote(&line)
            )));
        }
        let server = msg
            .get("server")
            .and_then(Value::as_str)
            .unwrap_or("trunkd")
            .to_string();
        let api = msg.get("api").and_then(Value::as_u64).ok_or_else(|| {
            ClientError::Protocol(format!(
                "hello without a numeric API version: {}",
                quote(&line)
            ))
        })?;
        if api != api::API_VERSION {
            return Err(ClientError::ApiMismatch {
                server: api,
                client: api::API_VERSION,
                server_name: server,
            });
        }
        self.server = server;
        self.api = api;
        Ok(())
    }

    /// Server name and version from the hello line, e.g. `trunkd 0.1.0`.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// API version announced by the server (always [`api::API_VERSION`]
    /// once connected).
    pub fn api(&self) -> u64 {
        self.api
    }

    /// Path of the socket this client is connected to.
    pub fn socket_path(&self) -> &Path {
        &self.socket
    }

    /// Current bound on each wait.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sets the bound on each later wait for a reply or event (at least 1 ms).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout.max(MIN_TIMEOUT);
    }

    /// Sends command `cmd` with `args` (a JSON object, or `null` for none)
    /// and returns the `result` of the matching reply.
    ///
    /// Events received while waiting are queued for [`Client::next_event`].
    /// Late replies to earlier requests (e.g. ones that timed out) are
    /// skipped. A reply whose id is `null` and which reports an error is
    /// taken as the answer to this request, since the daemon cannot echo the
    /// id of a line it could not parse.
    pub fn request(&mut self, cmd: &str, args: Value) -> Result<Value, ClientError> {
        let mut msg = match args {
            Value::Null => Map::new(),
            Value::Object(map) => map,
            other => {
                return Err(ClientError::InvalidRequest(format!(
                    "arguments of '{cmd}' must be a JSON object, not {other}"
                )))
            }
        };
        for reserved in ["id", "cmd"] {
            if msg.contains_key(reserved) {
                return Err(ClientError::InvalidRequest(format!(
                    "arguments of '{cmd}' may not contain the reserved key '{reserved}'"
                )));
            }
        }
        let id = self.next_id;
        self.next_id += 1;
        msg.insert("id".into(), Value::from(id));
        msg.insert("cmd".into(), Value::from(cmd));
        let mut line = serde_json::to_vec(&Value::Object(msg))
            .map_err(|e| ClientError::InvalidRequest(format!("cannot encode '{cmd}': {e}")))?;
        line.push(b'\n');
        self.send(&line, cmd)?;

        let waiting_for = format!("the reply to '{cmd}'");
        let deadline = Instant::now() + self.timeout;
        loop {
            let Some(line) = self.read_line(deadline, &waiting_for)? else {
                return Err(ClientError::Timeout {
                    waiting_for,
                    after: self.timeout,
                });
            };
            let msg = parse_object(&line)?;
            // Events may carry an "id" of their own (e.g. a media request's);
            // replies never have "event".
            if msg.contains_key("event") {
                self.events.push_back(Value::Object(msg));
                continue;
            }
            let reply_id = msg.get("id").cloned();
            match reply_id {
                None => {
                    return Err(ClientError::Protocol(format!(
                        "message with neither id nor event: {}",
                        quote(&line)
                    )))
                }
                Some(Value::Null) if msg.get("ok") == Some(&Value::Bool(false)) => {
                    return reply_result(cmd, msg, &line)
                }
                Some(ref got) if got.as_u64() == Some(id) => return reply_result(cmd, msg, &line),
                Some(ref got) if got.as_u64().is_some_and(|n| n < id) => {
                    // A late reply to an earlier request: drop it.
                }
                Some(got) => {
                    return Err(ClientError::Protocol(format!(
                        "reply with id {got} while waiting for id {id}: {}",
                        quote(&line)
                    )))
                }
            }
        }
    }

    /// Returns the next asynchronous event (a line with `"event"` and no
    /// `"id"`, e.g. a `call_*`, `link` or `frame` event after `subscribe` or
    /// `capture`): a queued one if any, otherwise waits for one to arrive.
    ///
    /// `timeout` bounds the wait: `None` uses the client's timeout
    /// ([`Client::timeout`]), `Some(Duration::ZERO)` only looks at what has
    /// already been received. `Ok(None)` means no event arrived in time; the
    /// connection stays usable, so a caller that waits indefinitely simply
    /// calls again. Stray replies to earlier requests are skipped.
    pub fn next_event(&mut self, timeout: Option<Duration>) -> Result<Option<Value>, ClientError> {
        if let Some(ev) = self.events.pop_front() {
            return Ok(Some(ev));
        }
        let timeout = timeout.unwrap_or(self.timeout);
        let deadline = Instant::now() + timeout;
        // A (near) zero timeout never waits in read_line: look at the socket
        // once without blocking instead.
        let mut polled = timeout >= MIN_TIMEOUT;
        loop {
            let line = match self.read_line(deadline, "an event")? {
                Some(line) => line,
                None if !polled => {
                    polled = true;
                    self.read_available("an event")?;
                    continue;
                }
                None => return Ok(None),
            };
            let msg = parse_object(&line)?;
            if msg.contains_key("event") {
                return Ok(Some(Value::Object(msg)));
            }
            if !msg.contains_key("id") {
                return Err(ClientError::Protocol(format!(
                    "message with neither id nor event: {}",
                    quote(&line)
                )));
            }
        }
    }

    /// Number of events received and not yet returned by
    /// [`Client::next_event`].
    pub fn queued_events(&self) -> usize {
        self.events.len()
    }

    /// Takes all queued events without waiting.
    pub fn take_events(&mut self) -> Vec<Value> {
        self.events.drain(..).collect()
    }

    /// Writes one request line, bounded by the timeout.
    fn send(&mut self, line: &[u8], cmd: &str) -> Result<(), ClientError> {
        self.stream.set_write_timeout(Some(self.timeout))?;
        match self.stream.write_all(line) {
            Ok(()) => Ok(()),
            Err(e) if is_timeout(&e) => Err(ClientError::Timeout {
                waiting_for: format!("to accept '{cmd}'"),
                after: self.timeout,
            }),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(ClientError::Disconnected {
                waiting_for: format!("'{cmd}' to be sent"),
            }),
            Err(e) => Err(ClientError::Io(e)),
        }
    }

    /// Appends whatever the socket already holds to `pending`, without
    /// waiting (one non-blocking read).
    fn read_available(&mut self, waiting_for: &str) -> Result<(), ClientError> {
        self.stream.set_nonblocking(true)?;
        let mut chunk = [0u8; 8192];
        let got = self.stream.read(&mut chunk);
        self.stream.set_nonblocking(false)?;
        match got {
            Ok(0) => Err(ClientError::Disconnected {
                waiting_for: waiting_for.to_string(),
            }),
            Ok(n) => {
                self.pending.extend_from_slice(&chunk[..n]);
                Ok(())
            }
            Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {
                Err(ClientError::Disconnected {
                    waiting_for: waiting_for.to_string(),
                })
            }
            Err(e) => Err(ClientError::Io(e)),
        }
    }

    /// Reads one line (without its terminator), or `None` if `deadline`
    /// passes first. A partial line is kept for the next call.
    fn read_line(
        &mut self,
        deadline: Instant,
        waiting_for: &str,
    ) -> Result<Option<Vec<u8>>, ClientError> {
        loop {
            if let Some(pos) = self.pending[self.scanned..]
                .iter()
                .position(|&b| b == b'\n')
            {
                let end = self.scanned + pos;
                let mut line: Vec<u8> = self.pending.drain(..=end).collect();
                self.scanned = 0;
                line.pop(); // the '\n'
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue; // tolerate blank lines
                }
                return Ok(Some(line));
            }
            self.scanned = self.pending.len();
            if self.pending.len() > MAX_LINE {
                return Err(ClientError::Protocol(format!(
                    "line from trunkd longer than {MAX_LINE} bytes"
                )));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            self.stream
                .set_read_timeout(Some((deadline - now).max(MIN_TIMEOUT)))?;
            let mut chunk = [0u8; 8192];
            match self.stream.read(&mut chunk) {
                Ok(0) => {
                    return Err(ClientError::Disconnected {
                        waiting_for: waiting_for.to_string(),
                    })
                }
                Ok(n) => self.pending.extend_from_slice(&chunk[..n]),
                Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {
                    return Err(ClientError::Disconnected {
                        waiting_for: waiting_for.to_string(),
                    })
                }
                Err(e) => return Err(ClientError::Io(e)),
            }
        }
    }

    /// Sends a request and decodes its result as `T`.
    pub fn request_as<T: DeserializeOwned>(
        &mut self,
        cmd: &str,
        args: Value,
    ) -> Result<T, ClientError> {
        let result = self.request(cmd, args)?;
        decode(cmd, result)
    }
}

/// Decodes the `result` of command `cmd` as `T`, mapping failure to a
/// protocol error.
pub fn decode<T: DeserializeOwned>(cmd: &str, result: Value) -> Result<T, ClientError> {
    serde_json::from_value(result)
        .map_err(|e| ClientError::Protocol(format!("unexpected result of '{cmd}': {e}")))
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Parses one server line, which must be a JSON object.
fn parse_object(line: &[u8]) -> Result<Map<String, Value>, ClientError> {
    match serde_json::from_slice::<Value>(line) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ClientError::Protocol(format!(
            "expected a JSON object from trunkd, got: {}",
            quote(line)
        ))),
        Err(e) => Err(ClientError::Protocol(format!(
            "invalid JSON from trunkd ({e}): {}",
            quote(line)
        ))),
    }
}

/// Turns a reply object into the request's outcome.
fn reply_result(cmd: &str, mut msg: Map<String, Value>, line: &[u8]) -> Result<Value, ClientError> {
    match msg.get("ok") {
        Some(Value::Bool(true)) => Ok(msg.remove("result").unwrap_or(Value::Null)),
        Some(Value::Bool(false)) => {
            let err = msg.get("error").and_then(Value::as_object);
            let field = |name: &str| {
                err.and_then(|e| e.get(name))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            let code = field("code").ok_or_else(|| {
                ClientError::Protocol(format!("error reply without a code: {}", quote(line)))
            })?;
            Err(ClientError::Server {
                cmd: cmd.to_string(),
                code,
                message: field("message").unwrap_or_default(),
            })
        }
        _ => Err(ClientError::Protocol(format!(
            "reply without a boolean 'ok': {}",
            quote(line)
        ))),
    }
}

mod commands;
#[cfg(test)]
mod tests;
