//! Typed wrappers of the API commands: one method per command, returning
//! its result decoded into the [`crate::api`] types (or the raw result where
//! it has no interesting content).

use serde_json::{json, Value};

use super::{Client, ClientError};
use crate::api::{
    BertReport, BertStarted, CallsReply, CaptureStarted, ChannelsReply, Dialled, SpansReply,
    Status, Subscription,
};

impl Client {
    /// `status`: server, uptime, configuration and boards.
    pub fn status(&mut self) -> Result<Status, ClientError> {
        self.request_as("status", Value::Null)
    }

    /// `spans`: configuration, alarms and counters of every span.
    pub fn spans(&mut self) -> Result<SpansReply, ClientError> {
        self.request_as("spans", Value::Null)
    }

    /// `channels`: every channel, or only those of `span`.
    pub fn channels(&mut self, span: Option<u32>) -> Result<ChannelsReply, ClientError> {
        let args = match span {
            Some(n) => json!({ "span": n }),
            None => Value::Null,
        };
        self.request_as("channels", args)
    }

    /// `bert_start`: starts a bit error rate test of `seconds` board-time
    /// seconds on one timeslot.
    pub fn bert_start(
        &mut self,
        span: u32,
        timeslot: u32,
        seconds: u64,
    ) -> Result<BertStarted, ClientError> {
        self.request_as(
            "bert_start",
            json!({ "span": span, "timeslot": timeslot, "seconds": seconds }),
        )
    }

    /// `bert`: progress or outcome of the test on a timeslot.
    pub fn bert(&mut self, span: u32, timeslot: u32) -> Result<BertReport, ClientError> {
        self.request_as("bert", json!({ "span": span, "timeslot": timeslot }))
    }

    /// `bert_stop`: stops the test on a timeslot and returns its outcome.
    pub fn bert_stop(&mut self, span: u32, timeslot: u32) -> Result<BertReport, ClientError> {
        self.request_as("bert_stop", json!({ "span": span, "timeslot": timeslot }))
    }

    /// `calls`: calls in progress and, with `recent`, recently ended ones.
    pub fn calls(&mut self, recent: bool) -> Result<CallsReply, ClientError> {
        let args = if recent {
            json!({ "recent": true })
        } else {
            Value::Null
        };
        self.request_as("calls", args)
    }

    /// `dial`: places a call to `number` on a span of `trunk_group`, with
    /// `from` as the calling number.
    pub fn dial(
        &mut self,
        trunk_group: &str,
        number: &str,
        from: Option<&str>,
    ) -> Result<Dialled, ClientError> {
        let mut args = json!({ "trunk_group": trunk_group, "number": number });
        if let Some(from) = from {
            args["from"] = json!(from);
        }
        self.request_as("dial", args)
    }

    /// `answer`: answers an inbound call.
    pub fn answer(&mut self, call: u64) -> Result<Value, ClientError> {
        self.request("answer", json!({ "call": call }))
    }

    /// `hangup`: clears (or rejects) a call with a Q.850 `cause` (the daemon
    /// uses 16, normal call clearing, when `None`).
    pub fn hangup(&mut self, call: u64, cause: Option<u8>) -> Result<Value, ClientError> {
        let mut args = json!({ "call": call });
        if let Some(cause) = cause {
            args["cause"] = json!(cause);
        }
        self.request("hangup", args)
    }

    /// `restart`: sends a Q.931 RESTART for one B-channel of `span`, or for
    /// the whole interface when `channel` is `None`.
    pub fn restart(&mut self, span: u32, channel: Option<u32>) -> Result<Value, ClientError> {
        let mut args = json!({ "span": span });
        if let Some(channel) = channel {
            args["channel"] = json!(channel);
        }
        self.request("restart", args)
    }

    /// `subscribe`: from now on the daemon sends the events `filter`
    /// selects; read them with [`Client::next_event`]. A new subscription
    /// replaces the previous one.
    pub fn subscribe(&mut self, filter: &Subscription) -> Result<Value, ClientError> {
        self.request("subscribe", filter.to_args())
    }

    /// `unsubscribe`: stops call and link events (events already received
    /// stay queued).
    pub fn unsubscribe(&mut self) -> Result<Value, ClientError> {
        self.request("unsubscribe", Value::Null)
    }

    /// `capture`: streams the D-channel frames of `span` as `frame` events
    /// (see [`crate::api::FrameEvent`]) until [`Client::capture_stop`] or the
    /// connection closes.
    pub fn capture(&mut self, span: u32) -> Result<CaptureStarted, ClientError> {
        self.request_as("capture", json!({ "span": span }))
    }

    /// `capture_stop`: ends every capture of this connection.
    pub fn capture_stop(&mut self) -> Result<Value, ClientError> {
        self.request("capture_stop", Value::Null)
    }
}
