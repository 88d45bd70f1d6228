//! The pure-Rust core: no Postgres types, so plain `cargo test` covers it.

pub mod annotations;
pub mod authorization;
pub mod basic_auth;
pub mod binding;
pub mod document;
pub mod endpoint;
pub mod first_seen;
pub mod interval;
pub mod json_names;
pub mod json_tree;
pub mod jsonb_encode;
pub mod keywords;
pub mod naming;
pub mod param_forms;
pub mod pg_input;
pub mod placeholders;
pub mod proxy;
pub mod regex_unescape;
pub mod routine_params;
pub mod routing;
pub mod schemes;
pub mod sql_file;
pub mod sse;

#[cfg(test)]
mod annotation_cases;
#[cfg(test)]
mod properties;
