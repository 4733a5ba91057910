/*
 * vm_kern.h — kernel memory through the VM (Mach 3.0 vm/vm_kern.h): kernel_map, the part of the
 * kernel address space handed out by kmem_alloc, and vm_init, which brings the portable VM up.
 */
#ifndef _MACH_VM_VM_KERN_H_
#define _MACH_VM_VM_KERN_H_

#include <mach/kern/kern_return.h>
#include <mach/vm/vm_map.h>

/*
 * vm_init: create the object, map and entry zones and kernel_map. Once, on the boot CPU,
 * after zone_bootstrap() and kalloc_init(). Panics when memory for them cannot be had.
 */
void vm_init(void);

/*
 * kmem_alloc: size bytes (rounded up to pages) of wired, zeroed kernel memory, mapped in
 * kernel_map; virtually contiguous, not physically. Never sleeps, so it fails rather than wait
 * when only the pageout reserve is left (vm_page_free_reserved).
 *   Returns: KERN_SUCCESS and *addr; KERN_INVALID_ARGUMENT for size 0; KERN_NO_SPACE;
 *            KERN_RESOURCE_SHORTAGE (nothing is left allocated then).
 */
kern_return_t kmem_alloc(vm_size_t size, vaddr_t *addr);

/* kmem_free: give back [addr, addr + size) from kmem_alloc (same size). */
void kmem_free(vaddr_t addr, vm_size_t size);

#endif /* _MACH_VM_VM_KERN_H_ */
