//! A prepared routine call kept for the backend's life.
//!
//! A logout routine is usually a SQL function whose body the planner
//! inlines, so its plan is a single expression over the parameters. Such a
//! plan is evaluated directly, as PL/pgSQL evaluates its simple
//! expressions: no executor is started, and the expression runs in the
//! caller's snapshot,
//! as it would inlined into the caller's own query (a function it calls
//! that is not inlined takes its own snapshots, as always). Any other plan
//! (a procedure's CALL, a set-returning or statement-bodied function) runs
//! through SPI as a volatile statement.
//!
//! The plan cache checks a simple expression's plan with its cheap test
//! (`CachedPlanIsSimplyValid`: still the current generic plan, nothing it
//! depends on changed, the same search path; it touches no table, so no
//! lock is due), the plan being held across calls and transactions; any
//! other plan is fully revalidated on every call. A constant (a routine
//! that returns a fixed list of schemes) is read from the plan itself.
//!
//! The expression's state is built once per transaction (as PL/pgSQL does
//! for its simple expressions) in the transaction's memory, for the plan
//! it was built from; a new transaction, a new plan, or an error while the
//! state was in use (which may leave it half-updated) builds it anew. A
//! state of a held plan whose expression is made only of nodes and
//! built-in functions that keep nothing tied to a transaction (see
//! [`lasting_expression`]), such as `current_setting('request.user_id')
//! || ':Cookies'`, lasts instead: it is built in the plan's own memory and
//! kept across transactions until its plan changes or an error leaves it
//! in use. Each
//! evaluation ends its expression context's use after it (the backend's
//! one context, reset after each, unless a routine's own call is under way
//! in it), so what a function registers there ends with the call; but the
//! context's per-query memory is the state's own (the transaction's), since
//! an expression keeps there what it builds on its first evaluation.

use std::cell::Cell;
use std::ptr::NonNull;

use pgrx::{pg_guard, pg_sys, PgSqlErrorCode};

use super::errors::raise;

pub struct KeptPlan {
    plan: NonNull<pg_sys::_SPI_plan>,
    /// A simple expression's generic plan that the plan cache lets be
    /// checked without locks (`CachedPlanAllowsSimpleValidityCheck`), with a
    /// reference in [`holder`], kept across transactions while that check
    /// passes, as PL/pgSQL keeps its simple expressions' plans within one;
    /// null for none.
    held: Cell<*mut pg_sys::CachedPlan>,
    /// The simple expression's state in the current transaction, or a
    /// lasting one.
    simple: Cell<SimpleState>,
    /// The memory of a lasting state, and of what its expression keeps:
    /// made when first needed, reset when the state is built again, freed
    /// with the plan; null until then.
    lasting: Cell<pg_sys::MemoryContext>,
}

/// An expression state built in a transaction's memory.
#[derive(Clone, Copy)]
struct SimpleState {
    /// The [`XACT_EPOCH`] it was built in; 0 for none.
    epoch: u64,
    /// The generic plan it was built from, and that plan's generation
    /// (a plan made later at the same address has a later one).
    plan: *mut pg_sys::CachedPlan,
    generation: i32,
    state: *mut pg_sys::ExprState,
    /// The expression's type.
    type_oid: pg_sys::Oid,
    /// Set while it is evaluated: still set after an error.
    in_use: bool,
    /// Kept across transactions, in the plan's `lasting` memory.
    lasting: bool,
}

const NO_STATE: SimpleState = SimpleState {
    epoch: 0,
    plan: std::ptr::null_mut(),
    generation: 0,
    state: std::ptr::null_mut(),
    type_oid: pg_sys::InvalidOid,
    in_use: false,
    lasting: false,
};

thread_local! {
    /// Counts transaction ends (and other transaction events, which only
    /// makes states rebuilt more often); 0 until the callback that counts
    /// them is registered, and a state's 0 is no state.
    static XACT_EPOCH: Cell<u64> = const { Cell::new(0) };
    /// See [`holder`].
    static HOLDER: Cell<pg_sys::ResourceOwner> = const { Cell::new(std::ptr::null_mut()) };
}

