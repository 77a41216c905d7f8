//! API requests to the signalling thread: dial, answer, hangup, restart.

use serde_json::{json, Value};
use trunk_isdn::call::{CallId, Digits, PriError, SetupRequest};

use super::{PriSpan, Service, SigCmd};
use crate::api::commands::ApiError;
use crate::calls::{Direction, Numbering};
use crate::config::Signalling;

impl Service {
    pub(super) fn command(&mut self, c: SigCmd) {
        match c {
            SigCmd::Dial {
                trunk_group,
                number,
                from,
                numbering,
                reply,
            } => {
                let _ = reply.send(self.dial(&trunk_group, &number, from.as_deref(), numbering));
            }
            SigCmd::Answer { call, reply } => {
                self.api_wait.remove(&call);
                let r = self.with_call(call, |s, c, now| s.pri.answer(now, c));
                let _ = reply.send(r.map(|()| json!({"call": call})));
            }
            SigCmd::Hangup { call, cause, reply } => {
                let _ = reply.send(
                    self.hangup(call, cause)
                        .map(|()| json!({"call": call, "cause": cause})),
                );
            }
            SigCmd::Restart {
                span,
                channel,
                reply,
            } => {
                let r = match self.spans.get_mut(&span) {
                    None => Err(ApiError::new(
                        "no_such_span",
                        format!("span {span} does not run PRI"),
                    )),
                    Some(s) => {
                        let now = s.now();
                        s.pri.restart(now, channel).map_err(pri_error)
                    }
                };
                self.service(span);
                let _ = reply.send(r.map(|()| json!({"span": span, "channel": channel})));
            }
        }
    }

    fn with_call(
        &mut self,
        call: u64,
        f: impl FnOnce(&mut PriSpan, CallId, u64) -> Result<(), PriError>,
    ) -> Result<(), ApiError> {
        let &(n, c) = self
            .by_call
            .get(&call)
            .ok_or_else(|| ApiError::new("no_such_call", format!("no call {call} in progress")))?;
        let s = self
            .spans
            .get_mut(&n)
            .ok_or_else(|| ApiError::new("no_such_call", format!("no call {call} in progress")))?;
        let now = s.now();
        let r = f(s, c, now).map_err(pri_error);
        self.service(n);
        r
    }

    pub(super) fn hangup(&mut self, call: u64, cause: u8) -> Result<(), ApiError> {
        self.api_wait.remove(&call);
        self.with_call(call, |s, c, now| s.pri.hangup(now, c, cause))
    }

    fn dial(
        &mut self,
        tg: &str,
        number: &str,
        from: Option<&str>,
        numbering: Numbering,
    ) -> Result<Value, ApiError> {
        let called = Digits::dialable(number).ok_or_else(|| {
            ApiError::new(
                "bad_number",
                format!("`{number}`: a number is 1-32 of 0-9 * #"),
            )
        })?;
        if called.is_empty() {
            return Err(ApiError::new("bad_number", "the number is empty"));
        }
        let calling = match from {
            None => None,
            Some(f) => Some(Digits::dialable(f).ok_or_else(|| {
                ApiError::new(
                    "bad_number",
                    format!("`{f}`: a calling number is 0-32 of 0-9 * #"),
                )
            })?),
        };
        let spans: Vec<u32> = self
            .spans
            .iter()
            .filter(|(_, s)| s.cfg.trunk_group == tg)
            .map(|(n, _)| *n)
            .collect();
        if spans.is_empty() {
            return Err(ApiError::new(
                "no_such_trunk_group",
                format!("no PRI span in trunk group `{tg}`"),
            ));
        }
        let mut req = SetupRequest::new(called, calling);
        req.called.type_of_number = numbering.dnis_type;
        req.called.numbering_plan = numbering.dnis_plan;
        if let Some(c) = req.calling.as_mut() {
            c.type_of_number = numbering.ani_type;
            c.numbering_plan = numbering.ani_plan;
            c.presentation = numbering.ani_presentation;
        }
        let mut last = PriError::NoChannel;
        for n in spans {
            let Some(s) = self.spans.get_mut(&n) else {
                continue;
            };
            let now = s.now();
            let mut req = req;
            if let Some(c) = req.calling.as_mut() {
                // A user side provides the number (not screened); a network
                // side vouches for it (network provided).
                c.screening = if s.cfg.signalling == Signalling::PriNet {
                    3
                } else {
                    0
                };
            }
            match s.pri.setup(now, &req) {
                Ok(call) => {
                    let ch = s.pri.call(call).and_then(|c| c.channel);
                    let id = self.new_call(
                        n,
                        call,
                        Direction::Outbound,
                        ch,
                        &req.called,
                        req.calling.as_ref(),
                    );
                    self.publish_call("call_dialing", id);
                    self.service(n);
                    return Ok(json!({"call": id, "span": n, "channel": ch}));
                }
                Err(e) => last = e,
            }
        }
        Err(pri_error(last))
    }
}

fn pri_error(e: PriError) -> ApiError {
    let code = match e {
        PriError::LinkDown => "link_down",
        PriError::NoSuchCall => "no_such_call",
        PriError::WrongState(_) => "wrong_state",
        PriError::NoChannel | PriError::ChannelBusy(_) | PriError::TooManyCalls => "no_channel",
        PriError::BadChannel(_) => "bad_channel",
        PriError::BadCause(_) => "bad_cause",
        PriError::Overflow => "overflow",
    };
    ApiError::new(code, e.to_string())
}
