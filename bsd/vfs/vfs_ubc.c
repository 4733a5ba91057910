/*
 * vfs_ubc.c — the Unified Buffer Cache and the vnode pager (vfs_ubc.h says what they are;
 * XNU bsd/kern/ubc_subr.c, bsd/vm/vnode_pager.c and cluster I/O in bsd/vfs/vfs_cluster.c are
 * the model).
 *
 * The one idea: three page states, all under vm_object_lock_all. BUSY pages are off the
 * queues while the pager fills or writes them, and whoever needs one sleeps on its address.
 * Pinned pages are wired while a read or write copies through them, so the pageout scan (which
 * only walks the active and inactive queues) cannot free them. Dirty pages keep one wiring of
 * their own until they are written back, so the pageout scan never meets a page write() dirtied.
 *
 * Mapped files (mmap) add a fourth: a page stored to through a mapping is clean as far as
 * the UBC knows, but modified in the pmap. Syncs collect those modify bits first (turning the
 * page dirty, with its wiring, before the write-back); the pageout scan, which meets such
 * pages on its queues, cleans them itself through data_return (busy, with no lock held, as it
 * does for anonymous memory), and vm_fault reads through data_request the same way. A mapped
 * file's vnode is held (ubc_map) until its object's last mapping goes (vnp_last_unmap).
 *
 * XXX: write-behind and read-ahead are synchronous (in the reader's or writer's thread); an
 * I/O thread would overlap them. XXX: the pageout daemon writes file pages itself and so may
 * wait for a file system's lock; a holder of that lock that waits for free pages is then only
 * saved by the free-page reserve.
 */
#include <bsd/sys/vfs_file.h>
#include <bsd/sys/mount.h>
#include <bsd/vfs/vfs_ubc.h>
#include <console.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/thread.h>
#include <mach/vm/memory_object.h>
#include <mach/vm/pmap.h>
#include <mach/vm/vm_object.h>
#include <mach/vm/vm_pageout.h>
#include <mach/vm/vm_param.h>

/* Largest file the cache addresses (the object's size). */
#define UBC_MAXSIZE (1ull << 46)
/*
 * Dirty pages collected per write-back pass: the hash walk finds them out of order, so the
 * more a pass holds, the longer the runs it can write as one request (UBC_CLUSTER at most).
 */
#define UBC_SYNC_BATCH	    1024
#define UBC_SYNC_BATCH_MIN  32 /* on the stack, when no memory is at hand for more */

struct vnode_pager {
	struct memory_object vnp_mo; /* first: a memory_object_t is a struct vnode_pager * */
	vnode_t vnp_vp;
};

struct ubc_stats ubc_stats;

static vnode_t
vnp_vnode(memory_object_t mo)
{
	return ((struct vnode_pager *)mo)->vnp_vp;
}

/* data_request: read the file's data at offset (the file system zero-fills past its end). */
static kern_return_t
vnp_data_request(memory_object_t mo, vm_object_offset_t offset, vm_size_t length,
		 vm_prot_t access, void *dst)
{
	vnode_t vp = vnp_vnode(mo);
	int err;

	(void)access;
	if ((offset & PAGE_MASK) != 0 || (length & PAGE_MASK) != 0 || length == 0)
		return KERN_INVALID_ARGUMENT;
	if (vp->v_op->vop_pagein == NULL)
		return KERN_MEMORY_ERROR;
	/*
	 * The cache itself never asks past the end; a fault does (mmap): a page wholly past it
	 * is an error (SIGBUS), and a cluster reaching past it is asked for again page by page.
	 * XXX: so the last cluster of a file costs two requests; the fault could clip its
	 * cluster to the end if the pager told it where that is.
	 */
	if (offset >= round_page(vp->v_size))
		return MEMORY_OBJECT_BEYOND_END;
	if (offset + length > round_page(vp->v_size))
		return MEMORY_OBJECT_ABSENT;
	err = vp->v_op->vop_pagein(vp, offset, dst, length);
	if (err != 0)
		return KERN_MEMORY_ERROR;
	ubc_stats.us_pagein_ios++;
	ubc_stats.us_pagein_pages += atop(length);
	return KERN_SUCCESS;
}

