//! Multi-Paxos replicating a key-value log, after Lamport's "Paxos Made Simple" (2001) §3 and
//! van Renesse and Altinbuken, "Paxos Made Moderately Complex" (2015).
//!
//! Every server is an acceptor, a learner and a potential proposer. A server that hears no
//! leader for a randomized timeout runs **phase 1 once for all future slots**: Prepare(b, first)
//! asks every acceptor to promise ballot `b` and to report the values it accepted in slots from
//! `first` on. With promises from a majority the server leads: for each reported slot it
//! **adopts the value with the highest accepted ballot** (any earlier majority that chose a
//! value shares an acceptor with this one, which reports it), fills gaps with no-ops, and
//! re-proposes them in its ballot. From then on each client command costs only **phase 2**:
//! Accept(b, slot, value) to all, chosen once a majority accepted. Learners apply slots in
//! order to the key-value store; the leader answers the client after applying.
//!
//! A proposer that meets a higher ballot (a Nack, or another's Prepare) backs off for a random
//! time; without back-off, two proposers can preempt each other forever (dueling proposers).
//!
//! **Persistence.** What survives a crash is one struct, [`server::HardState`]: the acceptor's
//! promise and accepted values, the highest ballot the server ever tried as a proposer, so
//! that a restarted proposer never reuses a ballot ("Paxos Made Simple" §2.5), and the values
//! the learner knows chosen: its log, kept on disk and replayed on recovery as production
//! Multi-Paxos systems do ("Paxos Made Live": Chubby's replicas; "Paxos Made Simple" leaves it
//! open).
//! A restarted server applies that log again to rebuild its state machine, asks the leader only
//! for the slots chosen while it was down, and if it campaigns, prepares from the first slot it
//! does not know chosen. The rest of the proposer's state is lost.
//!
//! **Reads** are commands like any other: a Get takes a slot and is answered once applied, so
//! reads are linearizable without leases (a deposed leader that still thinks it leads cannot
//! get a Get chosen).
//!
//! **The rules, where they live, and what breaks without them** (PMS: "Paxos Made Simple"):
//!
//! | rule | code | broken by |
//! |---|---|---|
//! | never reuse a ballot (PMS §2.5) | `HardState::ballot`, `campaign` | test `a_restarted_proposer_never_reuses_a_ballot` |
//! | accept nothing below the promise (PMS §2.2, P1a) | `on_message`, `Msg::Accept` | mutant accept-below-promise (preset stale-leader); test `an_acceptor_promises_with_its_values_from_first_on_and_refuses_lower_ballots` |
//! | phase 1 before phase 2, for every slot from the first unchosen, with a ballot above any promised (PMS §2.2, §3) | `campaign`, `become_leader` | mutant skip-phase1; test `an_election_timeout_prepares_every_slot_from_the_first_unchosen_at_every_acceptor` |
//! | adopt each slot's highest-ballot value, fill gaps with no-ops (PMS §2.2 P2c, §3) | `become_leader` | mutant no-adopt; tests `a_new_leader_adopts_the_highest_ballot_value_reported_for_each_slot`, `a_new_leader_fills_the_gaps_with_no_ops_and_proposes_new_requests_after_them` |
//! | promise and accepted values survive a crash (PMS §2.5) | `HardState`, `server::restart` | mutant forget-on-restart |
//! | learn only a chosen value: one accepted in the leader's ballot, or a Chosen answer | `learn_up_to` | mutant learn-any-ballot |
//! | a leader told that one of its slots holds a value it did not propose there (a higher ballot chose it) stops leading; else its `commit` would make an acceptor learn its proposal | `Msg::Chosen`, `outvoted` | test `a_leader_told_of_another_value_chosen_in_its_slots_steps_down` (red-team finding) |
//! | answer a client only after its command is chosen and applied | `learn` | mutant reply-before-chosen |
//! | a proposer that meets a higher ballot gives up its own and backs off (liveness only) | `preempted` | test `a_nack_with_a_higher_ballot_makes_the_proposer_step_down_and_back_off`; preset dueling |
//! | propose only what a client sent; apply a retried command once (PMMC's replica) | `Msg::Request`, `Kv::apply` | mutant slot-for-request |

