//! The Paxos presets: one proposer's two phases, dueling proposers with and without back-off, a minority cut off, and a
//! later proposer adopting the value an earlier one got accepted.
//!
//! Each preset's narration is a lesson whose steps name the events they explain (see
//! `crate::lesson`): a kind of message sent, a timer, a fault, or the words of one record. A
//! step never states a time; the page shows the event's. What a step says about the state at
//! its event is checked on several seeds by the tests in `lessons.rs`.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::lesson::{Cue, Step};
use crate::protocol::{NodeId, ScriptAction, Target, Time};

use super::types::{Mutant, Paxos};

/// Paxos presets: (name, title).
pub const SCENARIOS: &[(&str, &str)] = &[
    ("basic", "One proposer: two phases, and a majority chooses its value"),
    // Second, so that the first lesson's "Next lesson" answers the question it ends on.
    ("adopt", "A later proposer adopts the value already accepted, not its own"),
    ("dueling", "Dueling proposers without back-off: preempting each other"),
    ("dueling-backoff", "Dueling proposers with randomized back-off"),
    ("minority-cut-off", "Two of five acceptors cut off: a majority still decides"),
];

/// The mutant the adoption lesson invites the reader to switch on.
pub const ADOPT_MUTANT: &str = "ignore-promised-value";

/// When the adoption preset's partition heals, in milliseconds: long after S1's value is
/// accepted, so S2 has retried in vain a few times.
const ADOPT_HEAL_MS: u64 = 300;

/// Apply a Paxos preset to a configuration (the mutant stays; the narration follows it).
pub fn apply_scenario(name: &str, base: Paxos) -> Result<Paxos, String> {
    let p = match name {
        "basic" => Paxos { proposers: 1, acceptors: 3, learners: 3, narration: basic(), ..base },
        "dueling" => {
            Paxos { proposers: 3, acceptors: 5, learners: 3, backoff: false, narration: duel(), ..base }
        }
        "dueling-backoff" => Paxos {
            proposers: 3,
            acceptors: 5,
            learners: 3,
            backoff: true,
            narration: duel_backoff(),
            ..base
        },
        "minority-cut-off" => Paxos {
            proposers: 2,
            acceptors: 5,
            learners: 3,
            script: vec![
                (Time::from_ms(1), ScriptAction::Isolate(Target::Node(NodeId(3)), vec![NodeId(4)])),
                (Time::from_ms(1_000), ScriptAction::Heal),
            ],
            narration: minority_cut_off(),
            ..base
        },
        "adopt" => Paxos {
            proposers: 2,
            acceptors: 5,
            learners: 5,
            backoff: true,
            script: vec![
                (Time::from_ms(1), ScriptAction::Isolate(Target::Node(NodeId(1)), vec![NodeId(4)])),
                (Time::from_ms(ADOPT_HEAL_MS), ScriptAction::Heal),
            ],
            narration: adopt(base.mutant == Some(Mutant::IgnorePromisedValue)),
            ..base
        },
        other => {
            let names: Vec<&str> = SCENARIOS.iter().map(|s| s.0).collect();
            return Err(format!("unknown Paxos scenario \"{other}\"; known: {}", names.join(", ")));
        }
    };
    Ok(p)
}

fn step(cue: Cue, text: &str) -> Step {
    Step::new(cue, text)
}

