//! The file system's presets: a data node dies and its blocks are copied back to three; a
//! whole rack fails and no block is lost; a pipeline loses a node mid-write and is rebuilt; two
//! clients write one file, one at a time, by its lease.
//!
//! Each preset's narration is a lesson whose steps name the events they explain (see
//! `crate::lesson`). A step that invites the reader to switch a mutant on offers it; with that
//! mutant on, the narration follows the steps up to the break, then what the mutant does.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::kv::KvOp;
use crate::lesson::{Cue, Step};
use crate::protocol::{NodeId, ScriptAction, Target, Time};

use super::types::{ClientOp, Dfs, Mutant};

/// The presets: (name, title).
pub const SCENARIOS: &[(&str, &str)] = &[
    ("node-dies", "A data node dies: the blocks it held are copied back to three replicas"),
    ("rack-fails", "A whole rack fails at once, and no block is lost"),
    ("pipeline-break", "A pipeline loses a node mid-write and is rebuilt around it"),
    ("one-writer", "One writer per file: a second writer waits for the first's lease"),
];

fn client(d: &Dfs, i: usize) -> Target {
    Target::Node(NodeId((d.first_client() + i) as u32))
}

/// The data node with index `i` on rack `r` (both from 0).
fn data(d: &Dfs, rack: usize, i: u32) -> Target {
    Target::Node(d.node_at(super::placement::Node { rack, index: i }))
}

fn write(file: &str, v: u64) -> ClientOp {
    ClientOp(KvOp::Put(file.into(), v))
}

fn read(file: &str) -> ClientOp {
    ClientOp(KvOp::Get(file.into()))
}

pub fn apply(name: &str, base: Dfs) -> Result<Dfs, String> {
    let broken = |m: Mutant| base.mutant == Some(m);
    let at = Time::from_ms;
    match name {
        // Rack r1 is one node: the first replica of C1's file is surely there.
        "node-dies" => {
            let d = Dfs { racks: vec![1, 3, 3], rf: 3, clients: 2, think_ms: 0, ..base.clone() };
            let script = vec![
                (at(1_000), ScriptAction::Client(client(&d, 0), write("x", 7))),
                (at(1_100), ScriptAction::Client(client(&d, 1), write("y", 8))),
                (at(2_000), ScriptAction::Crash(data(&d, 0, 0))),
                (at(4_500), ScriptAction::Client(client(&d, 0), read("x"))),
            ];
            let narration = node_dies(broken(Mutant::NoReReplication));
            Ok(Dfs { script, narration, ..d })
        }
        "rack-fails" => {
            let d = Dfs { racks: vec![3, 3, 3], rf: 3, clients: 3, think_ms: 0, ..base.clone() };
            let mut script = vec![
                (at(1_000), ScriptAction::Client(client(&d, 0), write("x", 1))),
                (at(1_100), ScriptAction::Client(client(&d, 1), write("y", 2))),
                (at(1_200), ScriptAction::Client(client(&d, 2), write("z", 3))),
            ];
            script.extend((0..3).map(|i| (at(2_000), ScriptAction::Crash(data(&d, 0, i)))));
            script.push((at(2_500), ScriptAction::Client(client(&d, 1), read("x"))));
            let narration = rack_fails(broken(Mutant::OneRack));
            Ok(Dfs { script, narration, ..d })
        }
        "pipeline-break" => {
            let d = Dfs { racks: vec![1, 3, 3], rf: 3, clients: 1, think_ms: 0, ..base.clone() };
            let script = vec![
                (at(900), ScriptAction::Crash(data(&d, 0, 0))),
                (at(1_000), ScriptAction::Client(client(&d, 0), write("x", 5))),
                (at(3_000), ScriptAction::Client(client(&d, 0), read("x"))),
            ];
            Ok(Dfs { script, narration: pipeline_break(), ..d })
        }
        // C1 holds x's lease, waiting on a pipeline whose first node died, when the network
        // cuts it off; C2 waits two seconds for the lease, then takes x.
        "one-writer" => {
            let d = Dfs { racks: vec![1, 3, 3], rf: 3, clients: 2, think_ms: 0, ..base.clone() };
            let script = vec![
                (at(1_000), ScriptAction::Client(client(&d, 0), write("x", 1))),
                (at(1_050), ScriptAction::Client(client(&d, 1), write("x", 2))),
                (at(2_900), ScriptAction::Crash(data(&d, 0, 0))),
                (at(3_000), ScriptAction::Client(client(&d, 0), write("x", 3))),
                (at(3_200), ScriptAction::Isolate(client(&d, 0), Vec::new())),
                (at(3_400), ScriptAction::Client(client(&d, 1), write("x", 4))),
                (at(7_000), ScriptAction::Heal),
            ];
            let narration = one_writer(broken(Mutant::LeaseIgnored));
            Ok(Dfs { script, narration, ..d })
        }
        other => {
            let names: Vec<&str> = SCENARIOS.iter().map(|s| s.0).collect();
            Err(format!("unknown file system scenario \"{other}\"; known: {}", names.join(", ")))
        }
    }
}

