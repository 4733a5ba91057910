/*
 * pmap_pcid_ktest.c — in-kernel self-tests of address-space switches with and without PCIDs
 * (pmap_pcid.c): one CPU switches among many pmaps, each mapping the same user address to its
 * own page, more pmaps than it has PCIDs, and must always read its own page; a pmap whose
 * mapping changes while another runs (from this CPU or from another one) must show the new
 * page when it comes back, not the translation its PCID still held.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/pmap.h>
#include <arch/x86_64/pmap_internal.h>
#include <console.h>
#include <ktest.h>
#include <mach/kern/processor.h>
#include <mach/kern/sched_ktest_util.h>
#include <mach/kern/thread.h>
#include <mach/vm/vm_page.h>

#define PK_UVA	  0x0000000000600000UL
#define PK_PMAPS  48 /* more than a CPU's PCIDs */
#define PK_FEW	  8  /* fewer: these keep theirs */
#define PK_ROUNDS 4

static pmap_t pk_pmap[PK_PMAPS];
static vm_page_t pk_page[PK_PMAPS + 1];

/* Load p and read the user address through it (interrupts off: no switch in between). */
static uint64_t
pk_read(pmap_t p, unsigned word)
{
	bool s = intr_save();
	uint64_t v;

	pmap_activate(p);
	v = ((volatile uint64_t *)PK_UVA)[word];
	pmap_activate(kernel_pmap);
	intr_restore(s);
	return v;
}

static uint64_t *
pk_kva(unsigned i)
{
	return phystokv(VM_PAGE_TO_PHYS(pk_page[i]));
}

static bool
pk_setup(void)
{
	for (unsigned i = 0; i <= PK_PMAPS; i++) {
		if ((pk_page[i] = vm_page_grab()) == NULL)
			return false;
		memset(pk_kva(i), 0, PAGE_SIZE);
		pk_kva(i)[0] = 0x9c1d0000 + i;
	}
	for (unsigned i = 0; i < PK_PMAPS; i++) {
		if ((pk_pmap[i] = pmap_create()) == NULL ||
		    pmap_enter(pk_pmap[i], PK_UVA, VM_PAGE_TO_PHYS(pk_page[i]), VM_PROT_DEFAULT,
			       0) != KERN_SUCCESS)
			return false;
	}
	return true;
}

static void
pk_teardown(void)
{
	for (unsigned i = 0; i < PK_PMAPS; i++) {
		if (pk_pmap[i] != NULL)
			pmap_destroy(pk_pmap[i]);
		pk_pmap[i] = NULL;
	}
	for (unsigned i = 0; i <= PK_PMAPS; i++) {
		if (pk_page[i] != NULL)
			vm_page_release(pk_page[i]);
		pk_page[i] = NULL;
	}
}

/* Round after round over the first n pmaps: each reads its own page, every time. */
static unsigned
pk_rounds(unsigned n)
{
	unsigned bad = 0;

	for (unsigned r = 0; r < PK_ROUNDS; r++)
		for (unsigned i = 0; i < n; i++)
			bad += pk_read(pk_pmap[i], 0) != 0x9c1d0000 + i;
	return bad;
}

KTEST(pmap_pcid_many_address_spaces)
{
	struct processor *was = thread_bind(&processor_array[0]);
	uint64_t kept0 = pmap_pcid_stats.pps_kept, lent0 = pmap_pcid_stats.pps_lent;
	unsigned bad_few, bad_many;

	KT_ASSERT(pk_setup());
	bad_few = pk_rounds(PK_FEW);
	bad_many = pk_rounds(PK_PMAPS);
	printf("# pmap_pcid: PCID %s, INVPCID %s; %llu loads kept their PCID, %llu lent one\n",
	       pmap_pcid ? "on" : "off", pmap_invpcid ? "on" : "off",
	       (unsigned long long)(pmap_pcid_stats.pps_kept - kept0),
	       (unsigned long long)(pmap_pcid_stats.pps_lent - lent0));
	pk_teardown();
	(void)thread_bind(was);
	KT_ASSERT_EQ(bad_few, 0);
	KT_ASSERT_EQ(bad_many, 0);
	if (pmap_pcid) {
		/* A few pmaps keep their PCIDs from round to round; many evict each other. */
		KT_ASSERT(pmap_pcid_stats.pps_kept - kept0 >= (uint64_t)PK_FEW * (PK_ROUNDS - 1));
		KT_ASSERT(pmap_pcid_stats.pps_lent - lent0 >= PK_PMAPS);
	}
}

