//! What each kind of node does when a call enters it, and the steps that
//! follow a play or a tone (collect, beep, record, dial, hang up).

use serde_json::{json, Value};

use super::flow::prompt_file_exists as prompt_exists;
use super::flow::{Menu, Node, TimeMatch};
use super::service::{Service, MAX_STEPS};
use super::session::{Session, Then, Wait};
use crate::api::commands::ApiError;

/// Whether a node plays or hears audio (and so needs an answered call).
fn needs_media(n: &Node) -> bool {
    match n {
        Node::Play { .. }
        | Node::Menu(_)
        | Node::SelectLanguage { .. }
        | Node::Voicemail { .. }
        | Node::Transfer { .. } => true,
        Node::Queue { prompt, .. } | Node::Hangup { prompt, .. } => prompt.is_some(),
        _ => false,
    }
}

impl Service {
    /// Enter `node` on `call` and run until the session waits for something.
    pub(super) fn goto(&mut self, call: u64, node: &str) {
        let Some(mut s) = self.sessions.remove(&call) else {
            return;
        };
        // Variables set by a reply, a collection or a language choice go to the CDR.
        self.note_vars(&s);
        let mut next = Some(node.to_owned());
        while let Some(n) = next.take() {
            s.steps += 1;
            self.counters.steps += 1;
            if !self.call_active(call) {
                s.wait = Wait::Gone;
                break;
            }
            if s.steps > MAX_STEPS {
                log::warn!(
                    "call {call}: flow `{}` ran {MAX_STEPS} nodes; releasing",
                    s.flow
                );
                self.release(&mut s, 41);
                break;
            }
            if n != s.node {
                s.attempts = 0;
            }
            s.node = n.clone();
            s.path.push(n.clone());
            let Some(def) = s.node_def(&n) else {
                log::error!("call {call}: flow `{}` has no node `{n}`", s.flow);
                self.counters.errors += 1;
                self.release(&mut s, 41);
                break;
            };
            let path = n.clone();
            self.reg.cdr_note(call, |x| x.ivr_path.push(path));
            self.publish(&s, "ivr_node", json!({"kind": def.kind_name()}));
            if needs_media(&def) && !s.answered {
                match self.exec(json!({"cmd": "answer", "call": call})) {
                    Ok(_) => s.wait = Wait::Answer,
                    Err(e) => {
                        log::warn!("call {call}: cannot answer: {}", e.message);
                        self.release(&mut s, 41);
                    }
                }
                break;
            }
            next = self.enter(&mut s, &def);
            if next.is_none() {
                if let Wait::Goto(g) = &s.wait {
                    next = Some(g.clone());
                }
            }
        }
        self.sessions.insert(call, s);
    }

