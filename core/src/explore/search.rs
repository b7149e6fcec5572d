//! The search: states are simulators, steps are inputs, and the seen set merges states with
//! equal fingerprints.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use core::hash::{Hash, Hasher};

use super::bounds::{Bounds, Search};
use super::report::{Found, Progress, Report};
use super::seen::Seen;
use super::symmetry::renamings;
use crate::explorable::{Explorable, Rename};
use crate::hash::{digest, StableHasher};
use crate::lab::{Action, LabConfig};
use crate::protocol::{NodeId, Protocol, Violation};
use crate::registry::Registered;
use crate::sim::{Input, Sim};

/// The budgets a path has spent.
#[derive(Clone, Copy, Debug, Default, Hash, PartialEq, Eq)]
struct Used {
    crashes: u32,
    drops: u32,
    duplicates: u32,
    timeouts: u32,
    /// A bit per request of the menu, set once it is issued.
    issued: u32,
}

/// What a step spends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Spend {
    Nothing,
    Crash,
    Drop,
    Duplicate,
    Timeout,
    Request(usize),
}

/// One enabled choice: the input, what it spends, and the node whose state it may change.
struct Choice<P: Protocol> {
    input: Input<P>,
    spend: Spend,
    touched: Option<NodeId>,
}

/// A state to expand.
#[derive(Clone)]
struct Entry<P: Protocol> {
    sim: Sim<P>,
    depth: u32,
    used: Used,
    /// Each node's `timeless_digest`.
    fps: Vec<u64>,
    /// Its place in the trail (breadth first).
    at: u32,
}

/// A state on the depth-first path, with the choices still to try.
struct Frame<P: Protocol> {
    entry: Entry<P>,
    choices: Vec<Choice<P>>,
    next: usize,
}

/// A multiset's digest: the sum of its members' mixed digests, the same in any order.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

pub(super) struct Explorer<P: Registered> {
    cfg: LabConfig,
    root: Entry<P>,
    menu: Vec<(NodeId, P::ClientOp, String)>,
    bounds: Bounds,
    seen: Seen,
    /// Per state kept breadth first: its parent's place and the choice that led to it.
    trail: Vec<(u32, u32)>,
    queue: VecDeque<Entry<P>>,
    stack: Vec<Frame<P>>,
    states: u64,
    max_depth: u32,
    /// States past the `max_term` bound, not explored.
    pruned: u64,
    /// Distinct states at the depth bound with moves left: where the bound cut runs short.
    depth_cut: u64,
    /// With symmetry reduction, every renaming of the protocol's interchangeable nodes (the
    /// identity among them); a state is merged by the least of its renamed fingerprints.
    renamings: Vec<Rename>,
    /// In tests: the least renamed fingerprint of every state kept, under these renamings:
    /// how many orbits a search without symmetry reduction visits.
    #[cfg(test)]
    pub(super) orbits: Option<(Vec<Rename>, alloc::collections::BTreeSet<u64>)>,
    /// The first break found of a property the protocol never promised (Kafka's
    /// `acks1-not-lost`), and the path to it: reported, and the search goes on past it.
    not_promised: Option<(Vec<u32>, Violation)>,
    /// Set when the search ends.
    report: Option<Report>,
}

impl<P: Registered> Explorer<P> {
    pub(super) fn new(cfg: &LabConfig, sim: Sim<P>, bounds: Bounds) -> Result<Self, String> {
        bounds.validate()?;
        if !sim.is_explored() {
            return Err("the explorer needs an explored run (LabConfig::explored)".into());
        }
        let mut sim = sim;
        sim.keep_records = false;
        let mut menu = Vec::new();
        for (node, text) in sim.proto.requests(bounds.requests) {
            let op = sim.proto.parse_client(&text)?;
            menu.push((node, op, text));
        }
        // Each request is issued at most once: a bound past the menu is the menu, and the
        // report says so rather than echo a number no search could reach.
        let bounds = Bounds { requests: bounds.requests.min(menu.len() as u32), ..bounds };
        let renamings = if bounds.symmetry {
            let groups = sim
                .proto
                .symmetric(bounds.requests)
                .map_err(|why| alloc::format!("--symmetry on: no interchangeable nodes here: {why}"))?;
            renamings(sim.nodes().len(), &groups, P::NAME)?
        } else {
            Vec::new()
        };
        let fps = sim.nodes().iter().map(|n| sim.proto.timeless_digest(n)).collect();
        let root = Entry { sim, depth: 0, used: Used::default(), fps, at: 0 };
        let mut ex = Explorer {
            cfg: cfg.clone(),
            root: root.clone(),
            menu,
            bounds,
            seen: Seen::new(),
            trail: Vec::new(),
            queue: VecDeque::new(),
            stack: Vec::new(),
            states: 1,
            max_depth: 0,
            pruned: 0,
            depth_cut: 0,
            renamings,
            #[cfg(test)]
            orbits: None,
            not_promised: None,
            report: None,
        };
        ex.seen.visit(ex.key(&root), 0);
        ex.trail.push((u32::MAX, 0));
        if let Some(v) = ex.promised_break(&root.sim, &[]) {
            ex.finish(Some((Vec::new(), v)));
        } else if ex.bounds.search == Search::Bfs {
            ex.queue.push_back(root);
        } else {
            let choices = ex.choices(&root);
            ex.stack.push(Frame { entry: root, choices, next: 0 });
        }
        Ok(ex)
    }

