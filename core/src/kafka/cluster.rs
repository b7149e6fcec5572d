//! Kafka's data path as a sans-IO protocol: brokers holding partition replicas, a controller
//! that elects leaders from the in-sync replicas (ISR), followers fetching from leaders, and
//! producers with `acks` 0, 1 or all.
//!
//! Each partition has a leader and followers. Followers fetch from the leader; a follower that
//! is behind the log's end and has not caught up for `replica_lag_us` leaves the ISR (as in
//! Kafka's `Replica.isCaughtUp`, a fetch that reaches where the log ended at the follower's
//! previous fetch counts as caught up as of that fetch), and rejoins once it holds everything
//! below the high watermark and the start of the leader's epoch (`isFollowerInSync`). The
//! **high watermark** (HW) is the smallest log end offset (LEO) across the ISR: records below
//! it are on every in-sync replica, and only they are "committed". It does not move while the
//! ISR is smaller than `min.insync.replicas` (as since Kafka 3.7, KAFKA-15583; the rules here
//! follow Kafka's trunk of late 2024). A producer with `acks=all` is answered once the HW passes
//! its record, and is refused outright while the ISR is smaller than `min.insync.replicas`. When a broker dies, the controller elects a new leader from the
//! ISR (a *clean* election); with `unclean.leader.election` it may pick an out-of-sync replica,
//! which can throw away acknowledged records. A follower that rejoins truncates its log to the
//! point where it agrees with the new leader: each fetch names the epoch of the follower's last
//! record, and the leader answers with where its largest epoch up to that one ends (leader
//! epochs, KIP-101, with KIP-279's fix for logs that differ in epochs the leader never had).
//!
//! The checker holds Kafka's promise: with `acks=all` and clean elections an acknowledged record
//! is never lost (`acked-not-lost`) and was on `min.insync.replicas` replicas when acknowledged
//! (`acked-min-insync`), the HW never passes a record an in-sync replica lacks (`hw-in-isr`),
//! and replicas never disagree below the HW. Kafka asks for
//! `min.insync.replicas ≥ 2` as well, because a broker may lose its disk, or the page cache
//! Kafka did not flush; here a crashed broker keeps its whole log, so the promise holds at 1 too.
//! With `acks=1` the leader answers alone, and a leader failure loses records: Kafka does not
//! promise otherwise, and `acks1-not-lost` is checked apart to show it. `acks=0` is never
//! answered. An idempotent producer's record is committed at most once, however often it was
//! sent (`no-duplicates`); without idempotence a retry may be written twice, which is checked
//! apart too.
//!
//! The rules, where they live (the broker's in `broker.rs`, the controller's in `controller.rs`),
//! and what breaks without each:
//! - HW = the smallest LEO over the *maximal* ISR, counting a member the leader has asked to add
//!   until a newer epoch answers (KIP-497), and over the followers outside it caught up within
//!   the lag (KAFKA-4485), and still while the ISR is below `min.insync.replicas`: `isr_hw`,
//!   `advance_hw`, the `LeaderAndIsr` handler; mutant `hw-before-isr` (caught by `hw-in-isr`),
//!   tests `a_repeated_leader_and_isr_keeps_the_pending_isr_expansion`,
//!   `a_caught_up_follower_outside_the_isr_holds_the_high_watermark` and
//!   `a_produce_is_refused_below_min_insync_replicas_or_away_from_the_leader`.
//! - acks=all is answered once the HW passes the record, refused below `min.insync.replicas`:
//!   `advance_hw`, the `Produce` handler; mutant `ack-before-replication`, tests
//!   `acks_all_is_answered_only_once_the_high_watermark_passes_the_record` and
//!   `a_produce_is_refused_below_min_insync_replicas_or_away_from_the_leader`.
//! - Clean elections, from the live ISR only: `elect`; mutant `unclean-election`, tests
//!   `a_failed_leader_is_replaced_from_the_live_isr_with_a_new_epoch` and
//!   `without_a_live_isr_member_only_an_unclean_election_picks_a_leader`.
//! - An idempotent producer's record is appended once (KIP-98): a leader derives each producer
//!   id's last five sequence numbers of its latest epoch from its own log, as Kafka rebuilds
//!   its producer state from the log (records it copied as a follower count, and a truncation
//!   forgets what it cut), answers a retry it holds with the record's offset, and refuses one
//!   out of sequence: `sequence_check` in `idempotence.rs`; mutant `sequences-not-replicated`
//!   (a leader counts only its appends of its current leadership), caught by `no-duplicates`;
//!   tests `a_leaders_sequence_check_follows_kafkas_producer_state`,
//!   `a_retry_the_leader_holds_is_answered_with_its_offset`,
//!   `a_new_leader_knows_the_sequences_it_copied`, and the lesson's run
//!   `the_retry_after_a_lost_answer_and_a_failover_is_written_once`. A record refused as out
//!   of sequence is sent again under a new epoch from sequence 0 (KIP-360), and an answer is
//!   taken only by the producer's life it was sent to: tests
//!   `an_out_of_sequence_record_is_sent_again_under_a_new_epoch` and
//!   `a_restarted_producer_takes_no_answer_meant_for_its_previous_life`. With idempotence off
//!   (or acks below all), a retry may be appended twice: `no-duplicates` is then not a
//!   promise.
//! - Consumers read below the HW: the `ConsumerFetch` handler; mutant `consume-uncommitted`,
//!   caught by `consumed-committed` at its first read above the HW, every time in the
//!   `high-watermark` preset.
//! - A member commits the position it has read to (`group.rs`, `commit`): the group's
//!   committed offset never passes a record no member was delivered (at-least-once); mutant
//!   `commit-ahead`, caught by `commit-after-read` at its first commit.
//! - The coordinator takes a commit only from a member of the current generation, in the life
//!   it counts, while the group is not syncing (`coordinator.rs`); mutant `zombie-commit`,
//!   caught by `commit-fenced` (`fence.rs`, judged from the commit the network delivered and the
//!   offsets before and after), test `a_commit_from_outside_the_current_generation_is_caught`.
//! - A cooperative member that gave partitions up rejoins at once (KIP-429's follow-up
//!   rebalance, `group.rs`); mutant `no-follow-up`, caught by `group-settles` (`settle.rs`: the
//!   group settles within 10 group sessions of whatever last stirred it), test
//!   `a_cooperative_join_without_its_follow_up_never_settles`, and by the swarm.
//! - Who rebalances the group, and when, as Kafka's coordinator and members decide it
//!   (`coordinator.rs`, `group.rs`; an outside review measured each against Kafka's): a
//!   restarted consumer is a new member; a rebalance waits for the members the coordinator
//!   hears from up to the rebalance timeout and drops one whose session runs out; a follower's
//!   unchanged JoinGroup is answered with the current generation; the leader member, not the
//!   controller, asks for a rebalance when the topic gains partitions; a paused consumer acts on
//!   nothing. Tests in `rebalance_tests.rs`, and
//!   `a_member_paused_for_less_than_its_session_is_waited_for` end to end.
//! - The coordinator takes a member's JoinGroups once each, in the order sent (Kafka's
//!   connection): a duplicated one, arriving after its member was assigned more, would count it
//!   as owning less than it does; test `a_copy_of_a_join_is_taken_once`, and `one-owner` holds
//!   apart every two consumers the coordinator counts as members, whatever their generations.
//! - A fetch names the epoch of the follower's last record; the leader answers with a
//!   DivergingEpoch when that log is not a prefix of its own (KIP-101, KIP-279, KIP-320):
//!   `diverging`, `truncation_point`; tests
//!   `a_fetch_from_a_diverging_log_is_answered_with_the_leaders_epoch_end`,
//!   `a_follower_truncates_to_where_it_agrees_with_the_leader`.
//! - A follower applies only the answer to its current fetch (offset and last epoch): the
//!   `FetchResponse` handler; tests `a_late_truncation_answer_is_ignored*`,
//!   `a_fetch_response_with_records_is_applied_once_and_only_in_its_epoch`.
//! - Two epochs per partition, as Kafka's `PartitionRegistration` has them: the leader epoch
//!   grows only with a new leader (it stamps records and fences fetches; an ISR shrink no
//!   longer bumps it since Kafka 3.6), the partition epoch with every change of the state. ISR
//!   changes go through the controller and are fenced by both: `AlterIsr`; tests
//!   `alter_partition_is_fenced_by_the_partition_epoch`,
//!   `an_isr_change_moves_the_partition_epoch_and_leaves_the_leader_epoch`.
//! - A refused ISR change is answered with Kafka's AlterPartition error; refused as ineligible
//!   (a member the controller counts dead), the leader drops it from its maximal ISR; refused
//!   as stale, it waits for the newer state without asking again: the `AlterIsrResponse`
//!   handler; tests `the_controller_refuses_an_isr_with_a_member_it_could_not_elect`,
//!   `a_refused_isr_change_is_dropped_if_ineligible_and_awaits_the_state_if_stale`.
//! - A restarted broker heartbeats in a new incarnation, and the controller handles the bounce
//!   as a failure and a start: test `a_broker_in_a_new_incarnation_is_handled_as_a_bounce`; a
//!   late heartbeat of an older incarnation is ignored (test
//!   `a_late_heartbeat_of_an_old_incarnation_does_not_revive_a_broker`).
//! - `LeaderAndIsr` names the incarnation it is for (KIP-380's broker epoch), and a restarted
//!   broker ignores one sent to its previous life, which knew the ISR change it had asked for:
//!   test `a_leader_and_isr_sent_before_a_restart_is_not_acted_on_after_it`.
//! - A broker answers each `LeaderAndIsr` (LeaderAndIsrResponse), and the controller sends the
//!   partition's state again, at each liveness check, to a live replica that has not answered
//!   for its current epoch (Kafka's controller channel retries a request until the broker takes
//!   it): test `an_unanswered_leader_and_isr_is_sent_again_at_the_next_liveness_check`, and in a
//!   run `a_lost_leader_and_isr_is_sent_again_and_the_new_leader_leads`. Property
//!   `replicas-informed`: without the retry, one lost message left a partition's new leader not
//!   knowing it led, for ever.
//!
//! Where this model is simpler than Kafka:
//! the controller is one node, which loses nothing when it crashes (no ZooKeeper or KRaft
//! quorum, no controller epoch; a restart starts every session afresh, as a new active
//! controller does); a crash keeps the whole log and the
//! latest HW (no unflushed page cache, no HW checkpoint interval); brokers do not follow the
//! brokers' registrations, so a leader learns that a follower is ineligible only from a
//! refusal, and then waits half a lag time before asking to add it again (Kafka's leader asks
//! for no broker its metadata shows fenced); an `AlterIsr` is numbered, and the controller
//! answers a copy of one it has taken as it answered the first (Kafka's ordered connection with
//! one request in flight gives that; a network here duplicates and reorders); producers have
//! one request in flight, a record is a batch of one, and producer ids come from the controller
//! (Kafka's brokers hand out blocks of them it allocates); there are no transactions, no
//! delivery timeout (a producer retries a record until it is written), no UNKNOWN_PRODUCER_ID,
//! and producer state never expires; `idempotence` left on (a document's or the page's
//! default) with acks below all is turned off, as Kafka's producer does with its default (the
//! CLI refuses `--idempotence on` with them, as Kafka refuses an explicit setting); a broker
//! that does not lead ignores a fetch instead of answering
//! NOT_LEADER_OR_FOLLOWER; logs are never deleted or compacted.
//!
//! This file holds the `Protocol` impl, which hands each event to the node's own handlers, and
//! re-exports the cluster's parts under `kafka::cluster`: `types.rs` (records, messages, timers,
//! requests, notes), `config.rs` (the `Kafka` configuration and the mutants), `broker.rs`,
//! `controller.rs`, `producer.rs`, the consumer group's members in `group.rs` and its
//! coordinator in `coordinator.rs`, `node.rs` (the node enum and what survives a crash),
//! `check.rs` (the checker), `view.rs` (the `Present` impl) and `board.rs` (what the page
//! shows).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::broker::{broker_durable, broker_init, broker_message, broker_restart, broker_timer};
use super::check;
use super::controller::{
    add_partition, controller_init, controller_message, controller_restart, controller_timer,
};
use super::group;
use super::producer::{producer_init, producer_message, producer_request, producer_timer};
use crate::protocol::{Ctx, MutantInfo, NodeId, Present, PropertyInfo, Protocol, ScriptAction, Time, World};
use crate::rng::Rng;

