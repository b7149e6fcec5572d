//! Handler tests with exact effects, and sweeps: the correct protocol keeps every promise
//! across a swarm of configurations, and every mutant is caught.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::*;
use crate::net::FaultConfig;
use crate::protocol::{NodeId, Protocol, Time, TimerEffect};
use crate::sim::Sim;
use alloc::vec;

type Fx = crate::testing::Effects<Swim>;

fn fx() -> Fx {
    Fx::at(Time::ZERO)
}

/// A member of a group of `n`, its first period's timer taken off the effects.
fn member(sw: &Swim, me: u32, fx: &mut Fx) -> Node {
    let n = sw.init(&mut fx.ctx(me));
    fx.timers.clear();
    n
}

/// §3.1: each period a member pings one other, and waits the ack timeout.
#[test]
fn a_period_pings_one_member_and_arms_the_ack_timeout() {
    let sw = Swim { members: 4, ..Swim::default() };
    let mut fx = fx();
    let mut n = member(&sw, 0, &mut fx);
    sw.on_timer(&mut n, Timer::Tick, &mut fx.ctx(0));
    let timers = fx.timers.clone();
    let sends = fx.take();
    assert_eq!(sends.len(), 1);
    let (to, msg) = &sends[0];
    assert_ne!(*to, NodeId(0));
    assert_eq!(*msg, Msg::Ping { seq: 1, suspect: None, gossip: vec![] });
    assert_eq!(
        timers,
        vec![
            TimerEffect::Set(Timer::Tick, sw.period()),
            TimerEffect::Set(Timer::AckTimeout(1), Time::from_ms(70))
        ]
    );
}

/// §4.3: round-robin probing visits every other member once per round.
#[test]
fn round_robin_probes_everyone_once_a_round() {
    let sw = Swim { members: 9, ..Swim::default() };
    let mut fx = fx();
    let mut n = member(&sw, 4, &mut fx);
    for round in 0..3 {
        let mut seen = alloc::collections::BTreeSet::new();
        for _ in 0..8 {
            n.probe = None;
            sw.on_timer(&mut n, Timer::Tick, &mut fx.ctx(4));
            seen.insert(fx.take()[0].0);
        }
        assert_eq!(seen.len(), 8, "round {round}: {seen:?}");
        assert!(!seen.contains(&NodeId(4)));
    }
}

/// §3.1: no ack within the ack timeout: ask k others; an unanswered probe makes a suspect at
/// the next period, and the suspicion is armed and gossiped.
#[test]
fn an_unanswered_probe_asks_k_others_then_suspects() {
    let sw = Swim { members: 6, indirect: 3, ..Swim::default() };
    let mut fx = fx();
    let mut n = member(&sw, 0, &mut fx);
    sw.on_timer(&mut n, Timer::Tick, &mut fx.ctx(0));
    let target = fx.take()[0].0;
    fx.timers.clear();
    sw.on_timer(&mut n, Timer::AckTimeout(1), &mut fx.ctx(0));
    let asked = fx.take();
    assert_eq!(asked.len(), 3);
    for (h, m) in &asked {
        assert!(*h != target && *h != NodeId(0));
        assert_eq!(*m, Msg::PingReq { seq: 1, target, suspect: None, gossip: vec![] });
    }
    sw.on_timer(&mut n, Timer::Tick, &mut fx.ctx(0));
    assert_eq!(n.entry(target), Entry { status: Status::Suspect, inc: 0 });
    assert!(fx.notes.contains(&Note::Suspected { by: NodeId(0), about: target, inc: 0 }));
    assert!(fx.timers.contains(&TimerEffect::Set(Timer::Suspicion(target), sw.suspicion_timeout())));
    // The next ping carries the news.
    let (_, next) = &fx.take()[0];
    assert!(next.gossip().contains(&Update { about: target, status: Status::Suspect, inc: 0 }));
}

