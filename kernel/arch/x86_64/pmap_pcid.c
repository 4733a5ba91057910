/*
 * pmap_pcid.c — process-context identifiers (Intel SDM Vol. 3A §4.10.1 "Process-Context
 * Identifiers", §4.10.4.1 "Operations that Invalidate TLBs and Paging-Structure Caches": MOV
 * to CR3 with bit 63, INVPCID), so a switch between address spaces keeps the translations of
 * the ones it leaves.
 *
 * The one idea: each CPU lends its PCIDs (1..PCID_SLOTS; 0 is the kernel's) to the pmaps it
 * runs, round robin, remembering for each PCID which pmap holds it (by pm_id, never reused, so
 * a new pmap at a freed one's address is not mistaken for it) and the pmap's TLB generation
 * when its translations there were last known valid. Every change to a user pmap's entries
 * that needs a flush first bumps the pmap's generation (pmap_pcid_changed), then shoots down
 * the CPUs whose CR3 holds it; a CPU that left it keeps stale translations under its PCID, and
 * finds out when it comes back: the generation moved, so it loads CR3 flushing that PCID
 * (INVPCID single-context when offered, else MOV to CR3 without bit 63). Only an unchanged
 * generation loads with bit 63 set (no flush). A CPU joins pm_cpus before it reads the
 * generation, and a changer bumps it before it reads pm_cpus, so either the changer's
 * shootdown reaches the CPU or the CPU sees the new generation (pmap_activate).
 *
 * Kernel translations are global (PCID needs CR4.PGE here), so they are shared by every PCID
 * and flushed by INVLPG whatever PCID is current; the kernel's non-leaf entries never change
 * after boot, so no PCID caches a stale one.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/pmap_internal.h>
#include <cmdline.h>
#include <console.h>
#include <mach/kern/processor.h>

#define PCID_SLOTS  32		/* PCIDs per CPU for user pmaps: 1..PCID_SLOTS */
#define CR3_NOFLUSH (1ULL << 63)
#define CR4_PCIDE   (1ul << 17)

#define INVPCID_SINGLE_CONTEXT 1

struct pcid_cpu {
	uint64_t pc_owner[PCID_SLOTS]; /* pm_id of the pmap PCID slot + 1 is lent to; 0: none */
	uint64_t pc_gen[PCID_SLOTS];   /* its pm_tlb_gen when its translations there were valid */
	unsigned pc_next;	       /* the slot to lend next */
};

bool pmap_pcid, pmap_invpcid;
struct pmap_pcid_stats pmap_pcid_stats;
static struct pcid_cpu pcid_cpus[MAX_CPUS];
static uint64_t pcid_next_id = 1;

static void
invpcid(unsigned long type, uint64_t pcid, vaddr_t va)
{
	struct {
		uint64_t pcid, va;
	} desc = { pcid, va };

	__asm__ volatile("invpcid %0, %1" : : "m"(desc), "r"(type) : "memory");
}

void
pmap_pcid_bootstrap(void)
{
	const char *want = cmdline_get(&boot_cmdline, "pcid");

	if (!pmap_pge || !cpu_has(1, CPUID_ECX, 17))
		return;
	/*
	 * XXX: opt-in (pcid=on) until it has run somewhere: neither this QEMU's TCG (7.2) nor
	 * the nested KVM here offers PCID, so no test has executed this path yet. Run
	 * ktest=pmap_pcid_many_address_spaces,pmap_pcid_change_while_away with pcid=on on a
	 * machine that offers it, then make it the default.
	 */
	if (want == NULL || strcmp(want, "on") != 0) {
		printf("pmap: PCID offered, not used (pcid=on uses it)\n");
		return;
	}
	/* CR3 holds the kernel PML4 with bits 11:0 clear, as setting PCIDE requires. */
	pmap_invpcid = cpu_has(7, CPUID_EBX, 10);
	write_cr4(read_cr4() | CR4_PCIDE);
	pmap_pcid = true;
	printf("pmap: PCID on, %u per CPU, INVPCID %s\n", PCID_SLOTS,
	       pmap_invpcid ? "on" : "off (CR3 loads flush)");
}

uint64_t
pmap_pcid_new_id(void)
{
	return __atomic_fetch_add(&pcid_next_id, 1, __ATOMIC_RELAXED);
}

void
pmap_pcid_changed(pmap_t pmap)
{
	if (pmap != NULL && pmap != kernel_pmap)
		__atomic_fetch_add(&pmap->pm_tlb_gen, 1, __ATOMIC_SEQ_CST);
}

uint64_t
pmap_pcid_cr3(pmap_t pmap, unsigned cpu)
{
	struct pcid_cpu *pc = &pcid_cpus[cpu];
	uint64_t gen, pcid;
	unsigned s;

	if (pmap == kernel_pmap)
		return pmap->pm_pml4 | CR3_NOFLUSH; /* PCID 0 caches no non-global entry */
	gen = __atomic_load_n(&pmap->pm_tlb_gen, __ATOMIC_SEQ_CST);
	for (s = 0; s < PCID_SLOTS && pc->pc_owner[s] != pmap->pm_id; s++)
		;
	if (s == PCID_SLOTS) {
		s = pc->pc_next;
		pc->pc_next = (s + 1) % PCID_SLOTS;
		pc->pc_owner[s] = pmap->pm_id;
		__atomic_fetch_add(&pmap_pcid_stats.pps_lent, 1, __ATOMIC_RELAXED);
	} else if (pc->pc_gen[s] == gen) {
		__atomic_fetch_add(&pmap_pcid_stats.pps_kept, 1, __ATOMIC_RELAXED);
		return pmap->pm_pml4 | (s + 1) | CR3_NOFLUSH;
	} else {
		__atomic_fetch_add(&pmap_pcid_stats.pps_stale, 1, __ATOMIC_RELAXED);
	}
	pc->pc_gen[s] = gen;
	pcid = s + 1;
	if (pmap_invpcid) {
		invpcid(INVPCID_SINGLE_CONTEXT, pcid, 0);
		return pmap->pm_pml4 | pcid | CR3_NOFLUSH;
	}
	return pmap->pm_pml4 | pcid; /* the load flushes the PCID's non-global entries */
}

void
pmap_pcid_flush_current(void)
{
	uint64_t cr3 = read_cr3();

	if (pmap_invpcid)
		invpcid(INVPCID_SINGLE_CONTEXT, cr3 & 0xfff, 0);
	else
		write_cr3(cr3 & ~CR3_NOFLUSH);
}