/* What another CPU does to pmap 0 while CPU 0 runs pmap 1. */
struct pk_remote {
	volatile unsigned pr_done;
	unsigned pr_cpu;
};

static void
pk_remote_run(void *arg, wait_result_t wr)
{
	struct pk_remote *r = arg;

	(void)wr;
	(void)thread_bind(&processor_array[r->pr_cpu]);
	/* Point pmap 0 at the spare page, from a CPU that never ran it. */
	(void)pmap_enter(pk_pmap[0], PK_UVA, VM_PAGE_TO_PHYS(pk_page[PK_PMAPS]), VM_PROT_DEFAULT,
			 0);
	(void)thread_bind(NULL);
	kt_count_up(&r->pr_done);
}

KTEST(pmap_pcid_change_while_away)
{
	struct processor *was = thread_bind(&processor_array[0]);
	static struct pk_remote r;
	unsigned bad = 0;

	KT_ASSERT(pk_setup());
	/* Both cached on this CPU (under their PCIDs, when there are PCIDs). */
	bad += pk_read(pk_pmap[0], 0) != 0x9c1d0000;
	bad += pk_read(pk_pmap[1], 0) != 0x9c1d0001;
	/* Changed from this CPU while pmap 1 runs: replace, then remove and map again. */
	{
		bool s = intr_save();

		pmap_activate(pk_pmap[1]);
		(void)pmap_enter(pk_pmap[0], PK_UVA, VM_PAGE_TO_PHYS(pk_page[2]), VM_PROT_DEFAULT,
				 0);
		pmap_activate(kernel_pmap);
		intr_restore(s);
	}
	bad += pk_read(pk_pmap[0], 0) != 0x9c1d0002;
	bad += pk_read(pk_pmap[1], 0) != 0x9c1d0001;
	pmap_remove(pk_pmap[0], PK_UVA, PK_UVA + PAGE_SIZE);
	(void)pmap_enter(pk_pmap[0], PK_UVA, VM_PAGE_TO_PHYS(pk_page[3]), VM_PROT_DEFAULT, 0);
	bad += pk_read(pk_pmap[0], 0) != 0x9c1d0003;
	/* A page's mappings all go at once (pageout's batch): pmap 1 must not keep its page. */
	bad += pk_read(pk_pmap[1], 0) != 0x9c1d0001;
	pmap_disconnect_batch(&pk_page[1], 1);
	(void)pmap_enter(pk_pmap[1], PK_UVA, VM_PAGE_TO_PHYS(pk_page[4]), VM_PROT_DEFAULT, 0);
	bad += pk_read(pk_pmap[1], 0) != 0x9c1d0004;
	/* Changed from another CPU while this one runs something else. */
	if (processor_count_scheduling() > 1) {
		r.pr_done = 0;
		r.pr_cpu = 1;
		KT_ASSERT_EQ(kt_start(pk_remote_run, &r, BASEPRI_KERNEL, TH_MODE_FIXED),
			     KERN_SUCCESS);
		KT_ASSERT(kt_wait_count(&r.pr_done, 1, 10 * 1000 * 1000 * 1000ULL));
		bad += pk_read(pk_pmap[0], 0) != 0x9c1d0000 + PK_PMAPS;
	}
	pk_teardown();
	(void)thread_bind(was);
	KT_ASSERT_EQ(bad, 0);
}
