//! One request to a logout endpoint, in the order it is handled: route it,
//! authorize the caller, bind the client's arguments, convert them to
//! parameter input text.

pub mod authorization;
pub mod binding;
pub mod pg_input;
pub mod routing;