/// The two phases with nobody in the way: what a ballot, a promise and a majority are for.
fn basic() -> Vec<Step> {
    vec![
        step(
            Cue::Start,
            "One proposer, S1, and three acceptors, S1, S2 and S3 (each a learner too). In a moment a client \
             hands S1 a value, 10, to get chosen. A value is chosen once a majority of the acceptors, two of \
             three, accepts it in one ballot.",
        ),
        step(
            Cue::Send("Prepare"),
            "The client's value reaches S1, and phase 1 begins: S1 sends Prepare with ballot 1.1 (round 1, \
             proposer 1) to every acceptor. It asks each to promise to refuse any lower ballot from now on, \
             and to report any value it has already accepted.",
        ),
        step(
            Cue::Send("Promise"),
            "An acceptor promises: it will refuse every ballot below 1.1, and it reports that it has accepted \
             nothing. It keeps the promise on disk, so a crash cannot make it forget.",
        ),
        step(
            Cue::Send("Accept"),
            "S1 has promises from a majority: phase 2. No promise reported an accepted value, so S1 is free to \
             propose its own: Accept(1.1, 10) to every acceptor.",
        ),
        step(
            Cue::Send("Accepted"),
            "An acceptor accepts, since it promised nothing higher than 1.1, and tells the learners. Once a \
             majority has accepted 10 in ballot 1.1, 10 is chosen: no later ballot can choose anything else, \
             even before anyone knows it.",
        ),
        step(
            Cue::Shows("✓"),
            "A learner has heard Accepted from a majority: it has learned 10 (✓ on its badge). Why does phase \
             1 ask what was accepted? The next lesson shows it: a later proposer adopts the value already \
             accepted.",
        ),
    ]
}

/// Without back-off: refusals send proposers back to phase 1 at once, and ballots climb.
fn duel() -> Vec<Step> {
    vec![
        step(
            Cue::Start,
            "Three proposers, S1, S2 and S3, each get a client value (10, 20 and 30) and compete for five \
             acceptors. Back-off is off: a refused proposer tries again after only 1 to 3 ms.",
        ),
        step(
            Cue::Send("Prepare"),
            "A client value reaches a proposer: it sends Prepare with a round-1 ballot to all five \
             acceptors. Ballots are ordered by round, then by proposer: 1.3 beats 1.2, which beats 1.1.",
        ),
        step(
            Cue::Send("Nack"),
            "An acceptor that has promised a higher ballot refuses a lower one: Nack. A proposer refused in \
             its current ballot waits only 1 to 3 ms, then goes back to phase 1 with a round above the \
             ballot that beat it.",
        ),
        step(
            Cue::Says("Prepare (b=2."),
            "Round 2: a proposer prepares again. Its ballot outranks every round-1 ballot, so an acceptor \
             that promises it refuses any round-1 Accept that arrives later: the round-1 proposers are \
             preempted.",
        ),
        step(
            Cue::Says("Prepare (b=3."),
            "Round 3, and each refusal can start another: ballots climb while proposers preempt each other. \
             A value is chosen only when one proposer's Accept reaches a majority before a higher Prepare \
             does.",
        ),
        step(
            Cue::Says(", accepted "),
            "A Promise that reports a value its acceptor accepted earlier. A proposer must propose the value \
             with the highest ballot among its promises, not its own: once a majority has accepted a value, \
             every later ballot carries it, so the duel delays the decision but cannot change it. With \
             back-off (the next preset) the same duel climbs fewer rounds; without it, with worse timing, it \
             need never end.",
        ),
    ]
}

/// With back-off: a refused proposer waits a random, growing time, and one finishes.
fn duel_backoff() -> Vec<Step> {
    vec![
        step(
            Cue::Start,
            "The same three proposers and five acceptors, with randomized back-off: a refused proposer waits \
             a random time before it tries again, and the longest wait it may draw doubles with each \
             refusal.",
        ),
        step(
            Cue::Send("Prepare"),
            "A client value reaches a proposer: it sends Prepare with a round-1 ballot to all five \
             acceptors.",
        ),
        step(
            Cue::Send("Nack"),
            "An acceptor that has promised a higher ballot refuses a lower one: Nack. A proposer refused in \
             its current ballot backs off for a random time: from 20 ms up to 160 ms after its first failed \
             attempt, the upper bound doubling with each further one.",
        ),
        step(
            Cue::Send("Accepted"),
            "An acceptor accepts a proposal: an Accept reached it before any higher Prepare did. Once a \
             majority of acceptors accepts one ballot, its value is chosen, and the learners' badges show \
             it.",
        ),
        step(
            Cue::Timer("retry"),
            "A proposer's retry timer fires: it prepares again with a higher ballot. If a value was chosen \
             meanwhile, its promises report it, and it can only propose that same value.",
        ),
    ]
}

