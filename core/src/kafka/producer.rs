//! A producer: it learns the partitions' leaders from metadata, picks a partition with Kafka's
//! default partitioner (murmur2 of the key, or sticky partitioning without one, KIP-480), sends
//! one request at a time with `acks` 0, 1 or all, and retries after an error or a timeout.

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use super::config::Kafka;
use super::partitioner::StickyPartitioner;
use super::types::{Msg, Note, Rec, Text8, Timer, MAX_QUEUE};
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
}

/// A producer starts: it asks the controller for the partitions' leaders, and writes its first
/// record after a random delay (if it writes by itself).
pub(super) fn producer_init(k: &Kafka, ctx: &mut Ctx<Kafka>) -> Producer {
    let me = ctx.me();
    if k.produce_every_us > 1_000 {
        let first = ctx.rng().range(1_000, k.produce_every_us);
        ctx.set_timer(Timer::Produce, Time(first));
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
    }
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
                let value = ((pr.id.0 as u64) << 32) | pr.next_seq;
                let text = text.unwrap_or_else(|| {
                    Text8::new(&format!("v{}", pr.next_seq % 10_000_000)).unwrap_or_default()
                });
                pr.pending = Some((p, Rec { key, value, text, epoch: 0 }, pr.next_seq));
            }
            producer_send(k, pr, ctx);
        }
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
                Err(_) => {
                    ctx.send(k.controller(), Msg::Metadata);
                    ctx.set_timer(Timer::ProduceTimeout, Time(k.fetch_us * 2));
                }
            }
        }
        _ => {}
    }
}
