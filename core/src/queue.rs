//! The simulator's queue of pending items, ordered by (time, sequence number).
//!
//! Sequence numbers are unique, so the order in which items leave is fully determined by their
//! keys: any priority queue gives the same run. This one is a binary heap of small keys (time,
//! sequence number, slot) over a slab of items that stay where they are put, and it knows where
//! each key sits in the heap, so an item can be taken out before its time. Both matter to
//! speed: sifting a key moves 24 bytes rather than a whole message, and a timer that is re-armed
//! or cancelled (a Raft follower re-arms its election timer on every AppendEntries) leaves the
//! queue at once instead of lingering, stale, until its time comes.

use alloc::vec::Vec;

use crate::protocol::Time;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key {
    at: Time,
    seq: u64,
    slot: u32,
}

impl Key {
    /// (time, sequence number) as one number, so that ordering two keys is one comparison.
    fn rank(&self) -> u128 {
        ((self.at.0 as u128) << 64) | self.seq as u128
    }
    fn before(&self, other: &Key) -> bool {
        self.rank() < other.rank()
    }
}

/// Where an item is in the queue: its slot (and its sequence number, which says whether the
/// slot still holds that item).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket {
    slot: u32,
    seq: u64,
}

/// Items by (time, sequence number), earliest first.
#[derive(Clone, Debug)]
pub struct EventQueue<T> {
    /// A binary min-heap of keys.
    heap: Vec<Key>,
    /// Each queued item with its time; `None` is a free slot.
    slots: Vec<Option<(Time, T)>>,
    /// Per slot: the position of its key in `heap`.
    pos: Vec<u32>,
    free: Vec<u32>,
}

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        EventQueue { heap: Vec::new(), slots: Vec::new(), pos: Vec::new(), free: Vec::new() }
    }
}

