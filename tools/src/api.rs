//! Typed views of trunkd's socket API, version 1.
//!
//! Every struct here is deserialised leniently: missing fields take their
//! default value and unknown fields are ignored, so that a daemon which adds
//! fields (a compatible change within API version 1) does not break older
//! clients. Fields that may legitimately be absent or `null` are `Option`s.

use serde::{Deserialize, Serialize};

/// The socket API version this crate speaks.
pub const API_VERSION: u64 = 1;

/// Where trunkd listens by default.
pub const DEFAULT_SOCKET: &str = "/run/trunkd/trunkd.sock";

/// Result of the `status` command.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Status {
    /// Server name and version, e.g. `trunkd 0.1.0`.
    pub server: String,
    /// API version served.
    pub api: u64,
    /// Milliseconds since the daemon started.
    pub uptime_ms: u64,
    /// Path of the configuration file in use.
    pub config: String,
    /// Number of configuration reloads (SIGHUP) since start.
    pub reloads: u64,
    /// The boards the daemon drives.
    pub boards: Vec<Board>,
}

/// One board in a [`Status`] result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Board {
    /// Board name from the configuration, e.g. `board0`.
    pub name: String,
    /// Device specification, e.g. `uio:/dev/uio0` or `sim:/tmp/x`.
    pub device: String,
    /// Number of spans on the board.
    pub spans: u32,
    /// Frames (125 µs) processed.
    pub frames: u64,
    /// Driver ticks processed.
    pub ticks: u64,
    /// Ticks that were serviced late.
    pub late_ticks: u64,
    /// Board state, e.g. `running`.
    pub state: String,
}

/// Result of the `spans` command.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SpansReply {
    /// All configured spans, in global span order.
    pub spans: Vec<Span>,
}

/// One span (E1/T1 line) in a [`SpansReply`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Span {
    /// Global span number (1-based).
    pub span: u32,
    /// Board the span lives on.
    pub board: String,
    /// Span number on that board (1-based).
    pub board_span: u32,
    /// Descriptive name from the configuration.
    pub name: Option<String>,
    /// Line type: `e1` or `t1`.
    pub line: String,
    /// Framing, e.g. `crc4`, `cas`, `esf`, `d4`.
    pub framing: String,
    /// Line code, e.g. `hdb3`, `b8zs`, `ami`.
    pub linecode: String,
    /// Clock source, e.g. `line` or `internal`.
    pub clock: String,
    /// Signalling on the span, e.g. `none`, `pri_cpe`, `ss7`.
    pub signalling: String,
    /// Trunk group the span's channels belong to.
    pub trunk_group: Option<String>,
    /// `up`, `alarm` or `disabled`.
    pub state: String,
    /// Active alarms (`los`, `lof`, `ais`, `rai`, `crc_mf_loss`); empty when clear.
    pub alarms: Vec<String>,
    /// Error and performance counters.
    pub counters: Counters,
    /// The span's D channel, if it has one.
    pub dchannel: Option<DChannel>,
}

/// Error counters of a [`Span`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Counters {
    /// CRC-4 (E1) or CRC-6 (T1 ESF) errors.
    pub crc_errors: u64,
    /// Line code violations.
    pub code_violations: u64,
    /// E-bit errors reported by the far end (E1).
    pub ebit_errors: u64,
    /// Frame slips.
    pub slips: u64,
    /// Frame alignment signal errors.
    pub fas_errors: u64,
    /// Transmit buffer underruns.
    pub tx_underruns: u64,
    /// Receive buffer overruns.
    pub rx_overruns: u64,
}

/// D channel (HDLC) statistics of a [`Span`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DChannel {
    /// Timeslot carrying the D channel (16 on E1, 24 on T1).
    pub timeslot: u32,
    /// HDLC frames received.
    pub rx_frames: u64,
    /// HDLC frames sent.
    pub tx_frames: u64,
    /// Received frames with a bad FCS.
    pub fcs_errors: u64,
    /// Received frames aborted.
    pub aborts: u64,
}

/// Result of the `channels` command.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChannelsReply {
    /// The channels, in span/timeslot order.
    pub channels: Vec<Channel>,
}

