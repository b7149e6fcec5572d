//! Named Multi-Paxos scenarios: a configuration, a timed script and narration.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::types::*;
use crate::lesson::Step;
use crate::protocol::{NodeId, ScriptAction, Target, Time};

pub struct ScenarioInfo {
    pub name: &'static str,
    pub title: &'static str,
}

pub const SCENARIOS: &[ScenarioInfo] = &[
    ScenarioInfo { name: "steady", title: "Phase 1 once, then one round trip per command" },
    ScenarioInfo { name: "leader-crash", title: "Leader crash: the new leader adopts what may be chosen" },
    ScenarioInfo {
        name: "dueling",
        title: "Dueling proposers without back-off: ballots climb, nothing is chosen",
    },
    ScenarioInfo { name: "dueling-backoff", title: "Dueling proposers with randomized back-off: one wins" },
    ScenarioInfo {
        name: "stale-leader",
        title: "A deposed leader's late Accepts are refused below the promise",
    },
];

fn ms(t: u64) -> Time {
    Time::from_ms(t)
}

fn narrate(lines: &[(u64, &str)]) -> Vec<Step> {
    crate::lesson::timed(lines)
}

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
        "steady" => MultiPaxos {
            servers: 5,
            clients: 2,
            narration: narrate(&[
                (0, "Five servers, two clients. Nobody leads yet; election timers run down."),
                (150, "The first to time out sends Prepare for every slot at once (phase 1) and collects promises from a majority."),
                (400, "Now each command costs one round trip: Accept to all, chosen when a majority accepted. The leader's next Accept or heartbeat tells the others how far the log is chosen; a learner that lacks a value asks for it (CatchUp, answered with Chosen)."),
                (1000, "The slot table fills; the quorum table shows which majority promised and which accepted the latest slot."),
            ]),
            ..base
        },
        "leader-crash" => MultiPaxos {
            servers: 5,
            clients: 2,
            script: vec![(ms(1200), Crash(Target::Leader)), (ms(2600), RestartAll)],
            narration: narrate(&[
                (0, "Five servers elect a leader with phase 1 and serve two clients."),
                (1200, "The leader crashes, possibly with values accepted by some acceptors but not yet known chosen."),
                (1400, "A follower times out and runs phase 1 with a higher ballot; each promise reports what that acceptor accepted."),
                (1500, "The new leader adopts, per slot, the value with the highest ballot reported (see who carried it), fills gaps with no-ops, and re-proposes them."),
                (2600, "The old leader restarts: its promise and accepted values persisted; it relearns the chosen slots from the new leader."),
            ]),
            ..base
        },
        "dueling" => MultiPaxos {
            narration: narrate(&[
                (0, "Three servers; S1 and S2 time out almost together (100 ms and 101 ms). Back-off is off."),
                (100, "S1 sends Prepare; a millisecond later S2 sends a higher one. Each acceptor promises the higher ballot it sees."),
                (130, "Rejected, each proposer retries at once with a still higher ballot, preempting the other's phase 1 or phase 2."),
                (600, "Watch the ballots climb while slots stay unchosen: the duel is a livelock. Paxos stays safe, but makes no progress."),
            ]),
            ..duel(false)
        },
        "dueling-backoff" => MultiPaxos {
            narration: narrate(&[
                (0, "The same duel, with randomized back-off: a proposer that meets a higher ballot waits a random time."),
                (100, "S1 and S2 both send Prepare; one of them is preempted."),
                (130, "The loser backs off; the winner completes phase 1 and leads. Commands are chosen one round trip each."),
            ]),
            ..duel(true)
        },
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
            narration: narrate(&[
                (0, "Three servers, three busy clients. S1 times out first and leads; commands are chosen one round trip each."),
                (500, "A partition cuts S1 off with clients C1 and C2. S1 still thinks it leads: it proposes their commands in the next slots, but no majority hears its Accepts."),
                (700, "S2 and S3 stop hearing S1 and one of them runs phase 1 with a higher ballot. Their promises report nothing in S1's new slots, so the new leader fills them with C3's commands, and they are chosen."),
                (1300, "The new leader crashes. One acceptor of its majority is left, and it promised the higher ballot."),
                (1400, "The partition heals and S1 resends its old Accepts. The surviving acceptor refuses them (their ballot is below its promise), so S1's values are never chosen. Had it accepted, S1 would have a majority, itself and that acceptor, for a second value in a chosen slot: try the accept-below-promise mutant."),
                (1500, "Refused, S1 steps back. Whoever runs phase 1 next keeps what was chosen while S1 was cut off: the survivor knows it, and S1's promise reports it with the higher ballot, which a new leader adopts."),
                (2400, "The crashed server restarts and relearns the chosen slots."),
            ]),
            ..base
        },
        other => {
            let names: Vec<&str> = SCENARIOS.iter().map(|s| s.name).collect();
            return Err(format!("unknown Multi-Paxos scenario \"{other}\"; known: {}", names.join(", ")));
        }
    };
    Ok(MultiPaxos { mutant, ..mp })
}