mod check;
pub mod scenarios;
pub mod server;
pub mod setup;
pub mod swarm;
mod types;
mod view;

#[cfg(test)]
mod learn_tests;
#[cfg(test)]
mod lessons;
#[cfg(test)]
mod tests;

pub use check::Monitor;
pub use server::{Durable, HardState, Node, Role, Server};
pub use types::*;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::kv::client;
use crate::protocol::{Ctx, MutantInfo, NodeId, Present, PropertyInfo, Protocol, ScriptAction, Time};
use crate::rng::Rng;

const PROPERTIES: &[PropertyInfo] = &[
    PropertyInfo { name: "agreement", description: "at most one value is chosen in each slot" },
    PropertyInfo { name: "validity", description: "a chosen command was sent by a client (or is a no-op)" },
    PropertyInfo {
        name: "same-order",
        description: "every replica applies the chosen values, slot after slot, in the same order",
    },
    PropertyInfo {
        name: "acked-not-lost",
        description: "an acknowledged request stays chosen in the slot the client was told",
    },
    PropertyInfo {
        name: "linearizable",
        description: "every answer is what the chosen log gives, and sees all that completed before it began",
    },
];

const MUTANTS: &[MutantInfo] = &[
    MutantInfo {
        name: "no-adopt",
        description: "a new leader ignores the values phase 1 reports and proposes no-ops instead",
    },
    MutantInfo { name: "accept-below-promise", description: "acceptors accept ballots below their promise" },
    MutantInfo { name: "skip-phase1", description: "a server that times out leads at once, without phase 1" },
    MutantInfo {
        name: "forget-on-restart",
        description: "promises and accepted values are not persisted across a crash",
    },
    MutantInfo {
        name: "learn-any-ballot",
        description: "a learner told a slot is chosen takes the value it accepted there in any ballot, not only the leader's",
    },
    MutantInfo {
        name: "reply-before-chosen",
        description: "the leader answers a client when it proposes the command, before a majority accepted it",
    },
    MutantInfo {
        name: "slot-for-request",
        description: "the leader files a command under its slot number instead of the client's request number",
    },
    MutantInfo {
        name: "read-local",
        description: "the leader answers a get from its own state at once, without a slot: a replaced leader answers stale",
    },
];

impl MultiPaxos {
    fn is_server(&self, id: NodeId) -> bool {
        id.index() < self.servers
    }
}

impl crate::protocol::Effects for MultiPaxos {
    type Msg = Msg;
    type Timer = Timer;
    type Note = Note;
}

impl Protocol for MultiPaxos {
    type ClientOp = ClientOp;
    type Node = Node;
    type Durable = Durable;
    type Monitor = Monitor;