#[pg_guard]
unsafe extern "C-unwind" fn on_xact_event(
    _event: pg_sys::XactEvent::Type,
    _arg: *mut std::ffi::c_void,
) {
    XACT_EPOCH.with(|e| e.set(e.get() + 1));
}

/// The resource owner that holds the held plans' references for the
/// backend's life: it has no parent, so no transaction's end releases it.
fn holder() -> pg_sys::ResourceOwner {
    HOLDER.with(|h| {
        if h.get().is_null() {
            // SAFETY: creates a top-level resource owner in
            // TopMemoryContext, kept for the backend's life.
            h.set(unsafe {
                pg_sys::ResourceOwnerCreate(
                    std::ptr::null_mut(),
                    c"npgsqlrest_logout plans".as_ptr(),
                )
            });
        }
        h.get()
    })
}

/// The current transaction's epoch, registering the callback that ends it
/// on first use.
fn xact_epoch() -> u64 {
    let epoch = XACT_EPOCH.with(Cell::get);
    if epoch != 0 {
        return epoch;
    }
    // SAFETY: registers a callback that only counts; Postgres keeps it
    // for the life of the backend.
    unsafe { pg_sys::RegisterXactCallback(Some(on_xact_event), std::ptr::null_mut()) };
    XACT_EPOCH.with(|e| e.set(1));
    1
}

/// A parameter's value, or None for NULL, with its type.
pub type Argument = (Option<pg_sys::Datum>, pg_sys::Oid);

impl KeptPlan {
    /// Prepares `sql` with parameters of `types` and keeps the plan.
    pub fn prepare(sql: &str, types: &[pg_sys::Oid]) -> KeptPlan {
        // The statement names the routine and its parameters, from the
        // catalog: in the server encoding, as SPI reads it.
        let Ok(sql) = std::ffi::CString::new(super::server_text::to_server(sql).into_owned())
        else {
            raise(
                PgSqlErrorCode::ERRCODE_INTERNAL_ERROR,
                "a routine call holds a NUL byte".into(),
                None,
                None,
            );
        };
        let mut types = types.to_vec();
        // SAFETY: a connected SPI session prepares the statement (raising
        // its own errors); the kept plan outlives SPI_finish.
        let plan = unsafe {
            pg_sys::SPI_connect();
            let plan = pg_sys::SPI_prepare(sql.as_ptr(), types.len() as i32, types.as_mut_ptr());
            if !plan.is_null() {
                pg_sys::SPI_keepplan(plan);
            }
            pg_sys::SPI_finish();
            plan
        };
        match NonNull::new(plan) {
            Some(plan) => KeptPlan {
                plan,
                held: Cell::new(std::ptr::null_mut()),
                simple: Cell::new(NO_STATE),
                lasting: Cell::new(std::ptr::null_mut()),
            },
            None => raise(
                PgSqlErrorCode::ERRCODE_INTERNAL_ERROR,
                format!(
                    "could not prepare the routine call (SPI result {})",
                    unsafe { pg_sys::SPI_result }
                ),
                None,
                None,
            ),
        }
    }

    /// Runs the plan and calls `each` with every non-null column value of
    /// every row, with the column's type.
    pub fn run(&self, arguments: &[Argument], mut each: impl FnMut(pg_sys::Datum, pg_sys::Oid)) {
        if !self.evaluate_simple(arguments, &mut each) {
            self.execute(arguments, &mut each);
        }
    }

    /// Whether the expression's state built by the last run lasts across
    /// transactions.
    #[cfg(any(test, feature = "pg_test"))]
    fn state_lasts(&self) -> bool {
        let state = self.simple.get();
        !state.state.is_null() && state.lasting
    }

