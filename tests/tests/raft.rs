#![cfg(not(target_arch = "wasm32"))]
//! Raft as a whole: the paper's scenarios, the extensions, and the fault sweeps with mutants.

use distlab_core::lab::{self, LabConfig};
use distlab_core::net::{FaultConfig, FaultPreset};
use distlab_core::protocol::Protocol;
use distlab_core::protocol::{NodeId, Time};
use distlab_core::raft::server::Role;
use distlab_core::raft::setup::Config as RaftConfig;
use distlab_core::raft::{self, scenarios, Command, Msg, Node, Raft, ReadMode, Server};
use distlab_core::registry::Setup;
use distlab_core::sim::Sim;
use distlab_core::trace::RecordKind;
use distlab_tests::run;
use std::collections::BTreeSet;

fn scenario(name: &str, mutant: Option<raft::Mutant>) -> Raft {
    scenarios::apply(name, Raft { mutant, ..Raft::default() }).unwrap()
}

fn sim(r: Raft, seed: u64) -> Sim<Raft> {
    r.validate().unwrap();
    Sim::new(r, FaultConfig::default(), seed)
}

fn run_until(s: &mut Sim<Raft>, t: Time) -> Vec<RecordKind<Raft>> {
    let mut out = Vec::new();
    while s.next_time().is_some_and(|n| n <= t) && s.step() {
        out.extend(s.last_records().iter().map(|r| r.kind.clone()));
    }
    out
}

fn servers(s: &Sim<Raft>) -> Vec<&Server> {
    s.nodes()
        .iter()
        .filter_map(|n| match n {
            Node::Server(x) => Some(x),
            Node::Client(_) => None,
        })
        .collect()
}

fn leader(s: &Sim<Raft>) -> Option<&Server> {
    servers(s)
        .into_iter()
        .enumerate()
        .filter(|(i, x)| s.status()[*i].up && x.role == Role::Leader)
        .map(|(_, x)| x)
        .max_by_key(|x| x.hard.term)
}

fn log_terms(s: &Server) -> Vec<u64> {
    s.hard.log.iter().map(|e| e.term).collect()
}

/// §5.2: a leader is elected, and a leader crash leads to a new leader in a higher term.
#[test]
fn section_5_2_leader_crash_and_reelection() {
    let mut s = sim(scenario("leader-crash", None), 1);
    run_until(&mut s, Time::from_ms(1100));
    let first = leader(&s).expect("a leader by 1.1 s");
    let (old_id, old_term) = (first.id, first.hard.term);
    let recs = run_until(&mut s, Time::from_ms(2500));
    assert!(recs.iter().any(|r| matches!(r, RecordKind::Crash { node } if *node == old_id)));
    let second = leader(&s).expect("a new leader after the crash");
    assert_ne!(second.id, old_id);
    assert!(second.hard.term > old_term);
    // The restarted old leader rebuilds its commit index from zero (RaftScope keeps it: a bug).
    run_until(&mut s, Time::from_ms(2601));
    let back = servers(&s)[old_id.index()];
    assert_eq!(back.role, Role::Follower);
    assert_eq!(back.commit, 0);
    run_until(&mut s, Time::from_ms(4000));
    let back = servers(&s)[old_id.index()];
    assert!(back.commit > 0, "it catches up");
    assert!(s.violation().is_none());
}

/// §5.2: two candidates with nearly equal timeouts split the vote; a later term elects one.
#[test]
fn section_5_2_split_vote_resolves_in_a_later_term() {
    let mut split_seen = false;
    for seed in 0..20 {
        let mut s = sim(scenario("split-vote", None), seed);
        let recs = run_until(&mut s, Time::from_ms(3000));
        let elected_t1 =
            recs.iter().any(|r| matches!(r, RecordKind::Note { note: raft::Note::Elected { term: 1, .. } }));
        let l = leader(&s).expect("eventually a leader");
        if !elected_t1 {
            split_seen = true;
            assert!(l.hard.term >= 2);
        }
    }
    assert!(split_seen, "no seed split the vote in term 1");
}

