//! Scenarios as documents: a versioned JSON form of a run (protocol, parameters, seed, network
//! and faults, mutant, preset, and the user's recorded actions), and the share-link form of the
//! same document (compressed, in the URL fragment). Decoding checks every field against its
//! limit and names the field; it never panics, whatever the bytes.

//!
//! The files: `doc.rs` (the document's fields and limits), `convert.rs` (a run to a document
//! and back), `json.rs` (the file form), `link.rs` (the share-link form).

mod convert;
pub mod doc;
mod json;
mod link;

pub use convert::{export, import};
pub use doc::*;
pub use json::{from_json, to_json};
pub use link::{base64url, compress, decompress, from_link, to_link, unbase64url};