    /// Do what node `def` does; `Some(node)` to go straight on.
    pub(super) fn enter(&mut self, s: &mut Session, def: &Node) -> Option<String> {
        s.wait = Wait::Nothing;
        match def {
            Node::Play { prompts, next } => {
                let list: Vec<String> = prompts.clone();
                self.play(s, &list, Then::Goto(next.clone()))
            }
            Node::Menu(m) => self.play(s, std::slice::from_ref(&m.prompt), Then::Collect),
            Node::SelectLanguage { prompt, .. } => {
                self.play(s, std::slice::from_ref(prompt), Then::Collect)
            }
            Node::Set { vars, next } => {
                for (k, v) in vars {
                    let v = s.expand(v);
                    if k == "language" || k == "lang" {
                        s.lang = v.clone();
                    }
                    s.vars.insert(k.clone(), v);
                }
                self.note_vars(s);
                Some(next.clone())
            }
            Node::Compare {
                var,
                op,
                value,
                then,
                otherwise,
            } => {
                // The loader makes `var` a template (`${name}`).
                let left = s.expand(var);
                let right = s.expand(value);
                Some(if op.eval(&left, &right) {
                    then.clone()
                } else {
                    otherwise.clone()
                })
            }
            Node::Lookup {
                query, timeout_ms, ..
            } => {
                let id = self.next_lookup;
                self.next_lookup += 1;
                self.lookups.insert(id, s.call);
                s.wait = Wait::Lookup(id, self.now() + timeout_ms);
                self.publish(
                    s,
                    "ivr_lookup",
                    json!({"lookup": id, "query": query, "vars": s.vars}),
                );
                None
            }
            Node::TimeRoute {
                rules,
                calendar,
                holiday,
                default,
            } => {
                let cfg = self.reg.config();
                let t = super::flow::civil_from_unix_ms(self.wall_ms(), cfg.ivr.utc_offset_minutes);
                let cal = calendar.as_ref().and_then(|c| s.flows.calendars.get(c));
                Some(match super::flow::route_time(rules, cal, &t) {
                    TimeMatch::Holiday => holiday.clone().unwrap_or_else(|| default.clone()),
                    TimeMatch::Rule(i) => rules[i].next.clone(),
                    TimeMatch::Default => default.clone(),
                })
            }
            Node::Screen {
                black,
                vip,
                vip_next,
                busy_ms,
                next,
            } => {
                let ani = s.var("ani").unwrap_or_default();
                let listed = |l: &Option<String>| {
                    l.as_ref()
                        .and_then(|l| s.flows.lists.get(l))
                        .is_some_and(|l| l.matches(&ani))
                };
                if listed(black) {
                    s.vars.insert("screen".into(), "black".into());
                    self.note_vars(s);
                    if !s.answered {
                        // Before an answer the network gives the caller busy tone.
                        self.release(s, 17);
                    } else {
                        let id = self.media(s, json!({"cmd": "tone", "call": s.call, "tone": "busy", "max_ms": busy_ms}));
                        s.wait = match id {
                            Some(id) => Wait::Tone(id, Then::Hangup(21)),
                            None => self.retry_later(s.call, Then::Hangup(21)),
                        };
                    }
                    None
                } else if listed(vip) {
                    s.vars.insert("screen".into(), "vip".into());
                    self.note_vars(s);
                    Some(vip_next.clone().unwrap_or_else(|| next.clone()))
                } else {
                    Some(next.clone())
                }
            }
            Node::Voicemail { prompt, .. } => match prompt {
                Some(p) => self.play(s, std::slice::from_ref(p), Then::Beep),
                None => {
                    self.after_in(s, Then::Beep);
                    None
                }
            },
            Node::Transfer { prompt, .. } => match prompt {
                Some(p) => self.play(s, std::slice::from_ref(p), Then::Dial),
                None => {
                    self.after_in(s, Then::Dial);
                    None
                }
            },
            Node::Queue {
                queue,
                prompt,
                next,
            } => {
                let _ = (queue, next);
                match prompt {
                    Some(p) => self.play(s, std::slice::from_ref(p), Then::Queue),
                    None => {
                        self.after_in(s, Then::Queue);
                        None
                    }
                }
            }
            Node::Script {
                name, timeout_ms, ..
            } => {
                s.wait = Wait::Script(self.now() + timeout_ms);
                self.publish(
                    s,
                    "ivr_script",
                    json!({"script": name, "vars": s.vars, "answered": s.answered}),
                );
                None
            }
            Node::Notify { name, next } => {
                self.publish(s, "ivr_notify", json!({"name": name, "vars": s.vars}));
                match next {
                    Some(n) => Some(n.clone()),
                    None => {
                        self.release(s, 16);
                        None
                    }
                }
            }
            Node::Hangup { prompt, cause } => {
                match prompt {
                    Some(p) => {
                        let p = p.clone();
                        return self.play(s, &[p], Then::Hangup(*cause));
                    }
                    None => self.release(s, *cause),
                }
                None
            }
        }
    }

    /// Play prompts (in the session's language) and then do `then`.
    pub(super) fn play(
        &mut self,
        s: &mut Session,
        prompts: &[String],
        then: Then,
    ) -> Option<String> {
        let names: Vec<String> = prompts.iter().map(|p| self.localise(s, p)).collect();
        match self.media(
            s,
            json!({"cmd": "play", "call": s.call, "prompts": names, "barge_in": true}),
        ) {
            Some(id) => {
                s.wait = Wait::Play(id, then);
                None
            }
            None => {
                // The prompt could not be played (logged): go on as if it had been.
                self.after_in(s, then);
                None
            }
        }
    }

    /// Run a media command for the session; its `media_id`, or `None` (logged) when refused.
    pub(super) fn media(&mut self, s: &Session, cmd: Value) -> Option<u64> {
        let what = cmd["cmd"].as_str().unwrap_or("").to_owned();
        match self.exec(cmd) {
            Ok(r) => {
                let id = r["media_id"].as_u64()?;
                self.by_media.insert(id, s.call);
                Some(id)
            }
            Err(e) => {
                self.counters.errors += 1;
                log::warn!(
                    "call {}: flow `{}` node `{}`: {what}: {}",
                    s.call,
                    s.flow,
                    s.node,
                    e.message
                );
                self.publish(s, "ivr_error", json!({"request": what, "error": e.message}));
                None
            }
        }
    }

    /// Whether the call is still in progress.
    pub(super) fn call_active(&self, call: u64) -> bool {
        crate::registry::lock(&self.reg.calls)
            .active
            .contains_key(&call)
    }

