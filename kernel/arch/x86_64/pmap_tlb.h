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
 * pmap NULL means the kernel's; for now every online CPU counts as caching every pmap.
 *   Locks:   takes the shootdown lock (spin). Interrupts may be off, but the caller must hold no
 *            spin lock that another CPU could be spinning on with interrupts off (that CPU could
 *            never acknowledge). Not from an interrupt handler.
 * Large ranges (more than 32 pages) flush the whole TLB, global entries included.
 */
void pmap_tlb_shootdown(struct pmap *pmap, vaddr_t start, vaddr_t end);
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
