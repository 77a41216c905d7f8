#![allow(unsafe_code)] // A GlobalAlloc implementation is unsafe by definition.

//! A global allocator wrapper that counts allocations made by threads while
//! they are marked as being on the hot path. trunkd installs it and marks its
//! real-time loop, so "the hot path never allocates" is a measured fact
//! (`hot_path_allocations` in the API's `status`), not a hope.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

thread_local! {
    static HOT: Cell<bool> = const { Cell::new(false) };
}

static HOT_ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

/// The system allocator, counting hot-path allocations.
pub struct CountingAllocator;

#[inline]
fn note() {
    if HOT.try_with(Cell::get).unwrap_or(false) {
        HOT_ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged, so `System`'s guarantees carry over; the bookkeeping touches only
// a const-initialised thread-local Cell and an atomic, neither of which
// allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Mark (or unmark) the current thread as being on the hot path.
pub fn set_hot(hot: bool) {
    let _ = HOT.try_with(|h| h.set(hot));
}

/// Allocations made so far by threads while marked hot (only counted when
/// [`CountingAllocator`] is the global allocator).
pub fn hot_allocations() -> u64 {
    HOT_ALLOCATIONS.load(Ordering::Relaxed)
}
