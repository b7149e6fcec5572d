//! Named Multi-Paxos scenarios: a configuration, a timed script and narration.
//!
//! Each preset's narration is a lesson whose steps name the events they explain (see
//! `crate::lesson`): a role taken, a kind of message sent, a timer, a fault, or the words of one
//! record (a node "applies slot 3"). A step never states a time; the page shows the event's.
//! What a step says about the state at its event is checked on several seeds by the tests in
//! `lessons.rs`.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::types::*;
use crate::kv::KvOp;
use crate::lesson::{Cue, Step};
use crate::protocol::{NodeId, ScriptAction, Target, Time};

pub struct ScenarioInfo {
    pub name: &'static str,
    pub title: &'static str,
}

pub const SCENARIOS: &[ScenarioInfo] = &[
    ScenarioInfo { name: "steady", title: "Phase 1 once, then one round trip per command" },
    ScenarioInfo {
        name: "leader-crash",
        title: "Leader crash: the new leader carries an accepted, unchosen value across",
    },
    ScenarioInfo {
        name: "dueling",
        title: "Dueling proposers without back-off: ballots climb, nothing is chosen",
    },
    ScenarioInfo { name: "dueling-backoff", title: "Dueling proposers with randomized back-off: one wins" },
    ScenarioInfo {
        name: "stale-leader",
        title: "A deposed leader's late Accepts are refused below the promise",
    },
    ScenarioInfo {
        name: "minority-accept",
        title: "A value only a minority accepted is not chosen: a learner asks the leader",
    },
    ScenarioInfo {
        name: "crash-after-choosing",
        title: "A chosen value outlives crashes because acceptors keep what they accepted",
    },
];

fn ms(t: u64) -> Time {
    Time::from_ms(t)
}

fn step(cue: Cue, text: &str) -> Step {
    Step::new(cue, text)
}

/// A request the script hands to a client.
fn put(client: NodeId, key: &str, value: u64) -> ScriptAction<ClientOp> {
    ScriptAction::Client(Target::Node(client), ClientOp::Kv(KvOp::Put(key.into(), value)))
}

/// The mutants the minority-accept and crash-after-choosing lessons invite the reader to
/// switch on.
pub const MINORITY_ACCEPT_MUTANT: &str = "learn-any-ballot";
pub const CRASH_AFTER_CHOOSING_MUTANT: &str = "forget-on-restart";

/// S1's ballot before the run, in the two presets that start from one.
const B11: Ballot = Ballot { round: 1, node: 0 };

/// The mutant the stale-leader lesson invites the reader to switch on.
pub const STALE_LEADER_MUTANT: &str = "accept-below-promise";