/// §5.3 and Figure 7: a new leader forces followers' logs to match its own.
#[test]
fn figure_7_new_leader_brings_logs_in_line() {
    let mut s = sim(scenario("figure-7", None), 1);
    run_until(&mut s, Time::from_ms(2000));
    let l = leader(&s).expect("a leader");
    assert_eq!(l.id, NodeId(0), "S1 wins term 8");
    assert_eq!(l.hard.term, 8);
    let want = log_terms(l);
    assert_eq!(want, vec![1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 8]);
    for f in servers(&s) {
        assert_eq!(log_terms(f), want, "{} did not converge", f.id);
    }
    assert!(s.violation().is_none());
}

/// §5.4.2 and Figure 8: committing an old-term entry by counting replicas loses it; the
/// correct rule does not.
#[test]
fn figure_8_counting_old_term_replicas_loses_a_committed_entry() {
    let mut caught = 0;
    for seed in 0..40 {
        let mut good = sim(scenario("figure-8", None), seed);
        run_until(&mut good, Time::from_ms(3000));
        assert!(good.violation().is_none(), "seed {seed}: {:?}", good.violation());
        let mut bad = sim(scenario("figure-8", Some(raft::Mutant::CommitOldTerm)), seed);
        run_until(&mut bad, Time::from_ms(3000));
        if let Some(v) = bad.violation() {
            assert_eq!(v.property, "leader-completeness");
            caught += 1;
        }
    }
    // The preset is a reliable lesson, not a lucky draw: the bug shows on (nearly) every seed.
    assert!(caught >= 38, "the Figure 8 bug showed on only {caught} of 40 seeds");
}

/// §5.4.1: a server with a stale log cannot win: S5 in Figure 8 loses when S1's term-4 entry
/// is on a majority.
#[test]
fn section_5_4_1_stale_log_loses_the_election() {
    let mut s = sim(scenario("figure-8", None), 1);
    let recs = run_until(&mut s, Time::from_ms(400));
    let refused = recs.iter().any(
        |r| matches!(r, RecordKind::Deliver { to, msg: Msg::Vote { granted: false, .. }, .. } if to.0 == 4),
    );
    assert!(refused, "S5's vote requests are refused");
    assert!(leader(&s).is_none_or(|l| l.id != NodeId(4)));
}

#[test]
fn minority_leader_cannot_commit_until_the_partition_heals() {
    let mut s = sim(scenario("minority-partition", None), 2);
    run_until(&mut s, Time::from_ms(1000));
    let stale = leader(&s).unwrap().id;
    let commit_then = servers(&s)[stale.index()].commit;
    run_until(&mut s, Time::from_ms(3400));
    let st = servers(&s)[stale.index()];
    assert_eq!(st.commit, commit_then, "the stale leader committed nothing");
    assert!(st.last_index() > commit_then, "but it accepted writes");
    let new = leader(&s).unwrap();
    assert_ne!(new.id, stale);
    run_until(&mut s, Time::from_ms(5000));
    let st = servers(&s)[stale.index()];
    assert_eq!(st.role, Role::Follower);
    assert_eq!(log_terms(st), log_terms(leader(&s).unwrap())[..st.hard.log.len()].to_vec());
    assert!(s.violation().is_none());
}

fn leader_term_after_rejoin(name: &str, seed: u64) -> (u64, u64) {
    let mut s = sim(scenario(name, None), seed);
    run_until(&mut s, Time::from_ms(790));
    let before = leader(&s).unwrap().hard.term;
    run_until(&mut s, Time::from_ms(4000));
    (before, servers(&s).iter().map(|x| x.hard.term).max().unwrap())
}

/// Thesis §9.6 and §6.2: without PreVote a rejoining node forces a new term; with it, not.
#[test]
fn prevote_and_check_quorum_stop_a_rejoining_node_from_disrupting() {
    for seed in 0..5 {
        let (before, after) = leader_term_after_rejoin("rejoin-disrupts", seed);
        assert!(after > before + 2, "seed {seed}: term {before} → {after}");
        let (before, after) = leader_term_after_rejoin("rejoin-prevote", seed);
        assert_eq!(after, before, "seed {seed}: PreVote should keep the term");
    }
}

