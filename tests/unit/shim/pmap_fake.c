/*
 * pmap_fake.c — a pmap that maps nothing, for hosted tests of code above vm_map (IPC's
 * out-of-line memory): the VM layer asks it to drop or write-protect mappings, and since no
 * hosted test touches memory through a map, doing nothing is exact.
 */
#include <mach/vm/pmap.h>

void
pmap_page_protect(struct vm_page *m, vm_prot_t prot)
{
	(void)m;
	(void)prot;
}

void
pmap_remove(pmap_t pmap, vaddr_t start, vaddr_t end)
{
	(void)pmap;
	(void)start;
	(void)end;
}

void
pmap_protect(pmap_t pmap, vaddr_t start, vaddr_t end, vm_prot_t prot)
{
	(void)pmap;
	(void)start;
	(void)end;
	(void)prot;
}

/* Hosted: one thread, no shootdowns to answer while spinning. */
bool
pmap_spin_lock_irqsave(lck_spin_t *l)
{
	return lck_spin_lock_irqsave(l);
}