    pub(super) fn progress(&self) -> Progress {
        let depth = match self.bounds.search {
            Search::Bfs => self.queue.front().map_or(self.max_depth, |e| e.depth),
            Search::Dfs => self.stack.len() as u32,
        };
        Progress {
            states: self.states,
            unique_states: self.seen.len() as u64,
            depth,
            max_depth: self.max_depth,
            frontier: (self.queue.len() + self.stack.len()) as u64,
        }
    }

    pub(super) fn report(&self) -> Option<&Report> {
        self.report.as_ref()
    }

    /// Expand states until about `budget` successors were made or the search ended.
    pub(super) fn run(&mut self, budget: u64) {
        let stop = self.states.saturating_add(budget);
        while self.report.is_none() && self.states < stop {
            match self.bounds.search {
                Search::Bfs => self.bfs_step(),
                Search::Dfs => self.dfs_step(),
            }
        }
    }

    /// End the search where it stands.
    pub(super) fn stop(&mut self) {
        if self.report.is_none() {
            self.finish_incomplete();
        }
    }

    fn bfs_step(&mut self) {
        let Some(entry) = self.queue.pop_front() else {
            return self.finish(None);
        };
        let choices = self.choices(&entry);
        if entry.depth >= self.bounds.depth {
            self.depth_cut += !choices.is_empty() as u64;
            return;
        }
        for (i, choice) in choices.iter().enumerate() {
            let Some(next) = self.successor(&entry, choice) else { continue };
            if next.sim.violation().is_some() {
                let path = [self.path_to(entry.at), alloc::vec![i as u32]].concat();
                if let Some(v) = self.promised_break(&next.sim, &path) {
                    return self.finish(Some((path, v)));
                }
            }
            if self.seen.visit(self.key(&next), next.depth) {
                #[cfg(test)]
                if let Some((renamings, orbits)) = &mut self.orbits {
                    orbits.insert(renamings.iter().map(|r| renamed_fingerprint(&next, r)).min().unwrap());
                }
                self.trail.push((entry.at, i as u32));
                self.max_depth = self.max_depth.max(next.depth);
                let at = (self.trail.len() - 1) as u32;
                self.queue.push_back(Entry { at, ..next });
                if self.seen.len() as u64 >= self.bounds.max_states {
                    return self.finish_incomplete();
                }
            }
        }
    }

    fn dfs_step(&mut self) {
        let Some(top) = self.stack.last_mut() else {
            return self.finish(None);
        };
        if top.next >= top.choices.len() {
            self.stack.pop();
            return;
        }
        let i = top.next;
        top.next += 1;
        let top = &self.stack[self.stack.len() - 1];
        self.states += 1;
        let next = successor(&self.bounds, &top.entry, &top.choices[i]);
        let Some(next) = next else {
            self.pruned += 1;
            return;
        };
        if next.sim.violation().is_some() {
            let path: Vec<u32> = self.stack.iter().map(|f| (f.next - 1) as u32).collect();
            if let Some(v) = self.promised_break(&next.sim, &path) {
                return self.finish(Some((path, v)));
            }
        }
        if self.seen.visit(self.key(&next), next.depth) {
            self.max_depth = self.max_depth.max(next.depth);
            if self.seen.len() as u64 >= self.bounds.max_states {
                return self.finish_incomplete();
            }
            let choices = self.choices(&next);
            if next.depth < self.bounds.depth {
                self.stack.push(Frame { entry: next, choices, next: 0 });
            } else {
                self.depth_cut += !choices.is_empty() as u64;
            }
        }
    }