/* data_return: write pages back, only up to the file size. */
static kern_return_t
vnp_data_return(memory_object_t mo, vm_object_offset_t offset, const void *src,
		vm_size_t length)
{
	vnode_t vp = vnp_vnode(mo);
	uint64_t size = vp->v_size;
	int err;

	if ((offset & PAGE_MASK) != 0 || (length & PAGE_MASK) != 0)
		return KERN_INVALID_ARGUMENT;
	if (offset >= size)
		return KERN_SUCCESS; /* past the end (truncated meanwhile): nothing to keep */
	if (length > size - offset)
		length = size - offset;
	if (vp->v_op->vop_pageout == NULL)
		return KERN_PROTECTION_FAILURE;
	err = vp->v_op->vop_pageout(vp, offset, src, length);
	if (err != 0) {
		klog(LOG_ERR, "ubc: writing %zu bytes at %llu of file %llu failed: error %d\n",
		     (size_t)length, (unsigned long long)offset,
		     (unsigned long long)vp->v_fileid, err);
		return KERN_FAILURE;
	}
	ubc_stats.us_pageout_ios++;
	ubc_stats.us_pageout_pages += atop(round_page(length));
	return KERN_SUCCESS;
}

static void
vnp_terminate(memory_object_t mo)
{
	kfree(mo, sizeof(struct vnode_pager));
}

/*
 * The last mapping is gone: the vnode may be recycled again (ubc_map held it). XXX: this runs
 * under the object lock and cannot sleep, so an unlinked file whose last use went while it
 * was mapped has its inode released when its vnode is recycled (vnode_reclaim), not here.
 */
static void
vnp_last_unmap(memory_object_t mo)
{
	vnode_drop(vnp_vnode(mo));
}

/* msync: the file's modified pages, then its metadata (as fsync). */
static kern_return_t
vnp_synchronize(memory_object_t mo, vm_object_offset_t offset, vm_size_t length, int flags)
{
	(void)offset;
	(void)length;
	(void)flags;
	/* XXX: the whole file, not only the range asked for. */
	return vn_fsync(vnp_vnode(mo)) == 0 ? KERN_SUCCESS : KERN_FAILURE;
}

static const struct memory_object_pager_ops vnode_pager_ops = {
	.mop_name = "vnode",
	.mop_cluster_pages = UBC_CLUSTER,
	.mop_data_request = vnp_data_request,
	.mop_data_return = vnp_data_return,
	.mop_terminate = vnp_terminate,
	.mop_last_unmap = vnp_last_unmap,
	.mop_synchronize = vnp_synchronize,
};

vm_object_t
ubc_map(vnode_t vp)
{
	vm_object_t o = vp->v_object;
	bool st;

	if (o == NULL)
		return NULL;
	st = pmap_spin_lock_irqsave(&vm_object_lock_all);
	o->vo_refs++;
	if (!(o->vo_flags & VM_OBJECT_MAPPED)) {
		o->vo_flags |= VM_OBJECT_MAPPED;
		vnode_hold(vp); /* dropped by vnp_last_unmap */
	}
	vp->v_wasmapped = true;
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
	return o;
}

int
ubc_info_init(vnode_t vp, uint64_t size)
{
	struct vnode_pager *vnp = kalloc_zero(sizeof(*vnp));
	vm_object_t o;

	if (vnp == NULL)
		return ENOMEM;
	if ((o = vm_object_allocate(UBC_MAXSIZE)) == NULL) {
		kfree(vnp, sizeof(*vnp));
		return ENOMEM;
	}
	o->vo_flags &= ~VM_OBJECT_INTERNAL;
	vnp->vnp_mo.mo_ops = &vnode_pager_ops;
	vnp->vnp_vp = vp;
	o->vo_pager = &vnp->vnp_mo;
	memory_object_init(&vnp->vnp_mo, o, PAGE_SIZE);
	vp->v_pager = vnp;
	vp->v_size = size;
	vp->v_ndirty = 0;
	vp->v_nextr = 0;
	vp->v_object = o;
	return 0;
}

static void *
page_kva(vm_page_t m)
{
	return phystokv(VM_PAGE_TO_PHYS(m));
}

