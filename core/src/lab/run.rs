//! [`ProtocolLab`]: the [`Lab`] of one protocol's timeline, checking each user action against
//! the run before it becomes an input.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::RefCell;

use super::types::{Action, EventLine, FlightSnap, Lab, NodeSnap, Snapshot};
use crate::echo::Echo;
use crate::protocol::{About, Ctx, MessageInfo, NodeId, Protocol, Time, Violation};
use crate::registry::Registered;
use crate::sim::{Input, Sim};
use crate::timeline::{RecordWindow, Timeline};

/// A timeline of protocol `P`.
pub struct ProtocolLab<P: Protocol> {
    pub timeline: Timeline<P>,
    /// The actions taken on the current branch (a scenario document records them).
    actions: Vec<(u64, Action)>,
    /// The space-time diagram's last window of records, which the next one starts from.
    window: RefCell<RecordWindow<P>>,
}

impl<P: Registered> ProtocolLab<P> {
    pub fn new(sim: Sim<P>, limit: u64) -> Self {
        ProtocolLab { timeline: Timeline::new(sim, limit), actions: Vec::new(), window: RefCell::default() }
    }

    /// Delivering, duplicating and firing out of time order replay an explored run; a run
    /// that follows time refuses them.
    fn check_explored(&self) -> Result<(), String> {
        if self.timeline.sim().is_explored() {
            return Ok(());
        }
        Err("deliver, fire and duplicate replay an explored run; this run follows time".to_string())
    }

    fn check_node(&self, n: NodeId) -> Result<(), String> {
        let count = self.timeline.sim().nodes().len();
        if n.index() >= count {
            return Err(format!("there is no node {n} (the cluster has {count})"));
        }
        Ok(())
    }
}

/// The node a restart would rebuild from what survived `node`'s crash, at local time `now`:
/// what a crashed node's drawing may show. The restart's effects (timers, messages, notes) are
/// recorded into scratch lists and dropped, and its randomness comes from a scratch generator,
/// so the run is untouched.
fn restarted<P: Protocol>(proto: &P, node: &P::Node, id: NodeId, now: Time) -> P::Node {
    let mut rng = crate::rng::Rng::new(0);
    let (mut sends, mut timers, mut notes) = (Vec::new(), Vec::new(), Vec::new());
    let mut ctx =
        Ctx { me: id, now, rng: &mut rng, sends: &mut sends, timers: &mut timers, notes: &mut notes };
    proto.on_restart(P::durable(node), &mut ctx)
}

