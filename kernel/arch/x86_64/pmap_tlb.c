/*
 * pmap_tlb.c — TLB shootdown across CPUs (Intel SDM Vol. 3A §4.10.5, "Propagation of
 * paging-structure changes to multiple processors": the initiator changes the entries, signals
 * the others with an IPI, and waits until each has invalidated before reusing the memory).
 *
 * The one idea: one request at a time. The initiator takes the shootdown lock, publishes the
 * range under a new generation number, and waits until every other online CPU has written that
 * generation into its own acknowledgement slot. A CPU answers in the IPI handler, or while it
 * spins for the shootdown lock itself, so two CPUs shooting down at once (even with interrupts
 * off) cannot wait on each other; likewise while it spins for any lock whose holder may shoot
 * down (pmap_spin_lock_irqsave: the pmap and pv locks, the VM's object and map locks).
 * The kernel's translations are in every CPU's TLB; a user pmap's only in those of the CPUs
 * whose CR3 holds it (pm_cpus, kept by pmap_activate), so only those are asked.
 * With PCIDs a CPU keeps a pmap's translations after it loads another, yet leaves pm_cpus at
 * once: each change bumps the pmap's generation first, and a CPU coming back to it flushes
 * its PCID when the generation moved (pmap_pcid.c).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/mp.h>
#include <arch/x86_64/pmap_internal.h>
#include <arch/x86_64/pmap_tlb.h>
#include <arch/x86_64/timer.h>
#include <arch/x86_64/trap.h>
#include <console.h>
#include <mach/kern/processor.h>
#include <mach/vm/pmap.h>
#include <mach/vm/vm_param.h>

#define TLB_FLUSH_ALL_PAGES 32		 /* above this many pages, flush everything */
#define TLB_SLOW_NS	    5000000000ULL /* warn once when acknowledgements take this long */

static lck_spin_t tlb_lock = LCK_SPIN_INITIALIZER;
static unsigned tlb_vector;
static volatile uint64_t tlb_gen;	   /* the current (or last) request */
static volatile vaddr_t tlb_start, tlb_end; /* its range, stable until all have answered */
static struct pmap *volatile tlb_evict;	   /* and a pmap to unload (pmap_tlb_evict), or NULL */
static volatile uint64_t tlb_done[MAX_CPUS]; /* the last request each CPU has flushed for */
static uint64_t tlb_initiated, tlb_received;

static void
tlb_flush_local(vaddr_t start, vaddr_t end)
{
	if (end <= start)
		return;
	if ((end - start) / PAGE_SIZE > TLB_FLUSH_ALL_PAGES) {
		uint64_t cr4 = read_cr4();

		/* User ranges: the current context's non-global entries are enough. */
		if (end <= PMAP_USER_TOP) {
			if (pmap_pcid)
				pmap_pcid_flush_current();
			else
				write_cr3(read_cr3());
			return;
		}
		/* Kernel mappings are global: a CR3 reload would keep them. Toggling PGE
		 * flushes everything, every PCID's entries too. */
		if (cr4 & CR4_PGE) {
			write_cr4(cr4 & ~CR4_PGE);
			write_cr4(cr4);
		} else {
			write_cr3(read_cr3());
		}
		return;
	}
	for (vaddr_t va = start & ~(vaddr_t)PAGE_MASK; va < end; va += PAGE_SIZE)
		invlpg(va);
}

/* Flush for the current request if this CPU has not yet. Any context. */
static void
tlb_answer(void)
{
	bool s = intr_save(); /* pins this thread to this CPU for the slot it writes */
	unsigned me = current_cpu();
	uint64_t gen = __atomic_load_n(&tlb_gen, __ATOMIC_ACQUIRE);

	if (tlb_done[me] != gen) {
		if (tlb_evict != NULL)
			pmap_evict_local(tlb_evict);
		tlb_flush_local(tlb_start, tlb_end);
		__atomic_fetch_add(&tlb_received, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&tlb_done[me], gen, __ATOMIC_RELEASE);
	}
	intr_restore(s);
}

static void
tlb_intr(struct trapframe *tf, void *arg)
{
	(void)tf;
	(void)arg;
	tlb_answer();
}

