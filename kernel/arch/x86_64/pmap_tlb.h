/*
 * pmap_tlb.h — TLB shootdown: make every CPU forget translations that were changed or removed.
 */
#ifndef _ARCH_X86_64_PMAP_TLB_H_
#define _ARCH_X86_64_PMAP_TLB_H_

#include <libkern/libkern.h>

struct pmap;

/*
 * pmap_tlb_shootdown: flush the translations for [start, end) of pmap on this CPU and on every
 * other CPU that may cache them, and return only once each has done so. Call it after changing
 * or removing the page-table entries, before reusing what they mapped.
 * pmap NULL (or kernel_pmap) means the kernel's, which every online CPU caches; a user pmap is
 * cached only by the CPUs in its pm_cpus (pmap_activate keeps that set), so a pmap active
 * nowhere else costs no IPI at all.
 *   Locks:   takes the shootdown lock (spin). Interrupts may be off, but the caller must hold no
 *            spin lock that another CPU could be spinning on with interrupts off (that CPU could
 *            never acknowledge). Not from an interrupt handler.
 * Large ranges (more than 32 pages) flush the whole TLB, global entries included.
 */
void pmap_tlb_shootdown(struct pmap *pmap, vaddr_t start, vaddr_t end);
/* pmap_tlb_shootdown for the CPUs in the bit set cpus (this one flushes locally if in it). */
void pmap_tlb_shootdown_cpus(uint64_t cpus, vaddr_t start, vaddr_t end);
/*
 * pmap_tlb_evict: make every CPU whose CR3 still holds pmap load the kernel's instead (a thread
 * that activated it moved on without switching back), so pmap can be destroyed. Returns once
 * each has done so. Locks as pmap_tlb_shootdown.
 */
void pmap_tlb_evict(struct pmap *pmap);
/* Shootdowns started, and flushes done on behalf of other CPUs, since boot. */
void pmap_tlb_counts(uint64_t *initiated, uint64_t *received);
/*
 * pmap_tlb_init: allocate and install the shootdown IPI vector. Boot CPU, before the other CPUs
 * start (mp_start). Returns 0, or -1 when no vector is free (logged).
 */
int pmap_tlb_init(void);
/* The shootdown IPI's vector (0 before pmap_tlb_init). */
unsigned pmap_tlb_vector(void);

#endif /* _ARCH_X86_64_PMAP_TLB_H_ */
