//! Named Kafka scenarios: a configuration, a timed script and one line of narration per step.
//! The first is the classic first program: a producer sends `b'hello'` to `my_topic` and a
//! consumer reads it.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::assign::Strategy;
use super::config::Kafka;
use super::types::{ClientOp, Text8};
use crate::lesson::{Cue, Step};
use crate::protocol::{NodeId, ScriptAction, Target, Time};

pub struct ScenarioInfo {
    pub name: &'static str,
    pub title: &'static str,
}

pub const SCENARIOS: &[ScenarioInfo] = &[
    ScenarioInfo { name: "hello", title: "Hello: one producer, one broker, one consumer" },
    ScenarioInfo { name: "failover", title: "A leader is cut off and crashes: leaders move within the ISR" },
    ScenarioInfo {
        name: "acks-one-loss",
        title: "acks=1: the leader answers alone, crashes, and the record is lost",
    },
    ScenarioInfo { name: "retry-once", title: "An answer lost, a leader gone: the retry is written once" },
    ScenarioInfo {
        name: "high-watermark",
        title: "A cut-off leader's records: consumers read below the high watermark",
    },
    ScenarioInfo { name: "gc-pause", title: "A consumer's GC pause outlasts its session" },
    ScenarioInfo { name: "add-partition", title: "Add a partition: keys move, the group rebalances" },
    ScenarioInfo { name: "join-eager", title: "A consumer joins: eager rebalance (range)" },
    ScenarioInfo { name: "join-cooperative", title: "A consumer joins: cooperative rebalance (KIP-429)" },
];

fn ms(t: u64) -> Time {
    Time::from_ms(t)
}

fn step(cue: Cue, text: &str) -> Step {
    Step::new(cue, text)
}

/// The n-th consumer (from 1) of a configuration.
fn consumer(k: &Kafka, n: usize) -> Target {
    Target::Node(NodeId((k.brokers + k.producers + n) as u32))
}

/// `failover` and `acks-one-loss`: the same scripted fault under the configuration's `acks`.
/// B1 leads p0. A network fault cuts B1 and the producer off from B2, B3 and the controller; the
/// producer sends r4 to p0 (key k2), which B1 appends but no follower can fetch; B1 crashes
/// before the fault heals. With acks=1, B1 acknowledged r4 alone, and the clean election of B2
/// loses it on every seed; with acks=all, B1 never answered, and the producer's retry is
/// acknowledged by B2. The producer sends only the scripted records, so r4 is the one in flight
/// when B1 is cut off.
fn failover(base: Kafka) -> Result<Kafka, String> {
    use ScriptAction::*;
    let k = Kafka { producers: 1, produce_every_us: 0, ..base };
    let producer = Target::Node(NodeId(k.brokers as u32 + 1));
    let record = |key: u32, text: &str| -> Result<ScriptAction<ClientOp>, String> {
        Ok(Client(producer.clone(), ClientOp::Produce { key: Some(key), text: Some(Text8::new(text)?) }))
    };
    // murmur2 puts k2 on p0 and k3 on p1, of three partitions.
    let script = vec![
        (ms(300), record(2, "r1")?),
        (ms(500), record(3, "r2")?),
        (ms(700), record(2, "r3")?),
        (ms(1000), Isolate(Target::Node(NodeId(0)), vec![NodeId(k.brokers as u32 + 1)])),
        (ms(1010), record(2, "r4")?),
        (ms(1060), Crash(Target::Node(NodeId(0)))),
        (ms(1100), Heal),
        (ms(1400), record(2, "r5")?),
        (ms(1700), record(3, "r6")?),
        (ms(2000), record(2, "r7")?),
        (ms(2300), record(2, "r8")?),
        (ms(2500), Restart(Target::Node(NodeId(0)))),
    ];
    let narration = if k.acks == 1 {
        vec![
            step(Cue::Start, "The failover preset's cluster and crash, with acks=1: a leader answers the producer as soon as it has appended a record. B1 leads p0. The producer sends r1 to r3, which the followers copy within milliseconds."),
            step(Cue::Partition, "A network fault cuts B1 and the producer off from B2, B3 and the controller."),
            step(Cue::Deliver("Produce"), "The producer's r4 (key k2) reaches p0's leader, B1, which appends it. No follower can fetch it."),
            step(Cue::Says("producer acknowledged"), "With acks=1, B1 answers at once: r4 is acknowledged, though no follower has it."),
            step(Cue::Crash, "B1 crashes before any follower could fetch r4."),
            step(Cue::Violation, "The controller misses B1's heartbeats and elects B2 from the ISR: a clean election. B2 never had r4, so an acknowledged record is gone, and the checker names it (acks1-not-lost). Kafka promises nothing more for acks=1: the failover preset runs the same crash with acks=all."),
        ]
    } else {
        vec![
            step(Cue::Start, "Three brokers, three partitions, three replicas each; acks=all and min.insync.replicas=2. B1 leads p0. The producer sends r1 to r3; each is acknowledged once every in-sync replica has it."),
            step(Cue::Partition, "A network fault cuts B1 and the producer off from B2, B3 and the controller."),
            step(Cue::Deliver("Produce"), "The producer's r4 (key k2) reaches p0's leader, B1, which appends it, but no follower can fetch it: the high watermark stays put, and with acks=all B1 does not answer."),
            step(Cue::Crash, "B1 crashes."),
            step(Cue::Heal, "The network heals."),
            step(Cue::Says("p0: leader"), "The controller has missed B1's heartbeats: it declares B1 dead and elects B2 from the ISR (a new leader epoch). B2 never had r4, but nobody was told r4 was written: no acknowledged record is lost (the acks-one-loss preset runs this crash with acks=1)."),
            step(Cue::Says("producer acknowledged at p0"), "The producer's request timed out; it asked for the leaders again and sent r4 to B2, which acknowledges it once B3 has it too."),
            step(Cue::Restart, "B1 restarts: it truncates its own copy of r4 where its log diverges from B2's (leader epochs), catches up, and rejoins the ISR."),
        ]
    };
    Ok(Kafka { script, narration, ..k })
}

