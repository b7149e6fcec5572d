//! The lab's pages and where each one lives.
//!
//! Every page is its own bundle at its own path (`/raft/`), built with only its own protocol
//! (the crate's Cargo features), so a visitor downloads one page, not the lab. The tabs name
//! every page; a page this bundle does not hold is opened by going to its path. A build with
//! every feature (the default: tests, `cargo build`) holds them all and never leaves.

/// Every page of the lab, in the order of the tabs: (its path and URL fragment, its title).
pub const PAGES: &[(&str, &str)] = &[
    ("paxos", "Paxos"),
    ("multipaxos", "Multi-Paxos"),
    ("raft", "Raft"),
    ("kafka", "Kafka"),
    ("swim", "Gossip"),
    ("coordination", "Coordination"),
    ("shardkv", "Sharded database"),
    ("dfs", "File system"),
    (HASHING, "Hashing"),
];

/// Pages that share one tab, each a view of it: (the tab's id, its title, its pages). The
/// Storage tab holds the sharded database and the file system, each still its own bundle.
pub const TAB_GROUPS: &[(&str, &str, &[&str])] = &[("storage", "Storage", &["shardkv", "dfs"])];

/// The group of tabs `page` is a view of, if any.
pub fn group_of(page: &str) -> Option<(&'static str, &'static str, &'static [&'static str])> {
    TAB_GROUPS.iter().copied().find(|(_, _, pages)| pages.contains(&page))
}

/// The page that is not a protocol's simulation: the consistent-hashing lab.
pub const HASHING: &str = "hashing";

/// Raft and Multi-Paxos side by side: a page of its own, opened from theirs (not a tab).
pub const COMPARE: &str = "compare";

/// The pages that are not tabs: (path and fragment, title).
const OTHERS: &[(&str, &str)] = &[(COMPARE, "Raft and Multi-Paxos")];

/// The page `name` stands for, if it is one of the lab's (a tab or not).
pub fn known(name: &str) -> Option<&'static str> {
    PAGES.iter().chain(OTHERS).find(|(p, _)| *p == name).map(|(p, _)| *p)
}

/// Whether this bundle draws `page` itself.
pub fn built_in(page: &str) -> bool {
    if page == HASHING {
        cfg!(feature = "hashing")
    } else if page == COMPARE {
        cfg!(feature = "compare")
    } else {
        cfg!(feature = "lab") && distlab_core::registry::PROTOCOLS.contains(&page)
    }
}

/// The page's title, if `page` is one.
pub fn title(page: &str) -> Option<&'static str> {
    PAGES.iter().chain(OTHERS).find(|(p, _)| *p == page).map(|(_, t)| *t)
}

/// The page this bundle opens when the URL names none: the first it holds.
pub fn home() -> &'static str {
    PAGES.iter().chain(OTHERS).map(|(p, _)| *p).find(|p| built_in(p)).unwrap_or(HASHING)
}

/// The address of `page` with `fragment` (`#raft/s=…`), relative to any page of the lab (they
/// are siblings: `/paxos/`, `/raft/`, …), so the site works under any path prefix.
pub fn address(page: &str, fragment: &str) -> String {
    format!("../{page}/{fragment}")
}

/// The scenario a URL fragment carries (`#raft/s=1.…`), if it has one.
pub fn link_payload(hash: &str) -> Option<&str> {
    hash.split_once("/s=").map(|(_, p)| p)
}

/// Leave for `page`'s own bundle, with `fragment`. `replace` leaves no history entry (a link
/// opened in the wrong bundle); otherwise Back returns here (a tab).
pub fn go(page: &str, fragment: &str, replace: bool) {
    if let Some(loc) = web_sys::window().map(|w| w.location()) {
        let to = address(page, fragment);
        let _ = if replace { loc.replace(&to) } else { loc.assign(&to) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With every feature on (the default), the tabs are the registry's protocols and then the
    /// hashing lab, and this build holds every page.
    #[test]
    fn the_pages_are_the_registered_protocols_and_the_hashing_lab() {
        let protocols: Vec<(&str, &str)> = PAGES.iter().copied().filter(|(p, _)| *p != HASHING).collect();
        assert_eq!(protocols, distlab_core::registry::TITLES);
        assert_eq!(PAGES.last().map(|(p, _)| *p), Some(HASHING));
        assert!(PAGES.iter().all(|(p, _)| built_in(p)));
        assert!(!built_in("zab"));
        assert_eq!(home(), "paxos");
        assert_eq!(address("raft", "#raft/s=abc"), "../raft/#raft/s=abc");
        assert_eq!(title("multipaxos"), Some("Multi-Paxos"));
        assert_eq!((known("compare"), known("raft"), known("zab")), (Some("compare"), Some("raft"), None));
        assert!(built_in(COMPARE));
    }

    /// The site's root page sends old links (`#kafka/s=…`) to their page: it knows every tab,
    /// and links each one; the page builder builds each.
    #[test]
    fn the_root_page_and_the_page_builder_know_every_page() {
        let root = include_str!("../../index.html");
        let builder = include_str!("../../scripts/pages.py");
        let list = root.split("var pages = [").nth(1).and_then(|r| r.split(']').next()).unwrap_or_default();
        for (page, _) in PAGES {
            assert!(list.contains(&format!("\"{page}\"")), "index.html's list lacks {page}: {list}");
            assert!(root.contains(&format!("href=\"{page}/\"")), "index.html does not link {page}");
            assert!(builder.contains(&format!("(\"{page}\", ")), "scripts/pages.py does not build {page}");
        }
    }
}
