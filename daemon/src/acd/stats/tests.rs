//! Hand-built event sequences whose figures are worked out in the comments.

use std::collections::BTreeMap;

use super::*;
use crate::acd::{CallId, OverflowReason};

const S: u64 = 1_000;
const MIN: u64 = 60 * S;
const IV: u64 = 15 * MIN;

fn queued(call: u64, queue: &str, at_ms: u64) -> AcdEvent {
    AcdEvent::Queued {
        call,
        queue: queue.into(),
        priority: 0,
        at_ms,
    }
}

fn offered(call: u64, queue: &str, agent: u32, at_ms: u64) -> AcdEvent {
    AcdEvent::Offered {
        call,
        queue: queue.into(),
        agent,
        at_ms,
    }
}

fn answered(call: u64, queue: &str, agent: u32, wait_ms: u64, at_ms: u64) -> AcdEvent {
    AcdEvent::Answered {
        call,
        queue: queue.into(),
        agent,
        wait_ms,
        at_ms,
    }
}

fn abandoned(call: u64, queue: &str, wait_ms: u64, at_ms: u64) -> AcdEvent {
    AcdEvent::Abandoned {
        call,
        queue: queue.into(),
        wait_ms,
        at_ms,
    }
}

fn overflowed(call: u64, queue: &str, wait_ms: u64, at_ms: u64) -> AcdEvent {
    AcdEvent::Overflowed {
        call,
        queue: queue.into(),
        reason: OverflowReason::MaxWait,
        to: "voicemail:100".into(),
        wait_ms,
        at_ms,
    }
}

fn released(
    call: u64,
    queue: &str,
    agent: u32,
    talk_ms: u64,
    hold_ms: u64,
    at_ms: u64,
) -> AcdEvent {
    AcdEvent::Released {
        call,
        queue: queue.into(),
        agent,
        talk_ms,
        hold_ms,
        at_ms,
    }
}

fn state(agent: u32, state: AgentState, at_ms: u64) -> AcdEvent {
    AcdEvent::AgentState {
        agent,
        state,
        at_ms,
    }
}

fn talking(c: u64) -> AgentState {
    AgentState::Talking { call: CallId(c) }
}

fn ringing(c: u64) -> AgentState {
    AgentState::Ringing { call: CallId(c) }
}

fn nr(reason: u16) -> AgentState {
    AgentState::NotReady { reason }
}

const WRAP: AgentState = AgentState::WrapUp { until_ms: 0 };

fn stats_with(events: &[AcdEvent]) -> Stats {
    let mut s = Stats::new(StatsConfig::default());
    for e in events {
        s.record(e);
    }
    s
}

fn report(s: &Stats, interval_ms: Option<u64>, now_ms: u64) -> Report {
    s.report(&Query {
        interval_ms,
        now_ms,
        ..Query::default()
    })
    .expect("report")
}

