//! The sharded database's presets: a group joins and shards move while a client with an old
//! map is sent to the new owner.
//!
//! Each preset's narration is a lesson whose steps name the events they explain (see
//! `crate::lesson`). A step that invites the reader to switch a mutant on offers it; with that
//! mutant on, the narration follows the steps up to the break, then what the mutant does.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::kv::{Key, KvOp, Workload};
use crate::lesson::{Cue, Step};
use crate::protocol::{NodeId, ScriptAction, Target, Time};

use super::configs::{group_name, shard_of, Config};
use super::types::{ClientOp, Mutant, ShardKv};

/// The presets: (name, title).
pub const SCENARIOS: &[(&str, &str)] = &[
    (
        "join-and-move",
        "A group joins: its share of the shards moves, with the data, and a client with an old map is sent on",
    ),
    (
        "leader-dies-mid-move",
        "The new owner's leader crashes while the shards are on their way: the move resumes under the next leader",
    ),
];

/// When the operator asks for G3 to join, in milliseconds.
const JOIN_AT_MS: u64 = 1_500;

/// When G3's leader crashes: just after it asked for the shards it gained (groups poll the
/// configuration service every 100 ms, so it asks at 1,700 ms), before their data is in its log.
const CRASH_AT_MS: u64 = 1_702;

fn client(k: &ShardKv, i: usize) -> Target {
    Target::Node(NodeId((k.first_client() + i) as u32))
}

/// The first of the workload's keys whose shard moves from `before` to `after`.
fn moving_key(k: &ShardKv, before: &Config, after: &Config) -> Option<(Key, usize)> {
    (0..16)
        .map(Workload::key)
        .map(|key| (key, shard_of(key.as_str(), k.shards)))
        .find(|(_, s)| before.owners[*s] != after.owners[*s])
}

/// Both presets' cluster: G1 and G2 serving twelve shards, G3 running but out of the map, and
/// the ring whose join of G3 moves nearest a third of the shards (twelve shards fall on the
/// ring unevenly whatever its virtual nodes; the narration says how many move). With it, the
/// configurations before and after G3 joins, and the first key whose shard moves.
fn joining(base: ShardKv) -> Result<(ShardKv, Config, Config, Key, usize), String> {
    let mut k = ShardKv { groups: 3, joined: 2, shards: 12, clients: 3, think_ms: 0, moves_ms: 0, ..base };
    let configs =
        |vnodes| (Config::new(2, vec![0, 1], 12, vnodes), Config::new(3, vec![0, 1, 2], 12, vnodes));
    k.vnodes = [256, 128, 64, 32]
        .into_iter()
        .min_by_key(|v| {
            let (two, three) = configs(*v);
            two.moved(&three).abs_diff(4)
        })
        .unwrap_or(k.vnodes);
    let (two, three) = configs(k.vnodes);
    let (key, shard) = moving_key(&k, &two, &three)
        .ok_or_else(|| String::from("no key of the workload moves when G3 joins"))?;
    Ok((k, two, three, key, shard))
}

pub fn apply(name: &str, base: ShardKv) -> Result<ShardKv, String> {
    let mutant = base.mutant;
    let at = Time::from_ms;
    let kv = |op: KvOp| ClientOp::Kv(op);
    match name {
        "join-and-move" => {
            let (k, two, three, key, shard) = joining(base)?;
            let script = vec![
                (at(1_200), ScriptAction::Client(client(&k, 0), kv(KvOp::Put(key, 1)))),
                (at(JOIN_AT_MS), ScriptAction::Client(Target::Node(NodeId(0)), ClientOp::Join(2))),
                (at(2_300), ScriptAction::Client(client(&k, 0), kv(KvOp::Get(key)))),
                (at(2_800), ScriptAction::Client(client(&k, 2), kv(KvOp::Get(key)))),
            ];
            let old = group_name(two.owners[shard]);
            let moved = two.moved(&three);
            let narration =
                join_and_move(key.as_str(), shard, &old, moved, mutant == Some(Mutant::KeepServing));
            Ok(ShardKv { script, narration, ..k })
        }
        "leader-dies-mid-move" => {
            let (k, two, _, key, shard) = joining(base)?;
            let g3: Vec<NodeId> = k.members(2).nodes().collect();
            let script = vec![
                (at(1_200), ScriptAction::Client(client(&k, 0), kv(KvOp::Put(key, 1)))),
                (at(JOIN_AT_MS), ScriptAction::Client(Target::Node(NodeId(0)), ClientOp::Join(2))),
                (at(CRASH_AT_MS), ScriptAction::Crash(Target::LeaderAmong(g3))),
                (at(1_900), ScriptAction::Client(client(&k, 0), kv(KvOp::Get(key)))),
                (at(3_200), ScriptAction::RestartAll),
            ];
            let old = group_name(two.owners[shard]);
            let narration = leader_dies(key.as_str(), shard, &old, mutant == Some(Mutant::ServeBeforeData));
            Ok(ShardKv { script, narration, ..k })
        }
        other => {
            let names: Vec<&str> = SCENARIOS.iter().map(|s| s.0).collect();
            Err(format!("unknown sharded database scenario \"{other}\"; known: {}", names.join(", ")))
        }
    }
}

