//! A per-backend cache of the logout endpoints, so `handle_logout` and
//! `call_logout` do not read and parse the catalog on every request, and
//! of the rows of `endpoints()`.
//!
//! Built small and kept current piece by piece: the logout routes come
//! from the few routines whose comment may annotate a logout (the rest
//! are never parsed for routing), and each invalidation drops what it
//! names. A routine's change (`CREATE OR REPLACE`, `DROP`, `ALTER`,
//! `GRANT`: a pg_proc syscache invalidation carrying the routine's hash)
//! drops what was built from that routine; a comment's change (an event
//! trigger on `COMMENT` sends an invalidation carrying the routine's OID,
//! which every backend receives) has the routes look up that routine's
//! comment alone, and add, read again or drop it as a candidate; when
//! too many such invalidations arrive at once, or a built-in routine's
//! comment changed, the routes look again at which comments mention an
//! alias, parsing only the new or changed ones; a schema or role
//! membership change, or the settings and current user the cache was
//! built for, drop everything. Invalidations reach a backend at its next
//! command, and each entry point reads them first, so the very next call
//! after such a change sees it.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::rc::Rc;

use pgrx::prelude::*;

use super::catalog::{self, CatalogRoutine, DESCRIPTION_RELATION};
use super::endpoints::EndpointSettings;
use super::jsonb_out::StoredJsonB;
use super::kept_plan::KeptPlan;
use super::settings;
use super::shared_candidates;
use super::shared_endpoints::RowKey;
use crate::core::endpoint::logout_mention::may_be_logout;
use crate::core::endpoint::EndpointSummary;
use crate::core::request::options::RequestOptions;
use crate::core::request::pg_input::InputKind;
use crate::core::request::routing::{self, RouteTable};

/// How many prepared calls a backend keeps.
const MAX_PLANS: usize = 256;

/// A logout endpoint and the routine behind it.
pub struct LogoutTarget {
    pub routine: CatalogRoutine,
    pub summary: EndpointSummary,
    /// One per input parameter, looked up once rather than per call.
    pub inputs: Vec<ParameterInput>,
    /// What the annotations say about handling a request.
    pub options: RequestOptions,
}

/// How a JSON argument reaches a parameter: the shapes it may take, and
/// the type's input function.
#[derive(Clone, Copy)]
pub struct ParameterInput {
    pub kind: InputKind,
    pub function: pg_sys::Oid,
    pub io_param: pg_sys::Oid,
}

impl ParameterInput {
    fn of(type_oid: pg_sys::Oid) -> Self {
        let mut function = pg_sys::InvalidOid;
        let mut io_param = pg_sys::InvalidOid;
        // SAFETY: plain catalog lookups for an existing type.
        let kind = unsafe {
            pg_sys::getTypeInputInfo(type_oid, &mut function, &mut io_param);
            let base = pg_sys::getBaseType(type_oid);
            if base == pg_sys::JSONOID || base == pg_sys::JSONBOID {
                InputKind::Json
            } else if pg_sys::get_element_type(base) != pg_sys::InvalidOid {
                InputKind::Array
            } else {
                InputKind::Scalar
            }
        };
        ParameterInput {
            kind,
            function,
            io_param,
        }
    }
}

/// What the cached endpoints depend on besides the catalog (the search
/// path decides how routine signatures are printed).
struct Key {
    search_path: String,
    user: pg_sys::Oid,
    url_prefix: String,
    mode: settings::CommentsMode,
}

/// One routine's `endpoints()` row, built once per backend: None when the
/// routine is not an endpoint. Kept with the key of the comment it was
/// built from ([`comment_key`]).
pub struct EndpointRow {
    pub comment: u64,
    pub row: Option<EndpointColumns>,
}

/// An `endpoints()` row. Held in the cache's table itself: a row whose
/// columns are shared takes no allocation of its own.
#[derive(Clone)]
pub struct EndpointColumns {
    pub oid: pg_sys::Oid,
    /// See [`CatalogRoutine::in_search_path`].
    pub in_search_path: bool,
    pub columns: RowColumns,
}

/// Where a row's columns are: held by this backend, or shared with every
/// backend under a key ([`shared_endpoints`](super::shared_endpoints)).
#[derive(Clone)]
pub enum RowColumns {
    Here(Rc<HeldColumns>),
    Shared(RowKey),
}

/// The columns of a row this backend holds.
pub struct HeldColumns {
    pub schema: String,
    pub name: String,
    pub summary: EndpointSummary,
    pub endpoint: StoredJsonB,
}

/// The logout routes, and the routines they were built from: every
/// routine whose comment may annotate a logout (`may_be_logout`), with
/// its endpoint when it is a logout endpoint. Only these comments are
/// ever parsed for routing; a change is applied to the routines it names.
struct LogoutIndex {
    candidates: HashMap<pg_sys::Oid, Candidate>,
    routes: RouteTable<Rc<LogoutTarget>>,
    /// A comment changed somewhere: read which routines mention an alias.
    rescan: bool,
    /// Candidates whose routine changed, to read again.
    changed: Vec<pg_sys::Oid>,
    /// Routines whose comment may have changed, candidates or not, to look
    /// up again.
    recheck: Vec<pg_sys::Oid>,
    /// Requests (method and path, as the front-end sent them) already
    /// routed through `routes` to an endpoint that binds nothing from the
    /// path: a front-end sends the same few logout requests over and over.
    /// Dropped with the index; at most [`MAX_ROUTED`], cleared when full.
    routed: Vec<Routed>,
}

