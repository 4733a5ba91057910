/*
 * vm_ktest_util.h — what the VM self-tests share: "no page leaked" for one test thread. The
 * machine's free-page count moves with everything else that runs (the pageout daemon, the
 * reaper freeing stacks, drivers), so the tests count the pages their own thread grabs and
 * releases instead (vm_page_account_match), and report when the pageout daemon ran
 * meanwhile (it may have freed the test's own pages, which then never come back through the
 * test's thread).
 */
#ifndef _MACH_VM_VM_KTEST_UTIL_H_
#define _MACH_VM_VM_KTEST_UTIL_H_

#include <libkern/libkern.h>
#include <mach/vm/pmap.h>
#include <mach/vm/vm_map.h>

/* Start counting the pages the calling thread grabs (+1 each) and releases (-1 each). */
void vm_kt_account_begin(void);

/*
 * The balance so far: pages grabbed minus pages released since vm_kt_account_begin. Returns
 * false when the pageout daemon ran meanwhile (or was due to): it may have freed the test's
 * pages, and the balance may then be off by them. A scan the test runs itself counts.
 */
bool vm_kt_account_balance(int64_t *balance);

/* Stop counting. */
void vm_kt_account_end(void);

/*
 * In a KTEST: stop counting and check that the pages counted balance to expect (not checked,
 * and said so, when the pageout daemon freed pages meanwhile).
 */
#define VM_KT_ASSERT_BALANCE(expect)                                                            \
	do {                                                                                    \
		int64_t vkt_bal_;                                                               \
		bool vkt_ok_ = vm_kt_account_balance(&vkt_bal_);                                \
                                                                                                \
		vm_kt_account_end();                                                            \
		if (vkt_ok_)                                                                    \
			KT_ASSERT_EQ(vkt_bal_, (int64_t)(expect));                              \
		else                                                                            \
			printf("# the pageout daemon ran: page balance not checked\n");         \
	} while (0)

/*
 * A test region: npages of anonymous memory (zero fill, copy on fork) in a map of its own
 * (addresses from base up), which the calling thread switches to (vm_map_switch: the map is the
 * thread's, wherever it runs). vm_kt_region_destroy switches back and frees map and pmap.
 * Returns false (nothing left behind) when memory is short.
 */
struct vm_kt_region {
	pmap_t kr_pmap;
	vm_map_t kr_map;
	vaddr_t kr_va;
};
bool vm_kt_region_create(struct vm_kt_region *r, vaddr_t base, uint64_t npages);
void vm_kt_region_destroy(struct vm_kt_region *r);

#endif /* _MACH_VM_VM_KTEST_UTIL_H_ */