#[test]
fn check_quorum_makes_a_cut_off_leader_step_down() {
    let r = Raft { check_quorum: true, ..scenario("minority-partition", None) };
    let mut s = sim(r, 3);
    run_until(&mut s, Time::from_ms(1000));
    let stale = leader(&s).unwrap().id;
    run_until(&mut s, Time::from_ms(2000));
    assert_ne!(servers(&s)[stale.index()].role, Role::Leader);
}

/// CheckQuorum runs every election timeout, the base one (the low end of the followers' range),
/// as etcd's leader checks when `electionElapsed` reaches `electionTimeout`: a cut-off leader
/// steps down within two of them, not two of the range's high end.
#[test]
fn check_quorum_runs_every_base_election_timeout() {
    let r = Raft { check_quorum: true, ..scenario("minority-partition", None) };
    let base = r.election_us.0;
    let mut s = sim(r, 3);
    let mut fired: Vec<(NodeId, Time)> = Vec::new();
    while s.next_time().is_some_and(|n| n <= Time::from_ms(2_000)) && s.step() {
        for rec in s.last_records() {
            if let RecordKind::Timer { node, timer: raft::Timer::CheckQuorum } = &rec.kind {
                fired.push((*node, rec.time));
            }
        }
    }
    let gaps: Vec<u64> =
        fired.windows(2).filter(|w| w[0].0 == w[1].0).map(|w| w[1].1 .0 - w[0].1 .0).collect();
    assert!(!gaps.is_empty(), "a leader checked its quorum twice");
    assert!(gaps.iter().all(|g| *g == base), "every {base} µs: {gaps:?}");
}

#[test]
fn leadership_transfer_hands_over_without_a_crash() {
    let mut s = sim(scenario("leader-transfer", None), 4);
    run_until(&mut s, Time::from_ms(1190));
    let before = leader(&s).unwrap().id;
    let recs = run_until(&mut s, Time::from_ms(2000));
    assert!(recs.iter().any(|r| matches!(r, RecordKind::Deliver { msg: Msg::TimeoutNow { .. }, .. })));
    assert!(!recs.iter().any(|r| matches!(r, RecordKind::Crash { .. })));
    assert_ne!(leader(&s).unwrap().id, before);
}

/// A spare added to the cluster may come to lead, and clients reach it: before, a client tried
/// only the first `servers` servers and dropped every hint naming a spare, so with the added
/// server leading no request completed.
#[test]
fn clients_reach_a_leader_that_began_as_a_spare() {
    use distlab_core::protocol::{ScriptAction::Client, Target};
    let mut r = scenario("add-server", None);
    let to_s4 = raft::ClientOp::TransferLeadership(Some(NodeId(3)));
    r.script.push((Time::from_ms(3_000), Client(Target::Leader, to_s4)));
    let mut s = sim(r, 3);
    run_until(&mut s, Time::from_ms(3_500));
    assert_eq!(leader(&s).map(|l| l.id), Some(NodeId(3)), "S4 leads");
    let recs = run_until(&mut s, Time::from_ms(6_000));
    let acks = recs.iter().filter(|r| matches!(r, RecordKind::Note { note: raft::Note::Ack { .. } })).count();
    assert!(acks > 10, "only {acks} answers while S4 led");
    assert_eq!(leader(&s).map(|l| l.id), Some(NodeId(3)));
    assert!(s.violation().is_none());
}

#[test]
fn read_index_serves_reads_without_log_entries() {
    let mut s = sim(scenario("read-index", None), 5);
    let recs = run_until(&mut s, Time::from_ms(5000));
    let read_acks = recs
        .iter()
        .filter(|r| matches!(r, RecordKind::Note { note: raft::Note::Ack { op: raft::KvOp::Get(_), .. } }))
        .count();
    assert!(read_acks > 5, "only {read_acks} reads answered");
    for x in servers(&s) {
        assert!(!x.hard.log.iter().any(|e| matches!(&e.cmd, Command::Kv { op: raft::KvOp::Get(_), .. })));
    }
    assert!(s.violation().is_none());
}

