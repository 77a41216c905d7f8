//! The `[acd]` table: queues, pre-provisioned agents and statistics.
//!
//! ```toml
//! [acd]
//! interval_min = 15           # statistics interval
//! short_abandon_s = 5         # abandons this quick are counted apart
//! skip_s = 30                 # an agent whose phone was busy or failed is skipped this long
//! history = 5                 # previous calls of the caller in a screen-pop
//!
//! [[acd.queue]]
//! name = "sales"
//! skill = "sales"             # default: the queue's name
//! strategy = "longest_idle"   # round_robin random longest_idle least_talk_time
//!                             # fewest_calls skills_based sticky
//! sticky_window_s = 3600      # sticky: how long a caller sticks to an agent
//! wrap_up_s = 10
//! ring_timeout_s = 15         # ring-no-answer after this
//! service_level_s = 20
//! announce_every_s = 30       # position and estimated wait; 0: never
//! offer_after = 3             # announcements before "1 keep waiting, 2 leave a message"; 0: never
//! message = "flow:main/voicemail"   # where "2" goes (default: no offer)
//! max_wait_s = 300
//! overflow = "queue:support"  # queue:NAME  flow:NAME[/NODE]  number:TRUNK_GROUP/NUMBER
//! no_agents = "number:pstn/0800123456"
//! music = "acd/music"         # prompt played between announcements
//! record = "on_demand"        # always never on_demand
//! vip_priority = 10           # priority of callers the IVR screened as VIP
//!
//! [[acd.agent]]               # optional: agents may also log in over the API
//! id = 1001
//! name = "Alice"
//! endpoint = "pbx/2001"       # TRUNK_GROUP/NUMBER trunkd dials to reach the agent
//! skills = { sales = 5, support = 2 }
//! record = "always"
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;
use trunkd::acd::Strategy;

use crate::config::{ConfigError, Ctx};

/// Whether an agent's calls are recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordPolicy {
    /// Every call, from the answer.
    Always,
    /// Never (and `record_call` is refused).
    Never,
    /// When asked (`trunkctl record start CALL`).
    OnDemand,
}

impl RecordPolicy {
    /// Parse `always`, `never` or `on_demand`.
    pub fn parse(s: &str) -> Option<RecordPolicy> {
        match s {
            "always" => Some(RecordPolicy::Always),
            "never" => Some(RecordPolicy::Never),
            "on_demand" => Some(RecordPolicy::OnDemand),
            _ => None,
        }
    }
}

/// Where a call goes when it leaves a queue without an agent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Another queue.
    Queue(String),
    /// An IVR flow, optionally at a node.
    Flow(String, Option<String>),
    /// A number dialled on a trunk group; the caller is bridged to it.
    Number(Endpoint),
    /// An agent (transfers only).
    Agent(u32),
}

impl Target {
    /// Parse `queue:NAME`, `flow:NAME[/NODE]`, `number:TG/NUMBER` or `agent:N`.
    pub fn parse(s: &str) -> Result<Target, String> {
        let (kind, rest) = s.split_once(':').ok_or_else(|| {
            format!("`{s}`: expected queue:NAME, flow:NAME, number:TG/NUMBER or agent:N")
        })?;
        match kind {
            "queue" if !rest.is_empty() => Ok(Target::Queue(rest.to_owned())),
            "flow" if !rest.is_empty() => Ok(match rest.split_once('/') {
                Some((f, n)) => Target::Flow(f.to_owned(), Some(n.to_owned())),
                None => Target::Flow(rest.to_owned(), None),
            }),
            "number" => Endpoint::parse(rest).map(Target::Number),
            "agent" => rest
                .parse()
                .map(Target::Agent)
                .map_err(|_| format!("`{rest}` is not an agent number")),
            _ => Err(format!(
                "`{s}`: expected queue:NAME, flow:NAME, number:TG/NUMBER or agent:N"
            )),
        }
    }

    /// The target as written in config and events.
    pub fn label(&self) -> String {
        match self {
            Target::Queue(q) => format!("queue:{q}"),
            Target::Flow(f, None) => format!("flow:{f}"),
            Target::Flow(f, Some(n)) => format!("flow:{f}/{n}"),
            Target::Number(e) => format!("number:{}", e.label()),
            Target::Agent(a) => format!("agent:{a}"),
        }
    }
}

/// A number on a trunk group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Trunk group to dial on.
    pub trunk_group: String,
    /// Number to dial.
    pub number: String,
}

