//! The hot-path allocation counter counts what it should, and only that.

use trunk_driver_sys::alloc_check::{hot_allocations, set_hot, CountingAllocator};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

#[test]
fn counts_only_marked_threads() {
    let before = hot_allocations();
    let cold: Vec<u8> = Vec::with_capacity(64);
    assert_eq!(hot_allocations(), before, "unmarked allocation was counted");
    set_hot(true);
    let hot: Vec<u8> = Vec::with_capacity(64);
    let text = format!("{}", 42);
    set_hot(false);
    assert!(
        hot_allocations() >= before + 2,
        "marked allocations were not counted"
    );
    let after = hot_allocations();
    std::thread::spawn(|| drop(vec![0u8; 128])).join().unwrap();
    assert_eq!(
        hot_allocations(),
        after,
        "another thread's allocation was counted"
    );
    drop((cold, hot, text));
}
