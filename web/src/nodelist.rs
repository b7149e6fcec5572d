//! Nodes named in a field: "1, 3" or, for a crowd, ranges ("1-16, 40"), as the page numbers
//! them (from 1); and such a list written back.

use distlab_core::echo::Echo;

use crate::i18n::t;
use crate::tf;

/// Parse node numbers and ranges into node ids (each once, in the order given): at most `most`
/// of them, each from 1 to `count`. A range is counted before it is listed, so "1-4000000000"
/// is refused, never built.
pub fn parse_nodes(text: &str, count: usize, most: usize) -> Result<Vec<u32>, String> {
    let mut out: Vec<u32> = Vec::new();
    let number = |s: &str| -> Option<u32> {
        let digits = s.trim().trim_start_matches(|c: char| c.is_ascii_alphabetic());
        digits.parse::<u32>().ok().filter(|n| *n >= 1 && (*n as usize) <= count)
    };
    for part in text.split([',', ' ']).filter(|p| !p.is_empty()) {
        let range = match part.split_once(['-', '–']) {
            Some((a, b)) => number(a).zip(number(b)).filter(|(a, b)| a <= b),
            None => number(part).map(|n| (n, n)),
        };
        let Some((a, b)) = range else {
            let got = Echo(part);
            return Err(tf!("nodes are numbers from {} to {}, separated by commas (got {})", 1, count, got));
        };
        if out.len() + (b - a) as usize >= most {
            return Err(tf!("at most {} nodes (got {})", most, Echo(text)));
        }
        out.extend((a - 1..b).filter(|n| !out.contains(n)).collect::<Vec<_>>());
    }
    if out.is_empty() {
        return Err(t("name at least one node"));
    }
    Ok(out)
}

/// Node ids written as the field takes them, runs as ranges: "1–16, 40".
pub fn describe(ids: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ids.len() {
        let mut j = i;
        while j + 1 < ids.len() && ids[j + 1] == ids[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}–{}", ids[i] + 1, ids[j] + 1)
        } else {
            format!("{}", ids[i] + 1)
        });
        i = j + 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_names_and_ranges_read_as_node_ids() {
        assert_eq!(parse_nodes("1, 3", 5, 10), Ok(vec![0, 2]));
        assert_eq!(parse_nodes("S2 S4", 5, 10), Ok(vec![1, 3]));
        assert_eq!(parse_nodes("1-3, 2, 5", 5, 10), Ok(vec![0, 1, 2, 4]));
        assert_eq!(parse_nodes("S998–S1000", 1000, 10), Ok(vec![997, 998, 999]));
    }

    #[test]
    fn bad_lists_are_refused_with_a_reason() {
        for (text, says) in [
            ("0", "from 1 to 5"),
            ("6", "from 1 to 5"),
            ("3-1", "from 1 to 5"),
            ("1-x", "from 1 to 5"),
            ("", "at least one"),
            ("1-5", "at most 4"),
        ] {
            let got = parse_nodes(text, 5, 4).unwrap_err();
            assert!(got.contains(says), "{text}: {got}");
        }
        // A huge range is refused by its size, never built.
        assert!(parse_nodes("1-4000000000", 4_000_000_000, 64).unwrap_err().contains("at most 64"));
    }

    #[test]
    fn runs_are_written_as_ranges() {
        assert_eq!(describe(&[0, 1, 2, 3, 39]), "1–4, 40");
        assert_eq!(describe(&[4]), "5");
        assert_eq!(describe(&[]), "");
    }
}
