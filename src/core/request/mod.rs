//! One request to a logout endpoint, in the order it is handled (SPEC
//! §11.6): route it, read the caller, authorize them, bind the client's
//! arguments, fill the server's parameters, resolve, validate.

pub mod authorization;
pub mod binding;
pub mod claims;
pub mod mapping;
pub mod options;
pub mod pg_input;
pub mod routing;
pub mod server_filled;
pub mod validation;
