//! The simulator's queue of pending items, ordered by (time, sequence number).
//!
//! Sequence numbers are unique, so the order in which items leave is fully determined by their
//! keys: any priority queue gives the same run. This one keeps the items out of the heap. The
//! heap holds small keys (time, sequence number, slot) and the items, which carry whole
//! messages, sit still in a slab of slots that are reused. Sifting a key moves 24 bytes rather
//! than a message; a queue of `Pending` items in a plain binary heap spent a tenth of a Raft
//! run moving them about.

use alloc::collections::BinaryHeap;
use alloc::vec::Vec;
use core::cmp::Ordering;

use crate::protocol::Time;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key {
    at: Time,
    seq: u64,
    slot: u32,
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    // Reversed, so that the max-heap pops the earliest (time, seq) first. Sequence numbers are
    // unique, so the slot never decides.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// Items by (time, sequence number), earliest first.
#[derive(Clone, Debug)]
pub struct EventQueue<T> {
    heap: BinaryHeap<Key>,
    /// Each queued item with its time; `None` is a free slot.
    slots: Vec<Option<(Time, T)>>,
    free: Vec<u32>,
}

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        EventQueue { heap: BinaryHeap::new(), slots: Vec::new(), free: Vec::new() }
    }
}

impl<T> EventQueue<T> {
    /// Queue `item` at time `at` with sequence number `seq` (unique, as the caller numbers them).
    pub fn push(&mut self, at: Time, seq: u64, item: T) {
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = Some((at, item));
                s
            }
            None => {
                self.slots.push(Some((at, item)));
                (self.slots.len() - 1) as u32
            }
        };
        self.heap.push(Key { at, seq, slot });
    }

    /// Take the earliest item off the queue.
    pub fn pop(&mut self) -> Option<(Time, T)> {
        let key = self.heap.pop()?;
        self.free.push(key.slot);
        self.slots[key.slot as usize].take()
    }

    /// The earliest item, without taking it.
    pub fn peek(&self) -> Option<(Time, &T)> {
        let key = self.heap.peek()?;
        self.slots[key.slot as usize].as_ref().map(|(at, item)| (*at, item))
    }

    /// Every queued item with its time, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (Time, &T)> {
        self.slots.iter().filter_map(|s| s.as_ref().map(|(at, item)| (*at, item)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn items_leave_by_time_then_sequence_and_slots_are_reused() {
        let mut q = EventQueue::default();
        q.push(Time(5), 0, 'a');
        q.push(Time(3), 1, 'b');
        q.push(Time(5), 2, 'c');
        assert_eq!(q.peek(), Some((Time(3), &'b')));
        assert_eq!(q.pop(), Some((Time(3), 'b')));
        q.push(Time(4), 3, 'd');
        q.push(Time(5), 4, 'e');
        assert_eq!(q.slots.len(), 4, "the freed slot was reused");
        let mut out = vec![];
        while let Some((at, c)) = q.pop() {
            out.push((at.0, c));
        }
        assert_eq!(out, vec![(4, 'd'), (5, 'a'), (5, 'c'), (5, 'e')]);
        assert_eq!(q.iter().count(), 0);
    }
}