    /// Evaluates a single-expression plan without the executor; false when
    /// the plan is not one.
    fn evaluate_simple(
        &self,
        arguments: &[Argument],
        each: &mut impl FnMut(pg_sys::Datum, pg_sys::Oid),
    ) -> bool {
        // SAFETY: the plan is either the held one, still valid by the
        // plan cache's simple check and counted in the holder, or one the
        // plan cache hands out now, counted in the current resource owner
        // (released below, or at abort); the expression is read only while
        // the plan is held. The expression context owns the value's memory
        // until it is freed.
        unsafe {
            let sources = pg_sys::SPI_plan_get_plan_sources(self.plan.as_ptr());
            if sources.is_null() || (*sources).length != 1 {
                return false;
            }
            let source = (*(*sources).elements)
                .ptr_value
                .cast::<pg_sys::CachedPlanSource>();
            let Some((cached, expr, counted)) = self.simple_plan(source) else {
                return false;
            };
            let release = |cached| {
                if !counted.is_null() {
                    super::pg_compat::release_cached_plan(cached, counted);
                }
            };
            // A routine whose body is a constant (`select array['Cookies']`)
            // has it as its whole plan: no state to build, nothing to run.
            if (*expr).type_ == pg_sys::NodeTag::T_Const {
                let constant = expr.cast::<pg_sys::Const>();
                if !(*constant).constisnull {
                    each((*constant).constvalue, (*constant).consttype);
                }
                release(cached);
                return true;
            }
            let params = param_list(arguments);
            // The transaction's (or a lasting) state for this plan, else a
            // new one: in the transaction's memory, or the plan's when it
            // can last, when it can be kept, else (while the kept one is
            // in use, by a recursive call or since an error) in the
            // call's. A lasting state left in use by an earlier
            // transaction's error is built anew.
            let epoch = xact_epoch();
            let kept = self.simple.get();
            let generation = (*cached).generation;
            let current = kept.plan == cached
                && kept.generation == generation
                && (kept.epoch == epoch || (kept.lasting && !kept.in_use));
            let (state, type_oid, memory) = match (current, kept.in_use) {
                (true, false) => {
                    let memory = if kept.lasting {
                        self.lasting.get()
                    } else {
                        pg_sys::TopTransactionContext
                    };
                    (kept.state, kept.type_oid, Some(memory))
                }
                (false, _) if !(kept.epoch == epoch && kept.in_use) => {
                    // Forgotten before its memory is reset: an error while
                    // building leaves no state behind.
                    self.simple.set(NO_STATE);
                    let lasting = counted.is_null() && lasting_expression(expr);
                    let memory = if lasting {
                        self.lasting_memory()
                    } else {
                        pg_sys::TopTransactionContext
                    };
                    let outer = pg_sys::MemoryContextSwitchTo(memory);
                    let state = pg_sys::ExecInitExprWithParams(expr, std::ptr::null_mut());
                    pg_sys::MemoryContextSwitchTo(outer);
                    let type_oid = pg_sys::exprType(expr.cast());
                    self.simple.set(SimpleState {
                        epoch,
                        plan: cached,
                        generation,
                        state,
                        type_oid,
                        in_use: false,
                        lasting,
                    });
                    (state, type_oid, Some(memory))
                }
                _ => (
                    pg_sys::ExecInitExprWithParams(expr, params),
                    pg_sys::exprType(expr.cast()),
                    None,
                ),
            };
            let keeping = memory.is_some();
            // The call's expression context. What the expression builds on
            // its first evaluation to keep (a hashed `= ANY` list's table,
            // a row type's conversion map) goes to the context's per-query
            // memory: for a kept state, the memory it lives in, never the
            // call's, which is gone by the next call.
            let (context, reused) = take_context();
            (*context).ecxt_param_list_info = params;
            (*context).ecxt_per_query_memory = memory.unwrap_or(pg_sys::CurrentMemoryContext);
            if keeping {
                self.simple.set(SimpleState {
                    in_use: true,
                    epoch,
                    ..self.simple.get()
                });
            }
            let outer = pg_sys::MemoryContextSwitchTo((*context).ecxt_per_tuple_memory);
            let mut is_null = false;
            let value = match (*state).evalfunc {
                // An ERROR in the expression becomes a Rust panic here, so
                // every frame above unwinds and frees what it holds (the
                // Rc of this plan, the arguments); the plan's reference
                // belongs to the resource owner the abort releases (or to
                // the holder, which keeps it), a new expression context to
                // the memory the abort frees, and a kept state and the kept
                // context stay marked in use, so they are not used again
                // (the context is freed in a later transaction). Nothing in
                // the closure has a destructor.
                Some(eval) => {
                    let is_null = &mut is_null;
                    pg_sys::ffi::pg_guard_ffi_boundary(|| eval(state, context, is_null))
                }
                None => {
                    is_null = true;
                    pg_sys::Datum::from(0)
                }
            };
            pg_sys::MemoryContextSwitchTo(outer);
            if keeping {
                self.simple.set(SimpleState {
                    in_use: false,
                    ..self.simple.get()
                });
            }
            if !is_null {
                each(value, type_oid);
            }
            give_back_context(context, reused);
            release(cached);
            true
        }
    }

