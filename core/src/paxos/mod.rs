//! Single-decree Paxos, after Lamport's "Paxos Made Simple" (2001).
//!
//! A set of nodes must agree on one value even though messages are lost, delayed, duplicated
//! and reordered, and nodes crash and restart. Three roles share the work. **Proposers** take a
//! value from a client and try to get it chosen; **acceptors** vote; **learners** find out what
//! was chosen. A value is *chosen* once a majority of acceptors has accepted it in the same
//! ballot. Ballots are pairs (round, proposer id), totally ordered and never reused, so two
//! proposers never issue the same ballot.
//!
//! The algorithm has two phases (§2.2 of the paper):
//!
//! 1. **Prepare (1a/1b).** A proposer picks a ballot `b` higher than any it has seen and sends
//!    `Prepare(b)` to the acceptors. An acceptor that has not promised a higher ballot promises
//!    `b` (it will ignore anything lower from now on) and answers `Promise(b, accepted)`, with
//!    the highest-ballot proposal it has accepted so far, if any.
//! 2. **Accept (2a/2b).** With promises from a majority, the proposer sends `Accept(b, v)`,
//!    where `v` is the value of the highest-ballot proposal among the promises, or its own
//!    value if no acceptor in the majority had accepted anything. An acceptor that has not
//!    promised a ballot above `b` accepts and tells the proposer and the learners `Accepted(b, v)`.
//!
//! Safety rests on one fact: any two majorities intersect. If `v` was chosen in ballot `b`, every
//! majority that answers a later `Prepare` contains an acceptor that accepted `(b, v)` (or a
//! later proposal, which by induction also carries `v`), so every later proposer is forced to
//! propose `v` again. The acceptor's promise and accepted proposal must therefore survive a
//! crash: they are *persistent* here; learned values and the proposer's phase are not.
//!
//! Liveness is not guaranteed (FLP): two proposers can keep pre-empting each other with ever
//! higher ballots ("dueling proposers"). A proposer that is pre-empted waits a random back-off
//! that doubles on each attempt before retrying; with `backoff: false` it retries almost at once
//! and the livelock is easy to watch.
//!
//! The checker follows the paper's safety requirements: only a proposed value may be chosen
//! (`validity`), at most one value is chosen (`agreement`), and a learner learns only a chosen
//! value (`learned-chosen`). Three mutants break the algorithm in the classic ways and the
//! checker catches each of them under fault sweeps.
//!
//! The files: `types.rs` (ballots, messages, timers, the roles' state and what survives a crash,
//! mutants, the configuration), `node.rs` (the roles' handlers), `check.rs` (the checker),
//! `view.rs` (the `Present` impl: how the page shows a node), `scenarios.rs` (the presets and
//! their lessons), `tests.rs` (exact-effect handler tests), `lessons.rs` (each lesson's steps
//! checked against the run on several seeds).

mod check;
mod node;
mod scenarios;
pub mod setup;
mod types;
mod view;

#[cfg(test)]
mod lessons;
#[cfg(test)]
mod tests;

pub use check::Monitor;
pub use scenarios::{apply_scenario, SCENARIOS};
pub use types::*;

use alloc::string::String;
use alloc::vec::Vec;

use crate::protocol::{Ctx, MutantInfo, NodeId, PropertyInfo, Protocol, ScriptAction, Time};
use crate::rng::Rng;

impl crate::protocol::Effects for Paxos {
    type Msg = Msg;
    type Timer = Timer;
    type Note = ();
}

impl Protocol for Paxos {
    type ClientOp = Propose;
    type Node = Node;
    type Durable = Durable;
    type Monitor = Monitor;

    fn nodes(&self) -> usize {
        self.proposers.max(self.acceptors).max(self.learners)
    }

    fn init(&self, ctx: &mut Ctx<Self>) -> Node {
        self.fresh(ctx.me())
    }

    fn on_message(&self, n: &mut Node, from: NodeId, msg: Msg, ctx: &mut Ctx<Self>) {
        node::on_message(self, n, from, msg, ctx)
    }

    fn on_timer(&self, n: &mut Node, timer: Timer, ctx: &mut Ctx<Self>) {
        node::on_timer(self, n, timer, ctx)
    }

    fn on_client(&self, n: &mut Node, op: Propose, ctx: &mut Ctx<Self>) {
        node::on_client(self, n, op, ctx)
    }

    fn durable(n: &Node) -> Durable {
        node::durable(n)
    }

    fn on_restart(&self, durable: Durable, ctx: &mut Ctx<Self>) -> Node {
        node::on_restart(self, durable, ctx)
    }

    fn workload(&self, rng: &mut Rng) -> Vec<(Time, NodeId, Propose)> {
        // Every proposer gets its own value early on, so proposers compete from the start.
        (0..self.proposers as u32)
            .map(|i| (Time(rng.range(0, 10_000)), NodeId(i), Propose(10 * (i as u64 + 1))))
            .collect()
    }

    fn check(
        &self,
        m: &mut Monitor,
        nodes: &[Node],
        touched: Option<NodeId>,
        client: Option<&Propose>,
        _notes: &[()],
    ) -> Result<(), (&'static str, String)> {
        check::check(self, m, nodes, touched, client)
    }

    fn properties(&self) -> &'static [PropertyInfo] {
        check::PROPERTIES
    }

    fn mutants() -> &'static [MutantInfo] {
        MUTANTS
    }

    fn state_digest(&self, n: &Node) -> u64 {
        // The whole node, its fields hashed in the order they had before the proposer's
        // persistent ones moved into `hard`, so that recorded trace hashes did not move.
        let proposer = n.proposer.as_ref().map(|p| {
            (
                p.hard.value,
                p.ballot,
                p.hard.max_round,
                p.phase,
                &p.promises,
                p.highest,
                p.proposal,
                &p.accepts,
                p.attempts,
            )
        });
        crate::hash::digest(&(n.id, proposer, &n.acceptor, &n.learner))
    }

    fn script(&self) -> Vec<(Time, ScriptAction<Propose>)> {
        self.script.clone()
    }
    fn parse_client(&self, text: &str) -> Result<Propose, String> {
        parse_value(text)
    }
}