/// A request routed before: its method and path, and its endpoint.
struct Routed {
    method: Box<str>,
    path: Box<str>,
    target: Rc<LogoutTarget>,
}

/// How many routed requests an index remembers: a client varying its
/// paths cannot make it grow.
const MAX_ROUTED: usize = 16;

struct Candidate {
    comment: u64,
    target: Option<Rc<LogoutTarget>>,
}

impl LogoutIndex {
    fn is_current(&self) -> bool {
        !self.rescan && self.changed.is_empty() && self.recheck.is_empty()
    }
}

struct Cache {
    key: Key,
    rows: HashMap<pg_sys::Oid, EndpointRow>,
    /// Changes whenever something is dropped from the cache, so work begun
    /// before an invalidation is not stored after it.
    generation: u64,
    logout: Option<LogoutIndex>,
    by_oid: HashMap<pg_sys::Oid, Option<Rc<LogoutTarget>>>,
    plans: HashMap<(pg_sys::Oid, Vec<usize>), Rc<KeptPlan>>,
}

/// What the invalidations received since the cache was last used say.
#[derive(Default)]
struct Pending {
    /// Anything may have changed (schemas, roles, a cache reset).
    everything: bool,
    /// Some routine's comment changed.
    comments: bool,
    /// The OIDs of relcache invalidations: the routines whose comment
    /// changed (`send_comment_changed`), and relations, which have no
    /// routine's comment.
    commented: Vec<pg_sys::Oid>,
    /// The pg_proc syscache hash values of the routines that changed.
    routines: Vec<u32>,
}

/// Building this many routines' endpoints at once frees enough memory to
/// be worth giving back (`memory_release`).
const LARGE_BUILD: usize = 1000;

/// More changed routines than this at once (a migration) drop everything:
/// cheaper than matching each.
const MAX_PENDING_ROUTINES: usize = 256;

/// More relcache invalidations than this between two calls (a migration,
/// or many temporary tables) have the routes read every comment again,
/// rather than look up each OID.
const MAX_PENDING_COMMENTED: usize = 1024;

thread_local! {
    static CACHE: RefCell<Option<Cache>> = const { RefCell::new(None) };
    static PENDING: RefCell<Pending> = RefCell::new(Pending::default());
    static GENERATION: Cell<u64> = const { Cell::new(0) };
    static COMMENT_HASH: RandomState = RandomState::new();
}

/// What a cached row remembers of the comment it was built from: a keyed
/// hash (per backend, random), so a backend keeps 8 bytes rather than
/// every comment.
pub fn comment_key(comment: Option<&[u8]>) -> u64 {
    COMMENT_HASH.with(|h| h.hash_one(comment))
}

fn note(change: impl FnOnce(&mut Pending)) {
    PENDING.with(|p| {
        if let Ok(mut pending) = p.try_borrow_mut() {
            change(&mut pending);
        } else {
            // Not reachable (nothing holds the borrow across a call into
            // Postgres); were it reached, forgetting nothing is the rule.
            STALE_FALLBACK.with(|s| s.set(true));
        }
    });
}

thread_local! {
    static STALE_FALLBACK: Cell<bool> = const { Cell::new(false) };
}

fn take_pending() -> Pending {
    let mut pending = PENDING
        .with(|p| p.try_borrow_mut().map(|mut p| std::mem::take(&mut *p)))
        .unwrap_or_else(|_| Pending {
            everything: true,
            ..Pending::default()
        });
    if STALE_FALLBACK.with(|s| s.replace(false)) {
        pending.everything = true;
    }
    pending
}

/// The pg_proc syscache hash value of a routine: what an invalidation of
/// that routine carries.
fn routine_hash(oid: pg_sys::Oid) -> u32 {
    // SAFETY: hashes the key as the syscache does; no catalog access.
    unsafe {
        pg_sys::GetSysCacheHashValue(
            pg_sys::SysCacheIdentifier::PROCOID as i32,
            pg_sys::Datum::from(oid),
            pg_sys::Datum::from(0),
            pg_sys::Datum::from(0),
            pg_sys::Datum::from(0),
        )
    }
}

/// The current `search_path` setting's text.
fn search_path_is_now() -> String {
    // SAFETY: the GUC variable holds NULL or a C string.
    unsafe {
        let raw = pg_sys::namespace_search_path;
        if raw.is_null() {
            String::new()
        } else {
            super::server_text::to_rust(std::ffi::CStr::from_ptr(raw).to_bytes()).into_owned()
        }
    }
}

