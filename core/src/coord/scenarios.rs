//! The coordination presets: the lock's handover and the fenced write, a stale read and the
//! same read after `sync`, a watch that outlives its connection, leader election, a leader
//! that stops leading while its connection is lost (Curator's leader latch), a service's
//! failover in the catalog, and the configuration store whose history the linearizability
//! checker judges.
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
use crate::raft::Raft;

use super::types::{ClientOp, Coordination, Mutant, Recipe};

/// The presets: (name, title).
pub const SCENARIOS: &[(&str, &str)] = &[
    (
        "lock-fencing",
        "A lock with fencing tokens: the holder pauses, loses the lock, and storage refuses its late write",
    ),
    ("stale-read", "A stale read from a lagging server, and the same read after sync"),
    (
        "watch-moves",
        "A watch outlives its connection: the server crashes, the node changes, the next server fires it",
    ),
    ("election", "Leader election: the leader crashes, its session expires, the next in line leads"),
    (
        "leader-suspended",
        "A suspended leader: the leader's server crashes; the leader stops leading until it is connected again",
    ),
    ("service-failover", "Service discovery: a crashed instance leaves the catalog when its session expires"),
    (
        "config-store",
        "A configuration store: reads after sync and conditional sets, checked for linearizability",
    ),
];

/// When the lock holder's GC pause begins, in milliseconds.
const PAUSE_AT_MS: u64 = 1_500;

fn step(cue: Cue, text: &str) -> Step {
    Step::new(cue, text)
}

fn client(c: &Coordination, k: usize) -> Target {
    Target::Node(NodeId((c.servers() + k) as u32))
}

fn op(text: &str) -> ClientOp {
    super::types::parse_op(text).unwrap_or(ClientOp::Pause(1))
}

pub fn apply_scenario(name: &str, base: Coordination) -> Result<Coordination, String> {
    let mutant = base.mutant;
    let three = Coordination {
        raft: Raft { servers: 3, clients: 0, ..base.raft.clone() },
        clients: 3,
        session_timeout_ms: 1_000,
        pause_pct: 0,
        ..base
    };
    let c = match name {
        "lock-fencing" => {
            let c = Coordination {
                recipe: Recipe::Lock,
                work_ms: 1_500,
                think_ms: 1_000,
                stagger_ms: 600,
                ..three
            };
            let script = vec![(
                Time::from_ms(PAUSE_AT_MS),
                ScriptAction::Client(client(&c, 0), ClientOp::Pause(3_500)),
            )];
            Coordination { script, narration: lock_fencing(mutant == Some(Mutant::NoFencing)), ..c }
        }
        "stale-read" => {
            let mut c =
                Coordination { recipe: Recipe::Idle, session_timeout_ms: 10_000, stagger_ms: 300, ..three };
            c.raft.prevote = true;
            // S1 leads, so the server cut off is a follower that lags.
            c.raft.first_election_us = vec![150_000, 400_000, 400_000];
            let (c1, c3) = (client(&c, 0), client(&c, 2));
            let at = |ms: u64| Time::from_ms(ms);
            let script = vec![
                (at(1_200), ScriptAction::Client(c1.clone(), op("create /config 1"))),
                (at(1_500), ScriptAction::Isolate(Target::Node(NodeId(2)), vec![NodeId(5)])),
                (at(1_600), ScriptAction::Client(c1, op("set /config 2"))),
                (at(1_750), ScriptAction::Client(c3.clone(), op("get /config"))),
                // Before S3's sync limit runs out: it never stops serving C3.
                (at(1_850), ScriptAction::Heal),
                (at(2_300), ScriptAction::Client(c3.clone(), op("sync"))),
                (at(2_900), ScriptAction::Client(c3, op("get /config"))),
            ];
            Coordination { script, narration: stale_read(), ..c }
        }
        "watch-moves" => {
            let mut c =
                Coordination { recipe: Recipe::Idle, session_timeout_ms: 10_000, stagger_ms: 300, ..three };
            // S2 leads, so the crash of C1's server S1 leaves the ensemble a leader and a majority.
            c.raft.first_election_us = vec![400_000, 150_000, 400_000];
            let (c1, c2) = (client(&c, 0), client(&c, 1));
            let at = |ms: u64| Time::from_ms(ms);
            let script = vec![
                (at(1_200), ScriptAction::Client(c1.clone(), op("create /config 1"))),
                (at(1_500), ScriptAction::Client(c1.clone(), op("get /config watch"))),
                (at(1_800), ScriptAction::Crash(Target::Node(NodeId(0)))),
                (at(1_900), ScriptAction::Client(c2, op("set /config 2"))),
                (at(3_500), ScriptAction::Client(c1, op("get /config"))),
            ];
            let broken = mutant == Some(Mutant::ForgetWatches);
            Coordination { script, narration: watch_moves(broken), ..c }
        }
        "election" => {
            let c = Coordination { recipe: Recipe::Election, work_ms: 400, stagger_ms: 400, ..three };
            let script = vec![(Time::from_ms(2_000), ScriptAction::Crash(client(&c, 0)))];
            Coordination { script, narration: election(), ..c }
        }
        "leader-suspended" => {
            let c = Coordination { recipe: Recipe::Election, work_ms: 400, stagger_ms: 400, ..three };
            // C1 talks to S1; S2 leads the ensemble, so S1's crash leaves it a leader and a quorum.
            let mut c = Coordination { narration: suspended(), ..c };
            c.raft.first_election_us = vec![400_000, 150_000, 400_000];
            c.script = vec![(Time::from_ms(2_000), ScriptAction::Crash(Target::Node(NodeId(0))))];
            c
        }
        "service-failover" => {
            let c = Coordination { recipe: Recipe::Discovery, stagger_ms: 400, ..three };
            let script = vec![(Time::from_ms(2_000), ScriptAction::Crash(client(&c, 0)))];
            Coordination { script, narration: failover(), ..c }
        }
        "config-store" => {
            let c = Coordination { recipe: Recipe::Config, think_ms: 300, stagger_ms: 300, ..three };
            Coordination { narration: config_store(), ..c }
        }
        other => {
            let names: Vec<&str> = SCENARIOS.iter().map(|s| s.0).collect();
            return Err(format!("unknown coordination scenario \"{other}\"; known: {}", names.join(", ")));
        }
    };
    Ok(c)
}

