//! A producer: it learns the partitions' leaders from metadata, picks a partition with Kafka's
//! default partitioner (murmur2 of the key, or sticky partitioning without one, KIP-480), sends
//! one request at a time with `acks` 0, 1 or all, and retries after an error or a timeout.
//!
//! An idempotent producer (KIP-98) first asks for a producer id, then stamps each record with
//! that id, its epoch and the next sequence number of the record's partition; a retry carries
//! the same stamp, so a leader that holds the record answers with where it is instead of
//! appending it again. A record refused as out of sequence (records the producer was told were
//! written are gone) is sent again under a new epoch: the producer bumps its epoch and starts
//! every partition's sequence again at 0, as Kafka's producer does since KIP-360 (its
//! `TransactionManager` retries every OUT_OF_ORDER_SEQUENCE_NUMBER of an idempotent producer).
//! A request and its answer are matched by the record's value, which names the producer's
//! life: an answer sent to a life before a restart is ignored, as Kafka's producer ignores
//! what comes on connections it no longer has.

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use super::config::Kafka;
use super::partitioner::StickyPartitioner;
use super::types::{Msg, Note, ProduceError, Rec, Stamp, Text8, Timer, MAX_QUEUE};
use crate::protocol::{Ctx, NodeId, Time};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Producer {
    pub id: NodeId,
    pub next_seq: u64,
    pub partitioner: StickyPartitioner,
    pub leaders: Vec<Option<NodeId>>,
    pub pending: Option<(u32, Rec, u64)>,
    pub acked: u64,
    /// Records the user asked for, not yet sent: (key, text).
    pub queue: Vec<(Option<u32>, Option<Text8>)>,
    /// The last acknowledged record: (partition, offset, text).
    pub last: Option<(u32, u64, Text8)>,
    /// Records that failed (refused for an older producer epoch), never to be retried.
    pub failed: u64,
    /// An idempotent producer's id (none until the controller answers), its epoch, and each
    /// partition's next sequence number under that epoch.
    pub pid: Option<u32>,
    pub epoch: u16,
    pub seqs: Vec<u32>,
    /// Not Kafka's: the lab's count of this producer's lives (restarts), which keeps the
    /// records of different lives apart in their values. Nothing the producer does reads it.
    pub life: u32,
}

/// The largest producer epoch (Kafka's `Short.MAX_VALUE`): past it, a new producer id.
pub const MAX_EPOCH: u16 = i16::MAX as u16;

/// The largest sequence number: the next one after it is 0 (Kafka's `inSequence`).
pub const MAX_SEQ: u32 = i32::MAX as u32;

/// The sequence number after `seq`.
pub fn next_seq(seq: u32) -> u32 {
    if seq >= MAX_SEQ {
        0
    } else {
        seq + 1
    }
}

/// A producer starts, in its `life`-th life: it asks the controller for the partitions'
/// leaders (and, idempotent, for a producer id), and writes its first record after a random
/// delay (if it writes by itself; an idempotent producer, once it has its id).
pub(super) fn producer_init(k: &Kafka, life: u32, ctx: &mut Ctx<Kafka>) -> Producer {
    let me = ctx.me();
    if k.idempotent() {
        ask_for_pid(k, life, ctx);
    } else {
        first_produce(k, ctx);
    }
    ctx.send(k.controller(), Msg::Metadata);
    Producer {
        id: me,
        next_seq: 0,
        partitioner: Default::default(),
        leaders: vec![None; k.partitions as usize],
        pending: None,
        acked: 0,
        queue: Vec::new(),
        last: None,
        failed: 0,
        pid: None,
        epoch: 0,
        seqs: Vec::new(),
        life,
    }
}

/// The first record of a producer that writes by itself comes after a random delay.
fn first_produce(k: &Kafka, ctx: &mut Ctx<Kafka>) {
    if k.produce_every_us > 1_000 {
        let first = ctx.rng().range(1_000, k.produce_every_us);
        ctx.set_timer(Timer::Produce, Time(first));
    }
}

