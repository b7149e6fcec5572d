//! The protocols the lab knows, registered in one place.
//!
//! A protocol is its module (the sans-IO `Protocol` impl, its checker, presets and mutants,
//! the `Present` impl of its view) and one [`Registered`] impl (the trait is in `setup.rs`, below this file), in the module's
//! own `setup.rs`, which says what a
//! user configures for a run and how that configuration is read and written (the form's and
//! the scenario document's fields, the CLI's flags). The [`protocols!`] invocation at the end
//! of this file lists them: it makes [`Setup`], the typed choice of a protocol with its
//! configuration, and everything the front ends ask of "any protocol" (names, titles,
//! presets, mutants, building a simulator) as exhaustive matches over it, so adding a protocol
//! is one line here and the compiler names every place that must learn about it.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::scenario::doc::ScenarioDoc;
pub use crate::setup::{mutant_of, Drawing, Page, Registered};

/// Something to do with the configuration of whichever protocol a [`Setup`] holds: a generic
/// function called with the concrete type.
pub trait SetupVisitor {
    type Output;
    fn visit<P: Registered>(self, cfg: &P::Config) -> Self::Output;
}

/// Something to do with a protocol known only by name. `wrap` puts a configuration of it in
/// a [`Setup`].
pub trait KindVisitor {
    type Output;
    fn visit<P: Registered>(self, wrap: fn(P::Config) -> Setup) -> Self::Output;
}

macro_rules! protocols {
    ($($feature:literal $variant:ident => $ty:ty),+ $(,)?) => {
        /// A protocol and its configuration, as the user chose them.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Setup {
            $(#[cfg(feature = $feature)] $variant(<$ty as Registered>::Config),)+
        }

        /// The protocols' names, in the order of the page's tabs.
        pub const PROTOCOLS: &[&str] = &[$(#[cfg(feature = $feature)] <$ty as Registered>::NAME,)+];

        /// The protocols whose clients keep a key-value history.
        pub const WITH_HISTORY: &[&str] = &{
            const ALL: &[(&str, bool)] =
                &[$(#[cfg(feature = $feature)] (<$ty as Registered>::NAME, <$ty as Registered>::CLIENT_HISTORY),)+];
            const N: usize = {
                let (mut i, mut n) = (0, 0);
                while i < ALL.len() {
                    n += ALL[i].1 as usize;
                    i += 1;
                }
                n
            };
            let mut out = [""; N];
            let (mut i, mut n) = (0, 0);
            while i < ALL.len() {
                if ALL[i].1 {
                    out[n] = ALL[i].0;
                    n += 1;
                }
                i += 1;
            }
            out
        };

        /// The protocols' names and titles, in the order of the page's tabs.
        pub const TITLES: &[(&str, &str)] =
            &[$(#[cfg(feature = $feature)] (<$ty as Registered>::NAME, <$ty as Registered>::TITLE),)+];

        impl Setup {
            /// The protocol's stable name.
            pub fn name(&self) -> &'static str {
                match self {
                    $(#[cfg(feature = $feature)] Setup::$variant(_) => <$ty as Registered>::NAME,)+
                }
            }

            /// The protocol's default configuration, by name.
            pub fn default_for(name: &str) -> Result<Setup, String> {
                $(#[cfg(feature = $feature)] if name == <$ty as Registered>::NAME {
                    return Ok(Setup::$variant(Default::default()));
                })+
                Err(unknown_protocol(name))
            }

            /// Call `visitor` with this configuration's concrete protocol type.
            pub fn visit<V: SetupVisitor>(&self, visitor: V) -> V::Output {
                match self {
                    $(#[cfg(feature = $feature)] Setup::$variant(cfg) => visitor.visit::<$ty>(cfg),)+
                }
            }

            /// Apply one CLI cluster flag (see [`Registered::flag`]).
            pub fn flag(&mut self, name: &str, value: &str) -> Result<bool, String> {
                match self {
                    $(#[cfg(feature = $feature)] Setup::$variant(cfg) => <$ty as Registered>::flag(cfg, name, value),)+
                }
            }

            /// These settings as a run with `preset` has them (see [`Registered::settings`]),
            /// or why that preset does not build.
            pub fn with_preset(&self, preset: &str) -> Result<Setup, String> {
                match self {
                    $(#[cfg(feature = $feature)] Setup::$variant(cfg) => <$ty as Registered>::make(cfg, None, Some(preset))
                        .map(|made| Setup::$variant(<$ty as Registered>::settings(&made))),)+
                }
            }

            /// Read a scenario document's protocol and its configuration.
            pub fn import(doc: &ScenarioDoc) -> Result<Setup, String> {
                $(#[cfg(feature = $feature)] if doc.protocol == <$ty as Registered>::NAME {
                    return Ok(Setup::$variant(<$ty as Registered>::import(doc)?));
                })+
                Err(unknown_protocol(&doc.protocol))
            }
        }

        impl Default for Setup {
            /// The first protocol built in (Paxos, in the whole lab).
            #[allow(unreachable_code)]
            fn default() -> Self {
                $(#[cfg(feature = $feature)] {
                    return Setup::$variant(Default::default());
                })+
            }
        }

        /// Call `visitor` with the protocol type a name stands for.
        pub fn by_name<V: KindVisitor>(name: &str, visitor: V) -> Result<V::Output, String> {
            $(#[cfg(feature = $feature)] if name == <$ty as Registered>::NAME {
                return Ok(visitor.visit::<$ty>(Setup::$variant));
            })+
            Err(unknown_protocol(name))
        }
    };
}

#[cfg(not(any(
    feature = "paxos",
    feature = "multipaxos",
    feature = "raft",
    feature = "kafka",
    feature = "swim",
    feature = "coordination",
    feature = "shardkv",
    feature = "dfs"
)))]
compile_error!(
    "distlab-core needs at least one protocol feature: paxos, multipaxos, raft, kafka, swim, coordination, shardkv or dfs"
);