    /// After a media request was refused: wait for the end of a call that
    /// is gone, else do `then` a little later (never at once: no spinning).
    fn retry_later(&self, call: u64, then: Then) -> Wait {
        if self.call_active(call) {
            Wait::Timer(self.now() + 500, then)
        } else {
            Wait::Gone
        }
    }

    /// Release the call with `cause`; the session ends when it clears.
    pub(super) fn release(&mut self, s: &mut Session, cause: u8) {
        s.wait = Wait::Releasing;
        self.reg.cdr_note(s.call, |x| x.abandoned = false);
        if let Err(e) = self.exec(json!({"cmd": "hangup", "call": s.call, "cause": cause})) {
            // The caller hanging up at the same moment is no fault.
            if e.code == "no_such_call" {
                log::debug!("call {}: already gone when the flow released it", s.call);
            } else {
                log::warn!("call {}: hangup: {}", s.call, e.message);
            }
        }
    }

    pub(super) fn note_vars(&self, s: &Session) {
        let vars = s.vars.clone();
        self.reg.cdr_note(s.call, |x| x.vars = vars);
    }

    /// The current node's definition.
    pub(super) fn current(s: &Session) -> Option<Node> {
        s.node_def(&s.node)
    }

    /// Do `then` for a session that is out of the map.
    pub(super) fn after_in(&mut self, s: &mut Session, then: Then) {
        s.wait = Wait::Nothing;
        self.step(s, then);
    }

    /// Do `then` for a session in the map.
    pub(super) fn after(&mut self, call: u64, then: Then) {
        let Some(mut s) = self.sessions.remove(&call) else {
            return;
        };
        self.step(&mut s, then);
        self.sessions.insert(call, s);
        self.settle(call, None);
    }

    pub(super) fn step(&mut self, s: &mut Session, then: Then) {
        if !self.call_active(s.call) {
            // The caller hung up; `call_cleared` is on its way.
            s.wait = Wait::Gone;
            return;
        }
        let node = Self::current(s);
        match (then, node) {
            (Then::Goto(n), _) => s.wait = Wait::Goto(n),
            (Then::Hangup(c), _) => self.release(s, c),
            (Then::Collect, Some(Node::Menu(m))) => self.collect(s, &m),
            (Then::Collect, Some(Node::SelectLanguage { timeout_ms, .. })) => {
                let id = self.media(
                    s,
                    json!({"cmd": "collect", "call": s.call, "max_digits": 1,
                    "first_timeout_ms": timeout_ms, "inter_digit_timeout_ms": timeout_ms}),
                );
                s.wait = id.map_or_else(|| self.retry_later(s.call, Then::Collect), Wait::Collect);
            }
            (Then::Reenter, Some(Node::Menu(m))) => {
                self.play(s, std::slice::from_ref(&m.prompt), Then::Collect);
            }
            (Then::Beep, Some(Node::Voicemail { beep, .. })) => {
                let id = if beep {
                    self.media(
                        s,
                        json!({"cmd": "tone", "call": s.call, "tone": "beep", "max_ms": 400}),
                    )
                } else {
                    None
                };
                match id {
                    Some(id) => s.wait = Wait::Tone(id, Then::Record),
                    None => self.step(s, Then::Record),
                }
            }
            (
                Then::Record,
                Some(Node::Voicemail {
                    mailbox,
                    max_seconds,
                    next,
                    ..
                }),
            ) => match self.start_voicemail(s, &mailbox, max_seconds) {
                Some((id, file)) => s.wait = Wait::Record(id, file),
                None => {
                    s.vars.insert("voicemail".into(), "failed".into());
                    s.wait = Wait::Goto(next);
                }
            },
            (
                Then::Dial,
                Some(Node::Transfer {
                    trunk_group,
                    number,
                    caller_id,
                    timeout_ms,
                    failed,
                    ..
                }),
            ) => {
                let to = s.expand(&number);
                let from = caller_id
                    .as_deref()
                    .map_or_else(|| s.var("ani").unwrap_or_default(), |c| s.expand(c));
                let mut req = json!({"cmd": "dial", "trunk_group": trunk_group, "number": to});
                if !from.is_empty() {
                    req["from"] = json!(from);
                }
                match self.exec(req) {
                    Ok(r) => {
                        let out = r["call"].as_u64().unwrap_or(0);
                        self.by_out.insert(out, s.call);
                        s.vars.insert("transfer_to".into(), to.clone());
                        self.reg.cdr_note(s.call, |x| {
                            x.transferred_to = Some(to);
                            x.linked_call = Some(out);
                        });
                        s.wait = Wait::Dial {
                            out,
                            deadline: self.now() + timeout_ms,
                        };
                        // The caller hears ringback while the target is called.
                        if let Some(id) = self.media(
                            s,
                            json!({"cmd": "tone", "call": s.call, "tone": "ringback"}),
                        ) {
                            self.by_media.remove(&id);
                        }
                    }
                    Err(e) => {
                        s.vars.insert("transfer_error".into(), e.code.to_owned());
                        self.publish(
                            s,
                            "ivr_error",
                            json!({"request": "dial", "error": e.message}),
                        );
                        s.wait = Wait::Goto(failed);
                    }
                }
            }
            (Then::Queue, Some(Node::Queue { queue, next, .. })) => {
                self.hand_to_queue(s, &queue, next)
            }
            (then, node) => {
                log::error!(
                    "call {}: step {then:?} does not fit node {:?}",
                    s.call,
                    node.map(|n| n.kind_name())
                );
                self.counters.errors += 1;
                self.release(s, 41);
            }
        }
    }

