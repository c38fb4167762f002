//! Outbound adapters to the platform: its order-management API (and the poller that
//! asks it for orders lives with the jobs). What the platform sends in is HTTP and
//! lives under `web::platform`.

pub mod client;
pub mod sandbox_shop;
