//! Where a block's replicas go: HDFS's default placement policy
//! (`BlockPlacementPolicyDefault.chooseTargetInOrder`, for a new block).
//!
//! 1. **The first replica on the writer**, if the writer is a data node. A writer that is not
//!    one but sits on a known rack gets a node of its rack (`chooseLocalStorage` falls back to
//!    `chooseLocalRack`); a writer off the cluster, or none, gets a random node.
//! 2. **The second on another rack** (`chooseRemoteRack`): a random node off the first's rack,
//!    or, when none is left, one on the first's rack.
//! 3. **The third on the second's rack, another node** (`chooseLocalRack` of the second), or,
//!    if the first two share a rack, off it. A rack with no node left passes the choice to the
//!    first replica's rack, and then to any node. For a block that has replicas already
//!    (re-replication, where the writer is the node copied from; a pipeline's replacement,
//!    where it is the client), the third goes on the writer's rack instead, or with no writer
//!    the first replica's.
//! 4. **The rest at random**, anywhere.
//!
//! Every choice keeps two limits: no node holds two replicas, and no rack more than
//! `⌊(R−1)/racks⌋ + 2` of them (one less when that would allow all R on one rack:
//! `getMaxNodesPerRack`), where R is the replication factor, cut to the number of nodes. Dead
//! nodes count for neither: HDFS takes a data node it declares dead out of its network map
//! (`DatanodeManager.removeDatanode`), and a rack with no live node out of the rack count. A
//! block the limits leave short gets fewer replicas, as in HDFS. Random choices are uniform
//! over the nodes that keep both limits (HDFS draws from the nodes not yet excluded and
//! excludes one that breaks a limit, which comes to the same); HDFS also weighs load, free
//! space and stale nodes, which are all equal here. The replicas are listed in the order they
//! were chosen; HDFS then sorts them into a write pipeline by distance from the writer.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::rng::Rng;

/// Most racks, nodes in one rack, nodes in all, and the highest replication factor (HDFS's
/// `dfs.replication.max` default).
pub const MAX_RACKS: usize = 64;
pub const MAX_NODES_PER_RACK: u32 = 1_024;
pub const MAX_NODES: u32 = 8_192;
pub const MAX_RF: u32 = 512;

/// A rack: its number (the 2 of `r2`) and how many data nodes it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rack {
    pub number: u32,
    pub nodes: u32,
}

/// A data node: its rack (an index into the racks) and its index within the rack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Node {
    pub rack: usize,
    pub index: u32,
}

/// The racks of a cluster, as `--racks` gives them, and the nodes the name node counts dead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topology {
    pub racks: Vec<Rack>,
    pub nodes: u32,
    /// Out of the network map: no replica goes there, and they count neither toward the
    /// cluster's size nor, when all of a rack's nodes are dead, toward its racks.
    pub dead: Vec<Node>,
}

/// Who writes the block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Writer {
    /// A data node.
    Node(Node),
    /// A machine on this rack that is not a data node.
    Rack(usize),
    /// A machine off the cluster, or none named.
    Off,
}

fn rack_number(name: &str) -> Option<u32> {
    let digits = name.strip_prefix('r')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 9 {
        return None;
    }
    digits.parse().ok()
}

impl Topology {
    /// `r1:4,r2:3`: each rack's name (`r` and a number, each named once) and its data nodes.
    pub fn parse(spec: &str) -> Result<Topology, String> {
        let mut racks: Vec<Rack> = Vec::new();
        let mut nodes = 0u32;
        for part in spec.split(',').map(str::trim) {
            let (name, count) = part
                .split_once(':')
                .ok_or_else(|| format!("{part:?} is not RACK:NODES (for example r1:4)"))?;
            let number = rack_number(name)
                .ok_or_else(|| format!("rack {name:?}: a rack is named r and a number (r1, r2, …)"))?;
            if racks.iter().any(|r| r.number == number) {
                return Err(format!("rack {name} is named twice"));
            }
            let n: u32 =
                count.parse().ok().filter(|n| (1..=MAX_NODES_PER_RACK).contains(n)).ok_or_else(|| {
                    format!("rack {name}: nodes must be between 1 and {MAX_NODES_PER_RACK} (got {count:?})")
                })?;
            if racks.len() == MAX_RACKS {
                return Err(format!("at most {MAX_RACKS} racks"));
            }
            nodes = nodes
                .checked_add(n)
                .filter(|t| *t <= MAX_NODES)
                .ok_or_else(|| format!("at most {MAX_NODES} nodes in all"))?;
            racks.push(Rack { number, nodes: n });
        }
        Ok(Topology { racks, nodes, dead: Vec::new() })
    }

