//! FNV-1a for the crate's fixed word tables (nicknames, pinyin, Wade–Giles, family names):
//! their keys are short and fixed at build, so the standard library's SipHash, made to keep
//! chosen keys from colliding in tables that grow with input, only costs time here.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a, 64 bits.
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A map of a fixed word table.
pub(crate) type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
/// A set of a fixed word table.
pub(crate) type FnvSet<K> = HashSet<K, BuildHasherDefault<Fnv>>;