/// One partition on three brokers, acks=all, min.insync.replicas=2 and one consumer, whatever
/// the base says: the cluster of the lessons where a leader fails under one partition's records.
fn one_partition_on_three(base: Kafka) -> Kafka {
    Kafka {
        brokers: 3,
        partitions: 1,
        rf: 3,
        min_insync: 2,
        acks: super::cluster::ACKS_ALL,
        consumers: 1,
        idle_consumers: 0,
        ..base
    }
}

/// `retry-once`: an idempotent producer (KIP-98) sends r4; B1 appends it and its followers copy
/// it, but the network cuts the producer off before B1's answer arrives, and B1 crashes. The
/// controller elects B2, which holds r4 at offset 3. Once the network heals, the producer
/// sends r4 again with the same stamp, and B2 answers with offset 3 instead of appending it a
/// second time: it knows the producer's sequence numbers from its log, copies included. With
/// the mutant `sequences-not-replicated` it knows only its own appends, and r4 is written
/// twice.
fn retry_once(base: Kafka) -> Result<Kafka, String> {
    use ScriptAction::*;
    let k = Kafka { idempotence: true, producers: 1, produce_every_us: 0, ..one_partition_on_three(base) };
    let producer = NodeId(k.brokers as u32 + 1);
    let record = |text: &str| -> Result<ScriptAction<ClientOp>, String> {
        Ok(Client(Target::Node(producer), ClientOp::Produce { key: Some(1), text: Some(Text8::new(text)?) }))
    };
    // r4 reaches B1 within 15 ms (the network's longest delay); B1 answers only once both
    // followers have fetched it and fetched again, later than that; the cut at 16 ms drops
    // the answer on its way.
    let script = vec![
        (ms(300), record("r1")?),
        (ms(500), record("r2")?),
        (ms(700), record("r3")?),
        (ms(1000), record("r4")?),
        (ms(1016), Isolate(Target::Node(producer), vec![])),
        (ms(1100), Crash(Target::Node(NodeId(0)))),
        (ms(1500), Heal),
        (ms(2200), Restart(Target::Node(NodeId(0)))),
    ];
    let broken = k.mutant == Some(super::config::Mutant::SequencesNotReplicated);
    let mut narration = vec![
        step(Cue::Start, "One partition, p0, on three brokers, B1 leading; acks=all, and the producer is idempotent (Kafka's default since 3.0). It first asked the controller for a producer id. Every record it sends carries that id, an epoch and the partition's next sequence number: r1 is sequence 0, r2 is 1, r3 is 2."),
        step(Cue::Partition, "The producer has sent r4, sequence 3, and B1 has appended it; its followers fetch it next. But the network now cuts the producer off, so B1's answer will never reach it."),
        step(Cue::Crash, "B1 crashes. B2 and B3 had copied r4: it is committed at offset 3, but the producer was never told."),
        step(Cue::Says("p0: leader"), "The controller misses B1's heartbeats and elects B2 from the ISR. B2's log holds r4, copied with its stamp: producer id, epoch, sequence 3."),
        step(Cue::Heal, "The network heals. The producer's request timed out long ago: it asks for the leaders again and sends r4 again, to B2, with the same stamp."),
        step(Cue::Says("producer acknowledged"), "B2 rebuilt what it knows of each producer from its log, records it copied included: sequence 3 is r4 at offset 3. It answers with that offset and appends nothing. One r4 in the log, and the consumer reads it once.")
            .breaking("sequences-not-replicated"),
        step(Cue::Restart, "B1 restarts and catches up from B2: every replica holds r4 once, at offset 3. Without idempotence (Advanced: untick it) the retry is appended again, and the checker says so (no-duplicates), though Kafka promises no more then."),
    ];
    if broken {
        narration.truncate(5);
        narration.push(step(Cue::Violation, "With sequences-not-replicated, B2 knows only the records it appended as leader: it takes r4 for a new record and appends it again, at offset 4. The checker names it: no-duplicates. The consumer will read r4 twice."));
    }
    Ok(Kafka { script, narration, ..k })
}

