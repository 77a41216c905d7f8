//! The `pri_*` control requests, from JSON.

use serde_json::{Map, Value};

use super::types::{CallPlan, PriCommand, PriPolicy, MAX_PLAN_CALLS};

type Obj = Map<String, Value>;

/// Refuse keys a command does not know (typos would otherwise be silently
/// ignored and the default used).
fn known(cmd: &str, obj: &Obj, keys: &[&str]) -> Result<(), String> {
    match obj
        .keys()
        .find(|k| !matches!(k.as_str(), "cmd" | "span") && !keys.contains(&k.as_str()))
    {
        Some(k) => Err(format!(
            "{cmd}: unknown field \"{k}\" (known: {})",
            keys.join(", ")
        )),
        None => Ok(()),
    }
}

/// An optional number: absent gives `default`, `null` gives `None`.
fn opt_u64(cmd: &str, obj: &Obj, key: &str, default: Option<u64>) -> Result<Option<u64>, String> {
    match obj.get(key) {
        None => Ok(default),
        Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .filter(|&n| n <= 86_400_000)
            .map(Some)
            .ok_or_else(|| format!("{cmd}: \"{key}\" must be null or milliseconds (0..=86400000)")),
    }
}

fn u64_or(cmd: &str, obj: &Obj, key: &str, default: u64) -> Result<u64, String> {
    match opt_u64(cmd, obj, key, Some(default))? {
        Some(n) => Ok(n),
        None => Err(format!("{cmd}: \"{key}\" must be a number")),
    }
}

fn bool_or(cmd: &str, obj: &Obj, key: &str, default: bool) -> Result<bool, String> {
    match obj.get(key) {
        None => Ok(default),
        Some(v) => v
            .as_bool()
            .ok_or_else(|| format!("{cmd}: \"{key}\" must be true or false")),
    }
}

fn cause(cmd: &str, obj: &Obj, key: &str) -> Result<Option<u8>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .filter(|c| (1..=127).contains(c))
            .map(|c| Some(c as u8))
            .ok_or_else(|| format!("{cmd}: \"{key}\" must be a Q.850 cause, 1..=127")),
    }
}

fn digits(cmd: &str, obj: &Obj, key: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) if n.is_u64() => Ok(Some(n.to_string())),
        Some(_) => Err(format!("{cmd}: \"{key}\" must be a string of digits")),
    }
}