    /// The plan's memory for a lasting state, emptied (the state built in
    /// it before is forgotten already).
    ///
    /// # Safety
    /// No state built in it is in use.
    unsafe fn lasting_memory(&self) -> pg_sys::MemoryContext {
        // SAFETY: the context is the plan's, made under TopMemoryContext
        // and freed only with the plan.
        unsafe {
            let memory = self.lasting.get();
            if !memory.is_null() {
                pg_sys::MemoryContextReset(memory);
                return memory;
            }
            let memory = pg_sys::AllocSetContextCreateExtended(
                pg_sys::TopMemoryContext,
                c"npgsqlrest_logout expression".as_ptr(),
                pg_sys::ALLOCSET_SMALL_MINSIZE as usize,
                pg_sys::ALLOCSET_SMALL_INITSIZE as usize,
                pg_sys::ALLOCSET_SMALL_MAXSIZE as usize,
            );
            self.lasting.set(memory);
            memory
        }
    }

    /// The generic plan to evaluate, its expression, and the resource owner
    /// whose reference on it the caller releases (null for none): the held
    /// plan while the plan cache's simple check still finds it valid (it is
    /// current and touches no table, so no lock is due), else the plan
    /// cache's plan, held from then on when it allows that check. None
    /// when the plan is not a single expression (its reference released).
    ///
    /// # Safety
    /// `source` is this plan's only plan source.
    unsafe fn simple_plan(
        &self,
        source: *mut pg_sys::CachedPlanSource,
    ) -> Option<(
        *mut pg_sys::CachedPlan,
        *mut pg_sys::Expr,
        pg_sys::ResourceOwner,
    )> {
        // SAFETY: the held plan has a reference in the holder, so it is
        // not freed while held, whatever its validity.
        unsafe {
            let held = self.held.get();
            if !held.is_null() {
                if pg_sys::CachedPlanIsSimplyValid(source, held, std::ptr::null_mut()) {
                    let expr = simple_expression(held)?;
                    return Some((held, expr, std::ptr::null_mut()));
                }
                self.held.set(std::ptr::null_mut());
                super::pg_compat::release_cached_plan(held, holder());
            }
            // Revalidated as SPI would; SPI_plan_get_cached_plan needs a
            // connected SPI.
            let owner = pg_sys::CurrentResourceOwner;
            let cached = super::pg_compat::get_cached_plan(source, owner);
            if cached.is_null() {
                return None;
            }
            let Some(expr) = simple_expression(cached) else {
                super::pg_compat::release_cached_plan(cached, owner);
                return None;
            };
            if cached == (*source).gplan
                && pg_sys::CachedPlanAllowsSimpleValidityCheck(source, cached, holder())
            {
                self.held.set(cached);
                super::pg_compat::release_cached_plan(cached, owner);
                return Some((cached, expr, std::ptr::null_mut()));
            }
            Some((cached, expr, owner))
        }
    }

