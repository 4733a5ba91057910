/*
 * vm_fault.c — page faults: zero fill, copy-on-write through shadow chains, and pages the
 * object's pager supplies (Mach 3.0 vm/vm_fault.c; Rashid et al. 1987, §4).
 *
 * The one idea: a fault never changes what an address reads as, only where the page lives.
 * A read maps whatever page the chain shows (read-only when it is not in the top object, or
 * the entry still shares its object); a write first gives a needs_copy entry its own shadow
 * object, then copies the visible page (or a zero page) into that top object and maps it
 * writable. The other sharers keep seeing the old page.
 *
 * A page that is not resident may be with the object's pager (paged out, or a file's data): at
 * each object of the chain the fault asks its pager (data_request) before looking further down.
 * The pager may sleep, so the fault holds no lock while it asks: it inserts the page first,
 * marked busy, and a second fault on the same page finds it busy, marks it wanted and sleeps
 * until the first one's request is answered: one request, however many threads fault. Around
 * the faulting page the fault asks for a cluster of neighbours that are not resident either
 * (up to the pager's mop_cluster_pages, inside the object), so sequential access costs one
 * request per cluster. After any sleep the fault starts again from the map: what it saw
 * before may have changed. A page stays busy until it is entered in the pmap, so the pageout
 * daemon cannot take it away in between.
 */
#include <console.h>
#include <mach/kern/kalloc.h>
#include <mach/kern/thread.h>
#include <mach/vm/memory_object.h>
#include <mach/vm/pmap.h>
#include <mach/vm/vm_fault.h>
#include <mach/vm/vm_pageout.h>
#include <mach/vm/vm_param.h>
#include <panic.h>

struct vm_fault_stats vm_fault_stats;
void
vm_map_switch(vm_map_t map)
{
	current_thread()->th_map = map;
	pmap_activate(map != NULL ? map->vm_pmap : kernel_pmap);
}

vm_map_t
vm_map_current_thread(void)
{
	return current_thread()->th_map;
}

kern_return_t
vm_fault_trap(vaddr_t addr, vm_prot_t fault_type)
{
	vm_map_t map = current_thread()->th_map;

	if (map == NULL || addr < map->vm_min || addr >= map->vm_max)
		return KERN_INVALID_ADDRESS;
	/* The switch loads the thread's pmap; a CPU that lacks it here has just been asked to
	 * drop it (pmap_tlb_evict): load it again, or the access would fault forever. */
	if (pmap_current() != map->vm_pmap)
		pmap_activate(map->vm_pmap);
	return vm_fault(map, addr, fault_type);
}

void
vm_page_unbusy(vm_page_t m)
{
	bool wanted = (m->vmp_vmflags & VM_PAGE_VM_WANTED) != 0;

	m->vmp_vmflags &= (uint16_t)~(VM_PAGE_VM_BUSY | VM_PAGE_VM_WANTED);
	if (wanted)
		thread_wakeup(m);
}

/*
 * Sleep until busy page m is released. Object lock held on entry (st is its saved state),
 * dropped on return.
 */
static void
vf_page_sleep(vm_page_t m, bool st)
{
	m->vmp_vmflags |= VM_PAGE_VM_WANTED;
	assert_wait(m, THREAD_UNINT);
	lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
	__atomic_fetch_add(&vm_fault_stats.vfs_busy_waits, 1, __ATOMIC_RELAXED);
	thread_block(NULL);
}

/*
 * Drop the reference the fault took on o. Object lock held (state *st); when it was the last,
 * the lock is dropped to free o and retaken. Returns true when the lock was dropped.
 */
static bool
vf_object_release(vm_object_t o, bool *st)
{
	if (o->vo_refs > 1) {
		vm_object_release_locked(o);
		return false;
	}
	lck_spin_unlock_irqrestore(&vm_object_lock_all, *st);
	vm_object_deallocate(o);
	*st = pmap_spin_lock_irqsave(&vm_object_lock_all);
	return true;
}

/*
 * Ask o's pager for the page at off and, as a cluster, for the neighbours around it that are
 * not resident: insert them busy, drop the lock, make the request (into the page itself, or
 * through a bounce buffer for a cluster), retake the lock, fill and release the pages.
 * Object lock held on entry and on return (state *st); o referenced by the caller.
 *   Returns: KERN_SUCCESS (the page is resident, not busy), MEMORY_OBJECT_ABSENT (no page
 *            inserted), KERN_RESOURCE_SHORTAGE (no free page: nothing was asked),
 *            KERN_MEMORY_ERROR (the pager failed; logged), KERN_ABORTED (o died meanwhile:
 *            nothing left to look at below it).
 */
