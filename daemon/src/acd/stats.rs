//! PLACEHOLDER (replaced by the statistics module being written on
//! branch wip-stats): the API surface only.
#![allow(missing_docs, dead_code)]
use std::collections::BTreeMap;

use super::AcdEvent;

#[derive(Debug, Clone, Default)]
pub struct StatsConfig {
    pub interval_ms: u64,
    pub short_abandon_ms: u64,
    pub service_level_ms: BTreeMap<String, u64>,
}
pub struct Query {
    pub interval_ms: Option<u64>,
    pub queue: Option<String>,
    pub agent: Option<u32>,
    pub now_ms: u64,
}
pub struct Report;
impl Report {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({})
    }
}
pub struct Stats;
impl Stats {
    pub fn new(_c: StatsConfig) -> Self {
        Stats
    }
    pub fn record(&mut self, _e: &AcdEvent) {}
    pub fn live_json(&self, _now: u64) -> serde_json::Value {
        serde_json::json!({})
    }
    pub fn report(&self, _q: &Query) -> Result<Report, String> {
        Ok(Report)
    }
}
