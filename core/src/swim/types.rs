//! The words of SWIM membership: a member's status and incarnation, the updates that travel
//! piggybacked, the messages and timers, a member's state and what survives its crash, the
//! mutants, and the configuration with its limits.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Serialize;

use crate::protocol::{MessageInfo, MutantInfo, NodeId, ScriptAction, Time};

/// The most members a run may have (the page draws them as a crowd).
pub const MAX_MEMBERS: usize = 1000;
/// All-to-all heartbeating sends n² messages a period: it is offered up to this many members.
pub const MAX_HEARTBEAT_MEMBERS: usize = 100;
/// The most members a failed probe may ask to ping its target indirectly (the paper's k).
pub const MAX_INDIRECT: usize = 8;
/// The most updates one message carries piggybacked (memberlist fills a UDP packet; a few
/// dozen bytes each, so a handful fit).
pub const MAX_PIGGYBACK: usize = 6;
/// Every this many periods a member pings one member it believes dead (Serf's reconnect): an
/// answer revives it, so a healed partition's two sides find each other again.
pub const RECONNECT_PERIODS: u32 = 10;
/// The longest protocol period and suspicion a run may set, in milliseconds and periods.
pub const MAX_PERIOD_MS: u64 = 10_000;
pub const MAX_SUSPICION_PERIODS: u32 = 4_000;
/// The most periods of silence the heartbeat detector waits before it declares a member dead.
pub const MAX_HEARTBEAT_PERIODS: u32 = 1_000;
// An explored run leaps past every limit a node measures: the longest silence must be shorter.
const _: () = assert!(MAX_PERIOD_MS * 1_000 * MAX_HEARTBEAT_PERIODS as u64 * 2 < crate::sim::EXPLORE_LEAP.0);

/// What a member believes of another: alive, suspected of having failed, or confirmed dead.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Status {
    #[default]
    Alive,
    Suspect,
    Dead,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Alive => "alive",
            Status::Suspect => "suspect",
            Status::Dead => "dead",
        }
    }

    /// Its place in §4.2's precedence at one incarnation: alive, then suspect, then dead.
    pub fn rank(self) -> u8 {
        self as u8
    }
}

/// One member's belief about one other: its status at an incarnation. A member raises its
/// own incarnation only to refute a suspicion (or when it restarts); an `Alive` at a higher
/// incarnation overrides a `Suspect` at a lower one, and `Dead` overrides both at its own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Entry {
    pub status: Status,
    pub inc: u32,
}

/// A membership update, piggybacked on pings and acks (the paper's infection-style
/// dissemination): "`about` is `status` at incarnation `inc`".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Update {
    pub about: NodeId,
    pub status: Status,
    pub inc: u32,
}

impl core::fmt::Display for Update {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} {} #{}", self.about, self.status.word(), self.inc)
    }
}

/// SWIM's messages, and the all-to-all heartbeat it is compared with.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Msg {
    /// "Are you alive?" `suspect`: the incarnation at which the sender suspects the target (or
    /// believes it dead), so an accused member hears it from its prober (Lifeguard's buddy
    /// system) and refutes in its ack.
    Ping { seq: u32, suspect: Option<u32>, gossip: Vec<Update> },
    /// "Yes": to the prober, or to the member that asked for an indirect probe. `alive`: the
    /// target's incarnation, when the ping accused it (its refutation, carried straight back).
    /// `of`: the member that answered (a relayed ack names the target, not the relay), so an
    /// ack from before a restart, whose sequence number is reused, is not taken for another.
    Ack { seq: u32, of: NodeId, alive: Option<u32>, gossip: Vec<Update> },
    /// "Ping `target` for me": a probe whose direct ping went unanswered asks k others.
    PingReq { seq: u32, target: NodeId, suspect: Option<u32>, gossip: Vec<Update> },
    /// All-to-all heartbeating: "I am alive, at this incarnation", to every member each period.
    Heartbeat { inc: u32 },
}

impl Msg {
    pub fn gossip(&self) -> &[Update] {
        match self {
            Msg::Ping { gossip, .. } | Msg::Ack { gossip, .. } | Msg::PingReq { gossip, .. } => gossip,
            Msg::Heartbeat { .. } => &[],
        }
    }
}

fn gossip_text(gossip: &[Update]) -> String {
    if gossip.is_empty() {
        return String::new();
    }
    let items: Vec<String> = gossip.iter().map(|u| format!("{u}")).collect();
    format!(" + {}", items.join(", "))
}

