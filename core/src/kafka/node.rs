//! A node of the simulated cluster: a broker, the controller, a producer or a consumer.

use super::broker::Broker;
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