static kern_return_t
vf_pagein(vm_object_t o, vm_object_offset_t off, vm_prot_t fault_type, bool *st)
{
	memory_object_t pager = o->vo_pager;
	unsigned max = pager->mo_ops->mop_cluster_pages, n = 0, first = 0, i;
	vm_page_t pages[VM_FAULT_CLUSTER_MAX];
	vm_object_offset_t start, end, lo, hi;
	vm_size_t buflen = 0;
	void *buf = NULL;
	kern_return_t kr;

	if (max < 1)
		max = 1;
	if (max > VM_FAULT_CLUSTER_MAX)
		max = VM_FAULT_CLUSTER_MAX;
	/* The aligned window of max pages holding off, inside the object. */
	start = off & ~((vm_object_offset_t)ptoa(max) - 1);
	end = MIN(start + ptoa(max), o->vo_size);
	lo = hi = off;
	while (lo > start && vm_page_lookup(o, lo - PAGE_SIZE) == NULL)
		lo -= PAGE_SIZE;
	while (hi + PAGE_SIZE < end && vm_page_lookup(o, hi + PAGE_SIZE) == NULL)
		hi += PAGE_SIZE;
	for (vm_object_offset_t a = lo; a <= hi; a += PAGE_SIZE) {
		vm_page_t m = vm_page_alloc(o, a);

		if (m == NULL) {
			if (a <= off) {
				/* Could not reach the faulting page: give back what we took. */
				for (i = 0; i < n; i++)
					vm_page_free(pages[i]);
				return KERN_RESOURCE_SHORTAGE;
			}
			break;
		}
		m->vmp_vmflags = VM_PAGE_VM_BUSY;
		if (a == off)
			first = n;
		pages[n++] = m;
	}
	lo = pages[0]->vmp_offset;
	o->vo_refs++; /* the pager call's: the object outlives the unlocked request */
	lck_spin_unlock_irqrestore(&vm_object_lock_all, *st);

	if (n > 1 && (buf = kalloc(buflen = ptoa(n))) == NULL) {
		*st = pmap_spin_lock_irqsave(&vm_object_lock_all);
		for (i = 0; i < n; i++) {
			if (i != first)
				vm_page_free(pages[i]);
		}
		pages[0] = pages[first];
		n = 1;
		first = 0;
		lo = off;
		lck_spin_unlock_irqrestore(&vm_object_lock_all, *st);
	}
	__atomic_fetch_add(&vm_fault_stats.vfs_pagein_requests, 1, __ATOMIC_RELAXED);
	kr = memory_object_data_request(pager, lo, ptoa(n), fault_type,
					n > 1 ? buf : phystokv(VM_PAGE_TO_PHYS(pages[0])));
	if (kr == MEMORY_OBJECT_ABSENT && n > 1) {
		/* Some of the cluster is not there: ask for the faulting page alone. */
		__atomic_fetch_add(&vm_fault_stats.vfs_pagein_requests, 1, __ATOMIC_RELAXED);
		kr = memory_object_data_request(pager, off, PAGE_SIZE, fault_type,
						phystokv(VM_PAGE_TO_PHYS(pages[first])));
		*st = pmap_spin_lock_irqsave(&vm_object_lock_all);
		for (i = 0; i < n; i++) {
			if (i != first) {
				vm_page_unbusy(pages[i]);
				vm_page_free(pages[i]);
			}
		}
		pages[0] = pages[first];
		n = 1;
		first = 0;
	} else {
		if (kr == KERN_SUCCESS && n > 1) {
			for (i = 0; i < n; i++)
				memcpy(phystokv(VM_PAGE_TO_PHYS(pages[i])), (char *)buf + ptoa(i),
				       PAGE_SIZE);
		}
		*st = pmap_spin_lock_irqsave(&vm_object_lock_all);
	}
	if (buf != NULL)
		kfree(buf, buflen);
	for (i = 0; i < n; i++) {
		vm_page_unbusy(pages[i]);
		if (kr != KERN_SUCCESS)
			vm_page_free(pages[i]);
		else if (i == first)
			vm_page_activate(pages[i]);
		else
			vm_page_deactivate(pages[i]); /* read ahead: first to go if never used */
	}
	if (kr == KERN_SUCCESS)
		__atomic_fetch_add(&vm_fault_stats.vfs_pageins, n, __ATOMIC_RELAXED);
	if (kr == MEMORY_OBJECT_BEYOND_END) {
		kr = KERN_MEMORY_ERROR; /* past a file's end: the caller's error, not the pager's */
	} else if (kr != KERN_SUCCESS && kr != MEMORY_OBJECT_ABSENT) {
		klog(LOG_ERR, "vm_fault: pager %s error %d at offset %#llx\n",
		     pager->mo_ops->mop_name, kr, (unsigned long long)off);
		kr = KERN_MEMORY_ERROR;
	}
	if (vf_object_release(o, st) && kr == MEMORY_OBJECT_ABSENT)
		kr = KERN_ABORTED;
	return kr;
}