impl Endpoint {
    /// Parse `TRUNK_GROUP/NUMBER` (digits, `*`, `#`).
    pub fn parse(s: &str) -> Result<Endpoint, String> {
        let (tg, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}`: expected TRUNK_GROUP/NUMBER"))?;
        if tg.is_empty()
            || n.is_empty()
            || n.len() > 32
            || !n
                .chars()
                .all(|c| c.is_ascii_digit() || c == '*' || c == '#')
        {
            return Err(format!(
                "`{s}`: expected TRUNK_GROUP/NUMBER with a number of 1-32 digits"
            ));
        }
        Ok(Endpoint {
            trunk_group: tg.to_owned(),
            number: n.to_owned(),
        })
    }

    /// `TRUNK_GROUP/NUMBER`.
    pub fn label(&self) -> String {
        format!("{}/{}", self.trunk_group, self.number)
    }
}

/// One queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueDef {
    /// Name.
    pub name: String,
    /// Skill its agents need.
    pub skill: String,
    /// Distribution strategy.
    pub strategy: Strategy,
    /// Wrap-up after each call, ms.
    pub wrap_up_ms: u64,
    /// Ring-no-answer timeout, ms.
    pub ring_timeout_ms: u64,
    /// Service-level threshold, ms.
    pub service_level_ms: u64,
    /// Announcement period, ms (0: none).
    pub announce_every_ms: u64,
    /// Announcements before the keep-waiting / leave-a-message offer (0: none).
    pub offer_after: u32,
    /// Where a caller choosing "2" goes.
    pub message: Option<Target>,
    /// Maximum wait, ms.
    pub max_wait_ms: Option<u64>,
    /// Where the call goes after the maximum wait (none: released, cause 34).
    pub overflow: Option<Target>,
    /// Where calls go when no agent with the skill is logged in.
    pub no_agents: Option<Target>,
    /// Music prompt.
    pub music: String,
    /// Recording policy (an agent's own overrides it; none: the trunk
    /// group's, else on demand).
    pub record: Option<RecordPolicy>,
    /// Priority of VIP callers.
    pub vip_priority: u8,
}

/// One pre-provisioned agent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentDef {
    /// Agent number.
    pub id: u32,
    /// Display name.
    pub name: String,
    /// Where the agent is reached.
    pub endpoint: Endpoint,
    /// Skills and levels (1-10).
    pub skills: BTreeMap<String, u8>,
    /// Recording policy (overrides the queue's).
    pub record: Option<RecordPolicy>,
}

/// `[acd]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcdConfig {
    /// Statistics interval, ms.
    pub interval_ms: u64,
    /// Abandons within this time are counted apart, ms.
    pub short_abandon_ms: u64,
    /// How long an agent whose endpoint was busy or failed is skipped, ms.
    pub skip_ms: u64,
    /// Previous calls shown in a screen-pop.
    pub history: usize,
    /// Queues, in order.
    pub queues: Vec<QueueDef>,
    /// Pre-provisioned agents.
    pub agents: Vec<AgentDef>,
}

impl Default for AcdConfig {
    fn default() -> Self {
        AcdConfig {
            interval_ms: 15 * 60_000,
            short_abandon_ms: 5_000,
            skip_ms: 30_000,
            history: 5,
            queues: Vec::new(),
            agents: Vec::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAcd {
    interval_min: Option<Spanned<i64>>,
    short_abandon_s: Option<Spanned<i64>>,
    skip_s: Option<Spanned<i64>>,
    history: Option<Spanned<i64>>,
    #[serde(default)]
    queue: Vec<Spanned<RawQueue>>,
    #[serde(default)]
    agent: Vec<Spanned<RawAgent>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQueue {
    name: Spanned<String>,
    skill: Option<Spanned<String>>,
    strategy: Option<Spanned<String>>,
    sticky_window_s: Option<Spanned<i64>>,
    wrap_up_s: Option<Spanned<i64>>,
    ring_timeout_s: Option<Spanned<i64>>,
    service_level_s: Option<Spanned<i64>>,
    announce_every_s: Option<Spanned<i64>>,
    offer_after: Option<Spanned<i64>>,
    message: Option<Spanned<String>>,
    max_wait_s: Option<Spanned<i64>>,
    overflow: Option<Spanned<String>>,
    no_agents: Option<Spanned<String>>,
    music: Option<Spanned<String>>,
    record: Option<Spanned<String>>,
    vip_priority: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAgent {
    id: Spanned<i64>,
    name: Option<Spanned<String>>,
    endpoint: Spanned<String>,
    #[serde(default)]
    skills: BTreeMap<String, Spanned<i64>>,
    record: Option<Spanned<String>>,
}

/// Parse a strategy name (`sticky` falls back to longest idle).
pub fn parse_strategy(s: &str, sticky_window_ms: u64) -> Option<Strategy> {
    Some(match s {
        "round_robin" => Strategy::RoundRobin,
        "random" => Strategy::Random,
        "longest_idle" => Strategy::LongestIdle,
        "least_talk_time" => Strategy::LeastTalkTime,
        "fewest_calls" => Strategy::FewestCalls,
        "skills_based" => Strategy::SkillsBased,
        "sticky" => Strategy::Sticky {
            window_ms: sticky_window_ms,
        },
        _ => return None,
    })
}

/// The name of a strategy, as configured.
pub fn strategy_name(s: Strategy) -> &'static str {
    match s {
        Strategy::RoundRobin => "round_robin",
        Strategy::Random => "random",
        Strategy::LongestIdle => "longest_idle",
        Strategy::LeastTalkTime => "least_talk_time",
        Strategy::FewestCalls => "fewest_calls",
        Strategy::SkillsBased => "skills_based",
        Strategy::Sticky { .. } => "sticky",
    }
}

fn secs(
    cx: &Ctx<'_>,
    v: &Option<Spanned<i64>>,
    key: &str,
    range: std::ops::RangeInclusive<i64>,
    default: i64,
) -> Result<u64, ConfigError> {
    match v {
        None => Ok(default as u64 * 1000),
        Some(x) if range.contains(x.get_ref()) => Ok(*x.get_ref() as u64 * 1000),
        Some(x) => Err(cx.bad(
            x,
            key.to_owned(),
            format!("must be {}-{} seconds", range.start(), range.end()),
        )),
    }
}

fn target(
    cx: &Ctx<'_>,
    v: &Option<Spanned<String>>,
    key: &str,
    groups: &[String],
) -> Result<Option<Target>, ConfigError> {
    let Some(v) = v else { return Ok(None) };
    let t = Target::parse(v.get_ref()).map_err(|m| cx.bad(v, key.to_owned(), m))?;
    if let Target::Number(e) = &t {
        if !groups.contains(&e.trunk_group) {
            return Err(cx.bad(
                v,
                key.to_owned(),
                format!("no trunk group `{}`", e.trunk_group),
            ));
        }
    }
    if matches!(t, Target::Agent(_)) {
        return Err(cx.bad(v, key.to_owned(), "an agent is not a queue's destination"));
    }
    Ok(Some(t))
}

fn record(
    cx: &Ctx<'_>,
    v: &Option<Spanned<String>>,
    key: &str,
) -> Result<Option<RecordPolicy>, ConfigError> {
    v.as_ref()
        .map(|r| {
            RecordPolicy::parse(r.get_ref()).ok_or_else(|| {
                cx.bad(
                    r,
                    key.to_owned(),
                    format!("`{}`: expected always, never or on_demand", r.get_ref()),
                )
            })
        })
        .transpose()
}

fn queue(cx: &Ctx<'_>, q: &RawQueue, groups: &[String]) -> Result<QueueDef, ConfigError> {
    let name = q.name.get_ref().clone();
    if name.is_empty() || name.len() > 64 {
        return Err(cx.bad(&q.name, "acd.queue name".into(), "must be 1-64 characters"));
    }
    let key = |k: &str| format!("acd.queue {name} {k}");
    let window = secs(
        cx,
        &q.sticky_window_s,
        &key("sticky_window_s"),
        1..=30 * 86_400,
        3600,
    )?;
    let strategy = match &q.strategy {
        None => Strategy::LongestIdle,
        Some(s) => parse_strategy(s.get_ref(), window).ok_or_else(|| {
            cx.bad(
                s,
                key("strategy"),
                format!(
                    "`{}`: expected round_robin, random, longest_idle, least_talk_time, \
                     fewest_calls, skills_based or sticky",
                    s.get_ref()
                ),
            )
        })?,
    };
    let offer_after = match &q.offer_after {
        None => 3,
        Some(v) if (0..=100).contains(v.get_ref()) => *v.get_ref() as u32,
        Some(v) => return Err(cx.bad(v, key("offer_after"), "must be 0-100 announcements")),
    };
    let vip_priority = match &q.vip_priority {
        None => 10,
        Some(v) if (0..=255).contains(v.get_ref()) => *v.get_ref() as u8,
        Some(v) => return Err(cx.bad(v, key("vip_priority"), "must be 0-255")),
    };
    let max_wait_ms = match &q.max_wait_s {
        None => None,
        Some(_) => Some(secs(cx, &q.max_wait_s, &key("max_wait_s"), 1..=86_400, 0)?),
    };
    let skill = q
        .skill
        .as_ref()
        .map_or(name.clone(), |s| s.get_ref().clone());
    if skill.is_empty() || skill.len() > 64 {
        let at = q.skill.as_ref().unwrap_or(&q.name);
        return Err(cx.bad(at, key("skill"), "must be 1-64 characters"));
    }
    Ok(QueueDef {
        skill,
        strategy,
        wrap_up_ms: secs(cx, &q.wrap_up_s, &key("wrap_up_s"), 0..=3600, 10)?,
        ring_timeout_ms: secs(cx, &q.ring_timeout_s, &key("ring_timeout_s"), 1..=300, 15)?,
        service_level_ms: secs(
            cx,
            &q.service_level_s,
            &key("service_level_s"),
            1..=3600,
            20,
        )?,
        announce_every_ms: secs(
            cx,
            &q.announce_every_s,
            &key("announce_every_s"),
            0..=3600,
            30,
        )?,
        offer_after,
        message: target(cx, &q.message, &key("message"), groups)?,
        max_wait_ms,
        overflow: target(cx, &q.overflow, &key("overflow"), groups)?,
        no_agents: target(cx, &q.no_agents, &key("no_agents"), groups)?,
        music: q
            .music
            .as_ref()
            .map_or_else(|| "acd/music".to_owned(), |m| m.get_ref().clone()),
        record: record(cx, &q.record, &key("record"))?,
        vip_priority,
        name,
    })
}

fn agent(cx: &Ctx<'_>, a: &RawAgent, groups: &[String]) -> Result<AgentDef, ConfigError> {
    let id = match *a.id.get_ref() {
        i @ 1..=99_999_999 => i as u32,
        _ => return Err(cx.bad(&a.id, "acd.agent id".into(), "must be 1-99999999")),
    };
    let key = |k: &str| format!("acd.agent {id} {k}");
    let endpoint = Endpoint::parse(a.endpoint.get_ref())
        .map_err(|m| cx.bad(&a.endpoint, key("endpoint"), m))?;
    if !groups.contains(&endpoint.trunk_group) {
        return Err(cx.bad(
            &a.endpoint,
            key("endpoint"),
            format!("no trunk group `{}`", endpoint.trunk_group),
        ));
    }
    let mut skills = BTreeMap::new();
    for (s, l) in &a.skills {
        match *l.get_ref() {
            v @ 1..=10 => {
                skills.insert(s.clone(), v as u8);
            }
            _ => return Err(cx.bad(l, key(&format!("skills.{s}")), "a level is 1-10")),
        }
    }
    Ok(AgentDef {
        id,
        name: a
            .name
            .as_ref()
            .map_or_else(|| format!("agent {id}"), |n| n.get_ref().clone()),
        endpoint,
        skills,
        record: record(cx, &a.record, &key("record"))?,
    })
}

pub(crate) fn acd_config(
    cx: &Ctx<'_>,
    raw: Option<&Spanned<RawAcd>>,
    groups: &[String],
) -> Result<AcdConfig, ConfigError> {
    let mut c = AcdConfig::default();
    let Some(raw) = raw else { return Ok(c) };
    let r = raw.get_ref();
    if let Some(v) = &r.interval_min {
        match *v.get_ref() {
            m @ 1..=1440 => c.interval_ms = m as u64 * 60_000,
            _ => return Err(cx.bad(v, "acd.interval_min".into(), "must be 1-1440 minutes")),
        }
    }
    c.short_abandon_ms = secs(cx, &r.short_abandon_s, "acd.short_abandon_s", 0..=600, 5)?;
    c.skip_ms = secs(cx, &r.skip_s, "acd.skip_s", 1..=3600, 30)?;
    if let Some(v) = &r.history {
        match *v.get_ref() {
            h @ 0..=100 => c.history = h as usize,
            _ => return Err(cx.bad(v, "acd.history".into(), "must be 0-100 calls")),
        }
    }
    for q in &r.queue {
        let def = queue(cx, q.get_ref(), groups)?;
        if c.queues.iter().any(|x| x.name == def.name) {
            return Err(cx.bad(
                &q.get_ref().name,
                "acd.queue name".into(),
                "queue defined twice",
            ));
        }
        c.queues.push(def);
    }
    // Queue targets must name queues that exist (and not the queue itself).
    for (q, raw_q) in c.queues.iter().zip(&r.queue) {
        let rq = raw_q.get_ref();
        for (t, raw_t, k) in [
            (&q.overflow, &rq.overflow, "overflow"),
            (&q.no_agents, &rq.no_agents, "no_agents"),
            (&q.message, &rq.message, "message"),
        ] {
            if let (Some(Target::Queue(name)), Some(rt)) = (t, raw_t) {
                if name == &q.name || !c.queues.iter().any(|x| &x.name == name) {
                    return Err(cx.bad(
                        rt,
                        format!("acd.queue {} {k}", q.name),
                        format!("`{name}` is not another queue"),
                    ));
                }
            }
        }
    }
    for a in &r.agent {
        let def = agent(cx, a.get_ref(), groups)?;
        if c.agents.iter().any(|x| x.id == def.id) {
            return Err(cx.bad(
                &a.get_ref().id,
                "acd.agent id".into(),
                "agent defined twice",
            ));
        }
        c.agents.push(def);
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const BASE: &str = "[[board]]\nname = \"b\"\ndevice = \"sim:/tmp/x\"\n\n\
        [[span]]\nspan = 1\nboard = \"b\"\nboard_span = 1\nline = \"e1\"\ntrunk_group = \"pbx\"\n\n";

    fn parse(acd: &str) -> Result<AcdConfig, String> {
        crate::config::parse(Path::new("t.toml"), &format!("{BASE}{acd}"))
            .map(|c| c.acd)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_full_queue_and_agent() {
        let c = parse(
            "[acd]\ninterval_min = 30\n[[acd.queue]]\nname = \"sales\"\nstrategy = \"sticky\"\n\
             sticky_window_s = 60\nmax_wait_s = 90\noverflow = \"queue:support\"\n\
             no_agents = \"number:pbx/2999\"\nmessage = \"flow:main/vm\"\nrecord = \"always\"\n\
             [[acd.queue]]\nname = \"support\"\n\
             [[acd.agent]]\nid = 1001\nendpoint = \"pbx/2001\"\nskills = { sales = 5 }\n",
        )
        .unwrap();
        assert_eq!(c.interval_ms, 30 * 60_000);
        let q = &c.queues[0];
        assert_eq!(q.strategy, Strategy::Sticky { window_ms: 60_000 });
        assert_eq!(q.max_wait_ms, Some(90_000));
        assert_eq!(q.overflow, Some(Target::Queue("support".into())));
        assert_eq!(
            q.message,
            Some(Target::Flow("main".into(), Some("vm".into())))
        );
        assert_eq!(q.record, Some(RecordPolicy::Always));
        assert_eq!(c.queues[1].wrap_up_ms, 10_000, "defaults");
        assert_eq!(c.agents[0].endpoint.label(), "pbx/2001");
    }

    #[test]
    fn bad_values_name_their_key() {
        for (acd, key) in [
            (
                "[[acd.queue]]\nname = \"s\"\nstrategy = \"fastest\"\n",
                "strategy",
            ),
            (
                "[[acd.queue]]\nname = \"s\"\noverflow = \"queue:nope\"\n",
                "overflow",
            ),
            (
                "[[acd.queue]]\nname = \"s\"\noverflow = \"queue:s\"\n",
                "overflow",
            ),
            (
                "[[acd.queue]]\nname = \"s\"\nno_agents = \"number:nowhere/1\"\n",
                "no_agents",
            ),
            (
                "[[acd.queue]]\nname = \"s\"\noverflow = \"agent:1\"\n",
                "overflow",
            ),
            ("[[acd.queue]]\nname = \"s\"\nwrap_up_s = -1\n", "wrap_up_s"),
            (
                "[[acd.queue]]\nname = \"s\"\nrecord = \"sometimes\"\n",
                "record",
            ),
            (
                "[[acd.queue]]\nname = \"s\"\n[[acd.queue]]\nname = \"s\"\n",
                "name",
            ),
            ("[[acd.agent]]\nid = 1\nendpoint = \"pbx\"\n", "endpoint"),
            (
                "[[acd.agent]]\nid = 1\nendpoint = \"pbx/1\"\nskills = { s = 11 }\n",
                "skills.s",
            ),
            ("[[acd.agent]]\nid = 0\nendpoint = \"pbx/1\"\n", "id"),
            ("interval_min = 0\n", "interval_min"),
            ("[[acd.queue]]\nname = \"s\"\nbogus = 1\n", "bogus"),
        ] {
            let e = parse(&format!("[acd]\n{acd}")).expect_err(acd);
            assert!(e.contains(key), "{acd}: {e}");
        }
    }

    #[test]
    fn targets_parse_and_print() {
        for t in ["queue:a", "flow:f", "flow:f/n", "number:tg/123", "agent:7"] {
            assert_eq!(Target::parse(t).unwrap().label(), t);
        }
        for t in ["", "queue:", "number:tg/12a", "agent:x", "somewhere"] {
            assert!(Target::parse(t).is_err(), "{t}");
        }
    }
}