pub fn apply(name: &str, base: MultiPaxos) -> Result<MultiPaxos, String> {
    use ScriptAction::*;
    let mutant = base.mutant;
    let duel = |backoff: bool| MultiPaxos {
        servers: 3,
        clients: 1,
        backoff,
        first_election: vec![(NodeId(0), ms(100)), (NodeId(1), Time(101_000))],
        ..base.clone()
    };
    let mp = match name {
        "steady" => MultiPaxos { servers: 5, clients: 2, narration: steady(), ..base },
        "leader-crash" => {
            let c1 = NodeId(5);
            MultiPaxos {
                servers: 5,
                clients: 1,
                // The client sends only what the script gives it, so the slots are few and named.
                client_think_us: 0,
                first_election: vec![(NodeId(0), ms(50))],
                script: vec![
                    (ms(1), Crash(Target::Node(NodeId(4)))),
                    (ms(100), put(c1, "x", 1)),
                    (ms(200), put(c1, "y", 2)),
                    (ms(600), Isolate(Target::Node(NodeId(2)), vec![NodeId(3)])),
                    (ms(620), put(c1, "z", 3)),
                    (ms(700), Crash(Target::Node(NodeId(0)))),
                    (ms(700), Heal),
                    (ms(2_000), RestartAll),
                ],
                narration: leader_crash(),
                ..base
            }
        }
        "dueling" => MultiPaxos { narration: duel_lesson(), ..duel(false) },
        "dueling-backoff" => MultiPaxos { narration: duel_backoff(), ..duel(true) },
        "stale-leader" => MultiPaxos {
            servers: 3,
            clients: 3,
            client_think_us: 60_000,
            first_election: vec![(NodeId(0), ms(50))],
            script: vec![
                (ms(500), Isolate(Target::Node(NodeId(0)), vec![NodeId(3), NodeId(4)])),
                (ms(1300), Crash(Target::Leader)),
                (ms(1400), Heal),
                (ms(2400), RestartAll),
            ],
            narration: stale_leader(mutant == Some(Mutant::AcceptBelowPromise)),
            ..base
        },
        "minority-accept" => MultiPaxos {
            servers: 3,
            clients: 1,
            client_think_us: 0,
            // S3 alone accepted S1's no-op in slot 1 (b1.1): not chosen.
            initial: vec![(B11, vec![]), (B11, vec![]), (B11, vec![(1, B11)])],
            first_election: vec![(NodeId(1), ms(50)), (NodeId(0), ms(1_500)), (NodeId(2), ms(1_500))],
            script: vec![
                (ms(1), Isolate(Target::Node(NodeId(2)), vec![])),
                // C1 may try S3 first: its retry, 200 ms on, avoids S3.
                (ms(100), put(NodeId(3), "x", 1)),
                (ms(600), Heal),
            ],
            narration: minority_accept(mutant == Some(Mutant::LearnAnyBallot)),
            ..base
        },
        "crash-after-choosing" => MultiPaxos {
            servers: 3,
            clients: 1,
            client_think_us: 0,
            // S1 and S2 accepted S1's no-op in slot 1 (b1.1): chosen. S3's Accept was lost.
            initial: vec![(B11, vec![(1, B11)]), (B11, vec![(1, B11)]), (B11, vec![])],
            first_election: vec![(NodeId(2), ms(200)), (NodeId(0), ms(1_500)), (NodeId(1), ms(1_500))],
            script: vec![
                (ms(1), Crash(Target::Node(NodeId(0)))),
                (ms(50), Crash(Target::Node(NodeId(1)))),
                (ms(100), Restart(Target::Node(NodeId(1)))),
                (ms(400), put(NodeId(3), "x", 1)),
            ],
            narration: crash_after_choosing(mutant == Some(Mutant::ForgetOnRestart)),
            ..base
        },
        other => {
            let names: Vec<&str> = SCENARIOS.iter().map(|s| s.name).collect();
            return Err(format!("unknown Multi-Paxos scenario \"{other}\"; known: {}", names.join(", ")));
        }
    };
    Ok(MultiPaxos { mutant, ..mp })
}

fn steady() -> Vec<Step> {
    vec![
        step(Cue::Start, "Five servers, two clients. Nobody leads yet; election timers run down."),
        step(
            Cue::Timer("election"),
            "The first election timer fires: that server sends Prepare for every slot at once (phase 1), \
             with a ballot above any it has seen.",
        ),
        step(
            Cue::Role("leader"),
            "Promises from a majority: it leads. Phase 1 is done, for this slot and every later one, until \
             another ballot preempts it.",
        ),
        step(
            Cue::Send("Accept"),
            "A client's command reaches the leader: it takes the next free slot and sends Accept to all. \
             From now on each command costs this one round trip (phase 2).",
        ),
        step(
            Cue::Says("applies slot 1"),
            "A majority accepted slot 1, so its command is chosen: the leader applies it and answers the \
             client. Its next Accept or heartbeat tells the others how far the log is chosen.",
        ),
        step(
            Cue::Says("applies slot 10"),
            "Ten slots chosen and applied. The slot table shows what each acceptor accepted; the quorum \
             table, which majority promised and which accepted the latest slot.",
        ),
    ]
}