/// Parse a `pri_*` request (`cmd` is its name); `Err` is the error text.
pub(crate) fn parse_command(cmd: &str, obj: &Obj) -> Result<PriCommand, String> {
    match cmd {
        "pri_policy" => {
            known(
                cmd,
                obj,
                &["answer_after_ms", "reject_cause", "hangup_after_ms", "ring"],
            )?;
            let d = PriPolicy::default();
            Ok(PriCommand::Policy(PriPolicy {
                answer_after_ms: opt_u64(cmd, obj, "answer_after_ms", d.answer_after_ms)?,
                reject_cause: cause(cmd, obj, "reject_cause")?,
                hangup_after_ms: opt_u64(cmd, obj, "hangup_after_ms", d.hangup_after_ms)?,
                ring: bool_or(cmd, obj, "ring", d.ring)?,
            }))
        }
        "pri_call" => {
            known(
                cmd,
                obj,
                &[
                    "count",
                    "number",
                    "from",
                    "from_index",
                    "interval_ms",
                    "hangup_after_ms",
                    "overlap",
                    "digit_interval_ms",
                ],
            )?;
            let number = digits(cmd, obj, "number")?
                .ok_or_else(|| format!("{cmd}: missing \"number\" (the called number)"))?;
            let count = u64_or(cmd, obj, "count", 1)?;
            let plan = CallPlan {
                count: u32::try_from(count)
                    .ok()
                    .filter(|c| (1..=MAX_PLAN_CALLS).contains(c))
                    .ok_or_else(|| format!("{cmd}: \"count\" must be 1..={MAX_PLAN_CALLS}"))?,
                number,
                from: digits(cmd, obj, "from")?,
                from_index: bool_or(cmd, obj, "from_index", false)?,
                interval_ms: u64_or(cmd, obj, "interval_ms", 0)?,
                hangup_after_ms: opt_u64(cmd, obj, "hangup_after_ms", None)?,
                overlap: bool_or(cmd, obj, "overlap", false)?,
                digit_interval_ms: u64_or(cmd, obj, "digit_interval_ms", 0)?,
            };
            plan.validate().map_err(|e| format!("{cmd}: {e}"))?;
            Ok(PriCommand::Call(plan))
        }
        "pri_hangup" => {
            known(cmd, obj, &["call", "all", "cause"])?;
            let cause = cause(cmd, obj, "cause")?.unwrap_or(16);
            let all = bool_or(cmd, obj, "all", false)?;
            let call = match obj.get("call") {
                None | Some(Value::Null) => None,
                Some(v) => Some(
                    v.as_u64()
                        .and_then(|c| u32::try_from(c).ok())
                        .ok_or_else(|| format!("{cmd}: \"call\" must be a call id"))?,
                ),
            };
            match (call, all) {
                (Some(_), true) => Err(format!("{cmd}: give \"call\" or \"all\":true, not both")),
                (None, false) => Err(format!("{cmd}: missing \"call\" (or \"all\":true)")),
                (call, _) => Ok(PriCommand::Hangup { call, cause }),
            }
        }
        "pri_restart" => {
            known(cmd, obj, &["channel"])?;
            let channel = match obj.get("channel") {
                None | Some(Value::Null) => None,
                Some(v) => Some(
                    v.as_u64()
                        .filter(|c| (1..=31).contains(c))
                        .map(|c| c as u8)
                        .ok_or_else(|| format!("{cmd}: \"channel\" must be null or 1..=31"))?,
                ),
            };
            Ok(PriCommand::Restart { channel })
        }
        "pri_status" => {
            known(cmd, obj, &[])?;
            Ok(PriCommand::Status)
        }
        other => Err(format!(
            "unknown cmd `{other}` (pri_policy, pri_call, pri_hangup, pri_restart, pri_status)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(v: Value) -> Result<PriCommand, String> {
        let obj = v.as_object().cloned().unwrap_or_default();
        let cmd = obj["cmd"].as_str().unwrap_or_default().to_owned();
        parse_command(&cmd, &obj)
    }

    #[test]
    fn policy_fields_and_defaults() {
        let p = parse(json!({"cmd":"pri_policy","span":1,"answer_after_ms":500,
            "reject_cause":null,"hangup_after_ms":3000,"ring":true}));
        assert_eq!(
            p,
            Ok(PriCommand::Policy(PriPolicy {
                answer_after_ms: Some(500),
                reject_cause: None,
                hangup_after_ms: Some(3000),
                ring: true,
            }))
        );
        let p = parse(json!({"cmd":"pri_policy","span":1,"answer_after_ms":null,"ring":false}));
        assert_eq!(
            p,
            Ok(PriCommand::Policy(PriPolicy {
                answer_after_ms: None,
                ring: false,
                ..PriPolicy::default()
            }))
        );
        let p = parse(json!({"cmd":"pri_policy","span":1}));
        assert_eq!(p, Ok(PriCommand::Policy(PriPolicy::default())));
    }

    #[test]
    fn call_plan_parses() {
        let p = parse(
            json!({"cmd":"pri_call","span":1,"count":30,"number":"5551234",
            "from":"8880001","interval_ms":10,"hangup_after_ms":2000,"overlap":true,
            "from_index":true}),
        );
        let Ok(PriCommand::Call(plan)) = p else {
            panic!("{p:?}")
        };
        assert_eq!(plan.count, 30);
        assert_eq!(plan.number, "5551234");
        assert_eq!(plan.from.as_deref(), Some("8880001"));
        assert!(plan.overlap && plan.from_index);
        assert_eq!(plan.hangup_after_ms, Some(2000));
        assert_eq!(plan.interval_ms, 10);
        let Ok(PriCommand::Call(plan)) = parse(json!({"cmd":"pri_call","span":1,"number":"100"}))
        else {
            panic!()
        };
        assert_eq!(plan, CallPlan::new("100"));
    }

    #[test]
    fn hangup_and_restart_parse() {
        assert_eq!(
            parse(json!({"cmd":"pri_hangup","span":1,"call":7,"cause":17})),
            Ok(PriCommand::Hangup {
                call: Some(7),
                cause: 17
            })
        );
        assert_eq!(
            parse(json!({"cmd":"pri_hangup","span":1,"all":true})),
            Ok(PriCommand::Hangup {
                call: None,
                cause: 16
            })
        );
        assert_eq!(
            parse(json!({"cmd":"pri_restart","span":1,"channel":null})),
            Ok(PriCommand::Restart { channel: None })
        );
        assert_eq!(
            parse(json!({"cmd":"pri_restart","span":1,"channel":5})),
            Ok(PriCommand::Restart { channel: Some(5) })
        );
        assert_eq!(
            parse(json!({"cmd":"pri_status","span":2})),
            Ok(PriCommand::Status)
        );
    }

    #[test]
    fn bad_requests_are_explained() {
        let e = |v| parse(v).unwrap_err();
        assert!(e(json!({"cmd":"pri_policy","answer_after":5})).contains("unknown field"));
        assert!(e(json!({"cmd":"pri_policy","reject_cause":200})).contains("1..=127"));
        assert!(e(json!({"cmd":"pri_call","count":3})).contains("number"));
        assert!(e(json!({"cmd":"pri_call","number":"55x"})).contains("0-9"));
        assert!(e(json!({"cmd":"pri_call","number":"1","count":0})).contains("count"));
        assert!(e(
            json!({"cmd":"pri_call","number":"1","from":"1234567890123456789012345678901",
            "from_index":true,"count":10})
        )
        .contains("from"));
        assert!(e(json!({"cmd":"pri_hangup"})).contains("missing"));
        assert!(e(json!({"cmd":"pri_hangup","call":1,"all":true})).contains("not both"));
        assert!(e(json!({"cmd":"pri_restart","channel":40})).contains("channel"));
        assert!(e(json!({"cmd":"pri_dance"})).contains("unknown cmd"));
    }
}
