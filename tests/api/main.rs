//! Integration tests: the real application on port 0 with its own database (SQLite by
//! default; PostgreSQL when SWITCHYARD_TEST_DATABASE_URL is set), driven over HTTP.

#![allow(clippy::unwrap_used)]

mod access;
mod actions;
mod brownouts;
mod calendar;
mod capabilities;
mod casework;
mod changes;
mod connections;
mod console;
mod credentials;
mod cutover;
mod delegate;
mod durability;
mod edge;
mod english;
mod events;
mod every_language;
mod export;
mod extensions;
mod gateway;
mod guides;
mod helpers;
mod import;
mod import_safety;
mod integration;
mod jobs;
mod languages;
mod legacy;
mod locale;
mod orders;
mod partner;
mod partner_daily;
mod partner_support;
mod purchase;
mod readiness;
mod rehearsals;
mod retention;
mod sandbox;
mod security;
mod sign_in;
mod smtp;
mod sunset;
mod sunset_dates;
mod support;
mod terms;
mod traffic;
mod upgrade;
mod users;
mod webhooks;
