#![cfg(not(target_arch = "wasm32"))]
//! Scenario documents and share links: they round-trip, they replay the same run, they refuse
//! what they cannot read with a message, and no input makes them panic.

use distlab_core::kafka::cluster::Kafka;
use distlab_core::lab::{self, Action, LabConfig};
use distlab_core::multipaxos::setup::Config as MpConfig;
use distlab_core::net::FaultPreset;
use distlab_core::paxos::setup::Config as PaxosConfig;
use distlab_core::protocol::NodeId;
use distlab_core::raft::setup::Config as RaftConfig;
use distlab_core::registry::Setup;
use distlab_core::rng::Rng;
use distlab_core::scenario::{self, compress, decompress, from_json, from_link, to_json, to_link};

fn configs() -> Vec<LabConfig> {
    let base = LabConfig { seed: 7, faults: FaultPreset::Light, ..LabConfig::default() };
    let kafka = Kafka { partitions: 5, acks: 1, ..Kafka::default() };
    let with = |setup: Setup| LabConfig { setup, ..base.clone() };
    vec![
        with(Setup::Paxos(PaxosConfig { proposers: 2, backoff: false, ..Default::default() })),
        with(Setup::Raft(RaftConfig { servers: 3, clients: 2, prevote: true, ..Default::default() })),
        LabConfig {
            mutant: Some("no-adopt".into()),
            ..with(Setup::MultiPaxos(MpConfig { servers: 3, ..Default::default() }))
        },
        LabConfig { scenario: Some("figure-8".into()), ..with(Setup::Raft(RaftConfig::default())) },
        with(Setup::Kafka(kafka)),
    ]
}

#[test]
fn documents_and_links_round_trip_and_replay_the_same_run() {
    for cfg in configs() {
        let mut lab = lab::build(&cfg).unwrap();
        for _ in 0..40 {
            lab.step();
        }
        lab.act(Action::Crash(NodeId(0))).unwrap();
        for _ in 0..25 {
            lab.step();
        }
        lab.act(Action::Partition(vec![NodeId(1)])).unwrap();
        lab.act(Action::Heal).unwrap();
        for _ in 0..30 {
            lab.step();
        }
        let doc = scenario::export(&cfg, &lab.actions());
        assert_eq!(doc.actions.len(), 3);
        let back = from_json(&to_json(&doc)).unwrap();
        assert_eq!(back, doc);
        let link = to_link(&doc);
        assert!(link.starts_with("1."), "{link}");
        assert_eq!(from_link(&link).unwrap(), doc);
        let (cfg2, actions) = scenario::import(&doc).unwrap();
        assert_eq!(cfg2, cfg, "{}", cfg.protocol());
        let mut again = lab::replay(&cfg2, &actions).unwrap();
        while again.position() < lab.position() {
            again.step();
        }
        assert_eq!(again.trace_hash(), lab.trace_hash(), "{}", cfg.protocol());
    }
}

#[test]
fn stepping_back_and_acting_forgets_the_discarded_future() {
    let cfg = LabConfig::new(Setup::Raft(RaftConfig::default()));
    let mut lab = lab::build(&cfg).unwrap();
    for _ in 0..50 {
        lab.step();
    }
    lab.act(Action::Crash(NodeId(0))).unwrap();
    for _ in 0..50 {
        lab.step();
    }
    lab.seek(20);
    lab.act(Action::Crash(NodeId(1))).unwrap();
    let actions = lab.actions();
    assert_eq!(actions, vec![(20, Action::Crash(NodeId(1)))]);
}

#[test]
fn what_cannot_be_read_is_refused_with_a_reason() {
    let cfg = LabConfig::new(Setup::Raft(RaftConfig::default()));
    let doc = scenario::export(&cfg, &[]);
    let json = to_json(&doc);
    let v2 = json.replace("\"distlab_scenario\": 1", "\"distlab_scenario\": 2");
    let err = scenario::import(&from_json(&v2).unwrap()).unwrap_err();
    assert!(err.contains("version 2") && err.contains("version 1"), "{err}");
    let link2 = format!("2.{}", &to_link(&doc)[2..]);
    assert!(from_link(&link2).unwrap_err().contains("version 2"));
    assert!(from_json(&json.replace("\"seed\"", "\"sead\"")).unwrap_err().contains("sead"));
    let bad_faults = json.replace("\"none\"", "\"medium\"");
    assert!(scenario::import(&from_json(&bad_faults).unwrap()).unwrap_err().contains("\"faults\""));
    let huge = json.replace("\"servers\": 5", "\"servers\": 500");
    let (cfg, _) = scenario::import(&from_json(&huge).unwrap()).unwrap();
    assert!(lab::build(&cfg).err().unwrap().contains("servers"));
    assert!(from_link("1.!!!").unwrap_err().contains("damaged"));
    assert!(from_link("garbage").is_err());
    let mut lab = lab::build(&LabConfig::default()).unwrap();
    lab.step();
    let late = vec![(10_000_000, Action::Heal)];
    let err = match lab::replay(&LabConfig::default(), &late) {
        Err(e) => e,
        Ok(_) => panic!("replay past the run's end"),
    };
    assert!(err.contains("action 1"), "{err}");
}

