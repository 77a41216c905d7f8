//! Control requests handled by the tick engine, and its `status` report.

use serde_json::json;
use trunk_driver_sys::abi::{self, Control, SpanStatus};

use super::{ControlRequest, Engine};

impl Engine {
    pub(super) fn handle(&mut self, req: ControlRequest) {
        match req {
            ControlRequest::Fault { span, fault, reply } => {
                let r = match self.span_index(span) {
                    Ok(i) => {
                        self.spans[i].model.inject(fault);
                        json!({"ok": true})
                    }
                    Err(e) => e,
                };
                let _ = reply.send(r);
            }
            ControlRequest::Clear { span, reply } => {
                let r = match span {
                    None => {
                        self.spans.iter_mut().for_each(|s| s.model.clear_faults());
                        json!({"ok": true})
                    }
                    Some(n) => match self.span_index(n) {
                        Ok(i) => {
                            self.spans[i].model.clear_faults();
                            json!({"ok": true})
                        }
                        Err(e) => e,
                    },
                };
                let _ = reply.send(r);
            }
            ControlRequest::Status { reply } => {
                let _ = reply.send(self.status_json());
            }
            ControlRequest::Pri {
                span,
                command,
                reply,
            } => {
                let board_ms = self.frames / abi::FRAMES_PER_CHUNK as u64;
                let r = match (self.span_index(span), self.pri.as_mut()) {
                    (Err(e), _) => e,
                    (Ok(_), None) => json!({"ok": false, "error": format!(
                        "the far end is `{}`; pri_* and pbx requests need --far-end pri-net or pri-cpe",
                        self.far_end
                    )}),
                    (Ok(i), Some(p)) => p.command(i, board_ms, &command),
                };
                let _ = reply.send(r);
            }
            ControlRequest::Traffic { command, reply } => {
                let board_ms = self.frames / abi::FRAMES_PER_CHUNK as u64;
                let r = match self.pri.as_mut() {
                    None => json!({"ok": false, "error": format!(
                        "the far end is `{}`; traffic runs on the PRI far end \
                         (--far-end pri-net or pri-cpe)",
                        self.far_end
                    )}),
                    Some(p) => p.traffic_command(board_ms, &command),
                };
                let _ = reply.send(r);
            }
        }
    }

    fn span_index(&self, span: u64) -> Result<usize, serde_json::Value> {
        if span >= 1 && span as usize <= self.spans.len() {
            Ok(span as usize - 1)
        } else {
            Err(
                json!({"ok": false, "error": format!("span {span} does not exist (board has spans 1..={})", self.spans.len())}),
            )
        }
    }

    fn status_json(&self) -> serde_json::Value {
        let control = Control::from_bits_retain(self.regs.read32(abi::REG_CONTROL));
        let spans: Vec<_> = self
            .spans
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let st = SpanStatus::from_bits_retain(s.status);
                let alarms = st.alarm_names();
                let faults: Vec<_> = s.model.active_faults().iter().map(fault_json).collect();
                let c = s.model.counters();
                json!({
                    "span": i + 1,
                    "enabled": s.line.is_some(),
                    "config": s.line.map(|l| json!({
                        "line": format!("{:?}", l.kind).to_lowercase(),
                        "framing": format!("{:?}", l.framing).to_lowercase(),
                        "linecode": format!("{:?}", l.code).to_lowercase(),
                    })),
                    "in_sync": st.contains(SpanStatus::IN_SYNC),
                    "alarms": alarms,
                    "faults": faults,
                    "far_alarms": s.model.far_alarms(),
                    "counters": {
                        "crc_errors": c.crc_errors,
                        "code_violations": c.code_violations,
                        "ebit_errors": c.ebit_errors,
                        "slips": c.slips,
                        "fas_errors": c.fas_errors,
                        "tx_underruns": s.underruns,
                        "rx_overruns": s.overruns,
                    },
                    "external": self.external.as_ref().map(|e| e.span_json(i)),
                    "pri": self.pri.as_ref().map(|p| p.span_json(i)),
                })
            })
            .collect();
        json!({
            "ok": true,
            "board": {
                "spans": self.spans.len(),
                "line": format!("{:?}", self.line).to_lowercase(),
                "far_end": self.far_end.to_string(),
                "time": self.time.to_string(),
                "seed": self.seed,
                "frames": self.frames,
                "interrupts": self.irq_count,
                "host_connected": self.host.is_some(),
                "dma_enabled": control.contains(Control::DMA_ENABLE),
            },
            "spans": spans,
        })
    }
}

/// JSON form of a fault, as the control socket names it.
pub(crate) fn fault_json(f: &crate::line::Fault) -> serde_json::Value {
    use crate::line::Fault;
    match f {
        Fault::Los => json!({"kind": "los"}),
        Fault::Ais => json!({"kind": "ais"}),
        Fault::Rai => json!({"kind": "rai"}),
        Fault::Lof => json!({"kind": "lof"}),
        Fault::Ber(r) => json!({"kind": "ber", "rate": r}),
        Fault::CodeErrors(r) => json!({"kind": "cv", "rate": r}),
        Fault::Slip(n) => json!({"kind": "slip", "count": n}),
    }
}