fn lock_fencing(broken: bool) -> Vec<Step> {
    let mut steps = vec![
        step(
            Cue::Start,
            "Three servers replicate a tree of nodes with Raft. Three clients want one lock; a storage node, \
             outside the service, takes the lock holder's writes. C1 arrives first, C2 and C3 after it.",
        ),
        step(
            Cue::Says("takes the lock"),
            "C1 created a node under /lock that is ephemeral (it lives only as long as C1's session) and \
             sequential (the service appends a rising number to its name), then listed the children: its \
             node is the smallest, so it holds the lock. Its fencing token is the zxid (the number of the \
             log entry) that created its node: every later holder's token is larger.",
        ),
        step(
            Cue::Says(", watch"),
            "C2 created its own node, after C1's. It does not poll, and it does not watch the lock itself: it \
             watches only the node just before its own, so a release wakes one waiter, not the herd.",
        ),
        step(
            Cue::At(PAUSE_AT_MS),
            "C1 stops for three and a half seconds: a long garbage-collection pause. It runs nothing and sends no \
             heartbeats, and it cannot know that time passes.",
        ),
        step(
            Cue::Says("expires session"),
            "The leader has heard nothing from C1's session for its timeout (1 s). It puts the session's expiry \
             in the log: once that entry commits, every replica deletes C1's ephemeral node in that same \
             transaction. Until then the tree still shows it.",
        ),
        step(
            Cue::Deliver("WatchEvent"),
            "C2's watch fires: the node before its own is gone. It lists the children again to be sure.",
        ),
        step(
            Cue::Says("takes the lock"),
            "C2's node is now the smallest: C2 holds the lock, with a larger token. C1, still paused, believes \
             it holds it too.",
        ),
        step(
            Cue::Says("storage accepts a write"),
            "C2 writes with its token, and storage remembers it as the newest it has seen.",
        ),
        step(
            Cue::Says("refused"),
            "C1 wakes and, unaware, writes with its old token. Storage refuses it: a token older than one it \
             has seen means a holder that lost the lock. A lock alone could not prevent this write; the token \
             does.",
        )
        .breaking("no-fencing"),
    ];
    if broken {
        steps.pop();
        steps.push(step(
            Cue::Violation,
            "With no-fencing, storage takes every write: C1's stale write lands after C2's, and two holders \
             have written out of order. The checker's fenced-writes property breaks.",
        ));
    }
    steps
}