/// A value accepted by a minority, not chosen, when the leader dies: the new leader's phase 1
/// finds it and proposes it again in the same slot.
fn leader_crash() -> Vec<Step> {
    vec![
        step(
            Cue::Start,
            "Five servers and one client, C1, which sends only the requests of the script. S1's election \
             timer is set to fire first.",
        ),
        step(Cue::Crash, "S5 crashes. Four servers are up; a majority of five is still three."),
        step(
            Cue::Role("leader"),
            "S1 ran phase 1 and, with promises from a majority, leads in ballot b1.1, for every slot.",
        ),
        step(
            Cue::Says("S1 applies slot 1"),
            "C1's put x 1 reached S1, which proposed it in slot 1. A majority accepted it, so it is chosen: \
             S1 applies it and answers C1.",
        ),
        step(
            Cue::Partition,
            "The network splits: S3 and S4 are cut off. With S5 down, no side has a majority: S1 and S2 are \
             two of five, S3 and S4 too.",
        ),
        step(
            Cue::Send("Accept"),
            "C1 asks for put z 3. S1 proposes it in slot 3 and sends Accept to all, but only S1 and S2 can \
             accept it: two of five, so it is not chosen.",
        ),
        step(
            Cue::Crash,
            "S1 crashes. Slot 3 holds put z 3 at S2 (and at the crashed S1), accepted in ballot b1.1 but not \
             chosen; no server knows whether it was.",
        ),
        step(
            Cue::Heal,
            "The network heals. S2, S3 and S4 are up: exactly a majority, so the next leader's phase-1 \
             quorum must include S2.",
        ),
        step(
            Cue::Send("Prepare"),
            "A server times out and runs phase 1 with a higher ballot, for every slot from 3 on, the first \
             it does not know chosen.",
        ),
        step(
            Cue::Role("leader"),
            "Promises from S2, S3 and S4. S2's reports slot 3: put z 3, accepted in b1.1. The new leader \
             adopts it and proposes it again in slot 3, in its own ballot: the quorum table shows S2 carried \
             it across the change of leader.",
        ),
        step(
            Cue::Says("applies slot 3"),
            "A majority accepted slot 3 in the new ballot: put z 3, accepted under the old leader but never \
             chosen, is chosen now, in the same slot, and the new leader applies it.",
        ),
        step(
            Cue::Says("client gets #3"),
            "C1 had no answer, so it sent put z 3 again with the same request number, and the new leader \
             proposed it once more, in a later slot. The state machine applies a retried request only once: \
             C1's answer names slot 3, where its command was first chosen.",
        ),
        step(
            Cue::Restart,
            "S1 and S5 restart. Their promises, accepted values and the slots they knew chosen persisted; \
             the slots chosen while they were down they learn from the new leader.",
        ),
    ]
}

fn duel_lesson() -> Vec<Step> {
    vec![
        step(
            Cue::Start,
            "Three servers; S1's and S2's election timers are set to fire a millisecond apart. Back-off is \
             off.",
        ),
        step(Cue::Timer("election"), "S1's timer fires: it sends Prepare with ballot b1.1 for every slot."),
        step(
            Cue::Says("S2: election timer fires"),
            "S2's fires a millisecond later: Prepare with b1.2, higher than S1's. An acceptor promises the \
             highest ballot it has seen.",
        ),
        step(
            Cue::Says("Prepare (b2."),
            "Preempted by a higher ballot, a proposer without back-off starts phase 1 again at once, with a \
             higher round. Its Prepare preempts the other in turn.",
        ),
        step(
            Cue::Says("Prepare (b6."),
            "Round 6: each new ballot preempts the other proposer's phase 1 before it completes, or just \
             after it began to lead, before any Accept gathers a majority. Ballots climb; slots stay \
             unchosen.",
        ),
        step(
            Cue::Says("Prepare (b100."),
            "Round 100, and not one slot chosen: a livelock. Paxos stays safe, since nothing is chosen that \
             could conflict, but without back-off it makes no progress. The next preset adds back-off.",
        ),
    ]
}