    /// In tests: count the orbits under `renamings` of the states this search keeps.
    #[cfg(test)]
    pub(super) fn count_orbits(&mut self, renamings: Vec<Rename>) {
        let root = renamings.iter().map(|r| renamed_fingerprint(&self.root, r)).min().unwrap();
        self.orbits = Some((renamings, alloc::collections::BTreeSet::from([root])));
    }

    /// In tests: merge states under `renamings`, whatever the protocol declares.
    #[cfg(test)]
    pub(super) fn force_renamings(&mut self, renamings: Vec<Rename>) {
        assert_eq!(self.seen.len(), 1, "before the search starts");
        self.seen = Seen::new();
        self.renamings = renamings;
        self.seen.visit(self.key(&self.root), 0);
    }

    /// What merges states: the fingerprint, or with symmetry reduction the least fingerprint
    /// of the state's renamings, the same for every state one renaming maps onto another.
    fn key(&self, e: &Entry<P>) -> u64 {
        if self.renamings.is_empty() {
            return fingerprint(e);
        }
        self.renamings.iter().map(|r| renamed_fingerprint(e, r)).min().expect("the identity")
    }

    /// The state `choice` leads to from `entry`, or `None` when it passes the round bound.
    fn successor(&mut self, entry: &Entry<P>, choice: &Choice<P>) -> Option<Entry<P>> {
        self.states += 1;
        let next = successor(&self.bounds, entry, choice);
        self.pruned += next.is_none() as u64;
        next
    }

    /// The enabled choices of a state, in a fixed order: deliveries (one per distinct message),
    /// timers, requests, crashes, restarts, drops, duplicates.
    fn choices(&self, e: &Entry<P>) -> Vec<Choice<P>> {
        let sim = &e.sim;
        let b = &self.bounds;
        let mut flights: Vec<(u64, u64, NodeId)> =
            sim.flights().map(|f| (f.id.0, flight_digest(sim, &f), f.to)).collect();
        // By id: the order they were sent in (the queue's own order depends on the path).
        let order = crate::order::order_by(flights.iter().map(|f| f.0));
        flights = order.iter().map(|&i| flights[i as usize]).collect();
        // Copies with equal content (that the checker judges alike) lead to equal states:
        // deliver (or drop, or copy) the first.
        let mut seen = Vec::with_capacity(flights.len());
        flights.retain(|f| {
            let new = !seen.contains(&f.1);
            if new {
                seen.push(f.1);
            }
            new
        });
        let mut out = Vec::new();
        for &(id, _, to) in &flights {
            let input = Input::Deliver(crate::protocol::MsgId(id));
            out.push(Choice { input, spend: Spend::Nothing, touched: Some(to) });
        }
        for (i, st) in sim.status().iter().enumerate() {
            let node = NodeId(i as u32);
            if !st.up || b.timeouts.is_some_and(|t| e.used.timeouts >= t) {
                continue;
            }
            for armed in &st.timers {
                out.push(Choice {
                    input: Input::Fire(node, armed.timer),
                    spend: Spend::Timeout,
                    touched: Some(node),
                });
            }
        }
        for (i, (node, op, _)) in self.menu.iter().enumerate() {
            if e.used.issued & (1 << i) == 0 {
                let input = Input::Client(*node, op.clone());
                out.push(Choice { input, spend: Spend::Request(i), touched: Some(*node) });
            }
        }
        let targets = sim.proto.fault_targets().min(sim.nodes().len());
        for (i, st) in sim.status().iter().enumerate().take(targets) {
            let node = NodeId(i as u32);
            if st.up && e.used.crashes < b.crashes {
                out.push(Choice { input: Input::Crash(node), spend: Spend::Crash, touched: None });
            }
            if !st.up {
                out.push(Choice { input: Input::Restart(node), spend: Spend::Nothing, touched: Some(node) });
            }
        }
        for &(id, _, _) in &flights {
            let id = crate::protocol::MsgId(id);
            if e.used.drops < b.drops {
                out.push(Choice { input: Input::Drop(id), spend: Spend::Drop, touched: None });
            }
            if e.used.duplicates < b.duplicates {
                out.push(Choice { input: Input::Duplicate(id), spend: Spend::Duplicate, touched: None });
            }
        }
        out
    }