fn stale_read() -> Vec<Step> {
    vec![
        step(
            Cue::Start,
            "Three servers, three clients, each connected to its own server: C1 to S1, C2 to S2, C3 to S3. \
             Writes go through the leader and the log; reads are answered by the client's own server from its \
             own copy.",
        ),
        step(Cue::Says("create /config"), "C1 creates /config with the value 1."),
        step(Cue::Partition, "S3, with C3, is cut off from the other servers. It keeps its copy of the tree."),
        step(
            Cue::Says("set /config = 2"),
            "C1 sets /config to 2. S1 and S2 are a majority: the write commits without S3.",
        ),
        step(
            Cue::Shows("get /config → = 1 (version 0)"),
            "C3 reads /config from S3 and gets 1, though 2 was committed before the read began: S3's own copy is \
             behind (the tree board shows the newest server's). Reads are local, so fast, and may be stale: not \
             linearizable. How stale is bounded: a server that hears from no leader for the sync limit (0.5 s \
             here) stops answering.",
        ),
        step(Cue::Heal, "The network heals; S3 catches up when the leader next reaches it."),
        step(
            Cue::Says("synced"),
            "C3 asks for sync first: a no-op that goes through the leader and the log. C3 cannot tell whether S3 \
             has caught up since the heal; once S3 has applied the sync, it holds every write committed before \
             it.",
        ),
        step(Cue::Shows("get /config → = 2 (version 1)"), "Now the read from S3 returns 2. Sync, then read: a current read."),
    ]
}

fn watch_moves(broken: bool) -> Vec<Step> {
    let mut steps = vec![
        step(
            Cue::Start,
            "Three servers, three clients: C1 on S1, C2 on S2, C3 on S3. A watch is a one-shot promise: the \
             server that holds it tells the client of the node's next change, before it answers anything that \
             shows the change.",
        ),
        step(Cue::Says("create /config"), "C1 creates /config with the value 1."),
        step(
            Cue::Says("get /config, watch"),
            "C1 reads /config and leaves a watch. The watch lives on S1, at the server's end of C1's \
             connection; C1 remembers that it holds it.",
        ),
        step(Cue::Crash, "S1 crashes. C1's connection goes with it, and so does the watch S1 held."),
        step(
            Cue::Says("set /config = 2"),
            "C2 sets /config to 2. S2 and S3 are a majority: the write commits. No server holds C1's watch now.",
        ),
        step(
            Cue::At(3_500),
            "C1 reads /config again. It still holds its watch, so it expects to be told of any change before \
             it sees one. Its request goes to S1, which is down: no answer.",
        ),
        step(
            Cue::Says("sets its watch again"),
            "No answer to the retry either: C1 connects to S2, with the same session. Its first message there \
             carries the read, the watch it holds and the last zxid it saw (ZooKeeper's SetWatches).",
        ),
        step(
            Cue::Send("WatchEvent"),
            "/config changed after that zxid, so S2 fires the watch at once, before it answers anything else \
             on the connection: C1 will hear of the change first.",
        ),
        step(
            Cue::Shows("get /config → = 2"),
            "C1's read returns 2, and C1 was told first (its card: told: /config changed), as ZooKeeper promises \
             even across servers. A client that forgot its watches would read 2 without ever being told.",
        )
        .breaking("forget-watches"),
    ];
    if broken {
        // The same steps up to the break, which is this lesson's last: the reconnection without
        // the watch, the read answered, and the checker's verdict in its place.
        steps.truncate(6);
        steps.push(step(
            Cue::Says("S4 → S2: Request"),
            "No answer to the retry either: C1 connects to S2, with the same session. With forget-watches its \
             first message there carries the read and the last zxid it saw, but not its watch.",
        ));
        steps.push(step(
            Cue::Says("S2 → S4: Reply"),
            "S2 holds no watch of C1's, so nothing fires: it answers the read at once.",
        ));
        steps.push(step(
            Cue::Violation,
            "C1's read gets 2, and C1 was never told that /config changed. The checker's watch-first property \
             breaks.",
        ));
    }
    steps
}