    /// Runs the plan through SPI.
    fn execute(&self, arguments: &[Argument], each: &mut impl FnMut(pg_sys::Datum, pg_sys::Oid)) {
        let mut values: Vec<pg_sys::Datum> = arguments
            .iter()
            .map(|(v, _)| v.unwrap_or(pg_sys::Datum::from(0)))
            .collect();
        let nulls: Vec<std::ffi::c_char> = arguments
            .iter()
            .map(|(v, _)| if v.is_some() { b' ' } else { b'n' } as std::ffi::c_char)
            .collect();
        // SAFETY: SPI is connected around the call; the result table is
        // read before SPI_finish frees it. An error unwinds through
        // Postgres, which closes SPI at abort.
        unsafe {
            pg_sys::SPI_connect();
            let status = pg_sys::SPI_execute_plan(
                self.plan.as_ptr(),
                values.as_mut_ptr(),
                nulls.as_ptr(),
                false,
                0,
            );
            if status < 0 {
                pg_sys::SPI_finish();
                raise(
                    PgSqlErrorCode::ERRCODE_INTERNAL_ERROR,
                    format!("the routine call failed (SPI result {status})"),
                    None,
                    None,
                );
            }
            let table = pg_sys::SPI_tuptable;
            if !table.is_null() {
                let desc = (*table).tupdesc;
                let natts = (*desc).natts;
                let rows =
                    std::slice::from_raw_parts((*table).vals, pg_sys::SPI_processed as usize);
                for &row in rows {
                    for column in 1..=natts {
                        let mut is_null = false;
                        let value = pg_sys::SPI_getbinval(row, desc, column, &mut is_null);
                        if !is_null {
                            each(value, pg_sys::SPI_gettypeid(desc, column));
                        }
                    }
                }
            }
            pg_sys::SPI_finish();
        }
    }
}

impl Drop for KeptPlan {
    fn drop(&mut self) {
        // SAFETY: the held plan's reference is the holder's; the plan was
        // kept by `prepare` and is freed once.
        unsafe {
            let held = self.held.replace(std::ptr::null_mut());
            if !held.is_null() {
                super::pg_compat::release_cached_plan(held, holder());
            }
            pg_sys::SPI_freeplan(self.plan.as_ptr());
            let lasting = self.lasting.replace(std::ptr::null_mut());
            if !lasting.is_null() {
                pg_sys::MemoryContextDelete(lasting);
            }
        }
    }
}

/// The backend's expression context for evaluations, and whether one is
/// under way in it: since the [`XACT_EPOCH`] given, which, when an error
/// ended that evaluation, says whether its transaction is over.
#[derive(Clone, Copy)]
struct KeptContext {
    context: *mut pg_sys::ExprContext,
    in_use: bool,
    epoch: u64,
}

thread_local! {
    static CONTEXT: Cell<KeptContext> = const {
        Cell::new(KeptContext {
            context: std::ptr::null_mut(),
            in_use: false,
            epoch: 0,
        })
    };
}

/// An expression context for one evaluation, and whether it is the
/// backend's kept one: that one (made once, in TopMemoryContext) unless an
/// evaluation is under way in it (a routine calling `handle_logout`), or
/// was when an error ended it earlier in this transaction; then a new one.
/// A kept context an error left in an earlier transaction is freed first,
/// without running what that evaluation registered, which lived in that
/// transaction's memory.
///
/// # Safety
/// In a transaction; the context goes back through [`give_back_context`].
unsafe fn take_context() -> (*mut pg_sys::ExprContext, bool) {
    let epoch = xact_epoch();
    let mut kept = CONTEXT.with(Cell::get);
    // SAFETY: the kept context is alive until freed here; a new one is
    // made in the memory context named.
    unsafe {
        if kept.in_use {
            if kept.epoch == epoch {
                return (pg_sys::CreateStandaloneExprContext(), false);
            }
            (*kept.context).ecxt_callbacks = std::ptr::null_mut();
            pg_sys::FreeExprContext(kept.context, false);
            kept.context = std::ptr::null_mut();
        }
        if kept.context.is_null() {
            let outer = pg_sys::MemoryContextSwitchTo(pg_sys::TopMemoryContext);
            kept.context = pg_sys::CreateStandaloneExprContext();
            pg_sys::MemoryContextSwitchTo(outer);
        }
    }
    CONTEXT.with(|c| {
        c.set(KeptContext {
            context: kept.context,
            in_use: true,
            epoch,
        })
    });
    (kept.context, true)
}