/// A relayed ack answers the probe; an ack naming another member does not (a sequence number
/// reused after a restart).
#[test]
fn an_ack_answers_only_the_probe_it_names() {
    let sw = Swim { members: 3, ..Swim::default() };
    let mut fx = fx();
    let mut n = member(&sw, 0, &mut fx);
    sw.on_timer(&mut n, Timer::Tick, &mut fx.ctx(0));
    let target = fx.take()[0].0;
    let other = NodeId(3 - target.0);
    let stale = Msg::Ack { seq: 1, of: other, alive: None, gossip: vec![] };
    sw.on_message(&mut n, other, stale, &mut fx.ctx(0));
    assert!(!n.probe.unwrap().acked);
    let relayed = Msg::Ack { seq: 1, of: target, alive: None, gossip: vec![] };
    sw.on_message(&mut n, other, relayed, &mut fx.ctx(0));
    assert!(n.probe.unwrap().acked);
}

/// §4.2: a suspect that hears the accusation raises its incarnation above it and answers
/// with it; the prober takes the higher Alive, which clears the suspicion.
#[test]
fn an_accused_member_refutes_in_its_ack() {
    let sw = Swim { members: 3, ..Swim::default() };
    let mut fx = fx();
    let mut s2 = member(&sw, 1, &mut fx);
    let ping = Msg::Ping { seq: 7, suspect: Some(0), gossip: vec![] };
    sw.on_message(&mut s2, NodeId(0), ping, &mut fx.ctx(1));
    assert_eq!(s2.hard.inc, 1);
    assert_eq!(fx.notes, vec![Note::Refuted { by: NodeId(1), inc: 1 }]);
    let (to, ack) = fx.take().remove(0);
    assert_eq!(to, NodeId(0));
    let alive = Update { about: NodeId(1), status: Status::Alive, inc: 1 };
    assert_eq!(ack, Msg::Ack { seq: 7, of: NodeId(1), alive: Some(1), gossip: vec![alive] });

    // With the mutant it stays at #0 and answers nothing.
    let broken = Swim { mutant: Some(Mutant::RefutationIgnored), ..sw.clone() };
    let mut s2 = member(&broken, 1, &mut fx);
    broken.on_message(
        &mut s2,
        NodeId(0),
        Msg::Ping { seq: 7, suspect: Some(0), gossip: vec![] },
        &mut fx.ctx(1),
    );
    assert_eq!(s2.hard.inc, 0);
    assert_eq!(fx.take()[0].1, Msg::Ack { seq: 7, of: NodeId(1), alive: None, gossip: vec![] });
}

/// The override rules of §4.2: Suspect beats Alive at the same incarnation, Alive beats
/// Suspect only at a higher one, Dead beats both, and old news changes nothing.
#[test]
fn updates_override_by_incarnation() {
    let sw = Swim { members: 3, ..Swim::default() };
    let mut fx = fx();
    let mut n = member(&sw, 0, &mut fx);
    let s2 = NodeId(1);
    let up = |status, inc| {
        Msg::Heartbeat { inc: 0 }
            .gossip()
            .to_vec()
            .into_iter()
            .chain([Update { about: s2, status, inc }])
            .collect::<Vec<_>>()
    };
    let deliver = |n: &mut Node, fx: &mut Fx, status, inc| {
        sw.on_message(
            n,
            NodeId(2),
            Msg::Ack { seq: 99, of: NodeId(2), alive: None, gossip: up(status, inc) },
            &mut fx.ctx(0),
        )
    };
    deliver(&mut n, &mut fx, Status::Suspect, 0);
    assert_eq!(n.entry(s2), Entry { status: Status::Suspect, inc: 0 });
    deliver(&mut n, &mut fx, Status::Alive, 0);
    assert_eq!(n.entry(s2).status, Status::Suspect, "Alive at the same incarnation does not clear it");
    deliver(&mut n, &mut fx, Status::Alive, 1);
    assert_eq!(n.entry(s2), Entry { status: Status::Alive, inc: 1 });
    assert!(fx.timers.contains(&TimerEffect::Cancel(Timer::Suspicion(s2))));
    deliver(&mut n, &mut fx, Status::Suspect, 0);
    assert_eq!(n.entry(s2), Entry { status: Status::Alive, inc: 1 }, "an old suspicion is ignored");
    deliver(&mut n, &mut fx, Status::Dead, 1);
    assert_eq!(n.entry(s2), Entry { status: Status::Dead, inc: 1 });
    deliver(&mut n, &mut fx, Status::Suspect, 1);
    assert_eq!(n.entry(s2).status, Status::Dead);
    deliver(&mut n, &mut fx, Status::Alive, 2);
    assert_eq!(
        n.entry(s2),
        Entry { status: Status::Alive, inc: 2 },
        "a rejoin at a higher incarnation revives"
    );
}

