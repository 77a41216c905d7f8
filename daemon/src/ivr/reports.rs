//! How a session moves on when the call, the media or a timer reports back.

use serde_json::{json, Value};

use super::flow::Node;
use super::service::Service;
use super::session::{Session, Then, Wait};

impl Service {
    /// The call was answered: a session waiting to answer goes on; a
    /// transfer target that answered is bridged to its caller.
    pub(super) fn answered(&mut self, call: u64) {
        if let Some(mut s) = self.sessions.remove(&call) {
            s.answered = true;
            let mut next = None;
            if s.wait == Wait::Answer {
                // The node that needed an answer runs now that media can flow.
                s.wait = Wait::Nothing;
                if let Some(def) = Self::current(&s) {
                    next = self.enter(&mut s, &def);
                }
            }
            self.sessions.insert(call, s);
            self.settle(call, next);
            return;
        }
        let Some(&caller) = self.by_out.get(&call) else {
            return;
        };
        let Some(mut s) = self.sessions.remove(&caller) else {
            return;
        };
        if matches!(s.wait, Wait::Dial { out, .. } if out == call) {
            let _ = self.exec(json!({"cmd": "tone_stop", "call": caller}));
            match self.exec(json!({"cmd": "bridge", "call": caller, "with": {"call": call}})) {
                Ok(_) => {
                    s.wait = Wait::Bridged(call);
                    self.reg.cdr_note(caller, |x| x.abandoned = false);
                    self.publish(
                        &s,
                        "ivr_transferred",
                        json!({"to_call": call, "to": s.vars.get("transfer_to")}),
                    );
                }
                Err(e) => {
                    log::warn!("call {caller}: bridge to {call}: {}", e.message);
                    let _ = self.exec(json!({"cmd": "hangup", "call": call, "cause": 41}));
                    self.by_out.remove(&call);
                    self.sessions.insert(caller, s);
                    self.transfer_failed(caller, "bridge_failed");
                    return;
                }
            }
        }
        self.sessions.insert(caller, s);
    }

    /// Go on to `next`, or to a node a step left pending.
    pub(super) fn settle(&mut self, call: u64, next: Option<String>) {
        let pending = match self.sessions.get(&call).map(|s| &s.wait) {
            Some(Wait::Goto(n)) => Some(n.clone()),
            _ => None,
        };
        if let Some(n) = next.or(pending) {
            self.goto(call, &n);
        }
    }

    pub(super) fn transfer_failed(&mut self, caller: u64, why: &str) {
        let Some(s) = self.sessions.get_mut(&caller) else {
            return;
        };
        s.vars.insert("transfer_result".into(), why.to_owned());
        let failed = match Self::current(s) {
            Some(Node::Transfer { failed, .. }) => failed,
            _ => return,
        };
        let _ = self.exec(json!({"cmd": "tone_stop", "call": caller}));
        self.goto(caller, &failed);
    }

    /// A call cleared: the caller (abandonment handler), or a transfer leg.
    pub(super) fn cleared(&mut self, call: u64, e: &Value) {
        if let Some(caller) = self.by_out.remove(&call) {
            let state = self.sessions.get(&caller).map(|s| s.wait.clone());
            match state {
                Some(Wait::Dial { out, .. }) if out == call => {
                    let cause = e["cause"].as_u64().unwrap_or(0);
                    if let Some(s) = self.sessions.get_mut(&caller) {
                        s.vars.insert("transfer_cause".into(), cause.to_string());
                    }
                    self.transfer_failed(caller, "no_answer");
                }
                Some(Wait::Bridged(out)) if out == call => {
                    if let Some(mut s) = self.sessions.remove(&caller) {
                        self.release(&mut s, 16);
                        self.sessions.insert(caller, s);
                    }
                }
                _ => {}
            }
            return;
        }
        let Some(mut s) = self.sessions.remove(&call) else {
            return;
        };
        let by = e["cleared_by"].as_str().unwrap_or("");
        for (&id, _) in self.by_media.clone().iter().filter(|(_, &c)| c == call) {
            self.by_media.remove(&id);
        }
        self.lookups.retain(|_, c| *c != call);
        match s.wait {
            Wait::Dial { out, .. } | Wait::Bridged(out) => {
                self.by_out.remove(&out);
                let _ = self.exec(json!({"cmd": "hangup", "call": out, "cause": 16}));
            }
            _ => {}
        }
        let abandoned = by == "remote" && s.abandonable();
        if abandoned {
            self.counters.abandoned += 1;
            self.publish(&s, "ivr_abandoned", json!({"path": s.path}));
            self.on_hangup(&mut s);
        }
        self.counters.finished += 1;
        self.publish(
            &s,
            "ivr_finished",
            json!({"abandoned": abandoned, "path": s.path, "vars": s.vars}),
        );
    }

