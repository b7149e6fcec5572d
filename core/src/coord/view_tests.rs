//! The storage board (`view.rs`): the lock lesson's payoff, a stale holder's write refused, shown
//! off the nodes' cards (which a phone hides), and no such board where nobody writes to storage.

use alloc::vec::Vec;

use crate::lab::Snapshot;
use crate::lesson::Cue;
use crate::protocol::{Board, Tone};
use crate::testing::LessonRun as Lesson;

use super::scenarios::SCENARIOS;

const SEEDS: core::ops::RangeInclusive<u64> = 1..=4;

fn storage_board(snap: &Snapshot) -> Option<&Board> {
    snap.boards.iter().find(|b| b.title.starts_with("Storage"))
}

/// The board's rows: (writer, token, taken or refused, the cell's tone).
fn writes(b: &Board) -> Vec<(&str, u64, &str, Tone)> {
    b.rows
        .iter()
        .map(|r| {
            (r.label.as_str(), r.cells[0].text.parse().unwrap(), r.cells[1].text.as_str(), r.cells[1].tone)
        })
        .collect()
}

#[test]
fn the_storage_board_shows_the_paused_holders_write_refused_at_the_lessons_last_step() {
    for seed in SEEDS {
        let mut l = Lesson::walk("coordination", "lock-fencing", seed, None);
        let what = l.what.clone();
        let refused = l.index(&Cue::Says("refused"), 0);
        let before = l.before(refused);
        let board = storage_board(&before).unwrap_or_else(|| panic!("{what}: no storage board"));
        assert!(board.title.ends_with(" · 0 refused)"), "{what}: {}", board.title);
        assert!(writes(board).iter().all(|w| w.2 == "taken"), "{what}: {:?}", writes(board));
        // C2 wrote with its token, the newest storage has seen.
        let newest = before.nodes.iter().find(|n| n.name == "storage").map(|n| n.view.badge.clone());
        let after = l.after(refused);
        let board = storage_board(&after).unwrap_or_else(|| panic!("{what}: no storage board"));
        assert!(board.title.ends_with(" · 1 refused)"), "{what}: {}", board.title);
        let rows = writes(board);
        let (who, token, word, tone) = *rows.last().unwrap_or_else(|| panic!("{what}: no writes"));
        assert_eq!((who, word, tone), ("C1", "refused", Tone::Bad), "{what}: {rows:?}");
        let highest: u64 =
            board.title["Storage (highest token ".len()..].split(' ').next().unwrap().parse().unwrap();
        assert!(token < highest, "{what}: C1's token {token}, highest {highest}");
        assert_eq!(newest, Some(alloc::format!("≥{highest}")), "{what}: the board and the card agree");
        assert!(
            rows.iter().any(|&(w, t, s, _)| w == "C2" && t == highest && s == "taken"),
            "{what}: {rows:?}"
        );
    }
}

#[test]
fn without_fencing_the_storage_board_shows_the_stale_write_taken() {
    for seed in SEEDS {
        let mut l = Lesson::walk("coordination", "lock-fencing", seed, Some("no-fencing"));
        let what = l.what.clone();
        let broke = l.index(&Cue::Violation, 0);
        let snap = l.after(broke);
        let board = storage_board(&snap).unwrap_or_else(|| panic!("{what}: no storage board"));
        assert!(board.title.ends_with(" · 0 refused)"), "{what}: {}", board.title);
        let rows = writes(board);
        let stale = rows.iter().rev().find(|w| w.0 == "C1").unwrap_or_else(|| panic!("{what}: {rows:?}"));
        assert!(rows.iter().any(|w| w.0 == "C2" && w.1 > stale.1), "{what}: {rows:?}");
        assert_eq!((stale.2, stale.3), ("taken", Tone::Good), "{what}: {rows:?}");
    }
}

/// The lock and election presets, whose clients write to storage, show the board from the start;
/// the others (a stale read, a watch, discovery, the configuration store) never do.
#[test]
fn only_presets_whose_clients_write_to_storage_show_its_board() {
    for (name, _) in SCENARIOS {
        let mut l = Lesson::walk("coordination", name, 1, None);
        let writers = matches!(*name, "lock-fencing" | "election" | "leader-suspended");
        let last = l.steps.len() - 1;
        for snap in [l.after(0), l.after(last)] {
            assert_eq!(storage_board(&snap).is_some(), writers, "{name} at {}", snap.position);
        }
    }
}
