/*
 * vfs_ubc.h — the Unified Buffer Cache (XNU bsd/kern/ubc_subr.c, osfmk/vm/vnode_pager.c): a
 * regular file's data lives only in its vnode's vm_object, whose pager is the vnode pager.
 *
 * The one idea: read and write copy through the object's resident pages; a missing page is
 * brought in by the pager (data_request → VOP_PAGEIN) in a cluster of up to UBC_CLUSTER pages
 * when the file is read sequentially; a written page is marked dirty and stays wired (off the
 * pageout queues) until fsync, sync or write-behind hands it to the pager (data_return →
 * VOP_PAGEOUT). mmap maps the same object (ubc_map): a store through a mapping only sets the
 * page's modify bit in the pmap, which a sync turns into a dirty page before writing back, and
 * which the pageout scan honours by cleaning the page through the pager. Clean pages sit on
 * the VM's queues like any other, so the cache grows into all free memory and the pageout
 * scan takes it back. A page under I/O is BUSY: others wait for it.
 *
 * Locks: v_lock serialises writers, truncation and syncs of one vnode (readers do not take it);
 * vm_object_lock_all covers page lookup, flags and queues. Never call in with a spin lock held.
 */
#ifndef _BSD_VFS_VFS_UBC_H_
#define _BSD_VFS_VFS_UBC_H_

#include <bsd/sys/vnode.h>

#define UBC_CLUSTER	  16	/* most pages per pager request */
#define UBC_WRITE_BEHIND  256	/* dirty pages of a file that start a write-back */

struct ubc_stats {
	uint64_t us_hits, us_misses;	      /* page lookups by read/write */
	uint64_t us_pagein_ios, us_pagein_pages;  /* data_request calls, pages they filled */
	uint64_t us_readahead_pages;	      /* pages brought in beyond the one asked for */
	uint64_t us_pageout_ios, us_pageout_pages; /* data_return calls, pages written */
	uint64_t us_waits;		      /* waits for a busy page */
	uint64_t us_reclaims;		      /* times the cache ran the pageout scan */
};
extern struct ubc_stats ubc_stats;

/*
 * ubc_info_init: give regular file vp its object and vnode pager, with the file size size.
 *   Returns: 0, ENOMEM.
 */
int ubc_info_init(vnode_t vp, uint64_t size);

/* ubc_destroy: write back vp's dirty pages and drop its object (vnode reclaim). May sleep. */
void ubc_destroy(vnode_t vp);

/*
 * ubc_read: copy file data at uio_offset to the uio, up to the file size.
 *   Returns: 0 (short at the end of the file), EIO (the pager failed), EFAULT, ENOMEM.
 */
int ubc_read(vnode_t vp, struct uio *uio);

/*
 * ubc_write: copy the uio into the file's pages at uio_offset (IO_APPEND: at the end),
 * extending the size; IO_SYNC writes them back before returning.
 *   Locks:   takes v_lock.
 *   Returns: 0, EIO, EFAULT, ENOMEM, EFBIG.
 */
int ubc_write(vnode_t vp, struct uio *uio, int ioflag);

/*
 * ubc_vop_read, ubc_vop_write: vop_read and vop_write for a file system whose regular files
 * live in the UBC (ext2, cd9660, tmpfs): EISDIR on a directory, EOPNOTSUPP on anything else
 * that is not a regular file, else ubc_read / ubc_write.
 */
int ubc_vop_read(vnode_t vp, struct uio *uio, int ioflag);
int ubc_vop_write(vnode_t vp, struct uio *uio, int ioflag);

/*
 * ubc_msync: write every dirty page of vp back through the pager, in clusters.
 *   Locks:   takes v_lock.  Returns: 0 or the first error (the page stays dirty).
 */
int ubc_msync(vnode_t vp);

/*
 * ubc_setsize: the file's size is now size: pages past it are dropped (dirty or not) and the
 * tail of the last page is zeroed. Locks: v_lock held by the caller.
 */
void ubc_setsize_locked(vnode_t vp, uint64_t size);

/*
 * ubc_map: the object to map for regular file vp (mmap), with a reference for the mapping.
 * While any mapping of it (or a copy-on-write shadow over it) exists, the vnode is held (it
 * cannot be recycled); the last unmap lets it go (the vnode pager's last_unmap).
 *   Locks:   none held; takes vm_object_lock_all.
 *   Returns: the object, or NULL when vp has none (not a regular file).
 */
struct vm_object *ubc_map(vnode_t vp);

/* ubc_purge_clean: drop vp's clean, unused pages (tests, memory pressure). Returns how many. */
uint64_t ubc_purge_clean(vnode_t vp);

/*
 * ubc_drop_clean_pages: drop every clean page of every cached file that no one maps, waits for
 * or has wired (/proc/sys/vm/drop_caches; the caller syncs first if it wants dirty pages gone).
 *   Locks:   takes vfs_mount_lock; may sleep. Returns: the pages dropped.
 */
uint64_t ubc_drop_clean_pages(void);

/* ubc_cached_pages: pages the UBC holds over all mounts (*dirty: how many are dirty). As above. */
uint64_t ubc_cached_pages(uint64_t *dirty);

/* ubc_resident: vp's resident pages, and how many are dirty. */
uint64_t ubc_resident(vnode_t vp, uint64_t *dirty);

#endif /* _BSD_VFS_VFS_UBC_H_ */
