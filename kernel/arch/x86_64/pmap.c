/*
 * pmap.c — kernel page tables.
 *
 * XXX: until the pmap bootstrap lands, the kernel runs on boot.S's tables, which map the first
 * 4 GiB write-back at the direct map; device memory there is reached through them.
 */
#include <arch/x86_64/pmap.h>
#include <mach/vm/vm_param.h>

void *
pmap_mapdev(paddr_t pa, size_t len)
{
	if (pa >= PHYSMAP_EARLY_LIMIT || len > PHYSMAP_EARLY_LIMIT - pa)
		return NULL;
	return phystokv(pa);
}
