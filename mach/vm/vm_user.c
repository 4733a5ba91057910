/*
 * vm_user.c — vm_allocate, vm_deallocate, vm_protect, vm_inherit, vm_read, vm_write, vm_copy,
 * vm_msync over vm_map (Mach 3.0 vm/vm_user.c).
 *
 * The one idea: the calls that move data reach another map's memory without running on it:
 * each page is faulted in with vm_fault() for the access needed and reached through the
 * direct map at the physical address the map's pmap now holds, so a copy never depends on
 * which address space is loaded.
 */
#include <console.h>
#include <mach/vm/memory_object.h>
#include <mach/vm/pmap.h>
#include <mach/vm/vm_fault.h>
#include <mach/vm/vm_kern.h>
#include <mach/vm/vm_param.h>
#include <mach/vm/vm_user.h>

kern_return_t
vm_allocate(vm_map_t map, vaddr_t *addr, vm_size_t size, bool anywhere)
{
	vaddr_t a = trunc_page(*addr);
	kern_return_t kr;

	if (size == 0 || round_page(size) < size)
		return KERN_INVALID_ARGUMENT;
	kr = vm_map_enter(map, &a, round_page(size), anywhere ? VM_FLAGS_ANYWHERE : VM_FLAGS_FIXED,
			  NULL, 0, false, VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_DEFAULT);
	if (kr == KERN_SUCCESS)
		*addr = a;
	return kr;
}

/* Page-round [addr, addr + size); false when it wraps. */
static bool
vm_user_range(vaddr_t addr, vm_size_t size, vaddr_t *start, vaddr_t *end)
{
	if (addr + size < addr || round_page(addr + size) < addr)
		return false;
	*start = trunc_page(addr);
	*end = round_page(addr + size);
	return true;
}

kern_return_t
vm_deallocate(vm_map_t map, vaddr_t addr, vm_size_t size)
{
	vaddr_t s, e;

	if (size == 0)
		return KERN_SUCCESS;
	if (!vm_user_range(addr, size, &s, &e))
		return KERN_INVALID_ARGUMENT;
	return vm_map_remove(map, s, e);
}

kern_return_t
vm_protect(vm_map_t map, vaddr_t addr, vm_size_t size, bool set_max, vm_prot_t new_prot)
{
	vaddr_t s, e;

	if (!vm_user_range(addr, size, &s, &e))
		return KERN_INVALID_ARGUMENT;
	return vm_map_protect(map, s, e, new_prot, set_max);
}

kern_return_t
vm_inherit(vm_map_t map, vaddr_t addr, vm_size_t size, vm_inherit_t inherit)
{
	vaddr_t s, e;

	if (!vm_user_range(addr, size, &s, &e))
		return KERN_INVALID_ARGUMENT;
	return vm_map_inherit(map, s, e, inherit);
}

kern_return_t
vm_map_copy_bytes(vm_map_t map, vaddr_t addr, void *buf, vm_size_t len, bool to_map)
{
	uint8_t *p = buf;

	if (addr + len < addr)
		return KERN_INVALID_ADDRESS;
	while (len > 0) {
		vm_size_t n = MIN(len, PAGE_SIZE - (addr & PAGE_MASK));
		kern_return_t kr = vm_fault(map, addr, to_map ? VM_PROT_WRITE : VM_PROT_READ);
		paddr_t pa;

		if (kr != KERN_SUCCESS)
			return kr;
		/* XXX: with other CPUs the page must be held (wired) between fault and copy. */
		pa = pmap_extract(map->vm_pmap, addr);
		if (pa == 0)
			return KERN_FAILURE;
		if (to_map)
			memcpy(phystokv(pa), p, n);
		else
			memcpy(p, phystokv(pa), n);
		addr += n;
		p += n;
		len -= n;
	}
	return KERN_SUCCESS;
}