/// Ask the controller for a producer id, again after a while if no answer comes.
fn ask_for_pid(k: &Kafka, life: u32, ctx: &mut Ctx<Kafka>) {
    ctx.send(k.controller(), Msg::InitProducerId { life });
    ctx.set_timer(Timer::ProduceTimeout, Time(k.fetch_us * 2));
}

/// The user asks a producer for a record: it queues it (up to `MAX_QUEUE`) and, if no request
/// is in flight, sends the next one at once.
pub(super) fn producer_request(
    k: &Kafka,
    p: &mut Producer,
    key: Option<u32>,
    text: Option<Text8>,
    ctx: &mut Ctx<Kafka>,
) {
    if p.queue.len() < MAX_QUEUE {
        p.queue.push((key, text));
    }
    if p.pending.is_none() {
        producer_timer(k, p, Timer::Produce, ctx);
    }
}

/// Schedule the producer's next record: at once if the user queued one, else after the
/// configured interval (or not at all when the producer writes only what the user sends).
fn produce_next(k: &Kafka, pr: &Producer, ctx: &mut Ctx<Kafka>) {
    if !pr.queue.is_empty() {
        ctx.set_timer(Timer::Produce, Time(1_000));
    } else if k.produce_every_us > 0 {
        ctx.set_timer(Timer::Produce, Time(k.produce_every_us));
    }
}

fn producer_send(k: &Kafka, pr: &mut Producer, ctx: &mut Ctx<Kafka>) {
    let Some((p, rec, req)) = pr.pending else { return };
    match pr.leaders.get(p as usize).copied().flatten() {
        Some(l) => {
            ctx.send(l, Msg::Produce { partition: p, rec, req });
            if k.acks == 0 {
                pr.pending = None;
                produce_next(k, pr, ctx);
            } else {
                ctx.set_timer(Timer::ProduceTimeout, Time(k.session_us));
            }
        }
        None => {
            ctx.send(k.controller(), Msg::Metadata);
            ctx.set_timer(Timer::ProduceTimeout, Time(k.fetch_us * 2));
        }
    }
}

pub(super) fn producer_timer(k: &Kafka, pr: &mut Producer, timer: Timer, ctx: &mut Ctx<Kafka>) {
    match timer {
        Timer::Produce => {
            if pr.pending.is_none() {
                // An idempotent producer writes nothing before it has its id: the id's
                // arrival starts the writing.
                if k.idempotent() && pr.pid.is_none() {
                    return;
                }
                let (key, text) = if !pr.queue.is_empty() {
                    pr.queue.remove(0)
                } else if k.produce_every_us > 0 {
                    // A quarter of the records have no key: they use sticky partitioning.
                    let key = ctx.rng().below(k.keys as u64) as u32;
                    let keyed = !ctx.rng().chance(0.25);
                    (keyed.then_some(key), None)
                } else {
                    return;
                };
                let key_bytes = key.map(|key| format!("k{key}"));
                let partitions = pr.leaders.len() as u32;
                let p = pr.partitioner.partition(
                    key_bytes.as_ref().map(|b| b.as_bytes()),
                    None,
                    partitions,
                    ctx.rng(),
                );
                pr.next_seq += 1;
                let value = record_value(pr.id, pr.life, pr.next_seq);
                let text = text.unwrap_or_else(|| {
                    Text8::new(&format!("v{}", pr.next_seq % 10_000_000)).unwrap_or_default()
                });
                let producer = pr.pid.map(|pid| stamp(pr, pid, p));
                // The request is numbered by the record's value, unique across lives.
                pr.pending = Some((p, Rec { key, value, text, epoch: 0, producer }, value));
            }
            producer_send(k, pr, ctx);
        }
        Timer::ProduceTimeout if k.idempotent() && pr.pid.is_none() => ask_for_pid(k, pr.life, ctx),
        Timer::ProduceTimeout => {
            ctx.send(k.controller(), Msg::Metadata);
            producer_send(k, pr, ctx);
        }
        _ => {}
    }
}