/// The message for a name that is not a protocol.
pub fn unknown_protocol(name: &str) -> String {
    format!("unknown protocol \"{name}\"; known: {}", PROTOCOLS.join(", "))
}

impl Setup {
    /// The protocol's title ("Multi-Paxos").
    pub fn title(&self) -> &'static str {
        struct Title;
        impl SetupVisitor for Title {
            type Output = &'static str;
            fn visit<P: Registered>(self, _: &P::Config) -> &'static str {
                P::TITLE
            }
        }
        self.visit(Title)
    }

    /// How the page presents the protocol.
    pub fn page(&self) -> Page {
        struct Look;
        impl SetupVisitor for Look {
            type Output = Page;
            fn visit<P: Registered>(self, _: &P::Config) -> Page {
                P::page()
            }
        }
        self.visit(Look)
    }

    /// Write the configuration's own fields into a scenario document.
    pub fn export(&self, doc: &mut ScenarioDoc) {
        struct Export<'a>(&'a mut ScenarioDoc);
        impl SetupVisitor for Export<'_> {
            type Output = ();
            fn visit<P: Registered>(self, cfg: &P::Config) {
                P::export(cfg, self.0)
            }
        }
        self.visit(Export(doc))
    }
}

/// Mutants of a protocol: (name, description).
pub fn mutants(name: &str) -> Result<Vec<(&'static str, &'static str)>, String> {
    struct Mutants;
    impl KindVisitor for Mutants {
        type Output = Vec<(&'static str, &'static str)>;
        fn visit<P: Registered>(self, _: fn(P::Config) -> Setup) -> Self::Output {
            P::mutants().iter().map(|m| (m.name, m.description)).collect()
        }
    }
    by_name(name, Mutants)
}

/// Presets of a protocol: (name, title); none for an unknown name.
pub fn presets(name: &str) -> Vec<(&'static str, &'static str)> {
    struct Presets;
    impl KindVisitor for Presets {
        type Output = Vec<(&'static str, &'static str)>;
        fn visit<P: Registered>(self, _: fn(P::Config) -> Setup) -> Self::Output {
            P::presets()
        }
    }
    by_name(name, Presets).unwrap_or_default()
}

