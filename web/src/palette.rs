//! The page's colours: a hue per ballot or term, a colour and glyph per message type, the
//! text colour that reads on a background, and the hashing lab's node colours. Every view
//! takes its colours from here, so the legend, the drawing and the inspector agree.

use distlab_core::lab::FlightSnap;

use crate::num::Fixed;

/// A colour-blind-safe hue for a ballot or term (Okabe–Ito palette).
pub fn hue(key: Option<u64>) -> &'static str {
    const PALETTE: [&str; 7] = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#6B4C9A"];
    match key {
        None => "#8a94a6",
        Some(k) => PALETTE[(k as usize) % PALETTE.len()],
    }
}

/// The text colour that reads best on a `#rrggbb` background: white or near-black, whichever
/// has the higher contrast (WCAG relative luminance), so a glyph on a light hue stays legible.
pub fn ink(background: &str) -> &'static str {
    let hex = background.trim_start_matches('#');
    // WCAG's exact sRGB curve (the general `powf`, once per colour) picks the ink that passes
    // the contrast check.
    #[allow(clippy::disallowed_methods)]
    let channel = |i: usize| {
        let c = hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()).unwrap_or(0) as f64 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
    // Against white (L = 1) and against #111 (L ≈ 0.0056).
    if 1.05 / (l + 0.05) >= (l + 0.05) / 0.0556 {
        "#fff"
    } else {
        "#111"
    }
}

/// Colour and one-letter glyph of a message type, so colour is never the only cue.
pub fn message_style(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "Prepare" => ("#0072B2", "1a"),
        "Promise" => ("#56B4E9", "1b"),
        "Accept" => ("#D55E00", "2a"),
        "Accepted" => ("#E69F00", "2b"),
        "Nack" => ("#CC79A7", "✗"),
        "RequestVote" => ("#0072B2", "RV"),
        "Vote" => ("#56B4E9", "V"),
        "PreVote" => ("#CC79A7", "PV"),
        "PreVoteReply" => ("#CC79A7", "pv"),
        "AppendEntries" => ("#D55E00", "AE"),
        "Heartbeat" => ("#8a94a6", "HB"),
        "AppendReply" => ("#E69F00", "ok"),
        "InstallSnapshot" => ("#7a3fb5", "IS"),
        "SnapshotReply" => ("#a47ad6", "is"),
        "TimeoutNow" => ("#b5003c", "TN"),
        "ClientRequest" => ("#009E73", "Rq"),
        "ClientReply" => ("#2fbf71", "Rp"),
        "Chosen" => ("#009E73", "✓"),
        "CatchUp" => ("#a47ad6", "CU"),
        "Produce" => ("#8a94a6", "P"),
        "ProduceResponse" => ("#2fbf71", "ack"),
        "Fetch" => ("#D55E00", "F"),
        "FetchResponse" => ("#E69F00", "f"),
        "LeaderAndIsr" => ("#0072B2", "LI"),
        "AlterPartition" => ("#56B4E9", "AP"),
        "AlterPartitionResponse" => ("#CC79A7", "ap"),
        "BrokerHeartbeat" => ("#8a94a6", "HB"),
        "Metadata" | "MetadataResponse" => ("#a47ad6", "M"),
        "JoinGroup" | "JoinGroupResponse" => ("#CC79A7", "J"),
        "SyncGroup" | "SyncGroupResponse" => ("#b5003c", "S"),
        "UnknownMemberId" => ("#b5003c", "U"),
        "LeaveGroup" => ("#b5003c", "L"),
        "RebalanceInProgress" => ("#CC79A7", "R"),
        "IllegalGeneration" => ("#b5003c", "IG"),
        "OffsetCommit" => ("#009E73", "OC"),
        "ConsumerFetch" => ("#7a3fb5", "CF"),
        "ConsumerFetchResponse" => ("#a47ad6", "cf"),
        "Ping" => ("#0072B2", "?"),
        "Pong" => ("#56B4E9", "pg"),
        "WatchEvent" => ("#CC79A7", "WE"),
        "Write" => ("#D55E00", "W"),
        "WriteReply" => ("#E69F00", "w"),
        "Touch" => ("#7a3fb5", "T"),
        "TouchAck" => ("#a47ad6", "t"),
        "SessionExpired" => ("#b5003c", "SX"),
        "ConnectionClosed" => ("#b5003c", "CC"),
        "Ack" => ("#2fbf71", "✓"),
        "PingReq" => ("#D55E00", "P?"),
        "Query" => ("#56B4E9", "Q"),
        "Config" => ("#0072B2", "Cf"),
        "Pull" => ("#D55E00", "Pl"),
        "ShardData" => ("#E69F00", "SD"),
        "WrongGroup" => ("#b5003c", "WG"),
        "NotLeader" => ("#CC79A7", "NL"),
        "Request" => ("#009E73", "Rq"),
        "Reply" => ("#2fbf71", "Rp"),
        "Packet" => ("#0072B2", "Pk"),
        "Transfer" => ("#7a3fb5", "Tr"),
        "Copy" => ("#a47ad6", "Cp"),
        "Invalidate" => ("#b5003c", "Del"),
        "Leading" => ("#0072B2", "Ld"),
        "ReadBlock" => ("#56B4E9", "Rd"),
        "BlockData" => ("#E69F00", "Bd"),
        _ => ("#666", "?"),
    }
}

/// A message's colour: its record key's (Kafka), so the same key is seen landing on one
/// partition, or its type's.
pub fn flight_color(f: &FlightSnap) -> &'static str {
    if f.hue.is_some() {
        hue(f.hue)
    } else {
        message_style(f.kind).0
    }
}

/// A hashing-lab node's colour: golden-angle hues, distinct for many nodes; the legend and
/// tooltips carry the names.
pub fn member_color(id: u32) -> String {
    format!("hsl({}, 65%, 50%)", Fixed((id as f64 * 137.508) % 360.0, 1))
}

#[cfg(test)]
mod tests {
    use super::{ink, message_style};

    /// Every message a page's legend names has a glyph of its own kind, not the "?" of an
    /// unknown one (the coordination page's legend showed "?" for WatchEvent and Write, as for
    /// Ping, whose glyph it is).
    #[test]
    fn every_legend_names_messages_with_glyphs_of_their_own() {
        for protocol in distlab_core::registry::PROTOCOLS {
            let setup = distlab_core::registry::Setup::default_for(protocol).expect("a protocol");
            for kind in setup.page().legend.iter().copied() {
                let glyph = message_style(kind).1;
                assert!(glyph != "?" || kind == "Ping", "{protocol}: {kind} has no glyph");
            }
        }
    }

    #[test]
    fn ink_picks_the_text_colour_with_more_contrast() {
        // Light backgrounds take near-black text, dark ones white (checked by axe in the
        // browser suite; these are the edges and the palette's borderline hues).
        assert_eq!(ink("#ffffff"), "#111");
        assert_eq!(ink("#000000"), "#fff");
        assert_eq!(ink("#56B4E9"), "#111"); // sky blue: white would be 2.3:1
        assert_eq!(ink("#E69F00"), "#111"); // orange
        assert_eq!(ink("#0072B2"), "#fff"); // blue: white is 5.2:1
        assert_eq!(ink("#b5003c"), "#fff");
        // Not a colour: treated as black, so white text.
        assert_eq!(ink("nonsense"), "#fff");
    }
}