/* Sleep until the busy or pinned page m changes. Object lock held (dropped and retaken). */
static void
ubc_page_wait(vm_page_t m, bool *st)
{
	m->vmp_vmflags |= VM_PAGE_VM_WANTED;
	ubc_stats.us_waits++;
	assert_wait(m, THREAD_UNINT);
	lck_spin_unlock_irqrestore(&vm_object_lock_all, *st);
	thread_block(NULL);
	*st = pmap_spin_lock_irqsave(&vm_object_lock_all);
}

static void
ubc_page_wakeup(vm_page_t m)
{
	if (m->vmp_vmflags & VM_PAGE_VM_WANTED) {
		m->vmp_vmflags &= ~VM_PAGE_VM_WANTED;
		thread_wakeup(m);
	}
}

/* Free pages the cache leaves to others: 1/32 of memory, at least 64 pages. */
static uint64_t
ubc_free_reserve(void)
{
	uint64_t r = vm_page_total_count / 32;

	return r < 64 ? 64 : r;
}

/* No free page: let the pageout scan take some back (clean cache pages first). */
static bool
ubc_reclaim(void)
{
	ubc_stats.us_reclaims++;
	return vm_pageout_scan(4 * UBC_CLUSTER) > 0;
}

/*
 * Fill the busy pages pages[0..n) (consecutive offsets from off) through the pager: one
 * request for the run when a bounce buffer can be had, else a request per page.
 */
static int
ubc_pagein(vnode_t vp, uint64_t off, vm_page_t *pages, unsigned n)
{
	memory_object_t mo = &vp->v_pager->vnp_mo;
	size_t len = (size_t)n * PAGE_SIZE;
	char *buf = n > 1 ? kalloc(len) : NULL;
	kern_return_t kr;

	if (buf != NULL) {
		kr = memory_object_data_request(mo, off, len, VM_PROT_READ, buf);
		for (unsigned i = 0; kr == KERN_SUCCESS && i < n; i++)
			memcpy(page_kva(pages[i]), buf + (size_t)i * PAGE_SIZE, PAGE_SIZE);
		kfree(buf, len);
		return kr == KERN_SUCCESS ? 0 : EIO;
	}
	for (unsigned i = 0; i < n; i++) {
		kr = memory_object_data_request(mo, off + (uint64_t)i * PAGE_SIZE, PAGE_SIZE,
						VM_PROT_READ, page_kva(pages[i]));
		if (kr != KERN_SUCCESS)
			return EIO;
	}
	return 0;
}

/*
 * ubc_page_get: the page of vp at pgoff, pinned (wired) for the caller's copy. A missing page
 * is read through the pager when fill (with read-ahead when the file is read sequentially),
 * or else is zero-filled (a write over all of it, or past the end of the file).
 */
static int
ubc_page_get(vnode_t vp, uint64_t pgoff, bool fill, vm_page_t *mp)
{
	vm_object_t o = vp->v_object;
	vm_page_t pages[UBC_CLUSTER];
	bool reclaimed = false;

	for (;;) {
		bool st = pmap_spin_lock_irqsave(&vm_object_lock_all);
		vm_page_t m = vm_page_lookup(o, pgoff);
		unsigned n, want;
		uint64_t eof;
		int err;

		if (m != NULL && (m->vmp_vmflags & VM_PAGE_VM_BUSY)) {
			ubc_page_wait(m, &st);
			lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
			continue;
		}
		if (m != NULL) {
			vm_page_wire(m);
			ubc_stats.us_hits++;
			lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
			vp->v_nextr = pgoff + PAGE_SIZE;
			*mp = m;
			return 0;
		}
		/*
		 * Keep a reserve of free pages for the rest of the kernel: below it, the cache
		 * recycles its own (and others') old pages rather than take the last ones.
		 */
		if (vm_page_free_count < ubc_free_reserve() && !reclaimed) {
			lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
			reclaimed = true;
			(void)ubc_reclaim();
			continue;
		}
		if ((m = vm_page_alloc(o, pgoff)) == NULL) {
			lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
			if (ubc_reclaim())
				continue;
			return ENOMEM;
		}
		reclaimed = false;
		ubc_stats.us_misses++;
		if (!fill) {
			vm_page_wire(m);
			lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
			memset(page_kva(m), 0, PAGE_SIZE);
			*mp = m;
			return 0;
		}
		/* A sequential reader gets a cluster: the pages that follow, up to EOF. */
		m->vmp_vmflags |= VM_PAGE_VM_BUSY;
		pages[0] = m;
		n = 1;
		eof = round_page(vp->v_size);
		want = (pgoff == vp->v_nextr) ? UBC_CLUSTER : 1;
		while (n < want && pgoff + (uint64_t)n * PAGE_SIZE < eof) {
			uint64_t o2 = pgoff + (uint64_t)n * PAGE_SIZE;

			if (vm_page_lookup(o, o2) != NULL || (m = vm_page_alloc(o, o2)) == NULL)
				break;
			m->vmp_vmflags |= VM_PAGE_VM_BUSY;
			pages[n++] = m;
		}
		lck_spin_unlock_irqrestore(&vm_object_lock_all, st);

		err = ubc_pagein(vp, pgoff, pages, n);

		st = pmap_spin_lock_irqsave(&vm_object_lock_all);
		for (unsigned i = 0; i < n; i++) {
			m = pages[i];
			m->vmp_vmflags &= ~VM_PAGE_VM_BUSY;
			ubc_page_wakeup(m);
			if (err != 0)
				vm_page_free(m);
			else
				vm_page_deactivate(m); /* clean and pageable */
		}
		lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
		if (err != 0)
			return err;
		ubc_stats.us_readahead_pages += n - 1;
		vp->v_nextr = pgoff + (uint64_t)n * PAGE_SIZE;
		/* Loop: the page is resident now (unless the pageout scan was quicker). */
	}
}