    /// `r2/n3`: the writer as a node name. A rack of the cluster with an index past its nodes
    /// is a machine on that rack that is not a data node; a rack not in the cluster, a machine
    /// off it.
    pub fn writer(&self, name: &str) -> Result<Writer, String> {
        let bad = || format!("writer {name:?} is not RACK/NODE (for example r1/n0)");
        let (rack, node) = name.split_once('/').ok_or_else(bad)?;
        let number = rack_number(rack).ok_or_else(bad)?;
        let index: u32 = node
            .strip_prefix('n')
            .filter(|d| !d.is_empty() && d.len() <= 9)
            .and_then(|d| d.parse().ok())
            .ok_or_else(bad)?;
        Ok(match self.racks.iter().position(|r| r.number == number) {
            Some(r) if index < self.racks[r].nodes => Writer::Node(Node { rack: r, index }),
            Some(r) => Writer::Rack(r),
            None => Writer::Off,
        })
    }

    /// A node's name, `rRACK/nINDEX`.
    pub fn name(&self, n: Node) -> String {
        format!("r{}/n{}", self.racks[n.rack].number, n.index)
    }

    /// How many distinct nodes of `rack` are among `nodes`.
    fn distinct_in<'a>(&self, rack: usize, nodes: impl Iterator<Item = &'a Node>) -> u32 {
        let mut seen: Vec<u32> = Vec::new();
        for n in nodes.filter(|n| n.rack == rack && n.index < self.racks[rack].nodes) {
            if !seen.contains(&n.index) {
                seen.push(n.index);
            }
        }
        seen.len() as u32
    }

    /// How many of `rack`'s nodes are dead.
    fn dead_in(&self, rack: usize) -> u32 {
        self.distinct_in(rack, self.dead.iter())
    }

    /// The nodes in the network map (`getNumOfLeaves`).
    pub fn live_nodes(&self) -> u32 {
        (0..self.racks.len()).map(|r| self.racks[r].nodes - self.dead_in(r)).sum()
    }

    /// The racks with a node in the network map (`getNumOfRacks`).
    pub fn live_racks(&self) -> u32 {
        (0..self.racks.len()).filter(|r| self.racks[*r].nodes > self.dead_in(*r)).count() as u32
    }

    /// The most replicas one rack may hold when `total` are placed (`getMaxNodesPerRack`).
    pub fn max_per_rack(&self, total: u32) -> u32 {
        let racks = self.live_racks();
        if racks <= 1 || total <= 1 {
            return total;
        }
        let max = (total - 1) / racks + 2;
        if max == total {
            max - 1
        } else {
            max
        }
    }
}

/// Where a choice may look.
#[derive(Clone, Copy)]
enum Scope {
    Any,
    Rack(usize),
    OffRack(usize),
}

/// One block's placement under way.
struct Placing<'a> {
    topo: &'a Topology,
    chosen: Vec<Node>,
    /// Nodes that may not take a replica (dropped from a pipeline, say) beside the chosen and
    /// the dead.
    excluded: &'a [Node],
    max: u32,
}

