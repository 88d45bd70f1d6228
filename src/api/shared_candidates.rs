//! The candidate routines of each database, shared between backends when
//! the library is in `shared_preload_libraries`: a new backend's first
//! logout call then reads the comments of the few routines that may be
//! logout endpoints, by pg_description's index, instead of scanning every
//! comment. Without preloading, or on a hot standby, nothing is shared and
//! every backend scans as before.
//!
//! A database's list holds every routine whose comment mentions a logout
//! alias ([`may_be_logout`](crate::core::endpoint::logout_mention::may_be_logout))
//! as a full scan found it, plus every routine commented on since: it may
//! hold more routines than are candidates (their comments are read and
//! dropped), never fewer.
//!
//! - A backend that scanned publishes what it found, unless a `COMMENT`
//!   was being committed when it began, or was committed while it scanned
//!   (the epoch moved): its scan could have missed it.
//! - A transaction that commented on routines adds them to the list
//!   before its commit becomes visible (`XACT_EVENT_PRE_COMMIT`), and
//!   counts itself as committing until its commit or abort is over.
//! - A `PREPARE TRANSACTION` of a comment switches the shared lists off
//!   until the server restarts: its commit comes later, from any session.
//! - Nothing is read or published during recovery: a standby's comments
//!   arrive by replay, with no session to add them.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, Ordering};

use pgrx::{pg_guard, pg_shmem_init, pg_sys, PGRXSharedMemory, PgLwLock};

/// Databases with a list at once; a further one takes the place of the
/// one published longest ago.
const DATABASES: usize = 4;
/// Routines a database's list holds; a database with more candidates is
/// scanned by each backend, as without preloading.
const CAPACITY: usize = 16_384;

#[derive(Clone, Copy)]
struct DatabaseList {
    /// 0 for a free place.
    database: u32,
    /// When it was published (the epoch then), to choose which to replace.
    published: u64,
    len: u32,
    /// The routines' OIDs, sorted, in `oids[..len]`.
    oids: [u32; CAPACITY],
}

impl DatabaseList {
    const FREE: DatabaseList = DatabaseList {
        database: 0,
        published: 0,
        len: 0,
        oids: [0; CAPACITY],
    };

    fn oids(&self) -> &[u32] {
        &self.oids[..self.len as usize]
    }

    /// Adds a routine; false when the list is full.
    fn add(&mut self, oid: u32) -> bool {
        match self.oids().binary_search(&oid) {
            Ok(_) => true,
            Err(_) if self.len as usize == CAPACITY => false,
            Err(at) => {
                let len = self.len as usize;
                self.oids.copy_within(at..len, at + 1);
                self.oids[at] = oid;
                self.len += 1;
                true
            }
        }
    }
}

#[derive(Clone, Copy)]
pub struct SharedLists {
    /// Moves at every commenting transaction's pre-commit and at its end.
    epoch: u64,
    /// Commenting transactions past their pre-commit and not yet ended.
    committing: u32,
    /// A comment was prepared: no list is used until restart.
    off: bool,
    lists: [DatabaseList; DATABASES],
}

// SAFETY: plain integers and arrays, no pointers.
unsafe impl PGRXSharedMemory for SharedLists {}

impl SharedLists {
    const EMPTY: SharedLists = SharedLists {
        epoch: 0,
        committing: 0,
        off: false,
        lists: [DatabaseList::FREE; DATABASES],
    };

    fn list(&self, database: u32) -> Option<&DatabaseList> {
        self.lists.iter().find(|l| l.database == database)
    }

    fn list_mut(&mut self, database: u32) -> Option<&mut DatabaseList> {
        self.lists.iter_mut().find(|l| l.database == database)
    }
}

static SHARED: PgLwLock<SharedLists> =
    // SAFETY: a static initialised by pg_shmem_init! in _PG_init.
    unsafe { PgLwLock::new(c"npgsqlrest_logout candidate routines") };

/// Set by the postmaster when it creates the shared memory; every backend
/// forked from it sees it set.
static CREATED: AtomicBool = AtomicBool::new(false);