/// Whether `search_path` is still `text`, without copying it.
fn search_path_is(text: &str) -> bool {
    // SAFETY: the GUC variable holds NULL or a C string.
    unsafe {
        let raw = pg_sys::namespace_search_path;
        if raw.is_null() {
            text.is_empty()
        } else {
            super::server_text::to_rust(std::ffi::CStr::from_ptr(raw).to_bytes()) == text
        }
    }
}

/// Registers the invalidation callbacks; called once from `_PG_init`.
pub fn register() {
    // SAFETY: the callbacks only note what changed; Postgres keeps the
    // pointers for the life of the backend.
    unsafe {
        pg_sys::CacheRegisterSyscacheCallback(
            pg_sys::SysCacheIdentifier::PROCOID as i32,
            Some(on_routine_change),
            pg_sys::Datum::from(0),
        );
        for cache in [
            pg_sys::SysCacheIdentifier::NAMESPACEOID,
            pg_sys::SysCacheIdentifier::AUTHMEMMEMROLE,
            pg_sys::SysCacheIdentifier::AUTHOID,
        ] {
            pg_sys::CacheRegisterSyscacheCallback(
                cache as i32,
                Some(on_syscache_change),
                pg_sys::Datum::from(0),
            );
        }
        pg_sys::CacheRegisterRelcacheCallback(Some(on_relcache_change), pg_sys::Datum::from(0));
    }
}

#[pg_guard]
unsafe extern "C-unwind" fn on_routine_change(_arg: pg_sys::Datum, _cache: i32, hash: u32) {
    note(|p| {
        // Hash 0 is a reset of the whole cache.
        if hash == 0 || p.routines.len() >= MAX_PENDING_ROUTINES {
            p.everything = true;
        } else if !p.routines.contains(&hash) {
            p.routines.push(hash);
        }
    });
}

#[pg_guard]
unsafe extern "C-unwind" fn on_syscache_change(_arg: pg_sys::Datum, _cache: i32, _hash: u32) {
    note(|p| p.everything = true);
}

#[pg_guard]
unsafe extern "C-unwind" fn on_relcache_change(_arg: pg_sys::Datum, relid: pg_sys::Oid) {
    if relid == DESCRIPTION_RELATION {
        note(|p| p.comments = true);
    } else if relid == pg_sys::InvalidOid {
        note(|p| p.everything = true);
    } else {
        note(|p| {
            if p.comments || p.everything {
                // Every comment is read again anyway.
            } else if p.commented.len() >= MAX_PENDING_COMMENTED {
                p.comments = true;
                p.commented = Vec::new();
            } else {
                p.commented.push(relid);
            }
        });
    }
}

#[no_mangle]
#[doc(hidden)]
pub extern "C" fn pg_finfo_npgsqlrest_logout_comment_changed() -> &'static pg_sys::Pg_finfo_record {
    const V1: pg_sys::Pg_finfo_record = pg_sys::Pg_finfo_record { api_version: 1 };
    &V1
}

/// The event trigger behind `COMMENT`: tells every backend which routine's
/// comment changed (nothing when the comment was on anything else).
#[no_mangle]
#[pg_guard]
pub unsafe extern "C-unwind" fn npgsqlrest_logout_comment_changed(
    fcinfo: pg_sys::FunctionCallInfo,
) -> pg_sys::Datum {
    // SAFETY: fcinfo is this call's; context is NULL or a node.
    let context = unsafe { (*fcinfo).context };
    if context.is_null() || unsafe { (*context).type_ } != pg_sys::NodeTag::T_EventTriggerData {
        super::errors::raise(
            pgrx::PgSqlErrorCode::ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED,
            "npgsqlrest_logout_comment_changed() is an event trigger function".into(),
            None,
            None,
        );
    }
    for routine in commented_routines() {
        shared_candidates::commented(routine);
        if routine.to_u32() >= pg_sys::FirstNormalObjectId {
            send_comment_changed(routine);
        } else {
            // A built-in routine's OID may be a built-in relation's: say
            // only that some comment changed.
            // SAFETY: queues an invalidation message, sent at commit and
            // applied locally at the next command.
            unsafe { pg_sys::CacheInvalidateRelcacheByRelid(DESCRIPTION_RELATION) };
        }
    }
    pg_sys::Datum::from(0)
}

/// The routines the `COMMENT` being ended commented on (none when it was
/// on a table, a column or any other object).
fn commented_routines() -> Vec<pg_sys::Oid> {
    const COMMENTED: &str = "select objid from pg_catalog.pg_event_trigger_ddl_commands() \
         where classid operator(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass \
           and objsubid operator(pg_catalog.=) 0";
    let read = Spi::connect(|client| {
        client
            .select(COMMENTED, None, &[])?
            .map(|row| row.get::<pg_sys::Oid>(1))
            .collect::<Result<Vec<_>, _>>()
    });
    match read {
        Ok(oids) => oids.into_iter().flatten().collect(),
        Err(e) => super::errors::raise(
            pgrx::PgSqlErrorCode::ERRCODE_INTERNAL_ERROR,
            format!("could not read the commented objects: {e}"),
            None,
            None,
        ),
    }
}

