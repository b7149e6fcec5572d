//! SWIM in the registry: what a user sets for a run.

use alloc::string::String;
use alloc::vec::Vec;

use crate::net::FaultPreset;
use crate::protocol::NodeId;
use crate::scenario::doc::{ScenarioDoc, SwimDoc};
use crate::setup::{mutant_of, Drawing, Page, Registered};

use super::types::*;

/// A SWIM run's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub members: usize,
    pub detector: Detector,
    pub selection: Selection,
    pub period_ms: u64,
    pub ack_timeout_ms: u64,
    pub indirect: usize,
    /// The suspicion timeout in periods; `None`: the default for the group's size.
    pub suspicion: Option<u32>,
    pub retransmit: u32,
    pub heartbeat_periods: u32,
}

impl Default for Config {
    fn default() -> Self {
        Registered::settings(&Swim::default())
    }
}

impl Registered for Swim {
    const NAME: &'static str = "swim";
    const TITLE: &'static str = "Gossip";
    type Config = Config;

    fn presets() -> Vec<(&'static str, &'static str)> {
        super::SCENARIOS.to_vec()
    }

    fn opening_preset() -> Option<&'static str> {
        Some("crash-detected")
    }

    fn make(cfg: &Config, mutant: Option<&str>, preset: Option<&str>) -> Result<Swim, String> {
        let mutant = mutant_of::<Swim, _>(mutant, "SWIM", Mutant::parse)?;
        let mut sw = Swim {
            members: cfg.members,
            detector: cfg.detector,
            selection: cfg.selection,
            period_ms: cfg.period_ms,
            ack_timeout_ms: cfg.ack_timeout_ms,
            indirect: cfg.indirect,
            suspicion: cfg.suspicion,
            retransmit: cfg.retransmit,
            heartbeat_periods: cfg.heartbeat_periods,
            mutant,
            ..Swim::default()
        };
        if let Some(name) = preset {
            sw = super::apply_scenario(name, sw)?;
        }
        sw.validate()?;
        Ok(sw)
    }

    fn settings(sw: &Swim) -> Config {
        Config {
            members: sw.members,
            detector: sw.detector,
            selection: sw.selection,
            period_ms: sw.period_ms,
            ack_timeout_ms: sw.ack_timeout_ms,
            indirect: sw.indirect,
            suspicion: sw.suspicion,
            retransmit: sw.retransmit,
            heartbeat_periods: sw.heartbeat_periods,
        }
    }

    fn export(cfg: &Config, doc: &mut ScenarioDoc) {
        doc.swim = Some(SwimDoc {
            members: cfg.members,
            detector: cfg.detector.name().into(),
            selection: cfg.selection.name().into(),
            period_ms: cfg.period_ms,
            ack_timeout_ms: cfg.ack_timeout_ms,
            indirect: cfg.indirect,
            suspicion_periods: cfg.suspicion,
            retransmit: cfg.retransmit,
            heartbeat_periods: cfg.heartbeat_periods,
        });
    }

    fn import(doc: &ScenarioDoc) -> Result<Config, String> {
        let Some(d) = &doc.swim else {
            return Err(String::from("a SWIM scenario needs its \"swim\" settings"));
        };
        Ok(Config {
            members: d.members,
            detector: Detector::parse(&d.detector)
                .ok_or_else(|| alloc::format!("detector must be swim or heartbeat (got {:?})", d.detector))?,
            selection: Selection::parse(&d.selection).ok_or_else(|| {
                alloc::format!("selection must be round-robin or random (got {:?})", d.selection)
            })?,
            period_ms: d.period_ms,
            ack_timeout_ms: d.ack_timeout_ms,
            indirect: d.indirect,
            suspicion: d.suspicion_periods,
            retransmit: d.retransmit,
            heartbeat_periods: d.heartbeat_periods,
        })
    }

    fn flag(cfg: &mut Config, name: &str, value: &str) -> Result<bool, String> {
        use crate::setup::{size, whole, whole_u32};
        match name {
            "members" | "servers" => cfg.members = size(name, value)?,
            "detector" => {
                cfg.detector = Detector::parse(value)
                    .ok_or_else(|| alloc::format!("--detector must be swim or heartbeat (got {value:?})"))?
            }
            "selection" => {
                cfg.selection = Selection::parse(value).ok_or_else(|| {
                    alloc::format!("--selection must be round-robin or random (got {value:?})")
                })?
            }
            "period-ms" => cfg.period_ms = whole(name, value)?,
            "ack-timeout-ms" => cfg.ack_timeout_ms = whole(name, value)?,
            "indirect" => cfg.indirect = size(name, value)?,
            "suspicion" => cfg.suspicion = Some(whole_u32(name, value)?),
            "retransmit" => cfg.retransmit = whole_u32(name, value)?,
            "heartbeat-periods" => cfg.heartbeat_periods = whole_u32(name, value)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn page() -> Page {
        Page {
            legend: &["Ping", "Ack", "PingReq", "Heartbeat"],
            colour_note: "message colour: orange carries a suspicion, vermilion a death; any other, its type's",
            drawing: Drawing::Circle,
            log_note: "",
            speed_log: 0.0,
            compare: false,
            glossary: &[
                ("protocol period", "the interval T in which every member pings one other member (200 ms here)."),
                ("Ping / Ack", "\"are you alive?\" and \"yes\". An ack must come back within the ack timeout."),
                ("PingReq", "an indirect probe: \"ping this member for me\", sent to k others when a direct ping goes unanswered, so one bad link does not condemn a member."),
                ("suspect", "a member whose probe failed: not yet dead. It has a suspicion timeout to refute."),
                ("#n", "an incarnation number. Only its owner raises it, to refute a suspicion or after a restart; news at a higher incarnation overrides news at a lower one."),
                ("dead", "confirmed failed: the suspicion timeout passed without a refutation. Nobody probes it any more (but every ten periods a member pings one it believes dead, to find healed partitions)."),
                ("piggyback", "news (alive, suspect, dead) carried on pings and acks rather than in messages of its own, each item sent λ·log n times: infection-style dissemination."),
                ("round-robin", "each member probes the others in an order shuffled every round, so a failure is probed within two rounds."),
                ("heartbeat", "the traditional detector: every member tells every other it is alive each period; n² messages."),
            ],
            hues: crate::setup::Hues::None,
        }
    }

    /// Three members, round-robin: small enough to visit every interleaving of a few periods.
    fn explore_settings(cfg: &mut Config) {
        cfg.members = 3;
    }

    fn bench() -> (Config, FaultPreset) {
        (Config { members: 32, ..Config::default() }, FaultPreset::Light)
    }
}

impl crate::explorable::Explorable for Swim {
    fn symmetric(&self, _requests: u32) -> Result<Vec<Vec<crate::protocol::NodeId>>, &'static str> {
        Err("members pick whom to probe by random draws that renaming would not follow")
    }
    /// A member's own incarnation: how many times it refuted or restarted.
    fn round(&self, node: &Node) -> u64 {
        node.hard.inc as u64
    }
    /// Members take no requests.
    fn requests(&self, _n: u32) -> Vec<(NodeId, String)> {
        Vec::new()
    }
    fn cluster(&self) -> (usize, usize) {
        (self.members, 0)
    }
    fn default_requests(&self) -> u32 {
        0
    }
    /// Both bound how long news takes: an ack that arrives after its timeout is a lost one.
    fn unjudged(&self) -> &'static [&'static str] {
        &["completeness", "accuracy"]
    }
    /// The checker reads two send times: see `check::mark`.
    fn flight_mark(&self, monitor: &super::check::Monitor, flight: &crate::sim::Flight<'_, Msg>) -> u64 {
        super::check::mark(monitor, flight)
    }
    fn timeless_digest(&self, node: &Node) -> u64 {
        let mut n = node.clone();
        n.suspicions.iter_mut().for_each(|s| s.1 = crate::protocol::Time::ZERO);
        n.relays.iter_mut().for_each(|r| r.until = crate::protocol::Time::ZERO);
        n.heard.iter_mut().for_each(|h| *h = crate::protocol::Time::ZERO);
        crate::hash::digest(&n)
    }
}