const START: &str = "Three metadata servers (M1 to M3, a Raft group) keep the namespace: which block is each \
    file's. Data nodes on racks keep three replicas of each block. The Files board counts each file's replicas on \
    running nodes; the Data nodes board, which nodes the leader counts dead.";

fn node_dies(broken: bool) -> Vec<Step> {
    let mut steps = vec![
        Step::new(Cue::Start, &format!("{START} Rack r1 is small: one node, r1/n0. The client C1 runs on r1 too.")),
        Step::new(
            Cue::Deliver("Packet"),
            "C1 writes x. The metadata leader chose three data nodes by HDFS's rule (the first on the writer's rack, \
             so r1/n0; the second on another rack; the third beside the second) and logged the choice. C1 sends the \
             block to the first node; each node stores it and passes it down the pipeline.",
        ),
        Step::new(
            Cue::Says("x is now block"),
            "The acknowledgement came back up the whole pipeline: every node has the block. C1 asked the leader to \
             complete x, and the log says so: x is 3 of 3 on the Files board. (C2 writes a second file, y, the \
             same way.)",
        ),
        Step::new(
            Cue::Crash,
            "r1/n0 dies, taking a replica of x with it. Nobody tells the metadata servers: they notice only when its \
             heartbeats stop.",
        ),
        Step::new(
            Cue::Says("leader counts a data node dead"),
            "No heartbeat from r1/n0 for a second: it is counted dead. x is short of replicas: 2 of 3 on the Files \
             board, and so is any other file that had a replica there.",
        ),
        Step::new(
            Cue::Deliver("Copy"),
            "The leader ordered copies of the short blocks, each from a surviving replica to a node the placement rule \
             chose (at most two copies leave a node at once). A copy arrives: the node that takes it stores it and \
             reports it at once, and that file is back to 3 of 3 on the Files board, without a client doing anything. \
             The other copies follow.",
        )
        .breaking("no-re-replication"),
        Step::new(
            Cue::Deliver("BlockData"),
            "C1 reads x. The leader lists x's live replicas nearest C1 first (none is left on r1 now), and C1 reads x's \
             value, 7, from another rack.",
        ),
    ];
    if broken {
        steps.truncate(5);
        steps.push(Step::new(
            Cue::Violation,
            "With no-re-replication, the leader never orders a copy: x stays at 2 replicas on running nodes long \
             after the fault. re-replicated breaks: two more failures would now lose a block that three replicas \
             were meant to protect.",
        ));
    }
    steps
}

fn rack_fails(broken: bool) -> Vec<Step> {
    let mut steps = vec![
        Step::new(Cue::Start, &format!("{START} Three racks of three; C1 sits on r1, C2 on r2, C3 on r3.")),
        Step::new(
            Cue::Says("x is now block"),
            "C1 wrote x through a pipeline of three: one replica on C1's rack r1, the other two together on another \
             rack. Two racks, never one: the rule keeps at most two replicas of a block on any rack.",
        )
        .breaking("one-rack"),
        Step::new(
            Cue::Crash,
            "Rack r1 loses power: its three nodes go down at once. Some blocks had a replica on r1; none had \
             all three there.",
        ),
        Step::new(
            Cue::Deliver("BlockData"),
            "C2 reads x: the leader lists the replicas it still knows, nearest C2 first, and C2 reads x's value, 1, \
             from a rack that still runs.",
        ),
        Step::new(
            Cue::Says("leader counts a data node dead"),
            "A second without heartbeats: r1's nodes are counted dead, and every block that had a replica there is \
             short. The leader copies each from a surviving replica to a running node.",
        ),
        Step::new(
            Cue::Deliver("Copy"),
            "The first copy arrives, and its block is back to 3 of 3 on the Files board; the rest follow, all on the two \
             racks that run.",
        ),
    ];
    if broken {
        steps.truncate(2);
        steps.push(Step::new(
            Cue::Violation,
            "With one-rack, every replica of x went on r1, C1's rack. The rack's loss took all three at once: \
             acked-block-kept breaks. x was acknowledged to C1, and no running node has it.",
        ));
    }
    steps
}