kern_return_t
vm_read(vm_map_t map, vaddr_t addr, vm_size_t size, vaddr_t *data)
{
	vaddr_t buf;
	kern_return_t kr;

	if (size == 0)
		return KERN_INVALID_ARGUMENT;
	if ((kr = kmem_alloc(size, &buf)) != KERN_SUCCESS)
		return kr;
	kr = vm_map_copy_bytes(map, addr, (void *)buf, size, false);
	if (kr != KERN_SUCCESS) {
		kmem_free(buf, size);
		return kr;
	}
	*data = buf;
	return KERN_SUCCESS;
}

kern_return_t
vm_write(vm_map_t map, vaddr_t addr, const void *data, vm_size_t size)
{
	return vm_map_copy_bytes(map, addr, (void *)(uintptr_t)data, size, true);
}

kern_return_t
vm_copy(vm_map_t map, vaddr_t src, vm_size_t size, vaddr_t dst)
{
	static uint8_t bounce[PAGE_SIZE]; /* XXX: one CPU; per-CPU or a kmem page later */
	kern_return_t kr = KERN_SUCCESS;

	if (src + size < src || dst + size < dst || (src < dst + size && dst < src + size))
		return KERN_INVALID_ARGUMENT;
	for (vm_size_t off = 0; off < size && kr == KERN_SUCCESS; off += PAGE_SIZE) {
		vm_size_t n = MIN(size - off, PAGE_SIZE);

		kr = vm_map_copy_bytes(map, src + off, bounce, n, false);
		if (kr == KERN_SUCCESS)
			kr = vm_map_copy_bytes(map, dst + off, bounce, n, true);
	}
	return kr;
}

/* Objects vm_msync looks at per pass under the map lock. */
#define VM_MSYNC_BATCH 16

/*
 * Reference up to VM_MSYNC_BATCH objects mapped shared in [*at, end), with the object range
 * each maps, moving *at past them. Map lock held. Returns how many, or -1 for a hole.
 */
static int
vm_msync_collect(vm_map_t map, vaddr_t *at, vaddr_t end, vm_object_t *objs,
		 vm_object_offset_t *offs, vm_size_t *lens)
{
	vm_map_entry_t e;
	int n = 0;

	if (!vm_map_lookup_entry(map, *at, &e))
		return -1;
	while (*at < end && n < VM_MSYNC_BATCH) {
		vaddr_t s, t;

		if (e == &map->vm_header || e->vme_start > *at)
			return -1;
		s = *at;
		t = MIN(e->vme_end, end);
		if (e->vme_object != NULL && !e->vme_needs_copy &&
		    e->vme_object->vo_pager != NULL) {
			vm_object_reference(e->vme_object);
			objs[n] = e->vme_object;
			offs[n] = e->vme_offset + (s - e->vme_start);
			lens[n] = t - s;
			n++;
		}
		*at = t;
		e = e->vme_next;
	}
	return n;
}

kern_return_t
vm_msync(vm_map_t map, vaddr_t addr, vm_size_t size, int flags)
{
	vm_object_t objs[VM_MSYNC_BATCH];
	vm_object_offset_t offs[VM_MSYNC_BATCH];
	vm_size_t lens[VM_MSYNC_BATCH];
	kern_return_t kr = KERN_SUCCESS;
	vaddr_t at, end;

	if (!vm_user_range(addr, size, &at, &end))
		return KERN_INVALID_ADDRESS;
	while (at < end) {
		bool st = pmap_spin_lock_irqsave(&map->vm_lock);
		int n = vm_msync_collect(map, &at, end, objs, offs, lens);

		lck_spin_unlock_irqrestore(&map->vm_lock, st);
		if (n < 0)
			return KERN_INVALID_ADDRESS; /* XXX: Linux also syncs what came before */
		for (int i = 0; i < n; i++) {
			if (memory_object_synchronize(objs[i]->vo_pager, offs[i], lens[i], flags) !=
			    KERN_SUCCESS)
				kr = KERN_FAILURE;
			vm_object_deallocate(objs[i]);
		}
	}
	return kr;
}