/// Ends an evaluation's use of its expression context: what it registered
/// runs, and its per-tuple memory is freed (the kept one reset for the
/// next evaluation, a new one freed).
///
/// # Safety
/// `context` and `reused` came from [`take_context`]; the value evaluated
/// in it is no longer read.
unsafe fn give_back_context(context: *mut pg_sys::ExprContext, reused: bool) {
    // SAFETY: as the caller promises.
    unsafe {
        if reused {
            pg_sys::ReScanExprContext(context);
            CONTEXT.with(|c| {
                c.set(KeptContext {
                    in_use: false,
                    ..c.get()
                })
            });
        } else {
            pg_sys::FreeExprContext(context, true);
        }
    }
}

/// Whether an expression's state can last across transactions: it is
/// made only of constants, the call's parameters, and calls, operators,
/// boolean tests, casts that only relabel, `CASE`, `COALESCE`, array
/// constructors and null tests of scalars, over built-in functions (their
/// OIDs are below `FirstGenbkiObjectId`) that return no set. Such a state
/// holds only its steps and what those functions cache in their own
/// memory (type information), nothing tied to a transaction's memory,
/// resources or callbacks; anything else (a user's function, a domain's
/// checks, a row type, a conversion through a type's I/O functions) is
/// built again in each transaction, as PL/pgSQL does. The tree is walked
/// with a list of nodes, not by recursion.
///
/// # Safety
/// `expr` is a valid expression tree.
unsafe fn lasting_expression(expr: *mut pg_sys::Expr) -> bool {
    use pg_sys::NodeTag as T;
    let built_in =
        |oid: pg_sys::Oid| oid != pg_sys::InvalidOid && oid.to_u32() < pg_sys::FirstGenbkiObjectId;
    // The list grows by what the tree holds: reserved fallibly, and a tree
    // too large for it is simply not kept.
    let mut to_see: Vec<*mut pg_sys::Node> = Vec::new();
    let add = |to_see: &mut Vec<*mut pg_sys::Node>, node: *mut pg_sys::Node| {
        let room = to_see.try_reserve(1).is_ok();
        if room {
            to_see.push(node);
        }
        room
    };
    // SAFETY: each node is read as the struct its tag names; a list's
    // cells are its `length` elements.
    unsafe {
        let add_list = |to_see: &mut Vec<*mut pg_sys::Node>, list: *mut pg_sys::List| {
            if list.is_null() {
                return true;
            }
            let cells = (*list).elements;
            (0..(*list).length as usize).all(|i| add(to_see, (*cells.add(i)).ptr_value.cast()))
        };
        if !add(&mut to_see, expr.cast()) {
            return false;
        }
        while let Some(node) = to_see.pop() {
            if node.is_null() {
                continue;
            }
            match (*node).type_ {
                T::T_Const | T::T_CaseTestExpr => {}
                T::T_Param => {
                    if (*node.cast::<pg_sys::Param>()).paramkind != pg_sys::ParamKind::PARAM_EXTERN
                    {
                        return false;
                    }
                }
                T::T_FuncExpr => {
                    let call = node.cast::<pg_sys::FuncExpr>();
                    if !built_in((*call).funcid) || (*call).funcretset {
                        return false;
                    }
                    if !add_list(&mut to_see, (*call).args) {
                        return false;
                    }
                }
                T::T_OpExpr | T::T_DistinctExpr | T::T_NullIfExpr => {
                    let op = node.cast::<pg_sys::OpExpr>();
                    if !built_in((*op).opfuncid) || (*op).opretset {
                        return false;
                    }
                    if !add_list(&mut to_see, (*op).args) {
                        return false;
                    }
                }
                T::T_BoolExpr => {
                    if !add_list(&mut to_see, (*node.cast::<pg_sys::BoolExpr>()).args) {
                        return false;
                    }
                }
                T::T_RelabelType => {
                    if !add(
                        &mut to_see,
                        (*node.cast::<pg_sys::RelabelType>()).arg.cast(),
                    ) {
                        return false;
                    }
                }
                T::T_CaseExpr => {
                    let case = node.cast::<pg_sys::CaseExpr>();
                    let seen = add(&mut to_see, (*case).arg.cast())
                        && add_list(&mut to_see, (*case).args)
                        && add(&mut to_see, (*case).defresult.cast());
                    if !seen {
                        return false;
                    }
                }
                T::T_CaseWhen => {
                    let when = node.cast::<pg_sys::CaseWhen>();
                    let seen = add(&mut to_see, (*when).expr.cast())
                        && add(&mut to_see, (*when).result.cast());
                    if !seen {
                        return false;
                    }
                }
                T::T_CoalesceExpr => {
                    if !add_list(&mut to_see, (*node.cast::<pg_sys::CoalesceExpr>()).args) {
                        return false;
                    }
                }
                T::T_ArrayExpr => {
                    if !add_list(&mut to_see, (*node.cast::<pg_sys::ArrayExpr>()).elements) {
                        return false;
                    }
                }
                T::T_NullTest => {
                    let test = node.cast::<pg_sys::NullTest>();
                    if (*test).argisrow || !add(&mut to_see, (*test).arg.cast()) {
                        return false;
                    }
                }
                _ => return false,
            }
        }
    }
    true
}

