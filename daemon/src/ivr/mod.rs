//! The IVR: declarative call flows ([`flow`]) and, beside them, the runtime.

pub mod flow;
