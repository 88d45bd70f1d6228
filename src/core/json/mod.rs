//! JSON written by the extension: a tree that borrows its strings, and its
//! encoding as jsonb's binary form.

pub mod jsonb_encode;
pub mod tree;
