//! Named Raft scenarios from the paper and the thesis, each a configuration, a timed script and
//! one line of narration per step. Every scenario runs on any seed; the narration says what to
//! look for, and the page shows the line whose time has come.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::types::*;
use crate::lesson::Step;
use crate::protocol::{NodeId, ScriptAction, Target, Time};

/// A scenario preset: its name and a one-line title.
pub struct ScenarioInfo {
    pub name: &'static str,
    pub title: &'static str,
}

pub const SCENARIOS: &[ScenarioInfo] = &[
    ScenarioInfo { name: "leader-crash", title: "Leader crash and re-election" },
    ScenarioInfo { name: "split-vote", title: "Split vote: two candidates at once" },
    ScenarioInfo { name: "minority-partition", title: "A stale leader in a minority cannot commit" },
    ScenarioInfo { name: "figure-7", title: "Figure 7: a new leader brings divergent logs in line" },
    ScenarioInfo { name: "figure-8", title: "Figure 8: why old-term entries are not committed by counting" },
    ScenarioInfo { name: "rejoin-disrupts", title: "A partitioned node rejoins and disrupts (no PreVote)" },
    ScenarioInfo {
        name: "rejoin-prevote",
        title: "A partitioned node rejoins quietly (PreVote + CheckQuorum)",
    },
    ScenarioInfo { name: "add-server", title: "Add a server: catch up, then join" },
    ScenarioInfo { name: "snapshot-install", title: "A lagging follower gets a snapshot" },
    ScenarioInfo { name: "leader-transfer", title: "Leadership transfer" },
    ScenarioInfo { name: "read-index", title: "Linearizable reads without log writes (ReadIndex)" },
    ScenarioInfo { name: "lease-reads", title: "Lease reads: no round trip, but they trust the clocks" },
    ScenarioInfo { name: "lease-slow-clock", title: "A slow clock stretches a lease: a stale read" },
];

fn ms(t: u64) -> Time {
    Time::from_ms(t)
}

fn narrate(lines: &[(u64, &str)]) -> Vec<Step> {
    crate::lesson::timed(lines)
}