fn duel_backoff() -> Vec<Step> {
    vec![
        step(
            Cue::Start,
            "The same duel, with randomized back-off: a proposer that meets a higher ballot gives up its own \
             and waits a random election timeout.",
        ),
        step(Cue::Timer("election"), "S1's timer fires: it sends Prepare with ballot b1.1 for every slot."),
        step(
            Cue::Says("S2: election timer fires"),
            "S2's fires a millisecond later: Prepare with b1.2, higher than S1's.",
        ),
        step(
            Cue::Role("leader"),
            "One of them completes phase 1 and leads. The other gives up its own ballot as soon as it meets \
             a higher one, and waits a random timeout instead of preempting back.",
        ),
        step(
            Cue::Says("applies slot 1"),
            "Slot 1 is chosen and applied: from now on commands are chosen one round trip each.",
        ),
    ]
}

/// A leader cut off keeps proposing; after the heal its old Accepts are refused below the
/// promise, or, with `broken` (accept-below-promise), accepted for a second value in a slot.
fn stale_leader(broken: bool) -> Vec<Step> {
    let mut steps = vec![
        step(
            Cue::Start,
            "Three servers, three busy clients. S1's election timer is set to fire first.",
        ),
        step(Cue::Role("leader"), "S1 leads; commands are chosen one round trip each."),
        step(
            Cue::Partition,
            "A partition cuts S1 off with clients C1 and C2. S1 still thinks it leads: it proposes their \
             commands in the next slots, but no majority hears its Accepts.",
        ),
        step(
            Cue::Role("leader"),
            "S2 and S3 stopped hearing S1, and one of them ran phase 1 with a higher ballot: it leads. Their \
             promises report nothing in the slots S1 used after the split, so the new leader fills those \
             slots with C3's commands, and S2 and S3, a majority, choose them.",
        ),
        step(
            Cue::Crash,
            "The new leader crashes. One acceptor of its majority is left, and it promised the higher \
             ballot.",
        ),
        step(
            Cue::Heal,
            "The partition heals. S1 still leads in its old ballot and will send its unanswered Accepts \
             again, but the surviving acceptor promised a higher ballot: it must refuse them. Had it \
             accepted, S1 would have a majority, itself and that acceptor, for a second value in a slot \
             already chosen.",
        )
        .breaking(STALE_LEADER_MUTANT),
    ];
    if broken {
        steps.push(step(
            Cue::Violation,
            "With accept-below-promise the survivor accepts S1's old ballot: S1 and the survivor, a \
             majority, accepted a second value in a slot that was already chosen. Agreement is broken.",
        ));
    } else {
        steps.extend([
            step(
                Cue::Send("Nack"),
                "Refused: a Nack, because the ballot is below the survivor's promise. S1's values in those \
                 slots are never chosen.",
            ),
            step(
                Cue::Role("follower"),
                "S1 steps down. Whoever runs phase 1 next keeps what was chosen while S1 was cut off: the \
                 survivor reports it with the higher ballot, which a new leader adopts.",
            ),
            step(Cue::Restart, "The crashed server restarts and learns the slots chosen while it was down."),
        ]);
    }
    steps
}

