//! The key hashes every algorithm shares, and the names of the nodes they place keys on.

/// The key hash used by every algorithm: XXH3-64 of the key's bytes.
pub fn hash_key(key: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(key)
}

/// A seeded variant, for the independent hashes some algorithms need.
pub fn hash_seeded(key: &[u8], seed: u64) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(key, seed)
}

/// The name of node `i`, which is what the ring, rendezvous and Maglev hash.
pub fn node_name(i: usize) -> alloc::string::String {
    alloc::format!("node-{i}")
}