    /// Run the flow's caller-hang-up handler: instantaneous nodes only.
    pub(super) fn on_hangup(&mut self, s: &mut Session) {
        let Some(start) = s.flows.flows.get(&s.flow).and_then(|f| f.on_hangup.clone()) else {
            return;
        };
        // Where the caller was when they hung up, for the handler's use.
        s.vars.insert("hangup_node".into(), s.node.clone());
        let mut next = Some(start);
        let mut guard = 0;
        while let Some(n) = next.take() {
            guard += 1;
            if guard > 100 {
                break;
            }
            let Some(def) = s.node_def(&n) else {
                break;
            };
            s.node = n.clone();
            s.path.push(n);
            next = match &def {
                Node::Set { .. }
                | Node::Compare { .. }
                | Node::TimeRoute { .. }
                | Node::Notify { .. } => self
                    .enter(s, &def)
                    .filter(|_| !matches!(s.wait, Wait::Releasing)),
                Node::Lookup { query, default, .. } => {
                    // Nobody can answer for a caller who is gone: tell, take the default.
                    self.publish(
                        s,
                        "ivr_lookup",
                        json!({"lookup": null, "query": query, "vars": s.vars}),
                    );
                    Some(default.clone())
                }
                _ => None,
            };
        }
    }

    /// A play, tone, collection or recording of `call` ended.
    pub(super) fn media_done(&mut self, call: u64, id: u64, kind: &str, e: &Value) {
        let Some(s) = self.sessions.get_mut(&call) else {
            return;
        };
        match (s.wait.clone(), kind) {
            (Wait::Play(w, then), "play_done") | (Wait::Tone(w, then), "tone_done") if w == id => {
                s.wait = Wait::Nothing;
                self.after(call, then);
            }
            (Wait::Collect(w), "collect_done") if w == id => {
                let digits = e["digits"].as_str().unwrap_or("").to_owned();
                self.collected(call, &digits);
            }
            (Wait::Record(w, file), "record_done" | "record_failed") if w == id => {
                self.voicemail_done(call, &file, kind == "record_done", e);
            }
            _ => {}
        }
    }

    pub(super) fn collected(&mut self, call: u64, digits: &str) {
        let Some(s) = self.sessions.get_mut(&call) else {
            return;
        };
        if !digits.is_empty() {
            let d = digits.to_owned();
            self.reg.cdr_note(call, |x| x.digits.push(d));
        }
        s.vars.insert("digits".into(), digits.to_owned());
        match Self::current(s) {
            Some(Node::SelectLanguage {
                options,
                default,
                next,
                ..
            }) => {
                s.lang = options.get(digits).cloned().unwrap_or(default);
                s.vars.insert("language".into(), s.lang.clone());
                let n = next;
                self.goto(call, &n);
            }
            Some(Node::Menu(m)) => {
                let choice = if digits.is_empty() {
                    Err(true)
                } else if m.options.is_empty() {
                    let n = digits.len();
                    if n >= usize::from(m.min_digits) && n <= usize::from(m.max_digits) {
                        m.next.clone().ok_or(false)
                    } else {
                        Err(false)
                    }
                } else {
                    m.options.get(digits).cloned().ok_or(false)
                };
                match choice {
                    Ok(next) => {
                        if let Some(v) = &m.store {
                            s.vars.insert(v.clone(), digits.to_owned());
                        }
                        self.note_vars_call(call);
                        self.goto(call, &next);
                    }
                    Err(no_input) => {
                        s.attempts += 1;
                        let kind = if no_input { "no_input" } else { "invalid" };
                        self.publish_call(
                            call,
                            "ivr_retry",
                            json!({"reason": kind, "digits": digits}),
                        );
                        let s = self.sessions.get_mut(&call).expect("session");
                        if s.attempts >= m.attempts {
                            self.goto(call, &m.fallback);
                            return;
                        }
                        let p = if no_input {
                            m.no_input_prompt.clone()
                        } else {
                            m.invalid_prompt.clone()
                        };
                        match p {
                            Some(p) => {
                                let Some(mut s) = self.sessions.remove(&call) else {
                                    return;
                                };
                                self.play(&mut s, &[p], Then::Reenter);
                                self.sessions.insert(call, s);
                                self.settle(call, None);
                            }
                            None => self.after(call, Then::Reenter),
                        }
                    }
                }
            }
            _ => {}
        }
    }