impl<P: Registered> Lab for ProtocolLab<P> {
    fn protocol(&self) -> &'static str {
        P::NAME
    }
    fn position(&self) -> u64 {
        self.timeline.position()
    }
    fn horizon(&self) -> u64 {
        self.timeline.horizon()
    }
    fn at_end(&self) -> bool {
        self.timeline.at_end()
    }
    fn time(&self) -> Time {
        self.timeline.sim().now()
    }
    fn next_time(&self) -> Option<Time> {
        if self.timeline.at_end() {
            return None;
        }
        let p = self.timeline.position();
        if self.timeline.inputs().iter().any(|(i, _)| *i == p) {
            return Some(self.time());
        }
        self.timeline.sim().next_time()
    }
    fn step(&mut self) -> bool {
        self.timeline.step()
    }
    fn seek(&mut self, position: u64) {
        self.timeline.seek(position)
    }
    fn act(&mut self, action: Action) -> Result<(), String> {
        if self.timeline.sim().halted() {
            return Err("the run stopped at a violation; step back before acting".to_string());
        }
        if self.timeline.position() >= self.timeline.limit() {
            return Err(format!("the run reached its limit of {} events", self.timeline.limit()));
        }
        let n = self.timeline.sim().nodes().len();
        let recorded = action.clone();
        let input = match action {
            Action::Crash(id) => {
                self.check_node(id)?;
                Input::Crash(id)
            }
            Action::Restart(id) => {
                self.check_node(id)?;
                Input::Restart(id)
            }
            Action::Drop(id) => {
                if !self.timeline.sim().flights().any(|f| f.id == id) {
                    return Err(format!("message #{} is no longer in flight", id.0));
                }
                Input::Drop(id)
            }
            Action::Partition(side) => {
                for id in &side {
                    self.check_node(*id)?;
                }
                if side.is_empty() || side.len() >= n {
                    return Err("a partition needs at least one node on each side".to_string());
                }
                let groups = (0..n as u32).map(|i| side.contains(&NodeId(i)) as u8).collect();
                Input::Partition(groups)
            }
            Action::Heal => Input::Heal,
            Action::Cut(a, b) | Action::Uncut(a, b) if a == b => {
                return Err("a link joins two different nodes".to_string());
            }
            Action::Cut(a, b) => {
                self.check_node(a)?;
                self.check_node(b)?;
                Input::Cut(a, b)
            }
            Action::Uncut(a, b) => {
                self.check_node(a)?;
                self.check_node(b)?;
                Input::Uncut(a, b)
            }
            Action::Client(id, text) => {
                self.check_node(id)?;
                let proto = &self.timeline.sim().proto;
                let op = proto.parse_client(&text)?;
                proto.check_client(id, &op)?;
                Input::Client(id, op)
            }
            Action::Deliver(id) | Action::Duplicate(id) => {
                self.check_explored()?;
                if !self.timeline.sim().flights().any(|f| f.id == id) {
                    return Err(format!("message #{} is not in flight", id.0));
                }
                match action {
                    Action::Deliver(_) => Input::Deliver(id),
                    _ => Input::Duplicate(id),
                }
            }
            Action::Fire(id, label) => {
                self.check_explored()?;
                self.check_node(id)?;
                let (name, k) = super::types::timer_place(&label);
                let armed = self.timeline.sim().status()[id.index()].timers.iter();
                let timer = armed.map(|a| a.timer).filter(|t| P::timer_label(t) == name).nth(k);
                let timer = timer.ok_or_else(|| format!("{id} has no {} timer armed", Echo(&label)))?;
                Input::Fire(id, timer)
            }
        };
        let at = self.timeline.position();
        self.actions.retain(|(i, _)| *i < at);
        self.actions.push((at, recorded));
        self.timeline.act(input);
        Ok(())
    }
    fn snapshot(&self) -> Snapshot {
        let sim = self.timeline.sim();
        let nodes = sim
            .nodes()
            .iter()
            .zip(sim.status())
            .enumerate()
            .map(|(i, (node, st))| {
                let id = NodeId(i as u32);
                // A crashed node keeps its memory in the simulator until it restarts, but the
                // page shows only what survived: the node a restart would rebuild.
                let (view, log) = if st.up {
                    (sim.proto.view(node), sim.proto.log_detail(node))
                } else {
                    let r = restarted(&sim.proto, node, id, sim.local_time(id));
                    (sim.proto.down_view(&r), sim.proto.log_detail(&r))
                };
                NodeSnap {
                    id,
                    name: sim.proto.node_name(id),
                    up: st.up,
                    log,
                    view,
                    timers: st
                        .timers
                        .iter()
                        .map(|t| (P::timer_label(&t.timer), t.set_at, t.fires_at))
                        .collect(),
                    clock: Some(sim.local_time(id)).filter(|c| *c != sim.now()),
                }
            })
            .collect();
        let flights: Vec<FlightSnap> = sim
            .flights()
            .map(|f| FlightSnap {
                id: f.id,
                from: f.from,
                to: f.to,
                sent_at: f.sent_at,
                // In an explored run a message arrives when the explorer says, no earlier than
                // the next event: drawn that way, it creeps towards its receiver while it waits
                // (its queued time, long past, would draw it as arrived).
                arrive_at: if sim.is_explored() {
                    sim.now().plus(crate::sim::EXPLORE_LEAP)
                } else {
                    f.arrive_at
                },
                kind: f.msg.kind(),
                summary: f.msg.summary(),
                hue: f.msg.hue(),
                from_name: sim.proto.node_name(f.from),
                to_name: sim.proto.node_name(f.to),
            })
            .collect();
        let order = crate::order::order_by(flights.iter().map(|f| f.id.0));
        let mut slots: Vec<Option<FlightSnap>> = flights.into_iter().map(Some).collect();
        let flights: Vec<FlightSnap> = order.iter().filter_map(|&i| slots[i as usize].take()).collect();
        let up: Vec<bool> = sim.status().iter().map(|s| s.up).collect();
        Snapshot {
            protocol: P::NAME,
            page: P::page(),
            position: self.timeline.position(),
            horizon: self.timeline.horizon(),
            limit: self.timeline.limit(),
            time: sim.now(),
            at_end: self.timeline.at_end(),
            nodes,
            flights,
            groups: sim.groups().to_vec(),
            metrics: sim.metrics().clone(),
            boards: sim.proto.boards(sim.nodes(), &up),
            enclosures: sim.proto.enclosures(sim.nodes(), &up),
            cuts: sim.cuts().collect(),
            clogs: sim.clogs().collect(),
            violation: sim.violation().cloned(),
            found_violation: self.timeline.found_violation().cloned(),
            trace_hash: sim.trace_hash(),
        }
    }
    fn opinions(&self, about: Option<NodeId>) -> Option<crate::protocol::Opinions> {
        let sim = self.timeline.sim();
        let up: Vec<bool> = sim.status().iter().map(|s| s.up).collect();
        sim.proto.opinions(sim.nodes(), &up, about.filter(|a| a.index() < up.len()))
    }
    fn log(&self, from: u64, to: u64, per_event: usize) -> Vec<EventLine> {
        let proto = &self.timeline.sim().proto;
        let mut out: Vec<EventLine> = Vec::new();
        let mut folds: Vec<usize> = Vec::new();
        let mut shown = 0;
        // The diagram's window holds these events' records, unless it shows fewer.
        let window = self.window.borrow();
        let replayed;
        let records: alloc::boxed::Box<dyn Iterator<Item = &crate::trace::Record<P>>> =
            match window.covering(&self.timeline, from, to) {
                Some(kept) => alloc::boxed::Box::new(kept),
                None => {
                    replayed = self.timeline.records(from, to);
                    alloc::boxed::Box::new(replayed.iter())
                }
            };
        for r in records {
            if matches!(r.kind, crate::trace::RecordKind::State { .. }) {
                continue;
            }
            shown = if out.last().is_some_and(|l| l.event == r.event) { shown + 1 } else { 1 };
            if shown <= per_event {
                let phrase = r.phrase_with(&|n| proto.node_name(n));
                let text = alloc::string::ToString::to_string(&phrase);
                out.push(EventLine {
                    event: r.event,
                    time: r.time,
                    class: r.class(),
                    text,
                    phrase,
                    folded: 0,
                });
            } else if shown == per_event + 1 {
                folds.push(out.len());
                out.push(EventLine {
                    event: r.event,
                    time: r.time,
                    class: r.class(),
                    text: String::new(),
                    phrase: Default::default(),
                    folded: 0,
                });
            } else if let Some(last) = out.last_mut() {
                last.folded += 1;
            }
        }
        for i in folds {
            let more = out[i].folded + 1;
            out[i].text = format!("… and {more} more");
            out[i].phrase = crate::trace::Phrase {
                template: "… and {} more",
                args: alloc::vec![(crate::trace::Fill::Name, format!("{more}"))],
            };
        }
        out
    }
    fn trace_hash(&self) -> u64 {
        self.timeline.sim().trace_hash()
    }
    fn violation(&self) -> Option<Violation> {
        self.timeline.sim().violation().cloned()
    }
    fn properties(&self) -> Vec<(&'static str, &'static str)> {
        self.timeline.sim().proto.properties().iter().map(|p| (p.name, p.description)).collect()
    }
    fn not_promised(&self) -> &'static [&'static str] {
        self.timeline.sim().proto.not_promised()
    }
    fn node_count(&self) -> usize {
        self.timeline.sim().nodes().len()
    }
    fn about(&self) -> About {
        self.timeline.sim().proto.about()
    }
    fn narration(&self) -> Vec<crate::lesson::Step> {
        self.timeline.sim().proto.narration()
    }
    fn run_past_violations(&mut self) {
        self.timeline.run_past_violations();
    }
    fn locate(&self) -> Vec<Option<crate::lesson::Stop>> {
        super::locate(&self.timeline.sim().proto.narration(), &self.timeline)
    }
    fn diagram(&self, from: u64, to: u64) -> crate::diagram::Diagram {
        crate::diagram::build(self.window.borrow_mut().get(&self.timeline, from, to), from, to)
    }
    fn history(&self, since: Time, limit: usize) -> (usize, Vec<crate::history::HistoryOp>, usize) {
        let ops = &self.timeline.sim().history().ops;
        // Operations are in invocation order: find the first one invoked at `since` or later.
        let (mut lo, mut hi) = (0, ops.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if ops.get(mid).is_some_and(|o| o.invoke.1 < since) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        // Include a few earlier ones that may still be running.
        let start = lo.saturating_sub(16);
        let shown = (start..ops.len().min(start + limit)).filter_map(|i| ops.get(i).cloned()).collect();
        (start, shown, ops.len())
    }
    fn actions(&self) -> Vec<(u64, Action)> {
        self.actions.clone()
    }
    fn judge(&self) -> crate::history::Judgement {
        let ops: Vec<crate::history::HistoryOp> = self.timeline.sim().history().ops.iter().cloned().collect();
        crate::history::judge(&ops)
    }
    fn judging(&self) -> crate::history::Judging {
        let ops: Vec<crate::history::HistoryOp> = self.timeline.sim().history().ops.iter().cloned().collect();
        crate::history::Judging::new(&ops, crate::lincheck::Limits::default())
    }
}