/*
 * Find the entry for va and the object and offset a fault there resolves against, giving the
 * entry its object or its shadow first when the fault needs one. Map lock held.
 * On success *object is referenced for the caller.
 */
static kern_return_t
vf_lookup(vm_map_t map, vaddr_t va, vm_prot_t fault_type, vm_object_t *object,
	  vm_object_offset_t *offset, bool *shadowed)
{
	vm_map_entry_t e;
	bool ost;

	if (!vm_map_lookup_entry(map, va, &e))
		return KERN_INVALID_ADDRESS;
	if ((fault_type & ~e->vme_prot) != 0)
		return KERN_PROTECTION_FAILURE;
	if (e->vme_object == NULL) {
		/* First touch of zero-fill memory: the entry gets its object now. */
		if ((e->vme_object = vm_object_allocate(e->vme_end - e->vme_start)) == NULL)
			return KERN_RESOURCE_SHORTAGE;
		e->vme_offset = 0;
		e->vme_needs_copy = false;
	}
	if ((fault_type & VM_PROT_WRITE) && e->vme_needs_copy) {
		if (!vm_object_shadow(&e->vme_object, &e->vme_offset, e->vme_end - e->vme_start))
			return KERN_RESOURCE_SHORTAGE;
		e->vme_needs_copy = false;
		*shadowed = true;
		vm_fault_stats.vfs_shadows++;
	}
	*object = e->vme_object;
	*offset = e->vme_offset + (va - e->vme_start);
	ost = pmap_spin_lock_irqsave(&vm_object_lock_all);
	(*object)->vo_refs++;
	lck_spin_unlock_irqrestore(&vm_object_lock_all, ost);
	return KERN_SUCCESS;
}

/*
 * Before a write changes what offset of object shows, give object's live delayed copy the
 * page's old contents (m, or zeros when m is NULL), unless the copy has its own page there
 * already (vm_object.h). When m itself is about to be written (in_place), every mapping of it
 * goes: the copy's users may map it through the copy, and must refault to find their page.
 * Object lock held. Returns false when no page was free (nothing changed).
 */
static bool
vf_push(vm_object_t object, vm_object_offset_t offset, vm_page_t m, bool in_place)
{
	vm_object_t copy = object->vo_copy;
	vm_page_t p;

	if (offset >= copy->vo_size || vm_page_lookup(copy, offset) != NULL)
		return true;
	if ((p = vm_page_alloc(copy, offset)) == NULL)
		return false;
	if (m != NULL)
		pmap_copy_page(VM_PAGE_TO_PHYS(m), VM_PAGE_TO_PHYS(p));
	else
		pmap_zero_page(VM_PAGE_TO_PHYS(p));
	p->vmp_vmflags = VM_PAGE_VM_DIRTY;
	vm_page_activate(p);
	if (m != NULL && in_place)
		pmap_page_protect(m, VM_PROT_NONE);
	vm_fault_stats.vfs_pushes++;
	return true;
}

/*
 * Find or make the page that object shows at offset, as fault_type needs it: in the top object
 * for a write. Object lock held on entry (state *st).
 *   Returns: KERN_SUCCESS with *mp busy (held by the caller, who also holds a reference on
 *            *mo, the object holding it) and the lock held; KERN_ABORTED when the lock was
 *            dropped (start again; the lock is not held);
 *            KERN_RESOURCE_SHORTAGE (no free page; lock held); KERN_MEMORY_ERROR (lock held).
 */