    fn nodes(&self) -> usize {
        self.servers + self.clients
    }
    fn fault_targets(&self) -> usize {
        self.servers
    }
    fn init(&self, ctx: &mut Ctx<Self>) -> Node {
        if self.is_server(ctx.me()) {
            Node::Server(server::init(self, ctx))
        } else {
            Node::Client(client::init(self, ctx))
        }
    }
    fn on_message(&self, node: &mut Node, from: NodeId, msg: Msg, ctx: &mut Ctx<Self>) {
        match node {
            Node::Server(s) => server::on_message(self, s, from, msg, ctx),
            Node::Client(c) => client::on_message(self, c, from, msg, ctx),
        }
    }
    fn on_timer(&self, node: &mut Node, timer: Timer, ctx: &mut Ctx<Self>) {
        match node {
            Node::Server(s) => server::on_timer(self, s, timer, ctx),
            Node::Client(c) => client::on_timer(self, c, timer, ctx),
        }
    }
    fn on_client(&self, node: &mut Node, op: ClientOp, ctx: &mut Ctx<Self>) {
        let ClientOp::Kv(op) = op;
        match node {
            Node::Client(c) => client::on_op(self, c, op, ctx),
            Node::Server(s) => {
                ctx.note(Note::Refused { node: s.id, why: format!("{op} goes to a client, not to a server") })
            }
        }
    }
    fn check_client(&self, node: NodeId, _op: &ClientOp) -> Result<(), String> {
        if self.is_server(node) {
            return Err(format!("{} is a server: send requests to a client (C1…)", self.node_name(node)));
        }
        Ok(())
    }
    fn durable(node: &Node) -> Durable {
        match node {
            Node::Server(s) => Durable::Server(s.hard.clone()),
            Node::Client(c) => Durable::Client(c.hard.clone()),
        }
    }
    fn on_restart(&self, durable: Durable, ctx: &mut Ctx<Self>) -> Node {
        match durable {
            Durable::Server(hard) => Node::Server(server::restart(self, hard, ctx)),
            Durable::Client(hard) => Node::Client(client::restart(self, hard, ctx)),
        }
    }
    fn workload(&self, _rng: &mut Rng) -> Vec<(Time, NodeId, ClientOp)> {
        Vec::new()
    }
    fn check(
        &self,
        m: &mut Monitor,
        _nodes: &[Node],
        _touched: Option<NodeId>,
        _client: Option<&ClientOp>,
        notes: &[Note],
    ) -> Result<(), (&'static str, String)> {
        check::check(self, m, notes)
    }
    fn check_world(
        &self,
        m: &mut Monitor,
        _nodes: &[Node],
        _touched: Option<NodeId>,
        _notes: &[Note],
        world: &crate::protocol::World<'_, Msg>,
    ) -> Result<(), (&'static str, String)> {
        check::restarts(m, world);
        Ok(())
    }
    fn properties(&self) -> &'static [PropertyInfo] {
        PROPERTIES
    }
    fn mutants() -> &'static [MutantInfo] {
        MUTANTS
    }
    fn state_digest(&self, node: &Node) -> u64 {
        match node {
            // A summary: the logs' lengths and last slots. A new leader's re-proposal over a
            // middle slot (phase 2 of what it adopted) changes neither, so the diagram shows
            // such an Accept as changing nothing: a known gap, kept because this digest fixes
            // every recorded trace hash.
            Node::Server(s) => crate::hash::digest(&(
                s.hard.promised,
                s.hard.accepted.len(),
                s.hard.accepted.get(s.hard.accepted.len().wrapping_sub(1)),
                s.hard.chosen.len(),
                s.applied,
                s.role,
                s.hard.ballot,
                s.promised_by,
                s.next_slot,
                &s.in_flight,
                s.leader_hint,
                s.heard,
            )),
            other => crate::hash::digest(other),
        }
    }
    fn has_leader(&self) -> bool {
        true
    }
    fn leader_rank(&self, node: &Node) -> Option<u128> {
        match node {
            // The ballot as one number: its round, then its node.
            Node::Server(s) if s.role == Role::Leader => {
                Some(((s.hard.ballot.round as u128) << 32) | s.hard.ballot.node as u128)
            }
            _ => None,
        }
    }
    fn script(&self) -> Vec<(Time, ScriptAction<ClientOp>)> {
        self.script.clone()
    }
    fn parse_client(&self, text: &str) -> Result<ClientOp, String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        match crate::kv::parse_kv(&words) {
            Some(op) => op.map(ClientOp::Kv),
            None => Err("commands: put KEY VALUE, get KEY, delete KEY, cas KEY OLD|- NEW".into()),
        }
    }
    fn history_line(note: &Note) -> Option<crate::lincheck::HistoryLine> {
        match note {
            Note::Invoke { client, op, .. } => Some(crate::kv::history_line(*client, op, None)),
            Note::Ack { client, op, result, .. } => Some(crate::kv::history_line(*client, op, Some(result))),
            _ => None,
        }
    }
}

// Clients reach the servers with `Msg::Request`/`Reply`, their timers are `ClientNext`/
// `ClientRetry`, and they report `Note::Invoke`/`Ack`/`Refused`: the shared client serves them.
crate::kv::kv_host!(MultiPaxos);