#[test]
fn lease_reads_answer_without_a_round_trip() {
    let r = Raft { read_mode: ReadMode::Lease, check_quorum: true, ..scenario("read-index", None) };
    let mut s = sim(r, 6);
    let recs = run_until(&mut s, Time::from_ms(5000));
    assert!(recs
        .iter()
        .any(|r| matches!(r, RecordKind::Note { note: raft::Note::Ack { op: raft::KvOp::Get(_), .. } })));
    assert!(s.violation().is_none());
}

#[test]
fn a_lagging_follower_receives_a_snapshot_and_catches_up() {
    let mut s = sim(scenario("snapshot-install", None), 7);
    let recs = run_until(&mut s, Time::from_ms(6000));
    assert!(recs.iter().any(|r| matches!(r, RecordKind::Deliver { msg: Msg::InstallSnapshot { .. }, .. })));
    let l = leader(&s).unwrap();
    assert!(l.hard.snapshot.last_index > 0);
    for x in servers(&s) {
        assert!(x.applied + 20 >= l.applied, "{} lags: {} vs {}", x.id, x.applied, l.applied);
    }
    assert!(s.violation().is_none());
}

#[test]
fn adding_a_server_catches_it_up_then_changes_the_configuration() {
    let mut s = sim(scenario("add-server", None), 8);
    run_until(&mut s, Time::from_ms(1490));
    assert!(!leader(&s).unwrap().config.contains(&NodeId(3)));
    run_until(&mut s, Time::from_ms(4000));
    let l = leader(&s).unwrap();
    assert_eq!(l.config, vec![NodeId(0), NodeId(1), NodeId(2), NodeId(3)]);
    let new = servers(&s)[3];
    assert!(new.config.contains(&NodeId(3)));
    assert!(new.commit + 10 >= l.commit);
    assert!(s.violation().is_none());
}

#[test]
fn removing_a_server_shrinks_the_majority() {
    use distlab_core::sim::Input;
    let mut s = sim(Raft { servers: 5, clients: 1, ..Raft::default() }, 9);
    run_until(&mut s, Time::from_ms(1000));
    let l = leader(&s).unwrap().id;
    let victim = NodeId(if l.0 == 4 { 3 } else { 4 });
    s.apply_input(Input::Client(l, raft::ClientOp::RemoveServer(victim)));
    run_until(&mut s, Time::from_ms(2000));
    let cfg = &leader(&s).unwrap().config;
    assert_eq!(cfg.len(), 4);
    assert!(!cfg.contains(&victim));
}

/// The stale-local-read lesson: in `local` mode a deposed leader answers from its own copy,
/// after a write through the new leader was acknowledged: a stale read, on every seed.
#[test]
fn a_local_read_on_a_deposed_leader_is_stale() {
    for seed in 0..10 {
        let cfg =
            LabConfig { seed, scenario: Some("stale-local-read".into()), ..raft(RaftConfig::default()) };
        let out = run(&cfg, 5_000);
        let v = out.violation.unwrap_or_else(|| panic!("seed {seed}: no stale read"));
        assert_eq!(v.property, "linearizable", "seed {seed}");
        assert!(v.message.contains("stale read"), "seed {seed}: {}", v.message);
    }
}

#[test]
fn every_scenario_runs_clean_on_many_seeds() {
    for info in scenarios::SCENARIOS {
        if info.name == "lease-slow-clock" || info.name == "stale-local-read" {
            // They break linearizability on purpose: a_slow_clock_stretches_a_lease_into_a_stale_read,
            // a_local_read_on_a_deposed_leader_is_stale.
            continue;
        }
        for seed in 0..10 {
            let cfg = LabConfig { seed, scenario: Some(info.name.into()), ..raft(RaftConfig::default()) };
            let out = run(&cfg, 5_000);
            assert!(out.violation.is_none(), "{} seed {seed}: {:?}", info.name, out.violation);
        }
    }
}

