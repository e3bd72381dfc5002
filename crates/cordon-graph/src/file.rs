//! The graph file: a header and the columns, each 8-byte aligned, loaded by mmap without
//! copying. Written to a temporary file and renamed, so a crash never leaves half a graph.
//!
//! Layout (little-endian): `CORDONG1`, u64 nodes, u64 edges, u64 big, then `out_off`,
//! `out_dst`, `amt_lo`, `amt_hi`, `time`, `tx`, `in_off`, `in_src`, `in_edge`, and `big` as
//! (u64 edge, u64 low, u64 high) triples.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use crate::buf::Buf;
use crate::csr::Graph;
use crate::GraphError;

const MAGIC: &[u8; 8] = b"CORDONG1";

fn pad(w: &mut impl Write, written: &mut usize) -> std::io::Result<()> {
    let rem = *written % 8;
    if rem != 0 {
        w.write_all(&[0u8; 8][..8 - rem])?;
        *written += 8 - rem;
    }
    Ok(())
}

fn column<T: bytemuck::Pod>(w: &mut impl Write, written: &mut usize, col: &[T]) -> std::io::Result<()> {
    let bytes: &[u8] = bytemuck::cast_slice(col);
    w.write_all(bytes)?;
    *written += bytes.len();
    pad(w, written)
}

impl Graph {
    /// Writes the graph to `path` (atomically: a temporary file renamed over it).
    pub fn save(&self, path: &Path) -> Result<(), GraphError> {
        let io = |source| GraphError::Io {
            path: path.to_path_buf(),
            source,
        };
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
        {
            let mut w = BufWriter::with_capacity(1 << 20, tmp.as_file());
            let mut n = 0usize;
            w.write_all(MAGIC).map_err(io)?;
            for v in [self.nodes as u64, self.edges() as u64, self.big.len() as u64] {
                w.write_all(&v.to_le_bytes()).map_err(io)?;
            }
            n += 32;
            column(&mut w, &mut n, &self.out_off).map_err(io)?;
            column(&mut w, &mut n, &self.out_dst).map_err(io)?;
            column(&mut w, &mut n, &self.amt_lo).map_err(io)?;
            column(&mut w, &mut n, &self.amt_hi).map_err(io)?;
            column(&mut w, &mut n, &self.time).map_err(io)?;
            column(&mut w, &mut n, &self.tx).map_err(io)?;
            column(&mut w, &mut n, &self.in_off).map_err(io)?;
            column(&mut w, &mut n, &self.in_src).map_err(io)?;
            column(&mut w, &mut n, &self.in_edge).map_err(io)?;
            let big: Vec<u64> = self.big.iter().flat_map(|&(e, a)| [e as u64, a as u64, (a >> 64) as u64]).collect();
            column(&mut w, &mut n, &big).map_err(io)?;
            w.flush().map_err(io)?;
        }
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(path).map_err(|e| io(e.error))?;
        Ok(())
    }

