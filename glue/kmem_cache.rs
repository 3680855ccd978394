// SPDX-License-Identifier: GPL-2.0

//! A dedicated slab cache (`kmem_cache_create`), visible in `/proc/slabinfo`.
//!
//! C header: [`include/linux/slab.h`](srctree/include/linux/slab.h)

use super::bindings;
use core::marker::PhantomData;
use core::ptr::NonNull;
use kernel::error::code::ENOMEM;
use kernel::prelude::*;
use kernel::str::CStr;

/// A slab cache of `T` objects. Objects are allocated and freed by raw pointer: the
/// owner (an RCU table) decides when no reader can see an object any more.
///
/// # Invariants
///
/// `cache` is a live cache of objects of `T`'s size and alignment, destroyed in `drop`.
pub(crate) struct KmemCache<T> {
    cache: NonNull<bindings::kmem_cache>,
    _type: PhantomData<T>,
}

// SAFETY: slab caches may be used and destroyed from any CPU; objects are `T: Send`.
unsafe impl<T: Send> Send for KmemCache<T> {}
// SAFETY: `kmem_cache_alloc`/`kmem_cache_free` are safe to call concurrently.
unsafe impl<T: Send> Sync for KmemCache<T> {}

impl<T> KmemCache<T> {
    /// Creates cache `name` (shown as is in `/proc/slabinfo`). Sleeps.
    pub(crate) fn new(name: &'static CStr) -> Result<Self> {
        let size = u32::try_from(size_of::<T>()).map_err(|_| EINVAL)?;
        let align = u32::try_from(align_of::<T>()).map_err(|_| EINVAL)?;
        // SAFETY: `name` is a 'static NUL-terminated string, as the slab code keeps it.
        let cache = unsafe { bindings::netflow_kmem_cache_create(name.as_char_ptr(), size, align) };
        // INVARIANT: checked non-NULL; size and alignment are `T`'s.
        Ok(Self {
            cache: NonNull::new(cache).ok_or(ENOMEM)?,
            _type: PhantomData,
        })
    }

    /// Allocates an object (atomically: never sleeps) and moves `value` into it.
    pub(crate) fn alloc(&self, value: T) -> Option<NonNull<T>> {
        // SAFETY: the cache is live (type invariant).
        let ptr = unsafe { bindings::netflow_kmem_cache_alloc_atomic(self.cache.as_ptr()) };
        let ptr = NonNull::new(ptr.cast::<T>())?;
        // SAFETY: a fresh object of `T`'s size and alignment from this cache.
        unsafe { ptr.as_ptr().write(value) };
        Some(ptr)
    }

    /// Drops the object's value and returns it to the cache.
    ///
    /// # Safety
    ///
    /// `ptr` came from `self.alloc` and nothing references it any more.
    pub(crate) unsafe fn free(&self, ptr: NonNull<T>) {
        // SAFETY: a live `T` from `alloc`, no longer referenced (function contract).
        unsafe { core::ptr::drop_in_place(ptr.as_ptr()) };
        // SAFETY: the object belongs to this live cache.
        unsafe { bindings::kmem_cache_free(self.cache.as_ptr(), ptr.as_ptr().cast()) };
    }
}

impl<T> Drop for KmemCache<T> {
    fn drop(&mut self) {
        // SAFETY: the cache is live; its owner freed every object before dropping it.
        unsafe { bindings::kmem_cache_destroy(self.cache.as_ptr()) };
    }
}