    /// The choices from the root to the state at `at` in the trail.
    fn path_to(&self, mut at: u32) -> Vec<u32> {
        let mut path = Vec::new();
        while at != 0 {
            let (parent, choice) = self.trail[at as usize];
            path.push(choice);
            at = parent;
        }
        path.reverse();
        path
    }

    /// The violation that stops the search: one of a promised property. The first break of one
    /// the protocol never promised is kept, with its path, and the search goes on.
    fn promised_break(&mut self, sim: &Sim<P>, path: &[u32]) -> Option<Violation> {
        let v = sim.violation()?;
        if sim.promised(&v.property) {
            return Some(v.clone());
        }
        if self.not_promised.is_none() {
            self.not_promised = Some((path.to_vec(), v.clone()));
        }
        None
    }

    fn finish_incomplete(&mut self) {
        self.report = Some(self.make_report(false, None));
        self.release();
    }

    fn finish(&mut self, found: Option<(Vec<u32>, Violation)>) {
        let complete = found.is_none();
        let found = found.map(|(path, v)| self.counterexample(&path, v));
        self.report = Some(self.make_report(complete, found));
        self.release();
    }

    /// Free the frontier once the search is over.
    fn release(&mut self) {
        self.queue = VecDeque::new();
        self.stack = Vec::new();
    }

    fn make_report(&self, complete: bool, violation: Option<Found>) -> Report {
        let (servers, clients) = self.root.sim.proto.cluster();
        Report {
            protocol: P::NAME,
            servers,
            clients,
            bounds: self.bounds,
            states: self.states,
            unique_states: self.seen.len() as u64,
            max_depth: self.max_depth,
            pruned: self.pruned,
            depth_cut: self.depth_cut,
            complete,
            seen_bytes: self.seen.bytes() as u64,
            violation,
            not_promised: self.not_promised.clone().map(|(path, v)| self.counterexample(&path, v)),
            unjudged: self.root.sim.proto.unjudged(),
        }
    }

    /// Walk `path` again from the root, as the actions of a scenario document: each choice
    /// as the action that replays it.
    fn counterexample(&self, path: &[u32], v: Violation) -> Found {
        let mut entry = self.root.clone();
        let mut actions = Vec::with_capacity(path.len());
        let unbounded = Bounds { max_term: None, ..self.bounds };
        for (k, &i) in path.iter().enumerate() {
            let mut choices = self.choices(&entry);
            let choice = choices.swap_remove(i as usize);
            actions.push((k as u64, self.action(&entry, &choice)));
            entry = successor(&unbounded, &entry, &choice).expect("no bound on rounds");
        }
        debug_assert_eq!(entry.sim.violation(), Some(&v), "the path leads to the violation");
        let mut doc = crate::scenario::export(&self.cfg, &actions);
        doc.position = Some(path.len() as u64);
        Found { property: v.property, message: v.message, steps: path.len() as u32, doc }
    }

    fn action(&self, entry: &Entry<P>, choice: &Choice<P>) -> Action {
        match &choice.input {
            Input::Deliver(id) => Action::Deliver(*id),
            Input::Fire(n, t) => {
                // A node may hold several timers of one label (SWIM's ack timeouts, a member's
                // suspicions): name the one fired by its place among them, as the replay finds it.
                let label = P::timer_label(t);
                let armed = entry.sim.status()[n.index()].timers.iter().map(|a| &a.timer);
                let k = armed.filter(|x| P::timer_label(x) == label).position(|x| x == t).unwrap_or(0);
                Action::Fire(*n, crate::lab::timer_name(label, k))
            }
            Input::Duplicate(id) => Action::Duplicate(*id),
            Input::Drop(id) => Action::Drop(*id),
            Input::Crash(n) => Action::Crash(*n),
            Input::Restart(n) => Action::Restart(*n),
            Input::Client(n, _) => match choice.spend {
                Spend::Request(i) => Action::Client(*n, self.menu[i].2.clone()),
                _ => unreachable!("a request spends its place in the menu"),
            },
            Input::Partition(_) | Input::Heal | Input::Cut(..) | Input::Uncut(..) => {
                unreachable!("the explorer does not partition")
            }
        }
    }
}