#[test]
fn a_20_minute_talk_counts_in_both_intervals_it_spans() {
    // Agent 7: ready 00:05, rung 00:10:00, talks 00:10:10-00:30:10 (20 min),
    // wrap-up 1 min, ready again 00:31:10, logs out 00:40.
    let s = stats_with(&[
        state(7, AgentState::Ready, 5 * MIN),
        queued(1, "sales", 10 * MIN - 10 * S),
        offered(1, "sales", 7, 10 * MIN),
        state(7, ringing(1), 10 * MIN),
        answered(1, "sales", 7, 20 * S, 10 * MIN + 10 * S),
        state(7, talking(1), 10 * MIN + 10 * S),
        released(1, "sales", 7, 20 * MIN, 0, 30 * MIN + 10 * S),
        state(7, WRAP, 30 * MIN + 10 * S),
        state(7, AgentState::Ready, 31 * MIN + 10 * S),
        state(7, AgentState::LoggedOut, 40 * MIN),
    ]);
    let r = report(&s, None, 50 * MIN);
    let a: Vec<_> = r.agents.iter().map(|a| (a.start_ms, a)).collect();
    assert_eq!(a.len(), 3);
    // [00:00, 00:15): ready 5 min, ringing 10 s, talking 00:10:10-00:15 = 290 s.
    let (start, a0) = a[0];
    assert_eq!(start, 0);
    assert_eq!(
        (a0.ready_ms, a0.ring_ms, a0.talk_ms),
        (5 * MIN, 10 * S, 290 * S)
    );
    assert_eq!(a0.login_ms, 10 * MIN);
    assert_eq!((a0.offered, a0.answered), (1, 1));
    // [00:15, 00:30): talking all 15 minutes: occupancy 100 %.
    let (start, a1) = a[1];
    assert_eq!(start, IV);
    assert_eq!((a1.talk_ms, a1.login_ms), (IV, IV));
    assert_eq!(a1.occupancy_pct, Some(100.0));
    // [00:30, 00:45): talk 10 s, wrap 60 s, ready 00:31:10-00:40 = 530 s;
    // login 10 min; occupancy 70 / 600 = 11.67 %.
    let (_, a2) = a[2];
    assert_eq!(
        (a2.talk_ms, a2.wrap_ms, a2.ready_ms),
        (10 * S, MIN, 530 * S)
    );
    assert_eq!(a2.login_ms, 10 * MIN);
    assert_eq!(a2.occupancy_pct, Some(11.67));
    // 290 s + 900 s + 10 s = the 20 minutes of the call.
    assert_eq!(a0.talk_ms + a1.talk_ms + a2.talk_ms, 20 * MIN);
    // The queue books the call (talk 20 min + wrap 1 min) to the interval
    // it was queued in: AHT 1,260 s, ASA 20 s, in service level (20 s <= 20 s).
    assert_eq!(r.queues.len(), 1);
    let q = &r.queues[0];
    assert_eq!((q.start_ms, q.offered, q.answered, q.handled), (0, 1, 1, 1));
    assert_eq!((q.talk_ms, q.wrap_ms), (20 * MIN, MIN));
    assert_eq!(q.aht_ms, Some(21 * MIN));
    assert_eq!(q.asa_ms, Some(20 * S));
    assert_eq!(q.sl_pct, Some(100.0));
}

#[test]
fn short_abandons_service_level_and_queue_balance() {
    // All queued in [00:00, 00:15), short abandon limit 5 s, threshold 20 s:
    //   1 answered after 20 s (in SL: <= 20 s)   2 answered after 30 s
    //   3 abandoned after 5 s (short: <= 5 s)     4 abandoned after 15 s
    //   5 overflowed after 300 s                  6 still waiting
    // SL = 1 / (2 + 2 - 1) = 33.33 %; ASA = (20 + 30) / 2 = 25 s; longest
    // wait 30 s (the overflow does not count).
    let mut ev = Vec::new();
    for c in 1..=6 {
        ev.push(queued(c, "sales", 60 * S));
    }
    ev.extend([
        answered(1, "sales", 1, 20 * S, 80 * S),
        answered(2, "sales", 2, 30 * S, 90 * S),
        abandoned(3, "sales", 5 * S, 65 * S),
        abandoned(4, "sales", 15 * S, 75 * S),
        overflowed(5, "sales", 300 * S, 360 * S),
    ]);
    let s = stats_with(&ev);
    let r = report(&s, None, 10 * MIN);
    let q = &r.queues[0];
    assert_eq!(q.offered, 6);
    assert_eq!((q.answered, q.answered_in_sl), (2, 1));
    assert_eq!((q.abandoned, q.abandoned_short), (2, 1));
    assert_eq!((q.overflowed, q.waiting), (1, 1));
    assert_eq!(q.overflowed_by_reason.get("max_wait"), Some(&1));
    assert_eq!(
        q.offered,
        q.answered + q.abandoned + q.overflowed + q.waiting
    );
    assert_eq!(q.sl_pct, Some(33.33));
    assert_eq!(q.asa_ms, Some(25 * S));
    assert_eq!(q.longest_wait_ms, 30 * S);
    let live = s.live(10 * MIN);
    assert_eq!((live.in_queue, live.offered, live.answered), (1, 6, 2));
    // Call 6 has waited from 00:01 to 00:10.
    assert_eq!(live.longest_waiting_ms, 9 * MIN);
    assert_eq!(live.sl_pct, Some(33.33));
}

#[test]
fn each_queue_has_its_own_threshold() {
    let mut cfg = StatsConfig::default();
    cfg.service_level_ms.insert("vip".into(), 10 * S);
    let mut s = Stats::new(cfg);
    // 15 s is within the default 20 s but not within vip's 10 s.
    for (c, q) in [(1, "vip"), (2, "sales")] {
        s.record(&queued(c, q, 0));
        s.record(&answered(c, q, 1, 15 * S, 15 * S));
    }
    let r = report(&s, None, MIN);
    let by: BTreeMap<_, _> = r.queues.iter().map(|q| (q.queue.as_str(), q)).collect();
    assert_eq!(by["vip"].sl_pct, Some(0.0));
    assert_eq!(by["vip"].service_level_ms, 10 * S);
    assert_eq!(by["sales"].sl_pct, Some(100.0));
    // Live: 1 of 2 within its own queue's threshold.
    assert_eq!(s.live(MIN).sl_pct, Some(50.0));
}