// Each protocol is a Cargo feature of this crate (all on by default), so a page's bundle holds
// only its own protocol: a name not built in is an unknown protocol there.
protocols! {
    "paxos" Paxos => crate::paxos::Paxos,
    "multipaxos" MultiPaxos => crate::multipaxos::MultiPaxos,
    "raft" Raft => crate::raft::Raft,
    "kafka" Kafka => crate::kafka::cluster::Kafka,
    "swim" Swim => crate::swim::Swim,
    "coordination" Coordination => crate::coord::Coordination,
    "shardkv" ShardKv => crate::shardkv::ShardKv,
    "dfs" Dfs => crate::dfs::Dfs,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::LabConfig;

    /// Every registered protocol builds its default run, names itself consistently, and its
    /// settings survive a scenario document.
    #[test]
    fn every_registered_protocol_builds_and_round_trips_its_settings() {
        assert_eq!(PROTOCOLS.len(), TITLES.len());
        for name in PROTOCOLS {
            let setup = Setup::default_for(name).unwrap();
            assert_eq!(setup.name(), *name);
            let cfg = LabConfig::opening(name).unwrap();
            let lab = crate::lab::build(&cfg).unwrap();
            assert_eq!(lab.protocol(), *name, "Registered::NAME and Protocol::name agree");
            let doc = crate::scenario::export(&cfg, &[]);
            let (back, _) = crate::scenario::import(&doc).unwrap();
            assert_eq!(back, cfg, "{name}");
            assert!(!mutants(name).unwrap().is_empty(), "{name} offers mutants");
            assert!(!setup.page().legend.is_empty(), "{name} explains its messages");
        }
        assert!(Setup::default_for("zab").unwrap_err().contains("known: paxos, multipaxos, raft, kafka"));
    }

    /// The Run form shows what runs: for every preset of every protocol, the settings shown
    /// (`LabConfig::as_run`) run the preset exactly as the free run's settings do, and a free
    /// run of them has the preset's cluster.
    #[test]
    fn the_settings_shown_for_a_preset_are_the_ones_it_runs() {
        use crate::lab::{build, LabConfig};
        let names = |cfg: &LabConfig| -> Vec<String> {
            build(cfg).unwrap().snapshot().nodes.into_iter().map(|n| n.name).collect()
        };
        for name in PROTOCOLS {
            let mut changed = 0;
            for (preset, _) in presets(name) {
                let cfg = LabConfig {
                    scenario: Some(preset.into()),
                    ..LabConfig::new(Setup::default_for(name).unwrap())
                };
                let shown = cfg.as_run();
                let (mut a, mut b) = (build(&cfg).unwrap(), build(&shown).unwrap());
                for _ in 0..200 {
                    a.step();
                    b.step();
                }
                assert_eq!(
                    a.trace_hash(),
                    b.trace_hash(),
                    "{name} {preset}: the shown settings run the preset"
                );
                let free = LabConfig { scenario: None, ..shown.clone() };
                assert_eq!(names(&free), names(&cfg), "{name} {preset}: a free run of them has its cluster");
                assert_eq!(shown.as_run(), shown, "{name} {preset}");
                changed += (shown.setup != cfg.setup) as usize;
            }
            assert!(changed > 0 || presets(name).is_empty(), "{name}: no preset changes a setting");
        }
        let dueling = LabConfig { scenario: Some("dueling".into()), ..LabConfig::default() };
        let paxos = crate::paxos::setup::Config { proposers: 3, acceptors: 5, learners: 3, backoff: false };
        assert_eq!(dueling.as_run().setup, Setup::Paxos(paxos));
        // Without a preset, or with one that does not exist, the settings are the user's.
        assert_eq!(LabConfig::default().as_run(), LabConfig::default());
        let unknown = LabConfig { scenario: Some("nope".into()), ..LabConfig::default() };
        assert_eq!(unknown.as_run(), unknown);
    }

    #[test]
    fn flags_apply_only_to_the_protocol_that_has_them() {
        let mut raft = Setup::default_for("raft").unwrap();
        assert_eq!(raft.flag("read-mode", "lease"), Ok(true));
        assert_eq!(raft.flag("brokers", "3"), Ok(false));
        assert!(raft.flag("read-mode", "fast").unwrap_err().contains("log, readindex, lease or local"));
        let Setup::Raft(r) = &raft else { unreachable!() };
        assert_eq!(r.read_mode, crate::raft::ReadMode::Lease);
        let mut paxos = Setup::default_for("paxos").unwrap();
        assert_eq!(paxos.flag("servers", "7"), Ok(true));
        assert_eq!(
            paxos,
            Setup::Paxos(crate::paxos::setup::Config {
                proposers: 7,
                acceptors: 7,
                learners: 7,
                backoff: true
            })
        );
        let mut kafka = Setup::default_for("kafka").unwrap();
        assert_eq!(kafka.flag("acks", "-1"), Ok(true));
        assert!(kafka
            .flag("rf", "99999999999999999999")
            .unwrap_err()
            .contains("--rf must be a whole number"));
        assert_eq!(WITH_HISTORY, &["multipaxos", "raft", "coordination", "shardkv", "dfs"]);
        // A 32-bit setting past its type is refused as given, not clamped to a number the user
        // never typed; a recipe that does not exist names the ones that do.
        let mut coordination = Setup::default_for("coordination").unwrap();
        let err = coordination.flag("session-timeout-ms", "99999999999").unwrap_err();
        assert!(err.contains("from 0 to 4294967295 (got \"99999999999\")"), "{err}");
        let err = coordination.flag("recipe", "nope").unwrap_err();
        assert!(err.starts_with("--recipe must be one of lock, election, discovery, config, idle"), "{err}");
        assert_eq!(coordination.flag("recipe", "config"), Ok(true));
    }
}