static kern_return_t
vf_page(vm_object_t object, vm_object_offset_t offset, vm_prot_t fault_type, bool *st,
	vm_page_t *mp, vm_object_t *mo)
{
	vm_object_offset_t off = offset;
	vm_object_t o = object;
	vm_page_t m, n;
	kern_return_t kr;

	for (;;) {
		if ((m = vm_page_lookup(o, off)) != NULL) {
			if (m->vmp_vmflags & VM_PAGE_VM_BUSY) {
				vf_page_sleep(m, *st);
				return KERN_ABORTED;
			}
			break;
		}
		if (o->vo_pager != NULL) {
			kr = vf_pagein(o, off, fault_type, st);
			if (kr == KERN_SUCCESS)
				continue; /* resident now (unless reclaimed already: ask again) */
			if (kr == KERN_ABORTED) {
				lck_spin_unlock_irqrestore(&vm_object_lock_all, *st);
				return kr;
			}
			if (kr != MEMORY_OBJECT_ABSENT)
				return kr;
			/* The lock was dropped: the chain above may have the page by now. */
			if (o != object && vm_page_lookup(object, offset) != NULL) {
				lck_spin_unlock_irqrestore(&vm_object_lock_all, *st);
				return KERN_ABORTED;
			}
		}
		if (o->vo_shadow == NULL)
			break;
		off += o->vo_shadow_offset;
		o = o->vo_shadow;
	}
	if ((fault_type & VM_PROT_WRITE) && object->vo_copy != NULL &&
	    !vf_push(object, offset, m, o == object))
		return KERN_RESOURCE_SHORTAGE;
	if (m != NULL && (o == object || !(fault_type & VM_PROT_WRITE))) {
		m->vmp_vmflags |= VM_PAGE_VM_BUSY;
		if (o != object)
			o->vo_refs++; /* the busy holder's (vm_object.h) */
		*mp = m;
		*mo = o;
		return KERN_SUCCESS;
	}
	/* Zero fill, or a write copying the visible page up into the top object. */
	if (vm_page_lookup(object, offset) != NULL) {
		/* The lock was dropped above; another fault made it meanwhile. */
		lck_spin_unlock_irqrestore(&vm_object_lock_all, *st);
		return KERN_ABORTED;
	}
	if ((n = vm_page_alloc(object, offset)) == NULL)
		return KERN_RESOURCE_SHORTAGE;
	if (m == NULL) {
		pmap_zero_page(VM_PAGE_TO_PHYS(n));
		vm_fault_stats.vfs_zero_fill++;
	} else {
		pmap_copy_page(VM_PAGE_TO_PHYS(m), VM_PAGE_TO_PHYS(n));
		vm_fault_stats.vfs_cow++;
	}
	n->vmp_vmflags = VM_PAGE_VM_DIRTY | VM_PAGE_VM_BUSY;
	*mp = n;
	*mo = object;
	return KERN_SUCCESS;
}

/* Neighbours a read fault on a file's page maps too when they are resident (fault-around). */
#define VM_FAULT_AROUND 16

/*
 * Map the resident neighbours of the page at va (object at offset, an external object: a
 * file's pages) inside the aligned window of VM_FAULT_AROUND pages and the entry, read-only,
 * so a reader of a cached file takes one fault per window instead of one per page (Linux's
 * fault-around). A store to one of them faults and maps it writable as usual. Map lock held.
 */
static void
vf_fault_around(vm_map_t map, vaddr_t va, vm_object_t object, vm_object_offset_t offset,
		vm_prot_t prot)
{
	vm_map_entry_t e;
	vaddr_t start, end;
	bool ost;

	if (!vm_map_lookup_entry(map, va, &e))
		return;
	start = MAX(e->vme_start, va & ~(vaddr_t)(ptoa(VM_FAULT_AROUND) - 1));
	end = MIN(e->vme_end, start + ptoa(VM_FAULT_AROUND));
	prot &= ~VM_PROT_WRITE;
	ost = pmap_spin_lock_irqsave(&vm_object_lock_all);
	for (vaddr_t a = start; a < end; a += PAGE_SIZE) {
		vm_page_t m;

		if (a == va || pmap_extract(map->vm_pmap, a) != 0)
			continue;
		m = vm_page_lookup(object, offset - (va - a));
		if (m == NULL || (m->vmp_vmflags & VM_PAGE_VM_BUSY))
			continue;
		if (pmap_enter(map->vm_pmap, a, VM_PAGE_TO_PHYS(m), prot, 0) != KERN_SUCCESS)
			break;
		vm_fault_stats.vfs_fault_around++;
	}
	lck_spin_unlock_irqrestore(&vm_object_lock_all, ost);
}

