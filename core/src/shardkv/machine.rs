//! A replica group's state machine: the shards it holds, each a key-value store with its own
//! duplicate-detection table (the store's per-client sessions), and the configuration the
//! group has reached. Everything that changes it goes through the group's Raft log: a client's
//! command, the next configuration, and a shard's data pulled from its previous owner. So
//! every replica of the group serves, stops serving and takes over a shard at the same point
//! of its log.
//!
//! A shard's operations are numbered across its whole life (`ops`, carried with it when it
//! moves): the checker judges each shard's history by these positions.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt;

use serde::Serialize;

use super::configs::{group_name, shard_of, Config, GroupId, NOBODY};
use crate::kv::{Key, Kv, KvOp, KvResult};
use crate::protocol::NodeId;
use crate::raft::{LogIndex, Machine, Term};

/// The deliberately broken variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Mutant {
    /// The old owner keeps serving a shard after the configuration that moved it away.
    KeepServing,
    /// A shard moves without its duplicate table: a retried request applies twice.
    DropDuplicateTable,
    /// The new owner serves a shard at once, without pulling its data from the old owner.
    ServeBeforeData,
    /// A group jumps to the newest configuration it hears of, skipping those in between.
    SkipConfigs,
    /// A shard moves without its data: its keys are lost on the way.
    DropData,
    /// A group moves to the next configuration before every shard it gained has arrived.
    EarlyReconfig,
    /// A retried request is answered from the duplicate table, and its write is done again.
    ReapplyDuplicates,
    /// A group's leader asks for a shard it gained once, as it applies the move, and never
    /// again.
    PullOnce,
    /// A shard pulled in is taken in, and then left absent: its owner neither serves it nor
    /// waits for it.
    InstallAbsent,
    /// A shard moves with its duplicate table's requests but not their answers: a retry
    /// answered from the table after the move gets "done", whatever the request was.
    TableWithoutResults,
    /// A group refuses every request while a shard it gained is still on its way (6.824's
    /// design before its second challenge), the shards that stay with it too.
    PauseWhileMoving,
    /// A client keeps the first map it hears of.
    StaleClientMap,
}

/// Where a shard stands in this group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Status {
    /// Not this group's (or handed over).
    #[default]
    Absent,
    /// This group's, with its data: it serves it.
    Serving,
    /// This group's in the current configuration, waiting for its data from the group that
    /// owned it in the one before: gained in configuration `num`.
    Pulling { from: GroupId, num: u64 },
}

/// One shard as a group holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Shard {
    pub status: Status,
    pub kv: Kv,
    /// Operations applied to this shard in its whole history, wherever it was.
    pub ops: u64,
}

/// A shard's data and duplicate table as they travel between groups.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct ShardCopy {
    pub data: Vec<(Key, u64)>,
    /// Per client: its last request applied to the shard, the result, and the position.
    pub sessions: Vec<(u32, u64, KvResult, u64, u64)>,
    pub ops: u64,
}

impl ShardCopy {
    pub fn of(shard: &Shard) -> ShardCopy {
        ShardCopy {
            data: shard.kv.data.iter().map(|(k, v)| (*k, *v)).collect(),
            sessions: shard
                .kv
                .sessions
                .iter()
                .map(|(c, (r, res, i, t))| (*c, *r, res.clone(), *i, *t))
                .collect(),
            ops: shard.ops,
        }
    }

    fn into_kv(self, with_sessions: bool, with_results: bool) -> Kv {
        let mut kv = Kv::default();
        for (k, v) in self.data {
            kv.data.insert(k, v);
        }
        if with_sessions {
            for (c, r, res, i, t) in self.sessions {
                // Broken (table-without-results): every answer kept as "done".
                let res = if with_results { res } else { crate::kv::KvResult::Done };
                kv.sessions.insert(c, (r, res, i, t));
            }
        }
        kv
    }
}

/// A command in a replica group's log.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Cmd {
    /// A client's operation on a key.
    Client { client: NodeId, req: u64, op: KvOp },
    /// Move to the next configuration.
    Reconfig(Config),
    /// A shard's data has arrived from its previous owner, for configuration `num`.
    Install { shard: u8, num: u64, copy: ShardCopy },
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cmd::Client { op, .. } => write!(f, "{op}"),
            Cmd::Reconfig(c) => write!(f, "{c}"),
            Cmd::Install { shard, num, copy } => {
                write!(f, "install shard {shard} for config {num} ({} keys)", copy.data.len())
            }
        }
    }
}

