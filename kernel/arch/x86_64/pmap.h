/*
 * pmap.h — the machine-dependent half of virtual memory: x86-64 page tables for the kernel.
 */
#ifndef _ARCH_X86_64_PMAP_H_
#define _ARCH_X86_64_PMAP_H_

#include <libkern/libkern.h>

/*
 * pmap_mapdev: map len bytes of device memory at physical address pa, uncached, into the
 * kernel's address space and return the kernel virtual address of pa.
 *   Returns: NULL when the range cannot be mapped.
 */
void *pmap_mapdev(paddr_t pa, size_t len);

#endif /* _ARCH_X86_64_PMAP_H_ */