/*
 * Whether va still resolves to object and offset, and the protection to map it with. Map lock
 * held.
 */
static bool
vf_still_valid(vm_map_t map, vaddr_t va, vm_object_t object, vm_object_offset_t offset,
	       vm_prot_t fault_type, vm_prot_t *prot)
{
	vm_map_entry_t e;

	if (!vm_map_lookup_entry(map, va, &e) || e->vme_object != object ||
	    e->vme_offset + (va - e->vme_start) != offset || (fault_type & ~e->vme_prot) != 0)
		return false;
	if ((fault_type & VM_PROT_WRITE) && e->vme_needs_copy)
		return false;
	*prot = e->vme_prot;
	if (e->vme_needs_copy)
		*prot &= ~VM_PROT_WRITE;
	return true;
}

kern_return_t
vm_fault(vm_map_t map, vaddr_t vaddr, vm_prot_t fault_type)
{
	vaddr_t va = trunc_page(vaddr);
	vm_object_offset_t offset;
	vm_object_t object, o;
	vm_page_t m;
	vm_prot_t prot;
	bool st, ost, shadowed;
	kern_return_t kr;

again:
	shadowed = false;
	st = pmap_spin_lock_irqsave(&map->vm_lock);
	kr = vf_lookup(map, va, fault_type, &object, &offset, &shadowed);
	lck_spin_unlock_irqrestore(&map->vm_lock, st);
	if (kr == KERN_RESOURCE_SHORTAGE && vm_page_wait(THREAD_UNINT))
		goto again;
	if (kr != KERN_SUCCESS)
		return kr;
	/* A new shadow whose backing object has no other user folds it in (and stays short). */
	if (shadowed)
		vm_object_collapse(object);

	ost = pmap_spin_lock_irqsave(&vm_object_lock_all);
	kr = vf_page(object, offset, fault_type, &ost, &m, &o);
	if (kr == KERN_ABORTED) {
		vm_object_deallocate(object); /* the lock was dropped */
		goto again;
	}
	if (kr != KERN_SUCCESS) {
		lck_spin_unlock_irqrestore(&vm_object_lock_all, ost);
		vm_object_deallocate(object);
		if (kr == KERN_RESOURCE_SHORTAGE && vm_page_wait(THREAD_UNINT))
			goto again;
		return kr;
	}
	if (m->vmp_queue != VM_PAGE_Q_ACTIVE && m->vmp_wire_count == 0)
		vm_page_activate(m);
	lck_spin_unlock_irqrestore(&vm_object_lock_all, ost);

	/* m is busy: nobody frees or moves it while it is entered. */
	st = pmap_spin_lock_irqsave(&map->vm_lock);
	if (!vf_still_valid(map, va, object, offset, fault_type, &prot)) {
		kr = KERN_ABORTED;
	} else {
		if (o != object)
			prot &= ~VM_PROT_WRITE; /* a page below: shared until written */
		kr = pmap_enter(map->vm_pmap, va, VM_PAGE_TO_PHYS(m), prot, 0);
		if (kr == KERN_SUCCESS && o == object && !(fault_type & VM_PROT_WRITE) &&
		    !(object->vo_flags & VM_OBJECT_INTERNAL))
			vf_fault_around(map, va, object, offset, prot);
	}
	lck_spin_unlock_irqrestore(&map->vm_lock, st);

	ost = pmap_spin_lock_irqsave(&vm_object_lock_all);
	/*
	 * A delayed copy of object without this page (made before a read fault, or since a
	 * write fault pushed): writes must fault first and push. The copy's maker protected the
	 * object's pages under this lock, so one of the two protects this mapping.
	 */
	if (kr == KERN_SUCCESS && o == object && (prot & VM_PROT_WRITE) &&
	    object->vo_copy != NULL && vm_page_lookup(object->vo_copy, offset) == NULL)
		pmap_page_protect(m, VM_PROT_READ);
	vm_page_unbusy(m);
	if (o != object)
		(void)vf_object_release(o, &ost);
	lck_spin_unlock_irqrestore(&vm_object_lock_all, ost);
	vm_object_deallocate(object);
	if (kr == KERN_ABORTED || (kr == KERN_RESOURCE_SHORTAGE && vm_page_wait(THREAD_UNINT)))
		goto again;
	if (kr == KERN_SUCCESS)
		__atomic_fetch_add(&vm_fault_stats.vfs_faults, 1, __ATOMIC_RELAXED);
	return kr;
}
