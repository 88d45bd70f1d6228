//! What differs between PostgreSQL majors, in one place. The rest of the
//! code calls these functions and carries no `cfg` for a major.
//!
//! - 14 let the plan cache count a plan in any resource owner (13 takes a
//!   flag for the current one) and renamed `EVTTRIGGEROID`.
//! - 16 replaced the per-catalog `pg_*_aclcheck` functions with
//!   `object_aclcheck(class, oid, ...)`.
//! - 18 moved a tuple descriptor's attributes behind `TupleDescAttr()`
//!   (its `attrs` array is gone; compact attributes come first).

use pgrx::pg_sys;

/// The kinds of object whose privileges the direct call checks.
#[derive(Clone, Copy)]
pub enum AclObject {
    Schema,
    Function,
}

/// `mode` privileges of `user` on the schema or function `oid`, as the
/// server's aclcheck reports them (`ACLCHECK_OK` when held).
///
/// # Safety
/// Runs catalog lookups: call inside a transaction.
pub unsafe fn aclcheck(
    object: AclObject,
    oid: pg_sys::Oid,
    user: pg_sys::Oid,
    mode: pg_sys::AclMode,
) -> pg_sys::AclResult::Type {
    // SAFETY: plain catalog lookups, as the caller promises a transaction.
    unsafe {
        #[cfg(any(feature = "pg13", feature = "pg14", feature = "pg15"))]
        {
            match object {
                AclObject::Schema => pg_sys::pg_namespace_aclcheck(oid, user, mode),
                AclObject::Function => pg_sys::pg_proc_aclcheck(oid, user, mode),
            }
        }
        #[cfg(not(any(feature = "pg13", feature = "pg14", feature = "pg15")))]
        {
            let class = match object {
                AclObject::Schema => pg_sys::NamespaceRelationId,
                AclObject::Function => pg_sys::ProcedureRelationId,
            };
            pg_sys::object_aclcheck(class, oid, user, mode)
        }
    }
}

/// The attribute at 0-based position `i` of a tuple descriptor.
///
/// # Safety
/// `desc` is a valid descriptor and `i < desc.natts`; the result lives as
/// long as the descriptor.
pub unsafe fn tuple_desc_attr<'a>(
    desc: pg_sys::TupleDesc,
    i: usize,
) -> &'a pg_sys::FormData_pg_attribute {
    // SAFETY: the caller promises a valid descriptor and index.
    unsafe {
        #[cfg(not(feature = "pg18"))]
        {
            &*(*desc).attrs.as_ptr().add(i)
        }
        #[cfg(feature = "pg18")]
        {
            &*pg_sys::TupleDescAttr(desc, i as std::ffi::c_int)
        }
    }
}

/// The `event_trigger` pseudo-type (named `EVTTRIGGEROID` before 14).
#[cfg(feature = "pg13")]
pub const EVENT_TRIGGER_TYPE: pg_sys::Oid = pg_sys::EVTTRIGGEROID;
/// The `event_trigger` pseudo-type (named `EVTTRIGGEROID` before 14).
#[cfg(not(feature = "pg13"))]
pub const EVENT_TRIGGER_TYPE: pg_sys::Oid = pg_sys::EVENT_TRIGGEROID;

/// `GetCachedPlan` with no parameters, counted in `owner`. Before 14 the
/// plan cache could only count in the current resource owner: there
/// `owner` must be `CurrentResourceOwner` (or null for an uncounted plan).
///
/// # Safety
/// `source` is a valid plan source; as for `GetCachedPlan`.
pub unsafe fn get_cached_plan(
    source: *mut pg_sys::CachedPlanSource,
    owner: pg_sys::ResourceOwner,
) -> *mut pg_sys::CachedPlan {
    // SAFETY: as the caller promises.
    unsafe {
        #[cfg(feature = "pg13")]
        {
            pg_sys::GetCachedPlan(
                source,
                std::ptr::null_mut(),
                !owner.is_null(),
                std::ptr::null_mut(),
            )
        }
        #[cfg(not(feature = "pg13"))]
        {
            pg_sys::GetCachedPlan(source, std::ptr::null_mut(), owner, std::ptr::null_mut())
        }
    }
}

/// `ReleaseCachedPlan` of a reference `owner` holds on `plan` (from
/// [`get_cached_plan`] or `CachedPlanAllowsSimpleValidityCheck`).
///
/// # Safety
/// `owner` holds a reference on `plan`.
pub unsafe fn release_cached_plan(plan: *mut pg_sys::CachedPlan, owner: pg_sys::ResourceOwner) {
    // SAFETY: as the caller promises.
    unsafe {
        #[cfg(feature = "pg13")]
        {
            // 13 releases from the current resource owner.
            let current = pg_sys::CurrentResourceOwner;
            if !owner.is_null() {
                pg_sys::CurrentResourceOwner = owner;
            }
            pg_sys::ReleaseCachedPlan(plan, !owner.is_null());
            pg_sys::CurrentResourceOwner = current;
        }
        #[cfg(not(feature = "pg13"))]
        {
            pg_sys::ReleaseCachedPlan(plan, owner)
        }
    }
}

/// Asks for `size` bytes of shared memory beside the extension's own
/// structures; called from `_PG_init` while the library is preloaded.
/// Before 15 a library asks right there; since 15 it must ask from
/// `shmem_request_hook`, which this chains.
///
/// # Safety
/// Called once, from `_PG_init` in the postmaster, while
/// `process_shared_preload_libraries_in_progress`.
pub unsafe fn request_shared_memory(size: usize) {
    #[cfg(any(feature = "pg13", feature = "pg14"))]
    // SAFETY: the postmaster is loading preloaded libraries.
    unsafe {
        pg_sys::RequestAddinShmemSpace(size);
    }
    #[cfg(not(any(feature = "pg13", feature = "pg14")))]
    {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static SIZE: AtomicUsize = AtomicUsize::new(0);
        static mut PREVIOUS: pg_sys::shmem_request_hook_type = None;

        #[pgrx::pg_guard]
        unsafe extern "C-unwind" fn on_request() {
            // SAFETY: the hook chain as the postmaster set it, called
            // once while it sizes shared memory.
            unsafe {
                if let Some(previous) = PREVIOUS {
                    pgrx::pg_sys::submodules::ffi::pg_guard_ffi_boundary(|| previous());
                }
                pg_sys::RequestAddinShmemSpace(SIZE.load(Ordering::Relaxed));
            }
        }

        SIZE.store(size, Ordering::Relaxed);
        // SAFETY: the postmaster is single-threaded while it preloads.
        unsafe {
            PREVIOUS = pg_sys::shmem_request_hook;
            pg_sys::shmem_request_hook = Some(on_request);
        }
    }
}
