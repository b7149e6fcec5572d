#!/usr/bin/env bash
# The long sweeps for a release, too long for every CI run (README, "Release checks"). Every
# property is checked after every event; each sweep prints a summary and the script fails if any
# sweep finds a violation. SEEDS sets the size of each sweep (default 20000).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
seeds=${SEEDS:-20000}
say() { printf '\n== %s\n' "$*"; }

cargo build --release -p distlab-cli
distlab=target/release/distlab

say "Raft: $seeds swarm seeds (a configuration drawn per seed), 20,000 events each"
time "$distlab" check --protocol raft --swarm on --seeds "0..$seeds"

say "Kafka: $seeds seeds of the default cluster with heavy faults, 20,000 events each"
time "$distlab" check --protocol kafka --faults heavy --seeds "0..$seeds"

say "Kafka and Multi-Paxos swarms: $seeds seeds each"
time DISTLAB_RELEASE_SEEDS=$seeds cargo test --release -p distlab-tests --test kafka release_check -- --nocapture
time DISTLAB_RELEASE_SEEDS=$seeds cargo test --release -p distlab-tests --test multipaxos multipaxos_swarm_release_check -- --nocapture
