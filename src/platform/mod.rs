//! The platform at Switchyard's edge: order events in (intake), and the built-in
//! sandbox platform that speaks the same contract for local use and tests.

pub mod events;
pub mod gateway;
pub mod health;
pub mod intake;
pub mod sandbox;
