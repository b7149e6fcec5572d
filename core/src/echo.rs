//! What the user typed, quoted back in an error message: whole when short, else its start and
//! its length, so a pasted page of text does not become a page-long message.

use core::fmt;

/// Inputs up to this many characters are quoted whole.
const WHOLE: usize = 40;
/// A longer input is quoted up to this many characters.
const START: usize = 24;

/// `Echo(s)` displays `s` in quotes: `"abc"`, or `"abcdefgh…" (5000 characters)`.
#[derive(Clone, Copy, Debug)]
pub struct Echo<'a>(pub &'a str);

impl fmt::Display for Echo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let n = s.chars().count();
        if n <= WHOLE {
            return write!(f, "\"{s}\"");
        }
        let cut = s.char_indices().nth(START).map_or(s.len(), |(i, _)| i);
        write!(f, "\"{}…\" ({n} characters)", &s[..cut])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;

    #[test]
    fn short_input_is_quoted_whole() {
        assert_eq!(format!("{}", Echo("put x")), "\"put x\"");
        assert_eq!(format!("{}", Echo("")), "\"\"");
        let forty: String = "a".repeat(40);
        assert_eq!(format!("{}", Echo(&forty)), format!("\"{forty}\""));
    }

    #[test]
    fn long_input_is_cut_on_a_character_boundary_and_counted() {
        let long: String = "é".repeat(5000);
        let shown = format!("{}", Echo(&long));
        assert_eq!(shown, format!("\"{}…\" (5000 characters)", "é".repeat(24)));
        assert!(shown.len() < 80);
    }
}