/// Tells every backend that this routine's comment changed: a relcache
/// invalidation carrying the routine's OID, which every backend's relcache
/// callback receives (as it does on a hot standby, which replays it). It
/// is the only invalidation a backend can receive an OID by. PostgreSQL
/// sends one only for a relation, from its pg_class row, so the row given
/// here holds just what is read of it: the OID, and that it is not shared.
/// A backend's relcache has no entry under a routine's OID unless a
/// relation has the same one, which is then rebuilt, as after any change;
/// the receivers here look the OID up in pg_description.
fn send_comment_changed(routine: pg_sys::Oid) {
    #[repr(C, align(8))]
    struct ClassRow {
        header: pg_sys::HeapTupleHeaderData,
        class: pg_sys::FormData_pg_class,
    }
    // SAFETY: all-zero is a valid value of these plain C structs; the
    // tuple is read (its header's offset, then the row) only during the
    // call, and the function keeps nothing of it.
    unsafe {
        let mut row: ClassRow = std::mem::zeroed();
        row.header.t_hoff = std::mem::offset_of!(ClassRow, class) as u8;
        row.class.oid = routine;
        row.class.relisshared = false;
        let mut tuple: pg_sys::HeapTupleData = std::mem::zeroed();
        tuple.t_len = std::mem::size_of::<ClassRow>() as u32;
        tuple.t_tableOid = pg_sys::RelationRelationId;
        tuple.t_data = &mut row.header;
        pg_sys::CacheInvalidateRelcacheByTuple(&mut tuple);
    }
}

extension_sql!(
    r#"
CREATE FUNCTION npgsqlrest_logout_comment_changed() RETURNS event_trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'npgsqlrest_logout_comment_changed';
CREATE EVENT TRIGGER npgsqlrest_logout_comment_changed ON ddl_command_end
    WHEN TAG IN ('COMMENT')
    EXECUTE FUNCTION @extschema@.npgsqlrest_logout_comment_changed();
-- Also under session_replication_role = replica: a comment changed there
-- must reach the caches as any other.
ALTER EVENT TRIGGER npgsqlrest_logout_comment_changed ENABLE ALWAYS;
"#,
    name = "comment_changed_trigger",
);

fn next_generation() -> u64 {
    GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    })
}

/// Runs `f` on a cache that is current for this user and these settings,
/// with the changes noted since its last use applied: a routine's change
/// drops what was built from that routine, a comment's change has the
/// logout routes read which comments mention an alias again, and any
/// other change drops everything.
fn with_cache<R>(f: impl FnOnce(&mut Cache) -> R) -> R {
    // SAFETY: reads the backend's current user.
    let user = unsafe { pg_sys::GetUserId() };
    let mode = settings::comments_mode();
    // Until the changes taken are applied, an error on the way leaves the
    // next call to drop everything rather than forget them.
    let pending = take_pending();
    STALE_FALLBACK.with(|s| s.set(true));
    CACHE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let current = |k: &Key| {
            k.user == user
                && k.mode == mode
                && settings::url_prefix_is(&k.url_prefix)
                && search_path_is(&k.search_path)
        };
        match slot.as_mut() {
            Some(cache) if !pending.everything && current(&cache.key) => {
                cache.apply(&pending);
            }
            _ => {
                *slot = Some(Cache {
                    key: Key {
                        search_path: search_path_is_now(),
                        user,
                        url_prefix: settings::url_prefix(),
                        mode,
                    },
                    rows: HashMap::new(),
                    generation: next_generation(),
                    logout: None,
                    by_oid: HashMap::new(),
                    plans: HashMap::new(),
                });
            }
        }
        STALE_FALLBACK.with(|s| s.set(false));
        match slot.as_mut() {
            Some(cache) => f(cache),
            None => unreachable!("the cache was just filled"),
        }
    })
}

impl Cache {
    fn apply(&mut self, pending: &Pending) {
        if !pending.comments && pending.routines.is_empty() && pending.commented.is_empty() {
            return;
        }
        self.generation = next_generation();
        if !pending.routines.is_empty() {
            let changed: HashSet<u32> = pending.routines.iter().copied().collect();
            let hit = |oid: &pg_sys::Oid| changed.contains(&routine_hash(*oid));
            // Any routine's change can make a routine in the search path
            // visible or hidden (a same-signature routine created, dropped
            // or renamed in an earlier schema), which changes how its
            // signature prints: those are built again too.
            self.rows.retain(|oid, row| {
                !hit(oid) && !row.row.as_ref().is_some_and(|r| r.in_search_path)
            });
            self.by_oid.retain(|oid, target| {
                !hit(oid) && !target.as_ref().is_some_and(|t| t.routine.in_search_path)
            });
            self.plans.retain(|(oid, _), _| !hit(oid));
            if let Some(index) = self.logout.as_mut() {
                let changed = index.candidates.iter().filter(|(oid, c)| {
                    hit(oid) || c.target.as_ref().is_some_and(|t| t.routine.in_search_path)
                });
                index.changed.extend(changed.map(|(oid, _)| *oid));
            }
        }
        if pending.comments {
            // `endpoints()` rows compare their comment on every call; a
            // logout target by OID is cheap to read again.
            self.by_oid.clear();
            if let Some(index) = self.logout.as_mut() {
                index.rescan = true;
            }
        } else if !pending.commented.is_empty() {
            for oid in &pending.commented {
                self.by_oid.remove(oid);
            }
            if let Some(index) = self.logout.as_mut() {
                if index.recheck.len() + pending.commented.len() > MAX_PENDING_COMMENTED {
                    // Many calls that did not route in between: as many
                    // invalidations as one call may take at once.
                    index.recheck = Vec::new();
                    index.rescan = true;
                } else {
                    index.recheck.extend_from_slice(&pending.commented);
                }
            }
        }
    }
}

