//! The Run form: seed, sizes, faults, mutant, and each protocol's own options. Every field is
//! validated on submit; a bad value shows a message naming the field and changes nothing.
// The form's fields are shared by the protocols; a page's bundle, built with one protocol,
// leaves the others' unused.
#![cfg_attr(
    not(all(feature = "paxos", feature = "multipaxos", feature = "raft", feature = "kafka")),
    allow(unused_variables, dead_code)
)]

use distlab_core::echo::Echo;
#[cfg(feature = "kafka")]
use distlab_core::kafka::{cluster::ACKS_ALL, setup::parse_acks, Strategy};
use distlab_core::kv::Workload;
use distlab_core::lab::{self, LabConfig};
use distlab_core::net::FaultPreset;
#[cfg(feature = "paxos")]
use distlab_core::paxos::MAX_ROLE;
#[cfg(feature = "raft")]
use distlab_core::raft::{ReadMode, MAX_CLIENTS, MAX_SERVERS};
use distlab_core::registry::Setup;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::dom::{read_input, read_select};
use crate::i18n::t;
pub use crate::num::{parse_count, parse_seed};
use crate::state::Msg;
use crate::tf;

/// [`parse_count`] with its message in the page's language: `field` is the field's name as the
/// page shows it (already translated).
pub fn count_in(field: &str, text: &str, min: usize, max: usize) -> Result<usize, String> {
    parse_count(field, text, min, max)
        .map_err(|_| tf!("{} must be a whole number from {} to {} (got {})", field, min, max, Echo(text)))
}

/// [`parse_seed`] with its message in the page's language.
pub fn seed_in(text: &str) -> Result<u64, String> {
    parse_seed(text)
        .map_err(|_| tf!("the seed must be a whole number from {} to {} (got {})", 0, 1u64 << 53, Echo(text)))
}

fn checked(r: &NodeRef, default: bool) -> bool {
    r.cast::<HtmlInputElement>().map(|i| i.checked()).unwrap_or(default)
}

/// A seed drawn from the browser's cryptographic source (`crypto.getRandomValues`, through
/// getrandom), below a million so that it is easy to read out and type again. Where that
/// source fails (never, in a browser that runs the page), the seed is 1.
pub fn fresh_seed() -> u64 {
    let mut bytes = [0u8; 8];
    match getrandom::getrandom(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes) % 1_000_000,
        Err(_) => 1,
    }
}

#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    pub config: LabConfig,
    pub send: Callback<Msg>,
}

