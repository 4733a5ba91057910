/*
 * vm_fault.c — page faults on anonymous memory: zero fill and copy-on-write through shadow
 * chains (Mach 3.0 vm/vm_fault.c; Rashid et al. 1987, §4).
 *
 * The one idea: a fault never changes what an address reads as, only where the page lives.
 * A read maps whatever page the chain shows (read-only when it is not in the top object, or
 * the entry still shares its object); a write first gives a needs_copy entry its own shadow
 * object, then copies the visible page (or a zero page) into that top object and maps it
 * writable. The other sharers keep seeing the old page.
 *
 * A page that is not resident may be with the object's pager (paged out): at each object of
 * the chain the fault asks its pager (data_request) before looking further down.
 *
 * XXX: Mach marks a page busy while it is being filled and lets a second fault on it sleep
 * ("wanted"); with one CPU and no threads, each fault runs to completion under spin locks and
 * pager calls are synchronous. Read-ahead clusters are not asked for yet.
 */
#include <console.h>
#include <mach/vm/memory_object.h>
#include <mach/vm/pmap.h>
#include <mach/vm/vm_fault.h>
#include <mach/vm/vm_param.h>
#include <panic.h>

struct vm_fault_stats vm_fault_stats;
vm_map_t vm_map_current;

void
vm_map_switch(vm_map_t map)
{
	vm_map_current = map;
	pmap_activate(map != NULL ? map->vm_pmap : kernel_pmap);
}

kern_return_t
vm_fault_trap(vaddr_t addr, vm_prot_t fault_type)
{
	vm_map_t map = vm_map_current;

	if (map == NULL || addr < map->vm_min || addr >= map->vm_max)
		return KERN_INVALID_ADDRESS;
	return vm_fault(map, addr, fault_type);
}

kern_return_t
vm_fault(vm_map_t map, vaddr_t vaddr, vm_prot_t fault_type)
{
	vaddr_t va = trunc_page(vaddr);
	vm_object_offset_t offset, off;
	vm_object_t object, o;
	vm_map_entry_t e;
	vm_page_t m;
	vm_prot_t prot;
	bool st, ost, shadowed = false;
	kern_return_t kr;

	st = lck_spin_lock_irqsave(&map->vm_lock);
	if (!vm_map_lookup_entry(map, va, &e)) {
		kr = KERN_INVALID_ADDRESS;
		goto out;
	}
	if ((fault_type & ~e->vme_prot) != 0) {
		kr = KERN_PROTECTION_FAILURE;
		goto out;
	}
	if (e->vme_object == NULL) {
		/* First touch of zero-fill memory: the entry gets its object now. */
		if ((e->vme_object = vm_object_allocate(e->vme_end - e->vme_start)) == NULL) {
			kr = KERN_RESOURCE_SHORTAGE;
			goto out;
		}
		e->vme_offset = 0;
		e->vme_needs_copy = false;
	}
	if ((fault_type & VM_PROT_WRITE) && e->vme_needs_copy) {
		if (!vm_object_shadow(&e->vme_object, &e->vme_offset, e->vme_end - e->vme_start)) {
			kr = KERN_RESOURCE_SHORTAGE;
			goto out;
		}
		e->vme_needs_copy = false;
		shadowed = true;
		vm_fault_stats.vfs_shadows++;
	}
	object = e->vme_object;
	offset = e->vme_offset + (va - e->vme_start);
	prot = e->vme_prot;
	if (e->vme_needs_copy)
		prot &= ~VM_PROT_WRITE;

	ost = lck_spin_lock_irqsave(&vm_object_lock_all);
	o = object;
	off = offset;
	for (;;) {
		if ((m = vm_page_lookup(o, off)) != NULL)
			break;
		if (o->vo_pager != NULL) {
			/* Ask the pager; "absent" means look further down (or zero fill). */
			if ((m = vm_page_alloc(o, off)) == NULL) {
				lck_spin_unlock_irqrestore(&vm_object_lock_all, ost);
				kr = KERN_RESOURCE_SHORTAGE;
				goto out;
			}
			kr = memory_object_data_request(o->vo_pager, off, PAGE_SIZE, fault_type,
							phystokv(VM_PAGE_TO_PHYS(m)));
			if (kr == KERN_SUCCESS) {
				vm_fault_stats.vfs_pageins++;
				break;
			}
			vm_page_free(m);
			m = NULL;
			if (kr != MEMORY_OBJECT_ABSENT) {
				lck_spin_unlock_irqrestore(&vm_object_lock_all, ost);
				klog(LOG_ERR, "vm_fault: pager error %d at offset %#llx\n", kr,
				     (unsigned long long)off);
				kr = KERN_MEMORY_ERROR;
				goto out;
			}
		}
		if (o->vo_shadow == NULL)
			break;
		off += o->vo_shadow_offset;
		o = o->vo_shadow;
	}
	if (m == NULL || (o != object && (fault_type & VM_PROT_WRITE))) {
		/* Zero fill, or a write copying the visible page up into the top object. */
		vm_page_t n = vm_page_alloc(object, offset);

		if (n == NULL) {
			lck_spin_unlock_irqrestore(&vm_object_lock_all, ost);
			kr = KERN_RESOURCE_SHORTAGE;
			goto out;
		}
		if (m == NULL) {
			pmap_zero_page(VM_PAGE_TO_PHYS(n));
			vm_fault_stats.vfs_zero_fill++;
		} else {
			pmap_copy_page(VM_PAGE_TO_PHYS(m), VM_PAGE_TO_PHYS(n));
			vm_fault_stats.vfs_cow++;
		}
		n->vmp_vmflags |= VM_PAGE_VM_DIRTY;
		m = n;
		o = object;
	} else if (o != object) {
		prot &= ~VM_PROT_WRITE; /* a page below: shared until written */
	}
	if (m->vmp_queue != VM_PAGE_Q_ACTIVE && m->vmp_wire_count == 0)
		vm_page_activate(m);
	lck_spin_unlock_irqrestore(&vm_object_lock_all, ost);

	/* XXX: with other CPUs, m must stay busy until it is entered. */
	kr = pmap_enter(map->vm_pmap, va, VM_PAGE_TO_PHYS(m), prot, 0);
	if (kr == KERN_SUCCESS)
		vm_fault_stats.vfs_faults++;
	/* A new shadow whose backing object has no other user folds it in (and stays short). */
	if (shadowed)
		vm_object_collapse(object);
out:
	lck_spin_unlock_irqrestore(&map->vm_lock, st);
	return kr;
}
