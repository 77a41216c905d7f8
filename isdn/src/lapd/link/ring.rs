//! A FIFO of fixed capacity whose slots are allocated once and reused in place.

use core::fmt;

/// Fixed-capacity FIFO. Slots are filled in place (`push_back` hands out the
/// slot to write), so large elements are never moved and nothing allocates
/// after [`Ring::new`].
pub(super) struct Ring<T> {
    slots: Box<[T]>,
    head: usize,
    len: usize,
}

impl<T: Clone + Default> Ring<T> {
    /// A ring of `capacity` (at least 1) default-initialised slots.
    pub(super) fn new(capacity: usize) -> Self {
        Ring {
            slots: vec![T::default(); capacity.max(1)].into_boxed_slice(),
            head: 0,
            len: 0,
        }
    }
}

impl<T> Ring<T> {
    fn index(&self, i: usize) -> usize {
        (self.head + i) % self.slots.len()
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The `i`-th element from the front.
    pub(super) fn get(&self, i: usize) -> Option<&T> {
        if i < self.len {
            self.slots.get(self.index(i))
        } else {
            None
        }
    }

    pub(super) fn front(&self) -> Option<&T> {
        self.get(0)
    }

    /// Append an element and return its slot (holding stale contents) for
    /// the caller to overwrite; `None` when full.
    pub(super) fn push_back(&mut self) -> Option<&mut T> {
        if self.len == self.slots.len() {
            return None;
        }
        let i = self.index(self.len);
        self.len += 1;
        self.slots.get_mut(i)
    }

    /// Remove the front element and return it; the slot is not reused
    /// until the next `push_back`, which needs `&mut self`.
    pub(super) fn pop_front_ref(&mut self) -> Option<&T> {
        if self.len == 0 {
            return None;
        }
        let i = self.head;
        self.head = self.index(1);
        self.len -= 1;
        self.slots.get(i)
    }

    /// Remove up to `n` elements from the front.
    pub(super) fn drop_front(&mut self, n: usize) {
        let n = n.min(self.len);
        self.head = self.index(n);
        self.len -= n;
    }

    /// Keep only the first `n` elements.
    pub(super) fn truncate(&mut self, n: usize) {
        self.len = self.len.min(n);
    }

    pub(super) fn clear(&mut self) {
        self.len = 0;
    }
}

impl<T> fmt::Debug for Ring<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ring")
            .field("len", &self.len)
            .field("capacity", &self.slots.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::Ring;

    #[test]
    fn fifo_wraps_in_place() {
        let mut r: Ring<u32> = Ring::new(3);
        for round in 0..10u32 {
            *r.push_back().unwrap() = round;
            *r.push_back().unwrap() = round + 100;
            assert_eq!(r.front(), Some(&round));
            assert_eq!(r.get(1), Some(&(round + 100)));
            assert_eq!(r.get(2), None);
            r.drop_front(1);
            assert_eq!(r.front(), Some(&(round + 100)));
            r.drop_front(5);
            assert_eq!(r.len(), 0);
        }
        for i in 0..3 {
            *r.push_back().unwrap() = i;
        }
        assert!(r.push_back().is_none());
        r.truncate(1);
        assert_eq!(r.len(), 1);
        assert_eq!(r.front(), Some(&0));
        r.clear();
        assert!(r.front().is_none());
    }
}