impl MessageInfo for Msg {
    fn kind(&self) -> &'static str {
        match self {
            Msg::Ping { .. } => "Ping",
            Msg::Ack { .. } => "Ack",
            Msg::PingReq { .. } => "PingReq",
            Msg::Heartbeat { .. } => "Heartbeat",
        }
    }
    fn summary(&self) -> String {
        match self {
            Msg::Ping { seq, suspect, gossip } => {
                let accuse = suspect.map(|i| format!(", accused at #{i}")).unwrap_or_default();
                format!("(seq {seq}{accuse}){}", gossip_text(gossip))
            }
            Msg::Ack { seq, alive, gossip, .. } => {
                let refute = alive.map(|i| format!(", alive #{i}")).unwrap_or_default();
                format!("(seq {seq}{refute}){}", gossip_text(gossip))
            }
            Msg::PingReq { seq, target, gossip, .. } => {
                format!("(seq {seq}, ping {target}){}", gossip_text(gossip))
            }
            Msg::Heartbeat { inc } => format!("(#{inc})"),
        }
    }
    /// A message's colour: the worst news it carries, so a suspicion (the palette's orange,
    /// 1) or a death (its vermilion, 5) is seen spreading; else its type's.
    fn hue(&self) -> Option<u64> {
        match self.gossip().iter().map(|u| u.status).max() {
            Some(Status::Dead) => Some(5),
            Some(Status::Suspect) => Some(1),
            _ => None,
        }
    }
}

/// A member's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Timer {
    /// The protocol period: judge the last probe, start the next (or send heartbeats).
    Tick,
    /// The direct ping went unanswered for the ack timeout: ask k others.
    AckTimeout(u32),
    /// A suspicion ripens: the suspect is confirmed dead unless it refuted in time.
    Suspicion(NodeId),
}

/// Members take no client requests; the type exists because every protocol has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum NoRequest {}

/// Which member a protocol period probes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Selection {
    /// Every other member once per round, in a random order drawn each round (an affine
    /// permutation, `(a·i + b) mod (n−1)`, not a uniform shuffle; §4.3 of the paper, and memberlist): a failure is probed within 2(n−1)−1 periods.
    #[default]
    RoundRobin,
    /// A member drawn uniformly each period (§3 of the paper): first detection in e/(e−1)
    /// periods on average, with no worst case.
    Random,
}

impl Selection {
    pub fn name(self) -> &'static str {
        match self {
            Selection::RoundRobin => "round-robin",
            Selection::Random => "random",
        }
    }
    pub fn parse(s: &str) -> Option<Selection> {
        [Selection::RoundRobin, Selection::Random].into_iter().find(|x| x.name() == s)
    }
}

/// The failure detector the members run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Detector {
    /// SWIM: ping one member a period, indirect probes, suspicion, piggybacked gossip.
    #[default]
    Swim,
    /// The traditional detector SWIM is measured against: every member sends a heartbeat to
    /// every other each period, and declares dead a member it has not heard from for a while.
    Heartbeat,
}

impl Detector {
    pub fn name(self) -> &'static str {
        match self {
            Detector::Swim => "swim",
            Detector::Heartbeat => "heartbeat",
        }
    }
    pub fn parse(s: &str) -> Option<Detector> {
        [Detector::Swim, Detector::Heartbeat].into_iter().find(|x| x.name() == s)
    }
}

/// The probe in progress: its target, its sequence number, and whether it was answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Probe {
    pub target: NodeId,
    pub seq: u32,
    pub acked: bool,
}

/// An indirect probe this member runs for another: its own ping's sequence number, and who
/// asked with which number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Relay {
    pub seq: u32,
    pub target: NodeId,
    pub origin: NodeId,
    pub origin_seq: u32,
    pub until: Time,
}

/// What survives a crash: the member's incarnation (a restarted member rejoins above it, so
/// its `Alive` overrides what the others concluded while it was down).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Hard {
    pub inc: u32,
}

/// One member.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Node {
    pub me: NodeId,
    pub hard: Hard,
    /// Its beliefs about the others that differ from "alive at incarnation 0", sorted by
    /// member: a crowd of a thousand stays small while most members are well.
    pub view: Vec<(NodeId, Entry)>,
    /// Its suspicions: since when (its own clock), by member.
    pub suspicions: Vec<(NodeId, Time)>,
    /// Updates to piggyback, with how often each was sent; one per member (a newer update
    /// replaces an older one).
    pub queue: Vec<(Update, u32)>,
    pub probe: Option<Probe>,
    pub next_seq: u32,
    /// Round-robin probing: this round's order is `(a·i + b) mod (n−1)` for i = `pos`, … .
    pub round: (u32, u32, u32),
    pub relays: Vec<Relay>,
    /// Protocol periods since it (re)started, and the reconnect ping in flight: (to, seq).
    pub periods: u32,
    pub reconnect: Option<(NodeId, u32)>,
    /// All-to-all heartbeating: when it last heard from each member (its own clock).
    pub heard: Vec<Time>,
}

