/*
 * pmap_internal.h — what the two halves of the x86-64 pmap share: pmap.c (kernel tables, boot,
 * device window) and pmap_as.c (address spaces, pv lists, reference/modify bits). Nothing
 * outside kernel/arch/x86_64/pmap*.c includes this.
 */
#ifndef _ARCH_X86_64_PMAP_INTERNAL_H_
#define _ARCH_X86_64_PMAP_INTERNAL_H_

#include <arch/x86_64/pmap.h>
#include <mach/vm/vm_param.h>

typedef uint64_t pt_entry_t;

/* Set once by pmap_bootstrap(): EFER.NXE is on; CR4.PGE is on. */
extern bool pmap_nx, pmap_pge;

/*
 * pmap_evict_local: if this CPU's CR3 holds pmap, load the kernel's instead. Interrupts off.
 * For pmap_tlb_evict (pmap_tlb.c); pmap_as.c keeps the per-CPU record.
 */
void pmap_evict_local(struct pmap *pmap);

/* The index of va in its level-`level` table (4: PML4 .. 1: page table). */
static inline unsigned
pte_index(vaddr_t va, unsigned level)
{
	return (va >> (PAGE_SHIFT + 9 * (level - 1))) & 511;
}

#endif /* _ARCH_X86_64_PMAP_INTERNAL_H_ */
