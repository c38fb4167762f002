//! Integration tests: the real application on port 0 with its own database (SQLite by
#![allow(clippy::unwrap_used)]
//! default; PostgreSQL when SWITCHYARD_TEST_DATABASE_URL is set), driven over HTTP.

mod helpers;
mod import;
mod sandbox;
mod sign_in;
mod upgrade;