impl Node {
    /// Its belief about `who`.
    pub fn entry(&self, who: NodeId) -> Entry {
        match self.view.binary_search_by_key(&who, |e| e.0) {
            Ok(i) => self.view[i].1,
            Err(_) => Entry::default(),
        }
    }
    pub(super) fn set_entry(&mut self, who: NodeId, e: Entry) {
        match (self.view.binary_search_by_key(&who, |x| x.0), e == Entry::default()) {
            (Ok(i), true) => {
                self.view.remove(i);
            }
            (Ok(i), false) => self.view[i].1 = e,
            (Err(_), true) => {}
            (Err(i), false) => self.view.insert(i, (who, e)),
        }
    }
    /// How many members it believes in each status, itself included (alive, suspect, dead).
    pub fn counts(&self, members: usize) -> (usize, usize, usize) {
        let suspect = self.view.iter().filter(|e| e.1.status == Status::Suspect).count();
        let dead = self.view.iter().filter(|e| e.1.status == Status::Dead).count();
        (members.saturating_sub(suspect + dead), suspect, dead)
    }
}

/// Deliberate bugs, each caught by one of the checker's properties.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mutant {
    RefutationIgnored,
    SuspicionSkipped,
    NoPiggyback,
    ForgetIncarnation,
    SuspectForever,
    AliveTies,
    RelayBySender,
}

pub(super) const MUTANTS: &[MutantInfo] = &[
    MutantInfo {
        name: "refutation-ignored",
        description: "a suspected member does not refute: it never raises its incarnation, so a false suspicion ripens",
    },
    MutantInfo {
        name: "suspicion-skipped",
        description: "a failed probe declares its target dead at once, with no suspicion to refute",
    },
    MutantInfo {
        name: "no-piggyback",
        description: "updates are never piggybacked, and a ping carries no accusation: nobody hears of a suspicion, so nobody can refute one",
    },
    MutantInfo {
        name: "forget-incarnation",
        description: "a member forgets its incarnation when it restarts and rejoins at 0",
    },
    MutantInfo {
        name: "suspect-forever",
        description: "a suspicion never ripens: the suspicion timeout is never armed, so a crashed member is never declared dead",
    },
    MutantInfo {
        name: "alive-ties",
        description: "news that a member is alive clears a suspicion of it at the same incarnation (§4.2 wants a higher one), so stale news delays its detection",
    },
    MutantInfo {
        name: "relay-by-sender",
        description: "a prober takes an ack for its target only from the target itself: a relayed ack, sent by a helper, never counts, so the indirect probes of §3.1 never save a member",
    },
];

impl Mutant {
    pub fn parse(name: &str) -> Option<Mutant> {
        let all = [
            Mutant::RefutationIgnored,
            Mutant::SuspicionSkipped,
            Mutant::NoPiggyback,
            Mutant::ForgetIncarnation,
            Mutant::SuspectForever,
            Mutant::AliveTies,
            Mutant::RelayBySender,
        ];
        all.into_iter().find(|m| m.name() == name)
    }
    pub fn name(self) -> &'static str {
        MUTANTS[self as usize].name
    }
}

/// A SWIM run: the members and the detector's timing.
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct Swim {
    pub members: usize,
    pub detector: Detector,
    pub selection: Selection,
    /// The protocol period T, in milliseconds.
    pub period_ms: u64,
    /// How long a direct ping waits for its ack before asking others, in milliseconds.
    pub ack_timeout_ms: u64,
    /// How many members a failed direct ping asks to probe indirectly (k).
    pub indirect: usize,
    /// How long a suspicion lasts before the suspect is confirmed dead, in periods; `None`:
    /// the default, [`Swim::default_suspicion`].
    pub suspicion: Option<u32>,
    /// Each update is piggybacked `retransmit · ⌈log10(n+1)⌉` times (memberlist's λ log n).
    pub retransmit: u32,
    /// All-to-all heartbeating declares a member dead after this many silent periods.
    pub heartbeat_periods: u32,
    pub mutant: Option<Mutant>,
    /// A preset's timed steps and narration.
    pub script: Vec<(Time, ScriptAction<NoRequest>)>,
    pub narration: Vec<crate::lesson::Step>,
}

impl Default for Swim {
    fn default() -> Self {
        Swim {
            members: 8,
            detector: Detector::Swim,
            selection: Selection::RoundRobin,
            period_ms: 200,
            ack_timeout_ms: 70,
            indirect: 3,
            suspicion: None,
            retransmit: 4,
            heartbeat_periods: 5,
            mutant: None,
            script: Vec::new(),
            narration: Vec::new(),
        }
    }
}