#[test]
fn aht_includes_hold_and_wrap_up() {
    // Call 1: talk 100 s, hold 20 s, wrap 30 s (ends by timer: ready).
    // Call 2: talk 200 s, no hold, wrap 10 s (ends by going not ready).
    // AHT = (100 + 20 + 30 + 200 + 10) / 2 = 180 s.
    let s = stats_with(&[
        state(1, AgentState::Ready, 0),
        queued(1, "sales", 0),
        state(1, ringing(1), 0),
        answered(1, "sales", 1, 0, 0),
        state(1, talking(1), 0),
        state(1, AgentState::Held { call: CallId(1) }, 50 * S),
        state(1, talking(1), 70 * S),
        released(1, "sales", 1, 100 * S, 20 * S, 120 * S),
        state(1, WRAP, 120 * S),
        state(1, AgentState::Ready, 150 * S),
        queued(2, "sales", 150 * S),
        state(1, ringing(2), 150 * S),
        state(1, talking(2), 150 * S),
        answered(2, "sales", 1, 0, 150 * S),
        // The state may come before the release: the wrap-up is still booked.
        state(1, WRAP, 350 * S),
        released(2, "sales", 1, 200 * S, 0, 350 * S),
        state(1, nr(3), 360 * S),
    ]);
    let r = report(&s, None, 400 * S);
    let q = &r.queues[0];
    assert_eq!((q.talk_ms, q.hold_ms, q.wrap_ms), (300 * S, 20 * S, 40 * S));
    assert_eq!(q.aht_ms, Some(180 * S));
    let a = &r.agents[0];
    // Agent view: talking 50 + 50 + 200 s, held 20 s, wrap 40 s, not ready 40 s.
    assert_eq!((a.talk_ms, a.hold_ms, a.wrap_ms), (300 * S, 20 * S, 40 * S));
    assert_eq!(a.not_ready_by_reason.get(&3), Some(&(40 * S)));
    assert_eq!(a.login_ms, 400 * S);
    // Occupancy: 360 s busy of 360 s available.
    assert_eq!(a.occupancy_pct, Some(100.0));
}

#[test]
fn wrap_up_under_way_counts_up_to_now() {
    let s = stats_with(&[
        state(1, AgentState::Ready, 0),
        queued(1, "sales", 0),
        answered(1, "sales", 1, 0, 0),
        state(1, talking(1), 0),
        released(1, "sales", 1, 60 * S, 0, 60 * S),
        state(1, WRAP, 60 * S),
    ]);
    // At 90 s the agent has wrapped up for 30 s: AHT 90 s so far.
    let r = report(&s, None, 90 * S);
    assert_eq!(r.queues[0].aht_ms, Some(90 * S));
    assert_eq!(r.agents[0].wrap_ms, 30 * S);
}

#[test]
fn not_ready_time_by_reason() {
    // Login not ready (0) at 0, reason 3 at 60 s, ready 180 s, RONA at
    // 200 s, logout 260 s: reason 0 60 s, reason 3 120 s, ready 20 s,
    // RONA 60 s; login 260 s; occupancy 0 of 20 s available.
    let s = stats_with(&[
        state(5, nr(0), 0),
        state(5, nr(3), 60 * S),
        state(5, AgentState::Ready, 180 * S),
        state(5, nr(crate::acd::REASON_RONA), 200 * S),
        state(5, AgentState::LoggedOut, 260 * S),
    ]);
    let r = report(&s, None, 20 * MIN);
    let a = &r.agents[0];
    let want: BTreeMap<u16, u64> = [(0, 60 * S), (3, 120 * S), (0xFFFF, 60 * S)].into();
    assert_eq!(a.not_ready_by_reason, want);
    assert_eq!(
        (a.not_ready_ms, a.ready_ms, a.login_ms),
        (240 * S, 20 * S, 260 * S)
    );
    assert_eq!(a.occupancy_pct, Some(0.0));
    assert!(
        s.live(20 * MIN).agents.is_empty(),
        "logged out agents are not listed"
    );
}

