//! The Paxos presets: dueling proposers with and without back-off, and a minority cut off.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::protocol::{NodeId, Time};

use super::types::Paxos;

/// Paxos presets: (name, title).
pub const SCENARIOS: &[(&str, &str)] = &[
    ("dueling", "Dueling proposers without back-off: preempting each other"),
    ("dueling-backoff", "Dueling proposers with randomized back-off"),
    ("minority-cut-off", "Two of five acceptors cut off: a majority still decides"),
];

/// Apply a Paxos preset to a configuration (the mutant stays).
pub fn apply_scenario(name: &str, base: Paxos) -> Result<Paxos, String> {
    use crate::protocol::{ScriptAction, Target};
    let line = crate::lesson::at;
    let p = match name {
        "dueling" | "dueling-backoff" => {
            let backoff = name == "dueling-backoff";
            Paxos {
                proposers: 3,
                acceptors: 5,
                learners: 3,
                backoff,
                narration: if backoff {
                    alloc::vec![
                        line(0, "Three proposers, S1 to S3, each want their value chosen by five acceptors."),
                        line(80, "Each prepares a ballot; a higher ballot makes the acceptors refuse the lower one's Accept."),
                        line(200, "With randomized back-off, a refused proposer waits a random, growing time; one of them finishes both phases and a value is chosen."),
                    ]
                } else {
                    alloc::vec![
                        line(0, "Three proposers, S1 to S3, each want their value chosen by five acceptors. Back-off is off."),
                        line(80, "Each prepares a ballot; another's higher ballot preempts it before its Accept gets through."),
                        line(300, "Refused, each retries almost at once with a higher ballot and can preempt the others again: ballots climb and the decision comes later (over ten seeds, about 1.7 times later than with back-off). Safe, but slower; with worse timing it never ends."),
                    ]
                },
                ..base
            }
        }
        "minority-cut-off" => Paxos {
            proposers: 2,
            acceptors: 5,
            learners: 3,
            script: alloc::vec![
                (Time::from_ms(1), ScriptAction::Isolate(Target::Node(NodeId(3)), alloc::vec![NodeId(4)])),
                (Time::from_ms(1_000), ScriptAction::Heal),
            ],
            narration: alloc::vec![
                line(0, "Five acceptors. At once, S4 and S5 are cut off from the other three."),
                line(80, "S1, S2 and S3 are a majority of the five: a proposer's Prepare and Accept rounds complete with them alone, and a value is chosen."),
                line(1_000, "The network heals. S4 and S5 missed the decision, and need not know it: any later proposer's Prepare reaches a majority that reports the chosen value, so no other value can be chosen."),
            ],
            ..base
        },
        other => {
            let names: Vec<&str> = SCENARIOS.iter().map(|s| s.0).collect();
            return Err(format!("unknown Paxos scenario \"{other}\"; known: {}", names.join(", ")));
        }
    };
    Ok(p)
}