/// The state `choice` leads to from `entry`, or `None` when a node passes the round bound
/// (unless the step broke a property: a violation is reported wherever it is).
fn successor<P: Registered>(bounds: &Bounds, entry: &Entry<P>, choice: &Choice<P>) -> Option<Entry<P>> {
    let mut sim = entry.sim.clone();
    sim.apply_input(choice.input.clone());
    let mut fps = entry.fps.clone();
    if let Some(n) = choice.touched {
        let node = &sim.nodes()[n.index()];
        fps[n.index()] = sim.proto.timeless_digest(node);
        if bounds.max_term.is_some_and(|max| sim.proto.round(node) > max) && sim.violation().is_none() {
            return None;
        }
    }
    let mut used = entry.used;
    match choice.spend {
        Spend::Nothing => {}
        Spend::Crash => used.crashes += 1,
        Spend::Drop => used.drops += 1,
        Spend::Duplicate => used.duplicates += 1,
        Spend::Timeout => used.timeouts += 1,
        Spend::Request(i) => used.issued |= 1 << i,
    }
    Some(Entry { sim, depth: entry.depth + 1, used, fps, at: entry.at })
}

/// A state's fingerprint as it would be with its nodes renamed by `r`: each node's renamed
/// digest in its new place, the messages with renamed ends and contents, the checker's
/// renamed ghost state. The timers are taken as they are (a protocol whose timers name nodes
/// declares no symmetry).
fn renamed_fingerprint<P: Explorable>(e: &Entry<P>, r: &Rename) -> u64 {
    let sim = &e.sim;
    let mut places = alloc::vec![(false, 0u64, 0u64); sim.status().len()];
    for (i, (st, node)) in sim.status().iter().zip(sim.nodes()).enumerate() {
        let timers = st.timers.iter().fold(0u64, |acc, a| acc.wrapping_add(mix(digest(&a.timer))));
        places[r.node(NodeId(i as u32)).index()] = (st.up, sim.proto.renamed_digest(node, r), timers);
    }
    let mut h = StableHasher::default();
    places.hash(&mut h);
    let flights = sim.flights().fold(0u64, |acc, f| {
        let content = digest(&(r.node(f.from), r.node(f.to), sim.proto.renamed_message_digest(f.msg, r)));
        acc.wrapping_add(mix(marked(content, sim.proto.flight_mark(sim.monitor(), &f))))
    });
    flights.hash(&mut h);
    sim.proto.renamed_monitor_digest(sim.monitor(), r).hash(&mut h);
    e.used.hash(&mut h);
    h.finish()
}

/// The fingerprint of an explored simulator's state, its path having spent nothing.
#[cfg(test)]
pub(super) fn fingerprint_of<P: Registered>(sim: &Sim<P>) -> u64 {
    let fps = sim.nodes().iter().map(|n| sim.proto.timeless_digest(n)).collect();
    fingerprint(&Entry { sim: sim.clone(), depth: 0, used: Used::default(), fps, at: 0 })
}

/// A message in flight by its ends, its content and its checker's mark: equal for two copies
/// that lead to equal states.
fn flight_digest<P: Explorable>(sim: &Sim<P>, f: &crate::sim::Flight<'_, P::Msg>) -> u64 {
    marked(digest(&(f.from, f.to, f.msg)), sim.proto.flight_mark(sim.monitor(), f))
}

/// A message's digest with what its checker reads of its send time (`Explorable::flight_mark`);
/// unmarked, its content's digest alone.
fn marked(content: u64, mark: u64) -> u64 {
    if mark == 0 {
        content
    } else {
        digest(&(content, mark))
    }
}

/// A state's fingerprint: what decides its future, and nothing else. Each node by its
/// timeless digest, whether it is up and the kinds of its armed timers (a crashed node too by
/// all it held: a restart sees only its durable part, but the checker reads every node); the multiset of messages in flight by content (and the checker's mark); the checker's ghost
/// state; the budgets spent. Not times, message ids or the random source (see
/// `Sim::explored`).
fn fingerprint<P: Explorable>(e: &Entry<P>) -> u64 {
    let sim = &e.sim;
    let mut h = StableHasher::default();
    for (i, st) in sim.status().iter().enumerate() {
        st.up.hash(&mut h);
        e.fps[i].hash(&mut h);
        let timers = st.timers.iter().fold(0u64, |acc, a| acc.wrapping_add(mix(digest(&a.timer))));
        timers.hash(&mut h);
    }
    let flights = sim.flights().fold(0u64, |acc, f| acc.wrapping_add(mix(flight_digest(sim, &f))));
    flights.hash(&mut h);
    digest(sim.monitor()).hash(&mut h);
    e.used.hash(&mut h);
    h.finish()
}