/// A no-op in slot 1 at S3 alone, from S1's old ballot: S2 chooses put x 1 there while S3 is
/// cut off; told slot 1 is chosen, S3 asks the leader, or, with `broken` (learn-any-ballot),
/// takes its own no-op.
fn minority_accept(broken: bool) -> Vec<Step> {
    let mut steps = vec![
        step(
            Cue::Start,
            "Three servers and a client. Before this run, S1 led in ballot b1.1 and sent Accept for slot 1 \
             (a no-op), but only S3 accepted it before S1 crashed; S1 is back. The slot table shows the \
             no-op at S3 alone: one acceptor of three, so nothing is chosen in slot 1.",
        ),
        step(Cue::Partition, "S3 is cut off from the others for a while."),
        step(
            Cue::Role("leader"),
            "S2's timer fires first: it runs phase 1 in ballot b2.2 and leads with promises from S1 and \
             itself. Neither reports anything in slot 1, so S2 may propose any value there.",
        ),
        step(
            Cue::Says("S2 applies slot 1"),
            "C1's put x 1 reaches S2, which proposes it in slot 1. S1 and S2 accept it, a majority: put x 1 \
             is chosen in slot 1, while S3 still holds its no-op there, from b1.1.",
        ),
        step(
            Cue::Heal,
            "The network heals. S2's next heartbeat tells S3 that every slot up to 1 is chosen. S3 \
             accepted a value in slot 1, but in b1.1, not in the leader's ballot: it cannot tell whether \
             that value was chosen, so it must ask.",
        )
        .breaking(MINORITY_ACCEPT_MUTANT),
    ];
    if broken {
        steps.push(step(
            Cue::Violation,
            "With learn-any-ballot S3 takes the no-op it accepted in b1.1 as slot 1's chosen value and \
             applies it: S3's slot 1 differs from the put x 1 that S1 and S2 chose. Same order is broken.",
        ));
    } else {
        steps.extend([
            step(Cue::Send("CatchUp"), "S3 asks the leader for the chosen values from slot 1 on."),
            step(
                Cue::Says("S3 applies slot 1"),
                "S2 answers with Chosen: put x 1. S3 applies it, so every replica's slot 1 holds the same \
                 command. Only an Accept in the leader's own ballot, or the leader's answer, tells a \
                 learner what was chosen.",
            ),
        ]);
    }
    steps
}

/// A no-op chosen in slot 1 by S1 and S2; S1 goes down, S2 crashes and restarts. S3's phase 1
/// with S2 finds the no-op and keeps it, or, with `broken` (forget-on-restart), S2 forgot it and
/// S3 chooses put x 1 in the same slot.
fn crash_after_choosing(broken: bool) -> Vec<Step> {
    let mut steps = vec![
        step(
            Cue::Start,
            "Three servers and a client. Before this run, S1 led in ballot b1.1 and S1 and S2 accepted its \
             no-op in slot 1: a majority, so the no-op is chosen there, though no learner has heard yet \
             (the slot table's last column shows what learners know). S3's Accept was lost.",
        ),
        step(Cue::Crash, "S1 crashes and stays down. S2 and S3 are still a majority of three."),
        step(Cue::Crash, "S2 crashes too."),
        step(
            Cue::Restart,
            "S2 restarts. An acceptor writes its promise and what it accepted to disk before it answers, so \
             S2 comes back still holding slot 1's no-op, accepted in b1.1.",
        )
        .breaking(CRASH_AFTER_CHOOSING_MUTANT),
    ];
    if broken {
        steps.extend([
            step(
                Cue::Role("leader"),
                "With forget-on-restart S2 came back empty. S3 runs phase 1 in ballot b2.3 and S2's promise \
                 reports nothing, so S3 leads believing slot 1 is free.",
            ),
            step(
                Cue::Violation,
                "C1's put x 1 is proposed in slot 1, and S2 and S3 accept it: a majority for a second value \
                 in a slot where a no-op was already chosen. Agreement is broken.",
            ),
        ]);
    } else {
        steps.extend([
            step(
                Cue::Role("leader"),
                "S3 runs phase 1 in ballot b2.3. Its majority is S2 and itself, and S2's promise reports slot \
                 1: the no-op, accepted in b1.1. S3 adopts it and proposes it again in slot 1.",
            ),
            step(
                Cue::Says("S3 applies slot 2"),
                "C1's put x 1 takes the next free slot, 2, and is chosen there. The no-op chosen before the \
                 crashes stays chosen in slot 1: any majority S3 could have gathered includes S1 or S2, and \
                 both kept it on disk.",
            ),
        ]);
    }
    steps
}
