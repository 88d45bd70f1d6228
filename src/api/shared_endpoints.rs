//! `endpoints()` rows shared between backends, when the library is in
//! `shared_preload_libraries` and `npgsqlrest_logout.shared_endpoints_memory`
//! gives them room. A row is built once, by whichever backend first needs
//! it, and every other backend copies it out instead of parsing the
//! comment again and keeping a copy of its own: a backend then holds only
//! a small reference per routine.
//!
//! An entry is found by a 128-bit keyed hash (SipHash, with keys drawn when
//! the server starts) of everything the row is made of: the routine as the
//! catalog describes it (signature, names, parameters, comment...), the
//! settings that shape endpoints and the database encoding. So an entry is
//! never stale and needs no invalidation: a routine that changes hashes to
//! another entry, and a backend finds only the rows of routines it has
//! read itself. Entries of routines that changed stay until the memory is
//! full; then every entry is dropped at once, and backends build and share
//! again the rows they miss.
//!
//! Layout of the memory: a table of slots (key, offset, length), open
//! addressing with linear probing, then the entries, written one after the
//! other. One `LWLock`: shared to read, exclusive to add or to clear.

use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use pgrx::{pg_guard, pg_shmem_init, pg_sys, PGRXSharedMemory, PgLwLock};

/// A row's key: a 128-bit hash of what it is made of.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RowKey([u64; 2]);

#[derive(Clone, Copy)]
pub struct Header {
    /// The hash keys, drawn when the server starts.
    keys: [u64; 4],
    /// Bytes of entries written.
    used: usize,
    /// Entries written.
    entries: usize,
    /// Times every entry was dropped for room.
    clears: u64,
}

// SAFETY: plain numbers, the same in every process.
unsafe impl PGRXSharedMemory for Header {}

static HEADER: PgLwLock<Header> =
    // SAFETY: a static initialised by pg_shmem_init! in _PG_init.
    unsafe { PgLwLock::new(c"npgsqlrest_logout endpoint rows") };

/// The slots and entries, in shared memory; null when there are none.
static BLOCK: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());
static BLOCK_SIZE: AtomicUsize = AtomicUsize::new(0);

/// One slot: an entry's key, and where it is (from the block's start; 0
/// for a free slot, as the entries come after the slots).
#[repr(C)]
#[derive(Clone, Copy)]
struct Slot {
    key: [u64; 2],
    offset: u32,
    len: u32,
}

/// How the block is cut: `slots` slots (a power of two), then the entries.
#[derive(Clone, Copy)]
struct Layout {
    slots: usize,
    data_start: usize,
    size: usize,
}

impl Layout {
    fn of(size: usize) -> Self {
        // One slot per 256 to 512 bytes (5 to 10 % of the memory): a row
        // takes about 1.2 kB, so the bytes run out before the slots.
        let slots = (size / 512).max(64).next_power_of_two();
        Layout {
            slots,
            data_start: slots * std::mem::size_of::<Slot>(),
            size,
        }
    }

    /// Entries the table takes before it is cleared: three quarters of
    /// its slots, so that probing stays short.
    fn max_entries(&self) -> usize {
        self.slots / 4 * 3
    }
}

/// Asks for the shared memory when the library is being preloaded with
/// `shared_endpoints_memory` above 0; called from `_PG_init`, after the
/// settings are defined.
pub fn register() {
    // SAFETY: reads a flag the postmaster sets while it preloads.
    if !unsafe { pg_sys::process_shared_preload_libraries_in_progress } {
        return;
    }
    let size = super::settings::shared_endpoints_bytes();
    if size == 0 {
        return;
    }
    BLOCK_SIZE.store(size, Ordering::Relaxed);
    // SAFETY: called from _PG_init while preloading, once.
    unsafe { super::pg_compat::request_shared_memory(size) };
    pg_shmem_init!(
        HEADER = {
            create_block();
            let draw = std::collections::hash_map::RandomState::new();
            Header {
                keys: [1u8, 2, 3, 4].map(|i| draw.hash_one(i)),
                used: 0,
                entries: 0,
                clears: 0,
            }
        }
    );
}

/// Makes (or, in a process that did not, finds) the block, its slots free.
fn create_block() {
    let size = BLOCK_SIZE.load(Ordering::Relaxed);
    let layout = Layout::of(size);
    // SAFETY: the shared memory startup hook, where ShmemInitStruct may be
    // called under AddinShmemInitLock (main LWLock 21, as pgrx takes it).
    unsafe {
        let init_lock = &raw mut (*pg_sys::MainLWLockArray.add(21)).lock;
        pg_sys::LWLockAcquire(init_lock, pg_sys::LWLockMode::LW_EXCLUSIVE);
        let mut found = false;
        let block = pg_sys::ShmemInitStruct(
            c"npgsqlrest_logout endpoint row data".as_ptr(),
            size,
            &mut found,
        )
        .cast::<u8>();
        if !found {
            std::ptr::write_bytes(block, 0, layout.data_start);
        }
        BLOCK.store(block, Ordering::Relaxed);
        pg_sys::LWLockRelease(init_lock);
    }
}

/// The block and its layout, when this server has one.
fn block() -> Option<(*mut u8, Layout)> {
    let block = BLOCK.load(Ordering::Relaxed);
    (!block.is_null()).then(|| (block, Layout::of(BLOCK_SIZE.load(Ordering::Relaxed))))
}

thread_local! {
    static KEYS: std::cell::Cell<Option<[u64; 4]>> = const { std::cell::Cell::new(None) };
}

/// Feeds two keyed SipHash-2-4 states at once: 128 bits in one pass.
#[allow(deprecated)]
struct TwoSip(std::hash::SipHasher, std::hash::SipHasher);