/// Reads the invalidations other sessions have committed. Postgres reads
/// them otherwise only when a lock is first taken, which a transaction
/// already holding its catalog locks never does again: each entry point
/// reads them first, so a comment or routine changed elsewhere is seen by
/// this very call, in any transaction.
fn accept_invalidations() {
    // SAFETY: reads the shared invalidation queue (cheap when empty).
    unsafe { pg_sys::AcceptInvalidationMessages() };
}

/// The logout endpoint of a routine (None when it is not one), or Err
/// when no routine has that OID.
pub fn target_by_oid(oid: pg_sys::Oid) -> Result<Option<Rc<LogoutTarget>>, NoSuchRoutine> {
    accept_invalidations();
    if let Some(found) = with_cache(|c| c.by_oid.get(&oid).cloned()) {
        return Ok(found);
    }
    let generation = with_cache(|c| c.generation);
    let routine = catalog::routine(oid).ok_or(NoSuchRoutine)?;
    let target = logout_target(&EndpointSettings::current(), routine).map(Rc::new);
    with_cache(|c| {
        if c.generation == generation {
            c.by_oid.insert(oid, target.clone());
        }
    });
    Ok(target)
}

/// No routine has the OID asked for.
pub struct NoSuchRoutine;

fn logout_target(settings: &EndpointSettings, routine: CatalogRoutine) -> Option<LogoutTarget> {
    let endpoint = settings.endpoint_of(&routine)?;
    if !endpoint.doc.logout {
        return None;
    }
    let (summary, options) = (endpoint.summary(), endpoint.request_options());
    let inputs = routine
        .input_types
        .iter()
        .copied()
        .map(ParameterInput::of)
        .collect();
    Some(LogoutTarget {
        routine,
        summary,
        inputs,
        options,
    })
}

/// The candidates' comments as the shared list finds them (see
/// `shared_candidates`): None when no list may be used, or when
/// commenting transactions kept committing while it was read (a few
/// tries), for the full scan.
fn from_shared_list() -> Option<Vec<(pg_sys::Oid, String)>> {
    for _ in 0..3 {
        let listed = shared_candidates::known()?;
        let mut comments: Vec<(pg_sys::Oid, String)> = catalog::comments_of(&listed.oids)
            .into_iter()
            .filter(|(_, comment)| may_be_logout(comment.as_bytes()))
            .collect();
        if !shared_candidates::still_complete(&listed) {
            continue;
        }
        comments.sort_unstable_by_key(|(oid, _)| oid.to_u32());
        debug1!(
            "npgsqlrest_logout: read the comments of {} shared candidate routines, {} of them candidates",
            listed.oids.len(),
            comments.len()
        );
        return Some(comments);
    }
    None
}

/// The routines whose comment may annotate a logout, each with its
/// comment (in UTF-8) and the comment's key.
fn scan_candidates() -> Vec<(pg_sys::Oid, u64, String)> {
    let found = match from_shared_list() {
        Some(comments) => comments,
        None => {
            #[cfg(any(test, feature = "pg_test"))]
            FULL_SCANS.with(|n| n.set(n.get() + 1));
            // Before the scan's snapshot: a comment committed after it
            // keeps what the scan finds from being shared.
            let scan = shared_candidates::scan_starts();
            let found = catalog::comments_where(may_be_logout);
            if let Some(scan) = scan {
                if shared_candidates::scan_found(scan, found.iter().map(|(oid, _)| *oid)) {
                    debug1!(
                        "npgsqlrest_logout: shared the {} candidate routines of a full scan",
                        found.len()
                    );
                }
            }
            found
        }
    };
    found
        .into_iter()
        .map(|(oid, comment)| (oid, comment_key(Some(comment.as_bytes())), comment))
        .collect()
}

#[cfg(any(test, feature = "pg_test"))]
thread_local! {
    /// How often the routes read every comment (`scan_candidates`).
    static FULL_SCANS: Cell<u64> = const { Cell::new(0) };
}