fn pipeline_break() -> Vec<Step> {
    vec![
        Step::new(
            Cue::Start,
            &format!("{START} Rack r1 is one node, r1/n0, and the client C1 runs on r1 too. r1/n0 is about to die."),
        ),
        Step::new(
            Cue::Crash,
            "r1/n0 dies. For a second the metadata servers do not know: its last heartbeat is recent.",
        ),
        Step::new(
            Cue::Send("Packet"),
            "C1 writes x. The leader still counts r1/n0 alive and puts it first in the pipeline, as the rule says for \
             the writer's rack. C1 sends the block to a dead node.",
        ),
        Step::new(
            Cue::Says("gets 1 more"),
            "No acknowledgement came. C1 dropped r1/n0 from the pipeline and asked the leader to rebuild it: the \
             leader kept the two other nodes, added a replacement by the placement rule, and logged the new pipeline \
             with the block's next generation. Had r1/n0 kept a replica of the old generation, it would count for nothing \
             now: the leader and readers ask for the new one.",
        ),
        Step::new(
            Cue::Says("x is now block"),
            "C1 sent the block down the rebuilt pipeline, the acknowledgement came back, and x is complete: three \
             replicas, none on the dead node.",
        ),
        Step::new(
            Cue::Deliver("BlockData"),
            "C1 reads x and gets its value, 5, from the nearest replica that runs.",
        ),
    ]
}

fn one_writer(broken: bool) -> Vec<Step> {
    let mut steps = vec![
        Step::new(
            Cue::Start,
            &format!(
                "{START} C1 and C2 will both write the file x. HDFS lets one client write a file at a time: the \
                 writer holds the file's lease, and every request it makes to the metadata leader during the write renews it. The Files \
                 board's writer column names the holder."
            ),
        ),
        Step::new(
            Cue::Shows("waiting: C1 is writing x"),
            "C2 asked to write x while C1 was writing it. The leader answered that x is busy (HDFS's \
             AlreadyBeingCreatedException): the Files board names C1 as x's writer. C2 waits, then asks again.",
        )
        .breaking("lease-ignored"),
        Step::new(
            Cue::Says("x is now block"),
            "C1's block came back acknowledged from its whole pipeline and the leader completed x: x is 1, and C1 \
             has let the file go. When C2 asks again, x has no writer, and C2 gets it: x becomes 2.",
        ),
        Step::new(
            Cue::Crash,
            "r1/n0, the one data node on C1's rack, dies. The metadata servers will not know for a second.",
        ),
        Step::new(
            Cue::Partition,
            "C1 started writing x again (3) and holds the lease. Its pipeline begins at r1/n0, so C1 waits for an \
             acknowledgement that will not come; and now the network cuts C1 off. Its requests no longer reach the \
             leader, which still names C1 as x's writer.",
        ),
        Step::new(
            Cue::Shows("waiting: C1 is writing x"),
            "C2 asks to write x (4) and is told it is busy: the leader cannot tell a writer that is gone from a slow \
             one, so C2 waits for the lease to lapse.",
        ),
        Step::new(
            Cue::Says("handover to another client"),
            "Two seconds without a request from C1: its lease passed the soft limit. The leader logs x's handover to C2 \
             (HDFS's lease recovery; C1's unfinished block is abandoned); once it commits, the Files board names C2 as \
             the writer.",
        ),
        Step::new(Cue::Says("x is now block"), "C2's write completes: x is 4."),
        Step::new(
            Cue::Heal,
            "The network heals. C1's next request tells it that its block is stale: x was taken from it. C1 starts \
             its write of 3 over, as x's only writer now.",
        ),
        Step::new(Cue::Says("x is now block"), "C1's write completes at last: x is 3, one writer at a time."),
    ];
    if broken {
        steps.truncate(1);
        steps.push(Step::new(
            Cue::Violation,
            "With lease-ignored, the leader gave x to C2 while C1 was writing it, though a request from C1 had just \
             reached it: lease breaks. C1's block is abandoned mid-write, and the two writers can take the file from \
             each other in turn.",
        ));
    }
    steps
}