/// One channel (timeslot) in a [`ChannelsReply`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Channel {
    /// Channel name, `SPAN/TS`.
    pub channel: String,
    /// Global span number.
    pub span: u32,
    /// Timeslot on the span.
    pub timeslot: u32,
    /// `bearer` or `dchannel`.
    pub kind: String,
    /// `idle`, `call`, `bert`, `alarm` or `disabled`.
    pub state: String,
    /// The call holding the B-channel, if any.
    pub call: Option<u64>,
    /// That call's state (`ringing`, `answered`, ...).
    pub call_state: Option<String>,
    /// Trunk group, if any.
    pub trunk_group: Option<String>,
}

/// Result of the `bert_start` command.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BertStarted {
    /// Global span number.
    pub span: u32,
    /// Timeslot under test.
    pub timeslot: u32,
    /// Test length in board-time seconds.
    pub seconds: u64,
}

/// Result of the `bert` and `bert_stop` commands.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BertReport {
    /// Global span number.
    pub span: u32,
    /// Timeslot under test.
    pub timeslot: u32,
    /// `running`, `done` or `stopped`.
    pub state: String,
    /// Whether the receiver is synchronised to the test pattern.
    pub in_sync: bool,
    /// Board time elapsed since the test started, in milliseconds.
    pub elapsed_ms: u64,
    /// Bits compared.
    pub bits: u64,
    /// Bit errors counted.
    pub errors: u64,
    /// `errors / bits` (0 when no bits were compared).
    pub error_rate: f64,
    /// Times the receiver lost and regained pattern sync.
    pub resyncs: u64,
}

impl BertReport {
    /// BERT state: the test is still running.
    pub const RUNNING: &'static str = "running";
    /// BERT state: the test ran for its full length.
    pub const DONE: &'static str = "done";
    /// BERT state: the test was stopped before its end.
    pub const STOPPED: &'static str = "stopped";

    /// True when the test ran for its full length.
    pub fn is_done(&self) -> bool {
        self.state == Self::DONE
    }

    /// True when the test has ended, either completed or stopped.
    pub fn is_finished(&self) -> bool {
        self.state == Self::DONE || self.state == Self::STOPPED
    }
}

/// A call, as listed by `calls` and carried by the `call_*` events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CallRecord {
    /// Daemon-wide call id.
    pub call: u64,
    /// Global span number.
    pub span: u32,
    /// B-channel (timeslot), once one is chosen.
    pub channel: Option<u32>,
    /// Trunk group of the span.
    pub trunk_group: String,
    /// `in` (the far end called) or `out` (placed with `dial`).
    pub direction: String,
    /// Calling number (ANI); empty when not provided.
    pub ani: String,
    /// Called number (DNIS).
    pub dnis: String,
    /// `ringing`, `dialing`, `proceeding`, `alerting`, `progress`,
    /// `answered`, `clearing` or `cleared`.
    pub state: String,
    /// Q.931 call state number (0 = null).
    pub q931_state: u32,
    /// Unix time (ms) the call arrived or was dialled.
    pub started_ms: u64,
    /// Unix time (ms) of the answer.
    pub answered_ms: Option<u64>,
    /// Unix time (ms) the call ended.
    pub ended_ms: Option<u64>,
    /// Q.850 cause of the end.
    pub cause: Option<u32>,
    /// Name of the cause, e.g. `normal call clearing`.
    pub cause_text: Option<String>,
    /// Who ended the call: `remote`, `local`, `timer` or `protocol`.
    pub cleared_by: Option<String>,
}

/// Result of the `calls` command.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CallsReply {
    /// Calls in progress, by id.
    pub calls: Vec<CallRecord>,
    /// Recently ended calls, oldest first (only with `"recent": true`).
    pub recent: Vec<CallRecord>,
}

/// Result of the `dial` command.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dialled {
    /// Id of the new call.
    pub call: u64,
    /// Span the call was placed on.
    pub span: u32,
    /// B-channel offered in the SETUP, if one was chosen.
    pub channel: Option<u32>,
}

/// Result of the `capture` command.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaptureStarted {
    /// The span being captured.
    pub span: u32,
    /// True when trunkd is the network side of the span (`pri_net`).
    pub network_side: bool,
    /// The pcap link type the frames suit (177, `LINKTYPE_LINUX_LAPD`).
    pub linktype: u32,
}

/// A `frame` event: one D-channel frame seen by a `capture`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FrameEvent {
    /// The span the frame was sent or received on.
    pub span: u32,
    /// `tx` (sent by trunkd) or `rx` (received by trunkd).
    pub dir: String,
    /// Span (board) time of the frame in milliseconds.
    pub board_ms: u64,
    /// Unix time of the frame in microseconds.
    pub unix_us: u64,
    /// The frame in hex, from its LAPD address field, without the FCS.
    pub hex: String,
}