/* Unpin m after a copy; a written page becomes dirty and keeps its wiring until cleaned. */
static void
ubc_page_unpin(vnode_t vp, vm_page_t m, bool dirtied)
{
	bool st = pmap_spin_lock_irqsave(&vm_object_lock_all);

	if (dirtied && !(m->vmp_vmflags & VM_PAGE_VM_DIRTY)) {
		m->vmp_vmflags |= VM_PAGE_VM_DIRTY;
		vp->v_ndirty++;
	} else {
		vm_page_unwire(m);
	}
	ubc_page_wakeup(m);
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
}

int
ubc_read(vnode_t vp, struct uio *uio)
{
	int err = 0;

	if (vp->v_object == NULL)
		return EINVAL;
	if (uio->uio_offset < 0)
		return EINVAL;
	while (uio->uio_resid > 0 && err == 0) {
		uint64_t size = vp->v_size, off = (uint64_t)uio->uio_offset;
		uint64_t pgoff = trunc_page(off);
		size_t in = (size_t)(off - pgoff), n = PAGE_SIZE - in;
		vm_page_t m;

		if (off >= size)
			break;
		if (n > size - off)
			n = (size_t)(size - off);
		if (n > uio->uio_resid)
			n = uio->uio_resid;
		if ((err = ubc_page_get(vp, pgoff, true, &m)) != 0)
			break;
		err = uiomove((char *)page_kva(m) + in, n, uio);
		ubc_page_unpin(vp, m, false);
	}
	return err;
}

/* Sort pages by offset (Shell sort, Ciura's gaps: no recursion, no memory). */
static void
sort_by_offset(vm_page_t *p, unsigned n)
{
	static const unsigned gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };

	for (unsigned g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		unsigned gap = gaps[g];

		for (unsigned i = gap; i < n; i++) {
			vm_page_t m = p[i];
			unsigned j = i;

			for (; j >= gap && p[j - gap]->vmp_offset > m->vmp_offset; j -= gap)
				p[j] = p[j - gap];
			p[j] = m;
		}
	}
}

/* Write the busy dirty pages p[0..n) (consecutive offsets) back as one request. */
static int
ubc_pageout(vnode_t vp, vm_page_t *p, unsigned n)
{
	memory_object_t mo = &vp->v_pager->vnp_mo;
	size_t len = (size_t)n * PAGE_SIZE;
	uint64_t off = p[0]->vmp_offset;
	char *buf = n > 1 ? kalloc(len) : NULL;
	kern_return_t kr = KERN_SUCCESS;

	if (buf != NULL) {
		for (unsigned i = 0; i < n; i++)
			memcpy(buf + (size_t)i * PAGE_SIZE, page_kva(p[i]), PAGE_SIZE);
		kr = memory_object_data_return(mo, off, buf, len);
		kfree(buf, len);
	} else {
		for (unsigned i = 0; i < n && kr == KERN_SUCCESS; i++)
			kr = memory_object_data_return(mo, p[i]->vmp_offset, page_kva(p[i]),
						       PAGE_SIZE);
	}
	return kr == KERN_SUCCESS ? 0 : EIO;
}