impl<T> EventQueue<T> {
    /// Queue `item` at time `at` with sequence number `seq` (unique, as the caller numbers them).
    pub fn push(&mut self, at: Time, seq: u64, item: T) -> Ticket {
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = Some((at, item));
                s
            }
            None => {
                self.slots.push(Some((at, item)));
                self.pos.push(0);
                (self.slots.len() - 1) as u32
            }
        };
        self.heap.push(Key { at, seq, slot });
        self.sift_up(self.heap.len() - 1);
        Ticket { slot, seq }
    }

    /// Take the earliest item off the queue.
    pub fn pop(&mut self) -> Option<(Time, T)> {
        let top = *self.heap.first()?;
        self.take_at(0);
        self.free.push(top.slot);
        self.slots[top.slot as usize].take()
    }

    /// Take out the item `ticket` names, if it is still queued.
    pub fn remove(&mut self, ticket: Ticket) -> Option<T> {
        let i = *self.pos.get(ticket.slot as usize)? as usize;
        let key = self.heap.get(i)?;
        if key.slot != ticket.slot || key.seq != ticket.seq {
            return None;
        }
        self.take_at(i);
        self.free.push(ticket.slot);
        self.slots[ticket.slot as usize].take().map(|(_, item)| item)
    }

    /// Whether the item `ticket` names is still queued.
    pub fn contains(&self, ticket: Ticket) -> bool {
        let Some(i) = self.pos.get(ticket.slot as usize).map(|p| *p as usize) else { return false };
        self.heap.get(i).is_some_and(|key| key.slot == ticket.slot && key.seq == ticket.seq)
    }

    /// Move the item `ticket` names to time `at` with sequence number `seq`, as `item` (a timer
    /// armed again): the same as taking it out and queueing `item`, in one step. Gives `item`
    /// back if the ticket's item is no longer queued.
    pub fn reschedule(&mut self, ticket: Ticket, at: Time, seq: u64, item: T) -> Result<Ticket, T> {
        let Some(i) = self.pos.get(ticket.slot as usize).map(|p| *p as usize) else { return Err(item) };
        match self.heap.get(i) {
            Some(key) if key.slot == ticket.slot && key.seq == ticket.seq => {}
            _ => return Err(item),
        }
        let old = self.heap[i];
        let key = Key { at, seq, slot: ticket.slot };
        self.slots[ticket.slot as usize] = Some((at, item));
        self.place(i, key);
        if key.before(&old) {
            self.sift_up(i);
        } else {
            self.sift_down(i);
        }
        Ok(Ticket { slot: ticket.slot, seq })
    }

    /// The earliest item, without taking it.
    pub fn peek(&self) -> Option<(Time, &T)> {
        let key = self.heap.first()?;
        self.slots[key.slot as usize].as_ref().map(|(at, item)| (*at, item))
    }

    /// Every queued item with its time, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (Time, &T)> {
        self.slots.iter().filter_map(|s| s.as_ref().map(|(at, item)| (*at, item)))
    }

    /// Take out the first item, in heap order, that `pred` accepts (the explorer's choice of
    /// an event out of time order: a scan, for queues of tens of items).
    pub fn remove_where(&mut self, pred: impl Fn(&T) -> bool) -> Option<(Time, T)> {
        let i = self
            .heap
            .iter()
            .position(|key| self.slots[key.slot as usize].as_ref().is_some_and(|(_, item)| pred(item)))?;
        let slot = self.heap[i].slot;
        self.take_at(i);
        self.free.push(slot);
        self.slots[slot as usize].take()
    }

    /// Number of items queued.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Remove the key at heap position `i`, filling the hole with the last key.
    fn take_at(&mut self, i: usize) {
        let Some(last) = self.heap.pop() else { return };
        if i < self.heap.len() {
            self.heap[i] = last;
            self.pos[last.slot as usize] = i as u32;
            if self.sift_down(i) == i {
                self.sift_up(i);
            }
        }
    }

    fn place(&mut self, i: usize, key: Key) {
        self.heap[i] = key;
        self.pos[key.slot as usize] = i as u32;
    }

    fn sift_up(&mut self, mut i: usize) -> usize {
        let key = self.heap[i];
        while i > 0 {
            let parent = (i - 1) / 2;
            if !key.before(&self.heap[parent]) {
                break;
            }
            self.place(i, self.heap[parent]);
            i = parent;
        }
        self.place(i, key);
        i
    }

    fn sift_down(&mut self, mut i: usize) -> usize {
        let key = self.heap[i];
        let n = self.heap.len();
        loop {
            let left = 2 * i + 1;
            if left >= n {
                break;
            }
            let right = left + 1;
            let child = if right < n && self.heap[right].before(&self.heap[left]) { right } else { left };
            if !self.heap[child].before(&key) {
                break;
            }
            self.place(i, self.heap[child]);
            i = child;
        }
        self.place(i, key);
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
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

    #[test]
    fn an_item_taken_out_of_order_leaves_the_rest_in_order() {
        let mut q = EventQueue::default();
        for (i, c) in ['a', 'b', 'c', 'd'].into_iter().enumerate() {
            q.push(Time(i as u64), i as u64, c);
        }
        assert_eq!(q.remove_where(|c| *c == 'c'), Some((Time(2), 'c')));
        assert_eq!(q.remove_where(|c| *c == 'c'), None, "taken once");
        let mut out = vec![];
        while let Some((_, c)) = q.pop() {
            out.push(c);
        }
        assert_eq!(out, vec!['a', 'b', 'd']);
    }

    #[test]
    fn a_removed_item_never_leaves_and_a_stale_ticket_removes_nothing() {
        let mut q = EventQueue::default();
        let a = q.push(Time(1), 0, 'a');
        let b = q.push(Time(2), 1, 'b');
        assert_eq!(q.remove(a), Some('a'));
        assert_eq!(q.remove(a), None, "already gone");
        let c = q.push(Time(3), 2, 'c');
        assert_eq!(c.slot, a.slot, "the slot is reused");
        assert_eq!(q.remove(a), None, "a ticket for the slot's earlier item");
        assert_eq!((q.pop(), q.pop(), q.pop()), (Some((Time(2), 'b')), Some((Time(3), 'c')), None));
        assert_eq!(q.remove(b), None);
    }

    /// Against a plain sorted list: random pushes, pops and removals leave in the same order.
    #[test]
    fn it_agrees_with_a_sorted_list() {
        let mut rng = Rng::new(7);
        let mut q = EventQueue::default();
        let mut model: Vec<(u64, u64)> = Vec::new();
        let mut tickets: Vec<(Ticket, (u64, u64))> = Vec::new();
        for seq in 0..5_000u64 {
            match rng.below(4) {
                0 | 1 => {
                    let at = rng.below(50);
                    tickets.push((q.push(Time(at), seq, (at, seq)), (at, seq)));
                    model.push((at, seq));
                }
                2 => {
                    let low = model.iter().copied().min();
                    model.retain(|x| Some(*x) != low);
                    assert_eq!(q.pop().map(|(_, x)| x), low);
                }
                3 if !tickets.is_empty() && rng.chance(0.5) => {
                    let k = rng.below(tickets.len() as u64) as usize;
                    let (t, x) = tickets[k];
                    let at = rng.below(50);
                    let queued = model.contains(&x);
                    let moved = q.reschedule(t, Time(at), seq, (at, seq));
                    assert_eq!(moved.is_ok(), queued);
                    if let Ok(t) = moved {
                        model.retain(|y| *y != x);
                        model.push((at, seq));
                        tickets[k] = (t, (at, seq));
                    }
                }
                _ if !tickets.is_empty() => {
                    let (t, x) = tickets.swap_remove(rng.below(tickets.len() as u64) as usize);
                    let queued = model.contains(&x);
                    model.retain(|y| *y != x);
                    assert_eq!(q.remove(t), queued.then_some(x));
                }
                _ => {}
            }
            assert_eq!(q.len(), model.len());
        }
    }
}