pub(super) fn producer_message(k: &Kafka, pr: &mut Producer, msg: Msg, ctx: &mut Ctx<Kafka>) {
    match msg {
        // Metadata never shrinks the topic (a stale answer may list fewer partitions).
        Msg::MetadataResponse { leaders } if leaders.len() >= pr.leaders.len() => pr.leaders = leaders,
        // The first answer counts; a copy, or the answer to a repeated ask, is ignored.
        Msg::InitProducerIdResponse { pid, life }
            if k.idempotent() && pr.pid.is_none() && life == pr.life =>
        {
            pr.pid = Some(pid);
            ctx.cancel_timer(Timer::ProduceTimeout);
            if pr.queue.is_empty() {
                first_produce(k, ctx);
            } else {
                produce_next(k, pr, ctx);
            }
        }
        Msg::ProduceResponse { req, result } => {
            let Some((p, rec, pending_req)) = pr.pending else { return };
            if req != pending_req {
                return;
            }
            match result {
                Ok(offset) => {
                    ctx.note(Note::Acked { partition: p, offset, rec_value: rec.value, acks: k.acks });
                    pr.pending = None;
                    pr.acked += 1;
                    pr.last = Some((p, offset, rec.text));
                    pr.partitioner.batch_sent(pr.leaders.len() as u32, ctx.rng());
                    ctx.cancel_timer(Timer::ProduceTimeout);
                    produce_next(k, pr, ctx);
                }
                // Records the producer was told were written are gone from the partition: it
                // starts a new epoch, every partition's sequence again at 0, and sends this
                // record again under it (KIP-360). A record refused for an older epoch fails
                // (INVALID_PRODUCER_EPOCH is not retriable), and the epoch moves on too.
                Err(e @ (ProduceError::OutOfOrderSequence | ProduceError::InvalidProducerEpoch)) => {
                    ctx.cancel_timer(Timer::ProduceTimeout);
                    pr.seqs.iter_mut().for_each(|s| *s = 0);
                    let Some(epoch) = pr.epoch.checked_add(1).filter(|e| *e <= MAX_EPOCH) else {
                        // Past the last epoch: a new producer id, and the record waits for it.
                        (pr.pid, pr.epoch) = (None, 0);
                        pr.pending = None;
                        pr.queue.insert(0, (rec.key, Some(rec.text)));
                        ask_for_pid(k, pr.life, ctx);
                        return;
                    };
                    pr.epoch = epoch;
                    if e == ProduceError::InvalidProducerEpoch {
                        pr.pending = None;
                        pr.failed += 1;
                        produce_next(k, pr, ctx);
                        return;
                    }
                    let producer = rec.producer.map(|s| stamp(pr, s.pid, p));
                    pr.pending = Some((p, Rec { producer, ..rec }, pending_req));
                    producer_send(k, pr, ctx);
                }
                Err(_) => {
                    ctx.send(k.controller(), Msg::Metadata);
                    ctx.set_timer(Timer::ProduceTimeout, Time(k.fetch_us * 2));
                }
            }
        }
        _ => {}
    }
}

/// The stamp of the next record of partition `p`: the producer's id and epoch, and that
/// partition's next sequence number, which it moves on.
fn stamp(pr: &mut Producer, pid: u32, p: u32) -> Stamp {
    if pr.seqs.len() <= p as usize {
        pr.seqs.resize(p as usize + 1, 0);
    }
    let seq = pr.seqs[p as usize];
    pr.seqs[p as usize] = next_seq(seq);
    Stamp { pid, epoch: pr.epoch, seq }
}

/// A record's value: unique across the run (the producer, the life it is in, and its count of
/// records in that life), so that the checker tells a copy from a record written again.
pub fn record_value(producer: NodeId, life: u32, count: u64) -> u64 {
    ((producer.0 as u64) << 56) | (((life as u64) & 0xFF_FFFF) << 32) | (count & 0xFFFF_FFFF)
}