pub use super::broker::{Broker, BrokerDurable, Follower, PendingIsr, Replica, ReplicaHard};
pub use super::check::{Monitor, INFORM_SESSIONS};
pub use super::config::{Kafka, Mutant, ACKS_ALL};
pub use super::controller::{AlterSeen, Controller, PartitionState};
pub use super::node::{Durable, Node};
pub use super::producer::Producer;
pub use super::types::*;
pub use super::view::acks_name;

impl crate::protocol::Effects for Kafka {
    type Msg = Msg;
    type Timer = Timer;
    type Note = Note;
}

impl Protocol for Kafka {
    type ClientOp = ClientOp;
    type Node = Node;
    type Durable = Durable;
    type Monitor = Monitor;

    fn nodes(&self) -> usize {
        self.brokers + 1 + self.producers + self.consumers
    }
    fn fault_targets(&self) -> usize {
        self.brokers
    }
    fn init(&self, ctx: &mut Ctx<Self>) -> Node {
        let me = ctx.me();
        if me.index() < self.brokers {
            Node::Broker(broker_init(self, ctx))
        } else if me == self.controller() {
            Node::Controller(controller_init(self, ctx))
        } else if me.index() > self.brokers + self.producers {
            Node::Consumer(group::consumer_init(self, 0, ctx))
        } else {
            Node::Producer(producer_init(self, 0, ctx))
        }
    }
    fn on_message(&self, node: &mut Node, from: NodeId, msg: Msg, ctx: &mut Ctx<Self>) {
        match node {
            Node::Broker(b) => broker_message(self, b, from, msg, ctx),
            Node::Controller(c) => controller_message(self, c, from, msg, ctx),
            Node::Producer(p) => producer_message(self, p, msg, ctx),
            Node::Consumer(c) => group::consumer_message(self, c, from, msg, ctx),
        }
    }
    fn on_timer(&self, node: &mut Node, timer: Timer, ctx: &mut Ctx<Self>) {
        match node {
            Node::Broker(b) => broker_timer(self, b, timer, ctx),
            Node::Controller(c) => controller_timer(self, c, timer, ctx),
            Node::Consumer(c) => group::consumer_timer(self, c, timer, ctx),
            Node::Producer(p) => producer_timer(self, p, timer, ctx),
        }
    }
    fn on_client(&self, node: &mut Node, op: ClientOp, ctx: &mut Ctx<Self>) {
        match (node, op) {
            (Node::Producer(p), ClientOp::Produce { key, text }) => producer_request(self, p, key, text, ctx),
            (Node::Controller(c), ClientOp::AddPartition) => add_partition(self, c, ctx),
            (Node::Consumer(c), op) => group::consumer_request(self, c, op, ctx),
            _ => {}
        }
    }
    fn durable(node: &Node) -> Durable {
        match node {
            Node::Broker(b) => Durable::Broker(broker_durable(b)),
            Node::Controller(c) => Durable::Controller(c.clone()),
            Node::Producer(p) => Durable::Producer { life: p.life },
            Node::Consumer(c) => Durable::Consumer { member: c.member },
        }
    }
    fn on_restart(&self, durable: Durable, ctx: &mut Ctx<Self>) -> Node {
        match durable {
            Durable::Broker(b) => Node::Broker(broker_restart(self, b, ctx)),
            Durable::Controller(c) => Node::Controller(controller_restart(self, c, ctx)),
            Durable::Producer { life } => Node::Producer(producer_init(self, life.wrapping_add(1), ctx)),
            Durable::Consumer { member } => {
                Node::Consumer(group::consumer_init(self, member.wrapping_add(1), ctx))
            }
        }
    }
    fn workload(&self, _rng: &mut Rng) -> Vec<(Time, NodeId, ClientOp)> {
        Vec::new()
    }
    fn check(
        &self,
        m: &mut Monitor,
        nodes: &[Node],
        touched: Option<NodeId>,
        client: Option<&ClientOp>,
        notes: &[Note],
    ) -> Result<(), (&'static str, String)> {
        m.settle.asked(client);
        check::check(self, m, nodes, touched, notes)
    }
    fn check_world(
        &self,
        m: &mut Monitor,
        nodes: &[Node],
        touched: Option<NodeId>,
        _notes: &[Note],
        world: &World<'_, Msg>,
    ) -> Result<(), (&'static str, String)> {
        check::check_world(self, m, nodes, touched, world)?;
        super::settle::group_settles(self, &mut m.settle, nodes, touched, world)
    }
    fn delivered(&self, m: &mut Monitor, nodes: &[Node], d: &crate::protocol::Delivered<'_, Msg>) {
        m.fence.delivered(self, nodes, d);
    }
    fn properties(&self) -> &'static [PropertyInfo] {
        check::PROPERTIES
    }
    fn not_promised(&self) -> &'static [&'static str] {
        if self.idempotent() {
            &["acks1-not-lost"]
        } else {
            &["acks1-not-lost", "no-duplicates"]
        }
    }
    fn mutants() -> &'static [MutantInfo] {
        super::config::MUTANTS
    }
    fn state_digest(&self, node: &Node) -> u64 {
        match node {
            // Logs are summarised by their ends: brokers only append to and truncate them. The
            // summaries are fed to the hasher as a `Vec` of them would be (its length, then each
            // one), without building the `Vec`.
            Node::Broker(b) => {
                use core::hash::{Hash, Hasher};
                let mut h = crate::hash::StableHasher::default();
                b.replicas.len().hash(&mut h);
                for r in &b.replicas {
                    r.as_ref()
                        .map(|r| {
                            (
                                r.hard.log.len(),
                                r.hard.log.last(),
                                r.hard.hw,
                                r.leader,
                                r.hard.epoch,
                                r.partition_epoch,
                                &r.isr,
                                &r.follower_leo,
                                r.waiting.len(),
                                &r.pending_isr,
                                r.alter_req,
                            )
                        })
                        .hash(&mut h);
                }
                h.finish()
            }
            other => crate::hash::digest(other),
        }
    }
    fn parse_client(&self, text: &str) -> Result<ClientOp, String> {
        parse_request(text)
    }
    fn check_client(&self, node: NodeId, op: &ClientOp) -> Result<(), String> {
        let i = node.index();
        let (ok, who) = match op {
            ClientOp::Produce { .. } => {
                (i > self.brokers && i <= self.brokers + self.producers, "a producer")
            }
            ClientOp::AddPartition => (node == self.controller(), "the controller"),
            _ => (i > self.brokers + self.producers && i < self.nodes(), "a consumer"),
        };
        if ok {
            Ok(())
        } else {
            Err(format!(
                "{} is not {who}: send \"{}\" to {who}",
                self.node_name(node),
                Self::client_summary(op)
            ))
        }
    }
    fn script(&self) -> Vec<(Time, ScriptAction<ClientOp>)> {
        self.script.clone()
    }
}