/// The logout routes as the catalog says now: built from scratch, or
/// from `previous` by reading again only the routines that changed.
fn refresh_index(previous: Option<LogoutIndex>) -> LogoutIndex {
    // The comments of the routines to read, as the scan found them.
    let mut scanned: HashMap<pg_sys::Oid, String> = HashMap::new();
    let (mut candidates, mut to_read) = match previous {
        Some(mut index) if !index.rescan => {
            let mut to_read = std::mem::take(&mut index.changed);
            let mut recheck = std::mem::take(&mut index.recheck);
            recheck.sort_unstable_by_key(|oid| oid.to_u32());
            recheck.dedup();
            // A routine whose comment changed is a candidate now exactly
            // when its comment mentions an alias; relations' OIDs find no
            // routine's comment.
            let mut comments = if recheck.is_empty() {
                HashMap::new()
            } else {
                catalog::comments_of(&recheck)
            };
            for oid in recheck {
                match comments.remove(&oid) {
                    Some(text) if may_be_logout(text.as_bytes()) => {
                        index.candidates.entry(oid).or_insert(Candidate {
                            comment: comment_key(None),
                            target: None,
                        });
                        to_read.push(oid);
                        scanned.insert(oid, text);
                    }
                    _ => {
                        index.candidates.remove(&oid);
                    }
                }
            }
            (index.candidates, to_read)
        }
        previous => {
            let (mut known, changed) = match previous {
                Some(index) => (index.candidates, index.changed),
                None => (HashMap::new(), Vec::new()),
            };
            let mut candidates = HashMap::new();
            let mut to_read = Vec::new();
            for (oid, comment, text) in scan_candidates() {
                let candidate = match known.remove(&oid) {
                    Some(c) if c.comment == comment && !changed.contains(&oid) => c,
                    _ => {
                        to_read.push(oid);
                        scanned.insert(oid, text);
                        Candidate {
                            comment,
                            target: None,
                        }
                    }
                };
                candidates.insert(oid, candidate);
            }
            (candidates, to_read)
        }
    };
    to_read.sort_unstable_by_key(|oid| oid.to_u32());
    to_read.dedup();
    to_read.retain(|oid| candidates.contains_key(oid));
    if !to_read.is_empty() {
        for oid in &to_read {
            if let Some(c) = candidates.get_mut(oid) {
                c.target = None;
            }
        }
        if to_read.len() >= LARGE_BUILD {
            super::memory_release::after_this_transaction();
        }
        // Until read again, a candidate's comment is unknown: a routine
        // dropped or no longer listed keeps a key no comment has, so the
        // next scan reads it again if it is back.
        for oid in &to_read {
            if let Some(c) = candidates.get_mut(oid) {
                c.comment = comment_key(None);
            }
        }
        let settings = EndpointSettings::current();
        // A routine changed since the last scan is read with its comment
        // as it is now.
        let unscanned: Vec<pg_sys::Oid> = to_read
            .iter()
            .copied()
            .filter(|oid| !scanned.contains_key(oid))
            .collect();
        if !unscanned.is_empty() {
            scanned.extend(catalog::comments_of(&unscanned));
        }
        let with_comments = to_read
            .into_iter()
            .map(|oid| (oid, scanned.remove(&oid)))
            .collect();
        for routine in catalog::listed_routines_with(with_comments) {
            if let Some(c) = candidates.get_mut(&routine.oid) {
                c.comment = comment_key(routine.info.comment.as_deref().map(str::as_bytes));
                c.target = logout_target(&settings, routine).map(Rc::new);
            }
        }
    }
    let routes = RouteTable::new(candidates.values().filter_map(|c| {
        let t = c.target.as_ref()?;
        Some((
            t.summary.method.clone(),
            t.summary.path.clone(),
            Rc::clone(t),
        ))
    }));
    LogoutIndex {
        candidates,
        routes,
        rescan: false,
        changed: Vec::new(),
        recheck: Vec::new(),
        routed: Vec::new(),
    }
}

/// What a request's method and path match.
pub enum RouteMatch {
    Found(Rc<LogoutTarget>, Vec<(String, String)>),
    NotFound,
    /// Two or more endpoints match equally well (their signatures).
    Ambiguous(Vec<String>),
}

/// The logout endpoint a request with this method and path was routed to
/// before, by the current routes (see [`route`]'s `remember`).
pub fn routed_before(method: &str, path: &str) -> Option<Rc<LogoutTarget>> {
    accept_invalidations();
    with_cache(|c| {
        let index = c.logout.as_ref().filter(|index| index.is_current())?;
        index
            .routed
            .iter()
            .find(|r| *r.method == *method && *r.path == *path)
            .map(|r| Rc::clone(&r.target))
    })
}

