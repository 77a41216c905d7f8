//! The API socket: JSON lines over a Unix stream socket (docs/api.md).
//!
//! One thread serves every client with `mio`. Each client has a bounded input
//! line (64 KiB) and a bounded output buffer; a client that sends garbage gets
//! an error reply and stays connected; a client that stops reading is
//! disconnected when its output buffer fills, and never blocks the daemon.

pub mod call_commands;
mod clients;
pub mod commands;
pub mod conf_commands;
pub mod ivr_commands;
pub mod media_commands;
pub mod record_commands;
mod subscribe;

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use mio::net::{UnixListener, UnixStream};
use mio::{Events, Interest, Poll, Token};
use serde_json::{json, Map, Value};

use crate::registry::Registry;

/// Longest request line, bytes (without the newline).
pub const MAX_LINE: usize = 64 * 1024;
/// Output buffered for one client before it is disconnected as too slow.
pub const MAX_OUTPUT: usize = 4 * 1024 * 1024;
/// Most clients served at once.
pub const MAX_CLIENTS: usize = 128;

const LISTENER: Token = Token(usize::MAX);

struct Client {
    stream: UnixStream,
    input: Vec<u8>,
    /// Discarding the rest of an over-long line.
    skipping: bool,
    output: Vec<u8>,
    closing: bool,
    /// Event subscription, if any.
    sub: Option<subscribe::Filter>,
    /// Spans whose D-channel frames this client captures.
    capture: Vec<u64>,
    /// Who it is (SO_PEERCRED), as calls and CDRs name it.
    owner: String,
    /// Calls it answered, dialled or took (see `[api] on_client_disconnect`).
    owned: Vec<u64>,
}

/// The running API server.
pub struct ApiServer {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ApiServer {
    /// Bind the socket (replacing a stale one) and start serving.
    pub fn start(path: &Path, registry: Arc<Registry>) -> io::Result<ApiServer> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() && !dir.exists() {
                std::fs::create_dir_all(dir)?;
            }
        }
        if path.exists() {
            // Refuse to steal the socket of a running daemon.
            if std::os::unix::net::UnixStream::connect(path).is_ok() {
                return Err(io::Error::new(
                    io::ErrorKind::AddrInUse,
                    format!("{} is in use by another trunkd", path.display()),
                ));
            }
            std::fs::remove_file(path)?;
        }
        let listener = UnixListener::bind(path)?;
        let mode = registry.config().api.socket_mode;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let thread = std::thread::Builder::new()
            .name("api".into())
            .spawn(move || serve(listener, registry, s))?;
        Ok(ApiServer {
            path: path.to_owned(),
            stop,
            thread: Some(thread),
        })
    }

    /// True while the server thread runs.
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Stop serving and remove the socket.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn serve(mut listener: UnixListener, registry: Arc<Registry>, stop: Arc<AtomicBool>) {
    let mut poll = match Poll::new() {
        Ok(p) => p,
        Err(e) => {
            log::error!("api: cannot create poll: {e}");
            return;
        }
    };
    if let Err(e) = poll
        .registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
    {
        log::error!("api: cannot register listener: {e}");
        return;
    }
    let mut clients: HashMap<Token, Client> = HashMap::new();
    let mut next = 0usize;
    let mut events = Events::with_capacity(64);
    while !stop.load(Ordering::Relaxed) {
        if let Err(e) = poll.poll(&mut events, Some(Duration::from_millis(10))) {
            if e.kind() != io::ErrorKind::Interrupted {
                log::error!("api: poll failed: {e}");
                std::thread::sleep(Duration::from_millis(100));
            }
            continue;
        }
        subscribe::distribute(&registry, &mut clients);
        for ev in events.iter() {
            if ev.token() == LISTENER {
                accept_all(&listener, &poll, &registry, &mut clients, &mut next);
                continue;
            }
            let t = ev.token();
            let Some(c) = clients.get_mut(&t) else {
                continue;
            };
            if ev.is_readable() {
                read_client(c, &registry);
            }
            flush(c);
            if c.closing && c.output.is_empty() || c.output.len() > MAX_OUTPUT {
                if c.output.len() > MAX_OUTPUT {
                    log::warn!("api: disconnecting a client that does not read its replies");
                }
                let _ = poll.registry().deregister(&mut c.stream);
                subscribe::forget(&registry, c);
                if let Some(c) = clients.remove(&t) {
                    clients::client_gone(&registry, c.owner, c.owned);
                }
            }
        }
    }
}