#[test]
fn compression_round_trips_and_shrinks_documents() {
    let mut rng = Rng::new(1);
    for _ in 0..500 {
        let n = rng.below(2000) as usize;
        let alphabet = 1 + rng.below(255) as u8;
        let data: Vec<u8> = (0..n).map(|_| (rng.below(alphabet as u64)) as u8).collect();
        assert_eq!(decompress(&compress(&data), 1 << 20).unwrap(), data);
    }
    let cfg = LabConfig::new(Setup::Raft(RaftConfig::default()));
    let actions: Vec<(u64, Action)> =
        (0..200).map(|i| (i * 10, Action::Client(NodeId(5), format!("put x {i}")))).collect();
    let json = to_json(&scenario::export(&cfg, &actions));
    let packed = compress(json.as_bytes());
    assert!(packed.len() * 4 < json.len(), "{} → {}", json.len(), packed.len());
}

/// Fuzz: arbitrary bytes and mangled links never panic the decoders.
#[test]
fn decoders_never_panic_on_arbitrary_input() {
    let mut rng = Rng::new(42);
    let good = to_link(&scenario::export(&LabConfig::default(), &[(3, Action::Heal)]));
    for i in 0..20_000u32 {
        let n = rng.below(300) as usize;
        let bytes: Vec<u8> = (0..n).map(|_| rng.below(256) as u8).collect();
        let _ = decompress(&bytes, 1 << 16);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let _ = from_link(&text);
        let _ = from_json(&text);
        // A valid link with a few characters changed, cut short or extended.
        let mut link: Vec<u8> = good.bytes().collect();
        for _ in 0..=rng.below(4) {
            let at = rng.below(link.len() as u64) as usize;
            link[at] = b"ABCxyz019-_.!"[rng.below(13) as usize];
        }
        link.truncate(link.len() - rng.below(link.len() as u64 / 2 + 1) as usize);
        if i % 3 == 0 {
            link.extend_from_slice(b"AAAA");
        }
        if let Ok(doc) = from_link(&String::from_utf8_lossy(&link)) {
            let _ = scenario::import(&doc);
        }
    }
}

/// Fuzz the JSON reader where random bytes rarely reach: a valid document with a few of its
/// characters replaced by JSON's own (brackets, quotes, escapes, digits, signs), deleted or
/// duplicated, and nesting far deeper than the reader accepts. Nothing panics, and what is
/// refused says why.
#[test]
fn mangled_documents_are_refused_or_read_never_panic() {
    let mut rng = Rng::new(7);
    let actions = [(3, Action::Heal), (5, Action::Client(NodeId(1), "put \"x\" \\ 1".into()))];
    let good = to_json(&scenario::export(&LabConfig::new(Setup::Raft(RaftConfig::default())), &actions));
    let alphabet = b"{}[]\":,\\u0123456789-.eE truefalsnl";
    let (mut read, mut refused) = (0, 0);
    for _ in 0..20_000u32 {
        let mut text: Vec<u8> = good.bytes().collect();
        for _ in 0..=rng.below(3) {
            let at = rng.below(text.len() as u64) as usize;
            match rng.below(3) {
                0 => text[at] = alphabet[rng.below(alphabet.len() as u64) as usize],
                1 => {
                    text.remove(at);
                }
                _ => text.insert(at, text[at]),
            }
        }
        match from_json(&String::from_utf8_lossy(&text)) {
            Ok(doc) => {
                read += 1;
                let _ = scenario::import(&doc);
            }
            Err(e) => {
                refused += 1;
                assert!(e.starts_with("this is not a distlab scenario: "), "{e}");
            }
        }
    }
    assert!(read > 0 && refused > 0, "read {read}, refused {refused}");
    for depth in [66, 1_000, 100_000] {
        let deep = "[".repeat(depth) + &"]".repeat(depth);
        assert!(from_json(&deep).unwrap_err().contains("nested too deeply"));
    }
}