/*
 * Make the pages stored to through mappings dirty, as a write() would have: their modify bit
 * moves from the pmap to the page (a store after this sets it again, for the next sync), and
 * they take the dirty wiring. A page the pageout scan failed to clean (dirty, unwired) gets
 * its wiring here too. v_lock held.
 */
static void
ubc_collect_modified(vnode_t vp)
{
	vm_object_t o = vp->v_object;
	bool st = pmap_spin_lock_irqsave(&vm_object_lock_all);

	for (uint32_t b = 0; o->vo_hash != NULL && b <= o->vo_hash_mask; b++) {
		for (vm_page_t m = o->vo_hash[b]; m != NULL; m = m->vmp_hnext) {
			bool modified;

			if (m->vmp_vmflags & VM_PAGE_VM_BUSY)
				continue;
			if ((modified = pmap_is_modified(m)))
				pmap_clear_modify(m); /* the write-back below takes the store too */
			if (m->vmp_vmflags & VM_PAGE_VM_DIRTY) {
				if (m->vmp_wire_count != 0)
					continue; /* the UBC's own dirty page */
			} else if (modified) {
				m->vmp_vmflags |= VM_PAGE_VM_DIRTY;
			} else {
				continue;
			}
			vm_page_wire(m);
			vp->v_ndirty++;
		}
	}
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
}

static int
ubc_msync_locked(vnode_t vp)
{
	vm_object_t o = vp->v_object;
	vm_page_t small[UBC_SYNC_BATCH_MIN], *batch = NULL;
	unsigned cap = UBC_SYNC_BATCH;
	int err = 0;

	if (o == NULL)
		return 0;
	if (vp->v_wasmapped)
		ubc_collect_modified(vp);
	if (vp->v_ndirty == 0)
		return 0;
	if (vp->v_ndirty < cap)
		cap = (unsigned)vp->v_ndirty;
	if (cap > UBC_SYNC_BATCH_MIN && (batch = kalloc(cap * sizeof(*batch))) == NULL)
		cap = UBC_SYNC_BATCH_MIN;
	if (batch == NULL) {
		batch = small;
		cap = cap < UBC_SYNC_BATCH_MIN ? cap : UBC_SYNC_BATCH_MIN;
	}
	while (err == 0) {
		bool st = pmap_spin_lock_irqsave(&vm_object_lock_all);
		unsigned n = 0, i, j;

		for (uint32_t b = 0; o->vo_hash != NULL && b <= o->vo_hash_mask; b++) {
			for (vm_page_t m = o->vo_hash[b]; m != NULL && n < cap;
			     m = m->vmp_hnext) {
				if ((m->vmp_vmflags & (VM_PAGE_VM_DIRTY | VM_PAGE_VM_BUSY)) !=
				    VM_PAGE_VM_DIRTY)
					continue;
				m->vmp_vmflags |= VM_PAGE_VM_BUSY;
				batch[n++] = m;
			}
		}
		lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
		if (n == 0)
			break;
		sort_by_offset(batch, n);
		for (i = 0; i < n; i = j) {
			int e;

			for (j = i + 1; j < n && j - i < UBC_CLUSTER; j++)
				if (batch[j]->vmp_offset != batch[j - 1]->vmp_offset + PAGE_SIZE)
					break;
			e = ubc_pageout(vp, batch + i, j - i);
			st = pmap_spin_lock_irqsave(&vm_object_lock_all);
			for (unsigned k = i; k < j; k++) {
				vm_page_t m = batch[k];

				m->vmp_vmflags &= ~VM_PAGE_VM_BUSY;
				if (e == 0) {
					m->vmp_vmflags &= ~VM_PAGE_VM_DIRTY;
					vp->v_ndirty--;
					vm_page_unwire(m); /* the dirty wiring */
				}
				ubc_page_wakeup(m);
			}
			lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
			if (e != 0 && err == 0)
				err = e; /* the pages stay dirty; a later sync tries again */
		}
	}
	if (batch != small)
		kfree(batch, cap * sizeof(*batch));
	return err;
}

