/*
 * vm_ktest_util.c — page accounting for the VM self-tests (see vm_ktest_util.h): the
 * allocator asks vm_page_account_match() whether the current thread is the one counted.
 * One test thread at a time (ktests run one after the other).
 */
#include <arch/x86_64/pmap.h>
#include <mach/kern/thread.h>
#include <mach/vm/vm_fault.h>
#include <mach/vm/vm_ktest_util.h>
#include <mach/vm/vm_object.h>
#include <mach/vm/vm_page.h>
#include <mach/vm/vm_pageout.h>
#include <mach/vm/vm_param.h>

static thread_t vkt_thread;
static uint64_t vkt_pageout_runs;
static bool vkt_pageout_idle; /* the daemon had nothing to do at the start */

static bool
vkt_match(void)
{
	return current_thread() == vkt_thread;
}

void
vm_kt_account_begin(void)
{
	vkt_thread = current_thread();
	vkt_pageout_runs = __atomic_load_n(&vm_pageout_stats.vps_wakeups, __ATOMIC_SEQ_CST);
	vkt_pageout_idle = vm_page_free_count >= vm_page_free_target;
	__atomic_store_n(&vm_page_account_delta, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&vm_page_account_match, vkt_match, __ATOMIC_RELEASE);
}

bool
vm_kt_account_balance(int64_t *balance)
{
	*balance = __atomic_load_n(&vm_page_account_delta, __ATOMIC_SEQ_CST);
	return vkt_pageout_idle &&
	       __atomic_load_n(&vm_pageout_stats.vps_wakeups, __ATOMIC_SEQ_CST) == vkt_pageout_runs;
}

void
vm_kt_account_end(void)
{
	__atomic_store_n(&vm_page_account_match, NULL, __ATOMIC_RELEASE);
	vkt_thread = NULL;
}

bool
vm_kt_region_create(struct vm_kt_region *r, vaddr_t base, uint64_t npages)
{
	r->kr_va = base;
	if ((r->kr_pmap = pmap_create()) == NULL)
		return false;
	if ((r->kr_map = vm_map_create(r->kr_pmap, base, PMAP_USER_TOP)) == NULL) {
		pmap_destroy(r->kr_pmap);
		return false;
	}
	if (vm_map_enter(r->kr_map, &r->kr_va, ptoa(npages), VM_FLAGS_ANYWHERE, NULL, 0, false,
			 VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_COPY) != KERN_SUCCESS) {
		vm_map_deallocate(r->kr_map);
		pmap_destroy(r->kr_pmap);
		return false;
	}
	vm_map_switch(r->kr_map);
	return true;
}

void
vm_kt_region_destroy(struct vm_kt_region *r)
{
	vm_map_switch(NULL);
	vm_map_deallocate(r->kr_map);
	pmap_destroy(r->kr_pmap);
}
