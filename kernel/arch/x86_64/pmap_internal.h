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
 * PCIDs (pmap_pcid.c). pmap_pcid: CR4.PCIDE is on (set once by pmap_pcid_bootstrap, from
 * pmap_bootstrap on the boot CPU; the other CPUs copy its CR4); pmap_invpcid: INVPCID is used.
 */
extern bool pmap_pcid, pmap_invpcid;
void pmap_pcid_bootstrap(void);
/* A pm_id for a new pmap: never 0, never reused. */
uint64_t pmap_pcid_new_id(void);
/*
 * pmap_pcid_changed: pmap's entries changed in a way that needs a TLB flush: CPUs that come
 * back to it flush its PCID. Call before reading pm_cpus for the shootdown.
 */
void pmap_pcid_changed(pmap_t pmap);
/*
 * pmap_pcid_cr3: the CR3 value that loads pmap on this CPU (cpu), lending it a PCID and
 * flushing that PCID unless it still holds pmap's translations of the current generation.
 * Interrupts off, this CPU already in pmap's pm_cpus.
 */
uint64_t pmap_pcid_cr3(pmap_t pmap, unsigned cpu);
/* Flush the non-global translations of the current PCID on this CPU. Interrupts off. */
void pmap_pcid_flush_current(void);

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