/// What applying a command did.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Applied {
    /// A client's operation, at this position of its shard's history.
    Kv { result: KvResult, pos: u64 },
    /// The key's shard is not served here (now): the client asks the configuration again.
    WrongGroup,
    /// A configuration or a shard taken in, or (`false`) a command that came too late or too
    /// early and changed nothing.
    Done(bool),
}

impl fmt::Display for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Applied::Kv { result, pos } => write!(f, "{result} (op {pos} of its shard)"),
            Applied::WrongGroup => f.write_str("wrong group"),
            Applied::Done(true) => f.write_str("done"),
            Applied::Done(false) => f.write_str("ignored"),
        }
    }
}

/// A client command applied, for the server around the machine to answer and the checker to
/// judge.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Served {
    pub index: LogIndex,
    pub shard: u8,
    pub client: NodeId,
    pub req: u64,
    pub op: KvOp,
    pub result: Applied,
    /// Applied now, not answered from the duplicate table.
    pub fresh: bool,
    /// The configuration the group stood at.
    pub num: u64,
}

/// The group's replicated state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Shards {
    pub group: GroupId,
    pub mutant: Option<Mutant>,
    pub config: Config,
    pub shards: Vec<Shard>,
    /// The shards this group handed over, each as it was when the group applied the
    /// configuration (numbered beside it) that moved it away: what the new owner pulls. Every
    /// replica of the group holds the same copies, fixed by its log. Only the latest copy of a
    /// shard is kept: for this group to lose a shard again, the shard must have come back to
    /// it, which it can only once its earlier copy was taken in (each owner takes in a shard
    /// before it moves to the next configuration).
    pub handoff: BTreeMap<u8, (u64, ShardCopy)>,
    /// Client commands applied since the server last looked (not state: a snapshot drops it).
    pub served: Vec<Served>,
    /// Configurations applied since the server last looked (likewise).
    pub reached: Vec<u64>,
    /// Shards taken in since the server last looked (likewise): the shard, the configuration
    /// and the copy's count of operations.
    pub installed: Vec<(u8, u64, u64)>,
}

/// What a group's machine applied since the server last looked: client commands, the
/// configurations it reached, the shards it took in.
pub type Taken = (Vec<Served>, Vec<u64>, Vec<(u8, u64, u64)>);

impl Shards {
    /// A group's machine before configuration 1.
    pub fn new(group: GroupId, shards: usize, mutant: Option<Mutant>) -> Shards {
        Shards {
            group,
            mutant,
            config: Config::empty(shards),
            shards: (0..shards).map(|_| Shard::default()).collect(),
            ..Shards::default()
        }
    }

    fn is(&self, m: Mutant) -> bool {
        self.mutant == Some(m)
    }

    /// Whether every shard of the current configuration has its data: only then may the group
    /// move to the next one. (The early-reconfig mutant never waits.)
    pub fn settled(&self) -> bool {
        self.is(Mutant::EarlyReconfig)
            || !self.shards.iter().any(|s| matches!(s.status, Status::Pulling { .. }))
    }

    /// Whether the configuration it stands at gives shard `shard` to this group.
    pub fn owns(&self, shard: usize) -> bool {
        self.config.owners.get(shard) == Some(&self.group)
    }

    /// Whether this group serves `key` now.
    pub fn serves(&self, key: &Key) -> bool {
        let s = shard_of(key.as_str(), self.shards.len());
        self.shards.get(s).is_some_and(|s| s.status == Status::Serving)
    }

    /// Take what was applied since the last call.
    pub fn take_served(&mut self) -> Taken {
        let installed = core::mem::take(&mut self.installed);
        (core::mem::take(&mut self.served), core::mem::take(&mut self.reached), installed)
    }

    fn client(&mut self, index: LogIndex, client: NodeId, req: u64, op: &KvOp) -> Applied {
        let s = shard_of(op.key().as_str(), self.shards.len());
        // Broken (pause-while-moving): nothing served while a move is under way.
        let paused = self.is(Mutant::PauseWhileMoving) && !self.settled();
        let (result, fresh) = match self.shards.get_mut(s) {
            Some(shard) if shard.status == Status::Serving && !paused => {
                let fresh = shard.kv.sessions.get(&client.0).is_none_or(|(last, ..)| *last < req);
                let (result, pos, _) = shard.kv.apply(client, req, op, shard.ops + 1, self.group as u64);
                if fresh {
                    shard.ops += 1;
                } else if self.mutant == Some(Mutant::ReapplyDuplicates) {
                    // Broken: the table's answer, and the write again.
                    shard.kv.execute(op);
                }
                (Applied::Kv { result, pos }, fresh)
            }
            _ => (Applied::WrongGroup, false),
        };
        let op = op.clone();
        let num = self.config.num;
        self.served.push(Served {
            index,
            shard: s as u8,
            client,
            req,
            op,
            result: result.clone(),
            fresh,
            num,
        });
        result
    }