impl Hasher for TwoSip {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
        self.1.write(bytes);
    }

    fn finish(&self) -> u64 {
        self.0.finish()
    }
}

/// The key of a row made of `parts`, when rows are shared.
#[allow(deprecated)]
pub fn key_of(parts: &impl Hash) -> Option<RowKey> {
    block()?;
    let keys = KEYS.with(|k| {
        k.get().unwrap_or_else(|| {
            let keys = HEADER.share().keys;
            k.set(Some(keys));
            keys
        })
    });
    let mut both = TwoSip(
        std::hash::SipHasher::new_with_keys(keys[0], keys[1]),
        std::hash::SipHasher::new_with_keys(keys[2], keys[3]),
    );
    parts.hash(&mut both);
    Some(RowKey([both.0.finish(), both.1.finish()]))
}

/// The slot index of `key`, or of the free slot where it would go.
///
/// # Safety
/// `block` is the block of `layout`, under the lock.
unsafe fn probe(block: *const u8, layout: Layout, key: RowKey) -> (usize, Option<Slot>) {
    let slots = block.cast::<Slot>();
    let mask = layout.slots - 1;
    let mut i = key.0[0] as usize & mask;
    for _ in 0..layout.slots {
        // SAFETY: i < layout.slots, inside the slot table.
        let slot = unsafe { slots.add(i).read() };
        if slot.offset == 0 {
            return (i, None);
        }
        if slot.key == key.0 {
            return (i, Some(slot));
        }
        i = (i + 1) & mask;
    }
    (usize::MAX, None)
}

/// Calls `read` with the entry of `key`, under the shared lock; None when
/// there is none (never added, or dropped for room).
pub fn read<R>(key: RowKey, read: impl FnOnce(&[u8]) -> R) -> Option<R> {
    let (block, layout) = block()?;
    let header = HEADER.share();
    // SAFETY: the block of this layout, under the lock.
    let (_, slot) = unsafe { probe(block, layout, key) };
    let slot = slot?;
    let (start, len) = (slot.offset as usize, slot.len as usize);
    if start < layout.data_start || start + len > layout.data_start + header.used {
        return None;
    }
    // SAFETY: inside the written entries, which do not change while the
    // shared lock is held.
    let bytes = unsafe { std::slice::from_raw_parts(block.add(start), len) };
    Some(read(bytes))
}

/// Adds the entry of `key`, unless it is there; when the memory is full,
/// first drops every entry. False when it is not kept: no shared memory,
/// or an entry larger than all of it.
pub fn add(key: RowKey, bytes: &[u8]) -> bool {
    let Some((block, layout)) = block() else {
        return false;
    };
    let room = layout.size - layout.data_start;
    let Ok(len) = u32::try_from(bytes.len()) else {
        return false;
    };
    let need = bytes.len().next_multiple_of(8);
    if bytes.is_empty() || need > room {
        return false;
    }
    let mut header = HEADER.exclusive();
    // SAFETY: the block of this layout, under the exclusive lock.
    unsafe {
        if probe(block, layout, key).1.is_some() {
            return true;
        }
        if header.used + need > room || header.entries + 1 > layout.max_entries() {
            std::ptr::write_bytes(block, 0, layout.data_start);
            header.used = 0;
            header.entries = 0;
            header.clears += 1;
        }
        let (i, _) = probe(block, layout, key);
        if i == usize::MAX {
            return false;
        }
        let start = layout.data_start + header.used;
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), block.add(start), bytes.len());
        block.cast::<Slot>().add(i).write(Slot {
            key: key.0,
            offset: start as u32,
            len,
        });
        header.used += need;
        header.entries += 1;
    }
    true
}

/// What the shared `endpoints()` rows take: entries, the bytes they use,
/// the bytes there are (`shared_endpoints_memory` less the slot table),
/// and how many times every entry was dropped for room. No row when rows
/// are not shared.
#[pgrx::pg_extern(volatile, parallel_safe)]
fn shared_endpoints_usage() -> pgrx::iter::TableIterator<
    'static,
    (
        pgrx::name!(entries, i64),
        pgrx::name!(used_bytes, i64),
        pgrx::name!(size_bytes, i64),
        pgrx::name!(clears, i64),
    ),
> {
    let usage = block().map(|(_, layout)| {
        let header = HEADER.share();
        let number = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        (
            number(header.entries),
            number(header.used),
            number(layout.size - layout.data_start),
            i64::try_from(header.clears).unwrap_or(i64::MAX),
        )
    });
    pgrx::iter::TableIterator::new(usage)
}

#[cfg(any(test, feature = "pg_test"))]
#[pgrx::pg_schema]
mod tests {
    use pgrx::prelude::*;

    #[pg_test]
    fn without_preloading_nothing_is_shared() {
        assert_eq!(
            Spi::get_one::<i64>("select count(*) from shared_endpoints_usage()"),
            Ok(Some(0))
        );
        // A server-start setting exists only when the postmaster preloaded
        // the library (scripts/preload_test.sh shows it there).
        assert_eq!(
            Spi::get_one::<String>(
                "select current_setting('npgsqlrest_logout.shared_endpoints_memory', true)"
            ),
            Ok(None)
        );
    }

    #[test]
    fn the_slot_table_is_a_power_of_two_below_the_size() {
        for mb in [1, 2, 64, 256, 2048] {
            let layout = super::Layout::of(mb << 20);
            assert!(layout.slots.is_power_of_two(), "{mb} MB");
            assert!(layout.data_start < layout.size / 8, "{mb} MB");
            // Rows of 1 kB fill the bytes before the slots.
            assert!(layout.max_entries() * 1024 >= layout.size, "{mb} MB");
            // Every offset fits the slot's 32 bits.
            assert!(layout.size - 1 <= u32::MAX as usize, "{mb} MB");
        }
    }
}
