//! Calls a caller outside the script places through the far end (the
//! traffic generator): the far end's stack carries them and hands their
//! events back, stamped with board time, instead of scripting them itself.

use std::collections::{BTreeSet, VecDeque};

use trunk_isdn::call::{CallId, PriError, PriEvent, SetupRequest};

use super::script::PriScript;

/// Most events kept for [`PriScript::poll_call_event`] (the traffic
/// generator drains them every millisecond; this only bounds memory when
/// nobody does).
const MAX_WATCHED_EVENTS: usize = 4096;

/// The calls placed with [`PriScript::place_call`] and their events.
#[derive(Debug, Default)]
pub(crate) struct Watched {
    calls: BTreeSet<CallId>,
    events: VecDeque<(u64, PriEvent)>,
}

/// The call an event is about, if any.
fn call_of(e: &PriEvent) -> Option<CallId> {
    match *e {
        PriEvent::IncomingCall { call, .. }
        | PriEvent::Digits { call, .. }
        | PriEvent::MoreDigitsWanted { call }
        | PriEvent::Proceeding { call, .. }
        | PriEvent::Alerting { call, .. }
        | PriEvent::Progress { call, .. }
        | PriEvent::Answered { call, .. }
        | PriEvent::Connected { call }
        | PriEvent::Cleared { call, .. } => Some(call),
        PriEvent::ProtocolError { call, .. } | PriEvent::StatusReceived { call, .. } => call,
        PriEvent::LinkUp | PriEvent::LinkDown | PriEvent::Restarted { .. } => None,
    }
}

impl Watched {
    /// Keep a copy of `e` if it is about a watched call; a cleared call is
    /// watched no more.
    pub(super) fn observe(&mut self, now: u64, e: &PriEvent) {
        let Some(call) = call_of(e).filter(|c| self.calls.contains(c)) else {
            return;
        };
        if matches!(e, PriEvent::Cleared { .. }) {
            self.calls.remove(&call);
        }
        if self.events.len() >= MAX_WATCHED_EVENTS {
            self.events.pop_front();
        }
        self.events.push_back((now, *e));
    }
}

impl PriScript {
    /// Place a call towards trunkd for a caller outside the script (the
    /// traffic generator): counted in `placed` / `place_failed`, otherwise
    /// left alone by the script; its events come out of
    /// [`poll_call_event`](Self::poll_call_event).
    pub fn place_call(&mut self, now: u64, req: &SetupRequest) -> Result<CallId, PriError> {
        self.now = now.max(self.now);
        let r = self.pri.setup(now, req);
        match r {
            Ok(id) => {
                self.counters.placed += 1;
                self.watched.calls.insert(id);
            }
            Err(_) => self.counters.place_failed += 1,
        }
        self.process(now);
        r
    }

    /// Clear a call with a Q.850 cause (RELEASE COMPLETE or DISCONNECT, as
    /// the call's state requires).
    pub fn clear_call(&mut self, now: u64, call: CallId, cause: u8) -> Result<(), PriError> {
        self.now = now.max(self.now);
        let r = self.pri.hangup(now, call, cause);
        self.process(now);
        r
    }

    /// The next event of a call placed with [`place_call`](Self::place_call),
    /// with the board time it happened at.
    pub fn poll_call_event(&mut self) -> Option<(u64, PriEvent)> {
        self.watched.events.pop_front()
    }

    /// Whether the data link is up and a B-channel is idle.
    pub fn has_free_channel(&self) -> bool {
        self.pri.is_link_up()
            && self
                .pri
                .config()
                .b_channels()
                .any(|c| self.pri.channel_idle(c))
    }
}

impl AsMut<PriScript> for PriScript {
    fn as_mut(&mut self) -> &mut PriScript {
        self
    }
}
