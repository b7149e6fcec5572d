//! A leader's check of an idempotent producer's record (KIP-98): is it a retry of a record the
//! log holds, the next in its producer's sequence, or out of order?
//!
//! Kafka keeps, per producer id, the last five batches of its latest epoch
//! (`ProducerStateEntry`), and rebuilds that state from the log: after a restart, and after a
//! truncation, which forgets what it cut. Records a replica copied as a follower count as
//! those it appended as leader (they are replayed into the state as they are written). Here
//! the state is read straight from the log, so it cannot drift from it.
//!
//! Also here: what the checker says when a record is committed twice (`no-duplicates`).

use alloc::format;
use alloc::string::String;

use super::config::Kafka;
use super::producer::next_seq;
use super::types::{ProduceError, Rec, Stamp};

/// How many of a producer's latest records a leader remembers (Kafka's
/// `ProducerStateEntry.NUM_BATCHES_TO_RETAIN`; a record here is a batch of one).
pub const RETAINED: usize = 5;

/// Where the record stamped `s` stands against `log[from..]` (all of the log, except in the
/// mutant that forgets what it copied): `Ok(Some(offset))`, a retry of the record at
/// `offset`, answered with it and not appended again (`findDuplicateBatch`, which looks only
/// at the latest epoch's batches); `Ok(None)`, to be appended; or the error Kafka's
/// `checkProducerEpoch` and `checkSequence` give.
pub fn sequence_check(log: &[Rec], from: usize, s: Stamp) -> Result<Option<u64>, ProduceError> {
    let mut latest: Option<Stamp> = None;
    let mut kept = 0;
    let tail = log.get(from..).unwrap_or(&[]);
    for (i, rec) in tail.iter().enumerate().rev() {
        let Some(t) = rec.producer.filter(|t| t.pid == s.pid) else { continue };
        // Batches of an older epoch were dropped when the epoch moved on.
        if latest.is_some_and(|l| l.epoch != t.epoch) {
            break;
        }
        latest.get_or_insert(t);
        if t.epoch == s.epoch && t.seq == s.seq {
            return Ok(Some((from + i) as u64));
        }
        kept += 1;
        if kept == RETAINED {
            break;
        }
    }
    match latest {
        // No state for this producer (never written here, or all of it truncated away): any
        // sequence is taken.
        None => Ok(None),
        Some(l) if s.epoch < l.epoch => Err(ProduceError::InvalidProducerEpoch),
        // A new epoch starts at sequence 0.
        Some(l) if s.epoch > l.epoch => {
            if s.seq == 0 {
                Ok(None)
            } else {
                Err(ProduceError::OutOfOrderSequence)
            }
        }
        Some(l) if s.seq == next_seq(l.seq) => Ok(None),
        Some(_) => Err(ProduceError::OutOfOrderSequence),
    }
}

/// no-duplicates: the record committed at `first` (partition, offset) is committed again at
/// `again`.
pub(super) fn duplicate(
    k: &Kafka,
    first: (usize, u64),
    again: (usize, u64),
    text: &str,
) -> (&'static str, String) {
    let why = if k.idempotent() {
        ""
    } else {
        ": without idempotence (off, or acks below all) a record sent again (a producer's retry, \
         or a copy the network made) is appended again, and Kafka promises no more (an idempotent \
         producer's record sent again is answered with the first offset)"
    };
    let (p, q) = (first.0, again.0);
    let said = if p == q {
        format!("p{p} holds the record \"{text}\" twice, committed at offsets {} and {}", first.1, again.1)
    } else {
        format!(
            "the record \"{text}\" is committed twice, at p{p} offset {} and p{q} offset {}",
            first.1, again.1
        )
    };
    ("no-duplicates", format!("{said}{why}"))
}
