/*
 * vm_map_copy.c — copy objects: vm_map_copyin, vm_map_copyout, vm_map_copy_discard (Mach 3.0
 * vm/vm_map.c, "entry list" copies; XNU osfmk/vm/vm_map.c). The carrier of out-of-line memory
 * in Mach messages (mach/ipc/ipc_kmsg.c).
 *
 * The one idea: copyin clips the source entries to the range and gives each a twin, kept on the
 * copy's own list, that shares its object copy-on-write (vm_map_entry_share_cow); copyout only
 * relinks the twins into the destination map. An object that the copy alone references (the
 * sender deallocated the range) needs no copy-on-write any more, so copyout clears needs_copy
 * on it and the receiver writes its pages in place.
 */
#include <console.h>
#include <mach/kern/kalloc.h>
#include <mach/vm/vm_map_copy.h>
#include <mach/vm/vm_map_internal.h>
#include <mach/vm/vm_param.h>

uint64_t vm_map_copy_count;

static vm_map_copy_t
copy_alloc(void)
{
	vm_map_copy_t copy = kalloc_zero(sizeof(*copy));

	if (copy == NULL)
		return NULL;
	copy->cpy_header.vme_next = copy->cpy_header.vme_prev = &copy->cpy_header;
	__atomic_fetch_add(&vm_map_copy_count, 1, __ATOMIC_RELAXED);
	return copy;
}

void
vm_map_copy_discard(vm_map_copy_t copy)
{
	vm_map_entry_t e, next;

	if (copy == VM_MAP_COPY_NULL)
		return;
	for (e = copy->cpy_header.vme_next; e != &copy->cpy_header; e = next) {
		next = e->vme_next;
		vm_object_deallocate(e->vme_object);
		vm_map_entry_dispose(e);
	}
	__atomic_fetch_sub(&vm_map_copy_count, 1, __ATOMIC_RELAXED);
	kfree(copy, sizeof(*copy));
}

/* Whether [start, end) of map is mapped without holes and readable. Map lock held. */
static kern_return_t
copy_check_range(vm_map_t map, vaddr_t start, vaddr_t end)
{
	vm_map_entry_t e;
	vaddr_t at = start;

	if (!vm_map_lookup_entry(map, start, &e))
		return KERN_INVALID_ADDRESS;
	for (; e != &map->vm_header && at < end; e = e->vme_next) {
		if (e->vme_start != at && at != start)
			return KERN_INVALID_ADDRESS;
		if (!(e->vme_prot & VM_PROT_READ))
			return KERN_PROTECTION_FAILURE;
		at = e->vme_end;
	}
	return at >= end ? KERN_SUCCESS : KERN_INVALID_ADDRESS;
}

kern_return_t
vm_map_copyin(vm_map_t src_map, vaddr_t addr, vm_size_t len, bool src_destroy,
	      vm_map_copy_t *copyp)
{
	vaddr_t start, end;
	vm_map_copy_t copy;
	vm_map_entry_t e;
	kern_return_t kr;
	bool st;

	*copyp = VM_MAP_COPY_NULL;
	if (len == 0)
		return KERN_SUCCESS;
	if (addr + len < addr || round_page(addr + len) < addr + len)
		return KERN_INVALID_ADDRESS;
	start = trunc_page(addr);
	end = round_page(addr + len);
	if (start < src_map->vm_min || end > src_map->vm_max)
		return KERN_INVALID_ADDRESS;
	if ((copy = copy_alloc()) == NULL)
		return KERN_RESOURCE_SHORTAGE;
	copy->cpy_base = start;
	copy->cpy_offset = addr - start;
	copy->cpy_size = len;
	st = lck_spin_lock_irqsave(&src_map->vm_lock);
	if ((kr = copy_check_range(src_map, start, end)) != KERN_SUCCESS)
		goto fail;
	e = vm_map_range_first(src_map, start, end);
	for (; e != NULL && e != &src_map->vm_header && e->vme_start < end; e = e->vme_next) {
		vm_map_entry_t n;

		if (!vm_map_clip_end(src_map, e, end) || (n = vm_map_entry_create()) == NULL) {
			e = NULL;
			break;
		}
		if (!vm_map_entry_share_cow(src_map, e, n)) {
			vm_map_entry_dispose(n);
			e = NULL;
			break;
		}
		n->vme_wired = 0;
		n->vme_prev = copy->cpy_header.vme_prev;
		n->vme_next = &copy->cpy_header;
		copy->cpy_header.vme_prev->vme_next = n;
		copy->cpy_header.vme_prev = n;
		copy->cpy_nentries++;
	}
	if (e == NULL) {
		kr = KERN_RESOURCE_SHORTAGE;
		goto fail;
	}
	lck_spin_unlock_irqrestore(&src_map->vm_lock, st);
	if (src_destroy)
		(void)vm_map_remove(src_map, start, end);
	*copyp = copy;
	return KERN_SUCCESS;
fail:
	lck_spin_unlock_irqrestore(&src_map->vm_lock, st);
	vm_map_copy_discard(copy);
	return kr;
}

kern_return_t
vm_map_copyout(vm_map_t dst_map, vaddr_t *addrp, vm_map_copy_t copy)
{
	vm_size_t size;
	vm_map_entry_t e, next, prev;
	vaddr_t base;
	bool st;

	*addrp = 0;
	if (copy == VM_MAP_COPY_NULL)
		return KERN_SUCCESS;
	size = round_page(copy->cpy_offset + copy->cpy_size);
	st = lck_spin_lock_irqsave(&dst_map->vm_lock);
	if (!vm_map_find_space(dst_map, dst_map->vm_min, size, &base)) {
		lck_spin_unlock_irqrestore(&dst_map->vm_lock, st);
		return KERN_NO_SPACE;
	}
	for (e = copy->cpy_header.vme_next; e != &copy->cpy_header; e = next) {
		next = e->vme_next;
		e->vme_start = base + (e->vme_start - copy->cpy_base);
		e->vme_end = base + (e->vme_end - copy->cpy_base);
		e->vme_prot = VM_PROT_DEFAULT;
		e->vme_max_prot = VM_PROT_ALL;
		e->vme_inherit = VM_INHERIT_DEFAULT;
		/* XXX: vo_refs is read under the map lock only; fine while objects share one lock. */
		if (e->vme_object != NULL && e->vme_object->vo_refs == 1)
			e->vme_needs_copy = false;
		(void)vm_map_lookup_entry(dst_map, e->vme_start, &prev);
		vm_map_link(dst_map, prev, e);
	}
	lck_spin_unlock_irqrestore(&dst_map->vm_lock, st);
	*addrp = base + copy->cpy_offset;
	__atomic_fetch_sub(&vm_map_copy_count, 1, __ATOMIC_RELAXED);
	kfree(copy, sizeof(*copy));
	return KERN_SUCCESS;
}
