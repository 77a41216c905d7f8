//! Rendering of canned `acd_queues`, `acd_agents` and `acd_stats` replies.

use super::*;
use serde_json::json;

fn stats_reply() -> Value {
    json!({
        "interval_ms": 900_000, "now_ms": 1_930_000,
        "queues": [{
            "queue": "sales", "start_ms": 900_000, "interval_ms": 900_000,
            "offered": 12, "answered": 9, "answered_in_sl": 8, "service_level_ms": 20_000,
            "sl_pct": 88.89, "abandoned": 2, "abandoned_short": 2, "overflowed": 1,
            "overflowed_by_reason": {"max_wait": 1}, "waiting": 0,
            "answered_wait_ms": 126_000, "asa_ms": 14_000, "longest_wait_ms": 62_000,
            "handled": 9, "talk_ms": 1_500_000, "hold_ms": 60_000, "wrap_ms": 240_000,
            "aht_ms": 200_000
        }, {
            "queue": "support, \"tier 2\"", "start_ms": 1_800_000, "interval_ms": 900_000,
            "offered": 1, "answered": 0, "answered_in_sl": 0, "service_level_ms": 30_000,
            "sl_pct": null, "abandoned": 0, "abandoned_short": 0, "overflowed": 0,
            "overflowed_by_reason": {}, "waiting": 1, "answered_wait_ms": 0,
            "asa_ms": null, "longest_wait_ms": 0, "handled": 0, "talk_ms": 0,
            "hold_ms": 0, "wrap_ms": 0, "aht_ms": null
        }],
        "agents": [{
            "agent": 1001, "start_ms": 900_000, "interval_ms": 900_000,
            "offered": 5, "answered": 4, "missed": 1, "missed_ring_no_answer": 1,
            "missed_busy": 0, "missed_failed": 0, "login_ms": 900_000, "ready_ms": 100_000,
            "ring_ms": 20_000, "talk_ms": 480_000, "hold_ms": 0, "wrap_ms": 100_000,
            "not_ready_ms": 200_000, "not_ready_by_reason": {"3": 120_000, "65535": 80_000},
            "occupancy_pct": 82.86
        }]
    })
}

#[test]
fn stats_queue_table() {
    let text = stats_queues_text(&stats_reply());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "interval 15 min, board time now 00:32:10",
            "QUEUE              START     OFFERED  ANSWERED  ABANDONED  SHORT  OVERFLOWED  WAITING    SL%       ASA       AHT   LONGEST",
            "sales              00:15:00       12         9          2      2           1        0  88.89  00:00:14  00:03:20  00:01:02",
            "support, \"tier 2\"  00:30:00        1         0          0      0           0        1      -         -         -  00:00:00",
        ]
    );
}

#[test]
fn stats_agent_table() {
    let text = stats_agents_text(&stats_reply());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(
        lines[1],
        "AGENT  START     OFFERED  ANSWERED  MISSED     LOGIN     READY      TALK      HOLD      WRAP  NOT-READY   OCC%  NOT-READY BY REASON"
    );
    assert_eq!(
        lines[2],
        " 1001  00:15:00        5         4       1  00:15:00  00:01:40  00:08:00  00:00:00  00:01:40   00:03:20  82.86  3=00:02:00,65535=00:01:20"
    );
}

#[test]
fn queue_csv_quotes_and_keeps_every_field() {
    let csv = queues_csv(&stats_reply());
    let lines: Vec<&str> = csv.split("\r\n").collect();
    // Header, two rows, and the empty string after the last CRLF.
    assert_eq!(lines.len(), 4, "{csv:?}");
    assert_eq!(lines[3], "");
    assert_eq!(lines[0], QUEUE_COLUMNS.join(","));
    assert_eq!(
        lines[1],
        "sales,900000,900000,12,9,8,20000,88.89,2,2,1,max_wait=1,0,126000,14000,62000,9,1500000,60000,240000,200000"
    );
    // The comma and quotes in the name are quoted; nulls are empty cells.
    assert_eq!(
        lines[2],
        "\"support, \"\"tier 2\"\"\",1800000,900000,1,0,0,30000,,0,0,0,,1,0,,0,0,0,0,0,"
    );
}

#[test]
fn agent_csv_flattens_reasons() {
    let csv = agents_csv(&stats_reply());
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(lines[0], AGENT_COLUMNS.join(","));
    assert_eq!(
        lines[1],
        "1001,900000,900000,5,4,1,1,0,0,900000,100000,20000,480000,0,100000,200000,3=120000;65535=80000,82.86"
    );
    assert_eq!(lines.len(), 3);
}

#[test]
fn csv_of_an_empty_or_odd_reply_is_a_header() {
    assert_eq!(
        agents_csv(&json!({})),
        format!("{}\r\n", AGENT_COLUMNS.join(","))
    );
    assert_eq!(
        queues_csv(&json!({"queues": "nonsense"})),
        format!("{}\r\n", QUEUE_COLUMNS.join(","))
    );
    assert_eq!(csv_field("a\nb"), "\"a\nb\"");
    assert_eq!(csv_field("plain"), "plain");
}

#[test]
fn queues_and_agents_tables() {
    let q = json!({"queues": [{"name": "sales", "skill": "sales", "strategy": "longest_idle",
        "waiting": 3, "longest_wait_ms": 12_000, "agents_logged_in": 5, "agents_ready": 1,
        "agents_busy": 4}]});
    assert_eq!(
        queues_text(&q),
        "QUEUE  SKILL  STRATEGY      WAITING   LONGEST  LOGGED-IN  READY  BUSY\n\
         sales  sales  longest_idle        3  00:00:12          5      1     4\n"
    );
    let a = json!({"agents": [{"agent": 1001, "name": "Alice", "endpoint": "pbx/2001",
        "state": "talking", "reason": null, "since_ms": 123_456, "call": 17,
        "skills": {"sales": 5, "support": 2}, "answered": 3, "missed": 0},
        {"agent": 1002, "name": "Bob", "endpoint": "pbx/2002", "state": "not_ready",
        "reason": 3, "since_ms": 3_600_000, "call": null, "skills": {}, "answered": 0,
        "missed": 1}]});
    let text = agents_text(&a);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "AGENT  NAME   ENDPOINT  STATE      REASON     SINCE  CALL  ANSWERED  MISSED  SKILLS",
            " 1001  Alice  pbx/2001  talking         -  00:02:03    17         3       0  sales=5,support=2",
            " 1002  Bob    pbx/2002  not_ready       3  01:00:00     -         0       1  -",
        ]
    );
}

#[test]
fn stats_arguments_leave_out_absent_options() {
    assert_eq!(stats_args(None, None, None), json!({}));
    assert_eq!(
        stats_args(Some(60), Some("sales"), Some(1001)),
        json!({"interval_min": 60, "queue": "sales", "agent": 1001})
    );
}