impl FrameEvent {
    /// True when trunkd sent the frame.
    pub fn is_tx(&self) -> bool {
        self.dir == "tx"
    }

    /// The frame octets.
    pub fn bytes(&self) -> Result<Vec<u8>, String> {
        crate::decode::parse_hex(&self.hex)
    }
}

/// Arguments of the `subscribe` command; empty filters match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subscription {
    /// Event kinds wanted (`call_answered`, `link`, ...; a trailing `*`
    /// matches a prefix, e.g. `call_*`). Empty: all kinds.
    pub events: Vec<String>,
    /// Only events of this span.
    pub span: Option<u32>,
    /// Only events of this trunk group.
    pub trunk_group: Option<String>,
    /// Only events of this call.
    pub call: Option<u64>,
}

impl Subscription {
    /// The request arguments.
    pub fn to_args(&self) -> serde_json::Value {
        let mut args = serde_json::Map::new();
        if !self.events.is_empty() {
            args.insert("events".into(), self.events.clone().into());
        }
        if let Some(span) = self.span {
            args.insert("span".into(), span.into());
        }
        if let Some(tg) = &self.trunk_group {
            args.insert("trunk_group".into(), tg.clone().into());
        }
        if let Some(call) = self.call {
            args.insert("call".into(), call.into());
        }
        serde_json::Value::Object(args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn span_deserialises_with_null_dchannel_and_missing_fields() {
        let v = json!({
            "span": 2, "board": "board0", "board_span": 2, "name": "PSTN 2",
            "line": "e1", "framing": "crc4", "linecode": "hdb3", "clock": "line",
            "signalling": "none", "trunk_group": null, "state": "alarm",
            "alarms": ["los", "ais"], "dchannel": null, "future_field": 7
        });
        let span: Span = serde_json::from_value(v).expect("span");
        assert_eq!(span.span, 2);
        assert_eq!(span.trunk_group, None);
        assert_eq!(span.alarms, vec!["los", "ais"]);
        assert_eq!(span.counters, Counters::default());
        assert!(span.dchannel.is_none());
    }

    #[test]
    fn bert_report_states() {
        let r: BertReport =
            serde_json::from_value(json!({"state": "done", "bits": 5})).expect("bert");
        assert!(r.is_done());
        assert!(r.is_finished());
        assert_eq!(r.bits, 5);
        let r: BertReport = serde_json::from_value(json!({"state": "stopped"})).expect("bert");
        assert!(!r.is_done());
        assert!(r.is_finished());
    }

    #[test]
    fn call_record_and_frame_event() {
        let v = json!({
            "call": 12, "span": 1, "channel": null, "trunk_group": "pstn",
            "direction": "out", "ani": "", "dnis": "5551234", "state": "dialing",
            "q931_state": 1, "started_ms": 1000, "answered_ms": null,
            "ended_ms": null, "cause": null, "cause_text": null, "cleared_by": null
        });
        let r: CallRecord = serde_json::from_value(v).expect("call");
        assert_eq!(r.call, 12);
        assert_eq!(r.channel, None);
        assert_eq!(r.state, "dialing");
        let calls: CallsReply =
            serde_json::from_value(json!({"calls": [{"call": 3}]})).expect("calls");
        assert_eq!(calls.calls[0].call, 3);
        assert!(calls.recent.is_empty());
        let f: FrameEvent = serde_json::from_value(json!({
            "event": "frame", "span": 1, "dir": "tx", "board_ms": 5,
            "unix_us": 7, "hex": "00017f"
        }))
        .expect("frame");
        assert!(f.is_tx());
        assert_eq!(f.bytes(), Ok(vec![0x00, 0x01, 0x7f]));
    }

    #[test]
    fn subscription_arguments() {
        assert_eq!(Subscription::default().to_args(), json!({}));
        let s = Subscription {
            events: vec!["call_*".into(), "link".into()],
            span: Some(2),
            trunk_group: Some("pstn".into()),
            call: Some(9),
        };
        assert_eq!(
            s.to_args(),
            json!({"events": ["call_*", "link"], "span": 2, "trunk_group": "pstn", "call": 9})
        );
    }
}