/// A suspicion that ripens is a death, declared and gossiped; with `suspect-forever` nothing
/// arms it.
#[test]
fn a_ripe_suspicion_declares_death() {
    let sw = Swim { members: 3, ..Swim::default() };
    let mut fx = fx();
    let mut n = member(&sw, 0, &mut fx);
    n.set_entry(NodeId(2), Entry { status: Status::Suspect, inc: 3 });
    sw.on_timer(&mut n, Timer::Suspicion(NodeId(2)), &mut fx.ctx(0));
    assert_eq!(n.entry(NodeId(2)), Entry { status: Status::Dead, inc: 3 });
    assert_eq!(fx.notes, vec![Note::Declared { by: NodeId(0), about: NodeId(2), inc: 3 }]);
    assert!(n.queue.iter().any(|q| q.0 == Update { about: NodeId(2), status: Status::Dead, inc: 3 }));
}

/// An update is piggybacked `retransmit · ⌈log10(n+1)⌉` times, then leaves the queue; with
/// `no-piggyback` nothing rides.
#[test]
fn updates_are_piggybacked_a_bounded_number_of_times() {
    let sw = Swim { members: 20, retransmit: 3, ..Swim::default() };
    assert_eq!(sw.transmit_limit(), 6);
    let mut fx = fx();
    let mut n = member(&sw, 0, &mut fx);
    let news = Update { about: NodeId(5), status: Status::Suspect, inc: 0 };
    sw.on_message(
        &mut n,
        NodeId(1),
        Msg::Ack { seq: 0, of: NodeId(1), alive: None, gossip: vec![news] },
        &mut fx.ctx(0),
    );
    fx.take();
    let mut carried = 0;
    for _ in 0..10 {
        n.probe = None;
        sw.on_timer(&mut n, Timer::Tick, &mut fx.ctx(0));
        carried += fx.take().iter().filter(|(_, m)| m.gossip().contains(&news)).count();
    }
    assert_eq!(carried, 6);
    let quiet = Swim { mutant: Some(Mutant::NoPiggyback), ..sw };
    let mut n = member(&quiet, 0, &mut fx);
    quiet.on_message(
        &mut n,
        NodeId(1),
        Msg::Ack { seq: 0, of: NodeId(1), alive: None, gossip: vec![news] },
        &mut fx.ctx(0),
    );
    quiet.on_timer(&mut n, Timer::Tick, &mut fx.ctx(0));
    assert!(fx.take().iter().all(|(_, m)| m.gossip().is_empty()));
}

/// A restarted member comes back one above the incarnation it kept, and announces it.
#[test]
fn a_restart_rejoins_above_the_kept_incarnation() {
    let sw = Swim { members: 3, ..Swim::default() };
    let mut fx = fx();
    let n = sw.on_restart(Hard { inc: 4 }, &mut fx.ctx(1));
    assert_eq!(n.hard.inc, 5);
    assert_eq!(n.queue, vec![(Update { about: NodeId(1), status: Status::Alive, inc: 5 }, 0)]);
    let broken = Swim { mutant: Some(Mutant::ForgetIncarnation), ..sw };
    assert_eq!(broken.on_restart(Hard { inc: 4 }, &mut fx.ctx(1)).hard.inc, 0);
}

