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
//! - A reader reads the list, then the comments under its own snapshot,
//!   and reads again if a commenting transaction reached its commit in
//!   between (it could be visible to that snapshot and not in the copy).
//! - A scan by a transaction that wrote anything publishes nothing (its
//!   snapshot sees its own uncommitted changes), nor while any prepared
//!   transaction exists (its comments commit later, from any session,
//!   maybe after a restart). A `PREPARE TRANSACTION` of a comment drops its
//!   database's list.
//! - A list belongs to one database and one installation of the
//!   extension (its `pg_extension` OID): comments made while the extension
//!   was dropped, which no trigger saw, never reach a list made before.
//! - Nothing is read or published during recovery: a standby's comments
//!   arrive by replay, with no session to add them.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, Ordering};

use pgrx::{pg_guard, pg_shmem_init, pg_sys, PGRXSharedMemory, PgLwLock, Spi};

/// Databases with a list at once; a further one takes the place of the
/// one published longest ago.
const DATABASES: usize = 4;
/// Routines a database's list holds; a database with more candidates is
/// scanned by each backend, as without preloading.
const CAPACITY: usize = 16_384;

/// Whose list: a database and the extension's `pg_extension` OID there.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Key {
    database: u32,
    extension: u32,
}

impl Key {
    /// No list: a free place.
    const NONE: Key = Key {
        database: 0,
        extension: 0,
    };
}

#[derive(Clone, Copy)]
struct DatabaseList {
    key: Key,
    /// When it was published (a count of publications), to choose which
    /// to replace.
    published: u64,
    len: u32,
    /// The routines' OIDs, sorted, in `oids[..len]`.
    oids: [u32; CAPACITY],
}

impl DatabaseList {
    const FREE: DatabaseList = DatabaseList {
        key: Key::NONE,
        published: 0,
        len: 0,
        oids: [0; CAPACITY],
    };

    fn oids(&self) -> &[u32] {
        &self.oids[..self.len as usize]
    }

    /// Adds routines (sorted, without duplicates) in one merge; false,
    /// leaving the list as it was, when they do not all fit.
    fn add_all(&mut self, new: &[u32]) -> bool {
        let len = self.len as usize;
        let missing = new
            .iter()
            .filter(|oid| self.oids().binary_search(oid).is_err())
            .count();
        if len + missing > CAPACITY {
            return false;
        }
        // From the back: each slot written is past every one still to read.
        let (mut from, mut write) = (len, len + missing);
        for &oid in new.iter().rev() {
            if self.oids[..len].binary_search(&oid).is_ok() {
                continue;
            }
            while from > 0 && self.oids[from - 1] > oid {
                from -= 1;
                write -= 1;
                self.oids[write] = self.oids[from];
            }
            write -= 1;
            self.oids[write] = oid;
        }
        self.len = (len + missing) as u32;
        true
    }
}

#[derive(Clone, Copy)]
pub struct SharedLists {
    /// Moves at every commenting transaction's pre-commit and at its end.
    epoch: u64,
    /// Commenting transactions past their pre-commit and not yet ended.
    committing: u32,
    /// Lists published so far.
    publications: u64,
    lists: [DatabaseList; DATABASES],
}

// SAFETY: plain integers and arrays, no pointers.
unsafe impl PGRXSharedMemory for SharedLists {}

impl SharedLists {
    const EMPTY: SharedLists = SharedLists {
        epoch: 0,
        committing: 0,
        publications: 0,
        lists: [DatabaseList::FREE; DATABASES],
    };

    fn list(&self, key: Key) -> Option<&DatabaseList> {
        self.lists.iter().find(|l| l.key == key)
    }

    /// Where a list for `key` goes: its own place, else a free one, else
    /// the one published longest ago.
    fn place_for(&self, key: Key) -> usize {
        let own = self.lists.iter().position(|l| l.key == key);
        let free = || self.lists.iter().position(|l| l.key == Key::NONE);
        let oldest = || {
            let by_age = self
                .lists
                .iter()
                .enumerate()
                .min_by_key(|(_, l)| l.published);
            by_age.map_or(0, |(at, _)| at)
        };
        own.or_else(free).unwrap_or_else(oldest)
    }

    /// Drops every list of a database (whatever its extension OID).
    fn drop_lists(&mut self, database: u32) {
        for list in self.lists.iter_mut().filter(|l| l.key.database == database) {
            *list = DatabaseList::FREE;
        }
    }

    /// A scan beginning: the epoch it must find unchanged to publish;
    /// None while a commenting transaction is committing.
    fn scan_begins(&self) -> Option<u64> {
        (self.committing == 0).then_some(self.epoch)
    }

