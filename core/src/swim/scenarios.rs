//! The SWIM presets: a crash detected, a false suspicion refuted, a partition that heals, and
//! the all-to-all heartbeat detector for comparison.
//!
//! Each preset's narration is a lesson whose steps name the events they explain (see
//! `crate::lesson`). A step that invites the reader to switch a mutant on offers it; with that
//! mutant on, the narration follows the steps up to the break, then what the mutant does.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::lesson::{Cue, Step};
use crate::protocol::{NodeId, ScriptAction, Target, Time};

use super::types::{Detector, Mutant, Swim};

/// SWIM presets: (name, title).
pub const SCENARIOS: &[(&str, &str)] = &[
    ("crash-detected", "A crash detected: ping, indirect ping, suspicion, death, gossip"),
    ("false-suspicion", "A false suspicion refuted: a member cut off for a second survives"),
    ("partition-heals", "A partition: each half declares the other dead, then they rejoin"),
    ("heartbeat", "All-to-all heartbeating: the n² detector SWIM replaces"),
];

/// When the presets' fault happens, in milliseconds.
const FAULT_MS: u64 = 1_000;

pub fn apply_scenario(name: &str, base: Swim) -> Result<Swim, String> {
    let mutant = base.mutant;
    let crash = vec![(Time::from_ms(FAULT_MS), ScriptAction::Crash(Target::Node(NodeId(2))))];
    let p = match name {
        "crash-detected" => Swim {
            members: 8,
            detector: Detector::Swim,
            script: crash,
            narration: crash_detected(mutant == Some(Mutant::SuspectForever)),
            ..base
        },
        "false-suspicion" => Swim {
            members: 8,
            detector: Detector::Swim,
            script: vec![
                (Time::from_ms(FAULT_MS), ScriptAction::Isolate(Target::Node(NodeId(3)), Vec::new())),
                (Time::from_ms(FAULT_MS + 1_000), ScriptAction::Heal),
            ],
            narration: false_suspicion(mutant),
            ..base
        },
        "partition-heals" => Swim {
            members: 8,
            detector: Detector::Swim,
            script: vec![
                (
                    Time::from_ms(FAULT_MS),
                    ScriptAction::Isolate(Target::Node(NodeId(4)), vec![NodeId(5), NodeId(6), NodeId(7)]),
                ),
                (Time::from_ms(FAULT_MS + 7_000), ScriptAction::Heal),
            ],
            narration: partition_heals(),
            ..base
        },
        "heartbeat" => {
            Swim { members: 8, detector: Detector::Heartbeat, script: crash, narration: heartbeat(), ..base }
        }
        other => {
            let names: Vec<&str> = SCENARIOS.iter().map(|s| s.0).collect();
            return Err(format!("unknown SWIM scenario \"{other}\"; known: {}", names.join(", ")));
        }
    };
    Ok(p)
}

fn step(cue: Cue, text: &str) -> Step {
    Step::new(cue, text)
}

fn crash_detected(broken: bool) -> Vec<Step> {
    let mut steps = vec![
        step(
            Cue::Start,
            "Eight members, each with a list of the others. Every protocol period (200 ms) each member pings \
             one other, going round its list in a random order drawn each round. Nobody watches everyone.",
        ),
        step(
            Cue::Send("Ping"),
            "A ping goes out. If its ack comes back within the ack timeout (70 ms), the target is alive. One message out \
             and one back per member per period, however large the group: SWIM's load is constant, where \
             all-to-all heartbeating costs every member n−1 messages a period.",
        ),
        step(Cue::Crash, "S3 crashes. Nobody is told: the others must notice."),
        step(
            Cue::Send("PingReq"),
            "A member's ping to S3 went unanswered for the ack timeout. It does not conclude yet: it asks \
             k = 3 others to ping S3 for it (PingReq), in case only the link between the two is bad.",
        ),
        step(
            Cue::Says("suspects it"),
            "No ack, direct or relayed, by the end of the period: the prober marks S3 suspect, not dead, and \
             starts the suspicion timeout. The suspicion rides on its next pings and acks, piggybacked: \
             spreading news costs no extra messages.",
        )
        .breaking("suspect-forever"),
    ];
    if broken {
        steps.push(step(
            Cue::Violation,
            "With the suspect-forever mutant nobody's suspicion ever ripens: S3 stays a suspect in every list. \
             Past the bound the checker states (a member probes every other within two rounds, then waits \
             one suspicion timeout), completeness breaks: a crashed member is never declared dead.",
        ));
        return steps;
    }
    steps.push(step(
        Cue::Says("declares S3 dead"),
        "A suspicion timeout passed and S3 never refuted: the member confirms it dead, and that news spreads \
         the same way, on the pings and acks each member sends anyway. S3 leaves the regular probing: only \
         an occasional reconnect ping still tries it.",
    ));
    steps.push(step(
        Cue::EveryoneShows("dead: S3"),
        "The news has reached everyone: every live member's list shows S3 dead (a column of ✗ in the board), \
         a few periods after the first declared it, and nobody had to watch S3 all the time.",
    ));
    steps
}