fn minority_cut_off() -> Vec<Step> {
    vec![
        step(Cue::Start, "Five acceptors, and two proposers: S1 with the value 10, S2 with 20."),
        step(
            Cue::Partition,
            "The network splits before any message arrives: S4 and S5 are cut off from S1, S2 and S3.",
        ),
        step(
            Cue::Send("Accept"),
            "A proposer has promises from S1, S2 and S3, three of five acceptors: a majority, without S4 and \
             S5. It sends Accept to all five; only the three can answer.",
        ),
        step(
            Cue::Send("Accepted"),
            "An acceptor accepts. Once a majority (three) has accepted the same ballot, its value is chosen \
             and the learners, S1 to S3, learn it.",
        ),
        step(
            Cue::Heal,
            "The network heals. S4 and S5 missed the decision, and need not know it: any later proposer's \
             Prepare reaches a majority that includes one of S1, S2 and S3, which reports the chosen value, \
             so no other value can be chosen.",
        ),
    ]
}

/// The adoption lesson; with `broken` (the mutant ignore-promised-value on) S2 keeps its own
/// value and two values are chosen.
fn adopt(broken: bool) -> Vec<Step> {
    let mut steps = vec![
        step(
            Cue::Start,
            "Two proposers with values of their own, S1 with 10 and S2 with 20, and five acceptors, S1 to \
             S5.",
        ),
        step(
            Cue::Partition,
            "The network splits before any message arrives: S2 and S5 on one side; S1, S3 and S4, a \
             majority, on the other.",
        ),
        step(
            Cue::Send("Accept"),
            "S1's Prepare with ballot 1.1 was promised by S1, S3 and S4, a majority, and none of them had \
             accepted anything: S1 is free to propose its own value, Accept(1.1, 10).",
        ),
        step(
            Cue::Timer("retry"),
            "S2 hears from S2 and S5 only: two promises, one short of a majority. Its timer fires and it \
             prepares again with a higher ballot, still in vain.",
        ),
        step(
            Cue::Heal,
            "The network heals. S1, S3 and S4 accepted 10 in ballot 1.1: a majority, so 10 is chosen. S2 and \
             S5 do not know it.",
        ),
        step(
            Cue::Says("accepted 10 at 1.1"),
            "S2 prepares again, and now an acceptor of S1's majority answers: it promises S2's higher ballot \
             and reports what it accepted, 10 in ballot 1.1.",
        ),
    ];
    if broken {
        steps.extend([
            step(
                Cue::Send("Accept"),
                "S2 has promises from a majority, and the highest-ballot value they report is 10, accepted \
                 in ballot 1.1. But with ignore-promised-value S2 proposes its own value anyway: Accept with \
                 20.",
            )
            .breaking(ADOPT_MUTANT),
            step(
                Cue::Violation,
                "A majority has accepted 20 in S2's ballot, after 10 was chosen in ballot 1.1: two different \
                 values are chosen, and the checker stops the run. Agreement is broken.",
            ),
        ]);
    } else {
        steps.extend([
            step(
                Cue::Send("Accept"),
                "S2 has promises from a majority, and the highest-ballot value they report is 10, accepted \
                 in ballot 1.1. So S2 proposes 10, not its own 20: every majority shares an acceptor with \
                 S1's, so S2 could not miss it.",
            )
            .breaking(ADOPT_MUTANT),
            step(
                Cue::Send("Accepted"),
                "An acceptor accepts 10 in S2's ballot. 10 stays the chosen value; the learners that missed \
                 it learn it now.",
            ),
        ]);
    }
    steps
}
