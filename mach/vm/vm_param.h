/*
 * vm_param.h — the machine-independent view of the address-space layout: page size, the direct
 * map of physical memory, and the conversions between physical and kernel virtual addresses.
 *
 * Every byte of RAM is mapped at PHYSMAP_BASE + physical address (ARCHITECTURE.md, "Boot");
 * the kernel image is linked at KERNEL_BASE + physical address. Hosted builds (unit tests)
 * point the direct map at a buffer: hosted_physmap_base is that buffer's address minus the
 * physical address it stands for.
 */
#ifndef _MACH_VM_VM_PARAM_H_
#define _MACH_VM_VM_PARAM_H_

#include <libkern/libkern.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)
#define PAGE_MASK  (PAGE_SIZE - 1)

#define atop(x)		((x) >> PAGE_SHIFT)
#define ptoa(x)		((paddr_t)(x) << PAGE_SHIFT)
#define round_page(x)	(((x) + PAGE_MASK) & ~(uint64_t)PAGE_MASK)
#define trunc_page(x)	((x) & ~(uint64_t)PAGE_MASK)

#define KERNEL_BASE_VA	0xffffffff80000000UL
#define PHYSMAP_BASE	0xffff800000000000UL
#define PHYSMAP_EARLY_LIMIT (4UL << 30) /* what boot.S maps before the pmap takes over */

/* kernel_map (kmem_alloc): PML4 slot 510, 512 GiB below the device window and kernel image. */
#define VM_KERNEL_MAP_MIN 0xffffff0000000000UL
#define VM_KERNEL_MAP_MAX 0xffffff8000000000UL

#ifdef NIMBUS_HOSTED
extern uintptr_t hosted_physmap_base;
#define phystokv(pa) ((void *)(hosted_physmap_base + (uintptr_t)(pa)))
#define kvtophys(va) ((paddr_t)((uintptr_t)(va) - hosted_physmap_base))
#else
#define phystokv(pa) ((void *)(PHYSMAP_BASE + (uintptr_t)(pa)))
/* Kernel virtual to physical, for direct-map and kernel-image addresses. */
static inline paddr_t
kvtophys(const void *va)
{
	uintptr_t v = (uintptr_t)va;

	return v >= KERNEL_BASE_VA ? v - KERNEL_BASE_VA : v - PHYSMAP_BASE;
}
#endif

#endif /* _MACH_VM_VM_PARAM_H_ */
