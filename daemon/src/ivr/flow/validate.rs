//! Checks across a whole flows file: references between nodes, attach
//! rules, lists and calendars, reachability, loops that never wait for the
//! caller, what may run after a hangup, and prompt files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::load::Ctx;
use super::model::{Flow, FlowSet, Node};

/// Prompt file extensions tried after the name as given.
pub const PROMPT_EXTENSIONS: [&str; 4] = ["wav", "al", "ul", "sln"];

/// Attach rules: the flow exists, the trunk group is configured, no rule twice.
pub(super) fn attach(cx: &mut Ctx<'_>, set: &FlowSet) {
    let mut seen: BTreeSet<(&str, Option<&str>)> = BTreeSet::new();
    for (i, a) in set.attach.iter().enumerate() {
        let spans = cx.spans.attach.get(i).cloned().unwrap_or_default();
        if !set.flows.contains_key(&a.flow) {
            cx.push(
                spans.at(Some("flow")),
                None,
                None,
                format!("attach: no flow `{}`", a.flow),
            );
        }
        if !cx.trunk_groups.is_empty() && !cx.trunk_groups.contains(&a.trunk_group) {
            let known = cx.trunk_groups.join(", ");
            cx.push(
                spans.at(Some("trunk_group")),
                None,
                None,
                format!(
                    "attach: trunk group `{}` is not configured (known: {known})",
                    a.trunk_group
                ),
            );
        }
        if !seen.insert((&a.trunk_group, a.dnis.as_deref())) {
            let which = a
                .dnis
                .as_deref()
                .map_or("the default rule".to_owned(), |d| format!("dnis `{d}`"));
            cx.push(
                spans.whole.clone(),
                None,
                None,
                format!(
                    "attach: {which} of trunk group `{}` is given twice",
                    a.trunk_group
                ),
            );
        }
    }
}

/// Every flow's cross-node checks.
pub(super) fn flows(cx: &mut Ctx<'_>, set: &FlowSet, prompt_dir: Option<&Path>) {
    for flow in set.flows.values() {
        references_exist(cx, set, flow);
        if let Some(dir) = prompt_dir {
            prompts_exist(cx, flow, dir);
        }
        if cx.broken_flows.contains(&flow.name) {
            continue;
        }
        let mut entries_ok = true;
        if !flow.nodes.contains_key(&flow.start) {
            cx.flow_err(
                &flow.name,
                Some("start"),
                format!("`start` names no node `{}`", flow.start),
            );
            entries_ok = false;
        }
        if let Some(h) = &flow.on_hangup {
            if !flow.nodes.contains_key(h) {
                cx.flow_err(
                    &flow.name,
                    Some("on_hangup"),
                    format!("`on_hangup` names no node `{h}`"),
                );
                entries_ok = false;
            }
        }
        let names = cx.node_names.get(&flow.name);
        let all_refs_ok = flow
            .nodes
            .values()
            .all(|n| n.successors().iter().all(|s| flow.nodes.contains_key(*s)))
            && names.is_none_or(|n| n.len() == flow.nodes.len());
        if entries_ok && all_refs_ok {
            unreachable(cx, flow);
            loops_without_input(cx, flow);
            after_hangup(cx, flow);
        }
    }
}

fn references_exist(cx: &mut Ctx<'_>, set: &FlowSet, flow: &Flow) {
    let names = cx.node_names.get(&flow.name).cloned().unwrap_or_default();
    for (name, node) in &flow.nodes {
        for (field, target) in node.references() {
            if !names.contains(target) {
                cx.node_err(
                    &flow.name,
                    name,
                    Some(field),
                    format!("`{field}` names no node `{target}` in flow `{}`", flow.name),
                );
            }
        }
        match node {
            Node::Screen { black, vip, .. } => {
                for (field, list) in [("black", black), ("vip", vip)] {
                    if let Some(l) = list {
                        if !set.lists.contains_key(l) {
                            cx.node_err(
                                &flow.name,
                                name,
                                Some(field),
                                format!("`{field}` names no list `{l}` (define [lists.{l}])"),
                            );
                        }
                    }
                }
            }
            Node::TimeRoute {
                calendar: Some(c), ..
            } if !set.calendars.contains_key(c) => cx.node_err(
                &flow.name,
                name,
                Some("calendar"),
                format!("`calendar` names no calendar `{c}` (define [calendars.{c}])"),
            ),
            _ => {}
        }
    }
}