    /// Move to `next`: hand over the shards it gives to others (kept, frozen, for them to
    /// pull), and wait for the data of those it gives this group (a shard new to the system
    /// starts empty). Only the next configuration, and only once every shard has its data;
    /// anything else changes nothing.
    fn reconfig(&mut self, next: &Config) -> bool {
        let in_order = next.num == self.config.num + 1 && self.settled();
        let skipping = self.is(Mutant::SkipConfigs) && next.num > self.config.num;
        if !(in_order || skipping) {
            return false;
        }
        let me = self.group;
        for (s, shard) in self.shards.iter_mut().enumerate() {
            let (old, new) = (self.config.owners[s], next.owners[s]);
            if old == me && new != me {
                self.handoff.insert(s as u8, (next.num, ShardCopy::of(shard)));
                if self.mutant != Some(Mutant::KeepServing) {
                    *shard = Shard::default();
                }
            } else if old != me && new == me {
                shard.status = if old == NOBODY || self.mutant == Some(Mutant::ServeBeforeData) {
                    Status::Serving
                } else {
                    Status::Pulling { from: old, num: next.num }
                };
            }
        }
        self.config = next.clone();
        self.reached.push(next.num);
        true
    }

    fn install(&mut self, s: u8, num: u64, copy: &ShardCopy) -> bool {
        let with_sessions = !self.is(Mutant::DropDuplicateTable);
        let waiting = self.config.num == num
            && self.shards.get(s as usize).is_some_and(|sh| {
                matches!(sh.status, Status::Pulling { .. })
                    || (sh.status == Status::Serving && self.is(Mutant::ServeBeforeData) && sh.ops == 0)
            });
        if !waiting {
            return false;
        }
        let mut kv = copy.clone().into_kv(with_sessions, !self.is(Mutant::TableWithoutResults));
        if self.is(Mutant::DropData) {
            kv.data = Default::default();
        }
        // Broken (install-absent): taken in, and then neither served nor awaited.
        let status = if self.is(Mutant::InstallAbsent) { Status::Absent } else { Status::Serving };
        let shard = &mut self.shards[s as usize];
        *shard = Shard { status, kv, ops: copy.ops };
        self.installed.push((s, num, copy.ops));
        true
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Absent => f.write_str("absent"),
            Status::Serving => f.write_str("serving"),
            Status::Pulling { from, .. } => write!(f, "pulling from {}", group_name(*from)),
        }
    }
}

impl Machine for Shards {
    type Op = Cmd;
    type Result = Applied;
    /// The server that took the client's request answers it, once it has applied it.
    const LEADER_REPLIES: bool = false;
    const STATE: &'static str = "shards";

    fn snapshot(&self) -> Shards {
        Shards { served: Vec::new(), reached: Vec::new(), installed: Vec::new(), ..self.clone() }
    }

    fn apply(
        &mut self,
        _: NodeId,
        _: u64,
        cmd: &Cmd,
        index: LogIndex,
        term: Term,
    ) -> (Applied, LogIndex, Term) {
        let result = match cmd {
            Cmd::Client { client, req, op } => self.client(index, *client, *req, op),
            Cmd::Reconfig(next) => Applied::Done(self.reconfig(next)),
            Cmd::Install { shard, num, copy } => Applied::Done(self.install(*shard, *num, copy)),
        };
        (result, index, term)
    }

    /// Duplicates are the shards' business (their tables travel with them).
    fn last_applied(&self, _: NodeId) -> Option<(u64, &Applied, LogIndex, Term)> {
        None
    }

    /// Reads go through the log too: a read served by a group's leader alone could be stale,
    /// and could be served by a group that no longer owns the shard.
    fn is_read(_: &Cmd) -> bool {
        false
    }

    fn read(&self, _: &Cmd) -> Applied {
        Applied::Done(false)
    }
}