/// The expression of a plan that is `SELECT <expression>` and nothing
/// else: a Result node with no input, filter, sub-plans or init plans, and
/// one output column (PL/pgSQL's test for a simple expression).
///
/// # Safety
/// `cached` is a valid cached plan.
unsafe fn simple_expression(cached: *mut pg_sys::CachedPlan) -> Option<*mut pg_sys::Expr> {
    // SAFETY: the nodes are read by their tags before being cast.
    unsafe {
        let statements = (*cached).stmt_list;
        if statements.is_null() || (*statements).length != 1 {
            return None;
        }
        let statement = (*(*statements).elements)
            .ptr_value
            .cast::<pg_sys::PlannedStmt>();
        if (*statement).type_ != pg_sys::NodeTag::T_PlannedStmt
            || (*statement).commandType != pg_sys::CmdType::CMD_SELECT
            || !(*statement).subplans.is_null()
        {
            return None;
        }
        let plan = (*statement).planTree;
        if plan.is_null() || (*plan).type_ != pg_sys::NodeTag::T_Result {
            return None;
        }
        let result = plan.cast::<pg_sys::Result>();
        if !(*plan).lefttree.is_null()
            || !(*plan).righttree.is_null()
            || !(*plan).initPlan.is_null()
            || !(*plan).qual.is_null()
            || !(*result).resconstantqual.is_null()
        {
            return None;
        }
        let targets = (*plan).targetlist;
        if targets.is_null() || (*targets).length != 1 {
            return None;
        }
        let target = (*(*targets).elements)
            .ptr_value
            .cast::<pg_sys::TargetEntry>();
        Some((*target).expr)
    }
}

/// The arguments as a parameter list the expression reads.
///
/// # Safety
/// Called in a memory context that outlives the evaluation.
unsafe fn param_list(arguments: &[Argument]) -> pg_sys::ParamListInfo {
    // A call without arguments has no parameters to read.
    if arguments.is_empty() {
        return std::ptr::null_mut();
    }
    // SAFETY: makeParamList allocates room for every parameter.
    unsafe {
        let params = pg_sys::makeParamList(arguments.len() as i32);
        let slots = (*params).params.as_mut_slice(arguments.len());
        for (slot, (value, type_oid)) in slots.iter_mut().zip(arguments) {
            *slot = pg_sys::ParamExternData {
                value: value.unwrap_or(pg_sys::Datum::from(0)),
                isnull: value.is_none(),
                pflags: pg_sys::PARAM_FLAG_CONST as u16,
                ptype: *type_oid,
            };
        }
        params
    }
}

#[cfg(any(test, feature = "pg_test"))]
#[pgrx::pg_schema]
mod tests {
    use crate::api::test_support::text_of;
    use pgrx::prelude::*;