/// Heartbeating: every period to everyone; silence for k periods is death.
#[test]
fn heartbeats_go_to_everyone_and_silence_is_death() {
    let sw = Swim { members: 4, detector: Detector::Heartbeat, heartbeat_periods: 3, ..Swim::default() };
    let mut fx = fx();
    let mut n = member(&sw, 0, &mut fx);
    sw.on_timer(&mut n, Timer::Tick, &mut fx.ctx(0));
    assert_eq!(fx.take().len(), 3);
    let mut late = Fx::at(Time::from_ms(200 * 3 + 1));
    sw.on_message(&mut n, NodeId(1), Msg::Heartbeat { inc: 0 }, &mut late.ctx(0));
    sw.on_timer(&mut n, Timer::Tick, &mut late.ctx(0));
    assert_eq!(n.entry(NodeId(1)).status, Status::Alive);
    assert_eq!(n.entry(NodeId(2)).status, Status::Dead);
    assert_eq!(n.entry(NodeId(3)).status, Status::Dead);
}

/// The detection measurement agrees with the paper's analysis: with random selection some
/// member probes the failed one in a period with probability 1 − (1 − 1/(n−1))^(n−1), so the
/// mean first detection is its inverse (→ e/(e−1) ≈ 1.58), whatever n.
#[test]
fn first_detection_matches_the_papers_analysis() {
    for (n, trials) in [(3usize, 3000u64), (10, 2000), (40, 600)] {
        let s = detect::Settings {
            nodes: n,
            trials,
            seed: 11,
            loss: 0.0,
            selection: Selection::Random,
            indirect: 3,
        };
        let r = detect::detect(&s).unwrap();
        let q = 1.0 - 1.0 / (n as f64 - 1.0);
        let p = 1.0 - libm::pow(q, n as f64 - 1.0);
        let want = 1.0 / p;
        // Four standard errors of a geometric mean over `trials`.
        let se = libm::sqrt(1.0 - p) / p / libm::sqrt(trials as f64);
        assert!((r.mean_first_detection_periods - want).abs() < 4.0 * se, "n={n}: {r:?}, want {want}");
        assert_eq!(r.false_positives, 0);
        assert!(r.messages_per_member_per_period < 3.0, "{r:?}");
    }
    // Without gossip, a failure reaches each member only by its own probe: dissemination
    // takes about n periods instead of log n.
    let sw = Swim { members: 40, selection: Selection::Random, ..Swim::default() };
    let quiet = Swim { mutant: Some(Mutant::NoPiggyback), ..sw.clone() };
    let mean =
        |sw: &Swim| (0..20).map(|s| detect::trial(sw.clone(), 0.0, s).dissemination).sum::<f64>() / 20.0;
    let (gossip, alone) = (mean(&sw), mean(&quiet));
    assert!(alone > 3.0 * gossip, "with gossip {gossip}, without {alone}");
}

#[test]
fn detect_refuses_bad_settings() {
    let ok = detect::Settings {
        nodes: 10,
        trials: 10,
        seed: 0,
        loss: 0.0,
        selection: Selection::Random,
        indirect: 3,
    };
    for (bad, says) in [
        (detect::Settings { nodes: 1, ..ok.clone() }, "--nodes must be between 2 and 1000"),
        (detect::Settings { trials: 0, ..ok.clone() }, "--trials must be between 1"),
        (
            detect::Settings { nodes: 1000, trials: 10_000, ..ok.clone() },
            "--nodes × --trials must be at most",
        ),
        (detect::Settings { loss: 0.95, ..ok.clone() }, "--loss must be a percentage"),
        (detect::Settings { indirect: 9, ..ok.clone() }, "--indirect must be at most 8"),
    ] {
        assert!(detect::detect(&bad).unwrap_err().contains(says), "{bad:?}");
    }
}

/// Settings are checked with clear messages.
#[test]
fn bad_settings_are_refused() {
    let ok = Swim::default();
    assert_eq!(ok.validate(), Ok(()));
    for (bad, says) in [
        (Swim { members: 1, ..ok.clone() }, "members must be between 2 and 1000"),
        (Swim { members: 1001, ..ok.clone() }, "members must be between 2 and 1000"),
        (Swim { members: 101, detector: Detector::Heartbeat, ..ok.clone() }, "at most 100 members"),
        (Swim { period_ms: 50, ..ok.clone() }, "period must be between 100"),
        (Swim { ack_timeout_ms: 200, ..ok.clone() }, "ack timeout must be above 0 and below the period"),
        (Swim { indirect: 9, ..ok.clone() }, "at most 8"),
        (Swim { suspicion: Some(0), ..ok.clone() }, "suspicion timeout must be between 1"),
        (Swim { retransmit: 0, ..ok.clone() }, "retransmit multiplier"),
        (Swim { heartbeat_periods: 2, ..ok.clone() }, "heartbeat silence"),
    ] {
        assert!(bad.validate().unwrap_err().contains(says), "{bad:?}");
    }
}

