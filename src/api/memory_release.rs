//! Gives back to the operating system the memory a large one-time build
//! freed, at the end of its transaction.
//!
//! A backend's first `endpoints()` (and, on a large catalog, its first
//! logout call) reads thousands of routines: SPI's result, the parsed
//! comments and the set-returning function's rows are all freed by the
//! end of the statement, but the C library keeps freed heap pages mapped,
//! so the backend would go on holding them as if in use. After such a
//! build this asks glibc (`malloc_trim`) to return the free pages, once,
//! when the transaction ends and the statement's memory is already freed.
//! Elsewhere it does nothing.

use std::cell::Cell;

use pgrx::pg_sys;

thread_local! {
    static WANTED: Cell<bool> = const { Cell::new(false) };
}

/// Registers the end-of-transaction callback; called once from `_PG_init`.
pub fn register() {
    // SAFETY: the callback only reads a flag and calls malloc_trim;
    // Postgres keeps the pointer for the life of the backend.
    unsafe { pg_sys::RegisterXactCallback(Some(at_transaction_end), std::ptr::null_mut()) };
}

/// Asks for the freed memory to be returned when this transaction ends.
pub fn after_this_transaction() {
    WANTED.with(|w| w.set(true));
}

#[pgrx::pg_guard]
unsafe extern "C-unwind" fn at_transaction_end(
    event: pg_sys::XactEvent::Type,
    _arg: *mut std::ffi::c_void,
) {
    let ends = matches!(
        event,
        pg_sys::XactEvent::XACT_EVENT_COMMIT
            | pg_sys::XactEvent::XACT_EVENT_ABORT
            | pg_sys::XactEvent::XACT_EVENT_PREPARE
    );
    if ends && WANTED.with(|w| w.replace(false)) {
        trim();
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    extern "C" {
        fn malloc_trim(pad: usize) -> std::ffi::c_int;
    }
    // SAFETY: glibc's malloc_trim only releases free memory.
    unsafe { malloc_trim(0) };
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}