    /// An expression kept for the transaction keeps what it builds on its
    /// first evaluation (here the hash table of a long `= ANY` list) for as
    /// long as itself: calls later in the transaction, after other
    /// statements have reused the memory of the first call, still find it.
    #[pg_test]
    fn a_kept_expression_keeps_what_it_built_for_the_transaction() {
        Spi::run(
            "create function saop_logout(p_role text) returns text language sql stable as $$
                 select case when p_role = any('{a1,a2,a3,a4,a5,a6,a7,a8,a9,a10,a11,a12}'::text[])
                             then 'Cookies' else 'Other' end $$;
             comment on function saop_logout(text) is E'HTTP POST /auth/logout/saop\\n@logout';",
        )
        .expect("fixture");
        let call = |role: &str| {
            text_of(&format!(
                "select handle_logout('POST', '/auth/logout/saop', '{{\"p_role\": \"{role}\"}}')::text"
            ))
        };
        for round in 0..20 {
            assert_eq!(call("a3").as_deref(), Some("{Cookies}"), "round {round}");
            Spi::run("select length(string_agg(repeat(md5(g::text), 200), '')) from generate_series(1, 300) g")
                .expect("churn");
            assert_eq!(call("a13").as_deref(), Some("{Other}"), "round {round}");
            assert_eq!(call("a12").as_deref(), Some("{Cookies}"), "round {round}");
        }
        assert_eq!(
            text_of(
                "select string_agg(r, ',') from (select handle_logout('POST', '/auth/logout/saop',
                        jsonb_build_object('p_role', 'a' || g))::text as r, repeat(md5(g::text), 100)
                   from generate_series(10, 14) g) s"
            )
            .as_deref(),
            Some("{Cookies},{Cookies},{Cookies},{Other},{Other}")
        );
    }

    /// Which expressions' states last across transactions: built-in
    /// calls, operators, `CASE`, `COALESCE`, arrays and scalar null tests
    /// over constants and parameters do; a user's function, a conversion
    /// through I/O functions, `= ANY`, a row's null test, a domain and a
    /// constant (which has no state) do not. Each still gives its value.
    #[pg_test]
    fn only_built_in_simple_expressions_last() {
        use super::KeptPlan;
        Spi::run(
            "create function user_fn(p text) returns text language plpgsql as $$ begin return p; end $$;
             create domain short_text as text check (length(value) < 10);",
        )
        .expect("fixture");
        let text = pg_sys::TEXTOID;
        let cases: &[(&str, bool, Option<&str>)] = &[
            (
                "select current_setting('integer_datetimes') || ':Cookies'",
                true,
                Some("on:Cookies"),
            ),
            ("select array['a', $1]", true, Some("{a,x}")),
            (
                "select case when $1 is null then 'n' else coalesce(nullif($1, 'y'), 'z') end",
                true,
                Some("x"),
            ),
            (
                "select upper($1) = 'X' and not ($1 is distinct from 'x')",
                true,
                Some("t"),
            ),
            ("select $1::varchar", true, Some("x")),
            ("select user_fn($1)", false, Some("x")),
            ("select length($1)::text", false, Some("1")),
            ("select $1 = any(array['x', 'y'])", false, Some("t")),
            ("select row($1, 1) is null", false, Some("f")),
            ("select $1::short_text", false, Some("x")),
            ("select array['Cookies']", false, Some("{Cookies}")),
        ];
        for (sql, lasts, value) in cases {
            let params = sql.contains("$1");
            let types = if params { vec![text] } else { Vec::new() };
            let plan = KeptPlan::prepare(sql, &types);
            let argument = "x".into_datum();
            let arguments: Vec<super::Argument> = if params {
                vec![(argument, text)]
            } else {
                Vec::new()
            };
            let mut got = None;
            plan.run(&arguments, |datum, type_oid| {
                got = Some(super::super::test_support::output_text(datum, type_oid));
            });
            assert_eq!(plan.state_lasts(), *lasts, "{sql}");
            assert_eq!(got.as_deref(), *value, "{sql}");
            // Run again: the kept state gives the same.
            let mut again = None;
            plan.run(&arguments, |datum, type_oid| {
                again = Some(super::super::test_support::output_text(datum, type_oid));
            });
            assert_eq!(again, got, "{sql}, run again");
        }
    }
}