/// Run `seeds` swarm cases for `events` each; the first violation, if any: (seed, property,
/// message).
fn swarm(seeds: core::ops::Range<u64>, mutant: Option<Mutant>, events: u64) -> Option<(u64, String, String)> {
    for seed in seeds {
        let (mut sw, faults): (Swim, FaultConfig) = swarm::case(seed);
        sw.mutant = mutant;
        let mut sim = Sim::new(sw, faults, seed);
        sim.keep_records = false;
        // A violation halts the simulator: `step` stops there.
        while sim.events() < events && sim.step() {}
        if let Some(v) = sim.violation() {
            return Some((seed, v.property.clone(), format!("{:?} {}", swarm::case(seed).0, v.message)));
        }
    }
    None
}

#[test]
fn a_swarm_of_configurations_keeps_every_promise() {
    assert_eq!(swarm(0..400, None, 20_000), None);
}

#[test]
fn the_swarm_catches_every_mutant() {
    // Each by the property it breaks (mod.rs's list), not merely by some property.
    let expected = [
        ("refutation-ignored", "refutation"),
        ("suspicion-skipped", "accuracy"),
        ("no-piggyback", "accuracy"),
        ("forget-incarnation", "incarnation"),
        ("suspect-forever", "completeness"),
        ("alive-ties", "incarnation"),
        ("relay-by-sender", "suspicion"),
    ];
    assert_eq!(MUTANTS.len(), expected.len(), "a mutant without its expected property");
    for (name, property) in expected {
        let found = swarm(0..400, Mutant::parse(name), 20_000);
        assert_eq!(found.as_ref().map(|f| f.1.as_str()), Some(property), "{name}: {found:?}");
    }
}

/// The release check's longer swarm (`scripts/release-check.sh`).
#[test]
#[ignore]
fn release_check_swarm() {
    assert_eq!(swarm(0..5_000, None, 40_000), None);
}

/// The crowd's drawing: what every member believes of the crashed one, from nobody knowing to
/// everyone knowing it dead, and of a member the reader picks.
#[test]
fn opinions_follow_the_news_of_a_crash() {
    use crate::lab::{build, Action, LabConfig};
    use crate::protocol::Tone;
    use crate::registry::Setup;
    let mut lab =
        build(&LabConfig::new(Setup::Swim(setup::Config { members: 40, ..Default::default() }))).unwrap();
    let tally = |o: &crate::protocol::Opinions, tone: Tone| o.of.iter().filter(|t| **t == tone).count();
    let calm = lab.opinions(None).unwrap();
    assert_eq!((calm.about, calm.of.len(), calm.marks), (None, 0, vec![0; 40]), "nobody in doubt");
    while lab.time() < Time::from_ms(2_000) {
        assert!(lab.step());
    }
    lab.act(Action::Crash(NodeId(7))).unwrap();
    let unnoticed = lab.opinions(None).unwrap();
    assert_eq!(unnoticed.about, Some(NodeId(7)), "a crash nobody has noticed is the one shown");
    assert_eq!((tally(&unnoticed, Tone::Good), tally(&unnoticed, Tone::Dim)), (39, 1));
    // The news spreads: first suspicion, then death, until every live member knows.
    let (mut saw_doubt, mut everyone) = (false, false);
    for _ in 0..200_000 {
        assert!(lab.step());
        let o = lab.opinions(None).unwrap();
        assert_eq!(o.about, Some(NodeId(7)), "the most doubted member is the crashed one");
        saw_doubt |= tally(&o, Tone::Warn) > 0;
        if tally(&o, Tone::Bad) == 39 {
            everyone = true;
            break;
        }
    }
    assert!(saw_doubt && everyone, "suspected first ({saw_doubt}), then dead to all ({everyone})");
    // A member picked by the reader: everyone trusts S1 (the node itself is Lead).
    let picked = lab.opinions(Some(NodeId(0))).unwrap();
    assert_eq!(picked.about, Some(NodeId(0)));
    assert_eq!((picked.of[0], tally(&picked, Tone::Good), picked.of[7]), (Tone::Lead, 38, Tone::Dim));
    // A node past the group is no node: the most doubted is shown instead.
    assert_eq!(lab.opinions(Some(NodeId(40))).unwrap().about, Some(NodeId(7)));
}