    /// Opens a graph file by mapping it into memory: nothing is read until used.
    pub fn open(path: &Path) -> Result<Graph, GraphError> {
        let io = |source| GraphError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let map = Arc::new(map_file(&file).map_err(io)?);
        let bad = |what: String| GraphError::Corrupt {
            path: path.to_path_buf(),
            what,
        };
        if map.len() < 32 || &map[..8] != MAGIC {
            return Err(bad("not a Cordon graph file (bad magic)".into()));
        }
        let word = |i: usize| u64::from_le_bytes(map[8 + 8 * i..16 + 8 * i].try_into().expect("8 bytes"));
        let (nodes, edges, nbig) = (word(0), word(1), word(2));
        if nodes > u32::MAX as u64 || edges >= u32::MAX as u64 {
            return Err(bad(format!("{nodes} nodes and {edges} edges are out of range")));
        }
        let (n1, m) = (nodes as usize + 1, edges as usize);
        let mut at = 32usize;
        let mut take = |count: usize, size: usize| -> Result<(usize, usize), GraphError> {
            let bytes = count.checked_mul(size).ok_or_else(|| bad("column size overflows".into()))?;
            let start = at;
            let end = start.checked_add(bytes).ok_or_else(|| bad("column size overflows".into()))?;
            if end > map.len() {
                return Err(bad(format!("truncated: a column ends at byte {end}, the file has {}", map.len())));
            }
            at = end.div_ceil(8) * 8;
            Ok((start, count))
        };
        let sections = [
            take(n1, 8)?,
            take(m, 4)?,
            take(m, 8)?,
            take(m, 4)?,
            take(m, 4)?,
            take(m, 4)?,
            take(n1, 8)?,
            take(m, 4)?,
            take(m, 4)?,
            take(nbig as usize, 24)?,
        ];
        let buf64 = |(offset, len): (usize, usize)| Buf::<u64>::Mapped { map: map.clone(), offset, len };
        let buf32 = |(offset, len): (usize, usize)| Buf::<u32>::Mapped { map: map.clone(), offset, len };
        let (bo, bl) = sections[9];
        let raw: &[u64] = bytemuck::cast_slice(&map[bo..bo + bl * 24]);
        let big = raw.chunks_exact(3).map(|c| (c[0] as u32, (c[1] as u128) | ((c[2] as u128) << 64))).collect();
        let g = Graph {
            nodes: nodes as u32,
            out_off: buf64(sections[0]),
            out_dst: buf32(sections[1]),
            amt_lo: buf64(sections[2]),
            amt_hi: buf32(sections[3]),
            time: buf32(sections[4]),
            tx: buf32(sections[5]),
            in_off: buf64(sections[6]),
            in_src: buf32(sections[7]),
            in_edge: buf32(sections[8]),
            big,
        };
        // Cheap consistency checks, so a damaged file fails here and not mid-traversal.
        if g.out_off[0] != 0 || g.out_off[n1 - 1] != edges || g.in_off[n1 - 1] != edges {
            return Err(bad("offsets do not add up to the edge count".into()));
        }
        Ok(g)
    }
}

/// Maps a file read-only.
#[allow(unsafe_code)]
fn map_file(file: &std::fs::File) -> std::io::Result<memmap2::Mmap> {
    // SAFETY: the mapping is read-only and Cordon never writes graph files in place (saves go
    // to a new file renamed over the old one), so the mapped bytes do not change under us
    // unless another program truncates the file, which the memmap2 contract excludes.
    unsafe { memmap2::Mmap::map(file) }
}

#[cfg(test)]
mod tests {
    use crate::csr::{EdgeList, Graph};

    #[test]
    fn save_and_open_round_trip() {
        let mut e = EdgeList::default();
        for i in 0..1000u32 {
            e.push(i % 37, (i * 13) % 41, (i as u128) << (i % 120), i * 3, i);
        }
        let g = Graph::build(41, &e).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.cgr");
        g.save(&p).unwrap();
        let h = Graph::open(&p).unwrap();
        assert_eq!(h.heap_bytes(), h.big.capacity() * 32);
        assert_eq!(h.edges(), 1000);
        let (a, b) = (g.to_edge_list(), h.to_edge_list());
        assert_eq!((a.src, a.dst, a.amount, a.time, a.tx), (b.src, b.dst, b.amount, b.time, b.tx));
        for v in 0..41 {
            assert_eq!(g.in_edges(v).collect::<Vec<_>>(), h.in_edges(v).collect::<Vec<_>>());
        }
        // A truncated file is refused with a reason.
        let bytes = std::fs::read(&p).unwrap();
        std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
        let err = Graph::open(&p).err().unwrap().to_string();
        assert!(err.contains("truncated"), "{err}");
        std::fs::write(&p, b"hello").unwrap();
        assert!(Graph::open(&p).is_err());
    }
}
