//! The annotation grammar: how a comment's lines become a document.

pub mod annotations;
pub mod basic_auth;
pub mod document;
pub mod interval;
pub mod keywords;
pub mod param_forms;
pub mod placeholders;
pub mod proxy;
pub mod regex_unescape;
pub mod routine_params;
pub mod sse;

#[cfg(test)]
mod annotation_cases;
#[cfg(test)]
mod properties;