    /// Publishes a scan's candidates (sorted, unique, at most CAPACITY)
    /// unless a commenting transaction pre-committed since it began or is
    /// committing; true when published.
    fn publish(&mut self, key: Key, began: u64, oids: &[u32]) -> bool {
        if self.epoch != began || self.committing != 0 {
            return false;
        }
        self.publications += 1;
        let published = self.publications;
        let list = &mut self.lists[self.place_for(key)];
        list.key = key;
        list.published = published;
        list.len = oids.len() as u32;
        list.oids[..oids.len()].copy_from_slice(oids);
        true
    }

    /// A commenting transaction's pre-commit: its routines (sorted,
    /// unique) join its database's list, or the list is dropped when they
    /// do not fit; it counts as committing until [`Self::commit_ends`].
    fn pre_commit(&mut self, key: Option<Key>, database: u32, oids: &[u32], too_many: bool) {
        self.epoch += 1;
        self.committing += 1;
        let at = key.and_then(|key| self.lists.iter().position(|l| l.key == key));
        let fits = match at {
            Some(at) => !too_many && self.lists[at].add_all(oids),
            None => true,
        };
        if !fits {
            self.drop_lists(database);
        }
    }

    /// A commenting transaction's commit or abort, after its pre-commit.
    fn commit_ends(&mut self) {
        self.epoch += 1;
        self.committing -= 1;
    }