int
ubc_msync(vnode_t vp)
{
	int err;

	lck_mtx_lock(&vp->v_lock);
	err = ubc_msync_locked(vp);
	lck_mtx_unlock(&vp->v_lock);
	return err;
}

int
ubc_write(vnode_t vp, struct uio *uio, int ioflag)
{
	int err = 0;

	if (vp->v_object == NULL)
		return EINVAL;
	lck_mtx_lock(&vp->v_lock);
	if (ioflag & IO_APPEND)
		uio->uio_offset = (int64_t)vp->v_size;
	if (uio->uio_offset < 0)
		err = EINVAL;
	else if ((uint64_t)uio->uio_offset + uio->uio_resid > UBC_MAXSIZE)
		err = EFBIG;
	while (err == 0 && uio->uio_resid > 0) {
		uint64_t off = (uint64_t)uio->uio_offset, pgoff = trunc_page(off);
		size_t in = (size_t)(off - pgoff), n = PAGE_SIZE - in;
		bool whole;
		vm_page_t m;

		if (n > uio->uio_resid)
			n = uio->uio_resid;
		/* No need to read what is overwritten, or what lies past the end. */
		whole = (in == 0 && n == PAGE_SIZE) || pgoff >= vp->v_size;
		if ((err = ubc_page_get(vp, pgoff, !whole, &m)) != 0)
			break;
		err = uiomove((char *)page_kva(m) + in, n, uio);
		if ((uint64_t)uio->uio_offset > vp->v_size)
			vp->v_size = (uint64_t)uio->uio_offset;
		ubc_page_unpin(vp, m, true);
		if (err == 0 && vp->v_ndirty >= UBC_WRITE_BEHIND)
			err = ubc_msync_locked(vp);
	}
	if (err == 0 && (ioflag & IO_SYNC))
		err = ubc_msync_locked(vp);
	lck_mtx_unlock(&vp->v_lock);
	return err;
}

void
ubc_setsize_locked(vnode_t vp, uint64_t size)
{
	vm_object_t o = vp->v_object;
	uint64_t keep = round_page(size);
	bool st;

	if (o == NULL) {
		vp->v_size = size;
		return;
	}
	st = pmap_spin_lock_irqsave(&vm_object_lock_all);
	if (size < vp->v_size) {
again:
		for (uint32_t b = 0; o->vo_hash != NULL && b <= o->vo_hash_mask; b++) {
			vm_page_t m = o->vo_hash[b], next;

			for (; m != NULL; m = next) {
				unsigned pins;
				bool counted;

				next = m->vmp_hnext;
				if (m->vmp_offset < keep)
					continue;
				/* A dirty page has its wiring and is counted; one the pageout scan
				 * failed to clean (dirty, unwired) has neither (yet). */
				counted = (m->vmp_vmflags & VM_PAGE_VM_DIRTY) &&
					  m->vmp_wire_count > 0;
				pins = m->vmp_wire_count - (counted ? 1 : 0);
				if ((m->vmp_vmflags & VM_PAGE_VM_BUSY) || pins > 0) {
					ubc_page_wait(m, &st);
					goto again;
				}
				if (counted)
					vp->v_ndirty--;
				vm_page_free(m);
			}
		}
		if ((size & PAGE_MASK) != 0) {
			vm_page_t m = vm_page_lookup(o, trunc_page(size));

			if (m != NULL && !(m->vmp_vmflags & VM_PAGE_VM_BUSY))
				memset((char *)page_kva(m) + (size & PAGE_MASK), 0,
				       PAGE_SIZE - (size & PAGE_MASK));
		}
	}
	vp->v_size = size;
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
}

/* Free vp's clean, idle pages (and, unless mapped_too, only those no pmap maps). */
static uint64_t
ubc_free_clean(vnode_t vp, bool mapped_too)
{
	vm_object_t o = vp->v_object;
	uint64_t n = 0;
	bool st;

	if (o == NULL)
		return 0;
	st = pmap_spin_lock_irqsave(&vm_object_lock_all);
	for (uint32_t b = 0; o->vo_hash != NULL && b <= o->vo_hash_mask; b++) {
		vm_page_t m = o->vo_hash[b], next;

		for (; m != NULL; m = next) {
			next = m->vmp_hnext;
			if ((m->vmp_vmflags & (VM_PAGE_VM_BUSY | VM_PAGE_VM_DIRTY)) ||
			    m->vmp_wire_count != 0 || pmap_is_modified(m) ||
			    (!mapped_too && pmap_page_is_mapped(m)))
				continue;
			vm_page_free(m);
			n++;
		}
	}
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
	return n;
}

