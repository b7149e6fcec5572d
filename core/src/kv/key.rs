//! `Key`: a key of the store, at most `MAX_KEY_LEN` bytes, kept inline.
//!
//! Operations travel in messages, log entries, notes and the checker's ghost state, and each
//! of those copies an operation. With a `String` key every copy was an allocation (a tenth of a
//! Raft run went to `malloc` and `free`); a `Key` is copied as 17 bytes. It hashes, orders,
//! prints and serializes exactly as the `String` it replaced, so trace hashes and state digests
//! did not move.

use core::fmt;
use core::hash::{Hash, Hasher};

use serde::{Serialize, Serializer};

/// Longest key a client may use.
pub const MAX_KEY_LEN: usize = 16;

/// A key of the store (see the module's opening).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Key {
    len: u8,
    bytes: [u8; MAX_KEY_LEN],
}

impl Key {
    /// The key `text`, or `None` if it is longer than `MAX_KEY_LEN` bytes.
    pub fn new(text: &str) -> Option<Key> {
        if text.len() > MAX_KEY_LEN {
            return None;
        }
        let mut bytes = [0u8; MAX_KEY_LEN];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        Some(Key { len: text.len() as u8, bytes })
    }

    pub fn as_str(&self) -> &str {
        // Built only from a whole `&str` (`new` refuses rather than cuts), so always UTF-8.
        core::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or_default()
    }
}

/// For keys written in code (`"x".into()`): a literal longer than `MAX_KEY_LEN` is a bug in
/// that code, so it panics. Text a user typed goes through `parse_kv`, which says what is wrong.
impl From<&str> for Key {
    fn from(text: &str) -> Key {
        match Key::new(text) {
            Some(k) => k,
            None => panic!("a key is at most {MAX_KEY_LEN} bytes: {text:?}"),
        }
    }
}

/// A map of keys can be asked with a `&str` (a `Key` orders and hashes as its text).
impl core::borrow::Borrow<str> for Key {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl core::ops::Deref for Key {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

/// As the `str` it holds: its bytes, then `0xff` (what `str`'s `Hash` feeds a hasher that
/// keeps `Hasher::write_str` as it comes, as ours do), without checking the bytes again.
impl Hash for Key {
    #[inline(always)]
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(&self.bytes[..self.len as usize]);
        state.write_u8(0xff);
    }
}

/// As the `str` it holds, byte by byte (a `BTreeMap` of keys iterates as one of `String`s did).
impl Ord for Key {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.bytes[..self.len as usize].cmp(&other.bytes[..other.len as usize])
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for Key {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{digest, encoded_len};
    use alloc::collections::BTreeMap;
    use alloc::format;
    use alloc::string::String;

    #[test]
    fn a_key_hashes_orders_and_prints_as_its_string() {
        for text in ["x", "k15", "", "sixteen_bytes_16"] {
            let key = Key::new(text).expect("short enough");
            assert_eq!(digest(&key), digest(&String::from(text)));
            assert_eq!(encoded_len(&key), encoded_len(&String::from(text)));
            assert_eq!((format!("{key}"), format!("{key:?}")), (String::from(text), format!("{text:?}")));
        }
        assert_eq!(Key::new("seventeen_bytes17"), None);
        let keys: BTreeMap<Key, u8> = ["k3", "y", "k10", "x"].iter().map(|k| (Key::from(*k), 0)).collect();
        let strings: BTreeMap<String, u8> =
            ["k3", "y", "k10", "x"].iter().map(|k| (String::from(*k), 0)).collect();
        assert_eq!(digest(&keys), digest(&strings));
        assert!(keys.keys().map(|k| k.as_str()).eq(strings.keys().map(|k| k.as_str())));
    }
}