/// Every number in a scenario document, set in turn to each extreme a hand-edited file or a
/// crafted link could carry, is either refused with a message or builds a run that steps: no
/// count wraps around, no size allocates without a limit, nothing panics. (A `spares` of
/// u64::MAX once made `servers + spares` wrap.)
#[test]
fn extreme_numbers_in_every_field_are_refused_or_run_never_panic() {
    let extremes = [
        "0",
        "1",
        "9",
        "10",
        "65",
        "4294967295",
        "4294967296",
        "9223372036854775807",
        "18446744073709551615",
    ];
    let (mut built, mut refused) = (0, 0);
    for cfg in configs() {
        let json = to_json(&scenario::export(&cfg, &[]));
        let bytes = json.as_bytes();
        // Each run of digits not inside a string is a number field (or part of one).
        let mut spans = Vec::new();
        let (mut i, mut in_str) = (0, false);
        while i < bytes.len() {
            match bytes[i] {
                b'"' if i == 0 || bytes[i - 1] != b'\\' => in_str = !in_str,
                b'0'..=b'9' if !in_str => {
                    let start = i;
                    while i + 1 < bytes.len() && bytes[i + 1].is_ascii_digit() {
                        i += 1;
                    }
                    spans.push((start, i + 1));
                }
                _ => {}
            }
            i += 1;
        }
        assert!(spans.len() >= 5, "{}: found only {} numbers in {json}", cfg.protocol(), spans.len());
        for (a, b) in spans {
            for x in extremes {
                let text = format!("{}{x}{}", &json[..a], &json[b..]);
                let Ok(doc) = from_json(&text) else { continue };
                let Ok((cfg, _)) = scenario::import(&doc) else {
                    refused += 1;
                    continue;
                };
                match lab::build(&LabConfig { limit: 300, ..cfg }) {
                    Ok(mut run) => {
                        built += 1;
                        while !run.at_end() && run.position() < 300 {
                            run.step();
                        }
                    }
                    Err(e) => {
                        refused += 1;
                        assert!(!e.is_empty());
                    }
                }
            }
        }
    }
    assert!(built > 0 && refused > 0, "built {built}, refused {refused}");
}

/// A link that was cut short or changed on its way says so in a user's words, never in the
/// decoder's ("ends early at line 1 column 338"); a field it carries that is out of its range
/// still names the field.
#[test]
fn a_bad_link_says_what_to_do_in_plain_words() {
    let actions: Vec<(u64, Action)> =
        (0..40).map(|i| (i * 3, Action::Client(NodeId(5), format!("put x {i}")))).collect();
    let good = to_link(&scenario::export(&LabConfig::new(Setup::Raft(RaftConfig::default())), &actions));
    const CUT_SHORT: &str = "the link looks cut short — copy it again in full";
    let mut cut_short = 0;
    for keep in (3..good.len()).step_by(7) {
        let e = from_link(&good[..keep]).unwrap_err();
        assert!(!e.contains("line") && !e.contains("column") && !e.contains("base64"), "{keep}: {e}");
        assert!(e.ends_with("copy it again in full"), "{keep}: {e}");
        cut_short += (e == CUT_SHORT) as usize;
    }
    assert!(cut_short * 10 >= (good.len() - 3) / 7 * 9, "most cuts read as cut short");
    for (bad, said) in [
        ("1.!!!!", "the link is damaged: it holds characters a share link never has — copy it again in full"),
        ("garbage", "the link is damaged — copy it again in full"),
        ("1.", CUT_SHORT),
    ] {
        assert_eq!(from_link(bad).unwrap_err(), said, "{bad}");
    }
    // A real field error keeps its detail.
    let doc = scenario::export(&LabConfig::new(Setup::Raft(RaftConfig::default())), &[]);
    let json = to_json(&doc).replace("\"seed\"", "\"sead\"");
    let crafted = format!("1.{}", scenario::base64url(&compress(json.as_bytes())));
    let e = from_link(&crafted).unwrap_err();
    assert!(e.contains("sead") && !e.contains("copy it again"), "{e}");
}
