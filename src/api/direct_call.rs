//! Calling a plain logout function straight through fmgr, without SPI's
//! executor start-up, which costs more than the rest of a `handle_logout`
//! call. Only for functions that need nothing the executor adds: not
//! set-returning, not a procedure, no pseudo-type argument or result, every
//! parameter given (defaults are expressions only the executor evaluates),
//! and not written in SQL: a SQL function is re-planned by every direct
//! call in a new transaction, while a kept SPI plan inlines it. Everything
//! else goes through SPI.

use pgrx::pg_sys;

use super::catalog::CatalogRoutine;
use super::pg_compat;

/// One argument: its datum (None for NULL).
pub type Arg = Option<pg_sys::Datum>;

/// Can `routine` be called directly with `given` of its parameters bound?
pub fn eligible(routine: &CatalogRoutine, given: usize) -> bool {
    let info = &routine.info;
    if routine.is_sql || info.is_procedure || info.returns_set || given != info.parameters.len() {
        return false;
    }
    let result_ok = routine.return_type == pg_sys::VOIDOID || !is_pseudo(routine.return_type);
    result_ok && !routine.input_types.iter().any(|t| is_pseudo(*t))
}

fn is_pseudo(type_oid: pg_sys::Oid) -> bool {
    // SAFETY: a syscache lookup; unknown types raise an ERROR.
    unsafe { pg_sys::get_typtype(type_oid) as u8 == b'p' }
}

/// Calls the function as the current user, after the USAGE and EXECUTE
/// checks the parser and executor would make; returns its result datum, or
/// None for NULL. The call's collation is the first collatable argument
/// type's, as the parser would give it.
pub fn call(oid: pg_sys::Oid, input_types: &[pg_sys::Oid], args: &[Arg]) -> Option<pg_sys::Datum> {
    check_privileges(oid);
    // SAFETY: the FmgrInfo and call info are palloc'd in the current
    // memory context, sized for `args`, and filled before the call.
    unsafe {
        let flinfo =
            pg_sys::palloc0(std::mem::size_of::<pg_sys::FmgrInfo>()).cast::<pg_sys::FmgrInfo>();
        pg_sys::fmgr_info(oid, flinfo);
        if (*flinfo).fn_strict && args.iter().any(Option::is_none) {
            return None;
        }
        let size = std::mem::size_of::<pg_sys::FunctionCallInfoBaseData>()
            + args.len() * std::mem::size_of::<pg_sys::NullableDatum>();
        let fcinfo = pg_sys::palloc0(size).cast::<pg_sys::FunctionCallInfoBaseData>();
        (*fcinfo).flinfo = flinfo;
        (*fcinfo).nargs = args.len() as i16;
        (*fcinfo).fncollation = input_types
            .iter()
            .map(|t| pg_sys::get_typcollation(*t))
            .find(|c| *c != pg_sys::InvalidOid)
            .unwrap_or(pg_sys::InvalidOid);
        let slots = (*fcinfo).args.as_mut_slice(args.len());
        for (slot, arg) in slots.iter_mut().zip(args) {
            slot.value = arg.unwrap_or(pg_sys::Datum::from(0));
            slot.isnull = arg.is_none();
        }
        let function = (*flinfo).fn_addr?;
        // An ERROR in the function becomes a Rust panic here, so every
        // frame above unwinds and frees what it holds; nothing in the
        // closure has a destructor.
        let result = pg_sys::ffi::pg_guard_ffi_boundary(|| function(fcinfo));
        (!(*fcinfo).isnull).then_some(result)
    }
}

/// Raises 42501 unless the current user may use the function's schema and
/// execute the function.
fn check_privileges(oid: pg_sys::Oid) {
    // SAFETY: catalog lookups for an existing routine and its schema.
    let schema = unsafe { pg_sys::get_func_namespace(oid) };
    check(Object::Schema(schema), pg_sys::ACL_USAGE);
    check(Object::Function(oid), pg_sys::ACL_EXECUTE);
}

/// What a privilege is checked on.
#[derive(Clone, Copy)]
enum Object {
    Schema(pg_sys::Oid),
    Function(pg_sys::Oid),
}

/// Raises the executor's 42501 error unless the current user has `mode`
/// on `object`.
fn check(object: Object, mode: u32) {
    let mode = mode as pg_sys::AclMode;
    // SAFETY: catalog lookups; aclcheck_error raises the error itself.
    unsafe {
        let user = pg_sys::GetUserId();
        let (oid, kind) = match object {
            Object::Schema(oid) => (oid, pg_sys::ObjectType::OBJECT_SCHEMA),
            Object::Function(oid) => (oid, pg_sys::ObjectType::OBJECT_FUNCTION),
        };
        let acl_object = match object {
            Object::Schema(_) => pg_compat::AclObject::Schema,
            Object::Function(_) => pg_compat::AclObject::Function,
        };
        let result = pg_compat::aclcheck(acl_object, oid, user, mode);
        if result != pg_sys::AclResult::ACLCHECK_OK {
            let name = match object {
                Object::Schema(_) => pg_sys::get_namespace_name(oid),
                Object::Function(_) => pg_sys::get_func_name(oid),
            };
            pg_sys::aclcheck_error(result, kind, name);
        }
    }
}
