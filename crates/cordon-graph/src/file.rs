//! The graph file: a header and the columns, each 8-byte aligned, loaded by mmap without
//! copying. Written to a temporary file and renamed, so a crash never leaves half a graph.
//!
//! Layout (little-endian): `CORDONG2`, u64 nodes, u64 edges, u64 big, u64 time runs, then
//! `src`, `dst`, `amt_lo`, `amt_hi`, `time_lo`, `tx`, `out_off`, `out_edge`, `in_off`,
//! `in_edge`, the time runs as (u32 first edge, u32 high bits) pairs, and `big` as (u64 edge,
//! u64 low, u64 high) triples. Files of the first layout (`CORDONG1`) are refused as such; the
//! chain store rebuilds them from its committed edges.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use crate::buf::Buf;
use crate::csr::Graph;
use crate::GraphError;

const MAGIC: &[u8; 8] = b"CORDONG2";

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
            for v in [self.nodes as u64, self.edges() as u64, self.big.len() as u64, self.time_hi.len() as u64] {
                w.write_all(&v.to_le_bytes()).map_err(io)?;
            }
            n += 40;
            column(&mut w, &mut n, &self.src).map_err(io)?;
            column(&mut w, &mut n, &self.dst).map_err(io)?;
            column(&mut w, &mut n, &self.amt_lo).map_err(io)?;
            column(&mut w, &mut n, &self.amt_hi).map_err(io)?;
            column(&mut w, &mut n, &self.time_lo).map_err(io)?;
            column(&mut w, &mut n, &self.tx).map_err(io)?;
            column(&mut w, &mut n, &self.out_off).map_err(io)?;
            column(&mut w, &mut n, &self.out_edge).map_err(io)?;
            column(&mut w, &mut n, &self.in_off).map_err(io)?;
            column(&mut w, &mut n, &self.in_edge).map_err(io)?;
            let runs: Vec<u32> = self.time_hi.iter().flat_map(|&(e, h)| [e, h]).collect();
            column(&mut w, &mut n, &runs).map_err(io)?;
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
        if map.len() >= 8 && &map[..8] == b"CORDONG1" {
            return Err(bad("a graph file of an older layout (CORDONG1); rebuild it from the edges".into()));
        }
        if map.len() < 40 || &map[..8] != MAGIC {
            return Err(bad("not a Cordon graph file (bad magic)".into()));
        }
        let word = |i: usize| u64::from_le_bytes(map[8 + 8 * i..16 + 8 * i].try_into().expect("8 bytes"));
        let (nodes, edges, nbig, nruns) = (word(0), word(1), word(2), word(3));
        if nruns > 1 << 16 || (edges > 0 && nruns == 0) {
            return Err(bad(format!("{nruns} time runs for {edges} edges")));
        }
        if nodes > u32::MAX as u64 || edges >= u32::MAX as u64 {
            return Err(bad(format!("{nodes} nodes and {edges} edges are out of range")));
        }
        let (n1, m) = (nodes as usize + 1, edges as usize);
        let mut at = 40usize;
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
            take(m, 4)?,
            take(m, 4)?,
            take(m, 8)?,
            take(m, 2)?,
            take(m, 2)?,
            take(m, 4)?,
            take(n1, 8)?,
            take(m, 4)?,
            take(n1, 8)?,
            take(m, 4)?,
            take(nruns as usize * 2, 4)?,
            take(nbig as usize, 24)?,
        ];
        let buf64 = |(offset, len): (usize, usize)| Buf::<u64>::Mapped { map: map.clone(), offset, len };
        let buf32 = |(offset, len): (usize, usize)| Buf::<u32>::Mapped { map: map.clone(), offset, len };
        let buf16 = |(offset, len): (usize, usize)| Buf::<u16>::Mapped { map: map.clone(), offset, len };
        let (ro, rl) = sections[10];
        let runs: &[u32] = bytemuck::cast_slice(&map[ro..ro + rl * 4]);
        let time_hi: Vec<(u32, u32)> = runs.chunks_exact(2).map(|c| (c[0], c[1])).collect();
        let run_at = crate::csr::runs_by_block(&time_hi, m);
        let (bo, bl) = sections[11];
        let raw: &[u64] = bytemuck::cast_slice(&map[bo..bo + bl * 24]);
        let big = raw.chunks_exact(3).map(|c| (c[0] as u32, (c[1] as u128) | ((c[2] as u128) << 64))).collect();
        let g = Graph {
            nodes: nodes as u32,
            src: buf32(sections[0]),
            dst: buf32(sections[1]),
            amt_lo: buf64(sections[2]),
            amt_hi: buf16(sections[3]),
            time_lo: buf16(sections[4]),
            tx: buf32(sections[5]),
            time_hi,
            run_at,
            out_off: buf64(sections[6]),
            out_edge: buf32(sections[7]),
            in_off: buf64(sections[8]),
            in_edge: buf32(sections[9]),
            big,
        };
        // Cheap consistency checks, so a damaged file fails here and not mid-traversal.
        if g.out_off[0] != 0 || g.out_off[n1 - 1] != edges || g.in_off[n1 - 1] != edges {
            return Err(bad("offsets do not add up to the edge count".into()));
        }
        if g.time_hi.first().is_some_and(|&(e, _)| e != 0)
            || g.time_hi.last().is_some_and(|&(e, _)| e as u64 >= edges)
            || g.time_hi.windows(2).any(|w| w[0].0 >= w[1].0 || w[0].1 >= w[1].1)
        {
            return Err(bad("time runs out of order".into()));
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
            e.push(i % 37, (i * 13) % 41, (i as u128) << (i % 120), i * 1000, i);
        }
        let g = Graph::build(41, &e).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.cgr");
        g.save(&p).unwrap();
        let h = Graph::open(&p).unwrap();
        assert_eq!(h.heap_bytes(), h.big.capacity() * 32 + h.time_hi.capacity() * 8 + h.run_at.capacity() * 4);
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