fn accept_all(
    listener: &UnixListener,
    poll: &Poll,
    registry: &Registry,
    clients: &mut HashMap<Token, Client>,
    next: &mut usize,
) {
    loop {
        match listener.accept() {
            Ok((mut stream, _)) => {
                if clients.len() >= MAX_CLIENTS {
                    let _ = stream.write_all(
                        &line(&json!({"event":"error","error":{"code":"busy","message":"too many clients"}})),
                    );
                    continue;
                }
                let peer = match clients::peer_of(&stream) {
                    Ok(p) => p,
                    Err(e) => {
                        log::warn!("api: refusing a client: {e}");
                        continue;
                    }
                };
                if let Err(why) = clients::admitted(&registry.config().api, &peer) {
                    log::warn!("api: refusing pid {}: {why}", peer.pid);
                    let _ = stream.write_all(&line(
                        &json!({"event":"error","error":{"code":"permission_denied","message":why}}),
                    ));
                    continue;
                }
                *next = (*next + 1) % (usize::MAX - 1);
                let token = Token(*next);
                if poll
                    .registry()
                    .register(&mut stream, token, Interest::READABLE | Interest::WRITABLE)
                    .is_err()
                {
                    continue;
                }
                let mut c = Client {
                    stream,
                    input: Vec::new(),
                    skipping: false,
                    output: Vec::new(),
                    closing: false,
                    sub: None,
                    capture: Vec::new(),
                    owner: clients::owner_name(token.0, Some(&peer)),
                    owned: Vec::new(),
                };
                c.output.extend(line(&json!({
                    "event": "hello",
                    "api": commands::API_VERSION,
                    "server": commands::server_name(),
                })));
                flush(&mut c);
                clients.insert(token, c);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(e) => {
                log::warn!("api: accept failed: {e}");
                return;
            }
        }
    }
}

fn line(v: &Value) -> Vec<u8> {
    let mut s = v.to_string().into_bytes();
    s.push(b'\n');
    s
}

fn read_client(c: &mut Client, registry: &Registry) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match c.stream.read(&mut buf) {
            Ok(0) => {
                c.closing = true;
                return;
            }
            Ok(n) => {
                for &b in &buf[..n] {
                    if b == b'\n' {
                        if c.skipping {
                            c.skipping = false;
                        } else {
                            let req = std::mem::take(&mut c.input);
                            if let Some(r) = reply_to_line(registry, c, &req) {
                                c.output.extend(line(&r));
                            }
                        }
                    } else if !c.skipping {
                        if c.input.len() >= MAX_LINE {
                            c.input.clear();
                            c.skipping = true;
                            c.output.extend(line(&error_reply(
                                Value::Null,
                                "line_too_long",
                                &format!("request longer than {MAX_LINE} bytes; discarded"),
                            )));
                        } else {
                            c.input.push(b);
                        }
                    }
                }
                if c.output.len() > MAX_OUTPUT {
                    return;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => {
                c.closing = true;
                c.output.clear();
                return;
            }
        }
    }
}

/// The reply to one request line (`None` for a blank line). The line is
/// parsed once; requests that change the client's own state (subscriptions,
/// captures, `ivr_take`) are served here, the rest by [`commands::execute`].
fn reply_to_line(registry: &Registry, c: &mut Client, raw: &[u8]) -> Option<Value> {
    let obj = match parse_request(raw) {
        Ok(Some(obj)) => obj,
        Ok(None) => return None,
        Err(reply) => return Some(reply),
    };
    let reply = subscribe::handle_client(registry, c, &obj).unwrap_or_else(|| {
        let id = obj.get("id").cloned().unwrap_or(Value::Null);
        let cmd = obj.get("cmd").and_then(Value::as_str).unwrap_or("");
        let result = if cmd == "ivr_take" {
            clients::ivr_take(registry, &obj, &c.owner)
        } else if crate::acdsvc::handles(cmd) {
            crate::acdsvc::request(registry, &obj, Some(&c.owner))
        } else {
            commands::execute(registry, &obj)
        };
        match result {
            Ok(result) => json!({"id": id, "ok": true, "result": result}),
            Err(e) => error_reply(id, e.code, &e.message),
        }
    });
    if let Some(call) = clients::claimed_call(&obj, &reply) {
        let mut owners = crate::registry::lock(&registry.owners);
        owners.insert(call, c.owner.clone());
        // Forget the calls that ended (or changed hands) meanwhile.
        c.owned
            .retain(|x| *x != call && owners.get(x) == Some(&c.owner));
        c.owned.push(call);
    }
    Some(reply)
}

fn flush(c: &mut Client) {
    while !c.output.is_empty() {
        match c.stream.write(&c.output) {
            Ok(0) => {
                c.closing = true;
                c.output.clear();
                return;
            }
            Ok(n) => {
                c.output.drain(..n);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => {
                c.closing = true;
                c.output.clear();
                return;
            }
        }
    }
}

fn error_reply(id: Value, code: &str, message: &str) -> Value {
    json!({"id": id, "ok": false, "error": {"code": code, "message": message}})
}

/// A request line as a JSON object; `Ok(None)` for a blank line, `Err`
/// with the error reply for anything that is not a JSON object.
fn parse_request(raw: &[u8]) -> Result<Option<Map<String, Value>>, Value> {
    let text = match std::str::from_utf8(raw) {
        Ok(t) => t.trim(),
        Err(_) => return Err(error_reply(Value::Null, "bad_json", "request is not UTF-8")),
    };
    if text.is_empty() {
        return Ok(None);
    }
    match serde_json::from_str(text) {
        Ok(Value::Object(obj)) => Ok(Some(obj)),
        Ok(_) => Err(error_reply(
            Value::Null,
            "bad_request",
            "request must be a JSON object",
        )),
        Err(e) => Err(error_reply(
            Value::Null,
            "bad_json",
            &format!("bad JSON: {e}"),
        )),
    }
}
