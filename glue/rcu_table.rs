// SPDX-License-Identifier: GPL-2.0

//! An RCU hash table of slab-allocated items, with striped bucket locks.
//!
//! Readers find items without locks, under an RCU read guard. Inserts and removals take
//! the spinlock of the item's stripe, with softirqs off (the packet path runs in softirq,
//! and also in process context with iptables-nft). A removed item is kept until a grace
//! period has passed and only then handed to its owner for the last time and freed, so
//! every reader that found it before its removal (and updated it) is done by then.
//!
//! A resize moves items stripe by stripe into a new bucket array while readers go on:
//! the stripe of a hash does not depend on the number of buckets (always a multiple of
//! [`STRIPES`]), so one stripe lock covers the hash in the old and in the new array.

use super::bh::BhDisabled;
use super::bucket::bucket_index;
use super::kmem_cache::KmemCache;
use super::rcu::{self, GracePeriod, ReadGuard, ReadSection};
use super::sched;
use core::num::NonZeroUsize;
use core::ops::Range;
use core::pin::Pin;
use core::ptr::{null_mut, NonNull};
use core::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use kernel::init::pin_init_array_from_fn;
use kernel::prelude::*;
use kernel::sync::lock::{mutex::MutexBackend, Guard};
use kernel::sync::Arc;
use kernel::sync::{new_mutex, new_spinlock, Mutex, SpinLock};

/// Number of bucket locks; bucket counts are multiples of it.
pub(crate) const STRIPES: usize = 256;

/// `n` rounded up to a usable bucket count (a non-zero multiple of [`STRIPES`]).
pub(crate) fn round_buckets(n: usize) -> usize {
    n.max(1).div_ceil(STRIPES).saturating_mul(STRIPES)
}

/// The stripe of a hash: its top bits, whatever the bucket count (see module doc).
fn stripe_of(hash: u32) -> usize {
    // The top 8 bits: < 256 = STRIPES, a valid index into the stripe locks.
    (hash >> 24) as usize
}

/// An item that carries the hash it is filed under: kept in the item, the hash can use
/// the item's padding instead of growing every node by a word.
pub(crate) trait Hashed {
    /// The item's hash. If it changes while the item is in a table, lookups may miss
    /// the item; nothing worse.
    fn hash(&self) -> u32;
}

/// A table entry: the item and its chain link.
pub(crate) struct Node<T> {
    /// Next node of the bucket chain, or of the retired list once removed.
    next: AtomicPtr<Node<T>>,
    item: T,
}

/// Bytes of slab memory one node of `T` takes (its slab object size).
pub(crate) const fn node_size<T>() -> usize {
    size_of::<Node<T>>()
}

/// The slab cache of a table's nodes.
pub(crate) type NodeCache<T> = KmemCache<Node<T>>;

/// A bucket array.
struct Buckets<T> {
    heads: KVVec<AtomicPtr<Node<T>>>,
}

impl<T> Buckets<T> {
    fn new(len: usize) -> Result<KBox<Self>> {
        // A big array comes from vmalloc, whose failure would dump a stack trace: running
        // out of memory for a resize is an error returned to the writer, not a kernel bug.
        // Charged to the memory cgroup of the task that sizes the table (`hashsize`).
        let mut heads = KVVec::with_capacity(len, GFP_KERNEL_ACCOUNT | __GFP_NOWARN)?;
        for i in 0..len {
            heads.push(AtomicPtr::new(null_mut()), GFP_KERNEL)?;
            // 2^26 buckets take seconds (more under KASAN): let others run meanwhile.
            if i % 65536 == 65535 {
                sched::cond_resched();
            }
        }
        Ok(KBox::new(Self { heads }, GFP_KERNEL)?)
    }

    fn head(&self, hash: u32) -> &AtomicPtr<Node<T>> {
        // bucket_index(_, n) < n, and n >= STRIPES > 0 (round_buckets): in bounds.
        &self.heads[bucket_index(hash, self.heads.len())]
    }

    /// Buckets of `stripe`: hashes of one stripe fall into one contiguous range.
    fn stripe_range(&self, stripe: usize) -> Range<usize> {
        // STRIPES is a nonzero constant; stripe < STRIPES and len = STRIPES * per, so
        // (stripe + 1) * per <= len: no overflow, and the range is in bounds.
        let per = self.heads.len() / STRIPES;
        stripe * per..(stripe + 1) * per
    }
}