/// Apply a named scenario to a configuration (the scenario sets the cluster; the mutant stays).
pub fn apply(name: &str, base: Kafka) -> Result<Kafka, String> {
    use ScriptAction::*;
    let mutant = base.mutant;
    let k = match name {
        "hello" => {
            let k = Kafka {
                brokers: 1,
                partitions: 1,
                rf: 1,
                min_insync: 1,
                producers: 1,
                consumers: 1,
                idle_consumers: 0,
                produce_every_us: 0,
                ..Kafka::default()
            };
            let hello = ClientOp::Produce { key: None, text: Some(Text8::new("hello")?) };
            Kafka {
                script: vec![(ms(200), Client(Target::Node(NodeId(2)), hello))],
                narration: vec![
                    step(Cue::Start, "Broker B1 holds my_topic's only partition, p0; the controller makes B1 its leader. Consumer C1 joins its group."),
                    step(Cue::Says("group rebalanced"), "C1 is in the group (generation 1), and the group gives it p0."),
                    step(Cue::Deliver("Produce"), "The producer's \"hello\" reaches B1. It has no key, so the sticky partitioner picked the partition: p0. B1 appends it at offset 0."),
                    step(Cue::Says("producer acknowledged"), "With one replica the high watermark moves at once, and the producer is acknowledged."),
                    step(Cue::Says("consumer read"), "C1 fetches p0 and reads \"hello\". The next lesson grows it to three brokers, each partition on all three, and fails its leader; or set brokers, partitions and replication yourself under Advanced."),
                ],
                ..k
            }
        }
        "failover" => failover(base)?,
        "acks-one-loss" => failover(Kafka { acks: 1, ..base })?,
        "retry-once" => retry_once(base)?,
        "high-watermark" => {
            // One partition, so every record goes to the leader that is cut off; the lesson
            // needs acks=all and a quorum-sized ISR, whatever the base says.
            let k = Kafka { producers: 2, produce_every_us: 30_000, ..one_partition_on_three(base) };
            // B1 leads p0; the producers and C1 follow the brokers and the controller.
            let side = vec![NodeId(4), NodeId(5), NodeId(6)];
            Kafka {
                script: vec![(ms(1000), Isolate(Target::Node(NodeId(0)), side)), (ms(1500), Heal)],
                narration: vec![
                    step(Cue::Start, "One partition, p0, on three brokers; acks=all and min.insync.replicas=2. B1 leads it; two producers write to it and consumer C1 reads it."),
                    step(Cue::Partition, "A network partition cuts B1, with both producers and C1, off from the controller, B2 and B3. B1's ISR still has three members, so it takes the producers' records, but no follower fetches them: the high watermark stays put, nobody is acknowledged, and C1, which reads only below the high watermark, reads nothing new."),
                    step(Cue::Says("p0: leader"), "The controller misses B1's heartbeats, declares it dead and elects B2 from the ISR. B2 never had B1's new records."),
                    step(Cue::Heal, "The partition heals. B1 learns that B2 leads, and its next fetch is told where their logs diverge: it truncates the records only it had. The producers retry on B2; C1, dropped by the group coordinator meanwhile, rejoins."),
                    step(Cue::Says("producer acknowledged"), "B2 acknowledges the retries, at offsets where B1 had held other records. C1 never saw those: it reads only below the high watermark. With the consume-uncommitted mutant it read them while B1 was cut off, and the checker flagged its first read above the high watermark, of a record that was then replaced."),
                ],
                ..k
            }
        }
        "gc-pause" => {
            let k = Kafka { consumers: 2, idle_consumers: 0, ..base };
            Kafka {
                script: vec![(ms(1000), Client(consumer(&k, 1), ClientOp::Pause(600)))],
                narration: vec![
                    step(Cue::Start, "Two consumers share three partitions; each heartbeats to the coordinator every 50 ms."),
                    step(Cue::Says("pause for"), "C1 stops for 600 ms: a long garbage-collection pause. It sends nothing and reads nothing."),
                    step(Cue::Says("group rebalanced"), "Its 200 ms session ran out: the coordinator removed C1 and rebalanced, and C2 now has all the partitions."),
                    step(Cue::Timer("end of pause"), "C1 wakes, still believing it owns its partitions."),
                    step(Cue::Deliver("UnknownMemberId"), "The coordinator no longer knows it: its commit is refused and its heartbeat answered UNKNOWN_MEMBER_ID (fencing). C1 gives up its partitions and rejoins."),
                    step(Cue::Says("group rebalanced"), "The group rebalances again, with both consumers."),
                ],
                ..k
            }
        }
        "add-partition" => {
            let k = Kafka { consumers: 2, idle_consumers: 0, keys: 32, produce_every_us: 5_000, ..base };
            Kafka {
                script: vec![(ms(1000), Client(Target::Node(NodeId(k.brokers as u32)), ClientOp::AddPartition))],
                narration: vec![
                    step(Cue::Start, "my_topic has three partitions; keyed records go to murmur2(key) mod 3."),
                    step(Cue::Says("the topic now has"), "The operator adds a fourth partition. The controller places its replicas, elects a leader, and tells the clients."),
                    step(Cue::Says("group rebalanced"), "The group's leader member sees a partition its assignment left out and rejoins, asking for a rebalance (no member's subscription changed, so only the leader can notice). The group rebalances so that somebody consumes p3."),
                    step(Cue::Says("consumer read p3"), "Keys now go to murmur2(key) mod 4: most keys changed partition (see the table), so per-key order across the change is lost. Here the first record on p3 is read: with no committed offset, from its start, as with auto.offset.reset=earliest (Kafka's default, latest, would skip what was written before)."),
                ],
                ..k
            }
        }
        "join-eager" | "join-cooperative" => {
            let strategy = if name == "join-eager" { Strategy::Range } else { Strategy::CooperativeSticky };
            let k = Kafka { partitions: 6, consumers: 3, idle_consumers: 1, strategy, ..base };
            let narration = if strategy == Strategy::Range {
                vec![
                    step(Cue::Start, "Six partitions; consumers C1 and C2 share them, assigned by range (an eager protocol). C3 waits outside the group."),
                    step(Cue::Says("group rebalanced"), "Generation 1: three partitions each for C1 and C2."),
                    step(Cue::Says("join the group"), "C3 joins: the coordinator starts a rebalance and tells C1 and C2."),
                    step(Cue::Says("group rebalanced"), "Eager: C1 and C2 committed their offsets, gave up all their partitions and rejoined; nobody read until now. Generation 2: two partitions each, resumed from the committed offsets. One rebalance, but everyone stopped: compare join-cooperative."),
                ]
            } else {
                vec![
                    step(Cue::Start, "Six partitions; consumers C1 and C2 share them, assigned by cooperative-sticky (KIP-429). C3 waits outside the group."),
                    step(Cue::Says("group rebalanced"), "Generation 1: three partitions each for C1 and C2."),
                    step(Cue::Says("join the group"), "C3 joins: the coordinator starts a rebalance. C1 and C2 rejoin listing the partitions they own, and go on reading them."),
                    step(Cue::Says("group rebalanced"), "Generation 2: the target gives each consumer two partitions, but C3 gets none yet: a partition C1 or C2 still owns is only taken away. C1 and C2 commit the revoked partitions and give them up; they read the rest without a pause, and rejoin at once."),
                    step(Cue::Says("group rebalanced"), "Generation 3: nobody owns the revoked partitions now, so they go to C3, which resumes them from the committed offsets. Two rebalances, and C1 and C2 never stopped reading what they kept."),
                ]
            };
            Kafka { script: vec![(ms(1000), Client(consumer(&k, 3), ClientOp::Join))], narration, ..k }
        }
        other => {
            let names: Vec<&str> = SCENARIOS.iter().map(|s| s.name).collect();
            return Err(format!("unknown Kafka scenario \"{other}\"; known: {}", names.join(", ")));
        }
    };
    Ok(Kafka { mutant, ..k })
}