fn sweep(cfg: LabConfig, seeds: u64) -> (u64, Option<String>) {
    let mut violations = 0;
    let mut first = None;
    for seed in 0..seeds {
        if let Some(v) = run(&LabConfig { seed, ..cfg.clone() }, 20_000).violation {
            violations += 1;
            first.get_or_insert(format!("seed {seed}: {} — {}", v.property, v.message));
        }
    }
    (violations, first)
}

fn raft(settings: RaftConfig) -> LabConfig {
    LabConfig::new(Setup::Raft(settings))
}

/// Raft under heavy faults, with these settings.
fn heavy_with(settings: RaftConfig) -> LabConfig {
    LabConfig { faults: FaultPreset::Heavy, ..raft(settings) }
}

fn heavy() -> LabConfig {
    heavy_with(RaftConfig::default())
}

#[test]
fn raft_holds_under_heavy_faults_for_a_thousand_seeds() {
    let (v, first) = sweep(heavy(), 1_000);
    assert_eq!(v, 0, "{first:?}");
}

#[test]
fn raft_extensions_hold_under_heavy_faults() {
    let variants = [
        heavy_with(RaftConfig { prevote: true, check_quorum: true, ..Default::default() }),
        heavy_with(RaftConfig { read_mode: ReadMode::ReadIndex, clients: 2, ..Default::default() }),
        heavy_with(RaftConfig {
            read_mode: ReadMode::Lease,
            check_quorum: true,
            clients: 2,
            ..Default::default()
        }),
        heavy_with(RaftConfig { snapshot_every: 6, servers: 3, ..Default::default() }),
        heavy_with(RaftConfig { snapshot_every: 0, ..Default::default() }),
    ];
    for cfg in variants {
        let (v, first) = sweep(cfg.clone(), 200);
        assert_eq!(v, 0, "{cfg:?}: {first:?}");
    }
}

#[test]
fn every_raft_mutant_is_caught_by_a_sweep() {
    for (name, _) in lab::mutants("raft").unwrap() {
        // The Figure 8 bug needs three terms of divergence; it shows most often in 3 servers.
        let servers = if name == "commit-old-term" { 3 } else { 5 };
        // Reads that skip the log are what read-before-term-commit breaks.
        let read_mode = if name == "read-before-term-commit" { ReadMode::ReadIndex } else { ReadMode::Log };
        let cfg = LabConfig {
            mutant: Some(name.into()),
            ..heavy_with(RaftConfig { servers, read_mode, ..Default::default() })
        };
        let (v, first) = sweep(cfg, 1_000);
        assert!(v > 0, "mutant {name} was never caught");
        eprintln!("{name}: {v} of 1000 seeds; first {first:?}");
    }
}

/// Swarm: each seed draws its own configuration (size, spares, extensions, read mode, snapshots,
/// workload, operator commands at random times, a fault mix, clock skews within the lease's
/// bound), and the history of each run also goes through the search-based checker.
#[test]
fn raft_holds_across_a_swarm_of_configurations() {
    let r = distlab_tests::raft_swarm(0..300, None, 20_000);
    eprintln!("raft swarm: {r:?}");
    assert_eq!(r.violations, 0, "{:?}", r.first);
    assert!(r.shapes > 250, "only {} distinct configurations", r.shapes);
    assert!(r.operations > 10_000 && r.elections > 300, "{r:?}");
}