/// Items removed from the table, waiting for readers to be done with them.
struct Retired<T> {
    /// Removed since the last grace period started.
    collecting: *mut Node<T>,
    /// Removed before `grace` started.
    waiting: *mut Node<T>,
    grace: Option<GracePeriod>,
}

// SAFETY: the lists are owned nodes of `T: Send`, reached only under the table's mutex.
unsafe impl<T: Send> Send for Retired<T> {}

/// A place in a walk over a table ([`RcuTable::visit`]): a bucket, and how many items of
/// its chain come before.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub(crate) struct Position {
    /// The bucket, an index into the bucket array.
    pub(crate) bucket: usize,
    /// Items of the bucket's chain before this one.
    pub(crate) index: usize,
}

/// What [`RcuTable::find_or_insert`] did.
pub(crate) enum Entry<'g, T> {
    /// The item was there already.
    Found(&'g T),
    /// A new item was inserted.
    Inserted(&'g T),
    /// `make` declined to create an item.
    Refused,
    /// No memory for a new item.
    NoMemory,
}

/// An RCU hash table of `T`; see the module documentation.
///
/// # Invariants
///
/// - `current` points to a live `Buckets` (from `KBox::into_raw`); `next` is null or
///   points to the live `Buckets` a resize is moving stripes `0..migrated` into.
/// - Every node reachable from a bucket or from `maint`'s lists was allocated from `cache`
///   and is freed only after it was unlinked and a grace period passed (or in `drop`).
/// - A bucket chain is modified only under the lock of its stripe, softirqs off.
/// - A node sits in a bucket of the stripe whose lock it was inserted under (the stripe
///   of its `hash()` then), whatever `hash()` returns later.
pub(crate) struct RcuTable<T: Send + Sync + Hashed> {
    cache: Arc<NodeCache<T>>,
    stripes: Pin<KBox<[SpinLock<()>; STRIPES]>>,
    current: AtomicPtr<Buckets<T>>,
    next: AtomicPtr<Buckets<T>>,
    migrated: AtomicUsize,
    maint: Pin<KBox<Mutex<Retired<T>>>>,
}

impl<T: Send + Sync + Hashed> RcuTable<T> {
    /// Creates a table of `buckets` buckets (rounded with [`round_buckets`]) whose nodes
    /// come from `cache` (which tables may share). Sleeps.
    pub(crate) fn new(cache: Arc<NodeCache<T>>, buckets: usize) -> Result<Self> {
        let stripes = KBox::pin_init(
            pin_init_array_from_fn(|_| new_spinlock!((), "netflow_stripe")),
            GFP_KERNEL,
        )?;
        let maint = KBox::pin_init(
            new_mutex!(
                Retired {
                    collecting: null_mut(),
                    waiting: null_mut(),
                    grace: None,
                },
                "netflow_maint"
            ),
            GFP_KERNEL,
        )?;
        let current = KBox::into_raw(Buckets::new(round_buckets(buckets))?);
        // INVARIANT: `current` is a fresh bucket array, no resize is running.
        Ok(Self {
            cache,
            stripes,
            current: AtomicPtr::new(current),
            next: AtomicPtr::new(null_mut()),
            migrated: AtomicUsize::new(0),
            maint,
        })
    }

    /// The bucket array that holds `stripe` now: during a resize, stripes already moved
    /// live in the new array.
    fn buckets_for(&self, stripe: usize) -> &Buckets<T> {
        let next = self.next.load(Ordering::Acquire);
        let ptr = if !next.is_null() && stripe < self.migrated.load(Ordering::Acquire) {
            next
        } else {
            self.current.load(Ordering::Acquire)
        };
        // SAFETY: `current`/`next` are live bucket arrays (type invariant); one that is
        // replaced is freed only after a grace period, and callers hold an RCU read guard
        // or the maintenance mutex (which a resize holds while it frees).
        unsafe { &*ptr }
    }

    /// Bytes of slab memory one item takes.
    pub(crate) fn item_size(&self) -> usize {
        size_of::<Node<T>>()
    }

    /// Number of buckets.
    pub(crate) fn buckets(&self) -> usize {
        // SAFETY: as in `buckets_for`; `current` is live.
        unsafe { (*self.current.load(Ordering::Acquire)).heads.len() }
    }

    /// Walks a chain for `hash`/`eq`, counting the nodes it passed over (looked at and
    /// found not to be the item: all of them on a miss) into `searched`.
    fn walk<'g>(
        head: &'g AtomicPtr<Node<T>>,
        hash: u32,
        eq: &mut impl FnMut(&T) -> bool,
        searched: &mut u32,
    ) -> Option<&'g T> {
        let mut ptr = head.load(Ordering::Acquire);
        // SAFETY: nodes reachable from a bucket (or from a node a reader stood on) are
        // freed only after a grace period that the caller's RCU guard or stripe lock
        // holds off (type invariant).
        while let Some(node) = unsafe { ptr.as_ref() } {
            if node.item.hash() == hash && eq(&node.item) {
                return Some(&node.item);
            }
            *searched = searched.saturating_add(1);
            ptr = node.next.load(Ordering::Acquire);
        }
        None
    }

    /// Finds the item with `hash` for which `eq` holds, without taking a lock. Also
    /// returns how many other items were looked at (0 when it is the chain's first). A miss may be stale (an item moved by a
    /// resize or just inserted): [`Self::find_or_insert`] checks again under the lock.
    pub(crate) fn find<'g>(
        &'g self,
        _rcu: &'g ReadSection,
        hash: u32,
        mut eq: impl FnMut(&T) -> bool,
    ) -> (Option<&'g T>, u32) {
        let mut searched = 0;
        let head = self.buckets_for(stripe_of(hash)).head(hash);
        (Self::walk(head, hash, &mut eq, &mut searched), searched)
    }

    /// Hands `f` the items from `from` on, in bucket order and chain order, under `rcu`,
    /// until `f` returns false (its item then stays for the next call) or `buckets`
    /// buckets were looked at. Returns where to go on from, or `None` after the last
    /// bucket. Lock-free: a walk split over several calls (each its own read section)
    /// may miss an item inserted or removed between them, or see one twice (an item
    /// inserted at the head of a chain being walked shifts the rest); one that runs
    /// during a resize sees the old bucket array only, which may miss the moved items.
    pub(crate) fn visit(
        &self,
        _rcu: &ReadSection,
        from: Position,
        buckets: usize,
        mut f: impl FnMut(Position, &T) -> bool,
    ) -> Option<Position> {
        // SAFETY: `current` is live; a replaced array is freed only after a grace
        // period, which the caller's read section holds off.
        let array = unsafe { &*self.current.load(Ordering::Acquire) };
        let mut pos = from;
        let end = pos.bucket.saturating_add(buckets);
        while pos.bucket < end {
            let chain = array.heads.get(pos.bucket)?;
            let mut ptr = chain.load(Ordering::Acquire);
            let mut index = 0usize;
            // SAFETY: nodes reachable from a bucket are freed only after a grace period,
            // which the caller's read section holds off.
            while let Some(node) = unsafe { ptr.as_ref() } {
                if index >= pos.index {
                    pos.index = index;
                    if !f(pos, &node.item) {
                        return Some(pos);
                    }
                }
                // A chain is far shorter than usize::MAX.
                index += 1;
                ptr = node.next.load(Ordering::Acquire);
            }
            // pos.bucket < end <= usize::MAX: + 1 fits.
            pos = Position {
                bucket: pos.bucket + 1,
                index: 0,
            };
        }
        (pos.bucket < array.heads.len()).then_some(pos)
    }

    /// Finds the item as [`Self::find`] does, but under the stripe lock, and inserts
    /// `make()` if it is not there. Never sleeps.
    ///
    /// An item made with another hash than `hash` is refused: it would belong to another
    /// stripe, whose lock is not held.
    pub(crate) fn find_or_insert<'g>(
        &'g self,
        _rcu: &'g ReadSection,
        _bh: &BhDisabled,
        hash: u32,
        mut eq: impl FnMut(&T) -> bool,
        make: impl FnOnce() -> Option<T>,
    ) -> (Entry<'g, T>, u32) {
        let mut searched = 0;
        let stripe = stripe_of(hash);
        // stripe_of() < STRIPES, the number of locks.
        let _guard = self.stripes[stripe].lock();
        let head = self.buckets_for(stripe).head(hash);
        if let Some(item) = Self::walk(head, hash, &mut eq, &mut searched) {
            return (Entry::Found(item), searched);
        }
        let Some(item) = make().filter(|item| item.hash() == hash) else {
            return (Entry::Refused, searched);
        };
        let node = Node {
            next: AtomicPtr::new(head.load(Ordering::Relaxed)),
            item,
        };
        let Some(node) = self.cache.alloc(node) else {
            return (Entry::NoMemory, searched);
        };
        // Publish the fully initialised node.
        // INVARIANT: `head` is in the stripe whose lock is held.
        head.store(node.as_ptr(), Ordering::Release);
        // SAFETY: the node is live until a grace period after its removal, which the
        // caller's RCU guard (lifetime 'g) holds off.
        (Entry::Inserted(unsafe { &node.as_ref().item }), searched)
    }

    /// Takes the maintenance lock: scans, flushes and resizes are serialised by it. Sleeps.
    pub(crate) fn maintenance(&self) -> Maintenance<'_, T> {
        Maintenance {
            table: self,
            retired: self.maint.lock(),
        }
    }

    /// Frees a list of nodes linked through `next`, handing each item to `f` first.
    ///
    /// # Safety
    ///
    /// The nodes are unlinked from the table, owned by the caller, and no reader can
    /// reach them any more (a grace period passed since their removal).
    unsafe fn free_list(&self, mut ptr: *mut Node<T>, f: &mut impl FnMut(&T)) -> usize {
        let mut n = 0;
        while let Some(node) = NonNull::new(ptr) {
            // SAFETY: an owned, live node (function contract).
            let node_ref = unsafe { node.as_ref() };
            f(&node_ref.item);
            ptr = node_ref.next.load(Ordering::Relaxed);
            // SAFETY: allocated from `cache`, unreachable by anyone (function contract).
            unsafe { self.cache.free(node) };
            // Counts distinct live allocations: far below usize::MAX.
            n += 1;
        }
        n
    }
}

