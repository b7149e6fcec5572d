//! The Run form: seed, sizes, faults, mutant, and each protocol's own options. Every field is
//! validated on submit; a bad value shows a message naming the field and changes nothing.
// The form's fields are shared by the protocols; a page's bundle, built with one protocol,
// leaves the others' unused.
#![cfg_attr(
    not(all(feature = "paxos", feature = "multipaxos", feature = "raft", feature = "kafka")),
    allow(unused_variables, dead_code)
)]

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
pub use crate::num::{parse_count, parse_seed};
use crate::state::Msg;

fn checked(r: &NodeRef, default: bool) -> bool {
    r.cast::<HtmlInputElement>().map(|i| i.checked()).unwrap_or(default)
}

#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    pub config: LabConfig,
    pub send: Callback<Msg>,
}

#[function_component(Settings)]
pub fn settings(p: &SettingsProps) -> Html {
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
        );
        let base = cfg.clone();
        // The settings under a preset's own: another preset starts from them, as in the gallery.
        let free = p.config.setup.clone();
        p.send.reform(move |e: SubmitEvent| {
            e.prevent_default();
            let (seed, a, b, c, faults, mutant, flag1, flag2, read_mode, snap_every, scenario, kafka, work) =
                &refs;
            // The clients' workload (Raft, Multi-Paxos).
            let workload = |w: &mut Workload, think_ms: &mut Option<u64>| -> Result<(), String> {
                let (k, r, c, t) = work;
                w.keys = parse_count("keys", &read_input(k), 1, 16)? as u32;
                w.reads_pct = parse_count("reads %", &read_input(r), 0, 100)? as u32;
                w.cas_pct = parse_count("compare-and-sets %", &read_input(c), 0, 100)? as u32;
                if w.reads_pct + w.cas_pct > 100 {
                    return Err("reads % and compare-and-sets % add up to at most 100".into());
                }
                *think_ms = Some(parse_count("think time (ms)", &read_input(t), 0, 10_000)? as u64);
                Ok(())
            };
            let parsed = (|| -> Result<LabConfig, String> {
                let mut cfg = LabConfig {
                    seed: parse_seed(&read_input(seed))?,
                    faults: FaultPreset::parse(&read_select(faults)).ok_or("choose a fault level")?,
                    mutant: Some(read_select(mutant)).filter(|m| !m.is_empty()),
                    ..base.clone()
                };
                match &mut cfg.setup {
                    #[cfg(feature = "kafka")]
                    Setup::Kafka(k) => {
                        let (rf, min_isr, acks, strategy, every, idle) = kafka;
                        k.brokers = parse_count("brokers", &read_input(a), 1, 9)?;
                        k.partitions = parse_count("partitions", &read_input(b), 1, 32)? as u32;
                        k.consumers = parse_count("consumers", &read_input(c), 0, 6)?;
                        k.rf = parse_count("replication factor", &read_input(rf), 1, k.brokers)
                            .map_err(|e| format!("{e}; it cannot exceed the brokers"))?
                            as u32;
                        k.min_insync =
                            parse_count("min.insync.replicas", &read_input(min_isr), 1, k.rf as usize)
                                .map_err(|e| format!("{e}; it cannot exceed the replication factor"))?
                                as u32;
                        k.acks = parse_acks(&read_select(acks)).unwrap_or(ACKS_ALL);
                        k.strategy = Strategy::parse(&read_select(strategy)).ok_or("choose an assignor")?;
                        k.produce_every_us =
                            parse_count("produce every (ms)", &read_input(every), 0, 10_000)? as u64 * 1000;
                        k.idle_consumers =
                            parse_count("consumers waiting outside", &read_input(idle), 0, k.consumers)
                                .map_err(|e| format!("{e}; they are counted among the consumers"))?;
                    }
                    #[cfg(feature = "multipaxos")]
                    Setup::MultiPaxos(m) => {
                        use distlab_core::multipaxos::{MAX_CLIENTS, MAX_SERVERS};
                        m.servers = parse_count("servers", &read_input(a), 1, MAX_SERVERS)?;
                        m.clients = parse_count("clients", &read_input(c), 0, MAX_CLIENTS)?;
                        m.backoff = checked(flag1, true);
                        workload(&mut m.workload, &mut m.think_ms)?;
                    }
                    #[cfg(feature = "raft")]
                    Setup::Raft(r) => {
                        r.servers = parse_count("servers", &read_input(a), 3, MAX_SERVERS)?;
                        r.spares =
                            parse_count("spare servers", &read_input(b), 0, MAX_SERVERS - r.servers)
                                .map_err(|e| format!("{e}; servers plus spares are at most {MAX_SERVERS}"))?;
                        r.clients = parse_count("clients", &read_input(c), 0, MAX_CLIENTS)?;
                        r.prevote = checked(flag1, false);
                        r.check_quorum = checked(flag2, false);
                        r.read_mode = ReadMode::parse(&read_select(read_mode)).unwrap_or(ReadMode::Log);
                        r.snapshot_every =
                            parse_count("snapshot every", &read_input(snap_every), 0, 10_000)? as u64;
                        workload(&mut r.workload, &mut r.think_ms)?;
                    }
                    #[cfg(feature = "paxos")]
                    Setup::Paxos(px) => {
                        px.proposers = parse_count("proposers", &read_input(a), 1, MAX_ROLE)?;
                        px.acceptors = parse_count("acceptors", &read_input(b), 1, MAX_ROLE)?;
                        px.learners = parse_count("learners", &read_input(c), 1, MAX_ROLE)?;
                        px.backoff = checked(flag1, true);
                    }
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
            let s = (js_sys::Math::random() * 1_000_000.0) as u64;
            Msg::Configure(LabConfig { seed: s, ..base.clone() })
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
    let count = |r: &NodeRef, id: &'static str, label: &'static str, v: usize, min: usize, max: usize| {
        html! { <label>{label}<input ref={r.clone()} id={id} type="number" min={min.to_string()} max={max.to_string()} value={v.to_string()} /></label> }
    };
    let workload_fields = |w: &Workload, think_ms: Option<u64>| {
        let think = think_ms.unwrap_or(100);
        html! {
            <>
                { count(&w_keys, "keys", "Client keys", w.keys as usize, 1, 16) }
                { count(&w_think, "think", "Think time (ms; 0: only yours)", think as usize, 0, 10_000) }
                { count(&w_reads, "reads", "Reads %", w.reads_pct as usize, 0, 100) }
                { count(&w_cas, "cas", "Compare-and-sets %", w.cas_pct as usize, 0, 100) }
            </>
        }
    };
    let scenario_select = html! {
        <>
            <label class="wide">{"Scenario"}
                <select ref={scenario.clone()} id="scenario">
                    <option value="" selected={cfg.scenario.is_none()}>{"free run: your settings below"}</option>
                    { for scenarios.iter().map(|(name, title)| html! {
                        <option value={*name} selected={cfg.scenario.as_deref() == Some(*name)}>{*title}</option>
                    }) }
                </select>
            </label>
            { if cfg.scenario.is_some() { html! {
                <p class="hint wide">{"These are the settings this scenario runs with (it sets its own timing and script, and may set its cluster). Choose the free run to set them all yourself; the seed, faults and mutant apply to either."}</p>
            } } else { html! {} } }
        </>
    };
    let fields = match &cfg.setup {
        #[cfg(feature = "kafka")]
        Setup::Kafka(k) => html! {
            <>
                { scenario_select }
                { count(&a, "brokers", "Brokers", k.brokers, 1, 9) }
                { count(&b, "partitions", "Partitions", k.partitions as usize, 1, 32) }
                { count(&rf, "rf", "Replication factor", k.rf as usize, 1, 9) }
                { count(&min_isr, "min-insync", "min.insync.replicas", k.min_insync as usize, 1, 9) }
                { count(&c, "consumers", "Consumers", k.consumers, 0, 6) }
                { count(&idle, "idle-consumers", "…of which wait outside (join later)", k.idle_consumers, 0, 6) }
                <label>{"Produce every (ms; 0: only yours)"}<input ref={every.clone()} id="produce-every" type="number" min="0" max="10000" value={(k.produce_every_us / 1000).to_string()} /></label>
                <label>{"acks"}
                    <select ref={acks.clone()} id="acks">
                        <option value="all" selected={k.acks == ACKS_ALL}>{"all"}</option>
                        <option value="1" selected={k.acks == 1}>{"1"}</option>
                        <option value="0" selected={k.acks == 0}>{"0"}</option>
                    </select>
                </label>
                <label>{"Assignor"}
                    <select ref={strategy.clone()} id="assignor">
                        { for Strategy::ALL.iter().map(|s| html! {
                            <option value={s.name()} selected={*s == k.strategy}>{s.name()}</option>
                        }) }
                    </select>
                </label>
                <p class="hint wide">{"unclean.leader.election is the unclean-election mutant below: with acks=1 it loses acknowledged records."}</p>
            </>
        },
        #[cfg(feature = "raft")]
        Setup::Raft(r) => html! {
            <>
                { scenario_select }
                { count(&a, "servers", "Servers", r.servers, 3, MAX_SERVERS) }
                { count(&b, "spares", "Spare servers (to add)", r.spares, 0, MAX_SERVERS - 3) }
                { count(&c, "clients", "Clients", r.clients, 0, MAX_CLIENTS) }
                { workload_fields(&r.workload, r.think_ms) }
                <label>{"Snapshot every (0: on request)"}<input ref={snap_every.clone()} id="snapshot-every" type="number" min="0" max="10000" value={r.snapshot_every.to_string()} /></label>
                <label class="wide">{"Reads"}
                    <select ref={read_mode.clone()} id="read-mode">
                        <option value="log" selected={r.read_mode == ReadMode::Log}>{"through the log"}</option>
                        <option value="readindex" selected={r.read_mode == ReadMode::ReadIndex}>{"ReadIndex (heartbeat round, no log write)"}</option>
                        <option value="lease" selected={r.read_mode == ReadMode::Lease}>{"lease (no round trip; needs CheckQuorum; trusts clocks)"}</option>
                        <option value="local" selected={r.read_mode == ReadMode::Local}>{"local (unsafe: a deposed leader answers stale)"}</option>
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
                { count(&a, "servers", "Servers", m.servers, 1, 9) }
                { count(&c, "clients", "Clients", m.clients, 0, 8) }
                { workload_fields(&m.workload, m.think_ms) }
                <label class="check wide"><input ref={flag1.clone()} id="backoff" type="checkbox" checked={m.backoff} />{"Randomized back-off (off: dueling proposers livelock)"}</label>
            </>
        },
        #[cfg(feature = "paxos")]
        Setup::Paxos(px) => html! {
            <>
                { scenario_select }
                { count(&a, "proposers", "Proposers", px.proposers, 1, MAX_ROLE) }
                { count(&b, "acceptors", "Acceptors", px.acceptors, 1, MAX_ROLE) }
                { count(&c, "learners", "Learners", px.learners, 1, MAX_ROLE) }
                <label class="check wide"><input ref={flag1.clone()} id="backoff" type="checkbox" checked={px.backoff} />{"Randomized back-off (off: dueling proposers keep preempting each other)"}</label>
            </>
        },
    };
    html! {
        <form class="settings" onsubmit={apply} key={key} aria-label="Run settings" novalidate=true>
            <h2>{"Run"}</h2>
            <div class="grid">
                <label>{"Seed"}<input ref={seed} id="seed" inputmode="numeric" value={cfg.seed.to_string()} /></label>
                <button type="button" id="btn-new-seed" onclick={new_seed} title="Draw a new random seed">{"New seed"}</button>
                { fields }
                <label>{"Faults"}
                    <select ref={faults} id="faults">
                        { for FaultPreset::ALL.iter().map(|f| html! { <option value={f.name()} selected={*f == cfg.faults}>{f.name()}</option> }) }
                    </select>
                </label>
                <label class="wide">{"Mutant (a deliberately broken variant)"}
                    <select ref={mutant} id="mutant">
                        <option value="" selected={cfg.mutant.is_none()}>{"none: the correct protocol"}</option>
                        { for mutants.iter().map(|(name, desc)| html! {
                            <option value={*name} selected={cfg.mutant.as_deref() == Some(*name)}>{format!("{name}: {desc}")}</option>
                        }) }
                    </select>
                </label>
            </div>
            <button type="submit" id="btn-apply" class="primary">{"Apply and restart"}</button>
        </form>
    }
}
