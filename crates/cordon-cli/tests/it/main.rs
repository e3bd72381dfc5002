//! End-to-end tests of the `cordon` binary: import, status, diff, export, entity show, and
//! `lists update` against a loopback HTTP server.

mod alerts;
mod chain;
mod link;
mod lists;
mod screen;
mod serve;
mod update;
mod util;
