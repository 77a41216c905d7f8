//! The control socket: JSON lines in, one JSON line out per request.
//!
//! Requests (one object per line):
//! * `{"cmd":"fault","span":1,"kind":"los"}`: kinds `los`, `ais`, `rai`, `lof`,
//!   `ber` (bit errors, with `"rate"`, 0 <= rate < 1), `cv` (line code errors,
//!   with `"rate"`), `slip` (optional `"count"`, default 1)
//! * `{"cmd":"clear","span":1}`: clear every fault on a span (omit `span`: all)
//! * `{"cmd":"status"}`: board and per-span line status
//! * `pri_policy`, `pri_call`, `pri_hangup`, `pri_restart`, `pri_status`
//!   (with `"span"`): the built-in PRI far end, see `prifar`
//! * `pbx`, `pbx_status` (with `"span"`): per-extension behaviour of the
//!   PRI far end as a PBX of agent phones, see `pbx`
//! * `traffic`, `traffic_stop`, `traffic_status`: the traffic generator on
//!   the PRI far ends, see `traffic`
//!
//! Replies are `{"ok":true,...}` or `{"ok":false,"error":"..."}`. A bad line
//! gets an error reply and the connection stays open.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::Sender;
use serde_json::{json, Value};

use super::{io_err, SimError};
use crate::line::Fault;

/// Longest accepted request line.
const MAX_LINE: usize = 64 * 1024;

/// A control request handed to the tick engine.
pub enum ControlRequest {
    /// Inject a fault on a span (1-based).
    Fault {
        /// Span number, 1-based.
        span: u64,
        /// The fault.
        fault: Fault,
        /// Where the reply goes.
        reply: Sender<Value>,
    },
    /// Clear faults on one span or all.
    Clear {
        /// Span number, 1-based; `None` for every span.
        span: Option<u64>,
        /// Where the reply goes.
        reply: Sender<Value>,
    },
    /// Report status.
    Status {
        /// Where the reply goes.
        reply: Sender<Value>,
    },
    /// A request to the built-in PRI far end of a span.
    Pri {
        /// Span number, 1-based.
        span: u64,
        /// The request.
        command: super::PriCommand,
        /// Where the reply goes.
        reply: Sender<Value>,
    },
    /// A request to the traffic generator.
    Traffic {
        /// The request.
        command: super::traffic::TrafficCommand,
        /// Where the reply goes.
        reply: Sender<Value>,
    },
}

fn err(msg: impl Into<String>) -> Value {
    json!({"ok": false, "error": msg.into()})
}

/// Parse a request object into a control request; `Err` is the error reply.
fn parse(v: &Value, reply: Sender<Value>) -> Result<ControlRequest, Value> {
    let obj = v
        .as_object()
        .ok_or_else(|| err("request must be a JSON object"))?;
    let cmd = obj
        .get("cmd")
        .and_then(Value::as_str)
        .ok_or_else(|| err("missing \"cmd\" (fault, clear, status or pri_*)"))?;
    let span = || {
        obj.get("span")
            .and_then(Value::as_u64)
            .ok_or_else(|| err(format!("{cmd}: missing or bad \"span\" (a number from 1)")))
    };
    match cmd {
        "status" => Ok(ControlRequest::Status { reply }),
        "clear" => {
            let span = match obj.get("span") {
                None | Some(Value::Null) => None,
                Some(_) => Some(span()?),
            };
            Ok(ControlRequest::Clear { span, reply })
        }
        "fault" => {
            let span = span()?;
            let kind = obj.get("kind").and_then(Value::as_str).ok_or_else(|| {
                err("fault: missing \"kind\" (los, ais, rai, lof, ber, cv, slip)")
            })?;
            let rate = || {
                obj.get("rate")
                    .and_then(Value::as_f64)
                    .filter(|r| r.is_finite() && *r >= 0.0 && *r < 1.0)
                    .ok_or_else(|| {
                        err(format!("fault {kind}: \"rate\" must be a number in [0, 1)"))
                    })
            };
            let fault = match kind {
                "los" => Fault::Los,
                "ais" => Fault::Ais,
                "rai" => Fault::Rai,
                "lof" => Fault::Lof,
                "ber" => Fault::Ber(rate()?),
                "cv" => Fault::CodeErrors(rate()?),
                "slip" => {
                    let n = match obj.get("count") {
                        None => 1,
                        Some(c) => c
                            .as_u64()
                            .filter(|n| (1..=10_000).contains(n))
                            .ok_or_else(|| err("fault slip: \"count\" must be 1..=10000"))?,
                    };
                    Fault::Slip(n as u32)
                }
                other => {
                    return Err(err(format!(
                        "fault: unknown kind `{other}` (los, ais, rai, lof, ber, cv, slip)"
                    )))
                }
            };
            Ok(ControlRequest::Fault { span, fault, reply })
        }
        c if c.starts_with("pri_") => {
            let span = span()?;
            let command = super::prifar::parse_command(c, obj).map_err(err)?;
            Ok(ControlRequest::Pri {
                span,
                command,
                reply,
            })
        }
        "pbx" => {
            let span = span()?;
            let config = super::pbx::PbxConfig::from_json(obj).map_err(err)?;
            Ok(ControlRequest::Pri {
                span,
                command: super::PriCommand::Pbx(config.map(Box::new)),
                reply,
            })
        }
        "pbx_status" => {
            let span = span()?;
            if let Some(k) = obj.keys().find(|k| !matches!(k.as_str(), "cmd" | "span")) {
                return Err(err(format!("pbx_status: unknown field \"{k}\"")));
            }
            Ok(ControlRequest::Pri {
                span,
                command: super::PriCommand::PbxStatus,
                reply,
            })
        }
        "traffic" | "traffic_stop" | "traffic_status" => {
            let command = super::traffic::TrafficCommand::from_json(cmd, v).map_err(err)?;
            Ok(ControlRequest::Traffic { command, reply })
        }
        other => Err(err(format!(
            "unknown cmd `{other}` (fault, clear, status, pri_policy, pri_call, pri_hangup, \
             pri_restart, pri_status, pbx, pbx_status, traffic, traffic_stop, traffic_status)"
        ))),
    }
}