    /// Hand the call to an ACD queue; `next` if the ACD refuses it.
    fn hand_to_queue(&mut self, s: &mut Session, queue: &str, next: String) {
        let vip = s.var("screen").is_some_and(|v| v == "vip");
        let (tx, rx) = crossbeam_channel::bounded(1);
        let sent = self.reg.acd.try_send(crate::acdsvc::AcdCmd::Enqueue {
            call: s.call,
            queue: queue.to_owned(),
            vip,
            vars: s.vars.clone(),
            reply: Some(tx),
        });
        let r = match sent {
            Ok(()) => rx
                .recv_timeout(std::time::Duration::from_secs(2))
                .unwrap_or_else(|_| Err(ApiError::new("timeout", "the ACD did not answer"))),
            Err(_) => Err(ApiError::new("busy", "the ACD is not keeping up")),
        };
        match r {
            Ok(_) => {
                self.note_vars(s);
                self.publish(s, "ivr_queue", json!({"queue": queue}));
                self.counters.finished += 1;
                s.wait = Wait::Taken;
            }
            Err(e) => {
                s.vars.insert("queue_error".into(), e.code.to_owned());
                self.publish(
                    s,
                    "ivr_error",
                    json!({"request": "queue", "error": e.message}),
                );
                s.wait = Wait::Goto(next);
            }
        }
    }

    /// A prompt in the session's language when the prompt set has it.
    fn localise(&self, s: &Session, p: &str) -> String {
        let dir = self.reg.config().media.prompt_dir.clone();
        let local = format!("{}/{p}", s.lang);
        if !s.lang.is_empty() && prompt_exists(&dir, &local) {
            local
        } else {
            p.to_owned()
        }
    }

    pub(super) fn collect(&mut self, s: &mut Session, m: &Menu) {
        let mut req = json!({"cmd": "collect", "call": s.call, "max_digits": m.max_digits,
            "first_timeout_ms": m.first_digit_timeout_ms, "inter_digit_timeout_ms": m.inter_digit_timeout_ms});
        if let Some(t) = m.terminator {
            req["terminators"] = json!(t.to_string());
        }
        let id = self.media(s, req);
        s.wait = id.map_or_else(|| self.retry_later(s.call, Then::Hangup(41)), Wait::Collect);
    }

    /// Start the recording of a voicemail: `(media_id, file)`.
    pub(super) fn start_voicemail(
        &mut self,
        s: &mut Session,
        mailbox: &str,
        max_seconds: u32,
    ) -> Option<(u64, String)> {
        let cfg = self.reg.config();
        let mailbox: String = s
            .expand(mailbox)
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        let mailbox = if mailbox.is_empty() {
            "default".to_owned()
        } else {
            mailbox
        };
        let t = super::flow::civil_from_unix_ms(self.wall_ms(), 0);
        let ani: String = s
            .var("ani")
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let rel = format!(
            "{}/{mailbox}/{:04}{:02}{:02}T{:02}{:02}Z-{}-call{}.wav",
            cfg.ivr.voicemail_dir,
            t.year,
            t.month,
            t.day,
            t.minute_of_day / 60,
            t.minute_of_day % 60,
            if ani.is_empty() { "unknown" } else { &ani },
            s.call
        );
        let dir = cfg
            .media
            .record_dir
            .join(&cfg.ivr.voicemail_dir)
            .join(&mailbox);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            log::error!(
                "call {}: voicemail directory {}: {e}",
                s.call,
                dir.display()
            );
            self.publish(
                s,
                "ivr_error",
                json!({"request": "voicemail", "error": format!("{}: {e}", dir.display())}),
            );
            return None;
        }
        let id = self.media(
            s,
            json!({"cmd": "record", "call": s.call, "file": rel, "channels": "rx",
            "max_ms": u64::from(max_seconds) * 1000, "terminators": "#"}),
        )?;
        s.vars.insert("mailbox".into(), mailbox);
        Some((id, rel))
    }
}
