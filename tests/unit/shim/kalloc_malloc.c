/*
 * kalloc_malloc.c — kalloc()/kfree() for hosted unit tests of code that allocates but is not
 * the allocator (libkern containers, the registry, PCI, virtqueues): malloc underneath, with a
 * size header so that kfree() with the wrong size fails the test, and a live-bytes counter so
 * that tests can check nothing leaked. Named by `// unit-deps:`, never linked into every test.
 */
#include <stdlib.h>
#include <string.h>

#include <mach/kern/kalloc.h>
#include <panic.h>

#include "kalloc_malloc.h"

size_t kalloc_shim_live;       /* bytes allocated and not yet freed */
unsigned kalloc_shim_fail_after = ~0u; /* fail the allocation after this many more succeed */

void *
kalloc(vm_size_t size)
{
	uint64_t *p;

	if (size == 0 || size > KALLOC_MAX_SIZE)
		return NULL;
	if (kalloc_shim_fail_after == 0)
		return NULL;
	if (kalloc_shim_fail_after != ~0u)
		kalloc_shim_fail_after--;
	p = malloc(size + 16);
	if (p == NULL)
		return NULL;
	p[0] = size;
	kalloc_shim_live += size;
	return p + 2;
}

void *
kalloc_zero(vm_size_t size)
{
	void *p = kalloc(size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void
kfree(void *ptr, vm_size_t size)
{
	uint64_t *p;

	if (ptr == NULL)
		return;
	p = (uint64_t *)ptr - 2;
	if (p[0] != size)
		panic("kfree: %p freed with size %zu, allocated with %zu", ptr, (size_t)size,
		      (size_t)p[0]);
	kalloc_shim_live -= size;
	free(p);
}

vm_size_t
kalloc_size(vm_size_t size)
{
	return size == 0 || size > KALLOC_MAX_SIZE ? 0 : size;
}
