//! Union-find in 4 bytes per element: the root of a set is always its smallest member, so the
//! cluster id is read off without a second array (GraphSense's convention: cluster id =
//! smallest address id).

/// Disjoint sets over `0..n`.
#[derive(Clone, Debug)]
pub struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    /// `n` singletons.
    pub fn new(n: u32) -> UnionFind {
        UnionFind { parent: (0..n).collect() }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// True when there is no element.
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// Grows to `n` elements (new ones are singletons).
    pub fn grow(&mut self, n: u32) {
        let from = self.parent.len() as u32;
        self.parent.extend(from..n.max(from));
    }

    /// The smallest member of `x`'s set (path halving on the way).
    #[inline]
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    /// Joins the sets of `a` and `b`; returns whether they were apart. The larger root is linked
    /// under the smaller, keeping roots minimal.
    #[inline]
    pub fn union(&mut self, a: u32, b: u32) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[hi as usize] = lo;
        true
    }

    /// The cluster id (smallest member) of every element.
    pub fn roots(&mut self) -> Vec<u32> {
        // A parent is always smaller than its child, so one pass in id order resolves all.
        for i in 0..self.parent.len() {
            let p = self.parent[i] as usize;
            self.parent[i] = self.parent[p];
        }
        self.parent.clone()
    }

    /// Bytes per element.
    pub const BYTES_PER_ELEMENT: usize = 4;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_are_smallest_members() {
        let mut u = UnionFind::new(8);
        assert!(u.union(5, 3));
        assert!(u.union(7, 5));
        assert!(!u.union(3, 7));
        assert!(u.union(6, 1));
        assert!(u.union(6, 7));
        assert_eq!(u.roots(), vec![0, 1, 2, 1, 4, 1, 1, 1]);
        u.grow(10);
        assert_eq!(u.find(9), 9);
    }
}
