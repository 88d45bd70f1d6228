//! The pure-Rust core: no Postgres types, so plain `cargo test` covers it.
//!
//! * `grammar`: the comment annotation language — keywords, lines, values.
//! * `endpoint`: what a routine or a `.sql` file becomes as an endpoint.
//! * `request`: one logout request — routing, authorization, binding.
//! * `schemes`: a logout result turned into the schemes to sign out of.
//! * `json`: the borrowed JSON tree and its jsonb encoding.
//! * `naming`: the path and camelCase name rules the others share.

pub mod endpoint;
pub mod grammar;
pub mod json;
pub mod lint;
pub mod naming;
pub mod request;
pub mod schemes;