/// A thousand members' beliefs are megabytes: the timeline keeps fewer checkpoints of them
/// (512 of them outgrew the browser's memory at about 200,000 events), and stepping back still
/// lands on the same state. The checker's ghost state, which each checkpoint holds too, is
/// counted with the nodes.
#[test]
fn a_crowds_checkpoints_stay_within_their_byte_budget() {
    use crate::timeline::{Timeline, CHECKPOINT_BYTES, MIN_CHECKPOINTS, SPACING_CAP};
    let sw = Swim { members: 1000, ..Swim::default() };
    let mut tl = Timeline::new(Sim::new(sw, crate::net::FaultPreset::Light.config(), 1), 1 << 30);
    while tl.position() < 100_000 {
        assert!(tl.step());
    }
    let nodes: u64 = tl.sim().nodes().iter().map(crate::hash::encoded_len).sum();
    let weight = nodes + crate::hash::encoded_len(tl.sim().monitor());
    let (kept, every, near) = tl.checkpoints();
    assert!(weight > CHECKPOINT_BYTES / 64, "the crowd's state is heavy: {weight} bytes");
    assert!(
        kept <= MIN_CHECKPOINTS + 1 || kept as u64 * weight <= 2 * CHECKPOINT_BYTES,
        "{kept} checkpoints of {weight} bytes ({nodes} the nodes)"
    );
    assert!(every > crate::timeline::CHECKPOINT_EVERY, "the spacing grew: {every}");
    // The newest stay dense: a step back from here replays at most the capped spacing.
    assert!(tl.position() - near.unwrap() <= SPACING_CAP, "{near:?}");
    let here = tl.sim().trace_hash();
    tl.seek(99_999);
    tl.seek(100_000);
    assert_eq!(tl.sim().trace_hash(), here, "back and forth through a sparse past");
    // Far back and forth again: the replay from an early checkpoint lays new ones where it
    // passes, so stepping there is quick again.
    tl.seek(20_000);
    let early = tl.sim().trace_hash();
    tl.seek(19_999);
    assert!(tl.position() - tl.checkpoints().2.unwrap() <= SPACING_CAP, "dense again where the run stands");
    tl.seek(20_000);
    assert_eq!(tl.sim().trace_hash(), early);
    tl.seek(100_000);
    assert_eq!(tl.sim().trace_hash(), here);
}

/// Accuracy is judged from a suspicion's real start. For a round from 2 s, each member's first
/// direct ping in flight is lost (its indirect probe gets through, so nobody suspects anyone);
/// twenty seconds later S4 is cut off from everyone. With suspicion-skipped, a member is
/// declared dead at its first failed probe, and the old losses, long past, let that pass as
/// evidence from before a suspicion (red-team finding). Without the mutant the run is fine.
#[test]
fn a_death_at_the_first_failed_probe_is_caught_after_an_old_loss_too() {
    for mutant in [None, Some(Mutant::SuspicionSkipped)] {
        let sw = Swim { members: 8, mutant, ..Swim::default() };
        let round = sw.period().0 * 7;
        let mut sim = Sim::new(sw, FaultConfig::default(), 1);
        let run_to =
            |sim: &mut Sim<Swim>, t: u64| while sim.now().0 < t && sim.violation().is_none() && sim.step() {};
        run_to(&mut sim, 2_000_000);
        let mut lost = [false; 8];
        while sim.now().0 < 2_000_000 + round && sim.violation().is_none() && sim.step() {
            let ping = sim.flights().find(|f| matches!(f.msg, Msg::Ping { .. }) && !lost[f.from.index()]);
            if let Some((id, from)) = ping.map(|f| (f.id, f.from)) {
                lost[from.index()] = true;
                sim.apply_input(crate::sim::Input::Drop(id));
            }
        }
        assert_eq!(lost, [true; 8]);
        run_to(&mut sim, 22_000_000);
        assert_eq!(sim.violation(), None, "{mutant:?}: before S4 is cut off");
        sim.apply_input(crate::sim::Input::Partition(vec![0, 0, 0, 1, 0, 0, 0, 0]));
        run_to(&mut sim, 40_000_000);
        match mutant {
            None => assert_eq!(sim.violation(), None),
            Some(_) => {
                let v = sim.violation().expect("the death at the first failed probe is caught");
                assert_eq!(v.property, "accuracy", "{}", v.message);
            }
        }
    }
}

