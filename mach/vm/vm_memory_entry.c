/*
 * vm_memory_entry.c — named entries (mach_make_memory_entry) and mapping them into maps
 * (vm_map_enter_mem_object), after Mach 3.0's memory_object_create / vm_map and XNU
 * osfmk/vm/vm_memory_entry.c.
 *
 * The one idea: see vm_memory_entry.h — an entry is a referenced window on one object that is
 * shared as itself (TRUE_SHARE); mapping it is vm_map_enter of that object, and a copy of it
 * is a delayed copy, so sharing and copying never get in each other's way.
 */
#include <console.h>
#include <mach/kern/kalloc.h>
#include <mach/vm/vm_map_internal.h>
#include <mach/vm/vm_memory_entry.h>
#include <mach/vm/vm_param.h>

uint64_t vm_named_entry_count;

/* A new entry over [offset, offset + size) of object, taking over the caller's reference. */
static vm_named_entry_t
ne_create(vm_object_t object, vm_object_offset_t offset, vm_size_t size, vm_prot_t prot)
{
	vm_named_entry_t ne = kalloc_zero(sizeof(*ne));

	if (ne == NULL)
		return NULL;
	ne->ne_refs = 1;
	ne->ne_prot = prot;
	ne->ne_object = object;
	ne->ne_offset = offset;
	ne->ne_size = size;
	__atomic_fetch_add(&vm_named_entry_count, 1, __ATOMIC_RELAXED);
	return ne;
}

kern_return_t
mach_make_memory_entry(vm_map_t map, vm_size_t *size, vaddr_t addr, vm_prot_t permission,
		       vm_named_entry_t *entryp)
{
	vaddr_t start = trunc_page(addr), end;
	vm_object_offset_t offset;
	vm_object_t object;
	vm_map_entry_t e;
	kern_return_t kr = KERN_SUCCESS;
	vm_named_entry_t ne;
	bool st;

	if (*size == 0 || addr + *size < addr || round_page(addr + *size) < addr ||
	    permission == VM_PROT_NONE || (permission & ~VM_PROT_ALL) != 0)
		return KERN_INVALID_ARGUMENT;
	end = round_page(addr + *size);
	st = pmap_spin_lock_irqsave(&map->vm_lock);
	if (!vm_map_lookup_entry(map, start, &e)) {
		kr = KERN_INVALID_ADDRESS;
	} else if ((permission & ~e->vme_prot) != 0) {
		kr = KERN_PROTECTION_FAILURE;
	} else if (!vm_map_entry_make_shared(e)) {
		kr = KERN_RESOURCE_SHORTAGE;
	} else {
		end = MIN(end, e->vme_end);
		object = e->vme_object;
		offset = e->vme_offset + (start - e->vme_start);
		vm_object_reference(object);
	}
	lck_spin_unlock_irqrestore(&map->vm_lock, st);
	if (kr != KERN_SUCCESS)
		return kr;
	if ((ne = ne_create(object, offset, end - start, permission)) == NULL) {
		vm_object_deallocate(object);
		return KERN_RESOURCE_SHORTAGE;
	}
	*size = end - start;
	*entryp = ne;
	return KERN_SUCCESS;
}

kern_return_t
mach_memory_entry_allocate(vm_size_t size, vm_prot_t permission, vm_named_entry_t *entryp)
{
	vm_named_entry_t ne;
	vm_object_t object;

	if (size == 0 || round_page(size) < size || permission == VM_PROT_NONE ||
	    (permission & ~VM_PROT_ALL) != 0)
		return KERN_INVALID_ARGUMENT;
	size = round_page(size);
	if ((object = vm_object_allocate(size)) == NULL)
		return KERN_RESOURCE_SHORTAGE;
	vm_object_share(object);
	if ((ne = ne_create(object, 0, size, permission)) == NULL) {
		vm_object_deallocate(object);
		return KERN_RESOURCE_SHORTAGE;
	}
	*entryp = ne;
	return KERN_SUCCESS;
}

void
mach_memory_entry_reference(vm_named_entry_t entry)
{
	if (entry != NULL)
		__atomic_fetch_add(&entry->ne_refs, 1, __ATOMIC_RELAXED);
}

void
mach_memory_entry_deallocate(vm_named_entry_t entry)
{
	if (entry == NULL || __atomic_sub_fetch(&entry->ne_refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	vm_object_deallocate(entry->ne_object);
	__atomic_fetch_sub(&vm_named_entry_count, 1, __ATOMIC_RELAXED);
	kfree(entry, sizeof(*entry));
}

kern_return_t
vm_map_enter_mem_object(vm_map_t map, vaddr_t *addr, vm_size_t size, int flags,
			vm_named_entry_t entry, vm_object_offset_t offset, bool copy,
			vm_prot_t cur_prot, vm_prot_t max_prot, vm_inherit_t inherit)
{
	vm_object_t object;
	kern_return_t kr;

	if (entry == NULL || size == 0 || ((size | offset) & PAGE_MASK) != 0 ||
	    offset > entry->ne_size || size > entry->ne_size - offset)
		return KERN_INVALID_ARGUMENT;
	if ((cur_prot & ~entry->ne_prot) != 0 || (max_prot & ~entry->ne_prot) != 0)
		return KERN_INVALID_RIGHT;
	if (copy) {
		/* The copy covers all of the object at offset 0 (vm_object_copy_delayed). */
		if ((object = vm_object_copy_delayed(entry->ne_object)) == NULL)
			return KERN_RESOURCE_SHORTAGE;
	} else {
		object = entry->ne_object;
		vm_object_reference(object);
	}
	kr = vm_map_enter(map, addr, size, flags, object, entry->ne_offset + offset, copy,
			  cur_prot, max_prot, inherit);
	if (kr != KERN_SUCCESS)
		vm_object_deallocate(object);
	return kr;
}