    /// A commenting transaction's prepare: its database's list goes.
    fn prepared(&mut self, database: u32) {
        self.epoch += 1;
        self.drop_lists(database);
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

/// This database's list key; None without the extension (being dropped).
fn key() -> Option<Key> {
    // SAFETY: a catalog lookup inside a transaction; missing_ok.
    let extension = unsafe { pg_sys::get_extension_oid(c"npgsqlrest_logout".as_ptr(), true) };
    (extension != pg_sys::InvalidOid).then(|| Key {
        database: database(),
        extension: extension.to_u32(),
    })
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
    let key = key()?;
    let own = COMMENTED.with(|c| c.borrow().len());
    // Room for the largest list, taken before the lock and fallibly.
    let mut oids: Vec<pg_sys::Oid> = Vec::new();
    oids.try_reserve_exact(CAPACITY + own).ok()?;
    let epoch = {
        let shared = SHARED.share();
        let list = shared.list(key)?;
        oids.extend(list.oids().iter().map(|&oid| pg_sys::Oid::from(oid)));
        shared.epoch
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

/// A scan that may publish what it finds: whose list, and the epoch when
/// it began.
pub struct Scan {
    key: Key,
    epoch: u64,
}

/// Call before the scan takes its snapshot. None when what it finds
/// cannot be published: this transaction wrote something (its snapshot
/// sees its own uncommitted changes), a prepared transaction exists (its
/// comments are in no list), or a commenting transaction is committing.
pub fn scan_starts() -> Option<Scan> {
    if !usable() {
        return None;
    }
    // SAFETY: reads this transaction's state.
    if unsafe { pg_sys::GetTopTransactionIdIfAny() } != pg_sys::InvalidTransactionId {
        return None;
    }
    let key = key()?;
    let prepared = Spi::get_one::<bool>("select exists (select from pg_catalog.pg_prepared_xacts)");
    if prepared != Ok(Some(false)) {
        return None;
    }
    let epoch = SHARED.share().scan_begins()?;
    Some(Scan { key, epoch })
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
    SHARED.exclusive().publish(scan.key, scan.epoch, &oids)
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
    if !REGISTERED.with(Cell::get) {
        // SAFETY: the callback only touches this module's state and the
        // shared lists; Postgres keeps the pointer for the backend's life.
        unsafe { pg_sys::RegisterXactCallback(Some(at_transaction_event), std::ptr::null_mut()) };
        REGISTERED.with(|r| r.set(true));
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

/// This transaction's commented routines, sorted and without duplicates,
/// and whether there were too many; None when it commented on none.
fn take_commented() -> Option<(Vec<u32>, bool)> {
    let mut oids = COMMENTED.with(|c| std::mem::take(&mut *c.borrow_mut()));
    let too_many = TOO_MANY.with(|t| t.replace(false));
    oids.sort_unstable();
    oids.dedup();
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
            // Still inside the transaction: the catalog can be read.
            let key = key();
            let database = database();
            SHARED
                .exclusive()
                .pre_commit(key, database, &oids, too_many);
            COMMITTING.with(|c| c.set(true));
        }
        XACT_EVENT_PRE_PREPARE => {
            if take_commented().is_some() {
                let database = database();
                SHARED.exclusive().prepared(database);
            }
        }
        XACT_EVENT_COMMIT | XACT_EVENT_ABORT | XACT_EVENT_PREPARE => {
            take_commented();
            if COMMITTING.with(|c| c.replace(false)) {
                SHARED.exclusive().commit_ends();
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
    fn a_list_merges_sorted_without_duplicates_and_says_when_full() {
        let mut list = Box::new(DatabaseList::FREE);
        assert!(list.add_all(&[10, 30]));
        assert!(list.add_all(&[5, 10, 20, 40]));
        assert_eq!(list.oids(), &[5, 10, 20, 30, 40]);
        assert!(list.add_all(&[]));
        assert!(list.add_all(&[1, 50]));
        assert_eq!(list.oids(), &[1, 5, 10, 20, 30, 40, 50]);
        let many: Vec<u32> = (100..(100 + CAPACITY as u32 - 7)).collect();
        assert!(list.add_all(&many));
        assert_eq!(list.oids().len(), CAPACITY);
        assert!(
            list.add_all(&[20, 30]),
            "routines already listed fit a full list"
        );
        assert!(!list.add_all(&[2, 20]), "a new one does not");
        assert_eq!(
            list.oids().len(),
            CAPACITY,
            "a merge that does not fit changes nothing"
        );
        assert!(list.oids().windows(2).all(|w| w[0] < w[1]));
    }

    #[pg_test]
    fn a_list_goes_to_its_own_place_then_a_free_one_then_the_oldest() {
        let mut lists = Box::new(SharedLists::EMPTY);
        let key = |database: u32| Key {
            database,
            extension: 7,
        };
        for (at, published) in [(0, 3), (1, 1), (2, 4), (3, 2)] {
            lists.lists[at].key = key(at as u32 + 1);
            lists.lists[at].published = published;
        }
        assert_eq!(lists.place_for(key(3)), 2, "its own place");
        assert_eq!(lists.place_for(key(9)), 1, "the oldest, none being free");
        lists.lists[3].key = Key::NONE;
        assert_eq!(lists.place_for(key(9)), 3, "a free place");
        assert_eq!(
            lists.place_for(key(3)),
            2,
            "its own place before a free one"
        );
        let reinstalled = Key {
            database: 3,
            extension: 8,
        };
        assert_eq!(
            lists.place_for(reinstalled),
            3,
            "another installation is another list"
        );
        lists.drop_lists(3);
        assert!(lists.list(key(3)).is_none());
    }

    /// The protocol's interleavings, step by step on one copy of the
    /// shared state: what a scan may publish, what a reader may trust.
    #[pg_test]
    fn commenting_transactions_scans_and_readers_interleave_safely() {
        let key = Key {
            database: 5,
            extension: 9,
        };
        let mut shared = Box::new(SharedLists::EMPTY);

        // A scan overlapped by a commenting transaction's pre-commit
        // publishes nothing, even once that transaction has ended.
        let began = shared.scan_begins().expect("nothing committing");
        shared.pre_commit(Some(key), 5, &[42], false);
        assert!(
            shared.scan_begins().is_none(),
            "no scan begins while one is committing"
        );
        shared.commit_ends();
        assert!(!shared.publish(key, began, &[1]));
        assert!(shared.list(key).is_none());

        // One that began after the commit ended publishes.
        let began = shared.scan_begins().expect("nothing committing");
        assert!(shared.publish(key, began, &[1, 42]));
        assert_eq!(shared.list(key).map(DatabaseList::oids), Some(&[1, 42][..]));

        // A reader's copy taken before a pre-commit is not complete after
        // it (the routine may be visible to the reader's snapshot); the
        // routine is in the list from the pre-commit on.
        let read_at = shared.epoch;
        shared.pre_commit(Some(key), 5, &[7], false);
        assert_ne!(shared.epoch, read_at);
        assert_eq!(
            shared.list(key).map(DatabaseList::oids),
            Some(&[1, 7, 42][..])
        );
        let read_at = shared.epoch;
        shared.commit_ends();
        assert_ne!(
            shared.epoch, read_at,
            "the commit's end moves the epoch too"
        );

        // Routines that do not fit drop the database's list; so do too
        // many, and a prepare.
        let many: Vec<u32> = (1000..(1000 + CAPACITY as u32)).collect();
        shared.pre_commit(Some(key), 5, &many, false);
        shared.commit_ends();
        assert!(shared.list(key).is_none());
        let began = shared.scan_begins().expect("nothing committing");
        assert!(shared.publish(key, began, &[1]));
        shared.pre_commit(Some(key), 5, &[2], true);
        shared.commit_ends();
        assert!(shared.list(key).is_none());
        let began = shared.scan_begins().expect("nothing committing");
        assert!(shared.publish(key, began, &[1]));
        let other = Key {
            database: 6,
            extension: 9,
        };
        let began = shared.scan_begins().expect("nothing committing");
        assert!(shared.publish(other, began, &[3]));
        shared.prepared(5);
        assert!(shared.list(key).is_none());
        assert!(
            shared.list(other).is_some(),
            "another database keeps its list"
        );
        assert_eq!(shared.committing, 0);
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
