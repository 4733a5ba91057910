/*
 * vm_kern.c — kernel_map and kmem_alloc/kmem_free (Mach 3.0 vm/vm_kern.c): kernel memory made
 * of an anonymous object's pages, wired and mapped at once in the kernel pmap.
 *
 * The one idea: kernel memory is ordinary VM — an entry over an object in a map — except that
 * every page is allocated, wired and entered up front, so touching it never faults.
 */
#include <console.h>
#include <mach/vm/pmap.h>
#include <mach/vm/vm_kern.h>
#include <mach/vm/vm_param.h>
#include <panic.h>

vm_map_t kernel_map;

void
vm_init(void)
{
	vm_object_bootstrap();
	vm_map_bootstrap();
	kernel_map = vm_map_create(kernel_pmap, VM_KERNEL_MAP_MIN, VM_KERNEL_MAP_MAX);
	if (kernel_map == NULL)
		panic("vm_init: no kernel_map");
}

kern_return_t
kmem_alloc(vm_size_t size, vaddr_t *addrp)
{
	vm_object_t object;
	vaddr_t addr = VM_KERNEL_MAP_MIN;
	kern_return_t kr;

	size = round_page(size);
	if (size == 0)
		return KERN_INVALID_ARGUMENT;
	if ((object = vm_object_allocate(size)) == NULL)
		return KERN_RESOURCE_SHORTAGE;
	kr = vm_map_enter(kernel_map, &addr, size, VM_FLAGS_ANYWHERE, object, 0, false,
			  VM_PROT_DEFAULT, VM_PROT_DEFAULT, VM_INHERIT_NONE);
	if (kr != KERN_SUCCESS) {
		vm_object_deallocate(object);
		return kr;
	}
	/* The map holds the only reference: removing the range frees the pages. */
	for (vm_size_t off = 0; off < size; off += PAGE_SIZE) {
		bool st = pmap_spin_lock_irqsave(&vm_object_lock_all);
		vm_page_t m = vm_page_alloc(object, off);

		if (m != NULL)
			vm_page_wire(m);
		lck_spin_unlock_irqrestore(&vm_object_lock_all, st);
		if (m != NULL) {
			pmap_zero_page(VM_PAGE_TO_PHYS(m));
			kr = pmap_enter(kernel_pmap, addr + off, VM_PAGE_TO_PHYS(m),
					VM_PROT_DEFAULT, 0);
		}
		if (m == NULL || kr != KERN_SUCCESS) {
			(void)vm_map_remove(kernel_map, addr, addr + size);
			return KERN_RESOURCE_SHORTAGE;
		}
	}
	*addrp = addr;
	return KERN_SUCCESS;
}

void
kmem_free(vaddr_t addr, vm_size_t size)
{
	kern_return_t kr = vm_map_remove(kernel_map, trunc_page(addr), round_page(addr + size));

	if (kr != KERN_SUCCESS)
		klog(LOG_ERR, "kmem_free: [%#lx, +%#lx) not removed (%d)\n", (unsigned long)addr,
		     (unsigned long)size, kr);
}
