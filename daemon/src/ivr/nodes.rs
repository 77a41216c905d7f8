//! What each kind of node does, and how a session moves on when the media,
//! the call or a timer reports back.

use serde_json::{json, Value};

use super::flow::prompt_file_exists as prompt_exists;
use super::flow::{Menu, Node, TimeMatch};
use super::service::{Service, MAX_STEPS};
use super::session::{Session, Then, Wait};
use crate::registry::lock;

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
            let Some(def) = s
                .flows
                .flows
                .get(&s.flow)
                .and_then(|f| f.nodes.get(&n))
                .cloned()
            else {
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
                    Ok(_) => s.wait = Wait::Answer(n),
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
    fn enter(&mut self, s: &mut Session, def: &Node) -> Option<String> {
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
                let left = if var.contains("${") {
                    s.expand(var)
                } else {
                    s.var(var).unwrap_or_default()
                };
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
                            None => Wait::Timer(self.now(), Then::Hangup(21)),
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
                // The ACD is not built yet: announce and go on.
                self.publish(s, "ivr_queue", json!({"queue": queue, "stub": true}));
                match prompt {
                    Some(p) => self.play(s, std::slice::from_ref(p), Then::Goto(next.clone())),
                    None => Some(next.clone()),
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
    fn play(&mut self, s: &mut Session, prompts: &[String], then: Then) -> Option<String> {
        let dir = self.reg.config().media.prompt_dir.clone();
        let names: Vec<String> = prompts
            .iter()
            .map(|p| {
                let local = format!("{}/{p}", s.lang);
                if !s.lang.is_empty() && prompt_exists(&dir, &local) {
                    local
                } else {
                    p.clone()
                }
            })
            .collect();
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

    /// Release the call with `cause`; the session ends when it clears.
    pub(super) fn release(&mut self, s: &mut Session, cause: u8) {
        s.wait = Wait::Releasing;
        self.reg.cdr_note(s.call, |x| x.abandoned = false);
        if let Err(e) = self.exec(json!({"cmd": "hangup", "call": s.call, "cause": cause})) {
            log::warn!("call {}: hangup: {}", s.call, e.message);
        }
    }

    fn note_vars(&self, s: &Session) {
        let vars = s.vars.clone();
        self.reg.cdr_note(s.call, |x| x.vars = vars);
    }

    /// The current node's definition.
    fn current(s: &Session) -> Option<Node> {
        s.flows
            .flows
            .get(&s.flow)
            .and_then(|f| f.nodes.get(&s.node))
            .cloned()
    }

    /// Do `then` for a session that is out of the map.
    fn after_in(&mut self, s: &mut Session, then: Then) {
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

    fn step(&mut self, s: &mut Session, then: Then) {
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
                s.wait = id.map_or(Wait::Timer(self.now(), Then::Collect), Wait::Collect);
            }
            (Then::Reenter, Some(Node::Menu(m))) => {
                let id = self.media(s, json!({"cmd": "play", "call": s.call, "prompts": [self.localise(s, &m.prompt)], "barge_in": true}));
                s.wait = id.map_or(Wait::Nothing, |id| Wait::Play(id, Then::Collect));
                if id.is_none() {
                    self.collect(s, &m);
                }
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

    fn localise(&self, s: &Session, p: &str) -> String {
        let dir = self.reg.config().media.prompt_dir.clone();
        let local = format!("{}/{p}", s.lang);
        if !s.lang.is_empty() && prompt_exists(&dir, &local) {
            local
        } else {
            p.to_owned()
        }
    }

    fn collect(&mut self, s: &mut Session, m: &Menu) {
        let mut req = json!({"cmd": "collect", "call": s.call, "max_digits": m.max_digits,
            "first_timeout_ms": m.first_digit_timeout_ms, "inter_digit_timeout_ms": m.inter_digit_timeout_ms});
        if let Some(t) = m.terminator {
            req["terminators"] = json!(t.to_string());
        }
        let id = self.media(s, req);
        s.wait = id.map_or(Wait::Timer(self.now(), Then::Hangup(41)), Wait::Collect);
    }

    /// Start the recording of a voicemail: `(media_id, file)`.
    fn start_voicemail(
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

    /// The call was answered: a session waiting to answer goes on; a
    /// transfer target that answered is bridged to its caller.
    pub(super) fn answered(&mut self, call: u64) {
        if let Some(mut s) = self.sessions.remove(&call) {
            s.answered = true;
            let mut next = None;
            if matches!(s.wait, Wait::Answer(_)) {
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
    fn settle(&mut self, call: u64, next: Option<String>) {
        let pending = match self.sessions.get(&call).map(|s| &s.wait) {
            Some(Wait::Goto(n)) => Some(n.clone()),
            _ => None,
        };
        if let Some(n) = next.or(pending) {
            self.goto(call, &n);
        }
    }

    fn transfer_failed(&mut self, caller: u64, why: &str) {
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
        lock(&self.reg.owners).remove(&call);
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
    fn on_hangup(&mut self, s: &mut Session) {
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
            let Some(def) = s
                .flows
                .flows
                .get(&s.flow)
                .and_then(|f| f.nodes.get(&n))
                .cloned()
            else {
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

    fn collected(&mut self, call: u64, digits: &str) {
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
                                let p = self.localise(&s, &p);
                                let id = self.media(&s, json!({"cmd": "play", "call": call, "prompts": [p], "barge_in": true}));
                                s.wait =
                                    id.map_or(Wait::Nothing, |id| Wait::Play(id, Then::Reenter));
                                self.sessions.insert(call, s);
                                if id.is_none() {
                                    self.after(call, Then::Reenter);
                                }
                            }
                            None => self.after(call, Then::Reenter),
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn note_vars_call(&self, call: u64) {
        if let Some(s) = self.sessions.get(&call) {
            self.note_vars(s);
        }
    }

    fn publish_call(&self, call: u64, kind: &str, extra: Value) {
        if let Some(s) = self.sessions.get(&call) {
            self.publish(s, kind, extra);
        }
    }

    fn voicemail_done(&mut self, call: u64, file: &str, ok: bool, e: &Value) {
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

    fn release_call(&mut self, call: u64, cause: u8) {
        if let Some(mut s) = self.sessions.remove(&call) {
            self.release(&mut s, cause);
            self.sessions.insert(call, s);
        }
    }
}