#[test]
fn a_call_counts_where_it_was_queued_an_answer_where_it_happened() {
    // Queued 00:14:50, answered 00:15:20 by agent 2.
    let s = stats_with(&[
        queued(1, "sales", IV - 10 * S),
        answered(1, "sales", 2, 30 * S, IV + 20 * S),
    ]);
    let r = report(&s, None, IV + MIN);
    assert_eq!(r.queues.len(), 1);
    assert_eq!((r.queues[0].start_ms, r.queues[0].answered), (0, 1));
    assert_eq!((r.agents[0].start_ms, r.agents[0].answered), (IV, 1));
}

#[test]
fn open_state_is_split_up_to_now() {
    // Ready since 00:10; at 00:20: 5 min in each interval.
    let s = stats_with(&[state(3, AgentState::Ready, 10 * MIN)]);
    let r = report(&s, None, 20 * MIN);
    let ready: Vec<_> = r.agents.iter().map(|a| (a.start_ms, a.ready_ms)).collect();
    assert_eq!(ready, [(0, 5 * MIN), (IV, 5 * MIN)]);
    let live = s.live(20 * MIN);
    assert_eq!(live.agents.get("ready"), Some(&1));
}

/// Calls and agent states over two hours with something in every quarter.
fn two_hours() -> Vec<AcdEvent> {
    let mut ev = vec![state(1, AgentState::Ready, 0), state(2, nr(4), 0)];
    let mut call = 0;
    for k in 0..8u64 {
        let t = k * IV + 7 * MIN;
        call += 1;
        ev.push(queued(call, "sales", t));
        ev.push(answered(
            call,
            "sales",
            1,
            (k + 1) * 4 * S,
            t + (k + 1) * 4 * S,
        ));
        ev.push(released(call, "sales", 1, MIN, k * S, t + 2 * MIN));
        call += 1;
        ev.push(queued(call, "support", t + S));
        ev.push(abandoned(call, "support", k * 2 * S, t + S + k * 2 * S));
        ev.push(state(
            2,
            if k % 2 == 0 {
                AgentState::Ready
            } else {
                nr(k as u16)
            },
            t + 3 * MIN,
        ));
    }
    ev.sort_by_key(AcdEvent::at_ms);
    ev
}

#[test]
fn an_hour_is_the_sum_of_its_four_quarters() {
    let s = stats_with(&two_hours());
    let now = 2 * 60 * MIN;
    let quarters = report(&s, None, now);
    let hours = report(&s, Some(4 * IV), now);
    assert_eq!(hours.interval_ms, 4 * IV);
    assert_eq!(hours.queues.len(), 4, "2 queues x 2 hours");
    for h in &hours.queues {
        let parts: Vec<_> = quarters
            .queues
            .iter()
            .filter(|q| q.queue == h.queue && q.start_ms / (4 * IV) == h.start_ms / (4 * IV))
            .collect();
        assert_eq!(parts.len(), 4);
        let sum = |f: fn(&QueueInterval) -> u64| parts.iter().map(|q| f(q)).sum::<u64>();
        assert_eq!(h.offered, sum(|q| q.offered));
        assert_eq!(h.answered, sum(|q| q.answered));
        assert_eq!(h.answered_in_sl, sum(|q| q.answered_in_sl));
        assert_eq!(h.abandoned, sum(|q| q.abandoned));
        assert_eq!(h.abandoned_short, sum(|q| q.abandoned_short));
        assert_eq!(h.answered_wait_ms, sum(|q| q.answered_wait_ms));
        assert_eq!(h.talk_ms + h.hold_ms, sum(|q| q.talk_ms + q.hold_ms));
        assert_eq!(
            h.longest_wait_ms,
            parts.iter().map(|q| q.longest_wait_ms).max().unwrap()
        );
    }
    // Hour 0 of sales: waits 4, 8, 12, 16 s: ASA 10 s, all within 20 s.
    let sales0 = &hours.queues[0];
    assert_eq!((sales0.queue.as_str(), sales0.start_ms), ("sales", 0));
    assert_eq!(sales0.asa_ms, Some(10 * S));
    assert_eq!(sales0.sl_pct, Some(100.0));
    // Hour 1 of sales: waits 20, 24, 28, 32 s: only 20 s within: 25 %.
    assert_eq!(hours.queues[1].sl_pct, Some(25.0));
    // Hour 0 of support: abandons after 0, 2, 4, 6 s: 3 short.
    assert_eq!(hours.queues[2].abandoned_short, 3);
    for h in &hours.agents {
        let parts: Vec<_> = quarters
            .agents
            .iter()
            .filter(|a| a.agent == h.agent && a.start_ms / (4 * IV) == h.start_ms / (4 * IV))
            .collect();
        assert_eq!(parts.len(), 4);
        assert_eq!(h.login_ms, parts.iter().map(|a| a.login_ms).sum::<u64>());
        assert_eq!(h.login_ms, 4 * IV, "logged in the whole hour");
        assert_eq!(
            h.not_ready_ms,
            parts.iter().map(|a| a.not_ready_ms).sum::<u64>()
        );
        assert_eq!(h.answered, parts.iter().map(|a| a.answered).sum::<u64>());
    }
}

