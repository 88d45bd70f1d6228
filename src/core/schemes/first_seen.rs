//! Which names were seen before, without keeping a copy of any name.
//!
//! The caller stores its names wherever it likes (a `Vec<String>`, or the
//! elements of a Postgres array read in place) and refers to each by a
//! `u32` handle; this set keeps handles only and asks the caller for a
//! handle's name when it must compare. A logout names a few schemes, which
//! a scan of the handles finds fastest; a long list switches to hashing.

use hashbrown::HashTable;
use std::hash::{BuildHasher, RandomState};

/// From this many names on, duplicates are found by hashing.
const HASH_FROM: usize = 16;

#[derive(Debug, Default, Clone)]
pub struct FirstSeen {
    /// The first names' handles, kept in place: no allocation for a
    /// short list.
    few: [u32; HASH_FROM],
    few_len: usize,
    many: Option<(HashTable<u32>, RandomState)>,
}

/// A set of names could not get the memory it needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfMemory;

impl FirstSeen {
    /// A set with room for `expected` names taken up front, fallibly: a
    /// caller sizes it by what it will hold, and a failed allocation is an
    /// error to report rather than an abort.
    pub fn try_with_expected(expected: usize) -> Result<Self, OutOfMemory> {
        let mut set = Self::default();
        if expected >= HASH_FROM {
            let hasher = RandomState::new();
            let mut table = HashTable::new();
            table
                .try_reserve(expected, |_: &u32| 0)
                .map_err(|_| OutOfMemory)?;
            set.many = Some((table, hasher));
        }
        Ok(set)
    }

    /// Records `name` under `handle` unless an equal name is recorded;
    /// true when the name is new. `name_of` gives the name of a handle
    /// recorded earlier. The set grows fallibly.
    pub fn insert<'a>(
        &mut self,
        handle: u32,
        name: &str,
        name_of: impl Fn(u32) -> &'a str,
    ) -> Result<bool, OutOfMemory> {
        if self.many.is_none() {
            if self.few[..self.few_len].iter().any(|&h| name_of(h) == name) {
                return Ok(false);
            }
            if self.few_len < HASH_FROM {
                self.few[self.few_len] = handle;
                self.few_len += 1;
                return Ok(true);
            }
            self.start_hashing(&name_of)?;
        }
        let Some((table, hasher)) = self.many.as_mut() else {
            return Ok(false);
        };
        let hash = hasher.hash_one(name);
        if table.find(hash, |&h| name_of(h) == name).is_some() {
            return Ok(false);
        }
        if table.len() == table.capacity() {
            table
                .try_reserve(table.len().max(HASH_FROM), |&h| hasher.hash_one(name_of(h)))
                .map_err(|_| OutOfMemory)?;
        }
        table.insert_unique(hash, handle, |&h| hasher.hash_one(name_of(h)));
        Ok(true)
    }

    fn start_hashing<'a>(&mut self, name_of: &impl Fn(u32) -> &'a str) -> Result<(), OutOfMemory> {
        let hasher = RandomState::new();
        let mut table = HashTable::new();
        table
            .try_reserve(HASH_FROM * 2, |_: &u32| 0)
            .map_err(|_| OutOfMemory)?;
        for &h in &self.few[..self.few_len] {
            table.insert_unique(hasher.hash_one(name_of(h)), h, |&h| {
                hasher.hash_one(name_of(h))
            });
        }
        self.many = Some((table, hasher));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Handles are indices into `names`; returns the indices kept.
    fn kept(names: &[&str], expected: usize) -> Vec<u32> {
        let mut set = FirstSeen::try_with_expected(expected).unwrap_or_default();
        (0..names.len() as u32)
            .filter(|&i| set.insert(i, names[i as usize], |h| names[h as usize]) == Ok(true))
            .collect()
    }

    #[test]
    fn keeps_the_first_of_equal_names() {
        let cases: &[(&[&str], &[u32])] = &[
            (&[], &[]),
            (&["a"], &[0]),
            (&["a", "a"], &[0]),
            (&["a", "b", "a", "b", "c"], &[0, 1, 4]),
            (&["A", "a"], &[0, 1]),
            (&["", ""], &[0]),
        ];
        for (names, expected) in cases {
            for hint in [0, 100] {
                assert_eq!(kept(names, hint), *expected, "names {names:?}, hint {hint}");
            }
        }
    }

    #[test]
    fn an_impossible_size_is_an_error_not_an_abort() {
        assert_eq!(
            FirstSeen::try_with_expected(usize::MAX / 2).map(|_| ()),
            Err(OutOfMemory)
        );
    }

    #[test]
    fn long_lists_agree_with_short_ones_across_the_switch() {
        let names: Vec<String> = (0..200).map(|i| format!("n{}", (i * 7) % 45)).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let expected: Vec<u32> = {
            let mut seen = std::collections::HashSet::new();
            (0..refs.len() as u32)
                .filter(|&i| seen.insert(refs[i as usize]))
                .collect()
        };
        for hint in [0, 15, 16, 17, 200, 10_000] {
            assert_eq!(kept(&refs, hint), expected, "hint {hint}");
        }
    }
}