/// The logout endpoint for a method and path segments: the template with
/// the most literal segments wins; a tie is ambiguous. With `remember`
/// (the request's method and path as sent, when the path has no query),
/// an endpoint found that binds nothing from the path is remembered for
/// [`routed_before`].
pub fn route(
    method: &str,
    segments: &[std::borrow::Cow<'_, str>],
    remember: Option<(&str, &str)>,
) -> RouteMatch {
    let find = |index: &mut LogoutIndex| match index.routes.find(method, segments) {
        routing::RouteMatch::Found(target, bound) => {
            let target = Rc::clone(target);
            if let (Some((method, path)), true) = (remember, bound.is_empty()) {
                if index.routed.len() >= MAX_ROUTED {
                    index.routed.clear();
                }
                index.routed.push(Routed {
                    method: method.into(),
                    path: path.into(),
                    target: Rc::clone(&target),
                });
            }
            RouteMatch::Found(target, bound)
        }
        routing::RouteMatch::NotFound => RouteMatch::NotFound,
        routing::RouteMatch::Ambiguous(targets) => {
            let mut names: Vec<String> = targets
                .iter()
                .map(|t| t.routine.info.signature.clone())
                .collect();
            names.sort();
            RouteMatch::Ambiguous(names)
        }
    };
    accept_invalidations();
    let (found, generation, previous) = with_cache(|c| match c.logout.as_mut() {
        Some(index) if index.is_current() => (Some(find(index)), c.generation, None),
        _ => (None, c.generation, c.logout.take()),
    });
    if let Some(found) = found {
        return found;
    }
    let mut index = refresh_index(previous);
    let found = find(&mut index);
    with_cache(|c| {
        if c.generation == generation {
            c.logout = Some(index);
        }
    });
    found
}

/// The prepared call of a routine with these parameters bound, prepared
/// once per backend.
pub fn plan(
    oid: pg_sys::Oid,
    bound: Vec<usize>,
    prepare: impl FnOnce() -> KeptPlan,
) -> Rc<KeptPlan> {
    let key = (oid, bound);
    if let Some(plan) = with_cache(|c| c.plans.get(&key).cloned()) {
        return plan;
    }
    let generation = with_cache(|c| c.generation);
    let plan = Rc::new(prepare());
    with_cache(|c| {
        // Each set of given parameters has its own plan; a client varying
        // them cannot make the cache grow without bound.
        if c.plans.len() >= MAX_PLANS {
            c.plans.clear();
        }
        if c.generation == generation {
            c.plans.insert(key, Rc::clone(&plan));
        }
    });
    plan
}

/// Whether the backend holds any `endpoints()` rows: when it holds none,
/// reading every routine at once is cheaper than comparing keys first.
pub fn has_rows() -> bool {
    accept_invalidations();
    with_cache(|c| !c.rows.is_empty())
}

/// The `endpoints()` rows of these routines (OID and current comment's key),
/// from the cache where the comment is unchanged, built by `build` for the
/// others and kept.
pub fn endpoint_rows(
    keys: &[(pg_sys::Oid, u64)],
    build: impl FnOnce(Vec<pg_sys::Oid>) -> Vec<(pg_sys::Oid, EndpointRow)>,
) -> Vec<EndpointColumns> {
    let (mut found, missing) = with_cache(|c| {
        let mut found = Vec::with_capacity(keys.len());
        let mut missing = Vec::new();
        for (oid, comment) in keys {
            match c.rows.get(oid) {
                Some(cached) if cached.comment == *comment => found.extend(cached.row.clone()),
                _ => missing.push(*oid),
            }
        }
        (found, missing)
    });
    if !missing.is_empty() {
        found.extend(keep_rows(|| build(missing)));
    }
    found
}

/// The rows `build` makes, kept unless the cache was reset meanwhile.
pub fn keep_rows(build: impl FnOnce() -> Vec<(pg_sys::Oid, EndpointRow)>) -> Vec<EndpointColumns> {
    let generation = with_cache(|c| c.generation);
    let built = build();
    if built.len() >= LARGE_BUILD {
        super::memory_release::after_this_transaction();
    }
    let rows = built.iter().filter_map(|(_, r)| r.row.clone()).collect();
    with_cache(|c| {
        if c.generation == generation {
            c.rows.extend(built);
        }
    });
    rows
}

#[cfg(any(test, feature = "pg_test"))]
#[pgrx::pg_schema]
mod tests {
    use crate::api::test_support::text_of;
    use pgrx::prelude::*;

    /// What `handle_logout` answers for POST `path`: the schemes, or the
    /// SQLSTATE of its error (through a function the fixture makes, which
    /// any role may call).
    fn answer(path: &str) -> String {
        text_of(&format!("select public.route_answer('{path}')")).unwrap_or_default()
    }

    fn full_scans() -> u64 {
        super::FULL_SCANS.with(std::cell::Cell::get)
    }

    fn listed() -> Option<String> {
        text_of("select string_agg(path, ',' order by path) from logout_endpoints")
    }

    /// The routes hold exactly the logout endpoints `logout_endpoints`
    /// lists: the routines read for them pass the same filters, and a
    /// routine changed after the routes were built is read again with its
    /// comment.
    #[pg_test]
    fn logout_routes_are_the_listed_logout_endpoints() {
        Spi::run(
            "create role route_reader;
             grant select on logout_endpoints to route_reader;
             create function public.route_answer(path text) returns text language plpgsql as $$
             begin return handle_logout('POST', path)::text;
             exception when others then return sqlstate; end $$;
             create schema hidden;
             create function hidden.hidden_logout() returns text language sql as $$select 'Hidden'$$;
             comment on function hidden.hidden_logout() is E'HTTP POST /auth/logout/hidden\\n@logout';
             create function public.shown_logout() returns text language sql as $$select 'Shown'$$;
             comment on function public.shown_logout() is E'HTTP POST /auth/logout/shown\\n@logout';
             create function public.trigger_logout() returns trigger language plpgsql
                 as $$begin return null; end$$;
             comment on function public.trigger_logout() is E'HTTP POST /auth/logout/trigger\\n@logout';
             create aggregate public.agg_logout(int) (sfunc = int4pl, stype = int);
             comment on aggregate public.agg_logout(int) is E'HTTP POST /auth/logout/agg\\n@logout';
             create function pg_temp.temp_logout() returns text language sql as $$select 'Temp'$$;
             comment on function pg_temp.temp_logout() is E'HTTP POST /auth/logout/temp\\n@logout';
             comment on function handle_logout(text, text, jsonb, text[], jsonb, text, jsonb)
                 is E'HTTP POST /auth/logout/own\\n@logout';",
        )
        .expect("fixture");
        assert_eq!(
            listed().as_deref(),
            Some("/auth/logout/hidden,/auth/logout/shown")
        );
        assert_eq!(answer("/auth/logout/shown"), "{Shown}");
        assert_eq!(answer("/auth/logout/hidden"), "{Hidden}");
        for never in ["trigger", "agg", "temp", "own"] {
            assert_eq!(answer(&format!("/auth/logout/{never}")), "42883", "{never}");
        }
        // A routine in a schema the caller may not use is no endpoint.
        Spi::run("set role route_reader").expect("set role");
        assert_eq!(listed().as_deref(), Some("/auth/logout/shown"));
        assert_eq!(answer("/auth/logout/hidden"), "42883");
        assert_eq!(answer("/auth/logout/shown"), "{Shown}");
        Spi::run("reset role").expect("reset role");
        assert_eq!(answer("/auth/logout/hidden"), "{Hidden}");
        // Changed after the routes were built: read again, comment and all.
        Spi::run(
            "create or replace function public.shown_logout() returns text language sql
                 as $$select 'Changed'$$",
        )
        .expect("replaced");
        assert_eq!(answer("/auth/logout/shown"), "{Changed}");
        Spi::run("comment on function public.shown_logout() is E'HTTP POST /auth/logout/moved\\n@logout'")
            .expect("commented");
        assert_eq!(answer("/auth/logout/shown"), "42883");
        assert_eq!(answer("/auth/logout/moved"), "{Changed}");
        assert_eq!(
            listed().as_deref(),
            Some("/auth/logout/hidden,/auth/logout/moved")
        );
    }

    /// A `COMMENT` on one routine has the routes look up that routine
    /// alone: one that becomes a logout endpoint, one that stops being one
    /// (its path still holding an alias), one whose comment is removed,
    /// and a comment on a table, none of them reading every comment again;
    /// a built-in routine's comment does.
    #[pg_test]
    fn a_comment_is_applied_to_its_routine_alone() {
        Spi::run(
            "create function public.route_answer(path text) returns text language plpgsql as $$
             begin return handle_logout('POST', path)::text;
             exception when others then return sqlstate; end $$;
             create function public.kept_logout() returns text language sql as $$select 'Kept'$$;
             comment on function public.kept_logout() is E'HTTP POST /auth/logout/kept\\n@logout';
             create function public.later_logout() returns text language sql as $$select 'Later'$$;
             comment on function public.later_logout() is E'HTTP POST /auth/logout/later\\n@authorize';
             create table public.commented_table(x int);",
        )
        .expect("fixture");
        assert_eq!(answer("/auth/logout/kept"), "{Kept}");
        assert_eq!(answer("/auth/logout/later"), "42883");
        let scans = full_scans();
        let comment = |sql: &str| Spi::run(sql).expect("commented");
        comment("comment on function public.later_logout() is E'HTTP POST /auth/logout/later\\n@logout'");
        assert_eq!(answer("/auth/logout/later"), "{Later}");
        comment("comment on function public.kept_logout() is E'HTTP POST /auth/logout/kept\\nNo longer a logout.'");
        assert_eq!(answer("/auth/logout/kept"), "42883");
        comment("comment on function public.later_logout() is null");
        assert_eq!(answer("/auth/logout/later"), "42883");
        comment(
            "comment on table public.commented_table is E'HTTP POST /auth/logout/table\\n@logout'",
        );
        assert_eq!(answer("/auth/logout/table"), "42883");
        comment(
            "comment on function public.kept_logout() is E'HTTP POST /auth/logout/kept\\n@logout'",
        );
        assert_eq!(answer("/auth/logout/kept"), "{Kept}");
        assert_eq!(full_scans(), scans, "only the commented routines were read");
        comment("comment on function pg_catalog.now() is 'The time.'");
        assert_eq!(answer("/auth/logout/kept"), "{Kept}");
        assert_eq!(
            full_scans(),
            scans + 1,
            "a built-in routine's comment reads them all"
        );
    }
}