/// What one [`Maintenance::scan`] did.
#[derive(Clone, Copy, Default)]
pub(crate) struct Scanned {
    /// The bucket to start from next time (0 after the last bucket).
    pub(crate) next: usize,
    /// Buckets looked at.
    pub(crate) buckets: usize,
    /// Items looked at.
    pub(crate) items: usize,
    /// Items retired.
    pub(crate) retired: usize,
}

/// Exclusive maintenance access to a table (scan, flush, resize).
#[must_use = "maintenance access ends when the guard is dropped"]
pub(crate) struct Maintenance<'a, T: Send + Sync + Hashed> {
    table: &'a RcuTable<T>,
    retired: Guard<'a, Retired<T>, MutexBackend>,
}

impl<T: Send + Sync + Hashed> Maintenance<'_, T> {
    /// Removes from `chain` every item for which `due` holds, onto the retired list.
    /// The caller holds the chain's stripe lock with softirqs off.
    /// Returns how many it removed and how many it looked at.
    fn unlink_due(
        &mut self,
        chain: &AtomicPtr<Node<T>>,
        due: &mut impl FnMut(&T) -> bool,
    ) -> (usize, usize) {
        let (mut removed, mut looked) = (0, 0usize);
        let mut link = chain;
        loop {
            let ptr = link.load(Ordering::Relaxed);
            // SAFETY: a node in a chain whose stripe lock is held is live (type invariant).
            let Some(node) = (unsafe { ptr.as_ref() }) else {
                break;
            };
            // Counts distinct live allocations: far below usize::MAX.
            looked += 1;
            if due(&node.item) {
                link.store(node.next.load(Ordering::Relaxed), Ordering::Release);
                // A reader standing on the node follows this into the retired list, where
                // it ends: a miss, which the locked path corrects.
                node.next.store(self.retired.collecting, Ordering::Release);
                self.retired.collecting = ptr;
                // Counts distinct live allocations: far below usize::MAX.
                removed += 1;
            } else {
                link = &node.next;
            }
        }
        (removed, looked)
    }

    /// Whether `due` holds for an item of `chain`, looked at under RCU only; also how many
    /// items it looked at.
    fn any_due(
        _rcu: &ReadSection,
        chain: &AtomicPtr<Node<T>>,
        due: &mut impl FnMut(&T) -> bool,
    ) -> (bool, usize) {
        let mut looked = 0usize;
        let mut ptr = chain.load(Ordering::Acquire);
        // SAFETY: nodes reachable from a bucket are freed only after a grace period, which
        // the caller's read section holds off.
        while let Some(node) = unsafe { ptr.as_ref() } {
            // Counts distinct live allocations: far below usize::MAX.
            looked += 1;
            if due(&node.item) {
                return (true, looked);
            }
            ptr = node.next.load(Ordering::Acquire);
        }
        (false, looked)
    }

    /// Looks at up to `count` buckets from `start` and retires the items for which `due`
    /// holds.
    pub(crate) fn scan(
        &mut self,
        start: usize,
        count: usize,
        mut due: impl FnMut(&T) -> bool,
    ) -> Scanned {
        let table = self.table;
        // SAFETY: `current` is live and, with the maintenance lock held, no resize can
        // replace it.
        let buckets = unsafe { &*table.current.load(Ordering::Acquire) };
        let len = buckets.heads.len();
        let end = start.saturating_add(count).min(len);
        // Never zero (bucket counts are multiples of STRIPES); dividing by a `NonZero`
        // also leaves no division-by-zero panic path in the code.
        let Some(per) = NonZeroUsize::new(len / STRIPES) else {
            return Scanned::default();
        };
        let mut done = Scanned {
            next: if end >= len { 0 } else { end },
            // end <= len, and start.min(end) <= end.
            buckets: end - start.min(end),
            ..Scanned::default()
        };
        let mut rcu = ReadGuard::new();
        for bucket in start.min(end)..end {
            // One read section per 256 buckets: cheaper than one per bucket, and short
            // enough not to hold grace periods back.
            if bucket % 256 == 0 {
                drop(rcu);
                // Between read sections, no lock held: a whole-table pass (a flush of a
                // huge table on a slow machine) must not hog the CPU.
                if bucket % 65536 == 0 {
                    sched::cond_resched();
                }
                rcu = ReadGuard::new();
            }
            // bucket < end <= len.
            let chain = &buckets.heads[bucket];
            // Most buckets are empty: look before taking the lock. An item inserted right
            // after the look waits for the next scan.
            if chain.load(Ordering::Relaxed).is_null() {
                continue;
            }
            // Then look without the lock: most chains hold nothing due, and the packet
            // path should not wait on the scan. `due` may run twice for an item.
            let (any, looked) = Self::any_due(&rcu, chain, &mut due);
            if !any {
                done.items = done.items.saturating_add(looked);
                continue;
            }
            let _bh = BhDisabled::new();
            // bucket < len = STRIPES * per, so bucket / per < STRIPES.
            let _guard = table.stripes[bucket / per].lock();
            let (removed, looked) = self.unlink_due(chain, &mut due);
            done.retired = done.retired.saturating_add(removed);
            done.items = done.items.saturating_add(looked);
        }
        done
    }

    /// Retires every item (for a flush or on unload).
    pub(crate) fn retire_all(&mut self) -> usize {
        self.scan(0, usize::MAX, |_| true).retired
    }

    /// Hands each retired item whose grace period has ended to `f` and frees it, then
    /// starts a grace period for the items retired since. Returns how many were freed.
    /// Never waits.
    pub(crate) fn release_ready(&mut self, mut f: impl FnMut(&T)) -> usize {
        let mut freed = 0;
        if self
            .retired
            .grace
            .as_ref()
            .is_some_and(GracePeriod::elapsed)
        {
            let list = core::mem::take(&mut self.retired.waiting);
            self.retired.grace = None;
            // SAFETY: unlinked, owned by the retired list, and a grace period has passed.
            freed = unsafe { self.table.free_list(list, &mut f) };
        }
        if self.retired.grace.is_none() && !self.retired.collecting.is_null() {
            self.retired.waiting = core::mem::take(&mut self.retired.collecting);
            self.retired.grace = Some(GracePeriod::start());
        }
        freed
    }

    /// Waits for a grace period, then hands every retired item to `f` and frees it.
    /// Sleeps.
    pub(crate) fn release_all(&mut self, mut f: impl FnMut(&T)) -> usize {
        rcu::synchronize();
        let waiting = core::mem::take(&mut self.retired.waiting);
        let collecting = core::mem::take(&mut self.retired.collecting);
        self.retired.grace = None;
        // SAFETY: unlinked, owned by the retired lists, and a grace period has passed
        // since the last of them was retired. The sum counts distinct allocations: it fits.
        unsafe { self.table.free_list(waiting, &mut f) + self.table.free_list(collecting, &mut f) }
    }

    /// Moves every item into a new array of `buckets` buckets (rounded with
    /// [`round_buckets`]) while readers and writers go on. Sleeps.
    pub(crate) fn resize(&mut self, buckets: usize) -> Result {
        let table = self.table;
        let new = KBox::into_raw(Buckets::new(round_buckets(buckets))?);
        // SAFETY: just allocated; freed only below, after it replaced `current`.
        let new_ref = unsafe { &*new };
        // SAFETY: `current` is live; with the maintenance lock held nobody else replaces it.
        let old = unsafe { &*table.current.load(Ordering::Acquire) };
        table.migrated.store(0, Ordering::Release);
        table.next.store(new, Ordering::Release);
        for stripe in 0..STRIPES {
            // Between stripes no lock is held (the maintenance mutex may sleep).
            sched::cond_resched();
            let _bh = BhDisabled::new();
            // stripe < STRIPES (the locks); stripe_range() is within the array.
            let _guard = table.stripes[stripe].lock();
            for bucket in old.stripe_range(stripe) {
                let chain = &old.heads[bucket];
                loop {
                    let ptr = chain.load(Ordering::Relaxed);
                    // SAFETY: a node in a chain whose stripe lock is held is live.
                    let Some(node) = (unsafe { ptr.as_ref() }) else {
                        break;
                    };
                    chain.store(node.next.load(Ordering::Relaxed), Ordering::Release);
                    // The node stays in its stripe even if a broken `Hashed` changed its
                    // hash since the insert checked it: only this stripe's lock is held.
                    let hash = node.item.hash();
                    let head = if stripe_of(hash) == stripe {
                        new_ref.head(hash)
                    } else {
                        // start = stripe * per < len (per >= 1).
                        &new_ref.heads[new_ref.stripe_range(stripe).start]
                    };
                    node.next
                        .store(head.load(Ordering::Relaxed), Ordering::Release);
                    head.store(ptr, Ordering::Release);
                }
            }
            // stripe < STRIPES (256): + 1 fits.
            table.migrated.store(stripe + 1, Ordering::Release);
        }
        // INVARIANT: every stripe lives in `new` now; it becomes `current`, and `next` is
        // cleared only after, so a reader always finds one array holding its stripe.
        let old = table.current.swap(new, Ordering::AcqRel);
        table.next.store(null_mut(), Ordering::Release);
        table.migrated.store(0, Ordering::Release);
        rcu::synchronize();
        // SAFETY: from `KBox::into_raw`; unreachable now, and readers that saw it are done.
        drop(unsafe { KBox::from_raw(old) });
        Ok(())
    }
}