fn election() -> Vec<Step> {
    vec![
        step(
            Cue::Start,
            "Three instances of a service must agree on one leader. Each creates an ephemeral sequential node \
             under /election; the smallest leads, the next watches its predecessor.",
        ),
        step(
            Cue::Says("becomes leader"),
            "C1's node is the smallest: C1 leads. Its epoch is the zxid that created its node, and it writes to \
             storage with it.",
        ),
        step(Cue::Crash, "C1, the leader, crashes."),
        step(
            Cue::Says("expires session"),
            "Its heartbeats stop. After the session timeout the service's leader puts the session's expiry in \
             the log; once that entry commits, C1's node goes with it.",
        ),
        step(Cue::Deliver("WatchEvent"), "C2 was watching C1's node: it is told, and lists the children again."),
        step(
            Cue::Says("becomes leader"),
            "C2's node is the smallest now: C2 leads, with a larger epoch. C3 still waits, on C2's node only.",
        ),
    ]
}

fn suspended() -> Vec<Step> {
    vec![
        step(
            Cue::Start,
            "The same election, and this time the leader stays up: its server fails. What should a leader do \
             when it cannot reach the service?",
        ),
        step(Cue::Says("becomes leader"), "C1's node is the smallest: C1 leads, connected to S1."),
        step(Cue::Crash, "S1, C1's server, crashes. C1 is fine, but hears nothing more."),
        step(
            Cue::Shows("no longer leads"),
            "C1's read timeout runs out and it moves to S2. Until S2 answers, C1 cannot know whether its \
             session, and so its node, still exist: it stops acting as leader at once (Curator's leader latch \
             does this on SUSPENDED). Had its session expired, C2 would lead by now.",
        ),
        step(
            Cue::Says("becomes leader"),
            "S2 answers within the session timeout: the session lives. C1 lists the children again, finds its \
             node still first, and leads again with the same epoch (RECONNECTED).",
        ),
    ]
}

fn failover() -> Vec<Step> {
    vec![
        step(
            Cue::Start,
            "Service discovery, Consul style: C1 and C2 are instances of a service; C3 keeps the catalog.",
        ),
        step(
            Cue::Says("(ephemeral)"),
            "An instance registers: an ephemeral node under /svc, alive exactly as long as its session.",
        ),
        step(
            Cue::Says("children /svc, watch"),
            "C3 lists /svc and leaves a watch on its children: it will hear of the next change.",
        ),
        step(Cue::Crash, "C1 crashes. Nobody deletes its registration: it has no chance to."),
        step(
            Cue::Says("expires session"),
            "Its session's heartbeats stop; after the timeout the leader puts the session's expiry in the log, \
             and once that entry commits, C1's instance node goes on every replica: the health check is the \
             session itself.",
        ),
        step(
            Cue::Deliver("WatchEvent"),
            "C3's watch fires: /svc's children changed. A watch fires once, so C3 lists /svc again, with a \
             new watch.",
        ),
        step(
            Cue::Shows("instances in the catalog: 1"),
            "C3's catalog now holds C2's instance alone. Nobody but the service had to notice C1's crash: \
             the session's expiry took its registration away.",
        ),
    ]
}

fn config_store() -> Vec<Step> {
    vec![
        step(
            Cue::Start,
            "A configuration store, as teams keep settings in ZooKeeper or Consul: three clients read two keys, \
             /cfg/k0 and /cfg/k1, and change them. Each operation they finish joins the client history, and the \
             linearizability checker looks for one order that explains them all.",
        ),
        step(
            Cue::Says("begins: sync"),
            "A read that must be current: sync first, then get. Only such reads enter the history; a plain read \
             may be stale, and ZooKeeper does not claim it linearizable.",
        ),
        step(
            Cue::Says(" if still "),
            "A conditional set: the client read the key with its version, and sets it only if the version is \
             still the one it saw. The history records it as a compare-and-set from the value it read.",
        ),
        step(
            Cue::At(4_000),
            "Writes go through the log and reads wait for a sync, so every history fits one order: Check \
             linearizability, under the space-time diagram, says so for this run. The broken variant local-sync \
             (Advanced: run settings, Mutant) answers sync from the server's own copy: a synced read can then miss \
             a finished write, and over a few seeds the checker finds one.",
        ),
    ]
}
