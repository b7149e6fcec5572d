//! What the page's playback relies on: the next event's time is exact (the animation paces by
//! it), and a run can go on past a violation when the page asks.

use distlab_core::lab::{build, LabConfig};

fn preset(protocol: &str, name: &str, mutant: Option<&str>) -> LabConfig {
    LabConfig {
        scenario: Some(name.to_string()),
        mutant: mutant.map(str::to_string),
        ..LabConfig::opening(protocol).expect("registered")
    }
}

/// A stale queue head (a crashed node's disarmed timer) made `next_time` too early, so the
/// page ran an event far past the drawn time and the messages stood still until the drawing
/// caught up (the Figure 8 climax froze for 14 s at 1×).
#[test]
fn next_time_is_the_time_of_the_event_that_runs_next() {
    for (protocol, name) in [
        ("raft", "figure-8"),
        ("raft", "leader-crash"),
        ("kafka", "failover"),
        ("multipaxos", "leader-crash"),
    ] {
        let mut lab = build(&preset(protocol, name, None)).expect("builds");
        for _ in 0..3_000 {
            let Some(t) = lab.next_time() else { break };
            if !lab.step() {
                break;
            }
            assert_eq!(
                lab.time(),
                t,
                "{protocol} {name}: event #{} ran later than announced",
                lab.position()
            );
        }
    }
}

#[test]
fn a_run_stops_at_its_violation_unless_asked_to_go_on() {
    let cfg = preset("raft", "figure-8", Some("commit-old-term"));
    let mut stopped = build(&cfg).expect("builds");
    while stopped.step() {}
    let v = stopped.violation().expect("the mutant breaks safety");
    assert_eq!(stopped.position(), v.event, "the run halts at the violation");

    let mut past = build(&cfg).expect("builds");
    past.run_past_violations();
    for _ in 0..v.event + 50 {
        past.step();
    }
    assert!(past.position() > v.event, "the run went on");
    assert_eq!(past.violation(), Some(v.clone()), "the first violation stays the verdict");
    // Stepping back before it and forward again meets the same violation.
    past.seek(v.event - 1);
    assert!(past.violation().is_none());
    past.seek(v.event + 10);
    assert_eq!(past.violation(), Some(v));
}
