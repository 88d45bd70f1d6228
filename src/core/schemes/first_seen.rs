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

impl FirstSeen {
    /// A set for `expected` names (a hint; it grows past it as needed).
    pub fn with_expected(expected: usize) -> Self {
        let mut set = Self::default();
        if expected >= HASH_FROM {
            set.many = Some((HashTable::with_capacity(expected), RandomState::new()));
        }
        set
    }

    /// Records `name` under `handle` unless an equal name is recorded;
    /// true when the name is new. `name_of` gives the name of a handle
    /// recorded earlier.
    pub fn insert<'a>(
        &mut self,
        handle: u32,
        name: &str,
        name_of: impl Fn(u32) -> &'a str,
    ) -> bool {
        if self.many.is_none() {
            if self.few[..self.few_len].iter().any(|&h| name_of(h) == name) {
                return false;
            }
            if self.few_len < HASH_FROM {
                self.few[self.few_len] = handle;
                self.few_len += 1;
                return true;
            }
            self.start_hashing(&name_of);
        }
        let Some((table, hasher)) = self.many.as_mut() else {
            return false;
        };
        let hash = hasher.hash_one(name);
        if table.find(hash, |&h| name_of(h) == name).is_some() {
            return false;
        }
        table.insert_unique(hash, handle, |&h| hasher.hash_one(name_of(h)));
        true
    }

    fn start_hashing<'a>(&mut self, name_of: &impl Fn(u32) -> &'a str) {
        let hasher = RandomState::new();
        let mut table = HashTable::with_capacity(HASH_FROM * 2);
        for &h in &self.few[..self.few_len] {
            table.insert_unique(hasher.hash_one(name_of(h)), h, |&h| {
                hasher.hash_one(name_of(h))
            });
        }
        self.many = Some((table, hasher));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Handles are indices into `names`; returns the indices kept.
    fn kept(names: &[&str], expected: usize) -> Vec<u32> {
        let mut set = FirstSeen::with_expected(expected);
        (0..names.len() as u32)
            .filter(|&i| set.insert(i, names[i as usize], |h| names[h as usize]))
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