/// The same swarm catches every mutant, and each property is the first to fire under some
/// mutant (one that never fires first would be untested): `acked-write-durable` under the
/// mutant that acknowledges writes before they commit, and so on.
#[test]
fn the_swarm_catches_every_raft_mutant() {
    let mut first = BTreeSet::new();
    for (name, _) in lab::mutants("raft").unwrap() {
        if name == "commit-old-term" {
            // Figure 8 needs three short terms in a precise order; random schedules hit it about
            // once in a few hundred runs. The figure-8 preset shows it on nearly every seed
            // (`figure_8_counting_old_term_replicas_loses_a_committed_entry`).
            continue;
        }
        let mutant = raft::Mutant::parse(name);
        let r = distlab_tests::raft_swarm(0..300, mutant, 20_000);
        eprintln!("{name}: {} of {} seeds; first properties {:?}", r.violations, r.seeds, r.properties);
        assert!(r.violations > 0, "mutant {name} was never caught");
        assert!(
            !r.properties.contains_key("lincheck"),
            "{name}: only the history search saw it: {:?}",
            r.first
        );
        if name == "ack-before-commit" {
            assert!(r.properties.contains_key("acked-write-durable"), "{:?}", r.properties);
        }
        first.extend(r.properties.into_keys());
    }
    // Every property is the first to fire under some mutant: Log Matching under
    // keep-conflicting-suffix, State Machine Safety under install-stale-snapshot, `linearizable`
    // under read-before-term-commit (and under the unsafe read modes, not mutants:
    // local_reads_are_caught_as_stale, a_slow_clock_stretches_a_lease_into_a_stale_read).
    let all: BTreeSet<String> = Raft::default().properties().iter().map(|p| p.name.to_string()).collect();
    assert_eq!(first, all);
}

/// Reads served from the leader's own state at once (read mode `local`) are not linearizable:
/// a deposed leader that has not heard of its successor answers with old values. The per-event
/// check names the stale read, and the history search agrees.
#[test]
fn local_reads_are_caught_as_stale() {
    let cfg = heavy_with(RaftConfig { read_mode: ReadMode::Local, clients: 3, ..Default::default() });
    let (v, first) = sweep(cfg, 200);
    assert!(v > 0, "no stale read in 200 seeds");
    assert!(
        first.as_deref().is_some_and(|f| f.contains("linearizable") && f.contains("stale read")),
        "{first:?}"
    );
}

/// Thesis §6.4: a lease is only as good as the clocks. The lease-slow-clock preset slows the
/// leader's clock tenfold and cuts it off: it keeps answering from an expired lease and the
/// badge names the stale read. With the skew inside the bound the lease assumes (±5 %), or with
/// ReadIndex instead of a lease, the same run is linearizable.
#[test]
fn a_slow_clock_stretches_a_lease_into_a_stale_read() {
    use distlab_core::protocol::{ScriptAction, Target};
    let with_skew = |pct: i32, read_mode: ReadMode| {
        let mut r = scenario("lease-slow-clock", None);
        r.read_mode = read_mode;
        for (_, step) in r.script.iter_mut() {
            if let ScriptAction::Skew(Target::Leader, p) = step {
                *p = pct;
            }
        }
        r
    };
    let mut stale = 0;
    for seed in 0..50 {
        let mut s = sim(with_skew(900, ReadMode::Lease), seed);
        run_until(&mut s, Time::from_ms(4000));
        if let Some(v) = s.violation() {
            assert_eq!(v.property, "linearizable", "seed {seed}: {v:?}");
            assert!(v.message.starts_with("stale read: C1's get x"), "seed {seed}: {}", v.message);
            stale += 1;
        }
        let bound = distlab_core::swarm::LEASE_SAFE_SKEW_PCT;
        for (pct, mode) in [(bound, ReadMode::Lease), (-bound, ReadMode::Lease), (900, ReadMode::ReadIndex)] {
            let mut s = sim(with_skew(pct, mode), seed);
            run_until(&mut s, Time::from_ms(4000));
            assert!(s.violation().is_none(), "seed {seed}, skew {pct}, {mode:?}: {:?}", s.violation());
        }
    }
    assert!(stale >= 48, "the stale read showed on only {stale} of 50 seeds");
}

/// Lease reads without CheckQuorum are refused with a reason: followers would vote for a new
/// leader while the old one's lease still runs.
#[test]
fn lease_reads_need_check_quorum() {
    let lease = RaftConfig { read_mode: ReadMode::Lease, check_quorum: false, ..Default::default() };
    let e = lab::build(&heavy_with(lease.clone())).err().unwrap();
    assert!(e.contains("lease reads need CheckQuorum"), "{e}");
    assert!(lab::build(&heavy_with(RaftConfig { check_quorum: true, ..lease })).is_ok());
}