/// Asks for the shared memory when the library is being preloaded;
/// called from `_PG_init`.
pub fn register() {
    // SAFETY: reads a flag the postmaster sets while it preloads.
    if !unsafe { pg_sys::process_shared_preload_libraries_in_progress } {
        return;
    }
    pg_shmem_init!(
        SHARED = {
            CREATED.store(true, Ordering::Relaxed);
            SharedLists::EMPTY
        }
    );
}

/// Whether this backend may use the shared lists: preloaded, and not in
/// recovery.
fn usable() -> bool {
    // SAFETY: RecoveryInProgress reads shared state, without errors.
    CREATED.load(Ordering::Relaxed) && !unsafe { pg_sys::RecoveryInProgress() }
}

fn database() -> u32 {
    // SAFETY: this backend's database, set before any SQL runs.
    unsafe { pg_sys::MyDatabaseId }.to_u32()
}

/// The routines that may be logout endpoints in this database, as a
/// shared list names them, with the epoch it was read at.
pub struct Listed {
    pub oids: Vec<pg_sys::Oid>,
    epoch: u64,
}

/// The routines that may be logout endpoints in this database, when a
/// list is shared and may be used: the list, and the routines this
/// transaction commented on (its own comments, not yet committed, are
/// visible to it and in no list). Read their comments under a snapshot
/// taken after this, then ask [`still_complete`].
pub fn known() -> Option<Listed> {
    if !usable() || TOO_MANY.with(Cell::get) {
        return None;
    }
    let (mut oids, epoch): (Vec<pg_sys::Oid>, u64) = {
        let shared = SHARED.share();
        if shared.off {
            return None;
        }
        let list = shared.list(database())?;
        let oids = list.oids().iter().map(|&oid| pg_sys::Oid::from(oid));
        (oids.collect(), shared.epoch)
    };
    COMMENTED.with(|c| oids.extend(c.borrow().iter().map(|&oid| pg_sys::Oid::from(oid))));
    Some(Listed { oids, epoch })
}

/// Whether what was read of a list's routines is complete: no commenting
/// transaction reached its commit since the list was read. One that did
/// could be visible to the snapshot the comments were read under, and
/// its routines missing from the copy read before.
pub fn still_complete(listed: &Listed) -> bool {
    SHARED.share().epoch == listed.epoch
}

/// A scan that may publish what it finds: the epoch when it began.
pub struct Scan {
    epoch: u64,
}

/// Call before the scan takes its snapshot. None when what it finds
/// cannot be published.
pub fn scan_starts() -> Option<Scan> {
    if !usable() {
        return None;
    }
    let shared = SHARED.share();
    (!shared.off && shared.committing == 0).then_some(Scan {
        epoch: shared.epoch,
    })
}

/// Publishes the candidates a scan found, if no comment was committed
/// since it began and they fit; true when published.
pub fn scan_found(scan: Scan, candidates: impl Iterator<Item = pg_sys::Oid>) -> bool {
    let mut oids: Vec<u32> = Vec::new();
    for oid in candidates {
        if oids.len() == CAPACITY || oids.try_reserve(1).is_err() {
            return false;
        }
        oids.push(oid.to_u32());
    }
    oids.sort_unstable();
    oids.dedup();
    let database = database();
    let mut shared = SHARED.exclusive();
    if shared.off || shared.epoch != scan.epoch || shared.committing != 0 {
        return false;
    }
    let published = shared.epoch;
    let at = shared
        .lists
        .iter()
        .position(|l| l.database == database || l.database == 0)
        .unwrap_or_else(|| {
            let oldest = shared
                .lists
                .iter()
                .enumerate()
                .min_by_key(|(_, l)| l.published);
            oldest.map_or(0, |(at, _)| at)
        });
    let list = &mut shared.lists[at];
    list.database = database;
    list.published = published;
    list.len = oids.len() as u32;
    list.oids[..oids.len()].copy_from_slice(&oids);
    true
}

