//! Kafka in the registry: what a user sets for a run. The configuration is the cluster's own
//! struct, [`Kafka`]; a document carries the fields a user sets.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::cluster::{Kafka, Mutant, ACKS_ALL};
use super::{scenarios, Strategy};
use crate::echo::Echo;
use crate::net::FaultPreset;
use crate::scenario::doc::{required, KafkaDoc, ScenarioDoc};
use crate::setup::{mutant_of, on_off, size, whole_u32, Drawing, Page, Registered};

/// The producer setting `acks` as documents, links and flags write it: "0", "1" or "all".
pub fn acks_name(acks: u8) -> &'static str {
    match acks {
        0 => "0",
        1 => "1",
        _ => "all",
    }
}

/// Read `acks`: "0", "1" or "all" (also "-1", the number Kafka's own clients use for all).
pub fn parse_acks(s: &str) -> Option<u8> {
    match s {
        "0" => Some(0),
        "1" => Some(1),
        "all" | "-1" => Some(ACKS_ALL),
        _ => None,
    }
}

/// Longest time between a producer's own records a document may ask for, in milliseconds.
pub const MAX_PRODUCE_EVERY_MS: u64 = 60_000;

impl Registered for Kafka {
    const NAME: &'static str = "kafka";
    const TITLE: &'static str = "Kafka";
    type Config = Kafka;

    fn presets() -> Vec<(&'static str, &'static str)> {
        scenarios::SCENARIOS.iter().map(|s| (s.name, s.title)).collect()
    }

