//! The checker: Raft's own properties in every group (its checker, one per group, on the
//! group's servers numbered from 0), and what the sharded database promises on top.
//!
//! Every shard has one history across its whole life, wherever it moves: its operations are
//! numbered (`pos`), and the number travels with the shard's data. So
//!
//! - **single-history**: no two servers apply different operations as the same operation of
//!   a shard. A group that serves a shard it gave away, or one that serves it before its data
//!   arrives, writes a second history beside the first. And a shard taken in for a
//!   configuration holds its whole history: the first server of the new owner to take it in
//!   has a copy as long as the history, every other server the same copy (an older copy would
//!   lose the writes after it without a trace while no later operation met them). One group
//!   takes a shard in for a configuration, and a server serves or awaits only the shards its
//!   configuration gives its group: a copy kept beside the owner's is seen when it is kept, not
//!   only once two requests meet the two copies.
//! - **configs-in-order**: every server moves one configuration at a time, and a configuration
//!   of some number is the same everywhere: the one the configuration service made (its groups
//!   and owners), not only its number.
//! - **exactly-once**: no client request is applied to a shard twice (at two positions): the
//!   duplicate table that should have answered the retry travels with the shard. And a retry
//!   the table answers changes nothing: the shard's data is then still what its history left
//!   (a server that did the write again, calling it a duplicate, is seen at once).
//! - **table-moves** and **data-moves**: a shard starts serving (pulled in, restarted, from a
//!   snapshot) with the duplicate table and the data its history left at its position: each
//!   client's last request, kept with the answer and the position its history gave it (a
//!   retry is answered from there), and every key's value. A key
//!   lost on the way would otherwise show only if someone read it before writing it again. A
//!   server's shard is judged again whenever its count of operations moves other than by the
//!   operations it applied in that event (a restart, a snapshot installed).
//! - **linearizable** and **acked-write-durable**: each shard's history is judged as the Raft
//!   page judges its log (`kv::realtime`): positions against real time, and every answer
//!   against a ghost replica fed the history in order. Keys of different shards are
//!   independent objects, so the whole history is linearizable when each shard's is
//!   (linearizability is local: Herlihy and Wing, 1990). The page's history goes through the
//!   search-based checker too.
//! - **shard-arrives**, the one liveness property: every move finishes (`arrives.rs`); and at
//!   once, a server neither serving nor awaiting a shard its configuration gives its group
//!   (nothing would bring it in) breaks it (`standing.rs`, with the two checks above on what
//!   a server may hold).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::chunked::ChunkVec;
use crate::kv::realtime::Linearizability;
use crate::kv::KvOp;
use crate::protocol::{NodeId, PropertyInfo};
use crate::raft;

use super::configs::{shard_of, Configs, GroupId};
use super::machine::{Shards, Status};
use super::node::Node;
use super::standing;
use super::types::*;

pub(super) const PROPERTIES: &[PropertyInfo] = &[
    PropertyInfo { name: "election-safety", description: "at most one leader per term, in every group" },
    PropertyInfo {
        name: "leader-append-only",
        description: "a leader never overwrites or deletes its entries",
    },
    PropertyInfo { name: "log-matching", description: "same index and term ⇒ identical logs up to there" },
    PropertyInfo {
        name: "leader-completeness",
        description: "a committed entry is in every later leader's log",
    },
    PropertyInfo {
        name: "state-machine-safety",
        description: "no two servers of a group apply different entries at one index",
    },
    PropertyInfo {
        name: "single-history",
        description: "a shard has one history wherever it moves: no two servers apply different operations at one point of it",
    },
    PropertyInfo {
        name: "configs-in-order",
        description: "every server applies the configurations one at a time, in order, and the same ones the configuration service made: none skipped, none different",
    },
    PropertyInfo {
        name: "exactly-once",
        description: "no client request is applied twice, even when its shard moved between the tries",
    },
    PropertyInfo {
        name: "table-moves",
        description: "a shard starts serving with its duplicate table: the last request of every client applied to it",
    },
    PropertyInfo {
        name: "data-moves",
        description: "a shard starts serving with its data as its history left it: every key's value after its last operation",
    },
    PropertyInfo {
        name: "linearizable",
        description: "every operation sees all that completed before it began, on every key",
    },
    PropertyInfo {
        name: "acked-write-durable",
        description: "a write acknowledged to a client is never lost, across moves and crashes",
    },
    super::arrives::PROPERTY,
    super::unmoved::PROPERTY,
    super::answered::PROPERTY,
];