uint64_t
ubc_purge_clean(vnode_t vp)
{
	return ubc_free_clean(vp, true);
}

struct ubc_sum {
	uint64_t us_pages, us_dirty;
	bool us_drop;
};

static void
ubc_sum_vnode(vnode_t vp, void *arg)
{
	struct ubc_sum *s = arg;
	uint64_t dirty;

	if (vp->v_type != VREG)
		return;
	if (s->us_drop) {
		s->us_pages += ubc_free_clean(vp, false);
		return;
	}
	s->us_pages += ubc_resident(vp, &dirty);
	s->us_dirty += dirty;
}

/* Run ubc_sum_vnode over every vnode of every mount. */
static void
ubc_sum_all(struct ubc_sum *s)
{
	lck_mtx_lock(&vfs_mount_lock);
	for (struct mount *mp = mountlist; mp != NULL; mp = mp->mnt_next)
		vnode_iterate(mp, ubc_sum_vnode, s);
	lck_mtx_unlock(&vfs_mount_lock);
}

uint64_t
ubc_drop_clean_pages(void)
{
	struct ubc_sum s = { .us_drop = true };

	ubc_sum_all(&s);
	return s.us_pages;
}

uint64_t
ubc_cached_pages(uint64_t *dirty)
{
	struct ubc_sum s = { .us_drop = false };

	ubc_sum_all(&s);
	if (dirty != NULL)
		*dirty = s.us_dirty;
	return s.us_pages;
}

uint64_t
ubc_resident(vnode_t vp, uint64_t *dirty)
{
	uint64_t n = 0;
	bool st = pmap_spin_lock_irqsave(&vm_object_lock_all);

	if (vp->v_object != NULL)
		n = vp->v_object->vo_resident;
	if (dirty != NULL)
		*dirty = vp->v_ndirty;
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
	return n;
}

/*
 * Free every page of o, waiting for those under I/O: the pageout scan may be cleaning one
 * through the pager, which must be done before the vnode goes. Nothing maps o any more (the
 * vnode is only recycled unheld), so no page comes back.
 */
static void
ubc_drain(vm_object_t o)
{
	bool st = pmap_spin_lock_irqsave(&vm_object_lock_all);

again:
	for (uint32_t b = 0; o->vo_hash != NULL && b <= o->vo_hash_mask; b++) {
		vm_page_t m = o->vo_hash[b], next;

		for (; m != NULL; m = next) {
			next = m->vmp_hnext;
			if (m->vmp_vmflags & VM_PAGE_VM_BUSY) {
				ubc_page_wait(m, &st);
				goto again;
			}
			vm_page_free(m);
		}
	}
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
}

void
ubc_destroy(vnode_t vp)
{
	vm_object_t o;
	uint64_t dirty;

	if (vp->v_object == NULL)
		return;
	lck_mtx_lock(&vp->v_lock);
	if (ubc_msync_locked(vp) != 0 && ubc_resident(vp, &dirty) > 0 && dirty > 0)
		klog(LOG_ERR, "ubc: file %llu: %llu dirty pages lost (write-back failed)\n",
		     (unsigned long long)vp->v_fileid, (unsigned long long)dirty);
	o = vp->v_object;
	ubc_drain(o);
	vp->v_object = NULL;
	vp->v_pager = NULL;
	lck_mtx_unlock(&vp->v_lock);
	vm_object_deallocate(o); /* terminates the pager */
}

int
ubc_vop_read(vnode_t vp, struct uio *uio, int ioflag)
{
	(void)ioflag;
	if (vp->v_type == VDIR)
		return EISDIR;
	if (vp->v_type != VREG)
		return EOPNOTSUPP;
	return ubc_read(vp, uio);
}

int
ubc_vop_write(vnode_t vp, struct uio *uio, int ioflag)
{
	if (vp->v_type == VDIR)
		return EISDIR;
	if (vp->v_type != VREG)
		return EOPNOTSUPP;
	return ubc_write(vp, uio, ioflag);
}