    /// Kafka opens on the classic first program: a producer sends "hello", a consumer reads it.
    fn opening_preset() -> Option<&'static str> {
        Some("hello")
    }

    fn make(cfg: &Kafka, mutant: Option<&str>, preset: Option<&str>) -> Result<Kafka, String> {
        let mutant = mutant_of::<Kafka, _>(mutant, "Kafka", Mutant::parse)?;
        let mut k = Kafka { mutant, ..cfg.clone() };
        if let Some(name) = preset {
            k = scenarios::apply(name, k)?;
        }
        k.validate()?;
        Ok(k)
    }

    /// The fields a user sets (those a document carries, and the producers); the preset's
    /// timing, script and narration are not settings.
    fn settings(k: &Kafka) -> Kafka {
        Kafka {
            brokers: k.brokers,
            partitions: k.partitions,
            rf: k.rf,
            min_insync: k.min_insync,
            acks: k.acks,
            idempotence: k.idempotence,
            producers: k.producers,
            consumers: k.consumers,
            idle_consumers: k.idle_consumers,
            strategy: k.strategy,
            produce_every_us: k.produce_every_us,
            ..Kafka::default()
        }
    }

    fn export(k: &Kafka, doc: &mut ScenarioDoc) {
        doc.kafka = Some(KafkaDoc {
            brokers: k.brokers,
            partitions: k.partitions,
            rf: k.rf,
            min_insync: k.min_insync,
            acks: acks_name(k.acks).into(),
            consumers: k.consumers,
            idle_consumers: k.idle_consumers,
            strategy: k.strategy.name().into(),
            produce_every_ms: k.produce_every_us / 1000,
            idempotence: Some(k.idempotence),
        });
    }

    fn import(doc: &ScenarioDoc) -> Result<Kafka, String> {
        let d = required(doc.kafka.as_ref(), "kafka")?;
        // A document writes "all", never Kafka's "-1".
        let acks = parse_acks(&d.acks)
            .filter(|_| d.acks != "-1")
            .ok_or_else(|| format!("\"kafka.acks\" must be 0, 1 or all (got {})", Echo(&d.acks)))?;
        let strategy = Strategy::parse(&d.strategy).ok_or_else(|| {
            format!(
                "\"kafka.strategy\" must be range, roundrobin, sticky or cooperative-sticky (got {})",
                Echo(&d.strategy)
            )
        })?;
        if d.produce_every_ms > MAX_PRODUCE_EVERY_MS {
            return Err(format!("\"kafka.produce_every_ms\" must be at most {MAX_PRODUCE_EVERY_MS}"));
        }
        Ok(Kafka {
            brokers: d.brokers,
            partitions: d.partitions,
            rf: d.rf,
            min_insync: d.min_insync,
            acks,
            consumers: d.consumers,
            idle_consumers: d.idle_consumers,
            strategy,
            produce_every_us: d.produce_every_ms * 1000,
            idempotence: d.idempotence.unwrap_or(true),
            ..Kafka::default()
        })
    }

    fn flag(k: &mut Kafka, name: &str, value: &str) -> Result<bool, String> {
        match name {
            "brokers" => k.brokers = size(name, value)?,
            // Only `distlab explore` takes it (its `--clients`).
            "producers" => k.producers = size(name, value)?,
            "partitions" => k.partitions = whole_u32(name, value)?,
            "rf" => k.rf = whole_u32(name, value)?,
            "min-insync" => k.min_insync = whole_u32(name, value)?,
            "consumers" => k.consumers = size(name, value)?,
            "idempotence" => k.idempotence = on_off(name, value)?,
            "acks" => {
                k.acks =
                    parse_acks(value).ok_or_else(|| format!("--acks must be 0, 1 or all (got {value:?})"))?
            }
            "strategy" => {
                k.strategy = Strategy::parse(value).ok_or_else(|| {
                    format!(
                        "--strategy must be range, roundrobin, sticky or cooperative-sticky (got {value:?})"
                    )
                })?
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn page() -> Page {
        Page {
            legend: &[
                "Produce",
                "ProduceResponse",
                "Fetch",
                "FetchResponse",
                "LeaderAndIsr",
                "AlterPartition",
                "JoinGroup",
                "SyncGroup",
                "OffsetCommit",
                "ConsumerFetch",
            ],
            colour_note: "a produced record's colour: its key (grey: no key)",
            drawing: Drawing::Columns(["producer", "broker", "consumer"]),
            log_note: "",
            // Kafka's clients and brokers talk every few tens of milliseconds: start faster.
            speed_log: 0.5,
            compare: false,
            glossary: &[
                ("p0, p1 …", "the topic's partitions: each an ordered log with its own leader broker and followers."),
                ("★", "the partition's leader replica: producers write to it and consumers read from it."),
                ("ISR", "in-sync replicas: the leader and the followers that have fetched up to its log end recently. Only they may become leader (unless unclean election is allowed)."),
                ("LEO", "log end offset: the offset after a replica's last record."),
                ("HW", "high watermark: the offset up to which every in-sync replica has the records. Consumers read only below it; with acks=all a record is acknowledged once it is below it."),
                ("acks", "when the leader answers the producer: 0 never waits, 1 once the leader has the record, all once every in-sync replica has it."),
                ("min.insync.replicas", "with acks=all, writes are refused while the ISR is smaller than this."),
                ("epoch", "the partition's leader epoch: it grows with every new leader, and fences the old one. (A change of the ISR alone moves only the partition epoch, which fences stale ISR requests.)"),
                ("generation", "the consumer group's rebalance number: every completed rebalance starts a new generation, and commits from an older one are refused."),
                ("eager · cooperative", "rebalancing protocols: eager revokes every partition before reassigning; cooperative (KIP-429) revokes only those that move, in a second rebalance, so the rest keep being read."),
                ("lag", "how many records of a partition the group has not yet read (HW minus the committed offset)."),
            ],
            hues: crate::setup::Hues::None,
        }
    }

    /// Three brokers, one partition replicated on all three, one producer that sends only
    /// what the explorer gives it, no consumers.
    fn explore_settings(k: &mut Kafka) {
        (k.brokers, k.partitions, k.rf, k.min_insync) = (3, 1, 3, 2);
        (k.producers, k.consumers, k.idle_consumers, k.produce_every_us) = (1, 0, 0, 0);
    }

    fn bench() -> (Kafka, FaultPreset) {
        (Kafka::default(), FaultPreset::Heavy)
    }
}

impl crate::explorable::Explorable for Kafka {
    fn symmetric(&self, _requests: u32) -> Result<Vec<Vec<crate::protocol::NodeId>>, &'static str> {
        Err("a partition's replica list orders the brokers (its first is the preferred leader)")
    }
    fn round(&self, node: &super::node::Node) -> u64 {
        use super::node::Node;
        match node {
            Node::Controller(c) => c.partitions.iter().map(|p| p.leader_epoch as u64).max().unwrap_or(0),
            Node::Broker(b) => b.replicas.iter().flatten().map(|r| r.hard.epoch as u64).max().unwrap_or(0),
            Node::Producer(_) | Node::Consumer(_) => 0,
        }
    }
    /// Keyed records for the producers in turn: `k0 a`, `k0 b`, … (one key: one partition).
    fn requests(&self, n: u32) -> Vec<(crate::protocol::NodeId, String)> {
        let producers = self.producers.max(1);
        (0..n.min(if self.producers == 0 { 0 } else { 26 }))
            .map(|i| {
                let producer = crate::protocol::NodeId((self.brokers + 1 + i as usize % producers) as u32);
                (producer, format!("k0 {}", (b'a' + i as u8) as char))
            })
            .collect()
    }
    fn cluster(&self) -> (usize, usize) {
        (self.brokers, self.producers + self.consumers)
    }
    /// They bound how long a LeaderAndIsr takes to arrive (8 broker sessions) and a rebalance
    /// (10 group sessions).
    fn unjudged(&self) -> &'static [&'static str] {
        &["replicas-informed", "group-settles"]
    }
}
