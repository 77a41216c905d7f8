//! The ready agents having one skill, indexed once per distribution strategy
//! so that each strategy picks its agent in O(log n).

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};

use rand::Rng;
use rand_pcg::Pcg32;

use super::{AgentId, Strategy};

/// The values an agent is indexed by while it is ready. They do not change
/// while the agent stays ready, so the same key removes what was inserted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PoolKey {
    pub id: AgentId,
    pub level: u8,
    pub idle_since_ms: u64,
    pub talk_ms: u64,
    pub calls: u32,
}

/// Ready agents for one skill.
#[derive(Debug, Default)]
pub(crate) struct ReadyPool {
    by_id: BTreeSet<AgentId>,
    by_idle: BTreeSet<(u64, AgentId)>,
    by_level: BTreeSet<(Reverse<u8>, u64, AgentId)>,
    by_talk: BTreeSet<(u64, u64, AgentId)>,
    by_calls: BTreeSet<(u32, u64, AgentId)>,
    random: Vec<AgentId>,
    random_pos: HashMap<AgentId, usize>,
}

impl ReadyPool {
    pub fn insert(&mut self, k: PoolKey) {
        if !self.by_id.insert(k.id) {
            return;
        }
        self.by_idle.insert((k.idle_since_ms, k.id));
        self.by_level
            .insert((Reverse(k.level), k.idle_since_ms, k.id));
        self.by_talk.insert((k.talk_ms, k.idle_since_ms, k.id));
        self.by_calls.insert((k.calls, k.idle_since_ms, k.id));
        self.random_pos.insert(k.id, self.random.len());
        self.random.push(k.id);
    }

    pub fn remove(&mut self, k: PoolKey) {
        if !self.by_id.remove(&k.id) {
            return;
        }
        self.by_idle.remove(&(k.idle_since_ms, k.id));
        self.by_level
            .remove(&(Reverse(k.level), k.idle_since_ms, k.id));
        self.by_talk.remove(&(k.talk_ms, k.idle_since_ms, k.id));
        self.by_calls.remove(&(k.calls, k.idle_since_ms, k.id));
        if let Some(pos) = self.random_pos.remove(&k.id) {
            self.random.swap_remove(pos);
            if let Some(moved) = self.random.get(pos) {
                self.random_pos.insert(*moved, pos);
            }
        }
    }

    pub fn contains(&self, id: AgentId) -> bool {
        self.by_id.contains(&id)
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Picks an agent by `strategy` (`Sticky` is resolved by the caller and
    /// treated here as `LongestIdle`). `rr_last` is the queue's round-robin cursor.
    pub fn pick(
        &self,
        strategy: Strategy,
        rr_last: Option<AgentId>,
        rng: &mut Pcg32,
    ) -> Option<AgentId> {
        match strategy {
            Strategy::RoundRobin => {
                let after = rr_last.and_then(|last| {
                    self.by_id
                        .range((std::ops::Bound::Excluded(last), std::ops::Bound::Unbounded))
                        .next()
                });
                after.or_else(|| self.by_id.first()).copied()
            }
            Strategy::Random => {
                if self.random.is_empty() {
                    None
                } else {
                    let i = rng.gen_range(0..self.random.len());
                    self.random.get(i).copied()
                }
            }
            Strategy::LongestIdle | Strategy::Sticky { .. } => self.by_idle.first().map(|e| e.1),
            Strategy::LeastTalkTime => self.by_talk.first().map(|e| e.2),
            Strategy::FewestCalls => self.by_calls.first().map(|e| e.2),
            Strategy::SkillsBased => self.by_level.first().map(|e| e.2),
        }
    }
}