/// §4.2's precedence within one incarnation is a property of its own (red-team finding: the
/// checker rejected only a falling incarnation, so a member that let news of life clear a
/// suspicion at the same incarnation went unseen, its harm a detection delayed by stale news).
#[test]
fn a_suspicion_cleared_at_its_own_incarnation_breaks_the_incarnation_property() {
    for seed in 0..4 {
        let sw = Swim { mutant: Some(Mutant::AliveTies), ..Swim::default() };
        let mut sim = Sim::new(sw, crate::net::FaultPreset::Light.config(), seed);
        sim.keep_records = false;
        while sim.events() < 20_000 && sim.step() {}
        let v = sim.violation().expect("caught");
        assert_eq!(v.property, "incarnation", "seed {seed}: {}", v.message);
        assert!(v.message.contains("from suspect to alive at one incarnation"), "seed {seed}: {}", v.message);
    }
}

/// Once the faults stop (every cut healed, every crashed member restarted), the group becomes
/// whole again: every member believes every other alive. No property judges this (it is
/// liveness, with random reconnects and gossip, so no hard bound), so the swarm's seeds are
/// run to quiet here. Without reconnect pings, or with a refutation that never spreads, a
/// member declared dead while up stays dead for ever in someone's list.
fn merges_after_the_faults(seeds: core::ops::Range<u64>, mutant: Option<Mutant>) -> Result<u64, String> {
    let mut slowest = 0;
    for seed in seeds {
        let (mut sw, faults) = swarm::case(seed);
        sw.mutant = mutant;
        let n = sw.members;
        let mut sim = Sim::new(sw.clone(), faults, seed);
        sim.keep_records = false;
        while sim.events() < 20_000 && sim.step() {}
        if sim.violation().is_some() {
            continue;
        }
        sim.faults = crate::net::FaultPreset::None.config();
        sim.apply_input(crate::sim::Input::Heal);
        for i in 0..n {
            if !sim.status()[i].up {
                sim.apply_input(crate::sim::Input::Restart(NodeId(i as u32)));
            }
        }
        let quiet = sim.now();
        let whole = |sim: &Sim<Swim>| {
            sim.nodes().iter().all(|m| (0..n).all(|w| m.entry(NodeId(w as u32)).status == Status::Alive))
        };
        let limit = Time(quiet.0 + sw.period().0 * 60 * RECONNECT_PERIODS as u64);
        while !whole(&sim) && sim.now() < limit && sim.step() {}
        if !whole(&sim) {
            return Err(format!(
                "seed {seed} ({sw:?}): not whole {} after the faults stopped",
                sim.now().0 - quiet.0
            ));
        }
        slowest = slowest.max((sim.now().0 - quiet.0) / sw.period().0);
    }
    Ok(slowest)
}

#[test]
fn the_group_becomes_whole_once_the_faults_stop() {
    // The slowest of these seeds took 144 periods; the limit is 600.
    let slowest = merges_after_the_faults(0..150, None).unwrap();
    assert!(slowest > 0, "no seed had anything to mend");
    // A member that never refutes, or whose refutation nobody hears, stays dead.
    for broken in [Mutant::RefutationIgnored, Mutant::NoPiggyback] {
        assert!(merges_after_the_faults(0..150, Some(broken)).is_err(), "{broken:?}");
    }
}