/// One shard's history as the checker has seen it.
#[derive(Clone, Debug, Default, Hash)]
struct History {
    lin: Linearizability,
    /// The operation at each position (position 1 first): the server that applied it first,
    /// the client, its request and the operation. Shared by the simulator's checkpoints.
    at: ChunkVec<Option<(NodeId, NodeId, u64, KvOp)>>,
}

/// Ghost state.
#[derive(Clone, Debug, Default, Hash)]
pub struct Monitor {
    config: raft::Monitor<Configs>,
    groups: Vec<raft::Monitor<Shards>>,
    shards: Vec<History>,
    /// Per client, by request number: the shard and position the request was applied at.
    done: BTreeMap<u32, ChunkVec<Option<(u8, u64)>>>,
    /// Per node: the configuration its group's state machine had reached when the checker
    /// last looked at it.
    reached: Vec<u64>,
    /// Per node: the shards it served when the checker last looked at it, one bit each.
    serving: Vec<u64>,
    /// Per node and shard: its count of operations when the checker last looked.
    ops_seen: Vec<Vec<u64>>,
    /// Per shard and configuration it was taken in for: the group that took it in and the
    /// copy's count of operations.
    installs: BTreeMap<(u8, u64), (GroupId, u64)>,
    /// Per configuration number: a digest of the configuration, as the first server (of the
    /// configuration service or of a group) that the checker saw holding it had it.
    configs: BTreeMap<u64, u64>,
    /// Per configuration server: how many of its configurations the checker has compared.
    configs_seen: Vec<usize>,
    /// shard-arrives, the one liveness property (`arrives.rs`).
    pub(super) arrivals: super::arrives::Arrivals,
    /// requests-answered, the clients' liveness (`answered.rs`).
    pub(super) answered: super::answered::Answered,
}

