//! A column that is either owned or a view into a mapped graph file.

use std::ops::Deref;
use std::sync::Arc;

/// A slice of plain values, owned or borrowed from a memory-mapped file.
pub(crate) enum Buf<T: bytemuck::Pod> {
    Owned(Vec<T>),
    Mapped { map: Arc<memmap2::Mmap>, offset: usize, len: usize },
}

impl<T: bytemuck::Pod> Deref for Buf<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match self {
            Buf::Owned(v) => v,
            // Offsets were checked for alignment and bounds when the file was opened.
            Buf::Mapped { map, offset, len } => bytemuck::cast_slice(&map[*offset..*offset + len * std::mem::size_of::<T>()]),
        }
    }
}

impl<T: bytemuck::Pod> From<Vec<T>> for Buf<T> {
    fn from(v: Vec<T>) -> Self {
        Buf::Owned(v)
    }
}

impl<T: bytemuck::Pod> Buf<T> {
    /// Bytes held in memory (a mapped column is paged in by the OS on use and counted as 0).
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            Buf::Owned(v) => v.capacity() * std::mem::size_of::<T>(),
            Buf::Mapped { .. } => 0,
        }
    }
}