thread_local! {
    /// The routines this transaction commented on.
    static COMMENTED: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
    /// More were commented on than a list holds.
    static TOO_MANY: Cell<bool> = const { Cell::new(false) };
    /// This transaction counts in `committing`.
    static COMMITTING: Cell<bool> = const { Cell::new(false) };
    static REGISTERED: Cell<bool> = const { Cell::new(false) };
}

/// Notes a routine commented on in this transaction (from the `COMMENT`
/// event trigger), for the lists at commit.
pub fn commented(routine: pg_sys::Oid) {
    if !CREATED.load(Ordering::Relaxed) {
        return;
    }
    if !REGISTERED.with(|r| r.replace(true)) {
        // SAFETY: the callback only touches this module's state and the
        // shared lists; Postgres keeps the pointer for the backend's life.
        unsafe { pg_sys::RegisterXactCallback(Some(at_transaction_event), std::ptr::null_mut()) };
    }
    COMMENTED.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CAPACITY || c.try_reserve(1).is_err() {
            TOO_MANY.with(|t| t.set(true));
        } else {
            c.push(routine.to_u32());
        }
    });
}

fn take_commented() -> Option<(Vec<u32>, bool)> {
    let oids = COMMENTED.with(|c| std::mem::take(&mut *c.borrow_mut()));
    let too_many = TOO_MANY.with(|t| t.replace(false));
    (!oids.is_empty() || too_many).then_some((oids, too_many))
}

#[pg_guard]
unsafe extern "C-unwind" fn at_transaction_event(
    event: pg_sys::XactEvent::Type,
    _arg: *mut std::ffi::c_void,
) {
    use pg_sys::XactEvent::*;
    match event {
        XACT_EVENT_PRE_COMMIT => {
            let Some((oids, too_many)) = take_commented() else {
                return;
            };
            let database = database();
            let mut shared = SHARED.exclusive();
            shared.epoch += 1;
            shared.committing += 1;
            COMMITTING.with(|c| c.set(true));
            if let Some(list) = shared.list_mut(database) {
                let fits = !too_many && oids.iter().all(|&oid| list.add(oid));
                if !fits {
                    *list = DatabaseList::FREE;
                }
            }
        }
        XACT_EVENT_PRE_PREPARE => {
            if take_commented().is_some() {
                let mut shared = SHARED.exclusive();
                shared.epoch += 1;
                shared.off = true;
            }
        }
        XACT_EVENT_COMMIT | XACT_EVENT_ABORT | XACT_EVENT_PREPARE => {
            take_commented();
            if COMMITTING.with(|c| c.replace(false)) {
                let mut shared = SHARED.exclusive();
                shared.epoch += 1;
                shared.committing -= 1;
            }
        }
        _ => {}
    }
}

#[cfg(any(test, feature = "pg_test"))]
#[pgrx::pg_schema]
mod tests {
    use super::*;
    use pgrx::prelude::*;

    #[pg_test]
    fn a_list_stays_sorted_without_duplicates_and_says_when_full() {
        let mut list = Box::new(DatabaseList::FREE);
        for oid in [30, 10, 20, 10, 40, 20] {
            assert!(list.add(oid));
        }
        assert_eq!(list.oids(), &[10, 20, 30, 40]);
        for oid in 100..(100 + CAPACITY as u32 - 4) {
            assert!(list.add(oid));
        }
        assert_eq!(list.oids().len(), CAPACITY);
        assert!(list.add(20), "a routine already listed fits a full list");
        assert!(!list.add(5), "a new one does not");
        assert!(list.oids().windows(2).all(|w| w[0] < w[1]));
    }

    #[pg_test]
    fn nothing_is_shared_without_preloading() {
        // The test server does not preload the library.
        assert!(known().is_none());
        assert!(scan_starts().is_none());
        // A COMMENT still works, and registers nothing to share.
        Spi::run("create function pg_temp.f() returns int language sql as 'select 1'").unwrap();
        Spi::run("comment on function pg_temp.f() is 'HTTP POST /x\n@logout'").unwrap();
        assert!(COMMENTED.with(|c| c.borrow().is_empty()));
    }
}
