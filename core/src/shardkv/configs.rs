//! The configuration service's state machine: the numbered history of configurations, each
//! the set of replica groups in the system and the shard map, replicated by a Raft group of its
//! own (6.824's "shard controller"). A group joins or leaves by an operator's command through
//! its log; each change makes the next configuration, whose shard map the consistent-hash ring
//! computes from the groups alone, so every replica computes the same map, and a new group
//! takes about 1/(G+1) of the shards.

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use serde::Serialize;

use crate::hashing::{hash_key, Ring};
use crate::protocol::NodeId;
use crate::raft::{LogIndex, Machine, Term};

/// A replica group's number: 0 is group G1.
pub type GroupId = u8;
/// No group: a shard of configuration 0, before any group joined.
pub const NOBODY: GroupId = u8::MAX;

/// The name a group goes by on the page: G1, G2, … (a number, so that text naming a group
/// translates as one line whichever group it names).
pub fn group_name(g: GroupId) -> String {
    if g == NOBODY {
        String::from("none")
    } else {
        format!("G{}", g as u32 + 1)
    }
}

/// A group as one digit in a shard map: 1, 2, …, and 0 for nobody.
fn digit(g: GroupId) -> char {
    if g == NOBODY {
        '0'
    } else {
        char::from(b'1' + g)
    }
}

/// The shard a key belongs to: its hash, modulo the number of shards.
pub fn shard_of(key: &str, shards: usize) -> usize {
    (hash_key(key.as_bytes()) % shards.max(1) as u64) as usize
}

/// One configuration: its number, the groups in it, and the group that owns each shard.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Config {
    pub num: u64,
    pub groups: Vec<GroupId>,
    pub owners: Vec<GroupId>,
}

impl Config {
    /// Configuration 0: no group, no owner.
    pub fn empty(shards: usize) -> Config {
        Config { num: 0, groups: Vec::new(), owners: vec![NOBODY; shards] }
    }

    /// The configuration numbered `num` for these groups: each shard goes to the group the
    /// ring (`vnodes` virtual nodes per group) finds clockwise of the shard's hash.
    pub fn new(num: u64, groups: Vec<GroupId>, shards: usize, vnodes: usize) -> Config {
        if groups.is_empty() {
            return Config { num, ..Config::empty(shards) };
        }
        let members: Vec<u32> = groups.iter().map(|g| *g as u32).collect();
        let ring = Ring::new(&members, &vec![1.0; members.len()], vnodes);
        let owners = (0..shards).map(|s| ring.lookup(shard_hash(s)) as GroupId).collect();
        Config { num, groups, owners }
    }

    /// The shards `g` owns here.
    pub fn shards_of(&self, g: GroupId) -> impl Iterator<Item = usize> + '_ {
        self.owners.iter().enumerate().filter(move |(_, o)| **o == g).map(|(s, _)| s)
    }

    /// How many shards change owner from `self` to `next` (a shard of nobody's is not moved:
    /// it starts where it is put).
    pub fn moved(&self, next: &Config) -> usize {
        self.owners.iter().zip(&next.owners).filter(|(a, b)| a != b && **a != NOBODY).count()
    }
}

impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let groups: String = self.groups.iter().map(|g| digit(*g)).collect();
        let owners: String = self.owners.iter().map(|g| digit(*g)).collect();
        if groups.is_empty() {
            return write!(f, "config {} (no groups)", self.num);
        }
        // Each shard's owner as a digit, shard 0 first: "config 3 (groups 12, map 1121…)".
        write!(f, "config {} (groups {groups}, map {owners})", self.num)
    }
}

/// Where shard `s` sits on the ring.
fn shard_hash(s: usize) -> u64 {
    hash_key(format!("shard-{s}").as_bytes())
}

/// An operator's change to the set of groups. `id` names the command, so that a command
/// retried after its first copy went through is applied once.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Change {
    pub id: u64,
    pub join: bool,
    pub group: GroupId,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", if self.join { "join" } else { "leave" }, group_name(self.group))
    }
}

/// The service's replicated state: every configuration so far, and the operator commands
/// applied (by id).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Configs {
    pub shards: usize,
    pub vnodes: usize,
    pub history: Vec<Config>,
    pub done: BTreeSet<u64>,
}

impl Configs {
    /// The newest configuration (configuration 0 before any).
    pub fn latest(&self) -> Config {
        self.history.last().cloned().unwrap_or_else(|| Config::empty(self.shards))
    }

    /// Configuration `num`, if there is one yet.
    pub fn get(&self, num: u64) -> Option<Config> {
        if num == 0 {
            return Some(Config::empty(self.shards));
        }
        self.history.get(num as usize - 1).cloned()
    }
}

/// What applying a change did: the configuration it made, or none (the group was already in,
/// or already out, or the last one, or the command was applied before).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Made(pub Option<u64>);

impl fmt::Display for Made {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(n) => write!(f, "config {n}"),
            None => f.write_str("no change"),
        }
    }
}

impl Machine for Configs {
    type Op = Change;
    type Result = Made;
    /// The operator's command is answered by the configuration it makes, which everyone polls.
    const LEADER_REPLIES: bool = false;
    const STATE: &'static str = "configurations";

    fn apply(
        &mut self,
        _: NodeId,
        _: u64,
        op: &Change,
        index: LogIndex,
        term: Term,
    ) -> (Made, LogIndex, Term) {
        if !self.done.insert(op.id) {
            return (Made(None), index, term);
        }
        let latest = self.latest();
        let mut groups = latest.groups.clone();
        match (op.join, groups.iter().position(|g| *g == op.group)) {
            (true, None) => {
                let at = groups.partition_point(|g| *g < op.group);
                groups.insert(at, op.group);
            }
            // The last group may not leave: its shards would have nowhere to go, and a group
            // that joined after would start them empty.
            (false, Some(at)) if groups.len() > 1 => {
                groups.remove(at);
            }
            _ => return (Made(None), index, term),
        }
        let next = Config::new(latest.num + 1, groups, self.shards, self.vnodes);
        self.history.push(next);
        (Made(Some(latest.num + 1)), index, term)
    }

    fn last_applied(&self, _: NodeId) -> Option<(u64, &Made, LogIndex, Term)> {
        None
    }

    fn is_read(_: &Change) -> bool {
        false
    }

    fn read(&self, _: &Change) -> Made {
        Made(None)
    }
}