    pub(super) fn note_vars_call(&self, call: u64) {
        if let Some(s) = self.sessions.get(&call) {
            self.note_vars(s);
        }
    }

    pub(super) fn publish_call(&self, call: u64, kind: &str, extra: Value) {
        if let Some(s) = self.sessions.get(&call) {
            self.publish(s, kind, extra);
        }
    }

    pub(super) fn voicemail_done(&mut self, call: u64, file: &str, ok: bool, e: &Value) {
        let Some(s) = self.sessions.get_mut(&call) else {
            return;
        };
        let next = match Self::current(s) {
            Some(Node::Voicemail { next, .. }) => next,
            _ => return,
        };
        if ok {
            let path = e["path"].as_str().unwrap_or(file).to_owned();
            s.vars.insert("voicemail".into(), path.clone());
            let meta = json!({
                "call": call, "ani": s.var("ani"), "dnis": s.var("dnis"), "mailbox": s.vars.get("mailbox"),
                "recorded_at_ms": self.wall_ms(), "duration_ms": e["duration_ms"], "reason": e["reason"], "file": path,
            });
            let side = format!("{path}.json");
            if let Err(err) = std::fs::write(&side, format!("{meta}\n")) {
                log::warn!("call {call}: voicemail metadata {side}: {err}");
            }
            self.publish_call(
                call,
                "ivr_voicemail",
                json!({"path": path, "duration_ms": e["duration_ms"]}),
            );
        } else {
            s.vars.insert("voicemail".into(), "failed".into());
            self.publish_call(
                call,
                "ivr_error",
                json!({"request": "voicemail", "error": e["error"]}),
            );
        }
        self.note_vars_call(call);
        if self.sessions.get(&call).is_some_and(|s| s.answered) {
            self.goto(call, &next);
        }
    }

    /// A lookup, script, transfer or timer ran out.
    pub(super) fn timeout(&mut self, call: u64) {
        let Some(s) = self.sessions.get_mut(&call) else {
            return;
        };
        let node = Self::current(s);
        match (s.wait.clone(), node) {
            (Wait::Lookup(id, _), Some(Node::Lookup { timeout, .. })) => {
                self.lookups.remove(&id);
                s.wait = Wait::Nothing;
                self.goto(call, &timeout);
            }
            (Wait::Script(_), Some(Node::Script { fallback, .. })) => {
                s.wait = Wait::Nothing;
                self.goto(call, &fallback);
            }
            (Wait::Dial { out, .. }, _) => {
                self.by_out.remove(&out);
                let _ = self.exec(json!({"cmd": "hangup", "call": out, "cause": 102}));
                self.transfer_failed(call, "timeout");
            }
            (Wait::Timer(_, then), _) => {
                s.wait = Wait::Nothing;
                self.after(call, then);
            }
            (w, _) => {
                s.wait = Wait::Nothing;
                log::error!("call {call}: timer in state {w:?}");
                self.release_call(call, 41);
            }
        }
    }

    pub(super) fn release_call(&mut self, call: u64, cause: u8) {
        if let Some(mut s) = self.sessions.remove(&call) {
            self.release(&mut s, cause);
            self.sessions.insert(call, s);
        }
    }
}