/// Nodes reachable from `roots`, following every successor.
fn reachable<'f>(flow: &'f Flow, roots: &[&'f str]) -> BTreeSet<&'f str> {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut stack: Vec<&str> = roots.to_vec();
    while let Some(n) = stack.pop() {
        if !seen.insert(n) {
            continue;
        }
        if let Some(node) = flow.nodes.get(n) {
            stack.extend(node.successors());
        }
    }
    seen
}

fn unreachable(cx: &mut Ctx<'_>, flow: &Flow) {
    let mut roots = vec![flow.start.as_str()];
    roots.extend(flow.on_hangup.as_deref());
    let seen = reachable(flow, &roots);
    for name in flow.nodes.keys() {
        if !seen.contains(name.as_str()) {
            cx.node_err(
                &flow.name,
                name,
                None,
                "unreachable: no path leads here from `start` or `on_hangup`".into(),
            );
        }
    }
}

/// A loop made only of instantaneous nodes would spin forever without
/// waiting for the caller: find the strongly connected components of the
/// instantaneous part of the graph (Kosaraju, iterative).
fn loops_without_input(cx: &mut Ctx<'_>, flow: &Flow) {
    let names: Vec<&str> = flow
        .nodes
        .iter()
        .filter(|(_, n)| !n.waits_for_input())
        .map(|(k, _)| k.as_str())
        .collect();
    let index: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let mut fwd: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    let mut rev: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    let mut self_loop = vec![false; names.len()];
    for (i, n) in names.iter().enumerate() {
        for s in flow.nodes[*n].successors() {
            if let Some(&j) = index.get(s) {
                fwd[i].push(j);
                rev[j].push(i);
                self_loop[i] |= i == j;
            }
        }
    }
    // Pass 1: order by finishing time.
    let mut visited = vec![false; names.len()];
    let mut order = Vec::with_capacity(names.len());
    for root in 0..names.len() {
        if visited[root] {
            continue;
        }
        visited[root] = true;
        let mut stack = vec![(root, 0usize)];
        while let Some((v, next_edge)) = stack.pop() {
            if let Some(&w) = fwd[v].get(next_edge) {
                stack.push((v, next_edge + 1));
                if !visited[w] {
                    visited[w] = true;
                    stack.push((w, 0));
                }
            } else {
                order.push(v);
            }
        }
    }
    // Pass 2: components on the reversed graph.
    let mut component = vec![usize::MAX; names.len()];
    let mut components: Vec<Vec<usize>> = Vec::new();
    for &root in order.iter().rev() {
        if component[root] != usize::MAX {
            continue;
        }
        let id = components.len();
        let mut members = Vec::new();
        let mut stack = vec![root];
        component[root] = id;
        while let Some(v) = stack.pop() {
            members.push(v);
            for &w in &rev[v] {
                if component[w] == usize::MAX {
                    component[w] = id;
                    stack.push(w);
                }
            }
        }
        components.push(members);
    }
    for mut members in components {
        if members.len() < 2 && !members.first().is_some_and(|&m| self_loop[m]) {
            continue;
        }
        members.sort_unstable();
        let list: Vec<String> = members.iter().map(|&m| format!("`{}`", names[m])).collect();
        cx.node_err(
            &flow.name,
            names[members[0]],
            None,
            format!(
                "loop without input: {} go round without waiting for the caller",
                list.join(", ")
            ),
        );
    }
}

fn after_hangup(cx: &mut Ctx<'_>, flow: &Flow) {
    let Some(h) = flow.on_hangup.as_deref() else {
        return;
    };
    for name in reachable(flow, &[h]) {
        if let Some(node) = flow.nodes.get(name) {
            if !node.allowed_after_hangup() {
                cx.node_err(
                    &flow.name,
                    name,
                    None,
                    format!(
                        "a `{}` node cannot run after the caller hung up (reached from `on_hangup` `{h}`; only set, compare, notify, lookup, time_route)",
                        node.kind_name()
                    ),
                );
            }
        }
    }
}

/// Whether a prompt exists in `dir` as `name` or `name.EXT`.
pub fn prompt_file_exists(dir: &Path, name: &str) -> bool {
    dir.join(name).is_file()
        || PROMPT_EXTENSIONS
            .iter()
            .any(|ext| dir.join(format!("{name}.{ext}")).is_file())
}

fn prompts_exist(cx: &mut Ctx<'_>, flow: &Flow, dir: &Path) {
    for (name, node) in &flow.nodes {
        let mut checked = BTreeSet::new();
        for prompt in node.prompts() {
            if !checked.insert(prompt) || super::nodes::check_prompt_name(prompt).is_err() {
                continue;
            }
            let in_common = prompt_file_exists(dir, prompt);
            let missing: Vec<&str> = flow
                .languages
                .iter()
                .filter(|lang| !in_common && !prompt_file_exists(&dir.join(lang), prompt))
                .map(String::as_str)
                .collect();
            let message = if flow.languages.is_empty() && !in_common {
                format!(
                    "prompt `{prompt}` not found in {} (tried the name and .wav .al .ul .sln)",
                    dir.display()
                )
            } else if !missing.is_empty() {
                format!(
                    "prompt `{prompt}` not found for language {} in {} (tried LANG/{prompt} and {prompt}, with .wav .al .ul .sln)",
                    missing.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", "),
                    dir.display()
                )
            } else {
                continue;
            };
            cx.node_err(&flow.name, name, None, message);
        }
    }
}
