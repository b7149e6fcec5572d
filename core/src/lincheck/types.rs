//! The words of a register history: values, operations and how they ended.

use alloc::string::String;

/// A register value: unset, an integer or a string.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    Null,
    Int(i64),
    Str(String),
}

/// What an operation does.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// A read that returned this value (`None` when unknown: an `info` read).
    Read(Option<Value>),
    Write(Value),
    /// Compare-and-set: expected, new.
    Cas(Value, Value),
}

/// How an operation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    Ok,
    Fail,
    Info,
}

/// One operation of the history: who, what, and when (positions in the history).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Operation {
    pub process: i64,
    pub key: Option<String>,
    pub op: Op,
    pub outcome: Outcome,
    /// Position of the invocation and of the completion (`None`: never completed / info).
    pub invoke: usize,
    pub complete: Option<usize>,
}