/// ⌈log10 x⌉: the smallest d with 10^d ≥ x (0 for x ≤ 1).
pub fn log10_ceil(x: u64) -> u32 {
    let (mut d, mut p) = (0, 1u64);
    while p < x {
        p = p.saturating_mul(10);
        d += 1;
    }
    d
}

impl Swim {
    pub fn is(&self, m: Mutant) -> bool {
        self.mutant == Some(m)
    }
    pub fn period(&self) -> Time {
        Time::from_ms(self.period_ms)
    }
    /// The default suspicion: long enough for every member suspecting another to probe it
    /// once more (two rounds, 2(n−1) periods), so a suspect that answers always refutes in
    /// time; at least 4·⌈log10 n⌉ periods (memberlist's minimum, 4·log10 n, rounded up:
    /// memberlist then waits up to six times that, less with each independent confirmation,
    /// which this model does not do); at most 64 periods (a crowd then relies on gossip to
    /// hear its accusation, as memberlist does).
    pub fn default_suspicion(&self) -> u32 {
        let rounds = 2 * self.members.saturating_sub(1) as u32;
        let memberlist = 4 * (log10_ceil(self.members as u64)).max(1);
        rounds.max(memberlist).min(64)
    }
    /// The suspicion timeout, in periods.
    pub fn suspicion_periods(&self) -> u32 {
        self.suspicion.unwrap_or_else(|| self.default_suspicion())
    }
    pub fn suspicion_timeout(&self) -> Time {
        Time(self.period().0.saturating_mul(self.suspicion_periods() as u64))
    }
    /// How many times each update is piggybacked: `retransmit · ⌈log10(n+1)⌉`.
    pub fn transmit_limit(&self) -> u32 {
        self.retransmit.saturating_mul(log10_ceil(self.members as u64 + 1).max(1))
    }
    /// Whether a suspect that answers a ping always hears its accusation in time: with
    /// round-robin probing, the suspicion spans two rounds of probes, so the suspecting member
    /// probes the suspect once more before it ripens (the accuracy property's second half
    /// needs it).
    /// Random probing has no such promise: the suspecting member may not probe the suspect again.
    pub fn suspicion_spans_rounds(&self) -> bool {
        match (self.detector, self.selection) {
            (Detector::Heartbeat, _) => true,
            (Detector::Swim, Selection::Random) => false,
            (Detector::Swim, Selection::RoundRobin) => {
                self.suspicion_periods() as u64 >= 2 * self.members.saturating_sub(1) as u64
            }
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        if !(2..=MAX_MEMBERS).contains(&self.members) {
            return Err(format!("members must be between 2 and {MAX_MEMBERS} (got {})", self.members));
        }
        if self.detector == Detector::Heartbeat && self.members > MAX_HEARTBEAT_MEMBERS {
            return Err(format!(
                "all-to-all heartbeating sends n² messages a period: at most {MAX_HEARTBEAT_MEMBERS} members (got {})",
                self.members
            ));
        }
        if !(100..=MAX_PERIOD_MS).contains(&self.period_ms) {
            return Err(format!(
                "the protocol period must be between 100 and {MAX_PERIOD_MS} ms (got {})",
                self.period_ms
            ));
        }
        if self.ack_timeout_ms == 0 || self.ack_timeout_ms >= self.period_ms {
            return Err(format!(
                "the ack timeout must be above 0 and below the period, {} ms (got {})",
                self.period_ms, self.ack_timeout_ms
            ));
        }
        if self.indirect > MAX_INDIRECT {
            return Err(format!(
                "indirect probes (k) must be at most {MAX_INDIRECT} (got {})",
                self.indirect
            ));
        }
        if let Some(s) = self.suspicion {
            if !(1..=MAX_SUSPICION_PERIODS).contains(&s) {
                return Err(format!(
                    "the suspicion timeout must be between 1 and {MAX_SUSPICION_PERIODS} periods (got {s})"
                ));
            }
        }
        if !(1..=20).contains(&self.retransmit) {
            return Err(format!(
                "the retransmit multiplier must be between 1 and 20 (got {})",
                self.retransmit
            ));
        }
        if !(3..=MAX_HEARTBEAT_PERIODS).contains(&self.heartbeat_periods) {
            return Err(format!(
                "heartbeat silence must be between 3 and {MAX_HEARTBEAT_PERIODS} periods (got {})",
                self.heartbeat_periods
            ));
        }
        Ok(())
    }
}
