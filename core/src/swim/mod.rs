//! SWIM membership, after Das, Gupta and Motivala, "SWIM: Scalable Weakly-consistent
//! Infection-style Process Group Membership Protocol" (DSN 2002), with two refinements
//! HashiCorp's memberlist (under Consul and Serf) runs: the accusation carried by the ping
//! (Lifeguard's buddy system) and its retransmit count. Not modelled: Lifeguard's local health
//! multiplier, its nacks from indirect probers, and its suspicion timeout that shrinks with
//! independent confirmations (here the suspicion timeout is fixed).
//!
//! Every member keeps a list of the others and must learn, without a central server, which
//! have failed. Heartbeating all-to-all does it with n² messages a period; SWIM does it with a
//! constant number per member, whatever n:
//!
//! 1. **Probe** (§3.1). Each protocol period T a member pings one other. With round-robin
//!    selection (§4.3; `node::next_target`) it goes through the others in an order shuffled
//!    each round, so a crashed member is probed within 2(n−1)−1 periods; with random selection
//!    the first detection takes e/(e−1) periods on average and has no worst case.
//! 2. **Indirect probe** (§3.1; `node::ask_others`). No ack within the ack timeout: the member
//!    asks k others to ping the target for it (`PingReq`), and they relay the ack. A lossy
//!    link between two members does not make either look dead. The `suspicion` property
//!    holds each failed probe to what reached the prober (`relay-by-sender`, which takes an
//!    ack only from the target itself, suspects members whose relayed answers arrived).
//! 3. **Suspicion** (§4.2; `node::hear`). No ack by the end of the period: the target becomes a
//!    *suspect*, not dead, and the suspicion travels. After the suspicion timeout the suspect
//!    is confirmed *dead* — unless it refuted: a member that hears it is suspected raises its
//!    *incarnation* number and says `Alive` at the new one, which overrides the suspicion.
//!    Within one incarnation a belief only moves forward, alive to suspect to dead; the
//!    `incarnation` property holds every member to it (`alive-ties`, where news of life
//!    clears a suspicion at its own incarnation, breaks it).
//!    The ping to a suspect carries the accusation (Lifeguard's "buddy system", in memberlist)
//!    and the suspect answers in its ack, so a suspect its accuser reaches again before the
//!    timeout refutes (promised with round-robin probing when the suspicion timeout spans two
//!    rounds, `Swim::suspicion_spans_rounds`; otherwise likely, through gossip):
//!    the `refutation-ignored` mutant breaks this and the `refutation` property catches it (a
//!    prober whose accusing ping the suspect answered in time declares it dead all the same),
//!    at any size and with either probe selection; the `suspicion-skipped` mutant (dead at the
//!    first failed probe) is caught by `accuracy`.
//! 4. **Dissemination** (§4.1; `node::piggyback`). Updates (alive, suspect, dead, with the
//!    incarnation) ride on pings and acks, each sent λ·⌈log10(n+1)⌉ times, least-sent first:
//!    infection-style, reaching everyone in O(log n) periods. Without it (`no-piggyback`,
//!    which also leaves the accusation off the ping) nobody hears an accusation, so nobody refutes (caught by `accuracy`), and a failure
//!    reaches each member only when its own probe finds it (`distlab swim detect` measures
//!    the dissemination time growing with n).
//! 5. **Rejoin**. A member's incarnation survives its crash (`Hard`), and a restarted member
//!    comes back one above it, so its `Alive` overrides the `Dead` the others concluded
//!    (`forget-incarnation` restarts at 0: caught by `incarnation`).
//!
//! The checker (`check.rs`) judges completeness, accuracy, refutation and incarnation order
//! against the simulator's ground truth (`Protocol::check_world`, and `Protocol::delivered`
//! for what each member was told). The all-to-all heartbeat detector runs
//! on the same members for comparison (`Detector::Heartbeat`). `detect.rs` is the measurement
//! behind `distlab swim detect`. Files: `types.rs`, `node.rs` (the handlers), `check.rs`,
//! `view.rs`, `scenarios.rs` (presets and their lessons), `detect.rs`, `setup.rs`.

mod check;
pub mod detect;
mod node;
mod scenarios;
pub mod setup;
pub mod swarm;
mod types;
mod view;

#[cfg(test)]
mod lessons;
#[cfg(test)]
mod tests;

pub use check::Monitor;
pub use node::Note;
pub use scenarios::{apply_scenario, SCENARIOS};
pub use types::*;

use alloc::string::String;
use alloc::vec::Vec;

use crate::protocol::{
    Ctx, Delivered, MutantInfo, NodeId, PropertyInfo, Protocol, ScriptAction, Time, World,
};
use crate::rng::Rng;

impl crate::protocol::Effects for Swim {
    type Msg = Msg;
    type Timer = Timer;
    type Note = Note;
}

impl Protocol for Swim {
    type ClientOp = NoRequest;
    type Node = Node;
    type Durable = Hard;
    type Monitor = Monitor;

    fn nodes(&self) -> usize {
        self.members
    }

    fn init(&self, ctx: &mut Ctx<Self>) -> Node {
        node::fresh(self, ctx.me(), 0, ctx)
    }

    fn on_message(&self, n: &mut Node, from: NodeId, msg: Msg, ctx: &mut Ctx<Self>) {
        node::on_message(self, n, from, msg, ctx)
    }

    fn on_timer(&self, n: &mut Node, timer: Timer, ctx: &mut Ctx<Self>) {
        node::on_timer(self, n, timer, ctx)
    }

    fn on_client(&self, _n: &mut Node, op: NoRequest, _ctx: &mut Ctx<Self>) {
        match op {}
    }

    fn durable(n: &Node) -> Hard {
        n.hard
    }

    fn on_restart(&self, hard: Hard, ctx: &mut Ctx<Self>) -> Node {
        node::on_restart(self, hard, ctx)
    }

    fn workload(&self, _rng: &mut Rng) -> Vec<(Time, NodeId, NoRequest)> {
        Vec::new()
    }

    fn check(
        &self,
        _m: &mut Monitor,
        _nodes: &[Node],
        _touched: Option<NodeId>,
        _client: Option<&NoRequest>,
        _notes: &[Note],
    ) -> Result<(), (&'static str, String)> {
        Ok(())
    }

    fn check_world(
        &self,
        m: &mut Monitor,
        nodes: &[Node],
        touched: Option<NodeId>,
        notes: &[Note],
        world: &World<'_, Msg>,
    ) -> Result<(), (&'static str, String)> {
        check::check(self, m, nodes, touched, notes, world)
    }

    fn delivered(&self, m: &mut Monitor, nodes: &[Node], d: &Delivered<'_, Msg>) {
        check::delivered(m, nodes, d)
    }

    fn properties(&self) -> &'static [PropertyInfo] {
        check::PROPERTIES
    }

    fn mutants() -> &'static [MutantInfo] {
        MUTANTS
    }

    fn script(&self) -> Vec<(Time, ScriptAction<NoRequest>)> {
        self.script.clone()
    }

    fn parse_client(&self, text: &str) -> Result<NoRequest, String> {
        Err(alloc::format!(
            "SWIM members take no client requests (got {text:?}); crash, restart or cut members instead"
        ))
    }
}