/// Apply a named scenario to a configuration (cluster sizes and extensions are the scenario's).
pub fn apply(name: &str, base: Raft) -> Result<Raft, String> {
    use ScriptAction::*;
    let mutant = base.mutant;
    let r = match name {
        "leader-crash" => Raft {
            servers: 5,
            clients: 1,
            script: vec![(ms(1200), Crash(Target::Leader)), (ms(2600), RestartAll)],
            narration: narrate(&[
                (0, "Five followers start with random election timeouts (the rings around them)."),
                (150, "The first timeout fires: that server becomes a candidate and asks for votes."),
                (400, "A leader sends heartbeats; the client's writes replicate and commit."),
                (1200, "The leader crashes. Followers stop hearing heartbeats; their timers run down."),
                (1400, "A follower times out, wins a majority in a higher term, and leads."),
                (2600, "The old leader restarts as a follower: its commit index starts from zero and it catches up."),
            ]),
            ..base
        },
        "split-vote" => Raft {
            servers: 4,
            clients: 0,
            first_election_us: vec![150_000, 151_000, 400_000, 400_000],
            narration: narrate(&[
                (0, "S1 and S2 have almost the same election timeout."),
                (150, "Both become candidates in term 1 and each votes for itself."),
                (170, "S3 and S4 vote for whichever request arrives first: neither candidate gets 3 of 4."),
                (300, "No leader this term. Each candidate re-draws a random timeout; the earlier one wins next time."),
            ]),
            ..base
        },
        "minority-partition" => {
            let client = NodeId(5);
            Raft {
                servers: 5,
                spares: 0,
                clients: 1,
                client_think_us: 60_000,
                script: vec![
                    (ms(1000), Isolate(Target::Leader, vec![client])),
                    (ms(3500), Heal),
                ],
                narration: narrate(&[
                    (0, "Five servers elect a leader; the client writes through it."),
                    (1000, "The leader and the client are cut off with no other server: a minority of one."),
                    (1100, "The old leader still accepts writes, but cannot replicate them to a majority: nothing commits."),
                    (1300, "The four others elect a new leader in a higher term; it commits on its side."),
                    (3500, "The network heals. The stale leader sees the higher term, steps down, and its uncommitted entries are replaced."),
                ]),
                ..base
            }
        }
        "figure-7" => Raft {
            servers: 7,
            clients: 0,
            initial_logs: vec![
                (7, vec![1, 1, 1, 4, 4, 5, 5, 6, 6, 6]),
                (7, vec![1, 1, 1, 4, 4, 5, 5, 6, 6]),
                (7, vec![1, 1, 1, 4]),
                (7, vec![1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6]),
                (7, vec![1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7]),
                (7, vec![1, 1, 1, 4, 4, 4, 4]),
                (7, vec![1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]),
            ],
            first_election_us: vec![20_000, 600_000, 600_000, 600_000, 600_000, 600_000, 600_000],
            narration: narrate(&[
                (0, "Figure 7: S1's log (top) and six followers (a–f) with missing and extra entries."),
                (20, "S1 times out first and asks for votes in term 8. S4 and S5 refuse: their logs are more up to date."),
                (40, "S1 wins with S2, S3, S6 and S7, and appends a no-op in term 8."),
                (60, "Followers missing entries (a, b, e) reject AppendEntries; the conflict hint lets S1 skip back a term at a time."),
                (150, "Extra entries on c and d, and f's entries from terms 2–3, are overwritten: every log now matches the leader's."),
            ]),
            ..base
        },
        "figure-8" => Raft {
            servers: 5,
            clients: 0,
            election_us: (150_000, 300_000),
            initial_logs: vec![(3, vec![1, 2]), (3, vec![1, 2]), (3, vec![1]), (3, vec![1]), (4, vec![1, 3])],
            first_election_us: vec![20_000, 900_000, 900_000, 900_000, 900_000],
            restart_election_us: vec![0, 0, 0, 0, 10_000],
            script: vec![
                (ms(1), Crash(Target::Node(NodeId(4)))),
                (ms(200), Crash(Target::Node(NodeId(0)))),
                (ms(210), Restart(Target::Node(NodeId(4)))),
            ],
            narration: narrate(&[
                (0, "Figure 8 (c): S1 holds entry 2 from term 2; S5, now down, holds a different entry 2 from term 3."),
                (20, "S1 is elected in term 4 and sends entry 2 (term 2) to S3: now a majority stores it."),
                (50, "Correct Raft: S1 also replicates its term-4 no-op and commits only through it. The 'commit-old-term' mutant commits entry 2 by counting replicas."),
                (200, "S1 crashes."),
                (210, "S5 restarts and times out almost at once. Its last term (3) beats S2–S4's (2) unless they hold the term-4 entry: with the mutant it wins and overwrites the 'committed' entry 2."),
            ]),
            ..base
        },
        "rejoin-disrupts" | "rejoin-prevote" => {
            let quiet = name == "rejoin-prevote";
            Raft {
                servers: 5,
                clients: 1,
                prevote: quiet,
                check_quorum: quiet,
                script: vec![(ms(800), Isolate(Target::Follower, vec![])), (ms(2600), Heal)],
                narration: if quiet {
                    narrate(&[
                        (0, "PreVote and CheckQuorum are on."),
                        (800, "A follower is cut off from everyone."),
                        (1000, "Its timer fires, but PreVote asks first: nobody answers, so its term does not grow."),
                        (2600, "The network heals. It hears the leader's heartbeat and follows: no election, no disruption."),
                    ])
                } else {
                    narrate(&[
                        (0, "PreVote and CheckQuorum are off."),
                        (800, "A follower is cut off from everyone."),
                        (1000, "Its election timer fires again and again: each time it increments its term."),
                        (2600, "The network heals. Its high term makes the leader step down: an election nobody needed."),
                    ])
                },
                ..base
            }
        }
        "add-server" => Raft {
            servers: 3,
            spares: 1,
            clients: 1,
            client_think_us: 40_000,
            script: vec![(ms(1500), Client(Target::Leader, ClientOp::AddServer(NodeId(3))))],
            narration: narrate(&[
                (0, "Three members serve a client; S4 is a spare server, not yet a member."),
                (1500, "The operator asks the leader to add S4. It first replicates the log to S4 as a non-voter."),
                (1600, "When S4 has caught up (a round shorter than an election timeout), the leader appends the new configuration."),
                (1700, "The configuration takes effect as soon as each server has it: majorities are now 3 of 4."),
            ]),
            ..base
        },
        "snapshot-install" => Raft {
            servers: 3,
            clients: 1,
            client_think_us: 20_000,
            snapshot_every: 8,
            script: vec![(ms(500), Crash(Target::Follower)), (ms(3000), RestartAll)],
            narration: narrate(&[
                (0, "Servers compact their logs into a snapshot every 8 applied entries."),
                (500, "A follower crashes. The others keep committing, and compact the entries it misses."),
                (3000, "It restarts. The entries it needs are gone from the leader's log, so the leader sends InstallSnapshot."),
                (3100, "The follower replaces its state with the snapshot and continues from the log after it."),
            ]),
            ..base
        },
        "leader-transfer" => Raft {
            servers: 5,
            clients: 1,
            script: vec![(ms(1200), Client(Target::Leader, ClientOp::TransferLeadership(None)))],
            narration: narrate(&[
                (0, "Five servers elect a leader."),
                (1200, "The operator asks the leader to hand over. It stops taking writes and brings the most up-to-date follower level."),
                (1250, "It sends TimeoutNow: the target starts an election at once, and the others vote even though they just heard a leader."),
                (1350, "The target leads the next term; clients are redirected to it."),
            ]),
            ..base
        },
        "read-index" => Raft {
            servers: 3,
            clients: 2,
            read_mode: ReadMode::ReadIndex,
            narration: narrate(&[
                (0, "Reads use ReadIndex: gets never enter the log."),
                (500, "For each get, the leader notes its commit index, confirms it still leads with one heartbeat round, then reads."),
                (1000, "Compare the log view: only puts, deletes and compare-and-sets take log entries."),
            ]),
            ..base
        },
        "lease-reads" => Raft {
            servers: 3,
            clients: 2,
            read_mode: ReadMode::Lease,
            check_quorum: true,
            script: vec![(ms(1500), Isolate(Target::Leader, vec![NodeId(3)])), (ms(3500), Heal)],
            narration: narrate(&[
                (0, "Reads use a leader lease: while a majority acknowledged a heartbeat sent less than ~0.9 × the minimum election timeout ago, no other leader can exist yet."),
                (500, "So the leader answers gets at once, with no heartbeat round and no log entry."),
                (1500, "The leader is cut off with client C1. Its lease runs out before the others can time out and elect a new leader, so C1 gets no stale read."),
                (3500, "Heal. This is only safe while clocks keep close to true time: the lease-slow-clock preset shows a leader whose slow clock keeps serving from an expired lease."),
            ]),
            ..base
        },
        "lease-slow-clock" => {
            let (c1, c2) = (Target::Node(NodeId(3)), Target::Node(NodeId(4)));
            let kv = |op: KvOp| ClientOp::Kv(op);
            let get = || kv(KvOp::Get("x".into()));
            Raft {
                servers: 3,
                clients: 2,
                read_mode: ReadMode::Lease,
                check_quorum: true,
                client_think_us: 0,
                script: vec![
                    (ms(300), Client(c2.clone(), kv(KvOp::Put("x".into(), 1)))),
                    (ms(700), Client(c1.clone(), get())),
                    (ms(1450), Skew(Target::Leader, 900)),
                    (ms(1500), Isolate(Target::Leader, vec![NodeId(3)])),
                    (ms(1700), Client(c2, kv(KvOp::Put("x".into(), 2)))),
                    (ms(2300), Client(c1.clone(), get())),
                    (ms(2450), Client(c1.clone(), get())),
                    (ms(2600), Client(c1, get())),
                    (ms(3500), Heal),
                ],
                narration: narrate(&[
                    (0, "Lease reads with CheckQuorum, as in the lease-reads preset: the leader answers gets at once while its lease lasts."),
                    (300, "C2 writes x = 1; C1 reads it back from the leader's lease."),
                    (1450, "The leader's clock slows to a tenth of true time (skew +900 %). It measures its lease on that clock."),
                    (1500, "The leader is cut off with C1. The others stop hearing from it and, after a minimum election timeout on their own clocks, elect a new leader."),
                    (1700, "C2 writes x = 2 through the new leader (after its first try at the old one times out)."),
                    (2300, "C1 reads x from the old leader. Its slow clock says the lease still holds, so it answers x = 1: a stale read, which the badge names."),
                    (2700, "A lease is safe only while clocks keep to a bound: with a lease of 0.9 of the minimum election timeout, every clock within ±5 % of true time. Try the same run with a skew of +5 %."),
                ]),
                ..base
            }
        }
        other => {
            let names: Vec<&str> = SCENARIOS.iter().map(|s| s.name).collect();
            return Err(format!("unknown Raft scenario \"{other}\"; known: {}", names.join(", ")));
        }
    };
    Ok(Raft { mutant, ..r })
}