/// Parse one request, hand it to the engine and wait for its reply.
pub(crate) fn dispatch(engine: &Sender<ControlRequest>, request: &Value) -> Value {
    let (tx, rx) = crossbeam_channel::bounded(1);
    match parse(request, tx) {
        Err(e) => e,
        Ok(req) => {
            if engine.send_timeout(req, Duration::from_secs(5)).is_err() {
                return err("simulator engine is not running");
            }
            rx.recv_timeout(Duration::from_secs(5))
                .unwrap_or_else(|_| err("simulator engine did not answer"))
        }
    }
}

pub(crate) struct ControlServer {
    listener: UnixListener,
    engine: Sender<ControlRequest>,
}

impl ControlServer {
    pub(crate) fn bind(path: &Path, engine: Sender<ControlRequest>) -> Result<Self, SimError> {
        let _ = std::fs::remove_file(path);
        let listener =
            UnixListener::bind(path).map_err(io_err(format!("binding {}", path.display())))?;
        listener
            .set_nonblocking(true)
            .map_err(io_err("control socket"))?;
        Ok(ControlServer { listener, engine })
    }

    pub(crate) fn run(self, stop: Arc<AtomicBool>) {
        while !stop.load(Ordering::Relaxed) {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    let engine = self.engine.clone();
                    let stop = stop.clone();
                    let _ = std::thread::Builder::new()
                        .name("trunksim-ctl-client".into())
                        .spawn(move || serve_client(stream, engine, stop));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
}

fn serve_client(stream: UnixStream, engine: Sender<ControlRequest>, stop: Arc<AtomicBool>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let Ok(mut out) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        // Read at most MAX_LINE + 1 bytes of one line.
        let mut limited = (&mut reader).take((MAX_LINE + 1 - line.len().min(MAX_LINE)) as u64);
        match limited.read_until(b'\n', &mut line) {
            Ok(0) if line.is_empty() => return,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue
            }
            Err(_) => return,
        }
        let complete = line.last() == Some(&b'\n');
        if !complete && line.len() <= MAX_LINE {
            continue; // partial line; keep reading
        }
        let reply = if !complete {
            // Too long: discard through the next newline.
            let mut sink = Vec::new();
            while reader
                .read_until(b'\n', &mut sink)
                .map(|n| n > 0)
                .unwrap_or(false)
            {
                if sink.last() == Some(&b'\n') {
                    break;
                }
                sink.clear();
            }
            err(format!("request longer than {MAX_LINE} bytes"))
        } else {
            let text = String::from_utf8_lossy(&line);
            let text = text.trim();
            if text.is_empty() {
                line.clear();
                continue;
            }
            match serde_json::from_str::<Value>(text) {
                Ok(v) => dispatch(&engine, &v),
                Err(e) => err(format!("bad JSON: {e}")),
            }
        };
        line.clear();
        let mut s = reply.to_string();
        s.push('\n');
        if out.write_all(s.as_bytes()).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(v: Value) -> ControlRequest {
        let (tx, _rx) = crossbeam_channel::bounded(1);
        parse(&v, tx).unwrap_or_else(|e| panic!("{e}"))
    }

    fn parse_err(v: Value) -> String {
        let (tx, _rx) = crossbeam_channel::bounded(1);
        match parse(&v, tx) {
            Ok(_) => panic!("accepted {v}"),
            Err(e) => e["error"].as_str().unwrap_or_default().to_owned(),
        }
    }

    #[test]
    fn faults_parse() {
        match parse_ok(json!({"cmd":"fault","span":2,"kind":"ber","rate":1e-4})) {
            ControlRequest::Fault {
                span: 2,
                fault: Fault::Ber(r),
                ..
            } => assert_eq!(r, 1e-4),
            _ => panic!("wrong request"),
        }
        match parse_ok(json!({"cmd":"fault","span":1,"kind":"slip","count":3})) {
            ControlRequest::Fault {
                fault: Fault::Slip(3),
                ..
            } => {}
            _ => panic!("wrong request"),
        }
        assert!(matches!(
            parse_ok(json!({"cmd":"clear"})),
            ControlRequest::Clear { span: None, .. }
        ));
    }

    #[test]
    fn bad_requests_are_explained() {
        assert!(parse_err(json!([1, 2])).contains("object"));
        assert!(parse_err(json!({"cmd":"reboot"})).contains("unknown cmd"));
        assert!(parse_err(json!({"cmd":"fault","span":1,"kind":"smoke"})).contains("unknown kind"));
        assert!(parse_err(json!({"cmd":"fault","span":1,"kind":"ber","rate":2})).contains("rate"));
        assert!(parse_err(json!({"cmd":"fault","kind":"los"})).contains("span"));
    }
}
