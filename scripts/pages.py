#!/usr/bin/env python3
"""Trunk post-build hook: build every page of the lab as its own bundle under the site.

The root index.html only sends a visitor on; each page (web/src/pages.rs lists them) is built
from www/page.html by its own `trunk build`, with the web crate's Cargo feature for that page
alone, into <site>/<page>/. So `trunk build` builds the whole site, and a visitor to the Raft
page downloads the Raft page only.

Each nested build runs this hook again; DISTLAB_PAGE tells it to do nothing there.
"""
import html
import os
import re
import subprocess
import sys

# (path and Cargo feature, title, what the page shows). Tabs and titles: web/src/pages.rs.
PAGES = [
    ("paxos", "Paxos", "Single-decree Paxos, step by step: proposers, acceptors and learners agree on one value while nodes crash and the network fails."),
    ("multipaxos", "Multi-Paxos", "Multi-Paxos, step by step: a stable leader fills a replicated log slot by slot, and a new one adopts what its predecessor left."),
    ("raft", "Raft", "Raft, step by step: leader election, log replication and commitment, crashes, partitions and the Figure 8 bug, with a linearizability check."),
    ("kafka", "Kafka", "Kafka, step by step: partitions, leaders and the in-sync replica set, the high watermark, consumer groups and their rebalances."),
    ("swim", "Gossip (SWIM)", "SWIM gossip membership, step by step: members ping each other, suspect before they declare, refute with incarnation numbers and spread the news on their pings, against all-to-all heartbeating."),
    ("coordination", "Coordination (ZooKeeper-style)", "A ZooKeeper-style coordination service on Raft, step by step: sessions and ephemeral nodes, watches, a lock with fencing tokens that a GC pause cannot break, leader election and service discovery."),
    ("shardkv", "Sharded database", "A sharded key-value database over Raft groups, step by step: a configuration service places shards with a consistent-hash ring, groups join and leave, and shards move with their data and duplicate tables while clients keep writing."),
    ("dfs", "File system", "A distributed file system in the style of HDFS, step by step: blocks with three replicas on data nodes in racks, a metadata service on Raft, write pipelines, and blocks copied back to three when a node or a whole rack fails."),
    ("compare", "Raft and Multi-Paxos", "Raft, Raft with Pre-Vote and Multi-Paxos on the same seed, clients and faults: who leads when, time without a leader, commit latency and messages per command, with the reasons."),
    ("hashing", "Consistent hashing", "Consistent hashing: the ring, jump, rendezvous, Maglev and bounded loads on the same keys, how many keys move, a cache and load balancing."),
]


def main() -> int:
    if os.environ.get("DISTLAB_PAGE"):
        return 0
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    site = os.path.abspath(os.environ.get("TRUNK_STAGING_DIR") or (sys.argv[1] if len(sys.argv) > 1 else "dist"))
    profile = os.environ.get("TRUNK_PROFILE", "release")
    # The root page builds no wasm: drop the link that tells Trunk so (data-trunk-skip).
    index = os.path.join(site, "index.html")
    text = open(index, encoding="utf-8").read()
    text = re.sub(r'\s*<link data-trunk rel="rust"[^>]*data-trunk-skip[^>]*/>', "", text)
    with open(index, "w", encoding="utf-8") as f:
        f.write(text)
    template = open(os.path.join(root, "www", "page.html"), encoding="utf-8").read()
    for page, title, description in PAGES:
        # The page's index.html lives where Trunk reads it; its links reach the repository's root.
        src = os.path.join(root, "target", "pages", page)
        os.makedirs(src, exist_ok=True)
        up = os.path.relpath(root, src) + "/"
        text = (
            template.replace("{title}", html.escape(title))
            .replace("{description}", html.escape(description))
            .replace("{root}", up)
            .replace("{page}", page)
        )
        index = os.path.join(src, "index.html")
        with open(index, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"[pages] building /{page}/", flush=True)
        cmd = ["trunk", "build", index, "--dist", os.path.join(site, page), "--public-url", "./"]
        if profile == "release":
            cmd.append("--release")
        # TRUNK_OFFLINE and TRUNK_SKIP_VERSION_CHECK, if set, reach the nested builds.
        env = dict(os.environ, DISTLAB_PAGE=page)
        for k in ("TRUNK_STAGING_DIR", "TRUNK_DIST_DIR", "TRUNK_SOURCE_DIR", "TRUNK_HTML_FILE", "TRUNK_PUBLIC_URL"):
            env.pop(k, None)
        done = subprocess.run(cmd, cwd=root, env=env)
        if done.returncode != 0:
            print(f"[pages] building /{page}/ failed", file=sys.stderr)
            return done.returncode
        # The Chinese catalogue beside the page, fetched only by a reader of Chinese
        # (web/src/lang.rs): every part of i18n/zh/ in one file, whose entries the page
        # looks up.
        with open(os.path.join(site, page, "zh.txt"), "w", encoding="utf-8") as f:
            f.write(chinese(root, page))
    return 0


# The catalogue's files that hold one protocol's words alone (web/tests/i18n.rs puts a string
# there when only that protocol shows it), and the pages that show that protocol.
PROTOCOL_WORDS = {
    "paxos.txt": {"paxos"},
    "multipaxos.txt": {"multipaxos", "compare"},
    "raft.txt": {"raft", "compare", "coordination", "shardkv", "dfs"},
    "kafka.txt": {"kafka"},
    "swim.txt": {"swim"},
    "coordination.txt": {"coordination"},
    "shardkv.txt": {"shardkv"},
    "dfs.txt": {"dfs"},
}


def chinese(root: str, page: str) -> str:
    """The page's Chinese catalogue: every file of i18n/zh/ but other protocols' own, in name
    order, as one catalogue (comments and blank lines dropped: they are for the translators)."""
    folder = os.path.join(root, "i18n", "zh")
    out = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".txt") and page in PROTOCOL_WORDS.get(name, {page}):
            for line in open(os.path.join(folder, name), encoding="utf-8"):
                if line.startswith("en: "):
                    out.append("\n")
                if line.startswith(("en: ", "zh: ")):
                    out.append(line if line.endswith("\n") else line + "\n")
    return "".join(out).lstrip("\n")


if __name__ == "__main__":
    sys.exit(main())
