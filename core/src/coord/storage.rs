//! The storage node the lock's holders write to. It keeps the largest token it has accepted
//! and refuses older ones, so a holder whose session expired during a pause (a long GC) cannot
//! write over its successor's work.

use alloc::vec::Vec;

use crate::protocol::{Ctx, NodeId};

use super::types::*;

type Cx<'a, 'b> = &'a mut Ctx<'b, Coordination>;

/// The storage node: the largest token it has accepted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Storage {
    pub highest: u64,
    /// The last writes it took: (client, token, value).
    pub writes: Vec<(NodeId, u64, u64)>,
    pub refused: u64,
}

pub fn write(c: &Coordination, st: &mut Storage, from: NodeId, token: u64, value: u64, ctx: Cx) {
    let accepted = token >= st.highest || c.is(Mutant::NoFencing);
    if accepted {
        st.highest = st.highest.max(token);
        st.writes.push((from, token, value));
        if st.writes.len() > 8 {
            st.writes.remove(0);
        }
        ctx.note(Note::Stored { client: from, token });
    } else {
        st.refused += 1;
    }
    ctx.send(from, Msg::WriteReply { token, accepted });
}