impl<T: Send + Sync + Hashed> Drop for RcuTable<T> {
    fn drop(&mut self) {
        // Readers that might still stand on a node (a packet in flight) finish first.
        rcu::synchronize();
        let mut none = |_: &T| {};
        let (waiting, collecting) = {
            let mut retired = self.maint.lock();
            (
                core::mem::take(&mut retired.waiting),
                core::mem::take(&mut retired.collecting),
            )
        };
        // SAFETY: retired nodes are owned by the lists, and a grace period has passed.
        unsafe {
            self.free_list(waiting, &mut none);
            self.free_list(collecting, &mut none);
        }
        // SAFETY: `current` is from `KBox::into_raw` and no resize is running (`&mut self`).
        let buckets = unsafe { KBox::from_raw(self.current.load(Ordering::Acquire)) };
        for chain in buckets.heads.iter() {
            // SAFETY: no reader or writer is left (`&mut self`, grace period above); the
            // chain's nodes are owned by the table.
            unsafe { self.free_list(chain.load(Ordering::Relaxed), &mut none) };
        }
    }
}

// SAFETY: nodes are `T: Send + Sync`, handed between CPUs under RCU and the stripe locks;
// the raw pointers are owned by the table.
unsafe impl<T: Send + Sync + Hashed> Send for RcuTable<T> {}
// SAFETY: shared access is lock-free reads (RCU) or under the stripe locks / mutex.
unsafe impl<T: Send + Sync + Hashed> Sync for RcuTable<T> {}