impl Placing<'_> {
    fn in_rack(&self, rack: usize) -> u32 {
        self.chosen.iter().filter(|n| n.rack == rack).count() as u32
    }

    /// Whether `n` is taken: chosen, or excluded.
    fn blocked(&self, n: &Node) -> bool {
        self.chosen.contains(n) || self.excluded.contains(n) || self.topo.dead.contains(n)
    }

    /// How many nodes of `rack` could take the next replica.
    fn free(&self, rack: usize) -> u32 {
        if self.in_rack(rack) >= self.max {
            return 0;
        }
        let blocked = self.chosen.iter().chain(self.excluded).chain(&self.topo.dead);
        self.topo.racks[rack].nodes - self.topo.distinct_in(rack, blocked)
    }

    /// A node drawn uniformly from those in `scope` that keep both limits, taken.
    fn random(&mut self, scope: Scope, rng: &mut Rng) -> Option<Node> {
        let within = |r: usize| match scope {
            Scope::Any => true,
            Scope::Rack(x) => r == x,
            Scope::OffRack(x) => r != x,
        };
        let total: u64 = (0..self.topo.racks.len()).filter(|r| within(*r)).map(|r| self.free(r) as u64).sum();
        if total == 0 {
            return None;
        }
        let mut k = rng.below(total);
        for rack in (0..self.topo.racks.len()).filter(|r| within(*r)) {
            let free = self.free(rack) as u64;
            if k >= free {
                k -= free;
                continue;
            }
            // The k-th index (from 0) of the rack that is not taken.
            let mut left = k as u32;
            let mut index = 0;
            loop {
                if !self.blocked(&Node { rack, index }) {
                    if left == 0 {
                        break;
                    }
                    left -= 1;
                }
                index += 1;
            }
            let node = Node { rack, index };
            self.chosen.push(node);
            return Some(node);
        }
        None
    }

    /// `chooseRemoteRack`: off `rack`, else on it.
    fn remote(&mut self, rack: usize, rng: &mut Rng) -> Option<Node> {
        self.random(Scope::OffRack(rack), rng).or_else(|| self.random(Scope::Rack(rack), rng))
    }

    /// `chooseLocalRack`: on `rack`, else on the rack of the first replica that is not
    /// `local` (`chooseFromNextRack`), else anywhere.
    fn local(&mut self, rack: usize, local: Option<Node>, rng: &mut Rng) -> Option<Node> {
        if let Some(n) = self.random(Scope::Rack(rack), rng) {
            return Some(n);
        }
        if let Some(next) = self.chosen.iter().find(|n| Some(**n) != local).map(|n| n.rack) {
            if let Some(n) = self.random(Scope::Rack(next), rng) {
                return Some(n);
            }
        }
        self.random(Scope::Any, rng)
    }
}

/// The replicas of one new block, first first: `rf` of them, fewer when the cluster or the
/// rack limit leaves fewer.
pub fn place(topo: &Topology, rf: u32, writer: Writer, rng: &mut Rng) -> Vec<Node> {
    place_more(topo, rf, writer, &[], &[], rng)
}

/// The replicas to add to a block that has `existing` ones, `rf` in all, none on an
/// `excluded` or dead node (HDFS's `chooseTarget` with chosen nodes, as for re-replication or
/// a pipeline's replacement): it goes on from the step the existing replicas reached. A
/// writer that is a data node but excluded or dead counts as a machine on its rack.
pub fn place_more(
    topo: &Topology,
    rf: u32,
    writer: Writer,
    existing: &[Node],
    excluded: &[Node],
    rng: &mut Rng,
) -> Vec<Node> {
    let total = rf.min(topo.live_nodes());
    let mut p = Placing { topo, chosen: existing.to_vec(), excluded, max: topo.max_per_rack(total) };
    let new = |p: Placing| p.chosen[existing.len().min(p.chosen.len())..].to_vec();
    if total as usize <= existing.len() {
        return Vec::new();
    }
    let first = match p.chosen.first() {
        Some(n) => *n,
        None => {
            let first = match writer {
                Writer::Node(n) if !excluded.contains(&n) && !topo.dead.contains(&n) => {
                    p.chosen.push(n);
                    Some(n)
                }
                Writer::Node(n) => p.local(n.rack, None, rng),
                Writer::Rack(r) => p.local(r, None, rng),
                Writer::Off => p.random(Scope::Any, rng),
            };
            let Some(first) = first else { return new(p) };
            first
        }
    };
    if total >= 2 && p.chosen.len() < 2 && p.remote(first.rack, rng).is_none() {
        return new(p);
    }
    if total >= 3 && p.chosen.len() < 3 {
        let second = p.chosen[1];
        let third = if second.rack == first.rack {
            p.remote(first.rack, rng)
        } else if existing.is_empty() {
            p.local(second.rack, Some(second), rng)
        } else {
            // Not a new block (re-replication, a pipeline's replacement): the writer's rack,
            // the writer being the first replica when there is none (`chooseTarget` with
            // chosen nodes: `if (writer == null && !newBlock) writer = results.get(0)`).
            let (rack, local) = match writer {
                Writer::Node(n) => (n.rack, Some(n)),
                Writer::Rack(r) => (r, None),
                Writer::Off => (first.rack, Some(first)),
            };
            p.local(rack, local, rng)
        };
        if third.is_none() {
            return new(p);
        }
    }
    while (p.chosen.len() as u32) < total && p.random(Scope::Any, rng).is_some() {}
    new(p)
}

