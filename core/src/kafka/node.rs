//! A node of the simulated cluster: a broker, the controller, a producer or a consumer.

use super::broker::{Broker, BrokerDurable};
use super::controller::Controller;
use super::group::Consumer;
use super::producer::Producer;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[allow(clippy::large_enum_variant)]
pub enum Node {
    Broker(Broker),
    Controller(Controller),
    Producer(Producer),
    Consumer(Consumer),
}

/// What a node keeps across a crash, and all its restart sees.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Durable {
    /// A broker's incarnation and its replicas' logs, high watermarks and epochs.
    Broker(BrokerDurable),
    /// The controller keeps all it knew across a crash (this model's controller never loses its
    /// state: Kafka's is a replicated quorum); the fault injector never crashes it, the user and
    /// the swarm may.
    Controller(Controller),
    /// A producer keeps nothing of Kafka's: it starts afresh, with a new producer id. The
    /// count of its lives is the lab's, so that records of different lives differ in value.
    Producer { life: u32 },
    /// A consumer keeps nothing of Kafka's: it starts afresh, and the group counts it as a new
    /// member (Kafka's coordinator gives a new process a new `member.id`). The last member id of
    /// its previous life is the lab's, so that the next life's differs from every one before.
    Consumer { member: u32 },
}