int
pmap_tlb_init(void)
{
	tlb_vector = intr_alloc_vector(0xf0, 0xfe);
	if (tlb_vector == 0) {
		klog(LOG_ERR, "pmap: no vector for TLB shootdowns\n");
		return -1;
	}
	intr_set_handler(tlb_vector, tlb_intr, NULL);
	return 0;
}

void
pmap_tlb_shootdown(struct pmap *pmap, vaddr_t start, vaddr_t end)
{
	if (pmap == NULL || pmap == kernel_pmap) {
		pmap_tlb_shootdown_cpus(~0ULL, start, end);
	} else {
		/* CPUs that left pmap keep its translations under its PCID: they flush when
		 * they come back, seeing the new generation (pmap_pcid.c). */
		pmap_pcid_changed(pmap);
		pmap_tlb_shootdown_cpus(__atomic_load_n(&pmap->pm_cpus, __ATOMIC_SEQ_CST), start,
					end);
	}
}

/* Flush [start, end) on the CPUs in cpus and unload evict there (when not NULL). */
static void
tlb_request(uint64_t cpus, vaddr_t start, vaddr_t end, struct pmap *evict)
{
	bool targets[MAX_CPUS] = { false };
	uint64_t gen, t0;
	unsigned me;
	bool warned = false, s;

	/* Nobody else to ask: flush here (if it is cached here) and be done. */
	s = intr_save();
	me = current_cpu();
	if ((cpus & ~(1ULL << me)) == 0) {
		if ((cpus & (1ULL << me)) && evict != NULL)
			pmap_evict_local(evict);
		if (cpus & (1ULL << me))
			tlb_flush_local(start, end);
		intr_restore(s);
		return;
	}
	intr_restore(s);
	while (!lck_spin_try_lock(&tlb_lock)) {
		tlb_answer();
		cpu_pause();
	}
	/* Preemption is off from here: this thread stays on this CPU. */
	me = current_cpu();
	gen = tlb_gen + 1;
	tlb_start = start;
	tlb_end = end;
	tlb_evict = evict;
	tlb_done[me] = gen;
	__atomic_store_n(&tlb_gen, gen, __ATOMIC_RELEASE);
	tlb_initiated++;
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		/* A CPU parked with interrupts off (mp.c under Xen) touches no memory. */
		if (i == me || !(cpus & (1ULL << i)) ||
		    !__atomic_load_n(&processor_array[i].p_sched_on, __ATOMIC_ACQUIRE) ||
		    tlb_vector == 0)
			continue;
		targets[i] = true;
		mp_ipi_send(i, tlb_vector);
	}
	if ((cpus & (1ULL << me)) && evict != NULL)
		pmap_evict_local(evict);
	if (cpus & (1ULL << me))
		tlb_flush_local(start, end);
	t0 = clock_uptime_ns();
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		while (targets[i] && __atomic_load_n(&tlb_done[i], __ATOMIC_ACQUIRE) != gen) {
			cpu_pause();
			if (!warned && clock_uptime_ns() - t0 > TLB_SLOW_NS) {
				klog(LOG_WARNING, "pmap: cpu %u has not answered TLB shootdown %llu "
				     "for 5 s\n", i, (unsigned long long)gen);
				warned = true;
			}
		}
	}
	lck_spin_unlock(&tlb_lock);
}

void
pmap_tlb_shootdown_cpus(uint64_t cpus, vaddr_t start, vaddr_t end)
{
	if (end > start)
		tlb_request(cpus, start, end, NULL);
}

void
pmap_tlb_evict(struct pmap *pmap)
{
	uint64_t cpus = __atomic_load_n(&pmap->pm_cpus, __ATOMIC_SEQ_CST);

	if (cpus != 0)
		tlb_request(cpus, 0, 0, pmap);
}

unsigned
pmap_tlb_vector(void)
{
	return tlb_vector;
}

void
pmap_tlb_counts(uint64_t *initiated, uint64_t *received)
{
	*initiated = __atomic_load_n(&tlb_initiated, __ATOMIC_RELAXED);
	*received = __atomic_load_n(&tlb_received, __ATOMIC_RELAXED);
}

bool
pmap_spin_lock_irqsave(lck_spin_t *l)
{
	bool s = intr_save();

	while (!lck_spin_try_lock(l)) {
		tlb_answer();
		cpu_pause();
	}
	return s;
}