/// Whether a block's replicas keep the rule's spread (HDFS's `verifyBlockPlacement`, which
/// `BlockManager.isPlacementPolicySatisfied` asks): on two racks or more, or on every rack that
/// has a live node when fewer have one. A block of one replica needs one rack.
pub fn spread(topo: &Topology, rf: u32, replicas: &[Node]) -> bool {
    let racks = (0..topo.racks.len()).filter(|r| replicas.iter().any(|n| n.rack == *r)).count() as u32;
    racks >= rf.min(2) || racks >= topo.live_racks()
}

/// One more replica for a block whose replicas (`existing`, all on one rack) do not keep the
/// spread: HDFS schedules one more (`additionalReplRequired = 1`, "needed on a new rack") and
/// `chooseTarget` places it under the rack limit of R + 1, which the full rack is at. Here: a
/// random live node off that rack, not `excluded`.
pub fn place_on_another_rack(
    topo: &Topology,
    existing: &[Node],
    excluded: &[Node],
    rng: &mut Rng,
) -> Option<Node> {
    let rack = existing.first()?.rack;
    let mut p = Placing { topo, chosen: existing.to_vec(), excluded, max: u32::MAX };
    p.random(Scope::OffRack(rack), rng)
}

/// Which of a block's replicas to delete when it has more than `rf` (HDFS's
/// `chooseReplicasToDelete`, for `processExtraRedundancyBlock`): one at a time, from a rack that
/// holds the most of them. HDFS takes one from any rack that holds more than one (the fullest is
/// one of those), and from the others only when none does, so the block keeps its racks: it
/// leaves a rack only when every rack holds one replica, and then `rf` racks or more keep it.
/// Among the nodes of those racks, HDFS's `chooseReplicaToDelete` takes the one whose last
/// heartbeat is oldest, if any is older than the tolerated silence (a node that has likely
/// failed, not yet counted dead: deleting a running replica instead would leave the block
/// short); else the one with the least free space, all equal here, so a random one. `silent`
/// gives each replica's time since its last heartbeat, in step with `replicas`. (`fewest`, the
/// mutant's rule: from a rack that holds the fewest.)
pub fn excess(
    rf: u32,
    replicas: &[Node],
    silent: &[u64],
    tolerated: u64,
    fewest: bool,
    rng: &mut Rng,
) -> Vec<Node> {
    let mut left: Vec<(Node, u64)> =
        replicas.iter().enumerate().map(|(i, n)| (*n, silent.get(i).copied().unwrap_or(0))).collect();
    let mut out = Vec::new();
    while left.len() > rf as usize {
        let on_rack = |rack: usize| left.iter().filter(|n| n.0.rack == rack).count();
        let counts = left.iter().map(|n| on_rack(n.0.rack));
        let most = if fewest { counts.min() } else { counts.max() }.unwrap_or(0);
        let fullest: Vec<usize> = (0..left.len()).filter(|i| on_rack(left[*i].0.rack) == most).collect();
        let stalest = fullest.iter().copied().filter(|i| left[*i].1 > tolerated).max_by_key(|i| left[*i].1);
        let pick = stalest.unwrap_or_else(|| fullest[rng.below(fullest.len() as u64) as usize]);
        out.push(left.remove(pick).0);
    }
    out
}

/// What a placement breaks, if anything: a node twice, a rack over its limit, or (with the
/// writer a data node) a first replica elsewhere. The tests judge every placement with it.
pub fn broken(topo: &Topology, rf: u32, writer: Writer, replicas: &[Node]) -> Option<String> {
    let max = topo.max_per_rack(rf.min(topo.live_nodes()));
    for (i, n) in replicas.iter().enumerate() {
        if replicas[..i].contains(n) {
            return Some(format!("{} holds two replicas", topo.name(*n)));
        }
        if n.rack >= topo.racks.len() || n.index >= topo.racks[n.rack].nodes {
            return Some(format!("replica {i} is on no node of the cluster"));
        }
    }
    for r in 0..topo.racks.len() {
        let held = replicas.iter().filter(|n| n.rack == r).count() as u32;
        if held > max {
            return Some(format!(
                "rack r{} holds {held} replicas, over its limit of {max}",
                topo.racks[r].number
            ));
        }
    }
    match (writer, replicas.first()) {
        (Writer::Node(w), Some(first)) if *first != w => {
            Some(format!("the first replica is on {}, not on the writer {}", topo.name(*first), topo.name(w)))
        }
        (Writer::Rack(r), Some(first)) if first.rack != r => {
            Some(format!("the first replica is on {}, off the writer's rack", topo.name(*first)))
        }
        _ => None,
    }
}
