/*
 * kalloc.h — general-purpose kernel memory (XNU osfmk/kern/kalloc.h): power-of-two-ish size
 * classes served by zones, larger requests by contiguous pages. The caller passes the size back
 * to kfree(), as in XNU, so no header precedes the memory.
 */
#ifndef _MACH_KERN_KALLOC_H_
#define _MACH_KERN_KALLOC_H_

#include <libkern/libkern.h>
#include <mach/vm/vm_types.h>

/* Largest size served by a zone (kalloc.8192); above it, whole page blocks. */
#define KALLOC_MAX_ZONE_SIZE 8192
/* Largest request at all: one largest vm_page block (2^VM_PAGE_MAX_ORDER pages, 4 MiB). */
#define KALLOC_MAX_SIZE	     (4UL << 20)

/* kalloc_init: create the kalloc.N zones. Call once, after zone_bootstrap(). */
void kalloc_init(void);

/*
 * kalloc: allocate size bytes, aligned to the size class (at least 16 bytes; page aligned
 * above KALLOC_MAX_ZONE_SIZE). Never sleeps.
 *   Returns: the memory (contents undefined), or NULL for size 0, size above KALLOC_MAX_SIZE,
 *            or when memory is short.
 */
void *kalloc(vm_size_t size);

/* kalloc_zero: kalloc() and clear the memory. */
void *kalloc_zero(vm_size_t size);

/*
 * kfree: give back memory from kalloc(size), with the same size. Memory that did not come
 * from kalloc, or a size from another class, is a kernel bug (panic). kfree(NULL, n) does
 * nothing.
 */
void kfree(void *ptr, vm_size_t size);

/* The number of bytes kalloc(size) really reserves (the class size), 0 when it would fail. */
vm_size_t kalloc_size(vm_size_t size);

#endif /* _MACH_KERN_KALLOC_H_ */
