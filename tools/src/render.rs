//! Human-readable rendering of API results, as printed by `trunkctl`.

use crate::api::{BertReport, CallRecord, CallsReply, Channel, Span, Status};
use crate::table::{Align, Table};

/// Placeholder for an absent value.
const NONE: &str = "-";

/// Formats milliseconds as `[Nd ]HH:MM:SS.mmm`.
pub fn uptime(ms: u64) -> String {
    let millis = ms % 1000;
    let secs = ms / 1000;
    let (days, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if days > 0 {
        format!("{days}d {h:02}:{m:02}:{s:02}.{millis:03}")
    } else {
        format!("{h:02}:{m:02}:{s:02}.{millis:03}")
    }
}

/// Formats a number in C-style scientific notation with three decimals
/// (`1.250e-05`, `0.000e+00`), as BER test tools conventionally do.
pub fn scientific(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let s = format!("{x:.3e}");
    match s.split_once('e') {
        Some((mantissa, exp)) => match exp.parse::<i32>() {
            Ok(e) => {
                let sign = if e < 0 { '-' } else { '+' };
                format!("{mantissa}e{sign}{:02}", e.unsigned_abs())
            }
            Err(_) => s,
        },
        None => s,
    }
}

/// Alarm list as `LOS,LOF`, or `OK` when there are none.
pub fn alarms(list: &[String]) -> String {
    if list.is_empty() {
        "OK".to_string()
    } else {
        list.iter()
            .map(|a| a.to_ascii_uppercase())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The `status` report: server lines followed by a board table.
pub fn status(s: &Status) -> String {
    let mut out = String::new();
    out.push_str(&format!("server:   {} (api {})\n", s.server, s.api));
    out.push_str(&format!("uptime:   {}\n", uptime(s.uptime_ms)));
    out.push_str(&format!("config:   {}\n", s.config));
    out.push_str(&format!("reloads:  {}\n", s.reloads));
    out.push('\n');
    if s.boards.is_empty() {
        out.push_str("no boards\n");
        return out;
    }
    let mut t = Table::new(&[
        ("BOARD", Align::Left),
        ("DEVICE", Align::Left),
        ("SPANS", Align::Right),
        ("FRAMES", Align::Right),
        ("TICKS", Align::Right),
        ("LATE", Align::Right),
        ("STATE", Align::Left),
    ]);
    for b in &s.boards {
        t.push([
            b.name.clone(),
            b.device.clone(),
            b.spans.to_string(),
            b.frames.to_string(),
            b.ticks.to_string(),
            b.late_ticks.to_string(),
            b.state.clone(),
        ]);
    }
    out.push_str(&t.render());
    out
}

/// The `spans` table, in the spirit of `dahdi_scan` / `pri show spans`.
pub fn spans(spans: &[Span]) -> String {
    let mut t = Table::new(&[
        ("SPAN", Align::Right),
        ("BOARD", Align::Left),
        ("LINE", Align::Left),
        ("FRAMING", Align::Left),
        ("CODE", Align::Left),
        ("CLOCK", Align::Left),
        ("SIG", Align::Left),
        ("STATE", Align::Left),
        ("ALARMS", Align::Left),
        ("CRC", Align::Right),
        ("CV", Align::Right),
        ("EBIT", Align::Right),
        ("SLIP", Align::Right),
        ("FAS", Align::Right),
        ("UNDR", Align::Right),
        ("OVR", Align::Right),
        ("DCH-RX", Align::Right),
        ("DCH-TX", Align::Right),
    ]);
    for s in spans {
        let c = &s.counters;
        let (dch_rx, dch_tx) = match &s.dchannel {
            Some(d) => (d.rx_frames.to_string(), d.tx_frames.to_string()),
            None => (NONE.to_string(), NONE.to_string()),
        };
        t.push([
            s.span.to_string(),
            s.board.clone(),
            s.line.to_ascii_uppercase(),
            s.framing.to_ascii_uppercase(),
            s.linecode.to_ascii_uppercase(),
            s.clock.clone(),
            s.signalling.clone(),
            s.state.clone(),
            alarms(&s.alarms),
            c.crc_errors.to_string(),
            c.code_violations.to_string(),
            c.ebit_errors.to_string(),
            c.slips.to_string(),
            c.fas_errors.to_string(),
            c.tx_underruns.to_string(),
            c.rx_overruns.to_string(),
            dch_rx,
            dch_tx,
        ]);
    }
    t.render()
}

/// The `channels` table.
pub fn channels(channels: &[Channel]) -> String {
    let mut t = Table::new(&[
        ("CHANNEL", Align::Left),
        ("SPAN", Align::Right),
        ("TS", Align::Right),
        ("KIND", Align::Left),
        ("STATE", Align::Left),
        ("CALL", Align::Left),
        ("GROUP", Align::Left),
    ]);
    for c in channels {
        let call = match (c.call, &c.call_state) {
            (Some(id), Some(st)) => format!("{id} {st}"),
            (Some(id), None) => id.to_string(),
            _ => NONE.to_string(),
        };
        t.push([
            c.channel.clone(),
            c.span.to_string(),
            c.timeslot.to_string(),
            c.kind.clone(),
            c.state.clone(),
            call,
            c.trunk_group.clone().unwrap_or_else(|| NONE.to_string()),
        ]);
    }
    t.render()
}

/// The final BERT report, in the manner of `patgen`/`pattest`.
pub fn bert(r: &BertReport) -> String {
    let mut out = format!(
        "BERT {}/{}: {} after {:.3} s\n",
        r.span,
        r.timeslot,
        r.state,
        r.elapsed_ms as f64 / 1000.0
    );
    out.push_str(&format!("  bits:        {}\n", r.bits));
    out.push_str(&format!("  errors:      {}\n", r.errors));
    out.push_str(&format!("  error rate:  {}\n", scientific(r.error_rate)));
    out.push_str(&format!(
        "  sync:        {}\n",
        if r.in_sync { "in sync" } else { "NOT IN SYNC" }
    ));
    out.push_str(&format!("  resyncs:     {}\n", r.resyncs));
    out
}

/// Formats a length of time in milliseconds as `[Nd ]HH:MM:SS` (rounded
/// down to the second).
pub fn duration(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if days > 0 {
        format!("{days}d {h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

/// A call's cause as `16 (normal call clearing) by remote`, or `-`.
pub fn cause(c: &CallRecord) -> String {
    let Some(cause) = c.cause else {
        return NONE.to_string();
    };
    let mut out = cause.to_string();
    if let Some(text) = c.cause_text.as_deref().filter(|t| !t.is_empty()) {
        out.push_str(&format!(" ({text})"));
    }
    if let Some(by) = c.cleared_by.as_deref().filter(|b| !b.is_empty()) {
        out.push_str(&format!(" by {by}"));
    }
    out
}

/// The `calls` table: calls in progress and recently ended ones, by call
/// id. AGE/DURATION is the time since the call started for a call in
/// progress, and from start to end for an ended one. `now_ms` is the
/// current Unix time in milliseconds.
pub fn calls(reply: &CallsReply, now_ms: u64) -> String {
    let mut all: Vec<&CallRecord> = reply.calls.iter().chain(&reply.recent).collect();
    if all.is_empty() {
        return "no calls\n".to_string();
    }
    all.sort_by_key(|c| c.call);
    let mut t = Table::new(&[
        ("CALL", Align::Right),
        ("SPAN", Align::Right),
        ("CH", Align::Right),
        ("TG", Align::Left),
        ("DIR", Align::Left),
        ("ANI", Align::Left),
        ("DNIS", Align::Left),
        ("STATE", Align::Left),
        ("AGE/DURATION", Align::Right),
        ("CAUSE", Align::Left),
    ]);
    let or_none = |s: &str| {
        if s.is_empty() {
            NONE.to_string()
        } else {
            s.to_string()
        }
    };
    for c in all {
        let end = c.ended_ms.unwrap_or(now_ms);
        t.push([
            c.call.to_string(),
            c.span.to_string(),
            c.channel
                .map_or_else(|| NONE.to_string(), |ch| ch.to_string()),
            or_none(&c.trunk_group),
            or_none(&c.direction),
            or_none(&c.ani),
            or_none(&c.dnis),
            or_none(&c.state),
            duration(end.saturating_sub(c.started_ms)),
            cause(c),
        ]);
    }
    t.render()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Board, Counters, DChannel};

    #[test]
    fn uptime_formats() {
        assert_eq!(uptime(0), "00:00:00.000");
        assert_eq!(uptime(3_723_004), "01:02:03.004");
        assert_eq!(uptime(90_061_001), "1d 01:01:01.001");
    }

    #[test]
    fn scientific_is_c_style() {
        assert_eq!(scientific(0.0), "0.000e+00");
        assert_eq!(scientific(1.25e-5), "1.250e-05");
        assert_eq!(scientific(0.5), "5.000e-01");
        assert_eq!(scientific(1234.0), "1.234e+03");
        assert_eq!(scientific(1e-123), "1.000e-123");
        assert_eq!(scientific(f64::NAN), "NaN");
    }

    #[test]
    fn alarm_lists() {
        assert_eq!(alarms(&[]), "OK");
        assert_eq!(alarms(&["los".into(), "lof".into()]), "LOS,LOF");
    }

    fn span(n: u32, alarm_list: &[&str], dch: bool) -> Span {
        Span {
            span: n,
            board: "board0".into(),
            board_span: n,
            name: Some(format!("PSTN {n}")),
            line: "e1".into(),
            framing: "crc4".into(),
            linecode: "hdb3".into(),
            clock: "line".into(),
            signalling: "none".into(),
            trunk_group: Some("pstn".into()),
            state: if alarm_list.is_empty() { "up" } else { "alarm" }.into(),
            alarms: alarm_list.iter().map(|s| s.to_string()).collect(),
            counters: Counters {
                crc_errors: u64::from(n) * 1000,
                ..Counters::default()
            },
            dchannel: dch.then(|| DChannel {
                timeslot: 16,
                rx_frames: 12,
                tx_frames: 3456,
                ..DChannel::default()
            }),
        }
    }

    #[test]
    fn spans_table_is_aligned() {
        let out = spans(&[span(1, &[], true), span(12, &["los", "lof"], false)]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(
            lines[0].starts_with("SPAN  BOARD   LINE  FRAMING  CODE  CLOCK  SIG   STATE  ALARMS")
        );
        assert!(lines[0].ends_with("DCH-RX  DCH-TX"));
        assert!(lines[1].starts_with("   1  board0  E1    CRC4     HDB3  line   none  up     OK "));
        assert!(lines[2].contains("alarm  LOS,LOF"));
        // Right-aligned numeric columns end at the same offset.
        let crc_end = lines[0].find("CRC").expect("CRC header") + 3;
        assert_eq!(&lines[1][crc_end - 4..crc_end], "1000");
        assert_eq!(&lines[2][crc_end - 5..crc_end], "12000");
        assert!(lines[1].ends_with("     12    3456"), "{:?}", lines[1]);
        assert!(lines[2].ends_with("      -       -"), "{:?}", lines[2]);
    }

    #[test]
    fn channels_table() {
        let out = channels(&[
            Channel {
                channel: "1/1".into(),
                span: 1,
                timeslot: 1,
                kind: "bearer".into(),
                state: "call".into(),
                call: Some(12),
                call_state: Some("answered".into()),
                trunk_group: Some("pstn".into()),
            },
            Channel {
                channel: "1/16".into(),
                span: 1,
                timeslot: 16,
                kind: "dchannel".into(),
                state: "idle".into(),
                trunk_group: None,
                ..Channel::default()
            },
        ]);
        assert_eq!(
            out,
            "\
CHANNEL  SPAN  TS  KIND      STATE  CALL         GROUP
1/1         1   1  bearer    call   12 answered  pstn
1/16        1  16  dchannel  idle   -            -
"
        );
    }

    #[test]
    fn status_report() {
        let s = Status {
            server: "trunkd 0.1.0".into(),
            api: 1,
            uptime_ms: 61_000,
            config: "/etc/trunkd/trunkd.toml".into(),
            reloads: 2,
            boards: vec![Board {
                name: "board0".into(),
                device: "sim:/tmp/x".into(),
                spans: 4,
                frames: 8000,
                ticks: 8,
                late_ticks: 0,
                state: "running".into(),
            }],
        };
        let out = status(&s);
        assert!(out.contains("server:   trunkd 0.1.0 (api 1)\n"));
        assert!(out.contains("uptime:   00:01:01.000\n"));
        assert!(out.contains("BOARD   DEVICE      SPANS  FRAMES  TICKS  LATE  STATE\n"));
        assert!(out.contains("board0  sim:/tmp/x      4    8000      8     0  running\n"));
    }

    #[test]
    fn bert_report() {
        let r = BertReport {
            span: 1,
            timeslot: 5,
            state: "done".into(),
            in_sync: true,
            elapsed_ms: 10_000,
            bits: 640_000,
            errors: 8,
            error_rate: 1.25e-5,
            resyncs: 0,
        };
        let out = bert(&r);
        assert!(out.starts_with("BERT 1/5: done after 10.000 s\n"));
        assert!(out.contains("bits:        640000\n"));
        assert!(out.contains("error rate:  1.250e-05\n"));
        assert!(out.contains("sync:        in sync\n"));
    }

    fn call(id: u64, state: &str) -> CallRecord {
        CallRecord {
            call: id,
            span: 1,
            channel: Some(5),
            trunk_group: "pstn".into(),
            direction: "in".into(),
            ani: "8880001".into(),
            dnis: "5551234".into(),
            state: state.into(),
            started_ms: 1_000_000,
            ..CallRecord::default()
        }
    }

    #[test]
    fn calls_table() {
        let mut ended = call(3, "cleared");
        ended.direction = "out".into();
        ended.ani = String::new();
        ended.channel = None;
        ended.ended_ms = Some(1_000_000 + 65_500);
        ended.cause = Some(17);
        ended.cause_text = Some("user busy".into());
        ended.cleared_by = Some("remote".into());
        let reply = CallsReply {
            calls: vec![call(12, "answered")],
            recent: vec![ended],
        };
        let out = calls(&reply, 1_000_000 + 3_723_000);
        assert_eq!(
            out,
            "\
CALL  SPAN  CH  TG    DIR  ANI      DNIS     STATE     AGE/DURATION  CAUSE
   3     1   -  pstn  out  -        5551234  cleared       00:01:05  17 (user busy) by remote
  12     1   5  pstn  in   8880001  5551234  answered      01:02:03  -
"
        );
        assert_eq!(calls(&CallsReply::default(), 0), "no calls\n");
    }

    #[test]
    fn durations() {
        assert_eq!(duration(0), "00:00:00");
        assert_eq!(duration(59_999), "00:00:59");
        assert_eq!(duration(90_061_001), "1d 01:01:01");
    }
}