#[test]
fn interval_must_be_a_multiple_of_the_base() {
    let s = stats_with(&two_hours());
    for bad in [0, 20 * MIN, IV + 1] {
        let q = Query {
            interval_ms: Some(bad),
            ..Query::default()
        };
        assert_eq!(
            s.report(&q),
            Err(StatsError::BadInterval {
                requested_ms: bad,
                base_ms: IV
            })
        );
    }
}

#[test]
fn filters_by_queue_and_agent() {
    let s = stats_with(&two_hours());
    let r = s
        .report(&Query {
            queue: Some("support".into()),
            agent: Some(2),
            now_ms: 2 * 60 * MIN,
            ..Query::default()
        })
        .expect("report");
    assert_eq!(r.queues.len(), 8);
    assert!(r.queues.iter().all(|q| q.queue == "support"));
    assert_eq!(r.agents.len(), 8);
    assert!(r.agents.iter().all(|a| a.agent == 2));
}

#[test]
fn only_the_newest_intervals_are_kept() {
    let mut s = Stats::new(StatsConfig {
        max_intervals: 4,
        ..StatsConfig::default()
    });
    for e in two_hours() {
        s.record(&e);
    }
    assert!(s.intervals_held() <= 4, "{}", s.intervals_held());
    let r = report(&s, None, 2 * 60 * MIN);
    // Only [01:00, 02:00) is left: 4 quarters of 2 queues and 2 agents.
    assert!(r.queues.iter().all(|q| q.start_ms >= 4 * IV));
    assert_eq!(r.queues.len(), 8);
    assert_eq!(r.agents.len(), 8);
    // Live totals keep everything: 16 calls.
    assert_eq!(s.live(0).offered, 16);
}

#[test]
fn json_and_csv_carry_every_field() {
    let s = stats_with(&two_hours());
    let r = report(&s, None, 2 * 60 * MIN);
    let v = r.to_json();
    let keys = |x: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = x.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let mut qcols: Vec<String> = trunk_tools::acd_cli::QUEUE_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .collect();
    qcols.sort();
    assert_eq!(keys(&v["queues"][0]), qcols);
    let mut acols: Vec<String> = trunk_tools::acd_cli::AGENT_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .collect();
    acols.sort();
    assert_eq!(keys(&v["agents"][0]), acols);
    let csv = r.to_csv_queues();
    assert_eq!(csv.lines().count(), 1 + r.queues.len());
    assert!(csv.starts_with("queue,start_ms,interval_ms,offered,"));
    assert_eq!(r.to_csv_agents().lines().count(), 1 + r.agents.len());
    assert_eq!(v["interval_ms"], IV);
}

#[test]
fn odd_input_does_not_break_the_balance() {
    // An answer and an abandon for calls never seen queued (statistics
    // started late), a repeated Queued, a release without answer, time
    // going backwards.
    let s = stats_with(&[
        answered(9, "sales", 1, 30 * S, 40 * S),
        abandoned(8, "sales", 5 * S, 20 * S),
        queued(1, "sales", 0),
        queued(1, "sales", S),
        released(7, "sales", 1, 10 * S, 0, 50 * S),
        state(1, AgentState::Ready, 100 * S),
        state(1, nr(1), 50 * S),
    ]);
    let r = report(&s, None, 200 * S);
    let q = &r.queues[0];
    assert_eq!(
        (q.offered, q.answered, q.abandoned, q.waiting),
        (3, 1, 1, 1)
    );
    assert_eq!(q.handled, 0, "a release without an answer is not a call");
    assert_eq!(r.agents[0].login_ms, 100 * S);
}