type Fail = (&'static str, String);

/// A Raft checker's message about a group, with the group's servers by their page names (the
/// checker numbers them from 0, as the group's Raft does: "S2" is the group's second server).
fn in_group(k: &ShardKv, members: crate::protocol::Members, (p, msg): Fail) -> Fail {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg.as_str();
    while let Some(at) = rest.find('S') {
        out.push_str(&rest[..at]);
        let digits: String = rest[at + 1..].chars().take_while(|c| c.is_ascii_digit()).collect();
        match digits.parse::<u32>() {
            Ok(n) if (1..=members.size).contains(&n) => out.push_str(&k.name(members.global(NodeId(n - 1)))),
            _ => {
                out.push('S');
                out.push_str(&digits);
            }
        }
        rest = &rest[at + 1 + digits.len()..];
    }
    out.push_str(rest);
    (p, out)
}

pub(super) fn check(
    k: &ShardKv,
    m: &mut Monitor,
    nodes: &[Node],
    touched: Option<NodeId>,
    notes: &[Note],
) -> Result<(), Fail> {
    if m.shards.len() < k.shards {
        m.groups.resize(k.groups, raft::Monitor::default());
        m.shards.resize(k.shards, History::default());
        m.reached.resize(k.nodes_total(), 0);
        m.serving.resize(k.nodes_total(), 0);
        m.ops_seen.resize(k.nodes_total(), Vec::new());
        m.configs_seen.resize(k.nodes_total(), 0);
        let names: Vec<String> = (0..k.nodes_total() as u32).map(|i| k.name(NodeId(i))).collect();
        for h in &mut m.shards {
            h.lin.names = names.clone();
        }
    }
    raft_checks(k, m, nodes, touched, notes)?;
    // Where the server the event ran on stood before the event's notes move it (`in_order`).
    let before = touched.and_then(|t| m.reached.get(t.index()).copied());
    for note in notes {
        match note {
            Note::Invoke { client, req, op } => {
                m.shards[shard_of(op.key().as_str(), k.shards)].lin.invoked(*client, *req);
            }
            Note::Applied { server, shard, client, req, op, pos, fresh: true, .. } => {
                applied(k, m, *shard, *server, *client, *req, op, *pos)?;
            }
            Note::Ack { client, req, op, result, shard, pos } => {
                m.shards[*shard as usize].lin.acked(*client, *req, op, result, *pos)?;
            }
            Note::Reached { server, num } => in_order(k, m, *server, *num)?,
            Note::WrongGroup { server, shard, num } => {
                super::unmoved::judge(k, nodes, *server, *shard, *num)?
            }
            Note::Installed { server, shard, num, ops } => taken_in(k, m, *server, *shard, *num, *ops)?,
            _ => {}
        }
    }
    match touched.and_then(|t| Some((t, nodes.get(t.index())?))) {
        Some((t, Node::Config(s))) => made(k, m, t, &s.raft.kv)?,
        Some((t, Node::Replica(s))) => {
            // A configuration it moved to in this event, through its log or (without a note) a
            // snapshot or a restart, is compared by content. (Of several in one event, as a
            // follower catching up applies them, the last: the state keeps only it.)
            if before != Some(s.raft.kv.config.num) {
                same_config(k, m, t, &s.raft.kv.config)?;
            }
            // Where it is now: a snapshot installed, or a restart, moves it without a note.
            m.reached[t.index()] = s.raft.kv.config.num;
            standing::judge(k, t, &s.raft.kv)?;
            tables(k, m, t, &s.raft.kv, notes)?;
            answered_once(k, m, t, &s.raft.kv, notes)?;
        }
        _ => {}
    }
    Ok(())
}

/// The configurations a configuration server has applied since the checker last looked are
/// the ones every group applies under their numbers (`same_config`). Its own Raft's checks
/// hold its servers to one log; this holds the groups to it.
fn made(k: &ShardKv, m: &mut Monitor, node: NodeId, configs: &super::configs::Configs) -> Result<(), Fail> {
    // A restart or a snapshot may take it back: compare again from there.
    let from = m.configs_seen[node.index()].min(configs.history.len());
    for c in &configs.history[from..] {
        same_config(k, m, node, c)?;
    }
    m.configs_seen[node.index()] = configs.history.len();
    Ok(())
}

/// configs-in-order, for its content: every server that holds configuration `c.num` holds the
/// same one (its groups and owners), the one the first seen with it had. A group moving to a
/// configuration of that number with other owners would serve shards beside their owner, or
/// wait for good for a shard nobody sends.
fn same_config(k: &ShardKv, m: &mut Monitor, node: NodeId, c: &super::configs::Config) -> Result<(), Fail> {
    if c.num == 0 {
        return Ok(());
    }
    let digest = crate::hash::digest(&(&c.groups, &c.owners));
    match m.configs.get(&c.num) {
        Some(first) if *first != digest => Err((
            "configs-in-order",
            format!(
                "{} holds a configuration {} other than the one the configuration service made under that number (its owners: {})",
                k.name(node),
                c.num,
                owners_text(c)
            ),
        )),
        Some(_) => Ok(()),
        None => {
            m.configs.insert(c.num, digest);
            Ok(())
        }
    }
}

/// A configuration's owners, shard by shard: `G1 G1 G2 …`.
fn owners_text(c: &super::configs::Config) -> String {
    let names: Vec<String> = c.owners.iter().map(|g| super::configs::group_name(*g)).collect();
    names.join(" ")
}

/// `server` took shard `shard` in for configuration `num` with a copy of its first `ops`
/// operations. The first to take it in for that configuration must have all of them: the old
/// owner stopped serving it when it froze the copy, and the new one serves nothing of it
/// before this. Every other server of the group takes the same copy.
fn taken_in(k: &ShardKv, m: &mut Monitor, server: NodeId, shard: u8, num: u64, ops: u64) -> Result<(), Fail> {
    let Some(h) = m.shards.get(shard as usize) else { return Ok(()) };
    let group = k.group_of(server).unwrap_or(super::configs::NOBODY);
    let (want, why) = match m.installs.get(&(shard, num)) {
        Some((first, _)) if *first != group => {
            return Err((
                "single-history",
                format!(
                    "{} takes shard {shard} in for configuration {num}, which {} took in already: two groups hold it",
                    k.name(server),
                    super::configs::group_name(*first)
                ),
            ))
        }
        Some((_, first)) => (*first, "as the group's first server to take it in had it"),
        None => (h.at.len() as u64, "as many as its history has"),
    };
    if ops != want {
        let held = match ops {
            0 => String::from("none of its operations"),
            1 => String::from("its first operation only"),
            n => format!("its first {n} operations"),
        };
        return Err((
            "single-history",
            format!(
                "{} takes shard {shard} in for configuration {num} with {held}, not {want} ({why}): its next operation would start a second history",
                k.name(server)
            ),
        ));
    }
    m.installs.insert((shard, num), (group, ops));
    Ok(())
}

/// Every shard that `node` starts serving (a shard pulled in, a restart, a snapshot; see
/// `check`'s note on moves), holds the
/// duplicate table of its history so far: for each client, a request at least as late as the
/// last one applied to the shard up to its position. Without it a retry crossing the move
/// would apply twice; this sees the loss when the shard arrives, retried or not.
fn tables(k: &ShardKv, m: &mut Monitor, node: NodeId, machine: &Shards, notes: &[Note]) -> Result<(), Fail> {
    let mut now = 0u64;
    // A shard it serves whose count of operations moved other than by what it applied now (a
    // restart, a snapshot) is judged again, as one that starts serving.
    // A copy installed in this event is judged too, though its count may match (a shard lost
    // and regained within one event, as a follower catching up applies both).
    let installed = notes.iter().fold(0u64, |mask, n| match n {
        Note::Installed { server, shard, .. } if *server == node && *shard < 64 => mask | 1 << shard,
        _ => mask,
    });
    let seen = &mut m.ops_seen[node.index()];
    seen.resize(machine.shards.len(), 0);
    for (i, shard) in machine.shards.iter().enumerate().take(64) {
        let applied = notes
            .iter()
            .filter(|n| matches!(n, Note::Applied { server, shard: s, fresh: true, .. } if *server == node && *s as usize == i))
            .count() as u64;
        let moved = installed & (1 << i) != 0 || shard.ops != seen[i].saturating_add(applied);
        seen[i] = shard.ops;
        if shard.status == Status::Serving {
            now |= 1 << i;
            if moved {
                m.serving[node.index()] &= !(1 << i);
            }
        }
    }
    let started = now & !m.serving[node.index()];
    m.serving[node.index()] = now;
    for i in (0..64).filter(|i| started & (1 << i) != 0) {
        let shard = &machine.shards[i];
        let Some(h) = m.shards.get(i) else { continue };
        // Per client, its last request applied to the shard up to here, and where.
        let mut last: BTreeMap<u32, (u64, u64)> = BTreeMap::new();
        for (at, x) in h.at.iter().take(shard.ops as usize).enumerate() {
            let Some((_, client, req, _)) = x else { continue };
            let l = last.entry(client.0).or_insert((0, 0));
            if *req >= l.0 {
                *l = (*req, at as u64 + 1);
            }
        }
        let Some(want) = h.lin.data_at(shard.ops) else {
            // Every operation of a shard is applied afresh somewhere before a copy holds it.
            return Err((
                "single-history",
                format!(
                    "{} serves shard {i} at its operation {}, past the {} operations its history has",
                    k.name(node),
                    shard.ops,
                    h.at.len()
                ),
            ));
        };
        if let Some((key, has, should)) = unlike(&want, shard) {
            let at = format!("{} serves shard {i} (at its operation {})", k.name(node), shard.ops);
            let why = match (has, should) {
                (None, Some(w)) => format!("{at} without {key}, which its history left at {w}"),
                (Some(h), None) => format!("{at} with {key} = {h}, a key its history does not have"),
                (h, w) => format!(
                    "{at} with {key} = {}, where its history left {}",
                    h.unwrap_or_default(),
                    w.unwrap_or_default()
                ),
            };
            return Err(("data-moves", why));
        }
        for (client, (req, pos)) in last {
            let kept = shard.kv.sessions.get(&client);
            // The request itself kept: with the answer and position the history gave it (a
            // retry is answered from here).
            if let Some((r, result, at, _)) = kept.filter(|x| x.0 == req) {
                let given = h.lin.result_at(pos);
                if given.is_some_and(|g| g != result) || *at != pos {
                    let given = given.map_or(String::from("?"), |g| format!("{g}"));
                    return Err((
                        "table-moves",
                        format!(
                            "{} serves shard {i} with {}'s request #{r} kept in its duplicate table as \"{result}\" at operation {at}, where its history gave it \"{given}\" at operation {pos}",
                            k.name(node),
                            k.name(NodeId(client))
                        ),
                    ));
                }
            }
            if kept.is_none_or(|x| x.0 < req) {
                return Err((
                    "table-moves",
                    format!(
                        "{} serves shard {i} (at its operation {}) without {}'s request #{req} in its duplicate table",
                        k.name(node),
                        shard.ops,
                        k.name(NodeId(client))
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The first key whose value in `shard` differs from `want` (what its history left): the key,
/// its value there, and the history's.
fn unlike(
    want: &[(crate::kv::Key, u64)],
    shard: &super::machine::Shard,
) -> Option<(crate::kv::Key, Option<u64>, Option<u64>)> {
    let should = |key: &crate::kv::Key| want.iter().find(|w| w.0 == *key).map(|w| w.1);
    let key = want
        .iter()
        .map(|w| w.0)
        .chain(shard.kv.data.iter().map(|(k, _)| *k))
        .find(|key| shard.kv.data.get(key).copied() != should(key))?;
    Some((key, shard.kv.data.get(&key).copied(), should(&key)))
}

/// exactly-once, for a retried request answered from the duplicate table (`fresh: false`): the
/// table answers, and nothing else changes. The shard's data is still what its history left
/// at its count of operations; a server that did the write again (its notes call it a
/// duplicate, and count no operation) is seen here, not only when a read happens upon the key.
fn answered_once(
    k: &ShardKv,
    m: &Monitor,
    node: NodeId,
    machine: &Shards,
    notes: &[Note],
) -> Result<(), Fail> {
    for note in notes {
        let Note::Applied { server, shard: i, client, req, op, fresh: false, .. } = note else { continue };
        let (Some(shard), Some(h)) = (machine.shards.get(*i as usize), m.shards.get(*i as usize)) else {
            continue;
        };
        if *server != node || shard.status != Status::Serving {
            continue;
        }
        let Some(want) = h.lin.data_at(shard.ops) else { continue };
        if let Some((key, has, should)) = unlike(&want, shard) {
            let show = |v: Option<u64>| v.map_or(String::from("nothing"), |v| format!("{v}"));
            return Err((
                "exactly-once",
                format!(
                    "{} answered {}'s retried request #{req} ({op}) from its duplicate table, yet shard {i} holds {key} = {} where its history left {}",
                    k.name(node),
                    k.name(*client),
                    show(has),
                    show(should)
                ),
            ));
        }
    }
    Ok(())
}

/// `server`'s state machine reached configuration `num`: the one after the last it had. (A
/// restart or a snapshot moves it without a note; the check after each event of the server
/// takes where it is then.)
fn in_order(k: &ShardKv, m: &mut Monitor, server: NodeId, num: u64) -> Result<(), Fail> {
    let last = m.reached[server.index()];
    if num > last.saturating_add(1) {
        return Err((
            "configs-in-order",
            format!(
                "{} reached configuration {num} straight from {last}, skipping configuration {}",
                k.name(server),
                last + 1
            ),
        ));
    }
    if num <= last {
        return Err((
            "configs-in-order",
            format!("{} went back to configuration {num} from {last}", k.name(server)),
        ));
    }
    m.reached[server.index()] = num;
    Ok(())
}

/// Raft's checks on the server the event ran on, with its group's notes.
fn raft_checks(
    k: &ShardKv,
    m: &mut Monitor,
    nodes: &[Node],
    touched: Option<NodeId>,
    notes: &[Note],
) -> Result<(), Fail> {
    match touched.and_then(|t| nodes.get(t.index())) {
        Some(Node::Config(s)) => {
            let mine: Vec<raft::Note> = notes
                .iter()
                .filter_map(|n| if let Note::Cfg(r) = n { Some(r.clone()) } else { None })
                .collect();
            raft::check_server(&k.raft, &mut m.config, Some(&s.raft), &mine)
                .map_err(|e| in_group(k, k.config_members(), e))
        }
        Some(Node::Replica(s)) => {
            let g: GroupId = s.group;
            let mine: Vec<raft::Note> = notes
                .iter()
                .filter_map(|n| match n {
                    Note::Rep { group, note } if *group == g => Some(note.clone()),
                    _ => None,
                })
                .collect();
            raft::check_server(&k.raft, &mut m.groups[g as usize], Some(&s.raft), &mine)
                .map_err(|e| in_group(k, k.members(g), e))
        }
        _ => Ok(()),
    }
}

/// A server applied `op` afresh as operation `pos` of `shard`.
#[allow(clippy::too_many_arguments)]
fn applied(
    k: &ShardKv,
    m: &mut Monitor,
    shard: u8,
    server: NodeId,
    client: NodeId,
    req: u64,
    op: &KvOp,
    pos: u64,
) -> Result<(), Fail> {
    let h = &mut m.shards[shard as usize];
    let at = pos.saturating_sub(1) as usize;
    if at > h.at.len() {
        // A shard's operations are numbered without holes: a server applies its operation p
        // only holding the first p − 1, each applied afresh somewhere first.
        return Err((
            "single-history",
            format!(
                "{} applied operation {pos} of shard {shard}, whose history has only {} operations",
                k.name(server),
                h.at.len()
            ),
        ));
    }
    if let Some(Some((first, c, r, other))) = h.at.get(at) {
        if (*c, *r) == (client, req) {
            return Ok(());
        }
        return Err((
            "single-history",
            format!(
                "shard {shard} has two histories: {} applied {op} as its operation {pos}, where {} had applied {other}",
                k.name(server),
                k.name(*first)
            ),
        ));
    }
    let done = m.done.entry(client.0).or_default();
    if let Some(Some((s, p))) = done.get(req as usize) {
        return Err((
            "exactly-once",
            format!(
                "{} applied {}'s request #{req} ({op}) again, as operation {pos} of shard {shard}: it was operation {p} of shard {s}",
                k.name(server),
                k.name(client)
            ),
        ));
    }
    done.set_grow(req as usize, Some((shard, pos)), None);
    h.at.set_grow(at, Some((server, client, req, op.clone())), None);
    h.lin.committed(pos, Some((client, req, op)))
}

#[cfg(test)]
#[path = "check_tests.rs"]
mod tests;