#[function_component(Settings)]
pub fn settings(p: &SettingsProps) -> Html {
    crate::lang::use_lang();
    let seed = use_node_ref();
    let a = use_node_ref();
    let b = use_node_ref();
    let c = use_node_ref();
    let faults = use_node_ref();
    let mutant = use_node_ref();
    let flag1 = use_node_ref();
    let flag2 = use_node_ref();
    let read_mode = use_node_ref();
    let snap_every = use_node_ref();
    let scenario = use_node_ref();
    let (rf, min_isr, acks, strategy, every, idle) =
        (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    let (w_keys, w_reads, w_cas, w_think) = (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    let swim_refs = (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    let coord_refs = (
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
        use_node_ref(),
    );
    let shard_refs = (use_node_ref(), use_node_ref(), use_node_ref());
    // What runs: a preset's own cluster and options, not the free run's settings it replaces.
    let shown = p.config.as_run();
    let cfg = &shown;
    let apply = {
        let refs = (
            seed.clone(),
            a.clone(),
            b.clone(),
            c.clone(),
            faults.clone(),
            mutant.clone(),
            flag1.clone(),
            flag2.clone(),
            read_mode.clone(),
            snap_every.clone(),
            scenario.clone(),
            (rf.clone(), min_isr.clone(), acks.clone(), strategy.clone(), every.clone(), idle.clone()),
            (w_keys.clone(), w_reads.clone(), w_cas.clone(), w_think.clone()),
            swim_refs.clone(),
            coord_refs.clone(),
            shard_refs.clone(),
        );
        let base = cfg.clone();
        // The settings under a preset's own: another preset starts from them, as in the gallery.
        let free = p.config.setup.clone();
        p.send.reform(move |e: SubmitEvent| {
            e.prevent_default();
            let (
                seed,
                a,
                b,
                c,
                faults,
                mutant,
                flag1,
                flag2,
                read_mode,
                snap_every,
                scenario,
                kafka,
                work,
                swim,
                coord,
                shard,
            ) = &refs;
            // The clients' workload (Raft, Multi-Paxos).
            let workload = |w: &mut Workload, think_ms: &mut Option<u64>| -> Result<(), String> {
                let (k, r, c, think) = work;
                w.keys = count_in(&t("keys"), &read_input(k), 1, 16)? as u32;
                w.reads_pct = count_in(&t("reads %"), &read_input(r), 0, 100)? as u32;
                w.cas_pct = count_in(&t("compare-and-sets %"), &read_input(c), 0, 100)? as u32;
                if w.reads_pct + w.cas_pct > 100 {
                    return Err(t("reads % and compare-and-sets % add up to at most 100"));
                }
                *think_ms = Some(count_in(&t("think time (ms)"), &read_input(think), 0, 10_000)? as u64);
                Ok(())
            };
            let parsed = (|| -> Result<LabConfig, String> {
                let mut cfg = LabConfig {
                    seed: seed_in(&read_input(seed))?,
                    faults: FaultPreset::parse(&read_select(faults))
                        .ok_or_else(|| t("choose a fault level"))?,
                    mutant: Some(read_select(mutant)).filter(|m| !m.is_empty()),
                    ..base.clone()
                };
                match &mut cfg.setup {
                    #[cfg(feature = "kafka")]
                    Setup::Kafka(k) => {
                        let (rf, min_isr, acks, strategy, every, idle) = kafka;
                        k.brokers = count_in(&t("brokers"), &read_input(a), 1, 9)?;
                        k.partitions = count_in(&t("partitions"), &read_input(b), 1, 32)? as u32;
                        k.consumers = count_in(&t("consumers"), &read_input(c), 0, 6)?;
                        k.rf = count_in(&t("replication factor"), &read_input(rf), 1, k.brokers)
                            .map_err(|e| tf!("{}; it cannot exceed the brokers", e))?
                            as u32;
                        k.min_insync = count_in("min.insync.replicas", &read_input(min_isr), 1, k.rf as usize)
                            .map_err(|e| tf!("{}; it cannot exceed the replication factor", e))?
                            as u32;
                        k.acks = parse_acks(&read_select(acks)).unwrap_or(ACKS_ALL);
                        k.idempotence = checked(flag1, true);
                        k.strategy =
                            Strategy::parse(&read_select(strategy)).ok_or_else(|| t("choose an assignor"))?;
                        k.produce_every_us =
                            count_in(&t("produce every (ms)"), &read_input(every), 0, 10_000)? as u64 * 1000;
                        k.idle_consumers =
                            count_in(&t("consumers waiting outside"), &read_input(idle), 0, k.consumers)
                                .map_err(|e| tf!("{}; they are counted among the consumers", e))?;
                    }
                    #[cfg(feature = "multipaxos")]
                    Setup::MultiPaxos(m) => {
                        use distlab_core::multipaxos::{MAX_CLIENTS, MAX_SERVERS};
                        m.servers = count_in(&t("servers"), &read_input(a), 1, MAX_SERVERS)?;
                        m.clients = count_in(&t("clients"), &read_input(c), 0, MAX_CLIENTS)?;
                        m.backoff = checked(flag1, true);
                        workload(&mut m.workload, &mut m.think_ms)?;
                    }
                    #[cfg(feature = "raft")]
                    Setup::Raft(r) => {
                        r.servers = count_in(&t("servers"), &read_input(a), 3, MAX_SERVERS)?;
                        r.spares = count_in(&t("spare servers"), &read_input(b), 0, MAX_SERVERS - r.servers)
                            .map_err(|e| tf!("{}; servers plus spares are at most {}", e, MAX_SERVERS))?;
                        r.clients = count_in(&t("clients"), &read_input(c), 0, MAX_CLIENTS)?;
                        r.prevote = checked(flag1, false);
                        r.check_quorum = checked(flag2, false);
                        r.read_mode = ReadMode::parse(&read_select(read_mode)).unwrap_or(ReadMode::Log);
                        r.snapshot_every =
                            count_in(&t("snapshot every"), &read_input(snap_every), 0, 10_000)? as u64;
                        workload(&mut r.workload, &mut r.think_ms)?;
                    }
                    #[cfg(feature = "swim")]
                    Setup::Swim(sw) => {
                        use distlab_core::swim::{
                            Detector, Selection, MAX_INDIRECT, MAX_MEMBERS, MAX_PERIOD_MS,
                        };
                        let (detector, selection, period, ack, suspicion) = swim;
                        sw.detector = Detector::parse(&read_select(detector)).unwrap_or_default();
                        sw.selection = Selection::parse(&read_select(selection)).unwrap_or_default();
                        sw.members = count_in(&t("members"), &read_input(a), 2, MAX_MEMBERS)?;
                        sw.indirect = count_in(&t("indirect probes (k)"), &read_input(c), 0, MAX_INDIRECT)?;
                        sw.period_ms = count_in(
                            &t("protocol period (ms)"),
                            &read_input(period),
                            100,
                            MAX_PERIOD_MS as usize,
                        )? as u64;
                        sw.ack_timeout_ms =
                            count_in(&t("ack timeout (ms)"), &read_input(ack), 1, sw.period_ms as usize - 1)?
                                as u64;
                        let periods =
                            count_in(&t("suspicion (periods)"), &read_input(suspicion), 0, 4_000)? as u32;
                        sw.suspicion = (periods > 0).then_some(periods);
                    }
                    #[cfg(feature = "coordination")]
                    Setup::Coordination(co) => {
                        use distlab_core::coord::{
                            tree::SESSION_TIMEOUT_MS, Recipe, MAX_CLIENTS, MAX_PAUSE_MS,
                        };
                        let (recipe, timeout, work, think, pause_pct, pause_ms, stagger) = coord;
                        let (lo, hi) = SESSION_TIMEOUT_MS;
                        co.servers =
                            count_in(&t("servers"), &read_input(a), 3, distlab_core::coord::MAX_SERVERS)?;
                        co.clients = count_in(&t("clients"), &read_input(c), 1, MAX_CLIENTS)?;
                        co.recipe =
                            Recipe::parse(&read_select(recipe)).ok_or_else(|| t("choose a recipe"))?;
                        co.session_timeout_ms = count_in(
                            &t("session timeout (ms)"),
                            &read_input(timeout),
                            lo as usize,
                            hi as usize,
                        )? as u32;
                        co.work_ms = count_in(&t("work time (ms)"), &read_input(work), 1, 10_000)? as u32;
                        co.think_ms = count_in(&t("think time (ms)"), &read_input(think), 1, 10_000)? as u32;
                        co.pause_pct =
                            count_in(&t("paused holders %"), &read_input(pause_pct), 0, 100)? as u32;
                        co.pause_ms =
                            count_in(&t("GC pause (ms)"), &read_input(pause_ms), 1, MAX_PAUSE_MS as usize)?
                                as u32;
                        co.stagger_ms =
                            count_in(&t("clients' stagger (ms)"), &read_input(stagger), 0, 10_000)? as u32;
                    }
                    #[cfg(feature = "shardkv")]
                    Setup::ShardKv(k) => {
                        use distlab_core::shardkv::{
                            MAX_CLIENTS, MAX_GROUPS, MAX_MOVES_MS, MAX_SHARDS, MAX_VNODES,
                        };
                        let (joined, vnodes, moves) = shard;
                        k.groups = count_in(&t("replica groups"), &read_input(a), 1, MAX_GROUPS)?;
                        k.joined = count_in(
                            &t("groups in the first configuration"),
                            &read_input(joined),
                            1,
                            k.groups,
                        )
                        .map_err(|e| tf!("{}; they are counted among the groups", e))?;
                        k.shards = count_in(&t("shards"), &read_input(b), 1, MAX_SHARDS)?;
                        k.vnodes =
                            count_in(&t("virtual nodes per group"), &read_input(vnodes), 1, MAX_VNODES)?;
                        k.clients = count_in(&t("clients"), &read_input(c), 1, MAX_CLIENTS)?;
                        let ms = count_in(
                            &t("a group joins or leaves every (ms)"),
                            &read_input(moves),
                            0,
                            MAX_MOVES_MS as usize,
                        )?;
                        if ms != 0 && ms < 100 {
                            return Err(t("a group joins or leaves every 0 ms (never) or at least 100 ms"));
                        }
                        k.moves_ms = ms as u32;
                        workload(&mut k.workload, &mut k.think_ms)?;
                    }
                    #[cfg(feature = "dfs")]
                    Setup::Dfs(x) => {
                        use distlab_core::dfs::{parse_racks, MAX_CLIENTS, MAX_RF};
                        x.racks = parse_racks(read_input(a).trim()).map_err(|e| tf!("racks: {}", t(&e)))?;
                        x.rf = count_in(&t("replication factor"), &read_input(b), 1, MAX_RF as usize)? as u32;
                        x.clients = count_in(&t("clients"), &read_input(c), 1, MAX_CLIENTS)?;
                        let (k, r, _, think) = work;
                        x.workload.keys = count_in(&t("files"), &read_input(k), 1, 16)? as u32;
                        x.workload.reads_pct = count_in(&t("reads %"), &read_input(r), 0, 100)? as u32;
                        x.think_ms =
                            Some(count_in(&t("think time (ms)"), &read_input(think), 0, 10_000)? as u64);
                    }
                    #[cfg(feature = "paxos")]
                    Setup::Paxos(px) => {
                        px.proposers = count_in(&t("proposers"), &read_input(a), 1, MAX_ROLE)?;
                        px.acceptors = count_in(&t("acceptors"), &read_input(b), 1, MAX_ROLE)?;
                        px.learners = count_in(&t("learners"), &read_input(c), 1, MAX_ROLE)?;
                        px.backoff = checked(flag1, true);
                    }
                    // A protocol the core was built with (a workspace build unifies the core's
                    // features) whose page this bundle does not hold: nothing to read.
                    #[allow(unreachable_patterns)]
                    _ => {}
                }
                cfg.scenario = Some(read_select(scenario)).filter(|s| !s.is_empty());
                // The fields showed the current preset's cluster: another preset sets its own,
                // or builds on the free run's settings, not on these.
                if cfg.scenario.is_some() && cfg.scenario != base.scenario {
                    cfg.setup = free.clone();
                }
                Ok(cfg)
            })();
            match parsed {
                Ok(cfg) => Msg::Configure(cfg),
                Err(e) => Msg::Error(e),
            }
        })
    };
    let new_seed = {
        let base = cfg.clone();
        p.send.reform(move |_: MouseEvent| {
            // The page may use the browser's randomness to *pick* a seed; the run itself only
            // ever uses the seeded generator in core.
            Msg::Configure(LabConfig { seed: fresh_seed(), ..base.clone() })
        })
    };
    let mutants = lab::mutants(cfg.protocol()).unwrap_or_default();
    let scenarios = lab::scenarios(cfg.protocol());
    // Re-create the form (dropping anything typed) whenever the applied config changes.
    let key = format!(
        "{}-{}-{}-{}-{}-{}",
        cfg.protocol(),
        distlab_core::hash::digest(&format!("{:?}", cfg.setup)),
        cfg.seed,
        cfg.faults.name(),
        cfg.mutant.as_deref().unwrap_or(""),
        cfg.scenario.as_deref().unwrap_or(""),
    );
    let count = |r: &NodeRef, id: &'static str, label: String, v: usize, min: usize, max: usize| {
        html! { <label>{label}<input ref={r.clone()} id={id} type="number" min={min.to_string()} max={max.to_string()} value={v.to_string()} /></label> }
    };
    let workload_fields = |w: &Workload, think_ms: Option<u64>| {
        let think = think_ms.unwrap_or(100);
        html! {
            <>
                { count(&w_keys, "keys", t("Client keys"), w.keys as usize, 1, 16) }
                { count(&w_think, "think", t("Think time (ms; 0: only yours)"), think as usize, 0, 10_000) }
                { count(&w_reads, "reads", t("Reads %"), w.reads_pct as usize, 0, 100) }
                { count(&w_cas, "cas", t("Compare-and-sets %"), w.cas_pct as usize, 0, 100) }
            </>
        }
    };
    let scenario_select = html! {
        <>
            <label class="wide">{t("Scenario")}
                <select ref={scenario.clone()} id="scenario">
                    <option value="" selected={cfg.scenario.is_none()}>{t("free run: your settings below")}</option>
                    { for scenarios.iter().map(|(name, title)| html! {
                        <option value={*name} selected={cfg.scenario.as_deref() == Some(*name)}>{t(title)}</option>
                    }) }
                </select>
            </label>
            { if cfg.scenario.is_some() { html! {
                <p class="hint wide">{t("These are the settings this scenario runs with (it sets its own timing and script, and may set its cluster). Choose the free run to set them all yourself; the seed, faults and mutant apply to either.")}</p>
            } } else { html! {} } }
        </>
    };
    let fields = match &cfg.setup {
        #[cfg(feature = "swim")]
        Setup::Swim(sw) => {
            use distlab_core::swim::{Detector, Selection, MAX_INDIRECT, MAX_MEMBERS};
            let (detector, selection, period, ack, suspicion) = &swim_refs;
            html! {
                <>
                    { scenario_select }
                    { count(&a, "members", t("Members"), sw.members, 2, MAX_MEMBERS) }
                    <label>{t("Detector")}
                        <select ref={detector.clone()} id="detector">
                            <option value="swim" selected={sw.detector == Detector::Swim}>{"SWIM"}</option>
                            <option value="heartbeat" selected={sw.detector == Detector::Heartbeat}>{t("all-to-all heartbeats")}</option>
                        </select>
                    </label>
                    <label>{t("Probe selection")}
                        <select ref={selection.clone()} id="selection">
                            <option value="round-robin" selected={sw.selection == Selection::RoundRobin}>{t("round-robin, shuffled")}</option>
                            <option value="random" selected={sw.selection == Selection::Random}>{t("random")}</option>
                        </select>
                    </label>
                    { count(&c, "indirect", t("Indirect probes (k)"), sw.indirect, 0, MAX_INDIRECT) }
                    { count(period, "period", t("Protocol period (ms)"), sw.period_ms as usize, 100, 10_000) }
                    { count(ack, "ack-timeout", t("Ack timeout (ms)"), sw.ack_timeout_ms as usize, 1, 9_999) }
                    { count(suspicion, "suspicion", t("Suspicion (periods; 0: default)"), sw.suspicion.unwrap_or(0) as usize, 0, 4_000) }
                </>
            }
        }
        #[cfg(feature = "coordination")]
        Setup::Coordination(co) => {
            use distlab_core::coord::{
                tree::SESSION_TIMEOUT_MS, Recipe, MAX_CLIENTS, MAX_PAUSE_MS, MAX_SERVERS,
            };
            let (recipe, timeout, work, think, pause_pct, pause_ms, stagger) = &coord_refs;
            let (lo, hi) = SESSION_TIMEOUT_MS;
            let recipe_title = |r: Recipe| match r {
                Recipe::Lock => t("a lock with fencing tokens"),
                Recipe::Election => t("leader election"),
                Recipe::Discovery => t("service discovery"),
                Recipe::Config => t("a configuration store (synced reads, conditional sets)"),
                Recipe::Idle => t("none: only your requests"),
            };
            html! {
                <>
                    { scenario_select }
                    { count(&a, "servers", t("Servers"), co.servers, 3, MAX_SERVERS) }
                    { count(&c, "clients", t("Clients"), co.clients, 1, MAX_CLIENTS) }
                    <label class="wide">{t("Recipe (what the clients do)")}
                        <select ref={recipe.clone()} id="recipe">
                            { for Recipe::ALL.iter().map(|r| html! {
                                <option value={r.name()} selected={*r == co.recipe}>{recipe_title(*r)}</option>
                            }) }
                        </select>
                    </label>
                    { count(timeout, "session-timeout", t("Session timeout (ms)"), co.session_timeout_ms as usize, lo as usize, hi as usize) }
                    { count(work, "work", t("Work time (ms)"), co.work_ms as usize, 1, 10_000) }
                    { count(think, "think", t("Think time (ms)"), co.think_ms as usize, 1, 10_000) }
                    { count(pause_pct, "pause-pct", t("Holders that pause (%)"), co.pause_pct as usize, 0, 100) }
                    { count(pause_ms, "pause-ms", t("GC pause (ms)"), co.pause_ms as usize, 1, MAX_PAUSE_MS as usize) }
                    { count(stagger, "stagger", t("Clients arrive every (ms; 0: together)"), co.stagger_ms as usize, 0, 10_000) }
                </>
            }
        }
        #[cfg(feature = "shardkv")]
        Setup::ShardKv(k) => {
            use distlab_core::shardkv::{
                ShardKv, MAX_CLIENTS, MAX_GROUPS, MAX_MOVES_MS, MAX_SHARDS, MAX_VNODES,
            };
            let (joined, vnodes, moves) = &shard_refs;
            let think = k.think_ms.unwrap_or(ShardKv::default().think_ms as u64);
            html! {
                <>
                    { scenario_select }
                    { count(&a, "groups", t("Replica groups"), k.groups, 1, MAX_GROUPS) }
                    { count(joined, "joined", t("…in the first configuration"), k.joined, 1, MAX_GROUPS) }
                    { count(&b, "shards", t("Shards"), k.shards, 1, MAX_SHARDS) }
                    { count(vnodes, "vnodes", t("Virtual nodes per group"), k.vnodes, 1, MAX_VNODES) }
                    { count(moves, "moves", t("A group joins or leaves every (ms; 0: only yours)"), k.moves_ms as usize, 0, MAX_MOVES_MS as usize) }
                    { count(&c, "clients", t("Clients"), k.clients, 1, MAX_CLIENTS) }
                    { workload_fields(&k.workload, Some(think)) }
                </>
            }
        }
        #[cfg(feature = "dfs")]
        Setup::Dfs(x) => {
            use distlab_core::dfs::{racks_spec, Dfs, MAX_CLIENTS, MAX_RF};
            let think = x.think_ms.unwrap_or(Dfs::default().think_ms as u64);
            html! {
                <>
                    { scenario_select }
                    <label class="wide">{t("Racks and their data nodes (r1:3,r2:3,r3:3; at most 8 racks of 8)")}
                        <input ref={a.clone()} id="racks" type="text" spellcheck="false" value={racks_spec(&x.racks)} /></label>
                    { count(&b, "rf", t("Replication factor"), x.rf as usize, 1, MAX_RF as usize) }
                    { count(&c, "clients", t("Clients"), x.clients, 1, MAX_CLIENTS) }
                    { count(&w_keys, "keys", t("Files"), x.workload.keys as usize, 1, 16) }
                    { count(&w_think, "think", t("Think time (ms; 0: only yours)"), think as usize, 0, 10_000) }
                    { count(&w_reads, "reads", t("Reads %"), x.workload.reads_pct as usize, 0, 100) }
                </>
            }
        }
        #[cfg(feature = "kafka")]
        Setup::Kafka(k) => html! {
            <>
                { scenario_select }
                { count(&a, "brokers", t("Brokers"), k.brokers, 1, 9) }
                { count(&b, "partitions", t("Partitions"), k.partitions as usize, 1, 32) }
                { count(&rf, "rf", t("Replication factor"), k.rf as usize, 1, 9) }
                <label><span translate="no">{"min.insync.replicas"}</span><input ref={min_isr.clone()} id="min-insync" type="number" min="1" max="9" value={k.min_insync.to_string()} /></label>
                { count(&c, "consumers", t("Consumers"), k.consumers, 0, 6) }
                { count(&idle, "idle-consumers", t("…of which wait outside (join later)"), k.idle_consumers, 0, 6) }
                <label>{t("Produce every (ms; 0: only yours)")}<input ref={every.clone()} id="produce-every" type="number" min="0" max="10000" value={(k.produce_every_us / 1000).to_string()} /></label>
                <label><span translate="no">{"acks"}</span>
                    <select ref={acks.clone()} id="acks">
                        <option value="all" selected={k.acks == ACKS_ALL}>{"all"}</option>
                        <option value="1" selected={k.acks == 1}>{"1"}</option>
                        <option value="0" selected={k.acks == 0}>{"0"}</option>
                    </select>
                </label>
                <label class="check wide"><input ref={flag1.clone()} id="idempotence" type="checkbox" checked={k.idempotence} />{t("Idempotent producers (a retry is written once; needs acks=all)")}</label>
                <label>{t("Assignor")}
                    <select ref={strategy.clone()} id="assignor" translate="no">
                        { for Strategy::ALL.iter().map(|s| html! {
                            <option value={s.name()} selected={*s == k.strategy}>{s.name()}</option>
                        }) }
                    </select>
                </label>
                <p class="hint wide">{t("unclean.leader.election is the unclean-election mutant below: with acks=1 it loses acknowledged records.")}</p>
            </>
        },
        #[cfg(feature = "raft")]
        Setup::Raft(r) => html! {
            <>
                { scenario_select }
                { count(&a, "servers", t("Servers"), r.servers, 3, MAX_SERVERS) }
                { count(&b, "spares", t("Spare servers (to add)"), r.spares, 0, MAX_SERVERS - 3) }
                { count(&c, "clients", t("Clients"), r.clients, 0, MAX_CLIENTS) }
                { workload_fields(&r.workload, r.think_ms) }
                <label>{t("Snapshot every (0: on request)")}<input ref={snap_every.clone()} id="snapshot-every" type="number" min="0" max="10000" value={r.snapshot_every.to_string()} /></label>
                <label class="wide">{t("Reads")}
                    <select ref={read_mode.clone()} id="read-mode">
                        <option value="log" selected={r.read_mode == ReadMode::Log}>{t("through the log")}</option>
                        <option value="readindex" selected={r.read_mode == ReadMode::ReadIndex}>{t("ReadIndex (heartbeat round, no log write)")}</option>
                        <option value="lease" selected={r.read_mode == ReadMode::Lease}>{t("lease (no round trip; needs CheckQuorum; trusts clocks)")}</option>
                        <option value="local" selected={r.read_mode == ReadMode::Local}>{t("local (unsafe: a deposed leader answers stale)")}</option>
                    </select>
                </label>
                <label class="check"><input ref={flag1.clone()} id="prevote" type="checkbox" checked={r.prevote} />{"PreVote"}</label>
                <label class="check"><input ref={flag2.clone()} id="check-quorum" type="checkbox" checked={r.check_quorum} />{"CheckQuorum"}</label>
            </>
        },
        #[cfg(feature = "multipaxos")]
        Setup::MultiPaxos(m) => html! {
            <>
                { scenario_select }
                { count(&a, "servers", t("Servers"), m.servers, 1, 9) }
                { count(&c, "clients", t("Clients"), m.clients, 0, 8) }
                { workload_fields(&m.workload, m.think_ms) }
                <label class="check wide"><input ref={flag1.clone()} id="backoff" type="checkbox" checked={m.backoff} />{t("Randomized back-off (off: dueling proposers livelock)")}</label>
            </>
        },
        #[cfg(feature = "paxos")]
        Setup::Paxos(px) => html! {
            <>
                { scenario_select }
                { count(&a, "proposers", t("Proposers"), px.proposers, 1, MAX_ROLE) }
                { count(&b, "acceptors", t("Acceptors"), px.acceptors, 1, MAX_ROLE) }
                { count(&c, "learners", t("Learners"), px.learners, 1, MAX_ROLE) }
                <label class="check wide"><input ref={flag1.clone()} id="backoff" type="checkbox" checked={px.backoff} />{t("Randomized back-off (off: dueling proposers keep preempting each other)")}</label>
            </>
        },
        // See the form's reading above.
        #[allow(unreachable_patterns)]
        _ => html! { <>{ scenario_select }</> },
    };
    html! {
        <form class="settings" onsubmit={apply} key={key} aria-label={t("Run settings")} novalidate=true>
            <h2>{t("Run")}</h2>
            <div class="grid">
                <label>{t("Seed")}<input ref={seed} id="seed" inputmode="numeric" value={cfg.seed.to_string()} /></label>
                <button type="button" id="btn-new-seed" onclick={new_seed} title={t("Draw a new random seed")}>{t("New seed")}</button>
                { fields }
                <label>{t("Faults")}
                    <select ref={faults} id="faults">
                        { for FaultPreset::ALL.iter().map(|f| html! { <option value={f.name()} selected={*f == cfg.faults}>{t(f.name())}</option> }) }
                    </select>
                </label>
                <label class="wide">{t("Mutant (a deliberately broken variant)")}
                    <select ref={mutant} id="mutant">
                        <option value="" selected={cfg.mutant.is_none()}>{t("none: the correct protocol")}</option>
                        { for mutants.iter().map(|(name, desc)| html! {
                            <option value={*name} selected={cfg.mutant.as_deref() == Some(*name)}>{format!("{name}: {}", t(desc))}</option>
                        }) }
                    </select>
                </label>
            </div>
            <button type="submit" id="btn-apply" class="primary">{t("Apply and restart")}</button>
        </form>
    }
}