fn false_suspicion(mutant: Option<Mutant>) -> Vec<Step> {
    let mut steps = vec![
        step(
            Cue::Start,
            "Eight members. In a moment S4 is cut off from everyone for one second (five periods): alive, but \
             unreachable, as after a long garbage-collection pause or a flaky switch.",
        ),
        step(Cue::Partition, "S4 is cut off: pings to it, and its acks, are lost."),
    ];
    if mutant == Some(Mutant::SuspicionSkipped) {
        steps.push(step(
            Cue::Violation,
            "With the suspicion-skipped mutant, one failed probe is enough: S4 is declared dead at once, \
             with no suspicion timeout in which to refute. Accuracy breaks (a death must wait a suspicion \
             timeout after the suspicion began): a brief glitch evicted a healthy member.",
        ));
        return steps;
    }
    steps.push(
        step(
            Cue::Says("suspects it"),
            "A probe of S4 fails, directly and through k others: S4 becomes a suspect. Declaring it dead now \
             would evict a healthy member for one bad second; the suspicion gives it a suspicion timeout to \
             answer.",
        )
        .breaking("suspicion-skipped"),
    );
    steps.push(step(
        Cue::Heal,
        "The network heals. S4 is up, but suspected: it must hear the accusation to answer it.",
    ));
    if mutant == Some(Mutant::RefutationIgnored) {
        steps.push(step(
            Cue::Violation,
            "With the refutation-ignored mutant S4 hears the accusation and does nothing. The suspicion \
             ripens: a member whose accusing ping S4 answered declares it dead all the same, and the \
             refutation property breaks.",
        ));
        return steps;
    }
    steps.push(
        step(
            Cue::Says("S4 refutes"),
            "The accusation reaches S4, on a ping or as gossip. S4 refutes: it raises its incarnation to #1 and \
             says Alive at #1, which overrides every suspicion at #0. Only S4 raises its own incarnation, so \
             old news can never override new. (Cut off, S4 suspected the others too: they refute the same \
             way.)",
        )
        .breaking("refutation-ignored"),
    );
    steps
}

fn partition_heals() -> Vec<Step> {
    vec![
        step(Cue::Start, "Eight members. In a moment the network splits into two halves of four, for seven seconds."),
        step(Cue::Partition, "The split: S1–S4 on one side, S5–S8 on the other."),
        step(
            Cue::Says("suspects it"),
            "Probes across the split fail, directly and indirectly: each side suspects the members of the other.",
        ),
        step(
            Cue::Says("declares"),
            "Suspicions ripen: each half declares the other dead. From inside, a partition looks exactly like \
             the other half crashing; no failure detector can tell the two apart.",
        ),
        step(
            Cue::Heal,
            "The network heals, but the regular probes skip a member believed dead: the halves do not see each \
             other yet.",
        ),
        step(
            Cue::Says("refutes"),
            "Every ten periods a member pings one member it believes dead (as Serf reconnects). The ping carries \
             the accusation; the accused, alive, refutes at a higher incarnation, and its Alive spreads through \
             the other half by gossip. Member by member the halves find each other again, until every list \
             shows everyone alive.",
        ),
    ]
}

fn heartbeat() -> Vec<Step> {
    vec![
        step(
            Cue::Start,
            "The same eight members with the detector SWIM replaces: every period each sends a heartbeat to \
             every other, 7 messages each and 56 in all. The count grows as n²: a thousand members would send \
             a million messages a period.",
        ),
        step(Cue::Send("Heartbeat"), "Heartbeats, from every member to every other, every period."),
        step(Cue::Crash, "S3 crashes, and its heartbeats stop."),
        step(
            Cue::Says("declares S3 dead"),
            "After five silent periods a member declares S3 dead, each on its own: no gossip is needed, but \
             every member paid n−1 messages a period to learn it. Compare the message counts in the metrics \
             with the same crash under SWIM.",
        ),
    ]
}
