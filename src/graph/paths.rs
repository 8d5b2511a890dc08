//! Dependency paths through the resolved build: its edges, the shortest path from a member to
//! each package, and every path to one package.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use guppy::PackageId;
use guppy::graph::cargo::CargoSet;
use guppy::graph::{PackageGraph, PackageLink};

use super::model::{DepKind, PathStep, Screened};

impl<'g> Screened<'g> {
    /// The dependency edges between screened packages, as indices into `packages`: (dependent,
    /// dependency, kind), sorted and without repeats.
    pub fn edges(&self) -> Vec<(usize, usize, DepKind)> {
        let at: HashMap<&PackageId, usize> = self
            .packages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.meta.id(), i))
            .collect();
        let mut out: Vec<(usize, usize, DepKind)> = self
            .parents
            .iter()
            .flat_map(|(child, parents)| {
                let at = &at;
                parents.iter().filter_map(move |(parent, _, kind)| {
                    Some((*at.get(parent)?, *at.get(child)?, *kind))
                })
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Every path from a workspace member down to `id` (no package twice in a path), shortest
    /// first, at most `limit`; the flag says whether there were more.
    pub fn all_paths(&self, id: &PackageId, limit: usize) -> (Vec<Vec<PathStep>>, bool) {
        let mut found: Vec<Vec<RawStep<'g>>> = Vec::new();
        let mut truncated = false;
        let Some(start) = self.graph.metadata(id).ok().map(|m| m.id()) else {
            return (Vec::new(), false);
        };
        // Depth-first, upwards: `stack` holds the path from `start` up to the current package.
        let mut stack: Vec<RawStep<'g>> = vec![RawStep {
            id: start,
            via: None,
        }];
        self.walk_up(&mut stack, &mut found, limit * 4, &mut truncated);
        let mut paths: Vec<Vec<PathStep>> = found
            .into_iter()
            .map(|p| p.iter().map(|s| s.render(self.graph)).collect())
            .collect();
        paths.sort_by(|a, b| (a.len(), a).cmp(&(b.len(), b)));
        paths.dedup();
        if paths.len() > limit {
            paths.truncate(limit);
            truncated = true;
        }
        (paths, truncated)
    }

    fn walk_up(
        &self,
        stack: &mut Vec<RawStep<'g>>,
        found: &mut Vec<Vec<RawStep<'g>>>,
        budget: usize,
        truncated: &mut bool,
    ) {
        if found.len() >= budget {
            *truncated = true;
            return;
        }
        let top = stack.last().map(|s| s.id).expect("never empty");
        if self.members.contains(top) {
            // Member → … → package order; each step already carries the edge leading into it
            // (set when its parent was pushed), and the member none.
            let mut path: Vec<RawStep<'g>> = stack.iter().rev().cloned().collect();
            path[0].via = None;
            found.push(path);
            return;
        }
        let Some(parents) = self.parents.get(top) else {
            return;
        };
        for &(parent, dep_name, kind) in parents {
            if stack.iter().any(|s| s.id == parent) {
                continue;
            }
            if let Some(last) = stack.last_mut() {
                last.via = Some((dep_name, kind));
            }
            stack.push(RawStep {
                id: parent,
                via: None,
            });
            self.walk_up(stack, found, budget, truncated);
            stack.pop();
        }
    }
}

/// An edge of the resolved build, remembered by what BFS needs.
pub(super) struct Edge<'g> {
    pub(super) link: PackageLink<'g>,
    pub(super) kind: DepKind,
}

pub(super) fn edges<'g>(set: &CargoSet<'g>) -> HashMap<&'g PackageId, Vec<Edge<'g>>> {
    let mut out: HashMap<&PackageId, Vec<Edge<'g>>> = HashMap::new();
    let mut add = |link: PackageLink<'g>, kind: DepKind| {
        out.entry(link.from().id())
            .or_default()
            .push(Edge { link, kind });
    };
    for l in set.target_links() {
        let kind = if l.normal().is_present() {
            DepKind::Normal
        } else {
            DepKind::Dev
        };
        add(l, kind);
    }
    for l in set.host_links() {
        add(l, DepKind::Build);
    }
    for l in set.build_dep_links() {
        add(l, DepKind::Build);
    }
    for l in set.proc_macro_links() {
        add(l, DepKind::Build);
    }
    for v in out.values_mut() {
        // Deterministic paths: visit dependencies in name order.
        v.sort_by(|a, b| {
            (a.link.to().name(), a.link.to().version())
                .cmp(&(b.link.to().name(), b.link.to().version()))
        });
    }
    out
}

/// A step as found by BFS, rendered later.
#[derive(Clone)]
pub(super) struct RawStep<'g> {
    id: &'g PackageId,
    via: Option<(&'g str, DepKind)>,
}

impl RawStep<'_> {
    pub(super) fn render(&self, graph: &PackageGraph) -> PathStep {
        let (name, version) = graph
            .metadata(self.id)
            .map(|m| (m.name().to_string(), m.version().to_string()))
            .unwrap_or_else(|_| (self.id.repr().to_string(), String::new()));
        PathStep {
            renamed: self.via.and_then(|(dep, _)| {
                (dep != name && dep.replace('-', "_") != name.replace('-', "_"))
                    .then(|| dep.to_string())
            }),
            edge: self.via.map(|(_, k)| k),
            name,
            version,
        }
    }
}

pub(super) fn bfs<'g>(
    members: &BTreeSet<&'g PackageId>,
    edges: &HashMap<&'g PackageId, Vec<Edge<'g>>>,
) -> BTreeMap<&'g PackageId, Vec<RawStep<'g>>> {
    let mut paths: BTreeMap<&PackageId, Vec<RawStep<'g>>> = BTreeMap::new();
    let mut queue = VecDeque::new();
    for &m in members {
        paths.insert(m, vec![RawStep { id: m, via: None }]);
        queue.push_back(m);
    }
    while let Some(id) = queue.pop_front() {
        let Some(out) = edges.get(id) else { continue };
        for e in out {
            let to = e.link.to().id();
            if paths.contains_key(to) {
                continue;
            }
            let mut p = paths[id].clone();
            p.push(RawStep {
                id: to,
                via: Some((e.link.dep_name(), e.kind)),
            });
            paths.insert(to, p);
            queue.push_back(to);
        }
    }
    paths
}
