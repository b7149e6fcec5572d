//! Named Raft scenarios from the paper and the thesis, each a configuration, a timed script and
//! one line of narration per step. Every scenario runs on any seed; the narration says what to
//! look for, and the page shows the line whose time has come.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::types::*;
use crate::lesson::{Cue, Step};
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
    ScenarioInfo {
        name: "stale-local-read",
        title: "Local reads: a deposed leader that does not know it answers a stale read",
    },
];

fn ms(t: u64) -> Time {
    Time::from_ms(t)
}

fn step(cue: Cue, text: &str) -> Step {
    Step::new(cue, text)
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
            narration: vec![
                step(Cue::Start, "Five servers start as followers, each with a random election timeout: the ring around a server runs down to it."),
                step(Cue::Timer("election"), "The first timeout fires: that server becomes a candidate for term 1, votes for itself and sends RequestVote to the others."),
                step(Cue::Role("leader"), "It has votes from a majority (3 of 5): it leads term 1 and sends heartbeats, which keep the others' timers from firing."),
                step(Cue::Says("client gets"), "The client's write went to the leader, was copied to a majority and committed: the client has its answer. In the logs, committed entries have a solid border."),
                step(Cue::Crash, "The leader crashes. No more heartbeats: the followers' election timers run down."),
                step(Cue::Timer("election"), "The first follower to time out becomes a candidate for term 2. Four servers are up, and 3 of 5 is still a majority."),
                step(Cue::Role("leader"), "It wins: the new leader of term 2. The client's next request is redirected to it, and committed entries are all still there."),
                step(Cue::Restart, "The old leader restarts from its disk: its term (still 1), its vote and its log survived; its commit index did not (0). It is a follower and waits to hear from a leader."),
                step(Cue::LogsAgree, "The new leader's heartbeat made it a follower of term 2, and the leader sent it the entries it missed: every log now ends at the same entry, with the same commit index."),
            ],
            ..base
        },
        "split-vote" => Raft {
            servers: 4,
            clients: 0,
            first_election_us: vec![150_000, 151_000, 400_000, 400_000],
            narration: vec![
                step(Cue::Start, "S1 and S2 are set to time out almost together (at 150 and 151 ms); S3 and S4 much later."),
                step(Cue::Timer("election"), "S1 times out: a candidate for term 1, it votes for itself and asks the others."),
                step(Cue::Timer("election"), "S2 times out before S1's request reaches it: a second candidate for term 1, with its own vote. Each refuses the other."),
                step(Cue::Deliver("Vote"), "Replies arrive. S3 and S4 each grant their one vote to the request that reached them first. A candidate needs 3 of 4: if S3 and S4 chose different candidates, nobody wins term 1."),
                step(Cue::Role("leader"), "A leader at last. Look at its term: 2 means term 1 was a split vote, and a fresh random timeout let one server start term 2 before the other. 1 means S3 and S4 happened to pick the same candidate on this seed."),
            ],
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
                narration: vec![
                    step(Cue::Start, "Five servers; the client writes through whichever server leads."),
                    step(Cue::Role("leader"), "A leader is elected, and the client's writes commit through it."),
                    step(Cue::Partition, "The leader and the client are cut off from the four other servers: the leader is now a minority of one."),
                    step(Cue::Deliver("ClientRequest"), "The old leader still takes the client's writes, but cannot copy them to a majority: they stay uncommitted (dashed in the logs) and the client gets no answer."),
                    step(Cue::Role("leader"), "On the majority side a follower times out and wins a majority (3 of 5 votes) in a higher term: two servers think they lead, but only this one can commit."),
                    step(Cue::Heal, "The network heals."),
                    step(Cue::Role("follower"), "The stale leader hears the higher term and steps down. Its uncommitted entries are overwritten by the new leader's log; nothing committed is lost."),
                ],
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
            narration: vec![
                step(Cue::Start, "Figure 7 of the Raft paper: S1's log (top) and six followers (a–f) with missing and extra entries."),
                step(Cue::Timer("election"), "S1 times out first and asks for votes in term 8. A server votes only for a log at least as up to date as its own: S5 refuses, its last entry is of term 7, later than S1's 6; S4 refuses, its log also ends in term 6 but is longer."),
                step(Cue::Role("leader"), "S1 wins with a majority and appends a no-op of term 8. It starts sending each follower the entries after where it guesses their logs match."),
                step(Cue::Says("mismatch"), "A follower whose log does not match at that point refuses; its reply says where its log ends or which term conflicts, so S1 can skip back a whole term at a time."),
                step(Cue::LogsAgree, "Every log now matches the leader's: missing entries were filled in, and the extra entries (c's and d's, e's of term 4, and f's from terms 2–3) were overwritten. None of those was ever committed."),
            ],
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
            narration: if mutant == Some(Mutant::CommitOldTerm) {
                vec![
                    step(Cue::Start, "Figure 8 (c), with the 'commit-old-term' mutant on. S1 holds entry 2 from term 2; S5 holds a different entry 2 from term 3."),
                    step(Cue::Crash, "S5 is down for now."),
                    step(Cue::Role("leader"), "S1 wins term 4 with votes from S2–S4. With the mutant it adds no entry of its own term: it only sends entry 2 (term 2) to the followers that lack it."),
                    step(Cue::Says("commit 2"), "Entry 2 is on a majority now, and the mutant commits it by counting replicas alone, though it is from an old term: commit index 2."),
                    step(Cue::Crash, "S1 crashes."),
                    step(Cue::Restart, "S5 restarts. Its entry 2 is from term 3."),
                    step(Cue::Timer("election"), "S5 times out and asks for votes in term 5. Its last log term, 3, is later than S2–S4's last term, 2: their logs look older, so they vote for it."),
                    step(Cue::Violation, "S5 leads term 5 without the committed entry 2, and will overwrite it everywhere: leader completeness is broken. Step on (→) to watch the overwrite.")
                        .breaking("commit-old-term"),
                    step(Cue::LogsAgree, "Done: every log now holds S5's entry 2 from term 3. An entry that was committed, and perhaps answered to a client, is gone."),
                ]
            } else {
                vec![
                    step(Cue::Start, "Figure 8 (c) of the Raft paper: S1 holds entry 2 from term 2; S5 holds a different entry 2 from term 3."),
                    step(Cue::Crash, "S5 is down for now."),
                    step(Cue::Role("leader"), "S1 wins term 4 with votes from S2–S4. It appends a no-op of its own term 4 after entry 2 and sends both to the followers that lack them."),
                    step(Cue::Says("commit 3"), "Entry 2 and the no-op are on a majority. S1 commits up to index 3, through the term-4 entry: a leader commits an old-term entry only by committing one of its own term after it.")
                        .breaking("commit-old-term"),
                    step(Cue::Crash, "S1 crashes."),
                    step(Cue::Restart, "S5 restarts. Its entry 2 is from term 3."),
                    step(Cue::Timer("election"), "S5 times out and asks for votes in term 5. A majority holds the term-4 no-op, a later last term than S5's 3: they refuse, and S5 cannot win. Committed entry 2 is safe."),
                    step(Cue::Role("leader"), "Later a server that holds the term-4 entry times out and wins. The new leader's log has entry 2 of term 2, so it stays committed."),
                ]
            },
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
                    vec![
                        step(Cue::Start, "PreVote and CheckQuorum are on."),
                        step(Cue::Role("leader"), "A leader is elected."),
                        step(Cue::Partition, "A follower is cut off from everyone."),
                        step(Cue::Timer("election"), "Its election timer fires. With PreVote it first asks whether it could win, without raising its term: nobody answers, so its term stays where it was."),
                        step(Cue::Heal, "The network heals."),
                        step(Cue::Deliver("Heartbeat"), "The leader's heartbeats reach it again and it follows: no election, no disruption, the leader keeps its term."),
                    ]
                } else {
                    vec![
                        step(Cue::Start, "PreVote and CheckQuorum are off."),
                        step(Cue::Role("leader"), "A leader is elected."),
                        step(Cue::Partition, "A follower is cut off from everyone."),
                        step(Cue::Timer("election"), "Its election timer fires: it becomes a candidate in a new term. Nobody can hear it, so it times out again and again, one term higher each time."),
                        step(Cue::Heal, "The network heals."),
                        step(Cue::Role("follower"), "Its high term reaches the leader, which must step down: an election nobody needed, and the cluster takes no writes until it is over."),
                        step(Cue::Role("leader"), "A new leader, in a term above the rejoined server's. (The rejoined server cannot win itself: its log is behind.)"),
                    ]
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
            narration: vec![
                step(Cue::Start, "Three members serve a client; S4 is a spare server, not yet a member."),
                step(Cue::Role("leader"), "A leader is elected among the three; majorities are 2 of 3."),
                step(Cue::Says("add server"), "The operator asks the leader to add S4. The leader first copies its log to S4, which does not vote yet, so a slow newcomer cannot stall commits."),
                step(Cue::Role("follower"), "S4 has caught up and the leader has appended the new configuration: S4 is a member. Each server uses a configuration as soon as it has it, so majorities are now 3 of 4."),
            ],
            ..base
        },
        "snapshot-install" => Raft {
            servers: 3,
            clients: 1,
            client_think_us: 20_000,
            snapshot_every: 8,
            script: vec![(ms(500), Crash(Target::Follower)), (ms(3000), RestartAll)],
            narration: vec![
                step(Cue::Start, "Servers compact their logs into a snapshot every 8 applied entries."),
                step(Cue::Role("leader"), "A leader is elected and the client's writes commit."),
                step(Cue::Crash, "A follower crashes. The others keep committing, and compact away the entries it is missing."),
                step(Cue::Restart, "It restarts, far behind. The entries it needs next are no longer in the leader's log: only in its snapshot."),
                step(Cue::Deliver("InstallSnapshot"), "So the leader sends InstallSnapshot: the follower replaces its state with the snapshot (▦ in the logs) and goes on from the log after it."),
                step(Cue::LogsAgree, "Caught up: every server's log ends at the same entry, with the same commit index."),
            ],
            ..base
        },
        "leader-transfer" => Raft {
            servers: 5,
            clients: 1,
            script: vec![(ms(1200), Client(Target::Leader, ClientOp::TransferLeadership(None)))],
            narration: vec![
                step(Cue::Start, "Five servers."),
                step(Cue::Role("leader"), "A leader is elected."),
                step(Cue::Says("transfer leadership"), "The operator asks the leader to hand over. It stops taking writes, and once a follower's log is as long as its own, it sends that follower TimeoutNow."),
                step(Cue::Deliver("TimeoutNow"), "The target starts an election at once, without waiting for its timeout, and the others grant their votes: its log is as up to date as theirs. (With CheckQuorum or PreVote on, a server that just heard from a leader ignores a request for votes, unless it is marked as a transfer, as this one is.)"),
                step(Cue::Role("leader"), "The target leads the next term; the old leader is a follower, and the client is redirected."),
            ],
            ..base
        },
        "read-index" => Raft {
            servers: 3,
            clients: 2,
            read_mode: ReadMode::ReadIndex,
            narration: vec![
                step(Cue::Start, "Reads use ReadIndex: a get never enters the log."),
                step(Cue::Role("leader"), "A leader is elected."),
                step(Cue::Says(": get "), "A client sends a get. The leader notes its commit index, confirms it still leads with one round of heartbeats, waits until it has applied up to that index, then answers."),
                step(Cue::Says("client gets"), "Answers come back. Compare the log view: the gets took no entries; only puts, deletes and compare-and-sets did."),
            ],
            ..base
        },
        "lease-reads" => Raft {
            servers: 3,
            clients: 2,
            read_mode: ReadMode::Lease,
            check_quorum: true,
            script: vec![(ms(1500), Isolate(Target::Leader, vec![NodeId(3)])), (ms(3500), Heal)],
            narration: vec![
                step(Cue::Start, "Reads use a leader lease: while a majority has acknowledged a heartbeat sent less than 0.9 of the minimum election timeout ago, no other leader can exist yet."),
                step(Cue::Role("leader"), "A leader is elected. It answers gets at once while its lease holds: no heartbeat round and no log entry."),
                step(Cue::Partition, "The leader is cut off with client C1."),
                step(Cue::Role("leader"), "The others time out and elect a new leader. By then the old leader's lease had run out, so it answered C1 no stale read."),
                step(Cue::Heal, "Heal. A lease is only safe while clocks keep close to true time: the lease-slow-clock preset shows a leader whose slow clock keeps serving from an expired lease."),
            ],
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
                narration: vec![
                    step(Cue::Start, "Lease reads with CheckQuorum, as in the lease-reads preset: the leader answers gets at once while its lease lasts."),
                    step(Cue::Says("get x → "), "C2 wrote x = 1 and C1 read it back, straight from the leader's lease."),
                    step(Cue::Says("clock now runs"), "The leader's clock slows to a tenth of true time (+900 %). It measures its lease on that clock."),
                    step(Cue::Partition, "The leader is cut off with C1."),
                    step(Cue::Role("leader"), "The others stop hearing from it and, after a minimum election timeout on their own clocks, elect a new leader."),
                    step(Cue::Says("put x 2 → ok"), "C2 writes x = 2 through the new leader (its first try, at the old leader, timed out), and the write is acknowledged."),
                    step(Cue::Violation, "C1 reads x from the old leader. By its slow clock the lease still holds, so it answers x = 1. C2's write of 2 had finished before C1's read began, so no order of the two operations explains reading 1: the history is not linearizable."),
                    step(Cue::Heal, "A lease is safe only while clocks keep to a bound: with a lease of 0.9 of the minimum election timeout, every clock within ±5 % of true time. Try the same run with a skew of +5 %."),
                ],
                ..base
            }
        }
        "stale-local-read" => {
            let (c1, c2) = (Target::Node(NodeId(3)), Target::Node(NodeId(4)));
            let kv = |op: KvOp| ClientOp::Kv(op);
            Raft {
                servers: 3,
                clients: 2,
                read_mode: ReadMode::Local,
                client_think_us: 0,
                script: vec![
                    (ms(300), Client(c2.clone(), kv(KvOp::Put("x".into(), 1)))),
                    (ms(600), Client(c1.clone(), kv(KvOp::Get("x".into())))),
                    (ms(900), Isolate(Target::Leader, vec![NodeId(3)])),
                    (ms(1500), Client(c2, kv(KvOp::Put("x".into(), 2)))),
                    (ms(2000), Client(c1, kv(KvOp::Get("x".into())))),
                    (ms(2600), Heal),
                ],
                narration: vec![
                    step(Cue::Start, "Reads in 'local' mode: the leader answers a get from its own copy at once, without checking that it still leads. Fast, and it looks harmless."),
                    step(Cue::Says("get x → "), "C2 wrote x = 1; C1 read it back. So far every answer is current."),
                    step(Cue::Partition, "The leader is cut off from the other two servers, together with client C1, which can still reach it."),
                    step(Cue::Role("leader"), "The two others are a majority: one times out and is elected leader of a higher term. The old leader does not know yet, and still thinks it leads."),
                    step(Cue::Says("put x 2 → ok"), "C2 writes x = 2 through the new leader. It commits, and C2 is told it is done."),
                    step(Cue::Violation, "C1 reads x from the old leader, which answers from its own copy: x = 1. C2's write of 2 finished before C1's read began, so in any order that respects real time the read comes after the write and must return 2. No order explains 1: the history is not linearizable, and the checker names the stale read."),
                    step(Cue::Heal, "The network heals; the old leader steps down and catches up. The stale answer was already given. In 'log', 'readindex' or (with sound clocks) 'lease' mode the old leader could not have answered without a majority's confirmation."),
                ],
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