fn join_and_move(key: &str, shard: usize, old: &str, moved: usize, broken: bool) -> Vec<Step> {
    let mut steps = vec![
        Step::new(
            Cue::Start,
            "Two replica groups, G1 and G2, each three servers running Raft, will share twelve shards of the keyspace. \
             The configuration service (Cfg1 to Cfg3, a Raft group too) keeps the shard map. G3 runs, but is not \
             in the map yet. The Groups and Shards boards beside the drawing show the map.",
        ),
        Step::new(
            Cue::Says("reaches configuration 2"),
            "G1 and G2 have joined: configuration 2. A consistent-hash ring (as on the Hashing page) puts each \
             shard on the first group clockwise of it; as each server applies configuration 2, its group serves \
             only its own shards.",
        )
        .breaking("keep-serving"),
        Step::new(
            Cue::Says("applies put"),
            &format!(
                "C1 writes {key} = 1. The key's shard is shard {shard}, which {old} owns: the write goes into {old}'s \
                 Raft log, as operation 1 of the shard's history."
            ),
        ),
        Step::new(
            Cue::At(JOIN_AT_MS),
            &format!(
                "The operator asks the configuration service to let G3 join. Once its log commits the request, it \
                 makes configuration 3: G3's points on the ring fall between the others', so {moved} of the 12 \
                 shards will move to G3 (a third \
                 would be 4; so few shards fall on the ring unevenly), and only to G3. No shard moves between G1 \
                 and G2."
            ),
        ),
        Step::new(
            Cue::Says("reaches configuration 3"),
            &format!(
                "A group applies configuration 3 through its log. From that entry on, it stops serving the shards it \
                 lost ({old} loses shard {shard}) and keeps a frozen copy of each for the new owner. Shards that stay \
                 keep serving."
            ),
        ),
        Step::new(
            Cue::Send("Pull"),
            "G3 has applied configuration 3 too, and waits for the shards it gained: its leader asks their old \
             owners for them.",
        ),
        Step::new(
            Cue::Deliver("ShardData"),
            "A shard arrives: its keys and its duplicate table (each client's last request and answer, so a retry \
             is answered, not applied twice). G3 puts it in its own log; once applied, G3 serves the shard.",
        ),
        Step::new(
            Cue::Deliver("WrongGroup"),
            &format!(
                "C1 still holds configuration 2 and asks {old} for {key}. {old} no longer serves shard {shard}: wrong \
                 group. C1 asks the configuration service for the newest map."
            ),
        ),
        Step::new(
            Cue::Deliver("Reply"),
            &format!(
                "C1 reads {key} from G3 and gets 1: the value it wrote to {old} before the move travelled with the \
                 shard. The shard's history goes on where it stopped."
            ),
        ),
    ];
    if broken {
        // The first move is configuration 2's, from the first group to join to the second: that is
        // where it breaks, in place of the step that offers the break.
        steps.truncate(1);
        steps.push(Step::new(
            Cue::Violation,
            "With keep-serving, the first group in the map applies configuration 2 and goes on serving the shards \
             that configuration gives to the group that joined second (the badge names one). The checker stops the \
             run here, before any request reaches them: the new owner takes those shards in too, and two groups \
             answering for one shard would each write its history, so a write to either would be lost to the \
             other. single-history breaks.",
        ));
    }
    steps
}

fn leader_dies(key: &str, shard: usize, old: &str, broken: bool) -> Vec<Step> {
    let mut steps = vec![
        Step::new(
            Cue::Start,
            "The cluster of the first preset: G1 and G2 serve twelve shards, G3 runs but is not in the map, and the \
             configuration service (Cfg1 to Cfg3) keeps the map. G3 will join, and this time its leader \
             crashes in the middle of the move.",
        ),
        Step::new(
            Cue::Says("applies put"),
            &format!("C1 writes {key} = 1 into shard {shard}, through {old}'s Raft log."),
        ),
        Step::new(
            Cue::At(JOIN_AT_MS),
            "The operator lets G3 join: configuration 3 gives G3 its share of the shards. The old owners stop \
             serving those shards as they apply it, and each keeps a frozen copy for G3.",
        )
        .breaking("serve-before-data"),
        Step::new(
            Cue::Send("Pull"),
            "G3 has applied configuration 3 too. Its leader asks the old owners for the shards it gained. Until \
             G3 has applied them from its log, nobody serves them; every other shard keeps serving.",
        ),
        Step::new(
            Cue::Crash,
            "G3's leader crashes, with the shards' data on its way to it. The move lived in no server's memory \
             alone: each frozen copy is in its old owner's replicated state, on every one of its servers, and \
             which shards G3 awaits is in G3's own log.",
        ),
        Step::new(
            Cue::Says("becomes group G3's leader"),
            "G3's two other servers elect a new leader: two of three are a majority. Its log holds configuration 3, \
             so it knows which shards it still awaits.",
        ),
        Step::new(
            Cue::Deliver("ShardData"),
            "The new leader asked again, and a shard's data arrives: its keys and its duplicate table. What went to \
             the crashed leader is simply lost; the old owner still had its copy. Once the data is applied through \
             G3's log, G3 serves the shard.",
        ),
        Step::new(
            Cue::Deliver("Reply"),
            &format!(
                "C1 reads {key} from G3 and gets 1: the write made before the move survived the move and the crash. \
                 C1's read waited while G3 had no leader and no data for the shard: unavailable for a moment, never \
                 wrong."
            ),
        ),
        Step::new(
            Cue::Restart,
            "The crashed server restarts as a follower with its term, vote and log, and catches up from the new \
             leader, the shards' data with it.",
        ),
    ];
    if broken {
        steps.truncate(3);
        steps.push(Step::new(
            Cue::Violation,
            &format!(
                "With serve-before-data, G3 serves its new shards as soon as it applies configuration 3, with no \
                 data and without asking for it; its leader crashes and the next one carries on the same way. C1's \
                 read of {key} becomes the first operation of a new history of shard {shard}, one without C1's \
                 acknowledged write of 1: the shard now has two histories, and single-history breaks."
            ),
        ));
    }
    steps
}
