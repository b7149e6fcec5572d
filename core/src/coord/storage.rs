//! The storage node the lock's holders write to. It keeps the largest token it has accepted
//! and refuses older ones, so a holder whose session expired during a pause (a long GC) cannot
//! write over its successor's work.

use alloc::vec::Vec;

use crate::protocol::{Ctx, NodeId};

use super::types::*;

type Cx<'a, 'b> = &'a mut Ctx<'b, Coordination>;

/// How many of its last writes, taken or refused, storage keeps for the page.
pub const SHOWN: usize = 4;

/// The storage node: the largest token it has accepted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Storage {
    pub highest: u64,
    /// The last writes it took: (client, token, value).
    pub writes: Vec<(NodeId, u64, u64)>,
    pub refused: u64,
    /// What the page shows of its writes.
    pub seen: Seen,
}

/// The page's record of storage's writes: how many it took in all (`writes` keeps only the
/// last eight) and its last few, taken or refused, so that who was refused can be shown off the
/// node's card (a phone hides the cards). Storage decides nothing by it, and every write that
/// changes it changes `highest`, `writes` or `refused` too: it hashes to nothing, so a run's
/// trace and the explorer's states are exactly those of the node without it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    pub taken: u64,
    /// The last `SHOWN` writes, oldest first: (client, token, taken).
    pub last: Vec<(NodeId, u64, bool)>,
}

impl core::hash::Hash for Seen {
    fn hash<H: core::hash::Hasher>(&self, _state: &mut H) {}
}

pub fn write(c: &Coordination, st: &mut Storage, from: NodeId, token: u64, value: u64, ctx: Cx) {
    let accepted = token >= st.highest || c.is(Mutant::NoFencing);
    if accepted {
        st.highest = st.highest.max(token);
        st.writes.push((from, token, value));
        if st.writes.len() > 8 {
            st.writes.remove(0);
        }
        st.seen.taken += 1;
        ctx.note(Note::Stored { client: from, token });
    } else {
        st.refused += 1;
    }
    st.seen.last.push((from, token, accepted));
    if st.seen.last.len() > SHOWN {
        st.seen.last.remove(0);
    }
    ctx.send(from, Msg::WriteReply { token, accepted });
}
